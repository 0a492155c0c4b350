//! `gazette lookup NAME`: the gazetteer's candidates for a name, most likely first, as a
//! table or a JSON array.

use std::io::Write;

use crate::gazetteer::Gazetteer;
use crate::geoparse;

/// Print up to `limit` candidates for `name`.
pub(crate) fn run(g: &Gazetteer, name: &str, limit: usize, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let hits = geoparse::lookup(g, name, limit);
    if json {
        let arr: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                let m = g.meta(h.place);
                serde_json::json!({
                    "geonameid": m.geonameid(),
                    "name": g.name(h.place),
                    "country_code": m.country_code(),
                    "feature_code": m.feature_code,
                    "admin1": g.admin1_place(h.place).map(|a| g.name(a).to_string()),
                    "population": m.population,
                    "lat": m.lat,
                    "lon": m.lon,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &arr)?;
        out.write_all(b"\n")?;
    } else if hits.is_empty() {
        writeln!(out, "no place named {name:?}")?;
    } else {
        for h in hits {
            let m = g.meta(h.place);
            writeln!(
                out,
                "{:>10}  {:<28} {:<2} {:<5} {:>10}  {:>9.5} {:>10.5}",
                m.geonameid().map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                g.name(h.place),
                m.country_code(),
                m.feature_code,
                m.population,
                m.lat,
                m.lon
            )?;
        }
    }
    Ok(())
}
