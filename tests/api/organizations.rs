//! Organizations: create, read, list with filters, change, delete, the hierarchy and the sector default.

use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use sinergi::db::schema::audit_events;

use crate::helpers::{TestApp, assert_problem, problem_fields};

const ORGS: &str = "/api/v1/organizations";

pub async fn read(app: &TestApp, token: &str, path: &str) -> (Value, String) {
    let res = app.get(path).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {path}");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    (res.json().await.unwrap(), etag)
}

pub async fn patch(
    app: &TestApp,
    token: &str,
    path: &str,
    etag: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut req = app.request(Method::PATCH, path).bearer_auth(token).json(&body);
    if let Some(etag) = etag {
        req = req.header("If-Match", etag);
    }
    req.send().await.unwrap()
}

pub async fn delete(app: &TestApp, token: &str, path: &str, etag: Option<&str>) -> reqwest::Response {
    let mut req = app.request(Method::DELETE, path).bearer_auth(token);
    if let Some(etag) = etag {
        req = req.header("If-Match", etag);
    }
    req.send().await.unwrap()
}

/// The audit events of one record, oldest first: (action, before, after).
pub fn audit_of(app: &TestApp, entity_type: &str, id: &str) -> Vec<(String, Option<Value>, Option<Value>)> {
    let mut conn = app.connection();
    audit_events::table
        .filter(audit_events::entity_type.eq(entity_type))
        .filter(audit_events::entity_id.eq(id))
        .order(audit_events::seq.asc())
        .select((audit_events::action, audit_events::before_state, audit_events::after_state))
        .load::<(String, Option<String>, Option<String>)>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|(a, b, c)| {
            (a, b.map(|b| serde_json::from_str(&b).unwrap()), c.map(|c| serde_json::from_str(&c).unwrap()))
        })
        .collect()
}

backend_test!(an_organization_is_created_with_location_etag_defaults_and_an_audit_event, |app| async move {
    let token = app.admin_token().await;
    let pemkot =
        app.create_org(&token, "Pemerintah Kota Padang", "PEMKOT-PDG", "city_government", None).await;
    let res = app
        .post_json(
            &token,
            ORGS,
            &json!({
                "name": "  Dinas Tenaga Kerja dan Perindustrian Kota Padang ",
                "short_name": "DISNAKERIN-PDG",
                "kind": "regional_agency",
                "parent_id": pemkot,
                "region_code": "1371",
                "address": "Jl. Bagindo Aziz Chan, Padang",
                "phone": "(0751) 123456",
                "email": "disnakerin@padang.go.id",
                "website": "https://disnakerin.padang.go.id",
                "notes": "OPD teknis ketenagakerjaan"
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(res.headers()["etag"], "\"1\"");
    let body: Value = res.json().await.unwrap();
    let id = body["id"].as_str().unwrap();
    assert_eq!(location, format!("{ORGS}/{id}"));
    assert_eq!(body["name"], "Dinas Tenaga Kerja dan Perindustrian Kota Padang");
    assert_eq!(body["kind"], "regional_agency");
    assert_eq!(body["sector"], "government");
    assert_eq!(body["status"], "active");
    assert_eq!(body["parent_id"], pemkot.as_str());
    assert_eq!(body["region_code"], "1371");
    assert_eq!(body["version"], 1);
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
    let me: Value =
        app.get("/api/v1/auth/me").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["created_by"], me["id"]);

    let (read_back, etag) = read(&app, &token, &location).await;
    assert_eq!(read_back, body);
    assert_eq!(etag, "\"1\"");

    let events = audit_of(&app, "organization", id);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, "create");
    assert_eq!(events[0].2.as_ref().unwrap()["short_name"], "DISNAKERIN-PDG");
});

backend_test!(the_sector_defaults_from_the_kind_unless_given, |app| async move {
    let token = app.admin_token().await;
    let cases = [
        ("city_government", "government"),
        ("regency_government", "government"),
        ("regional_agency", "government"),
        ("provincial_government", "government"),
        ("ministry", "government"),
        ("social_security_branch", "government"),
        ("soe_forum", "private"),
        ("perisai_agency", "private"),
        ("employer", "private"),
        ("financial_institution", "private"),
        ("association", "civil_society"),
        ("labour_union", "civil_society"),
        ("community_org", "civil_society"),
        ("other", "civil_society"),
    ];
    for (i, (kind, sector)) in cases.iter().enumerate() {
        let id = app.create_org(&token, &format!("Org {i}"), &format!("ORG-{i}"), kind, None).await;
        let (org, _) = read(&app, &token, &format!("{ORGS}/{id}")).await;
        assert_eq!(org["sector"], *sector, "kind {kind}");
    }
    let res = app
        .post_json(
            &token,
            ORGS,
            &json!({"name": "Koperasi", "short_name": "KOP", "kind": "other", "sector": "private"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["sector"], "private");
});

backend_test!(one_422_lists_every_bad_field, |app| async move {
    let token = app.admin_token().await;
    let res = app
        .post_json(
            &token,
            ORGS,
            &json!({
                "short_name": "   ",
                "kind": "employer",
                "parent_id": "01890000-0000-7000-8000-000000000000",
                "region_code": "9999",
                "phone": "call me",
                "email": "not-an-email",
                "website": "padang.go.id",
                "notes": "x".repeat(4001),
            }),
        )
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(
        problem_fields(&problem),
        ["email", "name", "notes", "parent_id", "phone", "region_code", "short_name", "website"]
    );

    // An unknown enumeration value names its field.
    let res = app.post_json(&token, ORGS, &json!({"name": "X", "short_name": "X", "kind": "castle"})).await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["kind"]);

    // Unknown fields are refused (nobody sets id or version).
    let res = app
        .post_json(&token, ORGS, &json!({"name": "X", "short_name": "X", "kind": "other", "version": 7}))
        .await;
    assert_problem(res, 400).await;

    let res = app.post(ORGS).bearer_auth(&token).body("{}").send().await.unwrap();
    assert_problem(res, 415).await;

    // Bahasa Indonesia on request.
    let res = app
        .post(ORGS)
        .bearer_auth(&token)
        .header("Accept-Language", "id")
        .json(&json!({"short_name": "X", "kind": "other"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem["errors"][0]["message"], "wajib diisi");
});

backend_test!(short_names_are_unique_whatever_the_case, |app| async move {
    let token = app.admin_token().await;
    app.create_org(
        &token,
        "BPJS Ketenagakerjaan Kantor Cabang Padang",
        "BPJSTK-PDG",
        "social_security_branch",
        None,
    )
    .await;
    let res = app
        .post_json(&token, ORGS, &json!({"name": "Another", "short_name": "bpjstk-pdg", "kind": "other"}))
        .await;
    let problem = assert_problem(res, 409).await;
    assert!(problem["detail"].as_str().unwrap().contains("bpjstk-pdg"), "{problem}");
});

backend_test!(reads_without_a_token_or_of_unknown_ids_fail, |app| async move {
    let token = app.admin_token().await;
    let res = app.get(ORGS).send().await.unwrap();
    assert_problem(res, 401).await;
    let res = app.read(&token, &format!("{ORGS}/01890000-0000-7000-8000-000000000000")).await;
    assert_problem(res, 404).await;
    let res = app.get(&format!("{ORGS}/not-a-uuid")).bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 404).await;
    let res = app.request(Method::PUT, ORGS).bearer_auth(&token).send().await.unwrap();
    let res_allow = res.headers()["allow"].to_str().unwrap().to_string();
    assert_problem(res, 405).await;
    assert_eq!(res_allow, "GET, POST");
});

backend_test!(a_patch_needs_if_match_and_changes_only_what_it_names, |app| async move {
    let token = app.admin_token().await;
    let id = app.create_org(&token, "Rumah BUMN Padang", "RB-PDG", "soe_forum", None).await;
    let path = format!("{ORGS}/{id}");
    let (before, etag) = read(&app, &token, &path).await;

    let res = patch(&app, &token, &path, None, json!({"phone": "0751 7654321"})).await;
    assert_problem(res, 428).await;
    let res = patch(&app, &token, &path, Some("\"7\""), json!({"phone": "0751 7654321"})).await;
    assert_problem(res, 412).await;
    let (unchanged, _) = read(&app, &token, &path).await;
    assert_eq!(unchanged, before);

    let res =
        patch(&app, &token, &path, Some(&etag), json!({"phone": "0751 7654321", "region_code": "1371"}))
            .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let after: Value = res.json().await.unwrap();
    assert_eq!(after["phone"], "0751 7654321");
    assert_eq!(after["region_code"], "1371");
    assert_eq!(after["name"], "Rumah BUMN Padang");
    assert_eq!(after["version"], 2);
    assert_ne!(after["updated_at"], before["updated_at"]);
    assert_eq!(after["created_at"], before["created_at"]);

    // null clears an optional field; a required one cannot be cleared.
    let res = patch(&app, &token, &path, Some("\"2\""), json!({"phone": null})).await;
    assert_eq!(res.status(), 200);
    let cleared: Value = res.json().await.unwrap();
    assert_eq!(cleared["phone"], Value::Null);
    let res = patch(&app, &token, &path, Some("\"3\""), json!({"name": null, "email": "x"})).await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["email", "name"]);

    // Changing the kind moves the sector with it unless the sector is given.
    let res = patch(&app, &token, &path, Some("\"3\""), json!({"kind": "community_org"})).await;
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["sector"], "civil_society");
    let res =
        patch(&app, &token, &path, Some("\"4\""), json!({"kind": "employer", "sector": "government"})).await;
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["sector"], "government");

    // A patch that changes nothing keeps the version.
    let res = patch(&app, &token, &path, Some("\"5\""), json!({"kind": "employer"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"5\"");

    let events = audit_of(&app, "organization", &id);
    let actions: Vec<_> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(actions, ["create", "update", "update", "update", "update"]);
    assert_eq!(events[1].1.as_ref().unwrap()["phone"], Value::Null);
    assert_eq!(events[1].2.as_ref().unwrap()["phone"], "0751 7654321");

    let res = patch(
        &app,
        &token,
        &format!("{ORGS}/01890000-0000-7000-8000-000000000000"),
        Some("\"1\""),
        json!({}),
    )
    .await;
    assert_problem(res, 404).await;
    let res = patch(&app, &token, &path, Some("\"5\""), json!({"short_name": "x", "id": id})).await;
    assert_problem(res, 400).await;
});

backend_test!(the_hierarchy_cannot_form_a_cycle, |app| async move {
    let token = app.admin_token().await;
    let pemkot = app.create_org(&token, "Pemerintah Kota Padang", "PEMKOT", "city_government", None).await;
    let dinas = app.create_org(&token, "Dinas Sosial", "DINSOS", "regional_agency", Some(&pemkot)).await;
    let bidang =
        app.create_org(&token, "Bidang Linjamsos", "LINJAMSOS", "regional_agency", Some(&dinas)).await;

    let path = format!("{ORGS}/{pemkot}");
    for parent in [&bidang, &dinas, &pemkot] {
        let res = patch(&app, &token, &path, Some("\"1\""), json!({"parent_id": parent})).await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(problem_fields(&problem), ["parent_id"]);
    }
    let (org, _) = read(&app, &token, &path).await;
    assert_eq!(org["parent_id"], Value::Null);
    assert_eq!(org["version"], 1);

    // Moving a branch elsewhere is fine.
    let prov = app
        .create_org(&token, "Pemerintah Provinsi Sumatera Barat", "PEMPROV", "provincial_government", None)
        .await;
    let res = patch(&app, &token, &path, Some("\"1\""), json!({"parent_id": prov})).await;
    assert_eq!(res.status(), 200);
    let res =
        patch(&app, &token, &format!("{ORGS}/{prov}"), Some("\"1\""), json!({"parent_id": bidang})).await;
    assert_problem(res, 422).await;
});

backend_test!(delete_refuses_while_others_refer_and_names_them, |app| async move {
    let token = app.admin_token().await;
    let pemkot = app.create_org(&token, "Pemerintah Kota Padang", "PEMKOT", "city_government", None).await;
    let dinas = app.create_org(&token, "Dinas Sosial", "DINSOS", "regional_agency", Some(&pemkot)).await;
    app.create_contact(&token, &pemkot, "Budi Santoso").await;
    app.create_user(&token, "pemkot-staff", "opd_staff", Some(&pemkot)).await;

    let path = format!("{ORGS}/{pemkot}");
    let res = delete(&app, &token, &path, Some("\"1\"")).await;
    let problem = assert_problem(res, 409).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("1 organizations under it"), "{detail}");
    assert!(detail.contains("1 contacts") && detail.contains("1 user accounts"), "{detail}");
    assert!(detail.contains("inactive"), "{detail}");
    read(&app, &token, &path).await;

    // Retiring instead works.
    let res = patch(&app, &token, &path, Some("\"1\""), json!({"status": "inactive"})).await;
    assert_eq!(res.status(), 200);

    let dinas_path = format!("{ORGS}/{dinas}");
    let res = delete(&app, &token, &dinas_path, None).await;
    assert_problem(res, 428).await;
    let res = delete(&app, &token, &dinas_path, Some("\"2\"")).await;
    assert_problem(res, 412).await;
    let res = delete(&app, &token, &dinas_path, Some("\"1\"")).await;
    assert_eq!(res.status(), 204);
    let res = app.get(&dinas_path).bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 404).await;
    let res = delete(&app, &token, &dinas_path, Some("\"1\"")).await;
    assert_problem(res, 404).await;
    let events = audit_of(&app, "organization", &dinas);
    assert_eq!(events.last().unwrap().0, "delete");
    assert_eq!(events.last().unwrap().1.as_ref().unwrap()["short_name"], "DINSOS");
});

backend_test!(the_list_filters_by_each_field_and_by_text, |app| async move {
    let token = app.admin_token().await;
    let pemkot =
        app.create_org(&token, "Pemerintah Kota Padang", "PEMKOT-PDG", "city_government", None).await;
    let disnaker = app
        .create_org(
            &token,
            "Dinas Tenaga Kerja dan Perindustrian",
            "DISNAKERIN",
            "regional_agency",
            Some(&pemkot),
        )
        .await;
    let dinsos = app.create_org(&token, "Dinas Sosial", "DINSOS", "regional_agency", Some(&pemkot)).await;
    let damko = app.create_org(&token, "PT. Damko Manggala Utama", "DAMKO", "perisai_agency", None).await;
    let percent = app.create_org(&token, "Koperasi 100% Maju_Jaya", "KOP-100", "other", None).await;
    let res = patch(
        &app,
        &token,
        &format!("{ORGS}/{dinsos}"),
        Some("\"1\""),
        json!({"status": "inactive", "region_code": "1371"}),
    )
    .await;
    assert_eq!(res.status(), 200);

    let ids = |body: Value| -> Vec<String> {
        body["items"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect()
    };
    let list = |query: &'static str| {
        let app = &app;
        let token = token.clone();
        async move {
            let res = app.get(&format!("{ORGS}{query}")).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), 200, "{query}");
            res.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(
        ids(list("").await),
        [pemkot.as_str(), disnaker.as_str(), dinsos.as_str(), damko.as_str(), percent.as_str()]
    );
    assert_eq!(ids(list("?kind=regional_agency").await), [disnaker.as_str(), dinsos.as_str()]);
    assert_eq!(ids(list("?sector=private").await), [damko.as_str()]);
    assert_eq!(ids(list("?sector=civil_society").await), [percent.as_str()]);
    assert_eq!(ids(list("?status=inactive").await), [dinsos.as_str()]);
    assert_eq!(ids(list("?region_code=1371").await), [dinsos.as_str()]);
    assert_eq!(ids(list("?kind=regional_agency&status=active").await), [disnaker.as_str()]);
    let by_parent = app.get(&format!("{ORGS}?parent_id={pemkot}")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(ids(by_parent.json().await.unwrap()), [disnaker.as_str(), dinsos.as_str()]);
    assert_eq!(ids(list("?q=dinas").await), [disnaker.as_str(), dinsos.as_str()]);
    assert_eq!(ids(list("?q=DAMKO").await), [damko.as_str()]);
    assert_eq!(ids(list("?q=pdg").await), [pemkot.as_str()]);
    assert_eq!(ids(list("?q=100%25").await), [percent.as_str()]);
    assert_eq!(ids(list("?q=o_j").await), Vec::<String>::new());
    assert_eq!(ids(list("?q=i%201").await), [percent.as_str()]);
    assert_eq!(ids(list("?q=U_j").await), [percent.as_str()]);
    assert_eq!(ids(list("?q=%25").await), [percent.as_str()]);

    let res = app.get(&format!("{ORGS}?kind=castle")).bearer_auth(&token).send().await.unwrap();
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["kind"]);
    let res = app.get(&format!("{ORGS}?parent_id=nope")).bearer_auth(&token).send().await.unwrap();
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["parent_id"]);
    let res = app.get(&format!("{ORGS}?limit=201")).bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 422).await;
    let res = app.get(&format!("{ORGS}?cursor=garbage")).bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 422).await;
});

backend_test!(
    registry_editors_may_write_organizations_and_others_get_403_with_nothing_changed,
    |app| async move {
        let admin = app.admin_token().await;
        let home = app
            .create_org(
                &admin,
                "BPJS Ketenagakerjaan Kantor Cabang Padang",
                "BPJSTK-PDG",
                "social_security_branch",
                None,
            )
            .await;
        for role in ["bpjs_staff", "opd_staff"] {
            let token = app.user_token(&admin, &format!("user-{role}"), role, Some(&home)).await;
            let id = app
                .create_org(&token, &format!("Created by {role}"), &format!("BY-{role}"), "employer", None)
                .await;
            let path = format!("{ORGS}/{id}");
            let res = patch(&app, &token, &path, Some("\"1\""), json!({"notes": "edited"})).await;
            assert_eq!(res.status(), 200, "{role} edits");
            let res = delete(&app, &token, &path, Some("\"2\"")).await;
            assert_eq!(res.status(), 204, "{role} deletes");
        }
        let target =
            app.create_org(&admin, "PT. Damko Manggala Utama", "DAMKO", "perisai_agency", None).await;
        let path = format!("{ORGS}/{target}");
        let (before, _) = read(&app, &admin, &path).await;
        for role in ["partner_staff", "auditor"] {
            let token = app.user_token(&admin, &format!("user-{role}"), role, Some(&target)).await;
            let res = app
                .post_json(
                    &token,
                    ORGS,
                    &json!({"name": "Nope", "short_name": format!("NOPE-{role}"), "kind": "other"}),
                )
                .await;
            assert_problem(res, 403).await;
            // Not even their own organization.
            let res = patch(&app, &token, &path, Some("\"1\""), json!({"notes": "edited"})).await;
            assert_problem(res, 403).await;
            let res = delete(&app, &token, &path, Some("\"1\"")).await;
            assert_problem(res, 403).await;
            // They may read.
            let (now, _) = read(&app, &token, &path).await;
            assert_eq!(now, before);
            let res = app.get(ORGS).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), 200);
        }
        assert_eq!(crate::conventions::count_orgs(&app, "NOPE-partner_staff"), 0);
        assert_eq!(crate::conventions::count_orgs(&app, "NOPE-auditor"), 0);
        assert_eq!(audit_of(&app, "organization", &target).len(), 1);
    }
);

// The request bodies of the registry and of accounts state in the OpenAPI document every limit their
// validation applies, with the same numbers.
api_test!(the_request_schemas_state_the_limits_the_validation_applies, async {
    use sinergi::auth::password::{MAX_LENGTH, MIN_LENGTH};
    use sinergi::http::validate::{MAX_EMAIL, MAX_URL};
    use sinergi::{
        contacts::model as c, organizations::model as o, regulations::model as r, users::model as u,
    };

    let doc: Value = serde_json::from_str(&sinergi::openapi::document_json()).unwrap();
    let max = "maxLength";
    let rules: &[(&[&str], &str, &str, usize)] = &[
        (&["NewOrganization", "OrganizationPatch"], "name", max, o::MAX_NAME),
        (&["NewOrganization", "OrganizationPatch"], "short_name", max, o::MAX_SHORT_NAME),
        (&["NewOrganization", "OrganizationPatch"], "region_code", max, o::MAX_REGION_CODE),
        (&["NewOrganization", "OrganizationPatch"], "address", max, o::MAX_ADDRESS),
        (&["NewOrganization", "OrganizationPatch", "NewContact", "ContactPatch"], "email", max, MAX_EMAIL),
        (&["NewOrganization", "OrganizationPatch"], "website", max, MAX_URL),
        (&["NewOrganization", "OrganizationPatch"], "notes", max, o::MAX_NOTES),
        (&["NewContact", "ContactPatch"], "full_name", max, c::MAX_NAME),
        (&["NewContact", "ContactPatch"], "position", max, c::MAX_POSITION),
        (&["NewContact", "ContactPatch"], "notes", max, c::MAX_NOTES),
        (&["NewRegulation", "RegulationPatch"], "number", max, r::MAX_NUMBER),
        (&["NewRegulation", "RegulationPatch"], "title", max, r::MAX_TITLE),
        (&["NewRegulation", "RegulationPatch"], "issuer", max, r::MAX_ISSUER),
        (&["NewRegulation", "RegulationPatch"], "summary", max, r::MAX_SUMMARY),
        (&["NewRegulation", "RegulationPatch"], "url", max, MAX_URL),
        (&["NewRegulation", "RegulationPatch"], "year", "minimum", r::FIRST_YEAR as usize),
        (&["NewUser"], "username", "minLength", u::MIN_USERNAME),
        (&["NewUser"], "username", max, u::MAX_USERNAME),
        (&["NewUser", "UserPatch"], "full_name", max, u::MAX_FULL_NAME),
        (&["NewUser", "UserPatch"], "email", max, MAX_EMAIL),
        (&["NewUser", "UserPatch"], "password", "minLength", MIN_LENGTH),
        (&["NewUser", "UserPatch"], "password", max, MAX_LENGTH),
        (&["PasswordChange"], "new_password", "minLength", MIN_LENGTH),
        (&["PasswordChange"], "new_password", max, MAX_LENGTH),
    ];
    for (schemas, field, key, value) in rules {
        for schema in *schemas {
            let stated = &doc["components"]["schemas"][schema]["properties"][field][key];
            assert_eq!(stated, &json!(value), "{schema}.{field}.{key}");
        }
    }
});
