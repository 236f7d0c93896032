//! The agreement's rules, free of storage: what a draft may hold, what activation needs, what may change
//! once active (only through an amendment), termination, and how an amendment changes the agreement.

use chrono::NaiveDate;

use super::model::{
    AgreementKind, AgreementPatch, AgreementRecord, AgreementRow, AgreementStatus, AmendmentChanges,
    Confidentiality, NewAgreement, NewAmendment, PartyInput, Scope, StoredStatus, Termination, bound_ids,
    checks,
};
use crate::db::Id;
use crate::error::{AppError, FieldError, text};
use crate::http::Validator;

/// What an agreement says: every field a client edits, checked and normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub number: Option<String>,
    pub title: String,
    pub kind: AgreementKind,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub summary: Option<String>,
    pub confidentiality: Confidentiality,
    pub scopes: Vec<Scope>,
    pub legal_basis: Vec<Id>,
    pub parties: Vec<PartyInput>,
}

impl Content {
    /// A new draft's content; 422 naming every invalid field.
    pub fn from_new(body: NewAgreement) -> Result<Content, AppError> {
        let mut v = Validator::new();
        let content = Content {
            number: v.optional("number", body.number, checks::MAX_SHORT),
            title: v.required("title", Some(body.title), checks::MAX_TITLE),
            kind: body.kind,
            signed_on: body.signed_on,
            effective_from: body.effective_from,
            effective_until: body.effective_until,
            summary: v.optional("summary", body.summary, checks::MAX_TEXT),
            confidentiality: body.confidentiality.unwrap_or(Confidentiality::Internal),
            scopes: checks::scopes(&body.scopes),
            legal_basis: checks::ids(&body.legal_basis),
            parties: checks::parties(&mut v, "parties", &body.parties),
        };
        period(&mut v, &content);
        v.finish()?;
        Ok(content)
    }

    /// The content of a stored agreement.
    pub fn of(record: &AgreementRecord) -> Content {
        let r = &record.row;
        Content {
            number: r.number.clone(),
            title: r.title.clone(),
            kind: r.kind,
            signed_on: r.signed_on,
            effective_from: r.effective_from,
            effective_until: r.effective_until,
            summary: r.summary.clone(),
            confidentiality: r.confidentiality,
            scopes: record.scopes.clone(),
            legal_basis: record.legal_basis.clone(),
            parties: record
                .parties
                .iter()
                .map(|p| PartyInput {
                    organization_id: p.organization_id,
                    role: p.role,
                    signatory_name: p.signatory_name.clone(),
                    signatory_position: p.signatory_position.clone(),
                })
                .collect(),
        }
    }

    /// The content after a PATCH; 422 naming every invalid field.
    pub fn patched(&self, patch: AgreementPatch) -> Result<Content, AppError> {
        let mut v = Validator::new();
        let mut next = self.clone();
        if let Some(number) = patch.number {
            next.number = v.optional("number", number, checks::MAX_SHORT);
        }
        if let Some(title) = patch.title {
            next.title = v.required("title", Some(title), checks::MAX_TITLE);
        }
        next.kind = patch.kind.unwrap_or(next.kind);
        next.signed_on = patch.signed_on.unwrap_or(next.signed_on);
        next.effective_from = patch.effective_from.unwrap_or(next.effective_from);
        next.effective_until = patch.effective_until.unwrap_or(next.effective_until);
        next.confidentiality = patch.confidentiality.unwrap_or(next.confidentiality);
        if let Some(summary) = patch.summary {
            next.summary = v.optional("summary", summary, checks::MAX_TEXT);
        }
        if let Some(scopes) = patch.scopes {
            next.scopes = checks::scopes(&scopes);
        }
        if let Some(basis) = patch.legal_basis {
            next.legal_basis = checks::ids(&basis);
        }
        if let Some(parties) = patch.parties {
            next.parties = checks::parties(&mut v, "parties", &parties);
        }
        period(&mut v, &next);
        v.finish()?;
        Ok(next)
    }

    pub fn party_ids(&self) -> Vec<Id> {
        self.parties.iter().map(|p| p.organization_id).collect()
    }

    /// The organizations bound by the agreement (witnesses are not).
    pub fn bound_party_ids(&self) -> Vec<Id> {
        bound_ids(&self.parties)
    }

    /// How many distinct organizations the agreement binds (parties are unique per organization).
    pub fn bound_parties(&self) -> usize {
        self.bound_party_ids().len()
    }

    /// Writes the scalar fields onto the stored row.
    pub fn apply_to(&self, row: &mut AgreementRow) {
        row.number = self.number.clone();
        row.title = self.title.clone();
        row.kind = self.kind;
        row.signed_on = self.signed_on;
        row.effective_from = self.effective_from;
        row.effective_until = self.effective_until;
        row.summary = self.summary.clone();
        row.confidentiality = self.confidentiality;
    }
}

/// The period must not end before it starts.
fn period(v: &mut Validator, content: &Content) {
    v.date("signed_on", content.signed_on);
    v.date("effective_from", content.effective_from);
    v.date("effective_until", content.effective_until);
    v.date_order(content.effective_from, content.effective_until, "effective_until", "effective_from");
}

fn is_active(record: &AgreementRecord) -> bool {
    record.row.status == StoredStatus::Active
}

/// Whether a PATCH from `current` to `next` may be made. A terminated agreement is closed; an active one
/// keeps its parties, scopes and period (an amendment changes those) and its number and signing date.
pub fn check_edit(current: &AgreementRecord, next: &Content) -> Result<(), AppError> {
    let before = Content::of(current);
    match current.row.status {
        StoredStatus::Terminated => Err(AppError::conflict(text(
            "A terminated agreement can no longer be changed.",
            "Perjanjian yang sudah diakhiri tidak dapat diubah lagi.",
        ))),
        StoredStatus::Active => {
            let mut locked = Vec::new();
            if next.parties != before.parties {
                locked.push("parties");
            }
            if next.scopes != before.scopes {
                locked.push("scopes");
            }
            if next.effective_from != before.effective_from {
                locked.push("effective_from");
            }
            if next.effective_until != before.effective_until {
                locked.push("effective_until");
            }
            if !locked.is_empty() {
                let fields = locked.join(", ");
                let mut e = AppError::conflict(text(
                    format!(
                        "The agreement is active: {fields} change only through an amendment \
                         (POST /api/v1/agreements/{{id}}/amendments)."
                    ),
                    format!(
                        "Perjanjian sudah berlaku: {fields} hanya dapat diubah melalui adendum \
                         (POST /api/v1/agreements/{{id}}/amendments)."
                    ),
                ));
                e.errors = locked
                    .iter()
                    .map(|f| {
                        FieldError::new(
                            *f,
                            text("changes only through an amendment", "hanya dapat diubah melalui adendum"),
                        )
                    })
                    .collect();
                return Err(e);
            }
            let mut v = Validator::new();
            let required =
                || text("is required while the agreement is active", "wajib selama perjanjian berlaku");
            v.check(next.number.is_some(), "number", required());
            v.check(next.signed_on.is_some(), "signed_on", required());
            v.finish()
        }
        StoredStatus::Draft => Ok(()),
    }
}

/// Activation: a draft with a number, a signing date, a start and two distinct bound parties. The 409
/// lists every reason at once, so that the client can fix them together.
pub fn check_activation(record: &AgreementRecord) -> Result<(), AppError> {
    if record.row.status != StoredStatus::Draft {
        return Err(AppError::conflict(text(
            "Only a draft agreement can be activated.",
            "Hanya perjanjian berstatus draf yang dapat diberlakukan.",
        )));
    }
    let content = Content::of(record);
    let mut reasons = Vec::new();
    if content.number.is_none() {
        reasons.push(FieldError::new("number", text("is missing", "belum diisi")));
    }
    if content.signed_on.is_none() {
        reasons.push(FieldError::new("signed_on", text("is missing", "belum diisi")));
    }
    if content.effective_from.is_none() {
        reasons.push(FieldError::new("effective_from", text("is missing", "belum diisi")));
    }
    if content.bound_parties() < 2 {
        reasons.push(FieldError::new(
            "parties",
            text(
                "needs at least two distinct party organizations (witnesses do not count)",
                "memerlukan paling sedikit dua organisasi pihak yang berbeda (saksi tidak dihitung)",
            ),
        ));
    }
    if reasons.is_empty() {
        return Ok(());
    }
    let fields = reasons.iter().map(|r| r.field.as_str()).collect::<Vec<_>>().join(", ");
    let mut e = AppError::conflict(text(
        format!("The agreement cannot be activated yet; see errors ({fields})."),
        format!("Perjanjian belum dapat diberlakukan; lihat errors ({fields})."),
    ));
    e.errors = reasons;
    Err(e)
}

/// Termination: only an active (or expired) agreement, on a date not before it took effect, with a reason.
pub fn check_termination(record: &AgreementRecord, body: &Termination) -> Result<String, AppError> {
    if !is_active(record) {
        return Err(AppError::conflict(text(
            "Only an active or expired agreement can be terminated.",
            "Hanya perjanjian yang berlaku atau kedaluwarsa yang dapat diakhiri.",
        )));
    }
    let mut v = Validator::new();
    let reason = v.required("termination_reason", Some(body.termination_reason.clone()), checks::MAX_TEXT);
    v.date("terminated_on", Some(body.terminated_on));
    let start = record.row.effective_from.into_iter().chain(record.row.signed_on).min();
    v.check(
        start.is_none_or(|s| body.terminated_on >= s),
        "terminated_on",
        text(
            "must not be before the agreement was signed or took effect",
            "tidak boleh sebelum perjanjian ditandatangani atau berlaku",
        ),
    );
    v.finish()?;
    Ok(reason)
}

/// An amendment: checks it against the active agreement and answers the content it leads to, with the
/// amendment's own fields normalised. Nothing is half-applied: the caller stores all or nothing.
pub fn amend(record: &AgreementRecord, body: &NewAmendment) -> Result<(Content, NewAmendment), AppError> {
    if !is_active(record) {
        return Err(AppError::conflict(text(
            "Only an active (or expired) agreement can be amended; edit a draft directly.",
            "Hanya perjanjian yang berlaku (atau kedaluwarsa) yang dapat diadendum; ubah draf secara langsung.",
        )));
    }
    let mut v = Validator::new();
    let number = v.required("number", Some(body.number.clone()), checks::MAX_SHORT);
    let summary = v.required("summary", Some(body.summary.clone()), checks::MAX_TEXT);
    v.date("signed_on", Some(body.signed_on));
    v.check(
        record.row.signed_on.is_none_or(|s| body.signed_on >= s),
        "signed_on",
        text("must not be before the agreement was signed", "tidak boleh sebelum perjanjian ditandatangani"),
    );
    let changes = &body.changes;
    v.check(!changes.is_empty(), "changes", text("must change something", "harus mengubah sesuatu"));
    let mut next = Content::of(record);
    if let Some(from) = changes.effective_from {
        next.effective_from = Some(from);
    }
    if let Some(until) = changes.effective_until {
        next.effective_until = until;
    }
    for (i, scope) in changes.scopes_removed.iter().enumerate() {
        v.check(
            next.scopes.contains(scope),
            &format!("changes.scopes_removed[{i}]"),
            text("is not a scope of the agreement", "bukan ruang lingkup perjanjian ini"),
        );
    }
    next.scopes.retain(|s| !changes.scopes_removed.contains(s));
    for (i, scope) in changes.scopes_added.iter().enumerate() {
        v.check(
            !next.scopes.contains(scope),
            &format!("changes.scopes_added[{i}]"),
            text("is already a scope of the agreement", "sudah menjadi ruang lingkup perjanjian ini"),
        );
    }
    next.scopes = checks::scopes(&[next.scopes.clone(), changes.scopes_added.clone()].concat());
    for (i, org) in changes.parties_removed.iter().enumerate() {
        v.check(
            next.parties.iter().any(|p| p.organization_id == *org),
            &format!("changes.parties_removed[{i}]"),
            text("is not a party to the agreement", "bukan pihak dalam perjanjian ini"),
        );
    }
    next.parties.retain(|p| !changes.parties_removed.contains(&p.organization_id));
    let added = checks::parties(&mut v, "changes.parties_added", &changes.parties_added);
    for (i, p) in added.iter().enumerate() {
        v.check(
            !next.parties.iter().any(|q| q.organization_id == p.organization_id),
            &format!("changes.parties_added[{i}].organization_id"),
            text("is already a party to the agreement", "sudah menjadi pihak dalam perjanjian ini"),
        );
    }
    next.parties.extend(added.iter().cloned());
    period(&mut v, &next);
    v.check(
        next.bound_parties() >= 2,
        "changes.parties_removed",
        text(
            "would leave fewer than two party organizations",
            "akan menyisakan kurang dari dua organisasi pihak",
        ),
    );
    v.finish()?;
    let normalised = NewAmendment {
        number,
        signed_on: body.signed_on,
        summary,
        changes: AmendmentChanges {
            scopes_added: checks::scopes(&changes.scopes_added),
            scopes_removed: checks::scopes(&changes.scopes_removed),
            parties_added: added,
            ..changes.clone()
        },
    };
    Ok((next, normalised))
}

/// Days from `today` until the agreement ends: negative once expired, `None` when open-ended or not in
/// force.
pub fn days_until_expiry(row: &AgreementRow, today: NaiveDate) -> Option<i64> {
    match row.status_on(today) {
        AgreementStatus::Active | AgreementStatus::Expired => {
            row.effective_until.map(|until| (until - today).num_days())
        }
        _ => None,
    }
}
