use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

/// As a store keeps it: ids in plan order, links by id.
fn launched(new: NewProject) -> Project {
    let id_of = |key: &str| new.tasks.iter().position(|t| t.key == key).unwrap() as Id + 1;
    let tasks = new
        .tasks
        .iter()
        .enumerate()
        .map(|(i, t)| ProjectTask {
            id: i as Id + 1,
            key: t.key.clone(),
            name: t.name.clone(),
            department: t.department,
            client: t.client,
            owner: t.owner.clone(),
            duration_days: t.duration_days,
            depends_on: t.after.iter().map(|l| Link { on: id_of(&l.on), lag_days: l.lag_days }).collect(),
            actual_start: None,
            actual_finish: None,
            baseline_start: t.baseline_start,
            baseline_finish: t.baseline_finish,
            completed_by: t.completed_by,
            go_live: t.go_live,
            version: 1,
        })
        .collect();
    Project {
        id: 1,
        account: new.account,
        template: new.template,
        title: new.title,
        owner: new.owner,
        start_date: new.start_date,
        status: ProjectStatus::Active,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        tasks,
    }
}

fn launch() -> Project {
    let templates = Templates::default();
    let it = |d: Department| (d == Department::It).then(|| email("ivo@steward.test"));
    let new = plan(
        templates.get("new_client_launch").unwrap(),
        Slug::parse("acme").unwrap(),
        Some(email("am@steward.test")),
        d("2027-01-02"),
        &Calendar::default(),
        it,
    )
    .unwrap();
    launched(new)
}

fn by_key<'a>(p: &'a mut Project, key: &str) -> &'a mut ProjectTask {
    p.tasks.iter_mut().find(|t| t.key == key).unwrap()
}

/// Done as planned at launch.
fn on_plan(p: &mut Project, key: &str) {
    let t = by_key(p, key);
    (t.actual_start, t.actual_finish) = (t.baseline_start, t.baseline_finish);
}

#[test]
fn a_plan_takes_owners_and_freezes_its_baseline() {
    let p = launch();
    // Started on a Saturday: the plan begins on Monday 2027-01-04.
    assert_eq!(p.start_date, d("2027-01-04"));
    let task = |key: &str| p.tasks.iter().find(|t| t.key == key).unwrap();
    assert_eq!(task("feed_setup").owner, Some(email("ivo@steward.test")), "the department's person");
    assert_eq!(task("kickoff").owner, Some(email("am@steward.test")), "no department: the project's owner");
    assert_eq!(task("test_file_sent").owner, None, "the client's");
    assert_eq!(task("clinic_capacity").owner, None, "no one set for the department: its queue");
    // feed_setup: business days 7 to 16 — Wednesday 13 to Tuesday 26 January.
    assert_eq!(
        (task("feed_setup").baseline_start, task("feed_setup").baseline_finish),
        (Some(d("2027-01-13")), Some(d("2027-01-26")))
    );
    let s = p.schedule(&Calendar::default(), None).unwrap();
    for t in &p.tasks {
        let at = s.task(&t.id).unwrap();
        assert_eq!((Some(at.start), Some(at.finish)), (t.baseline_start, t.baseline_finish), "{}", t.key);
    }
    assert_eq!(p.end_task().unwrap().key, "go_live");
}

#[test]
fn a_late_critical_task_says_how_far_go_live_moves() {
    let mut p = launch();
    for key in ["contract_signed", "kickoff", "feed_spec", "test_file_sent", "clinic_capacity", "launch_kit"] {
        on_plan(&mut p, key);
    }
    for key in ["launch_email_approved", "benefits_team_trained"] {
        on_plan(&mut p, key);
    }
    by_key(&mut p, "feed_setup").actual_start = Some(d("2027-01-13"));
    let cal = Calendar::default();
    // On its last planned day nothing is late.
    assert_eq!(p.alerts(&cal, d("2027-01-26")).unwrap(), vec![]);
    // Monday 1 February: four business days late (27, 28, 29 January and today), so the
    // feed finishes today at the earliest and go-live moves four business days.
    let alerts = p.alerts(&cal, d("2027-02-01")).unwrap();
    let reasons: Vec<&str> = alerts.iter().map(Alert::reason).collect();
    assert_eq!(
        reasons,
        [
            "Eligibility feed set up (IT) is 4 business days late and on the critical path",
            "Go-live moves 4 business days: Eligibility feed set up (IT) is 4 business days late",
        ]
    );
    // Done late, nothing is late any more, but go-live still moved.
    by_key(&mut p, "feed_setup").actual_finish = Some(d("2027-02-01"));
    let alerts = p.alerts(&cal, d("2027-02-01")).unwrap();
    assert_eq!(
        alerts,
        vec![Alert::EndMoves {
            days: 4,
            reason: "Go-live moves 4 business days: the plan changed since launch".into()
        }]
    );
    p.status = ProjectStatus::Done;
    assert!(p.alerts(&cal, d("2027-02-01")).unwrap().is_empty(), "a closed project raises nothing");
}

#[test]
fn a_longer_task_moves_the_end_without_being_late() {
    let mut p = launch();
    by_key(&mut p, "clinic_capacity").duration_days = 25;
    let alerts = p.alerts(&Calendar::default(), d("2027-01-04")).unwrap();
    // clinic_capacity now ends on day 27, so the onsite launch waits for it: 1 day later.
    assert_eq!(
        alerts,
        vec![Alert::EndMoves { days: 1, reason: "Go-live moves 1 business day: the plan changed since launch".into() }]
    );
}
