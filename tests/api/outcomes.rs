//! Outcomes: the links (each must exist; an activity or commitment links its agreement too), who may
//! credit whom, filters, conditional writes, and restricted visibility.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, problem_fields};
use crate::support_agreements::{World, etag, expect, id, send};
use crate::support_results::held;

fn outcome(org: &str) -> Value {
    json!({"kind": "enrolment", "title": "Iuran pekerja rentan dibayar APBD", "value": 3000, "unit": "people",
        "segment": "bpu", "period_start": "2024-01-01", "period_end": "2024-12-31", "organization_id": org,
        "evidence": "SK Wali Kota"})
}

async fn post(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    send(app, Method::POST, "/api/v1/outcomes", token, None, Some(body)).await
}

backend_test!(an_outcome_is_recorded_changed_and_deleted, fixed, |app| async move {
    let w = World::new(&app).await;
    let agreement = app.active_agreement(&w, "NK/O/1").await;
    let aid = id(&agreement);
    let commitment = app
        .create_commitment(
            &w.admin,
            &aid,
            json!({"title": "Bayar iuran", "responsible_organization_id": w.orgs.dinsos}),
        )
        .await;
    let mut meeting = held("sosialisasi", "Sosialisasi", &w.orgs.pemkot, &[&w.orgs.bpjs], "2025-06-01");
    meeting["agreement_id"] = json!(aid);
    let activity = app.create_activity(&w.admin, meeting).await;
    let regulation =
        app.create_regulation(&w.admin, "peraturan_wali_kota", "13", 2022, "Perwako Padang 13/2022").await;

    let mut body = outcome(&w.orgs.dinsos);
    body["commitment_id"] = json!(id(&commitment));
    body["activity_id"] = json!(id(&activity));
    body["regulation_id"] = json!(regulation);
    let res = post(&app, &w.admin, body).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["agreement_id"], aid.as_str(), "the commitment's agreement is linked too");
    assert_eq!(created["segment"], "bpu");
    let path = format!("/api/v1/outcomes/{}", id(&created));
    expect(app.read(&w.admin, &path).await, 200).await;

    let patched = expect(
        send(
            &app,
            Method::PATCH,
            &path,
            &w.admin,
            Some("\"1\""),
            Some(json!({"value": 3500, "segment": null, "evidence": null})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!((patched["value"].as_i64(), patched["version"].as_i64()), (Some(3500), Some(2)));
    assert_eq!(patched["segment"], Value::Null);
    assert_problem(
        send(&app, Method::PATCH, &path, &w.admin, Some("\"1\""), Some(json!({"value": 1}))).await,
        412,
    )
    .await;
    assert_problem(send(&app, Method::PATCH, &path, &w.admin, None, Some(json!({"value": 1}))).await, 428)
        .await;
    // The regulation and activity it refers to cannot be deleted.
    let reg_path = format!("/api/v1/regulations/{regulation}");
    assert_problem(send(&app, Method::DELETE, &reg_path, &w.admin, Some("\"1\""), None).await, 409).await;
    assert_problem(send(&app, Method::DELETE, &path, &w.admin, None, None).await, 428).await;
    expect(send(&app, Method::DELETE, &path, &w.admin, Some("\"2\""), None).await, 204).await;
    assert_problem(app.read(&w.admin, &path).await, 404).await;
    let actions: Vec<String> =
        app.audit_rows().into_iter().filter(|r| r.entity_type == "outcome").map(|r| r.action).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
});

backend_test!(outcome_links_must_exist_and_agree, fixed, |app| async move {
    let w = World::new(&app).await;
    let one = id(&app.active_agreement(&w, "NK/O/2").await);
    let two = id(&app.active_agreement(&w, "NK/O/3").await);
    let commitment = app
        .create_commitment(&w.admin, &two, json!({"title": "t", "responsible_organization_id": w.orgs.bpjs}))
        .await;
    let nowhere = "0190a0a0-0000-7000-8000-000000000000";
    let mut body = outcome(&w.orgs.dinsos);
    for link in ["agreement_id", "activity_id", "commitment_id", "regulation_id"] {
        body[link] = json!(nowhere);
    }
    body["organization_id"] = json!(nowhere);
    let problem = assert_problem(post(&app, &w.admin, body).await, 422).await;
    assert_eq!(
        problem_fields(&problem),
        ["activity_id", "agreement_id", "commitment_id", "organization_id", "regulation_id"]
    );

    let mut body = outcome(&w.orgs.dinsos);
    body["agreement_id"] = json!(one);
    body["commitment_id"] = json!(id(&commitment));
    assert_eq!(
        problem_fields(&assert_problem(post(&app, &w.admin, body).await, 422).await),
        ["commitment_id"]
    );

    let mut body = outcome(&w.orgs.dinsos);
    body["period_end"] = json!("2023-12-31");
    body["value"] = json!(-5);
    body["unit"] = Value::Null;
    assert_eq!(
        problem_fields(&assert_problem(post(&app, &w.admin, body).await, 422).await),
        ["period_end", "unit", "value"]
    );
    let mut body = outcome(&w.orgs.dinsos);
    body["kind"] = json!("miracle");
    assert_problem(post(&app, &w.admin, body).await, 422).await;
    assert_eq!(app.count_rows("outcomes"), 0);
});

backend_test!(opd_and_partner_staff_credit_only_their_own_organization, fixed, |app| async move {
    let w = World::new(&app).await;
    let dinsos = w.token(&app, "dinsos", "opd_staff", Some(&w.orgs.dinsos)).await;
    let bumn = w.token(&app, "bumn", "partner_staff", Some(&w.orgs.rumah_bumn)).await;
    let bpjs = w.token(&app, "bpjs", "bpjs_staff", Some(&w.orgs.bpjs)).await;
    let auditor = w.token(&app, "audit", "auditor", Some(&w.orgs.inspektorat)).await;
    let own = expect(post(&app, &dinsos, outcome(&w.orgs.dinsos)).await, 201).await;
    // Not even the organization above (the credit goes to who delivered).
    assert_problem(post(&app, &dinsos, outcome(&w.orgs.pemkot)).await, 403).await;
    expect(post(&app, &bumn, outcome(&w.orgs.rumah_bumn)).await, 201).await;
    assert_problem(post(&app, &bumn, outcome(&w.orgs.dinsos)).await, 403).await;
    expect(post(&app, &bpjs, outcome(&w.orgs.perisai)).await, 201).await;
    assert_problem(post(&app, &auditor, outcome(&w.orgs.inspektorat)).await, 403).await;

    let path = format!("/api/v1/outcomes/{}", id(&own));
    assert_problem(
        send(&app, Method::PATCH, &path, &bumn, Some("\"1\""), Some(json!({"value": 1}))).await,
        403,
    )
    .await;
    assert_problem(
        send(
            &app,
            Method::PATCH,
            &path,
            &dinsos,
            Some("\"1\""),
            Some(json!({"organization_id": w.orgs.rumah_bumn})),
        )
        .await,
        403,
    )
    .await;
    assert_problem(send(&app, Method::DELETE, &path, &bumn, Some("\"1\""), None).await, 403).await;
    let changed = expect(
        send(&app, Method::PATCH, &path, &dinsos, Some(&etag(&own)), Some(json!({"value": 3100}))).await,
        200,
    )
    .await;
    assert_eq!(changed["value"], 3100);
    expect(send(&app, Method::DELETE, &path, &bpjs, Some("\"2\""), None).await, 204).await;

    let ids = |v: &Value| v["items"].as_array().unwrap().len();
    let list = expect(
        app.read(&auditor, &format!("/api/v1/outcomes?organization_id={}", w.orgs.rumah_bumn)).await,
        200,
    )
    .await;
    assert_eq!(ids(&list), 1);
    let list = expect(
        app.read(&auditor, "/api/v1/outcomes?kind=enrolment&from=2024-06-01&to=2024-06-30&q=APBD").await,
        200,
    )
    .await;
    assert_eq!(ids(&list), 2);
    let list = expect(app.read(&auditor, "/api/v1/outcomes?to=2023-12-31").await, 200).await;
    assert_eq!(ids(&list), 0);
});

backend_test!(outcomes_under_restricted_agreements_are_hidden_from_non_parties, fixed, |app| async move {
    let w = World::new(&app).await;
    let mut body = w.pemkot_bpjs("NK/R/9");
    body["confidentiality"] = json!("restricted");
    let agreement = id(&app.create_agreement(&w.admin, body).await);
    let mut o = outcome(&w.orgs.bpjs);
    o["agreement_id"] = json!(agreement);
    let created = expect(post(&app, &w.admin, o).await, 201).await;
    let outsider = w.token(&app, "bumn", "partner_staff", Some(&w.orgs.rumah_bumn)).await;
    assert_problem(app.read(&outsider, &format!("/api/v1/outcomes/{}", id(&created))).await, 404).await;
    let list = expect(app.read(&outsider, "/api/v1/outcomes").await, 200).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let list = expect(app.read(&w.admin, "/api/v1/outcomes").await, 200).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
});

// Found by contract fuzzing: outcome values near i64::MAX made the agreement report overflow (500).
backend_test!(values_are_capped_so_that_the_agreement_report_adds_them_up, fixed, |app| async move {
    let w = World::new(&app).await;
    let agreement = app.active_agreement(&w, "NK/O/9").await;
    let max = 1_000_000_000_000_000_i64;
    let mut body = outcome(&w.orgs.dinsos);
    body["agreement_id"] = json!(id(&agreement));
    body["value"] = json!(max + 1);
    assert_eq!(
        problem_fields(&assert_problem(post(&app, &w.admin, body.clone()).await, 422).await),
        ["value"]
    );
    assert_eq!(app.count_rows("outcomes"), 0);

    body["value"] = json!(max);
    for _ in 0..2 {
        expect(post(&app, &w.admin, body.clone()).await, 201).await;
    }
    let path = format!("/api/v1/agreements/{}/report", id(&agreement));
    let report = expect(app.read(&w.admin, &path).await, 200).await;
    assert_eq!(report["outcomes"][0]["total"].as_i64(), Some(2 * max), "{report}");
});
