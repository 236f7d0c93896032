//! Commitments under agreements: who is responsible, the append-only progress log, derived `overdue`,
//! filters, and who may add, edit and report.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, assert_problem, problem_fields};
use crate::support_agreements::{World, etag, expect, id, send};

async fn report(app: &TestApp, token: &str, commitment: &str, body: Value) -> reqwest::Response {
    send(app, Method::POST, &format!("/api/v1/commitments/{commitment}/updates"), token, None, Some(body))
        .await
}

backend_test!(a_commitment_is_carried_by_a_party_or_an_organization_under_one, fixed, |app| async move {
    let w = World::new(&app).await;
    let agreement = app.active_agreement(&w, "NK/C/1").await;
    let aid = id(&agreement);
    let path = format!("/api/v1/agreements/{aid}/commitments");
    // Dinsos carries out Pemkot's commitment, and its staff (acting for Pemkot, a party) record it.
    let dinsos = w.token(&app, "dinsos.staff", "opd_staff", Some(&w.orgs.dinsos)).await;
    let body = json!({"title": "Bayar iuran pekerja rentan", "description": "APBD 2024",
        "responsible_organization_id": w.orgs.dinsos, "scope": "budget", "due_on": "2024-12-31",
        "target_value": 37000, "target_unit": "people"});
    let res = send(&app, Method::POST, &path, &dinsos, None, Some(body)).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/commitments/{}", id(&created)));
    assert_eq!(created["agreement_id"], aid.as_str());
    assert_eq!(created["status"], "planned");
    assert_eq!(created["progress_pct"], 0);
    assert_eq!(created["target_value"], 37000);
    assert_eq!(created["target_unit"], "people");
    assert_eq!(created["overdue"], true);
    assert_eq!(expect(app.read(&w.admin, &location).await, 200).await, created);

    // Not a party and not under one; a scope the agreement does not cover; a target without a unit.
    let bad = json!({"title": " ", "responsible_organization_id": w.orgs.rumah_bumn, "scope": "enrolment",
        "target_value": -5});
    let problem = assert_problem(send(&app, Method::POST, &path, &w.admin, None, Some(bad)).await, 422).await;
    assert_eq!(
        problem_fields(&problem),
        vec!["responsible_organization_id", "scope", "target_unit", "target_value", "title"]
    );
    let unknown =
        json!({"title": "x", "responsible_organization_id": "0190a000-0000-7000-8000-000000000000"});
    let problem =
        assert_problem(send(&app, Method::POST, &path, &w.admin, None, Some(unknown)).await, 422).await;
    assert_eq!(problem_fields(&problem), vec!["responsible_organization_id"]);
    // Status and progress are not set by hand.
    let forged = json!({"title": "x", "responsible_organization_id": w.orgs.bpjs, "status": "fulfilled"});
    assert_problem(send(&app, Method::POST, &path, &w.admin, None, Some(forged)).await, 400).await;
    // A witness carries no obligations.
    let mut with_witness = w.pemkot_bpjs("NK/C/2");
    with_witness["parties"]
        .as_array_mut()
        .unwrap()
        .push(json!({"organization_id": w.orgs.rumah_bumn, "role": "witness"}));
    let other = app.create_agreement(&w.admin, with_witness).await;
    let res = send(
        &app,
        Method::POST,
        &format!("/api/v1/agreements/{}/commitments", id(&other)),
        &w.admin,
        None,
        Some(json!({"title": "x", "responsible_organization_id": w.orgs.rumah_bumn})),
    )
    .await;
    assert_problem(res, 422).await;
    // No commitment under an unknown agreement.
    let res = send(
        &app,
        Method::POST,
        "/api/v1/agreements/0190a000-0000-7000-8000-000000000000/commitments",
        &w.admin,
        None,
        Some(json!({"title": "x", "responsible_organization_id": w.orgs.bpjs})),
    )
    .await;
    assert_problem(res, 404).await;

    // Once the agreement is terminated, commitments are neither added nor changed.
    expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/agreements/{aid}/terminate"),
            &w.admin,
            None,
            Some(json!({"terminated_on": "2025-06-01", "termination_reason": "Selesai"})),
        )
        .await,
        200,
    )
    .await;
    let res = send(
        &app,
        Method::POST,
        &path,
        &w.admin,
        None,
        Some(json!({"title": "x", "responsible_organization_id": w.orgs.bpjs})),
    )
    .await;
    assert_problem(res, 409).await;
    let res =
        send(&app, Method::PATCH, &location, &w.admin, Some("\"1\""), Some(json!({"title": "y"}))).await;
    assert_problem(res, 409).await;
});

backend_test!(progress_reports_form_an_append_only_log_that_sets_the_commitment, fixed, |app| async move {
    let w = World::new(&app).await;
    let draft = app.create_agreement(&w.admin, w.pemkot_bpjs("NK/L/1")).await;
    let c = app
        .create_commitment(
            &w.admin,
            &id(&draft),
            json!({"title": "Sosialisasi", "responsible_organization_id": w.orgs.bpjs,
        "due_on": "2025-12-31", "target_value": 10, "target_unit": "sessions"}),
        )
        .await;
    let cid = id(&c);
    // A draft's commitments take no reports yet.
    assert_problem(
        report(&app, &w.admin, &cid, json!({"status": "in_progress", "progress_pct": 10})).await,
        409,
    )
    .await;
    expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/agreements/{}/activate", id(&draft)),
            &w.admin,
            None,
            None,
        )
        .await,
        200,
    )
    .await;

    let first = expect(
        report(
            &app,
            &w.admin,
            &cid,
            json!({"reported_on": "2025-03-01", "status": "in_progress",
        "progress_pct": 30, "value_achieved": 3, "note": "Tiga sesi di kecamatan"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(first["status"], "in_progress");
    assert_eq!(first["reported_on"], "2025-03-01");
    let now: Value = app.read(&w.admin, &format!("/api/v1/commitments/{cid}")).await.json().await.unwrap();
    assert_eq!(
        (now["status"].clone(), now["progress_pct"].clone(), now["value_achieved"].clone()),
        (json!("in_progress"), json!(30), json!(3))
    );
    assert_eq!(now["version"], 2);

    // Invalid reports: in the future, before the previous one, progress out of range, fulfilled below 100.
    let problem = assert_problem(
        report(
            &app,
            &w.admin,
            &cid,
            json!({"reported_on": "2025-06-16", "status": "in_progress", "progress_pct": 101}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&problem), vec!["progress_pct", "reported_on"]);
    let problem = assert_problem(
        report(
            &app,
            &w.admin,
            &cid,
            json!({"reported_on": "2025-02-01", "status": "missed", "value_achieved": -1}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&problem), vec!["reported_on", "value_achieved"]);
    let problem = assert_problem(
        report(&app, &w.admin, &cid, json!({"status": "fulfilled", "progress_pct": 50})).await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&problem), vec!["progress_pct"]);
    assert_problem(report(&app, &w.admin, &cid, json!({"status": "done"})).await, 422).await;
    assert_problem(report(&app, &w.admin, &cid, json!({"status": "missed", "id": cid})).await, 400).await;

    // Without a date the report is today's; without progress, a missed one keeps the current progress.
    let second = expect(report(&app, &w.admin, &cid, json!({"status": "missed"})).await, 201).await;
    assert_eq!(second["reported_on"], "2025-06-15");
    assert_eq!(second["progress_pct"], 30);
    // Fulfilled sets 100 %, and is final.
    let third =
        expect(report(&app, &w.admin, &cid, json!({"status": "fulfilled", "value_achieved": 10})).await, 201)
            .await;
    assert_eq!(third["progress_pct"], 100);
    let problem = assert_problem(
        report(&app, &w.admin, &cid, json!({"status": "in_progress", "progress_pct": 90})).await,
        409,
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("fulfilled"));

    let log = expect(app.read(&w.admin, &format!("/api/v1/commitments/{cid}/updates")).await, 200).await;
    let statuses: Vec<&str> =
        log["items"].as_array().unwrap().iter().map(|u| u["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["in_progress", "missed", "fulfilled"]);
    let now: Value = app.read(&w.admin, &format!("/api/v1/commitments/{cid}")).await.json().await.unwrap();
    assert_eq!(
        (now["status"].clone(), now["progress_pct"].clone(), now["value_achieved"].clone()),
        (json!("fulfilled"), json!(100), json!(10))
    );
    // The log has no edit or delete.
    let res =
        send(&app, Method::DELETE, &format!("/api/v1/commitments/{cid}/updates"), &w.admin, None, None).await;
    assert_problem(res, 405).await;

    // A cancelled commitment takes no further reports either.
    let other = app
        .create_commitment(
            &w.admin,
            &id(&draft),
            json!({"title": "Monev", "responsible_organization_id": w.orgs.pemkot}),
        )
        .await;
    expect(report(&app, &w.admin, &id(&other), json!({"status": "cancelled"})).await, 201).await;
    assert_problem(report(&app, &w.admin, &id(&other), json!({"status": "in_progress"})).await, 409).await;

    let events: Vec<_> = app.audit_rows().into_iter().filter(|e| e.entity_type == "commitment").collect();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["create", "report_progress", "report_progress", "report_progress", "create", "report_progress"]
    );
});

backend_test!(overdue_is_derived_from_the_fixed_clock_and_filters_work, fixed, |app| async move {
    let w = World::new(&app).await;
    let a = app.active_agreement(&w, "NK/O/1").await;
    let aid = id(&a);
    let make = |title: &'static str, org: String, due: Option<&'static str>| json!({"title": title, "responsible_organization_id": org, "due_on": due});
    let yesterday = app
        .create_commitment(&w.admin, &aid, make("yesterday", w.orgs.dinsos.clone(), Some("2025-06-14")))
        .await;
    let today =
        app.create_commitment(&w.admin, &aid, make("today", w.orgs.bpjs.clone(), Some("2025-06-15"))).await;
    let done =
        app.create_commitment(&w.admin, &aid, make("done", w.orgs.bpjs.clone(), Some("2025-01-01"))).await;
    let open = app.create_commitment(&w.admin, &aid, make("open", w.orgs.pemkot.clone(), None)).await;
    let missed = app
        .create_commitment(&w.admin, &aid, make("missed", w.orgs.pemkot.clone(), Some("2025-02-01")))
        .await;
    expect(report(&app, &w.admin, &id(&done), json!({"status": "fulfilled"})).await, 201).await;
    expect(report(&app, &w.admin, &id(&missed), json!({"status": "missed"})).await, 201).await;
    assert_eq!(yesterday["overdue"], true);
    assert_eq!(today["overdue"], false);
    assert_eq!(open["overdue"], false);

    let titles = |query: String| {
        let (app, token, aid) = (&app, w.admin.clone(), aid.clone());
        async move {
            let body =
                expect(app.read(&token, &format!("/api/v1/agreements/{aid}/commitments?{query}")).await, 200)
                    .await;
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["title"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles(String::new()).await, vec!["yesterday", "today", "done", "open", "missed"]);
    assert_eq!(titles("overdue=true".into()).await, vec!["yesterday", "missed"]);
    assert_eq!(titles("overdue=false".into()).await, vec!["today", "done", "open"]);
    assert_eq!(titles("status=fulfilled".into()).await, vec!["done"]);
    assert_eq!(titles("status=planned".into()).await, vec!["yesterday", "today", "open"]);
    assert_eq!(
        titles(format!("responsible_organization_id={}", w.orgs.pemkot)).await,
        vec!["open", "missed"]
    );
    assert_eq!(titles("due_before=2025-06-15".into()).await, vec!["yesterday", "done", "missed"]);
    assert_eq!(titles("due_before=2025-06-15&overdue=false".into()).await, vec!["done"]);
    assert_problem(
        app.read(&w.admin, &format!("/api/v1/agreements/{aid}/commitments?overdue=maybe")).await,
        422,
    )
    .await;
    assert_problem(
        app.read(&w.admin, &format!("/api/v1/agreements/{aid}/commitments?status=late")).await,
        422,
    )
    .await;

    // Moving the due date through PATCH changes the derivation.
    let path = format!("/api/v1/commitments/{}", id(&yesterday));
    let moved = expect(
        send(
            &app,
            Method::PATCH,
            &path,
            &w.admin,
            Some(&etag(&yesterday)),
            Some(json!({"due_on": "2025-07-01"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(moved["overdue"], false);
    assert_eq!(moved["version"], 2);
    let cleared = expect(
        send(
            &app,
            Method::PATCH,
            &path,
            &w.admin,
            Some(&etag(&moved)),
            Some(json!({"due_on": null, "description": "tanpa tenggat"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cleared["due_on"], Value::Null);
    assert_eq!(cleared["description"], "tanpa tenggat");
});

backend_test!(commitment_edits_need_if_match_and_valid_fields, fixed, |app| async move {
    let w = World::new(&app).await;
    let a = app.active_agreement(&w, "NK/PATCH/1").await;
    let c = app
        .create_commitment(
            &w.admin,
            &id(&a),
            json!({"title": "Perwako", "responsible_organization_id": w.orgs.pemkot}),
        )
        .await;
    let path = format!("/api/v1/commitments/{}", id(&c));
    assert_problem(send(&app, Method::PATCH, &path, &w.admin, None, Some(json!({"title": "x"}))).await, 428)
        .await;
    assert_problem(
        send(&app, Method::PATCH, &path, &w.admin, Some("\"9\""), Some(json!({"title": "x"}))).await,
        412,
    )
    .await;
    assert_problem(
        send(&app, Method::PATCH, &path, &w.admin, Some("\"1\""), Some(json!({"progress_pct": 90}))).await,
        400,
    )
    .await;
    let problem = assert_problem(
        send(
            &app,
            Method::PATCH,
            &path,
            &w.admin,
            Some("\"1\""),
            Some(json!({"responsible_organization_id": w.orgs.perisai, "target_value": 5})),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&problem), vec!["responsible_organization_id", "target_unit"]);
    let moved = expect(
        send(
            &app,
            Method::PATCH,
            &path,
            &w.admin,
            Some("\"1\""),
            Some(json!({"responsible_organization_id": w.orgs.disnakerin, "scope": "regulation"})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(moved["responsible_organization_id"], w.orgs.disnakerin.as_str());
    let event = app.audit_rows().pop().unwrap();
    assert_eq!((event.action.as_str(), event.entity_type.as_str()), ("update", "commitment"));
    assert!(event.before_state.unwrap().contains(&w.orgs.pemkot));
    assert_problem(app.read(&w.admin, "/api/v1/commitments/0190a000-0000-7000-8000-000000000000").await, 404)
        .await;
    assert_problem(app.read(&w.admin, "/api/v1/commitments/not-a-uuid").await, 404).await;
});

backend_test!(who_may_add_edit_and_report_on_commitments, fixed, |app| async move {
    let w = World::new(&app).await;
    // The BPJS branch and the Perisai agency (a partner).
    let mut body = w.pemkot_bpjs("PKS/PERISAI/1");
    body["parties"] = json!([{"organization_id": w.orgs.bpjs, "role": "first_party"},
                             {"organization_id": w.orgs.perisai, "role": "second_party"}]);
    body["scopes"] = json!(["enrolment"]);
    let a = app.create_agreement(&w.admin, body).await;
    let aid = id(&a);
    expect(
        send(&app, Method::POST, &format!("/api/v1/agreements/{aid}/activate"), &w.admin, None, None).await,
        200,
    )
    .await;

    let bpjs = w.token(&app, "bpjs.staff", "bpjs_staff", Some(&w.orgs.bpjs)).await;
    let outsider = w.token(&app, "bpjs.bukittinggi", "bpjs_staff", Some(&w.orgs.bpjs_other)).await;
    let agent = w.token(&app, "damko.agent", "partner_staff", Some(&w.orgs.perisai)).await;
    let other_partner = w.token(&app, "bumn.staff", "partner_staff", Some(&w.orgs.rumah_bumn)).await;
    let opd = w.token(&app, "dinsos.staff", "opd_staff", Some(&w.orgs.dinsos)).await;
    let auditor = w.token(&app, "inspektorat", "auditor", Some(&w.orgs.inspektorat)).await;

    let path = format!("/api/v1/agreements/{aid}/commitments");
    let new = json!({"title": "Rekrut 500 peserta BPU", "responsible_organization_id": w.orgs.perisai, "scope": "enrolment",
        "due_on": "2025-12-31", "target_value": 500, "target_unit": "people"});
    for token in [&outsider, &agent, &other_partner, &opd, &auditor] {
        assert_problem(send(&app, Method::POST, &path, token, None, Some(new.clone())).await, 403).await;
    }
    let c = app.create_commitment(&bpjs, &aid, new).await;
    let cid = id(&c);
    let cpath = format!("/api/v1/commitments/{cid}");
    for token in [&outsider, &agent, &auditor] {
        assert_problem(
            send(&app, Method::PATCH, &cpath, token, Some("\"1\""), Some(json!({"title": "x"}))).await,
            403,
        )
        .await;
    }
    // Partner staff report on the commitments their organization is responsible for, and on no other.
    let progress = json!({"status": "in_progress", "progress_pct": 20, "value_achieved": 100});
    for token in [&outsider, &other_partner, &opd, &auditor] {
        assert_problem(report(&app, token, &cid, progress.clone()).await, 403).await;
    }
    let unchanged = expect(app.read(&w.admin, &cpath).await, 200).await;
    assert_eq!(unchanged["version"], 1);
    assert_eq!(unchanged["status"], "planned");
    expect(report(&app, &agent, &cid, progress).await, 201).await;
    let bpjs_own = app
        .create_commitment(
            &bpjs,
            &aid,
            json!({"title": "Pelatihan agen", "responsible_organization_id": w.orgs.bpjs}),
        )
        .await;
    assert_problem(report(&app, &agent, &id(&bpjs_own), json!({"status": "in_progress"})).await, 403).await;
    // Staff of a party report on any commitment of the agreement.
    expect(
        report(&app, &bpjs, &id(&bpjs_own), json!({"status": "in_progress", "progress_pct": 50})).await,
        201,
    )
    .await;
    expect(report(&app, &bpjs, &cid, json!({"status": "in_progress", "progress_pct": 40})).await, 201).await;
    let patched = expect(
        send(&app, Method::PATCH, &cpath, &bpjs, Some("\"3\""), Some(json!({"due_on": "2026-01-31"}))).await,
        200,
    )
    .await;
    assert_eq!(patched["due_on"], "2026-01-31");

    // Everybody reads an internal agreement's commitments.
    for token in [&outsider, &other_partner, &auditor] {
        let list = expect(app.read(token, &path).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 2);
        let log = expect(app.read(token, &format!("{cpath}/updates")).await, 200).await;
        assert_eq!(log["items"].as_array().unwrap().len(), 2);
    }
    let event = app.audit_rows().into_iter().rfind(|e| e.action == "report_progress").unwrap();
    assert_eq!(event.actor_username.as_deref(), Some("bpjs.staff"));
});

/// Stores `value` in `table.column` of the rows `filter` picks, past the database's own CHECK (a row
/// written by another program, or by hand).
fn corrupt(app: &TestApp, table: &str, column: &str, value: &str, filter: &str) {
    use diesel::connection::SimpleConnection;
    let sql = match app.backend {
        Backend::Sqlite => {
            format!(
                "PRAGMA ignore_check_constraints = ON; UPDATE {table} SET {column} = '{value}' WHERE {filter};"
            )
        }
        Backend::Postgres => format!(
            "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{column}_check; \
             UPDATE {table} SET {column} = '{value}' WHERE {filter};"
        ),
    };
    app.connection().batch_execute(&sql).unwrap();
}

backend_test!(a_corrupt_stored_value_is_a_server_error_not_a_default, fixed, |app| async move {
    let w = World::new(&app).await;
    let agreement = app.active_agreement(&w, "NK/X/1").await;
    let aid = id(&agreement);
    let commitment = app
        .create_commitment(
            &w.admin,
            &aid,
            json!({"title": "Bayar iuran", "responsible_organization_id": w.orgs.pemkot}),
        )
        .await;
    let commitment_path = format!("/api/v1/commitments/{}", id(&commitment));
    let amendment = json!({"number": "ADD/X/1", "signed_on": "2023-01-02", "summary": "Diperpanjang",
        "changes": {"effective_until": "2027-03-01"}});
    let amendments = format!("/api/v1/agreements/{aid}/amendments");
    expect(send(&app, Method::POST, &amendments, &w.admin, None, Some(amendment)).await, 201).await;

    // A status that is no commitment status was read as `planned` once; the stored changes of an
    // amendment that do not read back, as no changes; a scope that is none, left out.
    corrupt(&app, "commitments", "status", "finished", "1 = 1");
    assert_problem(app.read(&w.admin, &commitment_path).await, 500).await;
    assert_problem(app.read(&w.admin, &format!("/api/v1/agreements/{aid}/commitments")).await, 500).await;
    corrupt(&app, "amendments", "changes", "{", "1 = 1");
    assert_problem(app.read(&w.admin, &amendments).await, 500).await;
    corrupt(&app, "agreement_scopes", "scope", "gardening", "scope = 'budget'");
    assert_problem(app.read(&w.admin, &format!("/api/v1/agreements/{aid}")).await, 500).await;
    // Writes refuse alike, and change nothing.
    let patch = json!({"title": "Judul baru"});
    let path = format!("/api/v1/agreements/{aid}");
    assert_problem(
        send(&app, Method::PATCH, &path, &w.admin, Some(&etag(&agreement)), Some(patch)).await,
        500,
    )
    .await;
});
