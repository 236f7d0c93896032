//! Reminders and notifications: a rule fires once per occurrence and tells exactly the users it names
//! (never one who muted the record, chose no reminders of that kind, or may not see it); something
//! already overdue when first seen gets one overdue notice; users list their notices unread first, mark
//! them read, choose their language and channels; administrators change the rules; the daily digest is
//! queued once per user per day in the user's language. The pass is driven with a moving clock through
//! the library (it is a background job, not a route); everything else goes through the API.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use sinergi::notifications::reminders::{self, PassReport, Setup};

use crate::helpers::{TestApp, assert_problem, problem_fields};
use crate::support_agreements::{World, expect, id, send};
use crate::support_results::held;
use crate::support_server::ServerProcess;

const RULES: &str = "/api/v1/notification-rules";
const SETTINGS: &str = "/api/v1/auth/notification-settings";

/// Asserts a problem with this status naming exactly `fields` (sorted) in its `errors`.
async fn refused(res: reqwest::Response, status: u16, fields: &[&str]) {
    let body = assert_problem(res, status).await;
    let mut want: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
    want.sort();
    if status == 422 && fields.is_empty() {
        return;
    }
    assert_eq!(problem_fields(&body), want, "{body}");
}

fn at(day: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{day}T09:00:00Z")).expect("a date").with_timezone(&Utc)
}

/// One reminder pass as of 09:00 UTC on `day` (email on: digests are queued).
fn pass(app: &TestApp, day: &str) -> PassReport {
    let setup = Setup { email: true, public_url: "https://sinergi.padang.go.id".into() };
    let mut conn = app.connection();
    sinergi::db::write_transaction(&mut conn, |c| reminders::pass(c, &setup, at(day))).expect("a pass")
}

/// The caller's notices (first page), as the API lists them.
async fn notices(app: &TestApp, token: &str) -> Vec<Value> {
    let page = expect(send(app, Method::GET, "/api/v1/notifications", token, None, None).await, 200).await;
    page["items"].as_array().expect("items").clone()
}

/// A user with an email address; answers (token, id).
async fn user(app: &TestApp, w: &World, username: &str, role: &str, org: &str) -> (String, String) {
    let body = json!({"username": username, "full_name": format!("Ibu {username}"), "role": role,
        "organization_id": org, "email": format!("{username}@padang.go.id"),
        "password": crate::support_users::USER_PASSWORD});
    let created =
        expect(send(app, Method::POST, "/api/v1/users", &w.admin, None, Some(body)).await, 201).await;
    (app.login(username, crate::support_users::USER_PASSWORD).await, id(&created))
}

/// The digests queued in the outbox: (recipient, subject, text).
fn digests(app: &TestApp) -> Vec<(String, String, String)> {
    use sinergi::db::schema::outbox;
    let mut conn = app.connection();
    let rows: Vec<String> = outbox::table
        .filter(outbox::channel.eq("email"))
        .order(outbox::created_at.asc())
        .select(outbox::payload)
        .load(&mut conn)
        .expect("outbox");
    rows.iter()
        .map(|p| {
            let v: Value = serde_json::from_str(p).expect("payload");
            (
                v["to"].as_str().unwrap_or("").into(),
                v["subject"].as_str().unwrap_or("").into(),
                v["text"].as_str().unwrap_or("").into(),
            )
        })
        .collect()
}

/// An active Pemkot–BPJS agreement with a Disnakerin commitment due on `due`: (agreement, commitment).
async fn commitment_due(app: &TestApp, w: &World, number: &str, due: &str) -> (String, String) {
    let agreement = id(&app.active_agreement(w, number).await);
    let body = json!({"title": "Sosialisasi kepesertaan BPU", "responsible_organization_id": w.orgs.disnakerin,
        "due_on": due});
    (agreement.clone(), id(&app.create_commitment(&w.admin, &agreement, body).await))
}

backend_test!(
    a_rule_fires_once_per_occurrence_for_the_users_of_the_responsible_organization,
    fixed,
    |app| async move {
        let w = World::new(&app).await;
        let o = &w.orgs;
        let (siti, _) = user(&app, &w, "siti", "opd_staff", &o.disnakerin).await;
        let (rudi, _) = user(&app, &w, "rudi", "opd_staff", &o.disnakerin).await;
        let (bpjs, _) = user(&app, &w, "bpjs", "bpjs_staff", &o.bpjs).await;
        // Due in 14 days (the clock stands on 15 June 2025).
        let (_, commitment) = commitment_due(&app, &w, "NK/REM/1", "2025-06-29").await;
        // Rudi muted it.
        let mute = json!({"subject_type": "commitment", "subject_id": commitment});
        let res = send(&app, Method::POST, "/api/v1/notifications/mutes", &rudi, None, Some(mute)).await;
        assert_eq!(res.headers()["location"], format!("/api/v1/notifications/mutes/{commitment}").as_str());
        expect(res, 201).await;

        let first = pass(&app, "2025-06-15");
        assert_eq!(first, PassReport { occurrences: 1, notices: 1, digests: 1 });
        let siti_notices = notices(&app, &siti).await;
        assert_eq!(siti_notices.len(), 1, "{siti_notices:?}");
        let n = &siti_notices[0];
        assert_eq!(n["kind"], "commitment_due");
        assert_eq!(n["subject_id"], commitment.as_str());
        assert_eq!(n["link"], format!("/api/v1/commitments/{commitment}").as_str());
        assert_eq!(n["due_on"], "2025-06-29");
        assert_eq!(n["read"], false);
        assert_eq!(
            n["message"],
            "Komitmen \"Sosialisasi kepesertaan BPU\" jatuh tempo dalam 14 hari (29 Juni 2025)."
        );
        assert!(notices(&app, &rudi).await.is_empty(), "a muted record reminds nobody");
        assert!(notices(&app, &bpjs).await.is_empty(), "BPJS is not responsible for it");
        assert!(notices(&app, &w.admin).await.is_empty());
        // One digest, to Siti only, in Indonesian, linking to the commitment's agreement in the console.
        let mail = digests(&app);
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0].0, "siti@padang.go.id");
        assert_eq!(mail[0].1, "Sinergi: 1 pengingat, 15 Juni 2025");
        assert!(mail[0].2.starts_with("Yth. Ibu siti,"), "{}", mail[0].2);
        assert!(mail[0].2.contains("jatuh tempo dalam 14 hari (29 Juni 2025)"), "{}", mail[0].2);
        assert!(mail[0].2.contains("https://sinergi.padang.go.id/perjanjian/"), "{}", mail[0].2);

        // The same day again, and the day after: nothing new.
        assert_eq!(pass(&app, "2025-06-15"), PassReport::default());
        assert_eq!(pass(&app, "2025-06-16"), PassReport::default());
        assert_eq!(notices(&app, &siti).await.len(), 1);
        // 3 days before: the 3-day rule. The day after the due date: one overdue notice.
        assert_eq!(pass(&app, "2025-06-26").occurrences, 1);
        assert_eq!(pass(&app, "2025-06-30").occurrences, 1);
        assert_eq!(pass(&app, "2025-07-15"), PassReport::default());
        let kinds: Vec<Value> = notices(&app, &siti).await.iter().map(|n| n["kind"].clone()).collect();
        assert_eq!(kinds, [json!("commitment_overdue"), json!("commitment_due"), json!("commitment_due")]);
        assert!(notices(&app, &rudi).await.is_empty());
        // One digest per day it had something new: three days, three digests.
        assert_eq!(digests(&app).len(), 3);

        // A commitment fulfilled is no longer reminded of.
        let (_, done) = commitment_due(&app, &w, "NK/REM/2", "2025-07-20").await;
        let report = json!({"status": "fulfilled", "progress_pct": 100});
        let path = format!("/api/v1/commitments/{done}/updates");
        expect(send(&app, Method::POST, &path, &w.admin, None, Some(report)).await, 201).await;
        assert_eq!(pass(&app, "2025-07-18"), PassReport::default());
    }
);

backend_test!(
    a_record_already_overdue_gets_one_overdue_notice_not_one_per_rule_it_missed,
    fixed,
    |app| async move {
        let w = World::new(&app).await;
        let o = &w.orgs;
        let (siti, _) = user(&app, &w, "siti", "opd_staff", &o.disnakerin).await;
        commitment_due(&app, &w, "NK/LATE/1", "2025-06-05").await;
        // An action item due in 2 days: the 3-day notice only.
        let meeting = held("coordination_meeting", "Rakor", &o.pemkot, &[&o.bpjs], "2025-06-01");
        let activity = id(&app.create_activity(&w.admin, meeting).await);
        let item = json!({"description": "Kirim data P3KE", "owner_organization_id": o.disnakerin, "due_on": "2025-06-17"});
        let path = format!("/api/v1/activities/{activity}/action-items");
        let item = id(&expect(send(&app, Method::POST, &path, &w.admin, None, Some(item)).await, 201).await);

        assert_eq!(pass(&app, "2025-06-15").occurrences, 2);
        let list = notices(&app, &siti).await;
        let mut kinds: Vec<&str> = list.iter().map(|n| n["kind"].as_str().unwrap_or("")).collect();
        kinds.sort();
        assert_eq!(kinds, ["action_item_due", "commitment_overdue"]);
        let on_item =
            list.iter().find(|n| n["subject_id"] == item.as_str()).expect("the action item's notice");
        assert_eq!(
            on_item["message"],
            "Tindak lanjut \"Kirim data P3KE\" jatuh tempo dalam 2 hari (17 Juni 2025)."
        );
        assert_eq!(on_item["link"], format!("/api/v1/action-items/{item}").as_str());
    }
);

backend_test!(agreements_ending_and_drafts_left_alone_remind_every_party, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let (pemkot, _) = user(&app, &w, "pemkot", "opd_staff", &o.pemkot).await;
    let (bpjs, _) = user(&app, &w, "bpjs", "bpjs_staff", &o.bpjs).await;
    let (perisai, _) = user(&app, &w, "perisai", "partner_staff", &o.perisai).await;
    // Ends on 1 March 2026; a draft made today.
    let active = id(&app.active_agreement(&w, "NK/END/1").await);
    let draft = id(&app.create_agreement(&w.admin, w.pemkot_bpjs("NK/DRAFT/9")).await);

    assert_eq!(pass(&app, "2025-06-15"), PassReport::default());
    // 31 days later the draft has been idle for 30 days.
    assert_eq!(pass(&app, "2025-07-16").occurrences, 1);
    // 90 days before the end, then 30.
    assert_eq!(pass(&app, "2025-12-01").occurrences, 1);
    assert_eq!(pass(&app, "2026-01-30").occurrences, 1);
    for token in [&pemkot, &bpjs] {
        let list = notices(&app, token).await;
        let got: Vec<(String, String)> = list
            .iter()
            .map(|n| (n["kind"].as_str().unwrap_or("").into(), n["subject_id"].as_str().unwrap_or("").into()))
            .collect();
        assert_eq!(
            got,
            [
                ("agreement_expiring".to_string(), active.clone()),
                ("agreement_expiring".to_string(), active.clone()),
                ("draft_agreement_idle".to_string(), draft.clone()),
            ]
        );
        assert!(list[0]["message"].as_str().unwrap_or("").contains("berakhir dalam 30 hari (1 Maret 2026)"));
        assert_eq!(
            list[2]["message"],
            "Rancangan perjanjian \"Optimalisasi perlindungan jaminan sosial ketenagakerjaan\" belum diubah sejak 15 Juni 2025."
        );
    }
    assert!(notices(&app, &perisai).await.is_empty());
});

backend_test!(a_restricted_agreement_reminds_only_those_who_may_see_it, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let (perisai, _) = user(&app, &w, "perisai", "partner_staff", &o.perisai).await;
    let (dinsos, _) = user(&app, &w, "dinsos", "opd_staff", &o.dinsos).await;
    let (bpjs, _) = user(&app, &w, "bpjs", "bpjs_staff", &o.bpjs).await;
    let (_, monev) = w.restricted_monev(&app).await;
    // The Perisai agency owns an action item of a monev under a restricted agreement it is no party to:
    // it may not see it, so it is not told. Dinsos is no party either, but acts for Pemkot above it,
    // which is.
    let mut hidden = String::new();
    for (what, org) in [("Data PBI", &o.perisai), ("Verifikasi PBI", &o.dinsos), ("Simulasi iuran", &o.bpjs)]
    {
        let body = json!({"description": what, "owner_organization_id": org, "due_on": "2025-06-17"});
        let path = format!("/api/v1/activities/{monev}/action-items");
        let made = id(&expect(send(&app, Method::POST, &path, &w.admin, None, Some(body)).await, 201).await);
        if org == &o.perisai {
            hidden = made;
        }
    }
    assert_eq!(pass(&app, "2025-06-15").occurrences, 3);
    assert!(notices(&app, &perisai).await.is_empty());
    assert_eq!(notices(&app, &dinsos).await.len(), 1);
    assert_eq!(notices(&app, &bpjs).await.len(), 1);
    // Nor may the agency mute what it cannot see.
    let res = send(
        &app,
        Method::POST,
        "/api/v1/notifications/mutes",
        &perisai,
        None,
        Some(json!({"subject_type": "action_item", "subject_id": hidden})),
    )
    .await;
    refused(res, 422, &["subject_id"]).await;
});

backend_test!(notices_list_unread_first_and_are_marked_read_by_their_user_only, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let (siti, _) = user(&app, &w, "siti", "opd_staff", &o.disnakerin).await;
    let (rudi, _) = user(&app, &w, "rudi", "opd_staff", &o.disnakerin).await;
    for (n, due) in ["2025-06-20", "2025-06-22", "2025-06-27"].iter().enumerate() {
        commitment_due(&app, &w, &format!("NK/READ/{n}"), due).await;
    }
    pass(&app, "2025-06-15");
    let count = |token: String| {
        let app = &app;
        async move {
            expect(
                send(app, Method::GET, "/api/v1/notifications/unread-count", &token, None, None).await,
                200,
            )
            .await
        }
    };
    assert_eq!(count(siti.clone()).await, json!({"unread": 3}));
    let list = notices(&app, &siti).await;
    let middle = list[1]["id"].as_str().expect("id").to_string();
    // Rudi cannot mark Siti's notice: it is not his (404, as if it did not exist).
    let path = format!("/api/v1/notifications/{middle}/read");
    refused(send(&app, Method::POST, &path, &rudi, None, None).await, 404, &[]).await;
    let read = expect(send(&app, Method::POST, &path, &siti, None, None).await, 200).await;
    assert_eq!(read["read"], true);
    assert_eq!(read["read_at"], "2025-06-15T09:00:00Z");
    assert_eq!(count(siti.clone()).await, json!({"unread": 2}));
    // Unread first (newest first), then the read one; `?unread=true` leaves it out; pages of one follow
    // the same order.
    let order: Vec<Value> = notices(&app, &siti).await.iter().map(|n| n["id"].clone()).collect();
    assert_eq!(order, [list[0]["id"].clone(), list[2]["id"].clone(), list[1]["id"].clone()]);
    let unread =
        expect(send(&app, Method::GET, "/api/v1/notifications?unread=true", &siti, None, None).await, 200)
            .await;
    assert_eq!(unread["items"].as_array().map(Vec::len), Some(2));
    let mut paged = Vec::new();
    let mut next = Some("/api/v1/notifications?limit=1".to_string());
    while let Some(path) = next {
        let page = expect(send(&app, Method::GET, &path, &siti, None, None).await, 200).await;
        paged.extend(page["items"].as_array().expect("items").iter().map(|n| n["id"].clone()));
        next = page["next_cursor"].as_str().map(|c| format!("/api/v1/notifications?limit=1&cursor={c}"));
    }
    assert_eq!(paged, order);
    // Everything read: two were unread; the audit trail has the user's reads.
    let all =
        expect(send(&app, Method::POST, "/api/v1/notifications/read-all", &siti, None, None).await, 200)
            .await;
    assert_eq!(all, json!({"marked": 2}));
    assert_eq!(count(siti.clone()).await, json!({"unread": 0}));
    assert_eq!(count(rudi.clone()).await, json!({"unread": 3}));
    let events = expect(
        send(&app, Method::GET, "/api/v1/audit-events?entity_type=notification", &w.admin, None, None).await,
        200,
    )
    .await;
    let actions: Vec<&str> = events["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions.len(), 2, "{events}");
    assert!(actions.contains(&"read") && actions.contains(&"read_all"), "{actions:?}");
});

backend_test!(users_choose_their_language_and_how_each_kind_reaches_them, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let (siti, _) = user(&app, &w, "siti", "opd_staff", &o.disnakerin).await;
    let (rudi, _) = user(&app, &w, "rudi", "opd_staff", &o.disnakerin).await;
    let (ani, _) = user(&app, &w, "ani", "opd_staff", &o.disnakerin).await;
    let settings = expect(send(&app, Method::GET, SETTINGS, &siti, None, None).await, 200).await;
    assert_eq!(settings["language"], "id");
    assert_eq!(settings["channels"].as_array().map(Vec::len), Some(6));
    assert!(settings["channels"].as_array().expect("channels").iter().all(|c| c["channel"] == "both"));
    // Siti: English, email only for due commitments. Rudi: none. Ani keeps both.
    let change = json!({"language": "en", "channels": [{"kind": "commitment_due", "channel": "email"}]});
    let changed = expect(send(&app, Method::PUT, SETTINGS, &siti, None, Some(change)).await, 200).await;
    assert_eq!(changed["language"], "en");
    assert_eq!(changed["channels"][0], json!({"kind": "commitment_due", "channel": "email"}));
    let none = json!({"channels": [{"kind": "commitment_due", "channel": "none"}]});
    expect(send(&app, Method::PUT, SETTINGS, &rudi, None, Some(none)).await, 200).await;
    // Bad settings: a kind named twice, an unknown channel; nothing changes.
    let twice = json!({"channels": [{"kind": "commitment_due", "channel": "none"}, {"kind": "commitment_due", "channel": "both"}]});
    refused(send(&app, Method::PUT, SETTINGS, &ani, None, Some(twice)).await, 422, &["channels[1].kind"])
        .await;
    let unknown = json!({"channels": [{"kind": "commitment_due", "channel": "pigeon"}]});
    refused(send(&app, Method::PUT, SETTINGS, &ani, None, Some(unknown)).await, 422, &[]).await;
    let ani_settings = expect(send(&app, Method::GET, SETTINGS, &ani, None, None).await, 200).await;
    assert_eq!(ani_settings, settings);

    commitment_due(&app, &w, "NK/SET/1", "2025-06-29").await;
    assert_eq!(pass(&app, "2025-06-15"), PassReport { occurrences: 1, notices: 2, digests: 2 });
    assert!(notices(&app, &siti).await.is_empty(), "Siti wants email only");
    assert!(notices(&app, &rudi).await.is_empty(), "Rudi wants none");
    assert_eq!(notices(&app, &ani).await.len(), 1);
    let mut mail = digests(&app);
    mail.sort();
    assert_eq!(
        mail.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(),
        ["ani@padang.go.id", "siti@padang.go.id"]
    );
    let english = &mail[1];
    assert_eq!(english.1, "Sinergi: 1 reminder, 15 June 2025");
    assert!(english.2.starts_with("Dear Ibu siti,"), "{}", english.2);
    assert!(
        english.2.contains("Commitment \"Sosialisasi kepesertaan BPU\" is due in 14 days (29 June 2025)."),
        "{}",
        english.2
    );
});

backend_test!(administrators_change_the_rules_and_the_pass_follows_them, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let (siti, _) = user(&app, &w, "siti", "opd_staff", &o.disnakerin).await;
    let rules = expect(send(&app, Method::GET, RULES, &siti, None, None).await, 200).await;
    let rules = rules["items"].as_array().expect("items").clone();
    let summary: Vec<(String, i64)> = rules
        .iter()
        .map(|r| (r["kind"].as_str().unwrap_or("").into(), r["days"].as_i64().unwrap_or(-1)))
        .collect();
    let expected: Vec<(String, i64)> = [
        ("commitment_due", 14),
        ("commitment_due", 3),
        ("commitment_overdue", 0),
        ("action_item_due", 3),
        ("action_item_overdue", 0),
        ("agreement_expiring", 90),
        ("agreement_expiring", 30),
        ("draft_agreement_idle", 30),
    ]
    .iter()
    .map(|(k, d)| (k.to_string(), *d))
    .collect();
    assert_eq!(summary, expected);
    // Bad rules: a second 14-day commitment rule (409); an overdue rule with days; days out of range; an
    // agreement rule told to the "responsible" organization.
    let dup = json!({"kind": "commitment_due", "days": 14});
    refused(send(&app, Method::POST, RULES, &w.admin, None, Some(dup)).await, 409, &[]).await;
    let bad = json!({"kind": "commitment_overdue", "days": 3});
    refused(send(&app, Method::POST, RULES, &w.admin, None, Some(bad)).await, 422, &["days"]).await;
    let bad = json!({"kind": "commitment_due", "days": 400, "audience": "agreement_parties"});
    refused(send(&app, Method::POST, RULES, &w.admin, None, Some(bad)).await, 422, &["days"]).await;
    let bad = json!({"kind": "agreement_expiring", "days": 7, "audience": "responsible"});
    refused(send(&app, Method::POST, RULES, &w.admin, None, Some(bad)).await, 422, &["audience"]).await;
    let missing = json!({});
    refused(send(&app, Method::POST, RULES, &w.admin, None, Some(missing)).await, 422, &["kind", "days"])
        .await;

    // A 7-day rule told to every party, the 14-day rule off.
    let seven = json!({"kind": "commitment_due", "days": 7, "audience": "agreement_parties"});
    expect(send(&app, Method::POST, RULES, &w.admin, None, Some(seven)).await, 201).await;
    let fourteen = &rules[0];
    let path = format!("{RULES}/{}", id(fourteen));
    let off = expect(
        send(&app, Method::PATCH, &path, &w.admin, Some("\"1\""), Some(json!({"enabled": false}))).await,
        200,
    )
    .await;
    assert_eq!(off["enabled"], false);
    assert_eq!(off["version"], 2);
    let (bpjs, _) = user(&app, &w, "bpjs", "bpjs_staff", &o.bpjs).await;
    commitment_due(&app, &w, "NK/RULE/1", "2025-06-29").await;
    assert_eq!(pass(&app, "2025-06-15"), PassReport::default(), "the 14-day rule is off");
    assert_eq!(pass(&app, "2025-06-22").occurrences, 1);
    // The 7-day rule tells the parties (Pemkot, above Disnakerin, has no user; BPJS does), not Disnakerin.
    assert_eq!(notices(&app, &bpjs).await.len(), 1);
    assert!(notices(&app, &siti).await.is_empty());
    // A rule deleted fires no more.
    let three = id(&rules[1]);
    let path = format!("{RULES}/{three}");
    expect(send(&app, Method::DELETE, &path, &w.admin, Some("\"1\""), None).await, 204).await;
    refused(send(&app, Method::GET, &path, &w.admin, None, None).await, 404, &[]).await;
    assert_eq!(pass(&app, "2025-06-27"), PassReport::default());
});

backend_test!(mutes_are_the_callers_own, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let (siti, _) = user(&app, &w, "siti", "opd_staff", &o.disnakerin).await;
    let (_, commitment) = commitment_due(&app, &w, "NK/MUTE/1", "2025-06-29").await;
    let mutes = "/api/v1/notifications/mutes";
    let body = json!({"subject_type": "commitment", "subject_id": commitment});
    let first = expect(send(&app, Method::POST, mutes, &siti, None, Some(body.clone())).await, 201).await;
    assert_eq!(first["subject_id"], commitment.as_str());
    assert_eq!(first["subject_type"], "commitment");
    // Muting again changes nothing; the list has it once; nobody else's list has it.
    expect(send(&app, Method::POST, mutes, &siti, None, Some(body)).await, 201).await;
    let list = expect(send(&app, Method::GET, mutes, &siti, None, None).await, 200).await;
    assert_eq!(list["items"], json!([first]));
    let theirs = expect(send(&app, Method::GET, mutes, &w.admin, None, None).await, 200).await;
    assert_eq!(theirs["items"], json!([]));
    // A record that does not exist, a missing field.
    let nothing = json!({"subject_type": "agreement", "subject_id": sinergi::db::Id::new()});
    refused(send(&app, Method::POST, mutes, &siti, None, Some(nothing)).await, 422, &["subject_id"]).await;
    refused(
        send(&app, Method::POST, mutes, &siti, None, Some(json!({}))).await,
        422,
        &["subject_type", "subject_id"],
    )
    .await;
    // Unmuted: the record reminds again; unmuting twice is 404.
    let path = format!("{mutes}/{commitment}");
    refused(send(&app, Method::DELETE, &path, &w.admin, None, None).await, 404, &[]).await;
    expect(send(&app, Method::DELETE, &path, &siti, None, None).await, 204).await;
    refused(send(&app, Method::DELETE, &path, &siti, None, None).await, 404, &[]).await;
    pass(&app, "2025-06-15");
    assert_eq!(notices(&app, &siti).await.len(), 1);
});

/// `sinergi notify run-once` on this test's database: the JSON it prints.
fn run_once(app: &TestApp) -> Value {
    let out = app.sinergi().args(["notify", "run-once"]).output().expect("run sinergi notify run-once");
    assert!(out.status.success(), "notify run-once failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

backend_test!(
    one_run_on_the_demo_data_tells_each_user_what_its_organization_has_due_and_a_second_adds_none,
    |app| async move {
        use sinergi::db::schema::{action_items, commitments, notifications, users};
        // The demo: the Padang data set and its users, loaded by `serve --demo` (with its own reminder passes
        // off, so that the command below makes the first).
        let mut demo = app.sinergi();
        demo.env("SINERGI_REMINDERS", "off");
        let mut server = ServerProcess::start(demo, &["--demo"]).await;
        server.kill();
        let first = run_once(&app);
        assert!(first["reminders"]["notices"].as_u64().unwrap_or(0) > 0, "{first}");
        let second = run_once(&app);
        assert_eq!(second["reminders"], json!({"occurrences": 0, "notices": 0, "digests": 0}), "{second}");

        // Exactly: every active user of the organization responsible for an open commitment that is overdue
        // or due within 14 days (an action item: 3 days) has one notice about it, and nobody else has one.
        let mut conn = app.connection();
        let today = Utc::now().date_naive();
        let members: Vec<(sinergi::db::Id, Option<sinergi::db::Id>)> = users::table
            .filter(users::status.eq("active"))
            .select((users::id, users::organization_id))
            .load(&mut conn)
            .expect("users");
        let of = |org: sinergi::db::Id| members.iter().filter(move |(_, o)| *o == Some(org)).map(|(u, _)| *u);
        let mut expected = Vec::new();
        let open: Vec<(sinergi::db::Id, sinergi::db::Id, Option<chrono::NaiveDate>)> = commitments::table
            .filter(commitments::status.eq_any(["planned", "in_progress"]))
            .select((commitments::id, commitments::responsible_organization_id, commitments::due_on))
            .load(&mut conn)
            .expect("commitments");
        for (id, org, due) in open {
            if due.is_some_and(|d| (d - today).num_days() <= 14) {
                expected.extend(of(org).map(|u| (u, id)));
            }
        }
        let items: Vec<(sinergi::db::Id, sinergi::db::Id, Option<chrono::NaiveDate>)> = action_items::table
            .filter(action_items::status.eq("open"))
            .select((action_items::id, action_items::owner_organization_id, action_items::due_on))
            .load(&mut conn)
            .expect("action items");
        for (id, org, due) in items {
            if due.is_some_and(|d| (d - today).num_days() <= 3) {
                expected.extend(of(org).map(|u| (u, id)));
            }
        }
        let mut got: Vec<(sinergi::db::Id, sinergi::db::Id)> = notifications::table
            .filter(notifications::subject_type.ne("agreement"))
            .select((notifications::user_id, notifications::subject_id))
            .load(&mut conn)
            .expect("notices");
        expected.sort();
        got.sort();
        assert!(!expected.is_empty(), "the demo data has something due");
        assert_eq!(got, expected);
    }
);
