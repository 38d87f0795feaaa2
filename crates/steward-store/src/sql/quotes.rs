use super::{SqlStore, account_id, check_versioned_update, from_json, now, to_json};
use crate::{Conn, Driver, QuoteFilter, QuoteStore, Result, Row, StoreError, Value};
use steward_domain::quote::{Quote, QuoteDraft, QuoteEvent, QuotePrice, QuoteStatus};
use steward_domain::{Email, Id, Money};

const SELECT: &str = "SELECT q.id, a.slug, q.opportunity_id, q.terms, q.start_date, q.term_months, q.what_if_points, \
    q.annual_price_cents, q.what_if_annual_price_cents, q.arr_cents, q.arr_change_cents, q.list_price_cents, \
    q.discount_pct, q.approval_threshold_pct, q.status, q.created_by, q.version, q.created_at, q.updated_at \
    FROM quotes q JOIN accounts a ON a.id = q.account_id";

fn quote(r: &Row) -> Result<Quote> {
    Ok(Quote {
        id: r.int(0)?,
        account: r.parse(1)?,
        opportunity_id: r.opt_int(2)?,
        terms: from_json(&r.text(3)?)?,
        start_date: r.date(4)?,
        term_months: u32::try_from(r.int(5)?).map_err(|_| StoreError::Backend("a term out of range".into()))?,
        what_if_points: r.real(6)?,
        price: QuotePrice {
            annual_price: Money::from_cents(r.int(7)?),
            what_if_annual_price: Money::from_cents(r.int(8)?),
            arr: Money::from_cents(r.int(9)?),
            arr_change: Money::from_cents(r.int(10)?),
            list_price: Money::from_cents(r.int(11)?),
            discount_pct: r.real(12)?,
        },
        approval_threshold_pct: r.real(13)?,
        status: r.parse(14)?,
        created_by: r.opt_parse(15)?,
        version: r.int(16)?,
        created_at: r.time(17)?,
        updated_at: r.time(18)?,
        history: Vec::new(),
    })
}

fn one(c: &mut dyn Conn, id: Id) -> Result<Quote> {
    let row = c
        .query_one(&format!("{SELECT} WHERE q.id = $1"), &[Value::Int(id)])?
        .ok_or_else(|| StoreError::NotFound(format!("quote {id}")))?;
    let mut q = quote(&row)?;
    for r in c.query(
        "SELECT status, changed_by, changed_at, note FROM quote_events WHERE quote_id = $1 ORDER BY changed_at, id",
        &[id.into()],
    )? {
        q.history.push(QuoteEvent { status: r.parse(0)?, by: r.opt_parse(1)?, at: r.time(2)?, note: r.text(3)? });
    }
    Ok(q)
}

fn event(c: &mut dyn Conn, id: Id, status: QuoteStatus, by: Option<&Email>, note: &str) -> Result<()> {
    c.execute(
        "INSERT INTO quote_events (quote_id, status, changed_by, changed_at, note) VALUES ($1, $2, $3, $4, $5)",
        &[id.into(), status.as_str().into(), by.map(|e| e.as_str().to_owned()).into(), now().into(), note.into()],
    )?;
    Ok(())
}

/// The values of a priced draft, in the column order of the INSERT and UPDATE below.
fn priced(draft: &QuoteDraft, p: &QuotePrice, threshold: f64) -> Result<Vec<Value>> {
    Ok(vec![
        to_json(&draft.terms)?.into(),
        draft.start_date.into(),
        i64::from(draft.term_months).into(),
        draft.what_if_points.into(),
        p.annual_price.cents.into(),
        p.what_if_annual_price.cents.into(),
        p.arr.cents.into(),
        p.arr_change.cents.into(),
        p.list_price.cents.into(),
        p.discount_pct.into(),
        threshold.into(),
    ])
}

impl<D: Driver> QuoteStore for SqlStore<D> {
    fn create_quote(
        &self,
        draft: &QuoteDraft,
        price: &QuotePrice,
        threshold: f64,
        by: Option<&Email>,
    ) -> Result<Quote> {
        draft.validate()?;
        self.write(|c| {
            let account = account_id(c, &draft.account)?;
            if let Some(o) = draft.opportunity_id {
                let of = c
                    .query_one("SELECT account_id FROM opportunities WHERE id = $1", &[o.into()])?
                    .ok_or_else(|| StoreError::NotFound(format!("opportunity {o}")))?
                    .int(0)?;
                if of != account {
                    return Err(StoreError::Invalid(format!("opportunity {o} is another account's")));
                }
            }
            let t = now();
            let mut args = vec![account.into(), draft.opportunity_id.into()];
            args.extend(priced(draft, price, threshold)?);
            args.extend([by.map(|e| e.as_str().to_owned()).into(), t.into()]);
            let id = c
                .query_one(
                    "INSERT INTO quotes (account_id, opportunity_id, terms, start_date, term_months, what_if_points, \
                     annual_price_cents, what_if_annual_price_cents, arr_cents, arr_change_cents, list_price_cents, \
                     discount_pct, approval_threshold_pct, status, created_by, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draft', $14, 1, $15, $15) RETURNING id",
                    &args,
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            event(c, id, QuoteStatus::Draft, by, "")?;
            one(c, id)
        })
    }

    fn quote(&self, id: Id) -> Result<Quote> {
        self.read(|c| one(c, id))
    }

    fn quotes(&self, filter: &QuoteFilter) -> Result<Vec<Quote>> {
        self.read(|c| {
            let mut sql = format!("{SELECT} WHERE 1 = 1");
            let mut args: Vec<Value> = Vec::new();
            if let Some(a) = &filter.account {
                args.push(a.as_str().into());
                sql.push_str(&format!(" AND a.slug = ${}", args.len()));
            }
            if let Some(o) = filter.opportunity {
                args.push(o.into());
                sql.push_str(&format!(" AND q.opportunity_id = ${}", args.len()));
            }
            if let Some(s) = filter.status {
                args.push(s.as_str().into());
                sql.push_str(&format!(" AND q.status = ${}", args.len()));
            }
            sql.push_str(" ORDER BY q.id DESC");
            let ids: Vec<Id> = c.query(&sql, &args)?.iter().map(|r| r.int(0)).collect::<Result<_>>()?;
            ids.into_iter().map(|id| one(c, id)).collect()
        })
    }

    fn revise_quote(
        &self,
        id: Id,
        draft: &QuoteDraft,
        price: &QuotePrice,
        threshold: f64,
        by: Option<&Email>,
        version: i64,
    ) -> Result<Quote> {
        draft.validate()?;
        self.write(|c| {
            let current = one(c, id)?;
            if current.status == QuoteStatus::Accepted {
                return Err(StoreError::Invalid("an accepted quote is kept as accepted; make a new one".into()));
            }
            let mut args = priced(draft, price, threshold)?;
            args.extend([now().into(), id.into(), version.into()]);
            let changed = c.execute(
                "UPDATE quotes SET terms = $1, start_date = $2, term_months = $3, what_if_points = $4, \
                 annual_price_cents = $5, what_if_annual_price_cents = $6, arr_cents = $7, arr_change_cents = $8, \
                 list_price_cents = $9, discount_pct = $10, approval_threshold_pct = $11, status = 'draft', \
                 updated_at = $12, version = version + 1 WHERE id = $13 AND version = $14",
                &args,
            )?;
            check_versioned_update(c, changed, "quotes", id, &format!("quote {id}"))?;
            let note = match current.status {
                QuoteStatus::Approved | QuoteStatus::Submitted => "changed: it needs approval again",
                _ => "changed",
            };
            event(c, id, QuoteStatus::Draft, by, note)?;
            one(c, id)
        })
    }

    fn set_quote_status(&self, id: Id, to: QuoteStatus, by: Option<&Email>, note: &str, version: i64) -> Result<Quote> {
        self.write(|c| {
            let current = one(c, id)?;
            if current.version != version {
                return Err(StoreError::Conflict { what: format!("quote {id}"), current: current.version });
            }
            let changed = c.execute(
                "UPDATE quotes SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
                &[to.as_str().into(), now().into(), id.into(), version.into()],
            )?;
            check_versioned_update(c, changed, "quotes", id, &format!("quote {id}"))?;
            event(c, id, to, by, note.trim())?;
            if let (QuoteStatus::Accepted, Some(o)) = (to, current.opportunity_id) {
                c.execute(
                    "UPDATE opportunities SET amount_cents = $1, updated_at = $2, version = version + 1 WHERE id = $3",
                    &[current.price.arr_change.cents.into(), now().into(), o.into()],
                )?;
            }
            one(c, id)
        })
    }
}
