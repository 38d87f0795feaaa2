//! ARR snapshots: derived from an account's contracts and whole-account metrics by
//! `steward_domain::arr`, rewritten in the transaction that changes either, so they are
//! never older than what they are computed from.

use super::{SqlStore, account_id};
use crate::{ArrFilter, ArrStore, Conn, Driver, Result};
use steward_domain::arr::{ArrSnapshot, snapshots};
use steward_domain::metrics::{Cut, MonthMetrics};
use steward_domain::{Id, Money, Month, Slug};

fn whole_account_metrics(c: &mut dyn Conn, account: Id) -> Result<Vec<MonthMetrics>> {
    let Some(r) = c.query_one(
        "SELECT first_month, months, counts, counts_fields FROM account_metrics WHERE account_id = $1 AND cut_kind = 'all'",
        &[account.into()],
    )?
    else {
        return Ok(Vec::new());
    };
    let first = Month::of(r.date(0)?);
    let months = crate::series_codec::decode(r.bytes(2)?, r.int(1)? as usize, r.int(3)? as usize)?;
    Ok(months
        .iter()
        .enumerate()
        .map(|(i, counts)| MonthMetrics::from_counts(first.plus(i as i32), &Cut::All, counts, None))
        .collect())
}

/// Writes the account's snapshots afresh from its contracts and metrics as they now stand.
pub(super) fn rewrite(c: &mut dyn Conn, account: Id) -> Result<()> {
    let contracts = super::contracts::of_account(c, account)?;
    let metrics = whole_account_metrics(c, account)?;
    c.execute("DELETE FROM arr_snapshots WHERE account_id = $1", &[account.into()])?;
    for s in snapshots(&contracts, &metrics) {
        c.execute(
            "INSERT INTO arr_snapshots (account_id, month, arr_cents, at_risk_cents) VALUES ($1, $2, $3, $4)",
            &[account.into(), s.month.first_day().into(), s.arr.cents.into(), s.at_risk.cents.into()],
        )?;
    }
    Ok(())
}

impl<D: Driver> ArrStore for SqlStore<D> {
    fn arr_snapshots(&self, filter: &ArrFilter) -> Result<Vec<(Slug, ArrSnapshot)>> {
        self.read(|c| {
            let mut sql = String::from(
                "SELECT a.slug, s.month, s.arr_cents, s.at_risk_cents FROM arr_snapshots s JOIN accounts a ON a.id = s.account_id \
                 WHERE 1 = 1",
            );
            let mut args = Vec::new();
            if let Some(account) = &filter.account {
                args.push(account_id(c, account)?.into());
                sql.push_str(&format!(" AND s.account_id = ${}", args.len()));
            }
            if let Some(from) = filter.from {
                args.push(from.first_day().into());
                sql.push_str(&format!(" AND s.month >= ${}", args.len()));
            }
            if let Some(to) = filter.to {
                args.push(to.first_day().into());
                sql.push_str(&format!(" AND s.month <= ${}", args.len()));
            }
            sql.push_str(" ORDER BY a.slug, s.month");
            c.query(&sql, &args)?
                .iter()
                .map(|r| {
                    Ok((
                        r.parse(0)?,
                        ArrSnapshot {
                            month: Month::of(r.date(1)?),
                            arr: Money::from_cents(r.int(2)?),
                            at_risk: Money::from_cents(r.int(3)?),
                        },
                    ))
                })
                .collect()
        })
    }

    fn outdated_arr(&self) -> Result<Vec<Slug>> {
        self.read(|c| {
            c.query(
                "SELECT a.slug FROM accounts a WHERE EXISTS (SELECT 1 FROM contracts k WHERE k.account_id = a.id) \
                 AND EXISTS (SELECT 1 FROM account_metrics m WHERE m.account_id = a.id) \
                 AND NOT EXISTS (SELECT 1 FROM arr_snapshots s WHERE s.account_id = a.id) ORDER BY a.slug",
                &[],
            )?
            .iter()
            .map(|r| r.parse(0))
            .collect()
        })
    }

    fn refresh_arr(&self, account: &Slug) -> Result<()> {
        self.write(|c| {
            let id = account_id(c, account)?;
            rewrite(c, id)
        })
    }
}
