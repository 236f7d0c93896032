//! The document's types: the stored row, the record the API shows, and what it may be attached to.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::documents;
use crate::db::{Id, Timestamp};
use crate::http::write::Record;

crate::str_enum! {
    /// The kind of record a document is attached to.
    pub enum OwnerKind {
        Agreement => "agreement",
        Amendment => "amendment",
        Activity => "activity",
        CommitmentUpdate => "commitment_update",
        Outcome => "outcome",
    }
}

/// The longest file name kept (in characters, after sanitising).
pub const MAX_FILE_NAME: usize = 200;

/// A document as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = documents)]
pub struct Document {
    pub id: Id,
    /// The kind of record the document is attached to.
    pub owner_kind: OwnerKind,
    /// The record the document is attached to.
    pub owner_id: Id,
    /// The file name the uploader gave, sanitised (no directories, no control characters).
    #[schema(example = "Nota Kesepakatan 2025 (ditandatangani).pdf")]
    pub file_name: String,
    /// The type sniffed from the content, never the one the client declared.
    #[schema(example = "application/pdf")]
    pub media_type: String,
    #[schema(example = 482133)]
    pub size_bytes: i64,
    /// The SHA-256 of the content, in lower-case hex; also in the document's audit event.
    pub sha256: String,
    #[serde(skip)]
    pub chunk_size: i32,
    pub version: i32,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub created_by: Option<Id>,
}

impl Record for Document {
    fn location(&self) -> String {
        format!("/api/v1/documents/{}", self.id)
    }

    fn version(&self) -> i32 {
        self.version
    }
}

/// The body of an upload: `multipart/form-data` with one part named `file`.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// The file. Its type is sniffed from the content: PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT or ODS
    /// (anything else is 415); at most the configured size (413 above it).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}
