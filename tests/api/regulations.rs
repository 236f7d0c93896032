//! Regulations: the legal instruments.

use serde_json::{Value, json};

use crate::helpers::{assert_problem, problem_fields};
use crate::organizations::{audit_of, delete, patch, read};

const REGS: &str = "/api/v1/regulations";

backend_test!(a_regulation_is_created_read_changed_and_deleted, |app| async move {
    let token = app.admin_token().await;
    let res = app
        .post_json(
            &token,
            REGS,
            &json!({
                "kind": "undang_undang", "number": "24", "year": 2011,
                "title": "Badan Penyelenggara Jaminan Sosial", "issuer": "Pemerintah Republik Indonesia",
                "enacted_on": "2011-11-25", "url": "https://peraturan.bpk.go.id/Details/39268"
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let uu: Value = res.json().await.unwrap();
    assert_eq!(location, format!("{REGS}/{}", uu["id"].as_str().unwrap()));
    assert_eq!(uu["status"], "enacted");
    assert_eq!(uu["enacted_on"], "2011-11-25");
    assert_eq!(uu["year"], 2011);

    let (read_back, etag) = read(&app, &token, &location).await;
    assert_eq!(read_back, uu);
    let res = patch(
        &app,
        &token,
        &location,
        None,
        json!({"summary": "Membentuk BPJS Kesehatan dan BPJS Ketenagakerjaan"}),
    )
    .await;
    assert_problem(res, 428).await;
    let res = patch(&app, &token, &location, Some("\"3\""), json!({"summary": "x"})).await;
    assert_problem(res, 412).await;
    let res =
        patch(&app, &token, &location, Some(&etag), json!({"summary": "Membentuk BPJS", "url": null})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["summary"], "Membentuk BPJS");
    assert_eq!(changed["url"], Value::Null);

    let res = delete(&app, &token, &location, None).await;
    assert_problem(res, 428).await;
    let res = delete(&app, &token, &location, Some("\"1\"")).await;
    assert_problem(res, 412).await;
    let res = delete(&app, &token, &location, Some("\"2\"")).await;
    assert_eq!(res.status(), 204);
    let res = app.get(&location).bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 404).await;
    let actions: Vec<String> =
        audit_of(&app, "regulation", uu["id"].as_str().unwrap()).into_iter().map(|e| e.0).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
});

backend_test!(kind_number_year_and_issuer_identify_a_regulation, |app| async move {
    let token = app.admin_token().await;
    app.create_regulation(&token, "peraturan_pemerintah", "85", 2013, "Hubungan antar lembaga").await;
    let body = json!({"kind": "peraturan_pemerintah", "number": "85", "year": 2013, "title": "Duplicate",
        "issuer": "PEMERINTAH REPUBLIK INDONESIA"});
    let res = app.post(REGS).bearer_auth(&token).json(&body).send().await.unwrap();
    let problem = assert_problem(res, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("85/2013"), "{problem}");
    // Another year, kind or issuer is another regulation.
    for (field, value) in
        [("year", json!(2012)), ("kind", json!("peraturan_presiden")), ("issuer", json!("Wali Kota Padang"))]
    {
        let mut other = body.clone();
        other[field] = value;
        let res = app.post(REGS).bearer_auth(&token).json(&other).send().await.unwrap();
        assert_eq!(res.status(), 201, "{field}");
    }
    // Changing one into a duplicate is refused too.
    let id = app.create_regulation(&token, "undang_undang", "40", 2004, "SJSN").await;
    let res = patch(
        &app,
        &token,
        &format!("{REGS}/{id}"),
        Some("\"1\""),
        json!({"kind": "peraturan_pemerintah", "number": "85", "year": 2013}),
    )
    .await;
    assert_problem(res, 409).await;
});

backend_test!(one_422_lists_every_bad_regulation_field, |app| async move {
    let token = app.admin_token().await;
    let res = app
        .post_json(
            &token,
            REGS,
            &json!({"number": " ", "year": 1800, "title": "x".repeat(501), "url": "peraturan.go.id",
            "status": "draft", "enacted_on": "2013-01-01"}),
        )
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        problem_fields(&problem),
        ["enacted_on", "enacted_on", "issuer", "kind", "number", "title", "url", "year"]
    );
    let res = app
        .post_json(
            &token,
            REGS,
            &json!({"kind": "perda", "number": "1", "year": 2020, "title": "t", "issuer": "i"}),
        )
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["kind"]);
    let res = app.post_json(&token, REGS, &json!({"kind": "other", "number": "1", "year": 2020, "title": "t", "issuer": "i", "enacted_on": "2020-13-01"})).await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["enacted_on"]);
    let res = app.post_json(&token, REGS, &json!({"kind": "other", "number": "1", "year": 2020, "title": "t", "issuer": "i", "enacted_on": "2999-01-01"})).await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["enacted_on", "enacted_on"]);
});

backend_test!(the_regulation_list_filters_by_kind_status_year_and_text, |app| async move {
    let token = app.admin_token().await;
    let uu24 = app
        .create_regulation(&token, "undang_undang", "24", 2011, "Badan Penyelenggara Jaminan Sosial")
        .await;
    let uu40 =
        app.create_regulation(&token, "undang_undang", "40", 2004, "Sistem Jaminan Sosial Nasional").await;
    let pp85 =
        app.create_regulation(&token, "peraturan_pemerintah", "85", 2013, "Hubungan antar lembaga").await;
    let res = app.post_json(&token, REGS, &json!({"kind": "peraturan_wali_kota", "number": "12", "year": 2025, "title": "Perlindungan pekerja rentan",
            "issuer": "Wali Kota Padang", "status": "draft"})).await;
    let perwako: Value = res.json().await.unwrap();
    let perwako = perwako["id"].as_str().unwrap().to_string();

    let ids = |query: String| {
        let (app, token) = (&app, token.clone());
        async move {
            let res = app.get(&format!("{REGS}{query}")).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), 200, "{query}");
            let body: Value = res.json().await.unwrap();
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(ids(String::new()).await, [uu24.as_str(), uu40.as_str(), pp85.as_str(), perwako.as_str()]);
    assert_eq!(ids("?kind=undang_undang".into()).await, [uu24.as_str(), uu40.as_str()]);
    assert_eq!(ids("?status=draft".into()).await, [perwako.as_str()]);
    assert_eq!(ids("?year=2013".into()).await, [pp85.as_str()]);
    assert_eq!(ids("?q=jaminan%20SOSIAL".into()).await, [uu24.as_str(), uu40.as_str()]);
    assert_eq!(ids("?q=wali%20kota".into()).await, [perwako.as_str()]);
    assert_eq!(ids("?q=85".into()).await, [pp85.as_str()]);
    assert_eq!(ids("?kind=undang_undang&year=2004".into()).await, [uu40.as_str()]);
    let res = app.get(&format!("{REGS}?status=lost")).bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 422).await;
    let res = app.get(&format!("{REGS}?year=abc")).bearer_auth(&token).send().await.unwrap();
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["year"]);
});

backend_test!(
    registry_editors_may_write_regulations_and_others_get_403_with_nothing_changed,
    |app| async move {
        let admin = app.admin_token().await;
        let home =
            app.create_org(&admin, "Disnakerin Kota Padang", "DISNAKERIN", "regional_agency", None).await;
        for (i, role) in ["bpjs_staff", "opd_staff"].iter().enumerate() {
            let token = app.user_token(&admin, &format!("user-{role}"), role, Some(&home)).await;
            let id = app
                .create_regulation(&token, "peraturan_menteri", &format!("{}", i + 1), 2020, "Permenaker")
                .await;
            let path = format!("{REGS}/{id}");
            let res = patch(&app, &token, &path, Some("\"1\""), json!({"summary": "edited"})).await;
            assert_eq!(res.status(), 200, "{role} edits");
            let res = delete(&app, &token, &path, Some("\"2\"")).await;
            assert_eq!(res.status(), 204, "{role} deletes");
        }
        let target = app.create_regulation(&admin, "undang_undang", "24", 2011, "BPJS").await;
        let path = format!("{REGS}/{target}");
        let (before, _) = read(&app, &admin, &path).await;
        for role in ["partner_staff", "auditor"] {
            let token = app.user_token(&admin, &format!("user-{role}"), role, Some(&home)).await;
            let res = app
                .post_json(
                    &token,
                    REGS,
                    &json!({"kind": "other", "number": "9", "year": 2020, "title": "t", "issuer": "i"}),
                )
                .await;
            assert_problem(res, 403).await;
            let res = patch(&app, &token, &path, Some("\"1\""), json!({"summary": "edited"})).await;
            assert_problem(res, 403).await;
            let res = delete(&app, &token, &path, Some("\"1\"")).await;
            assert_problem(res, 403).await;
            let (now, _) = read(&app, &token, &path).await;
            assert_eq!(now, before);
        }
        let res = app.get(&format!("{REGS}?kind=other")).bearer_auth(&admin).send().await.unwrap();
        let list: Value = res.json().await.unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), 0);
        assert_eq!(audit_of(&app, "regulation", &target).len(), 1);
    }
);
