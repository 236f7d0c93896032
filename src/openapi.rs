//! The OpenAPI 3.1 document: every operation, and what every operation of a kind
//! shares, added here rather than repeated on each route: the problems the request plumbing answers, the
//! `Idempotency-Key` and the `201 Created` headers of a create, the links from a create to the read,
//! update and delete of what it made, and request examples that the demo data (`serve --demo`) accepts.

pub mod examples;

use std::collections::BTreeMap;

use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, Required, Response, ResponseBuilder, Type};
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
    paths(
        crate::health::healthz,
        crate::health::readyz,
        crate::health::metrics,
        crate::auth::routes::login,
        crate::auth::routes::refresh_tokens,
        crate::auth::routes::logout,
        crate::auth::routes::change_password,
        crate::auth::routes::me,
        crate::audit::routes::list_audit_events,
        crate::audit::routes::verify_audit_trail,
        crate::audit::routes::audit_public_key,
        crate::audit::routes::latest_audit_checkpoint,
        crate::audit::routes::audit_inclusion_proof,
        crate::audit::routes::audit_consistency_proof,
        crate::regions::routes::list_regions,
        crate::regions::routes::get_region,
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
        crate::users::routes::list_users,
        crate::users::routes::create_user,
        crate::users::routes::get_user,
        crate::users::routes::update_user,
        crate::organizations::routes::list_organizations,
        crate::organizations::routes::create_organization,
        crate::organizations::routes::get_organization,
        crate::organizations::routes::update_organization,
        crate::organizations::routes::delete_organization,
        crate::contacts::routes::list_contacts,
        crate::contacts::routes::create_contact,
        crate::contacts::routes::get_contact,
        crate::contacts::routes::update_contact,
        crate::contacts::routes::delete_contact,
        crate::regulations::routes::list_regulations,
        crate::regulations::routes::create_regulation,
        crate::regulations::routes::get_regulation,
        crate::regulations::routes::update_regulation,
        crate::regulations::routes::delete_regulation,
        crate::activities::routes::list_activities,
        crate::activities::routes::create_activity,
        crate::activities::routes::get_activity,
        crate::activities::routes::update_activity,
        crate::activities::routes::delete_activity,
        crate::activities::routes::list_action_items,
        crate::activities::routes::create_action_item,
        crate::activities::routes::get_action_item,
        crate::activities::routes::update_action_item,
        crate::minutes::routes::list_attendees,
        crate::minutes::routes::add_attendee,
        crate::minutes::routes::remove_attendee,
        crate::minutes::routes::get_minutes,
        crate::minutes::routes::finalise_minutes,
        crate::minutes::routes::correct_minutes,
        crate::outcomes::routes::list_outcomes,
        crate::outcomes::routes::create_outcome,
        crate::outcomes::routes::get_outcome,
        crate::outcomes::routes::update_outcome,
        crate::outcomes::routes::delete_outcome,
        crate::documents::routes::list_agreement_documents,
        crate::documents::routes::upload_agreement_document,
        crate::documents::routes::list_amendment_documents,
        crate::documents::routes::upload_amendment_document,
        crate::documents::routes::list_activity_documents,
        crate::documents::routes::upload_activity_document,
        crate::documents::routes::list_commitment_update_documents,
        crate::documents::routes::upload_commitment_update_document,
        crate::documents::routes::list_outcome_documents,
        crate::documents::routes::upload_outcome_document,
        crate::documents::routes::get_document,
        crate::documents::routes::delete_document,
        crate::documents::routes::download_document,
        crate::coverage::routes::list_coverage,
        crate::coverage::routes::upsert_coverage,
        crate::coverage::routes::import_coverage,
        crate::reports::routes::agreements_report,
        crate::reports::routes::coverage_report,
        crate::reports::routes::coverage_chart,
        crate::reports::routes::collaboration_report,
        crate::reports::routes::follow_ups_report,
        crate::open_data::routes::datapackage,
        crate::open_data::routes::coverage_results,
        crate::calendar::routes::create_calendar_feed,
        crate::calendar::routes::get_calendar_feed,
        crate::calendar::routes::revoke_calendar_feed,
        crate::calendar::routes::calendar,
        crate::notifications::routes::list_notification_rules,
        crate::notifications::routes::create_notification_rule,
        crate::notifications::routes::get_notification_rule,
        crate::notifications::routes::update_notification_rule,
        crate::notifications::routes::delete_notification_rule,
        crate::notifications::routes::list_notifications,
        crate::notifications::routes::count_unread_notifications,
        crate::notifications::routes::mark_notification_read,
        crate::notifications::routes::mark_all_notifications_read,
        crate::notifications::routes::list_mutes,
        crate::notifications::routes::mute_record,
        crate::notifications::routes::unmute_record,
        crate::notifications::routes::get_notification_settings,
        crate::notifications::routes::change_notification_settings,
    ),
    // Enumerations used only in query parameters: nothing else puts them among the components.
    components(schemas(
        crate::error::Problem,
        crate::error::ProblemField,
        crate::audit::model::SortOrder,
        crate::regions::model::RegionKind,
        crate::reports::collaboration::Section,
        crate::open_data::model::ResultsFormat,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "health", description = "Liveness, readiness and metrics"),
        (name = "auth", description = "Logging in and tokens"),
        (name = "regions", description = "Provinces, regencies and cities"),
        (name = "agreements", description = "Cooperation agreements, their lifecycle, amendments and reports"),
        (name = "commitments", description = "Commitments under agreements and their progress reports"),
        (name = "audit", description = "The audit trail as a transparency log: events, signed checkpoints and proofs (administrators and auditors; the public key is open)"),
        (name = "activities", description = "Meetings, sosialisasi, pembinaan and other activities, and their action items"),
        (name = "outcomes", description = "Measured results of the collaboration"),
        (name = "documents", description = "Files attached to agreements, amendments, activities, progress reports and outcomes: upload, list, download, delete"),
        (name = "coverage", description = "Participation targets and realisation per region, segment and period"),
        (name = "reports", description = "Agreements, coverage, collaboration and follow-up reports (JSON or CSV)"),
        (name = "open-data", description = "Open data for anyone, without a token: the Frictionless Data Package and coverage as an IATI-shaped results framework"),
        (name = "notifications", description = "Reminders: the rules, each user's notices (in the app and in a daily digest email), their settings and mutes"),
        (name = "calendar", description = "Calendar feeds (iCalendar): each user's meetings and due dates, for calendar programs to subscribe to"),
        (name = "users", description = "User accounts (administrators manage them, auditors read them)"),
        (name = "regulations", description = "Legal instruments: UU, PP, Perpres, Permen, Pergub, Perwako, Perbup"),
        (name = "contacts", description = "The people of each organization"),
        (name = "organizations", description = "The actors: government bodies, the BPJS branch, partners, and their hierarchy"),
    )
)]
struct RootDoc;

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
        for (_, method, op) in operations(openapi) {
            for code in shared_problems(op, method != HttpMethod::Get) {
                let reference = RefOr::Ref(Ref::from_response_name(format!("Problem{code}")));
                op.responses.responses.entry(code.to_string()).or_insert(reference);
            }
        }
    }
}

/// Every operation with its path and method.
fn operations(
    openapi: &mut utoipa::openapi::OpenApi,
) -> impl Iterator<Item = (&str, HttpMethod, &mut Operation)> {
    openapi.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            (HttpMethod::Get, &mut item.get),
            (HttpMethod::Put, &mut item.put),
            (HttpMethod::Post, &mut item.post),
            (HttpMethod::Delete, &mut item.delete),
            (HttpMethod::Patch, &mut item.patch),
        ]
        .into_iter()
        .filter_map(move |(method, op)| op.as_mut().map(|op| (path.as_str(), method, op)))
    })
}

/// The name of the component schema that `op` answers with `status`, when it is one.
fn answers(op: &Operation, status: &str) -> Option<String> {
    let RefOr::T(response) = op.responses.responses.get(status)? else { return None };
    let content = response.content.get("application/json")?;
    match content.schema.as_ref()? {
        RefOr::Ref(r) => r.ref_location.rsplit('/').next().map(str::to_string),
        RefOr::T(_) => None,
    }
}

/// What every create (a POST that answers 201) has and its route need not repeat: the `Idempotency-Key`
/// header, and `Location`, `ETag` (when the record has a version) and `Idempotency-Replayed` on the 201.
struct Creates;

const IDEMPOTENCY_KEY: &str = "Makes the request safe to retry: the same key and body within 24 hours answer \
    the first response again (1 to 255 visible ASCII characters)";

impl Modify for Creates {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let versioned = versioned_schemas(openapi);
        for (_, method, op) in operations(openapi) {
            if method != HttpMethod::Post {
                continue;
            }
            let record = answers(op, "201");
            let Some(RefOr::T(created)) = op.responses.responses.get_mut("201") else { continue };
            let headers = [
                ("Location", "The new record's URL", true),
                ("ETag", "Its version, for If-Match", record.is_some_and(|r| versioned.contains(&r))),
                (
                    "Idempotency-Replayed",
                    "`true` when this is the stored answer to an earlier request with the same Idempotency-Key",
                    true,
                ),
            ];
            for (name, description, applies) in headers {
                if applies && !created.headers.contains_key(name) {
                    let string = ObjectBuilder::new().schema_type(Type::String).build();
                    created.headers.insert(
                        name.into(),
                        HeaderBuilder::new().schema(string).description(Some(description)).build(),
                    );
                }
            }
            let params = op.parameters.get_or_insert_with(Vec::new);
            if !params.iter().any(|p| p.parameter_in == ParameterIn::Header && p.name == "Idempotency-Key") {
                params.push(
                    ParameterBuilder::new()
                        .name("Idempotency-Key")
                        .parameter_in(ParameterIn::Header)
                        .required(Required::False)
                        .description(Some(IDEMPOTENCY_KEY))
                        .schema(Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .min_length(Some(1))
                                .max_length(Some(255)),
                        ))
                        .build(),
                );
            }
        }
    }
}

/// The component schemas with a `version` property: records that answer with an `ETag`.
fn versioned_schemas(openapi: &utoipa::openapi::OpenApi) -> Vec<String> {
    let Some(components) = &openapi.components else { return Vec::new() };
    components
        .schemas
        .iter()
        .filter(|(_, schema)| {
            matches!(schema, RefOr::T(utoipa::openapi::Schema::Object(o)) if o.properties.contains_key("version"))
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// Links from each create's 201 to the operations on what it made, found by the schema: the GET of a path
/// `…/{id}` that answers the same schema reads it, the PATCH and DELETE of that path change and delete it
/// (with its ETag as `If-Match`). Generated clients and stateful fuzzers follow them.
struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // The operations on each path `…/{id}`: (link name, operationId, whether it takes If-Match).
        let mut targets: BTreeMap<String, Vec<(&str, String, bool)>> = BTreeMap::new();
        // The path where each schema is read.
        let mut reads: BTreeMap<String, String> = BTreeMap::new();
        for (path, method, op) in operations(openapi) {
            if !path.ends_with("/{id}") {
                continue;
            }
            let name = match method {
                HttpMethod::Get => "read",
                HttpMethod::Patch => "update",
                HttpMethod::Delete => "delete",
                _ => continue,
            };
            let Some(id) = op.operation_id.clone() else { continue };
            let if_match = op.parameters.iter().flatten().any(|p| p.name == "If-Match");
            if method == HttpMethod::Get
                && let Some(schema) = answers(op, "200")
            {
                reads.insert(schema, path.to_string());
            }
            targets.entry(path.to_string()).or_default().push((name, id, if_match));
        }
        for (_, method, op) in operations(openapi) {
            if method != HttpMethod::Post {
                continue;
            }
            let Some(path) = answers(op, "201").and_then(|schema| reads.get(&schema)) else { continue };
            let Some(RefOr::T(created)) = op.responses.responses.get_mut("201") else { continue };
            for (name, operation_id, if_match) in targets.get(path).into_iter().flatten() {
                let mut link = LinkBuilder::new().parameter("id", "$response.body#/id");
                if *if_match {
                    link = link.parameter("If-Match", "$response.header.ETag");
                }
                // utoipa 5.5 spells `Link::operation_id` `operation_id` in JSON; the specification's name
                // is `operationId`, set here as a raw member instead.
                let operation_id = Extensions::from_iter([("operationId", operation_id.as_str())]);
                let link = link.extensions(Some(operation_id)).build();
                created.links.entry((*name).to_string()).or_insert_with(|| RefOr::T(link));
            }
        }
    }
}

/// The whole document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = RootDoc::openapi();
    // They walk every operation. Creates first: the problems depend on the parameters.
    Creates.modify(&mut doc);
    SharedProblems.modify(&mut doc);
    Links.modify(&mut doc);
    examples::Examples.modify(&mut doc);
    doc
}

/// The document as `sinergi openapi` prints it and `api-docs/openapi.json` keeps it.
pub fn document_json() -> String {
    document().to_pretty_json().unwrap_or_default() + "\n"
}
