//! `Query<T>`: the query-string extractor for list filters and paging. Like `web::Query`, but a bad value
//! is a 422 that names its parameter (`kind: unknown variant "castle", expected one of ...`,
//! `year: invalid digit found in string`), as the JSON extractor does for body fields. Unknown
//! parameters are ignored.

use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};
use crate::http::validate::nul_refused;

#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// Parses a query string into `T`, naming the parameter of the first bad value.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    if let Some((name, _)) =
        form_urlencoded::parse(query.as_bytes()).find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(nul_refused(name.replace('\0', "")));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize::<_, T>(de).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." { "query".to_string() } else { path };
        let message = err.into_inner().to_string();
        AppError::validation(vec![FieldError::new(field, crate::http::json::value_error(&message))])
    })
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query).map_err(Into::into))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Filter {
        year: Option<i32>,
        limit: Option<u32>,
        q: Option<String>,
    }

    #[test]
    fn names_the_bad_parameter() {
        let ok: Filter = super::parse("year=2011&q=jaminan%20sosial&other=x").unwrap();
        assert_eq!((ok.year, ok.q.as_deref(), ok.limit), (Some(2011), Some("jaminan sosial"), None));
        let err = super::parse::<Filter>("q=x&limit=-1").unwrap_err();
        assert_eq!(err.errors[0].field, "limit");
        let err = super::parse::<Filter>("year=abc").unwrap_err();
        assert_eq!(err.errors[0].field, "year");
        let err = super::parse::<Filter>("q=a%00b").unwrap_err();
        assert_eq!((err.status.as_u16(), err.errors[0].field.as_str()), (422, "q"));
    }
}
