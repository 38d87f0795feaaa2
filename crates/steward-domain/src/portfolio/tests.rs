use super::*;
use crate::Segment;
use crate::health::Measure;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

fn holding(slug: &str, owner: Option<&str>, status: AccountStatus, dollars: i64, score: Option<f64>) -> Holding {
    Holding {
        account: Account {
            id: 1,
            slug: Slug::parse(slug).unwrap(),
            name: slug.to_uppercase(),
            segment: Segment::MidMarket,
            industry: "Logistics".into(),
            employee_count: None,
            status,
            parent: None,
            owner: owner.map(email),
            launch_date: None,
            fein: None,
            enrollment_target: 0.3,
            version: 1,
            data_changes: 0,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        },
        arr: Some(Money::from_cents(dollars * 100)),
        health: score.map(|score| HealthScore {
            score,
            band: Band::of(score),
            insufficient_data: false,
            drivers: vec![Driver {
                measure: Measure::Nps,
                value: 5.0,
                measure_score: 10.0,
                weight: 0.5,
                points_lost: 45.0,
            }],
        }),
        terms: Vec::new(),
        fees_at_risk: None,
    }
}

fn renewal(id: Id, term: Id, stage: Stage, category: ForecastCategory, dollars: i64) -> Opportunity {
    Opportunity {
        id,
        account: Slug::parse("xx").unwrap(),
        kind: OpportunityKind::Renewal,
        scope: None,
        title: "Renewal".into(),
        stage,
        amount: Money::from_cents(dollars * 100),
        renewing_arr: None,
        close_date: d("2027-01-15"),
        forecast_category: category,
        category_overridden: false,
        owner: None,
        contract_id: Some(term),
        lost_reason: None,
        closed_on: None,
        version: 1,
        created_at: chrono::DateTime::UNIX_EPOCH,
        updated_at: chrono::DateTime::UNIX_EPOCH,
        history: vec![],
    }
}

fn with_term(mut h: Holding, id: Id, end: &str) -> Holding {
    h.terms.push(Term { id, end_date: d(end), outcome: RenewalOutcome::Pending });
    h
}

fn decided(mut h: Holding, outcome: RenewalOutcome) -> Holding {
    if let Some(last) = h.terms.last_mut() {
        last.outcome = outcome;
    }
    h
}

#[test]
fn books_add_up_to_the_company_and_count_clients_only() {
    let ann = email("ann@steward.test");
    let holdings = vec![
        holding("aa", Some("ann@steward.test"), AccountStatus::Live, 100_000, Some(80.0)),
        holding("bb", Some("ann@steward.test"), AccountStatus::Live, 50_000, Some(40.0)),
        holding("cc", Some("dir@steward.test"), AccountStatus::Live, 30_000, Some(60.0)),
        holding("dd", None, AccountStatus::Implementing, 20_000, None),
        holding("gone", Some("ann@steward.test"), AccountStatus::Churned, 999_000, Some(10.0)),
        holding("maybe", Some("ann@steward.test"), AccountStatus::Prospect, 999_000, None),
    ];
    let managers = vec![(ann.clone(), "Ann".to_owned()), (email("bo@steward.test"), "Bo".to_owned())];
    let names = HashMap::from([(email("dir@steward.test"), "Dee".to_owned())]);
    let b = books(&holdings, &managers, &names, &[], d("2026-12-04"));
    let names: Vec<&str> = b.lines.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["Ann", "Bo", "Dee", "No owner"], "managers in order, an empty book too, then other owners");
    let ann_line = &b.lines[0];
    assert_eq!((ann_line.accounts, ann_line.arr.cents), (2, 15_000_000));
    assert_eq!((ann_line.bands.green, ann_line.bands.red, ann_line.bands.red_arr.cents), (1, 1, 5_000_000));
    assert_eq!(b.lines[1].accounts, 0);
    assert_eq!((b.lines[3].bands.unscored, b.lines[3].bands.unscored_arr.cents), (1, 2_000_000));
    assert_eq!((b.company.accounts, b.company.arr.cents), (4, 20_000_000));
    assert_eq!(b.lines.iter().map(|l| l.arr.cents).sum::<i64>(), b.company.arr.cents);
    assert_eq!(ann_line.share, Some(0.75));
    assert_eq!(b.lines[1].share, Some(0.0));
    assert_eq!(b.at_risk.iter().map(|r| r.slug.as_str()).collect::<Vec<_>>(), ["bb"], "clients in the red band only");
    assert_eq!(b.at_risk[0].driver.as_ref().map(|d| d.measure), Some(Measure::Nps));
}

#[test]
fn renewals_fall_in_their_quarter_under_their_call() {
    let ann = Some("ann@steward.test");
    let live = AccountStatus::Live;
    let holdings = vec![
        with_term(holding("won", ann, live, 10_000, Some(80.0)), 1, "2026-12-31"),
        with_term(holding("commit", ann, live, 20_000, Some(80.0)), 2, "2027-02-28"),
        with_term(holding("lost", ann, live, 30_000, Some(30.0)), 3, "2027-03-31"),
        with_term(holding("later", ann, live, 40_000, Some(80.0)), 4, "2027-09-30"),
        with_term(holding("beyond", ann, live, 50_000, Some(80.0)), 5, "2028-01-31"),
        with_term(holding("past", ann, live, 60_000, Some(80.0)), 6, "2026-09-30"),
    ];
    let opportunities = vec![
        renewal(10, 1, Stage::ClosedWon, ForecastCategory::Commit, 1_000),
        renewal(11, 2, Stage::Negotiation, ForecastCategory::BestCase, 500),
        // The later of two on one term stands.
        renewal(12, 2, Stage::Verbal, ForecastCategory::Commit, 2_000),
        renewal(13, 3, Stage::ClosedLost, ForecastCategory::Omitted, -30_000),
    ];
    let b = books(&holdings, &[], &HashMap::new(), &opportunities, d("2026-12-04"));
    let quarters: Vec<String> = b.renewals.iter().map(|r| r.quarter.to_string()).collect();
    assert_eq!(quarters, ["2026-Q4", "2027-Q1", "2027-Q2", "2027-Q3"]);
    let cell = |q: usize, call: RenewalCall| *b.renewals[q].cells.iter().find(|c| c.call == call).unwrap();
    assert_eq!(
        cell(0, RenewalCall::Won),
        RenewalCell {
            call: RenewalCall::Won,
            renewals: 1,
            arr: Money::from_cents(1_000_000),
            change: Money::from_cents(100_000)
        }
    );
    assert_eq!((cell(1, RenewalCall::Commit).renewals, cell(1, RenewalCall::Commit).change.cents), (1, 200_000));
    assert_eq!(cell(1, RenewalCall::BestCase).renewals, 0);
    assert_eq!(
        (cell(1, RenewalCall::Lost).renewals, cell(1, RenewalCall::Lost).change.cents),
        (1, 0),
        "a loss expects no change"
    );
    assert_eq!(cell(3, RenewalCall::NotOpened).renewals, 1);
    assert_eq!(b.renewals.iter().map(|r| r.renewals).sum::<usize>(), 4, "past and beyond the year count nowhere");
    assert_eq!(b.renewals[1].cells.len(), RenewalCall::ALL.len());
    assert_eq!((b.company.renewals, b.company.renewing_arr.cents), (4, 10_000_000));
    assert_eq!(b.at_risk[0].call, Some(RenewalCall::Lost));
    assert_eq!(b.at_risk[0].renewal, Some(d("2027-03-31")));
}

/// As the store keeps them: a renewal won started the next term, which has no renewal yet;
/// a renewal lost leaves the last term running, and billing, to its end; then the account
/// leaves. Each counts where its term ends, at the ARR its opportunity renewed.
#[test]
fn a_decided_renewal_stays_in_its_quarter() {
    let ann = Some("ann@steward.test");
    let live = AccountStatus::Live;
    let won =
        decided(with_term(holding("won", ann, live, 10_000, Some(40.0)), 1, "2027-01-31"), RenewalOutcome::Renewed);
    let won = with_term(won, 2, "2028-01-31");
    let lost =
        decided(with_term(holding("lost", ann, live, 20_000, Some(30.0)), 3, "2027-02-28"), RenewalOutcome::Churned);
    let left = decided(
        with_term(holding("left", ann, AccountStatus::Churned, 0, None), 4, "2026-11-30"),
        RenewalOutcome::Churned,
    );
    // Decided on the contract, with no opportunity: the demo's past terms.
    let settled =
        decided(with_term(holding("settled", ann, live, 8_000, Some(80.0)), 5, "2026-10-31"), RenewalOutcome::Renewed);
    let settled = with_term(settled, 6, "2027-10-31");
    // Left mid-term: its later term is not a renewal.
    let mut quit = with_term(holding("quit", ann, AccountStatus::Churned, 0, None), 7, "2027-06-30");
    quit.terms[0].outcome = RenewalOutcome::Pending;
    let renewing = |mut o: Opportunity, dollars: i64| {
        o.renewing_arr = Some(Money::from_cents(dollars * 100));
        o
    };
    let opportunities = vec![
        renewing(renewal(10, 1, Stage::ClosedWon, ForecastCategory::Commit, 700), 9_000),
        renewing(renewal(11, 3, Stage::ClosedLost, ForecastCategory::Omitted, -20_000), 20_000),
        renewing(renewal(12, 4, Stage::ClosedLost, ForecastCategory::Omitted, -30_000), 30_000),
    ];
    // A former manager's account that left: a line for its book, no client in it.
    let gone = holding("gone", Some("old@steward.test"), AccountStatus::Churned, 5_000, None);
    let maybe = with_term(holding("maybe", None, AccountStatus::Prospect, 0, None), 8, "2027-03-31");
    let holdings = [won, lost, left, gone, settled, quit, maybe];
    let b = books(&holdings, &[], &HashMap::new(), &opportunities, d("2026-12-04"));
    let cell = |q: usize, call: RenewalCall| *b.renewals[q].cells.iter().find(|c| c.call == call).unwrap();
    let won_cell = cell(1, RenewalCall::Won);
    assert_eq!((won_cell.renewals, won_cell.arr.cents, won_cell.change.cents), (1, 900_000, 70_000));
    assert_eq!((cell(1, RenewalCall::Lost).renewals, cell(1, RenewalCall::Lost).arr.cents), (1, 2_000_000));
    assert_eq!(b.renewals[1].renewals, 2, "the next term ends beyond the year");
    let gone_this_quarter = cell(0, RenewalCall::Lost);
    assert_eq!((gone_this_quarter.renewals, gone_this_quarter.arr.cents), (1, 3_000_000), "a client that left");
    assert_eq!(
        (cell(0, RenewalCall::Won).renewals, cell(0, RenewalCall::NotOpened).renewals),
        (1, 0),
        "decided on the term"
    );
    assert_eq!(b.renewals[2].renewals, 0, "a term left mid-way renews nothing");
    assert_eq!((b.company.renewals, b.company.renewing_arr.cents), (4, 6_700_000));
    let names: Vec<&str> = b.lines.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["ann@steward.test", "old@steward.test"], "a prospect is in no book");
    assert_eq!((b.lines[1].accounts, b.company.accounts), (0, 3));
    let next = |slug: &str| {
        let r = b.at_risk.iter().find(|r| r.slug.as_str() == slug).unwrap();
        (r.renewal, r.call)
    };
    assert_eq!(next("won"), (Some(d("2028-01-31")), Some(RenewalCall::NotOpened)), "the next renewal not yet won");
    assert_eq!(next("lost"), (Some(d("2027-02-28")), Some(RenewalCall::Lost)));
}
