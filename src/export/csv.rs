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
/// as with the other formats); the csv crate's own errors cannot happen with these
/// fixed-width records, and would read as I/O errors too.
pub fn write(w: impl Write, events: &[Event], key: ArticleKey, demonyms: bool) -> std::io::Result<()> {
    write_records(w, events, key, demonyms).map_err(|e| match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    })
}

fn write_records(w: impl Write, events: &[Event], key: ArticleKey, demonyms: bool) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let mut header = vec!["latitude", "longitude", "WKT"];
    header.extend(COLUMNS.iter().map(|c| c.0));
    out.write_record(&header)?;
    for e in events {
        for p in feature_places(e, demonyms) {
            let props = property_map(e, p, key);
            let (lat, lon) = (round6(p.lat), round6(p.lon));
            let mut row = vec![lat.to_string(), lon.to_string(), format!("POINT ({lon} {lat})")];
            for (col, _) in COLUMNS {
                let cell = match (*col, props.get(*col)) {
                    ("id", _) => super::feature_id(e, p),
                    (_, Some(Value::String(s))) => s.clone(),
                    (_, Some(Value::Bool(b))) => (if *b { "1" } else { "0" }).to_string(),
                    (_, Some(Value::Null)) | (_, None) => String::new(),
                    (_, Some(v)) => v.to_string(),
                };
                row.push(cell);
            }
            out.write_record(&row)?;
        }
    }
    out.flush()?;
    Ok(())
}
