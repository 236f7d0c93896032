//! The authorisation policy: the table of docs/roles.md, in one place. Handlers describe what they are
//! about to do as an [`Action`] (with the organizations it concerns) and ask [`authorize`]; no handler
//! decides on its own.

use crate::auth::{AuthUser, Role};
use crate::db::Id;
use crate::error::AppError;

/// Something a user wants to do, with the organizations that decide whether their organization may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Finalise the minutes of an activity this organization organises, or append a correction to them.
    FinaliseMinutes { organizer: Id },
    /// Record an outcome credited to this organization.
    RecordOutcome { credited: Id },
    /// Record coverage targets and realisation.
    RecordCoverage,
    /// Read the audit trail and verify it.
    ReadAudit,
    /// Change how the system itself works for everyone: the reminder rules, the webhook endpoints.
    Configure,
}

/// Whose organizations a decision is about: the caller's, or (for [`may_ever`]) any at all.
trait Membership {
    /// The user's organization or one above it is among `orgs`.
    fn acts_for_any(&self, orgs: &[Id]) -> bool;
    /// `org` is the user's own organization.
    fn is_own(&self, org: Id) -> bool;
}

impl Membership for AuthUser {
    fn acts_for_any(&self, orgs: &[Id]) -> bool {
        AuthUser::acts_for_any(self, orgs)
    }

    fn is_own(&self, org: Id) -> bool {
        self.organization_id == Some(org)
    }
}

/// A user of some role who belongs to whichever organization the question is about.
struct AnyOrganization;

impl Membership for AnyOrganization {
    fn acts_for_any(&self, _: &[Id]) -> bool {
        true
    }

    fn is_own(&self, _: Id) -> bool {
        true
    }
}

/// Whether the user may do `action`.
pub fn allows(user: &AuthUser, action: Action<'_>) -> bool {
    decide(user.role, user, action)
}

/// The table itself.
fn decide(role: Role, user: &dyn Membership, action: Action<'_>) -> bool {
    use Role::*;
    match action {
        Action::Read => true,
        Action::ReadRestricted { parties } => matches!(role, Admin | Auditor) || user.acts_for_any(parties),
        Action::ReadUsers => matches!(role, Admin | Auditor),
        Action::ManageUsers => role == Admin,
        Action::EditRegistry => matches!(role, Admin | BpjsStaff | OpdStaff),
        Action::EditContact { organization } => match role {
            Admin | BpjsStaff | OpdStaff => true,
            PartnerStaff => user.is_own(organization),
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
            PartnerStaff => user.acts_for_any(&[responsible]),
            Auditor => false,
        },
        Action::LogActivity { involved } => match role {
            Admin => true,
            BpjsStaff | OpdStaff | PartnerStaff => user.acts_for_any(involved),
            Auditor => false,
        },
        Action::FinaliseMinutes { organizer } => match role {
            Admin => true,
            BpjsStaff | OpdStaff | PartnerStaff => user.acts_for_any(&[organizer]),
            Auditor => false,
        },
        Action::RecordOutcome { credited } => match role {
            Admin | BpjsStaff => true,
            OpdStaff | PartnerStaff => user.is_own(credited),
            Auditor => false,
        },
        Action::RecordCoverage => matches!(role, Admin | BpjsStaff),
        Action::ReadAudit => matches!(role, Admin | Auditor),
        Action::Configure => role == Admin,
    }
}

/// Whether a user of `role` may do `action` for some organization: false means never, whichever
/// organization the user belongs to.
pub fn may_ever(role: Role, action: Action<'_>) -> bool {
    decide(role, &AnyOrganization, action)
}

/// The kind of write a request body is for. A role that may never make it is refused (403) before the
/// body is read ([`crate::http::Json`]), so a refused user learns nothing from validation errors; the
/// service then decides for the organizations concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Any signed-in user, or no user at all (login): the service decides.
    Open,
    /// A write whose action is this one, for some organization.
    Write(Action<'static>),
}

impl Gate {
    /// `Ok` when a user of `role` could make this write for some organization, 403 otherwise.
    pub fn check(self, role: Role) -> Result<(), AppError> {
        match self {
            Gate::Write(action) if !may_ever(role, action) => Err(AppError::forbidden()),
            _ => Ok(()),
        }
    }
}

/// A request body, with the kind of write it is for.
pub trait Gated {
    const GATE: Gate;
}

/// `gate!(Action::X => NewThing, ThingPatch)` declares the bodies of one kind of write; `gate!(open =>
/// LoginRequest)` declares bodies that any caller may send.
#[macro_export]
macro_rules! gate {
    (open => $($body:ty),+ $(,)?) => {
        $(impl $crate::auth::policy::Gated for $body {
            const GATE: $crate::auth::policy::Gate = $crate::auth::policy::Gate::Open;
        })+
    };
    ($action:expr => $($body:ty),+ $(,)?) => {
        $(impl $crate::auth::policy::Gated for $body {
            const GATE: $crate::auth::policy::Gate = $crate::auth::policy::Gate::Write($action);
        })+
    };
}

/// `Ok` when the user's role may do `action` for some organization, 403 otherwise: the first check of
/// every write use case, before anything is loaded, so that a role that may never make the write learns
/// nothing about the record (not even whether it exists).
pub fn authorize_role(user: &AuthUser, action: Action<'_>) -> Result<(), AppError> {
    if may_ever(user.role, action) { Ok(()) } else { Err(AppError::forbidden()) }
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
