//! Fixtures for the activity, outcome, coverage and report tests: short-hands for creating activities,
//! the Padang coverage figures of the study (tables 1.2 and 1.3), and audit counts.

use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use sinergi::db::schema::audit_events;

use crate::helpers::TestApp;
use crate::support_agreements::{expect, send};

impl TestApp {
    pub async fn create_activity(&self, token: &str, body: Value) -> Value {
        expect(send(self, Method::POST, "/api/v1/activities", token, None, Some(body)).await, 201).await
    }

    /// How many audit events concern `entity_type`.
    pub fn audit_count(&self, entity_type: &str) -> i64 {
        audit_events::table
            .filter(audit_events::entity_type.eq(entity_type))
            .count()
            .get_result(&mut self.connection())
            .expect("count audit events")
    }

    pub fn count_rows(&self, table: &str) -> i64 {
        count_rows(&mut self.connection(), table)
    }

    /// The row counts of every table an API write touches, the audit trail included: what a refused
    /// request must leave as it was.
    pub fn table_counts(&self) -> Vec<(&'static str, i64)> {
        let mut conn = self.connection();
        WRITTEN_TABLES.iter().map(|&table| (table, count_rows(&mut conn, table))).collect()
    }
}

const WRITTEN_TABLES: [&str; 24] = [
    "organizations",
    "contacts",
    "regulations",
    "agreements",
    "agreement_parties",
    "amendments",
    "commitments",
    "commitment_updates",
    "activities",
    "action_items",
    "outcomes",
    "coverage",
    "users",
    "idempotency_keys",
    "audit_events",
    "documents",
    "document_chunks",
    "activity_attendees",
    "activity_minutes_finals",
    "activity_minutes_corrections",
    "notification_rules",
    "notifications",
    "notification_mutes",
    "outbox",
];

fn count_rows(conn: &mut sinergi::db::DbConnection, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<N>(conn)
        .expect("count rows")
        .n
}

/// A held meeting body: organised by `organizer`, with `participants`, on `day` at 09:00 UTC.
pub fn held(kind: &str, title: &str, organizer: &str, participants: &[&str], day: &str) -> Value {
    json!({
        "kind": kind,
        "title": title,
        "organizer_organization_id": organizer,
        "participants": participants.iter().map(|p| json!({"organization_id": p, "attendees": 2})).collect::<Vec<_>>(),
        "starts_at": format!("{day}T09:00:00Z"),
        "ends_at": format!("{day}T11:00:00Z"),
        "status": "held",
        "minutes": "Rapat dibuka oleh Kepala Dinas.",
        "decisions": ["Data P3KE disampaikan kepada BPJS Ketenagakerjaan"],
    })
}

/// Padang's coverage from the study: table 1.2 (PU, BPU, Jakon 2021–2023) and table 1.3 (the 2024
/// cumulative monthly totals, January to June).
pub fn padang_rows() -> Vec<Value> {
    let mut rows = Vec::new();
    let yearly = [
        ("pu", [(2021, 108_179, 91_769), (2022, 128_042, 110_342), (2023, 143_752, 125_944)]),
        ("bpu", [(2021, 34_674, 33_130), (2022, 52_895, 45_907), (2023, 73_987, 55_086)]),
        ("jakon", [(2021, 95_562, 134_498), (2022, 101_843, 124_769), (2023, 112_534, 101_950)]),
    ];
    for (segment, figures) in yearly {
        for (year, target, realization) in figures {
            rows.push(json!({"region_code": "1371", "segment": segment, "period": year.to_string(),
                "target": target, "realization": realization, "source": "Tabel 1.2"}));
        }
    }
    let monthly = [
        (1, 17_582, 3_707),
        (2, 35_164, 8_438),
        (3, 52_745, 15_006),
        (4, 70_327, 17_984),
        (5, 87_908, 23_436),
        (6, 105_491, 32_530),
    ];
    for (month, target, realization) in monthly {
        rows.push(json!({"region_code": "1371", "segment": "total", "period": format!("2024-{month:02}"),
            "target": target, "realization": realization, "source": "Tabel 1.3"}));
    }
    rows
}
