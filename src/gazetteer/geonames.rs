//! Reader for a user's own GeoNames dump (`--gazetteer PATH`).
//!
//! Takes the 19-column format of `allCountries.txt`, `cities500.txt` and `XX.txt`
//! (geonameid, name, asciiname, alternatenames, latitude, longitude, feature class,
//! feature code, country code, cc2, admin1..admin4, population, elevation, dem,
//! timezone, modification date) and, when they sit beside it, `alternateNamesV2.txt`
//! (for each name's language) and `admin1CodesASCII.txt` (for admin1 names). It converts
//! them to the places TSV that [`super::index::build`] indexes, so a dump and the
//! embedded data behave the same way.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::Error;

/// Language codes in `alternateNamesV2.txt` that are not names people write.
const NOT_NAMES: &[&str] = &["link", "wkdt", "post", "iata", "icao", "faac", "abbr", "fr_1793", "unlc", "tcid"];

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read(path)
        .map_err(|source| Error::Io { path: path.to_owned(), source })
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Convert a GeoNames dump (and its optional neighbours) to the places TSV. One pass
/// over the dump's rows, each checked and written as it is read: long, but a straight line.
pub fn to_places_tsv(path: &Path) -> Result<String, Error> {
    let main = read(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let bad = |line: usize, message: String| Error::Gazetteer {
        path: path.to_owned(),
        message: format!("line {line}: {message}"),
    };

    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (i, line) in main.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 15 {
            return Err(bad(i + 1, format!("expected 19 GeoNames columns, found {}", f.len())));
        }
        let id: u32 = f[0].parse().map_err(|_| bad(i + 1, format!("bad geonameid {:?}", f[0])))?;
        for (col, what) in [(4, "latitude"), (5, "longitude")] {
            f[col].parse::<f64>().map_err(|_| bad(i + 1, format!("bad {what} {:?}", f[col])))?;
        }
        let mut names: Vec<String> = Vec::new();
        for n in f[3].split(',').filter(|n| !n.is_empty() && !n.contains('|')) {
            names.push(format!(":{n}"));
        }
        rows.insert(
            id,
            vec![
                f[0].into(),
                f[1].into(),
                f[2].into(),
                f[4].into(),
                f[5].into(),
                f[6].into(),
                f[7].into(),
                f[8].into(),
                f[10].into(),
                f.get(11).unwrap_or(&"").to_string(),
                f[14].into(),
                names.join("|"),
                "geonames".into(),
            ],
        );
    }

    // alternateNamesV2: id, geonameid, isolanguage, name, preferred, short, colloquial, historic...
    let alt = dir.join("alternateNamesV2.txt");
    if alt.exists() {
        let text = read(&alt)?;
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 4 || NOT_NAMES.contains(&f[2]) || f[3].contains('|') {
                continue;
            }
            let historic = f.get(7).is_some_and(|h| *h == "1");
            let Ok(id) = f[1].parse::<u32>() else { continue };
            if let Some(row) = rows.get_mut(&id) {
                if historic {
                    continue;
                }
                let entry = format!("{}:{}", f[2], f[3]);
                let bare = format!(":{}", f[3]);
                // replace an untagged copy of the same name by the tagged one
                let mut names: Vec<String> =
                    row[11].split('|').filter(|n| !n.is_empty() && *n != bare).map(String::from).collect();
                if !names.contains(&entry) {
                    names.push(entry);
                }
                row[11] = names.join("|");
            }
        }
    }

    let mut out = super::index::COLUMNS.join("\t");
    out.push('\n');
    for row in rows.values() {
        out.push_str(&row.join("\t"));
        out.push('\n');
    }
    Ok(out)
}
