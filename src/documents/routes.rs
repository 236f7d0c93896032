//! `/{record}/{id}/documents` (list, upload), `/documents/{id}` (metadata, delete) and
//! `/documents/{id}/content` (download): thin handlers over [`super::service`].

use actix_multipart::Multipart;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;

use super::content::{self, Range};
use super::model::{Document, DocumentUpload, OwnerKind};
use super::{repo, service, sniff, spool};
use crate::auth::{Action, AuthUser, policy};
use crate::db::Id;
use crate::error::{AppError, text};
use crate::http::{
    Created, Endpoint, Idempotency, Page, PageQuery, Paging, Reply, Target, Tx, with_etag, write,
};
use crate::state::State;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        Endpoint::new("/agreements/{id}/documents")
            .get(list_agreement_documents)
            .post(upload_agreement_document),
    )
    .service(
        Endpoint::new("/amendments/{id}/documents")
            .get(list_amendment_documents)
            .post(upload_amendment_document),
    )
    .service(
        Endpoint::new("/activities/{id}/documents")
            .get(list_activity_documents)
            .post(upload_activity_document),
    )
    .service(
        Endpoint::new("/commitment-updates/{id}/documents")
            .get(list_commitment_update_documents)
            .post(upload_commitment_update_document),
    )
    .service(
        Endpoint::new("/outcomes/{id}/documents").get(list_outcome_documents).post(upload_outcome_document),
    )
    .service(Endpoint::new("/documents/{id}").get(get_document).delete(delete_document))
    .service(Endpoint::new("/documents/{id}/content").get(download_document));
}

/// How much a multipart body may carry beyond the file itself (boundaries, part headers, small fields)
/// before its declared length alone answers 413.
const MULTIPART_OVERHEAD: u64 = 64 * 1024;

async fn list(user: AuthUser, state: State, kind: OwnerKind, id: Id, page: Paging) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let list = move |conn: &mut _, after, limit| service::list(conn, &user, kind, id, after, limit);
    page.list(&state, list, |d: &Document| d.id).await
}

/// Receives an upload: who may (the role, then the record), the declared type and size, then the body
/// spooled to disk, its type sniffed, and the document written with its audit event.
async fn upload(
    req: HttpRequest,
    user: AuthUser,
    state: State,
    kind: OwnerKind,
    owner: Id,
    idem: Idempotency,
    payload: web::Payload,
) -> Reply {
    policy::authorize_role(&user, service::role_action(kind))?;
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("multipart/form-data"));
    if !multipart {
        return Err(AppError::unsupported_media_type("multipart/form-data"));
    }
    let limit = state.settings.max_upload_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.saturating_add(MULTIPART_OVERHEAD)) {
        return Err(AppError::payload_too_large(limit as usize));
    }
    let caller = user.clone();
    state.db.run(move |conn| service::may_attach(conn, &caller, kind, owner)).await?;
    let body = Multipart::new(req.headers(), payload);
    let mut upload = spool::receive(body, spool::folder(&state.settings.data_dir), limit).await?;
    let (upload_back, media_type) = web::block(move || {
        let size = upload.size;
        let media_type = sniff::sniff(upload.file.as_file_mut(), size);
        (upload, media_type)
    })
    .await
    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?;
    let mut upload = upload_back;
    let media_type = media_type
        .map_err(|e| AppError::internal(format!("sniffing an upload: {e}")))?
        .ok_or_else(|| AppError::unsupported_media_type(sniff::ALLOWED))?;
    // The same key with the same file (name, hash, size) for the same record answers the first upload's
    // response again, without a second document.
    let request = serde_json::json!({
        "file_name": upload.file_name, "sha256": upload.sha256, "size_bytes": upload.size,
    });
    let now = state.clock.now();
    let caller = user.clone();
    idem.create(&state, &caller, &request, move |conn| {
        let document = service::attach(Tx::new(conn, &user, now), kind, owner, &mut upload, media_type)?;
        Created::new(write::Record::location(&document), Some(document.version), &document)
    })
    .await
}

macro_rules! owner_routes {
    ($kind:expr, $path:literal, $list_doc:literal, $upload_doc:literal, $list:ident, $upload:ident) => {
        #[doc = $list_doc]
        #[utoipa::path(get, path = $path, tag = "documents",
            params(("id" = Id, Path), PageQuery),
            responses(
                (status = 200, description = "One page of documents", body = inline(Page<Document>),
                    headers(("Link" = String, description = "The next page, when there is one"))),
            ),
            security(("bearer" = [])))]
        pub async fn $list(user: AuthUser, state: State, id: web::Path<Id>, page: Paging) -> Reply {
            list(user, state, $kind, id.into_inner(), page).await
        }

        #[doc = $upload_doc]
        #[utoipa::path(post, path = $path, tag = "documents",
            params(("id" = Id, Path),
                ("Idempotency-Key" = Option<String>, Header, description = "Makes the upload safe to retry: the same key and file answer the first response again")),
            request_body(content = DocumentUpload, content_type = "multipart/form-data"),
            responses(
                (status = 201, body = Document, headers(("Location" = String), ("ETag" = String))),
                (status = 413, description = "The file is larger than the limit (SINERGI_MAX_UPLOAD_BYTES, default 25 MiB)", body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 415, description = "Not multipart/form-data, or a file of a type not allowed", body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 400, description = "A part other than `file`, or a body that is not valid multipart", body = crate::error::Problem, content_type = "application/problem+json"),
                (status = 422, description = "No part named `file`, more than one, or an empty file", body = crate::error::Problem, content_type = "application/problem+json"),
            ),
            security(("bearer" = [])))]
        pub async fn $upload(
            req: HttpRequest,
            user: AuthUser,
            state: State,
            id: web::Path<Id>,
            idem: Idempotency,
            payload: web::Payload,
        ) -> Reply {
            upload(req, user, state, $kind, id.into_inner(), idem, payload).await
        }
    };
}

owner_routes!(
    OwnerKind::Agreement,
    "/api/v1/agreements/{id}/documents",
    "The documents attached to an agreement, oldest first (404 when the caller may not see it).",
    "Attach a document to an agreement (`multipart/form-data`, one part named `file`): whoever may edit \
     the agreement. The type is sniffed from the content: PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT or ODS.",
    list_agreement_documents,
    upload_agreement_document
);
owner_routes!(
    OwnerKind::Amendment,
    "/api/v1/amendments/{id}/documents",
    "The documents attached to an amendment, oldest first (404 when the caller may not see its agreement).",
    "Attach a document to an amendment (`multipart/form-data`, one part named `file`): whoever may edit \
     its agreement. The type is sniffed from the content: PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT or ODS.",
    list_amendment_documents,
    upload_amendment_document
);
owner_routes!(
    OwnerKind::Activity,
    "/api/v1/activities/{id}/documents",
    "The documents attached to an activity (notulen, daftar hadir, photos), oldest first.",
    "Attach a document to an activity (`multipart/form-data`, one part named `file`): whoever may log \
     the activity. The type is sniffed from the content: PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT or ODS.",
    list_activity_documents,
    upload_activity_document
);
owner_routes!(
    OwnerKind::CommitmentUpdate,
    "/api/v1/commitment-updates/{id}/documents",
    "The documents attached to a commitment progress report (its evidence), oldest first.",
    "Attach evidence to a commitment progress report (`multipart/form-data`, one part named `file`): \
     whoever may report on the commitment. The type is sniffed from the content: PDF, JPEG, PNG, WebP, \
     DOCX, XLSX, ODT or ODS.",
    list_commitment_update_documents,
    upload_commitment_update_document
);
owner_routes!(
    OwnerKind::Outcome,
    "/api/v1/outcomes/{id}/documents",
    "The documents attached to an outcome, oldest first.",
    "Attach a document to an outcome (`multipart/form-data`, one part named `file`): whoever may record \
     the outcome. The type is sniffed from the content: PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT or ODS.",
    list_outcome_documents,
    upload_outcome_document
);

/// One document's metadata (404 when the caller may not see the record it is attached to).
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "documents",
    params(("id" = Id, Path)),
    responses((status = 200, body = Document, headers(("ETag" = String)))),
    security(("bearer" = [])))]
pub async fn get_document(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    let document = state.db.run(move |conn| service::visible(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), document.version, &document))
}

/// Delete a document (If-Match required). Whoever may edit the record may delete; the audit trail keeps
/// the document's events.
#[utoipa::path(delete, path = "/api/v1/documents/{id}", tag = "documents",
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The document's ETag")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = [])))]
pub async fn delete_document(user: AuthUser, state: State, target: Target) -> Reply {
    let Target { id, if_match } = target;
    write::delete(&state, user, move |tx| service::delete(tx, id, &if_match)).await
}

/// Download a document's content, as stored, with `Content-Disposition: attachment`. Supports one byte
/// range (`Range`, 206; 416 when no byte is in it) and `If-None-Match` (304) against the `ETag`, which is
/// the content's SHA-256.
#[utoipa::path(get, path = "/api/v1/documents/{id}/content", tag = "documents",
    params(("id" = Id, Path),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a copy the client has")),
    responses(
        (status = 200, description = "The content, of the type found at upload",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"),
                (Vec<u8> = "image/webp"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (Vec<u8> = "application/vnd.oasis.opendocument.text"),
                (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet")),
            headers(("ETag" = String), ("Content-Disposition" = String), ("Accept-Ranges" = String))),
        (status = 206, description = "The requested range",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"),
                (Vec<u8> = "image/webp"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (Vec<u8> = "application/vnd.oasis.opendocument.text"),
                (Vec<u8> = "application/vnd.oasis.opendocument.spreadsheet")),
            headers(("Content-Range" = String))),
        (status = 304, description = "The client's copy is current"),
        (status = 416, description = "No byte of the content is in the range", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn download_document(req: HttpRequest, user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    let document = state.db.run(move |conn| service::visible(conn, &user, id)).await?;
    let etag = content::etag(&document.sha256);
    let header_of = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header_of(header::IF_NONE_MATCH).is_some_and(|h| content::none_match(h, &etag)) {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    let size = document.size_bytes as u64;
    // A range applies only to the content the client has the ETag of (If-Range); otherwise all of it.
    let range_header = match header_of(header::IF_RANGE) {
        Some(tag) if tag.trim() != etag => None,
        _ => header_of(header::RANGE),
    };
    let (status, start, end) = match content::range(range_header, size) {
        Range::Whole => (StatusCode::OK, 0, size),
        Range::Part { start, end } => (StatusCode::PARTIAL_CONTENT, start, end + 1),
        Range::Unsatisfiable => {
            let mut e = AppError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                text(
                    format!("The range asks for no byte of the {size} the document has."),
                    format!("Rentang yang diminta tidak mencakup satu pun dari {size} bita dokumen."),
                ),
            );
            e.unsatisfiable_size = Some(size);
            return Err(e);
        }
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::CONTENT_TYPE, document.media_type.clone()))
        .insert_header((header::CONTENT_DISPOSITION, content::disposition(&document.file_name)))
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox"))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if status == StatusCode::PARTIAL_CONTENT {
        res.insert_header((header::CONTENT_RANGE, format!("bytes {start}-{}/{size}", end - 1)));
    }
    res.no_chunking(end - start);
    Ok(res.streaming(chunks(state, document, start, end)))
}

/// The bytes `start..end` of the document, read one stored chunk at a time.
fn chunks(
    state: State,
    document: Document,
    start: u64,
    end: u64,
) -> impl futures_util::Stream<Item = Result<web::Bytes, std::io::Error>> {
    let chunk_size = document.chunk_size.max(1) as u64;
    stream::unfold(start, move |at| {
        let state = state.clone();
        let id = document.id;
        async move {
            if at >= end {
                return None;
            }
            let seq = (at / chunk_size) as i32;
            let read = state.db.run(move |conn| repo::chunk(conn, id, seq)).await;
            let item = match read {
                Ok(data) => {
                    let from = (at - seq as u64 * chunk_size) as usize;
                    let to = ((end - seq as u64 * chunk_size) as usize).min(data.len());
                    if from >= to {
                        Err(std::io::Error::other(format!("document {id}: chunk {seq} is short")))
                    } else {
                        Ok(web::Bytes::copy_from_slice(&data[from..to]))
                    }
                }
                Err(e) => Err(std::io::Error::other(format!("document {id}: chunk {seq}: {e:?}"))),
            };
            match item {
                Ok(bytes) => {
                    let next = at + bytes.len() as u64;
                    Some((Ok(bytes), next))
                }
                // One error ends the stream: the connection closes short of Content-Length.
                Err(e) => Some((Err(e), end)),
            }
        }
    })
}
