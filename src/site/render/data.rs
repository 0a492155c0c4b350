//! `data/events.json` (and `data/events.js`), the columnar data the index page's map and
//! timeline read, and the downloads: `events.geojson`, `events.csv` and its sidecars.
//! See the module docs of [`super`] for the columns.

use serde::Serialize;

use super::Emit;
use crate::config::FileFormat;
use crate::error::Result;
use crate::event::Event;
use crate::export::ArticleKey;
use crate::site::view::SiteView;
use std::path::Path;

#[derive(Serialize)]
struct Columns<'a> {
    version: u32,
    granularity: crate::site::config::Granularity,
    bins: BinColumns<'a>,
    events: EventColumns<'a>,
    places: PlaceColumns<'a>,
    points: PointColumns,
    tags: TermColumns<'a>,
    sources: TermColumns<'a>,
}

#[derive(Serialize)]
struct TermColumns<'a> {
    slug: Vec<&'a str>,
    name: Vec<&'a str>,
}

impl<'a> TermColumns<'a> {
    fn of(terms: &'a crate::site::view::Terms<'a>) -> TermColumns<'a> {
        TermColumns {
            slug: terms.items.iter().map(|t| t.slug.as_str()).collect(),
            name: terms.items.iter().map(|t| t.name).collect(),
        }
    }
}

#[derive(Serialize)]
struct BinColumns<'a> {
    start: Vec<&'a str>,
    end: Vec<&'a str>,
    count: Vec<usize>,
}

#[derive(Serialize)]
struct EventColumns<'a> {
    slug: Vec<&'a str>,
    title: Vec<&'a str>,
    date: Vec<Option<&'a str>>,
    lang: Vec<&'a str>,
    bin: Vec<Option<usize>>,
    /// How many of `points` (which come in event order) are this event's.
    points: Vec<usize>,
    /// Its tags, as indices into `tags`.
    tags: Vec<&'a [usize]>,
    /// Its source, as an index into `sources`.
    source: Vec<Option<usize>>,
}

#[derive(Serialize)]
struct PlaceColumns<'a> {
    slug: Vec<&'a str>,
    name: Vec<&'a str>,
    lat: Vec<f64>,
    lon: Vec<f64>,
}

#[derive(Serialize)]
struct PointColumns {
    place: Vec<usize>,
}

/// The index page's data, columnar (see the module docs).
pub(super) fn data_json(v: &SiteView, granularity: crate::site::config::Granularity) -> String {
    let round = crate::export::round6;
    let cols = Columns {
        version: 3,
        granularity,
        bins: BinColumns {
            start: v.bins.iter().map(|b| b.start.as_str()).collect(),
            end: v.bins.iter().map(|b| b.end.as_str()).collect(),
            count: v.bins.iter().map(|b| b.count).collect(),
        },
        events: EventColumns {
            slug: v.items.iter().map(|i| i.slug).collect(),
            title: v.items.iter().map(|i| i.title).collect(),
            date: v.items.iter().map(|i| i.date).collect(),
            lang: v.items.iter().map(|i| i.lang).collect(),
            bin: v.items.iter().map(|i| i.bin).collect(),
            points: v.event_places.iter().map(Vec::len).collect(),
            tags: v.tags.of_event.iter().map(Vec::as_slice).collect(),
            source: v.sources.of_event.iter().map(|s| s.first().copied()).collect(),
        },
        places: PlaceColumns {
            slug: v.places.iter().map(|p| p.slug.as_str()).collect(),
            name: v.places.iter().map(|p| p.name).collect(),
            lat: v.places.iter().map(|p| round(p.lat)).collect(),
            lon: v.places.iter().map(|p| round(p.lon)).collect(),
        },
        points: PointColumns { place: v.event_places.iter().flatten().copied().collect() },
        tags: TermColumns::of(&v.tags),
        sources: TermColumns::of(&v.sources),
    };
    script_safe(serde_json::to_string(&cols).expect("plain data serialises"))
}

/// JSON that stays inert if a template inlines it in a `<script>` element: `<`, `>` and
/// `&` can only occur inside JSON strings, where `\u003c` means the same, so `</script>`
/// and `<!--` never appear; U+2028 and U+2029 are escaped for older JavaScript engines.
fn script_safe(json: String) -> String {
    if !json.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `events.geojson`, `events.csv` and its `.csvt` and `.prj` sidecars, and
/// `events.gpkg`, for QGIS. Returns the downloads' sizes, which the index page gives
/// beside their links.
pub(super) fn exports(events: &[Event], emit: &dyn Emit) -> Result<Sizes> {
    // a download written as it is made, and its size
    let streamed = |path: &str, write: &dyn Fn(&mut Counted) -> std::io::Result<()>| {
        let mut size = 0;
        emit.stream(Path::new(path), &mut |w| {
            let mut w = Counted { inner: w, bytes: 0 };
            write(&mut w)?;
            size = w.bytes;
            Ok(())
        })
        .map(|()| size)
    };
    let geojson = || {
        streamed("events.geojson", &|w| crate::export::geojson::write_collection(w, events, ArticleKey::Slug, false))
    };
    let csv = || streamed("events.csv", &|w| crate::export::csv::write(w, events, ArticleKey::Slug, false));
    // SQLite writes a file of its own: in a scratch folder, then copied into the site
    let gpkg = || {
        let scratch = std::env::temp_dir().join(format!("gazette-gpkg-{}-{:p}", std::process::id(), events));
        std::fs::create_dir_all(&scratch)
            .map_err(|source| crate::error::Error::Io { path: scratch.clone(), source })?;
        let file = scratch.join("events.gpkg");
        let copied = crate::export::write_file(FileFormat::GeoPackage, &file, events, ArticleKey::Slug, false)
            .and_then(|()| {
                let mut size = 0;
                emit.stream(Path::new("events.gpkg"), &mut |w| {
                    let mut r = std::fs::File::open(&file)?;
                    size = std::io::copy(&mut r, w)? as usize;
                    Ok(())
                })
                .map(|()| size)
            });
        let _ = std::fs::remove_dir_all(&scratch);
        copied
    };
    let (a, (b, c)) = rayon::join(geojson, || rayon::join(csv, gpkg));
    let sizes = Sizes { geojson: a?, csv: b?, gpkg: c? };
    emit.bytes(Path::new("events.csvt"), crate::export::csv::csvt().as_bytes())?;
    emit.bytes(Path::new("events.prj"), crate::export::csv::WGS84_PRJ.as_bytes())?;
    Ok(sizes)
}

/// The downloads' sizes in bytes, which the index page gives beside their links.
pub(super) struct Sizes {
    pub geojson: usize,
    pub csv: usize,
    pub gpkg: usize,
}

/// A writer that counts what goes through it.
struct Counted<'a> {
    inner: &'a mut dyn std::io::Write,
    bytes: usize,
}

impl std::io::Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A file size as a reader takes it in: `812 bytes`, `4.2 KB`, `38 KB`, `330 MB`
/// (decimal units, as file managers on most systems show them; one decimal below 10).
pub(super) fn human_size(bytes: usize) -> String {
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut v = bytes as f64;
    for unit in ["KB", "MB", "GB", "TB"] {
        v /= 1000.0;
        if v < 999.5 || unit == "TB" {
            return if v < 9.95 { format!("{v:.1} {unit}") } else { format!("{v:.0} {unit}") };
        }
    }
    unreachable!("the loop returns at TB")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_a_file_manager_shows_them() {
        for (bytes, want) in [
            (0, "0 bytes"),
            (999, "999 bytes"),
            (1000, "1.0 KB"),
            (4_240, "4.2 KB"),
            (9_949, "9.9 KB"),
            (9_950, "10 KB"),
            (38_400, "38 KB"),
            (999_499, "999 KB"),
            (999_500, "1.0 MB"),
            (330_000_000, "330 MB"),
            (1_800_000_000, "1.8 GB"),
        ] {
            assert_eq!(human_size(bytes), want, "{bytes}");
        }
    }

    #[test]
    fn data_json_cannot_close_a_script_element() {
        let json = serde_json::to_string(&["</script><!-- & \u{2028}", "a\\<b"]).unwrap();
        let safe = script_safe(json.clone());
        assert_eq!(safe, r#"["\u003c/script\u003e\u003c!-- \u0026 \u2028","a\\\u003cb"]"#);
        let back: Vec<String> = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, serde_json::from_str::<Vec<String>>(&json).unwrap());
    }
}
