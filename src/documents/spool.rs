//! Receiving an upload: the `multipart/form-data` body is read part by part (at most 64 KiB of it held
//! by the parser), and the part named `file` is written to a temporary file in the data directory,
//! hashed (SHA-256) and counted on the way. Memory stays flat whatever the size; the file is deleted when
//! the [`Spooled`] value is dropped, and a server killed mid-upload leaves only a temporary file that the
//! next start removes ([`clean`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::web;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use super::CHUNK_SIZE;
use super::model::MAX_FILE_NAME;
use crate::error::{AppError, text};

/// An upload written to disk.
pub struct Spooled {
    pub file: NamedTempFile,
    pub size: u64,
    pub sha256: String,
    pub file_name: String,
}

/// The folder of the data directory where uploads are spooled.
pub fn folder(data_dir: &Path) -> PathBuf {
    data_dir.join("uploads")
}

/// Removes spooled files left by a process that was killed mid-upload (older than an hour, so that the
/// uploads in flight of another process on the same data directory are left alone).
pub fn clean(data_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(folder(data_dir)) else { return };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn unreadable(e: impl std::fmt::Display) -> AppError {
    AppError::bad_request(text(
        format!("The multipart body could not be read: {e}"),
        "Isi multipart tidak dapat dibaca.",
    ))
}

fn io_error(e: std::io::Error) -> AppError {
    AppError::internal(format!("spooling an upload: {e}"))
}

/// Where a file being received is: the temporary file, its hash so far and the bytes not yet written.
struct Sink {
    file: NamedTempFile,
    hasher: Sha256,
    buffer: Vec<u8>,
}

impl Sink {
    /// Writes the buffer out (on the blocking pool) and answers the sink with an empty buffer.
    async fn flush(mut self) -> Result<Sink, AppError> {
        web::block(move || {
            self.hasher.update(&self.buffer);
            self.file.write_all(&self.buffer)?;
            self.buffer.clear();
            Ok::<_, std::io::Error>(self)
        })
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
        .map_err(io_error)
    }
}

/// Reads the body, keeping the part named `file` (at most `limit` bytes, 413 above) in a temporary
/// file of `dir`. Any other part is 400 (as an unknown field of a JSON body is); 422 when there is no
/// `file` part or more than one, or when it is empty.
pub async fn receive(mut body: Multipart, dir: PathBuf, limit: u64) -> Result<Spooled, AppError> {
    let mut spooled: Option<Spooled> = None;
    while let Some(part) = body.next().await {
        let mut part = part.map_err(unreadable)?;
        if part.name() != Some("file") {
            // As an unknown field of a JSON body is.
            let name = part.name().unwrap_or("").to_string();
            return Err(AppError::bad_request(text(
                format!("The body has a part {name:?}; an upload has one part, named \"file\"."),
                format!(
                    "Isi permintaan memuat bagian {name:?}; unggahan hanya memiliki satu bagian bernama \"file\"."
                ),
            )));
        }
        if spooled.is_some() {
            return Err(AppError::invalid(
                "file",
                text("is given more than once", "diberikan lebih dari sekali"),
            ));
        }
        let given = part.content_disposition().and_then(|d| {
            d.get_filename()
                .map(str::to_string)
                .or_else(|| d.get_filename_ext().map(|v| String::from_utf8_lossy(&v.value).into_owned()))
        });
        let file_name = sanitize(given.as_deref().unwrap_or(""));
        let dir = dir.clone();
        let file = web::block(move || {
            std::fs::create_dir_all(&dir)?;
            NamedTempFile::new_in(&dir)
        })
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
        .map_err(io_error)?;
        let mut sink = Sink { file, hasher: Sha256::new(), buffer: Vec::with_capacity(CHUNK_SIZE) };
        let mut size: u64 = 0;
        while let Some(bytes) = part.next().await {
            let bytes = bytes.map_err(unreadable)?;
            size += bytes.len() as u64;
            if size > limit {
                return Err(AppError::payload_too_large(limit as usize));
            }
            sink.buffer.extend_from_slice(&bytes);
            if sink.buffer.len() >= CHUNK_SIZE {
                sink = sink.flush().await?;
            }
        }
        let sink = sink.flush().await?;
        let sha256 = hex::encode(sink.hasher.finalize());
        spooled = Some(Spooled { file: sink.file, size, sha256, file_name });
    }
    let spooled = spooled.ok_or_else(|| AppError::invalid("file", text("is required", "wajib diisi")))?;
    if spooled.size == 0 {
        return Err(AppError::invalid("file", text("is empty", "kosong")));
    }
    Ok(spooled)
}

/// A file name safe to store and to send back: the last component only (no directories, so no `..`),
/// without control characters and the characters file systems refuse, without leading dots or trailing
/// dots and spaces, at most [`MAX_FILE_NAME`] characters (the extension kept); `document` when nothing is
/// left.
pub fn sanitize(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .map(|c| if c.is_control() || matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') { '_' } else { c })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim_end_matches(['.', ' ']).trim();
    if trimmed.is_empty() || trimmed.chars().all(|c| c == '_') {
        return "document".to_string();
    }
    if trimmed.chars().count() <= MAX_FILE_NAME {
        return trimmed.to_string();
    }
    let (stem, ext) = match trimmed.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => (stem, format!(".{ext}")),
        _ => (trimmed, String::new()),
    };
    let keep = MAX_FILE_NAME - ext.chars().count();
    format!("{}{ext}", stem.chars().take(keep).collect::<String>().trim_end())
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn names_lose_directories_and_control_characters() {
        assert_eq!(sanitize("../../etc/passwd"), "passwd");
        assert_eq!(sanitize("..\\..\\Windows\\system.ini"), "system.ini");
        assert_eq!(sanitize("C:\\x\\Nota Kesepakatan.pdf"), "Nota Kesepakatan.pdf");
        assert_eq!(sanitize(".."), "document");
        assert_eq!(sanitize(""), "document");
        assert_eq!(sanitize(".hidden"), "hidden");
        assert_eq!(sanitize("a\u{0}b\nc.pdf"), "a_b_c.pdf");
        assert_eq!(
            sanitize("Notulen Rapat Koordinasi — Dinas Tenaga Kerja.pdf"),
            "Notulen Rapat Koordinasi — Dinas Tenaga Kerja.pdf"
        );
        let long = format!("{}.pdf", "a".repeat(500));
        let cut = sanitize(&long);
        assert_eq!(cut.chars().count(), 200);
        assert!(cut.ends_with(".pdf"));
    }
}
