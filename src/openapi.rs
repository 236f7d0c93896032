//! The OpenAPI 3.1 document, put together from each module's `Docs`.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sinergi",
        description = "Collaborative-governance stakeholder registry and agreement tracker: the actors, \
            their cooperation agreements (MoU, Nota Kesepakatan, PKS), the activities under them and what \
            they achieve. Errors are RFC 9457 problems (`application/problem+json`); send \
            `Accept-Language: id` for Bahasa Indonesia.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(crate::health::healthz, crate::health::readyz, crate::health::metrics),
    // Enumerations used only in query parameters: nothing else puts them among the components.
    components(schemas(
        crate::error::Problem,
        crate::error::ProblemField,
        crate::audit::routes::SortOrder,
        crate::regions::model::RegionKind,
        crate::reports::collaboration::Section,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness, readiness and metrics"),
        (name = "auth", description = "Logging in and tokens"),
        (name = "regions", description = "Provinces, regencies and cities"),
        (name = "agreements", description = "Cooperation agreements, their lifecycle, amendments and reports"),
        (name = "commitments", description = "Commitments under agreements and their progress reports"),
        (name = "audit", description = "The tamper-evident audit trail (administrators and auditors)"),
        (name = "activities", description = "Meetings, sosialisasi, pembinaan and other activities, and their action items"),
        (name = "outcomes", description = "Measured results of the collaboration"),
        (name = "coverage", description = "Participation targets and realisation per region, segment and period"),
        (name = "reports", description = "Agreements, coverage, collaboration and follow-up reports (JSON or CSV)"),
        (name = "users", description = "User accounts (administrators manage them, auditors read them)"),
        (name = "regulations", description = "Legal instruments: UU, PP, Perpres, Permen, Pergub, Perwako, Perbup"),
        (name = "contacts", description = "The people of each organization"),
        (name = "organizations", description = "The actors: government bodies, the BPJS branch, partners, and their hierarchy"),
    )
)]
struct RootDoc;

#[derive(OpenApi)]
#[openapi(paths(
    crate::auth::routes::login,
    crate::auth::routes::refresh_tokens,
    crate::auth::routes::logout,
    crate::auth::routes::change_password,
    crate::auth::routes::me
))]
struct AuthDoc;

#[derive(OpenApi)]
#[openapi(paths(crate::audit::routes::list_audit_events, crate::audit::routes::verify_audit_trail))]
struct AuditDoc;

#[derive(OpenApi)]
#[openapi(paths(crate::regions::routes::list_regions, crate::regions::routes::get_region))]
struct RegionsDoc;

#[derive(OpenApi)]
#[openapi(paths(
    crate::agreements::routes::list_agreements,
    crate::agreements::routes::create_agreement,
    crate::agreements::routes::get_agreement,
    crate::agreements::routes::update_agreement,
    crate::agreements::routes::delete_agreement,
    crate::agreements::routes::activate_agreement,
    crate::agreements::routes::terminate_agreement,
    crate::agreements::routes::create_amendment,
    crate::agreements::routes::list_amendments,
    crate::agreements::routes::agreement_report,
    crate::agreements::routes::create_commitment,
    crate::agreements::routes::list_commitments,
    crate::agreements::routes::get_commitment,
    crate::agreements::routes::update_commitment,
    crate::agreements::routes::create_update,
    crate::agreements::routes::list_updates,
))]
struct AgreementsDoc;

#[derive(OpenApi)]
#[openapi(paths(
    crate::users::routes::list_users,
    crate::users::routes::create_user,
    crate::users::routes::get_user,
    crate::users::routes::update_user
))]
struct UsersDoc;

#[derive(OpenApi)]
#[openapi(paths(
    crate::organizations::routes::list_organizations,
    crate::organizations::routes::create_organization,
    crate::organizations::routes::get_organization,
    crate::organizations::routes::update_organization,
    crate::organizations::routes::delete_organization,
))]
struct OrganizationsDoc;

#[derive(OpenApi)]
#[openapi(paths(
    crate::contacts::routes::list_contacts,
    crate::contacts::routes::create_contact,
    crate::contacts::routes::get_contact,
    crate::contacts::routes::update_contact,
    crate::contacts::routes::delete_contact,
))]
struct ContactsDoc;

#[derive(OpenApi)]
#[openapi(paths(
    crate::regulations::routes::list_regulations,
    crate::regulations::routes::create_regulation,
    crate::regulations::routes::get_regulation,
    crate::regulations::routes::update_regulation,
    crate::regulations::routes::delete_regulation,
))]
struct RegulationsDoc;

#[derive(OpenApi)]
#[openapi(paths(
    crate::activities::routes::list_activities,
    crate::activities::routes::create_activity,
    crate::activities::routes::get_activity,
    crate::activities::routes::update_activity,
    crate::activities::routes::delete_activity,
    crate::activities::routes::list_action_items,
    crate::activities::routes::create_action_item,
    crate::activities::routes::get_action_item,
    crate::activities::routes::update_action_item,
    crate::outcomes::routes::list_outcomes,
    crate::outcomes::routes::create_outcome,
    crate::outcomes::routes::get_outcome,
    crate::outcomes::routes::update_outcome,
    crate::outcomes::routes::delete_outcome,
    crate::coverage::routes::list_coverage,
    crate::coverage::routes::upsert_coverage,
    crate::coverage::routes::import_coverage,
    crate::reports::routes::agreements_report,
    crate::reports::routes::coverage_report,
    crate::reports::routes::coverage_chart,
    crate::reports::routes::collaboration_report,
    crate::reports::routes::follow_ups_report,
))]
struct ResultsDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build(),
            ),
        );
    }
}

/// The problems that the shared request plumbing answers, added to every operation it applies to (a route
/// that documents one itself keeps its own description): 401 for a missing or bad token, 404 for a path
/// id that names nothing, 422 for a bad query parameter, 400/413/415/422 for a bad body, 412/428 for
/// `If-Match`, 403 for a write the caller's role or organization may not make.
struct SharedProblems;

const PROBLEMS: &[(&str, &str)] = &[
    ("400", "Malformed JSON or an unknown field"),
    ("401", "No valid access token"),
    ("403", "The caller's role, or organization, may not do this"),
    ("404", "No such resource (or an id that is not a UUID)"),
    ("412", "The record changed since it was read (stale If-Match); nothing was changed"),
    ("413", "Body over 1 MiB"),
    ("415", "The body is not of the documented media type"),
    ("422", "Invalid fields or query parameters (all listed in `errors`)"),
    ("428", "If-Match is missing"),
];

fn problem_response(description: &str) -> Response {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    ResponseBuilder::new().description(description).content(crate::error::PROBLEM_JSON, content).build()
}

/// The shared problems that apply to `op` (`write`: it is not a GET).
fn shared_problems(op: &Operation, write: bool) -> Vec<&'static str> {
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let mut codes = Vec::new();
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        codes.push("401");
        if write {
            codes.push("403");
        }
    }
    if has(ParameterIn::Path) {
        codes.push("404");
    }
    if has(ParameterIn::Query) {
        codes.push("422");
    }
    if op.request_body.is_some() {
        codes.extend(["400", "413", "415", "422"]);
    }
    if params.iter().any(|p| p.parameter_in == ParameterIn::Header && p.name == "If-Match") {
        codes.extend(["412", "428"]);
    }
    codes
}

impl Modify for SharedProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (code, description) in PROBLEMS {
            components.responses.insert(format!("Problem{code}"), RefOr::T(problem_response(description)));
        }
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                (&mut item.get, false),
                (&mut item.put, true),
                (&mut item.post, true),
                (&mut item.delete, true),
                (&mut item.patch, true),
            ];
            for (op, write) in ops {
                let Some(op) = op else { continue };
                for code in shared_problems(op, write) {
                    let reference = RefOr::Ref(Ref::from_response_name(format!("Problem{code}")));
                    op.responses.responses.entry(code.to_string()).or_insert(reference);
                }
            }
        }
    }
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = RootDoc::openapi();
    doc.merge(AuthDoc::openapi());
    doc.merge(RegionsDoc::openapi());
    doc.merge(AgreementsDoc::openapi());
    doc.merge(ResultsDoc::openapi());
    doc.merge(UsersDoc::openapi());
    doc.merge(OrganizationsDoc::openapi());
    doc.merge(ContactsDoc::openapi());
    doc.merge(AuditDoc::openapi());
    doc.merge(RegulationsDoc::openapi());
    // After the merges: it walks every operation.
    SharedProblems.modify(&mut doc);
    doc
}

/// The document as `sinergi openapi` prints it and `api-docs/openapi.json` keeps it.
pub fn document_json() -> String {
    document().to_pretty_json().unwrap_or_default() + "\n"
}
