//! The messages of problems about request bodies: every value that does not parse is named in one 422,
//! an unknown enumeration value lists the allowed ones, and a problem in Bahasa Indonesia is Indonesian
//! throughout (no English of the JSON parser inside it). Also the terminate body's field names.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, problem_fields};
use crate::support_agreements::{World, expect, id, send};

/// Posts `body` as administrator in `lang` and answers the 422 problem.
async fn refused(app: &TestApp, token: &str, path: &str, lang: &str, body: Value) -> Value {
    let res = app
        .post(path)
        .bearer_auth(token)
        .header("Accept-Language", lang)
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_problem(res, 422).await
}

/// The message of the error about `field`.
fn message<'a>(problem: &'a Value, field: &str) -> &'a str {
    problem["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["field"] == field))
        .and_then(|e| e["message"].as_str())
        .unwrap_or_else(|| panic!("no error about {field}: {problem}"))
}

/// Words of serde's and chrono's English that must not appear in an Indonesian message.
const ENGLISH: [&str; 9] =
    ["unknown", "variant", "expected", "invalid", "input", "string", "integer", "parsing", "missing"];

fn assert_indonesian(problem: &Value) {
    let mut texts = vec![problem["detail"].as_str().unwrap_or_default().to_string()];
    for e in problem["errors"].as_array().into_iter().flatten() {
        texts.push(e["message"].as_str().unwrap_or_default().to_string());
    }
    for text in &texts {
        let lower = text.to_lowercase();
        let english: Vec<_> = ENGLISH.iter().filter(|w| lower.contains(*w)).collect();
        assert!(english.is_empty(), "English {english:?} in an Indonesian problem: {text:?} in {problem}");
    }
}

const KINDS: [&str; 14] = [
    "city_government",
    "regency_government",
    "regional_agency",
    "provincial_government",
    "ministry",
    "social_security_branch",
    "soe_forum",
    "perisai_agency",
    "employer",
    "association",
    "labour_union",
    "community_org",
    "financial_institution",
    "other",
];

backend_test!(an_unknown_enumeration_value_lists_the_allowed_values_in_both_languages, |app| async move {
    let admin = app.admin_token().await;
    let body = json!({"name": "Dinas Kominfo", "short_name": "KOMINFO", "kind": "castle"});

    let problem = refused(&app, &admin, "/api/v1/organizations", "en", body.clone()).await;
    assert_eq!(problem_fields(&problem), ["kind"]);
    let en = message(&problem, "kind");
    assert!(en.starts_with("unknown variant `castle`, expected one of "), "{en}");
    assert!(KINDS.iter().all(|k| en.contains(&format!("`{k}`"))), "{en}");

    let problem = refused(&app, &admin, "/api/v1/organizations", "id", body).await;
    assert_eq!(problem_fields(&problem), ["kind"]);
    assert_eq!(problem["detail"], "Permintaan berisi isian yang tidak valid.");
    let id = message(&problem, "kind");
    let allowed = KINDS.map(|k| format!("`{k}`")).join(", ");
    assert_eq!(id, format!("nilai `castle` tidak dikenal; nilai yang diizinkan: {allowed}"));
    assert_indonesian(&problem);
    assert_eq!(app.count_rows("organizations"), 0);
});

// Every value that does not parse is named in the one 422, not only the first one serde met; inside
// arrays and nested objects too.
backend_test!(every_value_that_does_not_parse_is_named_in_one_422, fixed, |app| async move {
    let w = World::new(&app).await;
    let organizations_before = app.count_rows("organizations");
    let body = json!({"name": "Dinas Kominfo", "short_name": "KOMINFO", "kind": "castle",
        "parent_id": "not-a-uuid", "email": 42});
    for lang in ["en", "id"] {
        let problem = refused(&app, &w.admin, "/api/v1/organizations", lang, body.clone()).await;
        assert_eq!(problem_fields(&problem), ["email", "kind", "parent_id"], "{problem}");
        if lang == "id" {
            assert_indonesian(&problem);
            assert_eq!(
                message(&problem, "parent_id"),
                "harus berupa UUID (contoh: 0190a5c4-8a5e-7c3b-9f1e-2d4c6b8a0e13)"
            );
            assert_eq!(message(&problem, "email"), "harus berupa teks, bukan bilangan bulat `42`");
        } else {
            assert!(message(&problem, "parent_id").starts_with("UUID parsing failed"), "{problem}");
            assert_eq!(message(&problem, "email"), "invalid type: integer `42`, expected a string");
        }
    }
    assert_eq!(app.count_rows("organizations"), organizations_before);

    // An agreement: a bad kind, two bad scopes, a bad party role and an impossible date.
    let mut body = w.pemkot_bpjs("NK/BAD/1");
    body["kind"] = json!("treaty");
    body["scopes"] = json!(["warfare", "budget", "magic"]);
    body["parties"][1]["role"] = json!("king");
    body["signed_on"] = json!("2021-02-30");
    let problem = refused(&app, &w.admin, "/api/v1/agreements", "id", body).await;
    assert_eq!(
        problem_fields(&problem),
        ["kind", "parties[1].role", "scopes[0]", "scopes[2]", "signed_on"],
        "{problem}"
    );
    assert_indonesian(&problem);
    assert!(
        message(&problem, "scopes[2]").starts_with("nilai `magic` tidak dikenal; nilai yang diizinkan: `")
    );
    assert!(message(&problem, "signed_on").starts_with("bukan tanggal atau waktu yang valid"), "{problem}");
    assert_eq!(app.count_rows("agreements"), 0);
});

// A value that does not parse hides no other bad field: the rules on the values that do parse (an empty
// `name`) are named in the same 422, on creates and on changes, and nothing is written.
backend_test!(a_bad_enumeration_and_a_broken_rule_are_one_422, fixed, |app| async move {
    let w = World::new(&app).await;
    let organizations_before = app.count_rows("organizations");
    let body = json!({"name": "", "short_name": "KOMINFO", "kind": "castle"});
    for lang in ["en", "id"] {
        let problem = refused(&app, &w.admin, "/api/v1/organizations", lang, body.clone()).await;
        assert_eq!(problem_fields(&problem), ["kind", "name"], "{problem}");
        if lang == "id" {
            assert_indonesian(&problem);
            assert_eq!(message(&problem, "name"), "wajib diisi");
            assert!(message(&problem, "kind").starts_with("nilai `castle` tidak dikenal"), "{problem}");
        }
    }
    assert_eq!(app.count_rows("organizations"), organizations_before);

    // A change: the organization keeps its name and version.
    let path = format!("/api/v1/organizations/{}", w.orgs.dinsos);
    let before = expect(app.read(&w.admin, &path).await, 200).await;
    let etag = format!("\"{}\"", before["version"]);
    let patch = json!({"name": " ", "kind": "castle", "website": "not a url"});
    let res = send(&app, Method::PATCH, &path, &w.admin, Some(&etag), Some(patch)).await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["kind", "name", "website"], "{problem}");
    assert_eq!(expect(app.read(&w.admin, &path).await, 200).await, before);

    // Stand-ins for the values that did not parse are not reported: two unknown scopes do not make the
    // scopes a duplicate; the empty title beside them is reported.
    let mut body = w.pemkot_bpjs("NK/BAD/2");
    body["scopes"] = json!(["warfare", "magic"]);
    body["title"] = json!("");
    let problem = refused(&app, &w.admin, "/api/v1/agreements", "en", body).await;
    assert_eq!(problem_fields(&problem), ["scopes[0]", "scopes[1]", "title"], "{problem}");
    assert_eq!(app.count_rows("agreements"), 0);

    // The refusals that come before validation still come first: staff of an organization that is not
    // a party changing a draft is 403, whatever its body.
    let draft = app.create_agreement(&w.admin, w.pemkot_bpjs("NK/OK/1")).await;
    let outsider =
        app.create_org(&w.admin, "Dinas Pariwisata Kota Solok", "DISPAR-SLK", "regional_agency", None).await;
    let clerk = w.token(&app, "clerk.dispar", "opd_staff", Some(&outsider)).await;
    let path = format!("/api/v1/agreements/{}", id(&draft));
    let etag = format!("\"{}\"", draft["version"]);
    let res =
        send(&app, Method::PATCH, &path, &clerk, Some(&etag), Some(json!({"title": "", "kind": "treaty"})))
            .await;
    assert_problem(res, 403).await;
});

backend_test!(bodies_that_are_not_json_or_have_unknown_fields_are_told_in_indonesian, |app| async move {
    let admin = app.admin_token().await;
    let post = |body: &'static str| {
        app.post("/api/v1/organizations")
            .bearer_auth(&admin)
            .header("Accept-Language", "id")
            .header("Content-Type", "application/json")
            .body(body)
            .send()
    };
    let problem = assert_problem(post(r#"{"name": "x", "colour": "red"}"#).await.unwrap(), 400).await;
    assert_eq!(problem["detail"], "Isi permintaan memuat isian yang tidak dikenal: `colour`");
    assert_indonesian(&problem);
    let problem = assert_problem(post(r#"{"name": "x",}"#).await.unwrap(), 400).await;
    assert_eq!(problem["detail"], "Isi permintaan bukan JSON yang valid (baris 1, kolom 14).");
    let problem = assert_problem(post(r#"{"name": "x"} {}"#).await.unwrap(), 400).await;
    assert_eq!(problem["detail"], "Isi permintaan bukan JSON yang valid (baris 1, kolom 15).");
    // In English the parser's own words stay.
    let res = app
        .post("/api/v1/organizations")
        .bearer_auth(&admin)
        .header("Content-Type", "application/json")
        .body(r#"{"name": "x", "colour": "red"}"#)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, 400).await;
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("unknown field `colour`"), "{detail}");
});

backend_test!(terminate_takes_termination_reason_and_still_reason, fixed, |app| async move {
    // The document shows the one name.
    let document: Value = app.get("/api-docs/openapi.json").send().await.unwrap().json().await.unwrap();
    let termination = &document["components"]["schemas"]["Termination"];
    let mut names: Vec<&str> =
        termination["properties"].as_object().expect("properties").keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["terminated_on", "termination_reason"], "{termination}");
    assert_eq!(termination["required"], json!(["terminated_on", "termination_reason"]), "{termination}");

    let w = World::new(&app).await;
    let terminate = |agreement: &Value| format!("/api/v1/agreements/{}/terminate", id(agreement));
    let first = app.active_agreement(&w, "NK/TR/1").await;
    let body = json!({"terminated_on": "2025-06-01", "termination_reason": "Masa kerja sama selesai"});
    let done =
        expect(send(&app, Method::POST, &terminate(&first), &w.admin, None, Some(body)).await, 200).await;
    assert_eq!(done["termination_reason"], "Masa kerja sama selesai");

    // The earlier name is an alias.
    let second = app.active_agreement(&w, "NK/TR/2").await;
    let body = json!({"terminated_on": "2025-06-02", "reason": "Digantikan perjanjian baru"});
    let done =
        expect(send(&app, Method::POST, &terminate(&second), &w.admin, None, Some(body)).await, 200).await;
    assert_eq!(done["status"], "terminated");
    assert_eq!(done["termination_reason"], "Digantikan perjanjian baru");
    let read = expect(app.read(&w.admin, &format!("/api/v1/agreements/{}", id(&second))).await, 200).await;
    assert_eq!(read["termination_reason"], "Digantikan perjanjian baru");

    // Both names at once: one field given twice.
    let third = app.active_agreement(&w, "NK/TR/3").await;
    let body = json!({"terminated_on": "2025-06-02", "reason": "a", "termination_reason": "b"});
    let problem = refused(&app, &w.admin, &terminate(&third), "id", body).await;
    assert_eq!(problem_fields(&problem), ["termination_reason"]);
    assert_eq!(
        message(&problem, "termination_reason"),
        "isian `termination_reason` muncul lebih dari sekali"
    );
    // A blank reason under either name is named by the field's name.
    for name in ["reason", "termination_reason"] {
        let body = json!({"terminated_on": "2025-06-02", name: "  "});
        let problem = refused(&app, &w.admin, &terminate(&third), "id", body).await;
        assert_eq!(problem_fields(&problem), ["termination_reason"], "{name}");
        assert_eq!(message(&problem, "termination_reason"), "wajib diisi");
    }
    let read = expect(app.read(&w.admin, &format!("/api/v1/agreements/{}", id(&third))).await, 200).await;
    assert_eq!(read["status"], "active");
});

backend_test!(a_query_parameter_that_does_not_parse_is_told_in_indonesian_too, |app| async move {
    let admin = app.admin_token().await;
    for (lang, expected) in [("id", "nilai yang diizinkan: `city_government`"), ("en", "city_government")] {
        let res = app
            .get("/api/v1/organizations?kind=nope")
            .bearer_auth(&admin)
            .header("Accept-Language", lang)
            .send()
            .await
            .expect("request");
        let problem = assert_problem(res, 422).await;
        assert_eq!(problem_fields(&problem), vec!["kind"]);
        assert!(message(&problem, "kind").contains(expected), "{lang}: {problem}");
        if lang == "id" {
            assert_indonesian(&problem);
        }
    }
});
