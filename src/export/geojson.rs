//! GeoJSON FeatureCollection and GeoJSON Lines writers (see the parent module for the
//! property schema).

use std::io::Write;

use geojson::{Feature, Geometry, Value as GeoValue};

use super::{feature_id, feature_places, properties, round6, ArticleKey};
use crate::event::Event;

/// Build the features of some events, in event then place order.
pub fn features(events: &[Event], key: ArticleKey, demonyms: bool) -> Vec<Feature> {
    feature_iter(events, key, demonyms).collect()
}

/// The features one at a time: a big site's would not fit in memory all at once.
fn feature_iter(events: &[Event], key: ArticleKey, demonyms: bool) -> impl Iterator<Item = Feature> + '_ {
    events.iter().flat_map(move |e| {
        feature_places(e, demonyms).map(move |p| Feature {
            bbox: None,
            geometry: Some(Geometry::new(GeoValue::Point(vec![round6(p.lon), round6(p.lat)]))),
            id: Some(geojson::feature::Id::String(feature_id(e, p))),
            properties: Some(properties(e, p, key)),
            foreign_members: None,
        })
    })
}

/// Write a FeatureCollection, one feature per line for readable diffs.
pub fn write_collection<W: Write + ?Sized>(
    w: &mut W,
    events: &[Event],
    key: ArticleKey,
    demonyms: bool,
) -> std::io::Result<()> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    for (i, f) in feature_iter(events, key, demonyms).enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *w, &f)?;
    }
    w.write_all(b"\n]}\n")
}

/// Write newline-delimited features (GeoJSON Lines / GeoJSONSeq without record separators).
pub fn write_lines<W: Write + ?Sized>(
    w: &mut W,
    events: &[Event],
    key: ArticleKey,
    demonyms: bool,
) -> std::io::Result<()> {
    for f in feature_iter(events, key, demonyms) {
        serde_json::to_writer(&mut *w, &f)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}
