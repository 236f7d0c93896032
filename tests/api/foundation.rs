//! Health, documentation, the error model and the first resource (regions).

use serde_json::{Value, json};

use crate::helpers::assert_problem;

backend_test!(healthz_answers_without_a_token, |app| async move {
    let res = app.get("/healthz").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
});

// Item 8 of the hardening: authenticated answers are not cached, nothing names the server software, and
// no response may be sniffed into another type.
backend_test!(authenticated_answers_carry_the_security_headers, |app| async move {
    let token = app.admin_token().await;
    for path in ["/api/v1/regions", "/api/v1/auth/me", "/api/v1/does-not-exist"] {
        let res = app.get(path).bearer_auth(&token).send().await.unwrap();
        let headers = res.headers();
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(!headers.contains_key("server"), "{path} names the server: {headers:?}");
    }
});

backend_test!(readyz_answers_while_the_database_does, |app| async move {
    let res = app.get("/readyz").send().await.unwrap();
    assert_eq!(res.status(), 200);
});

backend_test!(metrics_count_requests_by_route_and_status, |app| async move {
    app.get("/healthz").send().await.unwrap();
    let res = app.get("/metrics").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/healthz\""), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"), "{text}");
});

backend_test!(a_client_request_id_is_echoed, |app| async move {
    let res = app.get("/healthz").header("X-Request-Id", "abc-123").send().await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
});

backend_test!(openapi_document_and_docs_are_served, |app| async move {
    let res = app.get("/api-docs/openapi.json").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc: Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/v1/regions"].is_object());
    let expected: Value = serde_json::from_str(&sinergi::openapi::document_json()).unwrap();
    assert_eq!(doc, expected);

    let res = app.get("/docs/").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("swagger"));
});

backend_test!(regions_list_west_sumatra_and_its_19_regencies_and_cities, |app| async move {
    let token = app.admin_token().await;
    let res = app.get("/api/v1/regions?limit=200").bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(body["next_cursor"], Value::Null);
    assert_eq!(
        items[0],
        json!({"code": "13", "name": "Sumatera Barat", "kind": "province", "parent_code": null})
    );
    let padang = items.iter().find(|r| r["code"] == "1371").unwrap();
    assert_eq!(padang["name"], "Padang");
    assert_eq!(padang["kind"], "city");
    assert_eq!(items.iter().filter(|r| r["kind"] == "regency").count(), 12);
    assert_eq!(items.iter().filter(|r| r["kind"] == "city").count(), 7);

    let res = app.get("/api/v1/regions?kind=city").bearer_auth(&token).send().await.unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 7);
});

backend_test!(regions_page_by_cursor_with_a_link_header, |app| async move {
    let token = app.admin_token().await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/regions?limit=6".to_string();
    let mut pages = 0;
    loop {
        let res = app.get(&path).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let link = res.headers().get("link").map(|v| v.to_str().unwrap().to_string());
        let body: Value = res.json().await.unwrap();
        pages += 1;
        seen.extend(
            body["items"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap().to_string()),
        );
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                let link = link.expect("a Link header beside next_cursor");
                assert!(link.ends_with("rel=\"next\""), "{link}");
                assert!(link.contains(cursor), "{link}");
                let next = link.trim_start_matches('<').split('>').next().unwrap().to_string();
                assert!(next.contains("limit=6"), "{next}");
                path = next;
            }
            None => {
                assert!(link.is_none());
                break;
            }
        }
    }
    assert_eq!(pages, 4);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "each region once, in code order");
    assert_eq!(seen.len(), 20);
});

backend_test!(a_region_by_code, |app| async move {
    let token = app.admin_token().await;
    let res = app.get("/api/v1/regions/1303").bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "Solok");
    assert_eq!(body["kind"], "regency");

    let res = app.get("/api/v1/regions/9999").bearer_auth(&token).send().await.unwrap();
    assert_problem(res, 404).await;
});

backend_test!(bad_list_parameters_are_422, |app| async move {
    let token = app.admin_token().await;
    for query in [
        "limit=201",
        "limit=0",
        "limit=abc",
        "limit=99999999999999999999",
        "cursor=not-a-cursor",
        "kind=planet",
    ] {
        let res = app.get(&format!("/api/v1/regions?{query}")).bearer_auth(&token).send().await.unwrap();
        let body = assert_problem(res, 422).await;
        assert!(body["errors"].is_array(), "{query}: {body}");
    }
});

backend_test!(no_token_is_401_with_www_authenticate, |app| async move {
    let res = app.get("/api/v1/regions").send().await.unwrap();
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_problem(res, 401).await;

    let res = app.get("/api/v1/regions").bearer_auth("not-a-jwt").send().await.unwrap();
    assert_problem(res, 401).await;
});

backend_test!(unknown_route_is_a_404_problem, |app| async move {
    let res = app.get("/api/v1/nothing-here").send().await.unwrap();
    assert_problem(res, 404).await;
    let res = app.get("/no/such/page").send().await.unwrap();
    assert_problem(res, 404).await;
});

backend_test!(wrong_method_is_405_with_allow, |app| async move {
    let res = app.request(reqwest::Method::DELETE, "/api/v1/regions").send().await.unwrap();
    assert_eq!(res.headers()["allow"], "GET");
    assert_problem(res, 405).await;

    let res = app.get("/api/v1/auth/login").send().await.unwrap();
    assert_eq!(res.headers()["allow"], "POST");
    assert_problem(res, 405).await;
});

backend_test!(problems_speak_bahasa_indonesia_when_asked, |app| async move {
    let res =
        app.get("/api/v1/regions").header("Accept-Language", "id-ID,id;q=0.9,en;q=0.5").send().await.unwrap();
    assert_eq!(res.headers()["content-language"], "id");
    let body = assert_problem(res, 401).await;
    assert_eq!(body["title"], "Perlu autentikasi");

    let res = app.get("/nowhere").header("Accept-Language", "id").send().await.unwrap();
    let body = assert_problem(res, 404).await;
    assert_eq!(body["title"], "Tidak ditemukan");

    let res = app.get("/api/v1/regions").send().await.unwrap();
    let body = assert_problem(res, 401).await;
    assert_eq!(body["title"], "Authentication required");
});

backend_test!(malformed_json_is_400, |app| async move {
    let res = app
        .post("/api/v1/auth/login")
        .header("Content-Type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400).await;

    let res = app
        .post("/api/v1/auth/login")
        .header("Content-Type", "application/json")
        .body(vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'])
        .send()
        .await
        .unwrap();
    assert_problem(res, 400).await;
});

backend_test!(unknown_fields_are_400, |app| async move {
    let res = app
        .post("/api/v1/auth/login")
        .json(&json!({"username": "admin", "password": "x", "role": "admin"}))
        .send()
        .await
        .unwrap();
    let body = assert_problem(res, 400).await;
    assert!(body["detail"].as_str().unwrap().contains("role"), "{body}");
});

backend_test!(wrong_types_are_422_naming_the_field, |app| async move {
    let res =
        app.post("/api/v1/auth/login").json(&json!({"username": 42, "password": "x"})).send().await.unwrap();
    let body = assert_problem(res, 422).await;
    assert_eq!(body["errors"][0]["field"], "username");
});

backend_test!(bodies_over_one_mib_are_413, |app| async move {
    let big = format!("{{\"username\": \"{}\", \"password\": \"x\"}}", "a".repeat(1024 * 1024 + 10));
    let res = app
        .post("/api/v1/auth/login")
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_problem(res, 413).await;
});

backend_test!(a_body_that_is_not_json_is_415, |app| async move {
    let res = app
        .post("/api/v1/auth/login")
        .header("Content-Type", "text/plain")
        .body("username=admin")
        .send()
        .await
        .unwrap();
    assert_problem(res, 415).await;

    let res = app.post("/api/v1/auth/login").body("{}").send().await.unwrap();
    assert_problem(res, 415).await;
});

backend_test!(request_headers_over_32_kib_are_431, |app| async move {
    let res = app.get("/healthz").header("X-Padding", "a".repeat(33 * 1024)).send().await.unwrap();
    assert_problem(res, 431).await;

    let mut req = app.get("/api/v1/regions");
    for i in 0..10 {
        req = req.header(format!("x-padding-{i}"), "b".repeat(4 * 1024));
    }
    let res = req.header("Accept-Language", "id").send().await.unwrap();
    let body = assert_problem(res, 431).await;
    assert_eq!(body["title"], "Header permintaan terlalu besar");

    let res = app.get("/healthz").header("X-Padding", "c".repeat(16 * 1024)).send().await.unwrap();
    assert_eq!(res.status(), 200);
});

backend_test!(cors_is_off_unless_origins_are_configured, |app| async move {
    let res = app.get("/healthz").header("Origin", "https://portal.example.org").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(!res.headers().contains_key("access-control-allow-origin"));
});

api_test!(cors_admits_only_the_configured_origins, async {
    use crate::helpers::{Backend, spawn_app_with};
    let allowed = "https://portal.example.org";
    let app = spawn_app_with(Backend::Sqlite, sinergi::clock::Clock::System, |s| {
        s.cors_origins = vec![allowed.to_string()];
    })
    .await;

    let res = app.get("/healthz").header("Origin", allowed).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], allowed);

    let res = app
        .request(reqwest::Method::OPTIONS, "/api/v1/regions")
        .header("Origin", allowed)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "preflight: {}", res.status());
    assert_eq!(res.headers()["access-control-allow-origin"], allowed);

    let res = app.get("/healthz").header("Origin", "https://elsewhere.example.net").send().await.unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));
});
