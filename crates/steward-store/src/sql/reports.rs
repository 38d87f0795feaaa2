use super::{SqlStore, account_id, now, opt_user_id, user_id};
use crate::{Conn, Driver, ReportStore, Result, Row, StoreError, Value};
use steward_domain::report::{NewReport, ReportFile, StoredReport};
use steward_domain::{Email, Id, Slug};

const SELECT: &str = "SELECT r.id, a.slug, r.quarter, r.version, r.ledger_version, r.data_as_of, r.digest, g.email, \
    r.generated_at, p.email, r.published_at FROM reports r JOIN accounts a ON a.id = r.account_id \
    LEFT JOIN users g ON g.id = r.generated_by LEFT JOIN users p ON p.id = r.published_by";
const ORDER: &str = "ORDER BY r.quarter DESC, a.slug, r.version DESC";

fn report(r: &Row) -> Result<StoredReport> {
    Ok(StoredReport {
        id: r.int(0)?,
        account: r.parse(1)?,
        quarter: r.parse(2)?,
        version: r.int(3)?,
        ledger_version: r.opt_int(4)?,
        data_as_of: r.opt_date(5)?,
        digest: r.text(6)?,
        generated_by: r.opt_parse(7)?,
        generated_at: r.time(8)?,
        published_by: r.opt_parse(9)?,
        published_at: r.opt_time(10)?,
    })
}

fn one(c: &mut dyn Conn, id: Id) -> Result<StoredReport> {
    let row = c
        .query_one(&format!("{SELECT} WHERE r.id = $1"), &[id.into()])?
        .ok_or_else(|| StoreError::NotFound(format!("report {id}")))?;
    report(&row)
}

impl<D: Driver> ReportStore for SqlStore<D> {
    fn save_report(&self, new: &NewReport) -> Result<(StoredReport, bool)> {
        // Both files: the CSV holds figures the PDF does not show.
        let mut hasher = blake3::Hasher::new();
        hasher.update(&new.pdf);
        hasher.update(new.csv.as_bytes());
        let digest = hasher.finalize().to_hex().to_string();
        let quarter = new.quarter.to_string();
        self.write(|c| {
            let account = account_id(c, &new.account)?;
            let latest = c.query_one(
                "SELECT id, version, digest FROM reports WHERE account_id = $1 AND quarter = $2 \
                 ORDER BY version DESC LIMIT 1",
                &[account.into(), quarter.as_str().into()],
            )?;
            let version = match &latest {
                Some(row) if row.text(2)? == digest => return Ok((one(c, row.int(0)?)?, false)),
                Some(row) => row.int(1)? + 1,
                None => 1,
            };
            let by = opt_user_id(c, new.generated_by.as_ref())?;
            let id = c
                .query_one(
                    "INSERT INTO reports (account_id, quarter, version, ledger_version, data_as_of, digest, pdf, csv, \
                     generated_by, generated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    &[
                        account.into(),
                        quarter.as_str().into(),
                        version.into(),
                        new.ledger_version.into(),
                        new.data_as_of.into(),
                        digest.as_str().into(),
                        Value::Bytes(new.pdf.clone()),
                        new.csv.as_str().into(),
                        by.into(),
                        now().into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            Ok((one(c, id)?, true))
        })
    }

    fn report(&self, id: Id) -> Result<StoredReport> {
        self.read(|c| one(c, id))
    }

    fn reports(&self, account: Option<&Slug>) -> Result<Vec<StoredReport>> {
        self.read(|c| {
            let rows = match account {
                Some(slug) => {
                    let id = account_id(c, slug)?;
                    c.query(&format!("{SELECT} WHERE r.account_id = $1 {ORDER}"), &[Value::Int(id)])?
                }
                None => c.query(&format!("{SELECT} {ORDER}"), &[])?,
            };
            rows.iter().map(report).collect()
        })
    }

    fn report_file(&self, id: Id, file: ReportFile) -> Result<Vec<u8>> {
        let column = match file {
            ReportFile::Pdf => "pdf",
            ReportFile::Csv => "csv",
        };
        self.read(|c| {
            let row = c
                .query_one(&format!("SELECT {column} FROM reports WHERE id = $1"), &[id.into()])?
                .ok_or_else(|| StoreError::NotFound(format!("report {id}")))?;
            Ok(match file {
                ReportFile::Pdf => row.bytes(0)?.to_vec(),
                ReportFile::Csv => row.text(0)?.into_bytes(),
            })
        })
    }

    fn publish_report(&self, id: Id, by: &Email) -> Result<StoredReport> {
        self.write(|c| {
            let who = user_id(c, by)?;
            c.execute(
                "UPDATE reports SET published_by = $1, published_at = $2 WHERE id = $3 AND published_at IS NULL",
                &[who.into(), now().into(), id.into()],
            )?;
            one(c, id)
        })
    }
}
