//! The database goes away for 10 s under load and comes back: every request answers within 3 s (503
//! problem+json with `Retry-After` while it is gone), the server keeps serving, recovers by itself within
//! 5 s of the database's restart, and loses no acknowledged write. Runs on a private PostgreSQL cluster,
//! when the PostgreSQL tests are enabled.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use sinergi::clock::Clock;

use crate::helpers::{self, assert_problem};
use crate::private_cluster::PrivateCluster;
use crate::support_load::{Ack, Answer, Write, assert_exactly_acknowledged, assert_unavailable};

const WRITERS: usize = 8;
/// What the readers loop over: a list, a reference table, another list, and readiness.
const READS: [&str; 4] =
    ["/api/v1/activities?limit=5", "/api/v1/regions", "/api/v1/organizations", "/readyz"];
const OUTAGE: Duration = Duration::from_secs(10);
/// The longest any request may take to answer, database or not.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);
const RECOVER_WITHIN: Duration = Duration::from_secs(5);

/// What one of the loaders saw.
#[derive(Debug, Default)]
struct Seen {
    ok: usize,
    unavailable: usize,
    slowest: Duration,
}

impl Seen {
    fn add(&mut self, other: &Seen) {
        self.ok += other.ok;
        self.unavailable += other.unavailable;
        self.slowest = self.slowest.max(other.slowest);
    }
}

/// What the loaders share: the way to the server, and the flag that stops them.
#[derive(Clone)]
struct Load {
    client: reqwest::Client,
    base: String,
    token: String,
    acknowledged: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Load {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Creates activities until stopped; a write answered 503 is retried with its key until acknowledged.
    async fn write(self, organizer: String, writer: usize) -> (Seen, Vec<Ack>) {
        let (mut seen, mut acks) = (Seen::default(), Vec::new());
        let mut n = 0;
        while !self.stopped() {
            n += 1;
            let write = Write::meeting(&organizer, format!("outage w{writer} n{n:05}"));
            loop {
                let started = Instant::now();
                let answer = write.send(&self.client, &self.base, &self.token).await;
                seen.slowest = seen.slowest.max(started.elapsed());
                match answer {
                    Answer::Created { id, .. } => {
                        seen.ok += 1;
                        self.acknowledged.fetch_add(1, Ordering::SeqCst);
                        acks.push(Ack { write, id });
                        break;
                    }
                    Answer::Unavailable => {
                        seen.unavailable += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Answer::Lost(e) => panic!("writer {writer}: no answer within 3 s: {e}"),
                }
            }
        }
        (seen, acks)
    }

    /// Reads `path` until stopped: each answer is a 200 or the database's 503.
    async fn read(self, path: &'static str) -> Seen {
        let mut seen = Seen::default();
        while !self.stopped() {
            let started = Instant::now();
            let res = self
                .client
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {path}: no answer within 3 s: {e}"));
            match res.status().as_u16() {
                200 => {
                    res.bytes().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
                    seen.ok += 1;
                }
                503 => {
                    assert_unavailable(res).await;
                    seen.unavailable += 1;
                }
                status => panic!("GET {path} answered {status}: {}", res.text().await.unwrap_or_default()),
            }
            seen.slowest = seen.slowest.max(started.elapsed());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        seen
    }
}

api_test!(
    under_load_postgres_away_for_10_s_answers_503_quickly_recovers_and_loses_no_write,
    postgres,
    postgres_away_under_load()
);

async fn postgres_away_under_load() {
    let cluster = tokio::task::spawn_blocking(PrivateCluster::start).await.unwrap();
    let url = cluster.url();
    let app = helpers::spawn_app_on(&url, Clock::System, |_| {}).await;
    // A client that gives up after 3 s: a hanging request fails the test.
    let client = reqwest::Client::builder().timeout(ANSWER_WITHIN).build().unwrap();
    let token = app.admin_token().await;
    let organizer = app.insert_organization("OUTAGE", None);

    assert_eq!(client.get(app.url("/readyz")).send().await.unwrap().status(), 200);
    let load = Load {
        client: client.clone(),
        base: app.address.clone(),
        token: token.clone(),
        acknowledged: Arc::new(AtomicUsize::new(0)),
        stop: Arc::new(AtomicBool::new(false)),
    };
    let writers: Vec<_> =
        (0..WRITERS).map(|w| tokio::spawn(load.clone().write(organizer.clone(), w))).collect();
    let readers: Vec<_> = READS.iter().map(|path| tokio::spawn(load.clone().read(path))).collect();
    let started = Instant::now();
    while load.acknowledged.load(Ordering::SeqCst) < 50 {
        assert!(started.elapsed() < Duration::from_secs(60), "the writers stalled before the outage");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.pg_ctl_stop();
        cluster
    })
    .await
    .unwrap();
    let stopped = Instant::now();
    let before_outage = load.acknowledged.load(Ordering::SeqCst);

    let res = client.get(app.url("/readyz")).send().await.expect("readyz answers within 3 s");
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 503).await;
    let res =
        client.get(app.url("/api/v1/regions")).bearer_auth(&token).send().await.expect("answers within 3 s");
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = assert_problem(res, 503).await;
    assert_eq!(body["type"], "urn:sinergi:problem:service-unavailable");
    assert_eq!(client.get(app.url("/healthz")).send().await.unwrap().status(), 200);

    tokio::time::sleep(OUTAGE.saturating_sub(stopped.elapsed())).await;
    let during_outage = load.acknowledged.load(Ordering::SeqCst) - before_outage;
    let _cluster = tokio::task::spawn_blocking(move || {
        cluster.pg_ctl_start();
        cluster
    })
    .await
    .unwrap();
    let restarted = Instant::now();

    // Recovery needs no restart of the API: readiness and a real route come back by themselves.
    let ok = |path: &'static str| {
        let req = client.get(app.url(path)).bearer_auth(&token);
        async move { req.send().await.is_ok_and(|r| r.status() == 200) }
    };
    while !(ok("/readyz").await && ok("/api/v1/activities?limit=1").await) {
        assert!(restarted.elapsed() < RECOVER_WITHIN, "not recovered 5 s after the database came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovery = restarted.elapsed();

    // More load after the recovery, then every writer finishes its last write.
    let after = load.acknowledged.load(Ordering::SeqCst);
    while load.acknowledged.load(Ordering::SeqCst) < after + 50 {
        assert!(restarted.elapsed() < Duration::from_secs(60), "the writers stalled after the recovery");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    load.stop.store(true, Ordering::SeqCst);
    let (mut writes, mut reads, mut acks) = (Seen::default(), Seen::default(), Vec::new());
    for writer in writers {
        let (seen, acked) = writer.await.unwrap();
        writes.add(&seen);
        acks.extend(acked);
    }
    for reader in readers {
        reads.add(&reader.await.unwrap());
    }
    assert!(writes.unavailable > 0 && reads.unavailable > 0, "the load never met the outage");
    let slowest = writes.slowest.max(reads.slowest);
    assert!(slowest < ANSWER_WITHIN, "an answer took {slowest:?}");
    let found = assert_exactly_acknowledged(&app, &acks);
    eprintln!(
        "database outage: {WRITERS} writers and {} readers; {} answers 503 with Retry-After, {} succeeded \
         ({during_outage} writes acknowledged during the outage), slowest answer {:.2} s; recovered \
         {:.2} s after the restart; {} writes acknowledged, {found} found, 0 lost",
        READS.len(),
        writes.unavailable + reads.unavailable,
        writes.ok + reads.ok,
        slowest.as_secs_f64(),
        recovery.as_secs_f64(),
        acks.len(),
    );
}
