//! The renewal job: when a contract's renewal window opens (180 days before it ends) and
//! its renewal is undecided, its one renewal opportunity exists. It runs after imports, on
//! `steward renewals run` and at server start; the store's unique index makes it safe to
//! run twice, or on two servers at once.

use chrono::NaiveDate;
use steward_domain::opportunity::{NewOpportunity, Opportunity, OpportunityKind, Stage};
use steward_domain::pricing::{Volume, bill};
use steward_domain::{AccountStatus, Month, RenewalOutcome, Slug};
use steward_store::{ArrFilter, Result as StoreResult, Store};

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RenewalRun {
    /// Renewal opportunities this run opened.
    pub opened: Vec<Opportunity>,
    /// Terms in their window whose renewal already existed.
    pub existing: usize,
}

/// Opens the renewal of every undecided contract term whose window has opened by `today`
/// (of every client account, or the ones given).
pub fn run(store: &dyn Store, today: NaiveDate, only: Option<&[Slug]>) -> StoreResult<RenewalRun> {
    let mut run = RenewalRun::default();
    for account in store.accounts()? {
        if !matches!(account.status, AccountStatus::Live | AccountStatus::Implementing)
            || only.is_some_and(|o| !o.contains(&account.slug))
        {
            continue;
        }
        for contract in store.contracts(&account.slug)? {
            // A term that ended undecided is history to record, not a renewal to open.
            if contract.renewal_outcome != RenewalOutcome::Pending
                || contract.renewal_window_opens() > today
                || contract.end_date < today
            {
                continue;
            }
            // The ARR it renews at: the latest snapshot, else this month's bill on no volume.
            let filter = ArrFilter { account: Some(account.slug.clone()), from: None, to: Some(Month::of(today)) };
            let arr = store
                .arr_snapshots(&filter)?
                .last()
                .map(|(_, s)| s.arr)
                .unwrap_or_else(|| bill(&contract, Month::of(today), Volume::default()).arr);
            let new = NewOpportunity {
                account: account.slug.clone(),
                kind: OpportunityKind::Renewal,
                scope: None,
                title: format!("Renewal of the term ending {}", contract.end_date),
                stage: Stage::Identified,
                amount: steward_domain::Money::ZERO,
                renewing_arr: Some(arr),
                close_date: contract.end_date,
                owner: account.owner.clone(),
                contract_id: Some(contract.id),
            };
            match store.ensure_renewal(&new, None)? {
                (o, true) => run.opened.push(o),
                (_, false) => run.existing += 1,
            }
        }
    }
    Ok(run)
}
