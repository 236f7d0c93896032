//! The database goes away and comes back: the API answers 503 quickly while it is gone and recovers by
//! itself. Runs on a private PostgreSQL cluster, when the PostgreSQL tests are enabled.

use std::time::Duration;

use serde_json::Value;
use sinergi::clock::Clock;

use crate::helpers::{self, assert_problem};
use crate::private_cluster::PrivateCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_and_routes_answer_503_while_postgres_is_down_and_recover_by_themselves() {
    if !helpers::postgres_enabled() {
        return;
    }
    let cluster = tokio::task::spawn_blocking(PrivateCluster::start).await.unwrap();
    let url = cluster.url();
    let app = helpers::spawn_app_on(&url, Clock::System, |_| {}).await;
    // A client that gives up after 3 s: a hanging request fails the test.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().unwrap();
    let token = app.admin_token().await;

    assert_eq!(client.get(app.url("/readyz")).send().await.unwrap().status(), 200);
    let res = client.get(app.url("/api/v1/regions")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);

    let cluster = tokio::task::spawn_blocking(move || {
        cluster.pg_ctl_stop();
        cluster
    })
    .await
    .unwrap();

    let res = client.get(app.url("/readyz")).send().await.expect("readyz answers within 3 s");
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, 503).await;
    let res =
        client.get(app.url("/api/v1/regions")).bearer_auth(&token).send().await.expect("answers within 3 s");
    assert!(res.headers().contains_key("retry-after"));
    let body: Value = assert_problem(res, 503).await;
    assert_eq!(body["type"], "urn:sinergi:problem:service-unavailable");
    assert_eq!(client.get(app.url("/healthz")).send().await.unwrap().status(), 200);

    let _cluster = tokio::task::spawn_blocking(move || {
        cluster.pg_ctl_start();
        cluster
    })
    .await
    .unwrap();

    // Recovery needs no restart of the API: poll for a bounded time.
    let mut ready = false;
    for _ in 0..50 {
        if client.get(app.url("/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "/readyz came back by itself");
    let res = client.get(app.url("/api/v1/regions")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
}
