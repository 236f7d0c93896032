//! Printed records (`Accept: application/pdf`): the notulen, the daftar hadir and the agreement report
//! open in a real reader (poppler-utils): `pdftotext` finds the meeting's title, every decision, every
//! attendee and every follow-up; `pdftoppm` renders page 1; `pdffonts` finds every font embedded; the
//! daftar hadir has one numbered row per attendee; no word of a long Indonesian name or organization
//! runs past the margins. A hidden record is 404 as a PDF exactly as it is as JSON; JSON stays the
//! default.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem};
use crate::support_agreements::{World, expect, id, send};
use crate::support_results::held;
use crate::support_tools::poppler;

/// The page's text margins (25 mm left, 20 mm right on A4), in points, with half a point of rounding.
const LEFT_MARGIN: f64 = 25.0 * 72.0 / 25.4 - 0.5;
const RIGHT_EDGE: f64 = (210.0 - 20.0) * 72.0 / 25.4 + 0.5;
/// The width of the daftar hadir's number column (10 mm).
const NUMBER_COLUMN: f64 = 10.0 * 72.0 / 25.4;

/// GETs `path` asking for a PDF; asserts a 200 PDF and answers its bytes.
async fn pdf(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let res = app
        .request(Method::GET, path)
        .bearer_auth(token)
        .header("Accept", "application/pdf")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200, "{path}");
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.starts_with("inline; filename=\"") && disposition.ends_with(".pdf\""),
        "{disposition}"
    );
    let bytes = res.bytes().await.expect("body").to_vec();
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    bytes
}

/// A PDF written to a fresh directory, checked with poppler-utils.
struct Printed {
    dir: tempfile::TempDir,
    file: PathBuf,
}

impl Printed {
    fn new(bytes: &[u8]) -> Printed {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("record.pdf");
        std::fs::write(&file, bytes).expect("write PDF");
        Printed { dir, file }
    }

    fn run(tool: &Path, args: &[&str]) -> String {
        let out = Command::new(tool).args(args).output().expect("run poppler");
        assert!(out.status.success(), "{tool:?} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// The text in the order it was drawn, with every run of whitespace (line breaks of wrapped cells
    /// included) made one space. None without poppler-utils.
    fn text(&self) -> Option<String> {
        let tool = poppler("pdftotext")?;
        let raw = Self::run(&tool, &["-raw", self.file.to_str()?, "-"]);
        Some(raw.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Every word with its box (`x_min`, `x_max`) and text, from `pdftotext -bbox`.
    fn words(&self) -> Option<Vec<(f64, f64, String)>> {
        let tool = poppler("pdftotext")?;
        let html = Self::run(&tool, &["-bbox", self.file.to_str()?, "-"]);
        let attr = |tag: &str, name: &str| -> f64 {
            let start = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
            tag[start..].split('"').next().and_then(|v| v.parse().ok()).expect("a number")
        };
        let mut words = Vec::new();
        for piece in html.split("<word ").skip(1) {
            let (tag, rest) = piece.split_once('>').expect("tag");
            let text = rest.split("</word>").next().unwrap_or("").to_string();
            words.push((attr(tag, "xMin"), attr(tag, "xMax"), text));
        }
        Some(words)
    }

    /// Asserts that no word runs past the margins: long names wrap instead.
    fn assert_within_margins(&self) {
        let Some(words) = self.words() else { return };
        assert!(words.len() > 20, "too few words: {words:?}");
        for (x_min, x_max, text) in &words {
            assert!(*x_min >= LEFT_MARGIN && *x_max <= RIGHT_EDGE, "{text:?} runs from {x_min} to {x_max}");
        }
    }

    /// The numbers printed in the daftar hadir's number column, in order.
    fn row_numbers(&self) -> Option<Vec<u32>> {
        let words = self.words()?;
        Some(
            words
                .iter()
                .filter(|(x_min, x_max, _)| *x_min >= LEFT_MARGIN && *x_max <= LEFT_MARGIN + NUMBER_COLUMN)
                .filter_map(|(_, _, text)| text.parse().ok())
                .collect(),
        )
    }

    /// Asserts that every font is embedded (`pdffonts`' `emb` column).
    fn assert_fonts_embedded(&self) {
        let Some(tool) = poppler("pdffonts") else { return };
        let listing = Self::run(&tool, &[self.file.to_str().unwrap()]);
        let fonts: Vec<&str> = listing.lines().skip(2).filter(|l| !l.trim().is_empty()).collect();
        assert!(!fonts.is_empty(), "no fonts: {listing}");
        for font in fonts {
            let columns: Vec<&str> = font.split_whitespace().collect();
            // name, type (one or two words), encoding, then emb, sub, uni, object number, generation.
            assert_eq!(columns[columns.len() - 5], "yes", "not embedded: {font}");
        }
    }

    /// Renders page 1 to PNG and answers the image's size in bytes.
    fn render_first_page(&self) -> Option<usize> {
        let tool = poppler("pdftoppm")?;
        let prefix = self.dir.path().join("page");
        Self::run(&tool, &["-r", "50", "-png", "-f", "1", "-l", "1", self.file.to_str()?, prefix.to_str()?]);
        let png = std::fs::read_dir(self.dir.path())
            .expect("dir")
            .flatten()
            .find(|e| e.file_name().to_string_lossy().ends_with(".png"))
            .map(|e| std::fs::read(e.path()).expect("read PNG"))
            .expect("pdftoppm wrote no PNG");
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        Some(png.len())
    }
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    expect(send(app, Method::POST, path, token, None, Some(body)).await, 201).await
}

/// People with long names and diacritics, as Indonesian attendance lists have them.
const ATTENDEES: [(&str, &str); 6] = [
    ("Prof. Dr. Ir. H. Muhammad Fadhlurrahman Syahputra Ritonga Siregar, S.T., M.Sc., Ph.D.", "Kepala Badan"),
    ("Nurhayati Ş. Putri", "Sekretaris Dinas"),
    (
        "Dra. Hj. Rosmaniar Ümmü Kalsum Nasution, M.Si.",
        "Kepala Bidang Hubungan Industrial dan Jaminan Sosial",
    ),
    ("Andi Muh. Ikhsan Pallawarukka", "Analis Kebijakan Ahli Muda"),
    ("Cut Nyak Meutia Zahrá", "Penata Kelola Sistem dan Teknologi Informasi"),
    ("I Gusti Ngurah Agung Wiradharma", "Kepala Kantor Cabang"),
];

const LONG_ORGANIZATION: &str = "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah Kota Padang \
                                 Provinsi Sumatera Barat";

backend_test!(
    the_notulen_and_daftar_hadir_print_every_attendee_decision_and_follow_up,
    fixed,
    |app| async move {
        let w = World::new(&app).await;
        let o = &w.orgs;
        let bappeda = app
            .create_org(&w.admin, LONG_ORGANIZATION, "BAPPEDA-PDG", "regional_agency", Some(&o.pemkot))
            .await;
        let mut body = held(
            "coordination_meeting",
            "Rapat Koordinasi Perluasan Kepesertaan Jaminan Sosial Ketenagakerjaan bagi Pekerja Rentan Tahun 2025",
            &o.disnakerin,
            &[&o.bpjs, &bappeda],
            "2025-06-01",
        );
        body["location"] = json!("Ruang Rapat Abdul Muis, Balai Kota Padang, Jalan Bagindo Aziz Chan No. 1");
        let decisions = [
            "Disnakerin menyampaikan data pekerja rentan hasil pemutakhiran P3KE kepada BPJS Ketenagakerjaan.",
            "BPJS Ketenagakerjaan menyiapkan simulasi iuran bagi 12.500 pekerja bukan penerima upah.",
            "Bappeda memasukkan iuran pekerja rentan ke dalam rancangan KUA-PPAS 2026.",
        ];
        body["decisions"] = json!(decisions);
        body["minutes"] = json!(
        "Rapat dibuka oleh Kepala Disnakerin.\nBPJS Ketenagakerjaan memaparkan capaian kepesertaan semester I. "
            .repeat(12)
    );
        let activity = id(&app.create_activity(&w.admin, body).await);
        let base = format!("/api/v1/activities/{activity}");

        let orgs = [&o.disnakerin, &bappeda, &o.bpjs];
        for (i, (name, position)) in ATTENDEES.iter().enumerate() {
            let person = json!({"name": name, "position": position, "organization_id": orgs[i % 3]});
            post(&app, &w.admin, &format!("{base}/attendees"), person).await;
        }
        let follow_ups = [
            ("Menyerahkan data by name by address pekerja rentan", &o.disnakerin, "2025-06-30"),
            ("Menyusun nota dinas usulan anggaran iuran", &bappeda, "2025-07-15"),
        ];
        for (description, owner, due) in follow_ups {
            let item = json!({"description": description, "owner_organization_id": owner, "due_on": due});
            post(&app, &w.admin, &format!("{base}/action-items"), item).await;
        }

        // A draft says so.
        let printed = Printed::new(&pdf(&app, &w.admin, &format!("{base}/minutes")).await);
        if let Some(text) = printed.text() {
            assert!(text.contains("DRAF – belum ditetapkan"), "{text}");
        }

        expect(
            send(&app, Method::POST, &format!("{base}/minutes/finalise"), &w.admin, None, None).await,
            200,
        )
        .await;
        let correction = json!({"what": "Keputusan 2: 12.750 pekerja, bukan 12.500", "why": "Salah ketik"});
        post(&app, &w.admin, &format!("{base}/minutes/corrections"), correction).await;

        let auditor = w.token(&app, "auditor", "auditor", Some(&o.inspektorat)).await;
        let notulen = Printed::new(&pdf(&app, &auditor, &format!("{base}/minutes")).await);
        if let Some(text) = notulen.text() {
            for expected in [
                "PEMERINTAH KOTA PADANG",
                "DISNAKERIN KOTA PADANG",
                "NOTULEN",
                "Rapat Koordinasi Perluasan Kepesertaan Jaminan Sosial Ketenagakerjaan bagi Pekerja Rentan Tahun 2025",
                // 09.00–11.00 UTC is 16.00–18.00 in Padang (WIB); 1 June 2025 was a Sunday.
                "Minggu, 1 Juni 2025",
                "16.00 – 18.00 WIB",
                "Ruang Rapat Abdul Muis, Balai Kota Padang, Jalan Bagindo Aziz Chan No. 1",
                "Rapat koordinasi",
                LONG_ORGANIZATION,
                "Final, ditetapkan",
                "Keputusan 2: 12.750 pekerja, bukan 12.500",
                "Alasan: Salah ketik",
            ] {
                assert!(text.contains(expected), "the notulen lacks {expected:?}:\n{text}");
            }
            for decision in decisions {
                assert!(text.contains(decision), "the notulen lacks the decision {decision:?}:\n{text}");
            }
            for (name, _) in ATTENDEES {
                assert!(text.contains(name), "the notulen lacks the attendee {name:?}:\n{text}");
            }
            for (description, _, _) in follow_ups {
                assert!(
                    text.contains(description),
                    "the notulen lacks the follow-up {description:?}:\n{text}"
                );
            }
            assert!(text.contains("30 Juni 2025") && text.contains("15 Juli 2025"), "due dates:\n{text}");
            assert!(!text.contains("DRAF"), "a final notulen is not a draft:\n{text}");
        }
        notulen.assert_within_margins();
        notulen.assert_fonts_embedded();
        if let Some(size) = notulen.render_first_page() {
            eprintln!("notulen: page 1 rendered by pdftoppm at 50 dpi, {size} bytes of PNG");
        }

        let daftar = Printed::new(&pdf(&app, &w.admin, &format!("{base}/attendees")).await);
        if let Some(text) = daftar.text() {
            assert!(text.contains("DAFTAR HADIR") && text.contains("Tanda tangan"), "{text}");
            for (name, position) in ATTENDEES {
                assert_eq!(text.matches(name).count(), 1, "{name:?} is not on exactly one row:\n{text}");
                assert!(text.contains(position), "{position:?}:\n{text}");
            }
            assert!(text.contains(&format!("Jumlah: {} orang", ATTENDEES.len())), "{text}");
        }
        if let Some(numbers) = daftar.row_numbers() {
            assert_eq!(
                numbers,
                (1..=ATTENDEES.len() as u32).collect::<Vec<_>>(),
                "one numbered row per attendee"
            );
        }
        daftar.assert_within_margins();
        daftar.assert_fonts_embedded();
        daftar.render_first_page();

        // JSON stays the default, and wins when the client prefers it.
        for accept in [None, Some("application/json"), Some("application/pdf;q=0.5, application/json")] {
            let mut req = app.request(Method::GET, &format!("{base}/minutes")).bearer_auth(&w.admin);
            if let Some(accept) = accept {
                req = req.header("Accept", accept);
            }
            let res = req.send().await.expect("request");
            assert_eq!(res.status(), 200);
            assert!(
                res.headers()["content-type"].to_str().unwrap().starts_with("application/json"),
                "{accept:?}"
            );
        }
    }
);

backend_test!(a_daftar_hadir_without_attendees_has_blank_rows_to_fill_in_by_hand, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let mut body =
        held("sosialisasi", "Sosialisasi BPU di Pasar Raya", &o.bpjs, &[&o.disnakerin], "2025-07-02");
    body["status"] = json!("planned");
    body.as_object_mut().unwrap().remove("ends_at");
    let activity = id(&app.create_activity(&w.admin, body).await);
    let daftar =
        Printed::new(&pdf(&app, &w.admin, &format!("/api/v1/activities/{activity}/attendees")).await);
    if let Some(numbers) = daftar.row_numbers() {
        assert_eq!(numbers, (1..=20).collect::<Vec<_>>());
    }
    if let Some(text) = daftar.text() {
        // No end time: the meeting runs until it is done.
        assert!(text.contains("Rabu, 2 Juli 2025") && text.contains("16.00 WIB – selesai"), "{text}");
        assert!(!text.contains("Jumlah:"), "{text}");
    }
    daftar.assert_within_margins();
});

backend_test!(the_agreement_report_prints_its_parties_scopes_and_counts, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let agreement = id(&app.create_agreement(&w.admin, w.pemkot_bpjs("130.60/NK/BKS-PDG/2021")).await);
    let report = format!("/api/v1/agreements/{agreement}/report");
    let opd = w.token(&app, "disnakerin", "opd_staff", Some(&o.disnakerin)).await;
    let printed = Printed::new(&pdf(&app, &opd, &report).await);
    if let Some(text) = printed.text() {
        for expected in [
            // The letterhead is the printing user's organization, under the one it belongs to.
            "PEMERINTAH KOTA PADANG",
            "DISNAKERIN KOTA PADANG",
            "LAPORAN PERJANJIAN KERJA SAMA",
            "Optimalisasi perlindungan jaminan sosial ketenagakerjaan",
            "130.60/NK/BKS-PDG/2021",
            "Nota Kesepakatan",
            "Draf",
            "1 Maret 2021 s.d. 1 Maret 2026",
            "Pihak pertama",
            "Pemerintah Kota Padang",
            "Hendri Septa, Wali Kota Padang",
            "BPJS Ketenagakerjaan Kantor Cabang Padang",
            "Regulasi",
            "Monitoring dan evaluasi (monev)",
        ] {
            assert!(text.contains(expected), "the report lacks {expected:?}:\n{text}");
        }
    }
    printed.assert_within_margins();
    printed.assert_fonts_embedded();
    printed.render_first_page();
    // CSV and JSON are still there.
    let res = app
        .request(Method::GET, &report)
        .bearer_auth(&opd)
        .header("Accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let json = expect(app.read(&opd, &report).await, 200).await;
    assert_eq!(json["number"], "130.60/NK/BKS-PDG/2021");
});

backend_test!(a_hidden_record_is_404_as_a_pdf_exactly_as_as_json, fixed, |app| async move {
    let w = World::new(&app).await;
    let o = &w.orgs;
    let (agreement, hidden) = w.restricted_monev(&app).await;
    let outsider = w.token(&app, "perisai", "opd_staff", Some(&o.perisai)).await;
    let missing = sinergi::db::Id::new().to_string();
    let paths = |activity: &str, agreement: &str| {
        [
            format!("/api/v1/activities/{activity}/minutes"),
            format!("/api/v1/activities/{activity}/attendees"),
            format!("/api/v1/agreements/{agreement}/report"),
        ]
    };
    let mut answers = Vec::new();
    for (activity, agreement) in [(&hidden, &agreement), (&missing, &missing)] {
        for path in paths(activity, agreement) {
            let res = app
                .request(Method::GET, &path)
                .bearer_auth(&outsider)
                .header("Accept", "application/pdf")
                .send();
            let problem = assert_problem(res.await.expect("request"), 404).await;
            answers.push((problem["title"].clone(), problem["status"].clone()));
            // Without a token, 401 before anything is looked up.
            let res =
                app.request(Method::GET, &path).header("Accept", "application/pdf").send().await.unwrap();
            assert_problem(res, 401).await;
        }
    }
    // The hidden record's answers are the missing one's.
    assert_eq!(answers[..3], answers[3..]);
    // The parties print it.
    let bpjs = w.token(&app, "bpjs", "bpjs_staff", Some(&o.bpjs)).await;
    for path in paths(&hidden, &agreement) {
        pdf(&app, &bpjs, &path).await;
    }
});
