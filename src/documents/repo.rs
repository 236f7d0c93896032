//! Document queries: the row, the list of a record's documents, and the chunks.

use diesel::prelude::*;

use super::model::{Document, OwnerKind};
use crate::db::schema::{document_chunks, documents};
use crate::db::{DbConnection, Id};
use crate::error::AppError;

pub fn find(conn: &mut DbConnection, id: Id) -> Result<Document, AppError> {
    documents::table
        .find(id)
        .select(Document::as_select())
        .first(conn)
        .map_err(crate::agreements::repo::named("documents", id))
}

/// Up to `limit` documents of the record after the id `after`, oldest first.
pub fn list(
    conn: &mut DbConnection,
    kind: OwnerKind,
    owner: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Document>, AppError> {
    let mut query = documents::table
        .filter(documents::owner_kind.eq(kind))
        .filter(documents::owner_id.eq(owner))
        .select(Document::as_select())
        .order(documents::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(documents::id.gt(after));
    }
    Ok(query.load(conn)?)
}

/// How many documents are attached to the record (a record with documents is not deleted).
pub fn count(conn: &mut DbConnection, kind: OwnerKind, owner: Id) -> QueryResult<i64> {
    documents::table
        .filter(documents::owner_kind.eq(kind))
        .filter(documents::owner_id.eq(owner))
        .count()
        .get_result(conn)
}

pub fn insert(conn: &mut DbConnection, row: &Document) -> Result<(), AppError> {
    diesel::insert_into(documents::table).values(row).execute(conn)?;
    Ok(())
}

pub fn insert_chunk(conn: &mut DbConnection, document: Id, seq: i32, data: &[u8]) -> Result<(), AppError> {
    diesel::insert_into(document_chunks::table)
        .values((
            document_chunks::document_id.eq(document),
            document_chunks::seq.eq(seq),
            document_chunks::data.eq(data),
        ))
        .execute(conn)?;
    Ok(())
}

/// One chunk's bytes; 404 when the document (or that chunk) is gone.
pub fn chunk(conn: &mut DbConnection, document: Id, seq: i32) -> Result<Vec<u8>, AppError> {
    Ok(document_chunks::table
        .filter(document_chunks::document_id.eq(document))
        .filter(document_chunks::seq.eq(seq))
        .select(document_chunks::data)
        .first(conn)?)
}

/// Deletes the document and its chunks.
pub fn delete(conn: &mut DbConnection, id: Id) -> Result<(), AppError> {
    diesel::delete(document_chunks::table.filter(document_chunks::document_id.eq(id))).execute(conn)?;
    let rows = diesel::delete(documents::table.find(id)).execute(conn)?;
    crate::http::expect_one_row(rows)
}
