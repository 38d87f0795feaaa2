use super::outln;
use crate::Settings;
use crate::cli::ServeArgs;
use anyhow::{Context, Result};
use std::sync::Arc;
use steward_store::Store;
use steward_web::{App, WebConfig};

pub fn run(settings: &Settings, args: ServeArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    serve(settings, store, &args, |_| Ok(()))
}

/// Serves `store` until interrupted; `ready` runs once the address is bound (the demo
/// prints its sign-ins there), after the URL is printed.
pub fn serve(
    settings: &Settings,
    store: Arc<dyn Store>,
    args: &ServeArgs,
    ready: impl FnOnce(&str) -> Result<()>,
) -> Result<()> {
    init_logging();
    let threshold =
        steward_domain::suppression::checked_threshold(args.suppression_threshold, args.accept_small_cell_risk)
            .map_err(anyhow::Error::msg)?;
    if threshold < steward_domain::suppression::DEFAULT_THRESHOLD {
        tracing::warn!(
            "suppression threshold {threshold} (--accept-small-cell-risk): client users may see groups of fewer than {} people",
            steward_domain::suppression::DEFAULT_THRESHOLD
        );
    }
    let (scorecard, _) = super::health::scorecard(settings)?;
    let (playbooks, _) = super::health::playbooks(settings)?;
    let (project_templates, _) = super::projects::templates(settings)?;
    let calendar = super::projects::calendar(settings)?;
    let mut config = WebConfig::new(crate::open::member_keys(settings)?, settings.ensure_data_dir()?.join("uploads"));
    config.secure_cookies = args.secure_cookies;
    config.today = args.today;
    config.suppression_threshold = threshold;
    config.client_access_grace_days = args.client_access_days;
    config.behind_proxy = args.behind_proxy;
    config.upload_limit_bytes = args.upload_limit_mb.saturating_mul(1024 * 1024);
    config.scorecard = scorecard;
    config.playbooks = playbooks;
    config.project_templates = project_templates;
    config.calendar = calendar;
    // Renewal windows that opened while no server ran (idempotent across servers).
    let today = args.today.unwrap_or_else(|| chrono::Local::now().date_naive());
    let renewals =
        steward_health::renewals::run(store.as_ref(), today, None).context("cannot open renewal opportunities")?;
    if !renewals.opened.is_empty() {
        tracing::info!("opened {} renewal opportunities whose windows had opened", renewals.opened.len());
    }
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the server")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.bind).await.with_context(|| {
            format!("cannot listen on {}: is another server using it? choose one with --bind", args.bind)
        })?;
        let url = format!("http://{}/", listener.local_addr()?);
        outln!("Steward is serving on {url}  (Ctrl-C stops it)");
        ready(&url)?;
        steward_web::serve(listener, App::new(store, config)).await.context("the server stopped")
    })
}

/// Warnings and errors to stderr (`RUST_LOG`-style levels are not needed yet).
fn init_logging() {
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_max_level(tracing::Level::INFO)
        .try_init();
}
