//! The audit trail as a transparency log: proofs checked by an independent implementation
//! (tlog_check.py), signed checkpoints, events before they are sequenced, and tampering: a changed,
//! deleted or inserted event fails `verify`, a consistent rewrite fails the witness that kept an earlier
//! checkpoint, and a checkpoint checked with another key fails its signature.

use std::process::Output;

use diesel::RunQueryDsl;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use sinergi::audit::note::{LogKey, NoteVerifier};

use crate::helpers::{Backend, TestApp, assert_problem};

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

/// `count` audited writes (organizations), one after the other.
async fn write(app: &TestApp, token: &str, count: usize, tag: &str) {
    for i in 0..count {
        let res = app.post_json(token, "/api/v1/organizations", &json!({"name": format!("Dinas {tag} {i}"), "short_name": format!("{tag}{i}"), "kind": "regional_agency"})).await;
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    }
}

/// The leaf hashes of the whole log, by position.
async fn leaves(app: &TestApp, token: &str) -> Vec<String> {
    let body = get_json(app, token, "/api/v1/audit-events?limit=200").await;
    let mut leaves: Vec<(i64, String)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["position"].as_i64().unwrap(), e["leaf_hash"].as_str().unwrap().to_string()))
        .collect();
    leaves.sort();
    assert!(leaves.iter().enumerate().all(|(i, (p, _))| *p == i as i64), "gap-free positions");
    leaves.into_iter().map(|(_, h)| h).collect()
}

fn verify_cli(app: &TestApp, extra: &[&str]) -> (bool, Value) {
    let out = app.sinergi().args(["audit", "verify"]).args(extra).output().unwrap();
    let printed: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("verify printed no JSON: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.success(), printed)
}

fn witness(app: &TestApp, store: &std::path::Path, token: &str, extra: &[&str]) -> Output {
    let mut cmd = app.sinergi();
    cmd.args(["audit", "witness", "--url", &app.address, "--store"])
        .arg(store)
        .args(["--token", token])
        .args(extra);
    cmd.output().unwrap()
}

/// What the database's owner can do: lift the append-only rule of the log's tables.
fn drop_append_only_triggers(backend: Backend, conn: &mut sinergi::db::DbConnection) {
    let statements: &[&str] = match backend {
        Backend::Sqlite => &[
            "DROP TRIGGER audit_events_no_update",
            "DROP TRIGGER audit_events_no_delete",
            "DROP TRIGGER audit_leaves_no_update",
            "DROP TRIGGER audit_leaves_no_delete",
            "DROP TRIGGER audit_checkpoints_no_update",
            "DROP TRIGGER audit_checkpoints_no_delete",
        ],
        Backend::Postgres => &[
            "DROP TRIGGER audit_events_no_update ON audit_events",
            "DROP TRIGGER audit_leaves_no_update ON audit_leaves",
            "DROP TRIGGER audit_checkpoints_no_update ON audit_checkpoints",
        ],
    };
    for sql in statements {
        diesel::sql_query(*sql).execute(conn).unwrap();
    }
}

backend_test!(proofs_check_out_in_an_independent_implementation, |app| async move {
    let admin = app.admin_token().await;
    // Batches of different sizes, so that the tree grows through several checkpoints.
    write(&app, &admin, 13, "A").await;
    app.sequenced(&admin).await;
    write(&app, &admin, 27, "B").await;
    let checkpoint = app.sequenced(&admin).await;
    let leaves = leaves(&app, &admin).await;
    let n = leaves.len() as i64;
    assert_eq!(checkpoint["tree_size"], n);
    assert!(n > 40 && !(n as u64).is_power_of_two(), "{n}");
    let events = get_json(&app, &admin, "/api/v1/audit-events?limit=200").await;
    let seq_at: std::collections::HashMap<i64, i64> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["position"].as_i64().unwrap(), e["seq"].as_i64().unwrap()))
        .collect();

    let mut rng = rand::rngs::StdRng::seed_from_u64(9162);
    let mut sizes: Vec<i64> = vec![1, 2, 3, 5, 7, 8, 13, 16, 17, 31, 32, 33, n - 1, n];
    sizes.extend((0..6).map(|_| rng.random_range(1..=n)));
    let mut inclusion = Vec::new();
    for &size in &sizes {
        for position in [0, size - 1, rng.random_range(0..size), rng.random_range(0..size)] {
            let seq = seq_at[&position];
            inclusion.push(
                get_json(&app, &admin, &format!("/api/v1/audit/proofs/inclusion?seq={seq}&tree_size={size}"))
                    .await,
            );
        }
    }
    // Without a size: the latest checkpoint's.
    let latest = get_json(&app, &admin, &format!("/api/v1/audit/proofs/inclusion?seq={}", seq_at[&5])).await;
    assert_eq!(latest["tree_size"], n);
    inclusion.push(latest);
    let mut consistency = Vec::new();
    let mut pairs: Vec<(i64, i64)> = vec![(0, n), (1, n), (n, n), (7, 8), (8, 13), (16, 33), (13, n - 1)];
    pairs.extend((0..20).map(|_| {
        let a = rng.random_range(0..=n);
        (a, rng.random_range(a..=n))
    }));
    for (from, to) in pairs {
        consistency.push(
            get_json(&app, &admin, &format!("/api/v1/audit/proofs/consistency?from={from}&to={to}")).await,
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("proofs.json");
    let data = json!({"leaves": leaves, "checkpoint": checkpoint, "inclusion": inclusion, "consistency": consistency});
    std::fs::write(&input, data.to_string()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/tlog_check.py"))
        .arg(&input)
        .output()
        .expect("python3 runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}{}", String::from_utf8_lossy(&out.stderr));
    assert!(said.starts_with("ok:"), "{said}");

    // Sizes the tree does not have, and an event there is none of.
    for path in [
        format!("/api/v1/audit/proofs/inclusion?seq={}&tree_size={}", seq_at[&0], n + 1),
        format!("/api/v1/audit/proofs/inclusion?seq={}&tree_size=3", seq_at[&5]),
        format!("/api/v1/audit/proofs/inclusion?seq={}&tree_size=-1", seq_at[&0]),
        "/api/v1/audit/proofs/consistency?from=5&to=4".to_string(),
        format!("/api/v1/audit/proofs/consistency?from=1&to={}", n + 1),
        "/api/v1/audit/proofs/consistency?from=-1".to_string(),
    ] {
        assert_problem(app.get(&path).bearer_auth(&admin).send().await.unwrap(), 422).await;
    }
    let res = app.get("/api/v1/audit/proofs/inclusion?seq=987654").bearer_auth(&admin).send().await.unwrap();
    assert_problem(res, 404).await;
});

backend_test!(checkpoints_are_signed_notes_of_the_published_key, |app| async move {
    let admin = app.admin_token().await;
    write(&app, &admin, 3, "K").await;
    let checkpoint = app.sequenced(&admin).await;
    // The key is public: no token needed.
    let res = app.get("/api/v1/audit/public-key").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let key: Value = res.json().await.unwrap();
    assert_eq!(key["algorithm"], "Ed25519");
    assert_eq!(key["origin"], "sinergi/audit");
    let verifier = NoteVerifier::parse(key["verifier_key"].as_str().unwrap()).unwrap();
    let opened = verifier.open(checkpoint["note"].as_str().unwrap()).unwrap();
    assert_eq!(opened.size as i64, checkpoint["tree_size"].as_i64().unwrap());
    assert_eq!(hex::encode(opened.root), checkpoint["root_hash"].as_str().unwrap());
    let note = checkpoint["note"].as_str().unwrap();
    assert!(note.starts_with(&format!("sinergi/audit\n{}\n", opened.size)), "{note}");
    assert!(note.contains("\n\n\u{2014} sinergi/audit "), "{note}");
    // Another key does not open it.
    let other = LogKey::from_seed("sinergi/audit", [7; 32]).verifier();
    assert!(other.open(note).is_err());
    // The generated key is the server's secret: readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(app.data_dir.path().join("audit-key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
});

// With no sequencer, events wait: they show no position, have no proof yet, and `verify` counts them.
backend_test!(events_wait_for_the_sequencer, settings = |s| s.audit_sequencer = false, |app| async move {
    let admin = app.admin_token().await;
    assert_problem(app.get("/api/v1/audit/checkpoint").bearer_auth(&admin).send().await.unwrap(), 404).await;
    let body = get_json(&app, &admin, "/api/v1/audit-events").await;
    let event = &body["items"][0];
    assert_eq!(event["position"], Value::Null);
    assert_eq!(event["leaf_hash"], Value::Null);
    let res =
        app.read(&admin, &format!("/api/v1/audit/proofs/inclusion?seq={}&tree_size=0", event["seq"])).await;
    assert_problem(res, 409).await;
    let (ok, result) = verify_cli(&app, &[]);
    assert!(ok, "{result}");
    assert_eq!(result["tree_size"], 0);
    assert_eq!(result["pending"].as_i64(), Some(app.count_rows("audit_events")));
});

backend_test!(a_deleted_event_fails_verify, |app| async move {
    let admin = app.admin_token().await;
    write(&app, &admin, 6, "D").await;
    app.sequenced(&admin).await;
    let victim = app.audit_rows()[3].seq;
    let mut conn = app.connection();
    drop_append_only_triggers(app.backend, &mut conn);
    diesel::sql_query(format!("DELETE FROM audit_leaves WHERE seq = {victim}")).execute(&mut conn).unwrap();
    diesel::sql_query(format!("DELETE FROM audit_events WHERE seq = {victim}")).execute(&mut conn).unwrap();
    let (ok, result) = verify_cli(&app, &[]);
    assert!(!ok, "{result}");
    assert_eq!(result["valid"], false);
    assert!(result["reason"].as_str().unwrap().contains("positions jump"), "{result}");
});

backend_test!(an_inserted_event_fails_verify, |app| async move {
    let admin = app.admin_token().await;
    write(&app, &admin, 4, "I").await;
    app.sequenced(&admin).await;
    // Straight into the table, as someone with the database's rights could: not through a write.
    let mut conn = app.connection();
    let event = sinergi::audit::NewAuditEvent::new(
        sinergi::db::Id::new(),
        chrono::Utc::now(),
        &sinergi::audit::Actor::system("forger"),
        sinergi::audit::Change::new("delete", "organization", "nothing"),
    );
    let seq: i64 = diesel::insert_into(sinergi::db::schema::audit_events::table)
        .values(&event)
        .returning(sinergi::db::schema::audit_events::seq)
        .get_result(&mut conn)
        .unwrap();
    let (ok, result) = verify_cli(&app, &[]);
    assert!(!ok, "{result}");
    assert_eq!(result["first_broken_seq"], seq, "{result}");
});

// An operator who holds the database and the key rewrites history consistently: every leaf, node and
// checkpoint recomputed. `verify` cannot tell; the witness holding an earlier checkpoint can.
backend_test!(a_consistent_rewrite_fails_the_witness_and_another_key_fails_the_signature, |app| async move {
    let admin = app.admin_token().await;
    write(&app, &admin, 5, "W").await;
    app.sequenced(&admin).await;
    let store = tempfile::tempdir().unwrap();
    let out = witness(&app, store.path(), &admin, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stored the first checkpoint"));
    write(&app, &admin, 3, "X").await;
    app.sequenced(&admin).await;
    let out = witness(&app, store.path(), &admin, &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("extends the stored checkpoint"));

    // Another key: `verify` and a witness that pinned it both refuse the checkpoint.
    let other = LogKey::from_seed("sinergi/audit", [7; 32]).verifier().vkey();
    let (ok, result) = verify_cli(&app, &["--public-key", &other]);
    assert!(!ok && result["reason"].as_str().unwrap().contains("signature"), "{result}");
    let fresh = tempfile::tempdir().unwrap();
    let out = witness(&app, fresh.path(), &admin, &["--public-key", &other]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("signature"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The rewrite, in one transaction: an early event changed, the tree and checkpoints dropped, every
    // event queued again; the server's sequencer signs the new history with the real key.
    let victim = app.audit_rows()[2].seq;
    let mut conn = app.connection();
    diesel::sql_query("BEGIN").execute(&mut conn).unwrap();
    drop_append_only_triggers(app.backend, &mut conn);
    for sql in [
        "DELETE FROM audit_checkpoints".to_string(),
        "DELETE FROM audit_nodes".to_string(),
        "DELETE FROM audit_leaves".to_string(),
        format!("UPDATE audit_events SET actor_username = 'someone else' WHERE seq = {victim}"),
        "INSERT INTO audit_pending (seq) SELECT seq FROM audit_events".to_string(),
    ] {
        diesel::sql_query(sql).execute(&mut conn).unwrap();
    }
    diesel::sql_query("COMMIT").execute(&mut conn).unwrap();
    write(&app, &admin, 2, "Y").await;
    app.sequenced(&admin).await;
    let (ok, result) = verify_cli(&app, &[]);
    assert!(ok, "the rewrite is consistent, so verify passes: {result}");
    let out = witness(&app, store.path(), &admin, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("rewritten") && stderr.contains("consistency proof fails"), "{stderr}");
});

/// A database migrated up to the version before the log (later migrations left out too), holding a hash chain of `count` events written
/// the old way (each hashed and linked, the head row moved); the log's migration is left to the server.
fn database_with_an_old_chain(backend: Backend, count: i64) -> crate::helpers::TestDatabase {
    use diesel::ExpressionMethods;
    use diesel_migrations::{FileBasedMigrations, MigrationHarness};
    use sinergi::audit::{Actor, AuditRow, Change, GENESIS_HASH, NewAuditEvent, hash_of};
    use sinergi::db::schema::{audit_chain, audit_events};
    let db = crate::helpers::TestDatabase::create(backend);
    let dir = match backend {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    };
    let source = FileBasedMigrations::from_path(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut conn = sinergi::db::ConnectionFactory::new(db.url()).establish().unwrap();
    let pending = conn.pending_migrations(source).unwrap();
    // Later migrations (documents, …) come after the log's and are left to the server too.
    let log = pending
        .iter()
        .position(|m| m.name().to_string().ends_with("_transparency_log"))
        .expect("the transparency log's migration");
    for migration in &pending[..log] {
        conn.run_migration(&**migration).unwrap();
    }
    let mut prev = GENESIS_HASH.to_string();
    for seq in 1..=count {
        let e = NewAuditEvent::new(
            sinergi::db::Id::new(),
            chrono::Utc::now(),
            &Actor::system("old"),
            Change::new("create", "organization", seq).after(&json!({"n": seq})),
        );
        let row = AuditRow {
            seq,
            id: e.id,
            occurred_at: e.occurred_at,
            actor_user_id: None,
            actor_username: e.actor_username.clone(),
            actor_role: None,
            actor_organization_id: None,
            action: e.action.clone(),
            entity_type: e.entity_type.clone(),
            entity_id: e.entity_id.clone(),
            request_id: None,
            before_state: None,
            after_state: e.after_state.clone(),
            prev_hash: Some(prev.clone()),
            hash: None,
        };
        let hash = hash_of(&row);
        diesel::insert_into(audit_events::table)
            .values((
                audit_events::seq.eq(seq),
                audit_events::id.eq(row.id),
                audit_events::occurred_at.eq(row.occurred_at),
                audit_events::actor_username.eq(&row.actor_username),
                audit_events::action.eq(&row.action),
                audit_events::entity_type.eq(&row.entity_type),
                audit_events::entity_id.eq(&row.entity_id),
                audit_events::after_state.eq(&row.after_state),
                audit_events::prev_hash.eq(&row.prev_hash),
                audit_events::hash.eq(&hash),
            ))
            .execute(&mut conn)
            .unwrap();
        prev = hash;
    }
    diesel::update(audit_chain::table)
        .set((audit_chain::last_seq.eq(count), audit_chain::last_hash.eq(&prev)))
        .execute(&mut conn)
        .unwrap();
    db
}

/// The upgrade: the old chain's events become the first leaves, in their order, and both the old chain
/// and the log verify; an edit of an old event is named by the old chain's check.
async fn upgrade(backend: Backend) {
    let db = database_with_an_old_chain(backend, 25);
    let app = crate::helpers::spawn_app_on(db.url(), sinergi::clock::Clock::System, |_| {}).await;
    let admin = app.admin_token().await;
    app.sequenced(&admin).await;
    let body = get_json(&app, &admin, "/api/v1/audit-events?limit=100").await;
    let items = body["items"].as_array().unwrap();
    for (i, e) in items.iter().take(25).enumerate() {
        assert_eq!(e["seq"], i as i64 + 1);
        assert_eq!(e["position"], i as i64, "the old chain's order");
        assert_eq!(e["hash"].as_str().unwrap().len(), 64);
    }
    assert_eq!(items[25]["actor_username"], "system:bootstrap", "then the first administrator");
    assert_eq!(items[25]["hash"], Value::Null);
    let (ok, result) = verify_cli(&app, &[]);
    assert!(ok, "{result}");
    assert_eq!(result["tree_size"].as_i64().unwrap(), items.len() as i64);

    // (A test app on a database it did not create does not know its backend.)
    let mut conn = app.connection();
    drop_append_only_triggers(backend, &mut conn);
    diesel::sql_query("UPDATE audit_events SET entity_id = '99' WHERE seq = 7").execute(&mut conn).unwrap();
    let (ok, result) = verify_cli(&app, &[]);
    assert!(!ok);
    assert_eq!(result["first_broken_seq"], 7);
    assert!(result["reason"].as_str().unwrap().contains("does not match its hash"), "{result}");
    drop(app);
    drop(db);
}

mod old_chain_becomes_the_first_leaves {
    use super::*;

    api_test!(sqlite, upgrade(Backend::Sqlite));
    api_test!(postgres, postgres, upgrade(Backend::Postgres));
}
