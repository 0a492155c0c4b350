//! Scoring: every candidate place of a name gets small named signals ([`SignalKind`])
//! that add up to its score, so that `--explain` can show why a place won. The third
//! step of geoparsing.
//!
//! A candidate's *prior* needs no context: how important its kind of place is
//! ([`feature_weight`]), its population, and how far its matched name can be trusted
//! (`prior_with`). The context adds cue words, qualifiers, agreement with the
//! article's countries and divisions, and nearness to its other places. [`resolve`]
//! scores in two rounds: each name's winner given the others' context-free choices,
//! then every candidate given those winners.

use std::rc::Rc;

use super::context::{cue_fits, distance_km_cos, Context, Counts, View};
use super::lexicon::CueKind;
use super::recognize::Surface;
use super::{Candidate, Group, Signal, SignalKind, Signals};
use crate::gazetteer::index::NameFlags;
use crate::gazetteer::{Gazetteer, Memo, Meta, Posting};

/// How many of a name's candidates are scored in full.
const MAX_SCORED: usize = 16;

/// How much a feature type matters on its own: country > capital > admin1 > seat > town.
pub(crate) fn feature_weight(m: &Meta) -> f64 {
    match m.feature_code {
        c if m.is_country() && c != "TERR" => 3.0,
        "TERR" => 2.0,
        "CONT" | "OCN" => 3.0,
        // a sea is what "Red Sea" means in news, not the governorate named after it
        "SEA" | "GULF" => 3.0,
        "RGN" => 1.6,
        "PPLC" => 2.2,
        "ADM1" | "ADM1H" => 1.6,
        "PPLA" => 1.4,
        "PPLA2" | "PPLG" => 0.8,
        "ADM2" => 0.9,
        "PPLA3" | "PPLA4" => 0.4,
        "PPLX" => -0.5,
        "PPLH" | "PPLQ" | "PPLW" => -1.0,
        "ADM2H" => 0.9,
        // named natural features, regions and facilities: they have no population, and a
        // name like "Euphrates" or "Hindu Kush" means little else
        "STRT" => 3.0,
        "BAY" => 2.0,
        "STM" | "CNL" | "LK" | "MTS" | "DSRT" | "ISLS" | "PEN" => 1.2,
        "ISL" | "PLN" | "AREA" | "VAL" => 1.0,
        "MT" | "AIRP" | "PSTB" => 0.8,
        "PRK" | "MILB" => 0.6,
        _ => 0.0,
    }
}

/// Whether a posting's name is one the place really has: its canonical or ASCII name, a
/// name tagged with a language, or a curated one; not an untagged alternate spelling.
pub(super) fn own_name(flags: u8) -> bool {
    flags & (NameFlags::PRIMARY | NameFlags::LANG | NameFlags::CURATED) != 0
}

/// A place well known on its own, that needs no more evidence to be meant: a country, a
/// first-level division, a macro region, a capital, a city of 100,000 (its own people,
/// not a division's sum), or a named natural feature, region, airport or crossing
/// matched by a name it really has.
pub(super) fn well_known(m: &Meta, flags: u8) -> bool {
    m.is_country()
        || m.is_admin1()
        || m.is_macro()
        || m.feature_code == "PPLC"
        || (m.is_populated() && m.population >= 100_000)
        || (matches!(m.feature_class, b'H' | b'T' | b'L' | b'S') && own_name(flags))
}

/// What a name's candidates say about each other, worked out once per name.
pub(crate) struct Namesakes {
    /// The (country, admin1) of every first-level division among them.
    divisions: Vec<([u8; 2], u16)>,
    /// The admin2 keys of every second-level division among them.
    counties: Vec<u16>,
}

/// See [`Namesakes`].
pub(crate) fn namesakes(g: &Gazetteer, all: &[Posting]) -> Namesakes {
    let mut n = Namesakes { divisions: Vec::new(), counties: Vec::new() };
    for p in all {
        let m = g.meta(p.place);
        if m.is_admin1() {
            n.divisions.push((m.country, m.admin1));
        } else if m.is_admin2() && m.admin2 != 0 {
            n.counties.push(m.admin2);
        }
    }
    n
}

/// A name the place has in a language of the news, or its canonical or a curated one.
fn news_name(flags: u8) -> bool {
    flags & (NameFlags::PRIMARY | NameFlags::CURATED | NameFlags::NEWS_LANG) != 0
}

/// The context-free score of one candidate: feature importance, population, and how
/// trustworthy the matched name is. `namesakes` comes from [`namesakes`] over every
/// candidate of the same name, computed once per name: a city that shares its name with
/// the province it is the seat of outranks the province (in news "Kandahar" alone is the
/// city).
pub(crate) fn prior_with(g: &Gazetteer, p: Posting, namesakes: &Namesakes) -> f64 {
    let m = g.meta(p.place);
    let mut s = feature_weight(&m) + 0.5 * (m.population as f64 + 1.0).log10();
    if p.flags & NameFlags::PRIMARY != 0 {
        s += 0.3;
    }
    if p.flags & NameFlags::LANG != 0 {
        s += 0.3;
    }
    if p.flags & NameFlags::CURATED != 0 {
        s += 1.0;
    }
    // A capital or a city of millions that shares its name with the division it is in
    // ("Kandahar", "New York") is the usual meaning of that name.
    let big = m.is_populated() && m.population >= 1_000_000;
    // a town named like the county or district it is in is its seat: "Cork" is the city
    if m.is_populated() && m.admin2 != 0 && namesakes.counties.contains(&m.admin2) && (news_name(p.flags) || big) {
        s += 1.0;
    }
    if m.is_populated() && m.feature_code.starts_with("PPLA") || m.feature_code == "PPLC" || big {
        let seat_of_namesake = namesakes.divisions.iter().any(|&(cc, a1)| cc == m.country && a1 == m.admin1);
        if seat_of_namesake {
            // the seat bonus, or more for a city of millions that is not the seat
            s += if big && !m.feature_code.starts_with("PPLA") && m.feature_code != "PPLC" { 2.5 } else { 1.5 };
        }
    }
    s
}

/// A candidate's context-free score and two of its parts, worked out once per article.
pub(super) struct Prior {
    /// The candidate's facts, kept beside its score: scoring reads them from here, not
    /// from the gazetteer's tables.
    pub(super) meta: Meta,
    pub(super) total: f64,
    pub(super) feature: f64,
    pub(super) population: f64,
    /// For the distance to other places.
    pub(super) cos_lat: f64,
    /// How the name matched it ([`NameFlags`] bits).
    pub(super) flags: u8,
}

/// The context-free scores of a name's candidates. Text repeats its names, so each
/// thread remembers them by postings for the gazetteer it last used; the memory is
/// bounded.
fn priors_of(g: &Gazetteer, id: u64, postings: &[Posting]) -> std::rc::Rc<[Prior]> {
    thread_local! {
        static MEMO: std::cell::RefCell<Memo<u64, std::rc::Rc<[Prior]>>> = std::cell::RefCell::default();
    }
    MEMO.with_borrow_mut(|memo| {
        memo.for_gazetteer(g, 1 << 16)
            .entry(id)
            .or_insert_with(|| {
                let namesakes = namesakes(g, postings);
                postings
                    .iter()
                    .map(|p| {
                        let m = g.meta(p.place);
                        Prior {
                            meta: m,
                            total: prior_with(g, *p, &namesakes),
                            feature: feature_weight(&m),
                            population: 0.5 * (m.population as f64 + 1.0).log10(),
                            cos_lat: m.lat.to_radians().cos(),
                            flags: p.flags,
                        }
                    })
                    .collect()
            })
            .clone()
    })
}

/// ln(1 + n), from a table for the small counts context signals use.
fn ln_1p(n: usize) -> f64 {
    static TABLE: std::sync::OnceLock<[f64; 64]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| std::array::from_fn(|i| (1.0 + i as f64).ln()));
    table.get(n).copied().unwrap_or_else(|| (1.0 + n as f64).ln())
}

/// Score every group's candidates in two rounds: each group's winner given the others'
/// context-free choices, then every candidate given those winners. When no winner
/// changed, the second round's context is the first's, and so are its scores.
pub(super) fn resolve(
    g: &Gazetteer,
    groups: &[Group],
    surfaces: &[Surface],
    demonym_countries: &Counts<[u8; 2]>,
    explain: bool,
) -> Vec<Scored> {
    // Pass 1: context-free choice per group, to build the article's context.
    let priors: Vec<Rc<[Prior]>> = groups.iter().map(|gr| priors_of(g, gr.postings_id, gr.postings)).collect();
    // each group's choice, as an index into its postings (and priors)
    let mut tops: Vec<Option<usize>> = groups
        .iter()
        .zip(&priors)
        .map(|(gr, pr)| (0..gr.postings.len()).max_by(|&a, &b| pr[a].total.total_cmp(&pr[b].total).then(b.cmp(&a))))
        .collect();
    let ctx = Context::new(groups, &priors, &tops, demonym_countries);
    let first: Vec<Option<Vec<Score>>> = groups
        .iter()
        .enumerate()
        .map(|(gi, gr)| {
            (gr.postings.len() > 1).then(|| Scorer::new(g, (gi, gr), &priors[gi], &ctx, &tops, surfaces).scores())
        })
        .collect();
    let winners: Vec<Option<usize>> = groups
        .iter()
        .zip(&first)
        .map(|(gr, sc)| match sc {
            Some(sc) => sc.first().map(|s| s.k),
            None => (!gr.postings.is_empty()).then_some(0),
        })
        .collect();
    let same = winners == tops;
    tops = winners;
    let ctx = if same { ctx } else { Context::new(groups, &priors, &tops, demonym_countries) };
    groups
        .iter()
        .enumerate()
        .zip(first)
        .map(|((gi, gr), sc)| {
            let scorer = Scorer::new(g, (gi, gr), &priors[gi], &ctx, &tops, surfaces);
            let scores = match sc {
                Some(sc) if same => sc,
                _ => scorer.scores(),
            };
            scorer.scored(scores, explain)
        })
        .collect()
}

/// Scores one group's candidates against the article's context in one round.
struct Scorer<'a> {
    g: &'a Gazetteer,
    gr: &'a Group<'a>,
    priors: &'a [Prior],
    view: View<'a>,
    /// What the following names say this one is in.
    qual_countries: Vec<[u8; 2]>,
    qual_admin1: Vec<u16>,
    /// The countries of the famous places with this name (see [`Scorer::famous_abroad`]),
    /// and whether each is a country or a macro region.
    famous: smallvec::SmallVec<[([u8; 2], bool); 2]>,
}

impl<'a> Scorer<'a> {
    pub(super) fn new(
        g: &'a Gazetteer,
        (gi, gr): (usize, &'a Group),
        priors: &'a [Prior],
        ctx: &'a Context,
        tops: &[Option<usize>],
        surfaces: &[Surface],
    ) -> Scorer<'a> {
        let own = tops[gi].map(|k| priors[k].meta);
        let view = View { ctx, gi, own, own_weight: gr.surfaces.len().min(3) };
        let mut qual_countries: Vec<[u8; 2]> = Vec::new();
        let mut qual_admin1: Vec<u16> = Vec::new();
        for &q in &gr.qualifiers {
            let qs = &surfaces[q];
            if let Some(cc) = qs.demonym {
                qual_countries.push(cc);
            }
            for p in &qs.postings {
                let m = g.meta(p.place);
                if m.is_country() {
                    qual_countries.push(m.country);
                } else if m.is_admin1() {
                    qual_admin1.push(m.admin1);
                }
            }
        }
        let trusted = NameFlags::PRIMARY | NameFlags::LANG | NameFlags::CURATED;
        let famous = priors
            .iter()
            .filter(|p| {
                let m = &p.meta;
                let big = m.is_country()
                    || m.is_macro()
                    || m.feature_code == "PPLC"
                    || (m.is_populated() && m.population >= 1_000_000)
                    || matches!(m.feature_class, b'H' | b'T' | b'L' | b'S');
                big && (m.is_country() || p.flags & trusted != 0)
            })
            .map(|p| (p.meta.country, p.meta.is_country() || p.meta.is_macro()))
            .collect();
        Scorer { g, gr, priors, view, qual_countries, qual_admin1, famous }
    }

    /// The candidates that get every signal, in posting order: all of them, or for a
    /// common name ("San José", "Springfield", hundreds of places) the most likely by
    /// context-free score plus country agreement.
    pub(super) fn shortlist(&self) -> Vec<usize> {
        let gr = self.gr;
        let mut order: Vec<usize> = (0..gr.postings.len()).collect();
        if order.len() > MAX_SCORED {
            let quick = |k: usize| {
                let m = &self.priors[k].meta;
                let cc = self.view.country(m.country);
                let inside = self.qual_countries.contains(&m.country) || self.qual_admin1.contains(&m.admin1);
                let q = if inside { 5.0 } else { 0.0 };
                self.priors[k].total + 1.2 * ln_1p(cc) + q
            };
            let quick: Vec<f64> = order.iter().map(|&k| quick(k)).collect();
            order.sort_by(|&a, &b| quick[b].total_cmp(&quick[a]).then(a.cmp(&b)));
            order.truncate(MAX_SCORED);
        }
        order
    }

    /// Candidate `k`'s signals, each handed to `signal` in order.
    pub(super) fn each_signal(&self, k: usize, mut signal: impl FnMut(Signal)) {
        let (gr, pr, view) = (self.gr, &self.priors[k], &self.view);
        let m = &pr.meta;
        signal(Signal { name: SignalKind::Feature, value: pr.feature });
        signal(Signal { name: SignalKind::Population, value: pr.population });
        signal(Signal { name: SignalKind::Name, value: pr.total - pr.feature - pr.population });
        // a cue word says what the place is; a qualifier's position only hints it
        let cue = gr.cue.map(|kind| match (kind, cue_fits(kind, m)) {
            (CueKind::Division, true) => 1.5,
            (CueKind::Division, false) => -0.5,
            (_, true) => 3.0,
            (_, false) => -1.5,
        });
        let qualifier = (!gr.qualifiers.is_empty()).then(|| {
            let in_division = m.admin1 != 0 && self.qual_admin1.contains(&m.admin1);
            let in_country = self.qual_countries.contains(&m.country);
            // "in Russia, U.S. officials said": a country after a country's name qualifies
            // nothing small; a division does ("Lebanon, Pennsylvania"), and so does a country
            // after a capital's ("Tripoli, Lebanon")
            let country_name = self.famous.iter().any(|&(cc, region)| region && cc != m.country);
            if in_division || (in_country && !(country_name && self.famous_abroad(m))) {
                5.0
            } else if in_country {
                0.0
            } else {
                -1.0
            }
        });
        let a1 = if m.is_country() || (!m.is_admin1() && m.admin1 == 0) { 0 } else { view.admin1(m.admin1) };
        let a2 = if m.admin2 == 0 { 0 } else { view.admin2(m.admin2) };
        let nearby = if m.is_country() { 0.0 } else { view.nearby(m.lat, m.lon, pr.cos_lat) };
        // Sharing the article's country is no evidence for a small namesake of a place
        // famous abroad ("Russia" in an article about Washington is not Russia, Ohio):
        // it needs something local: its division named twice, a place within 150 km, a cue
        // or a qualifier. Against a country or a macro region nearness is not enough: US
        // towns named Italy, Greece and Norway are near each other.
        let explicit = cue.is_some_and(|c| c > 0.0) || qualifier.is_some_and(|q| q > 0.0);
        let near = nearby >= 1.0 && !self.famous.iter().any(|&(cc, region)| region && cc != m.country);
        let local = a1 >= 2 || a2 > 0 || near || explicit;
        let overshadowed = !local && self.famous_abroad(m);
        if let Some(value) = cue {
            signal(Signal { name: SignalKind::Cue, value });
        }
        if let Some(value) = qualifier {
            signal(Signal { name: SignalKind::Qualifier, value });
        }
        let cc = view.country(m.country);
        if cc > 0 && !overshadowed {
            signal(Signal { name: SignalKind::CountryContext, value: 1.2 * ln_1p(cc) });
        }
        if a1 > 0 {
            signal(Signal { name: SignalKind::Admin1Context, value: 0.8 * ln_1p(a1) });
        }
        if a2 > 0 {
            signal(Signal { name: SignalKind::Admin2Context, value: 1.0 * ln_1p(a2) });
        }
        if nearby > 0.0 {
            signal(Signal { name: SignalKind::Nearby, value: nearby });
        }
    }

    /// Whether a candidate is a small place (not a country or a first-level division, under
    /// a million people) and the name also belongs to a famous place in another country:
    /// a country, a capital, a city of a million, a macro region or a named natural feature,
    /// by a name it really has.
    fn famous_abroad(&self, m: &Meta) -> bool {
        let small = !m.is_country() && !m.is_admin1() && m.population < 1_000_000;
        small && self.famous.iter().any(|(cc, _)| *cc != m.country)
    }

    /// Candidate `k`'s signals and its score (their sum, to three decimals).
    pub(super) fn signals(&self, k: usize) -> (Signals, f64) {
        let mut signals = Signals::new();
        self.each_signal(k, |s| signals.push(s));
        let score = signals.iter().map(|s| s.value).sum::<f64>();
        (signals, (score * 1000.0).round() / 1000.0)
    }

    /// Candidate `k`'s score alone: the sum of its signals, to three decimals.
    pub(super) fn score(&self, k: usize) -> f64 {
        // summed in order from -0.0, as `Iterator::sum` does
        let mut score = -0.0;
        self.each_signal(k, |s| score += s.value);
        (score * 1000.0).round() / 1000.0
    }

    /// The shortlist's scores, best first: the highest score, then the lowest id.
    pub(super) fn scores(&self) -> Vec<Score> {
        let mut scores: Vec<Score> = self
            .shortlist()
            .into_iter()
            .map(|k| Score { score: self.score(k), id: self.priors[k].meta.id, k })
            .collect();
        scores.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        scores
    }

    /// The winner with its signals and softmax denominator; with `explain`, every
    /// shortlisted candidate too, best first.
    pub(super) fn scored(&self, scores: Vec<Score>, explain: bool) -> Scored {
        let candidate = |s: &Score| {
            let place = self.gr.postings[s.k].place;
            // the facts the priors already hold: no read of the gazetteer's tables
            let m = &self.priors[s.k].meta;
            let (signals, score) = self.signals(s.k);
            Candidate {
                place,
                geonameid: m.geonameid(),
                name: if explain { self.g.name(place).to_string() } else { String::new() },
                country_code: m.country_code().into(),
                feature_code: m.feature_code,
                population: m.population,
                score,
                signals,
            }
        };
        let Some(top) = scores.first() else {
            return Scored { best: None, flags: 0, share: 0.0, candidates: Vec::new() };
        };
        // The softmax share of the candidates within 161 km of the winner: a city and
        // the county around it ("Cork") are one answer to "where", not two rivals.
        let (tm, tc) = (&self.priors[top.k].meta, self.priors[top.k].cos_lat);
        let (mut near, mut all) = (0.0, 0.0);
        for s in &scores {
            let w = (s.score - top.score).exp();
            all += w;
            let (m, c) = (&self.priors[s.k].meta, self.priors[s.k].cos_lat);
            if distance_km_cos((tm.lat, tm.lon), (m.lat, m.lon), tc, c) <= 161.0 {
                near += w;
            }
        }
        let share = near / all;
        let candidates: Vec<Candidate> = if explain { scores.iter().map(candidate).collect() } else { Vec::new() };
        let best = candidates.first().cloned().unwrap_or_else(|| candidate(top));
        Scored { best: Some((best, self.priors[top.k].meta)), flags: self.priors[top.k].flags, share, candidates }
    }
}

/// A shortlisted candidate's score: `k` indexes the group's postings.
#[derive(Debug, Clone, Copy)]
struct Score {
    score: f64,
    id: u32,
    k: usize,
}

/// A group's outcome: its winner, its share of the candidates' softmax, and (when
/// explaining) every candidate, best first.
pub(super) struct Scored {
    /// The winner, and its facts.
    pub(super) best: Option<(Candidate, Meta)>,
    /// How the winner's name matched ([`NameFlags`] bits).
    pub(super) flags: u8,
    /// The winner's softmax share among the candidates, counting with it those within
    /// 161 km of it.
    pub(super) share: f64,
    pub(super) candidates: Vec<Candidate>,
}
