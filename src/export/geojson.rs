//! GeoJSON FeatureCollection and GeoJSON Lines writers (see the parent module for the
//! property schema).

use std::io::Write;

use geojson::{Feature, Geometry, Value as GeoValue};

use serde_json::value::RawValue;

use super::{feature_id, feature_places, properties_with, property_map, round6, ArticleFields, ArticleKey, Properties};
use crate::event::Event;

/// Build the features of some events, in event then place order.
pub fn features(events: &[Event], key: ArticleKey, demonyms: bool) -> Vec<Feature> {
    feature_iter(events, key, demonyms).collect()
}

/// The features one at a time, as the typed [`geojson`] API has them.
fn feature_iter(events: &[Event], key: ArticleKey, demonyms: bool) -> impl Iterator<Item = Feature> + '_ {
    events.iter().flat_map(move |e| {
        feature_places(e, demonyms).map(move |p| Feature {
            bbox: None,
            geometry: Some(Geometry::new(GeoValue::Point(vec![round6(p.lon), round6(p.lat)]))),
            id: Some(geojson::feature::Id::String(feature_id(e, p))),
            properties: Some(property_map(e, p, key)),
            foreign_members: None,
        })
    })
}

/// One Point feature as the writers serialise it: the members [`Feature`] writes, in its
/// order, without a property map to build (a big export writes millions).
#[derive(serde::Serialize)]
struct PointFeature<'a> {
    r#type: &'static str,
    geometry: Point,
    properties: Properties<'a, &'a RawValue>,
    id: String,
}

#[derive(serde::Serialize)]
struct Point {
    r#type: &'static str,
    coordinates: [f64; 2],
}

/// Write each feature of `events` with `each(buffer, feature)`, one event at a time: the
/// article's fields are escaped once for all its features, and its features reach `w` in
/// one write.
fn write_features<W: Write + ?Sized>(
    w: &mut W,
    events: &[Event],
    key: ArticleKey,
    demonyms: bool,
    mut each: impl FnMut(&mut Vec<u8>, &PointFeature) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    for e in events {
        buf.clear();
        let fields = ArticleFields::of(e, key).escaped()?;
        for p in feature_places(e, demonyms) {
            let f = PointFeature {
                r#type: "Feature",
                geometry: Point { r#type: "Point", coordinates: [round6(p.lon), round6(p.lat)] },
                properties: properties_with(p, fields.as_raw()),
                id: feature_id(e, p),
            };
            each(&mut buf, &f)?;
        }
        w.write_all(&buf)?;
    }
    Ok(())
}

/// Write a FeatureCollection, one feature per line for readable diffs.
pub fn write_collection<W: Write + ?Sized>(
    w: &mut W,
    events: &[Event],
    key: ArticleKey,
    demonyms: bool,
) -> std::io::Result<()> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    let mut first = true;
    write_features(w, events, key, demonyms, |buf, f| {
        buf.extend_from_slice(if first { b"\n" } else { b",\n" });
        first = false;
        Ok(serde_json::to_writer(buf, f)?)
    })?;
    w.write_all(b"\n]}\n")
}

/// Write newline-delimited features (GeoJSON Lines / GeoJSONSeq without record separators).
pub fn write_lines<W: Write + ?Sized>(
    w: &mut W,
    events: &[Event],
    key: ArticleKey,
    demonyms: bool,
) -> std::io::Result<()> {
    write_features(w, events, key, demonyms, |buf, f| {
        serde_json::to_writer(&mut *buf, f)?;
        buf.push(b'\n');
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The writers' direct serialisation is byte for byte what the typed `geojson` API
    /// writes for the same features.
    #[test]
    fn written_features_are_the_geojson_crates() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("site/articles");
        let (articles, _) = crate::read_inputs(&[dir]);
        assert!(!articles.is_empty());
        let (g, lex) = (crate::gazetteer::Gazetteer::embedded(), crate::geoparse::lexicon::Lexicon::embedded());
        let events: Vec<Event> = articles
            .into_iter()
            .map(|a| crate::event::from_article(g, lex, a, crate::geoparse::Options::default()))
            .collect();
        for key in [ArticleKey::Slug, ArticleKey::Path] {
            for demonyms in [false, true] {
                let mut written = Vec::new();
                write_lines(&mut written, &events, key, demonyms).unwrap();
                let mut typed = String::new();
                for f in features(&events, key, demonyms) {
                    typed.push_str(&serde_json::to_string(&f).unwrap());
                    typed.push('\n');
                }
                assert!(typed.lines().count() > 20);
                assert_eq!(String::from_utf8(written).unwrap(), typed);
            }
        }
    }
}
