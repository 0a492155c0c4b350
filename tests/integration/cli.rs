//! The commands one by one: `lookup`, `about`, `extract` (its formats, `--explain`, stdin
//! streams, bad input), `export`'s RFC 7946 output, and a GeoNames dump of one's own in
//! place of the embedded gazetteer. The seed article's tests read `../shared` and say
//! they were skipped when it is not there.

use std::path::Path;

use serde_json::Value;

use crate::runner::{fixtures, gazette, root, shared, Gazette};

#[track_caller]
fn first_lookup(name: &str) -> Value {
    gazette(["lookup", name, "--json", "--limit", "5"]).success().json()[0].clone()
}

fn km(a: (f64, f64), b: (f64, f64)) -> f64 {
    gazette::geoparse::distance_km(a, b)
}

#[test]
fn lookup_resolves_the_names_news_uses() {
    assert_eq!(first_lookup("Kabul")["geonameid"], 1138958);
    assert_eq!(first_lookup("كابول")["geonameid"], 1138958, "not Kābūl in Israel");
    assert_eq!(first_lookup("کابل")["geonameid"], 1138958);
    assert_eq!(first_lookup("مزار الشريف")["geonameid"], 1133616);
    assert_eq!(first_lookup("Mazar-i-Sharif")["geonameid"], 1133616);
    assert_eq!(first_lookup("Mazar-e Sharif")["geonameid"], 1133616);
    assert_eq!(first_lookup("قندهار")["geonameid"], 1138336);
    for name in ["Panjwai", "Panjwayi", "Panjwa'i", "بانجواي", "پنجوایی"] {
        let p = first_lookup(name);
        let d = km((p["lat"].as_f64().unwrap(), p["lon"].as_f64().unwrap()), (31.53, 65.46));
        assert!(d < 40.0, "{name}: {p} is {d:.0} km from Panjwayi");
    }
    let tripolis = gazette(["lookup", "Tripoli", "--json", "--limit", "5"]).success().json();
    let ccs: Vec<&str> = tripolis.as_array().unwrap().iter().map(|p| p["country_code"].as_str().unwrap()).collect();
    assert_eq!(ccs[0], "LY");
    assert!(ccs.contains(&"LB"), "{ccs:?}");
}

#[test]
fn lookup_json_has_the_documented_keys() {
    let p = first_lookup("Dushanbe");
    for k in ["geonameid", "name", "country_code", "feature_code", "population", "lat", "lon"] {
        assert!(p.get(k).is_some(), "missing {k} in {p}");
    }
    assert_eq!(p["country_code"], "TJ");
}

#[test]
fn own_geonames_dump_replaces_the_embedded_gazetteer() {
    let dump = root().join("tests/fixtures/geonames/cities.txt");
    let dump = dump.to_str().unwrap();
    let v = gazette(["--gazetteer", dump, "lookup", "Kabul", "--json"]).success().json();
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v[0]["geonameid"], 1138958);
    // names from alternateNamesV2.txt beside the dump
    let v = gazette(["--gazetteer", dump, "lookup", "كابل", "--json"]).success().json();
    assert_eq!(v[0]["geonameid"], 1138958);
    let v = gazette(["--gazetteer", dump, "lookup", "Dushanbe", "--json"]).success().json();
    assert_eq!(v, Value::Array(vec![]), "the embedded data is not used");
    // a malformed dump names its line
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("XX.txt");
    std::fs::write(&bad, "1\tX\tX\t\tnorth\t0\tP\tPPL\tXX\t\t\t\t\t\t0\t\t\t\t\n").unwrap();
    let out = gazette(["--gazetteer", bad.to_str().unwrap(), "lookup", "X"]);
    assert_eq!(out.code, 1);
    let err = &out.stderr;
    assert!(err.contains("XX.txt") && err.contains("line 1") && err.contains("latitude"), "{err}");
}

#[test]
fn about_credits_geonames() {
    let out = gazette(["about"]).success().stdout;
    assert!(out.contains("GeoNames") && out.contains("CC BY 4.0"), "{out}");
}

/// Place names in a FeatureCollection, by article file name.
fn places(fc: &Value) -> Vec<(String, String)> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = &f["properties"];
            let article = Path::new(p["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
            (article, p["place"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn extract_fixture_articles() {
    let fc = gazette(["extract", "-q", fixtures().to_str().unwrap()]).success().json();
    let got = places(&fc);
    let has = |a: &str, p: &str| got.iter().any(|(x, y)| x.starts_with(a) && y == p);
    assert!(has("2021-07-04-panjwai-ar", "Panjwā’ī"), "{got:?}");
    assert!(has("2021-07-04-panjwai-ar", "Kabul"), "{got:?}");
    assert!(has("2021-07-04-panjwai-ar", "Kandahār"), "{got:?}");
    assert!(has("2022-04-27-paris-texas-en", "Paris"), "{got:?}");
    assert!(!has("2022-04-27-paris-texas-en", "Dallas"), "removed by front matter: {got:?}");
    assert!(!got.iter().any(|(_, p)| p == "Reading"), "{got:?}");
    assert!(has("undated-odesa", "Odesa") || has("undated-odesa", "Odessa"), "{got:?}");
    // Paris, Texas is in the US
    let paris = fc["features"].as_array().unwrap().iter().find(|f| f["properties"]["place"] == "Paris").unwrap();
    assert_eq!(paris["properties"]["country_code"], "US");
}

#[test]
fn mention_offsets_are_code_points_into_the_file() {
    let out = gazette(["extract", "-q", "--format", "mentions", fixtures().to_str().unwrap()]).success();
    let mut n = 0;
    for line in out.lines() {
        let m: Value = serde_json::from_str(line).unwrap();
        let text = std::fs::read_to_string(m["article"].as_str().unwrap()).unwrap();
        let chars: Vec<char> = text.chars().collect();
        let (s, e) = (m["start"].as_u64().unwrap() as usize, m["end"].as_u64().unwrap() as usize);
        let span: String = chars[s..e].iter().collect();
        assert_eq!(span, m["text"].as_str().unwrap(), "{m}");
        for k in ["place", "geonameid", "lat", "lon", "feature_code", "country_code", "confidence", "kind"] {
            assert!(m.get(k).is_some(), "{k} missing in {m}");
        }
        n += 1;
    }
    assert!(n >= 6, "only {n} mentions");
}

#[test]
fn explain_shows_candidates_and_signals() {
    let path = fixtures().join("2022-04-27-paris-texas-en.md");
    let out = gazette(["extract", "-q", "--format", "mentions", "--explain", path.to_str().unwrap()]).success();
    let first: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let cands = first["candidates"].as_array().unwrap();
    assert!(cands.len() > 1);
    assert!(cands[0]["signals"].as_array().unwrap().iter().any(|s| s["name"] == "qualifier"), "{first}");
}

#[test]
fn seed_article_places_and_no_traps() {
    let seed = shared().join("seeds");
    if !seed.exists() {
        eprintln!("skipped: ../shared/seeds is not here");
        return;
    }
    let fc = gazette(["extract", "-q", seed.to_str().unwrap()]).success().json();
    let names: Vec<String> = places(&fc).into_iter().map(|p| p.1).collect();
    for want in ["Kabul", "Panjwā’ī", "Kandahār", "Moscow", "Tajikistan", "Afghanistan"] {
        assert!(names.iter().any(|n| n == want), "{want} missing from {names:?}");
    }
    for f in fc["features"].as_array().unwrap() {
        let c = &f["geometry"]["coordinates"];
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(km((lat, lon), (24.468, 39.614)) > 100.0, "Medina (المدينة, 'the city') on the map");
        assert!(km((lat, lon), (32.868, 35.211)) > 50.0, "Kabul, Israel on the map");
    }
}

/// The seed article's map is exactly its gold places: every gold place has a point, and
/// every point is a gold or optional place. Each point goes to the place it is closest to
/// relative to that place's tolerance, so a city is never counted as its country (the
/// shared scorer matches greedily in set order, which can do that).
#[test]
fn seed_article_map_is_exactly_the_gold_places() {
    let gold_path = shared().join("eval/seed/gold.json");
    let Ok(gold) = std::fs::read_to_string(&gold_path) else {
        eprintln!("skipped: {} is not here", gold_path.display());
        return;
    };
    let gold: Value = serde_json::from_str(&gold).unwrap();
    let fc = gazette(["extract", "-q", shared().join("seeds").to_str().unwrap()]).success().json();
    for (file, g) in gold.as_object().unwrap() {
        let list = |k: &str| -> Vec<(String, f64, f64, f64)> {
            g[k].as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r[0].as_str().unwrap().to_string(),
                        r[1].as_f64().unwrap(),
                        r[2].as_f64().unwrap(),
                        r[3].as_f64().unwrap(),
                    )
                })
                .collect()
        };
        let (want, optional) = (list("gold"), list("optional"));
        let mut found = vec![false; want.len()];
        for f in fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["path"].as_str().unwrap().ends_with(file.as_str()))
        {
            let c = &f["geometry"]["coordinates"];
            let p = (c[1].as_f64().unwrap(), c[0].as_f64().unwrap());
            let best = want
                .iter()
                .chain(&optional)
                .enumerate()
                .map(|(i, (_, la, lo, tol))| (i, km(p, (*la, *lo)) / tol))
                .filter(|(_, r)| *r <= 1.0)
                .min_by(|a, b| a.1.total_cmp(&b.1));
            let Some((i, _)) = best else { panic!("{file}: {} is not a gold place", f["properties"]["place"]) };
            if i < found.len() {
                found[i] = true;
            }
        }
        for (w, ok) in want.iter().zip(found) {
            assert!(ok, "{file}: {} missing", w.0);
        }
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let dev = shared().join("eval/dev/articles");
    let dir = if dev.exists() { dev } else { fixtures() };
    let run_with = |threads: &str| {
        Gazette::new().env("RAYON_NUM_THREADS", threads).args(["extract", "-q", dir.to_str().unwrap()]).run().stdout
    };
    let one = run_with("1");
    assert!(!one.is_empty());
    assert_eq!(one, run_with("2"));
    assert_eq!(one, run_with("2"));
}

#[test]
fn bad_articles_are_reported_and_the_rest_processed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-good.md"), "---\ntitle: Kabul\ndate: 2021-08-15\n---\nIn Kabul.\n").unwrap();
    std::fs::write(dir.path().join("b-bad.md"), "---\ntitle: x\ntags: [a, b\n---\nIn Kandahar.\n").unwrap();
    std::fs::write(dir.path().join("c-baddate.md"), "---\ntitle: y\ndate: 2021-02-30\n---\nIn Herat.\n").unwrap();
    let out = gazette(["extract", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, 1, "errors exit with 1");
    let err = &out.stderr;
    // the YAML parser notices the unclosed list where the front matter ends
    assert!(err.contains("b-bad.md: line 4: YAML front matter: did not find expected ',' or ']'"), "{err}");
    assert!(err.contains("c-baddate.md: line 3") && err.contains("2021-02-30"), "{err}");
    let fc = out.json();
    let got = places(&fc);
    assert!(got.iter().any(|(a, p)| a == "a-good.md" && p == "Kabul"), "{got:?}");
    assert!(got.iter().any(|(a, p)| a == "c-baddate.md" && p == "Herāt"), "{got:?}");
}

/// `extract --format geojsonl -` streams a JSON Lines corpus in batches; its features are
/// the ones a whole-file run gives, in the same order, and a bad line is reported by its
/// number while the rest is still processed.
#[test]
fn stdin_stream_matches_a_file_run_and_survives_a_bad_line() {
    let corpus = gazette(["corpus", "--articles", "1100", "--seed", "5"]).success().stdout.into_bytes();
    let dir = tempfile::tempdir().unwrap();
    // after line 600: a blank line, a broken record (line 602), bytes that are not UTF-8
    // (line 603); then the rest, and another broken record at the end (line 1104)
    let cut = corpus.iter().enumerate().filter(|(_, &b)| b == b'\n').nth(599).unwrap().0 + 1;
    let mut with_bad = corpus[..cut].to_vec();
    with_bad.extend_from_slice(b"\n{\"id\": \"broken\", \"text\": \n{\"id\": \"x\xff\"}\n");
    with_bad.extend_from_slice(&corpus[cut..]);
    with_bad.extend_from_slice(b"{\"id\": \"broken\", \"text\": \n");
    let path = dir.path().join("c.jsonl");
    std::fs::write(&path, &corpus).unwrap();
    let file_run = gazette(["extract", "-q", "--format", "geojsonl", path.to_str().unwrap()]).success().stdout;
    let streamed = |input: &[u8]| Gazette::new().args(["extract", "--format", "geojsonl", "-"]).stdin(input).run();
    let ok = streamed(&corpus);
    let prefix = format!("{}#", path.display());
    let expected = file_run.replace(&prefix, "<stdin>#");
    assert_eq!(ok.stdout, expected);
    assert!(expected.lines().count() > 1100, "a realistic place density");
    let bad = streamed(&with_bad);
    assert_eq!(bad.code, 1);
    let stderr = &bad.stderr;
    // each named, in input order
    let at: Vec<usize> = ["line 602", "line 603: invalid UTF-8", "line 1104"]
        .iter()
        .map(|line| stderr.find(line).unwrap_or_else(|| panic!("{line}: {stderr}")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{stderr}");
    assert_eq!(bad.stdout, expected);
}

/// A GeoPackage is a file: without `-o` it is a usage error; with one, an existing file is
/// replaced whole, and a path that cannot be written is an error naming it that leaves
/// nothing behind.
#[test]
fn file_formats_are_written_whole_or_not_at_all() {
    let site = crate::runner::root().join("site");
    let articles = site.join("articles");
    for (format, name) in [("gpkg", "events.gpkg"), ("geoparquet", "events.parquet")] {
        for command in ["export", "extract"] {
            let input = if command == "export" { &site } else { &articles };
            let t = tempfile::tempdir().unwrap();
            let run = Gazette::new().args([command, "-q", "--format", format]).arg(input).run();
            assert_eq!(run.code, 2, "{command} {format} without -o: {}", run.stderr);
            assert!(run.stderr.contains("-o"), "{}", run.stderr);
            // what a killed export to the same file left is removed (a running one's is kept)
            let dead = t.path().join(format!(".{name}.4194999.tmp"));
            let running = t.path().join(format!(".{name}.1.tmp"));
            std::fs::write(&dead, "half").unwrap();
            std::fs::write(&running, "writing").unwrap();
            Gazette::new()
                .args([command, "-q", "--format", format, "-o"])
                .arg(t.path().join(name))
                .arg(input)
                .run()
                .success();
            // (only Linux tells whether a process is gone)
            assert!(!cfg!(target_os = "linux") || !dead.exists(), "{command} {format}: a killed run's file was left");
            assert!(running.exists(), "{command} {format}: a running export's file was removed");
            let _ = std::fs::remove_file(&dead);
            std::fs::remove_file(&running).unwrap();
            std::fs::remove_file(t.path().join(name)).unwrap();
            // a file gazette did not write is not replaced
            let out = t.path().join(name);
            std::fs::write(&out, "notes I keep").unwrap();
            let run = Gazette::new().args([command, "-q", "--format", format, "-o"]).arg(&out).arg(input).run();
            assert_eq!(run.code, 2, "{command} {format} over a file it did not write: {}", run.stderr);
            assert!(run.stderr.contains("is not"), "{}", run.stderr);
            assert_eq!(std::fs::read_to_string(&out).unwrap(), "notes I keep");
            std::fs::write(&out, "").unwrap();
            Gazette::new().args([command, "-q", "--format", format, "-o"]).arg(&out).arg(input).run().success();
            let bytes = std::fs::read(&out).unwrap();
            if format == "gpkg" {
                assert!(bytes.starts_with(b"SQLite format 3\0"), "not an SQLite file");
                // application_id "GPKG" at offset 68, user_version 10300 at offset 60 (big endian)
                assert_eq!(&bytes[68..72], b"GPKG");
                assert_eq!(u32::from_be_bytes(bytes[60..64].try_into().unwrap()), 10300);
            } else {
                assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"), "not a Parquet file");
                let footer = String::from_utf8_lossy(&bytes);
                assert!(footer.contains("\"primary_column\":\"geometry\""), "no geo metadata");
            }
            // the same events give the same bytes, and a second run replaces the first
            let again = t.path().join(format!("again-{name}"));
            Gazette::new().args([command, "-q", "--format", format, "-o"]).arg(&again).arg(input).run().success();
            assert!(std::fs::read(&again).unwrap() == bytes, "{command} {format}: two runs differ");
            Gazette::new().args([command, "-q", "--format", format, "-o"]).arg(&again).arg(input).run().success();
            let missing = t.path().join("no/such/folder").join(name);
            let run = Gazette::new().args([command, "-q", "--format", format, "-o"]).arg(&missing).arg(input).run();
            assert_ne!(run.code, 0);
            assert!(run.stderr.contains("no/such/folder"), "{}", run.stderr);
            // a folder in the way, or an input: refused before any work
            let taken = t.path().join("taken");
            std::fs::create_dir_all(taken.join("inside")).unwrap();
            let run = Gazette::new().args([command, "-q", "--format", format, "-o"]).arg(&taken).arg(input).run();
            assert_eq!(run.code, 2, "{command} {format} over a folder");
            assert!(run.stderr.contains("taken") && run.stderr.contains("folder"), "{}", run.stderr);
            let inside = articles.join(name);
            let run = Gazette::new().args([command, "-q", "--format", format, "-o"]).arg(&inside).arg(input).run();
            assert_eq!(run.code, 2, "{command} {format} into the input folder: {}", run.stderr);
            assert!(!inside.exists());
            let mut left: Vec<_> = std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
            left.sort();
            assert_eq!(left.len(), 3, "{command} {format}: files left behind: {left:?}");
        }
    }
}

#[test]
fn extract_writes_text_formats_to_a_file_too() {
    let t = tempfile::tempdir().unwrap();
    let articles = crate::runner::root().join("site/articles");
    let stdout = Gazette::new().args(["extract", "-q", "--format", "geojsonl"]).arg(&articles).run().success();
    let out = t.path().join("features.geojsonl");
    std::fs::write(&out, "{\"an earlier\": \"run\"}\n").unwrap();
    let run = Gazette::new().args(["extract", "-q", "--format", "geojsonl", "-o"]).arg(&out).arg(&articles).run();
    assert_eq!(run.success().stdout, "", "the features went to the file, not stdout");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), stdout.stdout);
    assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1, "a temporary file was left");
}
