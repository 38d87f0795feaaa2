//! `steward contracts`, `steward arr` and `steward retention`.

use super::{outln, print_json, print_table};
use crate::Settings;
use crate::cli::{ArrArgs, ContractsCommand, RetentionArgs, RetentionByArg, TermsArgs};
use anyhow::{Result, bail};
use steward_domain::contract::written;
use steward_domain::{Amendment, ChangeNote, Contract, Email, Money, Month, NewContract, Terms};
use steward_health::revenue::{RetentionBy, retention_rows};
use steward_store::ArrFilter;

/// `terms` with what the flags say changed.
fn apply(args: &TermsArgs, mut terms: Terms) -> Result<Terms> {
    if let Some(model) = args.model {
        terms.pricing_model = model;
    }
    if let Some(rate) = args.rate {
        terms.rate = rate;
    }
    if args.no_tiers || !args.tiers.is_empty() {
        terms.tiers = args.tiers.iter().map(|t| written::tier(t)).collect::<Result<_, _>>()?;
    }
    if let Some(pct) = args.escalator {
        terms.annual_escalator_pct = pct;
    }
    if args.no_minimum {
        terms.minimum_annual_commitment = None;
    } else if let Some(m) = args.minimum {
        terms.minimum_annual_commitment = Some(m);
    }
    if args.no_add_ons || !args.add_ons.is_empty() {
        terms.add_ons = args.add_ons.iter().map(|a| written::add_on(a)).collect::<Result<_, _>>()?;
    }
    if args.no_guarantees || !args.guarantees.is_empty() {
        terms.guarantees = args.guarantees.iter().map(|g| written::guarantee(g)).collect::<Result<_, _>>()?;
    }
    Ok(terms)
}

fn by(email: Option<&str>) -> Result<Option<Email>> {
    Ok(email.map(Email::parse).transpose()?)
}

fn rows(contracts: &[Contract]) -> Vec<Vec<String>> {
    contracts
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                c.account.to_string(),
                c.start_date.to_string(),
                c.end_date.to_string(),
                c.pricing_model.to_string(),
                c.rate.to_string(),
                c.renewal_outcome.to_string(),
                c.version.to_string(),
            ]
        })
        .collect()
}

const HEADERS: [&str; 8] = ["id", "account", "start", "end", "model", "rate", "outcome", "version"];

fn show(c: &Contract) -> Result<()> {
    print_table(&HEADERS, &rows(std::slice::from_ref(c)))?;
    outln!("\nversion  change   effective   rate  by  reason");
    for h in &c.history {
        outln!(
            "{:>7}  {:<7}  {}  {}  {}  {}",
            h.version,
            h.kind,
            h.effective_from,
            h.terms.rate,
            h.changed_by.as_ref().map_or("-".to_owned(), Email::to_string),
            h.reason
        );
    }
    Ok(())
}

pub fn run(settings: &Settings, command: ContractsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    match command {
        ContractsCommand::List(args) => {
            let contracts: Vec<Contract> = match &args.account {
                Some(slug) => store.contracts(slug)?,
                None => {
                    let mut all = Vec::new();
                    for a in store.accounts()? {
                        all.extend(store.contracts(&a.slug)?);
                    }
                    all
                }
            };
            if args.json {
                return print_json(&contracts);
            }
            print_table(&HEADERS, &rows(&contracts))
        }
        ContractsCommand::Show(args) => {
            let contract = store.contract(args.id)?;
            if args.json { print_json(&contract) } else { show(&contract) }
        }
        ContractsCommand::Add(args) => {
            let (Some(pricing_model), Some(rate)) = (args.terms.model, args.terms.rate) else {
                bail!("a new contract needs --model and --rate");
            };
            let start = Terms {
                pricing_model,
                rate,
                tiers: vec![],
                annual_escalator_pct: 0.0,
                minimum_annual_commitment: None,
                add_ons: vec![],
                guarantees: vec![],
            };
            let terms = apply(&args.terms, start)?;
            let new =
                NewContract::of_terms(args.account, (args.start, args.end), args.notice_days, args.auto_renew, terms);
            let contract = store.create_contract(&new, &ChangeNote::new(by(args.by.as_deref())?, args.reason))?;
            if args.json {
                return print_json(&contract);
            }
            outln!(
                "signed contract {} for {} ({} to {})",
                contract.id,
                contract.account,
                contract.start_date,
                contract.end_date
            );
            Ok(())
        }
        ContractsCommand::Amend(args) => {
            let current = store.contract(args.id)?;
            let amendment = Amendment {
                effective_from: args.from,
                terms: apply(&args.terms, current.terms())?,
                end_date: args.end.unwrap_or(current.end_date),
                notice_days: args.notice_days.unwrap_or(current.notice_days),
                auto_renew: args.auto_renew.unwrap_or(current.auto_renew),
            };
            let note = ChangeNote::new(by(args.by.as_deref())?, args.reason);
            let amended =
                store.amend_contract(current.id, &amendment, &note, args.version.unwrap_or(current.version))?;
            if args.json {
                return print_json(&amended);
            }
            outln!("amended contract {} from {} (now version {})", amended.id, args.from, amended.version);
            Ok(())
        }
    }
}

#[derive(serde::Serialize)]
struct ArrRow {
    account: steward_domain::Slug,
    month: Month,
    arr: Money,
    at_risk: Money,
}

pub fn arr(settings: &Settings, args: ArrArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    if args.refresh {
        let started = std::time::Instant::now();
        let accounts = store.accounts()?;
        for a in &accounts {
            store.refresh_arr(&a.slug)?;
        }
        crate::errln!(
            "recomputed the ARR snapshots of {} accounts in {:.2} s",
            accounts.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let filter = ArrFilter { account: args.account, from: args.from, to: args.to };
    let rows: Vec<ArrRow> = store
        .arr_snapshots(&filter)?
        .into_iter()
        .map(|(account, s)| ArrRow { account, month: s.month, arr: s.arr, at_risk: s.at_risk })
        .collect();
    if args.json {
        return print_json(&rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| vec![r.account.to_string(), r.month.to_string(), r.arr.to_string(), r.at_risk.to_string()])
        .collect();
    print_table(&["account", "month", "arr", "at_risk"], &table)
}

fn percent(x: Option<f64>) -> String {
    x.map_or("-".to_owned(), |x| format!("{:.1}%", x * 100.0))
}

pub fn retention(settings: &Settings, args: RetentionArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let month = args.month.unwrap_or_else(|| Month::of(chrono::Local::now().date_naive()).plus(-1));
    let by = args.by.map(|b| match b {
        RetentionByArg::Owner => RetentionBy::Owner,
        RetentionByArg::Segment => RetentionBy::Segment,
    });
    let rows = retention_rows(store.as_ref(), month, by)?;
    if args.json {
        return print_json(&rows);
    }
    outln!("Retention over the twelve months ending {month}");
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let x = &r.retention;
            vec![
                r.group.clone().unwrap_or_else(|| "company".to_owned()),
                x.accounts.to_string(),
                x.start_arr.to_string(),
                x.end_arr.to_string(),
                percent(x.grr),
                percent(x.nrr),
                x.churn.to_string(),
                x.contraction.to_string(),
                x.expansion.to_string(),
            ]
        })
        .collect();
    print_table(
        &["group", "accounts", "start_arr", "end_arr", "grr", "nrr", "churn", "contraction", "expansion"],
        &table,
    )
}

fn show_quote(q: &steward_domain::quote::Quote) -> Result<()> {
    outln!("quote {} for {}: {} ({} months from {})", q.id, q.account, q.status, q.term_months, q.start_date);
    outln!("  annual price    {}", q.price.annual_price);
    outln!("  at list         {}  (discount {:.1}%)", q.price.list_price, q.price.discount_pct);
    outln!("  what-if (+{} pts) {}", q.what_if_points, q.price.what_if_annual_price);
    outln!("  ARR             {}  (change {})", q.price.arr, q.price.arr_change);
    if q.needs_approval() {
        outln!("  the discount is over the {}% threshold: a director approves it", q.approval_threshold_pct);
    }
    for h in &q.history {
        let by = h.by.as_ref().map_or("-".to_owned(), Email::to_string);
        outln!("  {} {} by {} {}", h.at.format("%Y-%m-%d %H:%M"), h.status, by, h.note);
    }
    Ok(())
}

pub fn quotes(settings: &Settings, command: crate::cli::QuotesCommand) -> Result<()> {
    use crate::cli::QuotesCommand as Q;
    use steward_domain::quote::{QuoteDraft, QuoteStatus};
    let store = crate::open::open_store(settings)?;
    let (step, to) = match command {
        Q::Add(a) => {
            let today = a.today.unwrap_or_else(|| chrono::Local::now().date_naive());
            let current = store.contracts(&a.account)?.into_iter().next_back();
            let base = match &current {
                Some(c) => c.terms(),
                None => Terms {
                    pricing_model: a.terms.model.unwrap_or(steward_domain::PricingModel::Pepm),
                    rate: a.terms.rate.unwrap_or_default(),
                    tiers: vec![],
                    annual_escalator_pct: 0.0,
                    minimum_annual_commitment: None,
                    add_ons: vec![],
                    guarantees: vec![],
                },
            };
            let next_month = Month::of(today).succ().first_day();
            let draft = QuoteDraft {
                account: a.account,
                opportunity_id: a.opportunity,
                terms: apply(&a.terms, base)?,
                start_date: a
                    .start
                    .or(current.as_ref().and_then(|c| c.end_date.succ_opt()).filter(|d| *d > today))
                    .unwrap_or(next_month),
                term_months: a.term_months.unwrap_or(current.map_or(24, |c| c.term_months().clamp(1, 120) as u32)),
                what_if_points: a.what_if_points,
            };
            let q = steward_health::quotes::create(store.as_ref(), &draft, by(a.by.as_deref())?.as_ref(), today)?;
            return if a.json { print_json(&q) } else { show_quote(&q) };
        }
        Q::List(a) => {
            let list = store.quotes(&steward_store::QuoteFilter {
                account: a.account,
                status: a.status,
                opportunity: None,
            })?;
            if a.json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|q| {
                    vec![
                        q.id.to_string(),
                        q.account.to_string(),
                        q.status.to_string(),
                        q.price.annual_price.to_string(),
                        format!("{:.1}%", q.price.discount_pct),
                        q.price.arr_change.to_string(),
                    ]
                })
                .collect();
            return print_table(&["id", "account", "status", "annual_price", "discount", "arr_change"], &rows);
        }
        Q::Show(a) => {
            let q = store.quote(a.id)?;
            return if a.json { print_json(&q) } else { show_quote(&q) };
        }
        Q::Submit(s) => (s, QuoteStatus::Submitted),
        Q::Approve(s) => (s, QuoteStatus::Approved),
        Q::Reject(s) => (s, QuoteStatus::Rejected),
        Q::Accept(s) => (s, QuoteStatus::Accepted),
    };
    let who = by(step.by.as_deref())?;
    // On the command line a director is whoever `--by` names with that role.
    let director = match &who {
        Some(e) => matches!(store.user(e)?.role, steward_domain::Role::Director | steward_domain::Role::Admin),
        None => false,
    };
    let current = store.quote(step.id)?;
    let today = chrono::Local::now().date_naive();
    let q = steward_health::quotes::transition(
        store.as_ref(),
        step.id,
        to,
        director,
        who.as_ref(),
        &step.note,
        current.version,
        today,
    )?;
    if step.json { print_json(&q) } else { show_quote(&q) }
}
