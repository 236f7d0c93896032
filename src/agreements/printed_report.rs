//! The agreement report to print (`GET /agreements/{id}/report` with `Accept: application/pdf`): the
//! same facts as the JSON report, A4, in Bahasa Indonesia, under the letterhead of the organization of
//! the person printing it (or of the first party, for a user without one).

use std::collections::HashMap;

use chrono::NaiveDate;

use super::commitments::TargetUnit;
use super::model::{AgreementKind, AgreementStatus, Confidentiality, PartyRole, Scope};
use super::report::{self, AgreementReport};
use super::visibility;
use crate::auth::AuthUser;
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::organizations::{self, model::Organization};
use crate::outcomes::model::OutcomeKind;
use crate::pdf::{self, Align, Column, Printing, Sheet, Style};

/// The report with what its printed form adds: the letterhead and the names of the organizations
/// responsible for overdue commitments.
#[derive(Debug, Clone)]
pub struct PrintableReport {
    pub report: AgreementReport,
    pub letterhead: Organization,
    pub letterhead_parent: Option<String>,
    pub names: HashMap<Id, String>,
}

/// Loads the report of an agreement the user may see, for printing.
pub fn load(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: Id,
    today: NaiveDate,
) -> Result<PrintableReport, AppError> {
    let record = visibility::agreement(conn, user, id)?;
    let report = report::build(conn, &record, today)?;
    let first_party = record.parties.first().map(|p| p.organization_id);
    let Some(letterhead_id) = user.organization_id.or(first_party) else {
        return Err(AppError::internal(format!("agreement {id} has no party")));
    };
    let letterhead = organizations::repo::find(conn, letterhead_id)?;
    let letterhead_parent = match letterhead.parent_id {
        Some(parent) => Some(organizations::repo::find(conn, parent)?.name),
        None => None,
    };
    let responsible: Vec<Id> =
        report.commitments.overdue.iter().map(|c| c.responsible_organization_id).collect();
    let names = organizations::repo::names(conn, &responsible)?;
    Ok(PrintableReport { report, letterhead, letterhead_parent, names })
}

fn kind_label(kind: AgreementKind) -> &'static str {
    match kind {
        AgreementKind::NotaKesepahaman => "Nota Kesepahaman (MoU)",
        AgreementKind::NotaKesepakatan => "Nota Kesepakatan",
        AgreementKind::PerjanjianKerjaSama => "Perjanjian Kerja Sama (PKS)",
        AgreementKind::KerjaSamaOperasional => "Kerja Sama Operasional",
        AgreementKind::KerjaSamaFungsional => "Kerja Sama Fungsional",
        AgreementKind::Other => "Lainnya",
    }
}

fn status_label(status: AgreementStatus) -> &'static str {
    match status {
        AgreementStatus::Draft => "Draf",
        AgreementStatus::Active => "Berlaku",
        AgreementStatus::Expired => "Berakhir (masa berlaku habis)",
        AgreementStatus::Terminated => "Diakhiri",
    }
}

fn role_label(role: PartyRole) -> &'static str {
    match role {
        PartyRole::FirstParty => "Pihak pertama",
        PartyRole::SecondParty => "Pihak kedua",
        PartyRole::Party => "Pihak",
        PartyRole::Witness => "Saksi",
    }
}

fn scope_label(scope: Scope) -> &'static str {
    match scope {
        Scope::Regulation => "Regulasi",
        Scope::Budget => "Anggaran",
        Scope::Sosialisasi => "Sosialisasi",
        Scope::Pembinaan => "Pembinaan",
        Scope::Monev => "Monitoring dan evaluasi (monev)",
        Scope::Enrolment => "Kepesertaan",
        Scope::DataSharing => "Pertukaran data",
        Scope::Service => "Pelayanan",
        Scope::Compliance => "Kepatuhan",
    }
}

fn outcome_label(kind: OutcomeKind) -> &'static str {
    match kind {
        OutcomeKind::Enrolment => "Kepesertaan baru",
        OutcomeKind::RegulationEnacted => "Regulasi ditetapkan",
        OutcomeKind::BudgetAllocated => "Anggaran dialokasikan",
        OutcomeKind::PeopleReached => "Orang terjangkau",
        OutcomeKind::Other => "Lainnya",
    }
}

fn amount(total: i64, unit: TargetUnit) -> String {
    let n = pdf::number(total);
    match unit {
        TargetUnit::People => format!("{n} orang"),
        TargetUnit::Idr => format!("Rp{n}"),
        TargetUnit::Documents => format!("{n} dokumen"),
        TargetUnit::Sessions => format!("{n} kali"),
        TargetUnit::Other => n,
    }
}

fn date_or_dash(d: Option<NaiveDate>) -> String {
    d.map(pdf::date).unwrap_or_else(|| "–".into())
}

/// The printed report.
pub fn pdf(printable: &PrintableReport, printing: Printing) -> Result<Vec<u8>, AppError> {
    let r = &printable.report;
    let mut sheet = Sheet::new(&format!("Laporan perjanjian – {}", r.title), printing.footer())?;
    sheet.letterhead(
        printable.letterhead_parent.as_deref(),
        &printable.letterhead.name,
        printable.letterhead.address.as_deref(),
    );
    sheet.text("LAPORAN PERJANJIAN KERJA SAMA", Style::TITLE, Align::Center);
    sheet.text(&r.title, Style::HEADING, Align::Center);
    sheet.gap(4.0);
    let expiry = match r.days_until_expiry {
        Some(days) if days >= 0 => format!("{} hari lagi", pdf::number(days)),
        Some(days) => format!("berakhir {} hari yang lalu", pdf::number(-days)),
        None => "–".into(),
    };
    sheet.fields(&[
        ("Nomor", r.number.clone().unwrap_or_else(|| "–".into())),
        ("Jenis", kind_label(r.kind).into()),
        ("Status", status_label(r.status).into()),
        (
            "Sifat",
            match r.confidentiality {
                Confidentiality::Internal => "Internal".into(),
                Confidentiality::Restricted => "Terbatas (hanya para pihak)".into(),
            },
        ),
        ("Tanggal tanda tangan", date_or_dash(r.signed_on)),
        ("Berlaku", format!("{} s.d. {}", date_or_dash(r.effective_from), date_or_dash(r.effective_until))),
        ("Sisa masa berlaku", expiry),
        ("Keadaan per", pdf::date(r.as_of)),
    ]);

    sheet.heading("Para pihak");
    let parties: Vec<Vec<String>> = r
        .parties
        .iter()
        .map(|p| {
            let signatory = match (&p.signatory_name, &p.signatory_position) {
                (Some(name), Some(position)) => format!("{name}, {position}"),
                (Some(name), None) => name.clone(),
                (None, Some(position)) => position.clone(),
                (None, None) => "–".into(),
            };
            vec![role_label(p.role).into(), p.organization_name.clone(), signatory]
        })
        .collect();
    let columns =
        [Column::fixed("Kedudukan", 28.0), Column::rest("Instansi"), Column::rest("Penanda tangan")];
    sheet.table(&columns, &parties, 0.0);

    sheet.heading("Ruang lingkup");
    let scopes: Vec<String> = r.scopes.iter().map(|s| scope_label(*s).to_string()).collect();
    if scopes.is_empty() {
        sheet.text("–", Style::BODY, Align::Left);
    } else {
        sheet.numbered(&scopes);
    }

    sheet.heading("Komitmen");
    let c = &r.commitments;
    let counts = [
        ("Direncanakan", c.by_status.planned),
        ("Berjalan", c.by_status.in_progress),
        ("Terpenuhi", c.by_status.fulfilled),
        ("Tidak terpenuhi", c.by_status.missed),
        ("Dibatalkan", c.by_status.cancelled),
        ("Jumlah", c.total),
    ];
    let rows: Vec<Vec<String>> =
        counts.iter().map(|(label, n)| vec![label.to_string(), pdf::number(*n)]).collect();
    sheet.table(&[Column::rest("Status"), Column::fixed("Jumlah", 30.0).aligned(Align::Right)], &rows, 0.0);
    if !c.overdue.is_empty() {
        sheet.gap(3.0);
        sheet.text("Komitmen yang melewati tenggat:", Style::STRONG, Align::Left);
        let rows: Vec<Vec<String>> = c
            .overdue
            .iter()
            .map(|o| {
                vec![
                    o.title.clone(),
                    printable
                        .names
                        .get(&o.responsible_organization_id)
                        .cloned()
                        .unwrap_or_else(|| "–".into()),
                    date_or_dash(o.due_on),
                    pdf::number(o.days_overdue),
                    format!("{} %", o.progress_pct),
                ]
            })
            .collect();
        let columns = [
            Column::rest("Komitmen"),
            Column::fixed("Penanggung jawab", 36.0),
            Column::fixed("Tenggat", 26.0),
            Column::fixed("Hari lewat", 18.0).aligned(Align::Right),
            Column::fixed("Kemajuan", 21.0).aligned(Align::Right),
        ];
        sheet.table(&columns, &rows, 0.0);
    }

    sheet.heading("Kegiatan yang terlaksana per ruang lingkup");
    if r.activities.is_empty() {
        sheet.text("Belum ada kegiatan yang terlaksana.", Style::BODY, Align::Left);
    } else {
        let rows: Vec<Vec<String>> = r
            .activities
            .iter()
            .map(|a| vec![scope_label(a.scope).into(), pdf::number(a.held), date_or_dash(a.last_held_on)])
            .collect();
        let columns = [
            Column::rest("Ruang lingkup"),
            Column::fixed("Jumlah", 22.0).aligned(Align::Right),
            Column::fixed("Terakhir", 34.0),
        ];
        sheet.table(&columns, &rows, 0.0);
    }

    sheet.heading("Capaian");
    if r.outcomes.is_empty() {
        sheet.text("Belum ada capaian yang dicatat.", Style::BODY, Align::Left);
    } else {
        let rows: Vec<Vec<String>> = r
            .outcomes
            .iter()
            .map(|o| vec![outcome_label(o.kind).into(), amount(o.total, o.unit), pdf::number(o.count)])
            .collect();
        let columns = [
            Column::rest("Jenis capaian"),
            Column::fixed("Jumlah", 40.0).aligned(Align::Right),
            Column::fixed("Catatan", 22.0).aligned(Align::Right),
        ];
        sheet.table(&columns, &rows, 0.0);
    }

    if !r.amendments.is_empty() {
        sheet.heading("Adendum");
        let rows: Vec<Vec<String>> = r
            .amendments
            .iter()
            .map(|a| vec![a.number.clone(), pdf::date(a.signed_on), a.summary.clone()])
            .collect();
        let columns =
            [Column::fixed("Nomor", 40.0), Column::fixed("Tanggal", 30.0), Column::rest("Ringkasan")];
        sheet.table(&columns, &rows, 0.0);
    }

    if let Some(last) = &r.last_change {
        sheet.gap(4.0);
        let by = last.actor_username.as_deref().map(|u| format!(" oleh {u}")).unwrap_or_default();
        sheet.text(
            &format!(
                "Perubahan terakhir dalam jejak audit: {} {}{by}, {} (nomor urut {}).",
                last.action,
                last.entity_type,
                pdf::date_time(last.occurred_at, printing.zone),
                last.seq
            ),
            Style::SMALL,
            Align::Left,
        );
    }
    Ok(sheet.finish())
}
