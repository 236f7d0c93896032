//! The permission matrix of docs/roles.md, written out here as data (not derived from
//! `src/auth/policy.rs`, so that a policy bug shows as a failing row): every role × every write route ×
//! a record of the user's own organization and one of another → the expected status; a refused request
//! changes nothing (the record reads back the same, no row and no audit event appears). Then: records the
//! user may not see (a restricted agreement of other parties and what hangs off it) answer 404 exactly
//! as ids that do not exist do.

use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::Method;
use serde_json::{Value, json};
use sinergi::db::Id;

use crate::helpers::{TestApp, assert_problem, assert_rows_for_every_write_operation, write_operations};
use crate::support_agreements::{World, etag, expect, id, send};
use crate::support_results::held;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Admin,
    Bpjs,
    Opd,
    Partner,
    Auditor,
}

/// The columns of the table, in the order of docs/roles.md.
const ROLES: [Role; 5] = [Role::Admin, Role::Bpjs, Role::Opd, Role::Partner, Role::Auditor];

/// Every non-GET operation of the OpenAPI document except the caller's own session (login, refresh,
/// logout, password).
#[derive(Debug, Clone, Copy)]
enum Route {
    CreateOrganization,
    UpdateOrganization,
    DeleteOrganization,
    CreateContact,
    UpdateContact,
    DeleteContact,
    CreateRegulation,
    UpdateRegulation,
    DeleteRegulation,
    CreateAgreement,
    UpdateAgreement,
    DeleteAgreement,
    ActivateAgreement,
    TerminateAgreement,
    CreateAmendment,
    CreateCommitment,
    UpdateCommitment,
    ReportCommitment,
    CreateActivity,
    UpdateActivity,
    DeleteActivity,
    CreateActionItem,
    UpdateActionItem,
    CreateOutcome,
    UpdateOutcome,
    DeleteOutcome,
    UpsertCoverage,
    ImportCoverage,
    CreateUser,
    UpdateUser,
    UploadAgreementDocument,
    UploadAmendmentDocument,
    UploadCommitmentUpdateDocument,
    UploadActivityDocument,
    UploadOutcomeDocument,
    DeleteDocument,
    AddAttendee,
    RemoveAttendee,
    FinaliseMinutes,
    CorrectMinutes,
    CreateNotificationRule,
    UpdateNotificationRule,
    DeleteNotificationRule,
}

/// docs/roles.md as data: per route, who may act on a record of their own organization, and who on one
/// of another organization; one letter per role (admin, bpjs_staff, opd_staff, partner_staff, auditor),
/// `Y` allowed, `N` 403. `-` where the rule names no organization (users, regulations, coverage): one
/// case per role then.
///
/// "Own" is the user's organization, or for agreements a party the user's organization is under (the
/// opd_staff user works at Disnakerin, under Pemkot, and Pemkot is the party); "other" is an organization
/// the user has nothing to do with.
const TABLE: &[(Route, &str, &str)] = &[
    // create/edit organisations, contacts, regulations: admin, bpjs, opd; partner its own contacts
    (Route::CreateOrganization, "YYYNN", "YYYNN"),
    (Route::UpdateOrganization, "YYYNN", "YYYNN"),
    (Route::DeleteOrganization, "YYYNN", "YYYNN"),
    (Route::CreateContact, "YYYYN", "YYYNN"),
    (Route::UpdateContact, "YYYYN", "YYYNN"),
    (Route::DeleteContact, "YYYYN", "YYYNN"),
    (Route::CreateRegulation, "YYYNN", "-"),
    (Route::UpdateRegulation, "YYYNN", "-"),
    (Route::DeleteRegulation, "YYYNN", "-"),
    // create/edit agreements, amendments: admin; bpjs and opd if own org is a party
    (Route::CreateAgreement, "YYYNN", "YNNNN"),
    (Route::UpdateAgreement, "YYYNN", "YNNNN"),
    (Route::DeleteAgreement, "YYYNN", "YNNNN"),
    (Route::ActivateAgreement, "YYYNN", "YNNNN"),
    (Route::TerminateAgreement, "YYYNN", "YNNNN"),
    (Route::CreateAmendment, "YYYNN", "YNNNN"),
    // add/update commitments: the same; partner staff report on commitments their org carries
    (Route::CreateCommitment, "YYYNN", "YNNNN"),
    (Route::UpdateCommitment, "YYYNN", "YNNNN"),
    (Route::ReportCommitment, "YYYYN", "YNNNN"),
    // log activities, action items: admin; others if own org organises or takes part; auditors never
    (Route::CreateActivity, "YYYYN", "YNNNN"),
    (Route::UpdateActivity, "YYYYN", "YNNNN"),
    (Route::DeleteActivity, "YYYYN", "YNNNN"),
    (Route::CreateActionItem, "YYYYN", "YNNNN"),
    (Route::UpdateActionItem, "YYYYN", "YNNNN"),
    // record outcomes: admin and bpjs any; opd and partner credited to own org
    (Route::CreateOutcome, "YYYYN", "YYNNN"),
    (Route::UpdateOutcome, "YYYYN", "YYNNN"),
    (Route::DeleteOutcome, "YYYYN", "YYNNN"),
    // record coverage figures: admin, bpjs
    (Route::UpsertCoverage, "YYNNN", "-"),
    (Route::ImportCoverage, "YYNNN", "-"),
    // manage users: admin (auditors read only)
    (Route::CreateUser, "YNNNN", "-"),
    (Route::UpdateUser, "YNNNN", "-"),
    // documents: whoever may edit the record they are attached to (an activity's for the delete)
    (Route::UploadAgreementDocument, "YYYNN", "YNNNN"),
    (Route::UploadAmendmentDocument, "YYYNN", "YNNNN"),
    (Route::UploadCommitmentUpdateDocument, "YYYYN", "YNNNN"),
    (Route::UploadActivityDocument, "YYYYN", "YNNNN"),
    (Route::UploadOutcomeDocument, "YYYYN", "YYNNN"),
    (Route::DeleteDocument, "YYYYN", "YNNNN"),
    // attendance: whoever may edit the activity; finalising and correcting minutes: the organizer's
    // staff (organizations above it included) and administrators
    (Route::AddAttendee, "YYYYN", "YNNNN"),
    (Route::RemoveAttendee, "YYYYN", "YNNNN"),
    (Route::FinaliseMinutes, "YYYYN", "YNNNN"),
    (Route::CorrectMinutes, "YYYYN", "YNNNN"),
    // reminder rules: administrators
    (Route::CreateNotificationRule, "YNNNN", "-"),
    (Route::UpdateNotificationRule, "YNNNN", "-"),
    (Route::DeleteNotificationRule, "YNNNN", "-"),
];

/// Write operations of the OpenAPI document the matrix leaves out: the caller's own session, calendar
/// feed, notices, mutes and notification settings, which every role may use on itself (auth.rs,
/// calendar.rs and notifications.rs test them).
const NOT_IN_THE_MATRIX: &[(&str, &str)] = &[
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/password"),
    ("POST", "/api/v1/auth/calendar-feed"),
    ("DELETE", "/api/v1/auth/calendar-feed"),
    ("POST", "/api/v1/notifications/{id}/read"),
    ("POST", "/api/v1/notifications/read-all"),
    ("POST", "/api/v1/notifications/mutes"),
    ("DELETE", "/api/v1/notifications/mutes/{subject_id}"),
    ("PUT", "/api/v1/auth/notification-settings"),
];

impl Route {
    /// The operation of the OpenAPI document this row is about: method and path template.
    fn operation(self) -> (&'static str, &'static str) {
        use Route::*;
        match self {
            CreateOrganization => ("POST", "/api/v1/organizations"),
            UpdateOrganization => ("PATCH", "/api/v1/organizations/{id}"),
            DeleteOrganization => ("DELETE", "/api/v1/organizations/{id}"),
            CreateContact => ("POST", "/api/v1/organizations/{id}/contacts"),
            UpdateContact => ("PATCH", "/api/v1/contacts/{id}"),
            DeleteContact => ("DELETE", "/api/v1/contacts/{id}"),
            CreateRegulation => ("POST", "/api/v1/regulations"),
            UpdateRegulation => ("PATCH", "/api/v1/regulations/{id}"),
            DeleteRegulation => ("DELETE", "/api/v1/regulations/{id}"),
            CreateAgreement => ("POST", "/api/v1/agreements"),
            UpdateAgreement => ("PATCH", "/api/v1/agreements/{id}"),
            DeleteAgreement => ("DELETE", "/api/v1/agreements/{id}"),
            ActivateAgreement => ("POST", "/api/v1/agreements/{id}/activate"),
            TerminateAgreement => ("POST", "/api/v1/agreements/{id}/terminate"),
            CreateAmendment => ("POST", "/api/v1/agreements/{id}/amendments"),
            CreateCommitment => ("POST", "/api/v1/agreements/{id}/commitments"),
            UpdateCommitment => ("PATCH", "/api/v1/commitments/{id}"),
            ReportCommitment => ("POST", "/api/v1/commitments/{id}/updates"),
            CreateActivity => ("POST", "/api/v1/activities"),
            UpdateActivity => ("PATCH", "/api/v1/activities/{id}"),
            DeleteActivity => ("DELETE", "/api/v1/activities/{id}"),
            CreateActionItem => ("POST", "/api/v1/activities/{id}/action-items"),
            UpdateActionItem => ("PATCH", "/api/v1/action-items/{id}"),
            CreateOutcome => ("POST", "/api/v1/outcomes"),
            UpdateOutcome => ("PATCH", "/api/v1/outcomes/{id}"),
            DeleteOutcome => ("DELETE", "/api/v1/outcomes/{id}"),
            UpsertCoverage => ("PUT", "/api/v1/coverage"),
            ImportCoverage => ("POST", "/api/v1/coverage/import"),
            CreateUser => ("POST", "/api/v1/users"),
            UpdateUser => ("PATCH", "/api/v1/users/{id}"),
            UploadAgreementDocument => ("POST", "/api/v1/agreements/{id}/documents"),
            UploadAmendmentDocument => ("POST", "/api/v1/amendments/{id}/documents"),
            UploadCommitmentUpdateDocument => ("POST", "/api/v1/commitment-updates/{id}/documents"),
            UploadActivityDocument => ("POST", "/api/v1/activities/{id}/documents"),
            UploadOutcomeDocument => ("POST", "/api/v1/outcomes/{id}/documents"),
            DeleteDocument => ("DELETE", "/api/v1/documents/{id}"),
            AddAttendee => ("POST", "/api/v1/activities/{id}/attendees"),
            RemoveAttendee => ("DELETE", "/api/v1/activities/{id}/attendees/{attendee_id}"),
            FinaliseMinutes => ("POST", "/api/v1/activities/{id}/minutes/finalise"),
            CorrectMinutes => ("POST", "/api/v1/activities/{id}/minutes/corrections"),
            CreateNotificationRule => ("POST", "/api/v1/notification-rules"),
            UpdateNotificationRule => ("PATCH", "/api/v1/notification-rules/{id}"),
            DeleteNotificationRule => ("DELETE", "/api/v1/notification-rules/{id}"),
        }
    }

    /// The status of an allowed request.
    fn success(self) -> u16 {
        use Route::*;
        match self {
            CreateOrganization
            | CreateContact
            | CreateRegulation
            | CreateAgreement
            | CreateAmendment
            | CreateCommitment
            | ReportCommitment
            | CreateActivity
            | CreateActionItem
            | CreateOutcome
            | CreateUser
            | UploadAgreementDocument
            | UploadAmendmentDocument
            | UploadCommitmentUpdateDocument
            | UploadActivityDocument
            | UploadOutcomeDocument
            | AddAttendee
            | CorrectMinutes
            | CreateNotificationRule => 201,
            DeleteOrganization
            | DeleteContact
            | DeleteRegulation
            | DeleteAgreement
            | DeleteActivity
            | DeleteOutcome
            | DeleteDocument
            | RemoveAttendee
            | DeleteNotificationRule => 204,
            _ => 200,
        }
    }
}

/// The users of the matrix, one per role, and the organizations their records belong to.
struct Matrix {
    world: World,
    tokens: Vec<(Role, String)>,
    /// The user every `UpdateUser` case tries to change.
    target_user: String,
}

static SERIAL: AtomicU32 = AtomicU32::new(0);

/// A number no other case of this process uses (agreement numbers and short names are unique).
fn serial() -> u32 {
    SERIAL.fetch_add(1, Ordering::Relaxed)
}

impl Matrix {
    async fn new(app: &TestApp) -> Matrix {
        let world = World::new(app).await;
        let o = &world.orgs;
        let mut tokens = Vec::new();
        for (role, name, role_name, org) in [
            (Role::Admin, "m.admin", "admin", &o.pemkot),
            (Role::Bpjs, "m.bpjs", "bpjs_staff", &o.bpjs),
            (Role::Opd, "m.opd", "opd_staff", &o.disnakerin),
            (Role::Partner, "m.partner", "partner_staff", &o.rumah_bumn),
            (Role::Auditor, "m.auditor", "auditor", &o.inspektorat),
        ] {
            tokens.push((role, world.token(app, name, role_name, Some(org)).await));
        }
        let target_user = app.create_user(&world.admin, "m.target", "opd_staff", Some(&o.dinsos)).await;
        Matrix { world, tokens, target_user }
    }

    fn token(&self, role: Role) -> &str {
        self.tokens.iter().find(|(r, _)| *r == role).map(|(_, t)| t.as_str()).expect("a token per role")
    }

    /// The organization the user of `role` works for.
    fn org_of(&self, role: Role) -> &str {
        let o = &self.world.orgs;
        match role {
            Role::Admin => &o.pemkot,
            Role::Bpjs => &o.bpjs,
            Role::Opd => &o.disnakerin,
            Role::Partner => &o.rumah_bumn,
            Role::Auditor => &o.inspektorat,
        }
    }

    /// The organization whose records are "own" (`own`) or "other" for the user of `role`.
    fn owner(&self, role: Role, own: bool) -> &str {
        if own { self.org_of(role) } else { &self.world.orgs.perisai }
    }

    /// The bound party of agreements that are "own" or "other": for the opd_staff user the party is
    /// Pemkot, the organization Disnakerin is under.
    fn party(&self, role: Role, own: bool) -> &str {
        match (role, own) {
            (Role::Opd, true) => &self.world.orgs.pemkot,
            _ => self.owner(role, own),
        }
    }

    /// A draft between the party and the other Bukittinggi BPJS branch.
    fn agreement_body(&self, role: Role, own: bool, confidentiality: &str) -> Value {
        let mut body = self.world.pemkot_bpjs(&format!("MATRIX/{}/2025", serial()));
        body["confidentiality"] = json!(confidentiality);
        body["parties"] = json!([
            {"organization_id": self.party(role, own), "role": "first_party", "signatory_name": "A"},
            {"organization_id": self.world.orgs.bpjs_other, "role": "second_party", "signatory_name": "B"},
        ]);
        body
    }
}

/// One request of the matrix, and the record it concerns.
struct Case {
    method: Method,
    path: String,
    if_match: Option<String>,
    body: Option<Value>,
    csv: Option<String>,
    /// A file to upload (`multipart/form-data`).
    file: Option<Vec<u8>>,
    /// Where the record the request would change reads back (as administrator).
    record: Option<String>,
}

impl Case {
    fn new(method: Method, path: String) -> Case {
        Case { method, path, if_match: None, body: None, csv: None, file: None, record: None }
    }

    fn body(mut self, body: Value) -> Case {
        self.body = Some(body);
        self
    }

    /// A change of the record at `path` (PATCH or DELETE with its current ETag, or a state transition).
    fn on(mut self, record: &Value) -> Case {
        self.if_match = Some(etag(record));
        self.record = Some(self.path.clone());
        self
    }

    fn watching(mut self, path: String) -> Case {
        self.record = Some(path);
        self
    }

    fn file(mut self) -> Case {
        self.file = Some(b"%PDF-1.4\n".to_vec());
        self
    }

    async fn send(&self, app: &TestApp, token: &str) -> reqwest::Response {
        if let Some(file) = &self.file {
            return app.upload(token, &self.path, "bukti.pdf", file).await;
        }
        match &self.csv {
            Some(csv) => app
                .request(self.method.clone(), &self.path)
                .bearer_auth(token)
                .header("Content-Type", "text/csv")
                .body(csv.clone())
                .send()
                .await
                .expect("request"),
            None => {
                send(app, self.method.clone(), &self.path, token, self.if_match.as_deref(), self.body.clone())
                    .await
            }
        }
    }
}

/// Creates, as administrator, what the request of `route` by `role` needs, and answers the request.
async fn prepare(app: &TestApp, m: &Matrix, route: Route, role: Role, own: bool) -> Case {
    use Route::*;
    let admin = m.world.admin.as_str();
    let owner = m.owner(role, own);
    let post = |path: String, body: Value| async move {
        expect(send(app, Method::POST, &path, admin, None, Some(body)).await, 201).await
    };
    let n = serial();
    let org_body = json!({"name": format!("Unit {n}"), "short_name": format!("UNIT-{n}"), "kind": "regional_agency",
        "parent_id": owner});
    let regulation_body = json!({"kind": "peraturan_wali_kota", "number": n.to_string(), "year": 2024,
        "title": "Perlindungan pekerja rentan", "issuer": "Wali Kota Padang", "status": "draft"});
    let outcome_body = json!({"kind": "enrolment", "title": "Peserta baru", "value": 10, "unit": "people",
        "period_start": "2025-01-01", "period_end": "2025-03-31", "organization_id": owner});
    let meeting = held("coordination_meeting", "Rapat koordinasi", owner, &[owner], "2025-06-01");
    let agreement = || post("/api/v1/agreements".into(), m.agreement_body(role, own, "internal"));
    let active = || async {
        let draft = agreement().await;
        let path = format!("/api/v1/agreements/{}/activate", id(&draft));
        expect(send(app, Method::POST, &path, admin, None, None).await, 200).await
    };
    let commitment = || async {
        let agreement = active().await;
        let path = format!("/api/v1/agreements/{}/commitments", id(&agreement));
        post(path, json!({"title": "Sosialisasi", "responsible_organization_id": owner})).await
    };
    let coverage_period = format!("{}-{:02}", 2000 + (n / 12) % 25, n % 12 + 1);
    match route {
        CreateOrganization => Case::new(Method::POST, "/api/v1/organizations".into()).body(org_body),
        UpdateOrganization | DeleteOrganization => {
            let org = post("/api/v1/organizations".into(), org_body).await;
            let case = Case::new(edit_method(route), format!("/api/v1/organizations/{}", id(&org)));
            case.body(json!({"notes": "diubah"})).on(&org)
        }
        CreateContact => Case::new(Method::POST, format!("/api/v1/organizations/{owner}/contacts"))
            .body(json!({"full_name": "Budi Santoso"})),
        UpdateContact | DeleteContact => {
            let contact =
                post(format!("/api/v1/organizations/{owner}/contacts"), json!({"full_name": "Budi"})).await;
            let case = Case::new(edit_method(route), format!("/api/v1/contacts/{}", id(&contact)));
            case.body(json!({"position": "Kepala Bidang"})).on(&contact)
        }
        CreateRegulation => Case::new(Method::POST, "/api/v1/regulations".into()).body(regulation_body),
        UpdateRegulation | DeleteRegulation => {
            let regulation = post("/api/v1/regulations".into(), regulation_body).await;
            let case = Case::new(edit_method(route), format!("/api/v1/regulations/{}", id(&regulation)));
            case.body(json!({"summary": "diubah"})).on(&regulation)
        }
        CreateAgreement => {
            Case::new(Method::POST, "/api/v1/agreements".into()).body(m.agreement_body(role, own, "internal"))
        }
        UpdateAgreement | DeleteAgreement => {
            let draft = agreement().await;
            let case = Case::new(edit_method(route), format!("/api/v1/agreements/{}", id(&draft)));
            case.body(json!({"title": "Judul baru"})).on(&draft)
        }
        ActivateAgreement => {
            let draft = agreement().await;
            let path = format!("/api/v1/agreements/{}", id(&draft));
            Case::new(Method::POST, format!("{path}/activate")).watching(path)
        }
        TerminateAgreement => {
            let agreement = active().await;
            let path = format!("/api/v1/agreements/{}", id(&agreement));
            Case::new(Method::POST, format!("{path}/terminate"))
                .body(json!({"terminated_on": "2025-06-01", "termination_reason": "Selesai"}))
                .watching(path)
        }
        CreateAmendment => {
            let agreement = active().await;
            let path = format!("/api/v1/agreements/{}", id(&agreement));
            Case::new(Method::POST, format!("{path}/amendments"))
                .body(json!({"number": format!("ADD/{n}"), "signed_on": "2025-06-10", "summary": "Perpanjangan",
                    "changes": {"effective_until": "2027-01-01"}}))
                .watching(path)
        }
        CreateCommitment => {
            let agreement = active().await;
            let path = format!("/api/v1/agreements/{}", id(&agreement));
            Case::new(Method::POST, format!("{path}/commitments"))
                .body(json!({"title": "Sosialisasi", "responsible_organization_id": owner}))
                .watching(path)
        }
        UpdateCommitment => {
            let commitment = commitment().await;
            let case = Case::new(Method::PATCH, format!("/api/v1/commitments/{}", id(&commitment)));
            case.body(json!({"title": "Sosialisasi ke pemberi kerja"})).on(&commitment)
        }
        ReportCommitment => {
            let commitment = commitment().await;
            let path = format!("/api/v1/commitments/{}", id(&commitment));
            Case::new(Method::POST, format!("{path}/updates"))
                .body(json!({"status": "in_progress", "progress_pct": 50, "note": "Dua sesi"}))
                .watching(path)
        }
        CreateActivity => Case::new(Method::POST, "/api/v1/activities".into()).body(meeting),
        UpdateActivity | DeleteActivity => {
            // Only a planned activity may be deleted.
            let planned = json!({"kind": "coordination_meeting", "title": "Rapat koordinasi",
                "organizer_organization_id": owner, "starts_at": "2025-06-20T02:00:00Z"});
            let activity = post("/api/v1/activities".into(), planned).await;
            let case = Case::new(edit_method(route), format!("/api/v1/activities/{}", id(&activity)));
            case.body(json!({"title": "Rapat koordinasi lanjutan"})).on(&activity)
        }
        CreateActionItem | UpdateActionItem => {
            let activity = post("/api/v1/activities".into(), meeting).await;
            let items = format!("/api/v1/activities/{}/action-items", id(&activity));
            let item = json!({"description": "Kirim data", "owner_organization_id": owner, "due_on": "2025-07-01"});
            if matches!(route, CreateActionItem) {
                return Case::new(Method::POST, items).body(item).watching(format!("/api/v1/activities/{}", id(&activity)));
            }
            let item = post(items, item).await;
            Case::new(Method::PATCH, format!("/api/v1/action-items/{}", id(&item)))
                .body(json!({"status": "done"}))
                .on(&item)
        }
        CreateOutcome => Case::new(Method::POST, "/api/v1/outcomes".into()).body(outcome_body),
        UpdateOutcome | DeleteOutcome => {
            let outcome = post("/api/v1/outcomes".into(), outcome_body).await;
            let case = Case::new(edit_method(route), format!("/api/v1/outcomes/{}", id(&outcome)));
            case.body(json!({"value": 12})).on(&outcome)
        }
        UpsertCoverage => Case::new(Method::PUT, "/api/v1/coverage".into()).body(json!({"rows": [
            {"region_code": "1371", "segment": "pu", "period": coverage_period, "target": 100, "realization": 90}
        ]})),
        ImportCoverage => {
            let mut case = Case::new(Method::POST, "/api/v1/coverage/import".into());
            case.csv = Some(format!(
                "region_code,segment,period,target,realization\n1371,bpu,{coverage_period},100,90\n"
            ));
            case
        }
        CreateUser => Case::new(Method::POST, "/api/v1/users".into()).body(json!({
            "username": format!("m.new{n}"), "full_name": "Pengguna baru", "role": "partner_staff",
            "organization_id": owner, "password": crate::support_users::USER_PASSWORD})),
        UpdateUser => {
            let path = format!("/api/v1/users/{}", m.target_user);
            let current = expect(app.read(admin, &path).await, 200).await;
            Case::new(Method::PATCH, path).body(json!({"full_name": format!("Nama {n}")})).on(&current)
        }
        UploadAgreementDocument => {
            let path = format!("/api/v1/agreements/{}", id(&agreement().await));
            Case::new(Method::POST, format!("{path}/documents")).file().watching(path)
        }
        UploadAmendmentDocument => {
            let path = format!("/api/v1/agreements/{}", id(&active().await));
            let amendment = post(format!("{path}/amendments"), json!({"number": format!("ADD/{n}"),
                "signed_on": "2025-06-10", "summary": "Perpanjangan", "changes": {"effective_until": "2027-01-01"}}))
            .await;
            Case::new(Method::POST, format!("/api/v1/amendments/{}/documents", id(&amendment))).file().watching(path)
        }
        UploadCommitmentUpdateDocument => {
            let path = format!("/api/v1/commitments/{}", id(&commitment().await));
            let report = post(format!("{path}/updates"), json!({"status": "in_progress", "progress_pct": 50})).await;
            Case::new(Method::POST, format!("/api/v1/commitment-updates/{}/documents", id(&report)))
                .file()
                .watching(path)
        }
        UploadActivityDocument | DeleteDocument => {
            let path = format!("/api/v1/activities/{}", id(&post("/api/v1/activities".into(), meeting).await));
            if matches!(route, UploadActivityDocument) {
                return Case::new(Method::POST, format!("{path}/documents")).file().watching(path);
            }
            let doc = expect(app.upload(admin, &format!("{path}/documents"), "bukti.pdf", b"%PDF-1.4\n").await, 201)
                .await;
            Case::new(Method::DELETE, format!("/api/v1/documents/{}", id(&doc))).on(&doc)
        }
        UploadOutcomeDocument => {
            let path = format!("/api/v1/outcomes/{}", id(&post("/api/v1/outcomes".into(), outcome_body).await));
            Case::new(Method::POST, format!("{path}/documents")).file().watching(path)
        }
        AddAttendee | RemoveAttendee => {
            let activity = id(&post("/api/v1/activities".into(), meeting).await);
            let list = format!("/api/v1/activities/{activity}/attendees");
            let attendee = json!({"name": "Siti Rahmawati", "position": "Kepala Bidang", "organization_id": owner});
            if matches!(route, AddAttendee) {
                return Case::new(Method::POST, list.clone()).body(attendee).watching(list);
            }
            let attendee = post(list.clone(), attendee).await;
            Case::new(Method::DELETE, format!("{list}/{}", id(&attendee))).watching(list)
        }
        FinaliseMinutes | CorrectMinutes => {
            let activity = id(&post("/api/v1/activities".into(), meeting).await);
            let minutes = format!("/api/v1/activities/{activity}/minutes");
            if matches!(route, FinaliseMinutes) {
                return Case::new(Method::POST, format!("{minutes}/finalise")).watching(minutes);
            }
            expect(send(app, Method::POST, &format!("{minutes}/finalise"), admin, None, None).await, 200).await;
            Case::new(Method::POST, format!("{minutes}/corrections"))
                .body(json!({"what": "Keputusan 1 diralat", "why": "Salah ketik"}))
                .watching(minutes)
        }
        CreateNotificationRule | UpdateNotificationRule | DeleteNotificationRule => {
            // Days no other case and no rule the system starts with (90, 30) uses.
            let rule = json!({"kind": "agreement_expiring", "days": 100 + n % 260});
            if matches!(route, CreateNotificationRule) {
                return Case::new(Method::POST, "/api/v1/notification-rules".into()).body(rule);
            }
            let rule = post("/api/v1/notification-rules".into(), rule).await;
            let case = Case::new(edit_method(route), format!("/api/v1/notification-rules/{}", id(&rule)));
            case.body(json!({"enabled": false})).on(&rule)
        }
    }
}

fn edit_method(route: Route) -> Method {
    match route {
        Route::DeleteOrganization
        | Route::DeleteContact
        | Route::DeleteRegulation
        | Route::DeleteAgreement
        | Route::DeleteActivity
        | Route::DeleteOutcome
        | Route::DeleteNotificationRule => Method::DELETE,
        _ => Method::PATCH,
    }
}

/// What a refused request must leave as it was: the record (read back as administrator) and every count.
async fn snapshot(app: &TestApp, m: &Matrix, case: &Case) -> (Option<Value>, Vec<(&'static str, i64)>) {
    let record = match &case.record {
        Some(path) => Some(expect(app.read(&m.world.admin, path).await, 200).await),
        None => None,
    };
    (record, app.table_counts())
}

backend_test!(every_role_on_every_write_route_gets_what_spec_section_4_says, fixed, |app| async move {
    // The table has a row for every write operation of the API, and for nothing else.
    let rows: Vec<(String, String)> = TABLE
        .iter()
        .map(|(route, _, _)| route.operation())
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_rows_for_every_write_operation(&write_operations(&app).await, &rows, NOT_IN_THE_MATRIX);
    let m = Matrix::new(&app).await;
    let mut cases = 0;
    let mut wrong = Vec::new();
    for &(route, own_row, other_row) in TABLE {
        for (own, row) in [(true, own_row), (false, other_row)] {
            if row == "-" {
                continue;
            }
            assert_eq!(row.len(), ROLES.len(), "{route:?}");
            for (role, allowed) in ROLES.iter().zip(row.chars()) {
                let case = prepare(&app, &m, route, *role, own).await;
                let before = snapshot(&app, &m, &case).await;
                let res = case.send(&app, m.token(*role)).await;
                let expected = if allowed == 'Y' { route.success() } else { 403 };
                let status = res.status().as_u16();
                cases += 1;
                if status != expected {
                    let body = res.text().await.unwrap_or_default();
                    wrong.push(format!(
                        "{route:?} {role:?} {}: expected {expected}, got {status} {body}",
                        if own { "own" } else { "other" }
                    ));
                    continue;
                }
                if expected == 403 {
                    assert_problem(res, 403).await;
                    let after = snapshot(&app, &m, &case).await;
                    assert_eq!(before, after, "{route:?} by {role:?} was refused but changed data");
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {cases} cases differ from docs/roles.md:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // 43 routes, 33 of them with an own and an other record; 5 roles.
    assert_eq!(cases, (33 * 2 + 10) * 5);
});

backend_test!(records_the_user_may_not_see_are_404_whether_they_exist_or_not, fixed, |app| async move {
    let m = Matrix::new(&app).await;
    let admin = m.world.admin.as_str();
    let o = &m.world.orgs;
    // A restricted agreement between the other BPJS branch and the Perisai agency, with everything that
    // hangs off it: a commitment and its progress, an amendment, an activity and its action item.
    let body = m.agreement_body(Role::Auditor, false, "restricted");
    let draft =
        expect(send(&app, Method::POST, "/api/v1/agreements", admin, None, Some(body)).await, 201).await;
    let a = id(&draft);
    expect(
        send(&app, Method::POST, &format!("/api/v1/agreements/{a}/activate"), admin, None, None).await,
        200,
    )
    .await;
    let amendment = json!({"number": "ADD/R/1", "signed_on": "2025-06-10", "summary": "Perpanjangan",
        "changes": {"effective_until": "2027-01-01"}});
    expect(
        send(&app, Method::POST, &format!("/api/v1/agreements/{a}/amendments"), admin, None, Some(amendment))
            .await,
        201,
    )
    .await;
    let commitment = json!({"title": "Rekrut peserta", "responsible_organization_id": o.perisai});
    let c = id(&app.create_commitment(admin, &a, commitment).await);
    let progress = json!({"status": "in_progress", "progress_pct": 10});
    expect(
        send(&app, Method::POST, &format!("/api/v1/commitments/{c}/updates"), admin, None, Some(progress))
            .await,
        201,
    )
    .await;
    let mut meeting = held("monev", "Monev rahasia", &o.perisai, &[&o.bpjs_other], "2025-06-01");
    meeting["agreement_id"] = json!(a);
    let act = id(&app.create_activity(admin, meeting).await);
    let item = json!({"description": "Tindak lanjut", "owner_organization_id": o.perisai});
    let item_path = format!("/api/v1/activities/{act}/action-items");
    let i = id(&expect(send(&app, Method::POST, &item_path, admin, None, Some(item)).await, 201).await);

    // Every route that names one of these records, with a body that would otherwise be accepted.
    let routes = |a: &str, c: &str, act: &str, i: &str| {
        vec![
            (Method::GET, format!("/api/v1/agreements/{a}"), None),
            (Method::PATCH, format!("/api/v1/agreements/{a}"), Some(json!({"title": "x"}))),
            (Method::DELETE, format!("/api/v1/agreements/{a}"), None),
            (Method::POST, format!("/api/v1/agreements/{a}/activate"), None),
            (
                Method::POST,
                format!("/api/v1/agreements/{a}/terminate"),
                Some(json!({"terminated_on": "2025-06-01", "termination_reason": "x"})),
            ),
            (Method::GET, format!("/api/v1/agreements/{a}/amendments"), None),
            (
                Method::POST,
                format!("/api/v1/agreements/{a}/amendments"),
                Some(json!({"number": "ADD/R/2",
                "signed_on": "2025-06-10", "summary": "x", "changes": {"effective_until": "2028-01-01"}})),
            ),
            (Method::GET, format!("/api/v1/agreements/{a}/commitments"), None),
            (
                Method::POST,
                format!("/api/v1/agreements/{a}/commitments"),
                Some(json!({"title": "x", "responsible_organization_id": o.perisai})),
            ),
            (Method::GET, format!("/api/v1/agreements/{a}/report"), None),
            (Method::GET, format!("/api/v1/commitments/{c}"), None),
            (Method::PATCH, format!("/api/v1/commitments/{c}"), Some(json!({"title": "x"}))),
            (Method::GET, format!("/api/v1/commitments/{c}/updates"), None),
            (
                Method::POST,
                format!("/api/v1/commitments/{c}/updates"),
                Some(json!({"status": "in_progress"})),
            ),
            (Method::GET, format!("/api/v1/activities/{act}"), None),
            (Method::PATCH, format!("/api/v1/activities/{act}"), Some(json!({"title": "x"}))),
            (Method::DELETE, format!("/api/v1/activities/{act}"), None),
            (Method::GET, format!("/api/v1/activities/{act}/action-items"), None),
            (
                Method::POST,
                format!("/api/v1/activities/{act}/action-items"),
                Some(json!({"description": "x", "owner_organization_id": o.perisai})),
            ),
            (Method::PATCH, format!("/api/v1/action-items/{i}"), Some(json!({"status": "done"}))),
        ]
    };
    let hidden = routes(&a, &c, &act, &i);
    let (a2, c2, act2, i2) = (Id::new(), Id::new(), Id::new(), Id::new());
    let missing = routes(&a2.to_string(), &c2.to_string(), &act2.to_string(), &i2.to_string());
    let before = app.table_counts();
    let mut checked = 0;
    for role in [Role::Bpjs, Role::Opd, Role::Partner] {
        let token = m.token(role);
        for ((method, path, body), (_, unknown, _)) in hidden.iter().zip(&missing) {
            // A write the role may never make is refused before anything is looked up: 403 for the
            // hidden record and the missing one alike.
            let status = if role == Role::Partner && partner_never_writes(method, path) { 403 } else { 404 };
            let seen = send(&app, method.clone(), path, token, Some("\"1\""), body.clone()).await;
            let seen = assert_problem(seen, status).await;
            let none = send(&app, method.clone(), unknown, token, Some("\"1\""), body.clone()).await;
            let none = assert_problem(none, status).await;
            // Nothing in the answer tells an existing hidden record from a missing one.
            assert_eq!(
                (&seen["title"], &seen["detail"]),
                (&none["title"], &none["detail"]),
                "{method} {path}"
            );
            checked += 1;
        }
        // Nor does a list show it.
        for list in ["/api/v1/agreements", "/api/v1/activities"] {
            let page = expect(app.read(token, list).await, 200).await;
            assert!(!page.to_string().contains(&a), "{role:?} sees the restricted agreement in {list}");
        }
    }
    assert_eq!(checked, 3 * 20);
    // Auditors may read it all, and still change nothing (403); the records are there.
    let auditor = m.token(Role::Auditor);
    for (method, path, body) in &hidden {
        let res = send(&app, method.clone(), path, auditor, Some("\"1\""), body.clone()).await;
        if *method == Method::GET {
            assert_eq!(res.status(), 200, "{path}");
        } else {
            assert_problem(res, 403).await;
        }
    }
    assert_eq!(app.table_counts(), before);
});

/// Partner staff never edit agreements, amendments or commitments (docs/roles.md); they only report
/// progress on the commitments their organization carries.
fn partner_never_writes(method: &Method, path: &str) -> bool {
    *method != Method::GET
        && (path.starts_with("/api/v1/agreements/") || path.starts_with("/api/v1/commitments/"))
        && !path.ends_with("/updates")
}
