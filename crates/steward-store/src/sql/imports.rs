use super::{SqlStore, from_json, now, opt_account_id, opt_user_id, to_json};
use crate::{Conn, Driver, ImportStore, Result, Row, StoreError, Value};
use steward_domain::{Id, ImportBatch, NewImportBatch, Slug};

const SELECT: &str = "SELECT b.id, b.kind, b.format, b.file_name, b.content_hash, a.slug, b.rows_read, \
    b.rows_accepted, b.rows_rejected, b.status, b.errors, u.email, b.created_at, b.options, b.details \
    FROM import_batches b \
    LEFT JOIN accounts a ON a.id = b.account_id LEFT JOIN users u ON u.id = b.created_by";

fn batch(r: &Row) -> Result<ImportBatch> {
    Ok(ImportBatch {
        id: r.int(0)?,
        kind: r.parse(1)?,
        format: r.text(2)?,
        file_name: r.text(3)?,
        content_hash: r.text(4)?,
        account: r.opt_parse(5)?,
        rows_read: r.int(6)?,
        rows_accepted: r.int(7)?,
        rows_rejected: r.int(8)?,
        status: r.parse(9)?,
        errors: from_json(&r.text(10)?)?,
        options: r.text(13)?,
        details: from_json(&r.text(14)?)?,
        created_by: r.opt_parse(11)?,
        created_at: r.time(12)?,
    })
}

impl<D: Driver> ImportStore for SqlStore<D> {
    fn record_import(&self, new: &NewImportBatch) -> Result<ImportBatch> {
        self.write(|c| insert(c, new))
    }

    fn import_batch(&self, id: Id) -> Result<ImportBatch> {
        self.read(|c| by_id(c, id))
    }

    fn imports(&self, account: Option<&Slug>) -> Result<Vec<ImportBatch>> {
        self.read(|c| {
            let rows = match account {
                Some(slug) => {
                    opt_account_id(c, Some(slug))?;
                    c.query(&format!("{SELECT} WHERE a.slug = $1 ORDER BY b.id DESC"), &[slug.as_str().into()])?
                }
                None => c.query(&format!("{SELECT} ORDER BY b.id DESC"), &[])?,
            };
            rows.iter().map(batch).collect()
        })
    }
}

/// Records a batch inside the caller's transaction.
pub(crate) fn insert(c: &mut dyn Conn, new: &NewImportBatch) -> Result<ImportBatch> {
    let account = opt_account_id(c, new.account.as_ref())?;
    let author = opt_user_id(c, new.created_by.as_ref())?;
    let id = c
        .query_one(
            "INSERT INTO import_batches (kind, format, file_name, content_hash, account_id, rows_read, \
             rows_accepted, rows_rejected, status, errors, created_by, created_at, options, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            &[
                new.kind.as_str().into(),
                new.format.as_str().into(),
                new.file_name.as_str().into(),
                new.content_hash.as_str().into(),
                account.into(),
                new.rows_read.into(),
                new.rows_accepted.into(),
                new.rows_rejected.into(),
                new.status.as_str().into(),
                to_json(&new.errors)?.into(),
                author.into(),
                now().into(),
                new.options.as_str().into(),
                to_json(&new.details)?.into(),
            ],
        )?
        .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
        .int(0)?;
    by_id(c, id)
}

pub(crate) fn by_id(c: &mut dyn Conn, id: Id) -> Result<ImportBatch> {
    let row = c.query_one(&format!("{SELECT} WHERE b.id = $1"), &[Value::Int(id)])?;
    batch(&row.ok_or_else(|| StoreError::NotFound(format!("import {id}")))?)
}
