//! Geoparsing: from an article's plain text to resolved place mentions.
//!
//! Four steps, in pipeline order, one module each:
//!
//! 1. [`recognize`] finds every gazetteer name and demonym in the tokens, longest first;
//! 2. `context` reads what is around each name (cue words, qualifiers, titles, people)
//!    and what the article's other names say (countries, divisions, nearby places);
//! 3. `score` gives every candidate place of every name small named signals
//!    ([`SignalKind`]), so that `--explain` can show why a place won;
//! 4. `accept` drops names that are not places here, and winners without the evidence
//!    a minor place needs.
//!
//! Mentions of the same name in one article resolve to the same place (one sense per
//! article), unless a cue word ("province", "ولاية") marks one of them as a different
//! kind of place.
//!
//! `confidence` is the winning candidate's softmax share of its name's candidates,
//! scaled down when the win rests on little evidence; 0 means a guess, 1 certainty.

mod accept;
mod chunks;
pub mod confidence;
mod context;
pub mod lexicon;
/// build.rs keys the embedded lexicons with it; the tests check what it wrote.
#[cfg(test)]
mod lexicon_keys;
pub mod recognize;
mod score;

pub use lexicon::Lexicon;

use rustc_hash::FxHashMap as HashMap;

use crate::article::Article;
use crate::gazetteer::{Gazetteer, PlaceIdx, Posting};
use crate::text::tokenize;
use context::{qualifies, Around, Counts, Words};
use lexicon::{CueKind, Rule};
use recognize::Surface;

/// What a mention refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A place name.
    Place,
    /// A nationality adjective or demonym ("Afghan", "الأفغانية"), resolved to its country.
    Demonym,
}

/// The parts a candidate's score is made of (`--explain` prints them in snake case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// How important the kind of place is: country > capital > province > seat > town.
    Feature,
    /// Half the log10 of the population.
    Population,
    /// How far the matched name can be trusted: primary, language-tagged or curated, and
    /// the seat of a namesake division.
    Name,
    /// A cue word beside the name fits the place's kind ("province", "ولاية"), or not.
    Cue,
    /// A qualifier that follows contains the place ("Paris, Texas"), or not.
    Qualifier,
    /// The article names the place's country elsewhere.
    CountryContext,
    /// The article names the place's first-level division (or places in it) elsewhere.
    Admin1Context,
    /// The article names the place's second-level division, a county or district (or
    /// places in it), elsewhere.
    Admin2Context,
    /// Another place of the article lies within 150 km (1) or 600 km (0.5).
    Nearby,
}

/// One part of a candidate's score.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Signal {
    /// Which part.
    pub name: SignalKind,
    /// How much it adds to the score (negative: takes away).
    pub value: f64,
}

/// A candidate place for a mention and how it scored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    #[serde(skip)]
    /// The place.
    pub place: PlaceIdx,
    /// GeoNames id; `None` for curated places.
    pub geonameid: Option<u32>,
    /// Canonical name (filled only when explaining).
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: compact_str::CompactString,
    /// GeoNames feature code.
    pub feature_code: &'static str,
    /// From the gazetteer.
    pub population: u32,
    /// The sum of its signals, to three decimals.
    pub score: f64,
    /// The parts of the score, in a fixed order.
    pub signals: Signals,
}

/// A candidate's score parts: at most eight, kept inline.
pub type Signals = smallvec::SmallVec<[Signal; 8]>;

/// A resolved mention. `start`/`end` are byte offsets into [`Article::plain`], half-open.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// Start, a byte offset into [`Article::plain`].
    pub start: usize,
    /// End, exclusive.
    pub end: usize,
    /// The words as written.
    pub text: compact_str::CompactString,
    /// The place it resolved to.
    pub place: PlaceIdx,
    /// A place name or a demonym.
    pub kind: Kind,
    /// 0–1, see the module docs.
    pub confidence: f64,
    /// What the confidence was worked out from.
    pub features: confidence::Features,
    /// Every candidate with its signals, best first; filled only when explaining.
    pub candidates: Vec<Candidate>,
}

/// Options for one geoparse.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Keep each mention's scored candidates (for `--explain`).
    pub explain: bool,
    /// Keep only mentions at least this confident (see [`confidence`]); 0 keeps all.
    pub min_confidence: f64,
    /// Keep demonyms (`--demonyms` asked for them), whatever their confidence.
    pub demonyms: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options { explain: false, min_confidence: confidence::DEFAULT_MIN_CONFIDENCE, demonyms: false }
    }
}

impl Options {
    /// Options that keep every mention: the geoparse cache stores these, and filters as
    /// each build asks.
    pub fn all() -> Options {
        Options { min_confidence: 0.0, demonyms: true, ..Options::default() }
    }
}

/// Drop the mentions `opts` does not keep: place names below its confidence threshold,
/// and demonyms unless it asks for them. A nationality word ("Afghan officials") is
/// evidence for the article's country, and the geoparser reads it as such, but it names
/// no place: outputs list demonyms only when asked (`--demonyms`).
pub fn keep(mentions: &mut Vec<Mention>, opts: &Options) {
    mentions.retain(|m| match m.kind {
        Kind::Place => m.confidence >= opts.min_confidence,
        Kind::Demonym => opts.demonyms,
    });
}

/// Great-circle distance in kilometres between two (latitude, longitude) points in
/// WGS84 degrees.
///
/// ```
/// // Kabul to Kandahar: about 460 km as the crow flies
/// let km = gazette::geoparse::distance_km((34.528, 69.172), (31.611, 65.702));
/// assert!((km - 458.0).abs() < 5.0, "{km}");
/// ```
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    context::distance_km_cos(a, b, a.0.to_radians().cos(), b.0.to_radians().cos())
}

/// A name group: the surfaces that share one key and one cue kind, resolved together.
struct Group<'a> {
    /// Most names are written once or twice in an article.
    surfaces: smallvec::SmallVec<[usize; 2]>,
    postings: &'a [Posting],
    /// See [`Surface::postings_id`].
    postings_id: u64,
    cue: Option<CueKind>,
    qualifiers: Vec<usize>,
    rule: Option<Rule>,
    /// One of its surfaces opens the article's dateline.
    dateline: bool,
}

/// Geoparse one article: every mention of a place or demonym in [`Article::plain`], in
/// text order.
///
/// ```
/// use gazette::{article, gazetteer::Gazetteer, geoparse};
/// let text = "---\nlang: ar\n---\nسيطرت حركة طالبان على مدينة قندهار.\n";
/// let a = article::parse("a.md", "a", text.to_string(), true).unwrap();
/// let g = Gazetteer::embedded();
/// let found = geoparse::geoparse(g, geoparse::Lexicon::embedded(), &a, geoparse::Options::default());
/// assert_eq!(g.meta(found[0].place).geonameid(), Some(1138336)); // Kandahar, the city
/// ```
pub fn geoparse(g: &Gazetteer, lex: &Lexicon, article: &Article, opts: Options) -> Vec<Mention> {
    let text = &article.plain;
    let lang = article.lang.as_str();
    // room for every key form that is not a slice of the text; room left unused is not touched
    let mut keys = String::with_capacity(text.len());
    let tokens = tokenize(text, &mut keys);
    let surfaces = recognize::recognize(g, lex, text, &tokens, lang);
    let mut words = Words::new(lex, lang, &tokens);
    // demonyms go straight to context: only names need what is around them
    let arounds: Vec<Around> = (0..surfaces.len())
        .map(|i| {
            if surfaces[i].demonym.is_some() {
                Around::default()
            } else {
                context::around(&mut words, &surfaces, i, text)
            }
        })
        .collect();
    let (groups, demonym_countries) = group(g, &mut words, &surfaces, &arounds, text);
    let scored = score::resolve(g, &groups, &surfaces, &demonym_countries, opts.explain);
    let chunks = chunks::chunks(lex, lang, text, &tokens, &surfaces);

    let mut mentions = Vec::with_capacity(surfaces.len());
    for (gr, sc) in groups.iter().zip(&scored) {
        let around = (&surfaces[..], &arounds[..], &tokens[..], &chunks);
        accept::mentions_of(gr, sc, around, (text, lang, lex), opts.explain, &mut mentions);
    }
    for s in surfaces.iter().filter(|s| s.demonym.is_some()) {
        let Some(cc) = s.demonym else { continue };
        let Some(country) = g.country(cc) else { continue };
        let (start, end) = (tokens[s.first].start, tokens[s.last - 1].end);
        let (hashtag, hashtag_part) = confidence::hashtag(text, start, end);
        let features = confidence::Features {
            share: 1.0,
            margin: 1.0,
            well_known: 1.0,
            own_name: 1.0,
            multi_word: f64::from(s.last - s.first > 1),
            hashtag_part: f64::from(hashtag_part),
            hashtag: f64::from(hashtag && !hashtag_part),
            uncased: f64::from(!tokens[s.first].script.is_cased()),
            inflected: f64::from(s.inflected),
            country: 1.0,
            demonym: 1.0,
            people: f64::from(people(lex, &s.key, cc, lang)),
            ..confidence::Features::default()
        };
        mentions.push(Mention {
            start,
            end,
            text: text[start..end].into(),
            place: country,
            kind: Kind::Demonym,
            confidence: features.confidence(),
            features,
            candidates: Vec::new(),
        });
    }
    mentions.sort_by_key(|m| (m.start, m.end));
    keep(&mut mentions, &opts);
    mentions
}

/// Whether a demonym names people in the plural: an English form whose singular is the
/// same country's demonym ("Americans"), or an Arabic plural nisba (`المصريين`).
fn people(lex: &Lexicon, key: &str, cc: [u8; 2], lang: &str) -> bool {
    let singular = key.strip_suffix('s').is_some_and(|k| lex.demonym(k, lang) == Some(cc));
    singular || key.ends_with("يين") || key.ends_with("يون")
}

/// Group the place surfaces that may be places by key and cue kind; count the countries
/// demonyms name, for context.
fn group<'a>(
    g: &Gazetteer,
    words: &mut Words,
    surfaces: &'a [Surface],
    arounds: &[Around],
    text: &str,
) -> (Vec<Group<'a>>, Counts<[u8; 2]>) {
    let (lex, lang) = (words.lex, words.lang);
    let mut groups: Vec<Group> = Vec::with_capacity(surfaces.len());
    let mut by_key: HashMap<(compact_str::CompactString, Option<CueKind>), usize> =
        HashMap::with_capacity_and_hasher(surfaces.len(), Default::default());
    let mut demonym_countries: Counts<[u8; 2]> = Counts::default();
    for (i, s) in surfaces.iter().enumerate() {
        if let Some(cc) = s.demonym {
            demonym_countries.add(cc, 1);
            continue;
        }
        let a = &arounds[i];
        let rule = lex.rule(&s.key, lang);
        if !accept::surface_may_be_a_place(g, words, (surfaces, i), (arounds, a), rule, text) {
            continue;
        }
        let single = s.last - s.first == 1;
        // the qualifier of the name before it ("Toronto, Ontario") is a division or a country
        let qualifying =
            i > 0 && arounds[i - 1].qualifier == Some(i) && !arounds[i - 1].beside && qualifies(g, &surfaces[i - 1], s);
        let cue = a.cue.or(qualifying.then_some(CueKind::Division));
        let gi = *by_key.entry((s.key.clone(), cue)).or_insert_with(|| {
            groups.push(Group {
                surfaces: smallvec::SmallVec::new(),
                postings: &s.postings,
                postings_id: s.postings_id,
                cue,
                qualifiers: Vec::new(),
                rule: if single { rule } else { None },
                dateline: false,
            });
            groups.len() - 1
        });
        groups[gi].surfaces.push(i);
        groups[gi].dateline |= a.dateline;
        if let Some(q) = a.qualifier {
            groups[gi].qualifiers.push(q);
        }
    }
    (groups, demonym_countries)
}

/// Whether `m` could be one of the geoparser's mentions of `article`: its span lies on
/// character boundaries of [`Article::plain`] and holds its text, its confidence is a
/// probability, and its text, read on its own, names its place (or, for a demonym, its
/// country). The geoparse cache checks every entry with this before it trusts it: a
/// damaged or forged entry is geoparsed again, never put on the map.
pub fn plausible(g: &Gazetteer, lex: &Lexicon, article: &Article, m: &Mention) -> bool {
    let text = &article.plain;
    let span = m.start < m.end
        && text.is_char_boundary(m.start)
        && text.is_char_boundary(m.end)
        && text.get(m.start..m.end) == Some(m.text.as_str());
    if !span || m.place as usize >= g.len() || !(0.0..=1.0).contains(&m.confidence) {
        return false;
    }
    // an abbreviation's dot is not part of its text ("Ky" of "Ky."), but its form needs it
    let end = if text[m.end..].starts_with('.') { m.end + 1 } else { m.end };
    let words = &text[m.start..end];
    let mut keys = String::with_capacity(words.len());
    let tokens = tokenize(words, &mut keys);
    recognize::recognize(g, lex, words, &tokens, &article.lang).iter().any(|s| match m.kind {
        Kind::Place => s.postings.iter().any(|p| p.place == m.place),
        Kind::Demonym => s.demonym.and_then(|cc| g.country(cc)) == Some(m.place),
    })
}

/// The gazetteer's candidates for a name, most likely first by their context-free score
/// alone (no article): what `gazette lookup` prints, and how an editor's `places.add`
/// finds its place.
///
/// ```
/// let g = gazette::gazetteer::Gazetteer::embedded();
/// let kabul = gazette::geoparse::lookup(g, "Kabul", 1);
/// assert_eq!(g.meta(kabul[0].place).geonameid(), Some(1138958));
/// ```
pub fn lookup(g: &Gazetteer, name: &str, limit: usize) -> Vec<Posting> {
    let found = g.candidates(name);
    let namesakes = score::namesakes(g, &found);
    let scores: Vec<f64> = found.iter().map(|p| score::prior_with(g, *p, &namesakes)).collect();
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by(|&a, &b| {
        scores[b].total_cmp(&scores[a]).then(g.meta(found[a].place).id.cmp(&g.meta(found[b].place).id))
    });
    order.into_iter().take(limit).map(|i| found[i]).collect()
}

#[cfg(test)]
mod tests;
