//! GeoParquet 1.1: the events for Spark (Sedona), DuckDB, GeoPandas and BigQuery, one
//! row per event and place, with the GeoJSON export's fields as typed columns
//! (`event_date` a DATE), the point as WKB in `geometry`, and a `bbox` struct column that
//! the `geo` metadata names as its bounding-box covering, so that a reader can skip row
//! groups by their statistics without decoding a geometry.
//!
//! The file is written a batch at a time as events arrive (`extract` streams into it),
//! zstd-compressed, in row groups of [`ROW_GROUP`] rows. The `geo` metadata (version,
//! primary column, encoding, geometry types, CRS as PROJJSON, the file's bbox) goes in
//! the footer, once every point has been seen. Like the GeoPackage, it is written under
//! a temporary name and renamed over the target only when whole.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Date32Builder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::csv::COLUMNS;
use super::{feature_id, feature_places, properties_with, round6, ArticleFields, ArticleKey, Extent, Staged};
use crate::error::{Error, Result};
use crate::event::Event;

/// Rows per row group: large enough that a 100,000-event export is one or two groups
/// (Parquet readers work best on groups of 100k rows and up), small enough that the
/// writer holds little while it encodes one.
pub const ROW_GROUP: usize = 128 * 1024;

/// Rows gathered in Arrow builders before they go to the Parquet writer.
const BATCH: usize = 8192;

/// OGC:CRS84 (WGS 84, longitude then latitude) as PROJJSON, the `crs` of the geometry
/// column: what GeoParquet assumes when `crs` is absent, written out so that no reader
/// has to know that default. This is the definition PROJ's database gives (`projinfo
/// OGC:CRS84 -o PROJJSON`), with its ids, so that readers identify it by them.
const CRS84: &str = r#"{"$schema":"https://proj.org/schemas/v0.7/projjson.schema.json","type":"GeographicCRS","name":"WGS 84 (CRS84)","datum_ensemble":{"name":"World Geodetic System 1984 ensemble","members":[{"name":"World Geodetic System 1984 (Transit)","id":{"authority":"EPSG","code":1166}},{"name":"World Geodetic System 1984 (G730)","id":{"authority":"EPSG","code":1152}},{"name":"World Geodetic System 1984 (G873)","id":{"authority":"EPSG","code":1153}},{"name":"World Geodetic System 1984 (G1150)","id":{"authority":"EPSG","code":1154}},{"name":"World Geodetic System 1984 (G1674)","id":{"authority":"EPSG","code":1155}},{"name":"World Geodetic System 1984 (G1762)","id":{"authority":"EPSG","code":1156}},{"name":"World Geodetic System 1984 (G2139)","id":{"authority":"EPSG","code":1309}},{"name":"World Geodetic System 1984 (G2296)","id":{"authority":"EPSG","code":1383}}],"ellipsoid":{"name":"WGS 84","semi_major_axis":6378137,"inverse_flattening":298.257223563},"accuracy":"2.0","id":{"authority":"EPSG","code":6326}},"coordinate_system":{"subtype":"ellipsoidal","axis":[{"name":"Geodetic longitude","abbreviation":"Lon","direction":"east","unit":"degree"},{"name":"Geodetic latitude","abbreviation":"Lat","direction":"north","unit":"degree"}]},"scope":"Not known.","area":"World.","bbox":{"south_latitude":-90,"west_longitude":-180,"north_latitude":90,"east_longitude":180},"id":{"authority":"OGC","code":"CRS84"}}"#;

/// Columns that may be null: the rest are on every row.
const NULLABLE: &[&str] =
    &["event_date", "event_datetime", "date", "geonameid", "country_code", "admin1", "source", "url"];

/// The Arrow type of a `.csvt` column type.
fn arrow_type(csvt: &str) -> DataType {
    match csvt {
        "Date" => DataType::Date32,
        "Integer" => DataType::Int32,
        "Integer64" => DataType::Int64,
        "Integer(Boolean)" => DataType::Boolean,
        "Real" => DataType::Float64,
        _ => DataType::Utf8,
    }
}

/// The fields of the `bbox` covering column.
fn bbox_fields() -> Fields {
    ["xmin", "ymin", "xmax", "ymax"].into_iter().map(|n| Field::new(n, DataType::Float64, false)).collect()
}

/// The file's schema: the export's columns in their CSV order, then `geometry` and `bbox`.
pub fn schema() -> SchemaRef {
    let mut fields: Vec<Field> =
        COLUMNS.iter().map(|&(name, kind)| Field::new(name, arrow_type(kind), NULLABLE.contains(&name))).collect();
    fields.push(Field::new("geometry", DataType::Binary, false));
    fields.push(Field::new("bbox", DataType::Struct(bbox_fields()), false));
    Arc::new(Schema::new(fields))
}

/// A point as little-endian WKB.
fn wkb_point(lon: f64, lat: f64) -> [u8; 21] {
    let mut b = [0u8; 21];
    b[0] = 1;
    b[1..5].copy_from_slice(&1u32.to_le_bytes());
    b[5..13].copy_from_slice(&lon.to_le_bytes());
    b[13..21].copy_from_slice(&lat.to_le_bytes());
    b
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (what Arrow's Date32 holds).
fn days(date: &str) -> Option<i32> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    i32::try_from(d.signed_duration_since(chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days()).ok()
}

/// The rows not yet handed to the Parquet writer, one builder per column.
#[derive(Default)]
struct Rows {
    len: usize,
    id: StringBuilder,
    event_date: Date32Builder,
    event_datetime: StringBuilder,
    date: StringBuilder,
    place: StringBuilder,
    geonameid: Int32Builder,
    country_code: StringBuilder,
    admin1: StringBuilder,
    feature_code: StringBuilder,
    geo_precision: Int32Builder,
    population: Int64Builder,
    mentions: Int32Builder,
    matched: StringBuilder,
    focus: BooleanBuilder,
    confidence: Float64Builder,
    title: StringBuilder,
    source: StringBuilder,
    url: StringBuilder,
    tags: StringBuilder,
    lang: StringBuilder,
    article: StringBuilder,
    path: StringBuilder,
    geometry: BinaryBuilder,
    lon: Vec<f64>,
    lat: Vec<f64>,
}

impl Rows {
    /// Add one event's features.
    fn add(&mut self, e: &Event, key: ArticleKey, demonyms: bool, extent: &mut Extent) {
        let fields = ArticleFields::of(e, key);
        for p in feature_places(e, demonyms) {
            let f = properties_with(p, fields.clone());
            let (lon, lat) = (round6(p.lon), round6(p.lat));
            extent.add(lon, lat);
            self.id.append_value(feature_id(e, p));
            self.event_date.append_option(f.event_date.as_deref().and_then(days));
            self.event_datetime.append_option(f.event_datetime.as_deref());
            self.date.append_option(f.date.as_deref());
            self.place.append_value(f.place);
            self.geonameid.append_option(f.geonameid.and_then(|id| i32::try_from(id).ok()));
            self.country_code.append_option(f.country_code);
            self.admin1.append_option(f.admin1);
            self.feature_code.append_value(f.feature_code);
            self.geo_precision.append_value(i32::from(f.geo_precision));
            self.population.append_value(i64::try_from(f.population).unwrap_or(i64::MAX));
            self.mentions.append_value(i32::try_from(f.mentions).unwrap_or(i32::MAX));
            self.matched.append_value(&f.matched);
            self.focus.append_value(f.focus);
            self.confidence.append_value(f.confidence);
            self.title.append_value(&f.title);
            self.source.append_option(f.source.as_deref());
            self.url.append_option(f.url.as_deref());
            self.tags.append_value(&f.tags);
            self.lang.append_value(&f.lang);
            self.article.append_value(&f.article);
            self.path.append_value(&f.path);
            self.geometry.append_value(wkb_point(lon, lat));
            self.lon.push(lon);
            self.lat.push(lat);
            self.len += 1;
        }
    }

    /// The rows as a record batch of `schema`, leaving the builders empty.
    fn take(&mut self, schema: &SchemaRef) -> std::result::Result<RecordBatch, arrow_schema::ArrowError> {
        let (lon, lat) = (std::mem::take(&mut self.lon), std::mem::take(&mut self.lat));
        let (x, y): (ArrayRef, ArrayRef) = (Arc::new(Float64Array::from(lon)), Arc::new(Float64Array::from(lat)));
        let bbox = StructArray::new(bbox_fields(), vec![x.clone(), y.clone(), x, y], None);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.event_date.finish()),
            Arc::new(self.event_datetime.finish()),
            Arc::new(self.date.finish()),
            Arc::new(self.place.finish()),
            Arc::new(self.geonameid.finish()),
            Arc::new(self.country_code.finish()),
            Arc::new(self.admin1.finish()),
            Arc::new(self.feature_code.finish()),
            Arc::new(self.geo_precision.finish()),
            Arc::new(self.population.finish()),
            Arc::new(self.mentions.finish()),
            Arc::new(self.matched.finish()),
            Arc::new(self.focus.finish()),
            Arc::new(self.confidence.finish()),
            Arc::new(self.title.finish()),
            Arc::new(self.source.finish()),
            Arc::new(self.url.finish()),
            Arc::new(self.tags.finish()),
            Arc::new(self.lang.finish()),
            Arc::new(self.article.finish()),
            Arc::new(self.path.finish()),
            Arc::new(self.geometry.finish()),
            Arc::new(bbox),
        ];
        self.len = 0;
        RecordBatch::try_new(schema.clone(), columns)
    }
}

/// A GeoParquet file being written: create it, [`Writer::add`] events, then
/// [`Writer::finish`]; dropped before that, it leaves nothing behind.
pub struct Writer {
    file: Staged,
    parquet: ArrowWriter<File>,
    schema: SchemaRef,
    rows: Rows,
    extent: Extent,
    key: ArticleKey,
    demonyms: bool,
}

impl Writer {
    /// Start a GeoParquet file that will replace `path`.
    pub fn create(path: &Path, key: ArticleKey, demonyms: bool) -> Result<Writer> {
        let file = Staged::new(path);
        let io = |e: std::io::Error| Error::Io { path: path.to_owned(), source: e };
        let out = File::create(&file.tmp).map_err(io)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(3).map_err(|e| io(std::io::Error::other(e)))?))
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .set_created_by(format!("gazette {}", env!("CARGO_PKG_VERSION")))
            .build();
        let schema = schema();
        let parquet = ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(|e| failed(path, e))?;
        Ok(Writer { file, parquet, schema, rows: Rows::default(), extent: Extent::new(), key, demonyms })
    }

    /// Add one event's features.
    pub fn add(&mut self, e: &Event) -> Result<()> {
        self.rows.add(e, self.key, self.demonyms, &mut self.extent);
        if self.rows.len >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        let path = self.file.target().to_owned();
        let batch = self.rows.take(&self.schema).map_err(|e| failed(&path, e))?;
        self.parquet.write(&batch).map_err(|e| failed(&path, e))
    }

    /// Write the last rows and the `geo` metadata, and put the file in place.
    pub fn finish(mut self) -> Result<()> {
        if self.rows.len > 0 {
            self.flush()?;
        }
        let path = self.file.target().to_owned();
        self.parquet.append_key_value_metadata(KeyValue::new("geo".to_string(), geo_metadata(self.extent)));
        self.parquet.close().map_err(|e| failed(&path, e))?;
        self.file.commit()
    }
}

/// A Parquet or Arrow failure, as an I/O error on the target.
fn failed(path: &Path, e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Io { path: path.to_owned(), source: std::io::Error::other(e) }
}

/// The `geo` key of the footer: GeoParquet 1.1's file metadata.
fn geo_metadata(extent: Extent) -> String {
    let mut column = serde_json::json!({
        "encoding": "WKB",
        "geometry_types": ["Point"],
        "crs": serde_json::from_str::<serde_json::Value>(CRS84).unwrap_or_default(),
        "covering": {"bbox": {
            "xmin": ["bbox", "xmin"], "ymin": ["bbox", "ymin"],
            "xmax": ["bbox", "xmax"], "ymax": ["bbox", "ymax"],
        }},
    });
    if let Some(b) = extent.finite() {
        column["bbox"] = serde_json::json!(b);
    }
    serde_json::json!({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": column},
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wkb_point_is_little_endian_type_1_then_x_y() {
        let b = wkb_point(69.172, 34.528);
        assert_eq!(b[0], 1);
        assert_eq!(u32::from_le_bytes(b[1..5].try_into().unwrap()), 1);
        assert_eq!(f64::from_le_bytes(b[5..13].try_into().unwrap()), 69.172);
        assert_eq!(f64::from_le_bytes(b[13..21].try_into().unwrap()), 34.528);
    }

    #[test]
    fn dates_are_days_since_1970() {
        for (date, want) in [
            ("1970-01-01", Some(0)),
            ("1970-01-02", Some(1)),
            ("1969-12-31", Some(-1)),
            ("2021-08-15", Some(18854)),
            ("2021-02-30", None),
            ("15/08/2021", None),
        ] {
            assert_eq!(days(date), want, "{date}");
        }
    }

    #[test]
    fn the_schema_is_the_csv_columns_typed_then_geometry_and_bbox() {
        let s = schema();
        let names: Vec<&str> = s.fields().iter().map(|f| f.name().as_str()).collect();
        let mut want: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        want.extend(["geometry", "bbox"]);
        assert_eq!(names, want);
        for (name, t, nullable) in [
            ("event_date", DataType::Date32, true),
            ("geonameid", DataType::Int32, true),
            ("population", DataType::Int64, false),
            ("focus", DataType::Boolean, false),
            ("confidence", DataType::Float64, false),
            ("title", DataType::Utf8, false),
            ("url", DataType::Utf8, true),
            ("geometry", DataType::Binary, false),
        ] {
            let f = s.field_with_name(name).unwrap();
            assert_eq!((f.data_type(), f.is_nullable()), (&t, nullable), "{name}");
        }
        assert!(NULLABLE.iter().all(|n| COLUMNS.iter().any(|c| c.0 == *n)), "a nullable column that is not a column");
    }

    #[test]
    fn the_geo_metadata_names_the_covering_and_the_crs() {
        let mut e = Extent::new();
        e.add(69.2, 34.5);
        e.add(65.7, 31.6);
        let m: serde_json::Value = serde_json::from_str(&geo_metadata(e)).unwrap();
        assert_eq!(m["version"], "1.1.0");
        let g = &m["columns"]["geometry"];
        assert_eq!(g["encoding"], "WKB");
        assert_eq!(g["bbox"], serde_json::json!([65.7, 31.6, 69.2, 34.5]));
        assert_eq!(g["covering"]["bbox"]["xmin"], serde_json::json!(["bbox", "xmin"]));
        assert_eq!(g["crs"]["id"]["code"], "CRS84");
        // no points: no bbox, and still valid JSON
        let m: serde_json::Value = serde_json::from_str(&geo_metadata(Extent::new())).unwrap();
        assert!(m["columns"]["geometry"].get("bbox").is_none());
    }
}
