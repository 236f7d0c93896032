//! A write that a role may never make is refused (403) before anything else happens: before the body is
//! parsed (a bad body is not reported) and before the record is looked up (an existing and a missing
//! record answer alike). The routes come from the OpenAPI document, so a new write route is covered
//! without an edit here.

use reqwest::Method;
use serde_json::json;
use sinergi::db::Id;

use crate::helpers::{TestApp, assert_problem};

/// The caller's own session, calendar feed, notices, mutes and notification settings: any signed-in user
/// (or nobody, for login) may send these.
const OPEN: &[&str] = &[
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
    "/api/v1/auth/password",
    "/api/v1/auth/calendar-feed",
    "/api/v1/auth/notification-settings",
    "/api/v1/notifications/{id}/read",
    "/api/v1/notifications/read-all",
    "/api/v1/notifications/mutes",
    "/api/v1/notifications/mutes/{subject_id}",
];

/// Every (method, path template) that writes, from the OpenAPI document.
fn write_routes() -> Vec<(Method, String)> {
    let doc = serde_json::to_value(sinergi::openapi::document()).expect("the OpenAPI document");
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["post", "put", "patch", "delete"] {
            if item.get(method).is_some() && !OPEN.contains(&path.as_str()) {
                routes.push((
                    Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"),
                    path.clone(),
                ));
            }
        }
    }
    routes
}

/// `template` with every `{…}` replaced by a fresh id, which names no record.
fn concrete(template: &str) -> String {
    let mut path = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        path.push_str(&rest[..start]);
        path.push_str(&Id::new().to_string());
        rest = rest[start..].split_once('}').map(|(_, after)| after).unwrap_or("");
    }
    path + rest
}

async fn refused_everywhere(app: &TestApp, token: &str, routes: &[(Method, String)]) {
    let before = app.table_counts();
    for (method, template) in routes {
        let path = concrete(template);
        // A body that no route accepts: were it parsed, the answer would be 400 or 422.
        let bad = app
            .request(method.clone(), &path)
            .bearer_auth(token)
            .header("If-Match", "\"1\"")
            .json(&json!({"no_such_field": [1, 2, 3], "title": ""}))
            .send()
            .await
            .expect("request");
        assert_eq!(bad.status(), 403, "{method} {template} with a bad body");
        assert_problem(bad, 403).await;
        // Nor is the media type looked at.
        let text = app
            .request(method.clone(), &path)
            .bearer_auth(token)
            .header("Content-Type", "text/plain")
            .body("nonsense")
            .send()
            .await
            .expect("request");
        assert_eq!(text.status(), 403, "{method} {template} with a text/plain body");
    }
    assert_eq!(app.table_counts(), before, "a refused write changed a table");
}

backend_test!(an_auditor_s_write_is_403_before_its_body_or_record_is_looked_at, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("INSPEKTORAT", None);
    let auditor = app.user_token(&admin, "inspektur", "auditor", Some(&org)).await;
    let routes = write_routes();
    assert!(routes.len() >= 25, "the document lists {} write routes", routes.len());
    refused_everywhere(&app, &auditor, &routes).await;
});

backend_test!(
    a_partner_s_agreement_or_registry_write_is_403_before_anything_is_looked_at,
    |app| async move {
        let admin = app.admin_token().await;
        let org = app.insert_organization("PERISAI-X", None);
        let partner = app.user_token(&admin, "perisai.x", "partner_staff", Some(&org)).await;
        // What partner staff may never do: edit agreements, amendments and commitments (they only report
        // progress), the registry apart from their own contacts, users and coverage.
        let never: Vec<(Method, String)> = write_routes()
            .into_iter()
            .filter(|(_, path)| {
                let agreements =
                    path.starts_with("/api/v1/agreements") || path.starts_with("/api/v1/commitments/{id}");
                let registry = path.starts_with("/api/v1/organizations") && !path.contains("/contacts")
                    || path.starts_with("/api/v1/regulations");
                let users_or_coverage =
                    path.starts_with("/api/v1/users") || path.starts_with("/api/v1/coverage");
                (agreements && !path.ends_with("/updates")) || registry || users_or_coverage
            })
            .collect();
        assert!(never.len() >= 15, "{} routes", never.len());
        refused_everywhere(&app, &partner, &never).await;
    }
);
