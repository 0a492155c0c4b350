//! Golden files: what the binary writes for fixed inputs, kept in `snapshots/` and reviewed
//! as diffs (insta).
//!
//! A change in output fails here until it is accepted: run `INSTA_UPDATE=always cargo test`,
//! then read the `git diff` of `snapshots/`; CI never writes snapshots. The outputs are
//! deterministic (no clock, no randomness, the same bytes whatever the thread count), so
//! only what is long and unreadable is redacted, and each redaction says so.

use std::path::Path;

use serde::Deserialize;

use crate::runner::{build, demo_copy, fixtures, gazette, read, root, small_site, Gazette};

#[test]
fn lookup_snapshot() {
    let out = gazette(["lookup", "Kandahar", "--limit", "3"]).success();
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn export_geojson_snapshot() {
    let v = gazette(["export", "-q", fixtures().to_str().unwrap()]).success().json();
    // RFC 7946: no crs member, [lon, lat] with at most 6 decimals
    assert!(v.get("crs").is_none());
    for f in v["features"].as_array().unwrap() {
        for c in f["geometry"]["coordinates"].as_array().unwrap() {
            let s = c.to_string();
            assert!(s.split('.').nth(1).map_or(0, str::len) <= 6, "{s}");
        }
    }
    insta::assert_json_snapshot!(v, {
        ".features[].properties.path" => "[path]",
    });
}

#[test]
fn export_csv_snapshot_and_sidecars() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("events.csv");
    gazette(["export", "-q", fixtures().to_str().unwrap(), "--format", "csv", "-o", csv.to_str().unwrap()]).success();
    let text = std::fs::read_to_string(&csv).unwrap();
    let csvt = std::fs::read_to_string(dir.path().join("events.csvt")).unwrap();
    assert_eq!(csvt.split(',').count(), text.lines().next().unwrap().split(',').count());
    assert!(dir.path().join("events.prj").exists());
    let cleaned: String = text
        .lines()
        .map(|l| l.split(',').filter(|c| !c.contains("tests/fixtures")).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(cleaned);
}

// ---- extract --explain ----------------------------------------------------------------------

/// One line of `extract --format mentions --explain`. Unknown fields are refused, so that a
/// field added to the output fails this test until it is shown in the snapshot too.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mention {
    article: String,
    start: u64,
    end: u64,
    field: String,
    text: String,
    place: String,
    geonameid: Option<u64>,
    lat: f64,
    lon: f64,
    feature_code: String,
    country_code: String,
    confidence: f64,
    kind: String,
    candidates: Vec<Candidate>,
    /// What the confidence was worked out from: feature name → value.
    features: std::collections::BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Candidate {
    geonameid: Option<u64>,
    name: String,
    country_code: String,
    feature_code: String,
    population: u64,
    score: f64,
    signals: Vec<Signal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Signal {
    name: String,
    value: f64,
}

/// A geonameid, or `-` for a place of the bundled data that GeoNames does not have.
fn id(geonameid: Option<u64>) -> String {
    geonameid.map_or_else(|| "-".into(), |g| g.to_string())
}

/// The mentions as text, one line per mention and one per candidate under it, grouped by
/// article. Computed numbers (scores, signals, confidence) are shown to 3 decimals: the
/// signals are sums of logarithms whose last digits may differ between maths libraries.
fn explain_text(jsonl: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mut article = String::new();
    for line in jsonl.lines() {
        let m: Mention = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if m.article != article {
            article = m.article.clone();
            writeln!(out, "\n{article}").unwrap();
        }
        writeln!(
            out,
            "  {} {}..{} {:?} → {} {} {} {} ({}, {}) {} {:.3}",
            m.field,
            m.start,
            m.end,
            m.text,
            m.place,
            id(m.geonameid),
            m.country_code,
            m.feature_code,
            m.lat,
            m.lon,
            m.kind,
            m.confidence
        )
        .unwrap();
        let features: Vec<String> =
            m.features.iter().filter(|(_, v)| **v != 0.0).map(|(k, v)| format!("{k} {v:.3}")).collect();
        writeln!(out, "    features: {}", features.join(", ")).unwrap();
        for c in &m.candidates {
            let signals: Vec<String> = c.signals.iter().map(|s| format!("{} {:.3}", s.name, s.value)).collect();
            writeln!(
                out,
                "    {:>8.3}  {} {} {} {} pop {}: {}",
                c.score,
                id(c.geonameid),
                c.name,
                c.country_code,
                c.feature_code,
                c.population,
                signals.join(", ")
            )
            .unwrap();
        }
    }
    out
}

/// Every mention in the demo site's articles (Arabic and English), with the candidates it
/// had and the score parts that chose among them: a change to the geoparser shows here as
/// the decisions it changed.
#[test]
fn extract_explain_demo_articles_snapshot() {
    let out = Gazette::new()
        .args(["extract", "-q", "--format", "mentions", "--explain", "site/articles"])
        // the default, said here because the snapshot's article paths are relative to it
        .current_dir(root())
        .run()
        .success();
    let text = explain_text(&out.stdout);
    let articles = std::fs::read_dir(root().join("site/articles")).unwrap().count();
    assert_eq!(text.matches("\nsite/articles/").count(), articles, "a section per demo article");
    insta::assert_snapshot!(text);
}

// ---- gazette build ----------------------------------------------------------------------------

/// Replace the long, uninteresting parts of a page (SVG path data) for a readable snapshot.
/// The path data is deterministic too; it is redacted only because nobody reviews
/// kilobytes of outline coordinates (`site::svg`'s unit tests check them).
fn redact_svg(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find(" d=\"") {
        out.push_str(&rest[..i + 4]);
        rest = &rest[i + 4..];
        let end = rest.find('"').unwrap();
        out.push('…');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn event_page_snapshot() {
    let t = tempfile::tempdir().unwrap();
    let site = small_site(
        t.path(),
        &[(
            "kabul.md",
            "---\ntitle: Taliban enter Kabul\ndate: 2021-08-15T18:30:00+04:30\nlang: en\nsource: Demo wire\n\
             url: https://example.org/kabul\ntags: [afghanistan, kabul]\nsummary: The capital fell.\n---\n\n\
             # Kabul falls\n\nTaliban fighters entered **Kabul** on Sunday. See [the wire](https://example.org/).\n",
        )],
    );
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    insta::assert_snapshot!(redact_svg(&read(&out.join("events/kabul/index.html"))));
}

/// The demo site, built from a copy of `site/` as GitHub Pages serves a project site; `each`
/// is given the output folder. Each snapshot test builds its own (about a second), so that
/// each fails on its own and no temporary folder outlives its test.
fn with_demo_build(each: impl FnOnce(&Path)) {
    let t = tempfile::tempdir().unwrap();
    let site = demo_copy(t.path());
    let out = t.path().join("public");
    build(&site, &out, &["--base-url", "https://user.github.io/repo/"]).success();
    each(&out);
}

/// The demo's front page: head, navigation, the map without JavaScript (points linked to
/// their places), the timeline and the event list.
#[test]
fn demo_build_index_html_snapshot() {
    with_demo_build(|out| insta::assert_snapshot!(redact_svg(&read(&out.join("index.html")))));
}

/// The data the front page's scripts read: timeline bins, events, places and points.
#[test]
fn demo_build_events_json_snapshot() {
    with_demo_build(|out| {
        let data: serde_json::Value = serde_json::from_str(&read(&out.join("data/events.json"))).unwrap();
        insta::assert_json_snapshot!(data);
    });
}

/// The feed: absolute links under the base URL, and `<updated>` from the articles' dates,
/// not from the clock.
#[test]
fn demo_build_atom_snapshot() {
    with_demo_build(|out| insta::assert_snapshot!(read(&out.join("atom.xml"))));
}

/// A tag's page: its events, its map and its places, its feed in the head.
#[test]
fn demo_build_tag_page_snapshot() {
    with_demo_build(|out| insta::assert_snapshot!(redact_svg(&read(&out.join("tags/herat/index.html")))));
}

/// The search index's manifest: shards, chunk size, the words left out, and the folding
/// table the query side reads (the index side's own).
#[test]
fn demo_build_search_manifest_snapshot() {
    with_demo_build(|out| {
        let meta: serde_json::Value = serde_json::from_str(&read(&out.join("search/meta.json"))).unwrap();
        insta::assert_json_snapshot!(meta);
    });
}
