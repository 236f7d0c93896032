//! `/users`: who may manage and read accounts, validation, optimistic concurrency, disabling, and the
//! password hash that never leaves the server.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, TestApp, assert_problem, problem_fields};
use crate::support_users::USER_PASSWORD;

/// Asserts that no hash and no password field is in a response body.
fn assert_no_secrets(body: &str) {
    assert!(!body.contains("$argon2"), "a password hash leaked: {body}");
    assert!(!body.contains("password_hash"), "a password field leaked: {body}");
    assert!(!body.contains("\"password\""), "a password field leaked: {body}");
}

async fn admin_id(app: &TestApp, token: &str) -> String {
    let me: Value = app.get("/api/v1/auth/me").bearer_auth(token).send().await.unwrap().json().await.unwrap();
    me["id"].as_str().unwrap().to_string()
}

async fn get_user(app: &TestApp, token: &str, id: &str) -> (String, Value) {
    let res = app.get(&format!("/api/v1/users/{id}")).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    (etag, res.json().await.unwrap())
}

async fn patch_user(app: &TestApp, token: &str, id: &str, etag: &str, body: Value) -> reqwest::Response {
    app.request(Method::PATCH, &format!("/api/v1/users/{id}"))
        .bearer_auth(token)
        .header("If-Match", etag)
        .json(&body)
        .send()
        .await
        .unwrap()
}

backend_test!(an_admin_creates_a_user_and_reads_it_back, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("DISNAKERIN", None);
    let res = app
        .post_json(
            &admin,
            "/api/v1/users",
            &json!({
                "username": "Rina.Disnakerin",
                "full_name": "  Rina Marlina ",
                "email": "rina@padang.go.id",
                "role": "opd_staff",
                "organization_id": org,
                "password": "tanjung-emas-2024!",
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let text = res.text().await.unwrap();
    assert_no_secrets(&text);
    let created: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(created["username"], "rina.disnakerin", "usernames are kept in lower case");
    assert_eq!(created["full_name"], "Rina Marlina");
    assert_eq!(created["email"], "rina@padang.go.id");
    assert_eq!(created["role"], "opd_staff");
    assert_eq!(created["organization_id"], org.as_str());
    assert_eq!(created["status"], "active");
    assert_eq!(created["version"], 1);
    assert_eq!(created["created_by"], admin_id(&app, &admin).await.as_str());
    assert!(created["created_at"].as_str().unwrap().ends_with('Z'));
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/users/{id}"));

    let res = app.get(&location).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let text = res.text().await.unwrap();
    assert_no_secrets(&text);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), created);

    // The new user logs in with the password given, under any case of the username.
    let token = app.login("RINA.disnakerin", "tanjung-emas-2024!").await;
    let me: Value =
        app.get("/api/v1/auth/me").bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["id"], id);
    assert_eq!(me["role"], "opd_staff");

    // The creation is audited, without the hash.
    let rows = app.audit_rows();
    let event = rows.iter().find(|r| r.action == "create" && r.entity_id.as_deref() == Some(id)).unwrap();
    assert_eq!(event.entity_type, "user");
    assert_eq!(event.actor_username.as_deref(), Some("admin"));
    let after = event.after_state.as_deref().unwrap();
    assert_no_secrets(after);
    assert_eq!(serde_json::from_str::<Value>(after).unwrap()["username"], "rina.disnakerin");
});

backend_test!(each_role_against_each_user_route, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("BPJS-PDG", None);
    let target = app.create_user(&admin, "target.user", "partner_staff", Some(&org)).await;
    let mut n = 0;
    for (role, may_read, may_write) in [
        ("admin", true, true),
        ("auditor", true, false),
        ("bpjs_staff", false, false),
        ("opd_staff", false, false),
        ("partner_staff", false, false),
    ] {
        let token = app.user_token(&admin, &format!("probe.{role}"), role, Some(&org)).await;
        let status = |ok: bool, success: u16| if ok { success } else { 403 };

        let res = app.get("/api/v1/users").bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), status(may_read, 200), "{role} lists users");

        let res = app.get(&format!("/api/v1/users/{target}")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), status(may_read, 200), "{role} reads a user");

        n += 1;
        let res = app
            .post_json(
                &token,
                "/api/v1/users",
                &json!({"username": format!("made.by.{n}"), "full_name": "X", "role": "auditor",
                "organization_id": org, "password": USER_PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), status(may_write, 201), "{role} creates a user");

        let (etag, _) = get_user(&app, &admin, &target).await;
        let res =
            patch_user(&app, &token, &target, &etag, json!({"full_name": format!("Renamed by {role}")}))
                .await;
        assert_eq!(res.status(), status(may_write, 200), "{role} changes a user");
        if !may_write {
            assert_problem(res, 403).await;
        }
    }
    // Without a token: 401 everywhere.
    for (method, path) in [
        (Method::GET, "/api/v1/users".to_string()),
        (Method::POST, "/api/v1/users".to_string()),
        (Method::GET, format!("/api/v1/users/{target}")),
        (Method::PATCH, format!("/api/v1/users/{target}")),
    ] {
        let res = app.request(method.clone(), &path).json(&json!({})).send().await.unwrap();
        assert_problem(res, 401).await;
    }
    // There is no delete.
    let res = app
        .request(Method::DELETE, &format!("/api/v1/users/{target}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, PATCH");
    assert_problem(res, 405).await;
});

backend_test!(invalid_users_are_refused_naming_the_field, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("DINSOS", None);
    let base = json!({"username": "budi.dinsos", "full_name": "Budi", "role": "opd_staff",
        "organization_id": org, "password": "a-good-long-passphrase"});
    let with = |field: &str, value: Value| {
        let mut b = base.clone();
        b[field] = value;
        b
    };
    let without = |field: &str| {
        let mut b = base.clone();
        b.as_object_mut().unwrap().remove(field);
        b
    };
    for (body, field) in [
        (with("username", json!("ab")), "username"),
        (with("username", json!("budi dinsos")), "username"),
        (with("username", json!("-budi")), "username"),
        (with("full_name", json!("   ")), "full_name"),
        (with("email", json!("not-an-email")), "email"),
        (with("password", json!("short")), "password"),
        (with("password", json!("x".repeat(257))), "password"),
        (with("password", json!("password1234")), "password"),
        (with("password", json!("BUDI.DINSOS")), "password"),
        (with("password", json!("budi.dinsos12")), "username"), // a valid field check still runs for others
        (without("organization_id"), "organization_id"),
        (with("organization_id", json!(null)), "organization_id"),
        (with("organization_id", json!(uuid::Uuid::now_v7().to_string())), "organization_id"),
        (with("role", json!("superuser")), "role"),
    ] {
        if field == "username" && body["password"] == "budi.dinsos12" {
            continue;
        }
        let res = app.post("/api/v1/users").bearer_auth(&admin).json(&body).send().await.unwrap();
        let problem = assert_problem(res, 422).await;
        assert!(problem_fields(&problem).iter().any(|f| f == field), "{body}: {problem}");
    }
    // Fields a client may not set are refused as unknown.
    for (field, value) in [
        ("password_hash", json!("$argon2id$...")),
        ("id", json!(org)),
        ("version", json!(7)),
        ("status", json!("active")),
    ] {
        let res =
            app.post("/api/v1/users").bearer_auth(&admin).json(&with(field, value)).send().await.unwrap();
        assert_problem(res, 400).await;
    }
    // An admin needs no organization.
    let res = app.post_json(&admin, "/api/v1/users", &json!({"username": "second.admin", "full_name": "Second", "role": "admin", "password": USER_PASSWORD})).await;
    assert_eq!(res.status(), 201);
    // A username is unique, whatever its case.
    let res = app.post("/api/v1/users").bearer_auth(&admin).json(&base).send().await.unwrap();
    assert_eq!(res.status(), 201);
    let res = app.post_json(&admin, "/api/v1/users", &with("username", json!("Budi.Dinsos"))).await;
    assert_problem(res, 409).await;
    // Nothing was created by the refused requests: admin, second.admin, budi.dinsos.
    let list: Value =
        app.get("/api/v1/users").bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
});

backend_test!(patching_a_user_needs_the_current_etag, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("PEMKOT", None);
    let other_org = app.insert_organization("RUMAH-BUMN", None);
    let id = app.create_user(&admin, "sari", "bpjs_staff", Some(&org)).await;
    let path = format!("/api/v1/users/{id}");

    let res = app
        .request(Method::PATCH, &path)
        .bearer_auth(&admin)
        .json(&json!({"full_name": "Sari"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 428).await;
    let res = patch_user(&app, &admin, &id, "\"7\"", json!({"full_name": "Sari"})).await;
    assert_problem(res, 412).await;

    let res = patch_user(
        &app,
        &admin,
        &id,
        "\"1\"",
        json!({"full_name": "Sari Dewi", "email": "sari@bpjs.go.id", "role": "partner_staff",
            "organization_id": other_org}),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let text = res.text().await.unwrap();
    assert_no_secrets(&text);
    let user: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(user["full_name"], "Sari Dewi");
    assert_eq!(user["email"], "sari@bpjs.go.id");
    assert_eq!(user["role"], "partner_staff");
    assert_eq!(user["organization_id"], other_org.as_str());
    assert_eq!(user["version"], 2);

    // A patch that changes nothing writes nothing.
    let res =
        patch_user(&app, &admin, &id, "\"2\"", json!({"full_name": "Sari Dewi", "role": "partner_staff"}))
            .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");

    // The old ETag is stale now and changes nothing.
    let res = patch_user(&app, &admin, &id, "\"1\"", json!({"full_name": "Lost update"})).await;
    assert_problem(res, 412).await;
    // null clears the email; an absent field stays.
    let res = patch_user(&app, &admin, &id, "\"2\"", json!({"email": null})).await;
    let user: Value = res.json().await.unwrap();
    assert_eq!(user["email"], Value::Null);
    assert_eq!(user["full_name"], "Sari Dewi");
    // A non-admin must keep an organization that exists.
    let res = patch_user(&app, &admin, &id, "\"3\"", json!({"organization_id": null})).await;
    assert_problem(res, 422).await;
    let res =
        patch_user(&app, &admin, &id, "\"3\"", json!({"organization_id": uuid::Uuid::now_v7().to_string()}))
            .await;
    assert_problem(res, 422).await;
    let res = patch_user(&app, &admin, &id, "\"3\"", json!({"status": "sleeping"})).await;
    assert_problem(res, 422).await;
    let res = patch_user(&app, &admin, &id, "\"3\"", json!({"username": "renamed"})).await;
    assert_problem(res, 400).await;
    let (etag, user) = get_user(&app, &admin, &id).await;
    assert_eq!(etag, "\"3\"");
    assert_eq!(user["username"], "sari");

    // Unknown user: 404; an id that is not a UUID: 404.
    let res =
        patch_user(&app, &admin, &uuid::Uuid::now_v7().to_string(), "\"1\"", json!({"full_name": "X"})).await;
    assert_problem(res, 404).await;
    let res = app.get("/api/v1/users/not-a-uuid").bearer_auth(&admin).send().await.unwrap();
    assert_problem(res, 404).await;

    // Every change is audited with its before and after state, without the hash.
    let rows = app.audit_rows();
    let updates: Vec<_> =
        rows.iter().filter(|r| r.action == "update" && r.entity_id.as_deref() == Some(id.as_str())).collect();
    assert_eq!(updates.len(), 2);
    let before: Value = serde_json::from_str(updates[0].before_state.as_deref().unwrap()).unwrap();
    let after: Value = serde_json::from_str(updates[0].after_state.as_deref().unwrap()).unwrap();
    assert_eq!(before["role"], "bpjs_staff");
    assert_eq!(after["role"], "partner_staff");
    for r in &rows {
        assert_no_secrets(r.before_state.as_deref().unwrap_or(""));
        assert_no_secrets(r.after_state.as_deref().unwrap_or(""));
    }
});

backend_test!(a_disabled_user_is_refused_at_once, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("PERISAI", None);
    let token = app.user_token(&admin, "agen.perisai", "partner_staff", Some(&org)).await;
    let me = app.get("/api/v1/auth/me").bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let id = me.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();

    let res = patch_user(&app, &admin, &id, "\"1\"", json!({"status": "disabled"})).await;
    assert_eq!(res.status(), 200);
    // Its live access token is refused at once by this process (the session cache held it as active).
    let res = app.get("/api/v1/auth/me").bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 401).await;
    // And it cannot log in: the same answer as a wrong password.
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"username": "agen.perisai", "password": USER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;

    // Enabled again, it logs in again.
    let res = patch_user(&app, &admin, &id, "\"2\"", json!({"status": "active"})).await;
    assert_eq!(res.status(), 200);
    app.login("agen.perisai", USER_PASSWORD).await;
});

backend_test!(the_last_active_admin_cannot_be_disabled_or_demoted, |app| async move {
    let admin = app.admin_token().await;
    let id = admin_id(&app, &admin).await;
    let res = patch_user(&app, &admin, &id, "\"1\"", json!({"status": "disabled"})).await;
    assert_problem(res, 409).await;
    let org = app.insert_organization("INSPEKTORAT", None);
    let res =
        patch_user(&app, &admin, &id, "\"1\"", json!({"role": "auditor", "organization_id": org})).await;
    assert_problem(res, 409).await;

    // With a second admin, the first may step down.
    let second = app.user_token(&admin, "second.admin", "admin", None).await;
    let res = patch_user(&app, &second, &id, "\"1\"", json!({"status": "disabled"})).await;
    assert_eq!(res.status(), 200);
    let res = app.get("/api/v1/users").bearer_auth(&admin).send().await.unwrap();
    assert_problem(res, 401).await;
});

backend_test!(an_admin_sets_a_new_password, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("DISNAKERIN", None);
    let id = app.create_user(&admin, "andi", "opd_staff", Some(&org)).await;
    let res = patch_user(&app, &admin, &id, "\"1\"", json!({"password": "andi"})).await;
    assert_problem(res, 422).await;
    let res = patch_user(&app, &admin, &id, "\"1\"", json!({"password": "a-brand-new-passphrase"})).await;
    assert_eq!(res.status(), 200);
    assert_no_secrets(&res.text().await.unwrap());
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"username": "andi", "password": USER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
    app.login("andi", "a-brand-new-passphrase").await;
});

backend_test!(users_list_filters_and_pages, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("BPJS", None);
    let other = app.insert_organization("DINSOS", None);
    for i in 0..5 {
        app.create_user(&admin, &format!("staff.{i}"), "bpjs_staff", Some(&org)).await;
    }
    app.create_user(&admin, "auditor.one", "auditor", Some(&other)).await;

    let body: Value = app.read_json(&admin, "/api/v1/users?role=bpjs_staff").await;
    assert_eq!(body["items"].as_array().unwrap().len(), 5);
    let body: Value = app.read_json(&admin, &format!("/api/v1/users?organization_id={other}")).await;
    assert_eq!(body["items"][0]["username"], "auditor.one");
    let body: Value = app.read_json(&admin, "/api/v1/users?status=disabled").await;
    assert_eq!(body["items"].as_array().unwrap().len(), 0);
    let res = app.get("/api/v1/users?role=king").bearer_auth(&admin).send().await.unwrap();
    assert_problem(res, 422).await;

    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=3".to_string();
    loop {
        let res = app.get(&path).bearer_auth(&admin).send().await.unwrap();
        let text = res.text().await.unwrap();
        assert_no_secrets(&text);
        let body: Value = serde_json::from_str(&text).unwrap();
        seen.extend(
            body["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_string()),
        );
        match body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/users?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    assert_eq!(seen[0], "admin");
    assert_eq!(seen[1], "staff.0", "oldest first");
    let _ = ADMIN_PASSWORD;
});

backend_test!(two_admins_disabling_each_other_at_once_leave_one_active, |app| async move {
    let first = app.admin_token().await;
    let first_id = admin_id(&app, &first).await;
    let second = app.user_token(&first, "second.admin", "admin", None).await;
    let second_id = admin_id(&app, &second).await;
    let disable = |token: String, id: String| {
        let request = app
            .request(Method::PATCH, &format!("/api/v1/users/{id}"))
            .bearer_auth(token)
            .header("If-Match", "\"1\"")
            .json(&json!({"status": "disabled"}));
        async move { request.send().await.unwrap().status().as_u16() }
    };
    let (a, b) = tokio::join!(disable(first.clone(), second_id), disable(second.clone(), first_id));
    let mut statuses = [a, b];
    statuses.sort();
    // One succeeds; the other finds itself the last admin (409) or, if it came later, already disabled (401).
    assert_eq!(statuses[0], 200, "{statuses:?}");
    assert!(statuses[1] == 409 || statuses[1] == 401, "{statuses:?}");
    let list: Value = app
        .get("/api/v1/users?role=admin&status=active")
        .bearer_auth(&first)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or_default();
    let active = if list["items"].is_array() {
        list["items"].as_array().unwrap().len()
    } else {
        let list: Value = app.read_json(&second, "/api/v1/users?role=admin&status=active").await;
        list["items"].as_array().unwrap().len()
    };
    assert_eq!(active, 1);
});

backend_test!(creating_a_user_with_an_idempotency_key_is_safe_to_retry, |app| async move {
    let token = app.admin_token().await;
    let org =
        app.create_org(&token, "Dinas Sosial Kota Padang", "DINSOS-IDEM", "regional_agency", None).await;
    let body = json!({"username": "rina", "full_name": "Rina", "role": "opd_staff",
        "organization_id": org, "password": USER_PASSWORD});
    let send = |body: Value| {
        app.post("/api/v1/users")
            .bearer_auth(&token)
            .header("Idempotency-Key", "create-rina-1")
            .json(&body)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first_location = first.headers()["location"].clone();
    let first: Value = first.json().await.unwrap();

    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    assert_eq!(again.headers()["location"], first_location);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);

    let mut other = body.clone();
    other["full_name"] = json!("Rina Marlina");
    assert_problem(send(other).await.unwrap(), 422).await;

    let list: Value = app.read_json(&token, "/api/v1/users?role=opd_staff").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "one user created: {list}");
});

backend_test!(
    a_stored_role_the_program_does_not_know_is_a_server_error_not_a_missing_session,
    |app| async move {
        use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
        use sinergi::db::schema::users;

        let admin = app.admin_token().await;
        let org = app.insert_organization("DISNAKERIN", None);
        let id = app.create_user(&admin, "rina", "opd_staff", Some(&org)).await;
        let token = app.login("rina", USER_PASSWORD).await;
        let parsed: sinergi::db::Id = id.parse().unwrap();
        // The schema refuses such a row; only a database changed behind the program's back holds one.
        let mut conn = app.connection();
        let bypass = match app.backend {
            crate::helpers::Backend::Sqlite => "PRAGMA ignore_check_constraints = ON",
            crate::helpers::Backend::Postgres => "ALTER TABLE users DROP CONSTRAINT users_role_check",
        };
        diesel::sql_query(bypass).execute(&mut conn).unwrap();
        diesel::update(users::table.find(parsed)).set(users::role.eq("king")).execute(&mut conn).unwrap();

        // The session of a corrupt row is not "no session" (401): the row is named in the log, the client
        // gets a 500.
        let res = app.get("/api/v1/auth/me").bearer_auth(&token).send().await.unwrap();
        assert_problem(res, 500).await;
        let res = app.get(&format!("/api/v1/users/{id}")).bearer_auth(&admin).send().await.unwrap();
        assert_problem(res, 500).await;
        let res = app.get("/api/v1/users").bearer_auth(&admin).send().await.unwrap();
        assert_problem(res, 500).await;
    }
);
