//! Open data: the Data Package of the demo data and of the `small` synthetic data set validates with
//! `frictionless validate` (PyPI `frictionless`; with `SINERGI_TEST_REQUIRE_TOOLS=1` a missing tool fails
//! the test instead of skipping it); the figures of the study's tables 1.1–1.3 come back out exactly; no
//! restricted agreement, nothing under one, no contact, user, signatory or e-mail address is in any file;
//! every caller gets the same package, and a write gives a new one. The coverage results view in IATI's
//! shape, as JSON and CSV.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use reqwest::Method;
use serde_json::{Value, json};

use crate::demo::{TABLE_1_1, TABLE_1_2, TABLE_1_3};
use crate::helpers::TestApp;
use crate::support_agreements::{World, expect, id, send};
use crate::support_results::held;

const ZIP: &str = "/api/v1/open-data/datapackage.zip";
const RESULTS: &str = "/api/v1/open-data/coverage-results";

/// The `frictionless` command: `SINERGI_FRICTIONLESS`, the venv `.ci/run` makes
/// (`target/pytools/venv`), or one on the PATH. None when there is none (which fails the test under
/// `SINERGI_TEST_REQUIRE_TOOLS=1`).
fn frictionless() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = [
        std::env::var_os("SINERGI_FRICTIONLESS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pytools/venv/bin/frictionless")),
        Some(PathBuf::from("frictionless")),
    ]
    .into_iter()
    .flatten()
    .collect();
    crate::support_tools::find("frictionless", &candidates, &["--version"])
}

/// `frictionless validate` on the package in `dir`: valid, zero errors (skipped without the tool).
fn assert_valid(dir: &Path) {
    let Some(tool) = frictionless() else { return };
    let out = std::process::Command::new(tool)
        .args(["validate", "--json"])
        .arg(dir.join("datapackage.json"))
        .output()
        .expect("run frictionless");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("frictionless printed no JSON ({e}): {stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let errors: usize = report["tasks"]
        .as_array()
        .map(|tasks| tasks.iter().map(|t| t["errors"].as_array().map_or(0, Vec::len)).sum())
        .unwrap_or(0)
        + report["errors"].as_array().map_or(0, Vec::len);
    assert!(report["valid"] == true && errors == 0, "the package is not valid:\n{stdout}");
    assert!(out.status.success());
}

/// The files of a zip, by name, as text.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("UTF-8 entry");
        files.insert(entry.name().to_string(), text);
    }
    files
}

/// Writes the files into `dir`.
fn write_out(files: &BTreeMap<String, String>, dir: &Path) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
}

/// A CSV file as rows of (column → cell).
fn rows(csv_text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.expect("record").iter().map(str::to_string)).collect())
        .collect()
}

/// GET the package (with `token`, if any): status 200, the body and its ETag.
async fn package(app: &TestApp, token: Option<&str>) -> (Vec<u8>, String) {
    let mut req = app.get(ZIP);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.expect("request");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let etag = res.headers()["etag"].to_str().expect("etag").to_string();
    (res.bytes().await.expect("body").to_vec(), etag)
}

/// `sinergi export datapackage --out DIR` on the app's database.
fn export(app: &TestApp, dir: &Path) {
    let out = app.sinergi().args(["export", "datapackage", "--out"]).arg(dir).output().expect("run export");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn seed_padang(app: &TestApp) {
    let out = app.sinergi().arg("seed").output().expect("run seed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn read_dir_files(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let name = path.strip_prefix(dir).expect("prefix").to_string_lossy().replace('\\', "/");
                files.insert(name, std::fs::read_to_string(&path).expect("UTF-8 file"));
            }
        }
    }
    files
}

backend_test!(the_demo_package_validates_and_gives_back_the_study_s_figures, |app| async move {
    seed_padang(&app);
    // Anyone: no token.
    let (bytes, _) = package(&app, None).await;
    let files = unzip(&bytes);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    for resource in [
        "regions",
        "organizations",
        "regulations",
        "agreements",
        "agreement_parties",
        "agreement_scopes",
        "agreement_legal_basis",
        "commitments",
        "activities",
        "activity_participants",
        "outcomes",
        "coverage",
    ] {
        assert!(
            names.contains(&format!("data/{resource}.csv").as_str()),
            "{resource} missing from {names:?}"
        );
    }
    assert!(names.contains(&"datapackage.json"));

    // The CLI writes the same package.
    let dir = tempfile::tempdir().expect("temp dir");
    export(&app, dir.path());
    assert_eq!(read_dir_files(dir.path()), files, "the CLI and the API give different packages");
    assert_valid(dir.path());

    // Tables 1.1–1.3, exactly.
    let coverage = rows(&files["data/coverage.csv"]);
    let find = |region: &str, segment: &str, period: &str| {
        coverage
            .iter()
            .find(|r| r["region_code"] == region && r["segment"] == segment && r["period"] == period)
            .unwrap_or_else(|| panic!("no coverage row {region} {segment} {period}"))
    };
    for (region, figure) in TABLE_1_1 {
        let r = find(region, "total", "2024");
        assert_eq!(r["realization"], figure.to_string(), "table 1.1 {region}");
        assert_eq!(r["achievement_pct"], "", "table 1.1 gives no target");
    }
    for (segment, year, target, realization, pct, zone) in TABLE_1_2 {
        let r = find("1371", segment, year);
        assert_eq!(
            (r["target"].as_str(), r["realization"].as_str()),
            (&*target.to_string(), &*realization.to_string())
        );
        assert_eq!(r["achievement_pct"].parse::<f64>().expect("a number"), pct, "table 1.2 {segment} {year}");
        assert_eq!(r["zone"], zone);
    }
    for (month, target, realization, pct, zone) in TABLE_1_3 {
        let r = find("1371", "total", month);
        assert_eq!(
            (r["target"].as_str(), r["realization"].as_str()),
            (&*target.to_string(), &*realization.to_string())
        );
        assert_eq!(r["achievement_pct"].parse::<f64>().expect("a number"), pct, "table 1.3 {month}");
        assert_eq!(r["zone"], zone);
    }
    assert_eq!(coverage.len(), 19 + 9 + 6);

    // Regions with Kemendagri codes; the seed's organizations and agreements with their parties.
    let regions = rows(&files["data/regions.csv"]);
    assert!(regions.iter().any(|r| r["code"] == "1371" && r["parent_code"] == "13"));
    let orgs = rows(&files["data/organizations.csv"]);
    let pemkot = orgs.iter().find(|o| o["short_name"] == "PEMKOT-PDG").expect("Pemkot Padang");
    assert_eq!(pemkot["region_code"], "1371");
    let dinsos = orgs.iter().find(|o| o["short_name"] == "DINSOS-PDG").expect("Dinsos");
    assert_eq!(dinsos["parent_id"], pemkot["id"]);
    let agreements = rows(&files["data/agreements.csv"]);
    let nk =
        agreements.iter().find(|a| a["number"] == "130.60/NK/BKS-PDG/2021").expect("the Nota Kesepakatan");
    assert_eq!(nk["status"], "active");
    let scopes: Vec<String> = rows(&files["data/agreement_scopes.csv"])
        .into_iter()
        .filter(|s| s["agreement_id"] == nk["id"])
        .map(|s| s["scope"].clone())
        .collect();
    assert_eq!(scopes.len(), 5, "{scopes:?}");
    let parties = rows(&files["data/agreement_parties.csv"]);
    assert!(parties.iter().any(|p| p["agreement_id"] == nk["id"]
        && p["organization_id"] == pemkot["id"]
        && p["role"] == "first_party"));
    let commitments = rows(&files["data/commitments.csv"]);
    let p3ke = commitments.iter().find(|c| c["agreement_id"] == nk["id"]).expect("the P3KE commitment");
    assert_eq!(
        (p3ke["target_value"].as_str(), p3ke["responsible_organization_id"].as_str()),
        ("37000", dinsos["id"].as_str())
    );
    let outcomes = rows(&files["data/outcomes.csv"]);
    assert!(outcomes.iter().any(|o| o["value"] == "3000" && o["commitment_id"] == p3ke["id"]));

    // The descriptor: every field titled and described in both languages, enumerations as constraints,
    // foreign keys to the regions, the Satu Data metadata of the coverage indicators.
    let descriptor: Value = serde_json::from_str(&files["datapackage.json"]).expect("JSON descriptor");
    assert_eq!(descriptor["profile"], "tabular-data-package");
    for resource in descriptor["resources"].as_array().expect("resources") {
        for f in resource["schema"]["fields"].as_array().expect("fields") {
            for key in
                ["title", "description", "title:id", "title:en", "description:id", "description:en", "type"]
            {
                assert!(
                    f[key].as_str().is_some_and(|t| !t.is_empty()),
                    "{} {}: no {key}",
                    resource["name"],
                    f["name"]
                );
            }
        }
    }
    let coverage_schema = &descriptor["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "coverage")
        .unwrap()["schema"];
    let segment =
        coverage_schema["fields"].as_array().unwrap().iter().find(|f| f["name"] == "segment").unwrap();
    assert_eq!(segment["constraints"]["enum"], json!(["pu", "bpu", "jakon", "pmi", "total"]));
    assert_eq!(
        coverage_schema["foreignKeys"][0]["reference"],
        json!({"resource": "regions", "fields": ["code"]})
    );
    let indicators = descriptor["satu_data"]["indikator"].as_array().expect("Satu Data indicators");
    assert_eq!(indicators.len(), 3);
    for i in indicators {
        for key in
            ["konsep", "definisi", "klasifikasi", "ukuran", "satuan", "produsen_data", "frekuensi", "periode"]
        {
            assert!(i[key].as_str().is_some_and(|t| !t.is_empty()), "{key} of {i}");
        }
        assert_eq!(i["periode"], "2021 s.d. 2024-06");
    }

    // The results view: JSON in IATI's shape, and CSV.
    let res = app.get(RESULTS).send().await.expect("request");
    let view = expect(res, 200).await;
    let indicators = view["result"][0]["indicator"].as_array().expect("indicators");
    let yearly = indicators.iter().find(|i| i["code"] == "coverage-yearly").expect("the yearly indicator");
    assert_eq!((yearly["measure"].as_str(), yearly["ascending"].as_bool()), (Some("1"), Some(true)));
    let is = |f: &Value, region: &str, segment: &str| {
        f["location"][0]["ref"] == region && f["dimension"][0]["value"] == segment
    };
    let base =
        yearly["baseline"].as_array().unwrap().iter().find(|b| is(b, "1371", "pu")).expect("PU baseline");
    assert_eq!((base["year"].as_i64(), base["value"].as_i64()), (Some(2021), Some(91_769)));
    let p2023 = yearly["period"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period_start"] == "2023-01-01")
        .expect("2023");
    assert_eq!(p2023["period_end"], "2023-12-31");
    let target =
        p2023["target"].as_array().unwrap().iter().find(|f| is(f, "1371", "bpu")).expect("BPU target");
    let actual =
        p2023["actual"].as_array().unwrap().iter().find(|f| is(f, "1371", "bpu")).expect("BPU actual");
    assert_eq!((target["value"].as_i64(), actual["value"].as_i64()), (Some(73_987), Some(55_086)));
    assert_eq!(actual["location"][0]["name"], "Padang");
    let p2024 = yearly["period"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period_start"] == "2024-01-01")
        .expect("2024");
    assert!(p2024["target"].as_array().unwrap().is_empty(), "table 1.1 sets no target: {p2024}");
    assert_eq!(p2024["actual"].as_array().unwrap().len(), 19);
    let monthly = indicators.iter().find(|i| i["code"] == "coverage-monthly").expect("the monthly indicator");
    assert_eq!(monthly["period"].as_array().unwrap().len(), 6);

    for req in [
        app.get(&format!("{RESULTS}?format=csv&region=1371")),
        app.get(&format!("{RESULTS}?region=1371")).header("Accept", "text/csv"),
    ] {
        let res = req.send().await.expect("request");
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let lines = rows(&res.text().await.expect("text"));
        assert_eq!(lines.len(), 9 + 1 + 6, "Padang: table 1.2, its 2024 total, table 1.3");
        let june = lines.iter().find(|l| l["period_start"] == "2024-06-01").expect("June");
        assert_eq!(
            (june["target"].as_str(), june["actual"].as_str(), june["indicator"].as_str()),
            ("105491", "32530", "coverage-monthly")
        );
        assert_eq!((june["baseline_year"].as_str(), june["baseline_value"].as_str()), ("2024", "3707"));
    }
    let bad = app.get(&format!("{RESULTS}?from=2024-13")).send().await.expect("request");
    crate::helpers::assert_problem(bad, 422).await;
});

backend_test!(no_restricted_agreement_and_no_personal_data_in_the_package, |app| async move {
    let world = World::new(&app).await;
    let admin = world.admin.clone();
    // Personal data: a contact, a user, an organization's own e-mail and telephone, signatories.
    let contact = expect(
        send(&app, Method::POST, &format!("/api/v1/organizations/{}/contacts", world.orgs.dinsos), &admin, None,
            Some(json!({"full_name": "Rahmawati Kontak", "position": "Kepala Seksi", "email": "rahma.kontak@dinsos.example", "phone": "+62 751 555 0101"}))).await,
        201,
    )
    .await;
    let user = expect(
        send(&app, Method::POST, "/api/v1/users", &admin, None,
            Some(json!({"username": "yori.pengguna", "full_name": "Yori Pengguna Rahasia", "email": "yori.pengguna@bpjs.example",
                "role": "bpjs_staff", "organization_id": world.orgs.bpjs, "password": crate::support_users::USER_PASSWORD}))).await,
        201,
    )
    .await;
    let org = expect(
        send(&app, Method::POST, "/api/v1/organizations", &admin, None,
            Some(json!({"name": "Asosiasi Pengusaha Contoh", "short_name": "APINDO-X", "kind": "association",
                "email": "sekretariat@apindo-x.example", "phone": "+62 751 555 0199", "address": "Jalan Rahasia 7"}))).await,
        201,
    )
    .await;
    // An internal agreement (exported, without its signatories' names) and a restricted one with a
    // commitment, an activity and outcomes under it (none exported).
    let internal = app.active_agreement(&world, "INT/2025/001").await;
    let mut body = world.pemkot_bpjs("RAHASIA/2025/777");
    body["title"] = json!("Kerja sama terbatas Zamrud");
    body["confidentiality"] = json!("restricted");
    body["parties"][0]["signatory_name"] = json!("Penanda Tangan Terbatas");
    let restricted = app.create_agreement(&admin, body).await;
    let restricted_id = id(&restricted);
    let commitment = app
        .create_commitment(
            &admin,
            &restricted_id,
            json!({"title": "Komitmen Zamrud tersembunyi",
            "responsible_organization_id": world.orgs.dinsos, "scope": "budget"}),
        )
        .await;
    let mut activity = held(
        "coordination_meeting",
        "Rapat Zamrud tersembunyi",
        &world.orgs.bpjs,
        &[&world.orgs.pemkot],
        "2025-05-02",
    );
    activity["agreement_id"] = json!(restricted_id);
    let activity = app.create_activity(&admin, activity).await;
    let public_activity = app
        .create_activity(
            &admin,
            held("sosialisasi", "Sosialisasi terbuka", &world.orgs.bpjs, &[&world.orgs.pemkot], "2025-05-03"),
        )
        .await;
    let outcome = |title: &str, link: (&str, &str)| {
        let mut o = json!({"kind": "enrolment", "title": title, "value": 120, "unit": "people", "segment": "bpu",
            "period_start": "2025-01-01", "period_end": "2025-03-31", "organization_id": world.orgs.bpjs});
        o[link.0] = json!(link.1);
        o
    };
    let mut hidden_outcomes = Vec::new();
    for (title, link) in [
        ("Capaian Zamrud perjanjian", ("agreement_id", restricted_id.as_str())),
        ("Capaian Zamrud komitmen", ("commitment_id", commitment["id"].as_str().unwrap())),
        ("Capaian Zamrud kegiatan", ("activity_id", activity["id"].as_str().unwrap())),
    ] {
        let created = expect(
            send(&app, Method::POST, "/api/v1/outcomes", &admin, None, Some(outcome(title, link))).await,
            201,
        )
        .await;
        hidden_outcomes.push(created);
    }
    let shown = expect(
        send(
            &app,
            Method::POST,
            "/api/v1/outcomes",
            &admin,
            None,
            Some(outcome("Capaian terbuka", ("activity_id", public_activity["id"].as_str().unwrap()))),
        )
        .await,
        201,
    )
    .await;

    let (bytes, _) = package(&app, Some(&admin)).await;
    let files = unzip(&bytes);
    let everything: String = files.values().cloned().collect::<Vec<_>>().join("\n");
    let mut secrets = vec![
        restricted_id.clone(),
        "RAHASIA/2025/777".to_string(),
        "Zamrud".to_string(),
        "Penanda Tangan Terbatas".to_string(),
        "Hendri Septa".to_string(),
        "Rahmawati".to_string(),
        "rahma.kontak".to_string(),
        "555 0101".to_string(),
        id(&contact),
        "yori.pengguna".to_string(),
        "Yori Pengguna Rahasia".to_string(),
        id(&user),
        "sekretariat@".to_string(),
        "555 0199".to_string(),
        "Jalan Rahasia".to_string(),
        "Rapat dibuka".to_string(), // minutes
        id(&commitment),
        id(&activity),
    ];
    secrets.extend(hidden_outcomes.iter().map(id));
    for secret in &secrets {
        assert!(!everything.contains(secret.as_str()), "the package holds {secret:?}");
    }
    assert!(!everything.contains('@'), "the package holds an e-mail address");
    // What may be published is there.
    for public in
        [id(&internal), id(&org), id(&public_activity), id(&shown), "Sosialisasi terbuka".to_string()]
    {
        assert!(everything.contains(public.as_str()), "the package lacks {public:?}");
    }
    assert!(
        files["data/agreement_parties.csv"].contains("Wali Kota Padang"),
        "the signatory's position is kept"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    write_out(&files, dir.path());
    assert_valid(dir.path());
});

backend_test!(every_caller_gets_the_same_package_until_a_write, |app| async move {
    let admin = app.admin_token().await;
    let org = app.insert_organization("MITRA-X", None);
    let partner = app.user_token(&admin, "mitra", "partner_staff", Some(&org)).await;
    let auditor = app.user_token(&admin, "auditor", "auditor", Some(&org)).await;

    let (first, etag) = package(&app, None).await;
    let cached: Vec<PathBuf> = std::fs::read_dir(app.data_dir.path().join("open-data"))
        .expect("the cache directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    let built_at = std::fs::metadata(&cached[0]).expect("cached file").modified().expect("mtime");
    for token in [Some(admin.as_str()), Some(partner.as_str()), Some(auditor.as_str()), None] {
        let (bytes, tag) = package(&app, token).await;
        assert_eq!(tag, etag);
        assert!(bytes == first, "another caller got other bytes");
    }
    let again = std::fs::metadata(&cached[0]).expect("cached file").modified().expect("mtime");
    assert_eq!(again, built_at, "the package was built again without a write");
    let res = app.get(ZIP).header("If-None-Match", &etag).send().await.expect("request");
    assert_eq!(res.status(), 304);

    // A write: a new package, with the new organization.
    let res = send(
        &app,
        Method::POST,
        "/api/v1/organizations",
        &admin,
        None,
        Some(json!({"name": "Serikat Pekerja Baru", "short_name": "SP-BARU", "kind": "labour_union"})),
    )
    .await;
    let created = expect(res, 201).await;
    let (after, new_tag) = package(&app, None).await;
    assert_ne!(new_tag, etag);
    assert!(after != first);
    assert!(unzip(&after)["data/organizations.csv"].contains(&id(&created)));
    assert!(!unzip(&first)["data/organizations.csv"].contains(&id(&created)));
    let cached = std::fs::read_dir(app.data_dir.path().join("open-data")).expect("cache").flatten().count();
    assert_eq!(cached, 1, "the older package is removed");
});

backend_test!(the_small_synthetic_package_validates, |app| async move {
    let out = app.sinergi().args(["seed", "--synthetic", "--scale", "small"]).output().expect("seed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dir = tempfile::tempdir().expect("temp dir");
    let started = std::time::Instant::now();
    export(&app, dir.path());
    let exported = started.elapsed();
    let files = read_dir_files(dir.path());
    // Restricted agreements (a tenth of the synthetic ones) and what hangs off them are left out.
    let agreements = rows(&files["data/agreements.csv"]);
    let mut conn = app.connection();
    use diesel::prelude::*;
    use sinergi::db::schema::{activities, agreements as agreements_table};
    let restricted: Vec<sinergi::db::Id> = agreements_table::table
        .filter(agreements_table::confidentiality.eq("restricted"))
        .select(agreements_table::id)
        .load(&mut conn)
        .expect("restricted agreements");
    assert!(!restricted.is_empty());
    assert_eq!(agreements.len(), 200 - restricted.len());
    let restricted_ids: Vec<String> = restricted.iter().map(ToString::to_string).collect();
    for (name, text) in &files {
        for r in &restricted_ids {
            assert!(!text.contains(r.as_str()), "{name} holds restricted agreement {r}");
        }
    }
    let visible: i64 = activities::table
        .filter(activities::agreement_id.is_null().or(activities::agreement_id.ne_all(restricted.clone())))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(rows(&files["data/activities.csv"]).len() as i64, visible);
    assert!(!files.values().any(|t| t.contains('@')), "an e-mail address in the package");
    let started = std::time::Instant::now();
    assert_valid(dir.path());
    eprintln!(
        "small synthetic package: exported in {:.1} s, validated in {:.1} s",
        exported.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
});
