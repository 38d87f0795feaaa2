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

/// What a page inside the layout is rendered with (`pages::render`).
const PAGE: &[&str] = &["layout", "title", "page"];

/// The names a template's context holds: what its render site passes.
fn context_of(name: &str) -> &'static [&'static str] {
    match name {
        "sign_in.html" => &["title", "email", "next", "error", "csrf"],
        "error.html" => &["title", "message", "status"],
        "macros.html" => &[],
        "qbr.html" => &[
            "stylesheet",
            "client",
            "account",
            "quarter",
            "as_of",
            "complete",
            "summary",
            "key_numbers",
            "funnel",
            "rates",
            "visits",
            "nps",
            "cuts",
            "initiatives",
            "next_steps",
            "internal",
        ],
        "portfolio.html" => &["stylesheet", "as_of", "facts", "tables", "charts"],
        _ => PAGE,
    }
}

/// The templates, parsed once. Printing something the context does not hold, or reading an
/// attribute of it, is an error, so a typo fails its page (and the tests, which render every
/// page) instead of showing an empty cell. Asking is not: a form shown empty compares and
/// tests fields its empty map does not hold (`{% if v.role == r.value %}`, `v.name or ""`).
fn environment() -> &'static Result<Environment<'static>, String> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_formatter(|out, state, value| {
            if value.is_undefined() {
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::UndefinedError,
                    "printing a value the context does not hold",
                ));
            }
            minijinja::escape_formatter(out, state, value)
        });
        for (name, source) in TEMPLATES {
            env.add_template(name, source).map_err(|e| format!("template {name}: {e:#}"))?;
        }
        env.add_filter("thousands", |v: i64| crate::views::thousands(v));
        env.add_filter("pct", |v: Option<f64>| crate::views::percent(v));
        env.add_filter("signed", |v: f64| crate::views::signed(v));
        for (name, _) in TEMPLATES {
            let template = env.get_template(name).map_err(|e| format!("template {name}: {e:#}"))?;
            let held = context_of(name);
            let mut unknown: Vec<String> =
                template.undeclared_variables(false).into_iter().filter(|v| !held.contains(&v.as_str())).collect();
            if !unknown.is_empty() {
                unknown.sort();
                return Err(format!("template {name} reads {} that its context does not hold", unknown.join(", ")));
            }
        }
        Ok(env)
    })
}

/// Every template parses and reads only names its context holds: the server checks it as
/// it starts, so a broken template stops it there rather than on a page.
pub fn check() -> Result<(), String> {
    environment().as_ref().map(|_| ()).map_err(Clone::clone)
}

pub fn render(name: &str, context: Value) -> Result<String, WebError> {
    environment()
        .as_ref()
        .map_err(|e| WebError::Internal(e.clone()))?
        .get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| WebError::Internal(format!("rendering {name}: {e:#}")))
}

#[cfg(test)]
mod tests {
    use minijinja::context;

    #[test]
    fn every_template_parses_and_reads_only_its_context() {
        assert_eq!(super::check(), Ok(()));
    }

    #[test]
    fn printing_what_the_context_does_not_hold_fails_the_page() {
        let whole = context! { title => "Not found", message => "no such account", status => 404 };
        assert!(super::render("error.html", whole).unwrap().contains("no such account"));
        let short = context! { title => "Not found", status => 404 };
        let e = super::render("error.html", short).unwrap_err();
        assert!(format!("{e:?}").contains("does not hold"), "{e:?}");
    }
}
