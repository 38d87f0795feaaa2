//! The differencing attack, through HTTP, on the demo book (issue 10): a client user takes
//! everything the results API gives for their whole program and each metro, and tries to
//! pin down a small group by subtracting one figure from another — consecutive trailing-
//! twelve-month figures, overlapping survey windows, counts against their exact values. It
//! finds nothing: trailing figures come at quarter ends only, survey figures from distinct
//! quarters, and every count is hidden or rounded up within five of the truth.

#![allow(clippy::unwrap_used)]

#[macro_use]
#[path = "support/web.rs"]
mod web_support;

use serde_json::Value;
use std::collections::BTreeSet;
use steward_domain::{AccountStatus, Role};
use web_support::{PASSWORD, Server, as_of, book, client_of, user};

cases!(subtraction_pins_down_nobody, a_churned_clients_access_ends_after_the_grace_days);

fn items(s: &Server, token: &str, path: &str) -> Vec<Value> {
    let mut api = s.client();
    api.bearer = Some(token.to_owned());
    let r = api.get(path);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()["items"].as_array().unwrap().clone()
}

fn subtraction_pins_down_nobody(s: &Server) {
    let mut attacked = 0;
    for account in book().accounts.iter().filter(|a| a.account.status == AccountStatus::Live) {
        let slug = account.account.slug.as_str();
        let client = s.token(&client_of(slug));
        let insider = s.token(&user(Role::Director));
        let mut views = vec![String::new()];
        views.extend(
            account.worksites.iter().map(|w| format!("&by=metro&cut={}", w.metro.as_str())).collect::<BTreeSet<_>>(),
        );
        for view in views {
            let shown = items(s, &client, &format!("/api/v1/accounts/{slug}/results?per_page=200{view}"));
            let exact = items(s, &insider, &format!("/api/v1/accounts/{slug}/metrics?per_page=200{view}"));
            let exact_at = |month: &str| exact.iter().find(|m| m["month"] == month).unwrap();
            // 1. Consecutive trailing figures: never two a month apart.
            let quarter_ends: Vec<usize> =
                shown.iter().enumerate().filter(|(_, m)| !m["quarter"].is_null()).map(|(i, _)| i).collect();
            for pair in quarter_ends.windows(2) {
                assert!(pair[1] - pair[0] >= 3, "{slug}{view}: trailing figures a month apart");
            }
            // 2. Survey windows: every one its own calendar quarter, none overlapping.
            let quarters: Vec<&str> = shown.iter().filter_map(|m| m["quarter"]["quarter"].as_str()).collect();
            let distinct: BTreeSet<&&str> = quarters.iter().collect();
            assert_eq!(distinct.len(), quarters.len(), "{slug}{view}: overlapping survey windows");
            // 3. The attack: two response counts a month apart whose difference is
            //    1–10 — there is no month-by-month response count to subtract.
            let monthly_responses = shown.iter().filter(|m| !m["nps_responses"].is_null()).count();
            assert_eq!(monthly_responses, 0, "{slug}{view}: responses by month");
            // 4. Every shown count against its exact value: hidden, or rounded up within
            //    five — so no two of them subtracted give an exact small number.
            for m in &shown {
                let month = m["month"].as_str().unwrap();
                let truth = exact_at(month);
                for field in ["eligible_lives", "enrolled_members"] {
                    if let Some(n) = m[field].as_i64() {
                        let t = truth[field].as_i64().unwrap();
                        assert!(
                            n >= 11 && n % 5 == 0 && n >= t && n - t <= 4,
                            "{slug}{view} {month} {field}: {n} for {t}"
                        );
                        attacked += 1;
                    }
                }
                if let Some(a) = m["quarter"]["active_members_12m"].as_i64() {
                    let t = truth["active_members_12m"].as_i64().unwrap();
                    assert!(a >= 11 && a % 5 == 0 && a >= t && a - t <= 4, "{slug}{view} {month} active: {a} for {t}");
                }
                // A quarter's visits are the sum of its months': rounded the same way.
                for field in ["visits_in_office", "visits_video", "visits_remote_other"] {
                    let Some(n) = m["quarter"][field].as_i64() else { continue };
                    let at = exact.iter().position(|e| e["month"] == month).unwrap();
                    let t: i64 = exact[at.saturating_sub(2)..=at].iter().map(|e| e[field].as_i64().unwrap()).sum();
                    assert!(n >= 11 && n % 5 == 0 && n >= t && n - t <= 4, "{slug}{view} {month} {field}: {n} for {t}");
                    attacked += 1;
                }
            }
            // 5. No month to date: every month shown is complete.
            assert!(shown.iter().all(|m| m["partial"].is_null()), "{slug}{view}: a month to date");
        }
    }
    assert!(attacked > 500, "the attack had figures to work on: {attacked}");
}

/// Every client user of the fixture, by their employer's status and contracts: a churned
/// client whose last contract ended more than 90 days ago is refused at sign-in, with a
/// session signed in before, and with an API token; everyone else keeps using Steward.
fn a_churned_clients_access_ends_after_the_grace_days(s: &Server) {
    let (mut ended, mut kept) = (0, 0);
    for client in book().users.iter().filter(|u| u.role == Role::Client) {
        let slug = client.account.clone().unwrap();
        let email = client.email.to_string();
        let token = s.token(&email);
        let mut earlier = s.signed_in_anyway(&email);
        let contracts = s.store.contracts(&slug).unwrap();
        let status = s.store.account(&slug).unwrap().status;
        let until = steward_domain::contract::client_access_until(status, &contracts, 90);
        let mut api = s.client();
        api.bearer = Some(token);
        let results = format!("/api/v1/accounts/{slug}/results");
        if until.is_some_and(|last| as_of() > last) {
            ended += 1;
            let r = s.client().sign_in(&email, PASSWORD);
            assert_eq!(r.status, 403, "{email}: {}", r.body);
            assert!(r.body.contains("access to Steward has ended (on "), "{}", r.body);
            assert_eq!(earlier.get("/client").status, 403, "{email}: a session from before");
            let r = api.get(&results);
            assert_eq!((r.status, r.json()["error"]["code"].as_str()), (403, Some("access_ended")), "{email}");
        } else {
            kept += 1;
            assert_eq!(s.client().sign_in(&email, PASSWORD).status, 303, "{email}");
            assert_eq!(earlier.get("/client").status, 200, "{email}");
            assert_eq!(api.get(&results).status, 200, "{email}");
        }
    }
    assert!(ended > 0 && kept > 0, "the fixture has clients of both kinds: {ended} ended, {kept} kept");
}
