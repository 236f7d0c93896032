//! Contacts: the people of an organization.

use serde_json::{Value, json};

use crate::helpers::{assert_problem, problem_fields};
use crate::organizations::{audit_of, delete, patch, read};

backend_test!(contacts_are_created_listed_changed_and_deleted, |app| async move {
    let token = app.admin_token().await;
    let org = app
        .create_org(&token, "Dinas Tenaga Kerja dan Perindustrian", "DISNAKERIN", "regional_agency", None)
        .await;
    let other = app.create_org(&token, "Dinas Sosial", "DINSOS", "regional_agency", None).await;
    let list_path = format!("/api/v1/organizations/{org}/contacts");

    let res = app
        .post_json(
            &token,
            &list_path,
            &json!({"full_name": " Budi Santoso ", "position": "Kepala Bidang", "phone": "+62 812 6600 1234",
            "email": "budi@padang.go.id"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let budi: Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/contacts/{}", budi["id"].as_str().unwrap()));
    assert_eq!(budi["full_name"], "Budi Santoso");
    assert_eq!(budi["organization_id"], org.as_str());
    let siti = app.create_contact(&token, &org, "Siti Rahma").await;
    app.create_contact(&token, &other, "Andi").await;

    let res = app.get(&list_path).bearer_auth(&token).send().await.unwrap();
    let list: Value = res.json().await.unwrap();
    let names: Vec<_> = list["items"].as_array().unwrap().iter().map(|c| c["full_name"].clone()).collect();
    assert_eq!(names, [json!("Budi Santoso"), json!("Siti Rahma")]);
    let res = app.get(&format!("{list_path}?q=KEPALA")).bearer_auth(&token).send().await.unwrap();
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let res = app.get(&format!("{list_path}?limit=1")).bearer_auth(&token).send().await.unwrap();
    let list: Value = res.json().await.unwrap();
    assert!(list["next_cursor"].is_string());

    let (read_back, etag) = read(&app, &token, &location).await;
    assert_eq!(read_back, budi);
    let res = patch(&app, &token, &location, None, json!({"position": "Sekretaris Dinas"})).await;
    assert_problem(res, 428).await;
    let res = patch(&app, &token, &location, Some("\"9\""), json!({"position": "Sekretaris Dinas"})).await;
    assert_problem(res, 412).await;
    let res =
        patch(&app, &token, &location, Some(&etag), json!({"position": "Sekretaris Dinas", "phone": null}))
            .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["position"], "Sekretaris Dinas");
    assert_eq!(changed["phone"], Value::Null);
    let res = patch(&app, &token, &location, Some("\"2\""), json!({"organization_id": other})).await;
    assert_problem(res, 400).await;
    let res = patch(
        &app,
        &token,
        &location,
        Some("\"2\""),
        json!({"full_name": "", "email": "budi@", "phone": "12"}),
    )
    .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["email", "full_name", "phone"]);

    let siti_path = format!("/api/v1/contacts/{siti}");
    let res = delete(&app, &token, &siti_path, None).await;
    assert_problem(res, 428).await;
    let res = delete(&app, &token, &siti_path, Some("\"2\"")).await;
    assert_problem(res, 412).await;
    let res = delete(&app, &token, &siti_path, Some("\"1\"")).await;
    assert_eq!(res.status(), 204);
    let res = app.get(&siti_path).bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 404).await;

    let actions: Vec<String> =
        audit_of(&app, "contact", budi["id"].as_str().unwrap()).into_iter().map(|e| e.0).collect();
    assert_eq!(actions, ["create", "update"]);
    let siti_events = audit_of(&app, "contact", &siti);
    assert_eq!(siti_events.last().unwrap().0, "delete");
    assert_eq!(siti_events.last().unwrap().1.as_ref().unwrap()["full_name"], "Siti Rahma");
});

backend_test!(contacts_of_an_unknown_organization_are_404_and_bad_fields_422, |app| async move {
    let token = app.admin_token().await;
    let unknown = "/api/v1/organizations/01890000-0000-7000-8000-000000000000/contacts";
    let res = app.get(unknown).bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 404).await;
    let res = app.post(unknown).bearer_auth(&token).json(&json!({"full_name": "X"})).send().await.unwrap();
    assert_problem(res, 404).await;

    let org = app.create_org(&token, "Rumah BUMN Padang", "RB-PDG", "soe_forum", None).await;
    let res = app
        .post_json(
            &token,
            &format!("/api/v1/organizations/{org}/contacts"),
            &json!({"position": "x".repeat(201), "email": "nope", "website": "x"}),
        )
        .await;
    assert_problem(res, 400).await;
    let res = app
        .post_json(
            &token,
            &format!("/api/v1/organizations/{org}/contacts"),
            &json!({"position": "x".repeat(201), "email": "nope"}),
        )
        .await;
    let problem = assert_problem(res, 422).await;
    assert_eq!(problem_fields(&problem), ["email", "full_name", "position"]);
    let res = app.read(&token, "/api/v1/contacts/01890000-0000-7000-8000-000000000000").await;
    assert_problem(res, 404).await;
});

backend_test!(partner_staff_keep_only_their_own_organizations_contacts, |app| async move {
    let admin = app.admin_token().await;
    let own = app.create_org(&admin, "PT. Damko Manggala Utama", "DAMKO", "perisai_agency", None).await;
    let other = app.create_org(&admin, "Rumah BUMN Padang", "RB-PDG", "soe_forum", None).await;
    let partner = app.user_token(&admin, "partner", "partner_staff", Some(&own)).await;

    // Their own organization: create, change, delete.
    let mine = app.create_contact(&partner, &own, "Rina").await;
    let mine_path = format!("/api/v1/contacts/{mine}");
    let res = patch(&app, &partner, &mine_path, Some("\"1\""), json!({"position": "Direktur"})).await;
    assert_eq!(res.status(), 200);
    let res = delete(&app, &partner, &mine_path, Some("\"2\"")).await;
    assert_eq!(res.status(), 204);

    // Another organization's contact: 403, and it stays as it was.
    let theirs = app.create_contact(&admin, &other, "Hendra").await;
    let theirs_path = format!("/api/v1/contacts/{theirs}");
    let (before, _) = read(&app, &admin, &theirs_path).await;
    let res = patch(&app, &partner, &theirs_path, Some("\"1\""), json!({"full_name": "Hacked"})).await;
    assert_problem(res, 403).await;
    let res = delete(&app, &partner, &theirs_path, Some("\"1\"")).await;
    assert_problem(res, 403).await;
    let res = app
        .post_json(
            &partner,
            &format!("/api/v1/organizations/{other}/contacts"),
            &json!({"full_name": "Intruder"}),
        )
        .await;
    assert_problem(res, 403).await;
    let (after, _) = read(&app, &admin, &theirs_path).await;
    assert_eq!(after, before);
    let res = app.read(&partner, &format!("/api/v1/organizations/{other}/contacts")).await;
    let list: Value = res.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "readable, and nothing was added");
    assert_eq!(audit_of(&app, "contact", &theirs).len(), 1);
});

backend_test!(registry_editors_keep_any_contacts_and_auditors_none, |app| async move {
    let admin = app.admin_token().await;
    let home = app.create_org(&admin, "Disnakerin Kota Padang", "DISNAKERIN", "regional_agency", None).await;
    let other = app.create_org(&admin, "Rumah BUMN Padang", "RB-PDG", "soe_forum", None).await;
    for role in ["bpjs_staff", "opd_staff"] {
        let token = app.user_token(&admin, &format!("user-{role}"), role, Some(&home)).await;
        let id = app.create_contact(&token, &other, &format!("Contact by {role}")).await;
        let path = format!("/api/v1/contacts/{id}");
        let res = patch(&app, &token, &path, Some("\"1\""), json!({"notes": "edited"})).await;
        assert_eq!(res.status(), 200, "{role} edits");
        let res = delete(&app, &token, &path, Some("\"2\"")).await;
        assert_eq!(res.status(), 204, "{role} deletes");
    }
    let auditor = app.user_token(&admin, "auditor", "auditor", Some(&home)).await;
    let contact = app.create_contact(&admin, &home, "Budi").await;
    let path = format!("/api/v1/contacts/{contact}");
    let (before, _) = read(&app, &auditor, &path).await;
    let res = app
        .post_json(&auditor, &format!("/api/v1/organizations/{home}/contacts"), &json!({"full_name": "X"}))
        .await;
    assert_problem(res, 403).await;
    let res = patch(&app, &auditor, &path, Some("\"1\""), json!({"notes": "edited"})).await;
    assert_problem(res, 403).await;
    let res = delete(&app, &auditor, &path, Some("\"1\"")).await;
    assert_problem(res, 403).await;
    // A role that may keep no contact learns nothing of one that does not exist either.
    let missing = format!("/api/v1/contacts/{}", sinergi::db::Id::new());
    let res = delete(&app, &auditor, &missing, Some("\"1\"")).await;
    assert_problem(res, 403).await;
    let (after, _) = read(&app, &auditor, &path).await;
    assert_eq!(after, before);
});
