use super::{SqlStore, account_id, now, opt_account_id};
use crate::{
    Conn, CutKind, Driver, ImportWork, LedgerUpdate, MemberStore, Result, StoreError, StoredLedger, ledger_codec,
};
use chrono::NaiveDate;
use steward_domain::metrics::{AccountMetrics, Cut, MonthCounts};
use steward_domain::{Id, ImportBatch, ImportKind, Month, Slug};

fn write_metrics(c: &mut dyn Conn, account: i64, metrics: Option<&AccountMetrics>) -> Result<()> {
    c.execute("DELETE FROM account_metrics WHERE account_id = $1", &[account.into()])?;
    let Some(m) = metrics else { return super::arr::rewrite(c, account) };
    for (cut, months) in &m.cuts {
        c.execute(
            "INSERT INTO account_metrics (account_id, cut_kind, cut_value, first_month, months, counts, counts_fields) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                account.into(),
                cut.kind().into(),
                cut.value().into(),
                m.first.first_day().into(),
                (months.len() as i64).into(),
                crate::series_codec::encode(months).into(),
                (crate::series_codec::FIELDS as i64).into(),
            ],
        )?;
    }
    // ARR moves with the volumes it is billed on.
    super::arr::rewrite(c, account)
}

fn write_ledger(c: &mut dyn Conn, account: i64, update: LedgerUpdate) -> Result<()> {
    let (people, visits, surveys) = (update.people, update.visits, update.survey_responses);
    let changed = match update.expected_version {
        None => c.execute(
            "INSERT INTO member_ledgers (account_id, version, people, visits, survey_responses, updated_at, as_of) \
             VALUES ($1, 1, $2, $3, $4, $5, $6) ON CONFLICT (account_id) DO NOTHING",
            &[account.into(), people.into(), visits.into(), surveys.into(), now().into(), update.as_of.into()],
        )?,
        Some(version) => c.execute(
            "UPDATE member_ledgers SET version = version + 1, people = $1, visits = $2, survey_responses = $3, \
             updated_at = $4, as_of = $7 WHERE account_id = $5 AND version = $6",
            &[
                people.into(),
                visits.into(),
                surveys.into(),
                now().into(),
                account.into(),
                version.into(),
                update.as_of.into(),
            ],
        )?,
    };
    if changed == 1 {
        for (part, data) in update.parts {
            c.execute(
                "INSERT INTO member_ledger_parts (account_id, part, data) VALUES ($1, $2, $3) \
                 ON CONFLICT (account_id, part) DO UPDATE SET data = excluded.data",
                &[account.into(), part.as_str().into(), data.into()],
            )?;
        }
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
            let Some(row) = c.query_one("SELECT version FROM member_ledgers WHERE account_id = $1", &[id.into()])?
            else {
                return Ok(None);
            };
            let mut ledger = steward_domain::ledger::Ledger::default();
            for part in c.query("SELECT part, data FROM member_ledger_parts WHERE account_id = $1", &[id.into()])? {
                let name = part.text(0)?;
                let which = ledger_codec::Part::ALL
                    .into_iter()
                    .find(|p| p.as_str() == name)
                    .ok_or_else(|| StoreError::Backend(format!("unknown ledger part {name:?}")))?;
                ledger_codec::decode_into(&mut ledger, which, part.bytes(1)?)?;
            }
            Ok(Some(StoredLedger { version: row.int(0)?, ledger }))
        })
    }

    fn applied_import(
        &self,
        kind: ImportKind,
        account: Option<&Slug>,
        content_hash: &str,
        options: &str,
    ) -> Result<Option<ImportBatch>> {
        self.read(|c| {
            let account = opt_account_id(c, account)?;
            applied_id(c, kind, account, content_hash, options)?.map(|id| super::imports::by_id(c, id)).transpose()
        })
    }

    fn commit_import(&self, work: &mut dyn ImportWork) -> Result<ImportBatch> {
        self.write(|c| {
            // Checked again here, inside the writer's transaction, so two processes importing
            // the same file at once cannot both apply it.
            let planned = work.batch();
            let account = opt_account_id(c, planned.account.as_ref())?;
            if applied_id(c, planned.kind, account, &planned.content_hash, &planned.options)?.is_some() {
                return Err(StoreError::Duplicate(format!("import of {}", planned.file_name)));
            }
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
            let rows = c.query(
                "SELECT cut_value, first_month, months, counts, counts_fields FROM account_metrics WHERE account_id = $1 AND cut_kind = $2 \
                 ORDER BY cut_value",
                &[id.into(), cut_kind.as_str().into()],
            )?;
            let mut out = Vec::new();
            for r in rows {
                let value = r.text(0)?;
                let cut = match cut_kind {
                    CutKind::All => Cut::All,
                    CutKind::Metro => {
                        Cut::Metro(value.parse().map_err(|e: steward_domain::ParseError| StoreError::Backend(e.0))?)
                    }
                    CutKind::Worksite => Cut::Worksite(value),
                };
                let first = Month::of(r.date(1)?);
                let months = crate::series_codec::decode(r.bytes(3)?, r.int(2)? as usize, r.int(4)? as usize)?;
                for (i, counts) in months.into_iter().enumerate() {
                    let month = first.plus(i as i32);
                    if from.is_none_or(|f| month >= f) && to.is_none_or(|t| month <= t) {
                        out.push((cut.clone(), month, counts));
                    }
                }
            }
            Ok(out)
        })
    }

    fn outdated_metrics(&self) -> Result<Vec<Slug>> {
        self.read(|c| {
            c.query(
                "SELECT DISTINCT a.slug FROM account_metrics m JOIN accounts a ON a.id = m.account_id \
                 WHERE m.counts_fields < $1 ORDER BY a.slug",
                &[(crate::series_codec::FIELDS as i64).into()],
            )?
            .iter()
            .map(|r| r.parse(0))
            .collect()
        })
    }

    fn refresh_metrics(&self, account: &Slug, ledger_version: i64, metrics: Option<&AccountMetrics>) -> Result<()> {
        self.write(|c| {
            let id = account_id(c, account)?;
            let current = c
                .query_one("SELECT version FROM member_ledgers WHERE account_id = $1", &[id.into()])?
                .map(|r| r.int(0))
                .transpose()?
                .unwrap_or(0);
            if current != ledger_version {
                return Err(StoreError::Conflict { what: format!("member data of {account}"), current });
            }
            write_metrics(c, id, metrics)
        })
    }

    fn metrics_as_of(&self, account: &Slug) -> Result<Option<NaiveDate>> {
        self.read(|c| {
            let id = account_id(c, account)?;
            match c.query_one("SELECT as_of FROM member_ledgers WHERE account_id = $1", &[id.into()])? {
                Some(row) => row.opt_date(0),
                None => Ok(None),
            }
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

    fn column_mappings(&self) -> Result<Vec<(Slug, String)>> {
        self.read(|c| {
            c.query(
                "SELECT a.slug, m.name FROM column_mappings m JOIN accounts a ON a.id = m.account_id ORDER BY a.slug, m.name",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.parse(0)?, r.text(1)?)))
            .collect()
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

/// The first batch of this kind, account, content and options that applied rows, if any.
fn applied_id(
    c: &mut dyn Conn,
    kind: ImportKind,
    account: Option<Id>,
    content_hash: &str,
    options: &str,
) -> Result<Option<Id>> {
    c.query_one(
        "SELECT id FROM import_batches WHERE kind = $1 AND content_hash = $2 AND status = 'applied' \
         AND rows_accepted > 0 AND options = $4 \
         AND (account_id = $3 OR (account_id IS NULL AND $3 IS NULL)) ORDER BY id LIMIT 1",
        &[kind.as_str().into(), content_hash.into(), account.into(), options.into()],
    )?
    .map(|r| r.int(0))
    .transpose()
}
