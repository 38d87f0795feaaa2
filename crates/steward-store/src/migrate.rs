//! Embedded migrations: one SQL text per version, rendered for each dialect, applied in
//! order, each recorded with a checksum so an edited migration is caught, not re-run.

use crate::{Conn, Dialect, Result, StoreError};

#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    source: &'static str,
}

/// Every migration, oldest first. Append only.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "initial", source: include_str!("../migrations/0001_initial.sql") },
    Migration { version: 2, name: "member_ledgers", source: include_str!("../migrations/0002_member_ledgers.sql") },
    Migration {
        version: 3,
        name: "sessions_and_tokens",
        source: include_str!("../migrations/0003_sessions_and_tokens.sql"),
    },
    Migration { version: 4, name: "task_snooze", source: include_str!("../migrations/0004_task_snooze.sql") },
    Migration { version: 5, name: "import_options", source: include_str!("../migrations/0005_import_options.sql") },
    Migration { version: 6, name: "metrics_as_of", source: include_str!("../migrations/0006_metrics_as_of.sql") },
    Migration { version: 7, name: "sign_in_failures", source: include_str!("../migrations/0007_sign_in_failures.sql") },
    Migration { version: 8, name: "metrics_fields", source: include_str!("../migrations/0008_metrics_fields.sql") },
    Migration { version: 9, name: "task_for_renewal", source: include_str!("../migrations/0009_task_for_renewal.sql") },
    Migration {
        version: 10,
        name: "contract_history_and_arr",
        source: include_str!("../migrations/0010_contract_history_and_arr.sql"),
    },
    Migration { version: 11, name: "opportunities", source: include_str!("../migrations/0011_opportunities.sql") },
    Migration {
        version: 12,
        name: "goals_and_forecasts",
        source: include_str!("../migrations/0012_goals_and_forecasts.sql"),
    },
    Migration { version: 13, name: "quotes", source: include_str!("../migrations/0013_quotes.sql") },
    Migration { version: 14, name: "contact_history", source: include_str!("../migrations/0014_contact_history.sql") },
    Migration {
        version: 15,
        name: "account_name_order",
        source: include_str!("../migrations/0015_account_name_order.sql"),
    },
    Migration { version: 16, name: "board_indexes", source: include_str!("../migrations/0016_board_indexes.sql") },
    Migration {
        version: 17,
        name: "account_data_changes",
        source: include_str!("../migrations/0017_account_data_changes.sql"),
    },
    Migration { version: 18, name: "projects", source: include_str!("../migrations/0018_projects.sql") },
    Migration { version: 19, name: "success_plans", source: include_str!("../migrations/0019_success_plans.sql") },
    Migration { version: 20, name: "initiatives", source: include_str!("../migrations/0020_initiatives.sql") },
    Migration { version: 21, name: "experiments", source: include_str!("../migrations/0021_experiments.sql") },
    Migration { version: 22, name: "reports", source: include_str!("../migrations/0022_reports.sql") },
    Migration { version: 23, name: "quarter_text", source: include_str!("../migrations/0023_quarter_text.sql") },
];

/// The schema version this build expects.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

impl Migration {
    pub fn sql(&self, dialect: Dialect) -> Result<String> {
        render(self.source, dialect)
    }
}

/// Expands `{{id}}`, `{{timestamp}}`, `{{sqlite:…}}` and `{{postgres:…}}`.
pub fn render(source: &str, dialect: Dialect) -> Result<String> {
    let mut out = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let close = rest[open..].find("}}").ok_or_else(|| StoreError::Backend("unclosed {{ in a migration".into()))?;
        let token = &rest[open + 2..open + close];
        out.push_str(expand(token, dialect)?);
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn expand(token: &str, dialect: Dialect) -> Result<&str> {
    let expanded = match (token, dialect) {
        ("id", Dialect::Sqlite) => "INTEGER PRIMARY KEY",
        ("id", Dialect::Postgres) => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        ("timestamp", Dialect::Sqlite) => "TIMESTAMP",
        ("timestamp", Dialect::Postgres) => "TIMESTAMPTZ",
        ("bytes", Dialect::Sqlite) => "BLOB",
        ("bytes", Dialect::Postgres) => "BYTEA",
        _ => match token.split_once(':') {
            Some((name, text)) if name == dialect.name() => text,
            Some(("sqlite" | "postgres", _)) => "",
            _ => return Err(StoreError::Backend(format!("unknown migration token {{{{{token}}}}}"))),
        },
    };
    Ok(expanded)
}

fn checksum(sql: &str) -> String {
    blake3::hash(sql.as_bytes()).to_hex().to_string()
}

/// Applies what is missing and returns how many migrations ran. Refuses a database that
/// is newer than this build or whose applied migrations were edited.
pub fn migrate(conn: &mut dyn Conn, dialect: Dialect, now: &str) -> Result<usize> {
    if dialect == Dialect::Postgres {
        // Several app servers may start at once; one migrates while the others wait.
        conn.execute("SELECT pg_advisory_xact_lock(7306444371827385)", &[])?;
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )?;
    let applied = conn.query("SELECT version, checksum FROM schema_migrations ORDER BY version", &[])?;
    let mut ran = 0;
    for (i, migration) in MIGRATIONS.iter().enumerate() {
        let sql = migration.sql(dialect)?;
        match applied.get(i) {
            Some(row) => {
                if row.int(0)? != migration.version || row.text(1)? != checksum(&sql) {
                    return Err(StoreError::Backend(format!(
                        "migration {} ({}) differs from the one applied to this database; migrations are never edited once applied",
                        migration.version, migration.name
                    )));
                }
            }
            None => {
                conn.execute_batch(&sql)?;
                conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                    &[migration.version.into(), migration.name.into(), checksum(&sql).into(), now.into()],
                )?;
                ran += 1;
            }
        }
    }
    if let Some(newest) = applied.last() {
        let version = newest.int(0)?;
        if version > latest_version() {
            return Err(StoreError::Invalid(format!(
                "the database is at schema version {version}, newer than this steward understands ({}); upgrade steward",
                latest_version()
            )));
        }
    }
    Ok(ran)
}

/// Every table the migrations create, children before parents (the order to empty them).
pub const TABLES: &[&str] = &[
    "sign_in_failures",
    "forecast_snapshots",
    "goals",
    "api_tokens",
    "sessions",
    "column_mappings",
    "account_metrics",
    "member_ledger_parts",
    "member_ledgers",
    "settings",
    "import_batches",
    "csat_ratings",
    "project_links",
    "project_tasks",
    "projects",
    "quote_events",
    "quotes",
    "opportunity_stages",
    "opportunities",
    "arr_snapshots",
    "contract_changes",
    "contracts",
    "tasks",
    "success_objectives",
    "reports",
    "experiment_units",
    "experiments",
    "initiatives",
    "contact_changes",
    "activity_contacts",
    "activities",
    "contacts",
    "worksites",
    "users",
    "accounts",
    "metros",
];

/// Empties every table but the reference data, for `steward demo --reset`.
pub fn erase_all(conn: &mut dyn Conn) -> Result<()> {
    // Client users point at accounts and accounts at their owners: break the cycle first.
    conn.execute("UPDATE users SET account_id = NULL", &[])?;
    conn.execute("UPDATE accounts SET owner_id = NULL, parent_id = NULL", &[])?;
    for table in TABLES.iter().filter(|t| **t != "metros") {
        conn.execute(&format!("DELETE FROM {table}"), &[])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_each_dialect() {
        let src = "id {{id}}, at {{timestamp}}, x BIGINT{{sqlite: REFERENCES a (id)}};{{postgres:ALTER x;}}";
        assert_eq!(
            render(src, Dialect::Sqlite).unwrap(),
            "id INTEGER PRIMARY KEY, at TIMESTAMP, x BIGINT REFERENCES a (id);"
        );
        assert_eq!(
            render(src, Dialect::Postgres).unwrap(),
            "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at TIMESTAMPTZ, x BIGINT;ALTER x;"
        );
        assert!(render("{{nope}}", Dialect::Sqlite).is_err());
        assert!(render("{{id", Dialect::Sqlite).is_err());
    }

    #[test]
    fn every_table_is_listed() {
        let sql: String = MIGRATIONS.iter().map(|m| m.sql(Dialect::Sqlite).unwrap()).collect();
        // A table rebuilt under a new name and renamed back is not another table.
        let rebuilt = sql.matches("_new RENAME TO ").count();
        let created = sql.matches("CREATE TABLE ").count() - rebuilt;
        assert_eq!(created, TABLES.len());
        for t in TABLES {
            assert!(sql.contains(&format!("CREATE TABLE {t} (")), "{t}");
        }
    }
}
