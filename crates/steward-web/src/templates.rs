//! The page templates, compiled into the binary and auto-escaped (`.html`), and the few
//! filters they format numbers with.

use crate::error::WebError;
use minijinja::{Environment, Value};
use std::sync::OnceLock;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("sign_in.html", include_str!("../templates/sign_in.html")),
    ("book.html", include_str!("../templates/book.html")),
    ("account.html", include_str!("../templates/account.html")),
    ("work.html", include_str!("../templates/work.html")),
    ("team.html", include_str!("../templates/team.html")),
    ("portfolio.html", include_str!("../templates/portfolio.html")),
    ("task.html", include_str!("../templates/task.html")),
    ("contract.html", include_str!("../templates/contract.html")),
    ("project.html", include_str!("../templates/project.html")),
    ("objective.html", include_str!("../templates/objective.html")),
    ("initiatives.html", include_str!("../templates/initiatives.html")),
    ("initiative.html", include_str!("../templates/initiative.html")),
    ("experiment_design.html", include_str!("../templates/experiment_design.html")),
    ("experiment.html", include_str!("../templates/experiment.html")),
    ("qbr.html", include_str!("../templates/qbr.html")),
    ("retention.html", include_str!("../templates/retention.html")),
    ("pipeline.html", include_str!("../templates/pipeline.html")),
    ("forecast.html", include_str!("../templates/forecast.html")),
    ("quote.html", include_str!("../templates/quote.html")),
    ("contact.html", include_str!("../templates/contact.html")),
    ("quote_new.html", include_str!("../templates/quote_new.html")),
    ("opportunity.html", include_str!("../templates/opportunity.html")),
    ("opportunity_new.html", include_str!("../templates/opportunity_new.html")),
    ("client.html", include_str!("../templates/client.html")),
    ("imports.html", include_str!("../templates/imports.html")),
    ("import.html", include_str!("../templates/import.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("admin_users.html", include_str!("../templates/admin_users.html")),
    ("tokens.html", include_str!("../templates/tokens.html")),
    ("password.html", include_str!("../templates/password.html")),
];

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Forms shown again fill fields from maps that hold only what was typed: a missing
        // key is an empty field. Every page is rendered by the tests, so a typo still shows.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
        for (name, source) in TEMPLATES {
            // A template that does not parse is a build defect; tests render every page.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!("template {name}: {e}");
            }
        }
        env.add_filter("thousands", |v: i64| crate::views::thousands(v));
        env.add_filter("pct", |v: Option<f64>| crate::views::percent(v));
        env.add_filter("signed", |v: f64| crate::views::signed(v));
        env
    })
}

pub fn render(name: &str, context: Value) -> Result<String, WebError> {
    environment()
        .get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| WebError::Internal(format!("rendering {name}: {e:#}")))
}
