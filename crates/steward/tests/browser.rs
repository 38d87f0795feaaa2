//! End to end in headless Chromium, as people use Steward: an account manager signs in,
//! opens the book and an account, logs an activity, completes a task, uploads a file and
//! reads its errors; a client user signs in and sees suppressed numbers. Every page is
//! screenshotted to `target/tmp/screenshots/`.

#![allow(clippy::unwrap_used)]

#[path = "support/web.rs"]
mod web_support;
#[path = "support/webdriver.rs"]
mod webdriver;

use steward_domain::{AccountStatus, Role};
use web_support::{Backend, PASSWORD, Server, book, user};
use webdriver::Browser;

fn sign_in(b: &Browser, url: &str, email: &str) {
    b.goto(&format!("{url}/sign-in"));
    b.fill("#email", email);
    b.fill("#password", PASSWORD);
    b.click("button[type=submit]");
}

#[test]
fn people_use_steward_in_a_browser() {
    let s = Server::start(Backend::Sqlite).unwrap();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let b = Browser::start(&shots);
    let url = &s.url;

    b.goto(&format!("{url}/sign-in"));
    b.screenshot("01-sign-in");
    let am = user(Role::AccountManager);
    sign_in(&b, url, &am);
    b.wait_for("My work after signing in", |u| u.ends_with("/work"));
    assert_eq!(b.title(), "My work · Steward");
    assert!(b.text("main h2").contains("Overdue") || b.text("main h2").contains("Renewal"), "the pressing bands first");
    b.screenshot("02-my-work-first-thing");
    b.click("nav a[href='/book']");
    b.wait_for("the book", |u| u.ends_with("/book"));
    assert_eq!(b.title(), "My book · Steward");
    assert!(b.count("table.book tbody tr") >= 2, "the account manager's accounts");
    let styled = "return [...document.styleSheets].some(s => s.href && s.href.endsWith('/static/steward.css') && s.cssRules.length > 0)";
    assert_eq!(b.script(styled), true, "the stylesheet applies under the Content-Security-Policy");
    b.screenshot("02-my-book");

    // Sort by health, worst first, by clicking the column header.
    b.click("th[aria-sort] a[href*='sort=health']");
    b.wait_for("the book sorted by health", |u| u.contains("sort=health"));

    // Open an account the account manager owns.
    let own = book()
        .accounts
        .iter()
        .find(|a| {
            a.account.owner.as_ref().map(|e| e.as_str()) == Some(am.as_str()) && a.account.status == AccountStatus::Live
        })
        .unwrap();
    b.click(&format!("a[href='/accounts/{}']", own.account.slug));
    b.wait_for("Account 360", |u| u.ends_with(own.account.slug.as_str()));
    assert_eq!(b.text("h1"), own.account.name);
    assert!(b.count("svg.chart") >= 4, "charts drawn");
    b.screenshot("03-account-360");

    // Log an activity.
    b.click("#kind option[value='call']");
    b.fill("#summary", "Call with the benefits lead about the fall campaign");
    b.click("form[aria-label='Log an activity'] button[type=submit]");
    b.wait_for("the timeline", |u| u.ends_with("#timeline"));
    assert!(b.text("#timeline ol.timeline").contains("Call with the benefits lead about the fall campaign"));
    b.screenshot("04-activity-logged");

    // An error is shown beside the field, and what was typed stays.
    b.fill("#title", "");
    b.fill("#due_date", "");
    b.click("form[aria-label='Add a task'] button[type=submit]");
    b.wait_for("the form shown again", |u| u.ends_with("/tasks"));
    assert!(b.text("#title-error").contains("title is required"));
    b.screenshot("05-form-error");

    // My work: complete the top task.
    b.click("nav a[href='/work']");
    b.wait_for("My work", |u| u.ends_with("/work"));
    let tasks = "table.work tbody tr:has(form[action$='/complete'])";
    let before = b.count(tasks);
    let first = b.text(&format!("{tasks} td:nth-child(2)"));
    b.click(&format!("{tasks} form[action$='/complete'] button"));
    b.wait_for("My work again", |u| u.contains("/work?done="));
    b.wait_until(&format!("{first} to leave the queue"), |b| b.count(tasks) == before - 1);
    assert!(b.text("div.notice").contains("done"), "done says so, and offers a way back");
    b.screenshot("06-my-work-done-undo");
    // Undo: the task is back.
    b.click("div.notice button");
    b.wait_for("My work after undo", |u| u.ends_with("/work"));
    b.wait_until(&format!("{first} to come back"), |b| b.count(tasks) == before);
    // A row's score, taken apart on demand.
    b.click("table.work details.score summary");
    assert!(b.text("table.work details.score[open] ul").contains("Urgency"), "the score's parts");
    b.screenshot("06-my-work");
    // The counts are filters: one band at a time.
    b.click("ul.filters a[href*='band=upcoming']");
    b.wait_for("the upcoming band", |u| u.contains("band=upcoming"));
    assert_eq!(b.count("main section.band"), 1);
    assert!(b.text("main h2").starts_with("Upcoming"));
    b.click("ul.filters a[href='/work']");
    b.wait_for("all bands again", |u| u.ends_with("/work"));

    // Upload a visits file with one bad row and read its error.
    let file = s.data_dir.path().join("visits-june.csv");
    std::fs::write(&file, "visit_id,member_id,visit_date,modality,metro,status\nB1,0000001,2026-06-02,in_office,seattle,completed\nB2,0000001,2026-06-31,video,seattle,completed\n").unwrap();
    b.click("nav a[href='/imports']");
    b.wait_for("Imports", |u| u.ends_with("/imports"));
    b.click(&format!("#account option[value='{}']", own.account.slug));
    b.click("#kind option[value='visits']");
    b.attach("#file", &file);
    b.click("form[aria-label='Upload a file'] button[type=submit]");
    b.wait_for("the batch", |u| u.contains("/imports/"));
    assert!(b.text("h1").contains("visits-june.csv"), "the batch page");
    let errors = b.text("section.card .reason");
    assert!(errors.contains('3') && errors.contains("visit_date"), "the row error with its line: {errors}");
    b.screenshot("07-import-result");
    // A form the browser can check is checked before it is sent, so the chosen file stays:
    // no kind chosen, then a mapping name no mapping can have.
    b.click("nav a[href='/imports']");
    b.wait_for("Imports", |u| u.ends_with("/imports"));
    b.click(&format!("#account option[value='{}']", own.account.slug));
    b.attach("#file", &file);
    b.click("form[aria-label='Upload a file'] button[type=submit]");
    assert!(b.url().ends_with("/imports"), "not sent without a kind");
    assert_eq!(b.script("return document.querySelector('#file').files.length"), 1, "the file is still chosen");
    b.click("#kind option[value='visits']");
    b.fill("#mapping", "not a name!");
    b.click("form[aria-label='Upload a file'] button[type=submit]");
    assert!(b.url().ends_with("/imports"), "not sent with an impossible mapping name");
    assert_eq!(b.script("return document.querySelector('#file').files.length"), 1, "the file is still chosen");
    assert_eq!(b.script("return document.querySelector('#mapping').validity.patternMismatch"), true);
    // A file of which most rows failed: said so, not dressed as a success.
    let failed = s.data_dir.path().join("visits-july.csv");
    std::fs::write(&failed, "visit_id,member_id,visit_date,modality,metro,status\nC1,0000001,07/02/2026,in_office,seattle,completed\nC2,0000001,07/03/2026,video,seattle,completed\nC3,0000001,2026-06-03,video,seattle,completed\n").unwrap();
    b.click("nav a[href='/imports']");
    b.wait_for("Imports", |u| u.ends_with("/imports"));
    b.click(&format!("#account option[value='{}']", own.account.slug));
    b.click("#kind option[value='visits']");
    b.attach("#file", &failed);
    b.click("form[aria-label='Upload a file'] button[type=submit]");
    b.wait_for("the failed batch", |u| u.contains("/imports/"));
    assert!(b.text("div.outcome").starts_with("Most rows failed."), "{}", b.text("div.outcome"));
    b.screenshot("07b-import-mostly-failed");
    b.click("nav a[href='/imports']");
    b.wait_for("Imports", |u| u.ends_with("/imports"));
    b.screenshot("08-imports");
    b.click("nav a[href='/tokens']");
    b.wait_for("API tokens", |u| u.ends_with("/tokens"));
    b.screenshot("09-tokens");

    // Sign out; a client user sees their program with small cells suppressed.
    b.click(".who form[action='/sign-out'] button");
    b.wait_for("signed out", |u| u.ends_with("/sign-in"));
    let client =
        book().users.iter().find(|u| u.role == Role::Client && u.account.as_ref() == Some(&own.account.slug)).unwrap();
    sign_in(&b, url, client.email.as_str());
    b.wait_for("the client's program", |u| u.ends_with("/client"));
    assert!(b.source().contains("shown as “&lt;11”"));
    let mut suppressed = false;
    for w in &own.worksites {
        b.goto(&format!("{url}/client?by=metro&cut={}", w.metro.as_str()));
        if b.text("dl.metrics").contains("<11") {
            suppressed = true;
            b.screenshot("10-client-suppressed");
            break;
        }
    }
    assert!(suppressed, "some metro of this account shows <11");
    b.goto(&format!("{url}/client"));
    b.screenshot("11-client");
    b.goto(&format!("{url}/book"));
    assert!(b.title().starts_with("Not allowed"), "no book for a client: {}", b.title());

    // The admin's users page.
    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, &user(Role::Admin));
    b.wait_for("the admin's book", |u| u.ends_with("/book"));
    b.goto(&format!("{url}/admin/users"));
    assert_eq!(b.title(), "Users · Steward");
    b.screenshot("12-admin-users");
    b.goto(&format!("{url}/book?owner=all"));
    b.screenshot("13-director-book");

    // The director's team, and a colleague's task.
    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, &user(Role::Director));
    b.wait_for("the director's book", |u| u.ends_with("/book"));
    b.click("nav a[href='/team']");
    b.wait_for("Team", |u| u.ends_with("/team"));
    assert!(b.count("table.team tbody tr") >= 2, "a line per account manager");
    b.screenshot("14-team");
    b.click("table.team tbody tr th a");
    b.wait_for("an account manager's queue", |u| u.contains("/work?user="));
    assert!(b.text("h1").contains("'s work"));
    b.screenshot("15-team-member-queue");
    // The portfolio report: from the navigation, with a line per account manager, and its
    // PDF downloaded with the director's session.
    b.click("nav a[href='/portfolio']");
    b.wait_for("the portfolio", |u| u.ends_with("/portfolio"));
    assert!(b.count("#books tbody tr") >= 3, "a line per account manager and the company's");
    assert!(b.count("#books svg, #renewals svg") == 2, "the two charts");
    b.screenshot("47-portfolio");
    let got = ureq::get(&format!("{url}/portfolio.pdf")).set("Cookie", &b.cookie_header()).call().unwrap();
    assert_eq!(got.content_type(), "application/pdf");
    // Marketing holds the campaign tasks the playbooks and account managers open.
    let marketing = book()
        .users
        .iter()
        .find(|u| u.role == Role::Colleague && u.department == Some(steward_domain::Department::Marketing))
        .unwrap();
    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, marketing.email.as_str());
    b.wait_for("the colleague's work", |u| u.ends_with("/work"));
    assert!(b.count("table.work tbody tr a[href^='/tasks/']") > 0, "marketing has tasks in the demo book");
    b.click("table.work tbody tr a[href^='/tasks/']");
    b.wait_for("the task", |u| u.contains("/tasks/"));
    assert!(b.count("#reassign select option") >= 3, "people to choose from");
    b.screenshot("16-colleague-task");
}

/// The commercial cycle as people work it: an account manager moves a renewal on to verbal
/// from the pipeline board (no script needed), builds a quote deeper than the threshold and
/// submits it; it is theirs to submit but not to approve; a director finds it in My work and
/// approves it. Screenshots `20-*`.
#[test]
fn a_quote_over_the_threshold_waits_for_a_director() {
    use steward_domain::opportunity::{OpportunityKind, Stage};
    let s = Server::start(Backend::Sqlite).unwrap();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let b = Browser::start(&shots);
    let url = &s.url;
    let am = user(Role::AccountManager);
    let mine = steward_store::OpportunityFilter {
        owner: Some(steward_domain::Email::parse(&am).unwrap()),
        kind: Some(OpportunityKind::Renewal),
        open_only: true,
        ..Default::default()
    };
    let o =
        s.store.opportunities(&mine).unwrap().into_iter().find(|o| o.stage < Stage::Verbal).expect("an early renewal");
    sign_in(&b, url, &am);
    b.wait_for("My work after signing in", |u| u.ends_with("/work"));
    b.click("nav a[href='/pipeline']");
    b.wait_for("the pipeline", |u| u.ends_with("/pipeline"));
    assert!(b.count("article.opportunity") >= 1, "the account manager's opportunities");
    b.screenshot("20-pipeline");
    let button = format!("form[action='/opportunities/{}/move'] button", o.id);
    // The version the page's form holds: the board is shown again only once it is the store's.
    let shown = format!(
        "const v = document.querySelector(\"form[action='/opportunities/{}/move'] input[name=version]\"); return v ? v.value : null;",
        o.id
    );
    while s.store.opportunity(o.id).unwrap().stage < Stage::Verbal {
        let before = s.store.opportunity(o.id).unwrap().version;
        b.click(&button);
        b.wait_until("the move to be kept", |_| s.store.opportunity(o.id).unwrap().version > before);
        let kept = s.store.opportunity(o.id).unwrap();
        // Clicking the page the move was made from would send its stale version again.
        b.wait_until("the board to show the move", |b| {
            kept.stage >= Stage::Verbal || b.script(&shown).as_str() == Some(&kept.version.to_string())
        });
        b.wait_for("the pipeline again", |u| u.contains("/pipeline"));
    }
    assert_eq!(s.store.opportunity(o.id).unwrap().stage, Stage::Verbal);
    b.screenshot("20-pipeline-verbal");

    // A quote at a fraction of the rate: far past the 10% threshold.
    b.goto(&format!("{url}/accounts/{}/quotes/new?opportunity={}", o.account, o.id));
    b.fill("#quote-rate", "1.00");
    b.fill("#quote-tiers", "");
    b.fill("#quote-minimum", "");
    b.click("form[aria-label='New quote'] button[type=submit]");
    // The form's own address holds "/quotes/" too: wait until the browser has left it.
    b.wait_for("the quote or the form refused", |u| !u.contains("/quotes/new"));
    let id: i64 = b
        .url()
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("the quote was refused: {}", b.text("main")));
    assert!(b.text("header.task-head").contains("Draft"), "{}", b.text("header.task-head"));
    assert!(b.text("table.bill").contains("Discount from list"));
    b.screenshot("21-quote-draft");
    b.click("form[aria-label='Submit the quote'] button");
    b.wait_until("the submission", |b| b.text("header.task-head").contains("Submitted"));
    assert_eq!(b.count("form[action$='/approve']"), 0, "an account manager has no approve button");
    b.screenshot("21-quote-submitted");

    // The director finds it in My work and approves it.
    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, &user(Role::Director));
    b.wait_for("the director's landing page", |u| u.ends_with("/book") || u.ends_with("/work"));
    b.goto(&format!("{url}/work"));
    assert!(
        b.text("main").contains(&format!("Approve quote {id}")),
        "the approval waits in My work: {}",
        b.text("main")
    );
    b.goto(&format!("{url}/quotes/{id}"));
    b.fill("#decide-note", "Approved for a three-year commitment");
    b.click("form[aria-label='Approve or reject the quote'] button.primary");
    b.wait_until("the approval", |b| b.text("header.task-head").contains("Approved"));
    assert!(b.text("main").contains("Approved for a three-year commitment"));
    b.screenshot("22-quote-approved");
    b.goto(&format!("{url}/work"));
    assert!(!b.text("main").contains(&format!("Approve quote {id}")), "decided: it left My work");
    b.goto(&format!("{url}/forecast?owner=all"));
    assert!(b.count("dl.kpis") >= 1);
    b.screenshot("23-forecast");
    b.goto(&format!("{url}/retention"));
    b.screenshot("24-retention");
    let c = s.store.contracts(&o.account).unwrap();
    b.goto(&format!("{url}/contracts/{}", c.last().unwrap().id));
    b.screenshot("25-contract");
}

/// A server on the fixture, a browser signed in as its account manager (on My work), and a
/// live account they own.
fn signed_in_on_own_account() -> (Server, Browser, String) {
    let s = Server::start(Backend::Sqlite).unwrap();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let b = Browser::start(&shots);
    let am = user(Role::AccountManager);
    let own = book()
        .accounts
        .iter()
        .find(|a| {
            a.account.owner.as_ref().map(|e| e.as_str()) == Some(am.as_str()) && a.account.status == AccountStatus::Live
        })
        .unwrap();
    sign_in(&b, &s.url, &am);
    b.wait_for("My work", |u| u.ends_with("/work"));
    (s, b, own.account.slug.to_string())
}

/// An account manager starts a launch project from Account 360 and reads its Gantt chart; the
/// colleague they hand a task to marks it done on the project page, and the chart shows it
/// done; the client marks their own task done in the portal. Screenshots 30–33.
#[test]
fn a_project_is_planned_and_moves_in_a_browser() {
    let (s, b, slug) = signed_in_on_own_account();
    let url = &s.url;
    b.goto(&format!("{url}/accounts/{slug}#projects"));
    b.click("#projects details summary");
    b.fill("#project-start", &web_support::as_of().to_string());
    b.click("form[aria-label='Start a project'] button");
    b.wait_for("the new project's page", |u| u.contains("/projects/"));
    assert_eq!(b.count("svg.gantt g.task"), 13, "one bar a task of the launch template");
    assert!(b.count("svg.gantt g.task.critical") >= 1, "the critical path drawn");
    assert!(b.count("svg.gantt path.link") >= 12, "the links drawn");
    b.screenshot("30-project-new");
    let id: i64 =
        b.script("return location.pathname").as_str().unwrap().trim_start_matches("/projects/").parse().unwrap();

    // The kickoff to the colleague, from the plan's form.
    let colleague = user(Role::Colleague);
    let kickoff = s.store.project(id).unwrap().tasks.into_iter().find(|t| t.key == "kickoff").unwrap();
    b.click(&format!("#plan details:nth-of-type({}) summary", 2));
    b.script(&format!("document.querySelector('#owner-{}').value = '{colleague}'; return true", kickoff.id));
    b.click(&format!("form[action='/projects/{id}/tasks/{}/edit'] button", kickoff.id));
    b.wait_until("the kickoff handed over", |_| {
        s.store
            .project(id)
            .unwrap()
            .tasks
            .iter()
            .any(|t| t.key == "kickoff" && t.owner.as_ref().map(|e| e.as_str()) == Some(colleague.as_str()))
    });

    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, &colleague);
    b.wait_for("the colleague's landing page", |u| !u.ends_with("/sign-in"));
    b.goto(&format!("{url}/projects/{id}"));
    let done_before = b.count("svg.gantt g.task.done");
    b.click(&format!("form[action='/projects/{id}/tasks/{}/progress'] button[value='done']", kickoff.id));
    b.wait_until("the kickoff done", |b| b.count("svg.gantt g.task.done") == done_before + 1);
    assert!(b.text(&format!("#task-{}", kickoff.id)).contains("done"), "the table says so too");
    b.screenshot("31-project-task-done");

    // The client's own task waits in their portal; they mark it done there.
    let sent = s.store.project(id).unwrap().tasks.into_iter().find(|t| t.key == "test_file_sent").unwrap();
    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, &web_support::client_of(&slug));
    b.wait_for("the client's portal", |u| u.ends_with("/client"));
    assert!(b.text("#tasks").contains("Send the eligibility test file"), "{}", b.text("#tasks"));
    b.screenshot("33-client-tasks");
    b.click(&format!("form[action='/client/tasks/{}/done'] button", sent.id));
    b.wait_until("the client's task done", |b| b.text("#tasks").contains("Done "));
    assert!(s.store.project(id).unwrap().tasks.iter().any(|t| t.id == sent.id && t.done()));

    // The demo's launch in flight: late, with its alerts.
    let late = s
        .store
        .projects(&steward_store::ProjectFilter {
            status: Some(steward_domain::project::ProjectStatus::Active),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .find(|p| p.id != id)
        .expect("the demo's project in flight");
    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, &user(Role::Director));
    b.wait_for("the director's book", |u| u.ends_with("/book"));
    b.goto(&format!("{url}/projects/{}", late.id));
    assert!(b.text("main").contains("business days late and on the critical path"), "{}", b.text("main"));
    b.screenshot("32-project-late");
}

/// An account manager agrees an objective with the client on Account 360, reads where it
/// stands on its own chart, and adds a task that serves it. Screenshots 34–36.
#[test]
fn a_success_plan_is_agreed_in_a_browser() {
    let (s, b, slug) = signed_in_on_own_account();
    let url = &s.url;
    b.goto(&format!("{url}/accounts/{slug}#success-plan"));
    let before = b.count("#success-plan tbody tr");
    b.click("#add-objective summary");
    b.fill("#objective-title", "Utilization 60% by renewal");
    b.script("document.querySelector('#objective-metric').value = 'utilization_rate'; return true");
    b.fill("#objective-target", "60");
    let by = (web_support::as_of() + chrono::Days::new(180)).to_string();
    b.script(&format!("document.querySelector('#objective-date').value = '{by}'; return true"));
    b.click("form[aria-label='Agree an objective'] button");
    b.wait_for("the objective's page", |u| u.contains("/objectives/"));
    assert!(b.text("h1").contains("Utilization 60% by renewal"));
    assert_eq!(b.count("svg.chart"), 1, "its chart");
    let stands = b.text("main");
    assert!(stands.contains("60.0% by ") && stands.contains("Trend by then"), "{stands}");
    b.screenshot("34-objective");

    b.fill("#title", "Onsite clinic day at the main site");
    b.click("form[aria-label='Add a task for this objective'] button");
    b.wait_for("back on the objective's tasks", |u| u.ends_with("#tasks"));
    assert!(b.text("#tasks").contains("Onsite clinic day at the main site"), "the task listed");
    b.screenshot("35-objective-task");
    b.goto(&format!("{url}/accounts/{slug}#success-plan"));
    assert_eq!(b.count("#success-plan tbody tr"), before + 1, "on Account 360");
    b.screenshot("36-success-plan");
}

/// An account manager records an initiative on Account 360 and is told when its impact can
/// be read; a measured one shows its estimate and the target against the comparison week by
/// week with the windows shaded. Screenshots 37–38.
#[test]
fn an_initiative_is_recorded_and_read_in_a_browser() {
    let (s, b, slug) = signed_in_on_own_account();
    let url = &s.url;
    b.goto(&format!("{url}/accounts/{slug}#initiatives"));
    b.click("#add-initiative summary");
    b.fill("#initiative-title", "Open enrollment webinar");
    b.script("document.querySelector('#initiative-kind').value = 'webinar'; return true");
    let start = web_support::as_of() + chrono::Days::new(7);
    let end = start + chrono::Days::new(4);
    b.script(&format!("document.querySelector('#initiative-start').value = '{start}'; document.querySelector('#initiative-end').value = '{end}'; return true"));
    b.fill("#initiative-cost", "1200");
    b.click("form[aria-label='Record an initiative'] button");
    b.wait_for("the initiative's page", |u| u.contains("/initiatives/"));
    assert!(b.text("#impact").contains("No estimate yet: the outcome window closes on"), "{}", b.text("#impact"));
    b.screenshot("37-initiative-planned");
    let measured = s
        .store
        .initiatives(None)
        .unwrap()
        .into_iter()
        .filter(|i| {
            i.status_on(web_support::as_of(), &Default::default())
                == steward_domain::initiative::InitiativeStatus::Measured
        })
        .find(|i| {
            steward_health::initiatives::impact(&*s.store, i, &Default::default(), web_support::as_of())
                .is_ok_and(|r| r.effect.is_some())
        })
        .expect("the demo has a measured initiative with an estimate");
    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, &user(Role::Director));
    b.wait_for("the director's book", |u| u.ends_with("/book"));
    b.goto(&format!("{url}/initiatives/{}", measured.id));
    assert!(b.text("#impact").contains("points ("), "{}", b.text("#impact"));
    assert_eq!(b.count("#impact svg.chart g.window"), 2, "the baseline and outcome windows shaded");
    b.screenshot("38-initiative-impact");
    b.goto(&format!("{url}/initiatives"));
    assert!(b.text("main").contains("Open enrollment webinar"), "the book's list holds the one just recorded");
    b.screenshot("40-initiatives");

    // Designing a service change across the accounts of a segment: the sample it needs.
    b.goto(&format!("{url}/accounts/{slug}/experiment-design"));
    b.script("document.querySelector('#units').value = 'segment'; return true");
    b.fill("#mde", "5");
    b.click("form[aria-label='Design an experiment'] button");
    b.wait_for("the design", |u| u.contains("mde=5"));
    let told = b.text("#design");
    assert!(told.contains("an arm") && told.contains("design effect") && told.contains("power"), "{told}");
    b.screenshot("39-experiment-design");

    // The director launches it; underpowered, it takes a reason, refused beside the field
    // until given. Its page says when it can be read.
    assert!(told.contains("underpowered"), "a dozen accounts cannot detect 5 points at ICC 0.02: {told}");
    b.fill("#experiment-name", "Onboarding calls");
    b.fill("#experiment-change", "A care-team call in a new member's first week");
    let end = web_support::as_of() + chrono::Days::new(84);
    b.script(&format!("document.querySelector('#experiment-end').value = '{end}'; return true"));
    b.click("form[aria-label='Launch the experiment'] button");
    b.wait_for("the refusal", |u| u.ends_with(&format!("/accounts/{slug}/experiments")));
    assert!(b.text("#launch").contains("launching it anyway takes an override with a reason"), "{}", b.text("#launch"));
    b.fill("#experiment-override", "Every account of the segment is in it: a first read before the fall");
    b.click("form[aria-label='Launch the experiment'] button");
    b.wait_for("the experiment's page", |u| u.contains("/experiments/"));
    let page = b.text("main");
    assert!(page.contains("launched underpowered") && page.contains("No reading yet: it starts on"), "{page}");
    b.screenshot("41-experiment-launched");
    let finished = s
        .store
        .experiments(None)
        .unwrap()
        .into_iter()
        .find(|e| e.status_on(web_support::as_of()) == steward_domain::experiment::ExperimentStatus::Finished)
        .expect("the demo book has a finished experiment");
    b.goto(&format!("{url}/experiments/{}", finished.id));
    assert!(b.text("#results").contains("its 95% interval at the planned end"), "{}", b.text("#results"));
    b.screenshot("42-experiment-finished");

    // The account's quarterly business review, a document to print (screenshot 43).
    b.goto(&format!("{url}/accounts/{slug}/qbr"));
    let review = b.text("main");
    assert!(review.contains("Executive summary") && review.contains("Key numbers"), "{review}");
    assert!(b.count("main svg") >= 3, "the funnel, the rates and the visits");
    b.screenshot("43-qbr");
}

/// At 390 px wide (a phone): no page is wider than the screen, the header is one line that
/// scrolls away with the page, tables are stacked cards whose cells say what they are, and
/// the actions are buttons a thumb can reach. Screenshots `phone-*`.
#[test]
fn a_phone_reaches_everything() {
    let s = Server::start(Backend::Sqlite).unwrap();
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let b = Browser::start(&shots);
    b.resize(390, 844);
    let url = &s.url;
    let own = book()
        .accounts
        .iter()
        .find(|a| {
            a.account.owner.as_ref().map(|e| e.as_str()) == Some(user(Role::AccountManager).as_str())
                && a.account.status == AccountStatus::Live
        })
        .unwrap();
    let fits = |page: &str| {
        let (scroll, inner) = (
            b.script("return document.documentElement.scrollWidth").as_i64().unwrap(),
            b.script("return window.innerWidth").as_i64().unwrap(),
        );
        assert!(inner <= 400, "a phone's width: {inner}");
        let wide = b.script("return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id).join(' ')");
        assert!(scroll <= inner, "{page} is {scroll} px wide on a {inner} px screen: {wide}");
    };
    sign_in(&b, url, &user(Role::AccountManager));
    b.wait_for("My work", |u| u.ends_with("/work"));
    fits("My work");
    let header = b.script(
        "const h = document.querySelector('header.top'); return [h.offsetHeight, getComputedStyle(h).position]",
    );
    assert!(header[0].as_i64().unwrap() <= 60, "one line of header: {header}");
    assert_ne!(header[1], "sticky", "the header scrolls away");
    assert_eq!(
        b.script("return getComputedStyle(document.querySelector('table.work tbody tr')).display"),
        "block",
        "rows are cards"
    );
    let label = b.script(
        "return getComputedStyle(document.querySelector('table.work td[data-label=\"Why here\"]'), '::before').content",
    );
    assert_eq!(label, "\"Why here: \"", "a card's cells say what they are");
    // Few stops per row for the keyboard: the task, its account, its score, done, snooze.
    let stops = b.script("return document.querySelector('table.work tbody tr').querySelectorAll('a, button, select, summary, input:not([type=hidden])').length").as_i64().unwrap();
    assert!(stops <= 6, "tab stops in a row: {stops}");
    let first = b.script("return document.querySelector('a, button, input, select').className");
    assert_eq!(first, "skip", "the skip link comes first");
    let button =
        b.script("return document.querySelector('table.work button').getBoundingClientRect().height").as_f64().unwrap();
    assert!(button >= 40.0, "a button a thumb can hit: {button}");
    b.screenshot("phone-1-my-work");
    for (path, name) in [
        (format!("/accounts/{}", own.account.slug), "phone-2-account-360"),
        ("/book".to_owned(), "phone-3-book"),
        ("/imports".to_owned(), "phone-4-imports"),
    ] {
        b.goto(&format!("{url}{path}"));
        fits(&path);
        b.screenshot(name);
    }
    let project = s
        .store
        .projects(&steward_store::ProjectFilter::default())
        .unwrap()
        .into_iter()
        .next()
        .expect("the demo's projects");
    b.goto(&format!("{url}/projects/{}", project.id));
    fits("a project");
    b.screenshot("phone-7-project");
    let objective = s.store.objectives(&own.account.slug).unwrap()[0].id;
    b.goto(&format!("{url}/objectives/{objective}"));
    fits("an objective");
    b.screenshot("phone-8-objective");
    b.goto(&format!("{url}/work"));
    let task = b.script("return document.querySelector('a[href^=\"/tasks/\"]') && document.querySelector('a[href^=\"/tasks/\"]').getAttribute('href')");
    if let Some(task) = task.as_str() {
        b.goto(&format!("{url}{task}"));
        fits(task);
        b.screenshot("phone-5-task");
    }
    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, &user(Role::Director));
    b.wait_for("the director's book", |u| u.ends_with("/book"));
    b.goto(&format!("{url}/team"));
    fits("/team");
    b.screenshot("phone-6-team");
    b.goto(&format!("{url}/portfolio"));
    fits("/portfolio");
    b.screenshot("phone-9-portfolio");
}

/// An account manager generates the client's review of a quarter on Account 360 and
/// publishes it; the client signs in, finds it in their portal and downloads the PDF.
/// Screenshots 45–46.
#[test]
fn a_review_is_published_and_downloaded_in_a_browser() {
    let (s, b, slug) = signed_in_on_own_account();
    let url = &s.url;
    b.goto(&format!("{url}/accounts/{slug}#reviews"));
    b.fill("#review-quarter", "2026-Q2");
    b.click("form[aria-label=\"Generate the client's review\"] button");
    b.wait_until("the draft kept", |b| b.text("#reviews").contains("draft"));
    let kept = s
        .store
        .reports(Some(&slug.parse().unwrap()))
        .unwrap()
        .into_iter()
        .find(|r| r.quarter.to_string() == "2026-Q2")
        .unwrap();
    assert!(!kept.published());
    b.click(&format!("form[action='/reports/{}/publish'] button", kept.id));
    let publish = format!("form[action='/reports/{}/publish']", kept.id);
    b.wait_until("published", |b| b.count(&publish) == 0 && b.count("#reviews .badge.good") == 1);
    b.script("document.querySelector('#reviews').scrollIntoView(); return true");
    b.screenshot("45-reviews");

    b.goto(&format!("{url}/sign-in"));
    sign_in(&b, url, &web_support::client_of(&slug));
    b.wait_for("the client's portal", |u| u.ends_with("/client"));
    assert!(b.text("#reviews").contains("2026-Q2"), "{}", b.text("#reviews"));
    b.screenshot("46-client-reviews");
    // Downloading it as the browser would: the portal's link, with the client's session.
    let link = b.script("return document.querySelector('#reviews a[href$=\".pdf\"]').getAttribute('href')");
    assert_eq!(link.as_str(), Some(format!("/reports/{}.pdf", kept.id).as_str()));
    let got = ureq::get(&format!("{url}{}", link.as_str().unwrap())).set("Cookie", &b.cookie_header()).call().unwrap();
    assert_eq!(got.content_type(), "application/pdf");
    let mut pdf = Vec::new();
    std::io::Read::read_to_end(&mut got.into_reader(), &mut pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 1000);
}
