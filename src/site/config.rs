//! The site's configuration, `SITE_DIR/gazette.toml`: the first step of `gazette build`.
//!
//! ```toml
//! title = "Afghanistan, summer 2021"
//! description = "What the news said, on a map."
//! language = "en"              # the pages' language; `direction` follows from it
//! base_url = "https://example.org/gazette/"   # for atom.xml and sitemap.xml only
//! cname = "news.example.org"   # GitHub Pages' custom domain: written to OUT/CNAME
//!
//! [map]
//! tiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"   # or "none"
//! attribution = "© OpenStreetMap contributors"
//! attribution_url = "https://www.openstreetmap.org/copyright"
//! leaflet = "cdn"              # or a folder holding Leaflet's dist files
//!
//! [timeline]
//! granularity = "week"         # day, week or month
//!
//! [strings]                    # the interface's words, over templates/i18n/LANG.toml
//! nav_map = "Overview"
//! ```
//!
//! Unknown keys are errors, so that a typo does not silently fall back to a default.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::i18n::{Digits, Strings};
use crate::error::{Error, Result};

/// Where the pages get Leaflet from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaflet {
    /// unpkg.com, pinned to 1.9.4 with Subresource Integrity hashes.
    Cdn,
    /// A folder with `leaflet.js`, `leaflet.css` and `images/`, copied into the site.
    Local(PathBuf),
}

/// How wide one bar of the timeline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    Month,
}

/// The map settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapConfig {
    /// A tile URL template with `{z}`, `{x}` and `{y}`; `None` draws country outlines
    /// instead (no requests to a tile server).
    pub tiles: Option<String>,
    /// Credit for the tiles, plain text.
    pub attribution: String,
    pub attribution_url: Option<String>,
    pub max_zoom: u8,
    pub leaflet: Leaflet,
}

/// Everything `gazette.toml` says, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// BCP 47 language tag of the pages' own text (not of the articles).
    pub language: String,
    /// `ltr` or `rtl`.
    pub direction: &'static str,
    /// Absolute URL the site is served from, ending in `/`. Pages never use it (their
    /// links are relative); the feed and the sitemap need absolute URLs.
    pub base_url: Option<String>,
    pub map: MapConfig,
    pub granularity: Granularity,
    /// A custom domain for GitHub Pages (`cname`): the build writes it, with a newline,
    /// to `CNAME` at the root of the site. A bare host name, checked.
    pub cname: Option<String>,
    /// The digits of numbers and dates (`digits`: latn, arab, arabext); by default
    /// the language's own.
    pub digits: Option<Digits>,
    /// The site's own wording of the interface (`[strings]`), over the language's table
    /// (`templates/i18n/`); checked.
    pub strings: toml::Table,
    /// The map shows the mentions at least this confident (`min_confidence`; 0.5 when
    /// not set; `--min-confidence` overrides it).
    pub min_confidence: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default = "default_language")]
    language: String,
    direction: Option<String>,
    base_url: Option<String>,
    cname: Option<String>,
    min_confidence: Option<f64>,
    #[serde(default)]
    map: RawMap,
    #[serde(default)]
    timeline: RawTimeline,
    digits: Option<String>,
    #[serde(default)]
    strings: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    #[serde(default = "default_tiles")]
    tiles: String,
    attribution: Option<String>,
    attribution_url: Option<String>,
    #[serde(default = "default_max_zoom")]
    max_zoom: u8,
    #[serde(default = "default_leaflet")]
    leaflet: String,
}

impl Default for RawMap {
    fn default() -> Self {
        RawMap {
            tiles: default_tiles(),
            attribution: None,
            attribution_url: None,
            max_zoom: default_max_zoom(),
            leaflet: default_leaflet(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeline {
    #[serde(default = "default_granularity")]
    granularity: Granularity,
}

impl Default for RawTimeline {
    fn default() -> Self {
        RawTimeline { granularity: default_granularity() }
    }
}

fn default_language() -> String {
    "en".into()
}
fn default_tiles() -> String {
    OSM_TILES.into()
}
fn default_max_zoom() -> u8 {
    18
}
fn default_leaflet() -> String {
    "cdn".into()
}
fn default_granularity() -> Granularity {
    Granularity::Week
}

const OSM_TILES: &str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

/// Languages written right to left (primary subtags).
const RTL: &[&str] = &["ar", "fa", "ur", "ps", "he", "yi", "dv", "ckb", "sd", "ug"];

/// The path part of a base URL, with one slash at each end and between segments:
/// `https://a.org/x/` → `/x/`.
pub fn base_path(base_url: Option<&str>) -> String {
    let Some(u) = base_url else { return "/".into() };
    let rest = u.split_once("://").map_or(u, |x| x.1);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        "/".into()
    } else {
        format!("/{}/", segments.join("/"))
    }
}

/// `rtl` for a right-to-left language tag, else `ltr`.
pub fn direction_of(lang: &str) -> &'static str {
    let primary = lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    if RTL.contains(&primary.as_str()) {
        "rtl"
    } else {
        "ltr"
    }
}

/// Read and check `SITE_DIR/gazette.toml`. `base_url` (from `--base-url`) wins over the file's.
pub fn load(site_dir: &Path, base_url: Option<&str>) -> Result<SiteConfig> {
    let path = site_dir.join("gazette.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
        path: path.clone(),
        line: None,
        message: format!("cannot read it: {e}"),
    })?;
    parse(&path, &text, base_url)
}

/// Parse the text of a `gazette.toml`; `path` is only for messages and relative paths.
pub fn parse(path: &Path, text: &str, base_url: Option<&str>) -> Result<SiteConfig> {
    let err = |message: String| Error::Config { path: path.to_owned(), line: None, message };
    let raw: RawConfig = toml::from_str(text).map_err(|e| Error::Config {
        path: path.to_owned(),
        line: e.span().map(|span| text[..span.start.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1),
        message: e.message().trim().to_string(),
    })?;

    if raw.title.trim().is_empty() {
        return Err(err("`title` is empty".into()));
    }
    for (key, value) in [("title", &raw.title), ("description", &raw.description)] {
        if let Some(c) = value.chars().find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
            // it would make atom.xml not well-formed
            return Err(err(format!("`{key}` contains the control character U+{:04X}; remove it", u32::from(c))));
        }
    }
    let lang_ok = !raw.language.is_empty()
        && raw.language.len() <= 35
        && raw.language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !lang_ok {
        return Err(err(format!("`language` {:?} is not a language tag like \"en\" or \"ar\"", raw.language)));
    }
    let direction = match raw.direction.as_deref() {
        None => direction_of(&raw.language),
        Some("ltr") => "ltr",
        Some("rtl") => "rtl",
        Some(other) => return Err(err(format!("`direction` {other:?} must be \"ltr\" or \"rtl\""))),
    };
    let base_url = match base_url.map(str::to_string).or(raw.base_url) {
        None => None,
        Some(u) => Some(check_base_url(&u).map_err(err)?),
    };
    let cname = raw.cname.as_deref().map(check_cname).transpose().map_err(err)?;

    let m = raw.map;
    let tiles = match m.tiles.trim() {
        "none" => None,
        t if (t.starts_with("https://") || t.starts_with("http://"))
            && ["{z}", "{x}", "{y}"].iter().all(|p| t.contains(p)) =>
        {
            Some(t.to_string())
        }
        t => {
            return Err(err(format!(
                "[map] tiles {t:?} must be \"none\" or an http(s) URL with {{z}}, {{x}} and {{y}}"
            )))
        }
    };
    let attribution = match (&m.attribution, &tiles) {
        (Some(a), _) => a.trim().to_string(),
        (None, Some(t)) if t == OSM_TILES => "© OpenStreetMap contributors".into(),
        (None, Some(_)) => return Err(err("[map] attribution is required with custom tiles".into())),
        (None, None) => String::new(),
    };
    let attribution_url = match m.attribution_url {
        Some(u) if u.starts_with("https://") || u.starts_with("http://") => Some(u),
        Some(u) => return Err(err(format!("[map] attribution_url {u:?} must be an http(s) URL"))),
        None if m.attribution.is_none() && tiles.as_deref() == Some(OSM_TILES) => {
            Some("https://www.openstreetmap.org/copyright".into())
        }
        None => None,
    };
    if !(1..=22).contains(&m.max_zoom) {
        return Err(err(format!("[map] max_zoom {} must be between 1 and 22", m.max_zoom)));
    }
    let leaflet = match m.leaflet.trim() {
        "cdn" => Leaflet::Cdn,
        "" => return Err(err("[map] leaflet must be \"cdn\" or a folder with Leaflet's dist files".into())),
        dir => {
            let p = PathBuf::from(dir);
            let base = path.parent().unwrap_or(Path::new("."));
            Leaflet::Local(if p.is_absolute() { p } else { base.join(p) })
        }
    };

    let digits = match raw.digits.as_deref() {
        None => None,
        Some(d) => Some(Digits::parse(d).ok_or_else(|| {
            err(format!("`digits` {d:?} must be \"latn\" (0-9), \"arab\" (٠-٩) or \"arabext\" (۰-۹)"))
        })?),
    };
    if let Err(message) = Strings::new(&raw.language, digits, &raw.strings) {
        let line = text.lines().position(|l| l.trim() == "[strings]").map(|i| i + 1);
        return Err(Error::Config { path: path.to_owned(), line, message });
    }

    let min_confidence = raw.min_confidence.unwrap_or(crate::geoparse::confidence::DEFAULT_MIN_CONFIDENCE);
    if !(0.0..=1.0).contains(&min_confidence) {
        return Err(err(format!("`min_confidence` {min_confidence} must be between 0 and 1")));
    }
    Ok(SiteConfig {
        min_confidence,
        title: raw.title.trim().to_string(),
        description: raw.description.trim().to_string(),
        language: raw.language,
        direction,
        base_url,
        cname,
        map: MapConfig { tiles, attribution, attribution_url, max_zoom: m.max_zoom, leaflet },
        granularity: raw.timeline.granularity,
        digits,
        strings: raw.strings,
    })
}

fn check_base_url(u: &str) -> std::result::Result<String, String> {
    let u = u.trim();
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !u.contains(['"', '<', '>', ' ', '\'']) => {
            Ok(if u.ends_with('/') { u.to_string() } else { format!("{u}/") })
        }
        _ => Err(format!("base_url {u:?} must be an absolute http(s) URL like \"https://example.org/news/\"")),
    }
}

/// A host name as GitHub Pages wants it in `CNAME`: `news.example.org`, no scheme, no
/// path, no port.
fn check_cname(c: &str) -> std::result::Result<String, String> {
    let c = c.trim();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
    };
    if c.len() <= 253 && c.contains('.') && c.split('.').all(label_ok) {
        Ok(c.to_string())
    } else {
        Err(format!(
            "`cname` {c:?} must be a bare domain like \"news.example.org\" (no https://, no path); \
             it is written to CNAME for GitHub Pages"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        assert_eq!(base_path(None), "/");
        assert_eq!(base_path(Some("https://example.org/")), "/");
        assert_eq!(base_path(Some("https://example.org/gazette/")), "/gazette/");
        assert_eq!(base_path(Some("https://user.github.io/repo")), "/repo/");
        assert_eq!(base_path(Some("http://localhost:8000/a/b/")), "/a/b/");
        assert_eq!(base_path(Some("https://example.org")), "/");
        // a base path that a browser would read as another host, once served
        assert_eq!(base_path(Some("https://example.org//evil.example/")), "/evil.example/");
    }

    fn parse_ok(text: &str) -> SiteConfig {
        parse(Path::new("site/gazette.toml"), text, None).unwrap()
    }

    #[track_caller]
    fn parse_err(text: &str) -> String {
        parse(Path::new("site/gazette.toml"), text, None).unwrap_err().to_string()
    }

    #[test]
    fn defaults() {
        let c = parse_ok("title = \"News\"\n");
        assert_eq!(c.direction, "ltr");
        assert_eq!(c.map.tiles.as_deref(), Some(OSM_TILES));
        assert_eq!(c.map.attribution, "© OpenStreetMap contributors");
        assert_eq!(c.map.leaflet, Leaflet::Cdn);
        assert_eq!(c.granularity, Granularity::Week);
        assert_eq!(c.base_url, None);
    }

    #[test]
    fn language_sets_direction() {
        assert_eq!(parse_ok("title = \"x\"\nlanguage = \"ar\"\n").direction, "rtl");
        assert_eq!(parse_ok("title = \"x\"\nlanguage = \"fa-IR\"\n").direction, "rtl");
        assert_eq!(direction_of("en"), "ltr");
        assert_eq!(direction_of("he"), "rtl");
        assert_eq!(direction_of("und"), "ltr");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = parse_err("title = \"x\"\n[map]\ntilez = \"none\"\n");
        assert!(e.starts_with("config site/gazette.toml: line 3: unknown field `tilez`"), "{e}");
        let e = parse_err("title = \"x\"\n[timeline]\ngranularity = \"year\"\n");
        assert!(e.contains("line 3"), "{e}");
        assert!(parse_err("description = \"x\"\n").contains("missing field `title`"));
        assert!(parse_err("title = \"x\"\n[map]\ntiles = \"tiles.png\"\n").contains("{z}"));
        assert!(parse_err("title = \"x\"\nbase_url = \"/news\"\n").contains("absolute"));
    }

    #[test]
    fn base_url_gets_a_trailing_slash_and_the_flag_wins() {
        let c = parse(Path::new("g.toml"), "title = \"x\"\nbase_url = \"https://a.org/x\"\n", None).unwrap();
        assert_eq!(c.base_url.as_deref(), Some("https://a.org/x/"));
        let c = parse(Path::new("g.toml"), "title = \"x\"\nbase_url = \"https://a.org/x\"\n", Some("https://b.org/"))
            .unwrap();
        assert_eq!(c.base_url.as_deref(), Some("https://b.org/"));
    }

    #[test]
    fn cname_is_a_bare_domain() {
        assert_eq!(parse_ok("title = \"x\"\n").cname, None);
        assert_eq!(
            parse_ok("title = \"x\"\ncname = \" News.Example.org \"\n").cname.as_deref(),
            Some("News.Example.org")
        );
        for bad in ["https://news.example.org", "news.example.org/x", "localhost", "a..b", "-a.org", "a b.org", ""] {
            let e = parse_err(&format!("title = \"x\"\ncname = {bad:?}\n"));
            assert!(e.starts_with("config site/gazette.toml: `cname`") && e.contains("bare domain"), "{bad}: {e}");
        }
    }

    #[test]
    fn no_tiles_and_a_local_leaflet() {
        let c = parse_ok("title = \"x\"\n[map]\ntiles = \"none\"\nleaflet = \"node_modules/leaflet/dist\"\n");
        assert_eq!(c.map.tiles, None);
        assert_eq!(c.map.leaflet, Leaflet::Local(PathBuf::from("site/node_modules/leaflet/dist")));
    }
}
