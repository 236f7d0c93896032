//! The package's descriptor: every resource with its Table Schema (each field titled and described in
//! Bahasa Indonesia and English, typed, constrained, enumerations as `constraints.enum`, keys and foreign
//! keys), and the Satu Data metadata of the coverage indicators.
//!
//! A field's texts are in the Table Schema's own `title` and `description` (both languages, so that any
//! reader shows them) and, one language each, in `title:id`, `title:en`, `description:id` and
//! `description:en` (custom properties, which Frictionless keeps and ignores).

use serde_json::{Map, Value, json};

use crate::activities::model::{ActivityKind, ActivityStatus};
use crate::agreements::commitments::TargetUnit;
use crate::agreements::commitments::model::CommitmentStatus;
use crate::agreements::model::{AgreementKind, AgreementStatus, PartyRole, Scope};
use crate::coverage::model::{Segment, Zone};
use crate::organizations::model::{OrganizationKind, OrganizationStatus, Sector};
use crate::outcomes::model::OutcomeKind;
use crate::regions::model::RegionKind;
use crate::regulations::model::{RegulationKind, RegulationStatus};

/// One column of a resource.
pub struct Field {
    pub name: &'static str,
    kind: &'static str,
    format: Option<&'static str>,
    title: (&'static str, &'static str),
    description: (&'static str, &'static str),
    constraints: Map<String, Value>,
}

/// A column: `name`, its Table Schema type, title and description as (Bahasa Indonesia, English).
fn field(
    name: &'static str,
    kind: &'static str,
    title: (&'static str, &'static str),
    description: (&'static str, &'static str),
) -> Field {
    let format = match kind {
        "uuid" => Some("uuid"),
        _ => None,
    };
    let kind = if kind == "uuid" { "string" } else { kind };
    Field { name, kind, format, title, description, constraints: Map::new() }
}

impl Field {
    fn required(mut self) -> Field {
        self.constraints.insert("required".into(), Value::Bool(true));
        self
    }

    fn one_of<T: Copy>(mut self, values: &[T], text: impl Fn(T) -> &'static str) -> Field {
        let values: Vec<Value> = values.iter().map(|v| Value::from(text(*v))).collect();
        self.constraints.insert("enum".into(), Value::Array(values));
        self
    }

    fn min(mut self, min: i64) -> Field {
        self.constraints.insert("minimum".into(), Value::from(min));
        self
    }

    fn max(mut self, max: i64) -> Field {
        self.constraints.insert("maximum".into(), Value::from(max));
        self
    }

    fn pattern(mut self, pattern: &'static str) -> Field {
        self.constraints.insert("pattern".into(), Value::from(pattern));
        self
    }

    fn descriptor(&self) -> Value {
        let mut f = Map::new();
        f.insert("name".into(), json!(self.name));
        f.insert("type".into(), json!(self.kind));
        if let Some(format) = self.format {
            f.insert("format".into(), json!(format));
        }
        f.insert("title".into(), json!(format!("{} / {}", self.title.1, self.title.0)));
        f.insert(
            "description".into(),
            json!(format!("{} (Bahasa Indonesia: {})", self.description.1, self.description.0)),
        );
        f.insert("title:id".into(), json!(self.title.0));
        f.insert("title:en".into(), json!(self.title.1));
        f.insert("description:id".into(), json!(self.description.0));
        f.insert("description:en".into(), json!(self.description.1));
        if !self.constraints.is_empty() {
            f.insert("constraints".into(), Value::Object(self.constraints.clone()));
        }
        Value::Object(f)
    }
}

/// One CSV file of the package.
pub struct Resource {
    pub name: &'static str,
    title: (&'static str, &'static str),
    description: (&'static str, &'static str),
    pub fields: Vec<Field>,
    primary_key: Vec<&'static str>,
    /// (columns, resource, its columns); `""` is this resource.
    foreign_keys: Vec<(Vec<&'static str>, &'static str, Vec<&'static str>)>,
}

impl Resource {
    pub fn path(&self) -> String {
        format!("data/{}.csv", self.name)
    }

    /// The header row.
    pub fn header(&self) -> Vec<&'static str> {
        self.fields.iter().map(|f| f.name).collect()
    }

    fn descriptor(&self) -> Value {
        let foreign_keys: Vec<Value> = self
            .foreign_keys
            .iter()
            .map(|(fields, resource, columns)| {
                json!({"fields": fields, "reference": {"resource": resource, "fields": columns}})
            })
            .collect();
        let mut schema = json!({
            "fields": self.fields.iter().map(Field::descriptor).collect::<Vec<_>>(),
            "primaryKey": self.primary_key,
            "missingValues": [""],
        });
        if !foreign_keys.is_empty() {
            schema["foreignKeys"] = Value::Array(foreign_keys);
        }
        json!({
            "name": self.name,
            "path": self.path(),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "title": format!("{} / {}", self.title.1, self.title.0),
            "description": format!("{} (Bahasa Indonesia: {})", self.description.1, self.description.0),
            "title:id": self.title.0,
            "title:en": self.title.1,
            "description:id": self.description.0,
            "description:en": self.description.1,
            "schema": schema,
        })
    }
}

const ID: (&str, &str) = ("Id", "Id");

fn id_field(what_id: &'static str, what_en: &'static str) -> Field {
    field("id", "uuid", ID, (what_id, what_en)).required()
}

fn org_ref(name: &'static str, title: (&'static str, &'static str)) -> Field {
    field(
        name,
        "uuid",
        title,
        ("Id organisasi di sumber daya organizations", "Organization id in the organizations resource"),
    )
}

/// Every resource of the package, in the order the files are written.
pub fn resources() -> Vec<Resource> {
    vec![
        Resource {
            name: "regions",
            title: ("Wilayah", "Regions"),
            description: (
                "Provinsi, kabupaten dan kota dengan kode wilayah Kemendagri/BPS",
                "Provinces, regencies and cities with their Kemendagri/BPS region codes",
            ),
            fields: vec![
                field("code", "string", ("Kode wilayah", "Region code"), ("Kode Kemendagri/BPS: 13 Sumatera Barat, 1371 Kota Padang", "Kemendagri/BPS code: 13 West Sumatra, 1371 Kota Padang"))
                    .required()
                    .pattern("[0-9]{2}([0-9]{2})*"),
                field("name", "string", ("Nama", "Name"), ("Nama wilayah", "Name of the region")).required(),
                field("kind", "string", ("Jenis", "Kind"), ("Tingkat wilayah: provinsi, kabupaten atau kota", "Level: province, regency or city"))
                    .required()
                    .one_of(RegionKind::ALL, RegionKind::as_str),
                field("parent_code", "string", ("Kode wilayah induk", "Parent region code"), ("Wilayah yang membawahi (provinsi untuk kabupaten dan kota)", "The region above (the province of a regency or city)")),
            ],
            primary_key: vec!["code"],
            foreign_keys: vec![(vec!["parent_code"], "", vec!["code"])],
        },
        Resource {
            name: "organizations",
            title: ("Organisasi", "Organizations"),
            description: (
                "Para pelaku kolaborasi: pemerintah daerah, OPD, kantor cabang BPJS Ketenagakerjaan, mitra; tanpa kontak atau data pribadi",
                "The actors of the collaboration: local governments, agencies, the BPJS branch, partners; no contacts or personal data",
            ),
            fields: vec![
                id_field("Id organisasi (UUID)", "Organization id (UUID)"),
                field("name", "string", ("Nama", "Name"), ("Nama resmi organisasi", "Official name of the organization")).required(),
                field("short_name", "string", ("Nama singkat", "Short name"), ("Singkatan yang unik", "Unique abbreviation")).required(),
                field("kind", "string", ("Jenis", "Kind"), ("Jenis pelaku", "Kind of actor"))
                    .required()
                    .one_of(OrganizationKind::ALL, OrganizationKind::as_str),
                field("sector", "string", ("Sektor", "Sector"), ("Sektor tata kelola kolaboratif: pemerintah, swasta, masyarakat sipil", "Sector of collaborative governance: government, private, civil society"))
                    .required()
                    .one_of(Sector::ALL, Sector::as_str),
                field("parent_id", "uuid", ("Organisasi induk", "Parent organization"), ("Organisasi yang membawahi (Disnakerin di bawah Pemkot)", "The organization above (Disnakerin under the city government)")),
                field("region_code", "string", ("Kode wilayah", "Region code"), ("Kode wilayah Kemendagri tempat organisasi berada", "Kemendagri code of the organization's region")),
                field("status", "string", ("Status", "Status"), ("Aktif atau tidak aktif", "Active or inactive"))
                    .required()
                    .one_of(OrganizationStatus::ALL, OrganizationStatus::as_str),
                field("website", "string", ("Situs web", "Website"), ("Alamat situs web organisasi", "The organization's website")),
            ],
            primary_key: vec!["id"],
            foreign_keys: vec![
                (vec!["parent_id"], "", vec!["id"]),
                (vec!["region_code"], "regions", vec!["code"]),
            ],
        },
        Resource {
            name: "regulations",
            title: ("Regulasi", "Regulations"),
            description: ("Peraturan yang menjadi dasar hukum kerja sama", "Legal instruments that agreements rest on"),
            fields: vec![
                id_field("Id regulasi (UUID)", "Regulation id (UUID)"),
                field("kind", "string", ("Jenis", "Kind"), ("Jenis peraturan (UU, PP, Perpres, ...)", "Kind of instrument (law, government regulation, ...)"))
                    .required()
                    .one_of(RegulationKind::ALL, RegulationKind::as_str),
                field("number", "string", ("Nomor", "Number"), ("Nomor peraturan", "Number of the instrument")).required(),
                field("year", "integer", ("Tahun", "Year"), ("Tahun peraturan", "Year of the instrument")).required(),
                field("title", "string", ("Judul", "Title"), ("Judul peraturan", "Title of the instrument")).required(),
                field("issuer", "string", ("Penerbit", "Issuer"), ("Lembaga yang menetapkan", "The body that issued it")).required(),
                field("status", "string", ("Status", "Status"), ("Rancangan, berlaku atau dicabut", "Draft, enacted or revoked"))
                    .required()
                    .one_of(RegulationStatus::ALL, RegulationStatus::as_str),
                field("enacted_on", "date", ("Tanggal penetapan", "Enacted on"), ("Tanggal peraturan ditetapkan", "Date the instrument was enacted")),
                field("url", "string", ("Tautan", "Link"), ("Tautan ke naskah peraturan", "Link to the text")),
            ],
            primary_key: vec!["id"],
            foreign_keys: vec![],
        },
        Resource {
            name: "agreements",
            title: ("Perjanjian kerja sama", "Cooperation agreements"),
            description: (
                "Nota kesepahaman, nota kesepakatan dan PKS yang tidak terbatas (perjanjian berstatus restricted tidak dimuat)",
                "Memoranda, agreements and PKS that are not restricted (restricted agreements are left out)",
            ),
            fields: vec![
                id_field("Id perjanjian (UUID)", "Agreement id (UUID)"),
                field("number", "string", ("Nomor", "Number"), ("Nomor perjanjian", "Agreement number")),
                field("title", "string", ("Judul", "Title"), ("Judul perjanjian", "Title of the agreement")).required(),
                field("kind", "string", ("Bentuk", "Kind"), ("Bentuk kerja sama (PP 85/2013 pasal 4)", "Form of cooperation (PP 85/2013 art. 4)"))
                    .required()
                    .one_of(AgreementKind::ALL, AgreementKind::as_str),
                field("status", "string", ("Status", "Status"), ("Draf, aktif, kedaluwarsa (aktif tetapi masa berlaku lewat pada tanggal ekspor) atau diakhiri", "Draft, active, expired (active but past its end on the export's date) or terminated"))
                    .required()
                    .one_of(AgreementStatus::ALL, AgreementStatus::as_str),
                field("signed_on", "date", ("Tanggal ditandatangani", "Signed on"), ("Tanggal penandatanganan", "Date of signature")),
                field("effective_from", "date", ("Berlaku sejak", "Effective from"), ("Awal masa berlaku", "Start of the period")),
                field("effective_until", "date", ("Berlaku sampai", "Effective until"), ("Akhir masa berlaku; kosong bila tanpa batas", "End of the period; empty when open-ended")),
                field("terminated_on", "date", ("Tanggal diakhiri", "Terminated on"), ("Tanggal perjanjian diakhiri lebih awal", "Date the agreement was ended early")),
                field("termination_reason", "string", ("Alasan pengakhiran", "Termination reason"), ("Alasan perjanjian diakhiri", "Why the agreement was ended")),
                field("summary", "string", ("Ringkasan", "Summary"), ("Ringkasan isi perjanjian", "Summary of the agreement")),
            ],
            primary_key: vec!["id"],
            foreign_keys: vec![],
        },
        Resource {
            name: "agreement_parties",
            title: ("Para pihak perjanjian", "Agreement parties"),
            description: ("Organisasi yang menjadi pihak dalam perjanjian dan perannya (tanpa nama penanda tangan)", "Organizations party to each agreement and their role (no signatory names)"),
            fields: vec![
                field("agreement_id", "uuid", ("Perjanjian", "Agreement"), ("Id perjanjian", "Agreement id")).required(),
                org_ref("organization_id", ("Organisasi", "Organization")).required(),
                field("role", "string", ("Peran", "Role"), ("Pihak pertama, pihak kedua, pihak, atau saksi", "First party, second party, party or witness"))
                    .required()
                    .one_of(PartyRole::ALL, PartyRole::as_str),
                field("signatory_position", "string", ("Jabatan penanda tangan", "Signatory's position"), ("Jabatan yang menandatangani atas nama pihak", "The office that signed for the party")),
            ],
            primary_key: vec!["agreement_id", "organization_id"],
            foreign_keys: vec![
                (vec!["agreement_id"], "agreements", vec!["id"]),
                (vec!["organization_id"], "organizations", vec!["id"]),
            ],
        },
        Resource {
            name: "agreement_scopes",
            title: ("Ruang lingkup perjanjian", "Agreement scopes"),
            description: ("Bidang kerja sama yang dicakup tiap perjanjian", "Fields of cooperation each agreement covers"),
            fields: vec![
                field("agreement_id", "uuid", ("Perjanjian", "Agreement"), ("Id perjanjian", "Agreement id")).required(),
                field("scope", "string", ("Ruang lingkup", "Scope"), ("Bidang kerja sama", "Field of cooperation"))
                    .required()
                    .one_of(Scope::ALL, Scope::as_str),
            ],
            primary_key: vec!["agreement_id", "scope"],
            foreign_keys: vec![(vec!["agreement_id"], "agreements", vec!["id"])],
        },
        Resource {
            name: "agreement_legal_basis",
            title: ("Dasar hukum perjanjian", "Agreements' legal basis"),
            description: ("Regulasi yang menjadi dasar tiap perjanjian", "The regulations each agreement rests on"),
            fields: vec![
                field("agreement_id", "uuid", ("Perjanjian", "Agreement"), ("Id perjanjian", "Agreement id")).required(),
                field("regulation_id", "uuid", ("Regulasi", "Regulation"), ("Id regulasi", "Regulation id")).required(),
            ],
            primary_key: vec!["agreement_id", "regulation_id"],
            foreign_keys: vec![
                (vec!["agreement_id"], "agreements", vec!["id"]),
                (vec!["regulation_id"], "regulations", vec!["id"]),
            ],
        },
        Resource {
            name: "commitments",
            title: ("Komitmen", "Commitments"),
            description: ("Kewajiban para pihak dalam perjanjian, dengan status dan kemajuan terakhir", "Obligations under the agreements, with their latest status and progress"),
            fields: vec![
                id_field("Id komitmen (UUID)", "Commitment id (UUID)"),
                field("agreement_id", "uuid", ("Perjanjian", "Agreement"), ("Id perjanjian", "Agreement id")).required(),
                field("title", "string", ("Judul", "Title"), ("Judul komitmen", "Title of the commitment")).required(),
                field("description", "string", ("Uraian", "Description"), ("Uraian komitmen", "Description of the commitment")),
                org_ref("responsible_organization_id", ("Penanggung jawab", "Responsible organization")).required(),
                field("scope", "string", ("Ruang lingkup", "Scope"), ("Bidang kerja sama", "Field of cooperation")).one_of(Scope::ALL, Scope::as_str),
                field("due_on", "date", ("Tenggat", "Due on"), ("Tanggal tenggat", "Due date")),
                field("target_value", "integer", ("Nilai target", "Target value"), ("Besaran yang dijanjikan", "The amount promised")).min(0),
                field("target_unit", "string", ("Satuan target", "Target unit"), ("Satuan nilai target", "Unit of the target"))
                    .one_of(TargetUnit::ALL, TargetUnit::as_str),
                field("status", "string", ("Status", "Status"), ("Status menurut laporan kemajuan terakhir", "Status after the latest progress report"))
                    .required()
                    .one_of(CommitmentStatus::ALL, CommitmentStatus::as_str),
                field("progress_pct", "integer", ("Kemajuan (%)", "Progress (%)"), ("Persentase kemajuan, 0 sampai 100", "Progress in per cent, 0 to 100"))
                    .required()
                    .min(0)
                    .max(100),
                field("value_achieved", "integer", ("Nilai tercapai", "Value achieved"), ("Besaran yang sudah dicapai", "The amount achieved so far")),
                field("overdue", "boolean", ("Terlambat", "Overdue"), ("Lewat tenggat pada tanggal ekspor dan belum terpenuhi atau dibatalkan", "Past its due date on the export's date and neither fulfilled nor cancelled"))
                    .required(),
            ],
            primary_key: vec!["id"],
            foreign_keys: vec![
                (vec!["agreement_id"], "agreements", vec!["id"]),
                (vec!["responsible_organization_id"], "organizations", vec!["id"]),
            ],
        },
        Resource {
            name: "activities",
            title: ("Kegiatan", "Activities"),
            description: ("Rapat koordinasi, sosialisasi, pembinaan dan kegiatan lain (tanpa notulen atau daftar hadir perorangan)", "Coordination meetings, sosialisasi, pembinaan and other activities (no minutes, no attendance by person)"),
            fields: vec![
                id_field("Id kegiatan (UUID)", "Activity id (UUID)"),
                field("kind", "string", ("Jenis", "Kind"), ("Jenis kegiatan", "Kind of activity"))
                    .required()
                    .one_of(ActivityKind::ALL, ActivityKind::as_str),
                field("title", "string", ("Judul", "Title"), ("Judul kegiatan", "Title of the activity")).required(),
                field("agreement_id", "uuid", ("Perjanjian", "Agreement"), ("Perjanjian yang dilaksanakan, bila ada", "The agreement it carries out, if any")),
                field("scope", "string", ("Ruang lingkup", "Scope"), ("Bidang kerja sama", "Field of cooperation")).one_of(Scope::ALL, Scope::as_str),
                org_ref("organizer_organization_id", ("Penyelenggara", "Organizer")).required(),
                field("starts_at", "datetime", ("Mulai", "Starts at"), ("Waktu mulai (UTC)", "Start time (UTC)")).required(),
                field("ends_at", "datetime", ("Selesai", "Ends at"), ("Waktu selesai (UTC)", "End time (UTC)")),
                field("location", "string", ("Tempat", "Location"), ("Tempat kegiatan", "Where it takes place")),
                field("status", "string", ("Status", "Status"), ("Direncanakan, terlaksana atau dibatalkan", "Planned, held or cancelled"))
                    .required()
                    .one_of(ActivityStatus::ALL, ActivityStatus::as_str),
                field("audience", "string", ("Sasaran", "Audience"), ("Siapa yang dituju", "Who it is for")),
                field("people_reached", "integer", ("Orang terjangkau", "People reached"), ("Jumlah orang yang dijangkau", "Number of people reached")).min(0),
            ],
            primary_key: vec!["id"],
            foreign_keys: vec![
                (vec!["agreement_id"], "agreements", vec!["id"]),
                (vec!["organizer_organization_id"], "organizations", vec!["id"]),
            ],
        },
        Resource {
            name: "activity_participants",
            title: ("Peserta kegiatan", "Activity participants"),
            description: ("Organisasi yang ikut dalam tiap kegiatan dan jumlah hadirinnya (bukan nama orang)", "Organizations that took part in each activity and how many people they sent (no names)"),
            fields: vec![
                field("activity_id", "uuid", ("Kegiatan", "Activity"), ("Id kegiatan", "Activity id")).required(),
                org_ref("organization_id", ("Organisasi", "Organization")).required(),
                field("attendees", "integer", ("Jumlah hadirin", "Attendees"), ("Jumlah orang dari organisasi ini", "Number of people from this organization")).min(0),
            ],
            primary_key: vec!["activity_id", "organization_id"],
            foreign_keys: vec![
                (vec!["activity_id"], "activities", vec!["id"]),
                (vec!["organization_id"], "organizations", vec!["id"]),
            ],
        },
        Resource {
            name: "outcomes",
            title: ("Capaian", "Outcomes"),
            description: ("Hasil terukur kolaborasi", "Measured results of the collaboration"),
            fields: vec![
                id_field("Id capaian (UUID)", "Outcome id (UUID)"),
                field("kind", "string", ("Jenis", "Kind"), ("Apa yang diukur", "What is measured"))
                    .required()
                    .one_of(OutcomeKind::ALL, OutcomeKind::as_str),
                field("title", "string", ("Judul", "Title"), ("Judul capaian", "Title of the outcome")).required(),
                field("value", "integer", ("Nilai", "Value"), ("Besaran capaian", "The amount achieved")).required(),
                field("unit", "string", ("Satuan", "Unit"), ("Satuan nilai", "Unit of the value"))
                    .required()
                    .one_of(TargetUnit::ALL, TargetUnit::as_str),
                field("segment", "string", ("Segmen", "Segment"), ("Segmen peserta: PU, BPU, Jakon, PMI atau total", "Participant segment: PU, BPU, Jakon, PMI or total"))
                    .one_of(Segment::ALL, Segment::as_str),
                field("period_start", "date", ("Awal periode", "Period start"), ("Awal periode capaian", "First day of the period")).required(),
                field("period_end", "date", ("Akhir periode", "Period end"), ("Akhir periode capaian", "Last day of the period")).required(),
                org_ref("organization_id", ("Organisasi", "Organization")).required(),
                field("agreement_id", "uuid", ("Perjanjian", "Agreement"), ("Perjanjian terkait", "Related agreement")),
                field("activity_id", "uuid", ("Kegiatan", "Activity"), ("Kegiatan terkait", "Related activity")),
                field("commitment_id", "uuid", ("Komitmen", "Commitment"), ("Komitmen terkait", "Related commitment")),
                field("regulation_id", "uuid", ("Regulasi", "Regulation"), ("Regulasi terkait", "Related regulation")),
                field("evidence", "string", ("Bukti", "Evidence"), ("Sumber atau bukti capaian", "Source or evidence of the result")),
            ],
            primary_key: vec!["id"],
            foreign_keys: vec![
                (vec!["organization_id"], "organizations", vec!["id"]),
                (vec!["agreement_id"], "agreements", vec!["id"]),
                (vec!["activity_id"], "activities", vec!["id"]),
                (vec!["commitment_id"], "commitments", vec!["id"]),
                (vec!["regulation_id"], "regulations", vec!["id"]),
            ],
        },
        Resource {
            name: "coverage",
            title: ("Cakupan kepesertaan", "Coverage"),
            description: (
                "Target dan realisasi kepesertaan aktif BPJS Ketenagakerjaan per wilayah, segmen dan periode",
                "Targets and realisation of active BPJS Ketenagakerjaan participation per region, segment and period",
            ),
            fields: vec![
                field("region_code", "string", ("Kode wilayah", "Region code"), ("Kode wilayah Kemendagri", "Kemendagri region code")).required(),
                field("segment", "string", ("Segmen", "Segment"), ("PU (penerima upah), BPU (bukan penerima upah), Jakon (jasa konstruksi), PMI (pekerja migran) atau total", "PU (wage earners), BPU (non-wage workers), Jakon (construction), PMI (migrant workers) or total"))
                    .required()
                    .one_of(Segment::ALL, Segment::as_str),
                field("period", "string", ("Periode", "Period"), ("Tahun (YYYY) atau bulan (YYYY-MM)", "Year (YYYY) or month (YYYY-MM)"))
                    .required()
                    .pattern("[0-9]{4}(-(0[1-9]|1[0-2]))?"),
                field("target", "integer", ("Target", "Target"), ("Target peserta aktif (orang); 0 bila tidak ada target", "Target of active participants (people); 0 when none was set"))
                    .required()
                    .min(0),
                field("realization", "integer", ("Realisasi", "Realisation"), ("Peserta aktif tercatat (orang)", "Active participants recorded (people)"))
                    .required()
                    .min(0),
                field("achievement_pct", "number", ("Capaian (%)", "Achievement (%)"), ("Realisasi dibagi target kali 100, satu desimal; kosong bila tidak ada target", "Realisation over target times 100, one decimal; empty when there is no target")),
                field("zone", "string", ("Zona", "Zone"), ("Hijau, kuning atau merah menurut capaian", "Green, yellow or red by achievement"))
                    .one_of(Zone::ALL, Zone::as_str),
                field("source", "string", ("Sumber", "Source"), ("Sumber angka", "Source of the figures")),
                field("note", "string", ("Catatan", "Note"), ("Catatan", "Note")),
            ],
            primary_key: vec!["region_code", "segment", "period"],
            foreign_keys: vec![(vec!["region_code"], "regions", vec!["code"])],
        },
    ]
}

/// What the coverage pass saw, for the Satu Data metadata.
#[derive(Debug, Default, Clone)]
pub struct CoverageFacts {
    pub first_period: Option<String>,
    pub last_period: Option<String>,
    pub yearly: bool,
    pub monthly: bool,
    pub sources: std::collections::BTreeSet<String>,
}

impl CoverageFacts {
    pub fn see(&mut self, period: &str, source: Option<&str>) {
        if self.first_period.as_deref().is_none_or(|p| period < p) {
            self.first_period = Some(period.to_string());
        }
        if self.last_period.as_deref().is_none_or(|p| period > p) {
            self.last_period = Some(period.to_string());
        }
        if period.len() == 4 {
            self.yearly = true;
        } else {
            self.monthly = true;
        }
        if let Some(s) = source.filter(|s| !s.is_empty())
            && self.sources.len() < 20
        {
            self.sources.insert(s.to_string());
        }
    }
}

/// The Satu Data Indonesia metadata (Perpres 39/2019: metadata indikator) of each coverage indicator.
pub fn satu_data(facts: &CoverageFacts) -> Value {
    let periode = match (&facts.first_period, &facts.last_period) {
        (Some(a), Some(b)) if a == b => a.clone(),
        (Some(a), Some(b)) => format!("{a} s.d. {b}"),
        _ => "belum ada data / no data yet".to_string(),
    };
    let frekuensi = match (facts.yearly, facts.monthly) {
        (true, true) => "Tahunan dan bulanan / Yearly and monthly",
        (true, false) => "Tahunan / Yearly",
        (false, true) => "Bulanan / Monthly",
        (false, false) => "Tidak ada / None",
    };
    let produsen = if facts.sources.is_empty() {
        "BPJS Ketenagakerjaan Kantor Cabang".to_string()
    } else {
        facts.sources.iter().cloned().collect::<Vec<_>>().join("; ")
    };
    let klasifikasi = "Wilayah: kode Kemendagri (sumber daya regions); segmen: PU, BPU, Jakon, PMI, total / \
                       Region: Kemendagri code (regions resource); segment: PU, BPU, Jakon, PMI, total";
    let indicator = |kode: &str,
                     nama: &str,
                     name: &str,
                     konsep: &str,
                     definisi: &str,
                     ukuran: &str,
                     satuan: &str,
                     field: &str| {
        json!({
            "kode_indikator": kode,
            "nama_indikator": nama,
            "indicator_name": name,
            "konsep": konsep,
            "definisi": definisi,
            "klasifikasi": klasifikasi,
            "ukuran": ukuran,
            "satuan": satuan,
            "produsen_data": produsen,
            "frekuensi": frekuensi,
            "periode": periode,
            "sumber_daya": "coverage",
            "kolom": field,
        })
    };
    json!({
        "standar": "Satu Data Indonesia (Perpres 39/2019): metadata indikator",
        "indikator": [
            indicator(
                "COV-TARGET",
                "Target kepesertaan aktif",
                "Active participation target",
                "Kepesertaan aktif jaminan sosial ketenagakerjaan / Active social-security participation of workers",
                "Jumlah tenaga kerja yang ditargetkan terdaftar aktif sebagai peserta BPJS Ketenagakerjaan pada \
                 wilayah, segmen dan periode / Number of workers targeted to be active BPJS Ketenagakerjaan \
                 participants in the region, segment and period",
                "Jumlah / Count",
                "Orang / People",
                "target",
            ),
            indicator(
                "COV-REALISASI",
                "Realisasi kepesertaan aktif",
                "Active participants (realisation)",
                "Kepesertaan aktif jaminan sosial ketenagakerjaan / Active social-security participation of workers",
                "Jumlah tenaga kerja yang tercatat sebagai peserta aktif BPJS Ketenagakerjaan pada wilayah, segmen \
                 dan periode / Number of workers recorded as active BPJS Ketenagakerjaan participants in the \
                 region, segment and period",
                "Jumlah / Count",
                "Orang / People",
                "realization",
            ),
            indicator(
                "COV-CAPAIAN",
                "Capaian kepesertaan aktif",
                "Achievement of the participation target",
                "Capaian target kepesertaan / Achievement of the participation target",
                "Realisasi dibagi target dikali 100, dibulatkan satu desimal; tidak dihitung bila target 0 / \
                 Realisation divided by target times 100, rounded to one decimal; not computed when the target is 0",
                "Persentase / Percentage",
                "Persen / Per cent",
                "achievement_pct",
            ),
        ]
    })
}

/// The whole descriptor.
pub fn descriptor(resources: &[Resource], facts: &CoverageFacts, created: &str) -> Value {
    json!({
        "profile": "tabular-data-package",
        "name": "sinergi-open-data",
        "title": "Sinergi open data: collaboration for social-security coverage / Data terbuka Sinergi: kolaborasi perluasan kepesertaan jaminan sosial ketenagakerjaan",
        "title:id": "Data terbuka Sinergi: kolaborasi perluasan kepesertaan jaminan sosial ketenagakerjaan",
        "title:en": "Sinergi open data: collaboration for social-security coverage",
        "description": "Organizations, cooperation agreements that are not restricted, their parties, scopes and commitments, activities, outcomes and coverage figures, with Kemendagri region codes. No personal data. (Bahasa Indonesia: Organisasi, perjanjian kerja sama yang tidak terbatas beserta para pihak, ruang lingkup dan komitmennya, kegiatan, capaian dan angka cakupan kepesertaan, dengan kode wilayah Kemendagri. Tanpa data pribadi.)",
        "description:id": "Organisasi, perjanjian kerja sama yang tidak terbatas beserta para pihak, ruang lingkup dan komitmennya, kegiatan, capaian dan angka cakupan kepesertaan, dengan kode wilayah Kemendagri. Tanpa data pribadi.",
        "description:en": "Organizations, cooperation agreements that are not restricted, their parties, scopes and commitments, activities, outcomes and coverage figures, with Kemendagri region codes. No personal data.",
        "language": ["id", "en"],
        "created": created,
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "satu_data": satu_data(facts),
        "resources": resources.iter().map(Resource::descriptor).collect::<Vec<_>>(),
    })
}
