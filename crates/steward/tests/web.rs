//! The web app over real HTTP on 127.0.0.1, on a fresh copy of a small demo book per test,
//! on SQLite and on PostgreSQL: sign-in, every page, forms and their errors, conflicts,
//! uploads, the client view's suppression, the JSON API and who may reach what.

#![allow(clippy::unwrap_used)]

#[macro_use]
#[path = "support/web.rs"]
mod web_support;

use serde_json::json;
use steward_domain::{AccountStatus, Role, Slug, TaskStatus};
use steward_store::TaskFilter;
use web_support::{Client, Server, book, client_of, multipart, user};

cases!(
    sign_in_and_out,
    sign_in_is_rate_limited,
    forms_need_their_csrf_token,
    book_filters_sorts_and_pages,
    account_360_tells_the_story,
    logging_an_activity_keeps_what_was_typed_on_error,
    tasks_complete_snooze_and_reassign_with_conflicts,
    task_actions_forgive,
    decision_maker_touch_reads_the_same_everywhere,
    arr_can_be_checked_by_hand,
    a_lost_renewal_bills_to_its_term_s_end,
    contracts_change_as_versions_and_arr_follows,
    retention_adds_up,
    the_pipeline_moves_and_the_forecast_adds_up,
    a_board_shows_each_stages_soonest_and_pages_the_rest,
    quotes_need_a_director_past_the_threshold,
    stakeholders_are_edited_with_their_history,
    imports_speak_plainly,
    the_team_page_shows_every_book_and_queue,
    colleagues_see_what_their_task_needs,
    a_renewal_is_served_only_by_the_owners_own_task,
    work_queue_is_ranked_with_reasons,
    upload_shows_row_errors,
    client_sees_only_their_suppressed_results,
    every_route_for_every_role,
    api_lists_pages_and_errors,
    api_writes_name_versions,
    admin_invites_and_deactivates,
    tokens_page_creates_and_revokes,
    the_book_shows_a_change_at_once,
    two_servers_share_one_database,
    a_project_from_the_pages,
    a_success_plan_from_the_pages_and_the_api,
    initiatives_from_the_pages_and_the_api,
    experiments_from_the_pages_and_the_api,
    a_quarterly_review_from_account_360,
    the_director_reads_the_portfolio,
    another_process_s_change_reaches_the_book,
    a_kept_reading_is_served_stale_and_read_again,
);

/// An account manager agrees an objective on Account 360 (a percentage out of range is
/// refused beside its field, nothing kept), sees it judged on the account's own metrics with
/// its chart, adds a task that serves it from its page, changes its target (a stale form
/// is a conflict) and closes it; the API agrees with the domain's reading of the stored
/// metrics, and nobody without the account sees it.
fn a_success_plan_from_the_pages_and_the_api(s: &Server) {
    use steward_domain::success_plan::{ObjectiveStatus, progress};
    let (own, other) = accounts();
    let today = web_support::as_of();
    let mut am = s.signed_in(&user(Role::AccountManager));
    let page = am.get(&format!("/accounts/{own}"));
    assert!(page.body.contains(r#"id="success-plan""#) && page.body.contains("Enrollment "), "the demo's plan");
    let by = (today + chrono::Days::new(200)).to_string();
    let form = |target: &'static str| {
        vec![
            ("csrf", page.csrf()),
            ("title", "Enrollment 30% by renewal".to_owned()),
            ("metric", "enrollment_rate".to_owned()),
            ("target", target.to_owned()),
            ("target_date", by.clone()),
        ]
    };
    let fields = |f: &[(&'static str, String)]| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let post = |c: &mut Client, path: &str, f: Vec<(&'static str, String)>| {
        let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post_form(path, &form)
    };
    let slug = Slug::parse(&own).unwrap();
    let before = s.store.objectives(&slug).unwrap().len();
    let refused = post(&mut am, &format!("/accounts/{own}/objectives"), fields(&form("130")));
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("a percentage from 0 to 100") && refused.body.contains("Enrollment 30% by renewal"));
    assert_eq!(s.store.objectives(&slug).unwrap().len(), before, "nothing kept");
    let r = post(&mut am, &format!("/accounts/{own}/objectives"), fields(&form("30%")));
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.header("location").unwrap().to_owned();
    let id: i64 = at.trim_start_matches("/objectives/").parse().unwrap();
    let o = s.store.objective(id).unwrap();
    assert_eq!(
        (o.target, o.agreed_on, o.created_by.as_ref().map(|e| e.to_string())),
        (0.3, today, Some(user(Role::AccountManager)))
    );

    // Judged on the account's stored metrics, as the domain reads them.
    let metrics = steward_health::history::whole_account_metrics(&*s.store, &slug).unwrap();
    let expected = progress(&o, &steward_domain::trend::series(&metrics, o.metric), today);
    assert_ne!(expected.status, ObjectiveStatus::NoData, "the fixture has enrollment");
    let page = am.get(&at);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<svg class="chart"#) && page.body.contains("Enrollment rate against the target"));
    assert!(page.body.contains(expected.status.label()) && page.body.contains("30.0%"), "{}", page.body);

    // A task for it, from its page.
    let r = am.post_form(
        &format!("/accounts/{own}/tasks"),
        &[("csrf", &page.csrf()), ("title", "Benefits fair at the main site"), ("objective", &id.to_string())],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some(format!("/objectives/{id}#tasks").as_str()));
    let served = s.store.tasks(&TaskFilter { objective: Some(id), ..Default::default() }).unwrap();
    assert_eq!(served.iter().map(|t| t.title.as_str()).collect::<Vec<_>>(), ["Benefits fair at the main site"]);
    assert!(am.get(&at).body.contains("Benefits fair at the main site"));
    let r = am.post_form(
        &format!("/accounts/{own}/tasks"),
        &[("csrf", &page.csrf()), ("title", " "), ("objective", &id.to_string())],
    );
    assert_eq!(r.status, 422, "a task needs a title");
    assert!(r.body.contains("Add a task for this objective"), "refused on the objective's page");
    assert!(
        r.body.contains(r#"id="objective-title" name="title" value="Enrollment 30% by renewal""#),
        "the change form keeps the objective's own values"
    );
    let elsewhere = s.store.objectives(&Slug::parse(&other).unwrap()).unwrap();
    {
        let theirs = elsewhere.first().expect("the demo gives every live account a plan");
        let r = am.post_form(
            &format!("/accounts/{own}/tasks"),
            &[("csrf", &page.csrf()), ("title", "Not theirs"), ("objective", &theirs.id.to_string())],
        );
        assert_eq!(r.status, 422, "a task serves only its own account's objectives");
        assert!(
            r.body.contains("objective-error") && r.body.contains("is not in this account"),
            "refused beside the select"
        );
        assert!(
            s.store
                .tasks(&TaskFilter { objective: Some(theirs.id), ..Default::default() })
                .unwrap()
                .iter()
                .all(|t| t.title != "Not theirs")
        );
    }

    // A new target; the same form again is stale.
    let change = vec![
        ("csrf", page.csrf()),
        ("version", o.version.to_string()),
        ("title", "Enrollment 25% by renewal".to_owned()),
        ("target", "25".to_owned()),
        ("target_date", by.clone()),
    ];
    assert_eq!(post(&mut am, &format!("/objectives/{id}/edit"), change.clone()).status, 303);
    assert_eq!(s.store.objective(id).unwrap().target, 0.25);
    assert_eq!(post(&mut am, &format!("/objectives/{id}/edit"), change).status, 409);
    let close = vec![("csrf", page.csrf()), ("version", (o.version + 1).to_string()), ("closed", "true".to_owned())];
    assert_eq!(post(&mut am, &format!("/objectives/{id}/close"), close).status, 303);
    assert!(am.get(&at).body.contains("Reopen it"));
    let r = am.post_form(
        &format!("/accounts/{own}/tasks"),
        &[("csrf", &page.csrf()), ("title", "Too late"), ("objective", &id.to_string())],
    );
    assert_eq!(r.status, 422, "a closed objective takes no new task");
    assert!(r.body.contains("is closed; reopen it first"));

    // The API: the plan as the domain judges it; adding and changing against a version.
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::AccountManager)));
    let plan = api.get(&format!("/api/v1/accounts/{own}/objectives")).json();
    let mine = plan["items"].as_array().unwrap().iter().find(|o| o["id"] == id).unwrap().clone();
    assert_eq!((mine["closed"].clone(), mine["progress"]["status"].clone()), (json!(true), json!("closed")));
    assert_eq!(mine["tasks"][0]["objective"], id);
    let r = api.post_json(
        &format!("/api/v1/accounts/{own}/objectives"),
        &json!({ "title": "NPS 50", "metric": "nps", "target": 50, "target_date": by }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let nps = r.json();
    assert_eq!((nps["target"].clone(), nps["agreed_on"].clone()), (json!(50.0), json!(today.to_string())));
    let bad = api.post_json(
        &format!("/api/v1/accounts/{own}/objectives"),
        &json!({ "title": "Too much", "metric": "enrollment_rate", "target": 30, "target_date": by }),
    );
    assert_eq!(bad.status, 422);
    assert!(bad.json()["error"]["fields"]["target"].as_str().unwrap().contains("between 0 and 1"), "{}", bad.body);
    let nid = nps["id"].as_i64().unwrap();
    let edit = api.post_json(&format!("/api/v1/objectives/{nid}/edit"), &json!({ "version": 1, "target": 45 }));
    assert_eq!((edit.status, edit.json()["target"].clone()), (200, json!(45.0)));
    assert_eq!(api.post_json(&format!("/api/v1/objectives/{nid}/edit"), &json!({ "version": 1 })).status, 409);

    // Nobody without the account.
    let mut client = s.client();
    client.bearer = Some(s.token(&client_of(&own)));
    let hidden = client.get(&format!("/api/v1/objectives/{id}"));
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.json()["error"]["message"], format!("objective {id} not found"), "no account named");
    let mut col = s.signed_in(&user(Role::Colleague));
    assert_eq!(col.get(&at).status, 403);
}

/// An account manager records an initiative on Account 360 (a target that is not one is
/// refused beside its field, nothing kept) and reads its page: no estimate before its
/// outcome window closes, and why. A measured one reads the same on its page and through the
/// API, with its chart; a closed outcome window opens one "review the impact" task, once;
/// nobody without the account sees an initiative, nor a client anything of one.
fn initiatives_from_the_pages_and_the_api(s: &Server) {
    let (own, _) = accounts();
    let today = web_support::as_of();
    let mut am = s.signed_in(&user(Role::AccountManager));
    let page = am.get(&format!("/accounts/{own}"));
    assert!(page.body.contains(r#"id="initiatives""#) && page.body.contains("Record an initiative"));
    let slug = Slug::parse(&own).unwrap();
    let before = s.store.initiatives(Some(&slug)).unwrap().len();
    let start = (today + chrono::Days::new(7)).to_string();
    let end = (today + chrono::Days::new(18)).to_string();
    let form = |target: &'static str| {
        vec![
            ("csrf", page.csrf()),
            ("title", "Open enrollment webinar".to_owned()),
            ("kind", "webinar".to_owned()),
            ("target", target.to_owned()),
            ("start_date", start.clone()),
            ("end_date", end.clone()),
            ("metric", "enrollment_rate".to_owned()),
            ("cost", "1,200".to_owned()),
        ]
    };
    let post = |c: &mut Client, f: Vec<(&'static str, String)>| {
        let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post_form(&format!("/accounts/{own}/initiatives"), &form)
    };
    let refused = post(&mut am, form("everyone"));
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("target-error") && refused.body.contains("Open enrollment webinar"));
    assert_eq!(s.store.initiatives(Some(&slug)).unwrap().len(), before, "nothing kept");
    let r = post(&mut am, form("account"));
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.header("location").unwrap().to_owned();
    let id: i64 = at.trim_start_matches("/initiatives/").parse().unwrap();
    let made = s.store.initiative(id).unwrap();
    assert_eq!(
        (made.cost, made.owner.map(|e| e.to_string())),
        (Some(steward_domain::Money::from_dollars(1200.0)), Some(user(Role::AccountManager)))
    );
    let page = am.get(&at);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("No estimate yet: the outcome window closes on"), "{}", page.body);

    // A measured one, the same on its page and through the API.
    let measured =
        s.store.create_initiative(&new_initiative(&own, &(today - chrono::Days::new(150)).to_string())).unwrap();
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::AccountManager)));
    let read = api.get(&format!("/api/v1/initiatives/{}/impact", measured.id)).json();
    assert_eq!(read["status"], "measured");
    let shown = am.get(&format!("/initiatives/{}", measured.id));
    match read["effect"].as_f64() {
        Some(e) => assert!(shown.body.contains(&format!("{e:+.1} points")), "{read}"),
        None => assert!(shown.body.contains(read["reason"].as_str().unwrap()), "{read}"),
    }
    assert!(
        shown.body.contains(r#"<svg class="chart"#)
            && shown.body.contains(">baseline<")
            && shown.body.contains(">outcome<")
    );
    // Account 360 lists it with the same effect, and cites it beside the enrollment driver.
    let account = am.get(&format!("/accounts/{own}"));
    let effect = match read["effect"].as_f64() {
        Some(e) => format!("{e:+.1} points"),
        None => "no estimate".into(),
    };
    let row = account.body.split(&format!(r#"<a href="/initiatives/{}">"#, measured.id)).nth(1).unwrap_or_default();
    assert!(row.split("</tr>").next().unwrap().contains(&effect), "{effect} in {row}");
    let drivers = account.body.split(r#"<ul class="drivers">"#).nth(1).unwrap().split("</ul>").next().unwrap();
    let enrollment = drivers.split("<li>").find(|d| d.starts_with("enrollment at")).unwrap();
    match read["effect"].as_f64() {
        Some(_) => assert!(enrollment.contains(&format!(r#"<a href="/initiatives/{}">"#, measured.id)), "{drivers}"),
        None => assert!(!enrollment.contains(&format!("/initiatives/{}", measured.id)), "no estimate, no citation"),
    }
    // One under way bears on enrollment: cited as such; utilization's driver cites none.
    let live = s
        .store
        .create_initiative(&steward_domain::initiative::NewInitiative {
            title: "Enrollment drive".into(),
            ..new_initiative(&own, &(today - chrono::Days::new(7)).to_string())
        })
        .unwrap();
    let drivers = am.get(&format!("/accounts/{own}")).body;
    let drivers = drivers.split(r#"<ul class="drivers">"#).nth(1).unwrap().split("</ul>").next().unwrap();
    let enrollment = drivers.split("<li>").find(|d| d.starts_with("enrollment at")).unwrap();
    assert!(
        enrollment.contains(&format!(
            r#"<a href="/initiatives/{}">Enrollment drive</a>: under way; measured after"#,
            live.id
        )),
        "{drivers}"
    );
    assert!(drivers.split("<li>").filter(|d| d.starts_with("utilization")).all(|d| !d.contains("Initiative")));
    let listed = api.get(&format!("/api/v1/initiatives?account={own}")).json();
    assert!(listed["items"].as_array().unwrap().iter().any(|i| i["id"] == id && i["status"] == "planned"));
    let r = api.post_json(
        &format!("/api/v1/accounts/{own}/initiatives"),
        &json!({ "title": "Flu clinic", "kind": "flu_shot_clinic", "target": "metro:atlantis", "start_date": start,
                 "end_date": end, "metric": "visits_per_1000" }),
    );
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["fields"]["target"].as_str().unwrap().contains("atlantis"), "{}", r.body);
    assert!(am.get("/initiatives").body.contains("Open enrollment webinar"), "the book's list");

    // A closed outcome window opens the review, once.
    let closes = measured.timeline(&Default::default()).outcome_closes();
    let day = closes + chrono::Days::new(3);
    assert_eq!(
        steward_health::initiatives::open_reviews(&*s.store, day, Some(std::slice::from_ref(&slug))).unwrap(),
        1
    );
    assert_eq!(
        steward_health::initiatives::open_reviews(&*s.store, day, Some(std::slice::from_ref(&slug))).unwrap(),
        0
    );
    let reviews = s.store.tasks(&TaskFilter { account: Some(slug.clone()), ..Default::default() }).unwrap();
    assert!(reviews.iter().any(|t| t.title == format!("Review the impact of “{}”", measured.title)));

    let mut client = s.client();
    client.bearer = Some(s.token(&client_of(&own)));
    let hidden = client.get(&format!("/api/v1/initiatives/{}", measured.id));
    assert_eq!(
        (hidden.status, hidden.json()["error"]["message"].clone()),
        (404, json!(format!("initiative {} not found", measured.id)))
    );
    assert_eq!(s.signed_in(&user(Role::Colleague)).get(&at).status, 403);
}

/// An account manager designs a test on their account's worksites and is told the sample it
/// needs; launching it underpowered is refused beside the reason field until they give one,
/// then the split is recorded with its seed. The director launches a segment-wide test over
/// the API (an account manager may not); a finished test reads with the fixed interval the
/// same on its page and through the API; a client sees none of it.
fn experiments_from_the_pages_and_the_api(s: &Server) {
    let today = web_support::as_of();
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::AccountManager)));
    // The fixture's accounts have a few worksites each: a pilot account with ten, its files
    // loaded as a data team would.
    let own = "pilot-co".to_owned();
    let slug = Slug::parse(&own).unwrap();
    let mut pilot = steward_domain::NewAccount::new(slug.clone(), "Pilot Co");
    (pilot.status, pilot.owner) =
        (AccountStatus::Live, Some(steward_domain::Email::parse(&user(Role::AccountManager)).unwrap()));
    s.store.create_account(&pilot).unwrap();
    let mut census = String::from(
        "member_id,relationship,first_name,last_name,birth_date,sex,zip,worksite,coverage_start,coverage_end\n",
    );
    let mut members = String::from("account,member_id,membership_start,membership_end\n");
    for k in 0..10 {
        for p in 0..60 {
            census.push_str(&format!("P{k:02}{p:03},employee,Ann,Doe,1980-01-01,F,98101,Site {k:02},2025-01-01,\n"));
            if p < 12 + k {
                members.push_str(&format!("pilot-co,P{k:02}{p:03},2025-02-01,\n"));
            }
        }
    }
    let upload = |api: &mut Client, kind: &str, body: &str| {
        let r = api.post_bytes(
            &format!("/api/v1/imports?account={own}&kind={kind}&file_name={kind}.csv&as_of={today}"),
            "text/csv",
            body.as_bytes(),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    };
    upload(&mut api, "eligibility", &census);
    upload(&mut api, "memberships", &members);
    let sites: Vec<String> = (0..10).map(|k| format!("Site {k:02}")).collect();
    let mut am = s.signed_in(&user(Role::AccountManager));
    let planned = api.get(&format!("/api/v1/experiments/design?account={own}&mde=3&icc=0.05")).json();
    let page = am.get(&format!("/accounts/{own}/experiment-design?mde=3&icc=0.05"));
    assert_eq!(page.status, 200);
    let needed = format!("{} worksites an arm", planned["units_per_arm"]);
    assert!(page.body.contains(&needed) && page.body.contains("Launch it"), "{needed}: {}", page.body);
    assert_eq!(planned["powered"], false, "a few worksites cannot detect 3 points at an ICC of 0.05: {planned}");
    let form = |reason: &'static str| {
        vec![
            ("csrf", page.csrf()),
            ("units", "worksites".to_owned()),
            ("mde", "3".to_owned()),
            ("icc", "0.05".to_owned()),
            ("name", "Second reminder".to_owned()),
            ("change", "A second enrollment reminder a week after the first".to_owned()),
            ("start_date", (today + chrono::Days::new(7)).to_string()),
            ("end_date", (today + chrono::Days::new(91)).to_string()),
            ("seed", "".to_owned()),
            ("override_reason", reason.to_owned()),
        ]
    };
    let post = |c: &mut Client, f: Vec<(&'static str, String)>| {
        let form: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post_form(&format!("/accounts/{own}/experiments"), &form)
    };
    let before = s.store.experiments(Some(&slug)).unwrap().len();
    let refused = post(&mut am, form(""));
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("override_reason-error") && refused.body.contains("the design is underpowered"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Second reminder"), "what was typed comes back");
    assert_eq!(s.store.experiments(Some(&slug)).unwrap().len(), before, "nothing kept");
    let r = post(&mut am, form("The client asked for a pilot before open enrollment"));
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.header("location").unwrap().to_owned();
    let id: i64 = at.trim_start_matches("/experiments/").parse().unwrap();
    let made = s.store.experiment(id).unwrap();
    assert!(made.reproduces(), "the seed makes the split");
    assert_eq!(made.assignments.len() as i64, planned["available"].as_i64().unwrap());
    assert_eq!(
        (made.override_reason.as_deref(), made.created_by.as_ref().map(|e| e.to_string())),
        (Some("The client asked for a pilot before open enrollment"), Some(user(Role::AccountManager)))
    );
    let shown = am.get(&at);
    assert!(shown.body.contains("launched underpowered") && shown.body.contains("No reading yet: it starts on"));
    assert!(am.get("/initiatives").body.contains(&format!("/experiments/{id}")), "the book's list");

    // A segment-wide test is the director's to launch.
    let segment = json!({ "segment": "mid_market", "name": "Faster onboarding calls", "change": "Calls within a day",
        "mde": 2, "start_date": (today + chrono::Days::new(1)).to_string(),
        "end_date": (today + chrono::Days::new(120)).to_string(), "seed": 5, "override_reason": "A first look" });
    assert_eq!(api.post_json("/api/v1/experiments", &segment).status, 403);
    let mut director = s.client();
    director.bearer = Some(s.token(&user(Role::Director)));
    let r = director.post_json("/api/v1/experiments", &segment);
    assert_eq!(r.status, 201, "{}", r.body);
    let launched = r.json();
    assert_eq!((launched["unit"].clone(), launched["seed"].clone()), (json!("accounts"), json!(5)));
    let r =
        director.post_json("/api/v1/experiments", &json!({ "account": own, "name": "x", "change": "y", "mde": "3" }));
    assert_eq!((r.status, r.json()["error"]["fields"]["mde"].clone()), (422, json!("a number")), "a number, not text");

    // A finished one: the fixed interval, the same on the page and through the API.
    let finished = s.store.create_experiment(&new_experiment(&own, &sites, today - chrono::Days::new(120))).unwrap();
    let read = api.get(&format!("/api/v1/experiments/{}/results", finished.id)).json();
    assert_eq!((read["status"].clone(), read["horizon"].clone()), (json!("finished"), json!("fixed")));
    let page = am.get(&format!("/experiments/{}", finished.id));
    let (e, lo, hi) = (
        read["effect_points"].as_f64().unwrap(),
        read["ci_low_points"].as_f64().unwrap(),
        read["ci_high_points"].as_f64().unwrap(),
    );
    assert!(page.body.contains(&format!("{e:+.1} points ({lo:+.1} to {hi:+.1})")), "{read}");
    assert!(page.body.contains("its 95% interval at the planned end"));
    let listed = api.get(&format!("/api/v1/experiments?account={own}")).json();
    assert!(listed["items"].as_array().unwrap().iter().any(|x| x["id"] == finished.id && x["status"] == "finished"));

    // A client (the fixture's account manager's client) sees no experiment.
    let mut client = s.client();
    client.bearer = Some(s.token(&client_of(&accounts().0)));
    assert_eq!(client.get("/api/v1/experiments").status, 403);
    assert_eq!(client.get(&format!("/api/v1/experiments/{}", finished.id)).status, 404);
    assert_eq!(client.get(&format!("/api/v1/experiments/{}/results", finished.id)).status, 404);
}

/// An account manager opens their account's quarterly business review from Account 360:
/// the last quarter the data complete, its key numbers as the metrics give them, the
/// internal sections; the CSV of the same quarter; a quarter the data do not hold is refused.
fn a_quarterly_review_from_account_360(s: &Server) {
    let (own, _) = accounts();
    let mut am = s.signed_in(&user(Role::AccountManager));
    assert!(am.get(&format!("/accounts/{own}")).body.contains(&format!(r#"href="/accounts/{own}/qbr""#)));
    let page = am.get(&format!("/accounts/{own}/qbr"));
    assert_eq!(page.status, 200);
    // The fixture's data run to 2026-06-30: the second quarter is complete.
    assert!(
        page.body.contains(r#"<p class="report-quarter">2026-Q2</p>"#),
        "{}",
        &page.body[..800.min(page.body.len())]
    );
    for section in ["Executive summary", "Key numbers", "Health and the commercial position", "Next steps"] {
        assert!(page.body.contains(section), "{section}");
    }
    let june = s
        .store
        .metrics(&Slug::parse(&own).unwrap(), steward_store::CutKind::All, None, None)
        .unwrap()
        .into_iter()
        .find(|(_, m, _)| m.to_string() == "2026-06")
        .unwrap()
        .2;
    let csv = am.get(&format!("/accounts/{own}/qbr.csv?quarter=2026-Q2"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    assert!(
        csv.body.contains(&format!("key_numbers,eligible_lives,value,2026-Q2,{}\n", june.eligible_lives)),
        "{}",
        csv.body
    );
    let pdf = am.get(&format!("/accounts/{own}/qbr.pdf?quarter=2026-Q2"));
    assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")));
    assert!(pdf.body.starts_with("%PDF-"));
    let refused = am.get(&format!("/accounts/{own}/qbr?quarter=2031-Q1"));
    assert_eq!(refused.status, 422);

    // The client's version: its numbers are the client API's for the same quarter, and no
    // internal section is in it.
    let mut client = s.client();
    client.bearer = Some(s.token(&client_of(&own)));
    let api = client.get(&format!("/api/v1/accounts/{own}/results?from=2026-06&to=2026-06")).json();
    let june = &api["items"][0];
    assert_eq!(june["month"], "2026-06", "{api}");
    let csv = am.get(&format!("/accounts/{own}/qbr.csv?quarter=2026-Q2&version=client")).body;
    let value = |key: &str| -> serde_json::Value {
        let line = csv.lines().find(|l| l.starts_with(&format!("key_numbers,{key},value,"))).unwrap_or_default();
        match line.rsplit(',').next().unwrap_or_default() {
            "" => serde_json::Value::Null,
            v => json!(v.parse::<f64>().unwrap()),
        }
    };
    let number = |v: &serde_json::Value| v.as_f64().map_or(serde_json::Value::Null, |x| json!(x));
    assert_eq!(value("eligible_lives"), number(&june["eligible_lives"]), "{csv}");
    assert_eq!(value("enrolled_members"), number(&june["enrolled_members"]));
    assert_eq!(value("enrollment_rate"), number(&june["enrollment_rate"]));
    assert_eq!(value("utilization_rate"), number(&june["quarter"]["utilization_rate"]));
    assert_eq!(value("nps"), number(&june["quarter"]["nps"]));
    assert!(!csv.contains("new_enrollments"), "a client is not given new enrollments");
    // Through the API too: no initiative's reason carries a count, and the peer medians are
    // told to the point, from the peers' own client figures.
    let mut inside = s.client();
    inside.bearer = Some(s.token(&user(Role::AccountManager)));
    let review = inside.get(&format!("/api/v1/accounts/{own}/qbr?quarter=2026-Q2&version=client")).json();
    assert_eq!(review["internal"], serde_json::Value::Null);
    for i in review["initiatives"].as_array().unwrap() {
        assert!(
            i["reason"].is_null() || i["reason"] == "not enough data to measure it",
            "a client's reason says no number: {i}"
        );
        assert!(i.get("cost").is_none() && i.get("notes").is_none());
    }
    for k in review["key_numbers"].as_array().unwrap() {
        if let Some(m) = k["peers"]["median"].as_f64() {
            assert_eq!((m * 100.0).round() / 100.0, m, "{k}");
        }
    }
    let shown = am.get(&format!("/accounts/{own}/qbr?quarter=2026-Q2&version=client")).body;
    assert!(shown.contains("prepared for") && !shown.contains("Health and the commercial position"));
    assert!(!shown.contains("ARR") && !shown.contains("internal version"));

    // Kept for the client: generated as a draft the client cannot see, published, then in
    // their portal to download; generating again with nothing changed is no new version.
    let slug = Slug::parse(&own).unwrap();
    let before = s.store.reports(Some(&slug)).unwrap().len();
    let account = am.get(&format!("/accounts/{own}"));
    assert!(
        account.body.contains("Generate the client&#x27;s review")
            || account.body.contains("Generate the client's review")
    );
    let generate = |am: &mut Client| {
        am.post_form(&format!("/accounts/{own}/reports"), &[("csrf", account.csrf().as_str()), ("quarter", "2026-Q2")])
    };
    assert_eq!(generate(&mut am).status, 303);
    let kept = s.store.reports(Some(&slug)).unwrap();
    assert_eq!(kept.len(), before + 1);
    let draft = kept[0].clone();
    assert_eq!((draft.quarter.to_string(), draft.published()), ("2026-Q2".into(), false));
    assert_eq!(generate(&mut am).status, 303);
    assert_eq!(s.store.reports(Some(&slug)).unwrap().len(), before + 1, "the same document, no new version");
    let mut portal = s.signed_in(&client_of(&own));
    assert!(!portal.get("/client").body.contains(&format!("/reports/{}.pdf", draft.id)), "a draft is not the client's");
    assert_eq!(portal.get(&format!("/reports/{}.pdf", draft.id)).status, 404);
    let publish = am.post_form(&format!("/reports/{}/publish", draft.id), &[("csrf", account.csrf().as_str())]);
    assert_eq!(publish.status, 303);
    let published = s.store.report(draft.id).unwrap();
    assert_eq!(published.published_by.map(|e| e.to_string()), Some(user(Role::AccountManager)));
    assert!(portal.get("/client").body.contains(&format!("/reports/{}.pdf", draft.id)), "published: in the portal");
    let pdf = portal.get(&format!("/reports/{}.pdf", draft.id));
    assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")));
    assert!(pdf.body.len() > 1000, "a whole document");
    let csv = portal.get(&format!("/reports/{}.csv", draft.id));
    assert!(csv.status == 200 && csv.body.starts_with("section,item,measure,quarter,value"));
    // Their listing says which review and when it was published, not who made it from what.
    let mut api = s.client();
    api.bearer = Some(s.token(&client_of(&own)));
    let listed = api.get(&format!("/api/v1/accounts/{own}/reports")).json();
    let theirs = listed["items"].as_array().unwrap().iter().find(|r| r["id"] == draft.id).unwrap().clone();
    assert!(theirs["published_at"].is_string(), "{theirs}");
    for internal in ["digest", "generated_by", "ledger_version"] {
        assert!(theirs.get(internal).is_none_or(|v| v.is_null()), "{internal} in {theirs}");
    }
    // Another client's account's review is not there for this client.
    let (_, other) = accounts();
    let mut other_client = s.signed_in(&client_of(&other));
    assert_eq!(other_client.get(&format!("/reports/{}.pdf", draft.id)).status, 404);
}

/// A test (launched underpowered) on the account's `sites`, from `start` for twelve weeks.
fn new_experiment(slug: &str, sites: &[String], start: chrono::NaiveDate) -> steward_domain::experiment::NewExperiment {
    use steward_domain::experiment::{DesignInput, NewExperiment, Randomized, assign, power};
    let units: Vec<(String, u64)> = sites.iter().enumerate().map(|(k, w)| (w.clone(), 100 + k as u64)).collect();
    let design =
        DesignInput { baseline: 0.3, mde: 0.05, alpha: 0.05, power: 0.8, cluster_size: 100.0, icc: 0.02, size_cv: 0.1 };
    NewExperiment {
        name: format!("Reminder test from {start}"),
        change: "A reminder".into(),
        randomized: Randomized::Worksites { account: Slug::parse(slug).unwrap() },
        metric: steward_domain::impact::GoalMetric::EnrollmentRate,
        design,
        units_per_arm_needed: steward_domain::experiment::design(&design).unwrap().units_per_arm,
        planned_power: power(&design, units.len() as u64 / 2),
        seed: 11,
        start_date: start,
        end_date: start + chrono::Days::new(84),
        assignments: assign(&units, 11),
        override_reason: Some("a test fixture".into()),
        created_by: None,
    }
}

/// A two-week benefits fair on the account's first two worksites, from `start`.
fn new_initiative(slug: &str, start: &str) -> steward_domain::initiative::NewInitiative {
    let start: chrono::NaiveDate = start.parse().unwrap();
    let sites: Vec<String> = book()
        .accounts
        .iter()
        .find(|a| a.account.slug.as_str() == slug)
        .unwrap()
        .worksites
        .iter()
        .map(|w| w.name.clone())
        .collect();
    steward_domain::initiative::NewInitiative {
        account: Slug::parse(slug).unwrap(),
        kind: steward_domain::initiative::InitiativeKind::BenefitsFair,
        title: format!("Benefits fair from {start}"),
        target: steward_domain::impact::Target::Worksites(sites.into_iter().take(2).collect()),
        start_date: start,
        end_date: start + chrono::Days::new(11),
        owner: None,
        cost: Some(steward_domain::Money::from_dollars(2500.0)),
        metric: steward_domain::impact::GoalMetric::EnrollmentRate,
        notes: String::new(),
    }
}

/// An account the fixture's account manager owns and one they do not (both live).
fn accounts() -> (String, String) {
    let am = user(Role::AccountManager);
    let live = || book().accounts.iter().filter(|a| a.account.status == AccountStatus::Live);
    let own = live().find(|a| a.account.owner.as_ref().map(|e| e.as_str()) == Some(am.as_str())).unwrap();
    let other = live().find(|a| a.account.owner.as_ref().map(|e| e.as_str()) != Some(am.as_str())).unwrap();
    (own.account.slug.to_string(), other.account.slug.to_string())
}

/// The fixture's account `slug`, as the demo generated it.
fn demo_account(slug: &str) -> &'static steward_demo::DemoAccount {
    book().accounts.iter().find(|a| a.account.slug.as_str() == slug).unwrap()
}

fn sign_in_and_out(s: &Server) {
    let mut c = s.client();
    let r = c.get("/book?sort=arr");
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/sign-in?next=%2Fbook%3Fsort%3Darr")));
    // Signing in from there comes back to the page asked for.
    let mut back = s.client();
    let form = back.get("/sign-in?next=/book%3Fsort%3Darr");
    assert!(form.body.contains(r#"name="next" value="&#x2f;book?sort=arr""#), "{}", form.body);
    let r = back.post_form(
        "/sign-in",
        &[
            ("email", &user(Role::Director)),
            ("password", web_support::PASSWORD),
            ("csrf", &form.csrf()),
            ("next", "/book?sort=arr"),
        ],
    );
    assert_eq!(r.location.as_deref(), Some("/book?sort=arr"));
    let r = c.sign_in(&user(Role::AccountManager), "wrong password");
    assert_eq!(r.status, 401);
    assert!(r.body.contains("do not match an active user"), "{}", r.body);
    assert!(r.body.contains(&user(Role::AccountManager)), "the e-mail stays typed");
    assert!(!c.has_session());
    let r = c.sign_in(&user(Role::AccountManager), web_support::PASSWORD);
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/")));
    let cookie = r.set_cookies.iter().find(|c| c.starts_with("steward_session=")).expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"), "{cookie}");
    assert_eq!(c.get("/").location.as_deref(), Some("/work"), "an account manager starts with My work");
    let book = c.get("/book");
    assert_eq!(book.status, 200);
    // Signing out needs the form's CSRF token.
    assert_eq!(c.post_form("/sign-out", &[("csrf", "forged")]).status, 403);
    assert_eq!(c.post_form("/sign-out", &[("csrf", &book.csrf())]).status, 303);
    assert_eq!(c.get("/book").location.as_deref(), Some("/sign-in?next=%2Fbook"), "the session ended");
    // An unknown e-mail gets the same answer as a wrong password.
    let r = c.sign_in("nobody@steward.example", web_support::PASSWORD);
    assert_eq!(r.status, 401);
    // A sign-in form posted from elsewhere (no matching cookie) is refused.
    let mut other = s.client();
    let r = other
        .post_form("/sign-in", &[("email", &user(Role::Director)), ("password", web_support::PASSWORD), ("csrf", "x")]);
    assert_eq!(r.status, 403);
    // `next` only leads within the site.
    let mut c = s.client();
    let csrf = c.get("/sign-in?next=/work").csrf();
    let r = c.post_form(
        "/sign-in",
        &[
            ("email", &user(Role::Director)),
            ("password", web_support::PASSWORD),
            ("csrf", &csrf),
            ("next", "//evil.example"),
        ],
    );
    assert_eq!(r.location.as_deref(), Some("/"));
}

fn sign_in_is_rate_limited(s: &Server) {
    let mut c = s.client();
    let who = user(Role::Director);
    for _ in 0..5 {
        assert_eq!(c.sign_in(&who, "wrong password").status, 401);
    }
    let r = c.sign_in(&who, web_support::PASSWORD);
    assert_eq!(r.status, 429, "the right password is refused once the attempts are used up");
    assert!(r.body.contains("Too many attempts"), "{}", r.body);
    assert!(!c.has_session());
}

fn forms_need_their_csrf_token(s: &Server) {
    let (own, _) = accounts();
    let mut c = s.signed_in(&user(Role::AccountManager));
    let before = s.store.activities(&Slug::parse(&own).unwrap(), 1000).unwrap().len();
    let r = c.post_form(&format!("/accounts/{own}/activities"), &[("kind", "call"), ("summary", "Forged")]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("form has expired"), "{}", r.body);
    // Another session's token is no good either.
    let other = s.signed_in(&user(Role::Director)).get("/book").csrf();
    let r = c.post_form(
        &format!("/accounts/{own}/activities"),
        &[("csrf", &other), ("kind", "call"), ("summary", "Forged")],
    );
    assert_eq!(r.status, 403);
    assert_eq!(s.store.activities(&Slug::parse(&own).unwrap(), 1000).unwrap().len(), before, "nothing written");
}

fn rows(body: &str) -> Vec<String> {
    body.split("<th scope=\"row\"><a href=\"/accounts/").skip(1).map(|r| r[..r.find('"').unwrap()].to_owned()).collect()
}

fn book_filters_sorts_and_pages(s: &Server) {
    let am = user(Role::AccountManager);
    let served =
        |a: &&steward_demo::DemoAccount| matches!(a.account.status, AccountStatus::Live | AccountStatus::Implementing);
    let own: Vec<String> = book()
        .accounts
        .iter()
        .filter(served)
        .filter(|a| a.account.owner.as_ref().map(|e| e.as_str()) == Some(am.as_str()))
        .map(|a| a.account.slug.to_string())
        .collect();
    let all: Vec<String> = book().accounts.iter().filter(served).map(|a| a.account.slug.to_string()).collect();
    let mut c = s.signed_in(&am);
    let mine = c.get("/book");
    let mut listed = rows(&mine.body);
    listed.sort();
    let mut expected = own.clone();
    expected.sort();
    assert_eq!(listed, expected, "an account manager's own book by default");
    assert!(mine.body.contains("<title>My book · Steward</title>"));
    assert!(mine.body.contains("<svg class=\"spark\""), "sparklines");
    assert_eq!(rows(&c.get("/book?owner=all").body).len(), all.len());
    // The director sees every book.
    let mut d = s.signed_in(&user(Role::Director));
    let everyone = d.get("/book");
    assert_eq!(rows(&everyone.body).len(), all.len());
    assert!(everyone.body.contains("<title>Book · Steward</title>"));
    // The notice column in words: "passed 35 days ago", never a negative number.
    assert!(
        everyone.body.contains(">passed ") && everyone.body.contains(" days ago<"),
        "notice deadlines in words: {}",
        everyone.body
    );
    assert!(everyone.body.contains("<html lang=\"en\">"));
    // Sorted by ARR, largest first: the page's order follows the API's numbers.
    let by_arr = rows(&d.get("/book?sort=arr&dir=desc").body);
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::Director)));
    let items = api.get("/api/v1/accounts?sort=arr&dir=desc").json()["items"].as_array().unwrap().clone();
    let arrs: Vec<f64> = items.iter().map(|i| i["arr"].as_f64().unwrap_or(-1.0)).collect();
    assert!(arrs.windows(2).all(|w| w[0] >= w[1]), "{arrs:?}");
    assert_eq!(by_arr, items.iter().map(|i| i["slug"].as_str().unwrap().to_owned()).collect::<Vec<_>>());
    // Pages of two, with links that keep the filters.
    let first = d.get("/book?per_page=2&sort=name");
    assert_eq!(rows(&first.body).len(), 2);
    assert!(first.body.contains("Page 1 of"), "pager");
    assert!(first.body.contains("rel=\"next\""));
    let second = d.get("/book?per_page=2&sort=name&page=2");
    assert_ne!(rows(&second.body), rows(&first.body));
    // Filters: churned accounts only when asked; health band; segment.
    let churned_page = d.get("/book?status=churned");
    let churned = rows(&churned_page.body);
    let expected_churned = book().accounts.iter().filter(|a| a.account.status == AccountStatus::Churned).count();
    assert_eq!(churned.len(), expected_churned);
    // Accounts that left carry no health band and stay out of the live totals (issue 11, item 6).
    assert!(
        expected_churned > 0 && !churned_page.body.contains("<span class=\"health "),
        "no band for a churned account"
    );
    assert!(
        churned_page.body.contains(&format!("0 accounts (and {expected_churned} churned, not counted)")),
        "{}",
        churned_page.body
    );
    let gone = api.get("/api/v1/accounts?status=churned").json();
    assert!(gone["items"].as_array().unwrap().iter().all(|a| a["health"].is_null()), "{gone}");
    // A score from some measures only says so in the book as on the account's page.
    let listed = api.get("/api/v1/accounts?per_page=200").json();
    let partial: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["health"]["insufficient_data"] == true)
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert!(!partial.is_empty(), "the fixture has accounts scored from some measures");
    let whole_book = d.get("/book?per_page=200").body;
    for slug in partial {
        let row =
            whole_book.split(&format!("href=\"/accounts/{slug}\"")).nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(row.contains("partial data"), "{slug} in the book: {row}");
        assert!(d.get(&format!("/accounts/{slug}")).body.contains("partial data"), "{slug} on its page");
    }
    let large = rows(&d.get("/book?segment=large_enterprise").body);
    assert!(large.iter().all(|slug| {
        book()
            .accounts
            .iter()
            .any(|a| a.account.slug.as_str() == slug && a.account.segment == steward_domain::Segment::LargeEnterprise)
    }));
    let bad = d.get("/book?sort=shoe_size");
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("sort by one of"), "{}", bad.body);
    // Search: one match opens the account.
    let (own_slug, _) = accounts();
    let r = c.get(&format!("/accounts?q={own_slug}"));
    assert_eq!(r.location, Some(format!("/accounts/{own_slug}")));
}

fn account_360_tells_the_story(s: &Server) {
    let (own, _) = accounts();
    let mut c = s.signed_in(&user(Role::AccountManager));
    let page = c.get(&format!("/accounts/{own}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("worksite"), "the header lists the worksites");
    for part in [
        "Health",
        "Key numbers",
        "Enrollment funnel",
        "Enrollment and utilization by month",
        "Visits by modality by month",
        "NPS over the trailing 12 months",
        "Stakeholders",
        "Timeline",
        "Open tasks",
        "Imports",
        "Log activity",
        "Add task",
        "Renewal",
    ] {
        assert!(page.body.contains(part), "Account 360 shows {part}");
    }
    assert!(page.body.matches("<svg class=\"chart").count() >= 4, "charts drawn on the server");
    // The key numbers card holds the account's measures (it once listed the objective form's choices).
    let key = page.body.split("<dl class=\"metrics\">").nth(1).unwrap().split("</dl>").next().unwrap();
    for label in ["Eligible lives", "Enrollment rate", "Utilization (12 mo)", "Visits per 1,000", "NPS (12 mo)"] {
        assert!(key.contains(&format!("<dt>{label}")), "{label} in the key numbers: {key}");
    }
    assert!(key.contains(" responses</small>") && key.contains(" eligible · target "), "{key}");
    // Each chart has a visible title and its numbers as a table (issue 11, item 12).
    let charts = page.body.matches("<svg class=\"chart").count();
    assert_eq!(page.body.matches("<p class=\"chart-title\">").count(), charts);
    assert_eq!(page.body.matches("<details class=\"chart-data\">").count(), charts);
    assert!(page.body.contains("<a class=\"skip\" href=\"#main\">Skip to content</a>"));
    // Cut by one metro: the charts say so.
    let metro = demo_account(&own).worksites[0].metro;
    let cut = c.get(&format!("/accounts/{own}?cut=metro:{}", metro.as_str()));
    assert_eq!(cut.status, 200);
    assert!(cut.body.contains(&format!("({})", metro.display_name())), "charts scoped to the metro");
    assert_eq!(c.get("/accounts/no-such-account").status, 404);
}

fn logging_an_activity_keeps_what_was_typed_on_error(s: &Server) {
    let (own, _) = accounts();
    let mut c = s.signed_in(&user(Role::AccountManager));
    let csrf = c.get(&format!("/accounts/{own}")).csrf();
    let path = format!("/accounts/{own}/activities");
    let r = c.post_form(&path, &[("csrf", &csrf), ("kind", "call"), ("occurred_on", "2026-13-45"), ("summary", "")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("write the date as YYYY-MM-DD"), "error beside the date");
    assert!(r.body.contains("A summary is required"), "error beside the summary");
    assert!(r.body.contains("value=\"2026-13-45\""), "what was typed is kept");
    let r = c.post_form(
        &path,
        &[
            ("csrf", &csrf),
            ("kind", "qbr"),
            ("occurred_on", "2026-06-29"),
            ("summary", "QBR: agreed a flu-shot clinic in October"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = c.get(&format!("/accounts/{own}"));
    assert!(page.body.contains("QBR: agreed a flu-shot clinic in October"), "on the timeline");
    let stored = s.store.activities(&Slug::parse(&own).unwrap(), 1).unwrap();
    assert_eq!(stored[0].author.as_ref().map(|e| e.to_string()), Some(user(Role::AccountManager)));
    // Someone else's account is read-only for an account manager.
    let (_, other) = accounts();
    let r = c.post_form(
        &format!("/accounts/{other}/activities"),
        &[("csrf", &csrf), ("kind", "call"), ("summary", "Not mine")],
    );
    assert_eq!(r.status, 403);
}

fn tasks_complete_snooze_and_reassign_with_conflicts(s: &Server) {
    let (own, _) = accounts();
    let am = user(Role::AccountManager);
    let mut c = s.signed_in(&am);
    let csrf = c.get(&format!("/accounts/{own}")).csrf();
    let r = c.post_form(&format!("/accounts/{own}/tasks"), &[("csrf", &csrf), ("title", ""), ("due_date", "soon")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("A title is required") && r.body.contains("value=\"soon\""));
    let r = c.post_form(
        &format!("/accounts/{own}/tasks"),
        &[
            ("csrf", &csrf),
            ("title", "Send the renewal proposal"),
            ("due_date", "2026-07-03"),
            ("owner", &am),
            ("priority", "high"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let find = || {
        s.store
            .tasks(&TaskFilter::default())
            .unwrap()
            .into_iter()
            .find(|t| t.title == "Send the renewal proposal")
            .unwrap()
    };
    let task = find();
    // Snooze it: it leaves the queue until the day.
    let r = c.post_form(
        &format!("/tasks/{}/snooze", task.id),
        &[("csrf", &csrf), ("version", &task.version.to_string()), ("until", "2026-07-10"), ("back", "/work")],
    );
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/work")));
    assert!(!c.get("/work").body.contains("Send the renewal proposal"));
    // A stale version is a conflict, never an overwrite.
    let r = c
        .post_form(&format!("/tasks/{}/complete", task.id), &[("csrf", &csrf), ("version", &task.version.to_string())]);
    assert_eq!(r.status, 409);
    assert!(r.body.contains("changed by someone else meanwhile"), "{}", r.body);
    assert_eq!(find().status, TaskStatus::Open);
    // Reassign to the director, then complete with the current version.
    let task = find();
    let r = c.post_form(
        &format!("/tasks/{}/reassign", task.id),
        &[("csrf", &csrf), ("version", &task.version.to_string()), ("owner", &user(Role::Director))],
    );
    assert_eq!(r.status, 303);
    assert_eq!(find().owner.map(|e| e.to_string()), Some(user(Role::Director)));
    let task = find();
    let r = c
        .post_form(&format!("/tasks/{}/complete", task.id), &[("csrf", &csrf), ("version", &task.version.to_string())]);
    assert_eq!(r.status, 303);
    assert_eq!(find().status, TaskStatus::Done);
    // A client cannot touch it, nor learn it exists.
    let mut client = s.signed_in(&client_of(&own));
    let ccsrf = client.get("/client").csrf();
    assert_eq!(
        client.post_form(&format!("/tasks/{}/complete", task.id), &[("csrf", &ccsrf), ("version", "1")]).status,
        404
    );
}

/// Issue 11, item 3: done can be undone, a snooze has its own list and the app's date
/// format, a reassignment picks a person by name, department and role and carries a note,
/// and a refused entry comes back beside its field with what was entered.
fn task_actions_forgive(s: &Server) {
    let (own, _) = accounts();
    let am = user(Role::AccountManager);
    let mut c = s.signed_in(&am);
    let csrf = c.get(&format!("/accounts/{own}")).csrf();
    let title = "Agree the renewal terms with finance";
    let r = c.post_form(
        &format!("/accounts/{own}/tasks"),
        &[("csrf", &csrf), ("title", title), ("due_date", "2026-07-08"), ("owner", &am), ("for_renewal", "on")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let find = || s.store.tasks(&TaskFilter::default()).unwrap().into_iter().find(|t| t.title == title).unwrap();
    let task = find();
    assert!(task.for_renewal, "the checkbox marks it as renewal work");
    let page = c.get(&format!("/tasks/{}", task.id));
    assert_eq!(page.status, 200, "{}", page.body);
    let director = s.store.user(&steward_domain::Email::parse(&user(Role::Director)).unwrap()).unwrap();
    assert!(page.body.contains(&format!("{} — Director", director.name)), "people told apart by role: {}", page.body);
    let version = |t: &steward_domain::Task| t.version.to_string();
    // A snooze date written another way comes back beside its field, as typed.
    let r = c.post_form(
        &format!("/tasks/{}/snooze", task.id),
        &[
            ("csrf", &csrf),
            ("version", &version(&task)),
            ("until", "next week"),
            ("back", &format!("/tasks/{}", task.id)),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("id=\"until-error\"")
            && r.body.contains("YYYY-MM-DD")
            && r.body.contains("value=\"next week\"")
    );
    // Snoozed, it has its own list, and wakes from there.
    let r = c.post_form(
        &format!("/tasks/{}/snooze", task.id),
        &[("csrf", &csrf), ("version", &version(&task)), ("until", "2026-07-20"), ("back", "/work")],
    );
    assert_eq!(r.status, 303);
    assert!(!c.get("/work").body.contains(title));
    let snoozed = c.get("/work?band=snoozed");
    assert!(snoozed.body.contains(title) && snoozed.body.contains("2026-07-20"), "the snoozed list");
    let task = find();
    let r = c.post_form(
        &format!("/tasks/{}/wake", task.id),
        &[("csrf", &csrf), ("version", &version(&task)), ("back", "/work?band=snoozed")],
    );
    assert_eq!(r.status, 303);
    assert!(c.get("/work").body.contains(title), "awake: back in the queue");
    // Reassigning to nobody: the problem beside the field, the note kept.
    let task = find();
    let note = "Finance wants the 3-year option costed\r\nand the 5-year one";
    let r = c.post_form(
        &format!("/tasks/{}/reassign", task.id),
        &[("csrf", &csrf), ("version", &version(&task)), ("owner", ""), ("note", note)],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"owner-error\"") && r.body.contains(note), "{}", r.body);
    let r = c.post_form(
        &format!("/tasks/{}/reassign", task.id),
        &[
            ("csrf", &csrf),
            ("version", &version(&task)),
            ("owner", director.email.as_str()),
            ("note", note),
            ("back", "/work"),
        ],
    );
    assert_eq!(r.status, 303);
    let task = find();
    assert_eq!(task.owner.as_ref(), Some(&director.email));
    assert!(
        task.detail.contains(&note.replace("\r\n", "\n")) && task.detail.contains("2026-"),
        "the note, signed and dated: {}",
        task.detail
    );
    // Done, with a way back.
    let mut d = s.signed_in(director.email.as_str());
    let dcsrf = d.get("/work").csrf();
    let r = d.post_form(
        &format!("/tasks/{}/complete", task.id),
        &[("csrf", &dcsrf), ("version", &version(&task)), ("back", "/work")],
    );
    assert_eq!(r.location.as_deref(), Some(format!("/work?done={}", task.id).as_str()));
    let after = d.get(&format!("/work?done={}", task.id));
    assert!(after.body.contains(&format!("Marked “{title}” done.")) && after.body.contains("Undo"), "{}", after.body);
    let done = find();
    assert_eq!(done.status, TaskStatus::Done);
    let r = d.post_form(
        &format!("/tasks/{}/reopen", done.id),
        &[("csrf", &dcsrf), ("version", &version(&done)), ("back", "/work")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(find().status, TaskStatus::Open, "undone");
}

/// Issue 11, item 4: the days since a decision maker was met read the same in health, the
/// playbooks' facts and the stakeholder list, for every live account of the book.
fn decision_maker_touch_reads_the_same_everywhere(s: &Server) {
    let today = web_support::as_of();
    let mut c = s.client();
    c.bearer = Some(s.token(&user(Role::Director)));
    let mut browser = s.signed_in(&user(Role::Director));
    let mut compared = 0;
    for account in book().accounts.iter().filter(|a| a.account.status == AccountStatus::Live) {
        let slug = account.account.slug.clone();
        // Health, this month.
        let months = c.get(&format!("/api/v1/accounts/{slug}/health?per_page=200")).json();
        let month = steward_domain::Month::of(today).to_string();
        let now = months["items"].as_array().unwrap().iter().find(|m| m["month"] == month.as_str()).cloned();
        let Some(now) = now else { continue };
        let in_health = now["drivers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["measure"] == "days_since_decision_maker_touch")
            .map(|d| d["value"].as_f64().unwrap() as i64);
        // The playbooks' facts.
        let data = steward_health::history::AccountData::load(&*s.store, &slug).unwrap();
        let health = steward_health::history::score_months(&Default::default(), &data, today);
        let facts = steward_health::run::facts(&data, &health, today);
        // The stakeholder list on Account 360.
        let page = browser.get(&format!("/accounts/{slug}")).body;
        let line = page.split("id=\"decision-maker-touch\">").nth(1).unwrap().split("</p>").next().unwrap().to_owned();
        match facts.last_decision_maker_touch {
            Some(day) => {
                let days = (today - day).num_days();
                assert_eq!(in_health, Some(days), "{slug}: health against the playbooks");
                assert!(
                    line.contains(&day.to_string()),
                    "{slug}: the stakeholder list says {line}, the playbooks {day}"
                );
                compared += 1;
            }
            None => assert!(line.contains("No decision maker met yet"), "{slug}: {line}"),
        }
    }
    assert!(compared >= 3, "the book has accounts whose decision makers were met: {compared}");
}

/// Issue 11, item 7: the contract card works the ARR out line by line — rate in force,
/// units, add-ons, the month × 12, the minimum — and its figures add up to the ARR the
/// header shows; company size and eligible employees are told apart.
fn arr_can_be_checked_by_hand(s: &Server) {
    let mut c = s.signed_in(&user(Role::Director));
    let cents = |text: &str| -> i64 {
        let digits: String = text.chars().filter(|ch| ch.is_ascii_digit()).collect();
        let n: i64 = digits.parse().unwrap();
        if text.contains('-') { -n } else { n }
    };
    let mut checked = 0;
    for account in book().accounts.iter().filter(|a| a.account.status == AccountStatus::Live) {
        let page = c.get(&format!("/accounts/{}", account.account.slug)).body;
        let Some(table) = page.split("<table class=\"bill\">").nth(1).map(|t| t.split("</table>").next().unwrap())
        else {
            continue;
        };
        let amounts: Vec<(String, i64)> = table
            .split("<tr")
            .skip(1)
            .map(|row| {
                let label = row.split("<th scope=\"row\">").nth(1).unwrap().split("</th>").next().unwrap().to_owned();
                let amount = row.rsplit("<td class=\"num\">").next().unwrap().split("</td>").next().unwrap();
                (label, cents(amount))
            })
            .collect();
        let get = |label: &str| amounts.iter().find(|(l, _)| l == label).map(|(_, c)| *c).unwrap();
        let lines: Vec<i64> = amounts.iter().take_while(|(l, _)| l != "A month").map(|(_, c)| *c).collect();
        let month = get("A month");
        assert!(
            (lines.iter().sum::<i64>() - month).abs() <= lines.len() as i64,
            "{}: lines {lines:?} make {month}",
            account.account.slug
        );
        assert_eq!(get("A year at this rate"), month * 12);
        let minimum = amounts.iter().find(|(l, _)| l == "Minimum annual commitment").map_or(0, |(_, c)| *c);
        let arr = get("ARR");
        assert_eq!(arr, (month * 12).max(minimum), "{}", account.account.slug);
        let short = steward_domain::Money::from_cents(arr).short();
        assert!(page.contains(&format!("<dt>ARR</dt><dd>{short}")), "the header's ARR is the card's: {short}");
        assert!(
            page.contains("eligible employees in the files"),
            "eligible employees labelled apart from company size"
        );
        checked += 1;
    }
    assert!(checked >= 5, "live accounts with a contract: {checked}");
}

/// A renewal lost before its term ends: the client still pays to the end, so Account 360, the
/// book's rows and the API keep the term's ARR (the ARR history's figure for the month) and
/// say the term is not renewed, with no renewal date left to chase.
fn a_lost_renewal_bills_to_its_term_s_end(s: &Server) {
    use steward_domain::opportunity::OpportunityKind;
    let today = web_support::as_of();
    let am = user(Role::AccountManager);
    let open = s
        .store
        .opportunities(&steward_store::OpportunityFilter {
            owner: Some(steward_domain::Email::parse(&am).unwrap()),
            kind: Some(OpportunityKind::Renewal),
            open_only: true,
            ..Default::default()
        })
        .unwrap();
    let (o, term) = open
        .iter()
        .find_map(|o| {
            let term = s.store.contract(o.contract_id?).ok()?;
            term.in_force(today).then_some((o, term))
        })
        .expect("the fixture has a renewal of a term in force");
    let mut c = s.signed_in(&am);
    let header_arr =
        |body: &str| body.split("<dt>ARR</dt><dd>").nth(1).unwrap().split(['<', '\n']).next().unwrap().to_owned();
    let before = c.get(&format!("/accounts/{}", o.account));
    assert!(before.body.contains("<dt>Renewal</dt>"), "up for renewal before");
    let csrf = before.csrf();
    let version = o.version.to_string();
    let r = c.post_form(
        &format!("/opportunities/{}/move", o.id),
        &[("csrf", &csrf), ("version", &version), ("to", "closed_lost"), ("lost_reason", "went with a competitor")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(s.store.contract(term.id).unwrap().renewal_outcome, steward_domain::RenewalOutcome::Churned);
    let after = c.get(&format!("/accounts/{}", o.account));
    assert_eq!(header_arr(&after.body), header_arr(&before.body), "the term still bills");
    assert_ne!(header_arr(&after.body), "—");
    assert!(!after.body.contains("<dt>Renewal</dt>"), "nothing left to renew");
    assert!(after.body.contains("<dt>Term ends</dt><dd>") && after.body.contains(&term.end_date.to_string()));
    assert!(after.body.contains("Not renewed: the client pays under this term to its end."));
    let mut api = s.client();
    api.bearer = Some(s.token(&am));
    let one = api.get(&format!("/api/v1/accounts/{}", o.account)).json();
    assert!(one["contract"].is_null(), "no contract up for renewal: {}", one["contract"]);
    let filter = steward_store::ArrFilter {
        account: Some(o.account.clone()),
        from: Some(steward_domain::Month::of(today)),
        to: Some(steward_domain::Month::of(today)),
    };
    let history = s.store.arr_snapshots(&filter).unwrap();
    let (_, snapshot) = history.first().expect("the month's ARR snapshot");
    assert_eq!(one["arr"].as_f64(), Some(snapshot.arr.dollars()), "the ARR history's figure for the month");
    let listed = api.get("/api/v1/accounts?per_page=200").json();
    let row = listed["items"].as_array().unwrap().iter().find(|a| a["slug"] == o.account.as_str()).unwrap().clone();
    assert_eq!(row["arr"], one["arr"], "the book's row bills the term too");
}

/// An account manager amends their client's contract from a page: a refusal keeps what
/// was typed with the problem beside its field; an amendment is a version with who and why;
/// the ARR history is the engine's bill on the new terms from their month on; the API reads
/// and changes the same, and a stale version is a conflict.
fn contracts_change_as_versions_and_arr_follows(s: &Server) {
    let (own, other) = accounts();
    let slug = Slug::parse(&own).unwrap();
    let before = s.store.contracts(&slug).unwrap().last().unwrap().clone();
    let mut c = s.signed_in(&user(Role::AccountManager));
    let page = c.get(&format!("/contracts/{}", before.id));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Amend from a month") && page.body.contains("Sign the next term"));
    let csrf = page.csrf();
    let path = format!("/contracts/{}/amend", before.id);
    let version = before.version.to_string();
    let rate = format!("{:.2}", (before.rate.cents + 25) as f64 / 100.0);
    let end = before.end_date.to_string();
    let month = steward_domain::Month::of(web_support::as_of()).to_string();
    let form = |from: &str, reason: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.clone()),
            ("from", from.to_owned()),
            ("model", before.pricing_model.to_string()),
            ("rate", rate.clone()),
            ("end_date", end.clone()),
            ("notice_days", before.notice_days.to_string()),
            ("reason", reason.to_owned()),
        ]
    };
    let send = |c: &mut web_support::Client, fields: Vec<(&str, String)>| {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        c.post_form(&path, &refs)
    };
    let r = send(&mut c, form("2026-13", ""));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("choose the month the new terms bill from"), "beside the month");
    assert!(r.body.contains("a reason is required"), "beside the reason");
    assert!(r.body.contains(&format!("value=\"{rate}\"")), "what was typed is kept");
    let r = send(&mut c, form("1999-01", "too early"));
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("within the contract&#x27;s term") || r.body.contains("within the contract's term"),
        "{}",
        r.body
    );
    assert_eq!(s.store.contract(before.id).unwrap().version, before.version, "a refusal writes nothing");
    let r = send(&mut c, form(&month, "Rate up 25 cents for onsite support"));
    assert_eq!(r.status, 303, "{}", r.body);
    let after = s.store.contract(before.id).unwrap();
    assert_eq!(after.version, before.version + 1);
    let last = after.history.last().unwrap();
    assert_eq!(last.kind, steward_domain::ChangeKind::Amended);
    assert_eq!(last.changed_by.as_ref().map(|e| e.to_string()), Some(user(Role::AccountManager)));
    assert_eq!(last.reason, "Rate up 25 cents for onsite support");
    assert!(c.get(&format!("/contracts/{}", before.id)).body.contains("Rate up 25 cents for onsite support"));
    // ARR snapshots: the engine's bill on the terms in effect, month by month.
    let counts = s.store.metrics(&slug, steward_store::CutKind::All, None, None).unwrap();
    let snaps =
        s.store.arr_snapshots(&steward_store::ArrFilter { account: Some(slug.clone()), ..Default::default() }).unwrap();
    let mut compared = 0;
    for (_, m, counts) in &counts {
        let Some(k) = s.store.contracts(&slug).unwrap().into_iter().find(|k| k.in_force(m.last_day())) else {
            continue;
        };
        let volume = steward_domain::pricing::Volume {
            eligible_employees: counts.eligible_employees,
            enrolled_members: counts.enrolled_members,
        };
        let engine = steward_domain::pricing::bill(&k, *m, volume).arr;
        let stored = snaps.iter().find(|(_, x)| x.month == *m).map(|(_, x)| x.arr);
        assert_eq!(stored, Some(engine), "{m}");
        compared += 1;
    }
    assert!(compared > 6, "{compared} months compared");
    // The API: the same contract, a stale version refused with the current one.
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::AccountManager)));
    let listed = api.get(&format!("/api/v1/accounts/{own}/contracts")).json();
    assert_eq!(listed["items"].as_array().unwrap().last().unwrap()["version"], json!(after.version));
    let terms = json!({ "pricing_model": before.pricing_model.as_str(), "rate": 9.99, "tiers": [], "annual_escalator_pct": 0,
                        "minimum_annual_commitment": null, "add_ons": [], "guarantees": [] });
    let body = |version: i64| {
        json!({ "version": version, "effective_from": format!("{month}-01"), "end_date": end,
                                      "notice_days": 60, "terms": terms, "reason": "by API" })
    };
    let stale = api.post_json(&format!("/api/v1/contracts/{}/amend", before.id), &body(before.version));
    assert_eq!(stale.status, 409, "{}", stale.body);
    let ok = api.post_json(&format!("/api/v1/contracts/{}/amend", before.id), &body(after.version));
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["rate"], json!(9.99));
    assert_eq!(ok.json()["history"].as_array().unwrap().len(), after.history.len() + 1);
    // Signing a term that overlaps is refused in one line beside the end date.
    let overlap = json!({ "start_date": before.start_date.to_string(), "end_date": end, "notice_days": 90, "terms": terms, "reason": "dup" });
    let r = api.post_json(&format!("/api/v1/accounts/{own}/contracts"), &overlap);
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]["fields"]["end_date"].as_str().unwrap().contains("overlaps contract"), "{}", r.body);
    // Someone else's client is not theirs to change.
    let theirs = s.store.contracts(&Slug::parse(&other).unwrap()).unwrap().last().unwrap().clone();
    let r = api.post_json(&format!("/api/v1/contracts/{}/amend", theirs.id), &body(theirs.version));
    assert_eq!(r.status, 403);
    let arr = api.get(&format!("/api/v1/arr?account={own}&per_page=200")).json();
    let months = arr["items"].as_array().unwrap();
    let newest =
        s.store.arr_snapshots(&steward_store::ArrFilter { account: Some(slug), ..Default::default() }).unwrap();
    assert_eq!(months.len(), newest.len().min(200));
    assert_eq!(months[0]["arr"].as_f64().unwrap(), newest[0].1.arr.dollars());
}

/// Retention through the API and the page adds up: churn, contraction and expansion make
/// the change of every group, the groups make the company, and GRR is never above 100%.
fn retention_adds_up(s: &Server) {
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::Director)));
    let month = steward_domain::Month::of(web_support::as_of()).plus(-1);
    for by in ["owner", "segment"] {
        let rows = api.get(&format!("/api/v1/retention?month={month}&by={by}")).json();
        let rows = rows["items"].as_array().unwrap().clone();
        let cents = |v: &serde_json::Value| (v.as_f64().unwrap() * 100.0).round() as i64;
        assert!(rows[0]["group"].is_null(), "the company first");
        assert!(rows[0]["accounts"].as_u64().unwrap() > 0, "a cohort a year back");
        for r in &rows {
            assert_eq!(
                cents(&r["churn"]) + cents(&r["contraction"]) + cents(&r["expansion"]),
                cents(&r["end_arr"]) - cents(&r["start_arr"]),
                "{r}"
            );
            assert!(r["grr"].as_f64().unwrap() <= 1.0 && r["grr"].as_f64() <= r["nrr"].as_f64(), "{r}");
        }
        let parts: i64 = rows[1..].iter().map(|r| cents(&r["start_arr"])).sum();
        assert_eq!(parts, cents(&rows[0]["start_arr"]), "{by}: the groups make the company");
        let churned: usize = rows[1..].iter().map(|r| r["churned"].as_array().unwrap().len()).sum();
        assert_eq!(churned, rows[0]["churned"].as_array().unwrap().len());
    }
    let mut c = s.signed_in(&user(Role::Director));
    let page = c.get(&format!("/retention?month={month}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("By account manager") && page.body.contains("By segment"));
    assert_eq!(c.get("/retention?month=2026-13").status, 422);
}

/// An account manager's pipeline is their own open opportunities; a button moves one on
/// (no script needed) and the move is kept with who made it; a loss without a reason comes
/// back beside the field; the forecast through the API is the domain's sums of the store.
fn the_pipeline_moves_and_the_forecast_adds_up(s: &Server) {
    let am = user(Role::AccountManager);
    let mine = steward_store::OpportunityFilter {
        owner: Some(steward_domain::Email::parse(&am).unwrap()),
        open_only: true,
        ..Default::default()
    };
    let open = s.store.opportunities(&mine).unwrap();
    assert!(!open.is_empty(), "the fixture gives the account manager open opportunities");
    let mut c = s.signed_in(&am);
    let page = c.get("/pipeline");
    assert_eq!(page.status, 200);
    assert_eq!(page.body.matches("<article class=\"opportunity").count(), open.len(), "their own, every one");
    let csrf = page.csrf();
    let o = open.iter().find(|o| o.stage != steward_domain::opportunity::Stage::Verbal).unwrap();
    let next = steward_domain::opportunity::Stage::ALL
        [steward_domain::opportunity::Stage::ALL.iter().position(|x| *x == o.stage).unwrap() + 1];
    let version = o.version.to_string();
    let r = c.post_form(
        &format!("/opportunities/{}/move", o.id),
        &[("csrf", &csrf), ("version", &version), ("to", next.as_str()), ("back", "/pipeline")],
    );
    assert_eq!((r.status, r.location.as_deref()), (303, Some("/pipeline")), "{}", r.body);
    let moved = s.store.opportunity(o.id).unwrap();
    assert_eq!(moved.stage, next);
    assert_eq!(moved.history.last().unwrap().by.as_ref().map(|e| e.to_string()), Some(am.clone()));
    let version = moved.version.to_string();
    let r = c.post_form(
        &format!("/opportunities/{}/move", o.id),
        &[("csrf", &csrf), ("version", &version), ("to", "closed_lost")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"lost_reason-error\"") && r.body.contains("say why it was lost"), "beside the reason");
    assert_eq!(s.store.opportunity(o.id).unwrap().stage, next, "a refusal writes nothing");
    // The forecast is the domain's sums of what the store holds.
    let all = s.store.opportunities(&steward_store::OpportunityFilter::default()).unwrap();
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::Director)));
    let cents = |v: &serde_json::Value| (v.as_f64().unwrap() * 100.0).round() as i64;
    let mut quarters: Vec<_> = all.iter().map(|o| steward_domain::forecast::Quarter::of_day(o.close_date)).collect();
    quarters.dedup();
    for q in quarters {
        let f = api.get(&format!("/api/v1/forecast?quarter={q}")).json();
        let t = steward_domain::forecast::totals(q, &all);
        assert_eq!(
            [cents(&f["won"]), cents(&f["commit"]), cents(&f["best_case"]), cents(&f["pipeline"])],
            [t.won.cents, t.commit.cents, t.best_case.cents, t.pipeline.cents],
            "{q}"
        );
        let owners: i64 = f["owners"].as_array().unwrap().iter().map(|o| cents(&o["commit"])).sum();
        assert_eq!(owners, t.commit.cents, "{q}: every opportunity has an owner, so the owners make the company");
    }
    assert_eq!(c.get("/forecast").status, 200);
    assert_eq!(c.get("/forecast?quarter=2026Q9").status, 422);
    let last = c.get("/forecast?quarter=2200-Q4");
    assert_eq!(last.status, 200);
    assert!(last.body.contains("The quarter before") && !last.body.contains("The quarter after"), "no link past 2200");
    assert_eq!(c.get("/forecast?quarter=2201-Q1").status, 422);
    let every = c.get("/forecast?owner=all&rows=all");
    assert_eq!(every.status, 200);
    assert!(!every.body.contains("every row</a>"), "every row shown, no link to more");
}

/// A board's column holds the stage's cards closing soonest and says how many more; the
/// stage's own page goes through every card a page at a time; everyone's board offers no
/// add form (a new opportunity goes on the chosen owner's accounts).
fn a_board_shows_each_stages_soonest_and_pages_the_rest(s: &Server) {
    use steward_domain::opportunity::{NewOpportunity, OpportunityKind, Stage};
    let director = user(Role::Director);
    let (own, _) = accounts();
    let first = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    for i in 0..55u64 {
        let new = NewOpportunity {
            account: steward_domain::Slug::parse(&own).unwrap(),
            kind: OpportunityKind::Upsell,
            scope: None,
            title: format!("Board card {i:02}"),
            stage: Stage::Negotiation,
            amount: steward_domain::Money::from_cents(10_000),
            renewing_arr: None,
            // Long past, so these close before anything the fixture holds.
            close_date: first + chrono::Days::new(i),
            owner: Some(steward_domain::Email::parse(&director).unwrap()),
            contract_id: None,
        };
        s.store.create_opportunity(&new, None).unwrap();
    }
    let mut c = s.signed_in(&director);
    let owner = director.replace('@', "%40");
    let cards =
        |body: &str| -> Vec<String> { body.split("<p>Board card ").skip(1).map(|rest| rest[..2].to_owned()).collect() };
    let board = c.get(&format!("/pipeline?owner={owner}"));
    assert_eq!(board.status, 200);
    let first_twenty: Vec<String> = (0..20).map(|i| format!("{i:02}")).collect();
    assert_eq!(cards(&board.body), first_twenty, "the twenty closing soonest, soonest first");
    let stage_link = format!("&#x2f;pipeline?owner={owner}&amp;stage=negotiation");
    let more = board.body.find("more closing later").map(|i| &board.body[i.saturating_sub(120)..i]);
    assert!(board.body.contains(&stage_link), "a link to the stage's every card: {more:?}");
    assert!(board.body.contains("more closing later"), "says how many more");

    let page_one = c.get(&format!("/pipeline?owner={owner}&stage=negotiation"));
    assert_eq!(page_one.status, 200);
    assert_eq!(cards(&page_one.body).len(), 50, "a page of fifty");
    assert!(page_one.body.contains("rel=\"next\"") && !page_one.body.contains("rel=\"prev\""));
    let page_two = c.get(&format!("/pipeline?owner={owner}&stage=negotiation&page=2"));
    let rest: Vec<String> = (50..55).map(|i| format!("{i:02}")).collect();
    assert_eq!(cards(&page_two.body), rest, "the rest on the next page");
    assert!(page_two.body.contains("rel=\"prev\""));
    let past_the_end = c.get(&format!("/pipeline?owner={owner}&stage=negotiation&page=9"));
    assert_eq!(cards(&past_the_end.body), rest, "a page past the last shows the last");
    assert_eq!(c.get(&format!("/pipeline?owner={owner}&stage=closed_won")).status, 422, "a closed stage is no column");

    let am = user(Role::AccountManager);
    let theirs = c.get(&format!("/pipeline?owner={}", am.replace('@', "%40")));
    assert!(theirs.body.contains("New upsell or expansion"), "an owner's board adds to their accounts");
    assert!(theirs.body.contains(&format!("<option value=\"{own}\">")), "theirs among them");
    let everyone = c.get("/pipeline?owner=all");
    assert_eq!(everyone.status, 200);
    assert!(!everyone.body.contains("New upsell or expansion"), "no form listing every account of the company");
    assert!(everyone.body.contains("choose whose pipeline"));

    // The forecast page keeps its reading a short while; a change through this server
    // drops it, so the change shows at once.
    let before = c.get("/forecast?quarter=2031Q1&owner=all");
    assert!(before.body.contains("No goals set for 2031."), "{}", before.body);
    let csrf = before.csrf();
    let r = c.post_form(
        "/goals",
        &[("csrf", &csrf), ("owner", &am), ("year", "2031"), ("grr", "90"), ("nrr", "104"), ("bookings", "40000")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let after = c.get("/forecast?quarter=2031Q1&owner=all");
    assert!(!after.body.contains("No goals set for 2031."), "the goal shows at once");
    let am_name = &book().users.iter().find(|u| u.email.as_str() == am).unwrap().name;
    let by_owner = after.body.split("By account manager").nth(1).unwrap_or_default();
    assert!(
        by_owner.contains(am_name.as_str()),
        "an owner with a goal has a line, with nothing closing in the quarter"
    );
}

/// The approval state machine over HTTP: a deep discount waits for a director; an account
/// manager may submit but not approve (403 on the API, no button on the page); a change after
/// approval needs approval again; accepting fills the opportunity's amount with the quote's
/// ARR change; the quote's price is the engine's bill on the account's actual volumes.
fn quotes_need_a_director_past_the_threshold(s: &Server) {
    use steward_domain::opportunity::OpportunityKind;
    use steward_domain::quote::QuoteStatus;
    let am = user(Role::AccountManager);
    let mine = steward_store::OpportunityFilter {
        owner: Some(steward_domain::Email::parse(&am).unwrap()),
        kind: Some(OpportunityKind::Renewal),
        open_only: true,
        ..Default::default()
    };
    let o = s.store.opportunities(&mine).unwrap().into_iter().next().expect("an open renewal of the account manager's");
    let renewed = s.store.contract(o.contract_id.unwrap()).unwrap();
    let mut api = s.client();
    api.bearer = Some(s.token(&am));
    let terms = |rate: f64| {
        json!({ "pricing_model": "pepm", "rate": rate, "tiers": [], "annual_escalator_pct": 3,
                                    "minimum_annual_commitment": null, "add_ons": [], "guarantees": [] })
    };
    let start = renewed.end_date.succ_opt().unwrap().to_string();
    let made = api.post_json(
        "/api/v1/quotes",
        &json!({ "account": o.account, "opportunity_id": o.id, "terms": terms(2.0), "start_date": start, "term_months": 24 }),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let q = made.json();
    let id = q["id"].as_i64().unwrap();
    assert!(q["discount_pct"].as_f64().unwrap() > 10.0, "PEPM $2.00 is far below the list: {}", q["discount_pct"]);
    // The engine's bill on the last twelve complete months, placed in the quoted year.
    let stored = s.store.quote(id).unwrap();
    let (price, _) = steward_health::quotes::price_draft(
        &*s.store,
        &steward_domain::quote::QuoteDraft {
            account: stored.account.clone(),
            opportunity_id: stored.opportunity_id,
            terms: stored.terms.clone(),
            start_date: stored.start_date,
            term_months: stored.term_months,
            what_if_points: stored.what_if_points,
        },
        web_support::as_of(),
    )
    .unwrap();
    assert_eq!(price, stored.price, "what is kept is what the engine prices");
    let step = |api: &mut web_support::Client, what: &str, version: i64| {
        api.post_json(&format!("/api/v1/quotes/{id}/{what}"), &json!({ "version": version, "note": what }))
    };
    let submitted = step(&mut api, "submit", 1).json();
    assert_eq!(submitted["status"], "submitted");
    let v = submitted["version"].as_i64().unwrap();
    assert_eq!(step(&mut api, "approve", v).status, 403, "an account manager does not approve");
    let mut c = s.signed_in(&am);
    let page = c.get(&format!("/quotes/{id}"));
    assert!(!page.body.contains("/approve"), "no approve button for an account manager");
    assert_eq!(
        c.post_form(&format!("/quotes/{id}/approve"), &[("csrf", &page.csrf()), ("version", &v.to_string())]).status,
        403
    );
    let waiting = |s: &Server| {
        s.store
            .tasks(&TaskFilter { status: Some(TaskStatus::Open), ..Default::default() })
            .unwrap()
            .into_iter()
            .filter(|t| t.source_key.as_deref().is_some_and(|k| k.starts_with(&format!("quote:{id}:approval:"))))
            .count()
    };
    assert!(waiting(s) >= 1, "every director has it in My work");
    let mut director = s.client();
    director.bearer = Some(s.token(&user(Role::Director)));
    let approved = step(&mut director, "approve", v).json();
    assert_eq!(approved["status"], "approved", "{approved}");
    assert_eq!(waiting(s), 0, "decided: the approval tasks are done");
    // A change after approval needs approval again.
    let body = json!({ "version": approved["version"], "terms": terms(1.5), "start_date": start, "term_months": 24 });
    let revised = api.post_json(&format!("/api/v1/quotes/{id}/revise"), &body).json();
    assert_eq!(revised["status"], "draft", "{revised}");
    assert!(revised["history"].as_array().unwrap().iter().any(|h| h["note"] == "changed: it needs approval again"));
    assert_eq!(
        step(&mut api, "accept", revised["version"].as_i64().unwrap()).status,
        422,
        "not approved: not acceptable"
    );
    let again = step(&mut api, "submit", revised["version"].as_i64().unwrap()).json();
    let approved = step(&mut director, "approve", again["version"].as_i64().unwrap()).json();
    let accepted = step(&mut api, "accept", approved["version"].as_i64().unwrap()).json();
    assert_eq!(accepted["status"], "accepted");
    let amount = s.store.opportunity(o.id).unwrap().amount;
    assert_eq!(
        amount.dollars(),
        accepted["arr_change"].as_f64().unwrap(),
        "the opportunity takes the quote's ARR change"
    );
    assert_eq!(s.store.quote(id).unwrap().status, QuoteStatus::Accepted);
}

/// An account manager adds, edits, rates and retires a stakeholder from the pages; a bad
/// entry comes back beside its field; the history holds each version with who made it.
fn stakeholders_are_edited_with_their_history(s: &Server) {
    let (own, _) = accounts();
    let am = user(Role::AccountManager);
    let mut c = s.signed_in(&am);
    let csrf = c.get(&format!("/accounts/{own}")).csrf();
    let add = |c: &mut web_support::Client, influence: &str| {
        c.post_form(
            &format!("/accounts/{own}/contacts"),
            &[
                ("csrf", &csrf),
                ("name", "Ines Talvor"),
                ("title", "CFO"),
                ("role", "finance"),
                ("influence", influence),
                ("sentiment", "+1"),
                ("email", "ines.talvor@client.example"),
                ("phone", "+1 (555) 010-2000"),
            ],
        )
    };
    let r = add(&mut c, "9");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("id=\"influence-error\"") && r.body.contains("influence is 1 to 5"), "beside the field");
    assert!(r.body.contains("value=\"Ines Talvor\""), "what was typed is kept");
    assert_eq!(add(&mut c, "4").status, 303);
    let slug = Slug::parse(&own).unwrap();
    let ines = s.store.contacts(&slug).unwrap().into_iter().find(|k| k.name == "Ines Talvor").unwrap();
    assert_eq!((ines.influence, ines.sentiment), (4, 1));
    let page = c.get(&format!("/contacts/{}", ines.id));
    assert_eq!(page.status, 200);
    let v = ines.version.to_string();
    let r = c.post_form(
        &format!("/contacts/{}/edit", ines.id),
        &[
            ("csrf", &csrf),
            ("version", &v),
            ("name", "Ines Talvor"),
            ("title", "CFO and COO"),
            ("role", "decision_maker"),
            ("influence", "5"),
            ("sentiment", "2"),
            ("email", ""),
            ("phone", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let r =
        c.post_form(&format!("/contacts/{}/csat", ines.id), &[("csrf", &csrf), ("quarter", "2026Q2"), ("score", "4")]);
    assert_eq!(r.status, 303);
    let rated = s.store.csat_ratings(&slug).unwrap().into_iter().find(|r| r.contact_id == Some(ines.id)).unwrap();
    assert_eq!(
        (rated.rated_on.to_string(), rated.score),
        ("2026-06-30".to_owned(), 4),
        "kept on the quarter's last day"
    );
    let current = s.store.contact(ines.id).unwrap();
    let r = c.post_form(
        &format!("/contacts/{}/retire", ines.id),
        &[("csrf", &csrf), ("version", &current.version.to_string()), ("on", "2026-06-30")],
    );
    assert_eq!(r.status, 303);
    assert!(s.store.contacts(&slug).unwrap().iter().all(|k| k.id != ines.id), "retired: no longer listed");
    let mut api = s.client();
    api.bearer = Some(s.token(&am));
    let history = api.get(&format!("/api/v1/contacts/{}/history", ines.id)).json();
    let changes: Vec<&str> =
        history["items"].as_array().unwrap().iter().map(|h| h["change"].as_str().unwrap()).collect();
    assert_eq!(changes, ["added", "edited", "retired"]);
    assert!(history["items"].as_array().unwrap().iter().all(|h| h["changed_by"] == json!(am)));
    assert_eq!(history["items"][1]["title"], "CFO and COO");
}

fn work_queue_is_ranked_with_reasons(s: &Server) {
    let am = user(Role::AccountManager);
    let mut c = s.signed_in(&am);
    let page = c.get("/work");
    assert_eq!(page.status, 200);
    let expected = steward_health::work::queue(
        &*s.store,
        &Default::default(),
        &steward_domain::Email::parse(&am).unwrap(),
        web_support::as_of(),
    )
    .unwrap();
    assert!(!expected.is_empty(), "the fixture's playbooks opened tasks for this account manager");
    let mut at = 0;
    for row in &expected {
        let title = minijinja_escape(&row.task);
        let found = page.body[at..].find(&title).unwrap_or_else(|| panic!("{title} in rank order"));
        at += found;
        assert!(page.body.contains(&minijinja_escape(&row.reason)), "reason shown: {}", row.reason);
    }
    assert!(
        page.body.contains("Done") && page.body.contains("Snooze") && page.body.contains("href=\"/tasks/"),
        "done and snooze in the row, the rest on the task's page"
    );
}

fn minijinja_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
}

const VISITS: &[u8] = b"visit_id,member_id,visit_date,modality,metro,status\nWEB1,0000001,2026-06-02,in_office,seattle,completed\nWEB2,0000001,2026-99-02,video,seattle,completed\n";

fn upload_shows_row_errors(s: &Server) {
    let (own, _) = accounts();
    let mut c = s.signed_in(&user(Role::AccountManager));
    let page = c.get("/imports");
    assert_eq!(page.status, 200);
    let csrf = page.csrf();
    let boundary = "steward-test-boundary";
    let ct = format!("multipart/form-data; boundary={boundary}");
    // Missing kind: the form comes back with the error beside it.
    let r = c.post_bytes(
        "/imports",
        &ct,
        &multipart(boundary, &[("csrf", &csrf), ("account", &own), ("kind", "")], ("visits.csv", VISITS)),
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("choose what the file holds"));
    let r = c.post_bytes(
        "/imports",
        &ct,
        &multipart(boundary, &[("csrf", &csrf), ("account", &own), ("kind", "visits")], ("visits.csv", VISITS)),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let batch = c.get(r.location.as_deref().unwrap());
    assert_eq!(batch.status, 200);
    assert!(batch.body.contains("visits.csv") && batch.body.contains("Applied with errors"), "{}", batch.body);
    assert!(batch.body.contains("line 3"), "the error's line number: {}", batch.body);
    // Without the token nothing is imported.
    let count = s.store.imports(None).unwrap().len();
    let r = c.post_bytes(
        "/imports",
        &ct,
        &multipart(boundary, &[("account", &own), ("kind", "visits")], ("again.csv", VISITS)),
    );
    assert_eq!(r.status, 403);
    assert_eq!(s.store.imports(None).unwrap().len(), count);
}

/// Issue 11, item 8: a batch page says plainly what happened — never a success when most rows
/// failed — groups repeated errors with a count and a hint, warns about values and columns
/// it could not use, and never shows a command-line flag.
fn imports_speak_plainly(s: &Server) {
    let prospect = book().accounts.iter().find(|a| a.account.status == AccountStatus::Prospect).unwrap();
    let slug = prospect.account.slug.to_string();
    let mut c = s.signed_in(&user(Role::Director));
    let csrf = c.get("/imports").csrf();
    let boundary = "steward-test-boundary";
    let ct = format!("multipart/form-data; boundary={boundary}");
    let mut upload = |account: &str, name: &str, body: &str, force: bool| {
        let mut fields =
            vec![("csrf", csrf.as_str()), ("account", account), ("kind", "eligibility"), ("as_of", "2026-06-01")];
        if force {
            fields.push(("force", "on"));
        }
        let r = c.post_bytes("/imports", &ct, &multipart(boundary, &fields, (name, body.as_bytes())));
        assert_eq!(r.status, 303, "{}", r.body);
        c.get(r.location.as_deref().unwrap()).body
    };
    // Dates the American way throughout: every row fails for one reason, said once.
    let us =
        "member_id,relationship,coverage_start\nA1,employee,03/01/2026\nA2,employee,03/01/2026\nA3,spouse,03/01/2026\n";
    let page = upload(&slug, "census-us.csv", us, false);
    assert!(page.contains("<strong>Refused.</strong> Nothing in this file was applied."), "{page}");
    assert!(page.contains("the file writes dates as MM&#x2f;DD&#x2f;YYYY"), "the shape of the dates: {page}");
    assert_eq!(page.matches("coverage_start is not a date in YYYY-MM-DD format").count(), 1, "one line for three rows");
    assert!(page.contains("3 rows: line 2, 3, 4"), "{page}");
    assert!(page.contains("a column mapping that has their date format"), "a hint");
    // One good row of four: not a success.
    let most = "member_id,relationship,coverage_start,birth_date,sex\nB1,employee,2026-03-01,13/45/1980,Q\nB2,boss,2026-03-01,,\nB3,boss,2026-03-01,,\nB4,boss,2026-03-01,,\n";
    let page = upload(&slug, "census-most.csv", most, false);
    assert!(page.contains("<strong>Most rows failed.</strong> Only 1 of 4 rows (25%) were applied"), "{page}");
    assert!(!page.contains("tone-applied\""), "no success colour");
    assert!(page.contains("birth_date is not a date in YYYY-MM-DD format: the row is kept without it"), "{page}");
    assert!(page.contains("sex is not one of M, F, U"), "{page}");
    // No birth_date column: applied, with a warning for the sender.
    let plain = "member_id,relationship,coverage_start\nB1,employee,2026-03-01\nC2,employee,2026-03-01\n";
    let page = upload(&slug, "census-plain.csv", plain, false);
    assert!(page.contains("<strong>Applied.</strong> All 2 rows are in"), "{page}");
    assert!(page.contains("the file has no birth_date column: everyone&#x27;s age band is unknown"), "{page}");
    assert!(page.contains("The file as a whole"), "a file's warning is not a row's");
    // The termination guard, in the web's words.
    let (own, _) = accounts();
    let one = "member_id,relationship,coverage_start\nZ1,employee,2026-03-01\n";
    let page = upload(&own, "census-one.csv", one, false);
    assert!(
        page.contains("termination_guard") && page.contains("Apply even if it ends more than 20% of eligibility"),
        "{page}"
    );
    for flag in ["--force", "--as-of", "--mapping"] {
        assert!(!page.contains(flag), "a command-line flag on a web page: {flag}");
        assert!(!c.get("/imports").body.contains(flag), "{flag} on the imports page");
    }
}

/// Issue 14, item 6: the director's portfolio report — every book's clients, ARR and health
/// bands agree with the book through the API, its retention with the retention API's, and
/// the same figures come as a page, a PDF and a CSV.
fn the_director_reads_the_portfolio(s: &Server) {
    let mut d = s.signed_in(&user(Role::Director));
    let page = d.get("/portfolio");
    assert_eq!(page.status, 200);
    for section in [
        "Books by account manager",
        "Renewals by quarter and forecast call",
        "Health distribution",
        "Goal attainment",
        "Accounts at risk",
        "Download PDF",
    ] {
        assert!(page.body.contains(section), "{section}");
    }
    assert!(d.get("/team").body.contains(">Portfolio</a>"), "the director's navigation leads there");
    let csv = d.get("/portfolio.csv");
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let value = |item: &str, measure: &str| -> Option<f64> {
        let line = format!("books,{item},{measure},");
        let found = csv.body.lines().find(|l| l.starts_with(&line)).unwrap_or_else(|| panic!("{line} in {}", csv.body));
        found.rsplit(',').next().unwrap().parse().ok()
    };
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::Director)));
    let listed = api.get("/api/v1/accounts?per_page=200&status=all").json();
    let listed_all = listed["items"].as_array().unwrap();
    let clients: Vec<&serde_json::Value> =
        listed_all.iter().filter(|a| a["status"] == "live" || a["status"] == "implementing").collect();
    let retention = api.get("/api/v1/retention?by=owner").json();
    let managers: Vec<_> =
        s.store.users().unwrap().into_iter().filter(|u| u.role == Role::AccountManager && u.active).collect();
    assert!(managers.len() >= 2);
    for m in &managers {
        let theirs: Vec<_> = clients.iter().filter(|a| a["owner"] == m.email.as_str()).collect();
        let email = m.email.as_str();
        assert_eq!(value(email, "clients"), Some(theirs.len() as f64), "{email}");
        let arr: f64 = theirs.iter().filter_map(|a| a["arr"].as_f64()).sum();
        assert!((value(email, "arr").unwrap() - arr).abs() < 0.005, "{email}: ARR {arr}");
        let red = theirs.iter().filter(|a| a["health"]["band"] == "red").count();
        assert_eq!(value(email, "red"), Some(red as f64), "{email}");
        let row = retention["items"].as_array().unwrap().iter().find(|r| r["group"] == email).unwrap();
        let (grr, api_grr) = (value(email, "grr").unwrap(), row["grr"].as_f64().unwrap());
        assert!((grr - api_grr).abs() < 1e-12, "{email}: GRR {grr} and {api_grr}");
        assert!(page.body.contains(&minijinja_escape(&m.name)), "{} has a line", m.name);
    }
    assert_eq!(value("company", "clients"), Some(clients.len() as f64));
    // The accounts at risk are the red clients; the renewals, the terms ending in the year of
    // every account but a prospect.
    let mut red: Vec<&str> =
        clients.iter().filter(|a| a["health"]["band"] == "red").map(|a| a["slug"].as_str().unwrap()).collect();
    let mut listed: Vec<&str> = csv
        .body
        .lines()
        .filter(|l| l.starts_with("at_risk,") && l.contains(",score,"))
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    red.sort_unstable();
    listed.sort_unstable();
    assert!(!red.is_empty(), "the fixture has red clients");
    assert_eq!(listed, red);
    let today = web_support::as_of();
    let first = steward_domain::forecast::Quarter::of_day(today);
    let (from, to) = (first.first_day(), first.next().next().next().last_day());
    let ending: usize = listed_all
        .iter()
        .filter(|a| a["status"] != "prospect")
        .map(|a| {
            let slug = Slug::parse(a["slug"].as_str().unwrap()).unwrap();
            let left = a["status"] == "churned";
            let terms = s.store.contracts(&slug).unwrap();
            // An account that left counts the term it left at the end of, not one it quit.
            terms
                .iter()
                .filter(|c| !left || c.renewal_outcome == steward_domain::RenewalOutcome::Churned)
                .filter(|c| (from..=to).contains(&c.end_date))
                .count()
        })
        .sum();
    assert_eq!(value("company", "renewals"), Some(ending as f64));
    let (nrr, api_nrr) = (value("company", "nrr").unwrap(), retention["items"][0]["nrr"].as_f64().unwrap());
    assert!((nrr - api_nrr).abs() < 1e-12, "NRR {nrr} and {api_nrr}");
    // The API gives the same reading.
    let json = api.get("/api/v1/portfolio").json();
    assert_eq!(json["company"]["accounts"].as_u64(), Some(clients.len() as u64), "{json}");
    let mut from_api: Vec<&str> =
        json["at_risk"].as_array().unwrap().iter().map(|a| a["slug"].as_str().unwrap()).collect();
    from_api.sort_unstable();
    assert_eq!(from_api, red);
    assert_eq!(json["renewals"].as_array().unwrap().len(), 4);
    let pdf = d.get("/portfolio.pdf");
    assert_eq!((pdf.status, pdf.header("content-type")), (200, Some("application/pdf")));
    assert!(pdf.body.starts_with("%PDF-"));
}

/// Issue 11, item 9: a director's Team page — each account manager's accounts, ARR, risk,
/// renewals, overdue and due-soon work and last activity, agreeing with the store — leads
/// into their queue and book; the director's own queue holds the team's overdue work on
/// accounts nobody owns.
fn the_team_page_shows_every_book_and_queue(s: &Server) {
    let today = web_support::as_of();
    let mut d = s.signed_in(&user(Role::Director));
    let page = d.get("/team");
    assert_eq!(page.status, 200);
    let managers: Vec<_> =
        s.store.users().unwrap().into_iter().filter(|u| u.role == Role::AccountManager && u.active).collect();
    assert!(managers.len() >= 2);
    let open = s.store.tasks(&TaskFilter { status: Some(TaskStatus::Open), ..Default::default() }).unwrap();
    for m in &managers {
        let link = format!("work?user={}\">{}</a></th>", m.email.as_str().replace('@', "%40"), m.name);
        let row = page.body.split(&link).nth(1).unwrap_or_else(|| panic!("{} has a line: {}", m.name, page.body));
        let row = row.split("</tr>").next().unwrap();
        let overdue =
            open.iter().filter(|t| t.owner.as_ref() == Some(&m.email) && t.due_date.is_some_and(|d| d < today)).count();
        let cells: Vec<&str> = row.split("class=\"num\">").skip(1).map(|c| c.split("</td>").next().unwrap()).collect();
        let overdue_cell = cells[5].replace("<strong>", "").replace("</strong>", "");
        assert_eq!(overdue_cell, overdue.to_string(), "{}'s overdue tasks: {row}", m.name);
        let live = book()
            .accounts
            .iter()
            .filter(|a| a.account.owner.as_ref() == Some(&m.email) && a.account.status != AccountStatus::Churned)
            .count();
        assert!(cells[0].contains(&format!(">{live}</a>")), "{}'s accounts: {row}", m.name);
    }
    // Into one account manager's queue: the same rows they see.
    let am = &managers[0];
    let theirs = d.get(&format!("/work?user={}", am.email.as_str()));
    assert_eq!(theirs.status, 200);
    assert!(
        theirs.body.contains(&format!("{}&#x27;s work", am.name))
            || theirs.body.contains(&format!("{}'s work", am.name))
    );
    for row in steward_health::work::queue(&*s.store, &Default::default(), &am.email, today).unwrap().iter().take(5) {
        assert!(theirs.body.contains(&minijinja_escape(&row.task)), "{} in {}'s queue", row.task, am.name);
    }
    // An overdue task on an account nobody owns reaches the director's own queue.
    let mut orphan = steward_domain::NewAccount::new(Slug::parse("orphan-co").unwrap(), "Orphan Co");
    orphan.status = AccountStatus::Live;
    s.store.create_account(&orphan).unwrap();
    s.store
        .create_task(&manual_task(
            "orphan-co",
            "Send the orphaned renewal notice",
            "",
            &am.email,
            today - chrono::Days::new(3),
        ))
        .unwrap();
    let mine = d.get("/work");
    assert!(
        mine.body.contains("Send the orphaned renewal notice") && mine.body.contains("the account has no owner"),
        "{}",
        mine.body
    );
}

/// Issue 11, item 10: a colleague given a task sees its notes and the facts it was opened on,
/// and on the account what their department's work needs — operations the import errors,
/// marketing enrollment by worksite, both the client contacts for the work — and nothing else.
fn colleagues_see_what_their_task_needs(s: &Server) {
    use steward_domain::Department;
    let (own, _) = accounts();
    let colleague = |dept: Department| {
        book().users.iter().find(|u| u.role == Role::Colleague && u.department == Some(dept)).unwrap().email.clone()
    };
    let (ops, marketing) = (colleague(Department::Operations), colleague(Department::Marketing));
    for (who, title) in [(&ops, "Fix the eligibility feed's dates"), (&marketing, "Plan the worksite campaign")] {
        let note = "Most rows of the last census failed on dates.";
        s.store.create_task(&manual_task(&own, title, note, who, web_support::as_of())).unwrap();
    }
    let task_of =
        |title: &str| s.store.tasks(&TaskFilter::default()).unwrap().into_iter().find(|t| t.title == title).unwrap();
    let mut o = s.signed_in(ops.as_str());
    let page = o.get(&format!("/tasks/{}", task_of("Fix the eligibility feed's dates").id));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Most rows of the last census failed on dates."), "the task's note");
    let account = o.get(&format!("/accounts/{own}"));
    assert_eq!(account.status, 200);
    assert!(
        account.body.contains("Recent imports") && account.body.contains("Client contacts for this work"),
        "{}",
        account.body
    );
    assert!(!account.body.contains("Enrollment by worksite"), "not marketing's");
    let mut m = s.signed_in(marketing.as_str());
    let account = m.get(&format!("/accounts/{own}"));
    assert!(
        account.body.contains("Enrollment by worksite") && account.body.contains("Client contacts for this work"),
        "{}",
        account.body
    );
    assert!(!account.body.contains("Recent imports"), "not operations'");
    for page in [o.get(&format!("/accounts/{own}")).body, account.body] {
        for hidden in ["Health", "Stakeholders", "Timeline", "ARR", "Decision maker"] {
            assert!(!page.contains(&format!(">{hidden}<")), "{hidden} is not a colleague's");
        }
    }
}

/// A renewal deadline leaves the owner's queue only while a renewal task of theirs is in it:
/// snoozed away or given to a colleague, the deadline comes back as its own row.
fn a_renewal_is_served_only_by_the_owners_own_task(s: &Server) {
    use steward_domain::TaskAssignment;
    let am = user(Role::AccountManager);
    let mut api = s.client();
    api.bearer = Some(s.token(&am));
    let mut rows = || api.get("/api/v1/work?per_page=200").json()["items"].as_array().unwrap().clone();
    let deadline_of = |rows: &[serde_json::Value], account: &str| {
        rows.iter().any(|r| r["task_id"].is_null() && r["account"] == account && r["band"] == "renewal_deadline")
    };
    let served = rows()
        .into_iter()
        .find(|r| r["band"] == "renewal_deadline" && !r["task_id"].is_null())
        .expect("a renewal task in the deadline band");
    let account = served["account"].as_str().unwrap().to_owned();
    let id = served["task_id"].as_i64().unwrap();
    assert!(!deadline_of(&rows(), &account), "served by the owner's own task");
    let task = s.store.task(id).unwrap();
    let snoozed = TaskAssignment {
        snoozed_until: Some(web_support::as_of() + chrono::Days::new(200)),
        ..TaskAssignment::of(&task)
    };
    let task = s.store.assign_task(id, &snoozed, task.version).unwrap();
    assert!(deadline_of(&rows(), &account), "snoozed past the deadline: the deadline is back");
    let colleague = steward_domain::Email::parse(&user(Role::Colleague)).unwrap();
    let given =
        TaskAssignment { owner: Some(colleague), department: None, snoozed_until: None, ..TaskAssignment::of(&task) };
    s.store.assign_task(id, &given, task.version).unwrap();
    assert!(deadline_of(&rows(), &account), "given to a colleague: the deadline stays the owner's");
}

/// A task added by hand on `account` for `owner`.
fn manual_task(
    account: &str,
    title: &str,
    detail: &str,
    owner: &steward_domain::Email,
    due: chrono::NaiveDate,
) -> steward_domain::NewTask {
    steward_domain::NewTask {
        account: Some(Slug::parse(account).unwrap()),
        title: title.into(),
        detail: detail.into(),
        owner: Some(owner.clone()),
        department: None,
        due_date: Some(due),
        priority: steward_domain::Priority::Normal,
        escalation: false,
        for_renewal: false,
        source: steward_domain::TaskSource::Manual,
        source_key: None,
        objective: None,
    }
}

fn client_sees_only_their_suppressed_results(s: &Server) {
    let (own, other) = accounts();
    let who = client_of(&own);
    let mut c = s.signed_in(&who);
    assert_eq!(c.get("/").location.as_deref(), Some("/client"));
    let page = c.get("/client");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("program results") && page.body.contains("shown as “&lt;11”"));
    for hidden in ["Health", "Stakeholders", "Timeline", "ARR", "Open tasks", "Renewal"] {
        assert!(!page.body.contains(hidden), "no internal {hidden} for a client");
    }
    // Every metro view hides small cells; some metro of a ~700-life account has one.
    let metros: Vec<_> = demo_account(&own).worksites.iter().map(|w| w.metro).collect();
    let mut saw_suppressed = false;
    for m in &metros {
        let r = c.get(&format!("/client?by=metro&cut={}", m.as_str()));
        assert_eq!(r.status, 200);
        saw_suppressed |= r.body.contains("&lt;11");
    }
    let mut api = s.client();
    api.bearer = Some(s.token(&who));
    let mut series = |by: &str, cut: &str| -> Vec<serde_json::Value> {
        let path = format!("/api/v1/accounts/{own}/results?by={by}&cut={}&per_page=200", web_support::encode(cut));
        api.get(&path).json()["items"].as_array().unwrap().clone()
    };
    for m in &metros {
        for month in series("metro", m.as_str()) {
            let quarter = &month["quarter"];
            for (field, value) in [
                ("eligible_lives", &month["eligible_lives"]),
                ("enrolled_members", &month["enrolled_members"]),
                ("active_members_12m", &quarter["active_members_12m"]),
                ("visits_in_office", &quarter["visits_in_office"]),
                ("visits_video", &quarter["visits_video"]),
                ("visits_remote_other", &quarter["visits_remote_other"]),
                ("nps_responses", &quarter["nps_responses"]),
            ] {
                if let Some(n) = value.as_i64() {
                    assert!(n >= 11 && n % 5 == 0, "{field} = {n} shown to a client");
                }
            }
            saw_suppressed |= month["eligible_lives"].is_null() || month["enrolled_members"].is_null();
        }
    }
    assert!(saw_suppressed, "the fixture exercises suppression");
    // Subtracting what is shown from what is shown never pins down a small number: within
    // each metro, the most the hidden worksites can hold together is 11 or more.
    let sites: Vec<(String, String)> =
        demo_account(&own).worksites.iter().map(|w| (w.name.clone(), w.metro.as_str().to_owned())).collect();
    let mut checked = 0;
    for metro in metros.iter().map(|m| m.as_str()).collect::<std::collections::BTreeSet<_>>() {
        let total = series("metro", metro);
        let in_metro: Vec<Vec<serde_json::Value>> =
            sites.iter().filter(|(_, m)| m == metro).map(|(name, _)| series("worksite", name)).collect();
        // A metro of one worksite shows alike in both views (nothing hides it in one only).
        if let [only] = &in_metro[..] {
            for field in ["eligible_lives", "enrolled_members", "enrollment_rate"] {
                let as_metro: Vec<&serde_json::Value> = total.iter().map(|m| &m[field]).collect();
                let as_site: Vec<&serde_json::Value> = only.iter().map(|m| &m[field]).collect();
                assert_eq!(as_metro, as_site, "{metro} {field}");
            }
            checked += 1;
        }
        for (k, month) in total.iter().enumerate() {
            for field in ["eligible_lives", "enrolled_members"] {
                let Some(whole) = month[field].as_i64() else { continue };
                let cells: Vec<Option<i64>> =
                    in_metro.iter().map(|s| s.get(k).and_then(|m| m[field].as_i64())).collect();
                let hidden = cells.iter().filter(|c| c.is_none()).count();
                // Each shown count is its true count rounded up by at most four.
                let most = whole - cells.iter().flatten().map(|n| n - 4).sum::<i64>();
                if hidden >= 1 {
                    assert!(most >= 11, "{metro} {field} month {k}: the hidden worksites hold at most {most}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 0, "the fixture has metros to check");
    // Nothing else exists for them.
    for path in [
        format!("/accounts/{own}"),
        format!("/accounts/{other}"),
        format!("/accounts/{other}/client"),
        format!("/accounts/{own}/client"),
    ] {
        assert_eq!(c.get(&path).status, 404, "{path}");
    }
    assert_eq!(api.get(&format!("/api/v1/accounts/{other}")).status, 404);
    assert_eq!(api.get(&format!("/api/v1/accounts/{other}/metrics")).status, 404);
    assert_eq!(api.get(&format!("/api/v1/accounts/{other}/results")).status, 404);
    assert_eq!(api.get(&format!("/api/v1/accounts/{own}/metrics")).status, 404, "exact figures are internal");
    assert_eq!(api.get(&format!("/api/v1/accounts/{own}/health")).status, 404);
    assert_eq!(api.get(&format!("/api/v1/accounts/{own}/contacts")).status, 404);
    let mine = api.get(&format!("/api/v1/accounts/{own}")).json();
    assert_eq!(mine.as_object().unwrap().len(), 2, "name and slug only: {mine}");
}

/// Who may reach what: every route, every role, against one expectation table.
fn every_route_for_every_role(s: &Server) {
    let (own, other) = accounts();
    let roles = [Role::Admin, Role::Director, Role::AccountManager, Role::Colleague, Role::Client];
    let emails: Vec<String> =
        roles.iter().map(|r| if *r == Role::Client { client_of(&own) } else { user(*r) }).collect();
    let colleague = s.store.user(&steward_domain::Email::parse(&emails[3]).unwrap()).unwrap();
    let colleague_on = |slug: &str| {
        s.store
            .tasks(&TaskFilter {
                account: Some(Slug::parse(slug).unwrap()),
                status: Some(TaskStatus::Open),
                ..Default::default()
            })
            .unwrap()
            .iter()
            .any(|t| steward_web::authz::is_assigned(&colleague, t))
    };
    let (col_own, col_other) =
        (if colleague_on(&own) { 200 } else { 403 }, if colleague_on(&other) { 200 } else { 403 });
    let batch = s.store.imports(None).unwrap()[0].id;
    let first = s.store.tasks(&TaskFilter::default()).unwrap()[0].clone();
    let task = first.id;
    // A colleague may change only what is assigned to them.
    let col_task = if steward_web::authz::is_assigned(&colleague, &first) { 409 } else { 403 };
    let col_see = if steward_web::authz::is_assigned(&colleague, &first) { 200 } else { 403 };
    // (method, path, [admin, director, account manager, colleague, client]); pages first.
    let director = user(Role::Director);
    let admin_token = {
        s.token(&user(Role::Admin));
        s.store.api_tokens(Some(&steward_domain::Email::parse(&user(Role::Admin)).unwrap())).unwrap()[0].id
    };
    let own_contract = s.store.contracts(&Slug::parse(&own).unwrap()).unwrap().last().unwrap().id;
    let opportunity_on = |slug: &str| {
        let filter = steward_store::OpportunityFilter {
            account: Some(Slug::parse(slug).unwrap()),
            open_only: true,
            ..Default::default()
        };
        s.store.opportunities(&filter).unwrap().first().map(|o| o.id)
    };
    let own_opp = opportunity_on(&own).or_else(|| opportunity_on(&other)).expect("an open opportunity in the fixture");
    let opp_writer = if opportunity_on(&own).is_some() { 409 } else { 403 };
    let quote = s
        .store
        .quotes(&steward_store::QuoteFilter::default())
        .unwrap()
        .into_iter()
        .next()
        .expect("the demo book has quotes");
    let quote_id = quote.id;
    let own_contact = s.store.contacts(&Slug::parse(&own).unwrap()).unwrap()[0].id;
    let am_owns_quote =
        s.store.account(&quote.account).unwrap().owner.map(|e| e.to_string()) == Some(user(Role::AccountManager));
    let (quote_writer, quote_writer_422) = if am_owns_quote { (409, 422) } else { (403, 403) };
    // The demo's launch in flight: who may plan it (whoever may write its account) and who
    // does one of its tasks (the colleague, when one is theirs or their department's).
    let project = s
        .store
        .projects(&steward_store::ProjectFilter {
            status: Some(steward_domain::project::ProjectStatus::Active),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .next()
        .expect("the demo book has a project in flight");
    let am_plans =
        s.store.account(&project.account).unwrap().owner.map(|e| e.to_string()) == Some(user(Role::AccountManager));
    let planner = |code: u16| if am_plans { code } else { 403 };
    let colleague_does =
        |t: &steward_domain::project::ProjectTask| t.is_assigned_to(&colleague.email, colleague.department);
    let open_task = project
        .tasks
        .iter()
        .filter(|t| !t.done())
        .find(|t| colleague_does(t))
        .or_else(|| project.tasks.iter().find(|t| !t.done()))
        .expect("an open task");
    let col_project = if project.tasks.iter().any(colleague_does) { 200 } else { 403 };
    let col_record = if colleague_does(open_task) { 409 } else { 403 };
    let (pid, tid) = (project.id, open_task.id);
    let project_account = project.account.to_string();
    let am_writes_project_account = if am_plans { 422 } else { 403 };
    let own_objective = s.store.objectives(&Slug::parse(&own).unwrap()).unwrap()[0].id;
    let own_initiative = s.store.create_initiative(&new_initiative(&own, "2026-03-02")).unwrap().id;
    let four: Vec<String> = (0..4).map(|k| format!("Site {k}")).collect();
    let own_experiment =
        s.store.create_experiment(&new_experiment(&own, &four, "2026-03-02".parse().unwrap())).unwrap().id;
    let pages: Vec<(&str, String, [u16; 5])> = vec![
        ("GET", format!("/projects/{pid}"), [200, 200, 200, col_project, 404]),
        ("POST", format!("/client/tasks/{tid}/done"), [404, 404, 404, 404, 404]),
        ("POST", format!("/projects/{pid}/tasks/{tid}/progress"), [409, 409, planner(409), col_record, 404]),
        ("POST", format!("/projects/{pid}/tasks/{tid}/edit"), [422, 422, planner(422), 403, 404]),
        ("POST", format!("/projects/{pid}/tasks/{tid}/remove"), [409, 409, planner(409), 403, 404]),
        ("POST", format!("/projects/{pid}/tasks"), [422, 422, planner(422), 403, 404]),
        ("POST", format!("/projects/{pid}/status"), [422, 422, planner(422), 403, 404]),
        ("POST", format!("/accounts/{project_account}/projects"), [422, 422, am_writes_project_account, 403, 404]),
        ("GET", format!("/contracts/{own_contract}"), [200, 200, 200, 403, 404]),
        ("POST", format!("/contracts/{own_contract}/amend"), [409, 409, 409, 403, 404]),
        ("POST", format!("/accounts/{other}/contracts"), [422, 422, 403, 403, 404]),
        ("GET", "/retention".into(), [200, 200, 200, 403, 403]),
        ("GET", "/pipeline".into(), [200, 200, 200, 403, 403]),
        ("GET", "/forecast".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/opportunities/{own_opp}"), [200, 200, 200, 403, 404]),
        ("POST", format!("/opportunities/{own_opp}/edit"), [409, 409, opp_writer, 403, 404]),
        ("POST", format!("/opportunities/{own_opp}/move"), [409, 409, opp_writer, 403, 404]),
        ("POST", "/opportunities".into(), [422, 422, 403, 403, 404]),
        ("POST", "/goals".into(), [422, 422, 403, 403, 403]),
        ("GET", format!("/quotes/{quote_id}"), [200, 200, 200, 403, 404]),
        ("GET", "/initiatives".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/accounts/{own}/experiment-design?mde=3"), [200, 200, 200, 403, 404]),
        ("GET", format!("/initiatives/{own_initiative}"), [200, 200, 200, 403, 404]),
        ("POST", format!("/accounts/{other}/initiatives"), [422, 422, 403, 403, 404]),
        ("GET", format!("/experiments/{own_experiment}"), [200, 200, 200, 403, 404]),
        ("GET", format!("/accounts/{own}/qbr"), [200, 200, 200, 403, 404]),
        ("GET", format!("/accounts/{own}/qbr.csv?quarter=2026-Q1"), [200, 200, 200, 403, 404]),
        ("GET", format!("/accounts/{own}/qbr.pdf?quarter=2026-Q1"), [200, 200, 200, 403, 404]),
        ("POST", format!("/accounts/{other}/reports"), [422, 422, 403, 403, 404]),
        ("GET", "/reports/999999.pdf".into(), [404, 404, 404, 404, 404]),
        ("POST", "/reports/999999/publish".into(), [404, 404, 404, 404, 404]),
        ("POST", format!("/accounts/{other}/experiments"), [422, 422, 403, 403, 404]),
        ("GET", format!("/objectives/{own_objective}"), [200, 200, 200, 403, 404]),
        ("POST", format!("/objectives/{own_objective}/edit"), [422, 422, 422, 403, 404]),
        ("POST", format!("/objectives/{own_objective}/close"), [409, 409, 409, 403, 404]),
        ("POST", format!("/accounts/{other}/objectives"), [422, 422, 403, 403, 404]),
        ("GET", format!("/contacts/{own_contact}"), [200, 200, 200, 403, 404]),
        ("POST", format!("/contacts/{own_contact}/edit"), [422, 422, 422, 403, 404]),
        ("POST", format!("/accounts/{other}/contacts"), [422, 422, 403, 403, 404]),
        ("GET", format!("/accounts/{own}/quotes/new"), [200, 200, 200, 403, 404]),
        ("POST", format!("/accounts/{other}/quotes"), [422, 422, 403, 403, 404]),
        ("POST", format!("/quotes/{quote_id}/submit"), [409, 409, quote_writer, 403, 404]),
        ("POST", format!("/quotes/{quote_id}/approve"), [409, 409, 403, 403, 404]),
        ("POST", format!("/quotes/{quote_id}/reject"), [409, 409, 403, 403, 404]),
        ("POST", format!("/quotes/{quote_id}/accept"), [409, 409, quote_writer, 403, 404]),
        ("POST", format!("/quotes/{quote_id}/revise"), [422, 422, quote_writer_422, 403, 404]),
        ("GET", "/".into(), [303, 303, 303, 303, 303]),
        ("GET", "/healthz".into(), [200, 200, 200, 200, 200]),
        ("GET", "/book".into(), [200, 200, 200, 403, 403]),
        ("GET", "/accounts?q=zzz".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/accounts/{own}"), [200, 200, 200, col_own, 404]),
        ("GET", format!("/accounts/{other}"), [200, 200, 200, col_other, 404]),
        ("GET", format!("/accounts/{own}/client"), [200, 200, 200, 403, 404]),
        ("GET", "/client".into(), [404, 404, 404, 404, 200]),
        ("GET", "/work".into(), [200, 200, 200, 200, 403]),
        ("GET", "/team".into(), [200, 200, 403, 403, 403]),
        ("GET", "/portfolio".into(), [200, 200, 403, 403, 403]),
        ("GET", "/portfolio.csv".into(), [200, 200, 403, 403, 403]),
        ("GET", "/portfolio.pdf".into(), [200, 200, 403, 403, 403]),
        ("GET", format!("/work?user={}", user(Role::AccountManager)), [200, 200, 200, 403, 403]),
        ("GET", "/imports".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/imports/{batch}"), [200, 200, 200, 403, 403]),
        ("GET", "/admin/users".into(), [200, 403, 403, 403, 403]),
        ("GET", "/tokens".into(), [200, 200, 200, 200, 200]),
        ("GET", "/password".into(), [200, 200, 200, 200, 200]),
        ("POST", format!("/accounts/{own}/activities"), [303, 303, 303, 403, 404]),
        ("POST", format!("/accounts/{other}/activities"), [303, 303, 403, 403, 404]),
        ("POST", format!("/accounts/{other}/tasks"), [303, 303, 403, 403, 404]),
        ("POST", format!("/tasks/{task}/snooze"), [409, 409, 409, col_task, 404]),
        ("POST", format!("/tasks/{task}/complete"), [409, 409, 409, col_task, 404]),
        ("POST", format!("/tasks/{task}/reassign"), [409, 409, 409, col_task, 404]),
        ("GET", format!("/tasks/{task}"), [200, 200, 200, col_see, 404]),
        ("POST", format!("/tasks/{task}/reopen"), [409, 409, 409, col_task, 404]),
        ("POST", format!("/tasks/{task}/wake"), [409, 409, 409, col_task, 404]),
        ("POST", format!("/accounts/{own}/tasks"), [303, 303, 303, 403, 404]),
        ("POST", format!("/admin/users/{director}"), [409, 403, 403, 403, 403]),
        ("POST", "/tokens".into(), [200, 200, 200, 200, 200]),
        ("POST", format!("/tokens/{admin_token}/revoke"), [409, 404, 404, 404, 404]),
        ("POST", "/admin/users".into(), [422, 403, 403, 403, 403]),
    ];
    let api: Vec<(&str, String, [u16; 5])> = vec![
        ("GET", format!("/api/v1/accounts/{own}/contracts"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/contracts/{own_contract}"), [200, 200, 200, 403, 404]),
        ("POST", format!("/api/v1/contracts/{own_contract}/amend"), [409, 409, 409, 403, 404]),
        ("POST", format!("/api/v1/accounts/{other}/contracts"), [422, 422, 403, 403, 404]),
        ("GET", "/api/v1/arr".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/api/v1/arr?account={own}"), [200, 200, 200, 403, 403]),
        ("GET", "/api/v1/retention?by=owner".into(), [200, 200, 200, 403, 403]),
        ("GET", "/api/v1/opportunities".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/api/v1/opportunities/{own_opp}"), [200, 200, 200, 403, 404]),
        ("POST", format!("/api/v1/opportunities/{own_opp}/move"), [409, 409, opp_writer, 403, 404]),
        ("POST", format!("/api/v1/opportunities/{own_opp}/edit"), [409, 409, opp_writer, 403, 404]),
        ("POST", "/api/v1/opportunities".into(), [422, 422, 403, 403, 404]),
        ("GET", "/api/v1/forecast".into(), [200, 200, 200, 403, 403]),
        ("GET", "/api/v1/goals".into(), [200, 200, 200, 403, 403]),
        ("GET", "/api/v1/portfolio".into(), [200, 200, 403, 403, 403]),
        ("POST", "/api/v1/goals".into(), [422, 422, 403, 403, 403]),
        ("GET", "/api/v1/quotes".into(), [200, 200, 200, 403, 403]),
        ("GET", "/api/v1/projects".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/api/v1/projects/{pid}"), [200, 200, 200, col_project, 404]),
        ("POST", format!("/api/v1/projects/{pid}/tasks/{tid}/progress"), [409, 409, planner(409), col_record, 404]),
        ("GET", format!("/api/v1/contacts/{own_contact}/history"), [200, 200, 200, 403, 404]),
        ("GET", "/api/v1/initiatives".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/api/v1/initiatives?account={own}"), [200, 200, 200, 403, 403]),
        ("GET", format!("/api/v1/initiatives/{own_initiative}"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/initiatives/{own_initiative}/impact"), [200, 200, 200, 403, 404]),
        ("POST", format!("/api/v1/accounts/{other}/initiatives"), [422, 422, 403, 403, 404]),
        ("GET", "/api/v1/experiments".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/api/v1/accounts/{own}/qbr?quarter=2026-Q2"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/accounts/{own}/reports"), [200, 200, 200, 403, 200]),
        ("GET", format!("/api/v1/accounts/{other}/reports"), [200, 200, 200, 403, 404]),
        // Readers are told the fixture's two worksites are too few to split.
        ("GET", format!("/api/v1/experiments/design?account={own}&mde=3"), [422, 422, 422, 403, 404]),
        ("GET", format!("/api/v1/experiments/{own_experiment}"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/experiments/{own_experiment}/results"), [200, 200, 200, 403, 404]),
        ("POST", "/api/v1/experiments".into(), [422, 422, 403, 403, 404]),
        ("GET", format!("/api/v1/accounts/{own}/objectives"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/objectives/{own_objective}"), [200, 200, 200, 403, 404]),
        ("POST", format!("/api/v1/objectives/{own_objective}/edit"), [422, 422, 422, 403, 404]),
        ("POST", format!("/api/v1/accounts/{other}/objectives"), [422, 422, 403, 403, 404]),
        ("POST", format!("/api/v1/contacts/{own_contact}/retire"), [409, 409, 409, 403, 404]),
        ("GET", format!("/api/v1/quotes/{quote_id}"), [200, 200, 200, 403, 404]),
        ("POST", format!("/api/v1/quotes/{quote_id}/submit"), [409, 409, quote_writer, 403, 404]),
        ("POST", format!("/api/v1/quotes/{quote_id}/approve"), [409, 409, 403, 403, 404]),
        ("POST", format!("/api/v1/quotes/{quote_id}/accept"), [409, 409, quote_writer, 403, 404]),
        ("GET", "/api/v1/accounts".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/api/v1/accounts/{own}"), [200, 200, 200, col_own, 200]),
        ("GET", format!("/api/v1/accounts/{other}"), [200, 200, 200, col_other, 404]),
        ("GET", format!("/api/v1/accounts/{own}/metrics"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/accounts/{other}/metrics"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/accounts/{own}/results"), [200, 200, 200, 403, 200]),
        ("GET", format!("/api/v1/accounts/{other}/results"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/accounts/{own}/health"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/accounts/{own}/contacts"), [200, 200, 200, 403, 404]),
        ("GET", format!("/api/v1/accounts/{own}/activities"), [200, 200, 200, 403, 404]),
        ("GET", "/api/v1/tasks".into(), [200, 200, 200, 200, 403]),
        ("GET", format!("/api/v1/tasks/{task}"), [200, 200, 200, 403, 404]),
        ("GET", "/api/v1/work".into(), [200, 200, 200, 200, 403]),
        ("GET", "/api/v1/imports".into(), [200, 200, 200, 403, 403]),
        ("GET", format!("/api/v1/imports/{batch}"), [200, 200, 200, 403, 403]),
        ("GET", "/api/v1/openapi.json".into(), [200, 200, 200, 200, 200]),
        ("POST", format!("/api/v1/accounts/{own}/activities"), [201, 201, 201, 403, 404]),
        ("POST", format!("/api/v1/accounts/{other}/activities"), [201, 201, 403, 403, 404]),
        ("POST", "/api/v1/tasks".into(), [201, 201, 403, 403, 404]),
        ("POST", format!("/api/v1/tasks/{task}/complete"), [409, 409, 409, col_task, 404]),
        ("POST", format!("/api/v1/tasks/{task}/snooze"), [409, 409, 409, col_task, 404]),
        ("POST", format!("/api/v1/tasks/{task}/reassign"), [409, 409, 409, col_task, 404]),
        ("POST", format!("/api/v1/tasks/{task}/reopen"), [409, 409, 409, col_task, 404]),
        ("POST", format!("/api/v1/tasks/{task}/wake"), [409, 409, 409, col_task, 404]),
        ("POST", format!("/api/v1/imports?account={other}&kind=visits&file_name=v.csv"), [201, 201, 403, 403, 403]),
    ];
    let mut failures = Vec::new();
    for (i, email) in emails.iter().enumerate() {
        let mut browser = s.signed_in(email);
        let csrf = browser.get("/tokens").csrf();
        let mut caller = s.client();
        caller.bearer = Some(s.token(email));
        for (method, path, expected) in &pages {
            let r = match *method {
                "GET" => browser.get(path),
                _ => browser.post_form(
                    path,
                    &[
                        ("csrf", &csrf),
                        ("kind", "note"),
                        ("summary", "matrix"),
                        ("title", "matrix task"),
                        ("version", "0"),
                        ("until", "2026-12-01"),
                        ("owner", &director),
                        ("role", "director"),
                        ("active", "true"),
                        ("name", "matrix token"),
                        // A contract change the writers may make but that cannot stand:
                        // a stale version (amend), a term that ends before it starts (sign).
                        ("from", "2090-01"),
                        ("start_date", "2090-06-01"),
                        ("end_date", "2090-01-01"),
                        ("model", "pepm"),
                        ("rate", "4.50"),
                        ("reason", "matrix"),
                        // An opportunity change the writers may make but that cannot stand.
                        ("account", &other),
                        ("to", "negotiation"),
                        ("amount", "1000"),
                        ("close_date", "2090-01-01"),
                    ],
                ),
            };
            if r.status != expected[i] {
                failures.push(format!("{:?} {method} {path}: {} (expected {})", roles[i], r.status, expected[i]));
            }
        }
        for (method, path, expected) in &api {
            let r = match *method {
                "GET" => caller.get(path),
                _ if path.contains("/imports") => caller.post_bytes(path, "text/csv", VISITS),
                _ => caller.post_json(
                    path,
                    &json!({ "account": other, "kind": "note", "summary": "matrix", "title": "matrix task", "version": 0,
                             "until": "2026-12-01", "owner": director,
                             "start_date": "2090-06-01", "end_date": "2090-01-01", "effective_from": "2090-01-01",
                             "notice_days": 90, "reason": "matrix", "to": "negotiation", "amount": 1000,
                             "close_date": "2090-01-01", "year": 2090, "gross_retention": 0.9, "net_retention": 1.0,
                             "bookings": 1000, "metric": "nps", "target": 500, "target_date": "2090-01-01",
                             "terms": { "pricing_model": "pepm", "rate": 4.5, "tiers": [], "annual_escalator_pct": 0,
                                        "minimum_annual_commitment": null, "add_ons": [], "guarantees": [] } }),
                ),
            };
            if r.status != expected[i] {
                failures.push(format!(
                    "{:?} {method} {path}: {} (expected {}) {}",
                    roles[i],
                    r.status,
                    expected[i],
                    r.body.chars().take(160).collect::<String>()
                ));
            }
            if r.status >= 400 {
                let body = r.json();
                assert!(
                    body["error"]["code"].is_string() && body["error"]["message"].is_string(),
                    "one error shape: {body}"
                );
            }
        }
    }
    // Without credentials: pages send people to sign in, the API answers 401.
    let mut anonymous = s.client();
    // Only the health check is public.
    assert_eq!(anonymous.get("/healthz").status, 200);
    for (_, path, _) in pages.iter().filter(|(m, p, _)| *m == "GET" && p != "/healthz") {
        let r = anonymous.get(path);
        if r.status != 303 || !r.location.as_deref().is_some_and(|l| l.starts_with("/sign-in")) {
            failures.push(format!("anonymous GET {path}: {}", r.status));
        }
    }
    for (method, path, _) in api.iter().filter(|(_, p, _)| !p.ends_with("openapi.json")) {
        let r = if *method == "GET" { anonymous.get(path) } else { anonymous.post_json(path, &json!({})) };
        if r.status != 401 {
            failures.push(format!("anonymous {method} {path}: {}", r.status));
        }
    }
    assert!(failures.is_empty(), "route × role mismatches:\n{}", failures.join("\n"));
}

fn api_lists_pages_and_errors(s: &Server) {
    let mut c = s.client();
    c.bearer = Some(s.token(&user(Role::Director)));
    let page = c.get("/api/v1/accounts?per_page=2&page=2&status=all").json();
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 2);
    assert_eq!(page["total"].as_u64().unwrap() as usize, book().accounts.len());
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (own, _) = accounts();
    let metrics = c.get(&format!("/api/v1/accounts/{own}/metrics?from=2026-01&to=2026-06")).json();
    let months: Vec<&str> = metrics["items"].as_array().unwrap().iter().map(|m| m["month"].as_str().unwrap()).collect();
    assert_eq!(months, ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]);
    assert!(metrics["items"][0]["enrollment_rate"].as_f64().is_some_and(|r| (0.0..=1.0).contains(&r)));
    let bad = c.get(&format!("/api/v1/accounts/{own}/metrics?from=January"));
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["error"]["fields"]["from"], "write the month as YYYY-MM");
    let health = c.get(&format!("/api/v1/accounts/{own}/health")).json();
    assert!(health["items"].as_array().unwrap().iter().all(|m| m["score"].as_f64().is_some()));
    let missing = c.get("/api/v1/accounts/no-such-account");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "not_found");
    assert_eq!(c.get("/api/v1/nothing-here").json()["error"]["code"], "not_found");
    c.bearer = Some("stw_not_a_real_token".into());
    let r = c.get("/api/v1/accounts");
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], "unauthenticated");
    // The OpenAPI document is the snapshot in docs/, and every route in it answers.
    let served = s.client().get("/api/v1/openapi.json").json();
    let snapshot_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot_path, &pretty).unwrap();
    }
    let snapshot = std::fs::read_to_string(&snapshot_path).unwrap_or_default();
    assert!(
        snapshot == pretty,
        "docs/openapi.json is out of date: run `UPDATE_SNAPSHOTS=1 cargo test -p steward --test web` and review the diff"
    );
    assert_eq!(served["openapi"], "3.1.0");
    assert!(served["paths"].as_object().unwrap().len() >= 14);
}

fn api_writes_name_versions(s: &Server) {
    let (own, _) = accounts();
    let am = user(Role::AccountManager);
    let mut c = s.client();
    c.bearer = Some(s.token(&am));
    let r = c.post_json(
        "/api/v1/tasks",
        &json!({ "account": own, "title": "Plan the benefits fair", "due_date": "2026-08-01" }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let task = r.json();
    let id = task["id"].as_i64().unwrap();
    let v = task["version"].as_i64().unwrap();
    let r = c.post_json(&format!("/api/v1/tasks/{id}/snooze"), &json!({ "version": v, "until": "2026-07-15" }));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["snoozed_until"], "2026-07-15");
    let stale = c.post_json(&format!("/api/v1/tasks/{id}/complete"), &json!({ "version": v }));
    assert_eq!(stale.status, 409);
    let body = stale.json();
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(body["error"]["current"]["version"].as_i64(), Some(v + 1), "the current record comes back: {body}");
    let done = c.post_json(&format!("/api/v1/tasks/{id}/complete"), &json!({ "version": v + 1 }));
    assert_eq!(done.json()["status"], "done");
    let bad =
        c.post_json(&format!("/api/v1/accounts/{own}/activities"), &json!({ "kind": "carrier pigeon", "summary": "" }));
    assert_eq!(bad.status, 422);
    assert!(bad.json()["error"]["fields"]["kind"].is_string());
    let not_json = c.post_bytes("/api/v1/tasks", "application/json", b"{not json");
    assert_eq!(not_json.status, 422);
    assert_eq!(not_json.json()["error"]["code"], "invalid_input");
    // Import over the API: the batch with its row errors.
    let r = c.post_bytes(
        &format!("/api/v1/imports?account={own}&kind=visits&file_name=api-visits.csv"),
        "text/csv",
        VISITS,
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let batch = r.json();
    assert_eq!((batch["rows_accepted"].as_i64(), batch["rows_rejected"].as_i64()), (Some(1), Some(1)));
    assert_eq!(batch["errors"][0]["line"], 3);
    let again = c
        .post_bytes(&format!("/api/v1/imports?account={own}&kind=visits&file_name=api-visits.csv"), "text/csv", VISITS)
        .json();
    assert_eq!(again["status"], "duplicate", "the same file twice changes nothing");
    let refused = c.post_bytes(
        &format!("/api/v1/imports?account={own}&kind=eligibility&file_name=x.edi"),
        "text/plain",
        b"ISA*00*garbage~",
    );
    assert_eq!(refused.status, 422);
    let body = refused.json();
    assert_eq!(body["error"]["code"], "import_refused", "{body}");
    assert_eq!(body["error"]["batch"]["status"], "refused", "the recorded batch comes with it");
    // Wrong methods and unreadable ids get the same error body.
    let r = c.post_json("/api/v1/accounts", &json!({}));
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (405, Some("method_not_allowed")));
    let r = c.get("/api/v1/tasks/not-a-number");
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (404, Some("not_found")));
}

fn admin_invites_and_deactivates(s: &Server) {
    let mut c = s.signed_in(&user(Role::Admin));
    let csrf = c.get("/admin/users").csrf();
    let r =
        c.post_form("/admin/users", &[("csrf", &csrf), ("email", "not-an-email"), ("name", ""), ("role", "client")]);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("not a valid e-mail address")
            && r.body.contains("A name is required")
            && r.body.contains("needs an account"),
        "{}",
        r.body
    );
    let r = c.post_form(
        "/admin/users",
        &[("csrf", &csrf), ("email", "rae.venn@steward.example"), ("name", "Rae Venn"), ("role", "account_manager")],
    );
    assert!(r.body.contains("first password"), "{}", r.body);
    let at = r.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let password = r.body[at..at + 16].to_owned();
    let mut rae = s.client();
    assert_eq!(rae.sign_in("rae.venn@steward.example", &password).status, 303, "the invited user signs in");
    // … and chooses their own password; the first one stops working.
    let csrf_rae = rae.get("/password").csrf();
    let r =
        rae.post_form("/password", &[("csrf", &csrf_rae), ("current", "wrong"), ("new", "short"), ("again", "other")]);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("not your current password") && r.body.contains("at least 10") && r.body.contains("differ"),
        "{}",
        r.body
    );
    let mine = "rae's own passphrase";
    let r = rae.post_form("/password", &[("csrf", &csrf_rae), ("current", &password), ("new", mine), ("again", mine)]);
    assert!(r.body.contains("Your password is changed"), "{}", r.body);
    assert_eq!(s.client().sign_in("rae.venn@steward.example", &password).status, 401);
    assert_eq!(s.client().sign_in("rae.venn@steward.example", mine).status, 303);
    let rae_user = s.store.user(&steward_domain::Email::parse("rae.venn@steward.example").unwrap()).unwrap();
    let r = c.post_form(
        "/admin/users/rae.venn@steward.example",
        &[("csrf", &csrf), ("version", &rae_user.version.to_string()), ("role", "account_manager"), ("active", "")],
    );
    assert_eq!(r.status, 303);
    assert_eq!(rae.get("/book").status, 303, "a deactivated user's session stops working");
    let stale = c.post_form(
        "/admin/users/rae.venn@steward.example",
        &[("csrf", &csrf), ("version", &rae_user.version.to_string()), ("role", "director"), ("active", "true")],
    );
    assert_eq!(stale.status, 409);
}

fn tokens_page_creates_and_revokes(s: &Server) {
    let am = user(Role::AccountManager);
    let mut c = s.signed_in(&am);
    let csrf = c.get("/tokens").csrf();
    let r = c.post_form("/tokens", &[("csrf", &csrf), ("name", "nightly loader")]);
    assert_eq!(r.status, 200);
    let at = r.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
    let token = r.body[at..at + 68].to_owned();
    assert!(token.starts_with("stw_"));
    let mut api = Client::new(&s.url);
    api.bearer = Some(token.clone());
    assert_eq!(api.get("/api/v1/work").status, 200);
    let listed = s.store.api_tokens(Some(&steward_domain::Email::parse(&am).unwrap())).unwrap();
    let t = listed.iter().find(|t| t.name == "nightly loader").unwrap();
    assert!(!c.get("/tokens").body.contains(&token), "shown once only");
    let r = c.post_form(&format!("/tokens/{}/revoke", t.id), &[("csrf", &csrf), ("version", &t.version.to_string())]);
    assert_eq!(r.status, 303);
    assert_eq!(api.get("/api/v1/work").status, 401, "a revoked token stops working");
}

/// An account whose health loses points for not having met a decision maker lately, and
/// one of its decision makers.
fn decision_maker_not_met_lately(s: &Server) -> (String, i64) {
    use steward_domain::health::Measure;
    let card = steward_domain::health::Scorecard::default();
    book()
        .accounts
        .iter()
        .filter(|a| a.account.status == AccountStatus::Live)
        .find_map(|a| {
            let data = steward_health::history::AccountData::load(&*s.store, &a.account.slug).unwrap();
            let summary = steward_health::AccountSummary::of(&data, &card, web_support::as_of());
            let costly = summary
                .health?
                .drivers
                .iter()
                .any(|d| d.measure == Measure::DaysSinceDecisionMakerTouch && d.points_lost >= 0.25);
            let dm = s.store.contacts(&a.account.slug).unwrap().into_iter().find(|c| c.role.decides())?;
            costly.then(|| (a.account.slug.to_string(), dm.id))
        })
        .expect("the fixture has an account that has not met a decision maker lately")
}

/// The change of an account's health since last month as the book's API gives it,
/// unrounded: a meeting is worth under a point now.
fn health_change(c: &mut Client, slug: &str) -> f64 {
    let page = c.get("/api/v1/accounts?status=all&per_page=200").json();
    page["items"].as_array().unwrap().iter().find(|i| i["slug"] == slug).unwrap()["health"]["change"].as_f64().unwrap()
}

/// The book's rows are kept in memory; a change made here shows in the next page at once.
fn the_book_shows_a_change_at_once(s: &Server) {
    let (slug, contact) = decision_maker_not_met_lately(s);
    let mut c = s.client();
    c.bearer = Some(s.token(&user(Role::Director)));
    let score = |c: &mut Client| health_change(c, &slug);
    let before = score(&mut c);
    let r = c.post_json(&format!("/api/v1/accounts/{slug}/activities"), &json!({ "kind": "meeting", "occurred_on": "2026-06-30", "summary": "Met the decision maker", "contact_ids": [contact] }));
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(score(&mut c) > before, "the book's health for {slug} rose from {before} at once");
}

/// An account manager starts a project from a template on Account 360 and its page draws
/// the Gantt chart; they hand a task to a colleague, who records it done from the project
/// page; a change that would make a cycle is refused naming its tasks, with nothing kept; a
/// longer task that moves go-live puts the reason in the owner's queue at once.
fn a_project_from_the_pages(s: &Server) {
    let (own, _) = accounts();
    let today = web_support::as_of().to_string();
    let mut am = s.signed_in(&user(Role::AccountManager));
    let page = am.get(&format!("/accounts/{own}"));
    assert!(page.body.contains("Start a project"), "the form on Account 360");
    let r = am.post_form(
        &format!("/accounts/{own}/projects"),
        &[("csrf", &page.csrf()), ("template", "new_client_launch"), ("start", &today)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let at = r.header("location").unwrap().to_owned();
    let id: i64 = at.trim_start_matches("/projects/").parse().unwrap();
    let page = am.get(&at);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<svg class="chart gantt""#) && page.body.contains("Eligibility feed set up"));
    let project = s.store.project(id).unwrap();
    let task = |p: &steward_domain::project::Project, key: &str| p.tasks.iter().find(|t| t.key == key).unwrap().clone();

    // To the colleague, who records it done.
    let colleague = user(Role::Colleague);
    let kickoff = task(&project, "kickoff");
    let on = |t: &steward_domain::project::ProjectTask| {
        t.depends_on.iter().map(|l| ("after", l.on.to_string())).collect::<Vec<_>>()
    };
    let mut fields: Vec<(&str, String)> = vec![
        ("csrf", page.csrf()),
        ("version", kickoff.version.to_string()),
        ("name", kickoff.name.clone()),
        ("owner", colleague.clone()),
        ("days", kickoff.duration_days.to_string()),
    ];
    fields.extend(on(&kickoff));
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(am.post_form(&format!("/projects/{id}/tasks/{}/edit", kickoff.id), &form).status, 303);
    let mut col = s.signed_in(&colleague);
    let theirs = col.get(&at);
    assert_eq!(theirs.status, 200, "a colleague sees the project they work on");
    let kickoff = task(&s.store.project(id).unwrap(), "kickoff");
    let r = col.post_form(
        &format!("/projects/{id}/tasks/{}/progress", kickoff.id),
        &[("csrf", &theirs.csrf()), ("version", &kickoff.version.to_string()), ("on", &today), ("mark", "started")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let kickoff = task(&s.store.project(id).unwrap(), "kickoff");
    assert_eq!((kickoff.actual_start, kickoff.actual_finish), (Some(web_support::as_of()), None), "started, not done");
    let r = col.post_form(
        &format!("/projects/{id}/tasks/{}/progress", kickoff.id),
        &[("csrf", &theirs.csrf()), ("version", &kickoff.version.to_string()), ("on", &today), ("mark", "done")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(task(&s.store.project(id).unwrap(), "kickoff").actual_finish, Some(web_support::as_of()));
    assert!(col.get(&at).body.contains(&format!("done {today}")), "the table shows it done");
    // The colleague's next task of it waits in their My work, across accounts.
    let spec = task(&s.store.project(id).unwrap(), "feed_spec");
    let mut fields: Vec<(&str, String)> = vec![
        ("csrf", page.csrf()),
        ("version", spec.version.to_string()),
        ("name", spec.name.clone()),
        ("owner", colleague.clone()),
        ("days", spec.duration_days.to_string()),
    ];
    fields.extend(on(&spec));
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(am.post_form(&format!("/projects/{id}/tasks/{}/edit", spec.id), &form).status, 303);
    let work = col.get("/work");
    assert!(
        work.body.contains("Project tasks") && work.body.contains(&format!("/projects/{id}#task-{}", spec.id)),
        "in My work"
    );

    // The client's own task waits in their portal, and they mark it done there; nobody else's.
    let mut client = s.signed_in(&client_of(&own));
    let portal = client.get("/client");
    assert!(
        portal.body.contains("Your tasks") && portal.body.contains("Send the eligibility test file"),
        "in the portal"
    );
    assert!(!portal.body.contains("Eligibility feed set up"), "only the client's own tasks");
    let sent = task(&s.store.project(id).unwrap(), "test_file_sent");
    let path = format!("/client/tasks/{}/done", sent.id);
    let version = sent.version.to_string();
    let mut stranger = s.signed_in(&client_of(&accounts().1));
    let theirs = stranger.get("/client").csrf();
    assert_eq!(stranger.post_form(&path, &[("csrf", &theirs), ("version", &version)]).status, 404, "another client's");
    let internal = task(&s.store.project(id).unwrap(), "feed_setup").id;
    let r = client.post_form(&format!("/client/tasks/{internal}/done"), &[("csrf", &portal.csrf()), ("version", "1")]);
    assert_eq!(r.status, 404, "not the client's task");
    let r = client.post_form(&path, &[("csrf", &portal.csrf()), ("version", &version)]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(task(&s.store.project(id).unwrap(), "test_file_sent").actual_finish, Some(web_support::as_of()));
    assert!(client.get("/client").body.contains(&format!("Done {today}")));

    // Work goes only to people who work here; a task is removed only through its own project.
    let spec = task(&s.store.project(id).unwrap(), "feed_spec");
    let (csrf, version, days) = (am.get(&at).csrf(), spec.version.to_string(), spec.duration_days.to_string());
    let client_user = client_of(&own);
    let form = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("name", &spec.name),
        ("owner", &client_user),
        ("days", &days),
    ];
    assert_eq!(am.post_form(&format!("/projects/{id}/tasks/{}/edit", spec.id), &form).status, 422, "a client's user");
    let other = s
        .store
        .projects(&steward_store::ProjectFilter::default())
        .unwrap()
        .into_iter()
        .find(|p| p.id != id)
        .expect("the demo's projects");
    let theirs = other.tasks.last().unwrap();
    let r = am.post_form(
        &format!("/projects/{id}/tasks/{}/remove", theirs.id),
        &[("csrf", &csrf), ("version", &s.store.project(other.id).unwrap().version.to_string())],
    );
    assert_eq!(r.status, 404, "another project's task through this one");
    assert_eq!(s.store.project(other.id).unwrap().tasks.len(), other.tasks.len(), "nothing removed");

    // A cycle is refused, naming it; nothing is kept.
    let before = s.store.project(id).unwrap();
    let spec = task(&before, "feed_spec");
    let go_live = task(&before, "go_live").id.to_string();
    let page = am.get(&at);
    let (csrf, version, days) = (page.csrf(), spec.version.to_string(), spec.duration_days.to_string());
    let mut form: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("version", &version),
        ("name", &spec.name),
        ("owner", ""),
        ("days", &days),
        ("after", &go_live),
    ];
    let first = spec.depends_on[0].on.to_string();
    form.push(("after", &first));
    let r = am.post_form(&format!("/projects/{id}/tasks/{}/edit", spec.id), &form);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("the dependencies go round in a cycle"), "{}", r.body);
    assert_eq!(s.store.project(id).unwrap(), before);

    // Clinic capacity takes 30 more days: go-live moves, and the owner hears why.
    let clinic = task(&before, "clinic_capacity");
    let (version, after) = (clinic.version.to_string(), clinic.depends_on[0].on.to_string());
    let form = [
        ("csrf", csrf.as_str()),
        ("version", &version),
        ("name", &clinic.name),
        ("owner", ""),
        ("days", "40"),
        ("after", &after),
    ];
    assert_eq!(am.post_form(&format!("/projects/{id}/tasks/{}/edit", clinic.id), &form).status, 303);
    let work = am.get("/work");
    assert!(work.body.contains("Go-live moves"), "the owner's queue says go-live moves");
    assert!(am.get(&at).body.contains("later than planned"));
}

/// A change written by another process (a second server, an import from the command line)
/// reaches a server's book once its rows are older than their freshness: the refresh sees
/// the account's data moved and works its row out again.
fn another_process_s_change_reaches_the_book(s: &Server) {
    let quick = s.another_with(|config| config.book_fresh_for = std::time::Duration::from_millis(100));
    let mut c = quick.client();
    c.bearer = Some(quick.token(&user(Role::Director)));
    let (slug, contact) = decision_maker_not_met_lately(s);
    let before = health_change(&mut c, &slug);
    // Written straight to the database, as another process would.
    s.store
        .create_activity(&steward_domain::NewActivity {
            account: Slug::parse(&slug).unwrap(),
            kind: steward_domain::ActivityKind::Meeting,
            occurred_at: web_support::as_of().and_hms_opt(9, 0, 0).unwrap().and_utc(),
            author: None,
            summary: "Met the decision maker".into(),
            contact_ids: vec![contact],
        })
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while health_change(&mut c, &slug) <= before {
        assert!(std::time::Instant::now() < deadline, "the meeting written elsewhere never reached the book");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A reading kept from many rows (the portfolio) past its freshness is still served, while
/// the view that found it stale works it out again in the background: a goal set by another
/// process shows on a view soon after, long before the stale reading would be dropped.
fn a_kept_reading_is_served_stale_and_read_again(s: &Server) {
    let fresh_for = std::time::Duration::from_secs(2);
    let quick = s.another_with(|config| config.book_fresh_for = fresh_for);
    let mut c = quick.client();
    c.bearer = Some(quick.token(&user(Role::Director)));
    let goal_bookings = |c: &mut Client| -> Vec<f64> {
        let p = c.get("/api/v1/portfolio").json();
        p["goals"].as_array().unwrap().iter().filter_map(|g| g["bookings"].as_f64()).collect()
    };
    // The first view builds the book's rows, which drops what was read before them.
    goal_bookings(&mut c);
    let kept = std::time::Instant::now();
    assert!(!goal_bookings(&mut c).contains(&123_456.0), "the reading is kept");
    let owner = s.store.users().unwrap().into_iter().find(|u| u.role == Role::AccountManager).unwrap().email;
    let goal = steward_domain::forecast::Goal {
        owner,
        year: chrono::Datelike::year(&web_support::as_of()),
        gross_retention: 0.9,
        net_retention: 1.05,
        bookings: steward_domain::Money::from_cents(12_345_600),
    };
    s.store.set_goal(&goal, None).unwrap();
    std::thread::sleep(fresh_for + std::time::Duration::from_millis(300));
    let stale = goal_bookings(&mut c);
    if kept.elapsed() < fresh_for * 3 {
        assert!(!stale.contains(&123_456.0), "served as kept, past its freshness");
    }
    // Read again in the background: the goal shows before the stale reading would have gone.
    while !goal_bookings(&mut c).contains(&123_456.0) {
        assert!(kept.elapsed() < fresh_for * 3, "the goal set elsewhere waited for the reading to be dropped");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Processes keep no session state: a session begun on one server works on another on the
/// same database, and a task completed through one is done on the other.
fn two_servers_share_one_database(s: &Server) {
    let other = s.another();
    let am = user(Role::AccountManager);
    let mut c = s.signed_in(&am);
    let mut there = other.client();
    for (k, v) in c.cookies() {
        there.set_cookie(k, v);
    }
    let work = there.get("/work");
    assert_eq!(work.status, 200, "the session from the first server is good on the second");
    let task = s
        .store
        .tasks(&TaskFilter {
            owner: Some(steward_domain::Email::parse(&am).unwrap()),
            status: Some(TaskStatus::Open),
            ..Default::default()
        })
        .unwrap()[0]
        .clone();
    let r = there.post_form(
        &format!("/tasks/{}/complete", task.id),
        &[("csrf", &work.csrf()), ("version", &task.version.to_string())],
    );
    assert_eq!(r.status, 303);
    assert_eq!(s.store.task(task.id).unwrap().status, TaskStatus::Done, "written where the first server reads");
    // Signing out on one ends the session on both.
    let csrf = c.get("/work").csrf();
    c.post_form("/sign-out", &[("csrf", &csrf)]);
    assert_eq!(there.get("/work").status, 303);
}
