//! Region types.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::regions;

crate::str_enum! {
    /// The level of a region.
    pub enum RegionKind {
        Province => "province",
        Regency => "regency",
        City => "city",
    }
}

/// A province, regency (kabupaten) or city (kota).
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = regions)]
pub struct Region {
    /// Kemendagri/BPS code: `13` West Sumatra, `1371` Kota Padang.
    #[schema(example = "1371")]
    pub code: String,
    #[schema(example = "Padang")]
    pub name: String,
    pub kind: RegionKind,
    #[schema(example = "13")]
    pub parent_code: Option<String>,
}

/// Filters of the region list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionFilter {
    pub kind: Option<RegionKind>,
    /// Only the regions directly under this one.
    pub parent_code: Option<String>,
}
