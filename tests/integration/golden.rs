//! Golden files: what the binary writes for fixed inputs, kept in `snapshots/` and reviewed
//! as diffs (insta).
//!
//! A change in output fails here until it is accepted: run `INSTA_UPDATE=always cargo test`,
//! then read the `git diff` of `snapshots/`; CI never writes snapshots. The outputs are
//! deterministic (no clock, no randomness, the same bytes whatever the thread count), so
//! only what is long and unreadable is redacted, and each redaction says so.

use crate::runner::{build, fixtures, gazette, read, small_site};

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
