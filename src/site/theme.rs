//! The theme: Tera templates and static files, built in and overridable.
//!
//! The built-in files in `templates/` are compiled into the binary. A file
//! `SITE_DIR/templates/NAME` replaces the built-in of the same name (as in Zola), and
//! files there with new names are added: templates to Tera (to be `include`d or
//! `extends`ed), anything under `static/` copied into the site as it is. Autoescaping is
//! on for `.html` and `.xml` templates.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tera::Tera;

use super::config::{Leaflet, SiteConfig};
use super::i18n::Strings;
use crate::error::{Error, Result};

/// Built-in templates, by name.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("event.html", include_str!("../../templates/event.html")),
    ("place.html", include_str!("../../templates/place.html")),
    ("archive.html", include_str!("../../templates/archive.html")),
    ("terms.html", include_str!("../../templates/terms.html")),
    ("term.html", include_str!("../../templates/term.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("404.html", include_str!("../../templates/404.html")),
    ("atom.xml", include_str!("../../templates/atom.xml")),
];

/// Built-in static files, by their path in the site.
pub const STATIC: &[(&str, &str)] = &[
    ("static/gazette.css", include_str!("../../templates/static/gazette.css")),
    ("static/gazette.js", include_str!("../../templates/static/gazette.js")),
    ("static/favicon.svg", include_str!("../../templates/static/favicon.svg")),
];

/// Leaflet on unpkg, pinned, with the sha384 of the npm package's `dist/` files.
pub const LEAFLET_CDN_JS: &str = "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js";
pub const LEAFLET_CDN_JS_SRI: &str = "sha384-cxOPjt7s7Iz04uaHJceBmS+qpjv2JkIHNVcuOrM+YHwZOmJGBXI00mdUXEq65HTH";
pub const LEAFLET_CDN_CSS: &str = "https://unpkg.com/leaflet@1.9.4/dist/leaflet.css";
pub const LEAFLET_CDN_CSS_SRI: &str = "sha384-sHL9NAb7lN7rfvG5lfHpm643Xkcjzp4jFvuavGOndn6pjVqS6ny56CAt3nsEVT4H";

/// Templates ready to render, and the static files to copy.
pub struct Theme {
    pub tera: Tera,
    /// (path in the site, bytes)
    pub statics: Vec<(String, Vec<u8>)>,
    /// The interface's words in the site's language (also the templates' `t()`).
    pub strings: Arc<Strings>,
}

/// Escape `& < > " '` (Tera's default also escapes `/`, which only makes URLs unreadable).
fn escape_html(s: &str) -> String {
    super::svg::escape(s)
}

/// Load the built-in theme, the site's overrides, and Leaflet's files when self-hosted.
pub fn load(site_dir: &Path, config: &SiteConfig) -> Result<Theme> {
    let mut templates: Vec<(String, String)> = TEMPLATES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    let mut statics: Vec<(String, Vec<u8>)> =
        STATIC.iter().map(|(n, t)| (n.to_string(), t.as_bytes().to_vec())).collect();

    let dir = site_dir.join("templates");
    if dir.is_dir() {
        let mut files = Vec::new();
        walk(&dir, &mut files)?;
        files.sort();
        for path in files {
            let name = path
                .strip_prefix(&dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = std::fs::read(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
            if name.starts_with("static/") {
                replace_or_push(&mut statics, name, bytes);
            } else {
                let text = String::from_utf8(bytes).map_err(|_| Error::Template {
                    name: name.clone(),
                    line: None,
                    message: "not valid UTF-8".into(),
                })?;
                replace_or_push(&mut templates, name, text);
            }
        }
    }

    if let Leaflet::Local(dir) = &config.map.leaflet {
        statics.extend(leaflet_files(dir)?);
    }

    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape_html);
    let strings = Strings::new(&config.language, config.digits, &config.strings)
        .map(Arc::new)
        .map_err(|message| Error::Config { path: site_dir.join("gazette.toml"), line: None, message })?;
    super::i18n::register(&mut tera, strings.clone());
    tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
        .map_err(|e| template_error(&e, None))?;
    Ok(Theme { tera, statics, strings })
}

fn replace_or_push<T>(list: &mut Vec<(String, T)>, name: String, value: T) {
    match list.iter_mut().find(|(n, _)| *n == name) {
        Some(slot) => slot.1 = value,
        None => list.push((name, value)),
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let io = |source| Error::Io { path: dir.to_owned(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type().map_err(io)?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// `leaflet.js`, `leaflet.css` and `images/*` of a Leaflet `dist/` folder, as
/// `static/leaflet/...`.
fn leaflet_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let err = |message: String| Error::Config { path: dir.to_owned(), line: None, message };
    let mut out = Vec::new();
    for f in ["leaflet.js", "leaflet.css"] {
        let bytes = std::fs::read(dir.join(f))
            .map_err(|e| err(format!("[map] leaflet: {f} cannot be read ({e}); give Leaflet's dist folder")))?;
        out.push((format!("static/leaflet/{f}"), bytes));
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("images")) {
        let mut images: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        images.sort();
        for p in images.into_iter().filter(|p| p.is_file()) {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let bytes = std::fs::read(&p).map_err(|source| Error::Io { path: p.clone(), source })?;
            out.push((format!("static/leaflet/images/{name}"), bytes));
        }
    }
    Ok(out)
}

/// Tera's error with its causes, as one line.
pub fn template_error(e: &tera::Error, name: Option<&str>) -> Error {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    let name = name.map(str::to_string).unwrap_or_else(|| {
        // "Failed to parse 'index.html'" names the template; keep the name when Tera gives one
        message.split('\'').nth(1).unwrap_or("?").to_string()
    });
    // Tera's parse errors point with "--> LINE:COLUMN"
    let line =
        message.split_once("--> ").and_then(|(_, r)| r.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
    Error::Template { name, line, message }
}
