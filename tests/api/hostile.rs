//! Hostile input: bodies too big, too deep or not UTF-8, strings past each field's limit, NUL, SQL and
//! script fragments, absurd `limit`s and forged cursors, unknown enumeration values, impossible dates,
//! ids that are not UUIDs, and headers over 32 KiB. Each gets its 4xx problem and leaves every table as
//! it was. (foundation.rs and conventions.rs cover the same on the login route and the region list.)

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_problem, assert_rows_for_every_write_operation, problem_fields, write_operations,
};
use crate::support_agreements::{World, expect, id, send};
use crate::support_results::held;

/// A write route with a body it accepts: method, path, body.
type Route = (Method, String, Value);

/// The route of `routes` with this method whose path ends with `path_end`.
fn find_route(routes: &[Route], path_end: &str, method: Method) -> Route {
    routes
        .iter()
        .find(|(m, p, _)| *m == method && p.ends_with(path_end))
        .cloned()
        .unwrap_or_else(|| panic!("no route {method} …{path_end}"))
}

/// Write operations of the OpenAPI document that take no JSON body, so have no row in
/// [`Fixture::json_routes`]: deletes and the activation send none, and the CSV import has its own case
/// in each test.
const NO_JSON_BODY: &[(&str, &str)] = &[
    ("DELETE", "/api/v1/organizations/{id}"),
    ("DELETE", "/api/v1/contacts/{id}"),
    ("DELETE", "/api/v1/regulations/{id}"),
    ("DELETE", "/api/v1/agreements/{id}"),
    ("DELETE", "/api/v1/activities/{id}"),
    ("DELETE", "/api/v1/outcomes/{id}"),
    ("POST", "/api/v1/agreements/{id}/activate"),
    ("POST", "/api/v1/coverage/import"),
    // Uploads are multipart/form-data (documents.rs tests their hostile input), a delete sends none.
    ("POST", "/api/v1/agreements/{id}/documents"),
    ("POST", "/api/v1/amendments/{id}/documents"),
    ("POST", "/api/v1/commitment-updates/{id}/documents"),
    ("POST", "/api/v1/activities/{id}/documents"),
    ("POST", "/api/v1/outcomes/{id}/documents"),
    ("DELETE", "/api/v1/documents/{id}"),
    // Removing an attendee and finalising minutes send none.
    ("DELETE", "/api/v1/activities/{id}/attendees/{attendee_id}"),
    ("POST", "/api/v1/activities/{id}/minutes/finalise"),
    // The caller's own calendar feed is made and revoked without a body.
    ("POST", "/api/v1/auth/calendar-feed"),
    ("DELETE", "/api/v1/auth/calendar-feed"),
    // Deleting a rule, marking notices read and unmuting send none.
    ("DELETE", "/api/v1/notification-rules/{id}"),
    ("POST", "/api/v1/notifications/{id}/read"),
    ("POST", "/api/v1/notifications/read-all"),
    ("DELETE", "/api/v1/notifications/mutes/{subject_id}"),
];

/// One of the reminder rules every database starts with (agreements expiring in 90 days).
const EXPIRING_90_DAYS: &str = "0193a5c0-0000-7000-8000-000000000006";

/// Fails unless `routes` has one row for every write operation of the OpenAPI document that takes a
/// JSON body (and none for an operation the document does not have): each row's path is matched
/// against the document's path templates.
async fn assert_every_json_route_is_covered(app: &TestApp, routes: &[Route]) {
    let operations = write_operations(app).await;
    let matches = |template: &str, path: &str| {
        let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len() && t.iter().zip(&p).all(|(t, p)| t == p || t.starts_with('{'))
    };
    let rows: Vec<(String, String)> = routes
        .iter()
        .map(|(method, path, _)| {
            let found: Vec<_> =
                operations.iter().filter(|(m, t)| m == method.as_str() && matches(t, path)).collect();
            match found.as_slice() {
                [one] => (*one).clone(),
                _ => (method.to_string(), path.clone()), // named as an operation the document lacks
            }
        })
        .collect();
    assert_rows_for_every_write_operation(&operations, &rows, NO_JSON_BODY);
}

/// A world with one record of every kind, so that every route has something to act on.
struct Fixture {
    w: World,
    contact: String,
    regulation: String,
    draft: String,
    active: String,
    commitment: String,
    activity: String,
    item: String,
    /// A held activity whose minutes are final (corrections need one).
    finalised: String,
    outcome: String,
    user: String,
}

impl Fixture {
    async fn new(app: &TestApp) -> Fixture {
        let w = World::new(app).await;
        let admin = w.admin.clone();
        let o = &w.orgs;
        let contact = app.create_contact(&admin, &o.pemkot, "Budi").await;
        let regulation = app.create_regulation(&admin, "undang_undang", "24", 2011, "BPJS").await;
        let draft = id(&app.create_agreement(&admin, w.pemkot_bpjs("NK/DRAFT/1")).await);
        let active = id(&app.active_agreement(&w, "NK/ACTIVE/1").await);
        let commitment = json!({"title": "Sosialisasi", "responsible_organization_id": o.bpjs});
        let commitment = id(&app.create_commitment(&admin, &active, commitment).await);
        let meeting = held("coordination_meeting", "Rakor", &o.pemkot, &[&o.bpjs], "2025-06-01");
        let activity = id(&app.create_activity(&admin, meeting).await);
        let item = json!({"description": "Kirim data", "owner_organization_id": o.dinsos});
        let path = format!("/api/v1/activities/{activity}/action-items");
        let item = id(&expect(send(app, Method::POST, &path, &admin, None, Some(item)).await, 201).await);
        let meeting = held("coordination_meeting", "Rakor final", &o.pemkot, &[&o.bpjs], "2025-06-02");
        let finalised = id(&app.create_activity(&admin, meeting).await);
        let path = format!("/api/v1/activities/{finalised}/minutes/finalise");
        expect(send(app, Method::POST, &path, &admin, None, None).await, 200).await;
        let outcome = id(&expect(
            send(app, Method::POST, "/api/v1/outcomes", &admin, None, Some(outcome_body(&o.bpjs))).await,
            201,
        )
        .await);
        let user = app.create_user(&admin, "rina", "opd_staff", Some(&o.dinsos)).await;
        Fixture {
            contact,
            regulation,
            draft,
            active,
            commitment,
            activity,
            item,
            finalised,
            outcome,
            user,
            w,
        }
    }

    /// Every route that takes a JSON body, with a body it accepts.
    fn json_routes(&self) -> Vec<Route> {
        let o = &self.w.orgs;
        let v1 = |path: &str| format!("/api/v1/{path}");
        vec![
            (
                Method::POST,
                v1("organizations"),
                json!({"name": "Dinas Kominfo", "short_name": "KOMINFO",
                "kind": "regional_agency"}),
            ),
            (Method::PATCH, v1(&format!("organizations/{}", o.pemkot)), json!({"notes": "x"})),
            (Method::POST, v1(&format!("organizations/{}/contacts", o.pemkot)), json!({"full_name": "Sari"})),
            (Method::PATCH, v1(&format!("contacts/{}", self.contact)), json!({"position": "Kabid"})),
            (
                Method::POST,
                v1("regulations"),
                json!({"kind": "peraturan_wali_kota", "number": "13",
                "year": 2022, "title": "Perlindungan", "issuer": "Wali Kota Padang", "status": "draft"}),
            ),
            (Method::PATCH, v1(&format!("regulations/{}", self.regulation)), json!({"summary": "x"})),
            (Method::POST, v1("agreements"), self.w.pemkot_bpjs("NK/NEW/1")),
            (Method::PATCH, v1(&format!("agreements/{}", self.draft)), json!({"title": "Judul"})),
            (
                Method::POST,
                v1(&format!("agreements/{}/terminate", self.active)),
                json!({"terminated_on": "2025-06-01", "termination_reason": "Selesai"}),
            ),
            (
                Method::POST,
                v1(&format!("agreements/{}/amendments", self.active)),
                json!({"number": "ADD/1",
                "signed_on": "2025-06-10", "summary": "Perpanjangan", "changes": {"effective_until": "2027-01-01"}}),
            ),
            (
                Method::POST,
                v1(&format!("agreements/{}/commitments", self.active)),
                json!({"title": "Bimtek", "responsible_organization_id": o.bpjs}),
            ),
            (Method::PATCH, v1(&format!("commitments/{}", self.commitment)), json!({"title": "Bimtek"})),
            (
                Method::POST,
                v1(&format!("commitments/{}/updates", self.commitment)),
                json!({"status": "in_progress", "progress_pct": 20}),
            ),
            (Method::POST, v1("activities"), held("sosialisasi", "Sosialisasi", &o.bpjs, &[], "2025-06-02")),
            (Method::PATCH, v1(&format!("activities/{}", self.activity)), json!({"title": "Rakor"})),
            (
                Method::POST,
                v1(&format!("activities/{}/action-items", self.activity)),
                json!({"description": "Rekap", "owner_organization_id": o.bpjs}),
            ),
            (Method::PATCH, v1(&format!("action-items/{}", self.item)), json!({"status": "done"})),
            (
                Method::POST,
                v1(&format!("activities/{}/attendees", self.activity)),
                json!({"name": "Siti", "position": "Kabid", "organization_id": o.bpjs}),
            ),
            (
                Method::POST,
                v1(&format!("activities/{}/minutes/corrections", self.finalised)),
                json!({"what": "Keputusan 1 diralat", "why": "Salah ketik"}),
            ),
            (Method::POST, v1("outcomes"), outcome_body(&o.bpjs)),
            (Method::PATCH, v1(&format!("outcomes/{}", self.outcome)), json!({"value": 5})),
            (
                Method::PUT,
                v1("coverage"),
                json!({"rows": [{"region_code": "1371", "segment": "pu",
                "period": "2020", "target": 10, "realization": 5}]}),
            ),
            (
                Method::POST,
                v1("users"),
                json!({"username": "sari", "full_name": "Sari", "role": "auditor",
                "organization_id": o.inspektorat, "password": crate::support_users::USER_PASSWORD}),
            ),
            (Method::PATCH, v1(&format!("users/{}", self.user)), json!({"full_name": "Rina"})),
            (Method::POST, v1("auth/login"), json!({"username": "rina", "password": "x"})),
            (Method::POST, v1("auth/refresh"), json!({"refresh_token": "x"})),
            (Method::POST, v1("auth/logout"), json!({"refresh_token": "x"})),
            (Method::POST, v1("auth/password"), json!({"current_password": "x", "new_password": "y"})),
            (Method::POST, v1("notification-rules"), json!({"kind": "commitment_due", "days": 7})),
            (Method::PATCH, v1(&format!("notification-rules/{EXPIRING_90_DAYS}")), json!({"enabled": false})),
            (
                Method::PUT,
                v1("auth/notification-settings"),
                json!({"language": "en", "channels": [{"kind": "commitment_due", "channel": "in_app"}]}),
            ),
            (
                Method::POST,
                v1("notifications/mutes"),
                json!({"subject_type": "commitment", "subject_id": self.commitment}),
            ),
        ]
    }

    /// Every list, by path.
    fn lists(&self) -> Vec<String> {
        [
            "regions".to_string(),
            "organizations".to_string(),
            format!("organizations/{}/contacts", self.w.orgs.pemkot),
            "regulations".to_string(),
            "agreements".to_string(),
            format!("agreements/{}/amendments", self.active),
            format!("agreements/{}/commitments", self.active),
            format!("commitments/{}/updates", self.commitment),
            "activities".to_string(),
            format!("activities/{}/action-items", self.activity),
            "outcomes".to_string(),
            "coverage".to_string(),
            "users".to_string(),
            "audit-events".to_string(),
            "notification-rules".to_string(),
            "notifications".to_string(),
            "notifications/mutes".to_string(),
        ]
        .into_iter()
        .map(|path| format!("/api/v1/{path}"))
        .collect()
    }
}

fn outcome_body(org: &str) -> Value {
    json!({"kind": "enrolment", "title": "Peserta baru", "value": 10, "unit": "people",
        "period_start": "2025-01-01", "period_end": "2025-03-31", "organization_id": org})
}

/// Sends `body` as it is (bytes, not necessarily JSON) to a route, as `token`.
async fn raw(app: &TestApp, method: &Method, path: &str, token: &str, body: Vec<u8>) -> reqwest::Response {
    app.request(method.clone(), path)
        .bearer_auth(token)
        .header("If-Match", "\"1\"")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request")
}

/// Sends a JSON body as administrator; a PATCH carries the record's current ETag, so that only the body
/// can be what is wrong.
async fn send_body(
    app: &TestApp,
    f: &Fixture,
    method: &Method,
    path: &str,
    body: Value,
) -> reqwest::Response {
    let tag = if *method == Method::PATCH {
        let res = app.read(&f.w.admin, path).await;
        res.headers().get("etag").and_then(|t| t.to_str().ok()).map(String::from)
    } else {
        None
    };
    send(app, method.clone(), path, &f.w.admin, tag.as_deref(), Some(body)).await
}

/// Sets the value at a JSON pointer; the last step may name a field the body does not have yet.
fn set(body: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    match body.pointer_mut(parent).expect("the pointer's parent is in the body") {
        Value::Array(items) => items[key.parse::<usize>().expect("an index")] = value,
        slot => slot[key] = value,
    }
}

backend_test!(bodies_too_big_too_deep_or_not_utf8_are_refused_on_every_json_route, fixed, |app| async move {
    let f = Fixture::new(&app).await;
    assert_every_json_route_is_covered(&app, &f.json_routes()).await;
    let before = app.table_counts();
    let big = format!("{{\"name\": \"{}\"}}", "a".repeat(1024 * 1024));
    let deep = |open: &str, close: &str, inner: &str| {
        format!("{}{inner}{}", open.repeat(10_000), close.repeat(10_000)).into_bytes()
    };
    let bodies: [(&str, Vec<u8>, u16); 6] = [
        ("over 1 MiB", big.into_bytes(), 413),
        ("10,000 nested arrays", deep("[", "]", "1"), 400),
        ("10,000 nested objects", deep("{\"a\":", "}", "1"), 400),
        ("10,000 unclosed arrays", "[".repeat(10_000).into_bytes(), 400),
        ("a field nested 10,000 deep", deep("{\"title\": [", "]}", "\"x\""), 400),
        ("invalid UTF-8", b"{\"title\": \"\xff\xfe\xfd\"}".to_vec(), 400),
    ];
    for (method, path, _) in f.json_routes() {
        for (what, body, status) in &bodies {
            let res = raw(&app, &method, &path, &f.w.admin, body.clone()).await;
            assert_eq!(res.status(), *status, "{what} to {method} {path}");
            assert_problem(res, *status).await;
        }
    }
    // The CSV import reads through the same limit, and wants UTF-8 too.
    let import = |body: Vec<u8>| {
        app.post("/api/v1/coverage/import")
            .bearer_auth(&f.w.admin)
            .header("Content-Type", "text/csv")
            .body(body)
    };
    let csv =
        format!("region_code,segment,period,target,realization\n{}", "1371,pu,2020,1,1\n".repeat(70_000));
    assert_problem(import(csv.into_bytes()).send().await.unwrap(), 413).await;
    let csv = b"region_code,segment,period,target,realization,note\n1371,pu,2020,1,1,\xff\xfe\n".to_vec();
    assert_problem(import(csv).send().await.unwrap(), 400).await;
    assert_eq!(app.table_counts(), before);
});

backend_test!(strings_over_each_fields_limit_are_422_naming_the_field, fixed, |app| async move {
    use sinergi::agreements::model::checks;
    use sinergi::http::validate::{MAX_EMAIL, MAX_URL};
    use sinergi::{activities, contacts, coverage, minutes, organizations as orgs, outcomes, regulations};
    let f = Fixture::new(&app).await;
    let routes = f.json_routes();
    let route = |path_end: &str, method: Method| find_route(&routes, path_end, method);
    let (pemkot, draft, active) = (&f.w.orgs.pemkot, &f.draft, &f.active);
    // (route, JSON pointer of the field, the field as the problem names it, its limit)
    let limits: Vec<(Route, &str, &str, usize)> = vec![
        (route("/organizations", Method::POST), "/name", "name", orgs::model::MAX_NAME),
        (route("/organizations", Method::POST), "/short_name", "short_name", orgs::model::MAX_SHORT_NAME),
        (route("/organizations", Method::POST), "/address", "address", orgs::model::MAX_ADDRESS),
        (route("/organizations", Method::POST), "/email", "email", MAX_EMAIL),
        (route("/organizations", Method::POST), "/website", "website", MAX_URL),
        (route(pemkot, Method::PATCH), "/notes", "notes", orgs::model::MAX_NOTES),
        (route("/contacts", Method::POST), "/full_name", "full_name", contacts::model::MAX_NAME),
        (route("/contacts", Method::POST), "/position", "position", contacts::model::MAX_POSITION),
        (route(&f.contact, Method::PATCH), "/notes", "notes", contacts::model::MAX_NOTES),
        (route("/regulations", Method::POST), "/number", "number", regulations::model::MAX_NUMBER),
        (route("/regulations", Method::POST), "/title", "title", regulations::model::MAX_TITLE),
        (route("/regulations", Method::POST), "/issuer", "issuer", regulations::model::MAX_ISSUER),
        (route("/regulations", Method::POST), "/url", "url", MAX_URL),
        (route(&f.regulation, Method::PATCH), "/summary", "summary", regulations::model::MAX_SUMMARY),
        (route("/agreements", Method::POST), "/number", "number", checks::MAX_SHORT),
        (route("/agreements", Method::POST), "/title", "title", checks::MAX_TITLE),
        (route("/agreements", Method::POST), "/summary", "summary", checks::MAX_TEXT),
        (
            route("/agreements", Method::POST),
            "/parties/0/signatory_name",
            "parties[0].signatory_name",
            checks::MAX_SHORT,
        ),
        (route(draft, Method::PATCH), "/title", "title", checks::MAX_TITLE),
        (route("/terminate", Method::POST), "/termination_reason", "termination_reason", checks::MAX_TEXT),
        (route("/amendments", Method::POST), "/number", "number", checks::MAX_SHORT),
        (route("/amendments", Method::POST), "/summary", "summary", checks::MAX_TEXT),
        (route(&format!("{active}/commitments"), Method::POST), "/title", "title", checks::MAX_TITLE),
        (route(&f.commitment, Method::PATCH), "/description", "description", checks::MAX_TEXT),
        (route("/updates", Method::POST), "/note", "note", checks::MAX_TEXT),
        (route("/activities", Method::POST), "/title", "title", activities::model::MAX_TITLE),
        (route("/activities", Method::POST), "/location", "location", activities::model::MAX_LOCATION),
        (route("/activities", Method::POST), "/audience", "audience", activities::model::MAX_AUDIENCE),
        (route("/activities", Method::POST), "/minutes", "minutes", activities::model::MAX_MINUTES),
        (route("/activities", Method::POST), "/decisions/0", "decisions[0]", activities::model::MAX_DECISION),
        (route("/attendees", Method::POST), "/name", "name", minutes::model::MAX_NAME),
        (route("/attendees", Method::POST), "/position", "position", minutes::model::MAX_POSITION),
        (route("/corrections", Method::POST), "/what", "what", minutes::model::MAX_WHAT),
        (route("/corrections", Method::POST), "/why", "why", minutes::model::MAX_WHY),
        (
            route("/action-items", Method::POST),
            "/description",
            "description",
            activities::action_items::MAX_DESCRIPTION,
        ),
        (route("/outcomes", Method::POST), "/title", "title", outcomes::model::MAX_TITLE),
        (route(&f.outcome, Method::PATCH), "/evidence", "evidence", outcomes::model::MAX_EVIDENCE),
        (route("/coverage", Method::PUT), "/rows/0/source", "rows[0].source", coverage::model::MAX_SOURCE),
        (route("/coverage", Method::PUT), "/rows/0/note", "rows[0].note", coverage::model::MAX_NOTE),
        (route("/users", Method::POST), "/full_name", "full_name", 200),
        (route(&f.user, Method::PATCH), "/full_name", "full_name", 200),
    ];
    let before = app.table_counts();
    for ((method, path, body), pointer, field, max) in limits {
        let mut body = body.clone();
        let long = match field {
            "email" => format!("{}@padang.go.id", "a".repeat(max + 1 - "@padang.go.id".len())),
            "website" | "url" => format!("https://padang.go.id/{}", "a".repeat(max + 1 - 21)),
            _ => "é".repeat(max + 1), // limits count characters, not bytes
        };
        set(&mut body, pointer, json!(long));
        let res = send_body(&app, &f, &method, &path, body).await;
        let problem = assert_problem(res, 422).await;
        assert!(problem_fields(&problem).contains(&field.to_string()), "{method} {path} {field}: {problem}");
    }
    assert_eq!(app.table_counts(), before);
});

backend_test!(nul_is_422_naming_the_field_on_both_backends, fixed, |app| async move {
    let f = Fixture::new(&app).await;
    assert_every_json_route_is_covered(&app, &f.json_routes()).await;
    let before = app.table_counts();
    // In a field of every JSON route, however the route checks its fields (users' names and logins
    // take other paths than the registry's validator).
    for (method, path, mut body) in f.json_routes() {
        let Some(field) = nul_target(&mut body) else { continue }; // no text in this body
        let res = send_body(&app, &f, &method, &path, body).await;
        let problem = assert_problem(res, 422).await;
        assert_eq!(problem_fields(&problem), std::slice::from_ref(&field), "{method} {path}");
    }
    // In a CSV import.
    let csv = "region_code,segment,period,target,realization,note\n1371,pu,2020,1,1,a\u{0}b\n";
    let res = app
        .post("/api/v1/coverage/import")
        .bearer_auth(&f.w.admin)
        .header("Content-Type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_problem(res, 422).await;
    // In query strings, whatever the parameter.
    for list in f.lists() {
        let problem =
            assert_problem(app.read(&f.w.admin, &format!("{list}?q=a%00b&limit=5")).await, 422).await;
        assert_eq!(problem_fields(&problem), ["q"], "{list}");
    }
    let path = "/api/v1/reports/coverage?region=1371%00";
    assert_eq!(problem_fields(&assert_problem(app.read(&f.w.admin, path).await, 422).await), ["region"]);
    // In a path: names nothing.
    assert_problem(app.read(&f.w.admin, "/api/v1/regions/13%00").await, 404).await;
    assert_eq!(app.table_counts(), before);
});

/// Puts a NUL into the first text value of `body` (keys in order) and answers its field as a problem
/// names it (`rows[0].period`).
fn nul_target(body: &mut Value) -> Option<String> {
    match body {
        Value::String(s) => {
            s.push('\u{0}');
            Some(String::new())
        }
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .find_map(|(i, item)| nul_target(item).map(|rest| join(&format!("[{i}]"), &rest))),
        Value::Object(fields) => {
            fields.iter_mut().find_map(|(key, item)| nul_target(item).map(|rest| join(key, &rest)))
        }
        _ => None,
    }
}

fn join(head: &str, rest: &str) -> String {
    if rest.is_empty() || rest.starts_with('[') { format!("{head}{rest}") } else { format!("{head}.{rest}") }
}

backend_test!(sql_and_script_fragments_are_stored_and_returned_verbatim, fixed, |app| async move {
    let f = Fixture::new(&app).await;
    let (app, f) = (&app, &f);
    let admin = &f.w.admin;
    let sql = "'; DROP TABLE organizations; --";
    let script = "<script>alert(1)</script>";
    let like = "%' OR '1'='1";
    let body = json!({"name": sql, "short_name": "X'--", "kind": "other", "address": script, "notes": like});
    let org =
        expect(send(app, Method::POST, "/api/v1/organizations", admin, None, Some(body)).await, 201).await;
    let org_id = id(&org);
    let contact = json!({"full_name": "Robert'); DROP TABLE contacts;--", "notes": script});
    let path = format!("/api/v1/organizations/{org_id}/contacts");
    let contact = expect(send(app, Method::POST, &path, admin, None, Some(contact)).await, 201).await;
    let mut meeting = held("other", script, &org_id, &[], "2025-06-01");
    meeting["decisions"] = json!([sql, like]);
    let activity = app.create_activity(admin, meeting).await;

    let read = |path: String| async move { expect(app.read(&f.w.admin, &path).await, 200).await };
    let org = read(format!("/api/v1/organizations/{org_id}")).await;
    assert_eq!(
        (&org["name"], &org["short_name"], &org["address"], &org["notes"]),
        (&json!(sql), &json!("X'--"), &json!(script), &json!(like))
    );
    let contact = read(format!("/api/v1/contacts/{}", id(&contact))).await;
    assert_eq!(
        (&contact["full_name"], &contact["notes"]),
        (&json!("Robert'); DROP TABLE contacts;--"), &json!(script))
    );
    let activity = read(format!("/api/v1/activities/{}", id(&activity))).await;
    assert_eq!((&activity["title"], &activity["decisions"]), (&json!(script), &json!([sql, like])));
    // Searching for them finds exactly them: the text is a value, never SQL, and `%` matches itself.
    let q = |s: &str| url_escape(s);
    let found = read(format!("/api/v1/organizations?q={}", q(sql))).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1), "{found}");
    let found = read(format!("/api/v1/organizations?q={}", q("zz' OR '1'='1"))).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(0), "{found}");
    // The CSV export keeps them too (quoted as CSV quotes, not escaped as HTML).
    let res = app.read_as(admin, "/api/v1/organizations?q=DROP", "text/csv").await;
    let text = res.text().await.unwrap();
    assert!(text.contains(sql) && text.contains(script), "{text}");
    // And every table is still there.
    assert!(app.count_rows("organizations") >= 9);
});

/// Percent-encodes a query value.
fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

backend_test!(absurd_limits_and_forged_cursors_are_422_on_every_list, fixed, |app| async move {
    use base64::Engine;
    let f = Fixture::new(&app).await;
    let (app, f) = (&app, &f);
    let admin = &f.w.admin;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let cursor_of = |path: &'static str| async move {
        let page = expect(app.read(&f.w.admin, &format!("{path}?limit=1")).await, 200).await;
        page["next_cursor"].as_str().expect("a next page").to_string()
    };
    let organizations = cursor_of("/api/v1/organizations").await;
    let regions = cursor_of("/api/v1/regions").await;
    let mut tampered = organizations.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    let before = app.table_counts();
    let mut checked = 0;
    for list in f.lists() {
        let other_list = if list.ends_with("/organizations") { &regions } else { &organizations };
        for (what, query, field) in [
            ("a trillion", "limit=1000000000000".to_string(), "limit"),
            ("negative", "limit=-1".to_string(), "limit"),
            ("fractional", "limit=1.5".to_string(), "limit"),
            (
                "random base64",
                format!("cursor={}", b64(&[0x9f, 0x13, 0xee, 0x42, 0x00, 0x7a, 0xc1])),
                "cursor",
            ),
            ("base64 of JSON of another shape", format!("cursor={}", b64(br#"{"id": [1, 2]}"#)), "cursor"),
            ("a key with NUL", format!("cursor={}", b64(br#""13\u0000""#)), "cursor"),
            ("tampered", format!("cursor={tampered}"), "cursor"),
            ("another list's", format!("cursor={other_list}"), "cursor"),
            ("not base64", "cursor=%%%".to_string(), "cursor"),
        ] {
            let res = app.read(admin, &format!("{list}?{query}")).await;
            let problem = assert_problem(res, 422).await;
            assert_eq!(problem_fields(&problem), [field], "{what} on {list}: {problem}");
            checked += 1;
        }
    }
    assert_eq!(checked, 17 * 9);
    assert_eq!(app.table_counts(), before);
});

backend_test!(
    unknown_enums_impossible_dates_and_ids_that_are_not_uuids_are_refused,
    fixed,
    |app| async move {
        let f = Fixture::new(&app).await;
        let routes = f.json_routes();
        let route = |path_end: &str, method: Method| find_route(&routes, path_end, method);
        let post = Method::POST;
        // (route, JSON pointer set to a bad value, the value, the field the 422 names)
        let cases: Vec<(Route, &str, Value, &str)> = vec![
            (route("/organizations", post.clone()), "/kind", json!("castle"), "kind"),
            (route("/organizations", post.clone()), "/parent_id", json!("not-a-uuid"), "parent_id"),
            (route("/regulations", post.clone()), "/kind", json!("fatwa"), "kind"),
            (route("/regulations", post.clone()), "/status", json!("pending"), "status"),
            (route("/regulations", post.clone()), "/enacted_on", json!("2022-02-30"), "enacted_on"),
            (route("/agreements", post.clone()), "/kind", json!("treaty"), "kind"),
            (route("/agreements", post.clone()), "/confidentiality", json!("secret"), "confidentiality"),
            (route("/agreements", post.clone()), "/scopes/0", json!("warfare"), "scopes[0]"),
            (route("/agreements", post.clone()), "/parties/0/role", json!("king"), "parties[0].role"),
            (
                route("/agreements", post.clone()),
                "/parties/1/organization_id",
                json!("1"),
                "parties[1].organization_id",
            ),
            (route("/agreements", post.clone()), "/legal_basis", json!(["UU 24/2011"]), "legal_basis[0]"),
            (route("/agreements", post.clone()), "/signed_on", json!("0000-01-01"), "signed_on"),
            (route("/agreements", post.clone()), "/effective_from", json!("99999-01-01"), "effective_from"),
            (route("/agreements", post.clone()), "/effective_until", json!("2024-02-30"), "effective_until"),
            (route("/terminate", post.clone()), "/terminated_on", json!("2025-13-01"), "terminated_on"),
            (
                route("/amendments", post.clone()),
                "/changes/effective_until",
                json!("+99999-12-31"),
                "effective_until",
            ),
            (
                route("/amendments", post.clone()),
                "/changes/scopes_added",
                json!(["magic"]),
                "changes.scopes_added[0]",
            ),
            (route(&format!("{}/commitments", f.active), post.clone()), "/scope", json!("magic"), "scope"),
            (
                route(&format!("{}/commitments", f.active), post.clone()),
                "/responsible_organization_id",
                json!("BPJSTK-PDG"),
                "responsible_organization_id",
            ),
            (
                route(&format!("{}/commitments", f.active), post.clone()),
                "/due_on",
                json!("2025-06-31"),
                "due_on",
            ),
            (route("/updates", post.clone()), "/status", json!("almost"), "status"),
            (route("/updates", post.clone()), "/reported_on", json!("0000-01-01"), "reported_on"),
            (route("/activities", post.clone()), "/kind", json!("party"), "kind"),
            (route("/activities", post.clone()), "/status", json!("postponed"), "status"),
            (route("/activities", post.clone()), "/cgr_components", json!(["vibes"]), "cgr_components[0]"),
            (
                route("/activities", post.clone()),
                "/organizer_organization_id",
                json!("Pemkot"),
                "organizer_organization_id",
            ),
            (route("/activities", post.clone()), "/starts_at", json!("2025-02-30T09:00:00Z"), "starts_at"),
            (route("/activities", post.clone()), "/ends_at", json!("99999-01-01T00:00:00Z"), "ends_at"),
            (route("/action-items", post.clone()), "/status", json!("maybe"), "status"),
            (route("/action-items", post.clone()), "/due_on", json!("0000-00-00"), "due_on"),
            (route("/attendees", post.clone()), "/contact_id", json!("Budi"), "contact_id"),
            (route("/attendees", post.clone()), "/organization_id", json!(42), "organization_id"),
            (route("/outcomes", post.clone()), "/unit", json!("kilograms"), "unit"),
            (route("/outcomes", post.clone()), "/segment", json!("everyone"), "segment"),
            (route("/outcomes", post.clone()), "/period_start", json!("0000-01-01"), "period_start"),
            (route("/outcomes", post.clone()), "/agreement_id", json!("NK/1"), "agreement_id"),
            (route("/coverage", Method::PUT), "/rows/0/segment", json!("all"), "rows[0].segment"),
            (route("/coverage", Method::PUT), "/rows/0/period", json!("99999"), "rows[0].period"),
            (route("/coverage", Method::PUT), "/rows/0/period", json!("2024-13"), "rows[0].period"),
            (route("/users", post.clone()), "/role", json!("superuser"), "role"),
            (route("/users", post.clone()), "/organization_id", json!("org-1"), "organization_id"),
            (route(&f.user, Method::PATCH), "/status", json!("banned"), "status"),
        ];
        let before = app.table_counts();
        for ((method, path, mut body), pointer, value, field) in cases {
            set(&mut body, pointer, value.clone());
            let res = send_body(&app, &f, &method, &path, body).await;
            assert_eq!(res.status(), 422, "{value} as {field} to {method} {path}");
            let problem = assert_problem(res, 422).await;
            assert_eq!(problem_fields(&problem), [field], "{value} to {method} {path}: {problem}");
        }
        // Ids in paths that are not UUIDs name nothing.
        for path in [
            "organizations/not-a-uuid",
            "organizations/42/contacts",
            "contacts/%27%3B%20DROP%20TABLE%20contacts%3B--",
            "regulations/0190a000-0000-7000-8000",
            "agreements/NK%2F1/activate",
            "commitments/1e3/updates",
            "activities/null/action-items",
            "activities/null/attendees",
            "activities/1/minutes/finalise",
            "action-items/00000000000000000000000000000000000",
            "outcomes/%00",
            "users/admin",
        ] {
            let path = format!("/api/v1/{path}");
            for method in [Method::GET, Method::POST, Method::PATCH, Method::DELETE] {
                let res = send(&app, method.clone(), &path, &f.w.admin, Some("\"1\""), Some(json!({}))).await;
                if res.status() == 405 {
                    continue; // the route has no such method
                }
                assert_eq!(res.status(), 404, "{method} {path}");
                assert_problem(res, 404).await;
            }
        }
        // Headers over 32 KiB on a write.
        let res = app
            .post("/api/v1/organizations")
            .bearer_auth(&f.w.admin)
            .header("X-Padding", "a".repeat(33 * 1024))
            .json(&json!({"name": "Dinas Kominfo", "short_name": "KOMINFO", "kind": "regional_agency"}))
            .send()
            .await
            .unwrap();
        assert_problem(res, 431).await;
        assert_eq!(app.table_counts(), before);
    }
);
