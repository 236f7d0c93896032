//! The problem responses that several operations document alike, for the OpenAPI document: a route
//! names one in `responses(...)` instead of repeating its status, description, body and media type. The
//! problems that the request plumbing answers for every route (401, 404, 412, 422, ...) are added to
//! every operation by `crate::openapi` instead.

/// Declares each problem response as a type deriving `utoipa::IntoResponses` whose body is a
/// [`crate::error::Problem`] as `application/problem+json`. A macro because the four lines of derive and
/// attributes would otherwise stand again for each one; the types are never built, only documented.
macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident: $status:tt, $description:tt;)*) => {$(
        $(#[$doc])*
        #[derive(utoipa::IntoResponses)]
        #[response(status = $status, description = $description, content_type = "application/problem+json")]
        #[allow(dead_code)]
        pub struct $name(crate::error::Problem);
    )*};
}

problem_responses! {
    /// A delete that other records still refer to ([`crate::http::ensure_unreferenced`]).
    StillReferenced: 409, "Other records refer to it (named in the detail)";
    /// A write of the contacts of an organization the user may not keep.
    NotTheirContacts: 403, "The user may not keep this organization's contacts";
    /// A read of the log's checkpoint or proofs by a role other than administrator or auditor.
    NotAnAuditor: 403, "Only administrators and auditors read the log";
    /// A read of user accounts by a role other than administrator or auditor.
    NotAnAccountReader: 403, "Only administrators and auditors read user accounts";
    /// An organization with a short name that another one has.
    ShortNameTaken: 409, "The short name is taken";
    /// A regulation with the kind, number, year and issuer of another one.
    AlreadyRegistered: 409, "The same kind, number, year and issuer are registered already";
    /// A change of attendance once the activity's minutes are final.
    MinutesFinal: 409, "The minutes are final";
}
