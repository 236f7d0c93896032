//! The printed notulen (minutes) and daftar hadir (attendance list) of an activity: A4, in Bahasa
//! Indonesia, under the organizer's letterhead. The daftar hadir has one row per listed attendee with
//! room to sign, so that it can be printed before the meeting and signed at the door.

use std::collections::HashMap;

use super::model::{MeetingRecord, MinutesStatus};
use crate::activities::action_items::ActionItemStatus;
use crate::activities::model::ActivityKind;
use crate::db::Id;
use crate::error::AppError;
use crate::pdf::{self, Align, Column, Printing, Sheet, Style};

/// Rows a daftar hadir gets when nobody is listed yet, to be filled in by hand.
const BLANK_ROWS: usize = 20;

fn kind_label(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::CoordinationMeeting => "Rapat koordinasi",
        ActivityKind::RegulationDrafting => "Penyusunan regulasi",
        ActivityKind::Sosialisasi => "Sosialisasi",
        ActivityKind::Pembinaan => "Pembinaan",
        ActivityKind::Monev => "Monitoring dan evaluasi (monev)",
        ActivityKind::Bimtek => "Bimbingan teknis (bimtek)",
        ActivityKind::Publication => "Publikasi",
        ActivityKind::FieldVisit => "Kunjungan lapangan",
        ActivityKind::Other => "Kegiatan lainnya",
    }
}

fn item_status_label(status: ActionItemStatus) -> &'static str {
    match status {
        ActionItemStatus::Open => "Belum selesai",
        ActionItemStatus::Done => "Selesai",
        ActionItemStatus::Dropped => "Dibatalkan",
    }
}

/// `09.00 – 11.30 WIB`, or with the dates when the activity ends on another day.
fn time_span(record: &MeetingRecord, zone: pdf::TimeZone) -> String {
    let start = zone.local(record.activity.starts_at);
    let label = zone.label();
    match record.activity.ends_at.map(|end| zone.local(end)) {
        None => format!("{} {label} – selesai", pdf::clock(start)),
        Some(end) if end.date_naive() == start.date_naive() => {
            format!("{} – {} {label}", pdf::clock(start), pdf::clock(end))
        }
        Some(end) => format!(
            "{} {} {label} s.d. {} {} {label}",
            pdf::date(start.date_naive()),
            pdf::clock(start),
            pdf::date(end.date_naive()),
            pdf::clock(end)
        ),
    }
}

/// The name of each organization the record mentions: the organizer and the participants.
fn organization_names(record: &MeetingRecord) -> HashMap<Id, String> {
    let mut names: HashMap<Id, String> = record
        .activity
        .participants
        .iter()
        .map(|p| (p.organization_id, p.organization_name.clone()))
        .collect();
    names.insert(record.organizer.id, record.organizer.name.clone());
    names
}

fn name_of(names: &HashMap<Id, String>, id: Id) -> String {
    names.get(&id).cloned().unwrap_or_else(|| "–".to_string())
}

/// Letterhead, title and the when-and-where that both documents start with.
fn opening(record: &MeetingRecord, printing: Printing, title: &str) -> Result<Sheet, AppError> {
    let activity = &record.activity;
    let mut sheet = Sheet::new(&format!("{title} – {}", activity.title), printing.footer())?;
    sheet.letterhead(
        record.organizer_parent.as_deref(),
        &record.organizer.name,
        record.organizer.address.as_deref(),
    );
    sheet.text(title, Style::TITLE, Align::Center);
    sheet.text(&activity.title, Style::HEADING, Align::Center);
    if record.minutes.status == MinutesStatus::Draft && title == "NOTULEN" {
        sheet.text("DRAF – belum ditetapkan", Style::STRONG, Align::Center);
    }
    sheet.gap(4.0);
    let start = printing.zone.local(activity.starts_at);
    sheet.fields(&[
        ("Hari/tanggal", pdf::day_and_date(start.date_naive())),
        ("Waktu", time_span(record, printing.zone)),
        ("Tempat", activity.location.clone().unwrap_or_else(|| "–".to_string())),
    ]);
    Ok(sheet)
}

/// The notulen: when and where, the agenda, who took part, the minutes, the decisions, the follow-ups
/// with their owners and due dates, and the corrections appended since the minutes were finalised.
pub fn notulen(record: &MeetingRecord, printing: Printing) -> Result<Vec<u8>, AppError> {
    let mut sheet = opening(record, printing, "NOTULEN")?;
    let activity = &record.activity;
    let names = organization_names(record);
    let mut more = vec![
        ("Acara", activity.title.clone()),
        ("Jenis kegiatan", kind_label(activity.kind).to_string()),
        ("Penyelenggara", record.organizer.name.clone()),
    ];
    if let Some(agreement) = &record.agreement {
        let number = agreement.number.as_deref().map(|n| format!("{n} – ")).unwrap_or_default();
        more.push(("Perjanjian", format!("{number}{}", agreement.title)));
    }
    let status = match (record.minutes.status, record.minutes.finalised_at) {
        (MinutesStatus::Final, Some(at)) => {
            let by = record.minutes.finalised_by.and_then(|id| record.people.get(&id));
            let by = by.map(|name| format!(" oleh {name}")).unwrap_or_default();
            format!("Final, ditetapkan {}{by}", pdf::date_time(at, printing.zone))
        }
        _ => "Draf (belum ditetapkan)".to_string(),
    };
    more.push(("Status notulen", status));
    sheet.fields(&more);

    sheet.heading("Peserta");
    let participants: Vec<Vec<String>> = activity
        .participants
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let count = p.attendees.map(|n| pdf::number(i64::from(n))).unwrap_or_else(|| "–".into());
            vec![(i + 1).to_string(), p.organization_name.clone(), count]
        })
        .collect();
    if participants.is_empty() {
        sheet.text("Tidak ada instansi peserta yang dicatat.", Style::BODY, Align::Left);
    } else {
        let columns = [
            Column::fixed("No", 10.0).aligned(Align::Right),
            Column::rest("Instansi"),
            Column::fixed("Jumlah hadir", 28.0).aligned(Align::Right),
        ];
        sheet.table(&columns, &participants, 0.0);
    }
    if !record.attendees.is_empty() {
        sheet.gap(3.0);
        let rows: Vec<Vec<String>> = record
            .attendees
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let position = a.position.clone().unwrap_or_default();
                vec![(i + 1).to_string(), a.name.clone(), position, name_of(&names, a.organization_id)]
            })
            .collect();
        let columns = [
            Column::fixed("No", 10.0).aligned(Align::Right),
            Column::rest("Nama"),
            Column::rest("Jabatan"),
            Column::rest("Instansi"),
        ];
        sheet.table(&columns, &rows, 0.0);
    }

    sheet.heading("Pembahasan");
    match activity.minutes.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(minutes) => sheet.text(minutes, Style::BODY, Align::Left),
        None => sheet.text("Belum ada catatan pembahasan.", Style::BODY, Align::Left),
    }

    sheet.heading("Keputusan");
    if activity.decisions.is_empty() {
        sheet.text("Tidak ada keputusan yang dicatat.", Style::BODY, Align::Left);
    } else {
        sheet.numbered(&activity.decisions);
    }

    sheet.heading("Tindak lanjut");
    if record.action_items.is_empty() {
        sheet.text("Tidak ada tindak lanjut yang dicatat.", Style::BODY, Align::Left);
    } else {
        let rows: Vec<Vec<String>> = record
            .action_items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                vec![
                    (i + 1).to_string(),
                    item.description.clone(),
                    name_of(&names, item.owner_organization_id),
                    item.due_on.map(pdf::date).unwrap_or_else(|| "–".into()),
                    item_status_label(item.status).to_string(),
                ]
            })
            .collect();
        let columns = [
            Column::fixed("No", 10.0).aligned(Align::Right),
            Column::rest("Uraian"),
            Column::fixed("Penanggung jawab", 40.0),
            Column::fixed("Tenggat", 26.0),
            Column::fixed("Status", 22.0),
        ];
        sheet.table(&columns, &rows, 0.0);
    }

    if !record.minutes.corrections.is_empty() {
        sheet.heading("Koreksi setelah notulen ditetapkan");
        let corrections: Vec<String> = record
            .minutes
            .corrections
            .iter()
            .map(|c| {
                let by = c.created_by.and_then(|id| record.people.get(&id));
                let by = by.map(|name| format!(", oleh {name}")).unwrap_or_default();
                format!("{} ({}{by}). Alasan: {}", c.what, pdf::date_time(c.created_at, printing.zone), c.why)
            })
            .collect();
        sheet.numbered(&corrections);
    }

    let held_on = pdf::date(printing.zone.local(activity.starts_at).date_naive());
    sheet.signatures(&[(String::new(), "Pimpinan rapat,"), (held_on, "Notulis,")]);
    Ok(sheet.finish())
}

/// The daftar hadir: one row per listed attendee (name, position, organization) with an empty column
/// to sign in; blank numbered rows when nobody is listed yet.
pub fn daftar_hadir(record: &MeetingRecord, printing: Printing) -> Result<Vec<u8>, AppError> {
    let mut sheet = opening(record, printing, "DAFTAR HADIR")?;
    let names = organization_names(record);
    sheet.gap(3.0);
    let rows: Vec<Vec<String>> = if record.attendees.is_empty() {
        (1..=BLANK_ROWS)
            .map(|n| vec![n.to_string(), String::new(), String::new(), String::new(), String::new()])
            .collect()
    } else {
        record
            .attendees
            .iter()
            .enumerate()
            .map(|(i, a)| {
                vec![
                    (i + 1).to_string(),
                    a.name.clone(),
                    a.position.clone().unwrap_or_default(),
                    name_of(&names, a.organization_id),
                    String::new(),
                ]
            })
            .collect()
    };
    let columns = [
        Column::fixed("No", 10.0).aligned(Align::Right),
        Column::rest("Nama"),
        Column::fixed("Jabatan", 34.0),
        Column::fixed("Instansi", 38.0),
        Column::fixed("Tanda tangan", 32.0),
    ];
    sheet.table(&columns, &rows, 12.0);
    if !record.attendees.is_empty() {
        sheet.gap(2.0);
        let count = pdf::number(record.attendees.len() as i64);
        sheet.text(&format!("Jumlah: {count} orang"), Style::BODY, Align::Left);
    }
    Ok(sheet.finish())
}
