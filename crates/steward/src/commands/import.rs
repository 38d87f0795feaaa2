use super::{outln, print_json, print_table, thousands};
use crate::Settings;
use crate::cli::{ImportArgs, ImportsArgs, MappingsCommand};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::Instant;
use steward_domain::{ImportBatch, ImportStatus};
use steward_ingest::csv_input::{DateFormat, Mapping};
use steward_ingest::{ImportError, ImportOptions, import_file};

pub fn run(settings: &Settings, args: ImportArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let keys = crate::open::member_keys(settings)?;
    let mut options = ImportOptions::new(args.kind.kind(), chrono::Local::now().date_naive());
    options.format = args.format;
    options.account = args.account.clone();
    options.mapping = args.mapping.clone();
    options.force = args.force;
    options.max_termination_share = args.max_termination_percent / 100.0;
    options.as_of = args.as_of;
    options.dependent_ref = args.dependent_ref.clone();
    options.member_id_system = args.member_id_system.clone();
    let interactive = std::io::stderr().is_terminal() && !args.json;
    let mut done: Vec<ImportBatch> = Vec::new();
    for (i, path) in args.files.iter().enumerate() {
        let size = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
        let started = Instant::now();
        let bar = if interactive {
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template("{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} · {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_prefix(path.display().to_string());
            bar
        } else {
            crate::errln!("importing {} ({:.1} MB)…", path.display(), size as f64 / 1e6);
            ProgressBar::hidden()
        };
        let report = |bytes: u64, lines: u64| {
            bar.set_position(bytes);
            let secs = started.elapsed().as_secs_f64().max(1e-3);
            bar.set_message(format!(
                "{} rows, {} rows/s",
                thousands(lines as i64),
                thousands((lines as f64 / secs) as i64)
            ));
        };
        let outcome = import_file(&*store, &keys, path, &options, &report);
        bar.finish_and_clear();
        match outcome {
            Ok(outcome) => {
                let b = &outcome.batch;
                if !args.json {
                    let secs = started.elapsed().as_secs_f64();
                    if outcome.duplicate {
                        outln!(
                            "{}: already imported with the same content; nothing changed (batch {})",
                            path.display(),
                            b.id
                        );
                    } else {
                        outln!(
                            "{}: applied as batch {} — {} rows read, {} accepted, {} rejected, in {:.1} s ({:.0} MB/s)",
                            path.display(),
                            b.id,
                            thousands(b.rows_read),
                            thousands(b.rows_accepted),
                            thousands(b.rows_rejected),
                            secs,
                            size as f64 / 1e6 / secs.max(1e-3)
                        );
                        for line in details(b) {
                            outln!("  {line}");
                        }
                        let unit = b.position_unit();
                        for e in b.errors.iter().take(5) {
                            outln!("  {unit} {}: {}", e.line, e.message);
                        }
                        if b.rows_rejected > 5 {
                            outln!("  … `steward imports --json` lists the first {} reasons", b.errors.len());
                        }
                    }
                }
                done.push(outcome.batch);
            }
            Err(ImportError::Refused { file, error, batch }) => {
                // When every row was rejected, the rows' reasons follow the refusal.
                if args.json {
                    done.push(*batch);
                } else {
                    let unit = batch.position_unit();
                    for e in batch.errors.iter().skip(1).take(5) {
                        outln!("  {unit} {}: {}", e.line, e.message);
                    }
                }
                let rest = args.files.len() - i - 1;
                let skipped =
                    if rest > 0 { format!("; the {rest} file(s) after it were not imported") } else { String::new() };
                if args.json {
                    print_json(&done)?;
                }
                // The files applied before this one still get their rules run.
                if done.iter().any(|b| b.status == ImportStatus::Applied) {
                    super::health::run_after(settings, &*store, chrono::Local::now().date_naive())?;
                }
                // The override, in this interface's words.
                let how = if error.reason.code() == steward_ingest::ReasonCode::TerminationGuard {
                    " (the override: --force)"
                } else {
                    ""
                };
                bail!("{file} was refused and nothing of it was applied — {error}{how}{skipped}");
            }
            Err(e) => return Err(e.into()),
        }
    }
    if args.json {
        print_json(&done)?;
    }
    // Rules run after each import, on the data it brought.
    if done.iter().any(|b| b.status == ImportStatus::Applied) {
        super::health::run_after(settings, &*store, chrono::Local::now().date_naive())?;
    }
    Ok(())
}

/// What a batch knows beyond its counts, a line each: the standard it declared, rows
/// ignored by type, how member ids were formed, warnings for the sender.
fn details(b: &ImportBatch) -> Vec<String> {
    let d = &b.details;
    let counts = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter().map(|(k, n)| format!("{k} {}", thousands(*n as i64))).collect::<Vec<_>>().join(", ")
    };
    let mut lines = Vec::new();
    if let Some(standard) = &d.standard {
        lines.push(format!("standard: {standard}"));
    }
    if !d.member_ids.is_empty() {
        lines.push(format!("member ids by how they were formed: {}", counts(&d.member_ids)));
    }
    if !d.ignored.is_empty() {
        let total: u64 = d.ignored.values().sum();
        lines.push(format!("{} rows ignored (not for Steward): {}", thousands(total as i64), counts(&d.ignored)));
    }
    let unit = b.position_unit();
    lines.extend(d.warnings.iter().map(|w| format!("warning, {unit} {}: {}", w.line, w.message)));
    lines
}

pub fn list(settings: &Settings, args: ImportsArgs) -> Result<()> {
    let batches = crate::open::open_store(settings)?.imports(args.account.as_ref())?;
    if args.json {
        return print_json(&batches);
    }
    let rows: Vec<Vec<String>> = batches
        .iter()
        .map(|b| {
            vec![
                b.id.to_string(),
                b.created_at.format("%Y-%m-%d %H:%M").to_string(),
                b.kind.to_string(),
                b.format.clone(),
                b.file_name.clone(),
                b.account.as_ref().map(|a| a.to_string()).unwrap_or_default(),
                match b.status {
                    ImportStatus::Refused => {
                        format!("refused: {}", b.errors.first().map_or("", |e| e.message.as_str()))
                    }
                    s => s.to_string(),
                },
                thousands(b.rows_read),
                thousands(b.rows_rejected),
            ]
        })
        .collect();
    print_table(&["batch", "when", "kind", "format", "file", "account", "status", "read", "rejected"], &rows)?;
    Ok(())
}

pub fn mappings(settings: &Settings, command: MappingsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    match command {
        MappingsCommand::Set(args) => {
            let date_format: DateFormat = args.date_format.parse().map_err(anyhow::Error::msg)?;
            let mapping = Mapping {
                columns: args.columns.into_iter().collect(),
                date_format,
                classes: args.classes.into_iter().collect(),
            };
            store.put_column_mapping(&args.account, args.name.as_str(), &serde_json::to_string(&mapping)?)?;
            outln!("saved mapping {} for {}", args.name, args.account);
            Ok(())
        }
        MappingsCommand::Show(args) => match store.column_mapping(&args.account, args.name.as_str())? {
            Some(json) => {
                let value: serde_json::Value = serde_json::from_str(&json)?;
                print_json(&value)
            }
            None => bail!("{} has no mapping named {}", args.account, args.name),
        },
    }
}
