//! Fixtures for tests that need users of a given role: create one through the API, or get its token.
//! Other test files rely on these signatures; keep them stable.

use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl, SelectableHelper};
use serde_json::{Value, json};
use sinergi::audit::AuditRow;
use sinergi::db::Id;
use sinergi::db::schema::{audit_events, organizations};

use crate::helpers::TestApp;

/// The password every fixture user gets (it passes the password rules).
pub const USER_PASSWORD: &str = "user-password-for-tests";

impl TestApp {
    /// Creates a user through `POST /api/v1/users` and answers its id.
    pub async fn create_user(
        &self,
        admin_token: &str,
        username: &str,
        role: &str,
        organization_id: Option<&str>,
    ) -> String {
        let res = self
            .post("/api/v1/users")
            .bearer_auth(admin_token)
            .json(&json!({
                "username": username,
                "full_name": format!("Test user {username}"),
                "role": role,
                "organization_id": organization_id,
                "password": USER_PASSWORD,
            }))
            .send()
            .await
            .expect("create user request");
        let status = res.status();
        let body: Value = res.json().await.expect("create user body");
        assert_eq!(status, 201, "creating user {username} failed: {body}");
        body["id"].as_str().expect("user id").to_string()
    }

    /// Creates a user with a valid password, logs in as it, and answers the access token.
    pub async fn user_token(
        &self,
        admin_token: &str,
        username: &str,
        role: &str,
        organization_id: Option<&str>,
    ) -> String {
        self.create_user(admin_token, username, role, organization_id).await;
        self.login(username, USER_PASSWORD).await
    }

    /// Inserts an organization straight into the database (for tests that need one without going through
    /// the organizations API) and answers its id.
    pub fn insert_organization(&self, short_name: &str, parent_id: Option<&str>) -> String {
        let id = Id::new();
        let now = chrono::Utc::now().naive_utc();
        let parent: Option<Id> = parent_id.map(|p| p.parse().expect("parent id"));
        diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(id),
                organizations::name.eq(format!("Organization {short_name}")),
                organizations::short_name.eq(short_name),
                organizations::kind.eq("other"),
                organizations::sector.eq("government"),
                organizations::parent_id.eq(parent),
                organizations::status.eq("active"),
                organizations::version.eq(1),
                organizations::created_at.eq(now),
                organizations::updated_at.eq(now),
            ))
            .execute(&mut self.connection())
            .expect("insert organization");
        id.to_string()
    }

    /// Every audit event, in sequence order, read straight from the database.
    pub fn audit_rows(&self) -> Vec<AuditRow> {
        audit_events::table
            .order(audit_events::seq.asc())
            .select(AuditRow::as_select())
            .load(&mut self.connection())
            .expect("read audit events")
    }

    /// Waits until the sequencer has put every stored event into the log (polling, 30 s at most), and
    /// answers the latest checkpoint as the API shows it.
    pub async fn sequenced(&self, token: &str) -> serde_json::Value {
        let started = std::time::Instant::now();
        loop {
            let events = self.count_rows("audit_events");
            let res =
                self.get("/api/v1/audit/checkpoint").bearer_auth(token).send().await.expect("checkpoint");
            if res.status() == 200 {
                let checkpoint: serde_json::Value = res.json().await.expect("checkpoint body");
                if checkpoint["tree_size"].as_i64() == Some(events) {
                    return checkpoint;
                }
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the log did not take all {events} events"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
