//! Opportunities and their stage history. A renewal is unique per contract term by a
//! partial unique index, so creating one is safe to race; closing a renewal decides its
//! contract in the same transaction (won: the next term is signed; lost: the account
//! churns at the term's end).

use super::{SqlStore, account_id, check_versioned_update, now, opt_user_id};
use crate::{
    Conn, Driver, OpportunityEdit, OpportunityFilter, OpportunityStore, Result, Row, StageTotal, StoreError, Value,
};
use steward_domain::opportunity::{Move, NewOpportunity, Opportunity, OpportunityKind, Stage, StageChange};
use steward_domain::{ChangeNote, Email, Id, Money, NewContract, RenewalOutcome};

const SELECT: &str = "SELECT o.id, a.slug, o.kind, o.scope, o.title, o.stage, o.amount_cents, o.renewing_arr_cents, \
    o.close_date, o.forecast_category, o.category_overridden, u.email, o.contract_id, o.lost_reason, o.closed_on, \
    o.version, o.created_at, o.updated_at FROM opportunities o JOIN accounts a ON a.id = o.account_id \
    LEFT JOIN users u ON u.id = o.owner_id";

fn opportunity(r: &Row) -> Result<Opportunity> {
    Ok(Opportunity {
        id: r.int(0)?,
        account: r.parse(1)?,
        kind: r.parse(2)?,
        scope: r.opt_parse(3)?,
        title: r.text(4)?,
        stage: r.parse(5)?,
        amount: Money::from_cents(r.int(6)?),
        renewing_arr: r.opt_int(7)?.map(Money::from_cents),
        close_date: r.date(8)?,
        forecast_category: r.parse(9)?,
        category_overridden: r.bool(10)?,
        owner: r.opt_parse(11)?,
        contract_id: r.opt_int(12)?,
        lost_reason: r.opt_text(13)?,
        closed_on: r.opt_date(14)?,
        version: r.int(15)?,
        created_at: r.time(16)?,
        updated_at: r.time(17)?,
        history: Vec::new(),
    })
}

fn with_history(c: &mut dyn Conn, mut list: Vec<Opportunity>) -> Result<Vec<Opportunity>> {
    if list.is_empty() {
        return Ok(list);
    }
    let ids: Vec<String> = list.iter().map(|o| o.id.to_string()).collect();
    // Ids are integers read from the database: safe to write into the statement.
    let rows = c.query(
        &format!(
            "SELECT opportunity_id, from_stage, to_stage, changed_by, changed_at, note FROM opportunity_stages \
             WHERE opportunity_id IN ({}) ORDER BY changed_at, id",
            ids.join(", ")
        ),
        &[],
    )?;
    let at: std::collections::HashMap<Id, usize> = list.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    for r in &rows {
        if let Some(&i) = at.get(&r.int(0)?) {
            list[i].history.push(StageChange {
                from: r.opt_parse(1)?,
                to: r.parse(2)?,
                by: r.opt_parse(3)?,
                at: r.time(4)?,
                note: r.text(5)?,
            });
        }
    }
    Ok(list)
}

/// The filter as ` WHERE …` over `o` (opportunities), with its arguments.
fn conditions(filter: &OpportunityFilter) -> (String, Vec<Value>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    // `?` in a clause is its argument's place.
    let mut add = |clause: &str, v: Value| {
        args.push(v);
        sql.push_str(" AND ");
        sql.push_str(&clause.replace('?', &format!("${}", args.len())));
    };
    // By subquery rather than the joined tables, so sums need no join.
    if let Some(a) = &filter.account {
        add("o.account_id = (SELECT id FROM accounts WHERE slug = ?)", a.as_str().into());
    }
    if let Some(k) = filter.kind {
        add("o.kind = ?", k.as_str().into());
    }
    if let Some(s) = filter.stage {
        add("o.stage = ?", s.as_str().into());
    }
    if let Some(o) = &filter.owner {
        add("o.owner_id = (SELECT id FROM users WHERE email = ?)", o.as_str().into());
    }
    if let Some(from) = filter.close_from {
        add("o.close_date >= ?", from.into());
    }
    if let Some(to) = filter.close_to {
        add("o.close_date <= ?", to.into());
    }
    // Two columns, so no one index serves it: a scan, cheap at a company's few thousand.
    if let Some((from, to)) = filter.closing_within {
        args.extend([from.into(), to.into()]);
        let (a, b) = (args.len() - 1, args.len());
        sql.push_str(&format!(
            " AND (o.close_date BETWEEN ${a} AND ${b} OR (o.closed_on IS NOT NULL AND o.closed_on BETWEEN ${a} AND ${b}))"
        ));
    }
    if filter.open_only {
        sql.push_str(" AND o.stage NOT IN ('closed_won', 'closed_lost')");
    }
    (sql, args)
}

fn one(c: &mut dyn Conn, id: Id) -> Result<Opportunity> {
    let row = c
        .query_one(&format!("{SELECT} WHERE o.id = $1"), &[Value::Int(id)])?
        .ok_or_else(|| StoreError::NotFound(format!("opportunity {id}")))?;
    let list = with_history(c, vec![opportunity(&row)?])?;
    list.into_iter().next().ok_or_else(|| StoreError::NotFound(format!("opportunity {id}")))
}

fn stage_change(
    c: &mut dyn Conn,
    id: Id,
    from: Option<Stage>,
    to: Stage,
    by: Option<&Email>,
    note: &str,
) -> Result<()> {
    c.execute(
        "INSERT INTO opportunity_stages (opportunity_id, from_stage, to_stage, changed_by, changed_at, note) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            id.into(),
            from.map(|s| s.as_str()).into(),
            to.as_str().into(),
            by.map(|e| e.as_str().to_owned()).into(),
            now().into(),
            note.into(),
        ],
    )?;
    Ok(())
}

/// Inserts `new` unless it is a renewal whose term already has one: the id, or `None`.
fn insert(c: &mut dyn Conn, new: &NewOpportunity, by: Option<&Email>) -> Result<Option<Id>> {
    new.validate()?;
    let account = account_id(c, &new.account)?;
    let owner = opt_user_id(c, new.owner.as_ref())?;
    let t = now();
    let conflict = if new.kind == OpportunityKind::Renewal {
        " ON CONFLICT (contract_id) WHERE kind = 'renewal' DO NOTHING"
    } else {
        ""
    };
    let id = c
        .query_one(
            &format!(
                "INSERT INTO opportunities (account_id, kind, scope, title, stage, amount_cents, renewing_arr_cents, \
                 close_date, forecast_category, category_overridden, owner_id, contract_id, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, $10, $11, 1, $12, $12){conflict} RETURNING id"
            ),
            &[
                account.into(),
                new.kind.as_str().into(),
                new.scope.map(|s| s.as_str()).into(),
                new.title.trim().into(),
                new.stage.as_str().into(),
                new.amount.cents.into(),
                new.renewing_arr.map(|m| m.cents).into(),
                new.close_date.into(),
                new.stage.default_category().as_str().into(),
                owner.into(),
                new.contract_id.into(),
                t.into(),
            ],
        )?
        .map(|r| r.int(0))
        .transpose()?;
    if let Some(id) = id {
        stage_change(c, id, None, new.stage, by, "")?;
    }
    Ok(id)
}

impl<D: Driver> OpportunityStore for SqlStore<D> {
    fn create_opportunity(&self, new: &NewOpportunity, by: Option<&Email>) -> Result<Opportunity> {
        self.write(|c| match insert(c, new, by)? {
            Some(id) => one(c, id),
            None => {
                Err(StoreError::Duplicate(format!("the renewal of contract {}", new.contract_id.unwrap_or_default())))
            }
        })
    }

    fn ensure_renewal(&self, new: &NewOpportunity, by: Option<&Email>) -> Result<(Opportunity, bool)> {
        self.write(|c| {
            if let Some(id) = insert(c, new, by)? {
                return Ok((one(c, id)?, true));
            }
            let id = c
                .query_one(
                    "SELECT id FROM opportunities WHERE contract_id = $1 AND kind = 'renewal'",
                    &[new.contract_id.into()],
                )?
                .ok_or_else(|| StoreError::Backend("a renewal conflicted but cannot be found".into()))?
                .int(0)?;
            Ok((one(c, id)?, false))
        })
    }

    fn opportunity(&self, id: Id) -> Result<Opportunity> {
        self.read(|c| one(c, id))
    }

    fn opportunities(&self, filter: &OpportunityFilter) -> Result<Vec<Opportunity>> {
        self.read(|c| {
            let (clauses, mut args) = conditions(filter);
            let mut sql = format!("{SELECT}{clauses} ORDER BY o.close_date, o.id");
            if let Some(limit) = filter.limit {
                args.extend([Value::Int(limit as i64), Value::Int(filter.offset as i64)]);
                sql.push_str(&format!(" LIMIT ${} OFFSET ${}", args.len() - 1, args.len()));
            }
            let list = c.query(&sql, &args)?.iter().map(opportunity).collect::<Result<Vec<_>>>()?;
            if filter.history { with_history(c, list) } else { Ok(list) }
        })
    }

    fn opportunity_totals(&self, filter: &OpportunityFilter) -> Result<Vec<StageTotal>> {
        self.read(|c| {
            let (clauses, args) = conditions(filter);
            let sql = format!(
                "SELECT o.stage, COUNT(*), CAST(SUM(o.amount_cents) AS BIGINT) FROM opportunities o{clauses} \
                 GROUP BY o.stage"
            );
            let mut totals = c
                .query(&sql, &args)?
                .iter()
                .map(|r| Ok(StageTotal { stage: r.parse(0)?, count: r.int(1)?, amount: Money::from_cents(r.int(2)?) }))
                .collect::<Result<Vec<_>>>()?;
            totals.sort_by_key(|t| Stage::ALL.iter().position(|s| *s == t.stage));
            Ok(totals)
        })
    }

    fn move_opportunity(
        &self,
        id: Id,
        mv: &Move,
        next_term: Option<&NewContract>,
        by: Option<&Email>,
        version: i64,
    ) -> Result<Opportunity> {
        self.write(|c| {
            let current = one(c, id)?;
            if current.version != version {
                return Err(StoreError::Conflict { what: format!("opportunity {id}"), current: current.version });
            }
            if current.stage.closed() {
                return Err(StoreError::Invalid(format!(
                    "the opportunity is already {}",
                    current.stage.as_str().replace('_', " ")
                )));
            }
            let category =
                if current.category_overridden { current.forecast_category } else { mv.to.default_category() };
            let changed = c.execute(
                "UPDATE opportunities SET stage = $1, forecast_category = $2, lost_reason = $3, closed_on = $4, \
                 updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7",
                &[
                    mv.to.as_str().into(),
                    category.as_str().into(),
                    mv.lost_reason.clone().into(),
                    mv.to.closed().then_some(mv.on).into(),
                    now().into(),
                    id.into(),
                    version.into(),
                ],
            )?;
            check_versioned_update(c, changed, "opportunities", id, &format!("opportunity {id}"))?;
            stage_change(c, id, Some(current.stage), mv.to, by, mv.note.trim())?;
            if let (OpportunityKind::Renewal, Some(contract)) = (current.kind, current.contract_id) {
                let account = account_id(c, &current.account)?;
                let renewed = super::contracts::of_account(c, account)?
                    .into_iter()
                    .find(|k| k.id == contract)
                    .ok_or_else(|| StoreError::NotFound(format!("contract {contract}")))?;
                match mv.to {
                    Stage::ClosedWon => {
                        let next = next_term.ok_or_else(|| {
                            StoreError::Invalid("a won renewal signs its next term: give its terms".into())
                        })?;
                        let note = ChangeNote::new(by.cloned(), format!("renewal won (opportunity {id})"));
                        super::contracts::insert(c, next, &note)?;
                        super::contracts::decide(c, contract, RenewalOutcome::Renewed, &note, renewed.version)?;
                    }
                    Stage::ClosedLost => {
                        let why = mv.lost_reason.as_deref().unwrap_or("lost");
                        let note = ChangeNote::new(by.cloned(), format!("renewal lost (opportunity {id}): {why}"));
                        super::contracts::decide(c, contract, RenewalOutcome::Churned, &note, renewed.version)?;
                    }
                    _ => {}
                }
            }
            one(c, id)
        })
    }

    fn edit_opportunity(&self, id: Id, edit: &OpportunityEdit, version: i64) -> Result<Opportunity> {
        self.write(|c| {
            let current = one(c, id)?;
            let owner = opt_user_id(c, edit.owner.as_ref())?;
            let (category, overridden) = match edit.forecast_category {
                Some(cat) => (cat, true),
                None => (current.stage.default_category(), false),
            };
            if edit.amount.cents.abs() > steward_domain::contract::MAX_PRICE.cents {
                return Err(StoreError::Invalid(format!(
                    "amounts above {} are not taken",
                    steward_domain::contract::MAX_PRICE
                )));
            }
            steward_domain::input::date_field("the close date", Some(edit.close_date))?;
            let changed = c.execute(
                "UPDATE opportunities SET amount_cents = $1, close_date = $2, forecast_category = $3, \
                 category_overridden = $4, owner_id = $5, updated_at = $6, version = version + 1 \
                 WHERE id = $7 AND version = $8",
                &[
                    edit.amount.cents.into(),
                    edit.close_date.into(),
                    category.as_str().into(),
                    overridden.into(),
                    owner.into(),
                    now().into(),
                    id.into(),
                    version.into(),
                ],
            )?;
            check_versioned_update(c, changed, "opportunities", id, &format!("opportunity {id}"))?;
            one(c, id)
        })
    }
}
