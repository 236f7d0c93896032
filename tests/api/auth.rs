//! `/auth`: tokens that are refused, refresh rotation and reuse detection, logout, password change,
//! disabled users, and login throttling.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, SubsecRound, Utc};
use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sinergi::clock::Clock;
use sinergi::db::Id;
use sinergi::db::schema::{login_failures, refresh_tokens};

use crate::helpers::{ADMIN_PASSWORD, JWT_SECRET, TestApp, assert_problem, spawn_app_with};
use crate::support_users::USER_PASSWORD;

/// Logs in and answers the whole token response.
async fn login_session(app: &TestApp, username: &str, password: &str) -> Value {
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let text = res.text().await.unwrap();
    assert!(!text.contains("$argon2"));
    serde_json::from_str(&text).unwrap()
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post("/api/v1/auth/refresh").json(&json!({"refresh_token": token})).send().await.unwrap()
}

async fn me_status(app: &TestApp, access: &str) -> u16 {
    app.get("/api/v1/auth/me").bearer_auth(access).send().await.unwrap().status().as_u16()
}

async fn try_login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.post("/api/v1/auth/login")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

fn claims_for(sub: &str) -> Value {
    let now = Utc::now().timestamp();
    json!({"sub": sub, "role": "admin", "org": null, "iss": "sinergi", "aud": "sinergi-api",
        "iat": now, "nbf": now, "exp": now + 600, "jti": Id::new().to_string(), "epoch": 0})
}

fn mint(claims: &Value, alg: Algorithm, secret: &str) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

backend_test!(login_answers_an_access_and_a_refresh_token, |app| async move {
    let session = login_session(&app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(session["token_type"], "Bearer");
    assert_eq!(session["expires_in"], 900);
    let refresh_token = session["refresh_token"].as_str().unwrap();
    assert_eq!(URL_SAFE_NO_PAD.decode(refresh_token).unwrap().len(), 32);
    // The access token is an HS256 JWT with the claims the issue names.
    let access = session["access_token"].as_str().unwrap();
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(access.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(access.split('.').nth(1).unwrap()).unwrap()).unwrap();
    for claim in ["sub", "role", "org", "iss", "aud", "iat", "exp", "jti"] {
        assert!(claims.get(claim).is_some(), "{claim} in {claims}");
    }
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 900);
    // Only the hash is stored, and it lives 14 days.
    let stored: Vec<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)> = refresh_tokens::table
        .select((refresh_tokens::token_hash, refresh_tokens::issued_at, refresh_tokens::expires_at))
        .load(&mut app.connection())
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, refresh_token);
    assert_eq!(stored[0].0.len(), 64);
    assert_eq!(stored[0].2 - stored[0].1, Duration::days(14));
    assert_eq!(me_status(&app, access).await, 200);
    assert!(
        app.audit_rows().iter().any(|r| r.action == "login" && r.actor_username.as_deref() == Some("admin"))
    );
});

backend_test!(unknown_user_and_wrong_password_get_the_same_answer, |app| async move {
    let wrong = try_login(&app, "admin", "not-the-password").await;
    let unknown = try_login(&app, "nobody.here", "not-the-password").await;
    assert_eq!(wrong.headers()["www-authenticate"], "Bearer");
    let a = assert_problem(wrong, 401).await;
    let b = assert_problem(unknown, 401).await;
    assert_eq!(a, b);
    let failed: Vec<_> = app.audit_rows().into_iter().filter(|r| r.action == "login_failed").collect();
    assert_eq!(failed.len(), 2);
    assert!(failed[0].entity_id.is_some(), "the failure on a real account names it");
    assert_eq!(failed[1].entity_id, None);
    assert_eq!(failed[1].actor_username.as_deref(), Some("nobody.here"));
});

backend_test!(forged_expired_and_misaddressed_tokens_are_refused, |app| async move {
    let admin = app.admin_token().await;
    let me: Value =
        app.get("/api/v1/auth/me").bearer_auth(&admin).send().await.unwrap().json().await.unwrap();
    let sub = me["id"].as_str().unwrap();
    let good = claims_for(sub);
    // The minted token is right: the variants below differ in one thing each.
    assert_eq!(me_status(&app, &mint(&good, Algorithm::HS256, JWT_SECRET)).await, 200);

    let with = |field: &str, value: Value| {
        let mut c = good.clone();
        c[field] = value;
        c
    };
    let now = Utc::now().timestamp();
    let expired = json!({"iat": now - 1000, "nbf": now - 1000, "exp": now - 100});
    let mut expired_claims = good.clone();
    for (k, v) in expired.as_object().unwrap() {
        expired_claims[k] = v.clone();
    }
    let refused = [
        ("expired", mint(&expired_claims, Algorithm::HS256, JWT_SECRET)),
        ("not yet valid", mint(&with("nbf", json!(now + 3600)), Algorithm::HS256, JWT_SECRET)),
        ("another key", mint(&good, Algorithm::HS256, "another-secret-that-is-also-long-enough!!")),
        ("HS384 with the right key", mint(&good, Algorithm::HS384, JWT_SECRET)),
        ("wrong audience", mint(&with("aud", json!("someone-else")), Algorithm::HS256, JWT_SECRET)),
        ("wrong issuer", mint(&with("iss", json!("evil")), Algorithm::HS256, JWT_SECRET)),
        ("old epoch", mint(&with("epoch", json!(-1)), Algorithm::HS256, JWT_SECRET)),
        ("unknown user", mint(&with("sub", json!(Id::new().to_string())), Algorithm::HS256, JWT_SECRET)),
        ("no expiry", {
            let mut c = good.clone();
            c.as_object_mut().unwrap().remove("exp");
            mint(&c, Algorithm::HS256, JWT_SECRET)
        }),
        ("alg none", {
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
            let payload = URL_SAFE_NO_PAD.encode(good.to_string());
            format!("{header}.{payload}.")
        }),
        ("HS/RS confusion: an RS256 header on the HMAC-signed token", {
            let token = mint(&good, Algorithm::HS256, JWT_SECRET);
            let parts: Vec<&str> = token.split('.').collect();
            let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
            format!("{header}.{}.{}", parts[1], parts[2])
        }),
        ("tampered payload", {
            // A real token whose payload was changed to live longer: the signature no longer matches.
            let parts: Vec<&str> = admin.split('.').collect();
            let mut claims: Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
            claims["exp"] = json!(claims["exp"].as_i64().unwrap() + 3600);
            format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2])
        }),
        ("garbage", "a.b.c".to_string()),
    ];
    for (what, token) in refused {
        let res = app.get("/api/v1/auth/me").bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 401, "{what}");
        assert_eq!(res.headers()["www-authenticate"], "Bearer", "{what}");
        assert_problem(res, 401).await;
    }
});

backend_test!(an_access_token_expires_after_fifteen_minutes_by_the_servers_clock, |app| async move {
    // A server whose clock is 16 minutes ahead: a token issued now (by the real clock) is expired to it.
    let now = Utc::now().trunc_subsecs(6);
    let later = spawn_app_with(app.backend, Clock::Fixed(now + Duration::minutes(16)), |_| {}).await;
    let own = later.admin_token().await;
    assert_eq!(me_status(&later, &own).await, 200);
    let me: Value =
        later.get("/api/v1/auth/me").bearer_auth(&own).send().await.unwrap().json().await.unwrap();
    let mut claims = claims_for(me["id"].as_str().unwrap());
    claims["iat"] = json!(now.timestamp());
    claims["nbf"] = json!(now.timestamp());
    claims["exp"] = json!(now.timestamp() + 900);
    assert_eq!(me_status(&later, &mint(&claims, Algorithm::HS256, JWT_SECRET)).await, 401);
    // Issued 14 minutes ago by its clock, it still works.
    let recent = (now + Duration::minutes(2)).timestamp();
    claims["iat"] = json!(recent);
    claims["nbf"] = json!(recent);
    claims["exp"] = json!(recent + 900);
    assert_eq!(me_status(&later, &mint(&claims, Algorithm::HS256, JWT_SECRET)).await, 200);
});

backend_test!(refresh_rotates_and_a_reused_token_revokes_its_family, |app| async move {
    let first = login_session(&app, "admin", ADMIN_PASSWORD).await;
    let other_device = login_session(&app, "admin", ADMIN_PASSWORD).await;
    let r1 = first["refresh_token"].as_str().unwrap().to_string();

    let res = refresh(&app, &r1).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let second: Value = res.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(r1, r2);
    assert_eq!(me_status(&app, second["access_token"].as_str().unwrap()).await, 200);

    let third: Value = refresh(&app, &r2).await.json().await.unwrap();
    let r3 = third["refresh_token"].as_str().unwrap().to_string();

    // r1 again: someone kept a copy. Refused, and the whole family with it.
    assert_problem(refresh(&app, &r1).await, 401).await;
    assert_problem(refresh(&app, &r3).await, 401).await;
    assert_problem(refresh(&app, &r2).await, 401).await;
    let reuse: Vec<_> = app.audit_rows().into_iter().filter(|r| r.action == "refresh_reuse").collect();
    assert_eq!(reuse.len(), 1, "recorded once, when it was detected");
    // Another login's family is untouched.
    let res = refresh(&app, other_device["refresh_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);

    // Unknown, malformed and expired refresh tokens.
    assert_problem(refresh(&app, &URL_SAFE_NO_PAD.encode([7_u8; 32])).await, 401).await;
    assert_problem(refresh(&app, "").await, 401).await;
    let res = app.post("/api/v1/auth/refresh").json(&json!({})).send().await.unwrap();
    assert_problem(res, 422).await;
    let fresh = login_session(&app, "admin", ADMIN_PASSWORD).await;
    diesel::update(refresh_tokens::table)
        .set(refresh_tokens::expires_at.eq((Utc::now() - Duration::seconds(1)).naive_utc()))
        .execute(&mut app.connection())
        .unwrap();
    assert_problem(refresh(&app, fresh["refresh_token"].as_str().unwrap()).await, 401).await;
});

backend_test!(logout_ends_one_session_or_every_session, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("DISNAKERIN", None);
    app.create_user(&admin, "dewi", "opd_staff", Some(&org)).await;
    let a = login_session(&app, "dewi", USER_PASSWORD).await;
    let b = login_session(&app, "dewi", USER_PASSWORD).await;
    let c = login_session(&app, "dewi", USER_PASSWORD).await;
    let access_a = a["access_token"].as_str().unwrap();

    // Logging out needs a token, and says what to end.
    let res = app
        .post("/api/v1/auth/logout")
        .json(&json!({"refresh_token": a["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;
    let res = app.post("/api/v1/auth/logout").bearer_auth(access_a).json(&json!({})).send().await.unwrap();
    assert_problem(res, 422).await;

    // One session: a's family is revoked, b's is not.
    let res =
        app.post_json(access_a, "/api/v1/auth/logout", &json!({"refresh_token": a["refresh_token"]})).await;
    assert_eq!(res.status(), 204);
    assert_problem(refresh(&app, a["refresh_token"].as_str().unwrap()).await, 401).await;
    let b2: Value = refresh(&app, b["refresh_token"].as_str().unwrap()).await.json().await.unwrap();

    // Another user's refresh token is not ours to revoke.
    let res =
        app.post_json(&admin, "/api/v1/auth/logout", &json!({"refresh_token": b2["refresh_token"]})).await;
    assert_eq!(res.status(), 204);
    let b3: Value = refresh(&app, b2["refresh_token"].as_str().unwrap()).await.json().await.unwrap();

    // Everywhere: every refresh token and every access token of the user.
    let res = app
        .post_json(b3["access_token"].as_str().unwrap(), "/api/v1/auth/logout", &json!({"everywhere": true}))
        .await;
    assert_eq!(res.status(), 204);
    assert_problem(refresh(&app, b3["refresh_token"].as_str().unwrap()).await, 401).await;
    assert_problem(refresh(&app, c["refresh_token"].as_str().unwrap()).await, 401).await;
    assert_eq!(me_status(&app, c["access_token"].as_str().unwrap()).await, 401);
    assert_eq!(me_status(&app, b3["access_token"].as_str().unwrap()).await, 401);
    // A new login works.
    let d = login_session(&app, "dewi", USER_PASSWORD).await;
    assert_eq!(me_status(&app, d["access_token"].as_str().unwrap()).await, 200);
    let logouts = app.audit_rows().into_iter().filter(|r| r.action == "logout").count();
    assert_eq!(logouts, 3);
});

backend_test!(changing_ones_password_ends_every_other_session, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("BPJS", None);
    app.create_user(&admin, "yusuf", "bpjs_staff", Some(&org)).await;
    let a = login_session(&app, "yusuf", USER_PASSWORD).await;
    let b = login_session(&app, "yusuf", USER_PASSWORD).await;
    let access = a["access_token"].as_str().unwrap();
    let change = |current: &str, new: &str| {
        app.post("/api/v1/auth/password")
            .bearer_auth(access)
            .json(&json!({"current_password": current, "new_password": new}))
    };

    let res = change("wrong-current-password", "a-new-long-passphrase").send().await.unwrap();
    let body = assert_problem(res, 422).await;
    assert_eq!(body["errors"][0]["field"], "current_password");
    for bad in ["short", "password1234", "YUSUF", USER_PASSWORD] {
        let res = change(USER_PASSWORD, bad).send().await.unwrap();
        let body = assert_problem(res, 422).await;
        assert_eq!(body["errors"][0]["field"], "new_password", "{bad}");
    }
    let res = app
        .post("/api/v1/auth/password")
        .json(&json!({"current_password": USER_PASSWORD,
        "new_password": "a-new-long-passphrase"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401).await;

    let res = change(USER_PASSWORD, "a-new-long-passphrase").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(!text.contains("$argon2"));
    let fresh: Value = serde_json::from_str(&text).unwrap();

    // Every earlier session is over; the one answered works.
    assert_eq!(me_status(&app, access).await, 401);
    assert_eq!(me_status(&app, b["access_token"].as_str().unwrap()).await, 401);
    assert_problem(refresh(&app, a["refresh_token"].as_str().unwrap()).await, 401).await;
    assert_problem(refresh(&app, b["refresh_token"].as_str().unwrap()).await, 401).await;
    assert_eq!(me_status(&app, fresh["access_token"].as_str().unwrap()).await, 200);
    assert_eq!(refresh(&app, fresh["refresh_token"].as_str().unwrap()).await.status(), 200);
    assert_problem(try_login(&app, "yusuf", USER_PASSWORD).await, 401).await;
    login_session(&app, "yusuf", "a-new-long-passphrase").await;

    let rows = app.audit_rows();
    let event = rows.iter().find(|r| r.action == "password_change").unwrap();
    assert_eq!(event.actor_username.as_deref(), Some("yusuf"));
    for state in [&event.before_state, &event.after_state] {
        let state = state.as_deref().unwrap();
        assert!(!state.contains("argon2") && !state.contains("password_hash"), "{state}");
    }
    assert!(rows.iter().any(|r| r.action == "password_change_failed"));
});

backend_test!(a_disabled_users_refresh_tokens_stop_working, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("RUMAH-BUMN", None);
    let id = app.create_user(&admin, "hendra", "partner_staff", Some(&org)).await;
    let session = login_session(&app, "hendra", USER_PASSWORD).await;
    let res =
        app.patch_json(&admin, &format!("/api/v1/users/{id}"), "\"1\"", &json!({"status": "disabled"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(me_status(&app, session["access_token"].as_str().unwrap()).await, 401);
    assert_problem(refresh(&app, session["refresh_token"].as_str().unwrap()).await, 401).await;
    // Enabling the account again does not bring the old tokens back.
    let res =
        app.patch_json(&admin, &format!("/api/v1/users/{id}"), "\"2\"", &json!({"status": "active"})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(me_status(&app, session["access_token"].as_str().unwrap()).await, 401);
});

/// An app whose clock stands still, so that `Retry-After` is exact.
async fn frozen_app(app: &TestApp) -> (TestApp, chrono::DateTime<Utc>) {
    let now = Utc::now().trunc_subsecs(6);
    (spawn_app_with(app.backend, Clock::Fixed(now), |_| {}).await, now)
}

backend_test!(five_failures_for_a_username_throttle_it, |app| async move {
    let (app, now) = frozen_app(&app).await;
    let admin = app.admin_token().await;
    let org = app.insert_organization("DINSOS", None);
    app.create_user(&admin, "other.user", "opd_staff", Some(&org)).await;
    for _ in 0..5 {
        assert_problem(try_login(&app, "admin", "wrong-password-here").await, 401).await;
    }
    // Even the right password is refused now, until the oldest failure leaves the 15-minute window.
    let res = try_login(&app, "ADMIN", ADMIN_PASSWORD).await;
    assert_eq!(res.headers()["retry-after"], "900");
    assert_problem(res, 429).await;
    let throttled: Vec<_> = app.audit_rows().into_iter().filter(|r| r.action == "login_throttled").collect();
    assert_eq!(throttled.len(), 1);
    assert!(throttled[0].after_state.as_deref().unwrap().contains("\"by\":\"username\""));
    // Other usernames from the same address are not affected.
    app.login("other.user", USER_PASSWORD).await;

    // Failures that have left the window do not count; Retry-After follows the oldest that counts.
    diesel::delete(login_failures::table).execute(&mut app.connection()).unwrap();
    app.login("admin", ADMIN_PASSWORD).await;
    let at = |minutes_ago: i64| (now - Duration::minutes(minutes_ago)).naive_utc();
    let insert = |when| {
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::id.eq(Id::new()),
                login_failures::username.eq("admin"),
                login_failures::client_addr.eq("192.0.2.1"),
                login_failures::failed_at.eq(when),
            ))
            .execute(&mut app.connection())
            .unwrap();
    };
    for m in [20, 16, 10, 9, 8, 7] {
        insert(at(m));
    }
    // Four in the window: one more failure is allowed, then 429 until the one of 10 minutes ago leaves.
    assert_problem(try_login(&app, "admin", "wrong-password-here").await, 401).await;
    let res = try_login(&app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(res.headers()["retry-after"], "300");
    assert_problem(res, 429).await;
});

backend_test!(a_successful_login_clears_the_usernames_failures, |app| async move {
    for _ in 0..4 {
        assert_problem(try_login(&app, "admin", "wrong-password-here").await, 401).await;
    }
    app.admin_token().await;
    for _ in 0..4 {
        assert_problem(try_login(&app, "admin", "wrong-password-here").await, 401).await;
    }
    app.admin_token().await;
});

backend_test!(twenty_failures_from_one_address_throttle_it, |app| async move {
    let (app, _) = frozen_app(&app).await;
    for i in 0..20 {
        assert_problem(try_login(&app, &format!("guess.{i}"), "wrong-password-here").await, 401).await;
    }
    let res = try_login(&app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(res.headers()["retry-after"], "900");
    let body = assert_problem(res, 429).await;
    assert!(body["detail"].as_str().unwrap().contains("900"));
    let throttled: Vec<_> = app.audit_rows().into_iter().filter(|r| r.action == "login_throttled").collect();
    assert!(throttled[0].after_state.as_deref().unwrap().contains("\"by\":\"address\""));
});

backend_test!(forwarded_headers_count_only_when_trusted, |app| async move {
    let attempt = |app: &TestApp, i: usize| {
        app.post("/api/v1/auth/login")
            .header("X-Forwarded-For", format!("203.0.113.{i}"))
            .json(&json!({"username": format!("guess.{i}"), "password": "wrong-password-here"}))
            .send()
    };
    // By default the header is ignored: every attempt comes from 127.0.0.1.
    let (plain, now) = frozen_app(&app).await;
    for i in 0..20 {
        assert_problem(attempt(&plain, i).await.unwrap(), 401).await;
    }
    assert_problem(attempt(&plain, 99).await.unwrap(), 429).await;

    // Behind a trusted proxy each forwarded address is counted on its own.
    let proxied = spawn_app_with(app.backend, Clock::Fixed(now), |s| s.trust_forwarded = true).await;
    for i in 0..21 {
        assert_problem(attempt(&proxied, i).await.unwrap(), 401).await;
    }
    let addresses: Vec<String> =
        login_failures::table.select(login_failures::client_addr).load(&mut proxied.connection()).unwrap();
    assert!(addresses.contains(&"203.0.113.7".to_string()), "{addresses:?}");
});
