//! The type of a file, read from its content (never from the name or the type the client declared): the
//! magic bytes of PDF, JPEG, PNG and WebP, and for a zip container the entries that make it a DOCX or
//! XLSX (Office Open XML: `[Content_Types].xml` and the main part) or an ODT or ODS (OpenDocument: the
//! `mimetype` entry stored first). Anything else (HTML, an executable, a plain zip) is `None`.

use std::io::{self, Read, Seek, SeekFrom};

pub const PDF: &str = "application/pdf";
pub const JPEG: &str = "image/jpeg";
pub const PNG: &str = "image/png";
pub const WEBP: &str = "image/webp";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const ODT: &str = "application/vnd.oasis.opendocument.text";
pub const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// The types a document may have, for messages and the docs.
pub const ALLOWED: &str = "PDF, JPEG, PNG, WebP, DOCX, XLSX, ODT or ODS";

/// The largest central directory read while sniffing a zip container.
const MAX_CENTRAL_DIRECTORY: u64 = 8 * 1024 * 1024;

/// The sniffed media type of the `size` bytes of `file`, or `None` when it is none of the allowed ones.
pub fn sniff<F: Read + Seek>(file: &mut F, size: u64) -> io::Result<Option<&'static str>> {
    let mut head = vec![0u8; 512.min(size as usize)];
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut head)?;
    if head.starts_with(b"%PDF-") {
        return Ok(Some(PDF));
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Some(JPEG));
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Some(PNG));
    }
    if head.len() >= 12 && head.starts_with(b"RIFF") && &head[8..12] == b"WEBP" {
        return Ok(Some(WEBP));
    }
    if head.starts_with(b"PK\x03\x04") {
        if let Some(odf) = open_document(&head) {
            return Ok(Some(odf));
        }
        let names = zip_entry_names(file, size)?;
        let has = |n: &str| names.iter().any(|e| e == n);
        if has("[Content_Types].xml") {
            if has("word/document.xml") {
                return Ok(Some(DOCX));
            }
            if has("xl/workbook.xml") {
                return Ok(Some(XLSX));
            }
        }
    }
    Ok(None)
}

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]) as usize)
}

fn u32_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 4).map(|s| u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]])))
}

/// OpenDocument: the first entry is `mimetype`, stored uncompressed, holding the type.
fn open_document(head: &[u8]) -> Option<&'static str> {
    let method = u16_at(head, 8)?;
    let stored_size = u32_at(head, 18)? as usize;
    let name_len = u16_at(head, 26)?;
    let extra_len = u16_at(head, 28)?;
    let name = head.get(30..30 + name_len)?;
    if method != 0 || name != b"mimetype" {
        return None;
    }
    let start = 30 + name_len + extra_len;
    let content = head.get(start..start + stored_size)?;
    match content {
        b"application/vnd.oasis.opendocument.text" => Some(ODT),
        b"application/vnd.oasis.opendocument.spreadsheet" => Some(ODS),
        _ => None,
    }
}

/// The entry names of a zip file's central directory (empty when there is none to be found).
fn zip_entry_names<F: Read + Seek>(file: &mut F, size: u64) -> io::Result<Vec<String>> {
    // The end-of-central-directory record is in the last 22 + 65535 bytes (a comment may follow it).
    let tail_len = size.min(22 + 65_535);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(size - tail_len))?;
    file.read_exact(&mut tail)?;
    let Some(eocd) = (0..tail.len().saturating_sub(21)).rev().find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
    else {
        return Ok(Vec::new());
    };
    let (Some(cd_size), Some(cd_offset)) = (u32_at(&tail, eocd + 12), u32_at(&tail, eocd + 16)) else {
        return Ok(Vec::new());
    };
    if cd_size > MAX_CENTRAL_DIRECTORY || cd_offset.saturating_add(cd_size) > size {
        return Ok(Vec::new());
    }
    let mut cd = vec![0u8; cd_size as usize];
    file.seek(SeekFrom::Start(cd_offset))?;
    file.read_exact(&mut cd)?;
    let mut names = Vec::new();
    let mut at = 0;
    while cd.get(at..at + 4) == Some(b"PK\x01\x02") {
        let (Some(name_len), Some(extra_len), Some(comment_len)) =
            (u16_at(&cd, at + 28), u16_at(&cd, at + 30), u16_at(&cd, at + 32))
        else {
            break;
        };
        let Some(name) = cd.get(at + 46..at + 46 + name_len) else { break };
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn of(bytes: &[u8]) -> Option<&'static str> {
        sniff(&mut Cursor::new(bytes), bytes.len() as u64).expect("in memory")
    }

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(of(b"%PDF-1.7\n"), Some(PDF));
        assert_eq!(of(b"\xFF\xD8\xFF\xE0"), Some(JPEG));
        assert_eq!(of(b"\x89PNG\r\n\x1a\n...."), Some(PNG));
        assert_eq!(of(b"RIFF\0\0\0\0WEBPVP8 "), Some(WEBP));
        assert_eq!(of(b"<!DOCTYPE html><script>alert(1)</script>"), None);
        assert_eq!(of(b"MZ\x90\0"), None);
        assert_eq!(of(b"\x7fELF"), None);
        assert_eq!(of(b""), None);
        assert_eq!(of(b"PK\x03\x04garbage"), None);
    }
}
