//! The list and write conventions of docs/conventions.md, shown on the registry: keyset paging under
//! concurrent inserts, conditional writes under concurrent PATCHes, idempotent creates, CSV output.

use std::collections::HashSet;

use chrono::Utc;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use sinergi::db::Id;
use sinergi::db::schema::{audit_events, idempotency_keys, organizations};

use crate::helpers::{TestApp, assert_problem};
use crate::organizations::{audit_of, read};

const ORGS: &str = "/api/v1/organizations";

/// Inserts `n` organizations straight into the database (fast), answering their ids in creation order.
fn insert_orgs(app: &TestApp, n: usize, prefix: &str) -> Vec<String> {
    let mut conn = app.connection();
    let now = Utc::now().naive_utc();
    let ids: Vec<Id> = (0..n).map(|_| Id::new()).collect();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        for (i, id) in ids.iter().enumerate() {
            diesel::insert_into(organizations::table)
                .values((
                    organizations::id.eq(*id),
                    organizations::name.eq(format!("{prefix} organization {i}")),
                    organizations::short_name.eq(format!("{prefix}-{i}")),
                    organizations::kind.eq("employer"),
                    organizations::sector.eq("private"),
                    organizations::status.eq("active"),
                    organizations::version.eq(1),
                    organizations::created_at.eq(now),
                    organizations::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
    .unwrap();
    ids.iter().map(Id::to_string).collect()
}

pub fn count_orgs(app: &TestApp, short_name: &str) -> i64 {
    let mut conn = app.connection();
    organizations::table
        .filter(organizations::short_name.eq(short_name))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

backend_test!(
    a_cursor_walk_returns_each_record_once_in_a_stable_order_while_records_are_added,
    |app| async move {
        let token = app.admin_token().await;
        let existing = insert_orgs(&app, 500, "WALK");
        let mut added = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        let mut path = format!("{ORGS}?limit=37");
        let mut pages = 0;
        loop {
            let res = app.get(&path).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), 200);
            let link = res.headers().get("link").map(|l| l.to_str().unwrap().to_string());
            let body: Value = res.json().await.unwrap();
            let items = body["items"].as_array().unwrap();
            assert!(items.len() <= 37);
            seen.extend(items.iter().map(|o| o["id"].as_str().unwrap().to_string()));
            pages += 1;
            // Someone registers an organization between two pages.
            if pages <= 5 {
                added.push(
                    app.create_org(
                        &token,
                        &format!("Added {pages}"),
                        &format!("ADDED-{pages}"),
                        "employer",
                        None,
                    )
                    .await,
                );
            }
            match body["next_cursor"].as_str() {
                Some(cursor) => {
                    let link = link.expect("Link header with next_cursor");
                    assert!(link.contains(cursor));
                    path = link.trim_start_matches('<').split('>').next().unwrap().to_string();
                    assert!(path.contains("limit=37"));
                }
                None => {
                    assert!(link.is_none());
                    break;
                }
            }
        }
        let unique: HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no record twice");
        let mut expected = existing.clone();
        expected.extend(added.iter().cloned());
        assert_eq!(seen, expected, "every record once, oldest first");
        assert_eq!(pages, (505usize).div_ceil(37));

        // The default page is 50 and the limit stops at 200.
        let res = app.get(ORGS).bearer_auth(&token).send().await.unwrap();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 50);
        let res = app.get(&format!("{ORGS}?limit=200")).bearer_auth(&token).send().await.unwrap();
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["items"].as_array().unwrap().len(), 200);
        for bad in ["0", "201", "-1", "x"] {
            let res = app.get(&format!("{ORGS}?limit={bad}")).bearer_auth(&token).send().await.unwrap();
            assert_problem(res, 422).await;
        }
    }
);

backend_test!(concurrent_patches_with_one_etag_let_exactly_one_win, |app| async move {
    let token = app.admin_token().await;
    for round in 0..3 {
        let id =
            app.create_org(&token, "Dinas Sosial", &format!("DINSOS-{round}"), "regional_agency", None).await;
        let path = format!("{ORGS}/{id}");
        let requests = (0..6).map(|i| {
            app.request(Method::PATCH, &path)
                .bearer_auth(&token)
                .header("If-Match", "\"1\"")
                .json(&json!({"notes": format!("writer {i}")}))
                .send()
        });
        let responses = futures_util::future::join_all(requests).await;
        let statuses: Vec<u16> = responses.iter().map(|r| r.as_ref().unwrap().status().as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 5, "{statuses:?}");
        let (org, etag) = read(&app, &token, &path).await;
        assert_eq!(etag, "\"2\"");
        assert_eq!(org["version"], 2);
        let updates = audit_of(&app, "organization", &id).into_iter().filter(|e| e.0 == "update").count();
        assert_eq!(updates, 1);
    }
});

backend_test!(a_retry_with_the_same_idempotency_key_answers_the_first_response, |app| async move {
    let token = app.admin_token().await;
    let body = json!({"name": "Rumah BUMN Padang", "short_name": "RB-PDG", "kind": "soe_forum"});
    let send = |key: &'static str, body: Value| {
        app.post(ORGS).bearer_auth(&token).header("Idempotency-Key", key).json(&body).send()
    };
    let first = send("key-1", body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotency-replayed").is_none());
    let location = first.headers()["location"].clone();
    let etag = first.headers()["etag"].clone();
    let first_body: Value = first.json().await.unwrap();

    // The same body with its keys in another order is the same request.
    let reordered = json!({"kind": "soe_forum", "short_name": "RB-PDG", "name": "Rumah BUMN Padang"});
    for retry_body in [body.clone(), reordered] {
        let retry = send("key-1", retry_body).await.unwrap();
        assert_eq!(retry.status(), 201);
        assert_eq!(retry.headers()["location"], location);
        assert_eq!(retry.headers()["etag"], etag);
        assert_eq!(retry.headers()["idempotency-replayed"], "true");
        let retry_body: Value = retry.json().await.unwrap();
        assert_eq!(retry_body, first_body);
    }
    assert_eq!(count_orgs(&app, "RB-PDG"), 1);
    let id = first_body["id"].as_str().unwrap();
    assert_eq!(audit_of(&app, "organization", id).len(), 1);

    // The same key with another body is refused and creates nothing.
    let other = json!({"name": "Rumah BUMN Bukittinggi", "short_name": "RB-BKT", "kind": "soe_forum"});
    let res = send("key-1", other.clone()).await.unwrap();
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(count_orgs(&app, "RB-BKT"), 0);

    // The same key on another route is another request too.
    let res = app
        .post(&format!("{ORGS}/{id}/contacts"))
        .bearer_auth(&token)
        .header("Idempotency-Key", "key-1")
        .json(&json!({"full_name": "Budi"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422).await;

    // Keys belong to their user: another user's "key-1" is another request.
    let home = app
        .create_org(&token, "BPJS Kantor Cabang Padang", "BPJSTK-PDG", "social_security_branch", None)
        .await;
    let staff = app.user_token(&token, "bpjs-staff", "bpjs_staff", Some(&home)).await;
    let res = app
        .post(ORGS)
        .bearer_auth(&staff)
        .header("Idempotency-Key", "key-1")
        .json(&json!({"name": "Koperasi", "short_name": "KOP", "kind": "association"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("idempotency-replayed").is_none());

    // A new key is a new request.
    let res = send("key-2", other.clone()).await.unwrap();
    assert_eq!(res.status(), 201);

    // A failed request keeps nothing: its retry runs again.
    let dup = json!({"name": "Duplicate", "short_name": "rb-pdg", "kind": "other"});
    let res = send("key-3", dup).await.unwrap();
    assert_problem(res, 409).await;
    let fixed = json!({"name": "Duplicate", "short_name": "rb-pdg", "kind": "other"});
    let res = send("key-3", fixed).await.unwrap();
    assert_problem(res, 409).await;

    // Keys that are not plain text are refused.
    let res = app
        .post(ORGS)
        .bearer_auth(&token)
        .header("Idempotency-Key", "k".repeat(256))
        .json(&json!({"name": "X", "short_name": "X", "kind": "other"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 422).await;
    assert_eq!(count_orgs(&app, "X"), 0);
});

backend_test!(an_idempotency_key_is_forgotten_after_24_hours, |app| async move {
    let token = app.admin_token().await;
    let send =
        |body: Value| app.post(ORGS).bearer_auth(&token).header("Idempotency-Key", "old").json(&body).send();
    let res = send(json!({"name": "A", "short_name": "A", "kind": "other"})).await.unwrap();
    assert_eq!(res.status(), 201);
    {
        let mut conn = app.connection();
        let day_ago = Utc::now().naive_utc() - chrono::Duration::hours(25);
        diesel::update(idempotency_keys::table)
            .set(idempotency_keys::created_at.eq(day_ago))
            .execute(&mut conn)
            .unwrap();
    }
    let res = send(json!({"name": "B", "short_name": "B", "kind": "other"})).await.unwrap();
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("idempotency-replayed").is_none());
    assert_eq!(count_orgs(&app, "B"), 1);
});

backend_test!(concurrent_requests_with_one_key_create_one_record, |app| async move {
    let token = app.admin_token().await;
    for round in 0..3 {
        let key = format!("concurrent-{round}");
        let short_name = format!("KOP-{round}");
        let body = json!({"name": "Koperasi Pekerja", "short_name": short_name, "kind": "association"});
        let requests = (0..6).map(|_| {
            app.post(ORGS).bearer_auth(&token).header("Idempotency-Key", key.as_str()).json(&body).send()
        });
        let responses = futures_util::future::join_all(requests).await;
        let mut ids = HashSet::new();
        for res in responses {
            let res = res.unwrap();
            assert_eq!(res.status(), 201);
            let body: Value = res.json().await.unwrap();
            ids.insert(body["id"].as_str().unwrap().to_string());
        }
        assert_eq!(ids.len(), 1, "every answer names the one record");
        assert_eq!(count_orgs(&app, &short_name), 1);
        let mut conn = app.connection();
        let events: i64 = audit_events::table
            .filter(audit_events::entity_type.eq("organization"))
            .filter(audit_events::action.eq("create"))
            .filter(audit_events::entity_id.eq(ids.iter().next().unwrap()))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(events, 1);
    }
});

backend_test!(lists_answer_csv_when_asked, |app| async move {
    let token = app.admin_token().await;
    let pemkot = app.create_org(&token, "Pemerintah Kota Padang", "PEMKOT", "city_government", None).await;
    let res = app
        .patch_json(
            &token,
            &format!("{ORGS}/{pemkot}"),
            "\"1\"",
            &json!({"address": "Jl. M. Yamin, \"Balai Kota\", Padang", "region_code": "1371"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    app.create_org(&token, "Dinas Sosial", "DINSOS", "regional_agency", Some(&pemkot)).await;
    app.create_org(&token, "=HYPERLINK(\"x\")", "EVIL", "other", None).await;

    let res = app.read_as(&token, &format!("{ORGS}?limit=2"), "text/csv").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers().contains_key("link"), "paged CSV still links to the next page");
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "id",
            "name",
            "short_name",
            "kind",
            "sector",
            "parent_id",
            "region_code",
            "address",
            "phone",
            "email",
            "website",
            "status",
            "notes",
            "version",
            "created_at",
            "updated_at",
            "created_by"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][0], pemkot.as_str());
    assert_eq!(&rows[0][7], "Jl. M. Yamin, \"Balai Kota\", Padang");
    assert_eq!(&rows[0][5], "");
    assert_eq!(&rows[0][13], "2");
    assert_eq!(&rows[1][5], pemkot.as_str());

    // A cell that a spreadsheet would run as a formula is neutralised.
    let res = app.read_as(&token, &format!("{ORGS}?q=evil"), "text/csv").await;
    let text = res.text().await.unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");

    // JSON stays the default; an empty list has the header row only.
    let res = app.read_as(&token, ORGS, "application/json, text/csv;q=0.5").await;
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let res = app.read_as(&token, &format!("{ORGS}?q=nothing"), "text/csv").await;
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("short_name"));

    for path in ["/api/v1/regulations", &format!("{ORGS}/{pemkot}/contacts"), "/api/v1/regions"] {
        let res = app.get(path).bearer_auth(&token).header("Accept", "text/csv").send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"), "{path}");
    }
});

/// A second server on the same database (its own pool, caches and workers, as another process would
/// have), answering its base URL.
async fn second_server(app: &TestApp) -> String {
    let settings = crate::helpers::test_settings(app.db.url(), app.data_dir.path());
    let state = tokio::task::spawn_blocking(move || {
        sinergi::startup::prepare(settings, sinergi::clock::Clock::System)
    })
    .await
    .unwrap()
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(sinergi::startup::run(listener, state).unwrap());
    format!("http://127.0.0.1:{port}")
}

backend_test!(idempotency_and_conditional_writes_hold_across_servers, |app| async move {
    let token = app.admin_token().await;
    let other = second_server(&app).await;
    let servers = [app.address.clone(), other];

    // One key, requests spread over both servers: one record.
    let body = json!({"name": "Serikat Pekerja", "short_name": "SP-PDG", "kind": "labour_union"});
    let requests = (0..8).map(|i| {
        app.client
            .post(format!("{}{ORGS}", servers[i % 2]))
            .bearer_auth(&token)
            .header("Idempotency-Key", "spread")
            .json(&body)
            .send()
    });
    let mut ids = HashSet::new();
    for res in futures_util::future::join_all(requests).await {
        let res = res.unwrap();
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        ids.insert(body["id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(count_orgs(&app, "SP-PDG"), 1);

    // One ETag, PATCHes spread over both servers: one wins.
    let id = ids.into_iter().next().unwrap();
    let requests = (0..8).map(|i| {
        app.client
            .patch(format!("{}{ORGS}/{id}", servers[i % 2]))
            .bearer_auth(&token)
            .header("If-Match", "\"1\"")
            .json(&json!({"notes": format!("writer {i}")}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(requests)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 7, "{statuses:?}");
    let (org, _) = read(&app, &token, &format!("{ORGS}/{id}")).await;
    assert_eq!(org["version"], 2);
});

backend_test!(every_registry_route_needs_a_token_and_unknown_ids_are_404, |app| async move {
    let token = app.admin_token().await;
    let org = app.create_org(&token, "Pemerintah Kota Padang", "PEMKOT", "city_government", None).await;
    let contact = app.create_contact(&token, &org, "Budi").await;
    let regulation = app.create_regulation(&token, "undang_undang", "24", 2011, "BPJS").await;
    let routes = [
        (Method::GET, ORGS.to_string()),
        (Method::POST, ORGS.to_string()),
        (Method::GET, format!("{ORGS}/{org}")),
        (Method::PATCH, format!("{ORGS}/{org}")),
        (Method::DELETE, format!("{ORGS}/{org}")),
        (Method::GET, format!("{ORGS}/{org}/contacts")),
        (Method::POST, format!("{ORGS}/{org}/contacts")),
        (Method::GET, format!("/api/v1/contacts/{contact}")),
        (Method::PATCH, format!("/api/v1/contacts/{contact}")),
        (Method::DELETE, format!("/api/v1/contacts/{contact}")),
        (Method::GET, "/api/v1/regulations".to_string()),
        (Method::POST, "/api/v1/regulations".to_string()),
        (Method::GET, format!("/api/v1/regulations/{regulation}")),
        (Method::PATCH, format!("/api/v1/regulations/{regulation}")),
        (Method::DELETE, format!("/api/v1/regulations/{regulation}")),
    ];
    for (method, path) in &routes {
        let res = app
            .request(method.clone(), path)
            .header("If-Match", "\"1\"")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_problem(res, 401).await;
        let res = app
            .request(method.clone(), path)
            .bearer_auth("not-a-token")
            .header("If-Match", "\"1\"")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_problem(res, 401).await;
    }
    let unknown = "01890000-0000-7000-8000-000000000000";
    for path in [
        format!("{ORGS}/{unknown}"),
        format!("/api/v1/contacts/{unknown}"),
        format!("/api/v1/regulations/{unknown}"),
    ] {
        for method in [Method::GET, Method::PATCH, Method::DELETE] {
            let res = app
                .request(method.clone(), &path)
                .bearer_auth(&token)
                .header("If-Match", "\"1\"")
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_problem(res, 404).await;
        }
    }
    // Nothing was changed by any of this.
    for path in [
        format!("{ORGS}/{org}"),
        format!("/api/v1/contacts/{contact}"),
        format!("/api/v1/regulations/{regulation}"),
    ] {
        let (record, _) = read(&app, &token, &path).await;
        assert_eq!(record["version"], 1, "{path}");
    }
});

backend_test!(a_patch_to_a_taken_short_name_is_409_and_changes_nothing, |app| async move {
    let token = app.admin_token().await;
    app.create_org(&token, "Dinas Sosial", "DINSOS", "regional_agency", None).await;
    let id = app.create_org(&token, "Disnakerin", "DISNAKERIN", "regional_agency", None).await;
    let path = format!("{ORGS}/{id}");
    let res =
        app.patch_json(&token, &path, "\"1\"", &json!({"short_name": "Dinsos", "notes": "renamed"})).await;
    assert_problem(res, 409).await;
    let (org, _) = read(&app, &token, &path).await;
    assert_eq!(org["short_name"], "DISNAKERIN");
    assert_eq!(org["notes"], Value::Null);
    assert_eq!(org["version"], 1);
    // Changing only the case of its own short name is fine.
    let res = app.patch_json(&token, &path, "\"1\"", &json!({"short_name": "Disnakerin"})).await;
    assert_eq!(res.status(), 200);
});

// Found by contract fuzzing: serde fills a struct from an array, so `[null, null]` was taken as an empty
// PATCH (200) instead of being refused.
backend_test!(a_body_that_is_not_an_object_is_422_and_changes_nothing, |app| async move {
    let token = app.admin_token().await;
    let id = app.create_org(&token, "Dinas Sosial", "DINSOS", "regional_agency", None).await;
    let path = format!("{ORGS}/{id}");
    for body in [json!([null, null]), json!(["Dinas Sosial Kota Padang"])] {
        let res = app.patch_json(&token, &path, "\"1\"", &body).await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(problem["errors"][0]["field"], "body");
    }
    let res = app.request(Method::POST, ORGS).bearer_auth(&token).json(&json!([])).send().await.unwrap();
    assert_problem(res, 422).await;
    let (org, _) = read(&app, &token, &path).await;
    assert_eq!((org["name"].as_str(), org["version"].as_i64()), (Some("Dinas Sosial"), Some(1)));
});

// Found by contract fuzzing: a NUL character in a body or a query string reached PostgreSQL, which cannot
// store it in text, and answered 500.
backend_test!(a_nul_character_is_422_on_both_backends, |app| async move {
    let token = app.admin_token().await;
    let before = app.count_rows("organizations");
    let body = json!({"name": "Dinas\u{0}Sosial", "short_name": "DINSOS", "kind": "regional_agency"});
    let res = app.request(Method::POST, ORGS).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(assert_problem(res, 422).await["errors"][0]["field"], "name");
    let res = app.request(Method::GET, &format!("{ORGS}?q=a%00b")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(assert_problem(res, 422).await["errors"][0]["field"], "q");
    assert_eq!(app.count_rows("organizations"), before);
    // An escaped backslash before `u0000` is plain text.
    let body = json!({"name": "Dinas \\u0000 Sosial", "short_name": "DINSOS", "kind": "regional_agency"});
    let res = app.request(Method::POST, ORGS).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 201);
});
