//! Activities and their action items: the lifecycle planned → held | cancelled, the field rules, who may
//! log and edit (organizer or participant, organizations above included), filters, keyset pages,
//! restricted visibility, and the reference checks that keep organizations and agreements in place.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, problem_fields};
use crate::support_agreements::{World, etag, expect, id, send};
use crate::support_results::held;

fn planned(w: &World, agreement: Option<&str>, scope: Option<&str>) -> Value {
    json!({
        "kind": "coordination_meeting",
        "title": "Rapat koordinasi pekerja rentan",
        "agreement_id": agreement,
        "scope": scope,
        "organizer_organization_id": w.orgs.pemkot,
        "participants": [{"organization_id": w.orgs.bpjs, "attendees": 4}, {"organization_id": w.orgs.dinsos}],
        "starts_at": "2025-06-20T02:00:00Z",
        "ends_at": "2025-06-20T05:00:00Z",
        "location": "Balai Kota Padang",
        "cgr_components": ["trust", "deliberation", "trust"],
    })
}

async fn patch(app: &TestApp, token: &str, path: &str, tag: &str, body: Value) -> reqwest::Response {
    send(app, Method::PATCH, path, token, Some(tag), Some(body)).await
}

backend_test!(an_activity_goes_from_planned_to_held_and_stays_there, fixed, |app| async move {
    let w = World::new(&app).await;
    let agreement = id(&app.active_agreement(&w, "NK/A/1").await);
    let res = send(
        &app,
        Method::POST,
        "/api/v1/activities",
        &w.admin,
        None,
        Some(planned(&w, Some(&agreement), Some("sosialisasi"))),
    )
    .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    let path = format!("/api/v1/activities/{}", id(&created));
    assert_eq!(location, path);
    assert_eq!(created["status"], "planned");
    assert_eq!(created["scope"], "sosialisasi");
    assert_eq!(created["cgr_components"], json!(["deliberation", "trust"]));
    assert_eq!(created["participants"][0]["attendees"], 4);
    assert_eq!(created["participants"][1]["attendees"], Value::Null);
    assert_eq!(created["starts_at"], "2025-06-20T02:00:00Z");
    let got = app.read(&w.admin, &path).await;
    assert_eq!(got.headers()["etag"], "\"1\"");

    // Held needs minutes or a decision; it must also have started (the clock says 2025-06-15).
    let res = patch(&app, &w.admin, &path, "\"1\"", json!({"status": "held"})).await;
    let problem = assert_problem(res, 422).await;
    assert!(problem_fields(&problem).contains(&"minutes".to_string()), "{problem}");
    assert!(problem_fields(&problem).contains(&"starts_at".to_string()), "{problem}");
    let res = patch(
        &app,
        &w.admin,
        &path,
        "\"1\"",
        json!({"status": "held", "decisions": ["Lanjutkan pendataan"],
        "starts_at": "2025-06-10T02:00:00Z", "ends_at": "2025-06-10T04:00:00Z", "people_reached": 40}),
    )
    .await;
    let held_now = expect(res, 200).await;
    assert_eq!(held_now["status"], "held");
    assert_eq!(held_now["version"], 2);
    assert_eq!(held_now["decisions"], json!(["Lanjutkan pendataan"]));
    // Clearing the decisions of a held activity without minutes leaves nothing on record: 422.
    let res = patch(&app, &w.admin, &path, "\"2\"", json!({"decisions": []})).await;
    assert_eq!(problem_fields(&assert_problem(res, 422).await), ["minutes"]);
    // Held is final.
    for status in ["planned", "cancelled"] {
        assert_problem(patch(&app, &w.admin, &path, "\"2\"", json!({"status": status})).await, 409).await;
    }
    // Only planned activities can be deleted.
    assert_problem(send(&app, Method::DELETE, &path, &w.admin, Some("\"2\""), None).await, 409).await;
    // Minutes can still be added to a held activity.
    let res = patch(&app, &w.admin, &path, "\"2\"", json!({"minutes": "Notulen rapat"})).await;
    assert_eq!(expect(res, 200).await["minutes"], "Notulen rapat");
    // A stale If-Match changes nothing.
    assert_problem(patch(&app, &w.admin, &path, "\"2\"", json!({"title": "x"})).await, 412).await;
    assert_problem(send(&app, Method::PATCH, &path, &w.admin, None, Some(json!({"title": "x"}))).await, 428)
        .await;

    let actions: Vec<String> =
        app.audit_rows().into_iter().filter(|r| r.entity_type == "activity").map(|r| r.action).collect();
    assert_eq!(actions, ["create", "hold", "update"]);
});

backend_test!(a_planned_activity_can_be_cancelled_or_deleted, fixed, |app| async move {
    let w = World::new(&app).await;
    let a = app.create_activity(&w.admin, planned(&w, None, None)).await;
    let path = format!("/api/v1/activities/{}", id(&a));
    let cancelled =
        expect(patch(&app, &w.admin, &path, "\"1\"", json!({"status": "cancelled"})).await, 200).await;
    assert_eq!(cancelled["status"], "cancelled");
    assert_problem(
        patch(&app, &w.admin, &path, "\"2\"", json!({"status": "held", "minutes": "m"})).await,
        409,
    )
    .await;
    assert_problem(send(&app, Method::DELETE, &path, &w.admin, Some("\"2\""), None).await, 409).await;

    let b = app.create_activity(&w.admin, planned(&w, None, None)).await;
    let path = format!("/api/v1/activities/{}", id(&b));
    assert_problem(send(&app, Method::DELETE, &path, &w.admin, None, None).await, 428).await;
    assert_problem(send(&app, Method::DELETE, &path, &w.admin, Some("\"7\""), None).await, 412).await;
    expect(send(&app, Method::DELETE, &path, &w.admin, Some("\"1\""), None).await, 204).await;
    assert_problem(app.read(&w.admin, &path).await, 404).await;
    assert_eq!(app.count_rows("activity_participants"), 2, "the deleted activity's participants are gone");
    assert_eq!(
        app.audit_rows().iter().filter(|r| r.entity_type == "activity" && r.action == "delete").count(),
        1
    );
});

backend_test!(activity_fields_are_checked, fixed, |app| async move {
    let w = World::new(&app).await;
    let agreement = id(&app.active_agreement(&w, "NK/A/2").await);
    let post = |body: Value| send(&app, Method::POST, "/api/v1/activities", &w.admin, None, Some(body));

    let mut body = planned(&w, Some(&agreement), Some("enrolment"));
    body["ends_at"] = json!("2025-06-19T00:00:00Z");
    body["people_reached"] = json!(-1);
    body["title"] = json!("  ");
    body["participants"] =
        json!([{"organization_id": w.orgs.bpjs}, {"organization_id": w.orgs.bpjs, "attendees": -2}]);
    let problem = assert_problem(post(body).await, 422).await;
    assert_eq!(
        problem_fields(&problem),
        [
            "ends_at",
            "participants[1].attendees",
            "participants[1].organization_id",
            "people_reached",
            "scope",
            "title"
        ]
    );

    let mut body = planned(&w, Some("0190a0a0-0000-7000-8000-000000000000"), None);
    body["organizer_organization_id"] = json!("0190a0a0-0000-7000-8000-000000000001");
    body["participants"] = json!([{"organization_id": "0190a0a0-0000-7000-8000-000000000002"}]);
    let problem = assert_problem(post(body).await, 422).await;
    assert_eq!(
        problem_fields(&problem),
        ["agreement_id", "organizer_organization_id", "participants[0].organization_id"]
    );

    let problem = assert_problem(post(planned(&w, None, Some("monev"))).await, 422).await;
    assert_eq!(problem_fields(&problem), ["scope"]);
    let problem = assert_problem(post(json!({"title": "x"})).await, 422).await;
    assert_eq!(problem_fields(&problem), ["kind", "organizer_organization_id", "starts_at"]);
    let mut body = planned(&w, None, None);
    body["status"] = json!("held");
    assert!(problem_fields(&assert_problem(post(body).await, 422).await).contains(&"minutes".to_string()));
    let mut body = planned(&w, None, None);
    body["status"] = json!("cancelled");
    assert_eq!(problem_fields(&assert_problem(post(body).await, 422).await), ["status"]);
    let mut body = planned(&w, None, None);
    body["kind"] = json!("party");
    assert_problem(post(body).await, 422).await;
    let mut body = planned(&w, None, None);
    body["version"] = json!(3);
    assert_problem(post(body).await, 400).await;
    assert_eq!(app.count_rows("activities"), 0);
});

backend_test!(staff_log_activities_their_organization_organises_or_joins, fixed, |app| async move {
    let w = World::new(&app).await;
    let disnakerin = w.token(&app, "disnakerin", "opd_staff", Some(&w.orgs.disnakerin)).await;
    let bumn = w.token(&app, "bumn", "partner_staff", Some(&w.orgs.rumah_bumn)).await;
    let other_branch = w.token(&app, "bukittinggi", "bpjs_staff", Some(&w.orgs.bpjs_other)).await;
    let auditor = w.token(&app, "inspektorat", "auditor", Some(&w.orgs.inspektorat)).await;
    let post = |token: &str, body: Value| {
        let token = token.to_string();
        let app = &app;
        async move { send(app, Method::POST, "/api/v1/activities", &token, None, Some(body)).await }
    };
    // Disnakerin staff act for Pemkot, which organises.
    let a = expect(post(&disnakerin, planned(&w, None, None)).await, 201).await;
    assert_problem(post(&bumn, planned(&w, None, None)).await, 403).await;
    assert_problem(post(&other_branch, planned(&w, None, None)).await, 403).await;
    assert_problem(post(&auditor, planned(&w, None, None)).await, 403).await;
    let mut joined = planned(&w, None, None);
    joined["participants"] = json!([{"organization_id": w.orgs.rumah_bumn, "attendees": 2}]);
    let b = expect(post(&bumn, joined).await, 201).await;

    let path_a = format!("/api/v1/activities/{}", id(&a));
    let path_b = format!("/api/v1/activities/{}", id(&b));
    assert_problem(patch(&app, &bumn, &path_a, "\"1\"", json!({"title": "x"})).await, 403).await;
    assert_problem(patch(&app, &auditor, &path_a, "\"1\"", json!({"title": "x"})).await, 403).await;
    assert_problem(send(&app, Method::DELETE, &path_a, &other_branch, Some("\"1\""), None).await, 403).await;
    // Nobody hands an activity to organizations they do not act for.
    assert_problem(patch(&app, &bumn, &path_b, "\"1\"", json!({"participants": []})).await, 403).await;
    let renamed =
        expect(patch(&app, &bumn, &path_b, "\"1\"", json!({"title": "Sosialisasi UMKM"})).await, 200).await;
    assert_eq!(renamed["title"], "Sosialisasi UMKM");
    // Everyone reads.
    for token in [&bumn, &auditor, &other_branch] {
        expect(app.read(token, &path_a).await, 200).await;
    }
});

backend_test!(activities_are_filtered_and_paged, fixed, |app| async move {
    let w = World::new(&app).await;
    let agreement = id(&app.active_agreement(&w, "NK/A/3").await);
    let mut meeting =
        held("coordination_meeting", "Rapat monev iuran", &w.orgs.pemkot, &[&w.orgs.bpjs], "2025-05-02");
    meeting["agreement_id"] = json!(agreement);
    meeting["scope"] = json!("monev");
    meeting["cgr_components"] = json!(["trust"]);
    let m = app.create_activity(&w.admin, meeting).await;
    let s = app
        .create_activity(
            &w.admin,
            held("sosialisasi", "Sosialisasi pasar Raya", &w.orgs.bpjs, &[&w.orgs.rumah_bumn], "2025-03-10"),
        )
        .await;
    let p = app.create_activity(&w.admin, planned(&w, None, None)).await;
    let ids = |v: &Value| -> Vec<String> { v["items"].as_array().unwrap().iter().map(id).collect() };
    let list = |q: &str| {
        let path = format!("/api/v1/activities{q}");
        let (app, token) = (&app, w.admin.clone());
        async move { app.read(&token, &path).await }
    };
    assert_eq!(ids(&expect(list("?kind=sosialisasi").await, 200).await), [id(&s)]);
    assert_eq!(ids(&expect(list("?status=planned").await, 200).await), [id(&p)]);
    assert_eq!(ids(&expect(list(&format!("?agreement_id={agreement}")).await, 200).await), [id(&m)]);
    assert_eq!(
        ids(&expect(list(&format!("?organization_id={}", w.orgs.rumah_bumn)).await, 200).await),
        [id(&s)]
    );
    assert_eq!(
        ids(&expect(list(&format!("?organization_id={}", w.orgs.bpjs)).await, 200).await),
        [id(&m), id(&s), id(&p)]
    );
    assert_eq!(ids(&expect(list("?scope=monev").await, 200).await), [id(&m)]);
    assert_eq!(ids(&expect(list("?from=2025-05-01&to=2025-05-31").await, 200).await), [id(&m)]);
    assert_eq!(ids(&expect(list("?to=2025-05-02").await, 200).await), [id(&m), id(&s)]);
    assert_eq!(ids(&expect(list("?cgr_component=trust").await, 200).await), [id(&m), id(&p)]);
    assert_eq!(ids(&expect(list("?q=PASAR").await, 200).await), [id(&s)]);
    assert_eq!(ids(&expect(list("?q=balai%20kota").await, 200).await), [id(&p)]);
    assert_problem(list("?status=done").await, 422).await;

    let first = expect(list("?limit=2").await, 200).await;
    assert_eq!(ids(&first), [id(&m), id(&s)]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = expect(list(&format!("?limit=2&cursor={cursor}")).await, 200).await;
    assert_eq!(ids(&second), [id(&p)]);
    assert_eq!(second["next_cursor"], Value::Null);
    let csv = app.read_as(&w.admin, "/api/v1/activities", "text/csv").await;
    assert!(csv.text().await.unwrap().starts_with("id,kind,title,"));
});

/// Every page of `query`, `limit` at a time, by cursor: the ids in the order the pages gave them.
async fn walk(app: &TestApp, token: &str, query: &str, limit: usize) -> Vec<String> {
    let (mut seen, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let page =
            expect(app.read(token, &format!("/api/v1/activities?{query}&limit={limit}{after}")).await, 200)
                .await;
        let items: Vec<String> = page["items"].as_array().unwrap().iter().map(id).collect();
        assert!(items.len() <= limit, "{query}: a page of {} for limit {limit}", items.len());
        seen.extend(items);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return seen,
        }
    }
}

// The organization filter is answered from two sides (organizer, participant) merged by id; every page
// size must give each activity once, in creation order, also with another filter on top.
backend_test!(an_organization_pages_through_what_it_organizes_and_joins, fixed, |app| async move {
    let w = World::new(&app).await;
    let (x, other, bpjs) = (w.orgs.rumah_bumn.as_str(), w.orgs.pemkot.as_str(), w.orgs.bpjs.as_str());
    let shapes: [(&str, &str, &[&str]); 9] = [
        ("sosialisasi", x, &[other]),
        ("sosialisasi", other, &[x]),
        ("sosialisasi", other, &[bpjs]),
        ("monev", x, &[x, other]),
        ("monev", other, &[x]),
        ("monev", x, &[]),
        ("pembinaan", bpjs, &[other]),
        ("sosialisasi", other, &[bpjs, x]),
        ("monev", bpjs, &[other, x]),
    ];
    let (mut all, mut monev) = (Vec::new(), Vec::new());
    for (i, (kind, organizer, participants)) in shapes.into_iter().enumerate() {
        let body =
            held(kind, &format!("Kegiatan {i}"), organizer, participants, &format!("2025-03-{:02}", i + 1));
        let created = id(&app.create_activity(&w.admin, body).await);
        if organizer == x || participants.contains(&x) {
            all.push(created.clone());
            if kind == "monev" {
                monev.push(created);
            }
        }
    }
    assert_eq!(all.len(), 7);
    for limit in [1, 2, 3, 7, 50] {
        assert_eq!(walk(&app, &w.admin, &format!("organization_id={x}"), limit).await, all, "limit {limit}");
        assert_eq!(
            walk(&app, &w.admin, &format!("organization_id={x}&kind=monev"), limit).await,
            monev,
            "monev, limit {limit}"
        );
    }
});

backend_test!(action_items_follow_a_held_activity, fixed, |app| async move {
    let w = World::new(&app).await;
    let bumn = w.token(&app, "bumn", "partner_staff", Some(&w.orgs.rumah_bumn)).await;
    let dinsos = w.token(&app, "dinsos", "opd_staff", Some(&w.orgs.dinsos)).await;
    let p = app.create_activity(&w.admin, planned(&w, None, None)).await;
    let item = json!({"description": "Kirim data P3KE", "owner_organization_id": w.orgs.dinsos, "due_on": "2025-07-01"});
    let items_of = |a: &Value| format!("/api/v1/activities/{}/action-items", id(a));
    assert_problem(send(&app, Method::POST, &items_of(&p), &w.admin, None, Some(item.clone())).await, 409)
        .await;

    let h = app
        .create_activity(
            &w.admin,
            held("coordination_meeting", "Rakor", &w.orgs.pemkot, &[&w.orgs.dinsos], "2025-06-01"),
        )
        .await;
    // Dinsos takes part: its staff may add follow-ups; Rumah BUMN does not.
    let res = send(&app, Method::POST, &items_of(&h), &dinsos, None, Some(item.clone())).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["status"], "open");
    assert_eq!(created["overdue"], false);
    assert_problem(send(&app, Method::POST, &items_of(&h), &bumn, None, Some(item.clone())).await, 403).await;
    let bad = json!({"description": "", "owner_organization_id": "0190a0a0-0000-7000-8000-000000000009"});
    let problem =
        assert_problem(send(&app, Method::POST, &items_of(&h), &w.admin, None, Some(bad)).await, 422).await;
    assert_eq!(problem_fields(&problem), ["description", "owner_organization_id"]);

    let listed = expect(app.read(&bumn, &items_of(&h)).await, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let path = format!("/api/v1/action-items/{}", id(&created));
    assert_problem(
        send(&app, Method::PATCH, &path, &bumn, Some("\"1\""), Some(json!({"status": "done"}))).await,
        403,
    )
    .await;
    assert_problem(
        send(&app, Method::PATCH, &path, &dinsos, None, Some(json!({"status": "done"}))).await,
        428,
    )
    .await;
    let overdue = expect(
        send(&app, Method::PATCH, &path, &dinsos, Some("\"1\""), Some(json!({"due_on": "2025-06-10"}))).await,
        200,
    )
    .await;
    assert_eq!(overdue["overdue"], true);
    let done = expect(
        send(&app, Method::PATCH, &path, &dinsos, Some(&etag(&overdue)), Some(json!({"status": "done"})))
            .await,
        200,
    )
    .await;
    assert_eq!(done["status"], "done");
    assert_eq!(done["overdue"], false);
    assert_eq!(done["version"], 3);
    assert_problem(
        send(&app, Method::PATCH, &path, &dinsos, Some("\"1\""), Some(json!({"status": "open"}))).await,
        412,
    )
    .await;
    let got = app.read(&bumn, &path).await;
    assert_eq!(got.headers()["etag"], "\"3\"");
    assert_eq!(app.audit_count("action_item"), 3);
});

backend_test!(activities_under_restricted_agreements_are_hidden_from_non_parties, fixed, |app| async move {
    let w = World::new(&app).await;
    let mut body = w.pemkot_bpjs("NK/R/1");
    body["confidentiality"] = json!("restricted");
    let agreement = id(&app.create_agreement(&w.admin, body).await);
    let mut meeting = held("monev", "Monev rahasia", &w.orgs.bpjs, &[], "2025-06-01");
    meeting["agreement_id"] = json!(agreement);
    let a = app.create_activity(&w.admin, meeting).await;
    let outsider = w.token(&app, "bumn", "partner_staff", Some(&w.orgs.rumah_bumn)).await;
    let party = w.token(&app, "dinsos", "opd_staff", Some(&w.orgs.dinsos)).await;
    let path = format!("/api/v1/activities/{}", id(&a));
    assert_problem(app.read(&outsider, &path).await, 404).await;
    let list = expect(app.read(&outsider, "/api/v1/activities").await, 200).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    expect(app.read(&party, &path).await, 200).await;
    // Naming it in a new activity is naming an unknown agreement.
    let mut linked = planned(&w, Some(&agreement), None);
    linked["participants"] = json!([{"organization_id": w.orgs.rumah_bumn}]);
    let problem = assert_problem(
        send(&app, Method::POST, "/api/v1/activities", &outsider, None, Some(linked)).await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&problem), ["agreement_id"]);
});

backend_test!(organizations_and_agreements_with_activities_are_kept, fixed, |app| async move {
    let w = World::new(&app).await;
    let draft = app.create_agreement(&w.admin, w.pemkot_bpjs("NK/D/1")).await;
    let mut body = planned(&w, Some(&id(&draft)), None);
    body["organizer_organization_id"] = json!(w.orgs.perisai);
    body["participants"] = json!([{"organization_id": w.orgs.inspektorat}]);
    let a = app.create_activity(&w.admin, body).await;
    for org in [&w.orgs.perisai, &w.orgs.inspektorat] {
        let path = format!("/api/v1/organizations/{org}");
        let problem =
            assert_problem(send(&app, Method::DELETE, &path, &w.admin, Some("\"1\""), None).await, 409).await;
        assert!(problem["detail"].as_str().unwrap().contains("activit"), "{problem}");
    }
    let path = format!("/api/v1/agreements/{}", id(&draft));
    let problem =
        assert_problem(send(&app, Method::DELETE, &path, &w.admin, Some(&etag(&draft)), None).await, 409)
            .await;
    assert!(problem["detail"].as_str().unwrap().contains("1 activities"), "{problem}");
    expect(
        send(&app, Method::DELETE, &format!("/api/v1/activities/{}", id(&a)), &w.admin, Some("\"1\""), None)
            .await,
        204,
    )
    .await;
    expect(send(&app, Method::DELETE, &path, &w.admin, Some(&etag(&draft)), None).await, 204).await;
});

backend_test!(creating_an_activity_is_safe_to_retry, fixed, |app| async move {
    let w = World::new(&app).await;
    let body = planned(&w, None, None);
    let post = |key: &str, body: Value| {
        let (app, token, key) = (&app, w.admin.clone(), key.to_string());
        async move {
            app.post("/api/v1/activities")
                .bearer_auth(&token)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let first = expect(post("rakor-1", body.clone()).await, 201).await;
    let res = post("rakor-1", body.clone()).await;
    assert_eq!(res.headers()["idempotency-replayed"], "true");
    assert_eq!(expect(res, 201).await["id"], first["id"]);
    let mut other = body.clone();
    other["title"] = json!("Rapat lain");
    assert_problem(post("rakor-1", other).await, 422).await;
    assert_eq!(app.count_rows("activities"), 1);
    assert_eq!(app.audit_count("activity"), 1);
    // Known paths answer 405 with Allow for other methods; no token is 401.
    let res = app.request(Method::PUT, "/api/v1/activities").bearer_auth(&w.admin).send().await.unwrap();
    assert_eq!(res.status(), 405);
    for path in ["/api/v1/activities", "/api/v1/outcomes", "/api/v1/coverage", "/api/v1/reports/follow-ups"] {
        assert_problem(app.get(path).send().await.unwrap(), 401).await;
    }
});

backend_test!(a_bad_activity_filter_is_a_422_naming_the_parameter, |app| async move {
    let token = app.admin_token().await;
    for (query, field) in [("kind=castle", "kind"), ("status=done", "status"), ("limit=500", "limit")] {
        let res = app.get(&format!("/api/v1/activities?{query}")).bearer_auth(&token).send().await.unwrap();
        let body = assert_problem(res, 422).await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
});

// The organization rule comes before the checks of the body: staff of an organization that is not
// involved learn nothing from a bad body (403, not 422), on create, change and action items alike.
backend_test!(
    an_uninvolved_organizations_bad_body_is_refused_before_it_is_checked,
    fixed,
    |app| async move {
        let w = World::new(&app).await;
        let bumn = w.token(&app, "bumn", "partner_staff", Some(&w.orgs.rumah_bumn)).await;
        // Organised by Pemkot with BPJS and Dinsos: Rumah BUMN is not involved. The fields are bad too.
        let mut bad = planned(&w, None, None);
        bad["title"] = json!("");
        bad["ends_at"] = json!("2025-06-19T00:00:00Z");
        bad["status"] = json!("cancelled");
        let post = "/api/v1/activities";
        assert_problem(send(&app, Method::POST, post, &bumn, None, Some(bad.clone())).await, 403).await;
        assert_problem(send(&app, Method::POST, post, &w.admin, None, Some(bad)).await, 422).await;
        // Without an organizer or participants the body names nobody Rumah BUMN acts for.
        let unnamed = Some(json!({"title": "x"}));
        assert_problem(send(&app, Method::POST, post, &bumn, None, unnamed).await, 403).await;

        let a = app.create_activity(&w.admin, planned(&w, None, None)).await;
        let path_a = format!("/api/v1/activities/{}", id(&a));
        let bad_patch = json!({"title": "", "people_reached": -1});
        assert_problem(patch(&app, &bumn, &path_a, "\"1\"", bad_patch.clone()).await, 403).await;
        // Rumah BUMN takes part in b: handing b over to others is refused before the bad title is seen.
        let mut joined = planned(&w, None, None);
        joined["participants"] = json!([{"organization_id": w.orgs.rumah_bumn}]);
        let b = app.create_activity(&w.admin, joined).await;
        let path_b = format!("/api/v1/activities/{}", id(&b));
        let handed_over = json!({"participants": [], "title": ""});
        assert_problem(patch(&app, &bumn, &path_b, "\"1\"", handed_over).await, 403).await;
        assert_problem(patch(&app, &bumn, &path_b, "\"1\"", json!({"title": ""})).await, 422).await;

        let h = app
            .create_activity(
                &w.admin,
                held("coordination_meeting", "Rakor", &w.orgs.pemkot, &[&w.orgs.dinsos], "2025-06-01"),
            )
            .await;
        let items = format!("/api/v1/activities/{}/action-items", id(&h));
        let bad_item =
            json!({"description": "", "owner_organization_id": "0190a0a0-0000-7000-8000-000000000009"});
        assert_problem(send(&app, Method::POST, &items, &bumn, None, Some(bad_item.clone())).await, 403)
            .await;
        assert_problem(send(&app, Method::POST, &items, &w.admin, None, Some(bad_item)).await, 422).await;
        let item = json!({"description": "Kirim data P3KE", "owner_organization_id": w.orgs.dinsos});
        let item = expect(send(&app, Method::POST, &items, &w.admin, None, Some(item)).await, 201).await;
        let item_path = format!("/api/v1/action-items/{}", id(&item));
        let bad_change = Some(json!({"description": ""}));
        assert_problem(send(&app, Method::PATCH, &item_path, &bumn, Some("\"1\""), bad_change).await, 403)
            .await;
        assert_eq!((app.count_rows("activities"), app.count_rows("action_items")), (3, 1));
        assert_eq!(app.audit_count("activity") + app.audit_count("action_item"), 4);
    }
);

// A role that may never log activities or record outcomes is refused before anything is loaded: a
// missing activity or outcome is 403 to it as well, not 404.
backend_test!(an_auditor_is_refused_before_the_record_is_looked_up, |app| async move {
    let w = World::new(&app).await;
    let auditor = w.token(&app, "inspektorat", "auditor", Some(&w.orgs.inspektorat)).await;
    let admin = &w.admin;
    let nowhere = "0190a0a0-0000-7000-8000-00000000000f";
    let activity = format!("/api/v1/activities/{nowhere}");
    assert_problem(send(&app, Method::DELETE, &activity, &auditor, Some("\"1\""), None).await, 403).await;
    assert_problem(send(&app, Method::DELETE, &activity, admin, Some("\"1\""), None).await, 404).await;
    let outcome = format!("/api/v1/outcomes/{nowhere}");
    assert_problem(send(&app, Method::DELETE, &outcome, &auditor, Some("\"1\""), None).await, 403).await;
    assert_problem(send(&app, Method::DELETE, &outcome, admin, Some("\"1\""), None).await, 404).await;
});

// A stored value the code does not know is an error, never quietly another value (or none).
backend_test!(an_unknown_stored_scope_or_unit_is_a_server_error, |app| async move {
    use diesel::RunQueryDsl;
    let w = World::new(&app).await;
    let a = app.create_activity(&w.admin, planned(&w, None, None)).await;
    let o = expect(
        send(
            &app,
            Method::POST,
            "/api/v1/outcomes",
            &w.admin,
            None,
            Some(json!({"kind": "enrolment", "title": "Iuran", "value": 3, "unit": "people",
                "period_start": "2024-01-01", "period_end": "2024-12-31", "organization_id": w.orgs.dinsos})),
        )
        .await,
        201,
    )
    .await;
    let mut conn = app.connection();
    // Each backend refuses the values through a CHECK constraint: switch it off (each statement fails
    // harmlessly on the other backend).
    for off in [
        "PRAGMA ignore_check_constraints = ON",
        "ALTER TABLE activities DROP CONSTRAINT activities_scope_check",
        "ALTER TABLE outcomes DROP CONSTRAINT outcomes_unit_check",
    ] {
        let _ = diesel::sql_query(off).execute(&mut conn);
    }
    let corrupt = [
        format!("UPDATE activities SET scope = 'astrology' WHERE id = '{}'", id(&a)),
        format!("UPDATE outcomes SET unit = 'furlongs' WHERE id = '{}'", id(&o)),
    ];
    for sql in corrupt {
        assert_eq!(diesel::sql_query(&sql).execute(&mut conn).unwrap(), 1, "{sql}");
    }
    for path in [
        format!("/api/v1/activities/{}", id(&a)),
        "/api/v1/activities".to_string(),
        format!("/api/v1/outcomes/{}", id(&o)),
        "/api/v1/outcomes".to_string(),
    ] {
        assert_problem(app.read(&w.admin, &path).await, 500).await;
    }
});
