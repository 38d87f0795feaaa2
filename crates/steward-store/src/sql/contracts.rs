use super::{SqlStore, account_id, check_versioned_update, from_json, now, to_json};
use crate::{Conn, ContractStore, Driver, GoLive, Result, Row, StoreError, Value};
use steward_domain::{
    Amendment, ChangeKind, ChangeNote, Contract, ContractChange, Id, Money, NewContract, RenewalOutcome, Slug, Terms,
};

/// The columns priced terms are kept in (contracts and their versions alike), in the order
/// [`terms_values`] writes and [`terms`] reads them.
macro_rules! terms_columns {
    () => {
        "pricing_model, rate_cents, tiers, annual_escalator_pct, minimum_annual_commitment_cents, add_ons, guarantees"
    };
}
const TERMS_COLUMNS: &str = terms_columns!();

const SELECT: &str = concat!(
    "SELECT c.id, a.slug, c.start_date, c.end_date, c.auto_renew, c.notice_days, c.renewal_outcome, c.version, \
     c.created_at, c.updated_at, c.terms_from, ",
    terms_columns!(),
    " FROM contracts c JOIN accounts a ON a.id = c.account_id"
);

const CHANGES: &str = concat!(
    "SELECT contract_id, version, kind, effective_from, end_date, notice_days, auto_renew, renewal_outcome, reason, \
     changed_by, changed_at, ",
    terms_columns!(),
    " FROM contract_changes"
);

/// The terms from the seven [`TERMS_COLUMNS`] starting at `at`.
fn terms(r: &Row, at: usize) -> Result<Terms> {
    Ok(Terms {
        pricing_model: r.parse(at)?,
        rate: Money::from_cents(r.int(at + 1)?),
        tiers: from_json(&r.text(at + 2)?)?,
        annual_escalator_pct: r.real(at + 3)?,
        minimum_annual_commitment: r.opt_int(at + 4)?.map(Money::from_cents),
        add_ons: from_json(&r.text(at + 5)?)?,
        guarantees: from_json(&r.text(at + 6)?)?,
    })
}

fn contract(r: &Row) -> Result<Contract> {
    let t = terms(r, 11)?;
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
        terms_from: r.opt_date(10)?.unwrap_or(start_date),
        renewal_outcome: r.parse(6)?,
        version: r.int(7)?,
        created_at: r.time(8)?,
        updated_at: r.time(9)?,
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
            end_date: r.date(4)?,
            notice_days: r.int(5)?,
            auto_renew: r.bool(6)?,
            renewal_outcome: r.parse(7)?,
            reason: r.text(8)?,
            changed_by: r.opt_parse(9)?,
            changed_at: r.time(10)?,
            terms: terms(r, 11)?,
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

fn terms_values(t: &Terms) -> Result<Vec<Value>> {
    Ok(vec![
        t.pricing_model.as_str().into(),
        t.rate.cents.into(),
        to_json(&t.tiers)?.into(),
        t.annual_escalator_pct.into(),
        t.minimum_annual_commitment.map(|m| m.cents).into(),
        to_json(&t.add_ons)?.into(),
        to_json(&t.guarantees)?.into(),
    ])
}

/// `$first, …` for the seven terms columns.
/// `column = $n, …` for the terms' columns, numbered from `first`.
fn terms_assigned(first: usize) -> String {
    let set: Vec<String> =
        TERMS_COLUMNS.split(", ").enumerate().map(|(k, column)| format!("{column} = ${}", k + first)).collect();
    set.join(", ")
}

fn placeholders(first: usize) -> String {
    (first..first + 7).map(|k| format!("${k}")).collect::<Vec<_>>().join(", ")
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
    let mut args: Vec<Value> = vec![
        id.into(),
        k.version.into(),
        kind.as_str().into(),
        effective_from.into(),
        k.end_date.into(),
        k.notice_days.into(),
        k.auto_renew.into(),
        k.renewal_outcome.as_str().into(),
        note.reason.trim().into(),
        note.by.as_ref().map(|e| e.as_str().to_owned()).into(),
        k.updated_at.into(),
    ];
    args.extend(terms_values(&k.terms())?);
    c.execute(
        &format!(
            "INSERT INTO contract_changes (contract_id, version, kind, effective_from, end_date, notice_days, auto_renew, \
             renewal_outcome, reason, changed_by, changed_at, {TERMS_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, {})",
            placeholders(12)
        ),
        &args,
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
    let mut args: Vec<Value> = vec![
        account.into(),
        new.start_date.into(),
        new.end_date.into(),
        new.auto_renew.into(),
        new.notice_days.into(),
        new.renewal_outcome.as_str().into(),
        now().into(),
    ];
    args.extend(terms_values(&new.terms())?);
    let id = c
        .query_one(
            &format!(
                "INSERT INTO contracts (account_id, start_date, end_date, auto_renew, notice_days, renewal_outcome, version, \
                 created_at, updated_at, terms_from, {TERMS_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $2, {}) RETURNING id",
                placeholders(8)
            ),
            &args,
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
            let mut args: Vec<Value> = vec![
                amendment.end_date.into(),
                amendment.auto_renew.into(),
                amendment.notice_days.into(),
                amendment.effective_from.into(),
                now().into(),
                id.into(),
                version.into(),
            ];
            args.extend(terms_values(&amendment.terms)?);
            let changed = c.execute(
                &format!(
                    "UPDATE contracts SET end_date = $1, auto_renew = $2, notice_days = $3, terms_from = $4, updated_at = $5, \
                     version = version + 1, {} WHERE id = $6 AND version = $7",
                    terms_assigned(8)
                ),
                &args,
            )?;
            check_versioned_update(c, changed, "contracts", id, &format!("contract {id}"))?;
            record_change(c, id, ChangeKind::Amended, amendment.effective_from, note)?;
            super::arr::rewrite(c, account)?;
            one(c, id)
        })
    }

    fn go_live(&self, account: &Slug, day: chrono::NaiveDate, note: &ChangeNote) -> Result<GoLive> {
        note.validate()?;
        self.write(|c| {
            let id = account_id(c, account)?;
            // Also holds the account's row, so no other term is signed meanwhile.
            let changed = c.execute(
                "UPDATE accounts SET status = 'live', launch_date = $1, updated_at = $2, version = version + 1 \
                 WHERE id = $3 AND status = 'implementing'",
                &[day.into(), now().into(), id.into()],
            )?;
            if changed == 0 {
                return Ok(GoLive::NotImplementing);
            }
            let all = of_account(c, id)?;
            let launched = all
                .iter()
                .filter(|k| k.renewal_outcome == RenewalOutcome::Pending && k.end_date >= day)
                .min_by_key(|k| k.start_date);
            let Some(current) = launched.filter(|k| k.start_date != day) else { return Ok(GoLive::Live(None)) };
            let started = match current.started_on(day, &all) {
                Ok(s) => s,
                Err(reason) => {
                    return Ok(GoLive::BillingKept {
                        contract: current.id,
                        start: current.start_date,
                        reason: reason.0,
                    });
                }
            };
            let mut args: Vec<Value> =
                vec![started.start.into(), started.end.into(), now().into(), current.id.into(), current.version.into()];
            args.extend(terms_values(&started.terms)?);
            let changed = c.execute(
                &format!(
                    "UPDATE contracts SET start_date = $1, end_date = $2, terms_from = $1, updated_at = $3, \
                     version = version + 1, {} WHERE id = $4 AND version = $5",
                    terms_assigned(6)
                ),
                &args,
            )?;
            check_versioned_update(c, changed, "contracts", current.id, &format!("contract {}", current.id))?;
            record_change(c, current.id, ChangeKind::Started, started.start, note)?;
            super::arr::rewrite(c, id)?;
            Ok(GoLive::Live(Some(one(c, current.id)?)))
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
