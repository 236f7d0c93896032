//! Crash safety of the real binary on both backends. SIGKILL in the middle of 32 concurrent writers: after
//! a restart every acknowledged write is there, none twice (retries with the same `Idempotency-Key` create
//! nothing new), and the audit chain verifies. SIGTERM: requests in flight get their normal answer, new
//! connections are refused, and the process exits successfully within 10 s, even with a request stuck on a
//! database lock.

use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, Backend, TestApp, assert_problem};
use crate::support_load::{Ack, Answer, Write, assert_exactly_acknowledged};
use crate::support_server::ServerProcess;

const WRITERS: usize = 32;
/// Acknowledged writes before the kill, so that it lands mid-run with writes in flight.
const KILL_AFTER: usize = 300;
/// Logins queued at SIGTERM: enough to be in flight, few enough to finish well within the 10 s on a busy
/// machine.
const LOGINS: usize = 8;

/// Another session that holds the write lock every audited write needs, until it rolls back or is dropped.
fn hold_write_lock(app: &TestApp) -> sinergi::db::DbConnection {
    let mut locker = app.connection();
    locker
        .batch_execute(match app.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN; LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE",
        })
        .unwrap();
    locker
}

async fn start(app: &TestApp) -> ServerProcess {
    let mut cmd = app.sinergi();
    cmd.env("SINERGI_WORKERS", "2").env("SINERGI_DB_POOL_SIZE", "8").env("SINERGI_MAX_PASSWORD_HASHES", "1");
    ServerProcess::start(cmd, &[]).await
}

async fn admin_token(client: &reqwest::Client, server: &ServerProcess) -> String {
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.expect("login body")["access_token"].as_str().expect("token").to_string()
}

/// One of the concurrent writers, sharing the log of acknowledged writes.
#[derive(Clone)]
struct Writer {
    client: reqwest::Client,
    base: String,
    token: String,
    organizer: String,
    acks: Arc<Mutex<Vec<Ack>>>,
    killing: Arc<AtomicBool>,
}

impl Writer {
    /// Writes until the server stops answering after `killing` was set; answers the write whose outcome
    /// is then unknown, if any. Any other failure fails the test.
    async fn run(self, writer: usize) -> Option<Write> {
        for n in 0.. {
            if self.killing.load(Ordering::SeqCst) {
                return None;
            }
            let write = Write::meeting(&self.organizer, format!("crash w{writer:02} n{n:05}"));
            loop {
                match write.send(&self.client, &self.base, &self.token).await {
                    Answer::Created { id, .. } => {
                        self.acks.lock().unwrap().push(Ack { write, id });
                        break;
                    }
                    Answer::Unavailable => tokio::time::sleep(Duration::from_millis(50)).await,
                    Answer::Lost(_) if self.killing.load(Ordering::SeqCst) => return Some(write),
                    Answer::Lost(e) => panic!("writer {writer} lost its server before the kill: {e}"),
                }
            }
        }
        None
    }
}

// The server process is the only sequencer (the test's own server does not sequence), so the kill also
// lands while it integrates batches of the writers' events.
backend_test!(
    sigkill_mid_run_loses_no_acknowledged_write_and_duplicates_none,
    settings = |s| s.audit_sequencer = false,
    |app| async move {
        let organizer = app.insert_organization("CRASH", None);
        let mut server = start(&app).await;
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        let token = admin_token(&client, &server).await;

        let acks = Arc::new(Mutex::new(Vec::new()));
        let killing = Arc::new(AtomicBool::new(false));
        let writer = Writer {
            client: client.clone(),
            base: server.address.clone(),
            token: token.clone(),
            organizer,
            acks: acks.clone(),
            killing: killing.clone(),
        };
        let writers: Vec<_> = (0..WRITERS).map(|w| tokio::spawn(writer.clone().run(w))).collect();
        drop(writer);
        let started = Instant::now();
        while acks.lock().unwrap().len() < KILL_AFTER {
            assert!(started.elapsed() < Duration::from_secs(300), "the writers stalled before the kill");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        killing.store(true, Ordering::SeqCst);
        server.kill();
        let mut unknown = Vec::new();
        for writer in writers {
            unknown.extend(writer.await.unwrap());
        }
        let acknowledged = acks.lock().unwrap().len();
        // Events the killed sequencer had not integrated yet: the restarted one must finish them.
        let pending_at_kill = app.count_rows("audit_pending");

        // The same database, a new process: the token still holds (same key, sessions in the database).
        let server = start(&app).await;
        let mut acks = Arc::try_unwrap(acks).unwrap().into_inner().unwrap();
        // The writes cut off by the kill, retried with their key: stored once whether or not they committed.
        let mut committed_before_kill = 0;
        for write in unknown.iter().cloned() {
            match write.send(&client, &server.address, &token).await {
                Answer::Created { id, replayed } => {
                    committed_before_kill += usize::from(replayed);
                    acks.push(Ack { write, id });
                }
                other => panic!("retry of {:?} after the restart: {other:?}", write.title),
            }
        }
        // A retry of an acknowledged write answers the first response and creates nothing.
        for ack in acks.iter().take(8) {
            match ack.write.send(&client, &server.address, &token).await {
                Answer::Created { id, replayed: true } => assert_eq!(id, ack.id),
                other => panic!("retry of acknowledged {:?}: {other:?}", ack.write.title),
            }
        }

        let found = assert_exactly_acknowledged(&app, &acks);
        // The restarted server finishes what the killed one left: every event in the log, once, gap-free.
        let checkpoint = app.sequenced(&token).await;
        let out = app.sinergi().args(["audit", "verify"]).output().expect("run sinergi audit verify");
        let verify: Value = serde_json::from_slice(&out.stdout).expect("verification as JSON");
        assert!(out.status.success() && verify["valid"] == true, "{verify}");
        assert_eq!(verify["pending"], 0, "{verify}");
        assert_eq!(verify["tree_size"], checkpoint["tree_size"], "{verify}");
        assert_eq!(verify["tree_size"].as_i64(), Some(app.count_rows("audit_events")), "{verify}");
        eprintln!(
            "crash safety ({:?}): {acknowledged} writes acknowledged before SIGKILL, {} cut off \
         ({committed_before_kill} of them had committed), {found} found after the restart, each once; \
         audit log of {} events verifies ({pending_at_kill} were waiting for the sequencer at the kill)",
            app.backend,
            unknown.len(),
            verify["events"]
        );
    }
);

backend_test!(sigterm_finishes_requests_in_flight_refuses_new_connections_and_exits, |app| async move {
    let mut server = start(&app).await;
    // Logins hash one password at a time (SINERGI_MAX_PASSWORD_HASHES=1): they queue for a while.
    let logins: Vec<_> = (0..LOGINS)
        .map(|_| {
            let (client, address) = (reqwest::Client::new(), server.address.clone());
            tokio::spawn(async move {
                let res = client
                    .post(format!("{address}/api/v1/auth/login"))
                    .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
                    .send()
                    .await
                    .expect("a request in flight gets its answer");
                let status = res.status().as_u16();
                let body: Value = res.json().await.expect("login body");
                (status, body, Instant::now())
            })
        })
        .collect();
    // The first answer shows the server is working through the queue: the others are in flight.
    while logins.iter().all(|l| !l.is_finished()) {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let signalled = Instant::now();
    server.signal(libc::SIGTERM);

    // New connections are refused while the process still finishes the logins.
    let address = server.address.trim_start_matches("http://").to_string();
    let refused_while_running = loop {
        match TcpStream::connect(&address) {
            Err(e) => {
                assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}");
                break server.running();
            }
            Ok(_) if signalled.elapsed() > Duration::from_secs(10) => panic!("still accepting after 10 s"),
            Ok(_) => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    };
    let status = server.wait_for_exit(Duration::from_secs(10)).await.expect("the server exits within 10 s");
    let exit_time = signalled.elapsed();
    assert!(status.success(), "exit status {status}");

    let mut after_signal = 0;
    for login in logins {
        let (status, body, answered) = login.await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert!(body["access_token"].is_string(), "{body}");
        after_signal += usize::from(answered > signalled);
    }
    assert!(after_signal > 0, "no login was still in flight at the signal: the test proved nothing");
    assert!(refused_while_running, "connections were refused only once the process had exited");
    eprintln!(
        "SIGTERM ({:?}): {after_signal} of {LOGINS} logins answered 200 after the signal, new \
         connections refused, exit status 0 after {:.2} s",
        app.backend,
        exit_time.as_secs_f64()
    );
});

backend_test!(sigterm_exits_within_10_s_while_a_request_waits_on_a_database_lock, |app| async move {
    let mut server = start(&app).await;
    let client = reqwest::Client::new();
    let token = admin_token(&client, &server).await;
    // Another session holds the write lock: a write waits for it up to the database's lock timeout (10 s).
    let locker = hold_write_lock(&app);
    let stuck = tokio::spawn(
        client
            .post(server.url("/api/v1/organizations"))
            .bearer_auth(&token)
            .json(&json!({"name": "Dinas yang menunggu", "short_name": "STUCK", "kind": "regional_agency"}))
            .send(),
    );
    // Time for the request to reach the lock; it is still waiting when the signal comes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!stuck.is_finished(), "the write did not wait for the lock");
    let signalled = Instant::now();
    server.signal(libc::SIGTERM);
    let status = server.wait_for_exit(Duration::from_secs(10)).await.expect("the server exits within 10 s");
    let exit_time = signalled.elapsed();
    assert!(status.success(), "exit status {status}");
    drop(locker);
    // The request was accepted before the signal: it got an answer or its connection was cut, never refused.
    if let Err(e) = stuck.await.unwrap() {
        assert!(!e.is_connect(), "the stuck request was refused: {e}");
    }
    eprintln!(
        "SIGTERM with a write stuck on a lock ({:?}): exit status 0 after {:.2} s",
        app.backend,
        exit_time.as_secs_f64()
    );
});

// Writes that cannot get the database's write lock within its 10 s answer 503 with Retry-After and write
// nothing. On SQLite the writers of one process queue for their turn; a queued writer gives up after the
// same 10 s, so the third in line is answered with the first instead of after the two ahead of it (30 s).
backend_test!(writes_blocked_by_another_session_s_lock_answer_503_and_write_nothing, |app| async move {
    let token = app.admin_token().await;
    let before = app.count_rows("organizations");
    let mut locker = hold_write_lock(&app);
    let create = |i: usize| {
        app.post("/api/v1/organizations")
            .bearer_auth(&token)
            .timeout(Duration::from_secs(25))
            .json(&json!({"name": format!("Dinas yang menunggu {i}"), "short_name": format!("WAIT{i}"), "kind": "regional_agency"}))
            .send()
    };
    let blocked: Vec<_> = (0..3).map(|i| tokio::spawn(create(i))).collect();
    for write in blocked {
        let res = write.await.unwrap().expect("answered while the lock was held");
        assert!(res.headers().contains_key("retry-after"), "{:?}", res.headers());
        assert_problem(res, 503).await;
    }
    locker.batch_execute("ROLLBACK").unwrap();
    assert_eq!(app.count_rows("organizations"), before);
    assert_eq!(create(3).await.unwrap().status(), 201);
    assert_eq!(app.count_rows("organizations"), before + 1);
});
