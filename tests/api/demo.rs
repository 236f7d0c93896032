//! The Padang data set: `serve --demo` on a fresh SQLite file serves every figure of the study's tables
//! 1.1, 1.2 and 1.3 with its achievement and zone, and `sinergi seed` run twice changes nothing.

use diesel::prelude::*;
use serde_json::Value;

use crate::helpers::{ADMIN_PASSWORD, TestApp};
use crate::support_server::{self, ServerProcess};

/// Table 1.1: active coverage 2024 per regency and city (region code, figure).
pub const TABLE_1_1: [(&str, i64); 19] = [
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
pub const TABLE_1_2: [(&str, &str, i64, i64, f64, &str); 9] = [
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
pub const TABLE_1_3: [(&str, i64, i64, f64, &str); 6] = [
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

api_test!(demo_serves_every_figure_of_the_study, async {
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
    assert_eq!(roles, ["admin", "auditor", "bpjs_staff", "opd_staff", "opd_staff", "partner_staff"]);
});

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

/// The two `sh` blocks of the README's walkthrough: the command that starts the demo, and the session.
fn readme_walkthrough_blocks() -> (String, String) {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## The first ten minutes")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has the walkthrough section");
    let blocks: Vec<&str> =
        section.split("```sh\n").skip(1).filter_map(|block| block.split("\n```").next()).collect();
    assert_eq!(blocks.len(), 2, "the walkthrough has a start block and a session block");
    (blocks[0].to_string(), blocks[1].to_string())
}

/// Splits `NAME='value' … cargo run --release -- ARGS` into the environment and the binary's arguments.
fn parse_start_command(line: &str) -> (Vec<(String, String)>, Vec<String>) {
    let (prefix, args) = line.split_once(" cargo run --release -- ").expect("the start command runs cargo");
    let env = prefix
        .split_whitespace()
        .map(|pair| {
            let (name, value) = pair.split_once('=').expect("NAME=value");
            (name.to_string(), value.trim_matches('\'').to_string())
        })
        .collect();
    (env, args.split_whitespace().map(str::to_string).collect())
}

fn tools_present() -> bool {
    ["bash", "curl", "jq"].iter().all(|tool| {
        std::process::Command::new(tool).arg("--version").output().is_ok_and(|out| out.status.success())
    })
}

// The README walkthrough, run as written: the start command against a fresh database (the binary instead
// of `cargo run`, listening on a free port), then the session block with bash, curl and jq.
async fn run_readme_walkthrough(backend: crate::helpers::Backend) {
    if !tools_present() {
        assert!(
            std::env::var_os("SINERGI_TEST_REQUIRE_TOOLS").is_none(),
            "SINERGI_TEST_REQUIRE_TOOLS is set but bash, curl or jq is missing"
        );
        eprintln!("readme_walkthrough skipped: it needs bash, curl and jq");
        return;
    }
    let db = tokio::task::spawn_blocking(move || crate::helpers::TestDatabase::create(backend))
        .await
        .expect("create db");
    let dir = tempfile::tempdir().expect("temp dir");
    let (start, session) = readme_walkthrough_blocks();
    let (env, args) = parse_start_command(start.trim());
    assert_eq!(args, ["serve", "--demo"]);
    let mut cmd = support_server::command(db.url(), dir.path());
    cmd.env_remove("SINERGI_ADMIN_PASSWORD").envs(env);
    let server = ServerProcess::start(cmd, &["--demo"]).await;

    let session = session.replace("http://127.0.0.1:8080", &server.address);
    let work = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .args(["-euo", "pipefail", "-c", &session])
            .current_dir(work)
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .output()
            .expect("run bash")
    })
    .await
    .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the walkthrough failed: {stderr}\n{stdout}");
    assert!(!stdout.contains("urn:sinergi:problem"), "a step answered a problem:\n{stdout}");

    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not one JSON line: {line}")))
        .collect();
    let find = |pred: &dyn Fn(&Value) -> bool| {
        lines.iter().find(|v| pred(v)).cloned().unwrap_or_else(|| panic!("missing in:\n{stdout}"))
    };
    // 2. The three agreements, the 2021 Nota Kesepakatan active.
    let nk = find(&|v| v["number"] == "130.60/NK/BKS-PDG/2021");
    assert_eq!(nk["status"], "active");
    assert_eq!(lines.iter().filter(|v| v.get("number").is_some()).count(), 3);
    // 3 and 4. The action item and the outcome were created.
    assert_eq!(find(&|v| v.get("description").is_some())["status"], "open");
    assert_eq!(find(&|v| v["kind"] == "enrolment" && v.get("total").is_none())["value"], 120);
    // 5. The report counts the meeting under monev and 3,000 + 120 people.
    assert_eq!(find(&|v| v["scope"] == "monev")["held"], 1, "{stdout}");
    assert_eq!(find(&|v| v.get("total").is_some())["total"], 3120, "{stdout}");
    // 6. June 2024 in Padang: 32,530 of 105,491, 30.8 %, red; and the chart on disk.
    let june = find(&|v| v["period"] == "2024-06" && v["segment"] == "total");
    assert_eq!((&june["target"], &june["realization"]), (&Value::from(105_491), &Value::from(32_530)));
    assert_eq!((june["achievement_pct"].as_f64(), &june["zone"]), (Some(30.8), &Value::from("red")));
    let svg = std::fs::read_to_string(dir.path().join("padang-2024.svg")).expect("the chart was saved");
    assert!(svg.contains("<svg"), "{svg}");
    // 7. The trail verifies, the walkthrough's writes included.
    assert_eq!(find(&|v| v.get("valid").is_some())["valid"], true);
}

mod readme_walkthrough {
    use crate::helpers::Backend;

    api_test!(sqlite, super::run_readme_walkthrough(Backend::Sqlite));
    api_test!(postgres, postgres, super::run_readme_walkthrough(Backend::Postgres));
}

/// Where operation `id` lives in the OpenAPI document: its method and path.
fn operation(doc: &Value, id: &str) -> (reqwest::Method, String) {
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if op["operationId"] == id {
                return (method.to_uppercase().parse().expect("method"), path.clone());
            }
        }
    }
    panic!("no operation {id}");
}

// Every request example of the OpenAPI document (those in `example` fields and those shown in descriptions)
// is accepted as it stands by a server started with `--demo`: the examples name the demo's fixed ids and
// versions, and no two of them change the same record.
async fn run_documented_examples(backend: crate::helpers::Backend) {
    let db = tokio::task::spawn_blocking(move || crate::helpers::TestDatabase::create(backend))
        .await
        .expect("create db");
    let dir = tempfile::tempdir().expect("temp dir");
    let server = ServerProcess::start(support_server::command(db.url(), dir.path()), &["--demo"]).await;
    let client = reqwest::Client::new();
    let login = client
        .post(server.url("/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("login");
    let token =
        login.json::<Value>().await.expect("login body")["access_token"].as_str().expect("token").to_string();
    // The fixed ids resolve to the records the seed file names.
    let pemkot = client
        .get(server.url("/api/v1/organizations/018cc251-f401-7000-8000-000000000001"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(pemkot.json::<Value>().await.expect("json")["short_name"], "PEMKOT-PDG");
    let auditor = client
        .get(server.url(&format!("/api/v1/users/{}", sinergi::seed::DEMO_USERS[3].3)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(auditor.json::<Value>().await.expect("json")["username"], "auditor.sumbar");

    let doc: Value = serde_json::from_str(&sinergi::openapi::document_json()).expect("the document");
    let examples = sinergi::openapi::examples::examples();
    assert!(examples.len() >= 30, "the examples cover the writes and the reads of demo records");
    for example in examples {
        let (method, mut path) = operation(&doc, example.operation);
        for (name, value) in &example.path {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        let mut request = client.request(method, server.url(&path)).bearer_auth(&token);
        if let Some(version) = example.if_match {
            request = request.header("If-Match", format!("\"{version}\""));
        }
        if let Some(body) = &example.body {
            request = request.json(body);
        }
        let res = request.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        assert!(status.is_success(), "{} {path}: {status} {text}", example.operation);
    }
}

mod documented_examples {
    use crate::helpers::Backend;

    api_test!(sqlite, super::run_documented_examples(Backend::Sqlite));
    api_test!(postgres, postgres, super::run_documented_examples(Backend::Postgres));
}

// Each create links to the read, update and delete of what it made, by operationId (in the JSON member
// the specification names), with the id from the answer and its ETag as If-Match.
api_test!(creates_link_to_the_operations_on_what_they_made, async {
    let doc: Value = serde_json::from_str(&sinergi::openapi::document_json()).expect("the document");
    let mut ids = std::collections::HashSet::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            ids.insert(op["operationId"].as_str().expect("every operation has an id").to_string());
        }
    }
    let links = |path: &str| doc["paths"][path]["post"]["responses"]["201"]["links"].clone();
    let organization = links("/api/v1/organizations");
    assert_eq!(organization["read"]["operationId"], "get_organization");
    assert_eq!(organization["update"]["operationId"], "update_organization");
    assert_eq!(organization["delete"]["operationId"], "delete_organization");
    assert_eq!(organization["update"]["parameters"]["id"], "$response.body#/id");
    assert_eq!(organization["update"]["parameters"]["If-Match"], "$response.header.ETag");
    assert!(organization["read"]["parameters"].get("If-Match").is_none(), "a read takes no If-Match");
    assert_eq!(links("/api/v1/agreements/{id}/commitments")["read"]["operationId"], "get_commitment");
    let mut creates = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(created) = item["post"]["responses"].get("201") else { continue };
        creates += 1;
        let params = item["post"]["parameters"].as_array().cloned().unwrap_or_default();
        assert!(params.iter().any(|p| p["name"] == "Idempotency-Key"), "{path}: Idempotency-Key");
        assert!(created["headers"].get("Location").is_some(), "{path}: Location");
        for (name, link) in created["links"].as_object().into_iter().flatten() {
            let target = link["operationId"].as_str().unwrap_or_default();
            assert!(ids.contains(target), "{path}: link {name} names no operation ({link})");
            assert!(link.get("operation_id").is_none(), "{path}: the member is operationId");
        }
    }
    assert!(creates >= 10, "{creates} creates");
});

// The demo's records have the fixed ids of `seeds/padang.json` and `seed::DEMO_USERS`, UUIDv7-shaped so
// that lists keep their order of creation.
api_test!(the_demo_ids_are_fixed_unique_and_version_7, async {
    let seed: Value = serde_json::from_str(sinergi::seed::PADANG).expect("seed");
    let mut ids: Vec<String> = Vec::new();
    for list in ["organizations", "regulations", "agreements"] {
        for entry in seed[list].as_array().expect("list") {
            ids.push(entry["id"].as_str().unwrap_or_else(|| panic!("{list}: an entry without id")).into());
            for commitment in entry["commitments"].as_array().into_iter().flatten() {
                ids.push(commitment["id"].as_str().expect("commitment id").into());
                for outcome in commitment["outcomes"].as_array().into_iter().flatten() {
                    ids.push(outcome["id"].as_str().expect("outcome id").into());
                }
            }
        }
    }
    ids.extend(sinergi::seed::DEMO_USERS.iter().map(|u| u.3.to_string()));
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "every id once");
    for id in &ids {
        let uuid = uuid::Uuid::parse_str(id).expect("a UUID");
        assert_eq!(uuid.get_version_num(), 7, "{id}");
    }
});
