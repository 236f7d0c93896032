//! Request examples that a server started with `--demo` accepts as they stand: each names the demo data by
//! its fixed id (`seeds/padang.json`, `seed::DEMO_USERS`) and the version that record has when the demo is
//! loaded. Schemathesis' examples phase sends every one of them once, in any order, so each write example
//! changes a record that no other example changes or reads.
//!
//! The examples are whole bodies on the operations. The property-level examples of request schemas go: a
//! client or fuzzer that assembles a body from them fills the other fields with values of its own, which
//! break rules across fields (a draft regulation with an enactment date, an id that names nothing).

use std::collections::BTreeSet;

use serde_json::{Value, json};
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::ArrayItems;
use utoipa::openapi::{RefOr, Schema};

use super::operations;
use crate::http::etag::etag_value;
use crate::seed::{DEMO_USERS, PADANG};

/// Adds the examples of [`examples`] and removes the property-level examples of request schemas.
pub struct Examples;

/// One operation's example request.
#[derive(Debug)]
pub struct Example {
    pub operation: &'static str,
    /// The path parameters.
    pub path: Vec<(&'static str, String)>,
    /// The version sent as `If-Match`.
    pub if_match: Option<i32>,
    pub body: Option<Value>,
    /// Shown in the operation's description only, not as the machine-readable `example`s (see
    /// [`Example::described`]).
    pub described: bool,
}

impl Example {
    fn new(operation: &'static str) -> Example {
        Example { operation, path: Vec::new(), if_match: None, body: None, described: false }
    }

    /// Puts the example in the operation's description rather than in its `example`s. Fuzzers (Schemathesis'
    /// examples phase among them) send a documented example again with ids of other records they have seen
    /// put in: an `If-Match` then no longer matches, and a list of parties may name one organization twice.
    /// Conditional writes and bodies with several references are therefore shown to people only.
    fn described(mut self) -> Example {
        self.described = true;
        self
    }

    fn id(mut self, id: String) -> Example {
        self.path.push(("id", id));
        self
    }

    fn if_match(mut self, version: i32) -> Example {
        self.if_match = Some(version);
        self
    }

    fn body(mut self, body: Value) -> Example {
        self.body = Some(body);
        self
    }
}

/// The ids of the demo data, looked up in the seed file by natural key.
struct Demo {
    seed: Value,
}

impl Demo {
    fn load() -> Demo {
        Demo { seed: serde_json::from_str(PADANG).unwrap_or(Value::Null) }
    }

    /// The id of the entry in `list` whose record has `key` = `value` ("" when there is none: the tests of
    /// this module fail then).
    fn id(&self, list: &str, key: &str, value: &str) -> String {
        let entries = self.seed[list].as_array().into_iter().flatten();
        let mut all = entries.flat_map(|e| {
            std::iter::once(e).chain(e["commitments"].as_array().into_iter().flatten()).chain(
                e["commitments"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|c| c["outcomes"].as_array().into_iter().flatten()),
            )
        });
        all.find(|e| e["record"][key] == value).and_then(|e| e["id"].as_str()).unwrap_or_default().to_string()
    }

    fn organization(&self, short_name: &str) -> String {
        self.id("organizations", "short_name", short_name)
    }

    fn regulation(&self, title: &str) -> String {
        self.id("regulations", "title", title)
    }

    fn agreement(&self, number: &str) -> String {
        self.id("agreements", "number", number)
    }

    /// Commitments and outcomes sit under their agreement.
    fn under_agreement(&self, title: &str) -> String {
        self.id("agreements", "title", title)
    }

    fn user(username: &str) -> String {
        DEMO_USERS.iter().find(|u| u.0 == username).map(|u| u.3.to_string()).unwrap_or_default()
    }
}

const NK: &str = "130.60/NK/BKS-PDG/2021";
const MOU_RUMAH_BUMN: &str = "MOU/BPJSTK-PDG/RUMAHBUMN/2024";
const PKS_DAMKO: &str = "PKS/BPJSTK-PDG/PERISAI/DAMKO";
const COMMITMENT: &str = "Pembayaran iuran pekerja rentan dari APBD (Dinas Sosial)";
const OUTCOME: &str = "Pekerja rentan yang iurannya dibayar APBD 2024";

/// The examples, by operation. Versions: the demo's records are at 1, its agreements at 2 (created, then
/// activated).
pub fn examples() -> Vec<Example> {
    let demo = Demo::load();
    let org = |short: &str| demo.organization(short);
    vec![
        // Reads.
        Example::new("get_organization").id(org("PEMKOT-PDG")),
        Example::new("list_contacts").id(org("BPJSTK-PDG")),
        Example::new("get_regulation").id(demo.regulation("Badan Penyelenggara Jaminan Sosial")),
        Example::new("get_agreement").id(demo.agreement(NK)),
        Example::new("agreement_report").id(demo.agreement(NK)),
        Example::new("list_amendments").id(demo.agreement(NK)),
        Example::new("list_commitments").id(demo.agreement(NK)),
        Example::new("get_commitment").id(demo.under_agreement(COMMITMENT)),
        Example::new("list_updates").id(demo.under_agreement(COMMITMENT)),
        Example::new("get_outcome").id(demo.under_agreement(OUTCOME)),
        Example::new("get_user").id(Demo::user("bpjs.padang")),
        // Organizations and contacts.
        Example::new("create_organization").body(json!({
            "name": "Dinas Koperasi dan Usaha Kecil Menengah Kota Padang",
            "short_name": "DISKOPUKM-PDG",
            "kind": "regional_agency",
            "parent_id": org("PEMKOT-PDG"),
            "region_code": "1371",
            "email": "diskopukm@padang.go.id",
        })),
        Example::new("update_organization").described()
            .id(org("DAMKO"))
            .if_match(1)
            .body(json!({ "address": "Jl. Khatib Sulaiman No. 51, Padang" })),
        Example::new("delete_organization").described().id(org("PEMKAB-SIJUNJUNG")).if_match(1),
        Example::new("create_contact").id(org("BPJSTK-PDG")).body(json!({
            "full_name": "Budi Santoso",
            "position": "Kepala Bidang Kepesertaan",
            "email": "budi.santoso@bpjsketenagakerjaan.go.id",
            "phone": "+62 751 7051234",
        })),
        // Regulations.
        Example::new("create_regulation").body(json!({
            "kind": "peraturan_pemerintah",
            "number": "44",
            "year": 2015,
            "title": "Penyelenggaraan Program Jaminan Kecelakaan Kerja dan Jaminan Kematian",
            "issuer": "Pemerintah Republik Indonesia",
            "status": "enacted",
            "enacted_on": "2015-06-30",
        })),
        Example::new("update_regulation").described()
            .id(demo.regulation("Penyelenggaraan Jaminan Sosial Ketenagakerjaan"))
            .if_match(1)
            .body(json!({ "summary": "Kewajiban perangkat daerah mendaftarkan pekerja rentan." })),
        Example::new("delete_regulation").described().id(demo.regulation("Sistem Jaminan Sosial Nasional")).if_match(1),
        // Agreements, amendments, commitments and progress.
        Example::new("create_agreement").described().body(json!({
            "number": "PKS/BPJSTK-PDG/DISNAKERIN/2025",
            "title": "Perlindungan jaminan sosial ketenagakerjaan bagi peserta pelatihan kerja",
            "kind": "perjanjian_kerja_sama",
            "signed_on": "2025-02-03",
            "effective_from": "2025-02-03",
            "effective_until": "2027-02-02",
            "scopes": ["enrolment", "sosialisasi"],
            "parties": [
                { "organization_id": org("BPJSTK-PDG"), "role": "first_party" },
                { "organization_id": org("DISNAKERIN-PDG"), "role": "second_party" },
            ],
            "legal_basis": [demo.regulation("Tata Cara Hubungan Antar Lembaga Badan Penyelenggara Jaminan Sosial")],
        })),
        Example::new("update_agreement").described()
            .id(demo.agreement(MOU_RUMAH_BUMN))
            .if_match(2)
            .body(json!({ "summary": "Pendaftaran pelaku usaha binaan Rumah BUMN sebagai peserta BPU." })),
        Example::new("terminate_agreement").described().id(demo.agreement(PKS_DAMKO)).if_match(2).body(json!({
            "terminated_on": "2025-06-30",
            "reason": "Digantikan oleh perjanjian kerja sama yang baru",
        })),
        Example::new("create_amendment").id(demo.agreement(NK)).body(json!({
            "number": "ADD-1/2025",
            "signed_on": "2025-01-15",
            "summary": "Memperpanjang masa berlaku kesepakatan sampai akhir 2029.",
            "changes": { "effective_until": "2029-12-31" },
        })),
        Example::new("create_commitment").id(demo.agreement(NK)).body(json!({
            "title": "Sosialisasi program BPU di setiap kecamatan",
            "responsible_organization_id": org("BPJSTK-PDG"),
            "due_on": "2025-12-31",
            "target_value": 11,
            "target_unit": "sessions",
        })),
        Example::new("update_commitment").described()
            .id(demo.under_agreement(COMMITMENT))
            .if_match(1)
            .body(json!({ "description": "Iuran dibayar dari APBD melalui Dinas Sosial, per triwulan." })),
        // Outcomes, activities, coverage and users.
        Example::new("create_outcome").described().body(json!({
            "kind": "enrolment",
            "title": "Peserta BPU baru dari sosialisasi kecamatan",
            "value": 120,
            "unit": "people",
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "organization_id": org("DISNAKERIN-PDG"),
            "agreement_id": demo.agreement(NK),
            "segment": "bpu",
        })),
        Example::new("update_outcome").described()
            .id(demo.under_agreement(OUTCOME))
            .if_match(1)
            .body(json!({ "evidence": "Rekap P3KE Dinas Sosial Kota Padang, Desember 2024." })),
        Example::new("create_activity").described().body(json!({
            "kind": "coordination_meeting",
            "title": "Rapat koordinasi perlindungan pekerja rentan",
            "organizer_organization_id": org("BPJSTK-PDG"),
            "starts_at": "2025-03-10T09:00:00+07:00",
            "ends_at": "2025-03-10T12:00:00+07:00",
            "location": "Balai Kota Padang",
            "agreement_id": demo.agreement(NK),
            "scope": "monev",
            "participants": [
                { "organization_id": org("PEMKOT-PDG"), "attendees": 4 },
                { "organization_id": org("DINSOS-PDG"), "attendees": 2 },
            ],
        })),
        Example::new("upsert_coverage").body(json!({
            "rows": [{
                "region_code": "1371",
                "segment": "pmi",
                "period": "2024",
                "target": 1200,
                "realization": 950,
                "source": "BPJS Ketenagakerjaan Kantor Cabang Padang",
            }],
        })),
        Example::new("create_user").described().body(json!({
            "username": "rina.dinsos",
            "full_name": "Rina Marlina",
            "email": "rina.marlina@padang.go.id",
            "role": "opd_staff",
            "organization_id": org("DINSOS-PDG"),
            "password": "Iuran-pekerja-rentan-2025",
        })),
        Example::new("update_user").described()
            .id(Demo::user("disnakerin.padang"))
            .if_match(1)
            .body(json!({ "full_name": "Andi Pratama" })),
    ]
}

impl Modify for Examples {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        strip_request_examples(openapi);
        let table = examples();
        for (_, _, op) in operations(openapi) {
            let Some(example) = table.iter().find(|e| op.operation_id.as_deref() == Some(e.operation)) else {
                continue;
            };
            if example.described {
                describe(op, example);
            } else {
                apply(op, example);
            }
        }
        // A list answers from the first page on: its `limit` example makes the examples phase read the
        // demo data, so that what a fuzzer reuses from answers is real records.
        for (_, _, op) in operations(openapi) {
            for param in op.parameters.iter_mut().flatten() {
                if param.parameter_in == ParameterIn::Query && param.name == "limit" {
                    *param = ParameterBuilder::from(param.clone()).example(Some(json!(50))).build();
                }
            }
        }
    }
}

/// Appends the example to the operation's description, as the request a person can send.
fn describe(op: &mut Operation, example: &Example) {
    let mut text = String::from("\n\nExample with the demo data (`serve --demo`):");
    for (name, value) in &example.path {
        text.push_str(&format!(" `{name}` = `{value}`"));
    }
    if let Some(version) = example.if_match {
        text.push_str(&format!(", `If-Match: {}`", etag_value(version)));
    }
    if let Some(body) = &example.body {
        let json = serde_json::to_string_pretty(body).unwrap_or_default();
        text.push_str(&format!("\n\n```json\n{json}\n```"));
    }
    op.description.get_or_insert_with(String::new).push_str(&text);
}

fn apply(op: &mut Operation, example: &Example) {
    for param in op.parameters.iter_mut().flatten() {
        let value = match param.parameter_in {
            ParameterIn::Path => {
                example.path.iter().find(|(name, _)| *name == param.name).map(|(_, v)| json!(v))
            }
            ParameterIn::Header if param.name == "If-Match" => example.if_match.map(|v| json!(etag_value(v))),
            _ => None,
        };
        if value.is_some() {
            *param = ParameterBuilder::from(param.clone()).example(value).build();
        }
    }
    if let (Some(body), Some(request)) = (&example.body, op.request_body.as_mut())
        && let Some(content) = request.content.get_mut("application/json")
    {
        content.example = Some(body.clone());
    }
}

/// Removes `example`/`examples` from every component schema that a request body uses, down to their
/// properties and items (not the components they refer to, which are visited on their own).
fn strip_request_examples(openapi: &mut utoipa::openapi::OpenApi) {
    let mut names = BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    for (_, _, op) in operations(openapi) {
        for content in op.request_body.iter().flat_map(|b| b.content.values()) {
            content.schema.iter().for_each(|s| references(s, &mut todo));
        }
    }
    let Some(components) = openapi.components.as_mut() else { return };
    while let Some(name) = todo.pop() {
        if !names.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = components.schemas.get(&name) {
            references(schema, &mut todo);
        }
    }
    for name in names {
        if let Some(RefOr::T(schema)) = components.schemas.get_mut(&name) {
            strip(schema);
        }
    }
}

/// The names of the components that `schema` refers to.
fn references(schema: &RefOr<Schema>, out: &mut Vec<String>) {
    match schema {
        RefOr::Ref(r) => out.extend(r.ref_location.rsplit('/').next().map(str::to_string)),
        RefOr::T(Schema::Object(o)) => o.properties.values().for_each(|p| references(p, out)),
        RefOr::T(Schema::Array(a)) => {
            if let ArrayItems::RefOrSchema(items) = &a.items {
                references(items, out);
            }
        }
        RefOr::T(Schema::OneOf(s)) => s.items.iter().for_each(|i| references(i, out)),
        RefOr::T(Schema::AllOf(s)) => s.items.iter().for_each(|i| references(i, out)),
        RefOr::T(Schema::AnyOf(s)) => s.items.iter().for_each(|i| references(i, out)),
        RefOr::T(_) => {}
    }
}

fn strip(schema: &mut Schema) {
    let inline = |s: &mut RefOr<Schema>| {
        if let RefOr::T(s) = s {
            strip(s);
        }
    };
    match schema {
        Schema::Object(o) => {
            (o.example, o.examples) = (None, Vec::new());
            o.properties.values_mut().for_each(inline);
        }
        Schema::Array(a) => {
            (a.example, a.examples) = (None, Vec::new());
            if let ArrayItems::RefOrSchema(items) = &mut a.items {
                inline(items);
            }
        }
        Schema::OneOf(s) => {
            (s.example, s.examples) = (None, Vec::new());
            s.items.iter_mut().for_each(inline);
        }
        Schema::AllOf(s) => {
            (s.example, s.examples) = (None, Vec::new());
            s.items.iter_mut().for_each(inline);
        }
        Schema::AnyOf(s) => {
            (s.example, s.examples) = (None, Vec::new());
            s.items.iter_mut().for_each(inline);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_names_demo_data_and_an_operation() {
        let doc = super::super::document();
        let ids: Vec<String> = doc
            .paths
            .paths
            .values()
            .flat_map(|item| {
                [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                    .into_iter()
                    .flatten()
                    .filter_map(|op| op.operation_id.clone())
            })
            .collect();
        for example in examples() {
            assert!(ids.iter().any(|id| id == example.operation), "{} is no operation", example.operation);
            for (name, id) in &example.path {
                assert!(
                    id.parse::<crate::db::Id>().is_ok(),
                    "{}: {name} = {id:?} names no demo record",
                    example.operation
                );
            }
            for id in example.body.iter().flat_map(ids_in) {
                assert!(id.parse::<crate::db::Id>().is_ok(), "{}: {id:?}", example.operation);
            }
        }
    }

    /// The values of the `…_id` members and of `legal_basis`.
    fn ids_in(body: &Value) -> Vec<String> {
        let mut out = Vec::new();
        match body {
            Value::Object(map) => {
                for (key, value) in map {
                    if key.ends_with("_id") || key == "legal_basis" {
                        match value {
                            Value::Array(items) => {
                                out.extend(items.iter().map(|v| v.as_str().unwrap_or("").to_string()))
                            }
                            v => out.push(v.as_str().unwrap_or("").to_string()),
                        }
                    } else {
                        out.extend(ids_in(value));
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| out.extend(ids_in(v))),
            _ => {}
        }
        out
    }
}
