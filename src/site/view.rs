//! View models: the events in site order and the compact listing structs that every page
//! borrows, built once per build.
//!
//! Order is deterministic: by date (then time, then slug), undated events last. Places are
//! the events' feature places (the ones the GeoJSON export has; demonym-only countries are
//! left out), each with a slug from its name and GeoNames id (`kabul-1138958`).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use super::config::{direction_of, Granularity};
use crate::event::{Event, EventPlace};
use crate::gazetteer::PlaceIdx;

/// One event as listings show it.
#[derive(Debug, Clone, Serialize)]
pub struct EventItem<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    /// `YYYY-MM-DD`.
    pub date: Option<&'a str>,
    /// RFC 3339, when the article gave a time.
    pub datetime: Option<&'a str>,
    pub lang: &'a str,
    pub dir: &'static str,
    /// Name of the focus place (else the first place), for "where" in listings; a place's
    /// own page puts its own name first (see `place_ctx`).
    pub place: Option<Cow<'a, str>>,
    pub summary: Option<&'a str>,
    /// Index of the timeline bin the date falls in.
    #[serde(skip)]
    pub bin: Option<usize>,
}

/// One place as listings show it.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceItem<'a> {
    pub slug: String,
    pub name: &'a str,
    pub country_code: &'a str,
    pub admin1: Option<&'a str>,
    pub geonameid: Option<u32>,
    /// WGS84 degrees.
    pub lat: f64,
    pub lon: f64,
    /// How many events name it.
    pub events: usize,
}

/// One tag or source as listings show it.
#[derive(Debug, Clone, Serialize)]
pub struct TermItem<'a> {
    pub slug: String,
    /// As the first article (in site order) that uses it writes it.
    pub name: &'a str,
    /// How many events have it.
    pub events: usize,
}

/// The tags, or the sources, of the site: each with its events. A tag is the same tag
/// whatever its case (`Drought`, `drought`), and slugs are unique (`drought-2`).
pub struct Terms<'a> {
    /// Sorted by name, case-insensitively, then slug.
    pub items: Vec<TermItem<'a>>,
    /// For each term, its events as indices into `SiteView::events`, in site order.
    pub events: Vec<Vec<usize>>,
    /// For each event, its terms as indices into `items`, in the article's order.
    pub of_event: Vec<Vec<usize>>,
}

impl<'a> Terms<'a> {
    /// The terms that `of` gives each event of `sorted` (in site order). Empty and
    /// blank names are not terms.
    fn new<I: Iterator<Item = &'a str>>(sorted: &[&'a Event], of: impl Fn(&'a Event) -> I) -> Terms<'a> {
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut names: Vec<&'a str> = Vec::new();
        let mut of_event: Vec<Vec<usize>> = Vec::with_capacity(sorted.len());
        for &e in sorted {
            let mut mine = Vec::new();
            for name in of(e).map(str::trim).filter(|n| !n.is_empty()) {
                let i = *by_key.entry(name.to_lowercase()).or_insert_with(|| {
                    names.push(name);
                    names.len() - 1
                });
                if !mine.contains(&i) {
                    mine.push(i);
                }
            }
            of_event.push(mine);
        }
        let slugs: Vec<String> = names.iter().map(|n| crate::article::slugify(n)).collect();
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by_cached_key(|&i| (names[i].to_lowercase(), slugs[i].clone(), i));
        let (events, _) = renumber(&order, &mut of_event);
        let mut taken = std::collections::HashSet::new();
        let items = order
            .iter()
            .enumerate()
            .map(|(new, &old)| {
                let slug = unique(&mut taken, &slugs[old]);
                TermItem { slug, name: names[old], events: events[new].len() }
            })
            .collect();
        Terms { items, events, of_event }
    }
}

/// Items numbered in first-seen order, sorted into `order` (new position → old number):
/// renumbers each event's items in `of_event` and returns each item's events, in event
/// order, and each old number's new one.
fn renumber(order: &[usize], of_event: &mut [Vec<usize>]) -> (Vec<Vec<usize>>, Vec<usize>) {
    let mut rank = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        rank[old] = new;
    }
    let mut events: Vec<Vec<usize>> = vec![Vec::new(); order.len()];
    for (e, items) in of_event.iter_mut().enumerate() {
        for i in items.iter_mut() {
            *i = rank[*i];
            events[*i].push(e);
        }
    }
    (events, rank)
}

/// `base`, or `base-2`, `base-3`… : the first that `taken` does not have yet, then taken.
fn unique(taken: &mut std::collections::HashSet<String>, base: &str) -> String {
    let mut slug = base.to_string();
    let mut n = 2;
    while !taken.insert(slug.clone()) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    slug
}

/// One bar of the timeline: the days `start..=end` (`YYYY-MM-DD`).
#[derive(Debug, Clone, Serialize)]
pub struct Bin {
    pub start: String,
    pub end: String,
    pub count: usize,
}

/// Everything the pages are rendered from.
pub struct SiteView<'a> {
    /// Events in site order.
    pub events: Vec<&'a Event>,
    /// `items[i]` describes `events[i]`.
    pub items: Vec<EventItem<'a>>,
    /// Places sorted by name, then slug.
    pub places: Vec<PlaceItem<'a>>,
    /// For each event, its feature places as indices into `places`, in the event's order.
    pub event_places: Vec<Vec<usize>>,
    /// For each place, its events as indices into `events`, in site order.
    pub place_events: Vec<Vec<usize>>,
    /// Gazetteer index to index into `places`.
    pub place_of: HashMap<PlaceIdx, usize>,
    pub bins: Vec<Bin>,
    pub tags: Terms<'a>,
    pub sources: Terms<'a>,
}

impl<'a> SiteView<'a> {
    /// Build the views of some events (in any order).
    // Long by design: one pass over the sorted events builds the places, each place's
    // events and the timeline's bins together, and each needs the others' indexes.
    pub fn new(events: &'a [Event], granularity: Granularity) -> SiteView<'a> {
        let mut sorted: Vec<&Event> = events.iter().collect();
        sorted.sort_by(|a, b| {
            let key = |e: &'a Event| {
                let d = e.date.as_ref();
                (d.is_none(), d.map(|d| d.date.as_str()), d.and_then(|d| d.datetime.as_deref()))
            };
            key(a).cmp(&key(b)).then_with(|| a.article.slug.cmp(&b.article.slug))
        });

        // Places, keyed by gazetteer index, in order of first appearance; sorted below.
        let mut by_idx: HashMap<PlaceIdx, usize> = HashMap::new();
        let mut found: Vec<&EventPlace> = Vec::new();
        let mut event_places: Vec<Vec<usize>> = Vec::with_capacity(sorted.len());
        for e in &sorted {
            let mut mine = Vec::new();
            for p in crate::export::feature_places(e, false) {
                let i = *by_idx.entry(p.idx).or_insert_with(|| {
                    found.push(p);
                    found.len() - 1
                });
                if !mine.contains(&i) {
                    mine.push(i);
                }
            }
            event_places.push(mine);
        }
        let mut order: Vec<usize> = (0..found.len()).collect();
        let slugs: Vec<String> = found.iter().map(|p| place_slug(p)).collect();
        order.sort_by(|&a, &b| found[a].name.cmp(&found[b].name).then_with(|| slugs[a].cmp(&slugs[b])));
        let (place_events, rank) = renumber(&order, &mut event_places);
        let mut taken = std::collections::HashSet::new();
        let places: Vec<PlaceItem> = order
            .iter()
            .enumerate()
            .map(|(new, &old)| {
                let p = found[old];
                let slug = unique(&mut taken, &slugs[old]);
                PlaceItem {
                    slug,
                    name: &p.name,
                    country_code: &p.country_code,
                    admin1: p.admin1.as_deref(),
                    geonameid: p.geonameid,
                    lat: p.lat,
                    lon: p.lon,
                    events: place_events[new].len(),
                }
            })
            .collect();

        let (bins, bin_of) = bins(&sorted, granularity);
        let items = sorted
            .iter()
            .zip(bin_of)
            .map(|(e, bin)| {
                let a = &e.article;
                let place =
                    e.focus().or(e.places.iter().find(|p| !p.demonym_only)).map(|p| Cow::Borrowed(p.name.as_str()));
                EventItem {
                    slug: &a.slug,
                    title: &a.title,
                    date: e.date.as_ref().map(|d| d.date.as_str()),
                    datetime: e.date.as_ref().and_then(|d| d.datetime.as_deref()),
                    lang: &a.lang,
                    dir: direction_of(&a.lang),
                    place,
                    summary: a.summary.as_deref(),
                    bin,
                }
            })
            .collect();
        let place_of = by_idx.into_iter().map(|(idx, i)| (idx, rank[i])).collect();
        let tags = Terms::new(&sorted, |e| e.article.tags.iter().map(String::as_str));
        let sources = Terms::new(&sorted, |e| e.article.source.as_deref().into_iter());
        SiteView { events: sorted, items, places, event_places, place_events, place_of, bins, tags, sources }
    }

    /// The events as lists show them, newest first: dated events from the latest back,
    /// then the undated ones (which come last in site order).
    pub fn newest_first(&self) -> impl Iterator<Item = usize> + '_ {
        let dated = self.items.iter().position(|i| i.date.is_none()).unwrap_or(self.items.len());
        (0..dated).rev().chain(dated..self.items.len())
    }
}

/// `kabul-1138958`; a place without a GeoNames id gets its name alone.
pub fn place_slug(p: &EventPlace) -> String {
    let name = crate::article::slugify(&p.name);
    match p.geonameid {
        Some(id) if name == "article" => format!("place-{id}"),
        Some(id) => format!("{name}-{id}"),
        None => name,
    }
}

/// The most bars a timeline gets: a decade of days, 75 years of weeks.
pub const MAX_BINS: i64 = 4000;

/// The granularity to use: `g`, or a coarser one when the dated events span more than
/// [`MAX_BINS`] bars at `g` (one mistyped year can stretch a timeline over centuries), with
/// a message that names the first and last events so that a typo can be found.
pub fn fit_granularity(events: &[Event], g: Granularity) -> (Granularity, Option<String>) {
    let dated = events.iter().filter_map(|e| {
        let d = NaiveDate::parse_from_str(&e.date.as_ref()?.date, "%Y-%m-%d").ok()?;
        Some((d, e.article.path.as_str()))
    });
    let (Some(first), Some(last)) = (dated.clone().min(), dated.max()) else { return (g, None) };
    let bars = |g: Granularity| -> i64 {
        let (a, b) = (bin_start(first.0, g), bin_start(last.0, g));
        match g {
            Granularity::Day => (b - a).num_days() + 1,
            Granularity::Week => (b - a).num_days() / 7 + 1,
            Granularity::Month => (b.year() - a.year()) as i64 * 12 + b.month() as i64 - a.month() as i64 + 1,
        }
    };
    let ladder = [Granularity::Day, Granularity::Week, Granularity::Month];
    let fits = ladder.iter().copied().skip_while(|c| *c != g).find(|c| bars(*c) <= MAX_BINS);
    let chosen = fits.unwrap_or(Granularity::Month);
    if chosen == g && fits.is_some() {
        return (g, None);
    }
    let name = |g: Granularity| match g {
        Granularity::Day => "day",
        Granularity::Week => "week",
        Granularity::Month => "month",
    };
    let instead = if chosen == g { String::new() } else { format!("; the timeline uses {}s instead", name(chosen)) };
    let message = format!(
        "the dated events run from {} ({}) to {} ({}): {} {} bars{instead} (check those dates, or set \
         [timeline] granularity)",
        first.0,
        first.1,
        last.0,
        last.1,
        bars(g),
        name(g),
    );
    (chosen, Some(message))
}

/// The first day of the bin a date falls in.
fn bin_start(d: NaiveDate, g: Granularity) -> NaiveDate {
    match g {
        Granularity::Day => d,
        Granularity::Week => d - Days::new(d.weekday().num_days_from_monday() as u64),
        Granularity::Month => d.with_day(1).unwrap_or(d),
    }
}

fn next_bin(d: NaiveDate, g: Granularity) -> Option<NaiveDate> {
    match g {
        Granularity::Day => d.checked_add_days(Days::new(1)),
        Granularity::Week => d.checked_add_days(Days::new(7)),
        Granularity::Month => d.checked_add_months(Months::new(1)),
    }
}

/// Every bin from the first dated event's to the last's (empty ones too), and each
/// event's bin. Events arrive sorted, so dates only grow.
fn bins(events: &[&Event], g: Granularity) -> (Vec<Bin>, Vec<Option<usize>>) {
    let dates: Vec<Option<NaiveDate>> = events
        .iter()
        .map(|e| e.date.as_ref().and_then(|d| NaiveDate::parse_from_str(&d.date, "%Y-%m-%d").ok()))
        .collect();
    let (Some(first), Some(last)) = (dates.iter().flatten().min(), dates.iter().flatten().max()) else {
        return (Vec::new(), vec![None; events.len()]);
    };
    let mut starts = vec![bin_start(*first, g)];
    let last_start = bin_start(*last, g);
    while let Some(n) = next_bin(starts[starts.len() - 1], g).filter(|n| *n <= last_start) {
        starts.push(n);
    }
    let mut out: Vec<Bin> = starts
        .iter()
        .map(|s| {
            let end = next_bin(*s, g).and_then(|n| n.pred_opt()).unwrap_or(*s);
            Bin { start: s.to_string(), end: end.to_string(), count: 0 }
        })
        .collect();
    let of: Vec<Option<usize>> = dates
        .iter()
        .map(|d| {
            d.map(|d| {
                let i = starts.partition_point(|s| *s <= d) - 1;
                out[i].count += 1;
                i
            })
        })
        .collect();
    (out, of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(date: &str, g: Granularity, start: &str) {
        let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        assert_eq!(bin_start(d, g).to_string(), start);
    }

    #[test]
    fn bin_starts() {
        case("2021-08-15", Granularity::Day, "2021-08-15");
        case("2021-08-15", Granularity::Week, "2021-08-09"); // a Sunday: its ISO week began on Monday the 9th
        case("2021-08-16", Granularity::Week, "2021-08-16");
        case("2021-08-15", Granularity::Month, "2021-08-01");
        case("2024-02-29", Granularity::Month, "2024-02-01");
    }

    #[test]
    fn month_after_january_31() {
        let d = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
        assert_eq!(next_bin(d, Granularity::Month).unwrap().to_string(), "2021-02-01");
    }
}
