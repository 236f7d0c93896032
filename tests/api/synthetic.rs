//! `sinergi seed --synthetic --scale small` fills a fresh database with a data set the API serves: every
//! count, twenty pages of the heavy organization's activities, and an audit chain that verifies and still
//! verifies after an API write. A second run is refused and changes nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get(path).bearer_auth(token).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

/// Every item of a list, page after page by cursor.
async fn walk(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page_path = match &cursor {
            Some(c) => format!("{path}?limit=200&cursor={c}"),
            None => format!("{path}?limit=200"),
        };
        let page = get_json(app, token, &page_path).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return items,
        }
    }
}

fn seed(app: &TestApp) -> std::process::Output {
    app.sinergi().args(["seed", "--synthetic", "--scale", "small"]).output().unwrap()
}

backend_test!(synthetic_small_data_set_is_served_and_its_chain_verifies, |app| async move {
    let admin = app.admin_token().await;
    app.sequenced(&admin).await;
    let before = get_json(&app, &admin, "/api/v1/audit-events/verify").await;
    let output = seed(&app);
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));

    // The counts of the small scale, through the lists.
    assert_eq!(walk(&app, &admin, "/api/v1/organizations").await.len(), 50);
    let agreements = walk(&app, &admin, "/api/v1/agreements").await;
    assert_eq!(agreements.len(), 200);
    assert!(agreements.iter().any(|a| a["confidentiality"] == "restricted"));
    assert!(agreements.iter().any(|a| a["status"] == "terminated"));
    assert_eq!(walk(&app, &admin, "/api/v1/activities").await.len(), 10_000);
    assert_eq!(walk(&app, &admin, "/api/v1/outcomes").await.len(), 2_000);
    assert_eq!(walk(&app, &admin, "/api/v1/regions").await.len(), 52);
    assert_eq!(walk(&app, &admin, "/api/v1/coverage").await.len(), 52 * 5 * 12);
    let first = &agreements[0];
    let detail =
        get_json(&app, &admin, &format!("/api/v1/agreements/{}", first["id"].as_str().unwrap())).await;
    let parties = detail["parties"].as_array().unwrap().len();
    assert!((2..=5).contains(&parties), "{detail}");
    let commitments =
        get_json(&app, &admin, &format!("/api/v1/agreements/{}/commitments", first["id"].as_str().unwrap()))
            .await;
    assert!(!commitments["items"].as_array().unwrap().is_empty(), "{commitments}");

    // The heavy organization, named on standard output, has twenty full default pages of activities.
    let heavy = stdout
        .split_whitespace()
        .skip_while(|w| *w != "SYN-HEAVY")
        .nth(2)
        .unwrap_or_else(|| panic!("no heavy organization in {stdout}"))
        .to_string();
    let mut cursor: Option<String> = None;
    let mut last_id = String::new();
    for page in 1..=20 {
        let path = match &cursor {
            Some(c) => format!("/api/v1/activities?organization_id={heavy}&cursor={c}"),
            None => format!("/api/v1/activities?organization_id={heavy}"),
        };
        let body = get_json(&app, &admin, &path).await;
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 50, "page {page}");
        for item in items {
            let id = item["id"].as_str().unwrap().to_string();
            assert!(id > last_id, "activities in id order");
            last_id = id;
            let involved = item["organizer_organization_id"] == heavy.as_str()
                || item["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["organization_id"] == heavy.as_str());
            assert!(involved, "{item}");
        }
        cursor = Some(body["next_cursor"].as_str().expect("a next page").to_string());
    }

    // The log: the generated events follow the old ones, and an API write afterwards extends it.
    app.sequenced(&admin).await;
    let after = get_json(&app, &admin, "/api/v1/audit-events/verify").await;
    assert_eq!(after["valid"], true, "{after}");
    assert_eq!(after["events"].as_i64().unwrap(), before["events"].as_i64().unwrap() + 10_000);
    let res = app
        .request(Method::POST, "/api/v1/organizations")
        .bearer_auth(&admin)
        .json(&json!({"name": "Organisasi Baru", "short_name": "BARU", "kind": "employer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    app.sequenced(&admin).await;
    let written = get_json(&app, &admin, "/api/v1/audit-events/verify").await;
    assert_eq!(written["valid"], true, "{written}");
    assert_eq!(written["events"].as_i64().unwrap(), after["events"].as_i64().unwrap() + 1);
    let cli = app.sinergi().args(["audit", "verify"]).output().unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stdout));

    // A second run finds organizations and writes nothing.
    let again = seed(&app);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds organizations"));
    let unchanged = get_json(&app, &admin, "/api/v1/audit-events/verify").await;
    assert_eq!(unchanged["events"], written["events"]);
    assert_eq!(walk(&app, &admin, "/api/v1/organizations").await.len(), 51);
});
