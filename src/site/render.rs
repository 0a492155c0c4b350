//! Rendering: views and templates in, every file of the site out, in memory. Pure: it
//! reads nothing and writes nothing, and the same events give the same bytes.
//!
//! Pages link to each other and to their assets with relative URLs (`../../static/…`), so
//! the site works under any path (`https://user.github.io/repo/`) and from `file://`.
//! Only the feed and the sitemap, which must be absolute, use `base_url`.
//!
//! `data/events.json` (and the same object as `data/events.js`, which also loads from
//! `file://`) feeds the index page's map and timeline. It is columnar, one array per field:
//!
//! | table | arrays | one entry per |
//! | --- | --- | --- |
//! | `events` | `slug`, `title`, `date` (`YYYY-MM-DD` or null), `lang`, `bin` (or null) | event, in site order |
//! | `places` | `slug`, `name`, `lat`, `lon` (WGS84 degrees) | place |
//! | `points` | `event`, `place` (indices into the tables above) | feature of `events.geojson` |
//! | `bins` | `start`, `end` (inclusive), `count` | bar of the timeline |

use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::config::SiteConfig;
use super::markdown::{PlaceLink, Sanitizer};
use super::svg::{self, MapPoint};
use super::theme::{self, Theme};
use super::view::{EventItem, PlaceItem, SiteView};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::export::ArticleKey;
use crate::geoparse::Kind;

/// A file of the site: its path relative to the output folder, and its bytes.
pub type OutputFile = (PathBuf, Vec<u8>);

/// The index page lists at most this many events without JavaScript (the archive has all).
const INDEX_LIST_MAX: usize = 1000;
/// The feed carries the latest this many events.
const FEED_MAX: usize = 50;
/// The sitemap protocol's limit of URLs per file.
const SITEMAP_MAX: usize = 50_000;

/// What every page gets as `site`.
#[derive(Serialize)]
struct SiteCtx<'a> {
    title: &'a str,
    description: &'a str,
    language: &'a str,
    dir: &'static str,
    base_url: Option<&'a str>,
    tiles: Option<&'a str>,
    tiles_attribution: &'a str,
    tiles_attribution_url: Option<&'a str>,
    max_zoom: u8,
    leaflet_js: &'a str,
    leaflet_css: &'a str,
    /// SRI hashes, empty when self-hosted.
    leaflet_js_integrity: &'a str,
    leaflet_css_integrity: &'a str,
    /// Paths are relative to the site's root; templates prefix `root`.
    leaflet_local: bool,
    /// `static/countries.js` exists (no tiles: Leaflet draws outlines).
    outlines: bool,
    attribution: &'static str,
    generator: &'static str,
    granularity: super::config::Granularity,
    events: usize,
    places: usize,
}

/// An event page's own data.
#[derive(Serialize)]
struct EventCtx<'a> {
    #[serde(flatten)]
    item: &'a EventItem<'a>,
    /// The date, with the time as written when there is one: `2021-08-15 18:30 (UTC+04:30)`.
    when: String,
    source: Option<&'a str>,
    /// Only http(s) URLs; anything else is shown as text, not linked.
    url: Option<&'a str>,
    tags: &'a [String],
    body: String,
}

/// One group of the archive: the events of one month, borrowed from the site order.
#[derive(Serialize)]
struct Group<'a> {
    /// `2021-07`, or empty for undated events.
    month: &'a str,
    items: &'a [EventItem<'a>],
}

#[derive(Serialize)]
struct FeedEntry<'a> {
    slug: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    lang: &'a str,
    updated: String,
}

/// Render the whole site. `events` in any order; `theme` from [`theme::load`].
pub fn render(config: &SiteConfig, theme: &Theme, events: &[Event]) -> Result<Vec<OutputFile>> {
    let view = SiteView::new(events, config.granularity);
    let (leaflet_local, leaflet_js, leaflet_css, js_sri, css_sri) = match &config.map.leaflet {
        super::config::Leaflet::Cdn => (
            false,
            theme::LEAFLET_CDN_JS,
            theme::LEAFLET_CDN_CSS,
            theme::LEAFLET_CDN_JS_SRI,
            theme::LEAFLET_CDN_CSS_SRI,
        ),
        super::config::Leaflet::Local(_) => (true, "static/leaflet/leaflet.js", "static/leaflet/leaflet.css", "", ""),
    };
    let site = SiteCtx {
        title: &config.title,
        description: &config.description,
        language: &config.language,
        dir: config.direction,
        base_url: config.base_url.as_deref(),
        tiles: config.map.tiles.as_deref(),
        tiles_attribution: &config.map.attribution,
        tiles_attribution_url: config.map.attribution_url.as_deref(),
        max_zoom: config.map.max_zoom,
        leaflet_js,
        leaflet_css,
        leaflet_js_integrity: js_sri,
        leaflet_css_integrity: css_sri,
        leaflet_local,
        outlines: config.map.tiles.is_none(),
        attribution: crate::ATTRIBUTION,
        generator: concat!("gazette ", env!("CARGO_PKG_VERSION")),
        granularity: config.granularity,
        events: view.events.len(),
        places: view.places.len(),
    };
    let r = Renderer { tera: &theme.tera, site: &site, view: &view };

    let mut files: Vec<OutputFile> = vec![
        r.page("index.html", "index.html", "", r.index_ctx())?,
        r.page("archive.html", "archive/index.html", "../", r.archive_ctx())?,
        r.page("404.html", "404.html", "", r.not_found_ctx())?,
        ("atom.xml".into(), r.render("atom.xml", &r.feed_ctx())?.into_bytes()),
    ];

    let sanitizer = Sanitizer::default();
    let event_pages: Vec<OutputFile> = (0..view.events.len())
        .into_par_iter()
        .map(|i| {
            let slug = view.items[i].slug;
            r.page("event.html", &format!("events/{slug}/index.html"), "../../", r.event_ctx(i, &sanitizer))
        })
        .collect::<Result<_>>()?;
    files.extend(event_pages);
    let place_pages: Vec<OutputFile> = (0..view.places.len())
        .into_par_iter()
        .map(|i| {
            let slug = &view.places[i].slug;
            r.page("place.html", &format!("places/{slug}/index.html"), "../../", r.place_ctx(i))
        })
        .collect::<Result<_>>()?;
    files.extend(place_pages);

    let data = data_json(&view, config.granularity);
    files.push(("data/events.js".into(), format!("window.gazetteData={data};\n").into_bytes()));
    files.push(("data/events.json".into(), format!("{data}\n").into_bytes()));
    files.extend(exports(events)?);
    files.extend(sitemaps(config.base_url.as_deref(), &view));
    for (name, bytes) in &theme.statics {
        files.push((name.into(), bytes.clone()));
    }
    if config.map.tiles.is_none() {
        files.push(("static/countries.js".into(), svg::countries_js().into_bytes()));
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    Ok(files)
}

struct Renderer<'a> {
    tera: &'a tera::Tera,
    site: &'a SiteCtx<'a>,
    view: &'a SiteView<'a>,
}

impl Renderer<'_> {
    fn render(&self, template: &str, ctx: &Context) -> Result<String> {
        self.tera.render(template, ctx).map_err(|e| theme::template_error(&e, Some(template)))
    }

    /// Render one page. `root` is the way back to the site's root from its folder.
    fn page(&self, template: &str, path: &str, root: &str, mut ctx: Context) -> Result<OutputFile> {
        ctx.insert("site", self.site);
        ctx.insert("root", root);
        ctx.insert("home", if root.is_empty() { "./" } else { root });
        ctx.insert("page", template.trim_end_matches(".html"));
        Ok((PathBuf::from(path), self.render(template, &ctx)?.into_bytes()))
    }

    fn index_ctx(&self) -> Context {
        let v = self.view;
        let mut ctx = Context::new();
        let skip = v.items.len().saturating_sub(INDEX_LIST_MAX);
        ctx.insert("events", &v.items[skip..]);
        ctx.insert("truncated", &(skip > 0));
        ctx.insert("undated", &v.items.iter().filter(|i| i.date.is_none()).count());
        ctx.insert("bins", &v.bins);
        let label = match (v.bins.first(), v.bins.last()) {
            (Some(a), Some(b)) => format!("Events per {}, {} to {}", unit(self.site.granularity), a.start, b.end),
            _ => "No dated events".into(),
        };
        ctx.insert("histogram", &svg::histogram(&v.bins, &label));
        ctx.insert("svg_map", &self.overview_map("", "Map of all places named", "map-all"));
        ctx
    }

    /// One point per place, sized by its number of events; the busiest are labelled.
    fn overview_map(&self, root: &str, title: &str, id: &str) -> String {
        let v = self.view;
        let mut busiest: Vec<usize> = (0..v.places.len()).collect();
        busiest.sort_by(|&a, &b| v.places[b].events.cmp(&v.places[a].events).then(a.cmp(&b)));
        busiest.truncate(8);
        let points: Vec<MapPoint> = v
            .places
            .iter()
            .enumerate()
            .map(|(i, p)| MapPoint {
                lon: p.lon,
                lat: p.lat,
                radius: (2.5 + 1.5 * (p.events as f64).sqrt()).min(12.0),
                href: format!("{root}places/{}/", p.slug),
                title: format!("{}: {} event{}", p.name, p.events, if p.events == 1 { "" } else { "s" }),
                label: busiest.contains(&i).then(|| p.name.to_string()),
            })
            .collect();
        svg::map(&points, 800, 400, title, id)
    }

    fn archive_ctx(&self) -> Context {
        let items = &self.view.items;
        let mut groups: Vec<Group> = Vec::new();
        let mut start = 0;
        for i in 1..=items.len() {
            let month = |j: usize| items[j].date.map(|d| &d[..7]).unwrap_or("");
            if i == items.len() || month(i) != month(start) {
                groups.push(Group { month: month(start), items: &items[start..i] });
                start = i;
            }
        }
        let mut ctx = Context::new();
        ctx.insert("groups", &groups);
        ctx
    }

    fn not_found_ctx(&self) -> Context {
        // GitHub Pages serves 404.html at any depth: a <base> makes its relative links work.
        let base_path = self.site.base_url.map(|u| {
            let rest = u.split_once("://").map_or(u, |x| x.1);
            rest.find('/').map_or("/", |i| &rest[i..]).to_string()
        });
        let mut ctx = Context::new();
        ctx.insert("base_path", &base_path);
        ctx
    }

    fn feed_ctx(&self) -> Context {
        let v = self.view;
        let entries: Vec<FeedEntry> = v
            .items
            .iter()
            .rev()
            .filter(|i| i.date.is_some())
            .take(FEED_MAX)
            .map(|i| FeedEntry { slug: i.slug, title: i.title, summary: i.summary, lang: i.lang, updated: rfc3339(i) })
            .collect();
        let mut ctx = Context::new();
        ctx.insert("site", self.site);
        ctx.insert(
            "updated",
            &entries.first().map(|e| e.updated.clone()).unwrap_or_else(|| "1970-01-01T00:00:00Z".into()),
        );
        ctx.insert("entries", &entries);
        ctx
    }

    fn event_ctx(&self, i: usize, sanitizer: &Sanitizer) -> Context {
        let v = self.view;
        let e = v.events[i];
        let a = &e.article;
        let places: Vec<&PlaceItem> = v.event_places[i].iter().map(|&p| &v.places[p]).collect();
        let links: Vec<PlaceLink> = e
            .mentions
            .iter()
            .filter(|m| m.kind == Kind::Place)
            .filter_map(|m| {
                let p = v.place_of.get(&m.idx)?;
                Some(PlaceLink { text: m.text.clone(), href: format!("../../places/{}/", v.places[*p].slug) })
            })
            .collect();
        let url = a.url.as_deref().filter(|u| is_web_url(u));
        let ctx_event = EventCtx {
            item: &v.items[i],
            when: when(&v.items[i]),
            source: a.source.as_deref(),
            url,
            tags: &a.tags,
            body: sanitizer.render(&a.body_markdown, &links),
        };
        let points: Vec<MapPoint> = places
            .iter()
            .map(|p| MapPoint {
                lon: p.lon,
                lat: p.lat,
                radius: 5.0,
                href: format!("../../places/{}/", p.slug),
                title: p.name.to_string(),
                label: Some(p.name.to_string()),
            })
            .collect();
        let mut ctx = Context::new();
        ctx.insert("event", &ctx_event);
        ctx.insert("places", &places);
        ctx.insert("prev", &i.checked_sub(1).map(|j| &v.items[j]));
        ctx.insert("next", &v.items.get(i + 1));
        ctx.insert("svg_map", &svg::map(&points, 600, 300, "Map of the places this article names", "map-event"));
        ctx
    }

    fn place_ctx(&self, i: usize) -> Context {
        let v = self.view;
        let p = &v.places[i];
        let events: Vec<&EventItem> = v.place_events[i].iter().map(|&e| &v.items[e]).collect();
        let point = MapPoint {
            lon: p.lon,
            lat: p.lat,
            radius: 6.0,
            href: "./".into(),
            title: p.name.to_string(),
            label: Some(p.name.to_string()),
        };
        let mut ctx = Context::new();
        ctx.insert("place", p);
        ctx.insert("events", &events);
        ctx.insert("svg_map", &svg::map(&[point], 600, 300, &format!("Map of {}", p.name), "map-place"));
        ctx
    }
}

fn unit(g: super::config::Granularity) -> &'static str {
    match g {
        super::config::Granularity::Day => "day",
        super::config::Granularity::Week => "week",
        super::config::Granularity::Month => "month",
    }
}

/// A date and time for people: the time as written, with its offset when it had one.
fn when(i: &EventItem) -> String {
    let Some(dt) = i.datetime else { return i.date.unwrap_or("").to_string() };
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(dt) {
        return t.format("%Y-%m-%d %H:%M (UTC%:z)").to_string().replace("UTC+00:00", "UTC");
    }
    match chrono::NaiveDateTime::parse_from_str(dt, "%Y-%m-%dT%H:%M:%S") {
        Ok(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => dt.to_string(),
    }
}

/// An Atom date: the article's time when it gave one, else midnight UTC.
fn rfc3339(i: &EventItem) -> String {
    match (i.datetime, i.date) {
        (Some(dt), _) if dt.len() > 19 => dt.to_string(),
        (Some(dt), _) => format!("{dt}Z"),
        (None, Some(d)) => format!("{d}T00:00:00Z"),
        (None, None) => "1970-01-01T00:00:00Z".into(),
    }
}

fn is_web_url(u: &str) -> bool {
    let lower = u.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && !u.contains(['"', '<', '>', '\n'])
}

#[derive(Serialize)]
struct Columns<'a> {
    version: u32,
    granularity: super::config::Granularity,
    bins: BinColumns<'a>,
    events: EventColumns<'a>,
    places: PlaceColumns<'a>,
    points: PointColumns,
}

#[derive(Serialize)]
struct BinColumns<'a> {
    start: Vec<&'a str>,
    end: Vec<&'a str>,
    count: Vec<usize>,
}

#[derive(Serialize)]
struct EventColumns<'a> {
    slug: Vec<&'a str>,
    title: Vec<&'a str>,
    date: Vec<Option<&'a str>>,
    lang: Vec<&'a str>,
    bin: Vec<Option<usize>>,
}

#[derive(Serialize)]
struct PlaceColumns<'a> {
    slug: Vec<&'a str>,
    name: Vec<&'a str>,
    lat: Vec<f64>,
    lon: Vec<f64>,
}

#[derive(Serialize)]
struct PointColumns {
    event: Vec<usize>,
    place: Vec<usize>,
}

/// The index page's data, columnar (see the module docs).
fn data_json(v: &SiteView, granularity: super::config::Granularity) -> String {
    let round = crate::export::round6;
    let cols = Columns {
        version: 1,
        granularity,
        bins: BinColumns {
            start: v.bins.iter().map(|b| b.start.as_str()).collect(),
            end: v.bins.iter().map(|b| b.end.as_str()).collect(),
            count: v.bins.iter().map(|b| b.count).collect(),
        },
        events: EventColumns {
            slug: v.items.iter().map(|i| i.slug).collect(),
            title: v.items.iter().map(|i| i.title).collect(),
            date: v.items.iter().map(|i| i.date).collect(),
            lang: v.items.iter().map(|i| i.lang).collect(),
            bin: v.items.iter().map(|i| i.bin).collect(),
        },
        places: PlaceColumns {
            slug: v.places.iter().map(|p| p.slug.as_str()).collect(),
            name: v.places.iter().map(|p| p.name).collect(),
            lat: v.places.iter().map(|p| round(p.lat)).collect(),
            lon: v.places.iter().map(|p| round(p.lon)).collect(),
        },
        points: PointColumns {
            event: v.event_places.iter().enumerate().flat_map(|(e, ps)| ps.iter().map(move |_| e)).collect(),
            place: v.event_places.iter().flatten().copied().collect(),
        },
    };
    script_safe(serde_json::to_string(&cols).expect("plain data serialises"))
}

/// JSON that stays inert if a template inlines it in a `<script>` element: `<`, `>` and
/// `&` can only occur inside JSON strings, where `\u003c` means the same, so `</script>`
/// and `<!--` never appear; U+2028 and U+2029 are escaped for older JavaScript engines.
fn script_safe(json: String) -> String {
    if !json.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// `events.geojson`, `events.csv` and its `.csvt` and `.prj` sidecars, for QGIS.
fn exports(events: &[Event]) -> Result<Vec<OutputFile>> {
    let mut geojson = Vec::new();
    crate::export::geojson::write_collection(&mut geojson, events, ArticleKey::Slug, false)
        .map_err(|source| Error::Io { path: "events.geojson".into(), source })?;
    let mut csv = Vec::new();
    crate::export::csv::write(&mut csv, events, ArticleKey::Slug, false)
        .map_err(|e| Error::Usage(format!("events.csv: {e}")))?;
    Ok(vec![
        ("events.geojson".into(), geojson),
        ("events.csv".into(), csv),
        ("events.csvt".into(), crate::export::csv::csvt().into_bytes()),
        ("events.prj".into(), crate::export::csv::WGS84_PRJ.as_bytes().to_vec()),
    ])
}

/// `sitemap.xml`, split into `sitemap-N.xml` files under a sitemap index past 50,000 URLs.
/// Without a `base_url` there are no absolute URLs to list, and no sitemap.
fn sitemaps(base_url: Option<&str>, v: &SiteView) -> Vec<OutputFile> {
    let Some(base) = base_url else { return Vec::new() };
    let base = svg::escape(base);
    let mut urls: Vec<(String, Option<&str>)> = vec![(String::new(), None), ("archive/".into(), None)];
    urls.extend(v.items.iter().map(|i| (format!("events/{}/", i.slug), i.date)));
    urls.extend(v.places.iter().map(|p| (format!("places/{}/", p.slug), None)));
    sitemap_files(&base, &urls)
}

/// The sitemap files for some URLs (paths relative to `base`, which is escaped already).
fn sitemap_files(base: &str, urls: &[(String, Option<&str>)]) -> Vec<OutputFile> {
    let chunk = |urls: &[(String, Option<&str>)]| {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (path, date) in urls {
            s.push_str("  <url><loc>");
            s.push_str(base);
            s.push_str(path);
            s.push_str("</loc>");
            if let Some(d) = date {
                s.push_str("<lastmod>");
                s.push_str(d);
                s.push_str("</lastmod>");
            }
            s.push_str("</url>\n");
        }
        s.push_str("</urlset>\n");
        s.into_bytes()
    };
    if urls.len() <= SITEMAP_MAX {
        return vec![("sitemap.xml".into(), chunk(urls))];
    }
    let mut out = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, part) in urls.chunks(SITEMAP_MAX).enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        index.push_str(&format!("  <sitemap><loc>{base}{name}</loc></sitemap>\n"));
        out.push((PathBuf::from(name), chunk(part)));
    }
    index.push_str("</sitemapindex>\n");
    out.push(("sitemap.xml".into(), index.into_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_splits_past_50000_urls() {
        let urls: Vec<(String, Option<&str>)> = (0..SITEMAP_MAX + 1).map(|i| (format!("events/e{i}/"), None)).collect();
        let files = sitemap_files("https://example.org/news/", &urls);
        let names: Vec<_> = files.iter().map(|f| f.0.display().to_string()).collect();
        assert_eq!(names, ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]);
        let index = String::from_utf8(files[2].1.clone()).unwrap();
        assert!(index.contains("<sitemapindex"));
        assert!(index.contains("<loc>https://example.org/news/sitemap-2.xml</loc>"));
        let second = String::from_utf8(files[1].1.clone()).unwrap();
        assert_eq!(second.matches("<url>").count(), 1);
        let small = sitemap_files("https://example.org/", &urls[..3]);
        assert_eq!(small.len(), 1);
        assert!(String::from_utf8_lossy(&small[0].1).contains("<loc>https://example.org/events/e2/</loc>"));
    }

    #[test]
    fn times_read_as_written() {
        let item = |date, datetime| EventItem {
            slug: "s",
            title: "t",
            date: Some(date),
            datetime,
            lang: "en",
            dir: "ltr",
            place: None,
            summary: None,
            bin: None,
        };
        assert_eq!(when(&item("2021-08-15", None)), "2021-08-15");
        assert_eq!(when(&item("2021-08-15", Some("2021-08-15T18:30:00+04:30"))), "2021-08-15 18:30 (UTC+04:30)");
        assert_eq!(when(&item("2021-08-15", Some("2021-08-15T18:30:00Z"))), "2021-08-15 18:30 (UTC)");
        assert_eq!(when(&item("2021-08-15", Some("2021-08-15T18:30:00"))), "2021-08-15 18:30");
        assert_eq!(rfc3339(&item("2021-08-15", None)), "2021-08-15T00:00:00Z");
        assert_eq!(rfc3339(&item("2021-08-15", Some("2021-08-15T18:30:00"))), "2021-08-15T18:30:00Z");
        assert_eq!(rfc3339(&item("2021-08-15", Some("2021-08-15T18:30:00+04:30"))), "2021-08-15T18:30:00+04:30");
    }

    #[test]
    fn data_json_cannot_close_a_script_element() {
        let json = serde_json::to_string(&["</script><!-- & \u{2028}", "a\\<b"]).unwrap();
        let safe = script_safe(json.clone());
        assert_eq!(safe, r#"["\u003c/script\u003e\u003c!-- \u0026 \u2028","a\\\u003cb"]"#);
        let back: Vec<String> = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, serde_json::from_str::<Vec<String>>(&json).unwrap());
    }

    #[test]
    fn only_web_urls_are_linked() {
        assert!(is_web_url("https://news.un.org/en/"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url(" JAVASCRIPT:alert(1)"));
        assert!(!is_web_url("data:text/html,<script>"));
    }
}
