//! Documents: upload (multipart), list, download (Range, ETag, the safety headers), delete; the type
//! sniffed from the content; the size limit; sanitised names; visibility and permissions following the
//! record; flat memory for 25 MiB in a real server process; two processes; SIGKILL mid-upload.

use std::io::Write as _;
use std::net::TcpStream;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use sinergi::db::Id;

use crate::helpers::{ADMIN_PASSWORD, TestApp, assert_problem, problem_fields};
use crate::support_agreements::{World, etag, expect, id, send};
use crate::support_documents::*;
use crate::support_results::held;
use crate::support_server::ServerProcess;

const MIB: usize = 1024 * 1024;

/// An active agreement between Pemkot and the BPJS branch, as administrator.
async fn agreement(app: &TestApp, w: &World, number: &str) -> String {
    id(&app.active_agreement(w, number).await)
}

backend_test!(documents_round_trip_with_their_headers, |app| async move {
    let w = World::new(&app).await;
    let a = agreement(&app, &w, "NK/DOC/1").await;
    let path = format!("/api/v1/agreements/{a}/documents");
    let before_audit = app.audit_count("document");

    // The smallest file of an allowed type: the five bytes of a PDF header.
    let tiny = b"%PDF-".to_vec();
    let res = app.upload(&w.admin, &path, "Nota Kesepakatan Ñagari 2025.pdf", &tiny).await;
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let doc = expect(res, 201).await;
    assert_eq!(location, format!("/api/v1/documents/{}", id(&doc)));
    assert_eq!(doc["owner_kind"], "agreement");
    assert_eq!(doc["owner_id"], json!(a));
    assert_eq!(doc["file_name"], "Nota Kesepakatan Ñagari 2025.pdf");
    assert_eq!(doc["media_type"], "application/pdf");
    assert_eq!(doc["size_bytes"], 5);
    assert_eq!(doc["sha256"], json!(sha256(&tiny)));

    let res = app.download(&w.admin, &id(&doc)).await;
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"Nota Kesepakatan _agari 2025.pdf\"; filename*=UTF-8''Nota%20Kesepakatan%20%C3%91agari%202025.pdf"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-security-policy"], "sandbox");
    assert_eq!(h["accept-ranges"], "bytes");
    assert_eq!(h["content-length"], "5");
    let tag = h["etag"].to_str().unwrap().to_string();
    assert_eq!(tag, format!("\"{}\"", sha256(&tiny)));
    assert_eq!(res.bytes().await.unwrap().as_ref(), tiny.as_slice());

    // ETag / If-None-Match.
    let url = format!("/api/v1/documents/{}/content", id(&doc));
    let res = app.get(&url).bearer_auth(&w.admin).header("If-None-Match", &tag).send().await.unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(res.headers()["etag"], tag.as_str());
    let res = app.get(&url).bearer_auth(&w.admin).header("If-None-Match", "\"other\"").send().await.unwrap();
    assert_eq!(res.status(), 200);

    // One range; a range past the end is 416 with the size.
    let res = app.get(&url).bearer_auth(&w.admin).header("Range", "bytes=1-2").send().await.unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-range"], "bytes 1-2/5");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"PD");
    let res = app.get(&url).bearer_auth(&w.admin).header("Range", "bytes=5-").send().await.unwrap();
    assert_eq!(res.headers()["content-range"], "bytes */5");
    assert_problem(res, 416).await;
    // An If-Range naming another version of the content gets all of it.
    let res = app
        .get(&url)
        .bearer_auth(&w.admin)
        .header("Range", "bytes=1-2")
        .header("If-Range", "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().len(), 5);

    // 1 MiB, four chunks in the database; a range across a chunk boundary.
    let big = bytes_with(b"\xFF\xD8\xFF\xE0", MIB);
    let doc2 = expect(app.upload(&w.admin, &path, "foto rapat.jpg", &big).await, 201).await;
    assert_eq!(doc2["media_type"], "image/jpeg");
    assert_eq!(doc2["sha256"], json!(sha256(&big)));
    let res = app.download(&w.admin, &id(&doc2)).await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap().as_ref() == big.as_slice(), "1 MiB round trip differs");
    let chunks = {
        use diesel::prelude::*;
        use sinergi::db::schema::document_chunks;
        document_chunks::table
            .filter(document_chunks::document_id.eq(Id(id(&doc2).parse().unwrap())))
            .count()
            .get_result::<i64>(&mut app.connection())
            .unwrap()
    };
    assert_eq!(chunks, 4);
    let url2 = format!("/api/v1/documents/{}/content", id(&doc2));
    let res =
        app.get(&url2).bearer_auth(&w.admin).header("Range", "bytes=262000-262300").send().await.unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.headers()["content-range"], format!("bytes 262000-262300/{MIB}"));
    assert!(res.bytes().await.unwrap().as_ref() == &big[262000..=262300]);
    let res = app.get(&url2).bearer_auth(&w.admin).header("Range", "bytes=-10").send().await.unwrap();
    assert_eq!(res.status(), 206);
    assert!(res.bytes().await.unwrap().as_ref() == &big[MIB - 10..]);

    // With an Idempotency-Key, the same file again answers the first upload; another file is refused.
    let keyed = |content: &'static [u8]| {
        let (ct, body) = multipart("ulang.pdf", content);
        app.post(&path)
            .bearer_auth(&w.admin)
            .header("Content-Type", ct)
            .header("Idempotency-Key", "unggah-1")
            .body(body)
            .send()
    };
    let first = expect(keyed(b"%PDF-1.4 ulang").await.unwrap(), 201).await;
    let documents = app.count_rows("documents");
    let again = keyed(b"%PDF-1.4 ulang").await.unwrap();
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    assert_eq!(expect(again, 201).await, first);
    assert_problem(keyed(b"%PDF-1.4 lain").await.unwrap(), 422).await;
    assert_eq!(app.count_rows("documents"), documents);
    let path_first = format!("/api/v1/documents/{}", id(&first));
    expect(send(&app, Method::DELETE, &path_first, &w.admin, Some("\"1\""), None).await, 204).await;

    // The list and the metadata; the audit trail has each file's SHA-256.
    let list = expect(app.read(&w.admin, &path).await, 200).await;
    let ids: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [id(&doc), id(&doc2)]);
    let meta = app.read(&w.admin, &format!("/api/v1/documents/{}", id(&doc2))).await;
    assert_eq!(meta.headers()["etag"], "\"1\"");
    assert_eq!(expect(meta, 200).await, doc2);
    assert_eq!(app.audit_count("document"), before_audit + 4);
    let events = expect(app.read(&w.admin, "/api/v1/audit-events?entity_type=document").await, 200).await;
    let hashes: Vec<(&Value, &Value)> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (&e["action"], e["after"].get("sha256").unwrap_or(&e["before"]["sha256"])))
        .collect();
    let ulang = json!(sha256(b"%PDF-1.4 ulang"));
    assert_eq!(
        hashes,
        [
            (&json!("attach"), &json!(sha256(&tiny))),
            (&json!("attach"), &json!(sha256(&big))),
            (&json!("attach"), &ulang),
            (&json!("delete"), &ulang),
        ]
    );
});

backend_test!(
    types_are_sniffed_from_the_content_and_sizes_are_limited,
    settings = |s| s.max_upload_bytes = 1024 * 1024,
    |app| async move {
        let w = World::new(&app).await;
        let a = agreement(&app, &w, "NK/DOC/2").await;
        let path = format!("/api/v1/agreements/{a}/documents");
        let before = app.table_counts();
        let refused: &[(&str, Vec<u8>, u16)] = &[
            ("kosong.pdf", Vec::new(), 422),
            ("satu.pdf", b"%".to_vec(), 415),
            ("nota.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec(), 415),
            ("nota.pdf", b"<html><body>Nota</body></html>".to_vec(), 415),
            ("nota.pdf", bytes_with(b"MZ\x90\x00\x03\x00\x00\x00", 4096), 415),
            ("nota.pdf", bytes_with(b"\x7fELF\x02\x01\x01", 4096), 415),
            ("arsip.zip", zip(&[("a.txt", b"halo")]), 415),
            ("nota.docx", zip(&[("word/document.xml", b"<w/>")]), 415),
            ("nota.odt", odf("application/x-unknown"), 415),
            ("besar.pdf", pdf(1024 * 1024 + 1), 413),
        ];
        for (name, content, status) in refused {
            let res = app.upload(&w.admin, &path, name, content).await;
            let problem = assert_problem(res, *status).await;
            if *status == 422 {
                assert_eq!(problem_fields(&problem), ["file"]);
            }
        }
        // Not multipart; a part other than `file` (400, as an unknown JSON field); no part; two `file` parts.
        let res = send(&app, Method::POST, &path, &w.admin, None, Some(json!({"file": "JVBERi0="}))).await;
        assert_problem(res, 415).await;
        let (ct, body) = multipart_part("berkas", Some("a.pdf"), b"%PDF-1.4");
        let res =
            app.post(&path).bearer_auth(&w.admin).header("Content-Type", ct).body(body).send().await.unwrap();
        assert_problem(res, 400).await;
        let res = app
            .post(&path)
            .bearer_auth(&w.admin)
            .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(format!("--{BOUNDARY}--\r\n"))
            .send()
            .await
            .unwrap();
        assert_eq!(problem_fields(&assert_problem(res, 422).await), ["file"]);
        let one = multipart("a.pdf", b"%PDF-1.4").1;
        let mut two = one[..one.len() - (BOUNDARY.len() + 6)].to_vec();
        two.extend_from_slice(&one[..]);
        let res = app
            .post(&path)
            .bearer_auth(&w.admin)
            .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .body(two)
            .send()
            .await
            .unwrap();
        assert_eq!(problem_fields(&assert_problem(res, 422).await), ["file"]);
        // A declared length far past the limit is refused before the body is read.
        let res = app
            .post(&path)
            .bearer_auth(&w.admin)
            .header("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .header("Content-Length", "900000000")
            .send()
            .await;
        if let Ok(res) = res {
            assert_problem(res, 413).await;
        }
        assert_eq!(app.table_counts(), before, "a refused upload wrote something");

        // Every allowed type, whatever the name says; exactly the limit is accepted.
        let allowed: &[(&str, Vec<u8>, &str)] = &[
            ("scan.bin", pdf(1024 * 1024), "application/pdf"),
            ("foto.pdf", bytes_with(b"\xFF\xD8\xFF\xDB", 300), "image/jpeg"),
            ("bagan", bytes_with(b"\x89PNG\r\n\x1a\n", 300), "image/png"),
            ("foto.webp", bytes_with(b"RIFF\x10\x00\x00\x00WEBPVP8 ", 300), "image/webp"),
            (
                "notulen.docx",
                docx(),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            ("daftar.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (
                "notulen.odt",
                odf("application/vnd.oasis.opendocument.text"),
                "application/vnd.oasis.opendocument.text",
            ),
            (
                "daftar.ods",
                odf("application/vnd.oasis.opendocument.spreadsheet"),
                "application/vnd.oasis.opendocument.spreadsheet",
            ),
        ];
        for (name, content, media_type) in allowed {
            let doc = expect(app.upload(&w.admin, &path, name, content).await, 201).await;
            assert_eq!(doc["media_type"], *media_type, "{name}");
            let res = app.download(&w.admin, &id(&doc)).await;
            assert_eq!(res.headers()["content-type"], *media_type);
            assert!(res.bytes().await.unwrap().as_ref() == content.as_slice(), "{name} differs");
        }
        assert_eq!(app.count_rows("documents"), allowed.len() as i64);
    }
);

backend_test!(file_names_are_sanitised, |app| async move {
    let w = World::new(&app).await;
    let a = agreement(&app, &w, "NK/DOC/3").await;
    let path = format!("/api/v1/agreements/{a}/documents");
    let long = format!("{}.pdf", "Nama Sangat Panjang ".repeat(30));
    for (given, stored) in [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        // In the quoted file name of a part, `\\` stands for one backslash: `..\..\Windows\win.ini.pdf`.
        ("..\\\\..\\\\Windows\\\\win.ini.pdf", "win.ini.pdf"),
        // An unescaped backslash escapes the next character: what arrives has no separator left.
        ("..\\..\\Windows\\win.ini.pdf", "Windowswin.ini.pdf"),
        ("/var/lib/sinergi/sinergi.db.pdf", "sinergi.db.pdf"),
        ("..", "document"),
        (".htaccess.pdf", "htaccess.pdf"),
        (
            "Notulen Rapat Dinas Tenaga Kerja dan Perindustrian.pdf",
            "Notulen Rapat Dinas Tenaga Kerja dan Perindustrian.pdf",
        ),
    ] {
        let doc = expect(app.upload(&w.admin, &path, given, b"%PDF-1.4\n").await, 201).await;
        assert_eq!(doc["file_name"], stored, "{given:?}");
        let res = app.download(&w.admin, &id(&doc)).await;
        let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(!disposition.contains('/') && !disposition.contains(".."), "{disposition}");
    }
    // Control characters arrive percent-encoded in `filename*` (a raw one makes the part header invalid: 400).
    for (params, stored) in [
        ("; filename*=UTF-8''nota%07kesepakatan%0A.pdf", "nota_kesepakatan_.pdf"),
        ("; filename*=UTF-8''..%2F..%2Fnotulen%20%C3%91agari.pdf", "notulen Ñagari.pdf"),
        ("", "document"),
    ] {
        let (ct, body) = multipart_disposition(params, b"%PDF-1.4\n");
        let res =
            app.post(&path).bearer_auth(&w.admin).header("Content-Type", ct).body(body).send().await.unwrap();
        assert_eq!(expect(res, 201).await["file_name"], stored, "{params}");
    }
    let (ct, body) = multipart_disposition("; filename=\"a\u{7}b.pdf\"", b"%PDF-1.4\n");
    let res =
        app.post(&path).bearer_auth(&w.admin).header("Content-Type", ct).body(body).send().await.unwrap();
    assert_problem(res, 400).await;
    let doc = expect(app.upload(&w.admin, &path, &long, b"%PDF-1.4\n").await, 201).await;
    let name = doc["file_name"].as_str().unwrap();
    assert_eq!(name.chars().count(), 200);
    assert!(name.ends_with(".pdf"));
});

backend_test!(documents_follow_the_visibility_and_permissions_of_their_record, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let admin = w.admin.clone();
    // A restricted agreement of the other BPJS branch and the Perisai agency.
    let mut body = w.pemkot_bpjs("NK/RAHASIA/1");
    body["confidentiality"] = json!("restricted");
    body["parties"] = json!([
        {"organization_id": o.perisai, "role": "first_party", "signatory_name": "A"},
        {"organization_id": o.bpjs_other, "role": "second_party", "signatory_name": "B"},
    ]);
    let restricted = id(&app.create_agreement(&admin, body).await);
    expect(
        send(&app, Method::POST, &format!("/api/v1/agreements/{restricted}/activate"), &admin, None, None)
            .await,
        200,
    )
    .await;
    let secret = expect(
        app.upload(
            &admin,
            &format!("/api/v1/agreements/{restricted}/documents"),
            "rahasia.pdf",
            b"%PDF-1.4 rahasia",
        )
        .await,
        201,
    )
    .await;
    let secret = id(&secret);
    let bpjs = w.token(&app, "d.bpjs", "bpjs_staff", Some(&o.bpjs)).await;
    let auditor = w.token(&app, "d.auditor", "auditor", Some(&o.inspektorat)).await;
    let partner = w.token(&app, "d.partner", "partner_staff", Some(&o.rumah_bumn)).await;
    let missing = Id::new().to_string();
    let before = app.table_counts();
    for token in [&bpjs, &partner] {
        for (method, path) in [
            (Method::GET, "/api/v1/documents/{}"),
            (Method::GET, "/api/v1/documents/{}/content"),
            (Method::DELETE, "/api/v1/documents/{}"),
        ] {
            let seen = assert_problem(
                send(&app, method.clone(), &path.replace("{}", &secret), token, Some("\"1\""), None).await,
                404,
            )
            .await;
            let none = assert_problem(
                send(&app, method.clone(), &path.replace("{}", &missing), token, Some("\"1\""), None).await,
                404,
            )
            .await;
            assert_eq!(seen, none, "{method} {path}");
        }
        let list = format!("/api/v1/agreements/{restricted}/documents");
        let seen = assert_problem(app.read(token, &list).await, 404).await;
        let none =
            assert_problem(app.read(token, &format!("/api/v1/agreements/{missing}/documents")).await, 404)
                .await;
        assert_eq!(seen, none);
    }
    // Auditors read it, and change nothing.
    let res = app.download(&auditor, &secret).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.4 rahasia");
    let res =
        send(&app, Method::DELETE, &format!("/api/v1/documents/{secret}"), &auditor, Some("\"1\""), None)
            .await;
    assert_problem(res, 403).await;
    let res =
        app.upload(&auditor, &format!("/api/v1/agreements/{restricted}/documents"), "x.pdf", b"%PDF-").await;
    assert_problem(res, 403).await;
    assert_eq!(app.table_counts(), before);

    // One document on each kind of record, and the list of each.
    let a = agreement(&app, &w, "NK/DOC/4").await;
    let amendment = expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/agreements/{a}/amendments"),
            &admin,
            None,
            Some(json!({"number": "ADD/1", "signed_on": "2025-06-10", "summary": "Perpanjangan",
                "changes": {"effective_until": "2027-01-01"}})),
        )
        .await,
        201,
    )
    .await;
    let commitment = app
        .create_commitment(&admin, &a, json!({"title": "Sosialisasi", "responsible_organization_id": o.bpjs}))
        .await;
    let report = expect(
        send(
            &app,
            Method::POST,
            &format!("/api/v1/commitments/{}/updates", id(&commitment)),
            &admin,
            None,
            Some(json!({"status": "in_progress", "progress_pct": 50})),
        )
        .await,
        201,
    )
    .await;
    let activity = app
        .create_activity(&admin, held("coordination_meeting", "Rakor", &o.pemkot, &[&o.bpjs], "2025-06-01"))
        .await;
    let outcome = expect(
        send(&app, Method::POST, "/api/v1/outcomes", &admin, None, Some(json!({"kind": "enrolment", "title": "Peserta baru",
            "value": 10, "unit": "people", "period_start": "2025-01-01", "period_end": "2025-03-31", "organization_id": o.bpjs}))).await,
        201,
    )
    .await;
    for (kind, record, route) in [
        ("amendment", id(&amendment), "amendments"),
        ("commitment_update", id(&report), "commitment-updates"),
        ("activity", id(&activity), "activities"),
        ("outcome", id(&outcome), "outcomes"),
    ] {
        let path = format!("/api/v1/{route}/{record}/documents");
        let doc = expect(app.upload(&bpjs, &path, "bukti.png", b"\x89PNG\r\n\x1a\nbukti").await, 201).await;
        assert_eq!(
            (doc["owner_kind"].as_str(), doc["owner_id"].as_str()),
            (Some(kind), Some(record.as_str()))
        );
        let list = expect(app.read(&partner, &path).await, 200).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "{kind}");
        let missing_path = format!("/api/v1/{route}/{missing}/documents");
        assert_problem(app.upload(&bpjs, &missing_path, "bukti.png", b"\x89PNG\r\n\x1a\n").await, 404).await;
    }
    // Partner staff may not edit the agreement, so may not attach to it (403), nor delete from it.
    let path = format!("/api/v1/agreements/{a}/documents");
    assert_problem(app.upload(&partner, &path, "x.pdf", b"%PDF-").await, 403).await;
    let doc = expect(app.upload(&bpjs, &path, "x.pdf", b"%PDF-").await, 201).await;
    let doc_path = format!("/api/v1/documents/{}", id(&doc));
    assert_problem(send(&app, Method::DELETE, &doc_path, &partner, Some("\"1\""), None).await, 403).await;
    // A record with documents is not deleted; its document is, with If-Match, and the trail keeps both
    // events.
    let outcome_path = format!("/api/v1/outcomes/{}", id(&outcome));
    assert_problem(send(&app, Method::DELETE, &outcome_path, &admin, Some(&etag(&outcome)), None).await, 409)
        .await;
    assert_problem(send(&app, Method::DELETE, &doc_path, &bpjs, None, None).await, 428).await;
    assert_problem(send(&app, Method::DELETE, &doc_path, &bpjs, Some("\"2\""), None).await, 412).await;
    let events = app.audit_count("document");
    expect(send(&app, Method::DELETE, &doc_path, &bpjs, Some("\"1\""), None).await, 204).await;
    assert_eq!(app.audit_count("document"), events + 1);
    assert_problem(app.download(&admin, &id(&doc)).await, 404).await;
    let chunks = app.count_rows("document_chunks");
    let docs = app.count_rows("documents");
    assert_eq!(chunks, docs, "every remaining document is one chunk; the deleted one left none");
});

/// Logs in as administrator on a server process.
async fn login(client: &reqwest::Client, server: &ServerProcess) -> String {
    let res = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

async fn upload_to(
    client: &reqwest::Client,
    server: &ServerProcess,
    token: &str,
    path: &str,
    content: &[u8],
) -> Value {
    let (ct, body) = multipart("berkas.pdf", content);
    let res = client
        .post(server.url(path))
        .bearer_auth(token)
        .header("Content-Type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    expect(res, 201).await
}

async fn download_from(client: &reqwest::Client, server: &ServerProcess, token: &str, doc: &str) -> Vec<u8> {
    let res = client
        .get(server.url(&format!("/api/v1/documents/{doc}/content")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.bytes().await.unwrap().to_vec()
}

backend_test!(a_25_mib_file_round_trips_in_a_server_process_with_flat_memory, |app| async move {
    let w = World::new(&app).await;
    let a = agreement(&app, &w, "NK/DOC/5").await;
    let path = format!("/api/v1/agreements/{a}/documents");
    let server = ServerProcess::start(app.sinergi(), &[]).await;
    let client = reqwest::Client::new();
    let token = login(&client, &server).await;
    // Warm up: the first upload and download start the pool's connections and their page caches.
    let warm = pdf(4 * MIB);
    let doc = upload_to(&client, &server, &token, &path, &warm).await;
    assert!(download_from(&client, &server, &token, &id(&doc)).await == warm);

    let big = pdf(25 * MIB);
    let start = rss_kib(server.pid());
    let doc = upload_to(&client, &server, &token, &path, &big).await;
    let after_upload = rss_kib(server.pid());
    assert_eq!(doc["size_bytes"], 25 * MIB);
    assert_eq!(doc["sha256"], json!(sha256(&big)));
    let back = download_from(&client, &server, &token, &id(&doc)).await;
    let after_download = rss_kib(server.pid());
    assert!(back == big, "the 25 MiB download differs from the upload");
    let up = after_upload.saturating_sub(start);
    let down = after_download.saturating_sub(after_upload);
    println!(
        "{:?}: server RSS {start} KiB at the start, {after_upload} KiB after the 25 MiB upload (+{up} KiB), \
         {after_download} KiB after the download (+{down} KiB)",
        app.backend
    );
    assert!(up < 8 * 1024, "the upload grew the server by {up} KiB");
    assert!(down < 8 * 1024, "the download grew the server by {down} KiB");
    // One byte more than the default limit is refused.
    let (ct, body) = multipart("besar.pdf", &pdf(25 * MIB + 1));
    let res =
        client.post(server.url(&path)).bearer_auth(&token).header("Content-Type", ct).body(body).send().await;
    match res {
        Ok(res) => assert_eq!(res.status(), 413),
        Err(e) => panic!("the oversized upload got no answer: {e}"),
    }
});

backend_test!(a_file_uploaded_through_one_server_process_downloads_through_another, |app| async move {
    let w = World::new(&app).await;
    let a = agreement(&app, &w, "NK/DOC/6").await;
    let path = format!("/api/v1/agreements/{a}/documents");
    let mut second = app.sinergi();
    second.env("SINERGI_AUDIT_SEQUENCER", "off");
    let one = ServerProcess::start(app.sinergi(), &[]).await;
    let two = ServerProcess::start(second, &[]).await;
    let client = reqwest::Client::new();
    let token = login(&client, &one).await;
    let content = pdf(600 * 1024 + 7);
    let doc = upload_to(&client, &one, &token, &path, &content).await;
    assert!(download_from(&client, &two, &token, &id(&doc)).await == content);
    let listed = client.get(two.url(&path)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(expect(listed, 200).await["items"][0]["id"], doc["id"]);
});

backend_test!(sigkill_during_an_upload_leaves_no_document, |app| async move {
    let w = World::new(&app).await;
    let a = agreement(&app, &w, "NK/DOC/7").await;
    let path = format!("/api/v1/agreements/{a}/documents");
    let mut server = ServerProcess::start(app.sinergi(), &[]).await;
    let client = reqwest::Client::new();
    let token = login(&client, &server).await;
    let before = app.table_counts();
    let audit_before = app.audit_count("document");
    // Half of a 4 MiB upload, sent by hand so that the rest never comes.
    let content = pdf(4 * MIB);
    let (ct, body) = multipart("setengah.pdf", &content);
    let address = server.address.trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(&address).expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..2 * MIB]).unwrap();
    stream.flush().unwrap();
    // Wait until the server has spooled part of it, then kill it.
    let uploads = app.data_dir.path().join("uploads");
    let spooled = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .map(|entries| entries.flatten().any(|e| e.metadata().map(|m| m.len() > 0).unwrap_or(false)))
            .unwrap_or(false)
    };
    for _ in 0..600 {
        if spooled(&uploads) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(spooled(&uploads), "the server never started spooling the upload");
    server.kill();
    drop(stream);
    assert_eq!(app.table_counts(), before, "a killed upload left rows");
    assert_eq!(app.audit_count("document"), audit_before);
    // A restarted server shows no document either.
    let server = ServerProcess::start(app.sinergi(), &[]).await;
    let token = login(&client, &server).await;
    let list = client.get(server.url(&path)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(expect(list, 200).await["items"], json!([]));
    drop(client.get(server.url("/readyz")).send().await);
});
