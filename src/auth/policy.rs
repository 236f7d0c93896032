//! The authorisation policy: the table of SPEC section 4, in one place. Handlers describe what they are
//! about to do as an [`Action`] (with the organizations it concerns) and ask [`authorize`]; no handler
//! decides on its own.

use crate::auth::{AuthUser, Role};
use crate::db::Id;
use crate::error::AppError;

/// Something a user wants to do, with the organizations that decide whether their organization may.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Read the registry, agreements, activities, outcomes, coverage and reports.
    Read,
    /// Read a `restricted` agreement (and what hangs off it) whose parties are these.
    ReadRestricted { parties: &'a [Id] },
    /// Read user accounts.
    ReadUsers,
    /// Create or change user accounts.
    ManageUsers,
    /// Create or edit organizations, regulations and regions.
    EditRegistry,
    /// Create or edit a contact of this organization.
    EditContact { organization: Id },
    /// Create or edit an agreement, or amend it, with these parties.
    EditAgreement { parties: &'a [Id] },
    /// Add or edit a commitment under an agreement with these parties.
    EditCommitment { parties: &'a [Id] },
    /// Report progress on a commitment of an agreement with these parties, carried out by `responsible`.
    ReportCommitment { parties: &'a [Id], responsible: Id },
    /// Log or edit an activity (or its action items) that these organizations organise or take part in.
    LogActivity { involved: &'a [Id] },
    /// Record an outcome credited to this organization.
    RecordOutcome { credited: Id },
    /// Record coverage targets and realisation.
    RecordCoverage,
    /// Read the audit trail and verify it.
    ReadAudit,
}

/// Whether the user may do `action`.
pub fn allows(user: &AuthUser, action: Action<'_>) -> bool {
    use Role::*;
    let role = user.role;
    match action {
        Action::Read => true,
        Action::ReadRestricted { parties } => matches!(role, Admin | Auditor) || user.acts_for_any(parties),
        Action::ReadUsers => matches!(role, Admin | Auditor),
        Action::ManageUsers => role == Admin,
        Action::EditRegistry => matches!(role, Admin | BpjsStaff | OpdStaff),
        Action::EditContact { organization } => match role {
            Admin | BpjsStaff | OpdStaff => true,
            PartnerStaff => user.organization_id == Some(organization),
            Auditor => false,
        },
        Action::EditAgreement { parties } | Action::EditCommitment { parties } => match role {
            Admin => true,
            BpjsStaff | OpdStaff => user.acts_for_any(parties),
            PartnerStaff | Auditor => false,
        },
        Action::ReportCommitment { parties, responsible } => match role {
            Admin => true,
            BpjsStaff | OpdStaff => user.acts_for_any(parties),
            PartnerStaff => user.acts_for(responsible),
            Auditor => false,
        },
        Action::LogActivity { involved } => match role {
            Admin => true,
            BpjsStaff | OpdStaff | PartnerStaff => user.acts_for_any(involved),
            Auditor => false,
        },
        Action::RecordOutcome { credited } => match role {
            Admin | BpjsStaff => true,
            OpdStaff | PartnerStaff => user.organization_id == Some(credited),
            Auditor => false,
        },
        Action::RecordCoverage => matches!(role, Admin | BpjsStaff),
        Action::ReadAudit => matches!(role, Admin | Auditor),
    }
}

/// `Ok` when the user may do `action`, 403 otherwise.
pub fn authorize(user: &AuthUser, action: Action<'_>) -> Result<(), AppError> {
    if allows(user, action) { Ok(()) } else { Err(AppError::forbidden()) }
}

/// Whether the user may see a record that may be restricted: `None` means it is not restricted.
pub fn can_see(user: &AuthUser, restricted_parties: Option<&[Id]>) -> bool {
    match restricted_parties {
        None => true,
        Some(parties) => allows(user, Action::ReadRestricted { parties }),
    }
}
