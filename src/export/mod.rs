//! Exports: events as GeoJSON (RFC 7946), GeoJSON Lines and CSV, for QGIS and friends.
//!
//! One Point feature per (event, place), `[lon, lat]` at no more than 6 decimals, no `crs`
//! member. Properties are flat and typed, and every key is on every feature (`null` when
//! unknown), so that GDAL gives each field one type:
//!
//! | property | type | meaning |
//! | --- | --- | --- |
//! | `event_date` | date (`YYYY-MM-DD`) | the article's date; QGIS's Temporal Controller reads it |
//! | `event_datetime` | string (RFC 3339) | when front matter gave a time |
//! | `date` | string | `event_datetime`, else `event_date` |
//! | `place`, `geonameid` | string, integer | canonical name; GeoNames id (null for curated places) |
//! | `country_code`, `admin1`, `feature_code` | string | ISO 3166-1 alpha-2; first-level division name; GeoNames feature code |
//! | `geo_precision` | integer | ACLED-style: 1 town, 2 district, 3 province, 4 country |
//! | `population` | integer | from the gazetteer |
//! | `mentions` | integer | how often the article names the place |
//! | `matched` | string | the surface forms, `"; "`-joined |
//! | `focus` | boolean | the article's main place |
//! | `confidence` | real | 0–1, see [`crate::geoparse`] |
//! | `title`, `source`, `url`, `lang` | string | from front matter |
//! | `tags` | string | `";"`-joined |
//! | `article` | string | the article's slug (its input path in `extract`) |
//! | `path` | string | the input path |
//!
//! Each feature's `id` is `SLUG/GEONAMEID` (or `SLUG/NAME` for places without an id).

pub mod csv;
pub mod geojson;
pub mod geoparquet;
pub mod gpkg;
pub mod mentions;

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::config::{FileFormat, Format};
use crate::event::{Event, EventPlace};
use crate::gazetteer::Gazetteer;

/// Which name the `article` property carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleKey {
    /// The article's slug, unique within one run (`export`, the site's downloads).
    Slug,
    /// The input path as given (`extract`), or `corpus.jsonl#id` for a corpus record.
    Path,
}

/// An output written in pieces, whatever its format: a head, one chunk per event (made
/// on any thread, in any order, with [`Output::event`]), written in input order with
/// [`Output::parts`], and a tail. `extract` streams its inputs this way in bounded memory.
#[derive(Debug)]
pub struct Output {
    format: Format,
    key: ArticleKey,
    demonyms: bool,
    explain: bool,
    /// A FeatureCollection's first feature has been written (the next one needs a comma).
    started: bool,
}

impl Output {
    /// An output in `format`; `explain` adds candidates to mentions, `demonyms` writes
    /// countries named only by a demonym as features.
    pub fn new(format: Format, key: ArticleKey, demonyms: bool, explain: bool) -> Output {
        Output { format, key, demonyms, explain, started: false }
    }

    /// What the output starts with.
    pub fn head(&self) -> Vec<u8> {
        match self.format {
            Format::GeoJson => geojson::COLLECTION_HEAD.to_vec(),
            Format::Csv => csv::head(),
            Format::GeoJsonLines | Format::Mentions => Vec::new(),
        }
    }

    /// One event's chunk, appended to `buf`.
    pub fn event(&self, g: &Gazetteer, e: &Event, buf: &mut Vec<u8>) -> std::io::Result<()> {
        match self.format {
            Format::GeoJson => geojson::event_members(buf, e, self.key, self.demonyms).map_err(Into::into),
            Format::GeoJsonLines => geojson::event_lines(buf, e, self.key, self.demonyms).map_err(Into::into),
            Format::Csv => csv::event_rows(buf, e, self.key, self.demonyms),
            Format::Mentions => mentions::event_lines(g, buf, e, self.explain),
        }
    }

    /// The parts of some events' chunks to write next, in order.
    pub fn parts<'a>(&mut self, chunks: &[&'a [u8]]) -> Vec<&'a [u8]> {
        match self.format {
            Format::GeoJson => geojson::collection_chunks(chunks, &mut self.started),
            _ => chunks.iter().copied().filter(|c| !c.is_empty()).collect(),
        }
    }

    /// What the output ends with.
    pub fn tail(&self) -> &'static [u8] {
        match self.format {
            Format::GeoJson => geojson::COLLECTION_TAIL,
            _ => b"",
        }
    }
}

/// A file format's writer: GeoPackage or GeoParquet, given one event at a time and
/// put in place whole by [`FileWriter::finish`].
pub enum FileWriter {
    /// See [`gpkg`].
    GeoPackage(Box<gpkg::Writer>),
    /// See [`geoparquet`].
    GeoParquet(Box<geoparquet::Writer>),
}

impl FileWriter {
    /// Start a file in `format` that will replace `path`.
    pub fn create(format: FileFormat, path: &Path, key: ArticleKey, demonyms: bool) -> crate::error::Result<Self> {
        Ok(match format {
            FileFormat::GeoPackage => FileWriter::GeoPackage(Box::new(gpkg::Writer::create(path, key, demonyms)?)),
            FileFormat::GeoParquet => {
                FileWriter::GeoParquet(Box::new(geoparquet::Writer::create(path, key, demonyms)?))
            }
        })
    }

    /// Add one event's features.
    pub fn add(&mut self, e: &Event) -> crate::error::Result<()> {
        match self {
            FileWriter::GeoPackage(w) => w.add(e),
            FileWriter::GeoParquet(w) => w.add(e),
        }
    }

    /// Finish the file and put it in place.
    pub fn finish(self) -> crate::error::Result<()> {
        match self {
            FileWriter::GeoPackage(w) => w.finish(),
            FileWriter::GeoParquet(w) => w.finish(),
        }
    }
}

/// Write `events` in `format` at `path`, replacing it whole at the end.
pub fn write_file(
    format: FileFormat,
    path: &Path,
    events: &[Event],
    key: ArticleKey,
    demonyms: bool,
) -> crate::error::Result<()> {
    let mut w = FileWriter::create(format, path, key, demonyms)?;
    for e in events {
        w.add(e)?;
    }
    w.finish()
}

/// A file written under a temporary name beside its target (so on the same file
/// system) and renamed over the target by [`Staged::commit`] once whole. Dropped before
/// that, it removes the temporary file: an interrupted or failed export leaves the old
/// file, or none, never half of one.
#[derive(Debug)]
pub struct Staged {
    /// Where to write.
    pub tmp: PathBuf,
    target: PathBuf,
    done: bool,
}

impl Staged {
    /// A temporary name beside `target`, `.NAME.PID.tmp`. A process that was killed
    /// runs no destructor: the temporary files of earlier runs for the same target whose
    /// process is gone (Linux can tell, by `/proc`) are removed here.
    pub fn new(target: &Path) -> Staged {
        let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let own = std::process::id();
        let prefix = format!(".{name}.");
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let file = e.file_name();
            let pid = file.to_str().and_then(|f| f.strip_prefix(&prefix)?.strip_suffix(".tmp")?.parse::<u32>().ok());
            if pid.is_some_and(|pid| pid == own || gone(pid)) {
                let _ = std::fs::remove_file(e.path());
            }
        }
        Staged { tmp: dir.join(format!("{prefix}{own}.tmp")), target: target.to_owned(), done: false }
    }

    /// The file this one will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Put the file in place.
    pub fn commit(mut self) -> crate::error::Result<()> {
        std::fs::rename(&self.tmp, &self.target)
            .map_err(|source| crate::error::Error::Io { path: self.target.clone(), source })?;
        self.done = true;
        Ok(())
    }
}

/// Whether process `pid` is known to have ended: only Linux can tell (`/proc/PID`);
/// elsewhere a leftover file is kept rather than a running export's file removed.
fn gone(pid: u32) -> bool {
    cfg!(target_os = "linux") && Path::new("/proc/self").exists() && !Path::new("/proc").join(pid.to_string()).exists()
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// The extent of some points: (min lon, min lat, max lon, max lat).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Extent(pub [f64; 4]);

impl Extent {
    /// No points yet.
    pub fn new() -> Extent {
        Extent([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY])
    }

    /// Take in one point.
    pub fn add(&mut self, lon: f64, lat: f64) {
        let e = &mut self.0;
        *e = [e[0].min(lon), e[1].min(lat), e[2].max(lon), e[3].max(lat)];
    }

    /// The extent, once a point was added.
    pub fn finite(self) -> Option<[f64; 4]> {
        self.0.iter().all(|v| v.is_finite()).then_some(self.0)
    }
}

/// Round degrees to 6 decimals (about 0.1 m).
pub(crate) fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The places of an event that become features (demonym-only countries only on request).
pub(crate) fn feature_places(e: &Event, demonyms: bool) -> impl Iterator<Item = &EventPlace> {
    e.places.iter().filter(move |p| demonyms || !p.demonym_only)
}

/// A feature's stable id.
pub(crate) fn feature_id(e: &Event, p: &EventPlace) -> String {
    match p.geonameid {
        Some(id) => format!("{}/{}", e.article.slug, id),
        None => format!("{}/{}", e.article.slug, crate::article::slugify(&p.name)),
    }
}

/// The flat properties of one feature, every key present (`null` when unknown), in the
/// alphabetical order a JSON object map gives them: the GeoJSON writers write these
/// members in this order, without building a map per feature (and a test checks their
/// bytes against this struct's serialisation). `T` holds the article's fields, which every
/// feature of the article repeats: plain text, or JSON the writers escaped once per
/// article (see [`ArticleFields::escaped`]).
#[derive(Debug, serde::Serialize)]
pub(crate) struct Properties<'a, T = Cow<'a, str>> {
    pub admin1: Option<&'a str>,
    pub article: T,
    pub confidence: f64,
    pub country_code: Option<&'a str>,
    pub date: Option<T>,
    pub event_date: Option<T>,
    pub event_datetime: Option<T>,
    pub feature_code: &'a str,
    pub focus: bool,
    pub geo_precision: u8,
    pub geonameid: Option<u32>,
    pub lang: T,
    pub matched: Cow<'a, str>,
    pub mentions: usize,
    pub path: T,
    pub place: &'a str,
    pub population: u64,
    pub source: Option<T>,
    pub tags: T,
    pub title: T,
    pub url: Option<T>,
}

/// The properties that come from the article, the same on each of its features.
#[derive(Debug, Clone)]
pub(crate) struct ArticleFields<T> {
    pub article: T,
    pub date: Option<T>,
    pub event_date: Option<T>,
    pub event_datetime: Option<T>,
    pub lang: T,
    pub path: T,
    pub source: Option<T>,
    pub tags: T,
    pub title: T,
    pub url: Option<T>,
}

impl<'a> ArticleFields<Cow<'a, str>> {
    /// An event's article fields.
    pub fn of(e: &'a Event, key: ArticleKey) -> Self {
        let a = &e.article;
        let date = e.date.as_ref();
        let text = |s: &'a str| Cow::Borrowed(s);
        ArticleFields {
            article: text(match key {
                ArticleKey::Slug => &a.slug,
                ArticleKey::Path => &a.path,
            }),
            date: date.map(|d| text(d.datetime.as_deref().unwrap_or(&d.date))),
            event_date: date.map(|d| text(&d.date)),
            event_datetime: date.and_then(|d| d.datetime.as_deref()).map(text),
            lang: text(&a.lang),
            path: text(&a.path),
            source: a.source.as_deref().map(text),
            tags: Cow::Owned(a.tags.join(";")),
            title: text(&a.title),
            url: a.url.as_deref().map(text),
        }
    }

    /// The fields as JSON strings, escaped once for all of the article's features.
    pub fn escaped(&self) -> serde_json::Result<ArticleFields<Json>> {
        // as serde_json writes them: between quotes as they are, unless something needs escaping
        let raw = |s: &Cow<str>| {
            if geojson::has_escapes(s) {
                return serde_json::to_string(s).map(Json);
            }
            let mut j = String::with_capacity(s.len() + 2);
            j.push('"');
            j.push_str(s);
            j.push('"');
            Ok(Json(j))
        };
        let opt = |s: &Option<Cow<str>>| s.as_ref().map(raw).transpose();
        Ok(ArticleFields {
            article: raw(&self.article)?,
            date: opt(&self.date)?,
            event_date: opt(&self.event_date)?,
            event_datetime: opt(&self.event_datetime)?,
            lang: raw(&self.lang)?,
            path: raw(&self.path)?,
            source: opt(&self.source)?,
            tags: raw(&self.tags)?,
            title: raw(&self.title)?,
            url: opt(&self.url)?,
        })
    }
}

/// Text that is JSON already (a string serde_json escaped), written out as it is: no
/// `RawValue`, which parses its text again to check it.
pub struct Json(String);

impl Json {
    /// The JSON text.
    pub fn get(&self) -> &str {
        &self.0
    }
}

impl ArticleFields<Json> {
    /// The bytes of all the escaped fields together.
    pub fn bytes(&self) -> usize {
        let opt = |v: &Option<Json>| v.as_ref().map_or(0, |v| v.get().len());
        [&self.article, &self.lang, &self.path, &self.tags, &self.title].iter().map(|v| v.get().len()).sum::<usize>()
            + [&self.date, &self.event_date, &self.event_datetime, &self.source, &self.url]
                .into_iter()
                .map(opt)
                .sum::<usize>()
    }

    /// The escaped fields, borrowed for one feature.
    pub fn as_raw(&self) -> ArticleFields<&Json> {
        ArticleFields {
            article: &self.article,
            date: self.date.as_ref(),
            event_date: self.event_date.as_ref(),
            event_datetime: self.event_datetime.as_ref(),
            lang: &self.lang,
            path: &self.path,
            source: self.source.as_ref(),
            tags: &self.tags,
            title: &self.title,
            url: self.url.as_ref(),
        }
    }
}

/// The properties of the feature for place `p` of event `e`.
pub(crate) fn properties<'a>(e: &'a Event, p: &'a EventPlace, key: ArticleKey) -> Properties<'a> {
    properties_with(p, ArticleFields::of(e, key))
}

/// The properties of the feature for place `p`, given its article's fields.
pub(crate) fn properties_with<T>(p: &EventPlace, a: ArticleFields<T>) -> Properties<'_, T> {
    Properties {
        admin1: p.admin1.as_deref(),
        article: a.article,
        confidence: p.confidence,
        country_code: Some(p.country_code.as_str()).filter(|c| !c.is_empty()),
        date: a.date,
        event_date: a.event_date,
        event_datetime: a.event_datetime,
        feature_code: p.feature_code,
        focus: p.focus,
        geo_precision: p.geo_precision,
        geonameid: p.geonameid,
        lang: a.lang,
        // most places have one form: no need to join
        matched: match &p.matched[..] {
            [one] => Cow::Borrowed(one.as_str()),
            all => Cow::Owned(all.join("; ")),
        },
        mentions: p.mentions,
        path: a.path,
        place: &p.name,
        population: p.population,
        source: a.source,
        tags: a.tags,
        title: a.title,
        url: a.url,
    }
}

/// [`properties`] as a JSON object, for the typed [`geojson`] API and the CSV columns.
pub(crate) fn property_map(e: &Event, p: &EventPlace, key: ArticleKey) -> Map<String, Value> {
    match serde_json::to_value(properties(e, p, key)) {
        Ok(Value::Object(m)) => m,
        _ => unreachable!("a struct of plain fields serialises to an object"),
    }
}
