//! Fixtures for tests that need registry records (organizations, regulations, contacts).

use serde_json::{Value, json};

use crate::helpers::TestApp;

impl TestApp {
    /// Creates an organization through the API (as the holder of `token`) and answers its id. `kind` is
    /// one of the organization kinds of docs/data-model.md (`city_government`, `regional_agency`, ...).
    pub async fn create_org(
        &self,
        token: &str,
        name: &str,
        short_name: &str,
        kind: &str,
        parent_id: Option<&str>,
    ) -> String {
        let res = self
            .post("/api/v1/organizations")
            .bearer_auth(token)
            .json(&json!({"name": name, "short_name": short_name, "kind": kind, "parent_id": parent_id}))
            .send()
            .await
            .expect("create organization request");
        let status = res.status();
        let body: Value = res.json().await.expect("organization body");
        assert_eq!(status, 201, "creating organization {short_name} failed: {body}");
        body["id"].as_str().expect("organization id").to_string()
    }

    /// Creates a regulation through the API and answers its id.
    pub async fn create_regulation(
        &self,
        token: &str,
        kind: &str,
        number: &str,
        year: i32,
        title: &str,
    ) -> String {
        let res = self
            .post("/api/v1/regulations")
            .bearer_auth(token)
            .json(&json!({"kind": kind, "number": number, "year": year, "title": title,
                "issuer": "Pemerintah Republik Indonesia", "status": "enacted"}))
            .send()
            .await
            .expect("create regulation request");
        let status = res.status();
        let body: Value = res.json().await.expect("regulation body");
        assert_eq!(status, 201, "creating regulation {kind} {number}/{year} failed: {body}");
        body["id"].as_str().expect("regulation id").to_string()
    }

    /// Creates a contact of `org` through the API and answers its id.
    pub async fn create_contact(&self, token: &str, org: &str, full_name: &str) -> String {
        let res = self
            .post(&format!("/api/v1/organizations/{org}/contacts"))
            .bearer_auth(token)
            .json(&json!({"full_name": full_name}))
            .send()
            .await
            .expect("create contact request");
        let status = res.status();
        let body: Value = res.json().await.expect("contact body");
        assert_eq!(status, 201, "creating contact {full_name} failed: {body}");
        body["id"].as_str().expect("contact id").to_string()
    }
}
