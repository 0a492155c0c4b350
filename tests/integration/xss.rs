//! Nothing injected (issue 7): hostile articles never put script in a page, and no slug
//! leaves the output folder.
//!
//! Pages are read with a spec-conforming HTML tokenizer (html5ever's), as a browser reads
//! them, and every start tag that could run script is refused unless it is the site's own.
//! The corpus of payloads is `tests/fixtures/xss` (`generate.py` writes its articles).

use std::path::PathBuf;

use serde_json::Value;

use crate::runner::{build, built_slugs, files, read, root, site_with, small_site, tree};
use crate::site::tags;

/// One start tag as a browser's tokenizer reads it: the name, attributes with character
/// references decoded, and the text of the element when it is `<script>`.
#[derive(Debug)]
struct StartTag {
    name: String,
    attrs: Vec<(String, String)>,
    script_text: String,
}

/// The HTML tokenizer html5ever (a spec-conforming one, ammonia's) with the tree builder's
/// one duty a tokenizer cannot do alone: switching to raw text after `<script>`,
/// `<style>`, `<title>` and the like, so that what is inside them is read as a browser does.
#[derive(Default)]
struct Tags(std::cell::RefCell<Vec<StartTag>>, std::cell::Cell<bool>);

impl html5ever::tokenizer::TokenSink for Tags {
    type Handle = ();
    fn process_token(
        &self,
        token: html5ever::tokenizer::Token,
        _line: u64,
    ) -> html5ever::tokenizer::TokenSinkResult<()> {
        use html5ever::tokenizer::states::RawKind;
        use html5ever::tokenizer::{TagKind, Token, TokenSinkResult};
        match token {
            Token::TagToken(t) if t.kind == TagKind::StartTag => {
                let name = t.name.to_string();
                let attrs = t.attrs.iter().map(|a| (a.name.local.to_string(), a.value.to_string())).collect();
                self.0.borrow_mut().push(StartTag { name: name.clone(), attrs, script_text: String::new() });
                self.1.set(name == "script");
                return match name.as_str() {
                    "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                    "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                    "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                        TokenSinkResult::RawData(RawKind::Rawtext)
                    }
                    "plaintext" => TokenSinkResult::Plaintext,
                    _ => TokenSinkResult::Continue,
                };
            }
            Token::TagToken(_) => self.1.set(false),
            Token::CharacterTokens(text) if self.1.get() => {
                if let Some(t) = self.0.borrow_mut().last_mut() {
                    t.script_text.push_str(&text);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn start_tags(html: &str) -> Vec<StartTag> {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let tok = Tokenizer::new(Tags::default(), TokenizerOpts::default());
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.0.take()
}

/// The text of the first `<h1>` of a page, as a browser shows it (entities decoded).
fn h1_text(html: &str) -> String {
    let start = html.find("<h1>").expect("an <h1>") + 4;
    let end = start + html[start..].find("</h1>").unwrap();
    html[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Scripts the site itself loads; anything else is injected.
fn is_own_script(src: &str) -> bool {
    ["static/gazette.js", "data/events.js", "static/countries.js"].iter().any(|s| src.ends_with(s))
        || src == "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js"
}

/// The site's own forms: the header's search box, the search page's and the map page's
/// filters, which go nowhere but the site's search page.
fn is_own_form<'a>(attrs: impl Iterator<Item = (&'a str, &'a str)> + Clone) -> bool {
    let has = |name: &str, f: &dyn Fn(&str) -> bool| attrs.clone().any(|(n, v)| n == name && f(v));
    let own = has("class", &|v| v == "site-search") || has("id", &|v| v == "search-form" || v == "filters");
    let action_ok = attrs.clone().all(|(n, v)| n != "action" || v == "./" || v.ends_with("search/"));
    own && action_ok
}

/// Why a start tag could run script, if it could.
fn danger(t: &StartTag) -> Option<String> {
    if t.name == "script" {
        return match t.attrs.iter().find(|(n, _)| n == "src") {
            Some((_, src)) if is_own_script(src) && t.script_text.trim().is_empty() => None,
            _ => Some(format!("<script> not the site's own: {t:?}")),
        };
    }
    if matches!(
        t.name.as_str(),
        "iframe" | "object" | "embed" | "frame" | "frameset" | "applet" | "form" | "meta" | "base"
    ) {
        // the only <meta>s are the site's charset/viewport/description/generator, and the
        // only <base> is 404.html's, all without http-equiv or a script URL
        let ok = match t.name.as_str() {
            "meta" => !t.attrs.iter().any(|(n, _)| n == "http-equiv"),
            "form" => is_own_form(t.attrs.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
            "base" => t.attrs.iter().all(|(n, v)| n != "href" || v.starts_with('/')),
            _ => false,
        };
        if !ok {
            return Some(format!("<{}>: {t:?}", t.name));
        }
    }
    for (name, value) in &t.attrs {
        if name.starts_with("on") {
            return Some(format!("event handler {name}={value:?} on <{}>", t.name));
        }
        if matches!(name.as_str(), "srcdoc" | "style" | "formaction") {
            return Some(format!("{name}={value:?} on <{}>", t.name));
        }
        // what a browser does before it looks at a URL's scheme: trim, drop tabs and newlines
        let url: String = value.trim().chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
        let url = url.to_ascii_lowercase();
        let is_url =
            matches!(name.as_str(), "href" | "src" | "action" | "data" | "xlink:href" | "poster" | "background");
        if is_url && (url.starts_with("javascript:") || url.starts_with("vbscript:") || url.starts_with("data:")) {
            return Some(format!("{name}={value:?} on <{}>", t.name));
        }
    }
    None
}

#[test]
fn the_injection_detector_detects() {
    let caught = |html: &str| start_tags(html).iter().any(|t| danger(t).is_some());
    for bad in [
        "<p><script>alert(1)</script>",
        "<script src=\"static/gazette.js\">alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"&#106;ava&#x09;script:alert(1)\">x</a>",
        "<a href=\" JAVASCRIPT:alert(1)\">x</a>",
        "<svg><a xlink:href=\"javascript:alert(1)\">x</a></svg>",
        "<iframe srcdoc=\"x\"></iframe>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<div style=\"x\">",
    ] {
        assert!(caught(bad), "{bad}");
    }
    for fine in [
        "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>",
        "<title><script>alert(1)</script></title>",
        "<textarea><img src=x onerror=alert(1)></textarea>",
        "<p>javascript:alert(1) onerror=alert(1)</p>",
        "<script defer src=\"../../static/gazette.js\"></script>",
        "<a href=\"https://example.org/?q=javascript:\">x</a>",
    ] {
        assert!(!caught(fine), "{fine}");
    }
}

#[test]
fn the_xss_corpus_puts_no_script_in_any_page() {
    let corpus = root().join("tests/fixtures/xss");
    let text = std::fs::read_to_string(corpus.join("payloads.txt")).unwrap();
    let payloads: Vec<&str> = text.split('\n').filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert!(payloads.len() >= 50, "{} payloads", payloads.len());
    for (i, p) in payloads.iter().enumerate() {
        let name = corpus.join(format!("articles/{:03}.md", i + 1));
        let article = std::fs::read_to_string(&name).unwrap_or_else(|e| panic!("{}: {e}", name.display()));
        assert!(
            article.contains(&format!("Fighting near Kabul on Sunday. {p}\n")),
            "{} is stale: run generate.py",
            name.display()
        );
    }
    assert_eq!(std::fs::read_dir(corpus.join("articles")).unwrap().count(), payloads.len(), "run generate.py");

    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let r = build(&corpus, &out, &[]);
    assert_eq!(r.code, 0, "warnings only (bidi controls removed):\n{}", r.stderr);
    assert!(!r.stderr.lines().any(|l| l.starts_with("error")), "{}", r.stderr);

    let mut pages = 0;
    let mut scripts = 0;
    let mut stack = vec![out.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p.strip_prefix(&out).unwrap().display().to_string();
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            match p.extension().and_then(|e| e.to_str()) {
                Some("html" | "xml" | "svg") => {
                    pages += 1;
                    for tag in start_tags(&text) {
                        if let Some(why) = danger(&tag) {
                            panic!("{rel}: {why}");
                        }
                        scripts += usize::from(tag.name == "script");
                    }
                }
                Some("json" | "js" | "geojson") if rel.starts_with("data/") => {
                    // data meant for scripts: nothing that could end or comment out a <script>
                    let lower = text.to_ascii_lowercase();
                    assert!(!lower.contains("</script") && !lower.contains("<!--"), "{rel} can close a <script>");
                    assert!(!text.contains('<'), "{rel} has a raw '<'");
                }
                _ => {}
            }
        }
    }
    assert!(pages > payloads.len(), "only {pages} pages");
    assert!(scripts > 0, "the site's own scripts were not seen: is the tokenizer reading the pages?");

    // Escaped, not dropped: every title reads on its page as written, bidi controls aside.
    let data: Value = serde_json::from_slice(&std::fs::read(out.join("data/events.json")).unwrap()).unwrap();
    let (slugs, titles) = (data["events"]["slug"].as_array().unwrap(), data["events"]["title"].as_array().unwrap());
    assert_eq!(slugs.len(), payloads.len());
    for p in &payloads {
        let want: String =
            p.chars().filter(|c| !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')).collect();
        assert!(titles.iter().any(|t| t == want.trim()), "no event is titled {want:?}");
    }
    for (slug, title) in slugs.iter().zip(titles) {
        let page = std::fs::read_to_string(out.join("events").join(slug.as_str().unwrap()).join("index.html")).unwrap();
        assert_eq!(h1_text(&page), title.as_str().unwrap(), "{slug}");
    }
}

#[test]
fn slugs_never_leave_the_output_folder() {
    let hostile = [
        "../../escaped",
        "/etc/passwd",
        "..",
        ".",
        "",
        "con",
        "NUL",
        "com1",
        "LPT9",
        "C:\\Windows\\x",
        "\\\\server\\share",
        "%2e%2e%2fx",
        "events/../../x",
        "a/b/c",
        "~root",
        "\u{202E}gpj.exe",
        "٫٫/٫٫",
        "x\u{0}y",
    ];
    let articles: Vec<(String, Vec<u8>)> = hostile
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let slug = serde_json::to_string(s).unwrap();
            (
                format!("{i:02}.md"),
                format!("---\ntitle: t{i}\ndate: 2021-08-15\nslug: {slug}\n---\nKabul\n").into_bytes(),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = articles.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let t = tempfile::tempdir().unwrap();
    let site = site_with(t.path(), &refs);
    let out = t.path().join("inside/out");
    let before: Vec<PathBuf> = tree(t.path()).into_keys().collect();
    let r = build(&site, &out, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // the output folder, and the geoparse cache that lives in the site folder by design
    let cache = site.join(".gazette-cache");
    let after: Vec<PathBuf> =
        tree(t.path()).into_keys().filter(|p| !p.starts_with(&out) && !p.starts_with(&cache)).collect();
    let mut expected = before;
    expected.push(t.path().join("inside"));
    expected.sort();
    assert_eq!(after, expected, "the build wrote outside its output folder");
    let slugs = built_slugs(&out);
    assert_eq!(slugs.len(), hostile.len() + 1);
    let reserved = ["con", "prn", "aux", "nul", "com1", "lpt9"];
    for s in &slugs {
        assert!(!s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{s:?}");
        assert!(!reserved.contains(&s.as_str()), "{s:?} is a name Windows reserves");
        assert!(out.join("events").join(s).join("index.html").is_file(), "{s}");
    }
    let mut events: Vec<String> =
        std::fs::read_dir(out.join("events")).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    events.sort();
    let mut want = slugs.clone();
    want.sort();
    assert_eq!(events, want, "events/ holds exactly one folder per slug");
}

#[test]
fn article_markup_never_becomes_script() {
    let t = tempfile::tempdir().unwrap();
    let evil = "---\n\
        title: \"<script>alert(1)</script> Kabul <img src=x onerror=alert(1)>\"\n\
        date: 2021-08-15\n\
        lang: en\n\
        source: \"<b onmouseover=alert(2)>wire</b>\"\n\
        url: \"javascript:alert(3)\"\n\
        tags: [\"<script>alert(4)</script>\", \"<img src=x onerror=alert(5)>\"]\n\
        summary: \"<script>alert(6)</script>\"\n\
        ---\n\n\
        Fighting in Kabul. <script>alert(7)</script> <img src=x onerror=alert(8)>\n\n\
        [click](javascript:alert(9)) <a href=\"javascript:alert(10)\">x</a> <a href=\" JaVaScRiPt:alert(11)\">y</a>\n\n\
        <iframe src=\"javascript:alert(12)\"></iframe> <svg onload=alert(13)></svg> <style>*{}</style>\n\n\
        <div style=\"background:url(javascript:alert(14))\">z</div> <form action=\"javascript:alert(15)\"><button>go</button></form>\n";
    let site = small_site(t.path(), &[("evil.md", evil), ("undated.txt", "<script>alert(16)</script>\n\nKabul.\n")]);
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    let mut pages = 0;
    for (rel, bytes) in files(&out) {
        let text = String::from_utf8_lossy(&bytes);
        if rel.ends_with(".html") || rel.ends_with(".xml") {
            pages += 1;
            for bad in ["<script>alert", "<iframe", "<svg onload", "<style>*{}", "<form action=\"javascript"] {
                assert!(!text.contains(bad), "{rel} has {bad}");
            }
            for form in tags(&text).iter().filter(|t| t.name == "form") {
                assert!(is_own_form(form.attrs.iter().map(|(n, v)| (n.as_str(), v.as_str()))), "{rel}: {form:?}");
            }
            // the only <style> is 404.html's own copy of the stylesheet
            assert!(rel == "404.html" || !text.contains("<style"), "{rel} has <style");
            for t in tags(&text) {
                for (name, value) in &t.attrs {
                    assert!(!name.starts_with("on"), "{rel}: <{} {name}=…>", t.name);
                    assert!(name != "style", "{rel}: <{} style=…>", t.name);
                    let v = value.trim().to_ascii_lowercase();
                    assert!(!v.starts_with("javascript:") && !v.starts_with("data:"), "{rel}: {name}={value:?}");
                }
                if t.name == "script" {
                    let src = t.attr("src").unwrap_or_else(|| panic!("{rel}: an inline <script>"));
                    assert!(
                        src.ends_with("static/gazette.js")
                            || src.ends_with("data/events.js")
                            || src.ends_with("static/countries.js")
                            || src == "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js",
                        "{rel}: <script src={src:?}>"
                    );
                }
            }
        }
    }
    assert!(pages >= 5, "{pages} pages");
    // data for scripts holds the title as a JSON string, which scripts only ever set as text
    let data: Value = serde_json::from_str(&read(&out.join("data/events.json"))).unwrap();
    assert!(data["events"]["title"][0].as_str().unwrap().contains("<script>"));
    let gazette_js = read(&out.join("static/gazette.js"));
    assert!(!gazette_js.contains("innerHTML") && !gazette_js.contains("insertAdjacentHTML"));
}
