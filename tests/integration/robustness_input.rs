//! Hostile and careless input (issue 18): bounded work, no silent failure, nothing
//! injected downstream. Each case is generated here; the ones about cost are run again,
//! larger and with memory budgets, in release by `tests/hostile.rs`.
//!
//! - YAML aliases that expand past a budget, and nesting past a depth, are errors that
//!   name the file and line; the other articles are built
//! - `-q` hides warnings and progress, never errors
//! - a forged or damaged geoparse cache entry is thrown away, never put on the map
//! - CSV cells that a spreadsheet would run as formulas are defused
//! - control characters never reach the feed, which stays well-formed XML
//! - a JSON Lines record past the size limit is skipped, counted, and named by line
//! - `extract` streams files and folders in input order

use std::path::Path;

use crate::runner::{build, gazette, site_with, Gazette, GOOD};

/// A YAML front matter with one anchored string of `kb` KB aliased `times` times.
fn alias_bomb(kb: usize, times: usize) -> String {
    let aliases = vec!["*a"; times].join(", ");
    format!("---\ntitle: Bomb\ndate: 2021-01-01\nbig: &a \"{}\"\nlist: [{aliases}]\n---\nKabul\n", "x".repeat(kb << 10))
}

#[test]
fn a_yaml_alias_bomb_is_an_error_on_its_line() {
    let bomb = alias_bomb(100, 10_000);
    assert!(bomb.len() < 140 << 10, "a small article: {} bytes", bomb.len());
    let t = tempfile::tempdir().unwrap();
    let site = site_with(t.path(), &[("bomb.md", bomb.as_bytes())]);
    let r = build(&site, &t.path().join("out"), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("bomb.md: line 4: YAML front matter: list[10]: aliases expand it to more than 1 MiB"),
        "{}",
        r.stderr
    );
    assert!(t.path().join("out/events/good/index.html").is_file(), "the good article is built");
    for (cmd, input) in [("extract", site.join("articles")), ("check", site.clone())] {
        let r = Gazette::new().arg(cmd).arg(input).run();
        assert_eq!(r.code, 1, "{cmd}: {}", r.stderr);
        let all = format!("{}{}", r.stdout, r.stderr);
        assert!(all.contains("bomb.md: line 4: YAML front matter"), "{cmd}: {all}");
    }
    // a few aliases, as people use them, are fine
    let fine = "---\ntitle: Fine\ndate: 2021-01-01\nx: &t [Kabul, Herat]\ntags: *t\n---\nKabul\n";
    let t = tempfile::tempdir().unwrap();
    let site = site_with(t.path(), &[("fine.md", fine.as_bytes())]);
    build(&site, &t.path().join("out"), &[]).success();
}

#[test]
fn nesting_past_the_limit_is_an_error_on_its_line() {
    let deep = |head: &str, unit: &str, n: usize, tail: &str| format!("{head}{}{tail}", unit.repeat(n));
    let cases = [
        ("yaml.md", deep("---\ntitle: ", "[", 200_000, "\n---\nKabul\n"), "yaml.md: line 2: YAML front matter nests"),
        (
            "flow.md",
            deep("---\ntitle: t\nx: ", "{a: ", 100_000, "\n---\nKabul\n"),
            "flow.md: line 3: YAML front matter nests",
        ),
        ("toml.md", deep("+++\ntitle = ", "[", 200_000, "\n+++\nKabul\n"), "toml.md: line 2: TOML front matter nests"),
        (
            "quote.md",
            deep("---\ntitle: q\n---\nKabul.\n\n", ">", 100_000, " Herat\n"),
            "quote.md: line 6: the body nests",
        ),
        ("div.md", deep("---\ntitle: d\n---\n", "<div>", 100_000, " Herat\n"), "div.md: line 4: the body nests"),
    ];
    let articles: Vec<(&str, &[u8])> = cases.iter().map(|(n, text, _)| (*n, text.as_bytes())).collect();
    let t = tempfile::tempdir().unwrap();
    let site = site_with(t.path(), &articles);
    let r = build(&site, &t.path().join("out"), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for (_, _, expected) in &cases {
        assert!(r.stderr.contains(expected), "{expected}:\n{}", r.stderr);
    }
    assert!(t.path().join("out/events/good/index.html").is_file());
}

#[test]
fn quiet_hides_warnings_never_errors() {
    let t = tempfile::tempdir().unwrap();
    let site = site_with(
        t.path(),
        &[("bad.md", b"---\ntitle: [\n---\nKabul\n"), ("undated.md", b"---\ntitle: Undated\n---\nKabul\n")],
    );
    let articles = site.join("articles");
    let out = t.path().join("out");
    let export = t.path().join("e.geojson");
    let runs = [
        Gazette::new().args(["build", "-q"]).arg(&site).arg("-o").arg(&out).run(),
        Gazette::new().args(["extract", "-q"]).arg(&articles).run(),
        Gazette::new().args(["export", "-q"]).arg(&site).arg("-o").arg(&export).run(),
        Gazette::new().args(["extract", "-q", "--format", "geojsonl", "-"]).stdin("{\"text\": \"Kabul\"\n").run(),
    ];
    for r in &runs {
        assert_eq!(r.code, 1, "{}: {}", r.command, r.stderr);
        assert!(r.stderr.starts_with("error: "), "{}: the error is printed:\n{}", r.command, r.stderr);
        assert!(!r.stderr.contains("warning"), "{}: quiet prints no warning:\n{}", r.command, r.stderr);
    }
    // under --strict a warning fails the run, so it is printed even when quiet
    let r = Gazette::new().args(["extract", "-q", "--strict"]).arg(articles.join("undated.md")).run();
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("undated.md: no date"), "{}", r.stderr);
}

#[test]
fn csv_formulas_are_defused_in_every_csv() {
    let evil = "---\ntitle: \"=HYPERLINK(\\\"http://evil.example\\\",\\\"click\\\")\"\ndate: 2021-08-15\nsource: \"+cmd|' /C calc'!A0\"\ntags: [\"@SUM(1+1)\", \"-2+3\"]\n---\nFighting in Kabul.\n";
    let t = tempfile::tempdir().unwrap();
    let site = site_with(t.path(), &[("evil.md", evil.as_bytes())]);
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    let extract =
        Gazette::new().args(["extract", "--format", "csv"]).arg(site.join("articles/evil.md")).run().success();
    let export = Gazette::new().args(["export", "--format", "csv"]).arg(&site).run().success();
    let site_csv = std::fs::read_to_string(out.join("events.csv")).unwrap();
    for (name, text) in [("events.csv", site_csv.as_str()), ("extract", &extract.stdout), ("export", &export.stdout)] {
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let header = rows.headers().unwrap().clone();
        let col = |row: &csv::StringRecord, name: &str| row[header.iter().position(|h| h == name).unwrap()].to_string();
        let mut seen = 0;
        for row in rows.records() {
            let row = row.unwrap();
            for cell in row.iter() {
                assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "{name}: a live formula: {cell:?}");
            }
            if col(&row, "title").contains("HYPERLINK") {
                assert_eq!(col(&row, "title"), "'=HYPERLINK(\"http://evil.example\",\"click\")", "{name}");
                assert_eq!(col(&row, "source"), "'+cmd|' /C calc'!A0", "{name}");
                assert_eq!(col(&row, "tags"), "'@SUM(1+1);-2+3", "{name}");
                seen += 1;
            }
            // numbers are numbers, whatever their sign
            assert!(col(&row, "longitude").parse::<f64>().is_ok(), "{name}");
        }
        assert!(seen > 0, "{name}: the evil article's rows");
    }
}

/// Characters XML 1.0 forbids.
fn xml_forbidden(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0B' | '\x0C' | '\x0E'..='\x1F' | '\u{FFFE}' | '\u{FFFF}')
}

#[test]
fn control_characters_never_reach_the_feed() {
    let evil = "---\ntitle: \"Kabul\\x01 falls\\x1b[31m\"\ndate: 2021-08-15\nsummary: \"Bell\\x07 and \\x0c form feed\"\nlang: \"en\\x02\"\n---\nFighting in Kabul.\n";
    let t = tempfile::tempdir().unwrap();
    let site = site_with(t.path(), &[("ctl.md", evil.as_bytes())]);
    let out = t.path().join("out");
    let r = build(&site, &out, &[]).success();
    assert!(r.stderr.contains("ctl.md: line 2: title contains control characters"), "{}", r.stderr);
    assert!(r.stderr.contains("ctl.md: line 4: summary contains control characters"), "{}", r.stderr);
    assert!(r.stderr.contains("ctl.md: line 5: lang \"en\\u{2}\" is not a language tag"), "{}", r.stderr);
    for file in ["atom.xml", "index.html", "events/ctl/index.html", "data/events.json", "events.geojson"] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(!text.contains(xml_forbidden), "{file} has a control character");
    }
    let feed = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    assert!(feed.contains("<title>Kabul falls[31m</title>"), "{feed}");
    assert!(feed.contains("<entry xml:lang=\"en\">"), "{feed}");
    // a control character in the site's own title is the owner's to fix: an error
    std::fs::write(site.join("gazette.toml"), "title = \"News\\u0001\"\n[map]\ntiles = \"none\"\n").unwrap();
    let r = build(&site, &out, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("`title` contains the control character U+0001"), "{}", r.stderr);
}

#[test]
fn a_record_past_the_limit_is_skipped_and_named_by_its_line() {
    let long = format!("{{\"id\":\"big\",\"text\":\"{}\"}}\n", "Kabul ".repeat(6 << 20));
    let stream = format!("{{\"id\":\"a\",\"text\":\"Herat\"}}\n{long}\n{{\"id\":\"c\",\"text\":\"Mosul\"}}\n");
    let r = Gazette::new().args(["extract", "--format", "geojsonl", "-"]).stdin(stream).run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("<stdin>: line 2: 36.0 MiB is more than the 32 MiB"), "{}", r.stderr);
    let ids: Vec<String> = r
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().into())
        .collect();
    assert!(ids.iter().any(|i| i.starts_with("a/")) && ids.iter().any(|i| i.starts_with("c/")), "{ids:?}");
    // one plain article on stdin has the same limit; just past it is said in bytes
    let r = Gazette::new().arg("extract").arg("-").stdin(vec![b'K'; (32 << 20) + 1]).run();
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("<stdin>: 33554433 bytes is more than the 32 MiB (33554432 bytes)"), "{}", r.stderr);
}

/// Rewrite the place index of the first mention of the first entry of a geoparse cache,
/// following its format (see `src/site/cache.rs`).
fn forge_cache(site: &Path, place: impl Fn(u32) -> u32) {
    let path = site.join(".gazette-cache/geoparse.bin");
    let mut b = std::fs::read(&path).unwrap();
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
    let stamp = u32_at(&b, 7);
    let entries = 7 + 4 + stamp;
    assert!(u64::from_le_bytes(b[entries..entries + 8].try_into().unwrap()) > 0);
    let first = entries + 8;
    assert!(u32_at(&b, first + 16) > 0, "the first entry has mentions");
    let mention = first + 16 + 4;
    let text = u32_at(&b, mention + 16);
    let at = mention + 16 + 4 + text;
    let old = u32_at(&b, at) as u32;
    b[at..at + 4].copy_from_slice(&place(old).to_le_bytes());
    std::fs::write(&path, b).unwrap();
}

#[test]
fn a_forged_cache_entry_is_thrown_away() {
    let t = tempfile::tempdir().unwrap();
    let article = "---\ntitle: Floods in Khorog\ndate: 2021-08-15\n---\nFloods hit Khorog, in Tajikistan.\n";
    let site = site_with(t.path(), &[("khorog.md", article.as_bytes())]);
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    let fresh = std::fs::read_to_string(out.join("events.geojson")).unwrap();
    // another real place (the next index), then an index past the gazetteer's end
    for forged in [|p: u32| p + 1, |_| u32::MAX - 1] {
        forge_cache(&site, forged);
        let r = build(&site, &out, &[]).success();
        assert!(r.stderr.contains("did not check out"), "{}", r.stderr);
        assert_eq!(std::fs::read_to_string(out.join("events.geojson")).unwrap(), fresh, "the map is as fresh");
        // the entry saved again is the fresh one
        let r = build(&site, &out, &[]).success();
        assert!(!r.stderr.contains("did not check out"), "{}", r.stderr);
    }
}

#[test]
fn extract_streams_files_and_folders_in_input_order() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("in");
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("a.md"), GOOD).unwrap();
    std::fs::write(dir.join("b/index.md"), "---\ntitle: Herat\ndate: 2021-01-01\n---\nHerat.\n").unwrap();
    std::fs::write(
        dir.join("b/more.jsonl"),
        "{\"id\":\"m1\",\"text\":\"Mosul\"}\n\n{\"id\":\"m2\",\"text\":\"Aleppo\"}\n",
    )
    .unwrap();
    std::fs::write(dir.join("c.md"), "---\ntitle: [\n---\nOdesa\n").unwrap();
    std::fs::write(dir.join("index.md"), "---\ntitle: Again\ndate: 2021-01-01\n---\nHerat again.\n").unwrap();
    for format in ["geojson", "csv", "geojsonl", "mentions"] {
        let r = Gazette::new().args(["extract", "--format", format]).arg(&dir).run();
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        assert!(r.stderr.contains("c.md: line 3: YAML front matter"), "{}", r.stderr);
        // a.md, b/index.md, b/more.jsonl (two records), index.md: in that order
        let order = ["Kabul", "Herat", "Mosul", "Aleppo", "Herat"];
        let mut at = 0;
        for place in order {
            let found = r.stdout[at..].find(place).unwrap_or_else(|| panic!("{format}: {place} after {at}"));
            at += found + place.len();
        }
        if format == "geojson" {
            let fc = r.json();
            let ids: Vec<&str> = fc["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
            // two `index.md` files: the second one's slug is renamed, so feature ids stay unique
            assert!(ids.contains(&"index/1140026") && ids.contains(&"index-2/1140026"), "{ids:?}");
        }
    }
    // an empty folder is an empty collection
    let empty = t.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let r = gazette(["extract".as_ref(), empty.as_os_str()]);
    assert_eq!(r.json()["features"].as_array().map(Vec::len), Some(0), "{}", r.stdout);
}
