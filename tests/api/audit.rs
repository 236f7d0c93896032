//! The audit trail: who may read it, its filters and pages, tamper detection (the API and the CLI), the
//! database's refusal to change it, the CLI's user creation, and one log across two server processes, one
//! of which sequences at a time. The log's proofs and witness are in transparency.rs.

use std::io::Write;
use std::process::{Command, Stdio};

use diesel::RunQueryDsl;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, Backend, TestApp, assert_problem};
use crate::support_server::ServerProcess;
use crate::support_users::USER_PASSWORD;

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

async fn verify(app: &TestApp, token: &str) -> Value {
    get_json(app, token, "/api/v1/audit-events/verify").await
}

fn run_with_stdin(mut cmd: Command, stdin: &str) -> std::process::Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // The command may exit before it reads (a refused argument): a broken pipe here is not a failure.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

/// Every read of the trail and the log but the public key; the proofs of the bootstrap event (seq 1).
const AUDIT_READS: [&str; 5] = [
    "/api/v1/audit-events",
    "/api/v1/audit-events/verify",
    "/api/v1/audit/checkpoint",
    "/api/v1/audit/proofs/inclusion?seq=1",
    "/api/v1/audit/proofs/consistency?from=0",
];

backend_test!(only_admins_and_auditors_read_and_verify_the_trail, |app| async move {
    let admin = app.admin_token().await;
    app.sequenced(&admin).await;
    let org = app.insert_organization("INSPEKTORAT", None);
    for (role, allowed) in [
        ("admin", true),
        ("auditor", true),
        ("bpjs_staff", false),
        ("opd_staff", false),
        ("partner_staff", false),
    ] {
        let token = app.user_token(&admin, &format!("reader.{role}"), role, Some(&org)).await;
        for path in AUDIT_READS {
            let res = app.get(path).bearer_auth(&token).send().await.unwrap();
            if allowed {
                assert_eq!(res.status(), 200, "{role} {path}");
            } else {
                assert_problem(res, 403).await;
            }
        }
    }
    for path in AUDIT_READS {
        assert_problem(app.get(path).send().await.unwrap(), 401).await;
        let res = app.request(Method::DELETE, path).bearer_auth(&admin).send().await.unwrap();
        assert_problem(res, 405).await;
    }
});

backend_test!(the_trail_filters_and_pages_by_sequence, |app| async move {
    let admin = app.admin_token().await;
    let admin_id = get_json(&app, &admin, "/api/v1/auth/me").await["id"].as_str().unwrap().to_string();
    let org = app.insert_organization("BPJS", None);
    let auditor = app.user_token(&admin, "auditor.one", "auditor", Some(&org)).await;
    let user = app.create_user(&admin, "staff.one", "bpjs_staff", Some(&org)).await;
    let res = app
        .patch_json(&admin, &format!("/api/v1/users/{user}"), "\"1\"", &json!({"full_name": "Staff One"}))
        .await;
    assert_eq!(res.status(), 200);

    app.sequenced(&auditor).await;
    let all = get_json(&app, &auditor, "/api/v1/audit-events?limit=200").await;
    let items = all["items"].as_array().unwrap();
    let seqs: Vec<i64> = items.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first: {seqs:?}");
    assert_eq!(items[0]["action"], "create", "the bootstrap administrator");
    assert_eq!(items[0]["actor_username"], "system:bootstrap");
    // One process wrote them one after the other: the log holds them in that order, gap-free.
    let positions: Vec<i64> = items.iter().map(|e| e["position"].as_i64().unwrap()).collect();
    assert_eq!(positions, (0..items.len() as i64).collect::<Vec<_>>());
    for e in items {
        let text = e.to_string();
        assert!(!text.contains("argon2") && !text.contains("password_hash"), "{text}");
        assert_eq!(e["leaf_hash"].as_str().unwrap().len(), 64);
        // The old chain's hashes belong to events recorded before the log.
        assert_eq!(e["hash"], Value::Null);
    }

    // By entity.
    let body =
        get_json(&app, &auditor, &format!("/api/v1/audit-events?entity_type=user&entity_id={user}")).await;
    let events = body["items"].as_array().unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(events[1]["before"]["full_name"], "Test user staff.one");
    assert_eq!(events[1]["after"]["full_name"], "Staff One");
    assert_eq!(events[1]["actor_user_id"], admin_id.as_str());
    assert_eq!(events[1]["actor_role"], "admin");
    assert!(events[1]["request_id"].as_str().is_some());

    // By actor: the auditor did one thing, logging in.
    let auditor_id = get_json(&app, &auditor, "/api/v1/auth/me").await["id"].as_str().unwrap().to_string();
    let body = get_json(&app, &auditor, &format!("/api/v1/audit-events?actor={auditor_id}")).await;
    let actions: Vec<&str> =
        body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["login"]);

    // By time: from is inclusive, to exclusive.
    let time =
        |e: &Value| e["occurred_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let pivot_event = &items[3];
    let pivot = time(pivot_event);
    let query = pivot.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let body = get_json(&app, &auditor, &format!("/api/v1/audit-events?from={query}&limit=200")).await;
    let later = body["items"].as_array().unwrap();
    assert!(later.iter().all(|e| time(e) >= pivot));
    assert!(later.iter().any(|e| e["seq"] == pivot_event["seq"]));
    assert_eq!(later.len(), items.iter().filter(|e| time(e) >= pivot).count());
    let body = get_json(&app, &auditor, &format!("/api/v1/audit-events?to={query}&limit=200")).await;
    let earlier = body["items"].as_array().unwrap();
    assert!(earlier.iter().all(|e| time(e) < pivot));
    assert_eq!(earlier.len(), items.iter().filter(|e| time(e) < pivot).count());

    // Pages of two, both directions.
    for (order, expected) in [("asc", seqs.clone()), ("desc", seqs.iter().rev().copied().collect())] {
        let mut seen = Vec::new();
        let mut path = format!("/api/v1/audit-events?limit=2&order={order}");
        loop {
            let res = app.get(&path).bearer_auth(&auditor).send().await.unwrap();
            let link = res.headers().get("link").map(|l| l.to_str().unwrap().to_string());
            let body: Value = res.json().await.unwrap();
            seen.extend(body["items"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()));
            match body["next_cursor"].as_str() {
                Some(_) => {
                    path = link.unwrap().trim_start_matches('<').split('>').next().unwrap().to_string()
                }
                None => break,
            }
        }
        // Reading the trail writes nothing, so the pages cover exactly what the first read saw.
        assert_eq!(seen, expected, "{order}");
    }

    for query in ["from=yesterday", "actor=someone", "order=sideways", "limit=0", "cursor=xyz"] {
        let res =
            app.get(&format!("/api/v1/audit-events?{query}")).bearer_auth(&auditor).send().await.unwrap();
        assert_problem(res, 422).await;
    }
});

backend_test!(verify_names_the_row_that_was_edited, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("DISNAKERIN", None);
    let user = app.create_user(&admin, "target.one", "opd_staff", Some(&org)).await;
    app.create_user(&admin, "target.two", "opd_staff", Some(&org)).await;
    app.sequenced(&admin).await;
    let before = verify(&app, &admin).await;
    assert_eq!(before["valid"], true, "{before}");
    assert_eq!(before["first_broken_seq"], Value::Null);
    assert_eq!(before["events"].as_i64().unwrap() as usize, app.audit_rows().len());
    assert_eq!(before["tree_size"], before["events"]);
    assert_eq!(before["checkpoint_tree_size"], before["events"]);
    let seq = created_seq(&app, &user);
    let position = position_of(&app, &admin, seq).await;

    // The database itself refuses to change or remove an event.
    let mut conn = app.connection();
    let edit = format!(
        "UPDATE audit_events SET after_state = REPLACE(after_state, 'opd_staff', 'admin') WHERE seq = {seq}"
    );
    let err = diesel::sql_query(&edit).execute(&mut conn).unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = diesel::sql_query(format!("DELETE FROM audit_events WHERE seq = {seq}"))
        .execute(&mut conn)
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert_eq!(verify(&app, &admin).await["valid"], true);

    // Someone with the database's owner rights drops the trigger and edits the event.
    drop_append_only_trigger(&app, &mut conn);
    assert_eq!(diesel::sql_query(&edit).execute(&mut conn).unwrap(), 1);

    let result = verify(&app, &admin).await;
    assert_eq!(result["valid"], false);
    assert_eq!(result["first_broken_seq"], seq);
    assert_eq!(result["events"], position, "the leaves before it are intact");
    assert!(result["reason"].as_str().unwrap().contains("leaf hash"), "{result}");

    // The command line says the same, and exits 1.
    let mut cmd = app.sinergi();
    cmd.args(["audit", "verify"]);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["first_broken_seq"], seq);
});

backend_test!(the_cli_creates_users_through_the_same_rules_and_audit, |app| async move {
    let org = app.insert_organization("INSPEKTORAT", None);
    let mut cmd = app.sinergi();
    cmd.args([
        "user",
        "create",
        "--username",
        "Cli.Auditor",
        "--role",
        "auditor",
        "--organization",
        &org,
        "--full-name",
        "Auditor from the CLI",
    ]);
    let out = run_with_stdin(cmd, "a-cli-given-passphrase\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("cli.auditor"));
    let token = app.login("cli.auditor", "a-cli-given-passphrase").await;
    let me = get_json(&app, &token, "/api/v1/auth/me").await;
    assert_eq!(me["role"], "auditor");
    assert_eq!(me["organization_id"], org.as_str());
    let rows = app.audit_rows();
    let event =
        rows.iter().find(|r| r.entity_id.as_deref() == me["id"].as_str() && r.action == "create").unwrap();
    assert_eq!(event.actor_username.as_deref(), Some("system:cli"));
    assert!(!event.after_state.as_deref().unwrap().contains("argon2"));

    // The same rules as the API: each refused, nothing created.
    for (args, stdin, says) in [
        (
            vec!["--username", "weak.user", "--role", "auditor", "--organization", org.as_str()],
            "short\n",
            "password",
        ),
        (vec!["--username", "no.org", "--role", "opd_staff"], "a-cli-given-passphrase\n", "organization_id"),
        (
            vec!["--username", "bad.role", "--role", "king", "--organization", org.as_str()],
            "a-cli-given-passphrase\n",
            "--role",
        ),
        (
            vec!["--username", "cli.auditor", "--role", "auditor", "--organization", org.as_str()],
            "a-cli-given-passphrase\n",
            "taken",
        ),
    ] {
        let mut cmd = app.sinergi();
        cmd.args(["user", "create"]).args(&args);
        let out = run_with_stdin(cmd, stdin);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let admin = app.admin_token().await;
    let list = get_json(&app, &admin, "/api/v1/users").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "admin and cli.auditor");
});

async fn start_server(app: &TestApp) -> ServerProcess {
    let mut cmd = app.sinergi();
    cmd.env("SINERGI_WORKERS", "2").env("SINERGI_DB_POOL_SIZE", "4");
    ServerProcess::start(cmd, &[]).await
}

/// Creates user `writer.{i}` through the server at `base`, with the idempotency key `writer-{i}`.
async fn create_writer(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    i: usize,
    org: &str,
) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("writer-{i}"))
        .json(&json!({"username": format!("writer.{i}"), "full_name": format!("Writer {i}"),
            "role": "opd_staff", "organization_id": org, "password": USER_PASSWORD}))
        .send()
        .await
        .unwrap()
}

// Two processes share nothing but the database: one log, gap-free, sequenced by one process at a time;
// killed, the other takes over within 5 s. An idempotent retry made through the other process answers
// the first response. (The test's own server does not sequence here.)
backend_test!(
    two_server_processes_keep_one_gap_free_log,
    settings = |s| s.audit_sequencer = false,
    |app| async move {
        let org = app.insert_organization("PEMKOT", None);
        let servers = [start_server(&app).await, start_server(&app).await];
        let login = |base: String| {
            let client = app.client.clone();
            async move {
                let res = client
                    .post(format!("{base}/api/v1/auth/login"))
                    .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
            }
        };
        let token = login(servers[0].address.clone()).await;

        // Writers through both processes at once: user creations and logins.
        let mut tasks = Vec::new();
        for i in 0..24 {
            let base = servers[i % 2].address.clone();
            let client = app.client.clone();
            let token = token.clone();
            let org = org.clone();
            tasks.push(tokio::spawn(async move {
                let res = create_writer(&client, &base, &token, i, &org).await;
                let status = res.status().as_u16();
                let body: Value = res.json().await.unwrap();
                (status, body)
            }));
        }
        let logins: Vec<_> = (0..6).map(|i| tokio::spawn(login(servers[i % 2].address.clone()))).collect();
        let mut created = Vec::new();
        for t in tasks {
            let (status, body) = t.await.unwrap();
            assert_eq!(status, 201, "{body}");
            created.push(body);
        }
        for l in logins {
            l.await.unwrap();
        }
        // Each write retried through the other process answers the first response and writes nothing.
        for (i, first) in created.iter().enumerate() {
            let res = create_writer(&app.client, &servers[(i + 1) % 2].address, &token, i, &org).await;
            assert_eq!(res.status(), 201);
            assert_eq!(res.headers()["idempotency-replayed"], "true");
            assert_eq!(&res.json::<Value>().await.unwrap(), first, "the retry of writer {i}");
        }
        let created: Vec<String> = created.iter().map(|b| b["id"].as_str().unwrap().to_string()).collect();
        let admin = app.admin_token().await;
        app.sequenced(&admin).await;

        // One sequencer signed every checkpoint so far; kill it, write through the other process, and the
        // other one integrates the write within 5 s.
        let holders = checkpoint_holders(&app);
        assert_eq!(holders.len(), 1, "one sequencer at a time: {holders:?}");
        let holder = holders.into_iter().next().unwrap();
        let (mut dead, survivor) =
            match servers.iter().position(|s| holder.starts_with(&format!("pid{}-", s.pid()))) {
                Some(0) => {
                    let [a, b] = servers;
                    (a, b)
                }
                Some(_) => {
                    let [a, b] = servers;
                    (b, a)
                }
                None => panic!("the checkpoints were signed by neither server: {holder}"),
            };
        dead.kill();
        let killed = std::time::Instant::now();
        let res = create_writer(&app.client, &survivor.address, &token, 100, &org).await;
        assert_eq!(res.status(), 201);
        loop {
            let events = app.count_rows("audit_events");
            let taken_over = checkpoint_holders(&app).len() == 2 && latest_tree_size(&app) == events;
            if taken_over {
                break;
            }
            assert!(
                killed.elapsed() < std::time::Duration::from_secs(5),
                "no takeover within 5 s of the kill"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        drop(survivor);

        let rows = app.audit_rows();
        let seqs: Vec<i64> = rows.iter().map(|r| r.seq).collect();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "no duplicates");
        for id in &created {
            let n = rows
                .iter()
                .filter(|r| r.action == "create" && r.entity_id.as_deref() == Some(id.as_str()))
                .count();
            assert_eq!(n, 1, "one event for user {id}");
        }
        // Every login: the one above, six more, and the admin's own on the test's server.
        assert_eq!(rows.iter().filter(|r| r.action == "login").count(), 8);
        let result = verify(&app, &admin).await;
        assert_eq!(result["valid"], true, "{result}");
        assert_eq!(
            result["events"].as_i64().unwrap() + result["pending"].as_i64().unwrap(),
            rows.len() as i64
        );
        let mut positions: Vec<i64> =
            app.sequenced(&admin).await["tree_size"].as_i64().map(|n| (0..n).collect()).unwrap();
        let mut stored: Vec<i64> = positions_stored(&app);
        positions.sort();
        stored.sort();
        assert_eq!(stored, positions, "gap-free positions, one per event");
    }
);

/// Who signed the log's checkpoints.
fn checkpoint_holders(app: &TestApp) -> std::collections::BTreeSet<String> {
    #[derive(diesel::QueryableByName)]
    struct Holder {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sequencer: String,
    }
    diesel::sql_query("SELECT DISTINCT sequencer FROM audit_checkpoints WHERE tree_size > 0")
        .load::<Holder>(&mut app.connection())
        .unwrap()
        .into_iter()
        .map(|h| h.sequencer)
        .collect()
}

fn latest_tree_size(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Size {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        size: i64,
    }
    diesel::sql_query("SELECT COALESCE(MAX(tree_size), 0) AS size FROM audit_checkpoints")
        .get_result::<Size>(&mut app.connection())
        .unwrap()
        .size
}

fn positions_stored(app: &TestApp) -> Vec<i64> {
    #[derive(diesel::QueryableByName)]
    struct Position {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        position: i64,
    }
    diesel::sql_query("SELECT position FROM audit_leaves")
        .load::<Position>(&mut app.connection())
        .unwrap()
        .into_iter()
        .map(|p| p.position)
        .collect()
}

/// The event's position in the log, as the API shows it.
async fn position_of(app: &TestApp, token: &str, seq: i64) -> i64 {
    let proof = get_json(app, token, &format!("/api/v1/audit/proofs/inclusion?seq={seq}")).await;
    proof["position"].as_i64().unwrap()
}

// An event whose stored state is not JSON was not written by the server: reading it is a 500 (the event
// named in the log), not an event that shows something else; the verification still names it.
backend_test!(an_event_whose_state_is_not_json_is_an_error, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("DISNAKERIN", None);
    let user = app.create_user(&admin, "target.one", "opd_staff", Some(&org)).await;
    let seq = created_seq(&app, &user);
    // Sequenced first: an event changed before the sequencer reads it is simply logged as changed.
    app.sequenced(&admin).await;
    let path = format!("/api/v1/audit-events?entity_id={user}");
    let res = app.get(&path).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(res.status(), 200);

    let mut conn = app.connection();
    drop_append_only_trigger(&app, &mut conn);
    let edit = format!("UPDATE audit_events SET after_state = 'not json' WHERE seq = {seq}");
    assert_eq!(diesel::sql_query(&edit).execute(&mut conn).unwrap(), 1);

    let res = app.get(&path).bearer_auth(&admin).send().await.unwrap();
    assert_problem(res, 500).await;
    assert_eq!(verify(&app, &admin).await["first_broken_seq"], seq);
});

/// The sequence number of the event that created `entity_id`.
fn created_seq(app: &TestApp, entity_id: &str) -> i64 {
    app.audit_rows()
        .into_iter()
        .find(|r| r.action == "create" && r.entity_id.as_deref() == Some(entity_id))
        .expect("a create event")
        .seq
}

/// What someone with the database owner's rights can do: let events be changed.
fn drop_append_only_trigger(app: &TestApp, conn: &mut sinergi::db::DbConnection) {
    let drop = match app.backend {
        Backend::Sqlite => "DROP TRIGGER audit_events_no_update",
        Backend::Postgres => "DROP TRIGGER audit_events_no_update ON audit_events",
    };
    diesel::sql_query(drop).execute(conn).unwrap();
}
