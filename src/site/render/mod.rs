//! Rendering: views and templates in, every file of the site out. It reads nothing and
//! writes nothing itself: each file goes to an `emit` callback as soon as it is rendered
//! (the writer's [`Sink`](super::write::Sink), or a list in tests), from several threads,
//! so that a build holds a few pages at a time rather than all of them. The same events
//! give the same bytes.
//!
//! Listings are paginated by [`PAGE_SIZE`]: a place's events (`places/SLUG/`,
//! `places/SLUG/page/2/`, …) and the archive (`archive/`, `archive/page/2/`, …), so no
//! page grows with the size of the site. Event and place pages draw their SVG map as
//! points over a shared outline drawing (`maps/*.svg`, one per map size and area), not
//! outlines of their own.
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
//! | `events` | `slug`, `title`, `date` (`YYYY-MM-DD` or null), `lang`, `bin` (or null), `points`, `tags` (indices into `tags`), `source` (index into `sources`, or null) | event, in site order |
//! | `places` | `slug`, `name`, `lat`, `lon` (WGS84 degrees) | place |
//! | `points` | `place` (index into `places`) | feature of `events.geojson` |
//! | `tags`, `sources` | `slug`, `name` | tag, source (the filters of the map page) |
//!
//! Points come in event order, each event's together: `events.points` (one more array of
//! the `events` table) says how many points each event has.
//! | `bins` | `start`, `end` (inclusive), `count` | bar of the timeline |

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

mod data;
mod search;
mod sitemap;

use super::config::SiteConfig;
use super::i18n::Strings;
use super::markdown::{PlaceLink, Sanitizer};
use super::svg::{self, Basemap, Land, MapPoint};
use super::theme::{self, Theme};
use super::view::{EventItem, PlaceItem, SiteView, TermItem};
use crate::error::Result;
use crate::event::Event;
use crate::geoparse::Kind;

/// A file of the site: its path relative to the output folder, and its bytes.
pub type OutputFile = (PathBuf, Vec<u8>);

/// Where rendered files go, by a path relative to the output folder: as bytes made in
/// memory (pages), or written as they are made (the downloads, hundreds of megabytes on
/// a big site, which a build should not hold while its pages render).
pub trait Emit: Sync {
    /// One file, whole.
    fn bytes(&self, path: &Path, bytes: &[u8]) -> Result<()>;
    /// One file, which `write` writes (buffered) as it makes it.
    fn stream(&self, path: &Path, write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<()>;
}

/// Drops every file unwritten: `gazette check` renders a site only for its errors.
pub struct Discard;

impl Emit for Discard {
    fn bytes(&self, _: &Path, _: &[u8]) -> Result<()> {
        Ok(())
    }
    fn stream(&self, _: &Path, _: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<()> {
        Ok(())
    }
}

/// Events per page of a place's list and of the archive.
pub const PAGE_SIZE: usize = 100;

/// The index page lists at most this many events without JavaScript (the archive has all).
const INDEX_LIST_MAX: usize = 1000;
/// The feed carries the latest this many events.
const FEED_MAX: usize = 50;
/// A tag's or source's map shows at most this many of its places, the busiest.
const TERM_MAP_MAX: usize = 300;
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
    /// The time of day, as written, when the article gave one: `18:30 (UTC+04:30)`.
    time: Option<String>,
    /// Its source, with the slug of the source's page.
    source: Option<&'a TermItem<'a>>,
    /// Only http(s) URLs; anything else is shown as text, not linked.
    url: Option<&'a str>,
    /// Its tags, with the slugs of their pages.
    tags: Vec<&'a TermItem<'a>>,
    body: String,
}

/// One group of an archive page: the events of one month, borrowed from the site order.
#[derive(Serialize)]
struct Group<'a> {
    /// `2021-07`, or empty for undated events.
    month: &'a str,
    items: &'a [EventItem<'a>],
    /// The month began on an earlier page.
    continued: bool,
}

/// One month in the archive's index: where its events begin.
#[derive(Serialize)]
struct MonthLink<'a> {
    month: &'a str,
    count: usize,
    /// Relative to the archive's first page: `#m-2021-07` or `page/3/#m-2021-07`.
    href: String,
}

/// Links between the pages of one listing. URLs are relative to the current page.
#[derive(Serialize)]
struct Pager {
    /// 1-based.
    current: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    /// The first, the last, and those near the current page; `None` marks a gap.
    pages: Vec<Option<(usize, String)>>,
}

/// Path of page `n` (1-based) of a listing whose first page is `dir/`.
fn page_dir(dir: &str, n: usize) -> String {
    if n == 1 {
        format!("{dir}/")
    } else {
        format!("{dir}/page/{n}/")
    }
}

impl Pager {
    /// The pager of page `n` of `total`. From page 1 other pages are `page/N/`, from
    /// page N they are `../N2/` and page 1 is `../../`.
    fn new(n: usize, total: usize) -> Pager {
        let href = |to: usize| match (n, to) {
            (1, 1) | (_, 0) => "./".to_string(),
            (1, to) => format!("page/{to}/"),
            (_, 1) => "../../".to_string(),
            (_, to) => format!("../{to}/"),
        };
        let mut pages = Vec::new();
        for p in 1..=total {
            if p == 1 || p == total || p.abs_diff(n) <= 2 {
                pages.push(Some((p, href(p))));
            } else if pages.last().is_some_and(|l| l.is_some()) {
                pages.push(None);
            }
        }
        Pager { current: n, total, prev: (n > 1).then(|| href(n - 1)), next: (n < total).then(|| href(n + 1)), pages }
    }
}

/// Every page of some listings (each listing's events): (listing, page, pages), one
/// page at least for an empty listing.
fn pages_of(listings: &[Vec<usize>]) -> Vec<(usize, usize, usize)> {
    listings
        .iter()
        .enumerate()
        .flat_map(|(i, events)| {
            let total = events.len().div_ceil(PAGE_SIZE).max(1);
            (1..=total).map(move |n| (i, n, total))
        })
        .collect()
}

/// The way back to the site's root from page `n` of a listing whose first page is at
/// depth `depth` (`archive/` is 1, `places/kabul/` 2).
fn root_of(depth: usize, n: usize) -> String {
    "../".repeat(depth + if n == 1 { 0 } else { 2 })
}

/// The places a tag's or source's events name: the [`TERM_MAP_MAX`] most named, with how
/// many of its events name each, and how many places in all.
struct TermPlaces {
    busiest: Vec<(usize, usize)>,
    named: usize,
}

fn term_places(v: &SiteView, events: &[usize]) -> TermPlaces {
    let mut counts: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for &e in events {
        for &p in &v.event_places[e] {
            *counts.entry(p).or_default() += 1;
        }
    }
    let named = counts.len();
    let mut busiest: Vec<(usize, usize)> = counts.into_iter().collect();
    busiest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    busiest.truncate(TERM_MAP_MAX);
    TermPlaces { busiest, named }
}

/// A place on a tag's or source's page, with how many of its events name it.
#[derive(Serialize)]
struct TermPlace<'a> {
    name: &'a str,
    slug: &'a str,
    lat: f64,
    lon: f64,
    count: usize,
}

/// Tags or sources: which of the view's term lists, and the folder of their pages.
#[derive(Clone, Copy)]
enum TermKind {
    Tags,
    Sources,
}

impl TermKind {
    fn dir(self) -> &'static str {
        match self {
            TermKind::Tags => "tags",
            TermKind::Sources => "sources",
        }
    }
    fn of<'v, 'a>(self, view: &'v SiteView<'a>) -> &'v super::view::Terms<'a> {
        match self {
            TermKind::Tags => &view.tags,
            TermKind::Sources => &view.sources,
        }
    }
}

#[derive(Serialize)]
struct FeedEntry<'a> {
    slug: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    lang: &'a str,
    updated: String,
}

/// Render the whole site, handing each file to `emit`. `events` in any order; `theme`
/// from [`theme::load`].
pub fn render(config: &SiteConfig, theme: &Theme, events: &[Event], emit: &dyn Emit) -> Result<()> {
    let view = SiteView::new(events, config.granularity);
    let site = site_ctx(config, &view);
    let strings: &Strings = &theme.strings;
    let r =
        Renderer { tera: &theme.tera, site: &site, view: &view, emit, strings, basemaps: Mutex::new(HashSet::new()) };

    // GitHub Pages serves 404.html at any depth: its links start from the base URL's
    // path (relative without one), and its styles are inline, so that it is a styled
    // page even where that path is not the one the site is served under
    let not_found_root = config.base_url.as_deref().map(|u| super::config::base_path(Some(u))).unwrap_or_default();
    let css = theme.statics.iter().find(|(p, _)| p == "static/gazette.css").map(|(_, b)| String::from_utf8_lossy(b));
    let mut not_found = Context::new();
    // nothing in a stylesheet may end the <style> element early
    not_found.insert("inline_css", &css.map(|c| c.replace("</", "<\\/")).unwrap_or_default());
    r.emit_page("404.html", "404.html", &not_found_root, not_found)?;
    r.emit_page("search.html", "search/index.html", "../", Context::new())?;
    let site_feed = r.feed_ctx((0..view.items.len()).rev(), None, "", "");
    emit.bytes(Path::new("atom.xml"), r.render("atom.xml", &site_feed)?.as_bytes())?;
    let pages = || -> Result<()> {
        let archive_pages = view.items.len().div_ceil(PAGE_SIZE).max(1);
        (1..=archive_pages).into_par_iter().try_for_each(|n| {
            let path = format!("{}index.html", page_dir("archive", n));
            r.emit_page("archive.html", &path, &root_of(1, n), r.archive_ctx(n, archive_pages))
        })?;
        let sanitizer = Sanitizer::default();
        (0..view.events.len()).into_par_iter().try_for_each(|i| {
            let slug = view.items[i].slug;
            r.emit_page("event.html", &format!("events/{slug}/index.html"), "../../", r.event_ctx(i, &sanitizer)?)
        })?;
        // every page of every place, each a task of its own: one place may have most pages
        pages_of(&view.place_events).into_par_iter().try_for_each(|(i, n, total)| {
            let dir = format!("places/{}", view.places[i].slug);
            let path = format!("{}index.html", page_dir(&dir, n));
            r.emit_page("place.html", &path, &root_of(2, n), r.place_ctx(i, n, total)?)
        })?;
        // a feed of one place's, tag's or source's events, in its folder
        let feed = |events: &[usize], name: &str, dir: String| -> Result<()> {
            let ctx = r.feed_ctx(events.iter().rev().copied(), Some(name), &dir, "../../");
            emit.bytes(Path::new(&format!("{dir}atom.xml")), r.render("atom.xml", &ctx)?.as_bytes())
        };
        (0..view.places.len()).into_par_iter().try_for_each(|i| {
            let p = &view.places[i];
            feed(&view.place_events[i], p.name, format!("places/{}/", p.slug))
        })?;
        // tags and sources: an index of each, and each one's pages and feed
        for kind in [TermKind::Tags, TermKind::Sources] {
            let terms = kind.of(&view);
            r.emit_page("terms.html", &format!("{}/index.html", kind.dir()), "../", r.terms_ctx(kind))?;
            // each term's places, counted once for all its pages
            let places: Vec<TermPlaces> =
                (0..terms.items.len()).into_par_iter().map(|i| term_places(&view, &terms.events[i])).collect();
            pages_of(&terms.events).into_par_iter().try_for_each(|(i, n, total)| {
                let dir = format!("{}/{}", kind.dir(), terms.items[i].slug);
                let path = format!("{}index.html", page_dir(&dir, n));
                r.emit_page("term.html", &path, &root_of(2, n), r.term_ctx(kind, i, &places[i], n, total)?)
            })?;
            (0..terms.items.len()).into_par_iter().try_for_each(|i| {
                let t = &terms.items[i];
                feed(&terms.events[i], t.name, format!("{}/{}/", kind.dir(), t.slug))
            })?;
        }
        Ok(())
    };
    // The downloads are the biggest files and each is written by one thread: make them
    // while the pages are rendered.
    let (pages, (downloads, search)) =
        rayon::join(pages, || rayon::join(|| data::exports(events, emit), || search::write(&view, emit)));
    pages?;
    search?;
    // the index gives the downloads' sizes, so it is rendered once they are written
    let sizes = downloads?;
    let mut index = r.index_ctx();
    index.insert(
        "sizes",
        &BTreeMap::from([
            ("geojson", data::human_size(sizes.geojson)),
            ("csv", data::human_size(sizes.csv)),
            ("gpkg", data::human_size(sizes.gpkg)),
        ]),
    );
    r.emit_page("index.html", "index.html", "", index)?;

    /// What every page knows of the site: its config, where Leaflet comes from, and its size.
    fn site_ctx<'a>(config: &'a SiteConfig, view: &SiteView) -> SiteCtx<'a> {
        let (leaflet_local, leaflet_js, leaflet_css, js_sri, css_sri) = match &config.map.leaflet {
            super::config::Leaflet::Cdn => (
                false,
                theme::LEAFLET_CDN_JS,
                theme::LEAFLET_CDN_CSS,
                theme::LEAFLET_CDN_JS_SRI,
                theme::LEAFLET_CDN_CSS_SRI,
            ),
            super::config::Leaflet::Local(_) => {
                (true, "static/leaflet/leaflet.js", "static/leaflet/leaflet.css", "", "")
            }
        };
        SiteCtx {
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
            attribution: crate::gazetteer::ATTRIBUTION,
            generator: concat!("gazette ", env!("CARGO_PKG_VERSION")),
            granularity: config.granularity,
            events: view.events.len(),
            places: view.places.len(),
        }
    }

    let data = data::data_json(&view, config.granularity);
    emit.bytes(Path::new("data/events.js"), format!("window.gazetteData={data};\n").as_bytes())?;
    emit.bytes(Path::new("data/events.json"), format!("{data}\n").as_bytes())?;
    drop(data);
    for (path, bytes) in sitemap::sitemaps(config.base_url.as_deref(), &view) {
        emit.bytes(&path, &bytes)?;
    }
    let outlines = config.map.tiles.is_none();
    for (name, bytes) in &theme.statics {
        // the generated file wins over a theme's file of the same name
        if outlines && name == "static/countries.js" {
            continue;
        }
        if name == "static/gazette.js" {
            // the interface's words come first, in the site's language (i18n.rs)
            let mut js = theme.strings.js().into_bytes();
            js.extend_from_slice(bytes);
            emit.bytes(Path::new(name), &js)?;
        } else {
            emit.bytes(Path::new(name), bytes)?;
        }
    }
    if outlines {
        emit.bytes(Path::new("static/countries.js"), svg::countries_js().as_bytes())?;
    }
    Ok(())
}

struct Renderer<'a> {
    tera: &'a tera::Tera,
    site: &'a SiteCtx<'a>,
    view: &'a SiteView<'a>,
    emit: &'a dyn Emit,
    /// The words of the maps' titles and the histogram's label.
    strings: &'a Strings,
    /// The shared outline drawings written so far.
    basemaps: Mutex<HashSet<Basemap>>,
}

impl Renderer<'_> {
    fn render(&self, template: &str, ctx: &Context) -> Result<String> {
        self.tera.render(template, ctx).map_err(|e| theme::template_error(&e, Some(template)))
    }

    /// Render one page and emit it. `root` is the way back to the site's root from its folder.
    fn emit_page(&self, template: &str, path: &str, root: &str, mut ctx: Context) -> Result<()> {
        ctx.insert("site", self.site);
        ctx.insert("root", root);
        ctx.insert("home", if root.is_empty() { "./" } else { root });
        ctx.insert("page", template.trim_end_matches(".html"));
        let html = self.render(template, &ctx)?;
        self.emit.bytes(Path::new(path), html.as_bytes())
    }

    /// A small map over a shared outline drawing, which is emitted the first time a page
    /// needs it.
    fn small_map(&self, points: &[MapPoint], title: &str, id: &str, root: &str) -> Result<String> {
        let (svg, base) = svg::map(points, 600, 300, title, id, Land::File { root });
        let first = self.basemaps.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(base);
        if first {
            self.emit.bytes(Path::new(&base.path()), base.svg().as_bytes())?;
        }
        Ok(svg)
    }

    fn index_ctx(&self) -> Context {
        let v = self.view;
        let mut ctx = Context::new();
        let newest: Vec<&EventItem> = v.newest_first().take(INDEX_LIST_MAX).map(|i| &v.items[i]).collect();
        ctx.insert("events", &newest);
        ctx.insert("truncated", &(v.items.len() > INDEX_LIST_MAX));
        ctx.insert("undated", &v.items.iter().filter(|i| i.date.is_none()).count());
        ctx.insert("bins", &v.bins);
        let s = self.strings;
        let label = match (v.bins.first(), v.bins.last()) {
            (Some(a), Some(b)) => {
                s.t(per(self.site.granularity), &[("from", &s.day(&a.start)), ("to", &s.day(&b.end))])
            }
            _ => s.t("no_dated", &[]),
        };
        let bar = |i: usize| {
            let b = &v.bins[i];
            let days =
                if b.start == b.end { s.day(&b.start) } else { format!("{} – {}", s.day(&b.start), s.day(&b.end)) };
            format!("{days}: {}", s.n("events", b.count as u64, &[]))
        };
        ctx.insert("histogram", &svg::histogram(&v.bins, &label, bar));
        ctx.insert("svg_map", &self.overview_map("", &s.t("map_title", &[]), "map-all"));
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
                title: self.strings.t(
                    "place_events",
                    &[("name", p.name), ("events", &self.strings.n("events", p.events as u64, &[]))],
                ),
                label: busiest.contains(&i).then(|| p.name.to_string()),
            })
            .collect();
        svg::map(&points, 800, 400, title, id, Land::Inline).0
    }

    /// Page `n` of the archive: its events grouped by month, and on the first page an
    /// index of every month.
    fn archive_ctx(&self, n: usize, total: usize) -> Context {
        let all = &self.view.items;
        let month = |j: usize| all[j].date.map(|d| &d[..7]).unwrap_or("");
        let (lo, hi) = ((n - 1) * PAGE_SIZE, (n * PAGE_SIZE).min(all.len()));
        let mut groups: Vec<Group> = Vec::new();
        let mut start = lo;
        for i in lo + 1..=hi {
            if i == hi || month(i) != month(start) {
                let continued = start > 0 && month(start - 1) == month(start);
                groups.push(Group { month: month(start), items: &all[start..i], continued });
                start = i;
            }
        }
        let mut ctx = Context::new();
        ctx.insert("groups", &groups);
        ctx.insert("pager", &Pager::new(n, total));
        if n == 1 {
            let mut months: Vec<MonthLink> = Vec::new();
            for i in 0..all.len() {
                if i > 0 && month(i) == month(i - 1) {
                    months.last_mut().expect("a month before").count += 1;
                    continue;
                }
                let anchor = if month(i).is_empty() { "undated".to_string() } else { format!("m-{}", month(i)) };
                let page = i / PAGE_SIZE + 1;
                let href = if page == 1 { format!("#{anchor}") } else { format!("page/{page}/#{anchor}") };
                months.push(MonthLink { month: month(i), count: 1, href });
            }
            ctx.insert("months", &months);
        } else {
            ctx.insert("months", &Vec::<MonthLink>::new());
        }
        ctx
    }

    /// A feed of the latest dated events of `newest_first` (indices into the site's
    /// events, newest first): the site's, or one place's, tag's or source's (`name`),
    /// whose pages are at `path` (`tags/drought/`), `root` away from the site's root.
    fn feed_ctx(
        &self,
        newest_first: impl Iterator<Item = usize>,
        name: Option<&str>,
        path: &str,
        root: &str,
    ) -> Context {
        let v = self.view;
        let entries: Vec<FeedEntry> = newest_first
            .map(|i| &v.items[i])
            .filter(|i| i.date.is_some())
            .take(FEED_MAX)
            .map(|i| FeedEntry { slug: i.slug, title: i.title, summary: i.summary, lang: i.lang, updated: rfc3339(i) })
            .collect();
        let mut ctx = Context::new();
        ctx.insert("site", self.site);
        let title = match name {
            Some(n) => format!("{n} · {}", self.site.title),
            None => self.site.title.to_string(),
        };
        ctx.insert("feed", &BTreeMap::from([("title", title.as_str()), ("path", path), ("root", root)]));
        ctx.insert(
            "updated",
            &entries.first().map(|e| e.updated.clone()).unwrap_or_else(|| "1970-01-01T00:00:00Z".into()),
        );
        ctx.insert("entries", &entries);
        ctx
    }

    /// The index of every tag, or every source, with its number of events.
    fn terms_ctx(&self, kind: TermKind) -> Context {
        let mut ctx = Context::new();
        ctx.insert("kind", kind.dir());
        ctx.insert("terms", &kind.of(self.view).items);
        ctx
    }

    /// Page `n` of `total` of one tag's or source's events, with a map of their places.
    fn term_ctx(&self, kind: TermKind, i: usize, places: &TermPlaces, n: usize, total: usize) -> Result<Context> {
        let v = self.view;
        let terms = kind.of(v);
        let mine = &terms.events[i];
        let page = &mine[((n - 1) * PAGE_SIZE).min(mine.len())..(n * PAGE_SIZE).min(mine.len())];
        let events: Vec<&EventItem> = page.iter().map(|&e| &v.items[e]).collect();
        let root = root_of(2, n);
        let (busiest, named) = (&places.busiest, places.named);
        let busiest = if n == 1 { &busiest[..] } else { &[] };
        let listed: Vec<TermPlace> = busiest
            .iter()
            .map(|&(p, count)| {
                let p = &v.places[p];
                TermPlace { name: p.name, slug: &p.slug, lat: p.lat, lon: p.lon, count }
            })
            .collect();
        let points: Vec<MapPoint> = busiest
            .iter()
            .enumerate()
            .map(|(rank, &(p, count))| {
                let p = &v.places[p];
                MapPoint {
                    lon: p.lon,
                    lat: p.lat,
                    radius: (2.5 + 1.5 * (count as f64).sqrt()).min(12.0),
                    href: format!("{root}places/{}/", p.slug),
                    title: format!("{}: {}", p.name, self.strings.num(count as u64)),
                    label: (rank < 5).then(|| p.name.to_string()),
                }
            })
            .collect();
        let t = &terms.items[i];
        // the map and the places are the first page's: the later ones list events
        let map = if n == 1 {
            let title = self.strings.t("term_map_title", &[("name", t.name)]);
            self.small_map(&points, &title, "map-term", &root)?
        } else {
            String::new()
        };
        let mut ctx = Context::new();
        ctx.insert("kind", kind.dir());
        ctx.insert("term", t);
        ctx.insert("events", &events);
        ctx.insert("places", &named);
        ctx.insert("map_points", &listed);
        ctx.insert("pager", &Pager::new(n, total));
        ctx.insert("svg_map", &map);
        Ok(ctx)
    }

    fn event_ctx(&self, i: usize, sanitizer: &Sanitizer) -> Result<Context> {
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
                // a name the geoparser found under an Arabic conjunction (`وقندهار`) is
                // linked without it; the link finder allows the conjunction before a name
                let conjunction = m.features.inflected > 0.0 && m.text.starts_with(['و', 'ف']);
                let text = if conjunction { &m.text['و'.len_utf8()..] } else { m.text.as_str() };
                Some(PlaceLink { text: text.to_string(), href: format!("../../places/{}/", v.places[*p].slug) })
            })
            .collect();
        let url = a.url.as_deref().filter(|u| is_web_url(u));
        let ctx_event = EventCtx {
            item: &v.items[i],
            time: time_of_day(&v.items[i]),
            source: v.sources.of_event[i].first().map(|&t| &v.sources.items[t]),
            url,
            tags: v.tags.of_event[i].iter().map(|&t| &v.tags.items[t]).collect(),
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
        let title = self.strings.t("event_map_title", &[]);
        ctx.insert("svg_map", &self.small_map(&points, &title, "map-event", "../../")?);
        Ok(ctx)
    }

    /// Page `n` of `total` of a place's events.
    fn place_ctx(&self, i: usize, n: usize, total: usize) -> Result<Context> {
        let v = self.view;
        let p = &v.places[i];
        let mine = &v.place_events[i];
        let page = &mine[((n - 1) * PAGE_SIZE).min(mine.len())..(n * PAGE_SIZE).min(mine.len())];
        // "where" is this place first, then up to two more the event names
        let events: Vec<EventItem> = page
            .iter()
            .map(|&e| {
                let others: Vec<&str> =
                    v.event_places[e].iter().filter(|&&o| o != i).map(|&o| v.places[o].name).collect();
                let mut place = p.name.to_string();
                for o in others.iter().take(2) {
                    place.push_str(", ");
                    place.push_str(o);
                }
                if others.len() > 2 {
                    place.push_str(&format!(" +{}", self.strings.num(others.len() as u64 - 2)));
                }
                EventItem { place: Some(place.into()), ..v.items[e].clone() }
            })
            .collect();
        let root = root_of(2, n);
        let point = MapPoint {
            lon: p.lon,
            lat: p.lat,
            radius: 6.0,
            href: page_dir(&format!("{root}places/{}", p.slug), 1),
            title: p.name.to_string(),
            label: Some(p.name.to_string()),
        };
        let title = self.strings.t("place_map_title", &[("name", p.name)]);
        let map = self.small_map(&[point], &title, "map-place", &root)?;
        let mut ctx = Context::new();
        ctx.insert("place", p);
        ctx.insert("events", &events);
        ctx.insert("pager", &Pager::new(n, total));
        ctx.insert("svg_map", &map);
        Ok(ctx)
    }
}

/// The histogram's label for bars of `g`.
fn per(g: super::config::Granularity) -> &'static str {
    match g {
        super::config::Granularity::Day => "per_day",
        super::config::Granularity::Week => "per_week",
        super::config::Granularity::Month => "per_month",
    }
}

/// A date and time for people: the time as written, with its offset when it had one.
/// The time of day an article gave, as written, with its offset when it had one
/// (`18:30 (UTC+04:30)`); the page writes the day before it in its language.
fn time_of_day(i: &EventItem) -> Option<String> {
    let dt = i.datetime?;
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(dt) {
        return Some(t.format("%H:%M (UTC%:z)").to_string().replace("UTC+00:00", "UTC"));
    }
    chrono::NaiveDateTime::parse_from_str(dt, "%Y-%m-%dT%H:%M:%S").ok().map(|t| t.format("%H:%M").to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(time_of_day(&item("2021-08-15", None)), None);
        let time = |dt| time_of_day(&item("2021-08-15", Some(dt)));
        assert_eq!(time("2021-08-15T18:30:00+04:30").as_deref(), Some("18:30 (UTC+04:30)"));
        assert_eq!(time("2021-08-15T18:30:00Z").as_deref(), Some("18:30 (UTC)"));
        assert_eq!(time("2021-08-15T18:30:00").as_deref(), Some("18:30"));
        assert_eq!(rfc3339(&item("2021-08-15", None)), "2021-08-15T00:00:00Z");
        assert_eq!(rfc3339(&item("2021-08-15", Some("2021-08-15T18:30:00"))), "2021-08-15T18:30:00Z");
        assert_eq!(rfc3339(&item("2021-08-15", Some("2021-08-15T18:30:00+04:30"))), "2021-08-15T18:30:00+04:30");
    }

    #[test]
    fn only_web_urls_are_linked() {
        assert!(is_web_url("https://news.un.org/en/"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url(" JAVASCRIPT:alert(1)"));
        assert!(!is_web_url("data:text/html,<script>"));
    }
}
