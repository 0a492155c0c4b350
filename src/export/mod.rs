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

use serde_json::{Map, Value};

use crate::event::{Event, EventPlace};

/// Which name the `article` property carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleKey {
    Slug,
    Path,
}

/// Round degrees to 6 decimals (about 0.1 m).
pub fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// The places of an event that become features (demonym-only countries only on request).
pub fn feature_places(e: &Event, demonyms: bool) -> impl Iterator<Item = &EventPlace> {
    e.places.iter().filter(move |p| demonyms || !p.demonym_only)
}

/// A feature's stable id.
pub fn feature_id(e: &Event, p: &EventPlace) -> String {
    match p.geonameid {
        Some(id) => format!("{}/{}", e.article.slug, id),
        None => format!("{}/{}", e.article.slug, crate::article::slugify(&p.name)),
    }
}

/// The flat properties of one feature, every key present (`null` when unknown), in the
/// alphabetical order a JSON object map gives them: the writers serialise this directly,
/// without building a map per feature.
#[derive(Debug, serde::Serialize)]
pub struct Properties<'a> {
    pub admin1: Option<&'a str>,
    pub article: &'a str,
    pub confidence: f64,
    pub country_code: Option<&'a str>,
    pub date: Option<&'a str>,
    pub event_date: Option<&'a str>,
    pub event_datetime: Option<&'a str>,
    pub feature_code: &'a str,
    pub focus: bool,
    pub geo_precision: u8,
    pub geonameid: Option<u32>,
    pub lang: &'a str,
    pub matched: String,
    pub mentions: usize,
    pub path: &'a str,
    pub place: &'a str,
    pub population: u64,
    pub source: Option<&'a str>,
    pub tags: String,
    pub title: &'a str,
    pub url: Option<&'a str>,
}

/// The properties of the feature for place `p` of event `e`.
pub fn properties<'a>(e: &'a Event, p: &'a EventPlace, key: ArticleKey) -> Properties<'a> {
    let a = &e.article;
    let date = e.date.as_ref();
    Properties {
        admin1: p.admin1.as_deref(),
        article: match key {
            ArticleKey::Slug => &a.slug,
            ArticleKey::Path => &a.path,
        },
        confidence: p.confidence,
        country_code: Some(p.country_code.as_str()).filter(|c| !c.is_empty()),
        date: date.map(|d| d.datetime.as_deref().unwrap_or(&d.date)),
        event_date: date.map(|d| d.date.as_str()),
        event_datetime: date.and_then(|d| d.datetime.as_deref()),
        feature_code: &p.feature_code,
        focus: p.focus,
        geo_precision: p.geo_precision,
        geonameid: p.geonameid,
        lang: &a.lang,
        matched: p.matched.join("; "),
        mentions: p.mentions,
        path: &a.path,
        place: &p.name,
        population: p.population,
        source: a.source.as_deref(),
        tags: a.tags.join(";"),
        title: &a.title,
        url: a.url.as_deref(),
    }
}

/// [`properties`] as a JSON object, for the typed [`geojson`] API and the CSV columns.
pub fn property_map(e: &Event, p: &EventPlace, key: ArticleKey) -> Map<String, Value> {
    match serde_json::to_value(properties(e, p, key)) {
        Ok(Value::Object(m)) => m,
        _ => unreachable!("a struct of plain fields serialises to an object"),
    }
}
