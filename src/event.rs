//! Events: an article, its date, and its resolved places. The stage after geoparsing.
//!
//! Each place carries its mention count, the surface forms that named it, a confidence
//! and a `focus` flag for the article's main place (the most salient, most specific one,
//! as CLIFF's focus does it). An editor's corrections from front matter are applied here.
//! Everything is plain data in a deterministic order: the same input gives the same bytes.

use crate::article::{Article, Corrections, EventDate, Field};
use crate::report::Diagnostic;
use compact_str::CompactString;

use crate::gazetteer::{Gazetteer, Memo, Meta, PlaceIdx};
use crate::geoparse::{self, Candidate, Kind, Mention};
use crate::text::name_key;

/// A place as an event reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventPlace {
    #[serde(skip)]
    /// The place in the gazetteer.
    pub idx: PlaceIdx,
    /// GeoNames id; `None` for curated places GeoNames lacks.
    pub geonameid: Option<u32>,
    /// The gazetteer's canonical name.
    pub name: CompactString,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// ISO 3166-1 alpha-2; empty when none.
    pub country_code: CompactString,
    /// Name of the first-level division the place is in (or is), when known.
    pub admin1: Option<CompactString>,
    /// GeoNames feature code (`PPLC`, `ADM1`, `PCLI`, …).
    pub feature_code: &'static str,
    /// From the gazetteer; 0 when unknown.
    pub population: u64,
    /// ACLED-style: 1 town, 2 district, 3 province or region, 4 country.
    pub geo_precision: u8,
    /// How often the article names it (demonyms included).
    pub mentions: usize,
    /// Distinct surface forms, in order of first appearance.
    pub matched: smallvec::SmallVec<[CompactString; 1]>,
    /// The highest confidence among its mentions, 0–1 (see [`crate::geoparse`]); 1 when an editor pinned it.
    pub confidence: f64,
    /// The article's main place: the most salient, most specific one.
    pub focus: bool,
    /// Only demonyms named it (reported with `--demonyms`).
    pub demonym_only: bool,
    /// Byte offset in the plain text of the first mention (for ordering).
    #[serde(skip)]
    pub first: usize,
}

/// A mention, with byte offsets into the article's plain text (half-open). Where it is
/// written in the source is worked out on demand: see [`Event::source_spans`].
#[derive(Debug, Clone, PartialEq)]
pub struct SourceMention {
    /// Start, a byte offset into the article's plain text.
    pub plain_start: usize,
    /// End, exclusive.
    pub plain_end: usize,
    /// The words as written.
    pub text: CompactString,
    /// The place it resolved to (after a division folded into its namesake town).
    pub idx: PlaceIdx,
    /// A place name or a demonym.
    pub kind: Kind,
    /// 0–1, see [`crate::geoparse`].
    pub confidence: f64,
    /// With `explain`: every scored candidate, best first.
    pub candidates: Vec<Candidate>,
    /// What the confidence was worked out from.
    pub features: geoparse::confidence::Features,
}

/// Where a mention is written in the source: its field, and its offsets as Unicode code
/// points (half-open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceSpan {
    /// `title` or `body`.
    pub field: &'static str,
    /// Start, in code points.
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
}

/// One article as an event.
#[derive(Debug, Clone)]
pub struct Event {
    /// The article, as read.
    pub article: Article,
    /// When it happened: the article's date.
    pub date: Option<EventDate>,
    /// Its places: the focus first, then in order of first mention.
    pub places: Vec<EventPlace>,
    /// Every mention, in text order.
    pub mentions: Vec<SourceMention>,
    /// The article's warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl Event {
    /// The focus place, if any.
    pub fn focus(&self) -> Option<&EventPlace> {
        self.places.iter().find(|p| p.focus)
    }

    /// Where each mention is written in the source, in mention order. Only the mentions
    /// listing reports this, so it is counted here, when asked, not for every event.
    pub fn source_spans(&self) -> Vec<SourceSpan> {
        let article = &self.article;
        let mut counter = CharCounter { text: &article.source_text, byte: 0, chars: 0 };
        let mut title_counter = CharCounter { text: &article.plain, byte: 0, chars: 0 };
        // corpus titles are not in `text`: count in the title itself
        let title_apart = article.path.contains('#');
        self.mentions
            .iter()
            .map(|m| {
                let (field, src_start, src_end) = article.source_span(m.plain_start, m.plain_end);
                let (start, end) = if field == Field::Title && title_apart {
                    (title_counter.at(m.plain_start), title_counter.at(m.plain_end))
                } else {
                    let s = counter.at(src_start);
                    (s, counter.at(src_end.max(src_start)))
                };
                SourceSpan { field: if field == Field::Title { "title" } else { "body" }, start, end }
            })
            .collect()
    }
}

/// Converts byte offsets to code-point offsets, fast for increasing queries.
struct CharCounter<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl CharCounter<'_> {
    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        let byte = byte.min(self.text.len());
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// A place as an event first reports it. Articles name the same places again and
/// again, so each thread remembers what it read from the gazetteer for the gazetteer it
/// last used (bounded).
fn place_of(g: &Gazetteer, idx: PlaceIdx) -> EventPlace {
    thread_local! {
        static MEMO: std::cell::RefCell<Memo<PlaceIdx, Facts>> = std::cell::RefCell::default();
    }
    let Facts { meta: m, name, admin1 } = MEMO
        .with_borrow_mut(|memo| memo.for_gazetteer(g, 1 << 16).entry(idx).or_insert_with(|| Facts::of(g, idx)).clone());
    EventPlace {
        idx,
        geonameid: m.geonameid(),
        name,
        lat: m.lat,
        lon: m.lon,
        country_code: m.country_code().into(),
        admin1,
        feature_code: m.feature_code,
        population: m.population as u64,
        geo_precision: m.geo_precision(),
        mentions: 0,
        matched: smallvec::SmallVec::new(),
        confidence: 0.0,
        focus: false,
        demonym_only: true,
        first: usize::MAX,
    }
}

/// A place's fixed-width facts, its name and its first-level division's.
#[derive(Clone)]
struct Facts {
    meta: Meta,
    name: CompactString,
    admin1: Option<CompactString>,
}

impl Facts {
    fn of(g: &Gazetteer, idx: PlaceIdx) -> Facts {
        let m = g.meta(idx);
        let admin1 = if m.is_country() {
            None
        } else if m.is_admin1() {
            Some(g.name(idx).into())
        } else {
            g.admin1_place(idx).map(|a| g.name(a).into())
        };
        Facts { meta: m, name: g.name(idx).into(), admin1 }
    }
}

/// One name, one dot: a first-level division written exactly like a town inside it that
/// the article also names ("إقليم قندهار" beside "مدينة قندهار") folds into the town, so
/// that the map shows Kandahar once. Its mentions point to the town from then on.
fn fold_namesake_divisions(g: &Gazetteer, places: &mut Vec<EventPlace>, mentions: &mut [SourceMention]) {
    let mut i = 0;
    while i < places.len() {
        let p = &places[i];
        let m = g.meta(p.idx);
        let into = (!p.demonym_only && m.is_admin1())
            .then(|| {
                // the division's own keys, worked out once it has a town to compare with
                let mut keys: Option<Vec<String>> = None;
                places.iter().position(|c| {
                    let cm = g.meta(c.idx);
                    !c.demonym_only
                        && cm.is_populated()
                        && cm.country == m.country
                        && cm.admin1 == m.admin1
                        && c.matched.iter().any(|a| {
                            let keys = keys.get_or_insert_with(|| p.matched.iter().map(|b| name_key(b)).collect());
                            keys.contains(&name_key(a))
                        })
                })
            })
            .flatten();
        let Some(j) = into else {
            i += 1;
            continue;
        };
        let p = places.remove(i);
        let j = if j > i { j - 1 } else { j };
        let c = &mut places[j];
        c.mentions += p.mentions;
        c.first = c.first.min(p.first);
        c.confidence = c.confidence.max(p.confidence);
        for t in p.matched {
            if !c.matched.contains(&t) {
                c.matched.push(t);
            }
        }
        for mention in mentions.iter_mut().filter(|x| x.idx == p.idx) {
            mention.idx = c.idx;
        }
    }
}

/// Turn an article and its mentions into an event.
pub fn build(g: &Gazetteer, article: Article, mentions: Vec<Mention>) -> Event {
    // events are kept until they are written: hold no more places than the article has
    let mut distinct: smallvec::SmallVec<[PlaceIdx; 32]> = mentions.iter().map(|m| m.place).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut places: Vec<EventPlace> = Vec::with_capacity(distinct.len());
    let mut out_mentions = Vec::with_capacity(mentions.len());
    for m in mentions {
        let i = match places.iter().position(|p| p.idx == m.place) {
            Some(i) => i,
            None => {
                places.push(place_of(g, m.place));
                places.len() - 1
            }
        };
        let p = &mut places[i];
        p.mentions += 1;
        p.first = p.first.min(m.start);
        if m.kind == Kind::Place {
            p.demonym_only = false;
            p.confidence = p.confidence.max(m.confidence);
            if !p.matched.contains(&m.text) {
                p.matched.push(m.text.clone());
            }
        } else if p.demonym_only {
            p.confidence = p.confidence.max(m.confidence);
        }
        out_mentions.push(SourceMention {
            plain_start: m.start,
            plain_end: m.end,
            text: m.text,
            idx: m.place,
            kind: m.kind,
            confidence: m.confidence,
            candidates: m.candidates,
            features: m.features,
        });
    }

    fold_namesake_divisions(g, &mut places, &mut out_mentions);

    apply_corrections(g, &article.corrections, &mut places, &mut out_mentions);
    if let Some(i) = focus(&places, &out_mentions, article.title_len()) {
        places[i].focus = true;
    }
    places.sort_by(|a, b| b.focus.cmp(&a.focus).then(a.first.cmp(&b.first)).then(a.name.cmp(&b.name)));

    let diagnostics = article.diagnostics.clone();
    Event { date: article.date.clone(), article, places, mentions: out_mentions, diagnostics }
}

/// An editor's corrections: drop the places `remove` names (and their mentions), and pin
/// the places `add` names with confidence 1.
fn apply_corrections(g: &Gazetteer, c: &Corrections, places: &mut Vec<EventPlace>, mentions: &mut Vec<SourceMention>) {
    let removed = |p: &EventPlace| {
        c.remove.iter().any(|r| {
            let k = name_key(r);
            p.geonameid.is_some_and(|id| id.to_string() == r.trim())
                || name_key(&p.name) == k
                || p.matched.iter().any(|m| name_key(m) == k)
        })
    };
    if !c.remove.is_empty() {
        places.retain(|p| !removed(p));
        let kept: Vec<PlaceIdx> = places.iter().map(|p| p.idx).collect();
        mentions.retain(|m| kept.contains(&m.idx));
    }
    for a in &c.add {
        let idx = match a.trim().parse::<u32>() {
            Ok(id) => (0..g.len() as u32).find(|&i| g.meta(i).id == id),
            Err(_) => geoparse::lookup(g, a, 1).first().map(|p| p.place),
        };
        if let Some(idx) = idx {
            if let Some(p) = places.iter_mut().find(|p| p.idx == idx) {
                p.confidence = 1.0;
                p.demonym_only = false;
            } else {
                let mut p = place_of(g, idx);
                p.confidence = 1.0;
                p.demonym_only = false;
                places.push(p);
            }
        }
    }
}

/// The article's main place, as an index into `places`: the most salient (mentions, a
/// mention in the title) and most specific one, among places not named only by a
/// demonym; the first named wins a tie.
fn focus(places: &[EventPlace], mentions: &[SourceMention], title_end: usize) -> Option<usize> {
    let best = places
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.demonym_only)
        .map(|(i, p)| {
            let in_title = mentions.iter().any(|m| m.idx == p.idx && m.plain_start < title_end);
            let specificity = [0.0, 1.0, 0.7, 0.3, 0.0][p.geo_precision.min(4) as usize];
            let s = p.mentions as f64 + if in_title { 2.0 } else { 0.0 } + specificity;
            (i, s, p.first)
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.2.cmp(&a.2)));
    best.map(|(i, _, _)| i)
}

/// Geoparse and build, in one step.
pub fn from_article(g: &Gazetteer, lex: &geoparse::Lexicon, article: Article, opts: geoparse::Options) -> Event {
    let mentions = geoparse::geoparse(g, lex, &article, opts);
    build(g, article, mentions)
}
