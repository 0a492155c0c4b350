//! `gazette build` end to end: the demo site in `site/` and small sites written here,
//! built by the real binary into temporary folders; `gazette init` and `gazette serve`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::runner::{build, built_slugs, demo_copy, files, read, root, small_site, Gazette};

/// One start tag: its name and attributes (values with `&amp;`-style entities decoded).
#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

/// The start tags of an HTML or XML document (enough of a tokenizer for our own output:
/// quoted attribute values may hold `>`; comments and text are skipped).
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if html[i..].starts_with("!--") {
            i += html[i..].find("-->").map_or(html.len() - i, |e| e + 3);
            continue;
        }
        if !b.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let name_end = i + html[i..].find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/').unwrap();
        let mut tag = Tag { name: html[i..name_end].to_ascii_lowercase(), attrs: Vec::new() };
        i = name_end;
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                break;
            }
            let n_end = i + html[i..].find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '>').unwrap();
            let name = html[i..n_end].to_ascii_lowercase();
            i = n_end;
            let mut value = String::new();
            if b.get(i) == Some(&b'=') {
                i += 1;
                if b[i] == b'"' || b[i] == b'\'' {
                    let q = b[i] as char;
                    let end = i + 1 + html[i + 1..].find(q).unwrap();
                    value = html[i + 1..end].to_string();
                    i = end + 1;
                } else {
                    let end = i + html[i..].find(|c: char| c.is_ascii_whitespace() || c == '>').unwrap();
                    value = html[i..end].to_string();
                    i = end;
                }
            }
            let value = value
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            tag.attrs.push((name, value));
        }
        out.push(tag);
    }
    out
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

fn demo_built() -> &'static (tempfile::TempDir, PathBuf) {
    static BUILT: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        build(&root().join("site"), &out, &[]).success();
        (t, out)
    })
}

fn demo_data() -> Value {
    serde_json::from_str(&read(&demo_built().1.join("data/events.json"))).unwrap()
}

#[test]
fn demo_site_has_every_page_and_download() {
    let out = &demo_built().1;
    for f in [
        "index.html",
        "archive/index.html",
        "404.html",
        "atom.xml",
        "sitemap.xml",
        "events.geojson",
        "events.csv",
        "events.gpkg",
        "events.csvt",
        "events.prj",
        "data/events.json",
        "data/events.js",
        "static/gazette.css",
        "static/gazette.js",
        ".gazette-build",
    ] {
        assert!(out.join(f).is_file(), "{f} is missing");
    }
    let data = demo_data();
    let slugs = built_slugs(out);
    assert_eq!(slugs.len(), std::fs::read_dir(root().join("site/articles")).unwrap().count());
    for s in &slugs {
        assert!(out.join("events").join(s).join("index.html").is_file(), "no page for {s}");
    }
    for p in data["places"]["slug"].as_array().unwrap() {
        assert!(out.join("places").join(p.as_str().unwrap()).join("index.html").is_file(), "no page for {p}");
    }
    // one map point per GeoJSON feature
    let geojson: Value = serde_json::from_str(&read(&out.join("events.geojson"))).unwrap();
    assert_eq!(data["points"]["place"].as_array().unwrap().len(), geojson["features"].as_array().unwrap().len());
    let per_event: u64 = data["events"]["points"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).sum();
    assert_eq!(per_event as usize, geojson["features"].as_array().unwrap().len());
    let sitemap = read(&out.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://example.org/gazette/events/2021-08-15-kabul-falls-en/</loc>"));
    let atom = read(&out.join("atom.xml"));
    assert!(atom.contains("<id>https://example.org/gazette/events/2021-08-31-kabul-airlift-ends-en/</id>"));
    let footer = read(&out.join("index.html"));
    assert!(footer.contains("Place data © GeoNames"), "attribution missing");
    assert!(footer.contains("OpenStreetMap contributors"), "map data credit missing");
}

#[test]
fn internal_links_are_relative_and_resolve() {
    let checked = assert_links_resolve(&demo_built().1, Some("/gazette/"));
    assert!(checked > 500, "only {checked} links checked");
}

/// Every `href` and `src` of every page of a built site names a file of the site, and is
/// relative, but in 404.html: GitHub Pages serves that at any depth, so its links start
/// from `base` (the base URL's path), or are relative to the root without one. Returns
/// how many were checked.
#[track_caller]
fn assert_links_resolve(out: &Path, base: Option<&str>) -> usize {
    let mut checked = 0;
    for (rel, bytes) in files(out) {
        if !rel.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        let tags = tags(&html);
        assert!(!tags.iter().any(|t| t.name == "base"), "{rel} has a <base>, which sends #fragments home");
        let dir = Path::new(&rel).parent().unwrap().to_path_buf();
        for t in &tags {
            for (name, value) in &t.attrs {
                if !matches!(name.as_str(), "href" | "src") {
                    continue;
                }
                if value.starts_with("https://") || value.starts_with("http://") || value.starts_with('#') {
                    continue;
                }
                let value = match (rel.as_str(), base) {
                    ("404.html", Some(b)) => {
                        value.strip_prefix(b).unwrap_or_else(|| panic!("404.html: {name}={value:?} is not under {b}"))
                    }
                    _ => value.as_str(),
                };
                assert!(!value.starts_with('/') && !value.contains("://"), "{rel}: {name}={value:?} is not relative");
                let path = value.split(['#', '?']).next().unwrap();
                let mut target = out.join(&dir).join(path);
                if path.is_empty() || path.ends_with('/') {
                    target = target.join("index.html");
                }
                assert!(target.is_file(), "{rel}: {name}={value:?} does not resolve ({})", target.display());
                checked += 1;
            }
        }
    }
    checked
}

/// Issue 6: a place named by hundreds of articles, and the archive, are split into pages
/// of 100 that link to each other; every event is listed exactly once.
#[test]
fn long_lists_are_paginated() {
    let t = tempfile::tempdir().unwrap();
    let texts: Vec<(String, String)> = (0..230)
        .map(|i| {
            let date = format!("2021-{:02}-{:02}", 1 + i / 28, 1 + i % 28);
            (format!("a{i:03}.md"), format!("---\ntitle: Report {i}\ndate: {date}\n---\n\nFighting in Kabul.\n"))
        })
        .collect();
    let refs: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let site = small_site(t.path(), &refs);
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    for (dir, last) in [("places/kabul-1138958", 3), ("archive", 3)] {
        let mut listed = Vec::new();
        for n in 1..=last {
            let page = if n == 1 { format!("{dir}/index.html") } else { format!("{dir}/page/{n}/index.html") };
            let html = read(&out.join(&page));
            let items: Vec<String> = tags(&html)
                .iter()
                .filter(|t| t.name == "li")
                .filter_map(|t| t.attr("data-slug").map(str::to_string))
                .collect();
            assert!(items.len() <= 100, "{page}: {} items", items.len());
            listed.extend(items);
            assert_eq!(html.contains("rel=\"next\""), n < last, "{page}: next link");
            assert_eq!(html.contains("rel=\"prev\""), n > 1, "{page}: previous link");
        }
        assert!(!out.join(dir).join(format!("page/{}", last + 1)).exists());
        let mut unique = listed.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((listed.len(), unique.len()), (230, 230), "{dir} lists every event once");
    }
    // the archive's month index leads to the page where each month begins
    let first = read(&out.join("archive/index.html"));
    assert!(first.contains("href=\"page/2/#m-2021-05\""), "no link to May (events 112 to 139) on page 2");
    assert!(first.contains("href=\"#m-2021-04\""), "no link to April on page 1");
    assert!(assert_links_resolve(&out, Some("/test/")) > 1000);
}

#[test]
fn arabic_event_pages_are_right_to_left() {
    let out = &demo_built().1;
    let data = demo_data();
    let langs = data["events"]["lang"].as_array().unwrap();
    let mut arabic = 0;
    for (slug, lang) in built_slugs(out).iter().zip(langs) {
        let html = read(&out.join("events").join(slug).join("index.html"));
        let tags = tags(&html);
        let article = tags.iter().find(|t| t.name == "article").expect("an <article>");
        if lang == "ar" {
            arabic += 1;
            assert_eq!((article.attr("lang"), article.attr("dir")), (Some("ar"), Some("rtl")), "{slug}");
        } else {
            assert_eq!(article.attr("dir"), Some("ltr"), "{slug}");
        }
        // maps stay left to right inside right-to-left pages
        let wrap = tags.iter().find(|t| t.attr("class").is_some_and(|c| c.starts_with("map-wrap"))).unwrap();
        assert_eq!(wrap.attr("dir"), Some("ltr"));
    }
    assert!(arabic >= 5, "{arabic} Arabic events");
}

#[test]
fn archive_lists_every_event_without_javascript() {
    let out = &demo_built().1;
    let archive = read(&out.join("archive/index.html"));
    let hrefs: Vec<String> =
        tags(&archive).iter().filter(|t| t.name == "a").filter_map(|t| t.attr("href").map(str::to_string)).collect();
    for slug in built_slugs(out) {
        assert!(hrefs.contains(&format!("../events/{slug}/")), "archive misses {slug}");
    }
    // the archive needs no script: its only one is gazette.js, for the header's search box
    let scripts: Vec<_> = tags(&archive).into_iter().filter(|t| t.name == "script").collect();
    assert!(scripts.len() == 1 && scripts[0].attr("src") == Some("../static/gazette.js"), "{scripts:?}");
    // the index works without JavaScript too: an SVG map with linked points and the list
    let index = read(&out.join("index.html"));
    assert!(index.contains("<svg class=\"svgmap\""));
    assert!(index.contains("<a href=\"places/kabul-1138958/\"><circle"));
    assert!(index.contains("<ol id=\"event-list\""));
}

#[test]
fn builds_are_deterministic() {
    let t = tempfile::tempdir().unwrap();
    let again = t.path().join("again");
    build(&root().join("site"), &again, &[]).success();
    let (a, b) = (files(&demo_built().1), files(&again));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs between two builds");
    }
}

#[test]
fn a_failed_build_leaves_the_previous_site_as_it_was() {
    let t = tempfile::tempdir().unwrap();
    let site = demo_copy(t.path());
    let out = t.path().join("public");
    build(&site, &out, &[]).success();
    let before = files(&out);

    // a template that does not parse
    std::fs::create_dir_all(site.join("templates")).unwrap();
    std::fs::write(site.join("templates/index.html"), "{% extends \"base.html\" %}{{ oops(").unwrap();
    let o = build(&site, &out, &[]);
    assert!(o.code != 0);
    assert!(o.stderr.contains("template"), "{}", o.stderr);
    // a template that parses but fails while rendering
    std::fs::write(site.join("templates/index.html"), "{{ no_such_variable.field }}").unwrap();
    let o = build(&site, &out, &[]);
    assert!(o.code != 0);

    assert!(files(&out) == before, "the previous site changed");
    let left: Vec<String> =
        std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(left.iter().all(|n| !n.contains(".tmp")), "temporary folders left: {left:?}");

    // and a working override replaces the built-in of its name
    std::fs::write(site.join("templates/404.html"), "custom {{ site.title }}").unwrap();
    std::fs::remove_file(site.join("templates/index.html")).unwrap();
    build(&site, &out, &[]).success();
    assert_eq!(read(&out.join("404.html")), "custom Gazette demo: Afghanistan, summer 2021");
}

#[test]
fn refuses_to_write_over_the_site_folder_or_a_stranger() {
    let t = tempfile::tempdir().unwrap();
    let site = demo_copy(t.path());
    let before = files(&site);
    for bad in [site.clone(), t.path().to_path_buf(), PathBuf::from("/")] {
        let o = build(&site, &bad, &[]);
        assert!(o.code != 0, "-o {} was accepted", bad.display());
        assert!(o.stderr.contains("refusing"), "{}", o.stderr);
    }
    assert!(files(&site) == before, "the site folder changed");
    let mine = t.path().join("notes");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("todo.txt"), "keep me").unwrap();
    let o = build(&site, &mine, &[]);
    assert!(o.code != 0);
    assert_eq!(read(&mine.join("todo.txt")), "keep me");
}

#[test]
fn bad_config_names_the_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let site = small_site(t.path(), &[]);
    std::fs::write(site.join("gazette.toml"), "title = \"x\"\n\n[map]\ntilez = \"none\"\n").unwrap();
    let o = build(&site, &t.path().join("out"), &[]);
    assert!(o.code != 0);
    let err = &o.stderr;
    assert!(err.contains("gazette.toml: line 4: unknown field `tilez`"), "{err}");
}

#[test]
fn a_bad_article_does_not_stop_the_build() {
    let t = tempfile::tempdir().unwrap();
    let good = "---\ntitle: Taliban enter Kabul\ndate: 2021-08-15\n---\n\nFighting in Kabul.\n";
    let site = small_site(t.path(), &[("good.md", good)]);
    std::fs::write(site.join("articles/bad.md"), b"---\ntitle: x\n---\n\xff\xfe broken").unwrap();
    let out = t.path().join("out");
    let o = build(&site, &out, &[]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("bad.md"), "the error names the file");
    assert!(out.join("events/good/index.html").is_file(), "the good article was not built");
}

/// `gazette init` writes a site that builds as it is, and never writes over files.
#[test]
fn init_makes_a_site_that_builds() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("news");
    Gazette::new().arg("init").arg(&dir).run().success();
    for f in ["gazette.toml", "articles/hairatan-bridge.md", ".github/workflows/pages.yml", ".gitignore"] {
        assert!(dir.join(f).is_file(), "init wrote no {f}");
    }
    let out = t.path().join("out");
    let o = build(&dir, &out, &[]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let page = read(&out.join("events/hairatan-bridge/index.html"));
    assert!(page.contains("Friendship Bridge at Hairatan"));
    assert!(page.contains("places/tashkent-"), "the example article's places are linked");

    let before = files(&dir);
    let o = Gazette::new().arg("init").arg(&dir).run();
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("not empty"));
    assert!(files(&dir) == before, "a second init changed the site");
}

/// A `gazette serve` child process, stopped when dropped.
struct Served(std::process::Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GET a URL (`http://HOST:PORT/PATH`): status code and body.
fn http_get(url: &str) -> std::io::Result<(u16, String)> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut s = std::net::TcpStream::connect(host)?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map_or("", |x| x.1).to_string();
    Ok((status, body))
}

/// `gazette serve` serves the site under its base path, and serves it again, rebuilt,
/// after an article changes.
#[test]
fn serve_rebuilds_when_an_article_changes() {
    use std::io::BufRead;
    let t = tempfile::tempdir().unwrap();
    let article = "---\ntitle: Taliban enter Kabul\ndate: 2021-08-15\n---\n\nFighting in Kabul.\n";
    let site = small_site(t.path(), &[("kabul.md", article)]);
    let mut child = Gazette::new()
        .args(["serve", "--port", "0", "--quiet"])
        .arg(&site)
        .command()
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run gazette serve");
    let stdout = child.stdout.take().unwrap();
    let _served = Served(child);
    let mut line = String::new();
    std::io::BufReader::new(stdout).read_line(&mut line).unwrap();
    let url =
        line.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| panic!("no URL in {line:?}"));
    assert!(url.ends_with("/test/"), "not served under the base path: {url}");

    let (status, index) = http_get(url).unwrap();
    assert_eq!(status, 200);
    assert!(index.contains("Taliban enter Kabul"), "{index}");
    assert!(index.contains("__gazette/build"), "no reload script");
    let root = url.trim_end_matches("test/");
    assert_eq!(http_get(root).unwrap().0, 302, "/ leads to the base path");
    assert_eq!(http_get(&format!("{url}no/such/page/")).unwrap().0, 404);
    let (_, first) = http_get(&format!("{url}__gazette/build")).unwrap();

    std::fs::write(site.join("articles/kabul.md"), article.replace("enter Kabul", "reach Kabul airport")).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    // the new page, and a new build number for open pages to reload on
    loop {
        let (status, page) = http_get(&format!("{url}events/kabul/")).unwrap();
        let (_, now) = http_get(&format!("{url}__gazette/build")).unwrap();
        if status == 200 && page.contains("Taliban reach Kabul airport") && now != first {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no rebuild after the article changed");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Issue 6: a second build takes unchanged articles from `.gazette-cache`, parses a
/// changed one again, and writes the same bytes as a build without the cache.
#[test]
fn second_build_reuses_the_geoparse_cache() {
    let t = tempfile::tempdir().unwrap();
    let site = demo_copy(t.path());
    let n = std::fs::read_dir(site.join("articles")).unwrap().count();
    let build_log = |out: &str| {
        let o = build(&site, &t.path().join(out), &[]);
        assert!(o.code == 0, "{}", o.stderr);
        o.stderr
    };
    let cold = build_log("cold");
    assert!(cold.contains(&format!("geoparsed {n}, reused 0")), "{cold}");
    // progress is for terminals: a pipe gets the summary only
    assert!(!cold.contains('\r') && !cold.contains("geoparsing"), "{cold:?}");
    assert!(site.join(".gazette-cache/geoparse.bin").is_file());
    let warm = build_log("warm");
    assert!(warm.contains(&format!("geoparsed 0, reused {n}")), "{warm}");
    let (a, b) = (files(&t.path().join("cold")), files(&t.path().join("warm")));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(bytes == &b[name], "{name} differs with the cache");
    }

    let kabul = site.join("articles/2021-08-15-kabul-falls-en.md");
    std::fs::write(&kabul, read(&kabul).replace("Jalalabad", "Ghazni")).unwrap();
    let changed = build_log("changed");
    assert!(changed.contains(&format!("geoparsed 1, reused {}", n - 1)), "{changed}");
    let page = read(&t.path().join("changed/events/2021-08-15-kabul-falls-en/index.html"));
    assert!(
        page.contains("places/ghazni-") && !page.contains("places/jalalabad-"),
        "the changed article was not parsed again"
    );

    let o = build(&site, &t.path().join("quiet"), &["--quiet"]);
    assert!(o.code == 0 && o.stderr.is_empty(), "--quiet printed {:?}", o.stderr);

    // a damaged cache is ignored, not trusted
    std::fs::write(site.join(".gazette-cache/geoparse.bin"), b"GZGEO1\nnonsense").unwrap();
    let damaged = build_log("damaged");
    assert!(damaged.contains(&format!("geoparsed {n}, reused 0")), "{damaged}");
    assert!(files(&t.path().join("damaged")) == files(&t.path().join("changed")));
}

/// Issue 17: the demo map shows no dot that its articles do not name. Every feature the
/// site exports lies within the tolerance of a place its article's hand-checked gold
/// (`tests/eval/demo_gold.json`) lists, and none near a trap (the old false dots:
/// Machilipatnam, Scheer, Isparta).
#[test]
fn demo_site_shows_only_places_its_articles_name() {
    let gold: Value = serde_json::from_str(&read(&root().join("tests/eval/demo_gold.json"))).unwrap();
    let fc = Gazette::new().args(["export", "site", "--format", "geojson"]).run().success().json();
    let features = fc["features"].as_array().unwrap();
    assert!(features.len() > 50, "{} features", features.len());
    fn near(places: &Value, (lat, lon): (f64, f64)) -> bool {
        places.as_array().unwrap().iter().any(|g| {
            let tol = g[3].as_f64().unwrap();
            gazette::geoparse::distance_km((lat, lon), (g[1].as_f64().unwrap(), g[2].as_f64().unwrap())) <= tol
        })
    }
    for f in features {
        let slug = f["properties"]["article"].as_str().unwrap();
        let g = &gold[format!("{slug}.md")];
        let c = &f["geometry"]["coordinates"];
        let point = (c[1].as_f64().unwrap(), c[0].as_f64().unwrap());
        let place = &f["properties"]["place"];
        assert!(!near(&g["traps"], point), "{slug}: {place} is a trap");
        assert!(near(&g["gold"], point), "{slug}: {place} at {point:?} is not a place the article names");
    }
}

/// Issue 20: in Arabic, a place link leaves out the conjunction written onto the name
/// (`وقندهار` is linked as و + قندهار), and a bold name after a separate و is linked.
#[test]
fn arabic_place_links_leave_the_conjunction_out() {
    let (_, out) = demo_built();
    let mut links = 0;
    for (rel, bytes) in files(out) {
        if !(rel.starts_with("events/") && rel.ends_with("-ar/index.html")) {
            continue;
        }
        let html = String::from_utf8(bytes).unwrap();
        for piece in html.split("<a class=\"place\"").skip(1) {
            let text = &piece[piece.find('>').unwrap() + 1..piece.find("</a>").unwrap()];
            assert!(!text.starts_with(['و', 'ف']), "{rel}: link text {text:?}");
            links += 1;
        }
        assert!(!html.contains("و<strong>قندهار</strong>"), "{rel}: a bold name after و is not linked");
    }
    assert!(links > 20, "only {links} place links in the Arabic events");
}

/// Issue 20: 404.html is styled wherever it is served (its styles are inline), and has no
/// `<base>`, so its skip link stays on the page.
#[test]
fn the_404_page_carries_its_styles_and_keeps_its_skip_link() {
    let (_, out) = demo_built();
    let page = read(&out.join("404.html"));
    let css = read(&out.join("static/gazette.css"));
    let first_rule = css.lines().find(|l| l.contains('{')).unwrap();
    assert!(page.contains("<style>") && page.contains(first_rule), "the stylesheet is not inline");
    assert!(!page.contains("<base"), "a <base> sends the skip link home");
    assert!(page.contains("<a class=\"skip\" href=\"#main\">"));
}

/// Tags and sources have pages (an index, one page per tag or source with its events and
/// a map) and feeds; event pages link to them; a tag is one tag whatever its case.
#[test]
fn tags_and_sources_have_pages_and_feeds() {
    let t = tempfile::tempdir().unwrap();
    let site = small_site(
        t.path(),
        &[
            ("a.md", "---\ntitle: Kabul one\ndate: 2021-08-01\ntags: [Drought, aid]\nsource: Daily News\n---\nFighting in Kabul.\n"),
            ("b.md", "---\ntitle: Herat two\ndate: 2021-08-02\ntags: [drought]\nsource: Daily News\n---\nRain in Herat.\n"),
            ("c.md", "---\ntitle: Kandahar three\ndate: 2021-08-03\ntags: [aid]\n---\nAid reaches Kandahar.\n"),
        ],
    );
    let out = t.path().join("public");
    build(&site, &out, &[]).success();
    // one tag whatever its case, written as the first article wrote it
    let index = read(&out.join("tags/index.html"));
    assert!(index.contains(">Drought</a>") && !index.contains(">drought</a>"), "{index}");
    assert!(index.contains("href=\"../tags/drought/\"") && index.contains("href=\"../tags/aid/\""));
    let drought = read(&out.join("tags/drought/index.html"));
    assert!(drought.contains("Kabul one") && drought.contains("Herat two") && !drought.contains("Kandahar three"));
    assert!(drought.contains("class=\"map-point\"") && drought.contains("svgmap"), "no map on a tag page");
    let sources = read(&out.join("sources/daily-news/index.html"));
    assert!(sources.contains("Kabul one") && sources.contains("Herat two") && !sources.contains("Kandahar three"));
    // event pages link to their tags and source
    let event = built_slugs(&out)
        .into_iter()
        .map(|s| read(&out.join("events").join(s).join("index.html")))
        .find(|page| page.contains("<h1>Kabul one</h1>"))
        .expect("an event page for a.md");
    for href in ["../../tags/drought/", "../../tags/aid/", "../../sources/daily-news/"] {
        assert!(tags(&event).iter().any(|t| t.name == "a" && t.attr("href") == Some(href)), "no link to {href}");
    }
    // feeds per tag, source and place: newest first, absolute links under base_url
    let feed = read(&out.join("tags/drought/atom.xml"));
    assert!(feed.starts_with("<?xml") && feed.contains("<title>Drought · Test site</title>"), "{feed}");
    assert!(feed.contains(
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"https://example.org/test/tags/drought/atom.xml\"/>"
    ));
    let (herat, kabul) = (feed.find("Herat two").unwrap(), feed.find("Kabul one").unwrap());
    assert!(herat < kabul, "the feed is not newest first");
    assert_eq!(feed.matches("<entry").count(), 2);
    let place = std::fs::read_dir(out.join("places"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("kabul"))
        .unwrap();
    assert!(read(&place.join("atom.xml")).contains("Kabul one"));
    let sitemap = read(&out.join("sitemap.xml"));
    assert!(
        sitemap.contains("https://example.org/test/tags/drought/")
            && sitemap.contains("https://example.org/test/sources/daily-news/")
    );
}

/// `language` gives the interface its words, digits and dates; `[strings]` changes any
/// of them; a string that does not exist is an error naming it and the line.
#[test]
fn the_interface_speaks_the_sites_language() {
    let t = tempfile::tempdir().unwrap();
    let site = small_site(
        t.path(),
        &[("a.md", "---\ntitle: Kabul\ndate: 2021-08-15\nlang: en\n---\nFighting in Kabul and Herat.\n")],
    );
    let config = site.join("gazette.toml");
    std::fs::write(
        &config,
        "title = \"Test\"\nlanguage = \"ar\"\n[map]\ntiles = \"none\"\n[strings]\nnav_tags = \"موضوعات\"\n",
    )
    .unwrap();
    let out = t.path().join("public");
    build(&site, &out, &[]).success();
    let index = read(&out.join("index.html"));
    assert!(index.contains("<html lang=\"ar\" dir=\"rtl\">"));
    assert!(index.contains(">الأرشيف</a>") && index.contains(">موضوعات</a>"), "nav not in Arabic, or not overridden");
    assert!(index.contains(">١٥ أغسطس ٢٠٢١</time>"), "the date is not written in Arabic");
    // the article keeps its own language and direction
    assert!(index.contains("lang=\"en\" dir=\"ltr\">Kabul</a>"));
    let js = read(&out.join("static/gazette.js"));
    assert!(js.starts_with("window.gazetteStrings={\"lang\":\"ar\",\"digits\":\"arab\""), "{}", &js[..80]);
    // Latin digits when the site asks for them
    std::fs::write(&config, "title = \"Test\"\nlanguage = \"ar\"\ndigits = \"latn\"\n[map]\ntiles = \"none\"\n")
        .unwrap();
    build(&site, &out, &[]).success();
    assert!(read(&out.join("index.html")).contains(">15 أغسطس 2021</time>"));
    // a typo in [strings] names the string and the line, and writes nothing
    std::fs::write(&config, "title = \"Test\"\n[map]\ntiles = \"none\"\n[strings]\nnav_mpa = \"Overview\"\n").unwrap();
    let run = build(&site, &out, &[]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("gazette.toml: line 4") && run.stderr.contains("nav_mpa"), "{}", run.stderr);
}

/// `export` of a built site takes its events from the site's geoparse cache (the same
/// events, not geoparsed again), reads the cache and never writes it.
#[test]
fn export_of_a_built_site_reads_its_geoparse_cache() {
    let t = tempfile::tempdir().unwrap();
    let site = demo_copy(t.path());
    let export = |name: &str| {
        let out = t.path().join(name);
        crate::runner::gazette(
            ["export", "-q", "--format", "geojsonl", "-o"]
                .iter()
                .map(std::ffi::OsStr::new)
                .chain([out.as_os_str(), site.as_os_str()]),
        )
        .success();
        read(&out)
    };
    let fresh = export("fresh.geojsonl");
    assert!(build(&site, &t.path().join("public"), &[]).code == 0);
    let cache = site.join(".gazette-cache/geoparse.bin");
    let saved = std::fs::read(&cache).unwrap();
    assert_eq!(export("cached.geojsonl"), fresh, "the cache gave other events");
    assert!(std::fs::read(&cache).unwrap() == saved, "export wrote the cache");

    // every cached confidence set to 0.875: an export that reads the cache shows it
    let mut b = saved.clone();
    let stamp = u32::from_le_bytes(b[7..11].try_into().unwrap()) as usize;
    let mut at = 11 + stamp;
    let entries = u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
    at += 8;
    for _ in 0..entries {
        at += 16;
        let count = u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
        at += 4;
        for _ in 0..count {
            at += 16;
            let text = u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
            at += 4 + text + 4 + 1;
            b[at..at + 8].copy_from_slice(&0.875f64.to_bits().to_le_bytes());
            at += 8;
        }
    }
    assert_eq!(at, b.len(), "the cache format changed: update this test");
    std::fs::write(&cache, &b).unwrap();
    let forged = export("forged.geojsonl");
    assert_ne!(forged, fresh, "export did not read the cache");
    for line in forged.lines() {
        let f: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(f["properties"]["confidence"], 0.875, "{line}");
    }
}
