//! Calendar feeds: a user's feed lists exactly the dates of what its organization (and those above it)
//! is involved in and may see: meetings, open commitments' and action items' due dates, active
//! agreements' end dates; nothing of other organizations nor under a restricted agreement it is not
//! party to. The feed parses with a real iCalendar parser (Python's `icalendar`, checked when
//! installed), its UIDs are stable across fetches, a replaced or revoked token answers 404, the token
//! never reaches the audit trail, and the feed routes are the caller's own.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};
use crate::support_agreements::{World, expect, id, send};
use crate::support_results::held;

const FEED: &str = "/api/v1/auth/calendar-feed";

/// The feed at `url` (absolute), fetched without a bearer token; asserts 200 and `text/calendar`.
async fn fetch(url: &str) -> String {
    let res = reqwest::get(url).await.expect("request");
    assert_eq!(res.status(), 200, "{url}");
    assert_eq!(res.headers()["content-type"], "text/calendar; charset=utf-8");
    res.text().await.expect("body")
}

/// The UIDs of the feed's events, read from the text (lines unfolded), in order.
fn uids(text: &str) -> Vec<String> {
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"), "{text}");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "a line longer than 75 octets: {line:?}");
    }
    text.replace("\r\n ", "")
        .split("\r\n")
        .filter_map(|l| l.strip_prefix("UID:"))
        .map(str::to_string)
        .collect()
}

/// Python with the `icalendar` package (`target/pytools/venv`, where `.ci/run` installs it, or on the
/// PATH); None, with a note, when there is none.
fn icalendar_python() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/pytools/venv/bin/python");
    crate::support_tools::find(
        "python3 -m icalendar",
        &[venv, PathBuf::from("python3")],
        &["-c", "import icalendar"],
    )
}

/// The events as Python's `icalendar` reads them: uid, summary and start.
fn parsed(text: &str) -> Option<Vec<Value>> {
    let python = icalendar_python()?;
    let script = "import sys, json, icalendar\n\
                  cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())\n\
                  print(json.dumps([{'uid': str(e['UID']), 'summary': str(e['SUMMARY']), \
                  'start': e.decoded('DTSTART').isoformat()} for e in cal.walk('VEVENT')]))";
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run python");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), text.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("python");
    assert!(out.status.success(), "icalendar refused the feed: {}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("JSON"))
}

async fn create_feed(app: &TestApp, token: &str) -> (String, Value) {
    let res = send(app, Method::POST, FEED, token, None, None).await;
    // The secret is not to be cached anywhere on its way.
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = expect(res, 200).await;
    let url = body["url"].as_str().expect("the URL").to_string();
    assert!(url.starts_with(&app.address) && url.contains("/api/v1/calendar/"), "{url}");
    (url, body)
}

backend_test!(
    a_calendar_feed_has_the_dates_of_what_the_organization_is_involved_in,
    fixed,
    |app| async move {
        let w = World::new(&app).await;
        let o = &w.orgs;
        let opd = w.token(&app, "disnakerin", "opd_staff", Some(&o.disnakerin)).await;

        // Pemkot (above Disnakerin) is party to an active agreement ending 1 March 2026.
        let agreement = id(&app.create_agreement(&w.admin, w.pemkot_bpjs("NK/KAL/1")).await);
        expect(
            send(
                &app,
                Method::POST,
                &format!("/api/v1/agreements/{agreement}/activate"),
                &w.admin,
                None,
                None,
            )
            .await,
            200,
        )
        .await;
        let open = json!({"title": "Data P3KE; tahap 1, Kota Padang", "responsible_organization_id": o.disnakerin,
        "due_on": "2025-07-31"});
        let commitment = id(&app.create_commitment(&w.admin, &agreement, open).await);
        // Not Disnakerin's, and without a due date: neither is in the feed.
        let others =
            json!({"title": "Simulasi iuran", "responsible_organization_id": o.bpjs, "due_on": "2025-07-31"});
        app.create_commitment(&w.admin, &agreement, others).await;
        let undated = json!({"title": "Tanpa tenggat", "responsible_organization_id": o.disnakerin});
        app.create_commitment(&w.admin, &agreement, undated).await;

        let meeting = id(&app
            .create_activity(
                &w.admin,
                held("coordination_meeting", "Rakor kepesertaan", &o.disnakerin, &[&o.bpjs], "2025-06-10"),
            )
            .await);
        let taking_part = id(&app
            .create_activity(
                &w.admin,
                held("sosialisasi", "Sosialisasi BPU", &o.bpjs, &[&o.disnakerin], "2025-06-12"),
            )
            .await);
        // Neither organized by nor with Disnakerin (or Pemkot).
        app.create_activity(
            &w.admin,
            held("pembinaan", "Pembinaan Perisai", &o.bpjs, &[&o.perisai], "2025-06-11"),
        )
        .await;
        // More than a year ago.
        app.create_activity(&w.admin, held("monev", "Monev lama", &o.disnakerin, &[], "2024-01-10")).await;
        // Disnakerin takes part, but under a restricted agreement it is no party to.
        let mut secret = w.pemkot_bpjs("NK/KAL/RAHASIA");
        secret["confidentiality"] = json!("restricted");
        secret["parties"] = json!([{"organization_id": o.bpjs, "role": "first_party"},
        {"organization_id": o.rumah_bumn, "role": "second_party"}]);
        let secret = id(&app.create_agreement(&w.admin, secret).await);
        let mut hidden = held("monev", "Monev rahasia", &o.bpjs, &[&o.disnakerin], "2025-06-13");
        hidden["agreement_id"] = json!(secret);
        app.create_activity(&w.admin, hidden).await;

        let item = json!({"description": "Kirim data by name by address", "owner_organization_id": o.disnakerin,
        "due_on": "2025-06-30"});
        let action_item = id(&expect(
            send(
                &app,
                Method::POST,
                &format!("/api/v1/activities/{meeting}/action-items"),
                &opd,
                None,
                Some(item),
            )
            .await,
            201,
        )
        .await);

        let (url, body) = create_feed(&app, &opd).await;
        assert_eq!(body["created_at"], json!(format!("{}T09:00:00Z", crate::support_agreements::TODAY)));
        let text = fetch(&url).await;
        let mut expected = vec![
            format!("activity-{meeting}@sinergi"),
            format!("activity-{taking_part}@sinergi"),
            format!("commitment-{commitment}@sinergi"),
            format!("action-item-{action_item}@sinergi"),
            format!("agreement-end-{agreement}@sinergi"),
        ];
        let mut got = uids(&text);
        assert_eq!(got, expected, "{text}");
        // Stable across fetches, so calendar programs update instead of duplicating.
        assert_eq!(uids(&fetch(&url).await), got);
        assert!(text.contains("SUMMARY:Tenggat komitmen: Data P3KE\\; tahap 1\\, Kota Padang\r\n"), "{text}");
        assert!(text.contains("DTSTART;VALUE=DATE:20250731\r\nDTEND;VALUE=DATE:20250801\r\n"), "{text}");
        assert!(text.contains("DTSTART:20250610T090000Z\r\nDTEND:20250610T110000Z\r\n"), "{text}");
        assert!(text.contains("SUMMARY:Perjanjian berakhir: NK/KAL/1 "), "{text}");
        if let Some(events) = parsed(&text) {
            let parsed_uids: Vec<&str> = events.iter().map(|e| e["uid"].as_str().unwrap()).collect();
            assert_eq!(parsed_uids, got.iter().map(String::as_str).collect::<Vec<_>>());
            let commitment_event = &events[2];
            assert_eq!(commitment_event["summary"], "Tenggat komitmen: Data P3KE; tahap 1, Kota Padang");
            assert_eq!(commitment_event["start"], "2025-07-31");
            assert_eq!(events[0]["start"], "2025-06-10T09:00:00+00:00");
        }

        // A done action item leaves the feed.
        let done = json!({"status": "done"});
        let res = app
            .request(Method::PATCH, &format!("/api/v1/action-items/{action_item}"))
            .bearer_auth(&opd)
            .header("If-Match", "\"1\"")
            .json(&done)
            .send()
            .await
            .unwrap();
        expect(res, 200).await;
        expected.retain(|uid| !uid.starts_with("action-item-"));
        got = uids(&fetch(&url).await);
        assert_eq!(got, expected);

        // The feed as the API shows it again: no URL.
        let shown = expect(app.read(&opd, FEED).await, 200).await;
        assert_eq!(shown, json!({"created_at": body["created_at"]}));
        // The audit trail records the feed, never its token.
        let token = url.rsplit('/').next().unwrap().to_string();
        let trail =
            app.read(&w.admin, "/api/v1/audit-events?entity_type=calendar_feed").await.text().await.unwrap();
        assert!(trail.contains("calendar_feed") && !trail.contains(&token), "{trail}");
    }
);

backend_test!(a_replaced_or_revoked_calendar_token_answers_404, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let auditor = w.token(&app, "auditor", "auditor", Some(&o.inspektorat)).await;
    // Every role may read, so every role may have a feed; the routes are the caller's own.
    assert_problem(app.read(&auditor, FEED).await, 404).await;
    assert_problem(send(&app, Method::DELETE, FEED, &auditor, None, None).await, 404).await;
    let (first, _) = create_feed(&app, &auditor).await;
    fetch(&first).await;
    let (second, _) = create_feed(&app, &auditor).await;
    assert_ne!(first, second);
    assert_problem(reqwest::get(&first).await.unwrap(), 404).await;
    fetch(&second).await;

    // Another user's feed is theirs alone.
    let bpjs = w.token(&app, "bpjs", "bpjs_staff", Some(&o.bpjs)).await;
    assert_problem(app.read(&bpjs, FEED).await, 404).await;

    expect(send(&app, Method::DELETE, FEED, &auditor, None, None).await, 204).await;
    assert_problem(reqwest::get(&second).await.unwrap(), 404).await;
    assert_problem(app.read(&auditor, FEED).await, 404).await;
    assert_problem(send(&app, Method::DELETE, FEED, &auditor, None, None).await, 404).await;

    // A made-up token is 404 like a revoked one; without a bearer token the feed routes are 401.
    let made_up = format!("{}/api/v1/calendar/{}", app.address, "A".repeat(43));
    assert_problem(reqwest::get(&made_up).await.unwrap(), 404).await;
    for method in [Method::GET, Method::POST, Method::DELETE] {
        assert_problem(app.request(method, FEED).send().await.unwrap(), 401).await;
    }
    let created = app.read(&w.admin, "/api/v1/audit-events?entity_type=calendar_feed").await;
    let events = expect(created, 200).await;
    let actions: Vec<&str> =
        events["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "create").count(), 2, "{events}");
    assert_eq!(actions.iter().filter(|a| **a == "delete").count(), 1, "{events}");
});
