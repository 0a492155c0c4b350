//! GeoJSON FeatureCollection and GeoJSON Lines writers (see the parent module for the
//! property schema).

use std::io::Write;

use geojson::{Feature, Geometry, Value as GeoValue};

use super::{feature_id, feature_places, properties_with, property_map, round6, ArticleFields, ArticleKey, Json};
use crate::event::{Event, EventPlace};

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

/// Write one Point feature: the members [`Feature`] writes, in its order, with the
/// properties in [`Properties`](super::Properties)' order, byte for byte what `serde_json` writes for them
/// (a test below checks). A big export writes millions of features: the member names
/// are constants and go out as they are, the article's fields were escaped once per
/// article, and integers need no serializer; strings and reals go through `serde_json`.
fn write_feature(
    b: &mut Vec<u8>,
    e: &Event,
    place: &EventPlace,
    fields: ArticleFields<&Json>,
) -> serde_json::Result<()> {
    let p = properties_with(place, fields);
    let lon_lat = [round6(place.lon), round6(place.lat)];
    b.extend_from_slice(br#"{"type":"Feature","geometry":{"type":"Point","coordinates":"#);
    json(b, &lon_lat)?;
    b.extend_from_slice(br#"},"properties":{"admin1":"#);
    opt_string(b, p.admin1)?;
    b.extend_from_slice(br#","article":"#);
    raw(b, Some(p.article));
    b.extend_from_slice(br#","confidence":"#);
    json(b, &p.confidence)?;
    b.extend_from_slice(br#","country_code":"#);
    opt_string(b, p.country_code)?;
    b.extend_from_slice(br#","date":"#);
    raw(b, p.date);
    b.extend_from_slice(br#","event_date":"#);
    raw(b, p.event_date);
    b.extend_from_slice(br#","event_datetime":"#);
    raw(b, p.event_datetime);
    b.extend_from_slice(br#","feature_code":"#);
    string(b, p.feature_code)?;
    b.extend_from_slice(if p.focus {
        br#","focus":true,"geo_precision":"#
    } else {
        br#","focus":false,"geo_precision":"#
    });
    integer(b, Some(p.geo_precision));
    b.extend_from_slice(br#","geonameid":"#);
    integer(b, p.geonameid);
    b.extend_from_slice(br#","lang":"#);
    raw(b, Some(p.lang));
    b.extend_from_slice(br#","matched":"#);
    string(b, &p.matched)?;
    b.extend_from_slice(br#","mentions":"#);
    integer(b, Some(p.mentions));
    b.extend_from_slice(br#","path":"#);
    raw(b, Some(p.path));
    b.extend_from_slice(br#","place":"#);
    string(b, p.place)?;
    b.extend_from_slice(br#","population":"#);
    integer(b, Some(p.population));
    b.extend_from_slice(br#","source":"#);
    raw(b, p.source);
    b.extend_from_slice(br#","tags":"#);
    raw(b, Some(p.tags));
    b.extend_from_slice(br#","title":"#);
    raw(b, Some(p.title));
    b.extend_from_slice(br#","url":"#);
    raw(b, p.url);
    b.extend_from_slice(br#"},"id":"#);
    match place.geonameid {
        // `SLUG/GEONAMEID` (see `feature_id`), without formatting a string first
        Some(id) => {
            string(b, &e.article.slug)?;
            let quote = b.pop(); // reopen the string
            debug_assert_eq!(quote, Some(b'"'));
            b.push(b'/');
            integer(b, Some(id));
            b.push(b'"');
        }
        None => json(b, &feature_id(e, place))?,
    }
    b.push(b'}');
    Ok(())
}

/// A value as `serde_json` writes it.
fn json<T: serde::Serialize + ?Sized>(b: &mut Vec<u8>, value: &T) -> serde_json::Result<()> {
    serde_json::to_writer(b, value)
}

/// A string as `serde_json` writes it: between quotes as it is when nothing in it needs
/// escaping (`"`, `\\` and the C0 controls are all that `serde_json` escapes), a check
/// the compiler makes many bytes at a time; else through `serde_json`, which reads it a
/// byte at a time.
fn string(b: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    if has_escapes(s) {
        return json(b, s);
    }
    b.reserve(s.len() + 2);
    b.push(b'"');
    b.extend_from_slice(s.as_bytes());
    b.push(b'"');
    Ok(())
}

/// Whether `serde_json` escapes anything in `s`: `"`, `\\` or a C0 control. A fold
/// with no early exit, which the compiler reads many bytes at a time.
pub(super) fn has_escapes(s: &str) -> bool {
    s.bytes().fold(false, |seen, c| seen | (c < 0x20) | (c == b'"') | (c == b'\\'))
}

/// An optional string as `serde_json` writes it.
fn opt_string(b: &mut Vec<u8>, s: Option<&str>) -> serde_json::Result<()> {
    match s {
        Some(s) => string(b, s),
        None => {
            b.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// JSON already written, or `null`.
fn raw(b: &mut Vec<u8>, value: Option<&Json>) {
    b.extend_from_slice(value.map_or("null", Json::get).as_bytes());
}

/// An integer, or `null`, as `serde_json` writes it (with `itoa`).
fn integer<I: itoa::Integer>(b: &mut Vec<u8>, value: Option<I>) {
    match value {
        Some(n) => b.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
        None => b.extend_from_slice(b"null"),
    }
}

/// One event's features, each after `before` and followed by `after`, into `buf`: the
/// article's fields are escaped once for all its features.
fn event_features(
    buf: &mut Vec<u8>,
    e: &Event,
    key: ArticleKey,
    demonyms: bool,
    before: &[u8],
    after: &[u8],
) -> serde_json::Result<()> {
    let fields = ArticleFields::of(e, key).escaped()?;
    // room for every feature at once: the article's fields, and about 400 bytes more
    let each = fields.bytes() + 400;
    buf.reserve(each * e.places.len());
    for p in feature_places(e, demonyms) {
        buf.extend_from_slice(before);
        write_feature(buf, e, p, fields.as_raw())?;
        buf.extend_from_slice(after);
    }
    Ok(())
}

/// One event's features as GeoJSON Lines, appended to `buf`: what [`write_lines`] writes
/// for it.
pub fn event_lines(buf: &mut Vec<u8>, e: &Event, key: ArticleKey, demonyms: bool) -> serde_json::Result<()> {
    event_features(buf, e, key, demonyms, b"", b"\n")
}

/// What a FeatureCollection starts with; [`COLLECTION_TAIL`] ends it.
pub const COLLECTION_HEAD: &[u8] = b"{\"type\":\"FeatureCollection\",\"features\":[";
/// What ends a FeatureCollection.
pub const COLLECTION_TAIL: &[u8] = b"\n]}\n";

/// One event's features as members of a FeatureCollection, appended to `buf`: each on a
/// line of its own, after a comma. The collection's first feature has no comma before it:
/// [`collection_chunks`] drops it.
pub fn event_members(buf: &mut Vec<u8>, e: &Event, key: ArticleKey, demonyms: bool) -> serde_json::Result<()> {
    event_features(buf, e, key, demonyms, b",\n", b"")
}

/// The parts of `chunks` (from [`event_members`]) to write after the collection's head:
/// the comma in front of its first feature dropped. `started` says whether a feature
/// was written before these chunks, and is set when one is.
pub fn collection_chunks<'a>(chunks: &[&'a [u8]], started: &mut bool) -> Vec<&'a [u8]> {
    let mut out = Vec::with_capacity(chunks.len());
    for &c in chunks.iter().filter(|c| !c.is_empty()) {
        out.push(if *started { c } else { &c[1..] });
        *started = true;
    }
    out
}

/// Write a FeatureCollection, one feature per line for readable diffs.
pub fn write_collection<W: Write + ?Sized>(
    w: &mut W,
    events: &[Event],
    key: ArticleKey,
    demonyms: bool,
) -> std::io::Result<()> {
    w.write_all(COLLECTION_HEAD)?;
    let (mut buf, mut started) = (Vec::new(), false);
    for e in events {
        buf.clear();
        event_members(&mut buf, e, key, demonyms)?;
        for part in collection_chunks(&[&buf], &mut started) {
            w.write_all(part)?;
        }
    }
    w.write_all(COLLECTION_TAIL)
}

/// Write newline-delimited features (GeoJSON Lines / GeoJSONSeq without record separators).
pub fn write_lines<W: Write + ?Sized>(
    w: &mut W,
    events: &[Event],
    key: ArticleKey,
    demonyms: bool,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    for e in events {
        buf.clear();
        event_lines(&mut buf, e, key, demonyms)?;
        w.write_all(&buf)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings come out as serde_json writes them, whether or not they need escapes:
    /// every ASCII character alone and inside a word, and some that are not ASCII.
    #[test]
    fn strings_are_serde_jsons() {
        let mut cases: Vec<String> = (0..128u8).map(|c| char::from(c).to_string()).collect();
        cases.extend((0..128u8).map(|c| format!("Kabul{}Herat", char::from(c))));
        cases.extend(["", "مزار شریف", "Côte d\u{2019}Ivoire", "\u{2028}\u{7f}\u{80}\u{ffff}"].map(String::from));
        for s in cases {
            let mut b = Vec::new();
            string(&mut b, &s).unwrap();
            assert_eq!(String::from_utf8(b).unwrap(), serde_json::to_string(&s).unwrap(), "{s:?}");
        }
    }

    /// The writers' direct serialisation is byte for byte what the typed `geojson` API
    /// writes for the same features: the demo site's articles, synthetic ones in every
    /// language (with and without a source), and one with no date and a title that needs
    /// escapes.
    #[test]
    fn written_features_are_the_geojson_crates() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("site/articles");
        let (mut articles, _) = crate::pipeline::read_inputs(&[dir]);
        assert!(!articles.is_empty());
        let (g, lex) = (crate::gazetteer::Gazetteer::embedded(), crate::geoparse::Lexicon::embedded());
        crate::corpus::generate(g, crate::corpus::Spec { articles: 40, seed: 3 }, |a| {
            articles.push(crate::article::parse(&format!("{}.md", a.id), "s", a.markdown(), true).unwrap());
            articles.push(crate::article::parse_corpus_line("c.jsonl", a.id + 1, &a.json_line()).unwrap());
        });
        let odd = "---\ntitle: \"A \\\"quoted\\\" \\\\ title\\tin Kabul\"\n---\nKabul and Herat, then Paris.\n";
        articles.push(crate::article::parse("odd.md", "odd", odd.to_string(), true).unwrap());
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
