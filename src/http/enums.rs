//! `str_enum!`: an enumeration that travels as a lower-case snake_case string, in JSON, in query strings,
//! in the OpenAPI document and in the database, from ONE list of variants and their texts.
//!
//! ```text
//! crate::str_enum! {
//!     /// Whether an organization is in use.
//!     pub enum OrganizationStatus { Active => "active", Inactive => "inactive" }
//! }
//! ```
//! gives the enum with `Serialize`, `Deserialize` (an unknown value is a 422 naming the field through
//! [`crate::http::Json`]; in a query string, a 422 too), `ToSchema`, `as_str()`, `parse()`, `ALL`,
//! `Display`, and diesel's `Text` mapping: use the enum itself as a field of `Queryable`, `Insertable`
//! and `AsChangeset` structs and in filters (`things::kind.eq(kind)`).

#[macro_export]
macro_rules! str_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:tt),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as the API and the database spell it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $name::parse(&s).ok_or_else(|| format!("unknown {} value {s:?} in the database", stringify!($name)))
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value((diesel::sql_types::Text, self.as_str()));
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                out.set_value(self.as_str());
                Ok(diesel::serialize::IsNull::No)
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::MultiBackend> for $name {
            fn from_sql(
                bytes: <$crate::db::MultiBackend as diesel::backend::Backend>::RawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let text = bytes.from_sql::<String, diesel::sql_types::Text>()?;
                Ok($name::try_from(text)?)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_string()
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::str_enum! {
        enum Colour { DarkRed => "dark_red", Blue => "blue" }
    }

    #[test]
    fn json_database_and_parse_agree() {
        for c in Colour::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.as_str()));
            assert_eq!(Colour::parse(c.as_str()), Some(*c));
            assert_eq!(Colour::try_from(c.as_str().to_string()).unwrap(), *c);
        }
        assert!(serde_json::from_str::<Colour>("\"green\"").is_err());
        assert_eq!(Colour::DarkRed.to_string(), "dark_red");
    }
}
