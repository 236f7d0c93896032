//! The reports, computed on a fixture whose right answers were worked out by hand (clock fixed at
//! 2025-06-15 09:00 UTC), as JSON and CSV, with restricted agreements left out for non-parties.
//!
//! The fixture: agreement A (Pemkot–BPJS, internal, until 2026-03-01: 259 days left) with commitments
//! C1 (Dinsos, due 2025-01-31: 135 days overdue) and C2 (BPJS, due 2025-12-31); agreement B (BPJS–Damko,
//! restricted). Activities: X1 held rakor 2025-05-20 under A/monev (Pemkot; BPJS, Dinsos; trust,
//! deliberation); X2 held sosialisasi 2025-01-10 under A/sosialisasi (BPJS; Disnakerin; knowledge,
//! trust); X3 planned monev 2025-07-01 under A (Pemkot; BPJS; shared_commitment); X4 cancelled (BPJS;
//! Rumah BUMN; trust); X5 held pembinaan 2025-06-01 (Rumah BUMN; BPJS; resources); X6 held bimtek
//! 2025-06-10 under B (BPJS; Damko). Outcomes: 3,000 people (Dinsos, A), 500 people (BPJS, A), 200
//! people (Damko, B). Action items of X1: Dinsos due 2025-06-01 open, BPJS due 2025-07-01 open, Pemkot
//! done.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::support_agreements::{World, expect, id, send};
use crate::support_results::{held, padang_rows};

struct Fixture {
    w: World,
    a: String,
    b: String,
}

async fn fixture(app: &TestApp) -> Fixture {
    let w = World::new(app).await;
    let o = &w.orgs;
    let a = id(&app.active_agreement(&w, "NK/P/1").await);
    let mut body = w.pemkot_bpjs("PKS/P/2");
    body["confidentiality"] = json!("restricted");
    body["parties"] = json!([{"organization_id": o.bpjs, "role": "first_party"}, {"organization_id": o.perisai, "role": "second_party"}]);
    let b = id(&app.create_agreement(&w.admin, body).await);
    expect(
        send(app, Method::POST, &format!("/api/v1/agreements/{b}/activate"), &w.admin, None, None).await,
        200,
    )
    .await;
    app.create_commitment(&w.admin, &a, json!({"title": "Bayar iuran pekerja rentan", "responsible_organization_id": o.dinsos, "due_on": "2025-01-31"})).await;
    app.create_commitment(
        &w.admin,
        &a,
        json!({"title": "Pendataan", "responsible_organization_id": o.bpjs, "due_on": "2025-12-31"}),
    )
    .await;

    let activity = |kind: &str,
                    organizer: &str,
                    with: &[&str],
                    day: &str,
                    agreement: Option<&str>,
                    scope: Option<&str>,
                    cgr: Value| {
        let mut body = held(kind, &format!("{kind} {day}"), organizer, with, day);
        body["agreement_id"] = json!(agreement);
        body["scope"] = json!(scope);
        body["cgr_components"] = cgr;
        body
    };
    let x1 = app
        .create_activity(
            &w.admin,
            activity(
                "coordination_meeting",
                &o.pemkot,
                &[&o.bpjs, &o.dinsos],
                "2025-05-20",
                Some(&a),
                Some("monev"),
                json!(["trust", "deliberation"]),
            ),
        )
        .await;
    app.create_activity(
        &w.admin,
        activity(
            "sosialisasi",
            &o.bpjs,
            &[&o.disnakerin],
            "2025-01-10",
            Some(&a),
            Some("sosialisasi"),
            json!(["knowledge", "trust"]),
        ),
    )
    .await;
    let mut x3 = activity(
        "monev",
        &o.pemkot,
        &[&o.bpjs],
        "2025-07-01",
        Some(&a),
        Some("monev"),
        json!(["shared_commitment"]),
    );
    x3["status"] = json!("planned");
    app.create_activity(&w.admin, x3).await;
    let mut x4 = activity("other", &o.bpjs, &[&o.rumah_bumn], "2025-07-02", None, None, json!(["trust"]));
    x4["status"] = json!("planned");
    let x4 = app.create_activity(&w.admin, x4).await;
    expect(
        send(
            app,
            Method::PATCH,
            &format!("/api/v1/activities/{}", id(&x4)),
            &w.admin,
            Some("\"1\""),
            Some(json!({"status": "cancelled"})),
        )
        .await,
        200,
    )
    .await;
    app.create_activity(
        &w.admin,
        activity("pembinaan", &o.rumah_bumn, &[&o.bpjs], "2025-06-01", None, None, json!(["resources"])),
    )
    .await;
    app.create_activity(
        &w.admin,
        activity("bimtek", &o.bpjs, &[&o.perisai], "2025-06-10", Some(&b), None, json!([])),
    )
    .await;

    for (org, value, agreement) in [(&o.dinsos, 3000, &a), (&o.bpjs, 500, &a), (&o.perisai, 200, &b)] {
        let body = json!({"kind": "enrolment", "title": "Kepesertaan", "value": value, "unit": "people",
            "period_start": "2025-01-01", "period_end": "2025-05-31", "organization_id": org, "agreement_id": agreement});
        expect(send(app, Method::POST, "/api/v1/outcomes", &w.admin, None, Some(body)).await, 201).await;
    }
    let items = format!("/api/v1/activities/{}/action-items", id(&x1));
    for (owner, due, status) in [
        (&o.dinsos, "2025-06-01", "open"),
        (&o.bpjs, "2025-07-01", "open"),
        (&o.pemkot, "2025-06-05", "done"),
    ] {
        let body = json!({"description": format!("Tindak lanjut {status} {due}"), "owner_organization_id": owner, "due_on": due, "status": status});
        expect(send(app, Method::POST, &items, &w.admin, None, Some(body)).await, 201).await;
    }
    Fixture { w, a, b }
}

async fn csv(app: &TestApp, token: &str, path: &str) -> String {
    let res = app.get(path).bearer_auth(token).header("Accept", "text/csv").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    res.text().await.unwrap()
}

backend_test!(the_agreements_report_counts_by_hand, fixed, |app| async move {
    let f = fixture(&app).await;
    let report = expect(app.read(&f.w.admin, "/api/v1/reports/agreements").await, 200).await;
    assert_eq!(report["as_of"], "2025-06-15");
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let a = &items[0];
    assert_eq!(a["agreement_id"], f.a.as_str());
    assert_eq!(a["status"], "active");
    assert_eq!(a["days_until_expiry"], 259);
    assert_eq!(
        (
            a["commitments_total"].as_i64(),
            a["commitments_planned"].as_i64(),
            a["commitments_overdue"].as_i64()
        ),
        (Some(2), Some(2), Some(1))
    );
    assert_eq!(a["commitments_fulfilled"], 0);
    assert_eq!(a["activities_last_90_days"], 1, "X1 only: X2 is older, X3 is planned");
    assert_eq!(a["last_activity_on"], "2025-05-20");
    let b = &items[1];
    assert_eq!(b["agreement_id"], f.b.as_str());
    assert_eq!((b["commitments_total"].as_i64(), b["activities_last_90_days"].as_i64()), (Some(0), Some(1)));
    assert_eq!(b["last_activity_on"], "2025-06-10");

    // A BPJS branch that is not a party to B does not see it.
    let other = f.w.token(&app, "bukittinggi", "bpjs_staff", Some(&f.w.orgs.bpjs_other)).await;
    let report = expect(app.read(&other, "/api/v1/reports/agreements").await, 200).await;
    assert_eq!(report["items"].as_array().unwrap().len(), 1);
    let text = csv(&app, &other, "/api/v1/reports/agreements").await;
    assert_eq!(text.lines().count(), 2);
    assert!(
        text.starts_with("agreement_id,number,title,status,effective_until,days_until_expiry,"),
        "{text}"
    );
    assert!(text.contains("NK/P/1") && !text.contains("PKS/P/2"));
});

backend_test!(the_agreement_report_has_activities_per_scope_and_outcomes, fixed, |app| async move {
    let f = fixture(&app).await;
    let report = expect(app.read(&f.w.admin, &format!("/api/v1/agreements/{}/report", f.a)).await, 200).await;
    let scopes: Vec<(String, i64, Value)> = report["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["scope"].as_str().unwrap().to_string(), s["held"].as_i64().unwrap(), s["last_held_on"].clone())
        })
        .collect();
    assert_eq!(
        scopes,
        [
            ("regulation".to_string(), 0, Value::Null),
            ("budget".to_string(), 0, Value::Null),
            ("sosialisasi".to_string(), 1, json!("2025-01-10")),
            ("pembinaan".to_string(), 0, Value::Null),
            ("monev".to_string(), 1, json!("2025-05-20")),
        ]
    );
    assert_eq!(
        report["outcomes"],
        json!([{"kind": "enrolment", "unit": "people", "total": 3500, "count": 2}])
    );
});

/// The fixture's short label of an organization id (names may change; ids do not).
fn label(w: &World, id: &Value) -> String {
    let o = &w.orgs;
    let id = id.as_str().unwrap();
    let known = [
        (&o.bpjs, "BPJSTK-PDG"),
        (&o.perisai, "DAMKO"),
        (&o.dinsos, "DINSOS-PDG"),
        (&o.disnakerin, "DISNAKERIN-PDG"),
        (&o.pemkot, "PEMKOT-PDG"),
        (&o.rumah_bumn, "RUMAH-BUMN-PDG"),
        (&o.bpjs_other, "BPJSTK-BKT"),
        (&o.inspektorat, "INSPEKTORAT"),
    ];
    known.iter().find(|(k, _)| k.as_str() == id).map(|(_, l)| l.to_string()).unwrap_or_else(|| id.to_string())
}

fn pairs(w: &World, report: &Value) -> Vec<(String, String, i64, i64)> {
    let mut out: Vec<_> = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let (a, b) = (label(w, &p["organization_a_id"]), label(w, &p["organization_b_id"]));
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            (a, b, p["shared_agreements"].as_i64().unwrap(), p["joint_activities"].as_i64().unwrap())
        })
        .collect();
    out.sort();
    out
}

fn org<'a>(w: &World, report: &'a Value, short: &str) -> &'a Value {
    report["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| label(w, &o["organization_id"]) == short)
        .unwrap_or_else(|| panic!("no {short}"))
}

backend_test!(the_collaboration_report_counts_by_hand, fixed, |app| async move {
    let f = fixture(&app).await;
    let report = expect(app.read(&f.w.admin, "/api/v1/reports/collaboration").await, 200).await;
    let s = |x: &str| x.to_string();
    assert_eq!(
        pairs(&f.w, &report),
        [
            (s("BPJSTK-PDG"), s("DAMKO"), 1, 1),
            (s("BPJSTK-PDG"), s("DINSOS-PDG"), 0, 1),
            (s("BPJSTK-PDG"), s("DISNAKERIN-PDG"), 0, 1),
            (s("BPJSTK-PDG"), s("PEMKOT-PDG"), 1, 2),
            (s("BPJSTK-PDG"), s("RUMAH-BUMN-PDG"), 0, 1),
            (s("DINSOS-PDG"), s("PEMKOT-PDG"), 0, 1),
        ]
    );
    let bpjs = org(&f.w, &report, "BPJSTK-PDG");
    assert_eq!(bpjs["activities_total"], 5);
    for (kind, n) in [
        ("coordination_meeting", 1),
        ("sosialisasi", 1),
        ("monev", 1),
        ("pembinaan", 1),
        ("bimtek", 1),
        ("other", 0),
    ] {
        assert_eq!(bpjs[kind], n, "{kind}");
    }
    assert_eq!(bpjs["outcomes_credited"], 1);
    let pemkot = org(&f.w, &report, "PEMKOT-PDG");
    assert_eq!(
        (pemkot["activities_total"].as_i64(), pemkot["monev"].as_i64(), pemkot["outcomes_credited"].as_i64()),
        (Some(2), Some(1), Some(0))
    );
    assert_eq!(org(&f.w, &report, "DINSOS-PDG")["outcomes_credited"], 1);
    assert_eq!(
        org(&f.w, &report, "RUMAH-BUMN-PDG")["activities_total"],
        1,
        "the cancelled X4 does not count"
    );
    assert_eq!(report["organizations"].as_array().unwrap().len(), 6);
    let components: Vec<(String, i64)> = report["cgr_components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["activities"].as_i64().unwrap() > 0)
        .map(|c| (c["cgr_component"].as_str().unwrap().to_string(), c["activities"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        components,
        [
            (s("deliberation"), 1),
            (s("trust"), 2),
            (s("shared_commitment"), 1),
            (s("knowledge"), 1),
            (s("resources"), 1)
        ]
    );
    assert_eq!(report["cgr_components"].as_array().unwrap().len(), 12);

    let other = f.w.token(&app, "bukittinggi", "bpjs_staff", Some(&f.w.orgs.bpjs_other)).await;
    let hidden = expect(app.read(&other, "/api/v1/reports/collaboration").await, 200).await;
    assert_eq!(pairs(&f.w, &hidden).len(), 5, "the pair through restricted B is left out");
    assert_eq!(org(&f.w, &hidden, "BPJSTK-PDG")["activities_total"], 4);
    assert!(
        hidden["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["organization_name"] != "Organization DAMKO")
    );

    let text = csv(&app, &f.w.admin, "/api/v1/reports/collaboration").await;
    assert!(text.starts_with("organization_a_id,organization_a_name,organization_b_id,organization_b_name,shared_agreements,joint_activities\n"));
    assert_eq!(text.lines().count(), 7);
    let text = csv(&app, &f.w.admin, "/api/v1/reports/collaboration?section=organizations").await;
    assert!(text.lines().next().unwrap().contains("coordination_meeting"), "{text}");
    let text = csv(&app, &f.w.admin, "/api/v1/reports/collaboration?section=cgr_components").await;
    assert!(text.contains("trust,2"));
});

backend_test!(the_follow_ups_report_groups_by_organization, fixed, |app| async move {
    let f = fixture(&app).await;
    let report = expect(app.read(&f.w.admin, "/api/v1/reports/follow-ups").await, 200).await;
    let orgs = report["organizations"].as_array().unwrap();
    assert_eq!(orgs.len(), 2);
    assert_eq!(label(&f.w, &orgs[0]["organization_id"]), "BPJSTK-PDG");
    assert_eq!(orgs[0]["open_action_items"].as_array().unwrap().len(), 1);
    assert_eq!(orgs[0]["open_action_items"][0]["overdue"], false);
    assert_eq!(orgs[0]["overdue_commitments"], json!([]));
    let dinsos = &orgs[1];
    assert_eq!(label(&f.w, &dinsos["organization_id"]), "DINSOS-PDG");
    assert_eq!(dinsos["open_action_items"][0]["due_on"], "2025-06-01");
    assert_eq!(dinsos["open_action_items"][0]["overdue"], true);
    assert_eq!(dinsos["overdue_commitments"][0]["title"], "Bayar iuran pekerja rentan");
    assert_eq!(dinsos["overdue_commitments"][0]["days_overdue"], 135);
    let text = csv(&app, &f.w.admin, "/api/v1/reports/follow-ups").await;
    assert_eq!(text.lines().count(), 4);
    assert!(text.contains(",commitment,") && text.contains(",135\n"), "{text}");
});

backend_test!(the_coverage_report_and_chart_show_padang, fixed, |app| async move {
    let w = World::new(&app).await;
    expect(
        send(&app, Method::PUT, "/api/v1/coverage", &w.admin, None, Some(json!({"rows": padang_rows()})))
            .await,
        200,
    )
    .await;
    let auditor = w.token(&app, "audit", "auditor", Some(&w.orgs.inspektorat)).await;
    let path = "/api/v1/reports/coverage?region=1371&from=2023&to=2024-06";
    let report = expect(app.read(&auditor, path).await, 200).await;
    let line = |v: &Value| {
        (
            v["period"].as_str().unwrap().to_string(),
            v["segment"].as_str().unwrap().to_string(),
            v["target"].as_i64().unwrap(),
            v["realization"].as_i64().unwrap(),
            v["achievement_pct"].as_f64().unwrap(),
            v["zone"].as_str().unwrap().to_string(),
        )
    };
    let rows: Vec<_> = report["rows"].as_array().unwrap().iter().map(line).collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        rows,
        [
            (s("2023"), s("pu"), 143_752, 125_944, 87.6, s("yellow")),
            (s("2023"), s("bpu"), 73_987, 55_086, 74.5, s("yellow")),
            (s("2023"), s("jakon"), 112_534, 101_950, 90.6, s("yellow")),
        ]
    );
    let totals: Vec<_> = report["totals"].as_array().unwrap().iter().map(line).collect();
    assert_eq!(totals.len(), 7);
    assert_eq!(totals[0], (s("2023"), s("total"), 330_273, 282_980, 85.7, s("yellow")));
    assert_eq!(totals[1], (s("2024-01"), s("total"), 17_582, 3_707, 21.1, s("red")));
    assert_eq!(totals[6], (s("2024-06"), s("total"), 105_491, 32_530, 30.8, s("red")));

    let text = csv(&app, &auditor, path).await;
    assert!(text.starts_with("period,segment,target,realization,achievement_pct,zone\n"), "{text}");
    assert!(text.contains("2023,bpu,73987,55086,74.5,yellow\n"));
    assert!(text.contains("2024-06,total,105491,32530,30.8,red\n"));
    assert_eq!(text.lines().count(), 11);

    let res = app.read(&auditor, "/api/v1/reports/coverage.svg?region=1371&from=2024").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/svg+xml");
    let svg = res.text().await.unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    for part in
        ["<title", "Target", "Realisasi", "2024-01", "2024-06", "30.8 %", "105.491", "Periode", "Peserta"]
    {
        assert!(svg.contains(part), "the chart shows {part}");
    }
    assert!(!svg.contains("<script"));
    assert_eq!(svg.matches("<rect x=").count(), 2 + 12, "two legend keys and two bars per month");
    let res = app.get("/api/v1/reports/coverage?to=2024-13").bearer_auth(&auditor).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let res = app.get("/api/v1/reports/coverage").send().await.unwrap();
    assert_eq!(res.status(), 401);
});
