//! The cross-cutting reports: agreements, coverage (with an SVG chart), the collaboration network and
//! follow-ups. Each answers JSON, or CSV with `Accept: text/csv`, and leaves out what hangs off
//! restricted agreements the caller may not read.

pub mod agreements;
pub mod collaboration;
pub mod coverage;
pub mod follow_ups;
pub mod routes;
pub mod svg;

use std::collections::HashMap;

use diesel::prelude::*;

pub use routes::configure;

use crate::activities::model::{ActivityFilter, ActivityRecord};
use crate::agreements::model::{AgreementFilter, AgreementRecord};
use crate::agreements::visibility::Visibility;
use crate::db::schema::organizations;
use crate::db::{DbConnection, Id};
use crate::error::AppError;

/// What the caller may see: the agreements (restricted ones only for their parties, auditors and
/// administrators) and the activities not under a hidden agreement.
pub struct Visible {
    pub agreements: Vec<AgreementRecord>,
    pub activities: Vec<ActivityRecord>,
    pub hidden: Vec<Id>,
}

impl Visible {
    pub fn load(
        conn: &mut DbConnection,
        visibility: &Visibility,
        today: chrono::NaiveDate,
    ) -> Result<Visible, AppError> {
        let agreements = crate::agreements::repo::list(
            conn,
            &AgreementFilter::default(),
            visibility,
            today,
            None,
            i64::MAX,
        )?;
        let hidden = crate::agreements::visibility::hidden(conn, visibility)?;
        let activities =
            crate::activities::repo::list(conn, &ActivityFilter::default(), &hidden, None, i64::MAX)?;
        Ok(Visible { agreements, activities, hidden })
    }
}

/// Every organization's name by id.
pub fn organization_names(conn: &mut DbConnection) -> Result<HashMap<Id, String>, AppError> {
    let rows: Vec<(Id, String)> =
        organizations::table.select((organizations::id, organizations::name)).load(conn)?;
    Ok(rows.into_iter().collect())
}
