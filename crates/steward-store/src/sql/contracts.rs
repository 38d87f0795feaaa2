use super::{SqlStore, account_id, check_versioned_update, from_json, now, to_json};
use crate::{Conn, ContractStore, Driver, Result, Row, StoreError, Value};
use steward_domain::{Contract, Id, Money, NewContract, RenewalOutcome, Slug};

const SELECT: &str = "SELECT c.id, a.slug, c.start_date, c.end_date, c.auto_renew, c.notice_days, c.pricing_model, \
    c.rate_cents, c.tiers, c.annual_escalator_pct, c.minimum_annual_commitment_cents, c.add_ons, c.renewal_outcome, \
    c.version, c.created_at, c.updated_at FROM contracts c JOIN accounts a ON a.id = c.account_id";

fn contract(r: &Row) -> Result<Contract> {
    Ok(Contract {
        id: r.int(0)?,
        account: r.parse(1)?,
        start_date: r.date(2)?,
        end_date: r.date(3)?,
        auto_renew: r.bool(4)?,
        notice_days: r.int(5)?,
        pricing_model: r.parse(6)?,
        rate: Money::from_cents(r.int(7)?),
        tiers: from_json(&r.text(8)?)?,
        annual_escalator_pct: r.real(9)?,
        minimum_annual_commitment: r.opt_int(10)?.map(Money::from_cents),
        add_ons: from_json(&r.text(11)?)?,
        renewal_outcome: r.parse(12)?,
        version: r.int(13)?,
        created_at: r.time(14)?,
        updated_at: r.time(15)?,
    })
}

fn one(c: &mut dyn Conn, id: Id) -> Result<Contract> {
    let row = c
        .query_one(&format!("{SELECT} WHERE c.id = $1"), &[Value::Int(id)])?
        .ok_or_else(|| StoreError::NotFound(format!("contract {id}")))?;
    contract(&row)
}

impl<D: Driver> ContractStore for SqlStore<D> {
    fn create_contract(&self, new: &NewContract) -> Result<Contract> {
        new.validate()?;
        self.write(|c| {
            let account = account_id(c, &new.account)?;
            let t = now();
            let id = c
                .query_one(
                    "INSERT INTO contracts (account_id, start_date, end_date, auto_renew, notice_days, pricing_model, \
                     rate_cents, tiers, annual_escalator_pct, minimum_annual_commitment_cents, add_ons, renewal_outcome, \
                     version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13) RETURNING id",
                    &[
                        account.into(),
                        new.start_date.into(),
                        new.end_date.into(),
                        new.auto_renew.into(),
                        new.notice_days.into(),
                        new.pricing_model.as_str().into(),
                        new.rate.cents.into(),
                        to_json(&new.tiers)?.into(),
                        new.annual_escalator_pct.into(),
                        new.minimum_annual_commitment.map(|m| m.cents).into(),
                        to_json(&new.add_ons)?.into(),
                        new.renewal_outcome.as_str().into(),
                        t.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            one(c, id)
        })
    }

    fn contracts(&self, account: &Slug) -> Result<Vec<Contract>> {
        self.read(|c| {
            c.query(&format!("{SELECT} WHERE a.slug = $1 ORDER BY c.start_date, c.id"), &[account.as_str().into()])?
                .iter()
                .map(contract)
                .collect()
        })
    }

    fn set_renewal_outcome(&self, id: Id, outcome: RenewalOutcome, version: i64) -> Result<Contract> {
        self.write(|c| {
            let changed = c.execute(
                "UPDATE contracts SET renewal_outcome = $1, updated_at = $2, version = version + 1 \
                 WHERE id = $3 AND version = $4",
                &[outcome.as_str().into(), now().into(), id.into(), version.into()],
            )?;
            check_versioned_update(c, changed, "contracts", id, &format!("contract {id}"))?;
            one(c, id)
        })
    }
}
