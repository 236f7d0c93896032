//! The Padang data set: `serve --demo` on a fresh SQLite file serves every figure of the study's tables
//! 1.1, 1.2 and 1.3 with its achievement and zone, and `sinergi seed` run twice changes nothing.

use diesel::prelude::*;
use serde_json::Value;

use crate::helpers::{ADMIN_PASSWORD, TestApp};
use crate::support_server::{self, ServerProcess};

/// Table 1.1: active coverage 2024 per regency and city (region code, figure).
const TABLE_1_1: [(&str, i64); 19] = [
    ("1307", 43_960),
    ("1311", 33_640),
    ("1301", 86_826),
    ("1375", 17_946),
    ("1371", 134_249),
    ("1374", 13_868),
    ("1377", 9_426),
    ("1376", 12_686),
    ("1373", 22_544),
    ("1372", 12_975),
    ("1308", 39_504),
    ("1306", 66_194),
    ("1309", 24_232),
    ("1312", 49_198),
    ("1302", 44_843),
    ("1304", 44_060),
    ("1303", 31_647),
    ("1310", 20_928),
    ("1305", 30_863),
];

/// Table 1.2: Padang (segment, year, target, realisation, achievement %, zone).
const TABLE_1_2: [(&str, &str, i64, i64, f64, &str); 9] = [
    ("pu", "2021", 108_179, 91_769, 84.8, "yellow"),
    ("pu", "2022", 128_042, 110_342, 86.2, "yellow"),
    ("pu", "2023", 143_752, 125_944, 87.6, "yellow"),
    ("bpu", "2021", 34_674, 33_130, 95.5, "yellow"),
    ("bpu", "2022", 52_895, 45_907, 86.8, "yellow"),
    ("bpu", "2023", 73_987, 55_086, 74.5, "yellow"),
    ("jakon", "2021", 95_562, 134_498, 140.7, "green"),
    ("jakon", "2022", 101_843, 124_769, 122.5, "green"),
    ("jakon", "2023", 112_534, 101_950, 90.6, "yellow"),
];

/// Table 1.3: Padang 2024, cumulative monthly totals (month, target, realisation, achievement %, zone).
const TABLE_1_3: [(&str, i64, i64, f64, &str); 6] = [
    ("2024-01", 17_582, 3_707, 21.1, "red"),
    ("2024-02", 35_164, 8_438, 24.0, "red"),
    ("2024-03", 52_745, 15_006, 28.5, "red"),
    ("2024-04", 70_327, 17_984, 25.6, "red"),
    ("2024-05", 87_908, 23_436, 26.7, "red"),
    ("2024-06", 105_491, 32_530, 30.8, "red"),
];

async fn get(client: &reqwest::Client, base: &str, token: &str, path: &str) -> Value {
    let res = client.get(format!("{base}{path}")).bearer_auth(token).send().await.expect("request");
    assert_eq!(res.status(), 200, "GET {path}");
    res.json().await.expect("json")
}

fn row<'a>(rows: &'a [Value], region: &str, segment: &str, period: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["region_code"] == region && r["segment"] == segment && r["period"] == period)
        .unwrap_or_else(|| panic!("no coverage row {region} {segment} {period}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_serves_every_figure_of_the_study() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let server = ServerProcess::start(support_server::command(&url, dir.path()), &["--demo"]).await;
    let base = server.address.clone();
    let client = reqwest::Client::new();

    let login = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    let token =
        login.json::<Value>().await.expect("login body")["access_token"].as_str().expect("token").to_string();

    let all = get(&client, &base, &token, "/api/v1/coverage?limit=200").await;
    let rows = all["items"].as_array().expect("items").clone();
    assert_eq!(rows.len(), 19 + 9 + 6, "every row of the three tables, and no other");

    for (region, figure) in TABLE_1_1 {
        let r = row(&rows, region, "total", "2024");
        assert_eq!(r["realization"], figure, "table 1.1, {region}");
        assert_eq!(r["target"], 0, "table 1.1 gives no target");
        assert!(r["achievement_pct"].is_null() && r["zone"].is_null(), "no target, no achievement");
    }
    for (segment, year, target, realization, pct, zone) in TABLE_1_2 {
        let r = row(&rows, "1371", segment, year);
        assert_eq!(
            (&r["target"], &r["realization"]),
            (&Value::from(target), &Value::from(realization)),
            "{segment} {year}"
        );
        assert_eq!(r["achievement_pct"].as_f64(), Some(pct), "{segment} {year}");
        assert_eq!(r["zone"], zone, "{segment} {year}");
    }
    for (month, target, realization, pct, zone) in TABLE_1_3 {
        let r = row(&rows, "1371", "total", month);
        assert_eq!(
            (&r["target"], &r["realization"]),
            (&Value::from(target), &Value::from(realization)),
            "{month}"
        );
        assert_eq!(r["achievement_pct"].as_f64(), Some(pct), "{month}");
        assert_eq!(r["zone"], zone, "{month}");
    }

    // The rest of the data set and the demo users are there too.
    let orgs = get(&client, &base, &token, "/api/v1/organizations?limit=200").await;
    assert_eq!(orgs["items"].as_array().expect("items").len(), 8);
    let regulations = get(&client, &base, &token, "/api/v1/regulations?limit=200").await;
    assert_eq!(regulations["items"].as_array().expect("items").len(), 8);
    let agreements = get(&client, &base, &token, "/api/v1/agreements?limit=200").await;
    let agreements = agreements["items"].as_array().expect("items");
    assert_eq!(agreements.len(), 3);
    let nk =
        agreements.iter().find(|a| a["number"] == "130.60/NK/BKS-PDG/2021").expect("the Nota Kesepakatan");
    assert_eq!(nk["status"], "active");
    let outcomes = get(&client, &base, &token, "/api/v1/outcomes?limit=200").await;
    assert_eq!(outcomes["items"][0]["value"], 3000);
    let users = get(&client, &base, &token, "/api/v1/users?limit=200").await;
    let mut roles: Vec<&str> =
        users["items"].as_array().expect("items").iter().filter_map(|u| u["role"].as_str()).collect();
    roles.sort_unstable();
    assert_eq!(roles, ["admin", "auditor", "bpjs_staff", "opd_staff", "partner_staff"]);
}

fn audit_count(app: &TestApp) -> i64 {
    use sinergi::db::schema::audit_events;
    let mut conn = app.connection();
    audit_events::table.count().get_result(&mut conn).expect("count")
}

fn seed(app: &TestApp) -> String {
    let out = app.sinergi().arg("seed").output().expect("run sinergi seed");
    assert!(out.status.success(), "sinergi seed failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

backend_test!(seed_twice_changes_nothing, |app| async move {
    let before = audit_count(&app);
    let first = seed(&app);
    assert!(first.contains("55 created, 0 updated, 0 unchanged"), "{first}");
    let after_first = audit_count(&app);
    assert!(after_first > before, "the first load is audited");
    let second = seed(&app);
    assert!(second.contains("0 created, 0 updated, 55 unchanged"), "{second}");
    assert_eq!(audit_count(&app), after_first, "a second load writes no audit event");
});

async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut req = app.request(method, path).bearer_auth(token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request");
    (res.status().as_u16(), res.text().await.expect("body"))
}

// The README walkthrough, step by step, on the Padang data set.
backend_test!(readme_walkthrough, |app| async move {
    use reqwest::Method;
    use serde_json::json;
    seed(&app);
    let token = app.admin_token().await;
    let ok = |(status, body): (u16, String), want: u16| -> Value {
        assert_eq!(status, want, "{body}");
        serde_json::from_str(&body).unwrap_or(Value::Null)
    };
    let agreements = ok(call(&app, &token, Method::GET, "/api/v1/agreements", None).await, 200);
    let nk = agreements["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["number"] == "130.60/NK/BKS-PDG/2021")
        .expect("the Nota Kesepakatan")
        .clone();
    let orgs = ok(call(&app, &token, Method::GET, "/api/v1/organizations?limit=200", None).await, 200);
    let org = |short: &str| {
        orgs["items"].as_array().expect("items").iter().find(|o| o["short_name"] == short).expect("org")["id"]
            .clone()
    };
    let meeting = ok(
        call(&app, &token, Method::POST, "/api/v1/activities", Some(json!({
            "kind": "coordination_meeting",
            "title": "Rapat koordinasi optimalisasi jaminan sosial ketenagakerjaan",
            "agreement_id": nk["id"],
            "scope": "monev",
            "organizer_organization_id": org("BPJSTK-PDG"),
            "participants": [{"organization_id": org("PEMKOT-PDG"), "attendees": 3}, {"organization_id": org("BPJSTK-PDG"), "attendees": 2}],
            "starts_at": "2024-09-10T02:00:00Z",
            "ends_at": "2024-09-10T04:00:00Z",
            "status": "held",
            "minutes": "Capaian Juni 2024: 32.530 dari 105.491 (30,8 %). Disnakerin menyiapkan data perusahaan yang belum patuh.",
            "decisions": ["Disnakerin mengirim data perusahaan belum patuh"]
        }))).await,
        201,
    );
    ok(
        call(
            &app,
            &token,
            Method::POST,
            &format!("/api/v1/activities/{}/action-items", meeting["id"].as_str().expect("id")),
            Some(json!({
                "description": "Kirim data perusahaan yang belum patuh ke BPJS Ketenagakerjaan",
                "owner_organization_id": org("DISNAKERIN-PDG"),
                "due_on": "2024-09-30"
            })),
        )
        .await,
        201,
    );
    ok(
        call(
            &app,
            &token,
            Method::POST,
            "/api/v1/outcomes",
            Some(json!({
                "kind": "enrolment",
                "title": "Pekerja terdaftar setelah rapat koordinasi",
                "value": 120,
                "unit": "people",
                "period_start": "2024-09-10",
                "period_end": "2024-09-30",
                "organization_id": org("BPJSTK-PDG"),
                "activity_id": meeting["id"]
            })),
        )
        .await,
        201,
    );
    let report = ok(
        call(
            &app,
            &token,
            Method::GET,
            &format!("/api/v1/agreements/{}/report", nk["id"].as_str().expect("id")),
            None,
        )
        .await,
        200,
    );
    let monev =
        report["activities"].as_array().expect("activities").iter().find(|a| a["scope"] == "monev").cloned();
    assert_eq!(monev.expect("monev")["held"], 1, "{report}");
    assert_eq!(report["outcomes"][0]["total"], 3120, "the seeded 3,000 and the 120 just recorded: {report}");
    let coverage = ok(
        call(&app, &token, Method::GET, "/api/v1/reports/coverage?region=1371&from=2024&to=2024", None).await,
        200,
    );
    let text = coverage.to_string();
    assert!(
        text.contains("32530") && text.contains("105491") && text.contains("30.8") && text.contains("red"),
        "{text}"
    );
    let (status, svg) =
        call(&app, &token, Method::GET, "/api/v1/reports/coverage.svg?region=1371&from=2024&to=2024", None)
            .await;
    assert_eq!(status, 200);
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{svg}");
    let verify = ok(call(&app, &token, Method::GET, "/api/v1/audit-events/verify", None).await, 200);
    assert_eq!(verify["valid"], true, "{verify}");
});
