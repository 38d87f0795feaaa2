//! The SQLite and PostgreSQL schemas must say the same thing: same tables, columns with
//! the same meaning and nullability, same primary keys, indexes and foreign keys. Both
//! are rendered from one migration text; this catches any drift a dialect marker adds.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use steward_store_tests::{TempPostgres, TempSqlite};

#[derive(Debug, Default, PartialEq)]
struct Schema {
    /// table → column → (type meaning, nullable)
    columns: BTreeMap<String, BTreeMap<String, (String, bool)>>,
    primary_keys: BTreeMap<String, Vec<String>>,
    /// (table, columns, unique, partial)
    indexes: BTreeSet<(String, Vec<String>, bool, bool)>,
    /// (table, column, referenced table, referenced column, on delete)
    foreign_keys: BTreeSet<(String, String, String, String, String)>,
}

fn meaning(declared: &str) -> String {
    let m = match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" | "smallint" => "integer",
        "text" | "character varying" => "text",
        "double precision" | "real" => "real",
        "date" => "date",
        "timestamp" | "timestamp with time zone" => "timestamp",
        "blob" | "bytea" => "bytes",
        "boolean" => "boolean",
        other => panic!("no meaning mapped for column type {other:?}: add it here deliberately"),
    };
    m.to_owned()
}

fn on_delete(action: &str) -> String {
    match action {
        "CASCADE" | "c" => "cascade",
        "SET NULL" | "n" => "set null",
        "NO ACTION" | "a" | "RESTRICT" | "r" => "no action",
        other => panic!("unknown ON DELETE action {other:?}"),
    }
    .to_owned()
}

fn sqlite_schema(path: &std::path::Path) -> Schema {
    let db = rusqlite::Connection::open(path).expect("open SQLite file");
    let mut schema = Schema::default();
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    for table in tables {
        let mut pk: Vec<(i64, String)> = Vec::new();
        let mut stmt = db.prepare(&format!("PRAGMA table_info({table})")).expect("table_info");
        let cols = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, bool>(3)?, r.get::<_, i64>(5)?))
            })
            .expect("columns");
        for col in cols {
            let (name, declared, not_null, pk_pos) = col.expect("column");
            if pk_pos > 0 {
                pk.push((pk_pos, name.clone()));
            }
            let nullable = !(not_null || pk_pos > 0);
            schema.columns.entry(table.clone()).or_default().insert(name, (meaning(&declared), nullable));
        }
        pk.sort();
        schema.primary_keys.insert(table.clone(), pk.into_iter().map(|(_, n)| n).collect());

        let mut stmt = db.prepare(&format!("PRAGMA index_list({table})")).expect("index_list");
        let indexes: Vec<(String, bool, String, bool)> = stmt
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .and_then(|rows| rows.collect())
            .expect("indexes");
        for (name, unique, origin, partial) in indexes {
            if origin == "pk" {
                continue;
            }
            let mut stmt = db.prepare(&format!("PRAGMA index_info({name})")).expect("index_info");
            let cols: Vec<String> =
                stmt.query_map([], |r| r.get(2)).and_then(|rows| rows.collect()).expect("index columns");
            schema.indexes.insert((table.clone(), cols, unique, partial));
        }

        let mut stmt = db.prepare(&format!("PRAGMA foreign_key_list({table})")).expect("foreign_key_list");
        let fks: Vec<(String, String, String, String)> = stmt
            .query_map([], |r| Ok((r.get(2)?, r.get(3)?, r.get(4)?, r.get(6)?)))
            .and_then(|rows| rows.collect())
            .expect("foreign keys");
        for (target, from, to, delete) in fks {
            schema.foreign_keys.insert((table.clone(), from, target, to, on_delete(&delete)));
        }
    }
    schema
}

fn postgres_schema(url: &str) -> Schema {
    let mut db = postgres::Client::connect(url, postgres::NoTls).expect("connect");
    let mut schema = Schema::default();
    let cols = db
        .query(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'YES' FROM information_schema.columns \
             WHERE table_schema = 'public'",
            &[],
        )
        .expect("columns");
    for r in cols {
        let (table, column, declared, nullable): (String, String, String, bool) =
            (r.get(0), r.get(1), r.get(2), r.get(3));
        schema.columns.entry(table).or_default().insert(column, (meaning(&declared), nullable));
    }
    let indexes = db
        .query(
            "SELECT t.relname::text, ix.indisunique, ix.indisprimary, ix.indpred IS NOT NULL, \
                ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord) \
                      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) \
             FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = 'public'",
            &[],
        )
        .expect("indexes");
    for r in indexes {
        let (table, unique, primary, partial, cols): (String, bool, bool, bool, Vec<String>) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        if primary {
            schema.primary_keys.insert(table, cols);
        } else {
            schema.indexes.insert((table, cols, unique, partial));
        }
    }
    let fks = db
        .query(
            "SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text, af.attname::text, c.confdeltype::text \
             FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1] \
             WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace",
            &[],
        )
        .expect("foreign keys");
    for r in fks {
        let delete: String = r.get(4);
        schema.foreign_keys.insert((r.get(0), r.get(1), r.get(2), r.get(3), on_delete(&delete)));
    }
    schema
}

#[test]
fn sqlite_and_postgres_schemas_match() {
    let Some(pg) = TempPostgres::new() else { return };
    let lite = TempSqlite::new();
    let (a, b) = (sqlite_schema(&lite.path()), postgres_schema(&pg.url));
    assert!(a.columns.len() >= 13, "introspection found too few tables: {:?}", a.columns.keys());
    assert!(!a.indexes.is_empty() && !a.foreign_keys.is_empty(), "introspection found no indexes or keys");
    assert_eq!(a.columns, b.columns, "columns differ (left SQLite, right PostgreSQL)");
    assert_eq!(a.primary_keys, b.primary_keys, "primary keys differ");
    assert_eq!(a.indexes, b.indexes, "indexes differ");
    assert_eq!(a.foreign_keys, b.foreign_keys, "foreign keys differ");
}
