use super::{outln, print_json, thousands};
use crate::Settings;
use crate::cli::{DemoArgs, DemoFilesArgs, ScaleArg};
use crate::demo::{Marker, load_book, marker, put_marker};
use anyhow::{Context, Result, bail};
use std::time::Instant;
use steward_demo::{Book, DemoConfig, Scale};
use steward_domain::{AccountStatus, Role, Segment};

pub fn run(settings: &Settings, args: DemoArgs) -> Result<()> {
    let started = Instant::now();
    let store = crate::open::open_store(settings)?;
    let files_dir = settings.ensure_data_dir()?.join("demo-files");
    let wanted = Marker {
        seed: args.seed,
        as_of: args.as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
        accounts: args.accounts,
        lives_per_account: args.lives_per_account,
        complete: false,
    };
    // Fail on a bad password before any work.
    let password = args.password.clone().unwrap_or_else(crate::password::generate);
    let hash = crate::password::hash(&password)?;
    let existing = marker(&*store)?;
    if existing.is_none() && !store.accounts()?.is_empty() {
        bail!(
            "{} already holds accounts that are not a demo book; demo never replaces them: use another --data-dir",
            settings.data_dir.display()
        );
    }
    let rebuild = match &existing {
        None => false,
        Some(_) if args.reset => true,
        Some(m) if !m.complete => {
            crate::errln!("the previous demo build in this data dir was interrupted; rebuilding it");
            true
        }
        Some(_) => false,
    };
    if rebuild {
        crate::errln!("removing the data dir's demo book…");
        store.erase_all()?;
        if files_dir.exists() {
            std::fs::remove_dir_all(&files_dir).with_context(|| format!("cannot remove {}", files_dir.display()))?;
        }
    }
    let config = |m: &Marker| DemoConfig {
        seed: m.seed,
        accounts: m.accounts,
        as_of: m.as_of,
        lives_per_account: m.lives_per_account,
        scale: Scale::Demo,
    };
    let (book, password) = match existing.filter(|_| !rebuild) {
        Some(built) => {
            if args.seed != built.seed || args.accounts != built.accounts {
                crate::errln!(
                    "note: this data dir's book was built with seed {} and {} accounts; --reset rebuilds it",
                    built.seed,
                    built.accounts
                );
            }
            outln!(
                "Reusing the demo book in {} (built for {}); --reset rebuilds it.",
                settings.data_dir.display(),
                built.as_of
            );
            (steward_demo::generate_book(&config(&built)), None)
        }
        None => {
            let config = config(&wanted);
            crate::errln!("generating {} accounts (seed {}, as of {})…", config.accounts, config.seed, config.as_of);
            let book = steward_demo::generate_book(&config);
            let summary = steward_demo::write_files(&config, &book, &files_dir)
                .with_context(|| format!("cannot write the demo files under {}", files_dir.display()))?;
            crate::errln!(
                "wrote {} files ({:.1} MB): {} eligibility rows, {} visits, {} survey responses",
                summary.files,
                summary.bytes as f64 / 1e6,
                thousands(summary.eligibility_rows as i64),
                thousands(summary.visits as i64),
                thousands(summary.survey_responses as i64)
            );
            put_marker(&*store, &wanted)?;
            crate::errln!("loading the book…");
            load_book(&*store, &book, &hash)?;
            crate::errln!("importing the member-level files…");
            let keys = crate::open::member_keys(settings)?;
            let imported = crate::demo::import_directory(&*store, &keys, &files_dir, false)?;
            crate::errln!(
                "imported {} files: {} rows, {} rejected",
                imported.files,
                thousands(imported.rows),
                thousands(imported.rejected)
            );
            super::health::run_after(settings, &*store, wanted.as_of)?;
            crate::demo::commercial(&*store, wanted.as_of)?;
            crate::demo::projects(&*store, wanted.as_of, &super::projects::calendar(settings)?)?;
            crate::demo::success_plans(&*store, wanted.as_of)?;
            crate::errln!("publishing last quarter's client reviews…");
            let (card, _) = super::health::scorecard(settings)?;
            crate::demo::publish_reviews(&*store, &card, wanted.as_of)?;
            put_marker(&*store, &Marker { complete: true, ..wanted.clone() })?;
            (book, Some(password))
        }
    };
    print_summary(&book, password.as_deref(), &files_dir)?;
    crate::errln!("ready in {:.1} s", started.elapsed().as_secs_f64());
    if args.no_serve {
        return Ok(());
    }
    outln!();
    // The pages show the book as of the day it was built for, so its numbers agree.
    let serve = crate::cli::ServeArgs {
        bind: args.bind.clone(),
        secure_cookies: false,
        today: Some(book.as_of),
        suppression_threshold: steward_domain::suppression::DEFAULT_THRESHOLD,
        accept_small_cell_risk: false,
        client_access_days: 90,
        upload_limit_mb: 256,
        behind_proxy: false,
    };
    super::serve::serve(settings, store, &serve, |url| {
        outln!("Open {url} and sign in with one of the users above.");
        Ok(())
    })
}

fn print_summary(book: &Book, password: Option<&str>, files_dir: &std::path::Path) -> Result<()> {
    let count = |f: &dyn Fn(&steward_demo::DemoAccount) -> bool| book.accounts.iter().filter(|a| f(a)).count();
    let (renewed, churned) = steward_demo::book::renewal_outcomes(book);
    let upcoming = book
        .accounts
        .iter()
        .filter(|a| a.account.status == AccountStatus::Live)
        .filter_map(|a| a.contracts.last().map(|c| &c.contract))
        .filter(|c| c.end_date <= book.as_of + chrono::Days::new(365))
        .count();
    outln!("Demo book as of {}", book.as_of);
    outln!(
        "  {} accounts: {} large enterprise, {} mid-market; {} live, {} implementing, {} churned, {} prospect",
        book.accounts.len(),
        count(&|a| a.account.segment == Segment::LargeEnterprise),
        count(&|a| a.account.segment == Segment::MidMarket),
        count(&|a| a.account.status == AccountStatus::Live),
        count(&|a| a.account.status == AccountStatus::Implementing),
        count(&|a| a.account.status == AccountStatus::Churned),
        count(&|a| a.account.status == AccountStatus::Prospect),
    );
    outln!(
        "  {} metros, {} worksites, {} contacts, {} activities; {} renewals due in the next 12 months; past renewals: {} renewed, {} churned",
        steward_demo::book::metros(book).len(),
        book.accounts.iter().map(|a| a.worksites.len()).sum::<usize>(),
        book.accounts.iter().map(|a| a.contacts.len()).sum::<usize>(),
        book.accounts.iter().map(|a| a.activities.len()).sum::<usize>(),
        upcoming,
        renewed,
        churned
    );
    outln!("  member-level files: {}", files_dir.display());
    outln!();
    outln!("Sign in as (password: {}):", password.unwrap_or("as set when the book was built"));
    for role in [Role::Admin, Role::Director, Role::AccountManager, Role::Colleague] {
        let emails: Vec<&str> = book.users.iter().filter(|u| u.role == role).map(|u| u.email.as_str()).collect();
        outln!("  {:<16} {}", role.as_str(), emails.join(", "));
    }
    let clients: Vec<String> = book
        .users
        .iter()
        .filter(|u| u.role == Role::Client)
        .take(3)
        .map(|u| format!("{} ({})", u.email, u.account.as_ref().map(|s| s.as_str()).unwrap_or("")))
        .collect();
    outln!("  {:<16} {} … one per client account", "client", clients.join(", "));
    Ok(())
}

pub fn files(args: DemoFilesArgs) -> Result<()> {
    let started = Instant::now();
    let as_of = args.as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut config = match args.scale {
        ScaleArg::Demo => DemoConfig::new(args.seed, as_of),
        ScaleArg::Company => DemoConfig::company(args.seed, as_of),
    };
    if let Some(n) = args.accounts {
        config.accounts = n;
    }
    config.lives_per_account = args.lives_per_account;
    let book = steward_demo::generate_book(&config);
    let summary = steward_demo::write_files(&config, &book, &args.out)
        .with_context(|| format!("cannot write the demo files under {}", args.out.display()))?;
    if args.json {
        return print_json(&summary);
    }
    outln!(
        "wrote {} files ({:.1} MB) to {} in {:.1} s: {} accounts, {} people, {} eligibility rows, {} membership rows, {} visits, {} survey responses",
        summary.files,
        summary.bytes as f64 / 1e6,
        args.out.display(),
        started.elapsed().as_secs_f64(),
        book.accounts.len(),
        thousands(summary.people as i64),
        thousands(summary.eligibility_rows as i64),
        thousands(summary.membership_rows as i64),
        thousands(summary.visits as i64),
        thousands(summary.survey_responses as i64)
    );
    Ok(())
}

pub fn import_dir(settings: &Settings, args: crate::cli::DemoImportArgs) -> Result<()> {
    let started = Instant::now();
    let store = crate::open::open_store(settings)?;
    let keys = crate::open::member_keys(settings)?;
    let imported = crate::demo::import_directory(&*store, &keys, &args.dir, true)?;
    outln!(
        "created {} accounts and imported {} files ({} rows, {} rejected) from {} in {:.1} s",
        imported.accounts_created,
        imported.files,
        thousands(imported.rows),
        thousands(imported.rejected),
        args.dir.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
