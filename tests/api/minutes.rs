//! Attendance by person and the minutes' lifecycle: attendees listed, checked and removed while the
//! minutes are a draft; draft → final by the organizing organization's staff (or an administrator);
//! final → final is 409; once final the minutes, decisions, participants and attendees change only by
//! corrections (a correction of a draft is 409: a draft is simply edited); who may do each; every step
//! audited; a hidden activity's minutes answer 404.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, problem_fields};
use crate::support_agreements::{World, expect, id, send};
use crate::support_results::held;

async fn post(app: &TestApp, token: &str, path: &str, body: Option<Value>) -> reqwest::Response {
    send(app, Method::POST, path, token, None, body).await
}

/// A held meeting organised by Pemkot with BPJS and Dinsos taking part.
async fn meeting(app: &TestApp, w: &World) -> String {
    let o = &w.orgs;
    id(&app
        .create_activity(
            &w.admin,
            held("coordination_meeting", "Rakor", &o.pemkot, &[&o.bpjs, &o.dinsos], "2025-06-01"),
        )
        .await)
}

backend_test!(attendees_are_listed_by_person_checked_and_removed, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let activity = meeting(&app, &w).await;
    let list = format!("/api/v1/activities/{activity}/attendees");
    let budi = app.create_contact(&w.admin, &o.bpjs, "Budi Santoso").await;
    let sari = app.create_contact(&w.admin, &o.pemkot, "Sari").await;

    let body = json!({"name": "Budi Santoso", "position": "Kepala Bidang Kepesertaan", "organization_id": o.bpjs,
        "contact_id": budi});
    let res = post(&app, &w.admin, &list, Some(body)).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!(location, format!("{list}/{}", id(&created)));
    assert_eq!(
        (&created["name"], &created["position"], &created["organization_id"], &created["contact_id"]),
        (&json!("Budi Santoso"), &json!("Kepala Bidang Kepesertaan"), &json!(o.bpjs), &json!(budi))
    );
    assert_eq!(created["activity_id"], json!(activity));
    // The organizer's people attend too, without a contact; names with diacritics stay as written.
    let body = json!({"name": "Nurhayati Ş. Putri", "organization_id": o.pemkot});
    let second = expect(post(&app, &w.admin, &list, Some(body)).await, 201).await;
    let listed = expect(app.read(&w.admin, &list).await, 200).await;
    assert_eq!(listed, json!([created, second]));

    // Every invalid field in one 422, nothing written.
    let before = app.table_counts();
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (json!({}), vec!["name", "organization_id"]),
        (json!({"name": "", "organization_id": o.bpjs}), vec!["name"]),
        (
            json!({"name": "x".repeat(201), "position": "y".repeat(201), "organization_id": o.bpjs}),
            vec!["name", "position"],
        ),
        // Perisai neither organises nor takes part.
        (json!({"name": "Andi", "organization_id": o.perisai}), vec!["organization_id"]),
        (json!({"name": "Andi", "organization_id": sinergi::db::Id::new()}), vec!["organization_id"]),
        (
            json!({"name": "Andi", "organization_id": o.bpjs, "contact_id": sinergi::db::Id::new()}),
            vec!["contact_id"],
        ),
        // Sari is a contact of Pemkot, not of BPJS.
        (json!({"name": "Sari", "organization_id": o.bpjs, "contact_id": sari}), vec!["contact_id"]),
    ];
    for (body, fields) in cases {
        let problem = assert_problem(post(&app, &w.admin, &list, Some(body.clone())).await, 422).await;
        assert_eq!(problem_fields(&problem), fields, "{body}");
    }
    assert_eq!(app.table_counts(), before);

    // Removing: 204, then gone; the same id under another activity is 404.
    let other = meeting(&app, &w).await;
    let wrong = format!("/api/v1/activities/{other}/attendees/{}", id(&created));
    assert_problem(send(&app, Method::DELETE, &wrong, &w.admin, None, None).await, 404).await;
    let path = format!("{list}/{}", id(&created));
    expect(send(&app, Method::DELETE, &path, &w.admin, None, None).await, 204).await;
    assert_problem(send(&app, Method::DELETE, &path, &w.admin, None, None).await, 404).await;
    assert_eq!(expect(app.read(&w.admin, &list).await, 200).await, json!([second]));
    // Added twice and removed once, each with its audit event.
    assert_eq!(app.audit_count("activity_attendee"), 3);
    // A planned activity takes attendees too (the daftar hadir is printed before the meeting).
    let planned = json!({"kind": "coordination_meeting", "title": "Rakor", "organizer_organization_id": o.pemkot,
        "starts_at": "2025-06-20T02:00:00Z"});
    let planned = id(&app.create_activity(&w.admin, planned).await);
    let body = json!({"name": "Rina", "organization_id": o.pemkot});
    expect(post(&app, &w.admin, &format!("/api/v1/activities/{planned}/attendees"), Some(body)).await, 201)
        .await;
    // An organization with attendees on record cannot be deleted.
    let org = expect(app.read(&w.admin, &format!("/api/v1/organizations/{}", o.pemkot)).await, 200).await;
    let res = send(
        &app,
        Method::DELETE,
        &format!("/api/v1/organizations/{}", o.pemkot),
        &w.admin,
        Some(&crate::support_agreements::etag(&org)),
        None,
    )
    .await;
    let problem = assert_problem(res, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("activity attendees"), "{problem}");
});

backend_test!(finalised_minutes_change_only_by_corrections, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    // Not held: nothing to finalise; a draft is edited, not corrected.
    let planned = json!({"kind": "coordination_meeting", "title": "Rakor", "organizer_organization_id": o.pemkot,
        "starts_at": "2025-06-20T02:00:00Z"});
    let planned = id(&app.create_activity(&w.admin, planned).await);
    let res = post(&app, &w.admin, &format!("/api/v1/activities/{planned}/minutes/finalise"), None).await;
    assert_problem(res, 409).await;

    let activity = meeting(&app, &w).await;
    let path = format!("/api/v1/activities/{activity}");
    let minutes = format!("{path}/minutes");
    let attendees = format!("{path}/attendees");
    let kept = expect(
        post(&app, &w.admin, &attendees, Some(json!({"name": "Rina", "organization_id": o.dinsos}))).await,
        201,
    )
    .await;
    let correction = json!({"what": "Keputusan 1: tenggat menjadi 15 Juli 2025", "why": "Salah ketik"});
    let res = post(&app, &w.admin, &format!("{minutes}/corrections"), Some(correction.clone())).await;
    assert_problem(res, 409).await;
    let res = app.read(&w.admin, &minutes).await;
    assert_eq!(res.headers()["etag"], "\"1\"");
    let draft: Value = res.json().await.unwrap();
    assert_eq!(
        (&draft["status"], &draft["finalised_at"], &draft["corrections"]),
        (&json!("draft"), &Value::Null, &json!([]))
    );

    // draft → final.
    let events = app.audit_count("activity");
    let res = post(&app, &w.admin, &format!("{minutes}/finalise"), None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["status"], "final");
    assert!(done["finalised_at"].is_string() && done["finalised_by"].is_string(), "{done}");
    assert_eq!(expect(app.read(&w.admin, &minutes).await, 200).await, done);
    assert_eq!(app.audit_count("activity"), events + 1);
    let trail = expect(
        app.read(&w.admin, &format!("/api/v1/audit-events?entity_type=activity&entity_id={activity}")).await,
        200,
    )
    .await;
    let event = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "finalise_minutes")
        .expect("event")
        .clone();
    assert_eq!(event["after"]["attendees"][0]["name"], "Rina", "{event}");
    // final → final: 409.
    assert_problem(post(&app, &w.admin, &format!("{minutes}/finalise"), None).await, 409).await;

    // The record is frozen: minutes, decisions, participants (their counts) and attendees.
    let before = app.table_counts();
    for change in [
        json!({"minutes": "Diubah"}),
        json!({"decisions": ["Lain"]}),
        json!({"participants": [{"organization_id": o.bpjs, "attendees": 9}]}),
    ] {
        let res = send(&app, Method::PATCH, &path, &w.admin, Some("\"1\""), Some(change.clone())).await;
        assert_problem(res, 409).await;
    }
    assert_problem(
        post(&app, &w.admin, &attendees, Some(json!({"name": "Andi", "organization_id": o.bpjs}))).await,
        409,
    )
    .await;
    let one = format!("{attendees}/{}", id(&kept));
    assert_problem(send(&app, Method::DELETE, &one, &w.admin, None, None).await, 409).await;
    assert_eq!(app.table_counts(), before);
    // What is not the record still changes (the title, for one).
    let res = send(
        &app,
        Method::PATCH,
        &path,
        &w.admin,
        Some("\"1\""),
        Some(json!({"title": "Rakor pekerja rentan"})),
    )
    .await;
    assert_eq!(expect(res, 200).await["title"], "Rakor pekerja rentan");

    // Corrections: both fields required, then appended with who and when.
    let problem =
        assert_problem(post(&app, &w.admin, &format!("{minutes}/corrections"), Some(json!({}))).await, 422)
            .await;
    assert_eq!(problem_fields(&problem), ["what", "why"]);
    let problem = assert_problem(
        post(&app, &w.admin, &format!("{minutes}/corrections"), Some(json!({"what": "x", "why": ""}))).await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&problem), ["why"]);
    let res = post(&app, &w.admin, &format!("{minutes}/corrections"), Some(correction.clone())).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["location"], minutes.as_str());
    let made: Value = res.json().await.unwrap();
    assert_eq!((&made["what"], &made["why"]), (&correction["what"], &correction["why"]));
    assert!(made["created_at"].is_string() && made["created_by"].is_string(), "{made}");
    let res = app.read(&w.admin, &minutes).await;
    assert_eq!(res.headers()["etag"], "\"3\"");
    let now: Value = res.json().await.unwrap();
    assert_eq!((&now["status"], &now["corrections"]), (&json!("final"), &json!([made])));
    assert_eq!(app.audit_count("minutes_correction"), 1);
});

backend_test!(
    only_the_organizers_staff_finalise_and_correct_and_only_the_involved_list_attendees,
    fixed,
    |app| async move {
        let w = World::new(&app).await;
        let o = &w.orgs;
        // Disnakerin is under Pemkot, the organizer; BPJS takes part; Rumah BUMN has nothing to do with it.
        let opd = w.token(&app, "opd", "opd_staff", Some(&o.disnakerin)).await;
        let bpjs = w.token(&app, "bpjs", "bpjs_staff", Some(&o.bpjs)).await;
        let partner = w.token(&app, "partner", "partner_staff", Some(&o.rumah_bumn)).await;
        let auditor = w.token(&app, "auditor", "auditor", Some(&o.inspektorat)).await;
        let activity = meeting(&app, &w).await;
        let attendees = format!("/api/v1/activities/{activity}/attendees");
        let minutes = format!("/api/v1/activities/{activity}/minutes");
        let person = json!({"name": "Andi", "organization_id": o.bpjs});

        let before = app.table_counts();
        for token in [&partner, &auditor] {
            assert_problem(post(&app, token, &attendees, Some(person.clone())).await, 403).await;
        }
        // Refused before anything is read: the auditor learns nothing from a body it may never send.
        assert_problem(post(&app, &auditor, &attendees, Some(json!({}))).await, 403).await;
        for token in [&bpjs, &partner, &auditor] {
            assert_problem(post(&app, token, &format!("{minutes}/finalise"), None).await, 403).await;
        }
        assert_eq!(app.table_counts(), before);
        // Everyone may read.
        for token in [&bpjs, &partner, &auditor] {
            assert_eq!(expect(app.read(token, &attendees).await, 200).await, json!([]));
            assert_eq!(expect(app.read(token, &minutes).await, 200).await["status"], "draft");
        }
        // A participant lists attendees and removes them; the organizer's staff too.
        let a = expect(post(&app, &bpjs, &attendees, Some(person.clone())).await, 201).await;
        expect(post(&app, &opd, &attendees, Some(person.clone())).await, 201).await;
        let one = format!("{attendees}/{}", id(&a));
        assert_problem(send(&app, Method::DELETE, &one, &partner, None, None).await, 403).await;
        expect(send(&app, Method::DELETE, &one, &bpjs, None, None).await, 204).await;

        // The organizer's staff finalise.
        let done = expect(post(&app, &opd, &format!("{minutes}/finalise"), None).await, 200).await;
        assert_eq!(done["status"], "final");
        // Corrections: the organizer's staff and administrators; not a participant, outsider or auditor.
        let correction = json!({"what": "Nama peserta diralat", "why": "Salah eja"});
        let before = app.table_counts();
        for token in [&bpjs, &partner, &auditor] {
            assert_problem(
                post(&app, token, &format!("{minutes}/corrections"), Some(correction.clone())).await,
                403,
            )
            .await;
        }
        assert_eq!(app.table_counts(), before);
        expect(post(&app, &opd, &format!("{minutes}/corrections"), Some(correction.clone())).await, 201)
            .await;
        expect(post(&app, &w.admin, &format!("{minutes}/corrections"), Some(correction)).await, 201).await;
        let now = expect(app.read(&auditor, &minutes).await, 200).await;
        assert_eq!(now["corrections"].as_array().map(Vec::len), Some(2));
    }
);

backend_test!(
    a_hidden_activitys_attendance_and_minutes_are_404_like_a_missing_one,
    fixed,
    |app| async move {
        let w = World::new(&app).await;
        let o = &w.orgs;
        let (_, hidden) = w.restricted_monev(&app).await;
        let outsider = w.token(&app, "perisai", "opd_staff", Some(&o.perisai)).await;
        let missing = sinergi::db::Id::new().to_string();
        for activity in [&hidden, &missing] {
            let base = format!("/api/v1/activities/{activity}");
            assert_problem(app.read(&outsider, &format!("{base}/attendees")).await, 404).await;
            assert_problem(app.read(&outsider, &format!("{base}/minutes")).await, 404).await;
            let person = json!({"name": "Andi", "organization_id": o.perisai});
            assert_problem(post(&app, &outsider, &format!("{base}/attendees"), Some(person)).await, 404)
                .await;
            assert_problem(post(&app, &outsider, &format!("{base}/minutes/finalise"), None).await, 404).await;
            let correction = json!({"what": "x", "why": "y"});
            assert_problem(
                post(&app, &outsider, &format!("{base}/minutes/corrections"), Some(correction)).await,
                404,
            )
            .await;
        }
    }
);
