//! Fixtures for the document tests: `multipart/form-data` bodies, files of each allowed type made here
//! (a stored zip for the Office and OpenDocument containers), deterministic bytes, and the server's
//! resident memory.

use reqwest::Response;
use sha2::{Digest, Sha256};

use crate::helpers::TestApp;

pub const BOUNDARY: &str = "sinergi-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body with one part named `file`: the content type and the bytes.
pub fn multipart(file_name: &str, content: &[u8]) -> (String, Vec<u8>) {
    multipart_part("file", Some(file_name), content)
}

/// A body with one part of this name (and file name, if any).
pub fn multipart_part(name: &str, file_name: Option<&str>, content: &[u8]) -> (String, Vec<u8>) {
    let mut body = Vec::with_capacity(content.len() + 256);
    body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
    let file = file_name.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
    body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"{file}\r\n").as_bytes());
    body.extend_from_slice(b"Content-Type: application/octet-stream\r\n\r\n");
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// A body whose `file` part has these Content-Disposition parameters after `form-data; name="file"`.
pub fn multipart_disposition(params: &str, content: &[u8]) -> (String, Vec<u8>) {
    let mut body = Vec::with_capacity(content.len() + 256);
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"{params}\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

/// `n` deterministic bytes that start with `magic` (a xorshift stream: no two chunks alike).
pub fn bytes_with(magic: &[u8], n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    out.extend_from_slice(&magic[..magic.len().min(n)]);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ n as u64;
    while out.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let take = (n - out.len()).min(8);
        out.extend_from_slice(&x.to_le_bytes()[..take]);
    }
    out
}

pub fn pdf(n: usize) -> Vec<u8> {
    bytes_with(b"%PDF-1.7\n", n)
}

pub fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A zip file of stored (uncompressed) entries, in this order.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let mut local = Vec::new();
        local.extend_from_slice(b"PK\x03\x04");
        local.extend_from_slice(&20u16.to_le_bytes()); // version needed
        local.extend_from_slice(&0u16.to_le_bytes()); // flags
        local.extend_from_slice(&0u16.to_le_bytes()); // stored
        local.extend_from_slice(&0u32.to_le_bytes()); // time, date
        local.extend_from_slice(&crc.to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(data.len() as u32).to_le_bytes());
        local.extend_from_slice(&(name.len() as u16).to_le_bytes());
        local.extend_from_slice(&0u16.to_le_bytes()); // extra
        local.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&local);
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0u8; 8]); // extra, comment, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

const CONTENT_TYPES: &[u8] =
    b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";

pub fn docx() -> Vec<u8> {
    zip(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", b"<Relationships/>"),
        ("word/document.xml", b"<w:document/>"),
    ])
}

pub fn xlsx() -> Vec<u8> {
    zip(&[("[Content_Types].xml", CONTENT_TYPES), ("xl/workbook.xml", b"<workbook/>")])
}

pub fn odf(mimetype: &str) -> Vec<u8> {
    zip(&[("mimetype", mimetype.as_bytes()), ("content.xml", b"<office:document-content/>")])
}

impl TestApp {
    /// Uploads `content` as `file_name` to `path` (a `…/documents` route).
    pub async fn upload(&self, token: &str, path: &str, file_name: &str, content: &[u8]) -> Response {
        let (content_type, body) = multipart(file_name, content);
        self.post(path)
            .bearer_auth(token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("upload")
    }

    /// The content of a document, with the response's status and headers.
    pub async fn download(&self, token: &str, document: &str) -> Response {
        self.get(&format!("/api/v1/documents/{document}/content"))
            .bearer_auth(token)
            .send()
            .await
            .expect("download")
    }
}

/// The resident memory of a process, in KiB (`VmRSS` of /proc/PID/status).
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/PID/status")
}
