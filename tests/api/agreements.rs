//! `/agreements`: drafting, validation, the lifecycle (activate, terminate, derived expiry), amendments,
//! filters, who may write, restricted visibility, and the report.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, problem_fields};
use crate::support_agreements::{TODAY, World, etag, expect, id, send};

/// The numbers of the agreements a list query answers (`-` for none).
async fn numbers(app: &TestApp, token: String, query: String) -> Vec<String> {
    let body = expect(app.read(&token, &format!("/api/v1/agreements?{query}")).await, 200).await;
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["number"].as_str().unwrap_or("-").to_string())
        .collect()
}

backend_test!(a_party_drafts_an_agreement_and_reads_it_back, fixed, |app| async move {
    let w = World::new(&app).await;
    let staff = w.token(&app, "bpjs.staff", "bpjs_staff", Some(&w.orgs.bpjs)).await;
    let res = send(
        &app,
        Method::POST,
        "/api/v1/agreements",
        &staff,
        None,
        Some(w.pemkot_bpjs("130.60/NK/BKS-PDG/2021")),
    )
    .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/agreements/{}", id(&created)));
    assert_eq!(created["status"], "draft");
    assert_eq!(created["confidentiality"], "internal");
    assert_eq!(created["number"], "130.60/NK/BKS-PDG/2021");
    assert_eq!(created["kind"], "nota_kesepakatan");
    assert_eq!(created["scopes"], json!(["regulation", "budget", "sosialisasi", "pembinaan", "monev"]));
    assert_eq!(created["parties"][0]["organization_id"], w.orgs.pemkot.as_str());
    assert_eq!(created["parties"][0]["role"], "first_party");
    assert_eq!(created["parties"][0]["signatory_position"], "Wali Kota Padang");
    assert_eq!(created["parties"][1]["organization_name"], "BPJS Ketenagakerjaan Kantor Cabang Padang");
    assert_eq!(created["version"], 1);
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));

    let res = app.read(&staff, &location).await;
    assert_eq!(res.headers()["etag"], "\"1\"");
    let read: Value = res.json().await.unwrap();
    assert_eq!(read, created);

    let events = app.audit_rows();
    let last = events.last().unwrap();
    assert_eq!((last.action.as_str(), last.entity_type.as_str()), ("create", "agreement"));
    assert_eq!(last.entity_id.as_deref(), Some(id(&created).as_str()));
});

backend_test!(invalid_agreements_are_refused_with_every_field_named, fixed, |app| async move {
    let w = World::new(&app).await;
    let body = json!({
        "title": "   ",
        "kind": "nota_kesepakatan",
        "effective_from": "2025-01-01",
        "effective_until": "2024-12-31",
        "parties": [
            {"organization_id": w.orgs.pemkot, "role": "first_party"},
            {"organization_id": w.orgs.pemkot, "role": "second_party"},
        ],
    });
    let res = send(&app, Method::POST, "/api/v1/agreements", &w.admin, None, Some(body)).await;
    let problem = assert_problem(res, 422).await;
    let f = problem_fields(&problem);
    assert!(f.contains(&"title".to_string()), "{problem}");
    assert!(f.contains(&"effective_until".to_string()), "{problem}");
    assert!(f.contains(&"parties[1].organization_id".to_string()), "{problem}");

    // An organization that does not exist.
    let body = json!({"title": "X", "kind": "other", "parties": [
        {"organization_id": "0190a000-0000-7000-8000-000000000000", "role": "party"}]});
    let problem =
        assert_problem(send(&app, Method::POST, "/api/v1/agreements", &w.admin, None, Some(body)).await, 422)
            .await;
    assert_eq!(problem_fields(&problem), vec!["parties[0].organization_id"]);

    // Unknown enumeration values are 422, unknown fields 400.
    let body = json!({"title": "X", "kind": "treaty"});
    assert_problem(send(&app, Method::POST, "/api/v1/agreements", &w.admin, None, Some(body)).await, 422)
        .await;
    let body = json!({"title": "X", "kind": "other", "scopes": ["everything"]});
    assert_problem(send(&app, Method::POST, "/api/v1/agreements", &w.admin, None, Some(body)).await, 422)
        .await;
    let body = json!({"title": "X", "kind": "other", "status": "active"});
    assert_problem(send(&app, Method::POST, "/api/v1/agreements", &w.admin, None, Some(body)).await, 400)
        .await;
    let body = json!({"title": "X", "kind": "other", "confidentiality": "secret"});
    assert_problem(send(&app, Method::POST, "/api/v1/agreements", &w.admin, None, Some(body)).await, 422)
        .await;

    // Nothing was written.
    let list: Value = app.read(&w.admin, "/api/v1/agreements").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
});

backend_test!(agreement_numbers_are_unique, fixed, |app| async move {
    let w = World::new(&app).await;
    app.create_agreement(&w.admin, w.pemkot_bpjs("NK/1/2021")).await;
    let res =
        send(&app, Method::POST, "/api/v1/agreements", &w.admin, None, Some(w.pemkot_bpjs("NK/1/2021")))
            .await;
    let problem = assert_problem(res, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("NK/1/2021"));

    let other = app.create_agreement(&w.admin, w.pemkot_bpjs("NK/2/2021")).await;
    let path = format!("/api/v1/agreements/{}", id(&other));
    let res =
        send(&app, Method::PATCH, &path, &w.admin, Some(&etag(&other)), Some(json!({"number": "NK/1/2021"})))
            .await;
    assert_problem(res, 409).await;
    // Drafts without a number do not collide.
    app.create_agreement(&w.admin, json!({"title": "A", "kind": "other"})).await;
    app.create_agreement(&w.admin, json!({"title": "B", "kind": "other"})).await;
});

backend_test!(activation_lists_every_missing_requirement, fixed, |app| async move {
    let w = World::new(&app).await;
    let draft = app
        .create_agreement(
            &w.admin,
            json!({"title": "Draf", "kind": "perjanjian_kerja_sama", "parties": [
            {"organization_id": w.orgs.bpjs, "role": "first_party"},
            {"organization_id": w.orgs.pemkot, "role": "witness"}]}),
        )
        .await;
    let path = format!("/api/v1/agreements/{}/activate", id(&draft));
    let problem = assert_problem(send(&app, Method::POST, &path, &w.admin, None, None).await, 409).await;
    let mut f = problem_fields(&problem);
    f.sort();
    assert_eq!(f, vec!["effective_from", "number", "parties", "signed_on"]);
    let read: Value =
        app.read(&w.admin, &format!("/api/v1/agreements/{}", id(&draft))).await.json().await.unwrap();
    assert_eq!(read["status"], "draft");
    assert_eq!(read["version"], 1);

    // Filled in, it activates; a stale If-Match is refused first.
    let patch = json!({"number": "PKS/9/2025", "signed_on": "2025-06-01", "effective_from": "2025-06-01",
        "parties": [{"organization_id": w.orgs.bpjs, "role": "first_party"},
                    {"organization_id": w.orgs.rumah_bumn, "role": "second_party"}]});
    let patched = expect(
        send(
            &app,
            Method::PATCH,
            &format!("/api/v1/agreements/{}", id(&draft)),
            &w.admin,
            Some("\"1\""),
            Some(patch),
        )
        .await,
        200,
    )
    .await;
    assert_problem(send(&app, Method::POST, &path, &w.admin, Some("\"1\""), None).await, 412).await;
    let active =
        expect(send(&app, Method::POST, &path, &w.admin, Some(&etag(&patched)), None).await, 200).await;
    assert_eq!(active["status"], "active");
    assert_eq!(active["version"], 3);
    // Activating twice is refused.
    assert_problem(send(&app, Method::POST, &path, &w.admin, None, None).await, 409).await;
    let last = app.audit_rows().pop().unwrap();
    assert_eq!(last.action, "activate");
});

backend_test!(termination_needs_an_active_agreement_a_date_and_a_reason, fixed, |app| async move {
    let w = World::new(&app).await;
    let draft = app.create_agreement(&w.admin, w.pemkot_bpjs("NK/T/1")).await;
    let terminate = |id: String| format!("/api/v1/agreements/{id}/terminate");
    let body = json!({"terminated_on": "2025-06-01", "termination_reason": "Diganti perjanjian baru"});
    // A draft cannot be terminated.
    assert_problem(
        send(&app, Method::POST, &terminate(id(&draft)), &w.admin, None, Some(body.clone())).await,
        409,
    )
    .await;

    let active = app.active_agreement(&w, "NK/T/2").await;
    let path = terminate(id(&active));
    let problem = assert_problem(
        send(
            &app,
            Method::POST,
            &path,
            &w.admin,
            None,
            Some(json!({"terminated_on": "2020-01-01", "termination_reason": " "})),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&problem), ["terminated_on", "termination_reason"]);
    // Each missing field is named, in both languages.
    let res = app
        .post(&path)
        .bearer_auth(&w.admin)
        .header("Accept-Language", "id")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["terminated_on"], "serde stops at the first missing field");
    assert_eq!(problem["errors"][0]["message"], "wajib diisi");
    let problem = assert_problem(
        send(&app, Method::POST, &path, &w.admin, None, Some(json!({"terminated_on": "2025-06-01"}))).await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&problem), ["termination_reason"]);
    assert_eq!(problem["errors"][0]["message"], "is required");

    let done = expect(send(&app, Method::POST, &path, &w.admin, None, Some(body.clone())).await, 200).await;
    assert_eq!(done["status"], "terminated");
    assert_eq!(done["terminated_on"], "2025-06-01");
    assert_eq!(done["termination_reason"], "Diganti perjanjian baru");
    // Terminated is final: no second termination, no edit, no amendment, no deletion.
    assert_problem(send(&app, Method::POST, &path, &w.admin, None, Some(body)).await, 409).await;
    let agreement = format!("/api/v1/agreements/{}", id(&active));
    assert_problem(
        send(&app, Method::PATCH, &agreement, &w.admin, Some(&etag(&done)), Some(json!({"title": "Baru"})))
            .await,
        409,
    )
    .await;
    assert_problem(send(&app, Method::DELETE, &agreement, &w.admin, Some(&etag(&done)), None).await, 409)
        .await;
    let amendment = json!({"number": "ADD/1", "signed_on": "2025-06-10", "summary": "x",
        "changes": {"effective_until": "2027-01-01"}});
    assert_problem(
        send(&app, Method::POST, &format!("{agreement}/amendments"), &w.admin, None, Some(amendment)).await,
        409,
    )
    .await;
    assert_problem(
        send(&app, Method::POST, &format!("{agreement}/activate"), &w.admin, None, None).await,
        409,
    )
    .await;
});

backend_test!(expired_is_derived_from_the_clock_and_can_still_be_terminated, fixed, |app| async move {
    let w = World::new(&app).await;
    let mut body = w.pemkot_bpjs("NK/E/1");
    body["effective_until"] = json!("2025-06-14"); // yesterday
    let a = app.create_agreement(&w.admin, body).await;
    let a_active = expect(
        send(&app, Method::POST, &format!("/api/v1/agreements/{}/activate", id(&a)), &w.admin, None, None)
            .await,
        200,
    )
    .await;
    assert_eq!(a_active["status"], "expired");
    let mut body = w.pemkot_bpjs("NK/E/2");
    body["effective_until"] = json!(TODAY); // ends today: still in force
    let b = app.create_agreement(&w.admin, body).await;
    let b_active = expect(
        send(&app, Method::POST, &format!("/api/v1/agreements/{}/activate", id(&b)), &w.admin, None, None)
            .await,
        200,
    )
    .await;
    assert_eq!(b_active["status"], "active");

    let ids = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["number"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let expired: Value = app.read(&w.admin, "/api/v1/agreements?status=expired").await.json().await.unwrap();
    assert_eq!(ids(&expired), vec!["NK/E/1"]);
    assert_eq!(expired["items"][0]["status"], "expired");
    let active: Value = app.read(&w.admin, "/api/v1/agreements?status=active").await.json().await.unwrap();
    assert_eq!(ids(&active), vec!["NK/E/2"]);
    // Nothing stale is stored: the row still says active.
    use diesel::{QueryDsl, RunQueryDsl};
    use sinergi::db::schema::agreements;
    let stored: Vec<String> =
        agreements::table.select(agreements::status).load(&mut app.connection()).unwrap();
    assert_eq!(stored, vec!["active", "active"]);

    // An expired agreement can be terminated.
    let done = expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/agreements/{}/terminate", id(&a)),
            &w.admin,
            None,
            Some(json!({"terminated_on": "2025-06-14", "termination_reason": "Masa berlaku habis"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(done["status"], "terminated");
});

backend_test!(only_drafts_are_deleted, fixed, |app| async move {
    let w = World::new(&app).await;
    let draft = app.create_agreement(&w.admin, w.pemkot_bpjs("NK/D/1")).await;
    let path = format!("/api/v1/agreements/{}", id(&draft));
    assert_problem(send(&app, Method::DELETE, &path, &w.admin, None, None).await, 428).await;
    assert_problem(send(&app, Method::DELETE, &path, &w.admin, Some("\"7\""), None).await, 412).await;
    expect(send(&app, Method::DELETE, &path, &w.admin, Some("\"1\""), None).await, 204).await;
    assert_problem(app.read(&w.admin, &path).await, 404).await;
    let last = app.audit_rows().pop().unwrap();
    assert_eq!(last.action, "delete");
    assert!(last.before_state.unwrap().contains("NK/D/1"));

    let active = app.active_agreement(&w, "NK/D/2").await;
    let path = format!("/api/v1/agreements/{}", id(&active));
    let problem =
        assert_problem(send(&app, Method::DELETE, &path, &w.admin, Some(&etag(&active)), None).await, 409)
            .await;
    assert!(problem["detail"].as_str().unwrap().contains("draft"));
    expect(app.read(&w.admin, &path).await, 200).await;
});

backend_test!(
    an_active_agreement_changes_parties_scopes_and_period_only_by_amendment,
    fixed,
    |app| async move {
        let w = World::new(&app).await;
        let active = app.active_agreement(&w, "NK/P/1").await;
        let path = format!("/api/v1/agreements/{}", id(&active));
        let tag = etag(&active);
        for patch in [
            json!({"effective_until": "2030-01-01"}),
            json!({"effective_from": "2021-01-01"}),
            json!({"scopes": ["monev"]}),
            json!({"parties": [{"organization_id": w.orgs.bpjs, "role": "first_party"},
                           {"organization_id": w.orgs.rumah_bumn, "role": "second_party"}]}),
        ] {
            let problem = assert_problem(
                send(&app, Method::PATCH, &path, &w.admin, Some(&tag), Some(patch)).await,
                409,
            )
            .await;
            assert!(problem["detail"].as_str().unwrap().contains("amendment"), "{problem}");
        }
        // Clearing the number or the signing date of an active agreement is invalid.
        let problem = assert_problem(
            send(&app, Method::PATCH, &path, &w.admin, Some(&tag), Some(json!({"number": null}))).await,
            422,
        )
        .await;
        assert_eq!(problem_fields(&problem), vec!["number"]);
        // Other fields may change, and sending the unchanged scopes is not a change.
        let patched = expect(
            send(
                &app,
                Method::PATCH,
                &path,
                &w.admin,
                Some(&tag),
                Some(json!({"title": "Judul baru", "summary": null, "confidentiality": "restricted",
                        "scopes": ["monev", "pembinaan", "sosialisasi", "budget", "regulation"]})),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(patched["title"], "Judul baru");
        assert_eq!(patched["summary"], Value::Null);
        assert_eq!(patched["confidentiality"], "restricted");
        assert_eq!(patched["version"], active["version"].as_i64().unwrap() + 1);
        // A stale If-Match and a missing one.
        assert_problem(
            send(&app, Method::PATCH, &path, &w.admin, Some(&tag), Some(json!({"title": "x"}))).await,
            412,
        )
        .await;
        assert_problem(
            send(&app, Method::PATCH, &path, &w.admin, None, Some(json!({"title": "x"}))).await,
            428,
        )
        .await;
    }
);

backend_test!(an_amendment_extends_the_period_and_adds_a_party_atomically, fixed, |app| async move {
    let w = World::new(&app).await;
    let active = app.active_agreement(&w, "NK/A/1").await;
    let base = format!("/api/v1/agreements/{}", id(&active));
    // A draft is edited directly, not amended.
    let draft = app.create_agreement(&w.admin, w.pemkot_bpjs("NK/A/2")).await;
    let amendment = json!({
        "number": "ADD-1/NK/A/1", "signed_on": "2025-05-01", "summary": "Perpanjangan dan penambahan pihak",
        "changes": {
            "effective_until": "2028-03-01",
            "scopes_added": ["enrolment"],
            "scopes_removed": ["budget"],
            "parties_added": [{"organization_id": w.orgs.rumah_bumn, "role": "party", "signatory_name": "Ketua"}],
        }
    });
    assert_problem(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/agreements/{}/amendments", id(&draft)),
            &w.admin,
            None,
            Some(amendment.clone()),
        )
        .await,
        409,
    )
    .await;

    let res =
        send(&app, Method::POST, &format!("{base}/amendments"), &w.admin, None, Some(amendment.clone()))
            .await;
    assert_eq!(res.status(), 201);
    let kept: Value = res.json().await.unwrap();
    assert_eq!(kept["number"], "ADD-1/NK/A/1");
    assert_eq!(kept["changes"]["effective_until"], "2028-03-01");
    assert_eq!(kept["changes"]["parties_added"][0]["organization_id"], w.orgs.rumah_bumn.as_str());

    let after: Value = app.read(&w.admin, &base).await.json().await.unwrap();
    assert_eq!(after["effective_until"], "2028-03-01");
    assert_eq!(after["scopes"], json!(["regulation", "sosialisasi", "pembinaan", "monev", "enrolment"]));
    assert_eq!(after["parties"].as_array().unwrap().len(), 3);
    assert_eq!(after["parties"][2]["organization_id"], w.orgs.rumah_bumn.as_str());
    assert_eq!(after["version"], active["version"].as_i64().unwrap() + 1);
    assert_eq!(after["status"], "active");

    // The same number again: 409. Invalid changes: 422, and nothing applied.
    assert_problem(
        send(&app, Method::POST, &format!("{base}/amendments"), &w.admin, None, Some(amendment)).await,
        409,
    )
    .await;
    let bad = json!({"number": "ADD-2", "signed_on": "2025-06-01", "summary": "Salah",
        "changes": {"effective_until": "2029-01-01", "scopes_removed": ["data_sharing"],
                    "parties_removed": [w.orgs.dinsos], "parties_added": [{"organization_id": w.orgs.bpjs, "role": "party"}]}});
    let problem = assert_problem(
        send(&app, Method::POST, &format!("{base}/amendments"), &w.admin, None, Some(bad)).await,
        422,
    )
    .await;
    let mut f = problem_fields(&problem);
    f.sort();
    assert_eq!(
        f,
        vec![
            "changes.parties_added[0].organization_id",
            "changes.parties_removed[0]",
            "changes.scopes_removed[0]"
        ]
    );
    let empty = json!({"number": "ADD-3", "signed_on": "2025-06-01", "summary": "Kosong", "changes": {}});
    assert_problem(
        send(&app, Method::POST, &format!("{base}/amendments"), &w.admin, None, Some(empty)).await,
        422,
    )
    .await;
    let before_signing = json!({"number": "ADD-4", "signed_on": "2020-01-01", "summary": "x", "changes": {"effective_until": "2029-01-01"}});
    assert_problem(
        send(&app, Method::POST, &format!("{base}/amendments"), &w.admin, None, Some(before_signing)).await,
        422,
    )
    .await;
    // Leaving fewer than two parties.
    let too_few = json!({"number": "ADD-5", "signed_on": "2025-06-01", "summary": "x",
        "changes": {"parties_removed": [w.orgs.bpjs, w.orgs.rumah_bumn]}});
    assert_problem(
        send(&app, Method::POST, &format!("{base}/amendments"), &w.admin, None, Some(too_few)).await,
        422,
    )
    .await;
    let unchanged: Value = app.read(&w.admin, &base).await.json().await.unwrap();
    assert_eq!(unchanged, after);

    // A second amendment shortens the period and removes the party again; the list keeps both in order.
    let second = json!({"number": "ADD-6", "signed_on": "2025-06-10", "summary": "Pengurangan",
        "changes": {"effective_until": null, "parties_removed": [w.orgs.rumah_bumn]}});
    expect(send(&app, Method::POST, &format!("{base}/amendments"), &w.admin, None, Some(second)).await, 201)
        .await;
    let list: Value = app.read(&w.admin, &format!("{base}/amendments")).await.json().await.unwrap();
    let numbers: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|a| a["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, vec!["ADD-1/NK/A/1", "ADD-6"]);
    let last: Value = app.read(&w.admin, &base).await.json().await.unwrap();
    assert_eq!(last["effective_until"], Value::Null);
    assert_eq!(last["parties"].as_array().unwrap().len(), 2);
    let event = app.audit_rows().pop().unwrap();
    assert_eq!((event.action.as_str(), event.entity_type.as_str()), ("amend", "agreement"));
    assert!(event.after_state.unwrap().contains("ADD-6"));
});

backend_test!(the_list_filters_by_status_kind_party_scope_dates_and_text, fixed, |app| async move {
    let w = World::new(&app).await;
    let a = app.active_agreement(&w, "130.60/NK/BKS-PDG/2021").await; // until 2026-03-01
    let mut mou = w.pemkot_bpjs("MOU/BUMN/2024");
    mou["kind"] = json!("nota_kesepahaman");
    mou["title"] = json!("Kepesertaan pelaku usaha binaan Rumah BUMN");
    mou["signed_on"] = json!("2024-08-24");
    mou["effective_from"] = json!("2024-08-24");
    mou["effective_until"] = json!("2025-07-01");
    mou["scopes"] = json!(["enrolment"]);
    mou["parties"] = json!([{"organization_id": w.orgs.bpjs, "role": "first_party"},
                            {"organization_id": w.orgs.rumah_bumn, "role": "second_party"}]);
    let b = app.create_agreement(&w.admin, mou).await;
    expect(
        send(&app, Method::POST, &format!("/api/v1/agreements/{}/activate", id(&b)), &w.admin, None, None)
            .await,
        200,
    )
    .await;
    app.create_agreement(&w.admin, json!({"title": "Draf 100% baru", "kind": "other"})).await;

    let numbers = |query: String| numbers(&app, w.admin.clone(), query);
    assert_eq!(numbers("status=draft".to_string()).await, vec!["-"]);
    assert_eq!(numbers("kind=nota_kesepahaman".to_string()).await, vec!["MOU/BUMN/2024"]);
    assert_eq!(numbers(format!("party={}", w.orgs.rumah_bumn)).await, vec!["MOU/BUMN/2024"]);
    assert_eq!(numbers(format!("party={}", w.orgs.pemkot)).await, vec![a["number"].as_str().unwrap()]);
    assert_eq!(numbers("scope=budget".to_string()).await, vec!["130.60/NK/BKS-PDG/2021"]);
    assert_eq!(numbers("expiring_within_days=30".to_string()).await, vec!["MOU/BUMN/2024"]);
    assert_eq!(
        numbers("expiring_within_days=365".to_string()).await,
        vec!["130.60/NK/BKS-PDG/2021", "MOU/BUMN/2024"]
    );
    assert_eq!(numbers("signed_from=2024-01-01".to_string()).await, vec!["MOU/BUMN/2024"]);
    assert_eq!(numbers("signed_to=2021-12-31".to_string()).await, vec!["130.60/NK/BKS-PDG/2021"]);
    assert_eq!(numbers("q=rumah%20bumn".to_string()).await, vec!["MOU/BUMN/2024"]);
    assert_eq!(numbers("q=bks-pdg".to_string()).await, vec!["130.60/NK/BKS-PDG/2021"]);
    assert_eq!(numbers("q=100%25".to_string()).await, vec!["-"]);
    assert_eq!(numbers("q=_".to_string()).await, Vec::<String>::new());
    for (query, field) in [
        ("status=lapsed", "status"),
        ("expiring_within_days=-1", "expiring_within_days"),
        ("signed_from=yesterday", "signed_from"),
        ("party=nobody", "party"),
    ] {
        let problem =
            assert_problem(app.read(&w.admin, &format!("/api/v1/agreements?{query}")).await, 422).await;
        assert_eq!(problem_fields(&problem), vec![field], "{query}");
    }

    // Paging by cursor.
    let page: Value = app.read(&w.admin, "/api/v1/agreements?limit=2").await.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .read(&w.admin, &format!("/api/v1/agreements?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);
});

backend_test!(only_users_of_a_party_or_admin_write_agreements, fixed, |app| async move {
    let w = World::new(&app).await;
    let outsider = w.token(&app, "bpjs.bukittinggi", "bpjs_staff", Some(&w.orgs.bpjs_other)).await;
    let opd = w.token(&app, "disnakerin.staff", "opd_staff", Some(&w.orgs.disnakerin)).await;
    let partner = w.token(&app, "bumn.staff", "partner_staff", Some(&w.orgs.rumah_bumn)).await;
    let auditor = w.token(&app, "inspektorat", "auditor", Some(&w.orgs.inspektorat)).await;

    // Creating: partner staff and auditors never; staff only with their organization among the parties.
    for token in [&partner, &auditor, &outsider] {
        assert_problem(
            send(&app, Method::POST, "/api/v1/agreements", token, None, Some(w.pemkot_bpjs("NK/X"))).await,
            403,
        )
        .await;
    }
    // Disnakerin staff act for Pemkot, which is a party.
    let draft = app.create_agreement(&opd, w.pemkot_bpjs("NK/Y")).await;
    let path = format!("/api/v1/agreements/{}", id(&draft));

    // Another branch's staff may read (internal) but not edit, activate, amend, terminate or delete.
    let before = expect(app.read(&outsider, &path).await, 200).await;
    assert_problem(
        send(&app, Method::PATCH, &path, &outsider, Some("\"1\""), Some(json!({"title": "Diambil alih"})))
            .await,
        403,
    )
    .await;
    assert_problem(send(&app, Method::DELETE, &path, &outsider, Some("\"1\""), None).await, 403).await;
    assert_problem(send(&app, Method::POST, &format!("{path}/activate"), &outsider, None, None).await, 403)
        .await;
    assert_problem(
        send(&app, Method::PATCH, &path, &partner, Some("\"1\""), Some(json!({"title": "x"}))).await,
        403,
    )
    .await;
    assert_problem(
        send(&app, Method::PATCH, &path, &auditor, Some("\"1\""), Some(json!({"title": "x"}))).await,
        403,
    )
    .await;
    let after = expect(app.read(&w.admin, &path).await, 200).await;
    assert_eq!(after, before, "a refused write changed nothing");

    // A party's staff may not hand the agreement to parties it does not act for.
    let elsewhere = json!({"parties": [{"organization_id": w.orgs.bpjs_other, "role": "first_party"},
                                       {"organization_id": w.orgs.rumah_bumn, "role": "second_party"}]});
    assert_problem(send(&app, Method::PATCH, &path, &opd, Some("\"1\""), Some(elsewhere)).await, 403).await;

    // The party's staff and the admin may.
    let patched = expect(
        send(&app, Method::PATCH, &path, &opd, Some("\"1\""), Some(json!({"title": "Judul"}))).await,
        200,
    )
    .await;
    let active =
        expect(send(&app, Method::POST, &format!("{path}/activate"), &opd, None, None).await, 200).await;
    assert_eq!(active["status"], "active");
    let amendment = json!({"number": "ADD-1", "signed_on": "2025-06-01", "summary": "x", "changes": {"effective_until": "2027-01-01"}});
    assert_problem(
        send(&app, Method::POST, &format!("{path}/amendments"), &outsider, None, Some(amendment.clone()))
            .await,
        403,
    )
    .await;
    assert_problem(
        send(&app, Method::POST, &format!("{path}/amendments"), &partner, None, Some(amendment.clone()))
            .await,
        403,
    )
    .await;
    expect(send(&app, Method::POST, &format!("{path}/amendments"), &opd, None, Some(amendment)).await, 201)
        .await;
    let stop = json!({"terminated_on": "2025-06-15", "termination_reason": "Selesai"});
    assert_problem(
        send(&app, Method::POST, &format!("{path}/terminate"), &outsider, None, Some(stop.clone())).await,
        403,
    )
    .await;
    assert_problem(
        send(&app, Method::POST, &format!("{path}/terminate"), &auditor, None, Some(stop.clone())).await,
        403,
    )
    .await;
    expect(send(&app, Method::POST, &format!("{path}/terminate"), &w.admin, None, Some(stop)).await, 200)
        .await;
    assert_eq!(patched["title"], "Judul");

    // Every write was audited, with the actor.
    let events = app.audit_rows();
    let actions: Vec<(&str, Option<&str>)> = events
        .iter()
        .filter(|e| e.entity_type == "agreement")
        .map(|e| (e.action.as_str(), e.actor_username.as_deref()))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("create", Some("disnakerin.staff")),
            ("update", Some("disnakerin.staff")),
            ("activate", Some("disnakerin.staff")),
            ("amend", Some("disnakerin.staff")),
            ("terminate", Some("admin")),
        ]
    );
});

backend_test!(restricted_agreements_are_invisible_to_non_parties, fixed, |app| async move {
    let w = World::new(&app).await;
    let outsider = w.token(&app, "bpjs.bukittinggi", "bpjs_staff", Some(&w.orgs.bpjs_other)).await;
    let partner = w.token(&app, "bumn.staff", "partner_staff", Some(&w.orgs.rumah_bumn)).await;
    let dinsos = w.token(&app, "dinsos.staff", "opd_staff", Some(&w.orgs.dinsos)).await;
    let auditor = w.token(&app, "inspektorat", "auditor", Some(&w.orgs.inspektorat)).await;
    let mut body = w.pemkot_bpjs("NK/R/1");
    body["confidentiality"] = json!("restricted");
    let secret = app.create_agreement(&w.admin, body).await;
    let public = app.active_agreement(&w, "NK/R/2").await;
    let path = format!("/api/v1/agreements/{}", id(&secret));
    expect(send(&app, Method::POST, &format!("{path}/activate"), &w.admin, None, None).await, 200).await;
    let commitment = app
        .create_commitment(
            &w.admin,
            &id(&secret),
            json!({"title": "Rahasia", "responsible_organization_id": w.orgs.dinsos}),
        )
        .await;

    let listed = |token: String| numbers(&app, token, String::new());
    for token in [&outsider, &partner] {
        assert_eq!(listed(token.clone()).await, vec!["NK/R/2"]);
        for p in [
            path.clone(),
            format!("{path}/report"),
            format!("{path}/amendments"),
            format!("{path}/commitments"),
            format!("/api/v1/commitments/{}", id(&commitment)),
            format!("/api/v1/commitments/{}/updates", id(&commitment)),
        ] {
            assert_problem(app.read(token, &p).await, 404).await;
        }
        // Writes answer 404 too: the agreement does not exist for them. A role that may never edit an
        // agreement (partner staff) is refused before anything is looked up: 403, as for any agreement.
        let refused = if token == &partner { 403 } else { 404 };
        assert_problem(
            send(&app, Method::PATCH, &path, token, Some("\"2\""), Some(json!({"title": "x"}))).await,
            refused,
        )
        .await;
        let filtered =
            expect(app.read(token, &format!("/api/v1/agreements?party={}", w.orgs.pemkot)).await, 200).await;
        assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    }
    // CSV lists leave it out alike.
    let csv = |token: String| {
        let app = &app;
        async move {
            let res = app.read_as(&token, "/api/v1/agreements", "text/csv").await;
            assert_eq!(res.status(), 200);
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
            res.text().await.unwrap()
        }
    };
    let outside = csv(outsider.clone()).await;
    assert!(outside.starts_with("id,number,title,"), "{outside}");
    assert!(outside.contains("NK/R/2") && !outside.contains("NK/R/1"), "{outside}");
    assert_eq!(outside.lines().count(), 2);
    let inside = csv(auditor.clone()).await;
    assert!(inside.contains("NK/R/1") && inside.contains("NK/R/2"), "{inside}");
    for p in [format!("{path}/commitments"), format!("{path}/report")] {
        let res = app.get(&p).bearer_auth(&partner).header("Accept", "text/csv").send().await.unwrap();
        assert_problem(res, 404).await;
    }
    // Parties (including staff of an organization under a party), auditors and admins see it.
    for token in [&dinsos, &auditor, &w.admin] {
        assert_eq!(listed(token.clone()).await, vec!["NK/R/1", "NK/R/2"]);
        expect(app.read(token, &path).await, 200).await;
        expect(app.read(token, &format!("{path}/report")).await, 200).await;
        expect(app.read(token, &format!("/api/v1/commitments/{}", id(&commitment))).await, 200).await;
    }
    assert_eq!(public["confidentiality"], "internal");
});

backend_test!(the_report_sums_up_an_agreement, fixed, |app| async move {
    let w = World::new(&app).await;
    let active = app.active_agreement(&w, "130.60/NK/BKS-PDG/2021").await; // until 2026-03-01
    let aid = id(&active);
    let late = app
        .create_commitment(
            &w.admin,
            &aid,
            json!({"title": "Perwako iuran pekerja rentan", "responsible_organization_id": w.orgs.pemkot,
            "scope": "regulation", "due_on": "2025-01-31"}),
        )
        .await;
    let paid = app
        .create_commitment(
            &w.admin,
            &aid,
            json!({"title": "Bayar iuran 3.000 pekerja rentan", "responsible_organization_id": w.orgs.dinsos,
            "scope": "budget", "due_on": "2024-12-31", "target_value": 37000, "target_unit": "people"}),
        )
        .await;
    app.create_commitment(
        &w.admin,
        &aid,
        json!({"title": "Sosialisasi", "responsible_organization_id": w.orgs.bpjs}),
    )
    .await;
    expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/commitments/{}/updates", id(&paid)),
            &w.admin,
            None,
            Some(json!({"reported_on": "2024-12-31", "status": "fulfilled", "value_achieved": 3000})),
        )
        .await,
        201,
    )
    .await;
    expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/commitments/{}/updates", id(&late)),
            &w.admin,
            None,
            Some(json!({"reported_on": "2025-02-01", "status": "in_progress", "progress_pct": 40})),
        )
        .await,
        201,
    )
    .await;
    let amendment = json!({"number": "ADD-1", "signed_on": "2025-05-01", "summary": "Tambah lingkup",
        "changes": {"scopes_added": ["enrolment"]}});
    expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/agreements/{aid}/amendments"),
            &w.admin,
            None,
            Some(amendment),
        )
        .await,
        201,
    )
    .await;

    let report = expect(app.read(&w.admin, &format!("/api/v1/agreements/{aid}/report")).await, 200).await;
    assert_eq!(report["as_of"], TODAY);
    assert_eq!(report["status"], "active");
    assert_eq!(report["days_until_expiry"], 259); // 2025-06-15 .. 2026-03-01
    assert_eq!(report["parties"].as_array().unwrap().len(), 2);
    assert_eq!(report["commitments"]["total"], 3);
    assert_eq!(
        report["commitments"]["by_status"],
        json!({"planned": 1, "in_progress": 1, "fulfilled": 1, "missed": 0, "cancelled": 0})
    );
    let overdue = report["commitments"]["overdue"].as_array().unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["id"], id(&late).as_str());
    assert_eq!(overdue[0]["days_overdue"], 135);
    // Every scope is listed; no activity has been held under this agreement.
    assert!(
        report["activities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["held"] == 0 && s["last_held_on"].is_null())
    );
    assert_eq!(report["outcomes"], json!([]));
    assert_eq!(report["amendments"][0]["number"], "ADD-1");
    assert_eq!(report["last_change"]["action"], "amend");
    assert_eq!(report["last_change"]["entity_type"], "agreement");
    assert_eq!(report["last_change"]["actor_username"], "admin");

    // The same report as CSV, one line per fact.
    let res = app.read_as(&w.admin, &format!("/api/v1/agreements/{aid}/report"), "text/csv").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = res.text().await.unwrap();
    assert!(text.starts_with("section,item,value,detail\n"), "{text}");
    for expected in [
        "agreement,days_until_expiry,259,",
        "agreement,status,active,",
        "commitments,fulfilled,1,",
        "overdue_commitment,Perwako iuran pekerja rentan,135,due 2025-01-31",
        "amendment,ADD-1,2025-05-01,Tambah lingkup",
        "last_change,amend,2025-06-15T09:00:00Z,admin",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }

    // A draft has no days until expiry.
    let draft = app.create_agreement(&w.admin, w.pemkot_bpjs("NK/RPT/2")).await;
    let report =
        expect(app.read(&w.admin, &format!("/api/v1/agreements/{}/report", id(&draft))).await, 200).await;
    assert_eq!(report["status"], "draft");
    assert_eq!(report["days_until_expiry"], Value::Null);
    assert_eq!(report["last_change"]["action"], "create");
    assert_problem(
        app.read(&w.admin, "/api/v1/agreements/0190a000-0000-7000-8000-000000000000/report").await,
        404,
    )
    .await;
});

backend_test!(the_legal_basis_names_existing_regulations, fixed, |app| async move {
    let w = World::new(&app).await;
    let uu = app
        .create_regulation(&w.admin, "undang_undang", "24", 2011, "Badan Penyelenggara Jaminan Sosial")
        .await;
    let pp = app
        .create_regulation(&w.admin, "peraturan_pemerintah", "85", 2013, "Hubungan antar lembaga BPJS")
        .await;
    let mut body = w.pemkot_bpjs("NK/LB/1");
    body["legal_basis"] = json!([pp, uu, pp]);
    let created = app.create_agreement(&w.admin, body).await;
    let mut expected = vec![uu.clone(), pp.clone()];
    expected.sort();
    assert_eq!(created["legal_basis"], json!(expected));

    let unknown = "0190a000-0000-7000-8000-000000000000";
    let mut body = w.pemkot_bpjs("NK/LB/2");
    body["legal_basis"] = json!([uu, unknown]);
    let problem =
        assert_problem(send(&app, Method::POST, "/api/v1/agreements", &w.admin, None, Some(body)).await, 422)
            .await;
    assert_eq!(problem_fields(&problem), vec!["legal_basis"]);
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains(unknown));

    // The legal basis of an active agreement may be corrected without an amendment.
    let path = format!("/api/v1/agreements/{}", id(&created));
    let active =
        expect(send(&app, Method::POST, &format!("{path}/activate"), &w.admin, None, None).await, 200).await;
    let patched = expect(
        send(&app, Method::PATCH, &path, &w.admin, Some(&etag(&active)), Some(json!({"legal_basis": [pp]})))
            .await,
        200,
    )
    .await;
    assert_eq!(patched["legal_basis"], json!([pp]));
    // A regulation an agreement rests on, and an organization that is a party, are not deleted.
    let res =
        send(&app, Method::DELETE, &format!("/api/v1/regulations/{pp}"), &w.admin, Some("\"1\""), None).await;
    let problem = assert_problem(res, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("agreements"), "{problem}");
    expect(
        send(&app, Method::DELETE, &format!("/api/v1/regulations/{uu}"), &w.admin, Some("\"1\""), None).await,
        204,
    )
    .await;
    let res = send(
        &app,
        Method::DELETE,
        &format!("/api/v1/organizations/{}", w.orgs.bpjs),
        &w.admin,
        Some("\"1\""),
        None,
    )
    .await;
    let problem = assert_problem(res, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("agreement parties"), "{problem}");
});

backend_test!(creating_with_an_idempotency_key_is_safe_to_retry, fixed, |app| async move {
    let w = World::new(&app).await;
    let body = w.pemkot_bpjs("NK/IDEM/1");
    let post = |body: Value, key: &'static str| {
        app.post("/api/v1/agreements").bearer_auth(&w.admin).header("Idempotency-Key", key).json(&body).send()
    };
    let first = post(body.clone(), "nk-idem-1").await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = post(body.clone(), "nk-idem-1").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    let mut other = body;
    other["title"] = json!("Lain");
    assert_problem(post(other, "nk-idem-1").await.unwrap(), 422).await;
    let list = expect(app.read(&w.admin, "/api/v1/agreements").await, 200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let creates = app.audit_rows().iter().filter(|e| e.entity_type == "agreement").count();
    assert_eq!(creates, 1);
});
