//! CSV writer with `latitude`, `longitude` and `WKT` columns, and the `.csvt` sidecar that
//! tells QGIS (GDAL's CSV driver) each column's type.

use std::io::Write;

use std::borrow::Cow;

use super::{feature_places, properties_with, round6, ArticleFields, ArticleKey, Properties};
use crate::event::Event;

/// The `.prj` sidecar: WGS 84 (EPSG:4326), so GIS tools need not ask for the CRS.
pub const WGS84_PRJ: &str = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]\n";

/// Columns after the geometry ones, in order, with their `.csvt` types.
pub const COLUMNS: &[(&str, &str)] = &[
    ("id", "String"),
    ("event_date", "Date"),
    ("event_datetime", "String"),
    ("date", "String"),
    ("place", "String"),
    ("geonameid", "Integer"),
    ("country_code", "String"),
    ("admin1", "String"),
    ("feature_code", "String"),
    ("geo_precision", "Integer"),
    ("population", "Integer64"),
    ("mentions", "Integer"),
    ("matched", "String"),
    ("focus", "Integer(Boolean)"),
    ("confidence", "Real"),
    ("title", "String"),
    ("source", "String"),
    ("url", "String"),
    ("tags", "String"),
    ("lang", "String"),
    ("article", "String"),
    ("path", "String"),
];

/// The `.csvt` line for [`write()`]'s columns. Latitude and longitude are typed
/// `CoordY`/`CoordX`, so GDAL builds Point geometry from them; `WKT` stays a string.
pub fn csvt() -> String {
    let mut types = vec!["CoordY", "CoordX", "String"];
    types.extend(COLUMNS.iter().map(|c| c.1));
    types.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(",") + "\n"
}

/// Write the CSV. A failure is an I/O error (a reader that went away is a broken pipe,
/// as with the other formats).
pub fn write(mut w: impl Write, events: &[Event], key: ArticleKey, demonyms: bool) -> std::io::Result<()> {
    w.write_all(&head())?;
    let mut buf = Vec::new();
    for e in events {
        buf.clear();
        event_rows(&mut buf, e, key, demonyms)?;
        w.write_all(&buf)?;
    }
    w.flush()
}

/// The header row.
pub fn head() -> Vec<u8> {
    let mut header = vec!["latitude", "longitude", "WKT"];
    header.extend(COLUMNS.iter().map(|c| c.0));
    let mut buf = Vec::new();
    // writing to memory fails only if a record is malformed, and this one is fixed
    records(&mut buf, |out| out.write_record(&header)).expect("the header row is well-formed");
    buf
}

/// One event's rows, appended to `buf`. Each cell is what its GeoJSON property holds,
/// as text: a string as it is, a number as JSON writes it, a boolean as 1 or 0, and
/// nothing for null.
pub fn event_rows(buf: &mut Vec<u8>, e: &Event, key: ArticleKey, demonyms: bool) -> std::io::Result<()> {
    // the article's fields, once for all its rows
    let fields = ArticleFields::of(e, key);
    records(buf, |out| {
        let mut row: Vec<String> = Vec::with_capacity(3 + COLUMNS.len());
        for p in feature_places(e, demonyms) {
            let props = properties_with(p, fields.clone());
            let (lat, lon) = (round6(p.lat), round6(p.lon));
            row.clear();
            row.extend([lat.to_string(), lon.to_string(), format!("POINT ({lon} {lat})")]);
            for (col, kind) in COLUMNS {
                let cell = if *col == "id" { super::feature_id(e, p) } else { cell(&props, col) };
                row.push(if *kind == "String" { defuse(cell) } else { cell });
            }
            out.write_record(&row)?;
        }
        Ok(())
    })
}

/// Column `col`'s cell of a feature with properties `p` (every column but `id`).
fn cell(p: &Properties, col: &str) -> String {
    let text = |s: Option<&Cow<str>>| s.map_or_else(String::new, |s| s.to_string());
    let borrowed = |s: Option<&str>| s.unwrap_or_default().to_string();
    match col {
        "event_date" => text(p.event_date.as_ref()),
        "event_datetime" => text(p.event_datetime.as_ref()),
        "date" => text(p.date.as_ref()),
        "place" => p.place.to_string(),
        "geonameid" => p.geonameid.map_or_else(String::new, |n| n.to_string()),
        "country_code" => borrowed(p.country_code),
        "admin1" => borrowed(p.admin1),
        "feature_code" => p.feature_code.to_string(),
        "geo_precision" => p.geo_precision.to_string(),
        "population" => p.population.to_string(),
        "mentions" => p.mentions.to_string(),
        "matched" => p.matched.to_string(),
        "focus" => (if p.focus { "1" } else { "0" }).to_string(),
        // as JSON writes it (`1.0`, not `1`); JSON has no NaN, and null is no text
        "confidence" => serde_json::Number::from_f64(p.confidence).map_or_else(String::new, |n| n.to_string()),
        "title" => p.title.to_string(),
        "source" => text(p.source.as_ref()),
        "url" => text(p.url.as_ref()),
        "tags" => p.tags.to_string(),
        "lang" => p.lang.to_string(),
        "article" => p.article.to_string(),
        "path" => p.path.to_string(),
        _ => unreachable!("every CSV column is a property"),
    }
}

/// Run `write` on a CSV writer into `buf`; its errors become I/O errors (the csv
/// crate's own cannot happen with these fixed-width records).
fn records(
    buf: &mut Vec<u8>,
    write: impl FnOnce(&mut csv::Writer<&mut Vec<u8>>) -> csv::Result<()>,
) -> std::io::Result<()> {
    let mut out = csv::WriterBuilder::new().buffer_capacity(1 << 12).from_writer(buf);
    write(&mut out).and_then(|()| out.flush().map_err(csv::Error::from)).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    })
}

/// A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
/// `@`, a tab or a carriage return: `=HYPERLINK(...)`, `@SUM(...)`) gets a `'` in front,
/// as OWASP advises against CSV injection: Excel, LibreOffice and Google Sheets then show
/// it as text. Titles, sources, tags and file names come from whoever wrote the articles,
/// and `events.csv` is a public download.
fn defuse(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The rows as the GeoJSON properties give them, column by column: each cell is its
    /// property's JSON value as text, for every column, on real events.
    #[test]
    fn cells_are_the_geojson_properties() {
        let g = crate::gazetteer::Gazetteer::embedded();
        let lex = crate::geoparse::Lexicon::embedded();
        let text = "---\ntitle: =Floods in Kabul\ndate: 2021-08-15T10:30:00\nsource: Pajhwok\nurl: https://example.org/a\ntags: [floods, \"-aid\"]\n---\nFloods hit Kabul, Kandahar and Herat; the Afghan government asked for help.\n";
        let a = crate::article::parse("a.md", "a", text.to_string(), true).unwrap();
        let e = crate::event::from_article(g, lex, a, crate::geoparse::Options::all());
        assert!(e.places.len() >= 3, "{:?}", e.places);
        for key in [ArticleKey::Path, ArticleKey::Slug] {
            let mut buf = Vec::new();
            event_rows(&mut buf, &e, key, true).unwrap();
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&buf[..]);
            let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
            let places: Vec<_> = super::super::feature_places(&e, true).collect();
            assert_eq!(rows.len(), places.len());
            for (row, p) in rows.iter().zip(places) {
                let props = super::super::property_map(&e, p, key);
                for (k, (col, kind)) in COLUMNS.iter().enumerate() {
                    let want = match (*col, props.get(*col)) {
                        ("id", _) => super::super::feature_id(&e, p),
                        (_, Some(Value::String(s))) => s.clone(),
                        (_, Some(Value::Bool(b))) => (if *b { "1" } else { "0" }).to_string(),
                        (_, Some(Value::Null)) | (_, None) => String::new(),
                        (_, Some(v)) => v.to_string(),
                    };
                    let want = if *kind == "String" { defuse(want) } else { want };
                    assert_eq!(&row[3 + k], want, "{col}");
                }
            }
        }
    }

    #[test]
    fn confidence_is_written_as_json_writes_it() {
        for (x, want) in [(1.0, "1.0"), (0.5, "0.5"), (0.872, "0.872"), (0.0, "0.0"), (f64::NAN, "")] {
            let props = Properties { confidence: x, ..dummy() };
            assert_eq!(cell(&props, "confidence"), want);
        }
    }

    fn dummy() -> Properties<'static> {
        Properties {
            admin1: None,
            article: Cow::Borrowed("a"),
            confidence: 0.0,
            country_code: None,
            date: None,
            event_date: None,
            event_datetime: None,
            feature_code: "PPL",
            focus: false,
            geo_precision: 1,
            geonameid: None,
            lang: Cow::Borrowed("en"),
            matched: Cow::Borrowed("x"),
            mentions: 1,
            path: Cow::Borrowed("a.md"),
            place: "x",
            population: 0,
            source: None,
            tags: Cow::Borrowed(""),
            title: Cow::Borrowed("t"),
            url: None,
        }
    }

    #[test]
    fn formulas_are_defused_and_text_is_left_alone() {
        for (cell, want) in [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("Kabul = capital", "Kabul = capital"),
            ("", ""),
            ("قندهار", "قندهار"),
        ] {
            assert_eq!(defuse(cell.to_string()), want, "{cell:?}");
        }
    }
}
