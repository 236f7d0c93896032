//! `Accept: text/csv` on lists: one page of items as CSV (UTF-8, header row). Every list gets this
//! through [`crate::http::Page::respond`]; nothing to do per resource.
//!
//! Columns are the item's fields in declaration order (the serde names). Cells: text as is, numbers and
//! booleans in their JSON form, null as an empty cell, and nested values (arrays, objects) as compact JSON,
//! so that nothing is lost and a CSV reader can still parse them. A cell that starts with `=` or `@` gets
//! a leading `'` so that spreadsheets do not run it as a formula. An empty page has the header row only,
//! with the columns taken from the item's OpenAPI schema.

use actix_web::HttpRequest;
use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeStruct};
use serde_json::Value;
use utoipa::PartialSchema;
use utoipa::openapi::{RefOr, Schema};

use crate::auth::policy::Gated;
use crate::error::AppError;

pub const TEXT_CSV: &str = "text/csv; charset=utf-8";

/// A `text/csv` request body (at most 1 MiB, UTF-8), for imports; `G` names the kind of write it is for
/// (see [`crate::http::Json`]).
#[derive(Debug)]
pub struct CsvBody<G>(pub String, std::marker::PhantomData<G>);

impl<G: Gated + 'static> actix_web::FromRequest for CsvBody<G> {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let body = crate::http::json::read_gated_body(req, payload, G::GATE, |m| m == "text/csv", "text/csv");
        Box::pin(async move {
            let bytes = body.await?;
            let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::bad_request(crate::error::text(
                    "The CSV file is not UTF-8 text.",
                    "Berkas CSV bukan teks UTF-8.",
                ))
            })?;
            // A byte-order mark (spreadsheets write one) is not part of the first column's name.
            Ok(CsvBody(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string(), std::marker::PhantomData))
        })
    }
}

/// A report's answer: `json` as JSON, or `rows` as CSV when the client asks for `text/csv`.
pub fn respond<J: Serialize, R: Serialize + PartialSchema>(
    req: &HttpRequest,
    json: &J,
    rows: &[R],
) -> actix_web::HttpResponse {
    if wants_csv(req) {
        return match to_csv(rows) {
            Ok(body) => actix_web::HttpResponse::Ok().content_type(TEXT_CSV).body(body),
            Err(e) => actix_web::ResponseError::error_response(&e),
        };
    }
    actix_web::HttpResponse::Ok().json(json)
}

/// Whether the client prefers CSV to JSON (`Accept: text/csv`, possibly among others with q-values).
pub fn wants_csv(req: &HttpRequest) -> bool {
    crate::http::accept::prefers(req, "text/csv")
}

/// The CSV document for `items`.
pub fn to_csv<T: Serialize + PartialSchema>(items: &[T]) -> Result<Vec<u8>, AppError> {
    let rows = items.iter().map(row_of).collect::<Result<Vec<_>, _>>()?;
    let header: Vec<String> = match rows.first() {
        Some(first) => first.iter().map(|(k, _)| k.clone()).collect(),
        None => schema_columns::<T>(),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| AppError::internal(format!("CSV writing failed: {e}"));
    if !header.is_empty() {
        writer.write_record(&header).map_err(failed)?;
    }
    for row in rows {
        writer.write_record(row.iter().map(|(_, v)| cell(v))).map_err(failed)?;
    }
    writer.into_inner().map_err(|e| AppError::internal(format!("CSV writing failed: {e}")))
}

fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(_) | Value::Number(_) => return value.to_string(),
        Value::Array(_) | Value::Object(_) => value.to_string(),
    };
    if text.starts_with(['=', '@']) { format!("'{text}") } else { text }
}

fn schema_columns<T: PartialSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The fields of one item, in the order serde writes them.
fn row_of<T: Serialize>(item: &T) -> Result<Vec<(String, Value)>, AppError> {
    let mut row = Row(Vec::new());
    item.serialize(&mut row).map_err(|e| AppError::internal(format!("CSV row: {e}")))?;
    Ok(row.0)
}

#[derive(Debug)]
struct RowError(String);

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RowError {}

impl ser::Error for RowError {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        RowError(msg.to_string())
    }
}

/// A serializer that accepts only a struct or map at the top and keeps its fields in order; each field's
/// value becomes a `serde_json::Value`.
struct Row(Vec<(String, Value)>);

fn not_a_record<T>() -> Result<T, RowError> {
    Err(RowError("a CSV row must be a struct or a map".into()))
}

macro_rules! reject {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<(), RowError> { not_a_record() })*
    };
}

impl<'a> ser::Serializer for &'a mut Row {
    type Ok = ();
    type Error = RowError;
    type SerializeSeq = Impossible<(), RowError>;
    type SerializeTuple = Impossible<(), RowError>;
    type SerializeTupleStruct = Impossible<(), RowError>;
    type SerializeTupleVariant = Impossible<(), RowError>;
    type SerializeMap = RowMap<'a>;
    type SerializeStruct = &'a mut Row;
    type SerializeStructVariant = Impossible<(), RowError>;

    reject! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
        serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_str(&str);
        serialize_bytes(&[u8]); serialize_none(); serialize_unit(); serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), RowError> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), RowError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), RowError> {
        not_a_record()
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, RowError> {
        not_a_record()
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, RowError> {
        not_a_record()
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, RowError> {
        not_a_record()
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, RowError> {
        not_a_record()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, RowError> {
        Ok(RowMap { row: self, key: None })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, RowError> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, RowError> {
        not_a_record()
    }
}

impl SerializeStruct for &mut Row {
    type Ok = ();
    type Error = RowError;

    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), RowError> {
        let value = serde_json::to_value(value).map_err(|e| RowError(e.to_string()))?;
        self.0.push((key.to_string(), value));
        Ok(())
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), RowError> {
        // A skipped field (skip_serializing_if) still has its column.
        self.0.push((key.to_string(), Value::Null));
        Ok(())
    }

    fn end(self) -> Result<(), RowError> {
        Ok(())
    }
}

/// Maps (`#[serde(flatten)]` makes a struct a map): keys become column names.
struct RowMap<'a> {
    row: &'a mut Row,
    key: Option<String>,
}

impl SerializeMap for RowMap<'_> {
    type Ok = ();
    type Error = RowError;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), RowError> {
        let key = match serde_json::to_value(key).map_err(|e| RowError(e.to_string()))? {
            Value::String(s) => s,
            other => other.to_string(),
        };
        self.key = Some(key);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), RowError> {
        let key = self.key.take().unwrap_or_default();
        let value = serde_json::to_value(value).map_err(|e| RowError(e.to_string()))?;
        self.row.0.push((key, value));
        Ok(())
    }

    fn end(self) -> Result<(), RowError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, utoipa::ToSchema)]
    struct Item {
        name: String,
        count: i32,
        tags: Vec<String>,
        note: Option<String>,
    }

    #[test]
    fn columns_in_declaration_order_and_nested_values_as_json() {
        let items = vec![
            Item { name: "Dinas, Sosial".into(), count: 3, tags: vec!["a".into(), "b".into()], note: None },
            Item { name: "=1+1".into(), count: -1, tags: vec![], note: Some("é".into()) },
        ];
        let out = String::from_utf8(to_csv(&items).unwrap()).unwrap();
        assert_eq!(
            out,
            "name,count,tags,note\n\"Dinas, Sosial\",3,\"[\"\"a\"\",\"\"b\"\"]\",\n'=1+1,-1,[],é\n"
        );
    }

    #[test]
    fn an_empty_page_has_the_header_row() {
        let out = String::from_utf8(to_csv::<Item>(&[]).unwrap()).unwrap();
        assert_eq!(out.lines().count(), 1);
        assert!(out.contains("name") && out.contains("tags"));
    }
}
