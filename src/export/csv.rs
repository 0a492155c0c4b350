//! CSV writer with `latitude`, `longitude` and `WKT` columns, and the `.csvt` sidecar that
//! tells QGIS (GDAL's CSV driver) each column's type.

use std::io::Write;

use serde_json::Value;

use super::{feature_places, property_map, round6, ArticleKey};
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

/// One event's rows, appended to `buf`.
pub fn event_rows(buf: &mut Vec<u8>, e: &Event, key: ArticleKey, demonyms: bool) -> std::io::Result<()> {
    records(buf, |out| {
        for p in feature_places(e, demonyms) {
            let props = property_map(e, p, key);
            let (lat, lon) = (round6(p.lat), round6(p.lon));
            let mut row = vec![lat.to_string(), lon.to_string(), format!("POINT ({lon} {lat})")];
            for (col, kind) in COLUMNS {
                let cell = match (*col, props.get(*col)) {
                    ("id", _) => super::feature_id(e, p),
                    (_, Some(Value::String(s))) => s.clone(),
                    (_, Some(Value::Bool(b))) => (if *b { "1" } else { "0" }).to_string(),
                    (_, Some(Value::Null)) | (_, None) => String::new(),
                    (_, Some(v)) => v.to_string(),
                };
                row.push(if *kind == "String" { defuse(cell) } else { cell });
            }
            out.write_record(&row)?;
        }
        Ok(())
    })
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
