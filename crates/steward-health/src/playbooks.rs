//! Playbooks: rules over an account's metrics, health and dates that open tasks from a
//! template for its owner or a department. A rule never opens a second task while one it
//! opened for the same account is open (the task's source key), and waits its cooldown
//! after that task closes. Every task says which rule fired and on what values.

use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;
use steward_domain::trend::{Series, projected};
use steward_domain::{Department, Email, Month, Slug, TaskSource, task::Priority};

/// What a rule watches for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "when", rename_all = "snake_case")]
pub enum Condition {
    /// Renewal (contract end) within `days` and enrollment rate below `rate`.
    RenewalSoonLowEnrollment { days: i64, rate: f64 },
    /// Health fell at least `points` from one month to the next.
    HealthDrop { points: f64 },
    /// No activity with a decision maker or executive sponsor for `days`.
    NoDecisionMakerTouch { days: i64 },
    /// The notice deadline is within `days` and nothing was logged with the client since
    /// the renewal window opened.
    NoticeDeadlineNoRenewalActivity { days: i64 },
    /// Utilization rate fell `months` months running.
    UtilizationFalling { months: usize },
    /// The notice deadline is within `days` and the renewal has not got past "proposal"
    /// (or has no opportunity at all).
    NoticeDeadlineRenewalNotAdvanced { days: i64 },
    /// A performance guarantee measured within `days` is projected to miss its target (the
    /// last three months' trend carried to the measurement month).
    GuaranteeProjectedToMiss { days: i64 },
}

/// Who gets the task.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    Owner,
    Department(Department),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    pub id: String,
    #[serde(flatten)]
    pub condition: Condition,
    pub cooldown_days: i64,
    /// The tasks the rule opens when it fires (one or more).
    pub tasks: Vec<TaskTemplate>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TaskTemplate {
    /// `{account}` and the condition's values (`{days_since}`, `{enrollment}`, …) are filled in.
    pub title: String,
    pub assign: Assignee,
    pub due_in_days: u64,
    pub priority: Priority,
    #[serde(default)]
    pub escalation: bool,
    /// The task serves the account's renewal: it takes the renewal's deadlines in My work.
    #[serde(default)]
    pub for_renewal: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Playbooks {
    pub rules: Vec<Rule>,
}

impl Default for Playbooks {
    fn default() -> Self {
        let task = |title: &str, assign, due_in_days, priority, escalation| TaskTemplate {
            title: title.into(),
            assign,
            due_in_days,
            priority,
            escalation,
            for_renewal: false,
        };
        let renewal_task = |title: &str, due_in_days, priority| TaskTemplate {
            for_renewal: true,
            ..task(title, Assignee::Owner, due_in_days, priority, false)
        };
        let rule = |id: &str, condition, cooldown_days, tasks| Rule { id: id.into(), condition, cooldown_days, tasks };
        Self {
            rules: vec![
                rule(
                    "renewal_low_enrollment",
                    Condition::RenewalSoonLowEnrollment { days: 120, rate: 0.20 },
                    60,
                    vec![
                        renewal_task(
                            "Renewal in {renewal_in_days} days with enrollment at {enrollment}: plan an enrollment push",
                            7,
                            Priority::High,
                        ),
                        task(
                            "Prepare an enrollment campaign kit for {account}",
                            Assignee::Department(Department::Marketing),
                            14,
                            Priority::Normal,
                            false,
                        ),
                    ],
                ),
                rule(
                    "health_drop",
                    Condition::HealthDrop { points: 15.0 },
                    30,
                    vec![task(
                        "Health fell {drop} points to {health}: find out why",
                        Assignee::Owner,
                        3,
                        Priority::High,
                        false,
                    )],
                ),
                rule(
                    "no_decision_maker_touch",
                    Condition::NoDecisionMakerTouch { days: 60 },
                    30,
                    vec![task(
                        "No decision-maker contact for {days_since} days: schedule a check-in",
                        Assignee::Owner,
                        7,
                        Priority::Normal,
                        false,
                    )],
                ),
                rule(
                    "notice_deadline_no_activity",
                    Condition::NoticeDeadlineNoRenewalActivity { days: 30 },
                    30,
                    vec![renewal_task(
                        "Notice deadline in {deadline_in_days} days and no renewal conversation yet",
                        2,
                        Priority::Urgent,
                    )],
                ),
                rule(
                    "notice_deadline_renewal_not_advanced",
                    Condition::NoticeDeadlineRenewalNotAdvanced { days: 60 },
                    30,
                    vec![renewal_task(
                        "Notice deadline in {deadline_in_days} days and the renewal is at {stage}: move it forward",
                        3,
                        Priority::High,
                    )],
                ),
                rule(
                    "guarantee_projected_to_miss",
                    Condition::GuaranteeProjectedToMiss { days: 180 },
                    30,
                    vec![task(
                        "Guarantee at risk: {metric} projected at {projected} against {target} by {measured_on}",
                        Assignee::Owner,
                        7,
                        Priority::High,
                        false,
                    )],
                ),
                rule(
                    "utilization_falling",
                    Condition::UtilizationFalling { months: 3 },
                    60,
                    vec![task(
                        "Utilization fell {months} months running to {utilization}: plan an engagement initiative",
                        Assignee::Department(Department::Marketing),
                        14,
                        Priority::Normal,
                        false,
                    )],
                ),
            ],
        }
    }
}

impl Playbooks {
    /// Refuses rules that could not work: duplicate ids, no task, impossible parameters.
    pub fn validate(&self) -> Result<(), String> {
        let mut ids = Vec::new();
        for r in &self.rules {
            if ids.contains(&r.id) {
                return Err(format!("rule {} is listed twice", r.id));
            }
            ids.push(r.id.clone());
            if r.tasks.is_empty() {
                return Err(format!("rule {} opens no task", r.id));
            }
            let sane = match &r.condition {
                Condition::RenewalSoonLowEnrollment { days, rate } => *days >= 0 && (0.0..=1.0).contains(rate),
                Condition::HealthDrop { points } => *points > 0.0,
                Condition::NoDecisionMakerTouch { days }
                | Condition::NoticeDeadlineNoRenewalActivity { days }
                | Condition::NoticeDeadlineRenewalNotAdvanced { days }
                | Condition::GuaranteeProjectedToMiss { days } => *days >= 0,
                Condition::UtilizationFalling { months } => *months >= 1,
            };
            if !sane || r.cooldown_days < 0 {
                return Err(format!("rule {} has an impossible parameter", r.id));
            }
        }
        Ok(())
    }
}

/// What an account looks like to the rules on a given day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Enrollment and utilization rates by month, oldest first.
    pub enrollment: Vec<(Month, Option<f64>)>,
    pub utilization: Vec<(Month, Option<f64>)>,
    /// Health by month, oldest first.
    pub health: Vec<(Month, f64)>,
    pub renewal: Option<NaiveDate>,
    pub notice_deadline: Option<NaiveDate>,
    pub last_decision_maker_touch: Option<NaiveDate>,
    pub last_activity: Option<NaiveDate>,
    /// The stage of the current term's renewal opportunity; `None` when it has none.
    pub renewal_stage: Option<steward_domain::opportunity::Stage>,
    /// The current terms' guarantees, each with its metric month by month, oldest first.
    pub guarantees: Vec<(steward_domain::Guarantee, Series)>,
}

/// A rule that fired, with the values that made it fire.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Firing {
    pub rule: String,
    pub values: BTreeMap<String, String>,
}

fn pct(r: f64) -> String {
    format!("{:.1}%", 100.0 * r)
}

/// Whether `condition` holds for `facts` on `today`, and on what values.
pub fn evaluate(condition: &Condition, facts: &Facts, today: NaiveDate) -> Option<BTreeMap<String, String>> {
    let mut v = BTreeMap::new();
    match condition {
        Condition::RenewalSoonLowEnrollment { days, rate } => {
            let until = (facts.renewal? - today).num_days();
            let enrollment = facts.enrollment.last()?.1?;
            if (0..=*days).contains(&until) && enrollment < *rate {
                v.insert("renewal_in_days".into(), until.to_string());
                v.insert("enrollment".into(), pct(enrollment));
                return Some(v);
            }
        }
        Condition::HealthDrop { points } => {
            let [.., (m0, before), (m1, after)] = facts.health[..] else { return None };
            if m0.succ() == m1 && before - after >= *points {
                v.insert("drop".into(), format!("{:.0}", before - after));
                v.insert("health".into(), format!("{after:.0}"));
                return Some(v);
            }
        }
        Condition::NoDecisionMakerTouch { days } => {
            let since = facts.last_decision_maker_touch.map(|d| (today - d).num_days());
            if since.is_none_or(|s| s >= *days) {
                v.insert("days_since".into(), since.map_or_else(|| format!("more than {days}"), |s| s.to_string()));
                return Some(v);
            }
        }
        Condition::NoticeDeadlineNoRenewalActivity { days } => {
            let deadline = facts.notice_deadline?;
            let until = (deadline - today).num_days();
            let window_opened = facts.renewal? - Days::new(180);
            let talked = facts.last_activity.is_some_and(|a| a >= window_opened);
            if (0..=*days).contains(&until) && !talked {
                v.insert("deadline_in_days".into(), until.to_string());
                return Some(v);
            }
        }
        Condition::NoticeDeadlineRenewalNotAdvanced { days } => {
            let until = (facts.notice_deadline? - today).num_days();
            let advanced = facts.renewal_stage.is_some_and(|s| s.past_proposal() || s.closed());
            if (0..=*days).contains(&until) && !advanced {
                v.insert("deadline_in_days".into(), until.to_string());
                let stage = facts.renewal_stage.map_or("no opportunity".to_owned(), |s| s.as_str().replace('_', " "));
                v.insert("stage".into(), stage);
                return Some(v);
            }
        }
        Condition::GuaranteeProjectedToMiss { days } => {
            for (g, series) in &facts.guarantees {
                let until = (g.measured_on - today).num_days();
                if !(0..=*days).contains(&until) {
                    continue;
                }
                let at = Month::of(g.measured_on);
                let projection = projected(series, at);
                if g.met_by(projection) {
                    continue;
                }
                let show = |x: f64| g.metric.show(x);
                v.insert("metric".into(), g.metric.as_str().replace('_', " "));
                v.insert("target".into(), show(g.target));
                v.insert("projected".into(), projection.map_or("no data".to_owned(), show));
                v.insert("measured_on".into(), g.measured_on.to_string());
                v.insert("at_risk_pct".into(), format!("{}", g.fees_at_risk_pct));
                return Some(v);
            }
        }
        Condition::UtilizationFalling { months } => {
            let recent: Vec<f64> =
                facts.utilization.iter().rev().take(months + 1).map(|(_, u)| *u).collect::<Option<Vec<_>>>()?;
            if recent.len() == months + 1 && recent.windows(2).all(|w| w[0] < w[1]) {
                v.insert("months".into(), months.to_string());
                v.insert("utilization".into(), pct(recent[0]));
                return Some(v);
            }
        }
    }
    None
}

/// Why a rule fired, as a sentence for people, from the values [`evaluate`] found.
pub fn explain(condition: &Condition, values: &BTreeMap<String, String>) -> String {
    let v = |k: &str| values.get(k).map_or("", String::as_str);
    let days = |k: &str| v(k).parse::<i64>().map_or_else(|_| format!("{} days", v(k)), steward_domain::words::days);
    match condition {
        Condition::RenewalSoonLowEnrollment { rate, .. } => format!(
            "The contract renews in {} and enrollment is {}, below the {} this playbook watches for.",
            days("renewal_in_days"),
            v("enrollment"),
            pct(*rate)
        ),
        Condition::HealthDrop { .. } => {
            format!("Health fell {} points in a month, to {}.", v("drop"), v("health"))
        }
        Condition::NoDecisionMakerTouch { .. } => {
            format!("No decision maker or executive sponsor met for {}.", days("days_since"))
        }
        Condition::NoticeDeadlineNoRenewalActivity { .. } => format!(
            "The notice deadline is in {} and nothing has been logged with the client since the renewal window opened.",
            days("deadline_in_days")
        ),
        Condition::NoticeDeadlineRenewalNotAdvanced { .. } => format!(
            "The notice deadline is in {} and the renewal is at {}: past proposal by now, it would not be at risk of lapsing.",
            days("deadline_in_days"),
            v("stage")
        ),
        Condition::GuaranteeProjectedToMiss { .. } => format!(
            "The {} guarantee ({} by {}, {}% of fees at risk) is projected at {} on the last three months' trend.",
            v("metric"),
            v("target"),
            v("measured_on"),
            v("at_risk_pct"),
            v("projected")
        ),
        Condition::UtilizationFalling { .. } => format!(
            "Utilization fell {} running, to {}.",
            steward_domain::words::count(v("months").parse().unwrap_or(0), "month", "months"),
            v("utilization")
        ),
    }
}

/// Fills `{name}` placeholders from `values`.
pub fn fill(template: &str, account: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = template.replace("{account}", account);
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// The key that makes a rule's task for an account unique while open (the rule's second
/// and later tasks add their position).
pub fn source_key(rule: &str, account: &Slug, task: usize) -> String {
    if task == 0 { format!("playbook:{rule}:{account}") } else { format!("playbook:{rule}:{account}:{}", task + 1) }
}

/// A task a rule would open.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Proposal {
    pub account: Slug,
    pub rule: String,
    pub title: String,
    pub detail: String,
    pub owner: Option<Email>,
    pub department: Option<Department>,
    pub due_date: NaiveDate,
    pub priority: Priority,
    pub escalation: bool,
    pub for_renewal: bool,
    pub source: TaskSource,
    pub source_key: String,
    pub cooldown_days: i64,
}

/// Every task the rules would open for one account today (before de-duplication).
pub fn propose(
    playbooks: &Playbooks,
    account: &Slug,
    owner: Option<&Email>,
    facts: &Facts,
    today: NaiveDate,
) -> Vec<Proposal> {
    let mut out = Vec::new();
    for rule in &playbooks.rules {
        let Some(values) = evaluate(&rule.condition, facts, today) else { continue };
        let why = explain(&rule.condition, &values);
        for (k, t) in rule.tasks.iter().enumerate() {
            let (owner, department) = match &t.assign {
                Assignee::Owner => match owner {
                    Some(o) => (Some(o.clone()), None),
                    // Nobody owns the account: an owner's task has nobody to go to.
                    None => continue,
                },
                Assignee::Department(d) => (None, Some(*d)),
            };
            out.push(Proposal {
                account: account.clone(),
                rule: rule.id.clone(),
                title: fill(&t.title, account.as_str(), &values),
                detail: format!("{why} Opened on {today} by the playbook rule “{}”.", rule.id.replace('_', " ")),
                owner,
                department,
                due_date: today + Days::new(t.due_in_days),
                priority: t.priority,
                escalation: t.escalation,
                for_renewal: t.for_renewal,
                source: TaskSource::Playbook,
                source_key: source_key(&rule.id, account, k),
                cooldown_days: rule.cooldown_days,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    use steward_domain::opportunity::Stage;

    fn guarantee(measured_on: &str) -> steward_domain::Guarantee {
        steward_domain::Guarantee {
            metric: steward_domain::TargetMetric::EnrollmentRate,
            target: 0.25,
            measured_on: d(measured_on),
            fees_at_risk_pct: 5.0,
        }
    }

    #[test]
    fn each_default_condition_fires_only_when_it_should() {
        let today = d("2026-06-15");
        let facts = Facts {
            enrollment: vec![(m("2026-05"), Some(0.15))],
            utilization: vec![
                (m("2026-02"), Some(0.6)),
                (m("2026-03"), Some(0.55)),
                (m("2026-04"), Some(0.5)),
                (m("2026-05"), Some(0.45)),
            ],
            health: vec![(m("2026-04"), 70.0), (m("2026-05"), 52.0)],
            renewal: Some(d("2026-09-30")),
            notice_deadline: Some(d("2026-07-02")),
            last_decision_maker_touch: Some(d("2026-03-01")),
            last_activity: Some(d("2026-02-01")),
            renewal_stage: Some(Stage::Proposal),
            // Enrollment 30%, 28%, 26%: two points a month down, 20% by September's end.
            guarantees: vec![(
                guarantee("2026-09-30"),
                vec![(m("2026-03"), Some(0.30)), (m("2026-04"), Some(0.28)), (m("2026-05"), Some(0.26))],
            )],
        };
        let fired: Vec<String> = propose(
            &Playbooks::default(),
            &Slug::parse("acme").unwrap(),
            Some(&Email::parse("am@x.example").unwrap()),
            &facts,
            today,
        )
        .into_iter()
        .map(|p| p.rule)
        .collect();
        assert_eq!(
            fired,
            [
                "renewal_low_enrollment",
                "renewal_low_enrollment",
                "health_drop",
                "no_decision_maker_touch",
                "notice_deadline_no_activity",
                "notice_deadline_renewal_not_advanced",
                "guarantee_projected_to_miss",
                "utilization_falling"
            ]
        );

        let calm = Facts {
            enrollment: vec![(m("2026-05"), Some(0.25))],
            utilization: vec![
                (m("2026-02"), Some(0.5)),
                (m("2026-03"), Some(0.55)),
                (m("2026-04"), Some(0.5)),
                (m("2026-05"), Some(0.45)),
            ],
            health: vec![(m("2026-04"), 70.0), (m("2026-05"), 56.0)],
            renewal: Some(d("2026-09-30")),
            notice_deadline: Some(d("2026-07-02")),
            last_decision_maker_touch: Some(d("2026-05-01")),
            last_activity: Some(d("2026-05-01")),
            renewal_stage: Some(Stage::Negotiation),
            // Flat at 26%: above the 25% target on the trend.
            guarantees: vec![(guarantee("2026-09-30"), vec![(m("2026-04"), Some(0.26)), (m("2026-05"), Some(0.26))])],
        };
        let none = propose(
            &Playbooks::default(),
            &Slug::parse("acme").unwrap(),
            Some(&Email::parse("am@x.example").unwrap()),
            &calm,
            today,
        );
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn tasks_carry_their_rule_and_values() {
        let facts = Facts {
            enrollment: vec![(m("2026-05"), Some(0.15))],
            renewal: Some(d("2026-09-30")),
            last_decision_maker_touch: Some(d("2026-06-01")),
            ..Facts::default()
        };
        let p = &propose(
            &Playbooks::default(),
            &Slug::parse("acme").unwrap(),
            Some(&Email::parse("am@x.example").unwrap()),
            &facts,
            d("2026-06-15"),
        )[0];
        assert_eq!(p.title, "Renewal in 107 days with enrollment at 15.0%: plan an enrollment push");
        assert_eq!(p.source_key, "playbook:renewal_low_enrollment:acme");
        assert_eq!(
            p.detail,
            "The contract renews in 107 days and enrollment is 15.0%, below the 20.0% this playbook watches for. \
             Opened on 2026-06-15 by the playbook rule “renewal low enrollment”."
        );
        assert!(p.for_renewal, "the owner's push serves the renewal");
        assert_eq!(p.due_date, d("2026-06-22"));
        let second = &propose(&Playbooks::default(), &Slug::parse("acme").unwrap(), None, &facts, d("2026-06-15"))[0];
        assert_eq!(
            (second.department, second.source_key.as_str()),
            (Some(Department::Marketing), "playbook:renewal_low_enrollment:acme:2"),
            "without an owner only the department's task"
        );
    }

    #[test]
    fn playbooks_round_trip_through_toml_shapes() {
        let p = Playbooks::default();
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Playbooks>(&json).unwrap(), p);
    }
}
