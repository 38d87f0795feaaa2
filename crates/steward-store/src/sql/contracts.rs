use super::{SqlStore, account_id, check_versioned_update, from_json, now, to_json};
use crate::{Conn, ContractStore, Driver, Result, Row, StoreError, Value};
use steward_domain::{
    Amendment, ChangeKind, ChangeNote, Contract, ContractChange, Id, Money, NewContract, RenewalOutcome, Slug, Terms,
};

const SELECT: &str = "SELECT c.id, a.slug, c.start_date, c.end_date, c.auto_renew, c.notice_days, c.pricing_model, \
    c.rate_cents, c.tiers, c.annual_escalator_pct, c.minimum_annual_commitment_cents, c.add_ons, c.renewal_outcome, \
    c.version, c.created_at, c.updated_at, c.guarantees, c.terms_from FROM contracts c JOIN accounts a ON a.id = c.account_id";

const CHANGES: &str = "SELECT contract_id, version, kind, effective_from, pricing_model, rate_cents, tiers, \
    annual_escalator_pct, minimum_annual_commitment_cents, add_ons, guarantees, end_date, notice_days, auto_renew, \
    renewal_outcome, reason, changed_by, changed_at FROM contract_changes";

/// Terms from the columns starting at `at`: pricing model, rate, tiers, escalator, minimum, add-ons.
fn terms(r: &Row, at: usize, guarantees: usize) -> Result<Terms> {
    Ok(Terms {
        pricing_model: r.parse(at)?,
        rate: Money::from_cents(r.int(at + 1)?),
        tiers: from_json(&r.text(at + 2)?)?,
        annual_escalator_pct: r.real(at + 3)?,
        minimum_annual_commitment: r.opt_int(at + 4)?.map(Money::from_cents),
        add_ons: from_json(&r.text(at + 5)?)?,
        guarantees: from_json(&r.text(guarantees)?)?,
    })
}

fn contract(r: &Row) -> Result<Contract> {
    let t = terms(r, 6, 16)?;
    let start_date = r.date(2)?;
    Ok(Contract {
        id: r.int(0)?,
        account: r.parse(1)?,
        start_date,
        end_date: r.date(3)?,
        auto_renew: r.bool(4)?,
        notice_days: r.int(5)?,
        pricing_model: t.pricing_model,
        rate: t.rate,
        tiers: t.tiers,
        annual_escalator_pct: t.annual_escalator_pct,
        minimum_annual_commitment: t.minimum_annual_commitment,
        add_ons: t.add_ons,
        guarantees: t.guarantees,
        terms_from: r.opt_date(17)?.unwrap_or(start_date),
        renewal_outcome: r.parse(12)?,
        version: r.int(13)?,
        created_at: r.time(14)?,
        updated_at: r.time(15)?,
        history: Vec::new(),
    })
}

fn change(r: &Row) -> Result<(Id, ContractChange)> {
    Ok((
        r.int(0)?,
        ContractChange {
            version: r.int(1)?,
            kind: r.parse(2)?,
            effective_from: r.date(3)?,
            terms: terms(r, 4, 10)?,
            end_date: r.date(11)?,
            notice_days: r.int(12)?,
            auto_renew: r.bool(13)?,
            renewal_outcome: r.parse(14)?,
            reason: r.text(15)?,
            changed_by: r.opt_parse(16)?,
            changed_at: r.time(17)?,
        },
    ))
}

/// The account's contracts with their histories, oldest first.
pub(super) fn of_account(c: &mut dyn Conn, account: Id) -> Result<Vec<Contract>> {
    let mut contracts: Vec<Contract> = c
        .query(&format!("{SELECT} WHERE c.account_id = $1 ORDER BY c.start_date, c.id"), &[account.into()])?
        .iter()
        .map(contract)
        .collect::<Result<_>>()?;
    let changes = c.query(
        &format!(
            "{CHANGES} WHERE contract_id IN (SELECT id FROM contracts WHERE account_id = $1) ORDER BY contract_id, version"
        ),
        &[account.into()],
    )?;
    for row in &changes {
        let (id, change) = change(row)?;
        if let Some(k) = contracts.iter_mut().find(|k| k.id == id) {
            k.history.push(change);
        }
    }
    Ok(contracts)
}

fn one(c: &mut dyn Conn, id: Id) -> Result<Contract> {
    let row = c
        .query_one(&format!("{SELECT} WHERE c.id = $1"), &[Value::Int(id)])?
        .ok_or_else(|| StoreError::NotFound(format!("contract {id}")))?;
    let mut contract = contract(&row)?;
    for row in &c.query(&format!("{CHANGES} WHERE contract_id = $1 ORDER BY version"), &[id.into()])? {
        contract.history.push(change(row)?.1);
    }
    Ok(contract)
}

fn account_of(c: &mut dyn Conn, id: Id) -> Result<Id> {
    c.query_one("SELECT account_id FROM contracts WHERE id = $1", &[id.into()])?
        .ok_or_else(|| StoreError::NotFound(format!("contract {id}")))?
        .int(0)
}

/// Keeps the contract as it now stands as its next version.
fn record_change(
    c: &mut dyn Conn,
    id: Id,
    kind: ChangeKind,
    effective_from: chrono::NaiveDate,
    note: &ChangeNote,
) -> Result<()> {
    let k = one(c, id)?;
    let t = k.terms();
    c.execute(
        "INSERT INTO contract_changes (contract_id, version, kind, effective_from, pricing_model, rate_cents, tiers, \
         annual_escalator_pct, minimum_annual_commitment_cents, add_ons, guarantees, end_date, notice_days, auto_renew, \
         renewal_outcome, reason, changed_by, changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
        &[
            id.into(),
            k.version.into(),
            kind.as_str().into(),
            effective_from.into(),
            t.pricing_model.as_str().into(),
            t.rate.cents.into(),
            to_json(&t.tiers)?.into(),
            t.annual_escalator_pct.into(),
            t.minimum_annual_commitment.map(|m| m.cents).into(),
            to_json(&t.add_ons)?.into(),
            to_json(&t.guarantees)?.into(),
            k.end_date.into(),
            k.notice_days.into(),
            k.auto_renew.into(),
            k.renewal_outcome.as_str().into(),
            note.reason.trim().into(),
            note.by.as_ref().map(|e| e.as_str().to_owned()).into(),
            k.updated_at.into(),
        ],
    )?;
    Ok(())
}

/// Holds the account's row until the transaction ends, so two writers checking its terms for
/// overlaps take turns (PostgreSQL's row lock; SQLite has one writer anyway).
fn lock_account(c: &mut dyn Conn, account: Id) -> Result<()> {
    c.execute("UPDATE accounts SET version = version WHERE id = $1", &[account.into()])?;
    Ok(())
}

/// Signs `new` in the caller's transaction: validated against the account's other terms
/// inside it, so two people adding terms at once cannot both overlap.
pub(super) fn insert(c: &mut dyn Conn, new: &NewContract, note: &ChangeNote) -> Result<Contract> {
    note.validate()?;
    let account = account_id(c, &new.account)?;
    lock_account(c, account)?;
    new.validate(&of_account(c, account)?)?;
    let t = now();
    let id = c
                .query_one(
                    "INSERT INTO contracts (account_id, start_date, end_date, auto_renew, notice_days, pricing_model, \
                     rate_cents, tiers, annual_escalator_pct, minimum_annual_commitment_cents, add_ons, renewal_outcome, \
                     version, created_at, updated_at, guarantees, terms_from) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13, $14, $2) RETURNING id",
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
                        to_json(&new.guarantees)?.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
    record_change(c, id, ChangeKind::Signed, new.start_date, note)?;
    super::arr::rewrite(c, account)?;
    one(c, id)
}

/// Records the decision on a contract's renewal in the caller's transaction.
pub(super) fn decide(
    c: &mut dyn Conn,
    id: Id,
    outcome: RenewalOutcome,
    note: &ChangeNote,
    version: i64,
) -> Result<Contract> {
    note.validate()?;
    let changed = c.execute(
        "UPDATE contracts SET renewal_outcome = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        &[outcome.as_str().into(), now().into(), id.into(), version.into()],
    )?;
    check_versioned_update(c, changed, "contracts", id, &format!("contract {id}"))?;
    record_change(c, id, ChangeKind::Outcome, now().date_naive(), note)?;
    one(c, id)
}

impl<D: Driver> ContractStore for SqlStore<D> {
    fn create_contract(&self, new: &NewContract, note: &ChangeNote) -> Result<Contract> {
        self.write(|c| insert(c, new, note))
    }

    fn contract(&self, id: Id) -> Result<Contract> {
        self.read(|c| one(c, id))
    }

    fn contracts(&self, account: &Slug) -> Result<Vec<Contract>> {
        self.read(|c| {
            let id = account_id(c, account)?;
            of_account(c, id)
        })
    }

    fn amend_contract(&self, id: Id, amendment: &Amendment, note: &ChangeNote, version: i64) -> Result<Contract> {
        note.validate()?;
        self.write(|c| {
            let account = account_of(c, id)?;
            lock_account(c, account)?;
            let all = of_account(c, account)?;
            let current = all.iter().find(|k| k.id == id).ok_or_else(|| StoreError::NotFound(format!("contract {id}")))?;
            if current.version != version {
                return Err(StoreError::Conflict { what: format!("contract {id}"), current: current.version });
            }
            amendment.validate(current, &all)?;
            let t = &amendment.terms;
            let changed = c.execute(
                "UPDATE contracts SET end_date = $1, auto_renew = $2, notice_days = $3, pricing_model = $4, rate_cents = $5, \
                 tiers = $6, annual_escalator_pct = $7, minimum_annual_commitment_cents = $8, add_ons = $9, guarantees = $10, \
                 terms_from = $11, updated_at = $12, version = version + 1 WHERE id = $13 AND version = $14",
                &[
                    amendment.end_date.into(),
                    amendment.auto_renew.into(),
                    amendment.notice_days.into(),
                    t.pricing_model.as_str().into(),
                    t.rate.cents.into(),
                    to_json(&t.tiers)?.into(),
                    t.annual_escalator_pct.into(),
                    t.minimum_annual_commitment.map(|m| m.cents).into(),
                    to_json(&t.add_ons)?.into(),
                    to_json(&t.guarantees)?.into(),
                    amendment.effective_from.into(),
                    now().into(),
                    id.into(),
                    version.into(),
                ],
            )?;
            check_versioned_update(c, changed, "contracts", id, &format!("contract {id}"))?;
            record_change(c, id, ChangeKind::Amended, amendment.effective_from, note)?;
            super::arr::rewrite(c, account)?;
            one(c, id)
        })
    }

    fn set_renewal_outcome(
        &self,
        id: Id,
        outcome: RenewalOutcome,
        note: &ChangeNote,
        version: i64,
    ) -> Result<Contract> {
        self.write(|c| decide(c, id, outcome, note, version))
    }
}
