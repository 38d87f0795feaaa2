use super::*;
use proptest::prelude::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn after(on: &[&'static str]) -> Vec<Link<&'static str>> {
    on.iter().map(|&on| Link { on, lag_days: 0 }).collect()
}

fn step(key: &'static str, days: u32, on: &[&'static str]) -> Step<&'static str> {
    Step::new(key, key, days, after(on))
}

/// A diamond worked by hand from Monday 2026-01-05, no holidays:
/// A (3 days) Mon 5 – Wed 7; B (2) Thu 8 – Fri 9; C (5) Thu 8 – Wed 14; D (1) Thu 15.
/// The end is day 9; B could slip 3 days (to finish Wed 14) without moving D.
fn diamond() -> Vec<Step<&'static str>> {
    vec![step("A", 3, &[]), step("B", 2, &["A"]), step("C", 5, &["A"]), step("D", 1, &["B", "C"])]
}

#[test]
fn a_diamond_has_one_critical_path() {
    let s = schedule(&diamond(), d("2026-01-05"), &Calendar::default(), None).unwrap();
    let t = |k| s.task(&k).unwrap().clone();
    assert_eq!((t("A").start, t("A").finish), (d("2026-01-05"), d("2026-01-07")));
    assert_eq!((t("B").start, t("B").finish), (d("2026-01-08"), d("2026-01-09")));
    assert_eq!((t("C").start, t("C").finish), (d("2026-01-08"), d("2026-01-14")));
    assert_eq!((t("D").start, t("D").finish), (d("2026-01-15"), d("2026-01-15")));
    assert_eq!([t("A").slack_days, t("B").slack_days, t("C").slack_days, t("D").slack_days], [0, 3, 0, 0]);
    let critical: Vec<&str> = s.tasks.iter().filter(|t| t.critical).map(|t| t.key).collect();
    assert_eq!(critical, ["A", "C", "D"]);
    assert_eq!((s.finish, s.duration_days), (d("2026-01-15"), 9));
}

#[test]
fn business_days_skip_weekends_and_holidays() {
    // From Wednesday 2026-11-25 with Thanksgiving and the day after off: a 3-day task is
    // worked Wed 25, Mon 30 and Tue 1; the next starts Wed 2.
    let cal = Calendar::with_holidays([d("2026-11-26"), d("2026-11-27")]);
    let s = schedule(&[step("A", 3, &[]), step("B", 1, &["A"])], d("2026-11-25"), &cal, None).unwrap();
    assert_eq!(s.task(&"A").unwrap().finish, d("2026-12-01"));
    assert_eq!(s.task(&"B").unwrap().start, d("2026-12-02"));
    // A start on a holiday begins on the next business day.
    let s = schedule(&[step("A", 1, &[])], d("2026-11-26"), &cal, None).unwrap();
    assert_eq!((s.start, s.task(&"A").unwrap().finish), (d("2026-11-30"), d("2026-11-30")));
}

#[test]
fn lags_wait_business_days_and_milestones_take_none() {
    // A (2) Mon 5 – Tue 6; B waits 2 business days (Wed, Thu) and runs Fri 9; the go-live
    // milestone falls on the next business day, Mon 12, and has no length.
    let steps = vec![
        step("A", 2, &[]),
        Step::new("B", "B", 1, vec![Link { on: "A", lag_days: 2 }]),
        step("go-live", 0, &["B"]),
    ];
    let s = schedule(&steps, d("2026-01-05"), &Calendar::default(), None).unwrap();
    assert_eq!(s.task(&"B").unwrap().start, d("2026-01-09"));
    let go_live = s.task(&"go-live").unwrap();
    assert_eq!((go_live.start, go_live.finish, go_live.critical), (d("2026-01-12"), d("2026-01-12"), true));
    assert_eq!(s.duration_days, 5);
}

#[test]
fn a_late_task_moves_what_follows_and_slips_from_the_baseline() {
    let cal = Calendar::default();
    let baseline = schedule(&diamond(), d("2026-01-05"), &cal, None).unwrap();
    // A and B done on plan; C started on time but is not done on Tuesday 2026-01-20, four
    // business days after its planned finish (Wed 14): it finishes on the 20th at the
    // earliest, so D moves from the 15th to the 21st — four business days of slip.
    let mut steps = diamond();
    (steps[0].actual_start, steps[0].actual_finish) = (Some(d("2026-01-05")), Some(d("2026-01-07")));
    (steps[1].actual_start, steps[1].actual_finish) = (Some(d("2026-01-08")), Some(d("2026-01-09")));
    steps[2].actual_start = Some(d("2026-01-08"));
    let today = d("2026-01-20");
    let now = schedule(&steps, d("2026-01-05"), &cal, Some(today)).unwrap();
    assert_eq!(days_late(&cal, baseline.task(&"C").unwrap().finish, today), 4);
    assert_eq!(days_late(&cal, baseline.task(&"C").unwrap().finish, d("2026-01-14")), 0, "on time on its last day");
    assert_eq!(days_late(&cal, baseline.task(&"C").unwrap().finish, d("2026-01-15")), 1);
    let c = now.task(&"C").unwrap();
    assert_eq!((c.finish, c.critical), (today, true));
    assert_eq!(now.task(&"D").unwrap().start, d("2026-01-21"));
    assert_eq!(slip(&cal, baseline.finish, now.finish), 4);
    // Done tasks are history, never critical.
    assert!(now.task(&"A").unwrap().done && !now.task(&"A").unwrap().critical);

    // Had B not started either, it could not start in the past: it runs today and
    // tomorrow, and becomes what holds D (to the 22nd) while C has a day to spare.
    steps[1].actual_start = None;
    steps[1].actual_finish = None;
    let now = schedule(&steps, d("2026-01-05"), &cal, Some(today)).unwrap();
    let b = now.task(&"B").unwrap();
    assert_eq!((b.start, b.finish, b.critical), (today, d("2026-01-21"), true));
    assert_eq!(now.task(&"C").unwrap().slack_days, 1);
    assert_eq!(now.task(&"D").unwrap().start, d("2026-01-22"));
}

#[test]
fn finishing_early_pulls_the_end_in() {
    let mut steps = diamond();
    steps[0].actual_start = Some(d("2026-01-05"));
    steps[0].actual_finish = Some(d("2026-01-05"));
    let s = schedule(&steps, d("2026-01-05"), &Calendar::default(), Some(d("2026-01-06"))).unwrap();
    assert_eq!(s.task(&"C").unwrap().start, d("2026-01-06"));
    assert_eq!(s.finish, d("2026-01-13"));
}

#[test]
fn bad_plans_are_refused_naming_the_tasks() {
    let cal = Calendar::default();
    let start = d("2026-01-05");
    let cycle = vec![step("A", 1, &["C"]), step("B", 1, &["A"]), step("C", 1, &["B"]), step("D", 1, &[])];
    assert_eq!(
        schedule(&cycle, start, &cal, None).unwrap_err().to_string(),
        "the dependencies go round in a cycle: A → B → C → A"
    );
    let unknown = vec![step("A", 1, &["feed"])];
    assert_eq!(
        schedule(&unknown, start, &cal, None).unwrap_err().to_string(),
        "A depends on feed, which is not a task of this plan"
    );
    assert_eq!(schedule(&[step("A", 1, &["A"])], start, &cal, None).unwrap_err(), PlanError::OnItself("A".into()));
    assert_eq!(
        schedule(&[step("A", 1, &[]), step("A", 2, &[])], start, &cal, None).unwrap_err(),
        PlanError::Duplicate("A".into())
    );
    assert!(matches!(schedule(&[step("A", MAX_DAYS + 1, &[])], start, &cal, None), Err(PlanError::TooLong { .. })));
    let mut backwards = step("A", 1, &[]);
    backwards.actual_start = Some(d("2026-01-07"));
    backwards.actual_finish = Some(d("2026-01-06"));
    assert!(matches!(schedule(&[backwards], start, &cal, None), Err(PlanError::FinishBeforeStart { .. })));
}

/// A random plan: each task may depend on any earlier one, so it is acyclic by
/// construction; shuffled positions are not needed for the schedule's properties.
fn plans() -> impl Strategy<Value = Vec<Step<u32>>> {
    (1usize..40).prop_flat_map(|n| {
        proptest::collection::vec(
            (0u32..8, proptest::collection::vec((any::<prop::sample::Index>(), 0u32..4), 0..4)),
            n,
        )
        .prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (days, links))| {
                    let mut on: Vec<Link<u32>> = if i == 0 {
                        Vec::new()
                    } else {
                        links.into_iter().map(|(p, lag)| Link { on: p.index(i) as u32, lag_days: lag }).collect()
                    };
                    on.sort_by_key(|l| l.on);
                    on.dedup_by_key(|l| l.on);
                    Step::new(i as u32, format!("task {i}"), days, on)
                })
                .collect()
        })
    })
}

proptest! {
    #[test]
    fn every_task_waits_for_what_it_depends_on(steps in plans(), holidays in proptest::collection::vec(0i64..120, 0..10)) {
        let start = d("2026-03-02");
        let cal = Calendar::with_holidays(holidays.iter().map(|&h| start + chrono::Duration::days(h)));
        let s = schedule(&steps, start, &cal, None).unwrap();
        let mut days = Days::from(&cal, start);
        for (step, t) in steps.iter().zip(&s.tasks) {
            prop_assert!(cal.is_business_day(t.start) && cal.is_business_day(t.finish));
            prop_assert!(t.slack_days >= 0);
            let first = days.number(t.start);
            for link in &step.depends_on {
                let p = &s.tasks[link.on as usize];
                let p_end = days.number(p.finish) + i64::from(steps[link.on as usize].duration_days > 0);
                prop_assert!(first >= p_end + i64::from(link.lag_days), "{} starts before {} finishes", step.name, link.on);
            }
        }
    }

    #[test]
    fn the_critical_path_is_as_long_as_the_project(steps in plans()) {
        let start = d("2026-03-02");
        let cal = Calendar::default();
        let s = schedule(&steps, start, &cal, None).unwrap();
        let mut days = Days::from(&cal, start);
        let begin: Vec<i64> = s.tasks.iter().map(|t| days.number(t.start)).collect();
        let end: Vec<i64> = steps.iter().zip(&begin).map(|(st, b)| b + i64::from(st.duration_days)).collect();
        // Walk back from a critical task that ends the project, through critical
        // predecessors that end exactly when it may start; the walk must reach day 0, and
        // the durations and lags along it add up to the project's length.
        let mut at = (0..steps.len()).find(|&i| s.tasks[i].critical && end[i] == s.duration_days).expect("a critical task ends the project");
        let mut length = i64::from(steps[at].duration_days);
        while begin[at] > 0 {
            let (p, lag) = steps[at]
                .depends_on
                .iter()
                .map(|l| (l.on as usize, i64::from(l.lag_days)))
                .find(|&(p, lag)| s.tasks[p].critical && end[p] + lag == begin[at])
                .expect("a critical task starts when a critical predecessor lets it");
            length += lag + i64::from(steps[p].duration_days);
            at = p;
        }
        prop_assert_eq!(length, s.duration_days);
    }
}
