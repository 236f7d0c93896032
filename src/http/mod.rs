//! Request and response pieces that every resource shares: routing with 405s, the JSON body extractor,
//! path and query errors as problems, keyset pagination with CSV output, ETags and conditional writes,
//! idempotent creates, field validation, string enumerations, and the delete-with-references check.

pub mod accept;
pub mod csv;
pub mod endpoint;
pub mod enums;
pub mod etag;
pub mod fields;
pub mod idempotency;
pub mod json;
pub mod pagination;
pub mod problems;
pub mod query;
pub mod references;
pub mod search;
pub mod validate;
pub mod versioned;
pub mod write;

pub use endpoint::Endpoint;
pub use etag::{IfMatch, Target, expect_one_row, with_etag};
pub use idempotency::{Created, Idempotency, IdempotencyKey};
pub use json::Json;
pub use pagination::{Page, PageQuery, Paging};
pub use query::Query;
pub use references::{Reference, ensure_unreferenced};
pub use validate::Validator;
pub use write::{Record, Tx};

use actix_web::{HttpResponse, web};

use crate::error::{AppError, text};

/// What a handler answers: the response, or the problem that [`AppError`] turns into one.
pub type Reply = Result<HttpResponse, AppError>;

/// Path parameters that do not parse (an id that is not a UUID) name no resource: 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| AppError::not_found().into())
}

/// Query strings that do not parse (`limit=abc`, an unknown enumeration value) are invalid input: 422.
/// (For lists, prefer [`Query`], which also names the bad parameter.)
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        AppError::invalid(
            "query",
            text(
                format!("The query string is invalid: {err}"),
                format!("Parameter kueri tidak valid: {err}"),
            ),
        )
        .into()
    })
}
