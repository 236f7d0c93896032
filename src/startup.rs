//! Putting the service together: database, migrations, the first administrator, keys, and the HTTP
//! server with its middleware and routes.

use std::net::TcpListener;
use std::sync::Arc;

use crate::auth::hashing::HashingPool;
use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{Condition, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::prelude::*;
use rand::Rng;
use rand::distr::Alphanumeric;
use utoipa_swagger_ui::SwaggerUi;

use crate::audit;
use crate::audit::note::LogKey;
use crate::auth::Role;
use crate::auth::session::SessionCache;
use crate::auth::token::Keys;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Database;
use crate::db::schema::users;
use crate::error::AppError;
use crate::http::Endpoint;
use crate::state::AppState;
use crate::users::model::NewUser;
use crate::{agreements, auth, contacts, health, http, organizations, regions, regulations, telemetry};

/// Opens the database, applies migrations, makes sure there is an administrator, and loads the keys.
pub fn prepare(settings: Settings, clock: Clock) -> Result<AppState, String> {
    let db = Database::new(&settings.database_url, settings.pool_size, settings.db_checkout_timeout)
        .map_err(|e| e.to_string())?;
    let applied = db.migrate().map_err(|e| format!("cannot migrate the database: {e}"))?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "applied migrations");
    }
    telemetry::metrics();
    crate::documents::spool::clean(&settings.data_dir);
    let keys = Keys::load(settings.jwt_secret.as_deref(), &settings.data_dir)?;
    let log_key = LogKey::load(&settings.audit_origin, settings.audit_key.as_deref(), &settings.data_dir)?;
    let state = AppState {
        db,
        clock,
        keys: Arc::new(keys),
        log_key: Arc::new(log_key),
        sessions: Arc::new(SessionCache::default()),
        hashing: Arc::new(
            HashingPool::new(settings.max_concurrent_hashes)
                .map_err(|e| format!("cannot start the password hashing threads: {e}"))?,
        ),
        settings: Arc::new(settings),
    };
    bootstrap_admin(&state).map_err(|e| format!("cannot create the first administrator: {e}"))?;
    Ok(state)
}

/// On first start with no administrator, creates `admin` with `SINERGI_ADMIN_PASSWORD` (which must pass
/// the password rules) or a random password that is logged once.
fn bootstrap_admin(state: &AppState) -> Result<(), AppError> {
    let mut conn = state.db.get()?;
    let admins: i64 = users::table.filter(users::role.eq(Role::Admin)).count().get_result(&mut *conn)?;
    if admins > 0 {
        return Ok(());
    }
    let (password, generated) = match &state.settings.admin_password {
        Some(p) => (p.clone(), false),
        None => (rand::rng().sample_iter(&Alphanumeric).take(20).map(char::from).collect::<String>(), true),
    };
    let new = NewUser {
        username: "admin".into(),
        full_name: "Administrator".into(),
        email: None,
        role: Role::Admin,
        organization_id: None,
        password: password.clone(),
    };
    match crate::users::service::create_as_system(&mut conn, "bootstrap", state.clock.now(), new) {
        Ok(_) if generated => {
            tracing::warn!(username = "admin", password = %password, "created the first administrator; this password is shown once");
        }
        Ok(_) => tracing::info!(username = "admin", "created the first administrator"),
        // Another process created it first.
        Err(e) if e.status == actix_web::http::StatusCode::CONFLICT => {}
        Err(e) if !e.errors.is_empty() => {
            let reasons =
                e.errors.iter().map(|f| format!("{} {}", f.field, f.message.en)).collect::<Vec<_>>();
            return Err(AppError::internal(format!("SINERGI_ADMIN_PASSWORD: {}", reasons.join("; "))));
        }
        Err(e) => return Err(e),
    }
    Ok(())
}

/// Every route of the API under `/api/v1`.
pub fn api_routes(cfg: &mut web::ServiceConfig) {
    auth::routes::configure(cfg);
    regions::configure(cfg);
    agreements::configure(cfg);
    crate::activities::configure(cfg);
    crate::minutes::configure(cfg);
    crate::outcomes::configure(cfg);
    crate::documents::configure(cfg);
    crate::coverage::configure(cfg);
    crate::reports::configure(cfg);
    crate::open_data::configure(cfg);
    crate::calendar::configure(cfg);
    crate::notifications::configure(cfg);
    crate::users::configure(cfg);
    organizations::configure(cfg);
    contacts::configure(cfg);
    regulations::configure(cfg);
    audit::routes::configure(cfg);
}

/// The application's routes and shared state; used by `serve` and by the tests.
pub fn configure_app(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(state)
            .app_data(http::path_config())
            .app_data(http::query_config())
            .service(Endpoint::new("/healthz").get(health::healthz))
            .service(Endpoint::new("/readyz").get(health::readyz))
            .service(Endpoint::new("/metrics").get(health::metrics))
            .route(
                "/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect().insert_header(("Location", "/docs/")).finish()
                }),
            )
            .service(SwaggerUi::new("/docs/{_:.*}").url("/api-docs/openapi.json", crate::openapi::document()))
            .service(web::scope("/api/v1").configure(api_routes));
    }
}

/// Browsers may call the API only from the configured origins; with none configured CORS stays off and
/// browsers keep their same-origin rule.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("idempotency-replayed"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// How long a graceful stop waits for requests in flight.
const SHUTDOWN_SECONDS: u64 = 8;

/// Starts the HTTP server on `listener`, and the audit log's sequencer beside it. Call it inside a tokio
/// runtime (actix's, or a test's).
pub fn run(listener: TcpListener, state: AppState) -> std::io::Result<Server> {
    if state.settings.audit_sequencer {
        audit::sequencer::spawn(state.db.clone(), state.log_key.clone(), state.clock);
    }
    if state.settings.reminders {
        crate::notifications::reminders::spawn(state.clone());
    }
    let workers = state.settings.workers;
    let origins = state.settings.cors_origins.clone();
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .configure(configure_app(data.clone()))
            .default_service(web::to(telemetry::not_found))
            .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
            .wrap(from_fn(telemetry::problems))
            .wrap(from_fn(telemetry::observe))
    })
    .workers(workers)
    // On SIGTERM, requests in flight get 8 s to finish. Workers look at their connections once a second
    // and the server waits 0.3 s more before it stops, so even a request stuck on a database lock (which
    // may wait 10 s) cannot keep the process past 10 s.
    .shutdown_timeout(SHUTDOWN_SECONDS)
    .listen(listener)?
    .run();
    Ok(server)
}
