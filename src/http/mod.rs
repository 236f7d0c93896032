//! Request and response pieces that every resource shares: routing with 405s, the JSON body extractor,
//! path and query errors as problems, keyset pagination, ETags.

pub mod endpoint;
pub mod etag;
pub mod json;
pub mod pagination;

pub use endpoint::Endpoint;
pub use etag::{IfMatch, with_etag};
pub use json::Json;
pub use pagination::{Page, PageQuery};

use actix_web::web;

use crate::error::{AppError, text};

/// Path parameters that do not parse (an id that is not a UUID) name no resource: 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| AppError::not_found().into())
}

/// Query strings that do not parse (`limit=abc`, an unknown enumeration value) are invalid input: 422.
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
