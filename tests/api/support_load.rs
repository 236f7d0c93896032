//! Load for the reliability tests: writers that create activities with an `Idempotency-Key` and log each
//! write the server acknowledged, and the check that the database then holds exactly those writes.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use reqwest::{Client, Response};
use serde_json::{Value, json};
use sinergi::db::Id;
use sinergi::db::schema::activities;

use crate::helpers::{TestApp, assert_problem};

/// One create request, kept so that it can be retried with the same key.
#[derive(Debug, Clone)]
pub struct Write {
    pub key: String,
    pub title: String,
    body: Value,
}

/// A write the server answered 201 for, with the id it gave.
#[derive(Debug, Clone)]
pub struct Ack {
    pub write: Write,
    pub id: String,
}

/// How the server answered a write.
#[derive(Debug)]
pub enum Answer {
    Created {
        id: String,
        replayed: bool,
    },
    /// 503 problem+json with `Retry-After`: not written, to be retried.
    Unavailable,
    /// No answer (connection refused or cut): the outcome is unknown.
    Lost(reqwest::Error),
}

impl Write {
    /// A planned meeting organised by `organizer`; the title is the business key the checks look for.
    pub fn meeting(organizer: &str, title: String) -> Write {
        let body = json!({
            "kind": "coordination_meeting",
            "title": title,
            "organizer_organization_id": organizer,
            "starts_at": "2026-03-02T02:00:00Z",
        });
        Write { key: uuid::Uuid::new_v4().to_string(), title, body }
    }

    pub async fn send(&self, client: &Client, base: &str, token: &str) -> Answer {
        let sent = client
            .post(format!("{base}/api/v1/activities"))
            .bearer_auth(token)
            .header("Idempotency-Key", &self.key)
            .json(&self.body)
            .send()
            .await;
        let res = match sent {
            Ok(res) => res,
            Err(e) => return Answer::Lost(e),
        };
        match res.status().as_u16() {
            201 => {
                let replayed = res.headers().get("idempotency-replayed").is_some_and(|v| v == "true");
                match res.json::<Value>().await {
                    Ok(body) => {
                        Answer::Created { id: body["id"].as_str().expect("id").to_string(), replayed }
                    }
                    Err(e) => Answer::Lost(e),
                }
            }
            503 => {
                assert_unavailable(res).await;
                Answer::Unavailable
            }
            status => {
                panic!("POST {:?} answered {status}: {}", self.title, res.text().await.unwrap_or_default())
            }
        }
    }
}

/// A 503 as the API gives it while the database is away: a problem with `Retry-After`.
pub async fn assert_unavailable(res: Response) {
    assert!(res.headers().contains_key("retry-after"), "a 503 without Retry-After");
    let body = assert_problem(res, 503).await;
    assert_eq!(body["type"], "urn:sinergi:problem:service-unavailable");
}

/// Asserts that the database holds each acknowledged write exactly once under the id it was acknowledged
/// with, no other activity, and one `create` audit event per activity. Answers how many it found.
pub fn assert_exactly_acknowledged(app: &TestApp, acks: &[Ack]) -> usize {
    let stored: Vec<(Id, String)> = activities::table
        .select((activities::id, activities::title))
        .load(&mut app.connection())
        .expect("read activities");
    let mut titles = HashSet::new();
    for (id, title) in &stored {
        assert!(titles.insert(title.as_str()), "activity {title:?} stored twice (again as {id})");
    }
    let stored: HashMap<String, String> =
        stored.into_iter().map(|(id, title)| (id.to_string(), title)).collect();
    for ack in acks {
        assert_eq!(stored.get(&ack.id), Some(&ack.write.title), "acknowledged write {} is lost", ack.id);
    }
    let acknowledged: HashSet<&str> = acks.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(acknowledged.len(), acks.len(), "one id acknowledged for two writes");
    assert_eq!(stored.len(), acks.len(), "activities stored that nobody was told about");

    let mut events: HashMap<String, usize> = HashMap::new();
    for row in app.audit_rows() {
        if row.entity_type == "activity" && row.action == "create" {
            *events.entry(row.entity_id.expect("entity id")).or_default() += 1;
        }
    }
    assert_eq!(events.len(), stored.len(), "one create event per activity");
    assert!(events.iter().all(|(id, n)| *n == 1 && stored.contains_key(id)), "one create event per activity");
    stored.len()
}
