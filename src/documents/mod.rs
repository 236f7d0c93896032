//! Documents: files (the signed agreement's scan, the notulen, photos of an activity, the evidence of a
//! progress report) attached to an agreement, an amendment, an activity, a commitment progress report
//! or an outcome.
//!
//! The module owns the `documents` and `document_chunks` tables. A file is stored in the database in
//! chunks of [`CHUNK_SIZE`] bytes, so that memory stays flat while it goes in or out and every server
//! process on the database serves the same files. An upload is first spooled to a temporary file (hashed
//! and counted on the way), its type is sniffed from the content ([`sniff`]), and then the row, its chunks
//! and the audit event (which carries the SHA-256) are written in one transaction: a half upload is never
//! visible. A document follows the visibility of the record it is attached to, and attaching or deleting
//! one takes the permission to edit that record.

pub mod content;
pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
pub mod sniff;
pub mod spool;

pub use routes::configure;

/// The size of one stored chunk.
pub const CHUNK_SIZE: usize = 256 * 1024;
