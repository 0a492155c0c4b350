//! The mentions listing (`extract --format mentions`): JSON Lines, one object per
//! mention, with code-point offsets into the source the scorers and other tools read.
//!
//! | key | meaning |
//! | --- | --- |
//! | `article` | the input path (`corpus.jsonl#id` for a corpus record) |
//! | `start`, `end` | half-open offsets in Unicode code points into the file (or the record's `text`; the title's own for a corpus title) |
//! | `field` | `title` or `body` |
//! | `text` | the words as written |
//! | `place`, `geonameid`, `lat`, `lon`, `feature_code`, `country_code` | the resolved place (WGS84 degrees) |
//! | `confidence` | 0–1, see [`crate::geoparse`] |
//! | `kind` | `place` or `demonym` |
//! | `candidates` | with `--explain`: every scored candidate, best first, with its signals |
//! | `features` | with `--explain`: what the confidence was worked out from (see [`crate::geoparse::confidence`]) |

use std::io::Write;

use crate::event::Event;
use crate::gazetteer::Gazetteer;

/// Write every mention of `events`, in order; with `explain`, each with its candidates.
pub fn write<W: Write + ?Sized>(g: &Gazetteer, out: &mut W, events: &[Event], explain: bool) -> std::io::Result<()> {
    let mut buf = Vec::new();
    for e in events {
        buf.clear();
        event_lines(g, &mut buf, e, explain)?;
        out.write_all(&buf)?;
    }
    Ok(())
}

/// One event's mentions, a line each, appended to `buf`.
pub fn event_lines(g: &Gazetteer, buf: &mut Vec<u8>, e: &Event, explain: bool) -> std::io::Result<()> {
    for (m, span) in e.mentions.iter().zip(e.source_spans()) {
        let meta = g.meta(m.idx);
        let mut v = serde_json::json!({
            "article": e.article.path,
            "start": span.start,
            "end": span.end,
            "field": span.field,
            "text": m.text,
            "place": g.name(m.idx),
            "geonameid": meta.geonameid(),
            "lat": meta.lat,
            "lon": meta.lon,
            "feature_code": meta.feature_code,
            "country_code": meta.country_code(),
            "confidence": m.confidence,
            "kind": m.kind,
        });
        if explain {
            v["candidates"] = serde_json::to_value(&m.candidates).unwrap_or_default();
            v["features"] = serde_json::to_value(m.features).unwrap_or_default();
        }
        serde_json::to_writer(&mut *buf, &v)?;
        buf.push(b'\n');
    }
    Ok(())
}
