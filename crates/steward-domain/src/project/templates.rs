//! Project templates: the plans a project is made from — a new client's launch, a new
//! metro, a renewal with a plan change, an eligibility feed change — each a list of tasks
//! with a department (or the client, or the project's owner), a duration in business days
//! and what each waits for.
//!
//! Teams keep their own in `<data-dir>/project_templates.toml`; [`Templates::default`] is
//! what Steward ships. [`Templates::validate`] refuses a bad file in one line naming the
//! template and task (unknown dependency, a cycle with its tasks, a negative duration).

use super::CompletedBy;
use crate::schedule::{self, Link, MAX_DAYS, PlanError, Step};
use crate::user::Department;
use serde::{Deserialize, Serialize};

/// Who does a task: a department, the client, or (neither) the project's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateTask {
    /// Unique within the template; dependencies name it.
    pub key: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<Department>,
    /// The client's own task ("send the eligibility test file"), shown in their portal.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub client: bool,
    /// Business days; 0 makes it a milestone.
    pub days: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<After>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_by: Option<CompletedBy>,
    /// Completing it makes an implementing account live.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub go_live: bool,
}

/// What a task waits for: another task's key, or the key with a lag in business days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum After {
    Task(String),
    Lagged { on: String, lag_days: i64 },
}

impl After {
    pub fn on(&self) -> &str {
        match self {
            After::Task(on) | After::Lagged { on, .. } => on,
        }
    }

    pub fn lag_days(&self) -> i64 {
        match self {
            After::Task(_) => 0,
            After::Lagged { lag_days, .. } => *lag_days,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// How it is chosen: `new_client_launch`.
    pub name: String,
    pub title: String,
    #[serde(rename = "task")]
    pub tasks: Vec<TemplateTask>,
}

/// Every template in force; in TOML, one `[[template]]` table each with its `[[template.task]]`s.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Templates {
    #[serde(rename = "template")]
    pub templates: Vec<Template>,
}

impl Template {
    /// The template's tasks as the schedule reads them, checked.
    pub fn steps(&self) -> Result<Vec<Step<String>>, String> {
        let at = |task: &TemplateTask, what: String| format!("template {}, task {}: {what}", self.name, task.key);
        let mut steps = Vec::with_capacity(self.tasks.len());
        for t in &self.tasks {
            let days = u32::try_from(t.days)
                .map_err(|_| at(t, format!("lasts {} business days; a duration is 0 or more", t.days)))?;
            let mut links = Vec::with_capacity(t.after.len());
            for a in &t.after {
                let lag = u32::try_from(a.lag_days()).map_err(|_| {
                    at(t, format!("waits {} business days after {}; a lag is 0 or more", a.lag_days(), a.on()))
                })?;
                links.push(Link { on: a.on().to_owned(), lag_days: lag });
            }
            if t.client && t.department.is_some() {
                return Err(at(t, "is the client's and a department's; it is one or the other".into()));
            }
            // Scheduling names tasks by key here: a template's author reads keys.
            steps.push(Step::new(t.key.clone(), t.key.clone(), days, links));
        }
        schedule::check(&steps).map_err(|e| match e {
            PlanError::TooLong { task, days } => {
                format!("template {}, task {task}: {days} business days is more than the {MAX_DAYS} allowed", self.name)
            }
            other => format!("template {}: {other}", self.name),
        })?;
        Ok(steps)
    }
}

impl Templates {
    pub fn validate(&self) -> Result<(), String> {
        let mut names = std::collections::BTreeSet::new();
        for t in &self.templates {
            if !names.insert(t.name.as_str()) {
                return Err(format!("two templates are called {}", t.name));
            }
            if t.tasks.is_empty() {
                return Err(format!("template {} has no tasks", t.name));
            }
            t.steps()?;
            if t.tasks.iter().filter(|x| x.go_live).count() > 1 {
                return Err(format!("template {} has more than one go-live task", t.name));
            }
        }
        Ok(())
    }

    pub fn get(&self, name: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.name == name)
    }
}

/// A task for a department (`None`: the project's owner).
fn task(key: &str, name: &str, department: Option<Department>, days: i64, after: &[&str]) -> TemplateTask {
    TemplateTask {
        key: key.into(),
        name: name.into(),
        department,
        client: false,
        days,
        after: after.iter().map(|a| After::Task((*a).into())).collect(),
        completed_by: None,
        go_live: false,
    }
}

fn client_task(key: &str, name: &str, days: i64, after: &[&str]) -> TemplateTask {
    TemplateTask { client: true, ..task(key, name, None, days, after) }
}

fn lagged(mut t: TemplateTask, on: &str, lag_days: i64) -> TemplateTask {
    t.after.retain(|a| a.on() != on);
    t.after.push(After::Lagged { on: on.into(), lag_days });
    t
}

impl Default for Templates {
    fn default() -> Self {
        use Department::{Clinical, It, Marketing, Operations, Sales};
        let new_client_launch = Template {
            name: "new_client_launch".into(),
            title: "New client launch".into(),
            tasks: vec![
                task("contract_signed", "Contract signed", Some(Sales), 0, &[]),
                task("kickoff", "Implementation kickoff with the client", None, 2, &["contract_signed"]),
                task("feed_spec", "Eligibility file specification agreed", Some(It), 5, &["kickoff"]),
                task("feed_setup", "Eligibility feed set up", Some(It), 10, &["feed_spec"]),
                client_task("test_file_sent", "Send the eligibility test file", 5, &["feed_spec"]),
                TemplateTask {
                    completed_by: Some(CompletedBy::EligibilityFileAccepted),
                    ..task("test_file_validated", "Test file validated", Some(It), 3, &["feed_setup", "test_file_sent"])
                },
                task(
                    "clinic_capacity",
                    "Clinic capacity confirmed in the client's metros",
                    Some(Clinical),
                    10,
                    &["kickoff"],
                ),
                task("launch_kit", "Marketing launch kit", Some(Marketing), 10, &["kickoff"]),
                client_task("launch_email_approved", "Approve the launch e-mail", 3, &["launch_kit"]),
                task("benefits_team_trained", "Client benefits team trained", Some(Operations), 3, &["launch_kit"]),
                task(
                    "launch_email_sent",
                    "Launch e-mail sent to employees",
                    Some(Marketing),
                    1,
                    &["launch_email_approved", "test_file_validated"],
                ),
                lagged(
                    task(
                        "onsite_launch",
                        "Onsite launch event",
                        Some(Operations),
                        2,
                        &["clinic_capacity", "benefits_team_trained"],
                    ),
                    "launch_email_sent",
                    5,
                ),
                TemplateTask { go_live: true, ..task("go_live", "Go-live", None, 0, &["onsite_launch"]) },
            ],
        };
        let new_metro = Template {
            name: "new_metro_expansion".into(),
            title: "New metro expansion".into(),
            tasks: vec![
                task("amendment_signed", "Contract amendment signed", Some(Sales), 0, &[]),
                task(
                    "clinic_capacity",
                    "Clinic capacity confirmed in the metro",
                    Some(Clinical),
                    15,
                    &["amendment_signed"],
                ),
                client_task("worksites_listed", "Send the new worksites and their headcount", 5, &["amendment_signed"]),
                task("feed_updated", "Eligibility feed carries the new worksites", Some(It), 5, &["worksites_listed"]),
                task("metro_campaign", "Marketing campaign for the metro", Some(Marketing), 10, &["worksites_listed"]),
                task(
                    "onsite_event",
                    "Onsite event in the metro",
                    Some(Operations),
                    2,
                    &["clinic_capacity", "metro_campaign"],
                ),
                task("metro_live", "Metro live", None, 0, &["onsite_event", "feed_updated"]),
            ],
        };
        let renewal_plan_change = Template {
            name: "renewal_with_plan_change".into(),
            title: "Renewal with plan change".into(),
            tasks: vec![
                task("renewal_signed", "Renewal signed", Some(Sales), 0, &[]),
                task("billing_updated", "Billing set up for the new terms", Some(Operations), 5, &["renewal_signed"]),
                task("change_notice", "Plan change notice for employees", Some(Marketing), 5, &["renewal_signed"]),
                client_task("change_notice_approved", "Approve the plan change notice", 3, &["change_notice"]),
                task("notice_sent", "Plan change notice sent", Some(Marketing), 1, &["change_notice_approved"]),
                task("eligibility_rules", "Eligibility rules updated", Some(It), 5, &["renewal_signed"]),
                task(
                    "new_terms",
                    "New terms in effect",
                    None,
                    0,
                    &["billing_updated", "notice_sent", "eligibility_rules"],
                ),
            ],
        };
        let feed_change = Template {
            name: "eligibility_feed_change".into(),
            title: "Eligibility feed change".into(),
            tasks: vec![
                task("change_requested", "Feed change requested", None, 0, &[]),
                task("spec_agreed", "New file specification agreed", Some(It), 5, &["change_requested"]),
                client_task("test_file_sent", "Send a test file in the new format", 5, &["spec_agreed"]),
                TemplateTask {
                    completed_by: Some(CompletedBy::EligibilityFileAccepted),
                    ..task("test_file_validated", "Test file validated", Some(It), 3, &["test_file_sent"])
                },
                task("cut_over", "Production feed switched over", Some(It), 2, &["test_file_validated"]),
                task("first_file_checked", "First production file checked", Some(Operations), 1, &["cut_over"]),
            ],
        };
        Templates { templates: vec![new_client_launch, new_metro, renewal_plan_change, feed_change] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{Calendar, schedule};

    #[test]
    fn the_shipped_templates_are_valid_and_schedule() {
        let templates = Templates::default();
        templates.validate().unwrap();
        let launch = templates.get("new_client_launch").unwrap();
        let s = schedule(&launch.steps().unwrap(), "2027-01-04".parse().unwrap(), &Calendar::default(), None).unwrap();
        let go_live = s.task(&"go_live".to_owned()).unwrap();
        assert!(go_live.critical && go_live.finish == s.finish);
        // kickoff 2 + spec 5 + feed 10 + validation 3 + e-mail 1 + 5 days' wait + event 2.
        assert_eq!(s.duration_days, 28);
    }

    #[test]
    fn bad_templates_are_refused_in_one_line() {
        let mut t = Templates::default();
        t.templates[0].tasks[2].after = vec![After::Task("nowhere".into())];
        assert_eq!(
            t.validate().unwrap_err(),
            "template new_client_launch: feed_spec depends on nowhere, which is not a task of this plan"
        );
        let mut t = Templates::default();
        t.templates[3].tasks[1].after = vec![After::Task("cut_over".into())];
        assert_eq!(
            t.validate().unwrap_err(),
            "template eligibility_feed_change: the dependencies go round in a cycle: spec_agreed → test_file_sent → \
             test_file_validated → cut_over → spec_agreed"
        );
        let mut t = Templates::default();
        t.templates[1].tasks[2].days = -3;
        assert_eq!(
            t.validate().unwrap_err(),
            "template new_metro_expansion, task worksites_listed: lasts -3 business days; a duration is 0 or more"
        );
        let mut t = Templates::default();
        t.templates[1].tasks[3].after = vec![After::Lagged { on: "worksites_listed".into(), lag_days: -1 }];
        assert!(t.validate().unwrap_err().contains("a lag is 0 or more"));
    }
}
