//! Fixtures for the agreement and commitment tests: a fixed clock, the Padang organizations, users of
//! each role, and short-hands for the agreement calls.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The date the agreement tests run on (the clock is fixed at 09:00 UTC that day).
pub const TODAY: &str = "2025-06-15";

pub fn fixed_clock() -> sinergi::clock::Clock {
    let at = chrono::DateTime::parse_from_rfc3339(&format!("{TODAY}T09:00:00Z")).expect("fixed time");
    sinergi::clock::Clock::Fixed(at.with_timezone(&chrono::Utc))
}

/// The organizations of a test: Pemkot Padang with Disnakerin and Dinsos under it, the Padang BPJS branch,
/// another BPJS branch, Rumah BUMN, a Perisai agency, and the city inspectorate (auditors).
pub struct Orgs {
    pub pemkot: String,
    pub disnakerin: String,
    pub dinsos: String,
    pub bpjs: String,
    pub bpjs_other: String,
    pub rumah_bumn: String,
    pub perisai: String,
    pub inspektorat: String,
}

pub struct World {
    pub admin: String,
    pub orgs: Orgs,
}

impl World {
    pub async fn new(app: &TestApp) -> World {
        let admin = app.admin_token().await;
        let org = |name: &'static str, short: &'static str, kind: &'static str, parent: Option<String>| {
            let admin = admin.clone();
            async move { app.create_org(&admin, name, short, kind, parent.as_deref()).await }
        };
        let pemkot = org("Pemerintah Kota Padang", "PEMKOT-PDG", "city_government", None).await;
        let orgs = Orgs {
            disnakerin: org(
                "Disnakerin Kota Padang",
                "DISNAKERIN-PDG",
                "regional_agency",
                Some(pemkot.clone()),
            )
            .await,
            dinsos: org("Dinas Sosial Kota Padang", "DINSOS-PDG", "regional_agency", Some(pemkot.clone()))
                .await,
            pemkot,
            bpjs: org(
                "BPJS Ketenagakerjaan Kantor Cabang Padang",
                "BPJSTK-PDG",
                "social_security_branch",
                None,
            )
            .await,
            bpjs_other: org(
                "BPJS Ketenagakerjaan Kantor Cabang Bukittinggi",
                "BPJSTK-BKT",
                "social_security_branch",
                None,
            )
            .await,
            rumah_bumn: org("Rumah BUMN Padang", "RUMAH-BUMN-PDG", "soe_forum", None).await,
            perisai: org("PT. Damko Manggala Utama", "DAMKO", "perisai_agency", None).await,
            inspektorat: org("Inspektorat Kota Padang", "INSPEKTORAT-PDG", "regional_agency", None).await,
        };
        World { admin, orgs }
    }

    /// A user of `role` in `org`, logged in.
    pub async fn token(&self, app: &TestApp, username: &str, role: &str, org: Option<&str>) -> String {
        app.user_token(&self.admin, username, role, org).await
    }

    /// A draft body between Pemkot (first party) and the BPJS branch (second party).
    /// A restricted agreement between Pemkot and BPJS and a held monev under it: (agreement, activity).
    pub async fn restricted_monev(&self, app: &TestApp) -> (String, String) {
        let mut body = self.pemkot_bpjs("NK/RAHASIA/1");
        body["confidentiality"] = json!("restricted");
        let agreement = id(&app.create_agreement(&self.admin, body).await);
        let o = &self.orgs;
        let mut monev =
            crate::support_results::held("monev", "Monev rahasia", &o.pemkot, &[&o.bpjs], "2025-06-01");
        monev["agreement_id"] = json!(agreement);
        let activity = id(&app.create_activity(&self.admin, monev).await);
        (agreement, activity)
    }

    pub fn pemkot_bpjs(&self, number: &str) -> Value {
        json!({
            "number": number,
            "title": "Optimalisasi perlindungan jaminan sosial ketenagakerjaan",
            "kind": "nota_kesepakatan",
            "signed_on": "2021-03-01",
            "effective_from": "2021-03-01",
            "effective_until": "2026-03-01",
            "summary": "Kerja sama Pemkot Padang dan BPJS Ketenagakerjaan",
            "scopes": ["regulation", "budget", "sosialisasi", "pembinaan", "monev"],
            "parties": [
                {"organization_id": self.orgs.pemkot, "role": "first_party",
                 "signatory_name": "Hendri Septa", "signatory_position": "Wali Kota Padang"},
                {"organization_id": self.orgs.bpjs, "role": "second_party",
                 "signatory_name": "Kepala Kantor Cabang", "signatory_position": "Kepala Kantor Cabang Padang"},
            ],
        })
    }
}

/// Sends a JSON request with a token and an optional If-Match.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut req = app.request(method, path).bearer_auth(token);
    if let Some(tag) = if_match {
        req = req.header("If-Match", tag);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.expect("request")
}

/// Asserts the status and answers the JSON body.
pub async fn expect(res: Response, status: u16) -> Value {
    let got = res.status();
    let text = res.text().await.expect("body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON body") }
}

impl TestApp {
    pub async fn create_agreement(&self, token: &str, body: Value) -> Value {
        expect(send(self, Method::POST, "/api/v1/agreements", token, None, Some(body)).await, 201).await
    }

    /// Creates the Pemkot–BPJS draft as admin and activates it; answers the active agreement.
    pub async fn active_agreement(&self, world: &World, number: &str) -> Value {
        let draft = self.create_agreement(&world.admin, world.pemkot_bpjs(number)).await;
        let id = draft["id"].as_str().expect("id");
        let path = format!("/api/v1/agreements/{id}/activate");
        expect(send(self, Method::POST, &path, &world.admin, None, None).await, 200).await
    }

    pub async fn create_commitment(&self, token: &str, agreement: &str, body: Value) -> Value {
        let path = format!("/api/v1/agreements/{agreement}/commitments");
        expect(send(self, Method::POST, &path, token, None, Some(body)).await, 201).await
    }
}

pub fn etag(body: &Value) -> String {
    format!("\"{}\"", body["version"])
}

pub fn id(body: &Value) -> String {
    body["id"].as_str().expect("id").to_string()
}
