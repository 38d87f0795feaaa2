use super::{SqlStore, account_id, now, opt_account_id};
use crate::{
    Conn, CutKind, Driver, ImportStore, ImportWork, LedgerUpdate, MemberStore, Result, StoreError, StoredLedger, Value,
    ledger_codec,
};
use steward_domain::metrics::{AccountMetrics, Cut, MonthCounts};
use steward_domain::{ImportBatch, ImportKind, Month, Slug};

const COUNT_COLUMNS: &str = "eligible_lives, eligible_employees, enrolled_members, new_enrollments, visits_in_office, \
    visits_video, visits_remote_other, unmatched_visits, active_members_12m, visits_12m, virtual_visits_12m, \
    member_months_12m, promoters_12m, detractors_12m, responses_12m";

fn counts_values(c: &MonthCounts) -> [i64; 15] {
    [
        c.eligible_lives,
        c.eligible_employees,
        c.enrolled_members,
        c.new_enrollments,
        c.visits_in_office,
        c.visits_video,
        c.visits_remote_other,
        c.unmatched_visits,
        c.active_members_12m,
        c.visits_12m,
        c.virtual_visits_12m,
        c.member_months_12m,
        c.promoters_12m,
        c.detractors_12m,
        c.responses_12m,
    ]
}

/// Rows per INSERT: few round trips, well under both databases' parameter limits.
const ROWS_PER_INSERT: usize = 64;
const COLUMNS_PER_ROW: usize = 19;

fn insert_sql(rows: usize) -> String {
    let mut sql =
        format!("INSERT INTO account_metrics (account_id, cut_kind, cut_value, month, {COUNT_COLUMNS}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..COLUMNS_PER_ROW {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * COLUMNS_PER_ROW + c + 1));
        }
        sql.push(')');
    }
    sql
}

fn write_metrics(c: &mut dyn Conn, account: i64, metrics: Option<&AccountMetrics>) -> Result<()> {
    c.execute("DELETE FROM account_metrics WHERE account_id = $1", &[account.into()])?;
    let Some(m) = metrics else { return Ok(()) };
    let mut rows: Vec<Value> = Vec::with_capacity(ROWS_PER_INSERT * COLUMNS_PER_ROW);
    let full_sql = insert_sql(ROWS_PER_INSERT);
    let mut pending = 0;
    for (cut, months) in &m.cuts {
        for (i, counts) in months.iter().enumerate() {
            rows.push(account.into());
            rows.push(cut.kind().into());
            rows.push(cut.value().into());
            rows.push(m.month(i).first_day().into());
            rows.extend(counts_values(counts).into_iter().map(Value::Int));
            pending += 1;
            if pending == ROWS_PER_INSERT {
                c.execute(&full_sql, &rows)?;
                rows.clear();
                pending = 0;
            }
        }
    }
    if pending > 0 {
        c.execute(&insert_sql(pending), &rows)?;
    }
    Ok(())
}

fn write_ledger(c: &mut dyn Conn, account: i64, update: LedgerUpdate) -> Result<()> {
    let (people, visits, surveys) = (update.people, update.visits, update.survey_responses);
    let bytes = update.data;
    let changed = match update.expected_version {
        None => c.execute(
            "INSERT INTO member_ledgers (account_id, version, people, visits, survey_responses, data, updated_at) \
             VALUES ($1, 1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO NOTHING",
            &[account.into(), people.into(), visits.into(), surveys.into(), bytes.into(), now().into()],
        )?,
        Some(version) => c.execute(
            "UPDATE member_ledgers SET version = version + 1, people = $1, visits = $2, survey_responses = $3, data = $4, \
             updated_at = $5 WHERE account_id = $6 AND version = $7",
            &[people.into(), visits.into(), surveys.into(), bytes.into(), now().into(), account.into(), version.into()],
        )?,
    };
    if changed == 1 {
        return Ok(());
    }
    let current = c
        .query_one("SELECT version FROM member_ledgers WHERE account_id = $1", &[account.into()])?
        .map(|r| r.int(0))
        .transpose()?
        .unwrap_or(0);
    Err(StoreError::Conflict { what: format!("member data of {}", update.account), current })
}

impl<D: Driver> MemberStore for SqlStore<D> {
    fn ledger(&self, account: &Slug) -> Result<Option<StoredLedger>> {
        self.read(|c| {
            let id = account_id(c, account)?;
            let row = c.query_one("SELECT version, data FROM member_ledgers WHERE account_id = $1", &[id.into()])?;
            row.map(|r| Ok(StoredLedger { version: r.int(0)?, ledger: ledger_codec::decode(r.bytes(1)?)? })).transpose()
        })
    }

    fn applied_import(
        &self,
        kind: ImportKind,
        account: Option<&Slug>,
        content_hash: &str,
    ) -> Result<Option<ImportBatch>> {
        let applied = self.read(|c| {
            let account = opt_account_id(c, account)?;
            let row = c.query_one(
                "SELECT id FROM import_batches WHERE kind = $1 AND content_hash = $2 AND status = 'applied' \
                 AND (account_id = $3 OR (account_id IS NULL AND $3 IS NULL)) ORDER BY id LIMIT 1",
                &[kind.as_str().into(), content_hash.into(), account.into()],
            )?;
            row.map(|r| r.int(0)).transpose()
        })?;
        match applied {
            Some(id) => Ok(self.imports(account)?.into_iter().find(|b| b.id == id)),
            None => Ok(None),
        }
    }

    fn commit_import(&self, work: &mut dyn ImportWork) -> Result<ImportBatch> {
        self.write(|c| {
            while let Some(mut update) = work.next_update()? {
                let account = account_id(c, &update.account)?;
                let metrics = update.metrics.take();
                write_ledger(c, account, update)?;
                write_metrics(c, account, metrics.as_ref())?;
            }
            super::imports::insert(c, &work.batch())
        })
    }

    fn metrics(
        &self,
        account: &Slug,
        cut_kind: CutKind,
        from: Option<Month>,
        to: Option<Month>,
    ) -> Result<Vec<(Cut, Month, MonthCounts)>> {
        self.read(|c| {
            let id = account_id(c, account)?;
            let from = from.map_or_else(|| "0001-01-01".parse().ok(), |m| Some(m.first_day()));
            let to = to.map_or_else(|| "9999-12-01".parse().ok(), |m| Some(m.first_day()));
            let rows = c.query(
                &format!(
                    "SELECT cut_value, month, {COUNT_COLUMNS} FROM account_metrics WHERE account_id = $1 AND cut_kind = $2 \
                     AND month >= $3 AND month <= $4 ORDER BY cut_value, month"
                ),
                &[id.into(), cut_kind.as_str().into(), from.into(), to.into()],
            )?;
            rows.iter()
                .map(|r| {
                    let value = r.text(0)?;
                    let cut = match cut_kind {
                        CutKind::All => Cut::All,
                        CutKind::Metro => Cut::Metro(value.parse().map_err(|e: steward_domain::ParseError| StoreError::Backend(e.0))?),
                        CutKind::Worksite => Cut::Worksite(value),
                    };
                    let v = |i: usize| r.int(i + 2);
                    let counts = MonthCounts {
                        eligible_lives: v(0)?,
                        eligible_employees: v(1)?,
                        enrolled_members: v(2)?,
                        new_enrollments: v(3)?,
                        visits_in_office: v(4)?,
                        visits_video: v(5)?,
                        visits_remote_other: v(6)?,
                        unmatched_visits: v(7)?,
                        active_members_12m: v(8)?,
                        visits_12m: v(9)?,
                        virtual_visits_12m: v(10)?,
                        member_months_12m: v(11)?,
                        promoters_12m: v(12)?,
                        detractors_12m: v(13)?,
                        responses_12m: v(14)?,
                    };
                    Ok((cut, Month::of(r.date(1)?), counts))
                })
                .collect()
        })
    }

    fn column_mapping(&self, account: &Slug, name: &str) -> Result<Option<String>> {
        self.read(|c| {
            let id = account_id(c, account)?;
            c.query_one(
                "SELECT mapping FROM column_mappings WHERE account_id = $1 AND name = $2",
                &[id.into(), name.into()],
            )?
            .map(|r| r.text(0))
            .transpose()
        })
    }

    fn put_column_mapping(&self, account: &Slug, name: &str, mapping_json: &str) -> Result<()> {
        self.write(|c| {
            let id = account_id(c, account)?;
            let t = now();
            c.execute(
                "INSERT INTO column_mappings (account_id, name, mapping, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, 1, $4, $4) ON CONFLICT (account_id, name) DO UPDATE SET mapping = excluded.mapping, \
                 version = column_mappings.version + 1, updated_at = excluded.updated_at",
                &[id.into(), name.into(), mapping_json.into(), t.into()],
            )?;
            Ok(())
        })
    }
}
