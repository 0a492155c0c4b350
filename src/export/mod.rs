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

use serde_json::{json, Map, Value};

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

/// The flat property map of one feature, every key present.
pub fn properties(e: &Event, p: &EventPlace, key: ArticleKey) -> Map<String, Value> {
    let a = &e.article;
    let date = e.date.as_ref();
    let v = json!({
        "event_date": date.map(|d| d.date.clone()),
        "event_datetime": date.and_then(|d| d.datetime.clone()),
        "date": date.map(|d| d.datetime.clone().unwrap_or_else(|| d.date.clone())),
        "place": p.name,
        "geonameid": p.geonameid,
        "country_code": if p.country_code.is_empty() { None } else { Some(&p.country_code) },
        "admin1": p.admin1,
        "feature_code": p.feature_code,
        "geo_precision": p.geo_precision,
        "population": p.population,
        "mentions": p.mentions,
        "matched": p.matched.join("; "),
        "focus": p.focus,
        "confidence": p.confidence,
        "title": a.title,
        "source": a.source,
        "url": a.url,
        "tags": a.tags.join(";"),
        "lang": a.lang,
        "article": match key { ArticleKey::Slug => &a.slug, ArticleKey::Path => &a.path },
        "path": a.path,
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!("json! of an object literal is an object"),
    }
}
