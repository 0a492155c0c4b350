//! Context: what the words around a name, and the article's other names, say about it.
//! The second step of geoparsing, between recognition and scoring.
//!
//! Around each name ([`Around`]): a cue word ("province", "ولاية") just before or after,
//! a qualifier that follows ("Paris, Texas", "طرابلس في شمال لبنان"; a list is not one),
//! a person's title before it or a capitalised word beside it, and neighbouring words that
//! show it means something else ("The Washington Post"). Across the article
//! ([`Context`]): how often each country and first-level division is named, and where
//! its other places lie, read from every name's current choice, so that a candidate in
//! the same country or near the others scores higher.

use super::lexicon::{zipf, CueKind, CuePos, Lexicon, Relation};
use super::recognize::Surface;
use super::score::Prior;
use super::Group;
use crate::gazetteer::{Gazetteer, Meta};
use crate::text::{is_letter_or_digit, Case, Script, Token};

/// Evidence around one surface, read from its neighbouring tokens.
#[derive(Debug, Clone, Default)]
pub(super) struct Around {
    pub(super) cue: Option<CueKind>,
    /// The surface index of a qualifier that follows: "Paris, Texas", "طرابلس في شمال لبنان".
    pub(super) qualifier: Option<usize>,
    /// The qualifier is a reference point beside the place ("Panjwayi, west of Kandahar",
    /// "30 km from Kabul"), not a division around it: it need not be a division.
    pub(super) beside: bool,
    pub(super) after_title: bool,
    /// A capitalised word follows or precedes directly: "Donald Trump", "Julie Walsh".
    pub(super) person_next: bool,
    pub(super) person_prev: bool,
    /// A neighbouring word shows the name means something else ("The Washington Post").
    pub(super) not_a_place: bool,
    /// The name opens a news dateline: "LONDON, Ky. (AP) —", "KABUL (Reuters) -".
    pub(super) dateline: bool,
}

pub(super) fn cue_fits(kind: CueKind, m: &Meta) -> bool {
    match kind {
        CueKind::Admin1 => m.is_admin1(),
        CueKind::Admin2 => m.is_admin2(),
        CueKind::City => m.is_populated(),
        CueKind::Country => m.is_country(),
        CueKind::Division => m.is_country() || m.is_admin1() || m.is_admin2(),
    }
}

/// What the lexicon says about one token in the article's language.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct WordClass {
    cue: Option<(CueKind, CuePos)>,
    title: bool,
    direction: bool,
}

/// The lexicon's answers for an article's tokens, looked up once per token as needed.
pub(super) struct Words<'a> {
    pub(super) lex: &'a Lexicon,
    pub(super) lang: &'a str,
    pub(super) tokens: &'a [Token<'a>],
    pub(super) classes: Vec<Option<WordClass>>,
}

impl<'a> Words<'a> {
    pub(super) fn new(lex: &'a Lexicon, lang: &'a str, tokens: &'a [Token<'a>]) -> Words<'a> {
        Words { lex, lang, tokens, classes: vec![None; tokens.len()] }
    }
    pub(super) fn class(&mut self, i: usize) -> WordClass {
        let (lex, lang, norm) = (self.lex, self.lang, self.tokens[i].norm);
        *self.classes[i].get_or_insert_with(|| {
            if !lex.is_context_word(norm) {
                return WordClass::default();
            }
            WordClass {
                cue: lex.cue(norm, lang),
                title: lex.is_title(norm, lang),
                direction: lex.is_direction(norm, lang),
            }
        })
    }
}

pub(super) fn around(words: &mut Words, surfaces: &[Surface], idx: usize, text: &str) -> Around {
    let (lex, lang, tokens) = (words.lex, words.lang, words.tokens);
    let s = &surfaces[idx];
    let mut a = Around::default();
    // cue words just before or just after ("ولاية قندهار", "Helmand province")
    // a cue counts only with nothing but spaces between it and the name
    let spaced = |a: &Token, b: &Token| text[a.end..b.start].chars().all(|c| c == ' ' || c == '\u{a0}');
    if s.first > 0 {
        let prev = tokens[s.first - 1].norm;
        let cue_ok = spaced(&tokens[s.first - 1], &tokens[s.first]);
        let class = words.class(s.first - 1);
        // "City Council", "Town Hall": a capitalised city word inside a sentence is part of
        // a name, not a cue
        let p = &tokens[s.first - 1];
        let named = p.script.is_cased() && p.case != Case::Lower && !p.sentence_start;
        if let Some((k, pos)) = class.cue.filter(|&(k, _)| cue_ok && !(k == CueKind::City && named)) {
            if pos.before {
                a.cue = Some(k);
            }
        }
        // the cue may carry a proclitic: "بولاية", "في مدينة"
        if a.cue.is_none() && cue_ok && tokens[s.first - 1].script == Script::Arabic {
            for p in crate::text::arabic_peeled(prev) {
                if let Some((k, pos)) = lex.cue(&p, lang) {
                    if pos.before {
                        a.cue = Some(k);
                        break;
                    }
                }
            }
        }
        a.after_title = class.title;
        let p = &tokens[s.first - 1];
        // a place named just before does not count ("Kabul Kandahar"), unless it is an
        // everyday word that happens to be a place ("City Council": City, a town)
        let place_before = idx > 0 && surfaces[idx - 1].last == s.first && zipf(lang, p.norm) < 4.5;
        a.person_prev = p.script.is_cased()
            && p.case == Case::Title
            && !p.sentence_start
            && text[p.end..tokens[s.first].start] == *" "
            && !place_before
            && !class.direction
            && class.cue.is_none();
    }
    if s.last < tokens.len() {
        let next = &tokens[s.last];
        if let Some((k, pos)) = words.class(s.last).cue.filter(|_| spaced(&tokens[s.last - 1], next)) {
            if pos.after && a.cue.is_none() {
                a.cue = Some(k);
            }
        }
        a.person_next = next.script.is_cased()
            && matches!(next.case, Case::Title)
            && text[tokens[s.last - 1].end..next.start].chars().all(|c| c == ' ')
            && surfaces.get(idx + 1).is_none_or(|n| n.first != s.last);
    }
    a.not_a_place = context_says_not_a_place(lex, tokens, s, lang, text);
    a.dateline = dateline(text, tokens, s);
    // a qualifier: the next surface, after at most a comma, brackets and a few small words
    if let Some(n) = surfaces.get(idx + 1) {
        if n.first >= s.last && n.first - s.last <= 4 {
            let gap_ok = (s.last..n.first).all(|t| {
                let c = words.class(t);
                c.direction || c.cue.is_some()
            });
            let between = &text[tokens[s.last - 1].end..tokens[n.first].start];
            let punct_ok = between
                .chars()
                .all(|c| c.is_whitespace() || is_letter_or_digit(c) || matches!(c, ',' | '،' | '(' | '-' | '–'));
            // "Panjwayi, west of Kandahar": a reference point beside it; "Tripoli, in
            // northern Lebanon": a division around it. The first word that says which decides.
            let beside = (s.last..n.first)
                .find_map(|t| lex.relation(tokens[t].norm, lang).filter(|r| *r != Relation::None))
                == Some(Relation::Beside);
            if gap_ok && punct_ok && !enumerated(text, tokens, surfaces, idx + 1) {
                a.qualifier = Some(idx + 1);
                a.beside = beside;
            }
        }
    }
    a
}

/// Whether a surface opens a dateline: it starts a paragraph (or the text), is written in
/// capitals, and is followed by an agency in brackets or a dash, perhaps after a comma
/// and a division ("LONDON, Ky. (AP) —", "KABUL (Reuters) -", "CAIRO — ").
fn dateline(text: &str, tokens: &[Token], s: &Surface) -> bool {
    let caps = tokens[s.first..s.last].iter().all(|t| t.case == Case::Upper || !t.script.is_cased());
    if !caps || !tokens[s.first].script.is_cased() {
        return false;
    }
    // only then look back to the line's start: a long line would make it quadratic
    let start = tokens[s.first].start;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if !text[line_start..start].trim().is_empty() {
        return false;
    }
    let mut rest = &text[tokens[s.last - 1].end..];
    if let Some(r) = rest.strip_prefix(',') {
        // a qualifier: a division, written out or abbreviated ("Ky.", "W.Va.", "Ontario")
        let r = r.trim_start_matches(' ');
        if !r.starts_with(|c: char| c.is_uppercase()) {
            return false;
        }
        let n =
            r.char_indices().find(|&(_, c)| !(c.is_alphabetic() || c == '.' || c == ' ')).map_or(r.len(), |(i, _)| i);
        if n > 30 {
            return false;
        }
        rest = &r[n..];
    }
    let rest = rest.trim_start_matches(' ');
    rest.starts_with(['(', '—', '–', '-', '_']) && !rest.starts_with("-based")
}

/// Whether surface `q` is followed by another name as in a list ("Mexico, the US, and
/// Canada", "طرابلس، بيروت وصيدا"): then it is the next item, not a qualifier.
fn enumerated(text: &str, tokens: &[Token], surfaces: &[Surface], q: usize) -> bool {
    let (Some(s), Some(n)) = (surfaces.get(q), surfaces.get(q + 1)) else { return false };
    if n.first < s.last || n.first - s.last > 1 {
        return false;
    }
    let gap = &text[tokens[s.last - 1].end..tokens[n.first].start];
    if gap.contains(['.', ';', ':', '(', ')']) {
        return false;
    }
    let and_glued = n.inflected && tokens[n.first].norm.starts_with('و');
    gap.contains([',', '،'])
        || and_glued
        || gap
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .all(|w| matches!(w, "and" | "or" | "et" | "ou" | "y" | "o" | "e" | "и" | "или" | "یا" | "و"))
            && n.first > s.last
}

fn context_says_not_a_place(lex: &Lexicon, tokens: &[Token], s: &Surface, lang: &str, text: &str) -> bool {
    let prev =
        s.first.checked_sub(1).map(|i| &tokens[i]).filter(|p| text[p.end..tokens[s.first].start].trim().is_empty());
    // the word before, bare or with a proclitic peeled (`وصلاة`); peeled only when asked
    let before = |w: &str| {
        prev.is_some_and(|p| {
            p.norm == w || (p.script == Script::Arabic && crate::text::arabic_peeled(p.norm).any(|x| x == w))
        })
    };
    let after = tokens
        .get(s.last)
        .filter(|n| text[tokens[s.last - 1].end..n.start].chars().all(|c| c == ' ' || c == '\u{200c}'))
        .map(|n| n.norm);
    lex.context_says_not_a_place(&s.key, before, after, lang)
}

/// Person-name patterns for names that are also first names or surnames: any
/// capitalised word next to it ("Marcus Washington", "Jordan Pike"), or an age in
/// apposition ("Washington, 46, said").
pub(super) fn person_pattern(words: &mut Words, surfaces: &[Surface], idx: usize, text: &str) -> bool {
    let tokens = words.tokens;
    let s = &surfaces[idx];
    let cased = tokens[s.first].script.is_cased();
    let prev = s.first.checked_sub(1).filter(|&i| {
        let p = &tokens[i];
        cased
            && p.case == Case::Title
            && text[p.end..tokens[s.first].start] == *" "
            && !(idx > 0 && surfaces[idx - 1].last == s.first)
            && {
                let c = words.class(i);
                !c.direction && c.cue.is_none() && !c.title
            }
    });
    let next = (s.last < tokens.len()).then_some(s.last).filter(|&i| {
        let n = &tokens[i];
        cased && n.case == Case::Title && text[tokens[s.last - 1].end..n.start] == *" " && {
            let c = words.class(i);
            c.cue.is_none() && !c.direction
        }
    });
    // "Washington, 46, said": a one- or two-digit number between commas
    let rest = &text[tokens[s.last - 1].end..];
    let age = rest.strip_prefix(", ").is_some_and(|r| {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        (1..=2).contains(&digits) && r[digits..].starts_with(',')
    });
    prev.is_some() || next.is_some() || age
}

/// Whether a qualifier surface contains one of a surface's candidates: "Mission, Texas".
pub(super) fn qualifies(g: &Gazetteer, s: &Surface, q: &Surface) -> bool {
    s.postings.iter().any(|p| {
        let m = g.meta(p.place);
        q.demonym == Some(m.country)
            || q.postings.iter().any(|qp| {
                let qm = g.meta(qp.place);
                qp.place != p.place
                    && qm.country == m.country
                    && (qm.is_country() || (qm.is_admin1() && qm.admin1 == m.admin1 && m.admin1 != 0))
            })
    })
}

/// What the article's other names say, from each group's current choice: how often
/// each country and first-level division is named, and where its smaller places lie.
/// Built once per round; a group reads it without its own contribution.
pub(super) struct Context {
    pub(super) countries: Counts<[u8; 2]>,
    pub(super) admin1: Counts<u16>,
    /// How often each second-level division is named, itself or by a place in it.
    pub(super) admin2: Counts<u16>,
    /// (group, latitude, longitude, cos(latitude in radians)) of each group's choice that
    /// is neither a country nor a first-level division, by latitude: `nearby` reads only
    /// those within 6 degrees of it.
    pub(super) anchors: Vec<(usize, f64, f64, f64)>,
}

impl Context {
    pub(super) fn new(
        groups: &[Group],
        priors: &[std::rc::Rc<[Prior]>],
        tops: &[Option<usize>],
        demonyms: &Counts<[u8; 2]>,
    ) -> Context {
        let mut c = Context {
            countries: demonyms.clone(),
            admin1: Counts::default(),
            admin2: Counts::default(),
            anchors: Vec::with_capacity(tops.len()),
        };
        for (gi, top) in tops.iter().enumerate() {
            let Some(k) = *top else { continue };
            let (m, cos_lat) = (&priors[gi][k].meta, priors[gi][k].cos_lat);
            c.countries.add(m.country, groups[gi].surfaces.len().min(3));
            if m.admin1 != 0 {
                c.admin1.add(m.admin1, 1);
            }
            if m.admin2 != 0 {
                c.admin2.add(m.admin2, 1);
            }
            if !m.is_country() && !m.is_admin1() {
                c.anchors.push((gi, m.lat, m.lon, cos_lat));
            }
        }
        c.anchors.sort_unstable_by(|a, b| a.1.total_cmp(&b.1));
        c
    }
}

/// Counts per key for the few countries or divisions one article names: a short list
/// is quicker to build and search than a hash map.
#[derive(Debug, Clone)]
pub(super) struct Counts<K>(smallvec::SmallVec<[(K, usize); 8]>);

impl<K> Default for Counts<K> {
    fn default() -> Self {
        Counts(smallvec::SmallVec::new())
    }
}

impl<K: Copy + PartialEq> Counts<K> {
    pub(super) fn add(&mut self, k: K, n: usize) {
        match self.0.iter_mut().find(|(key, _)| *key == k) {
            Some((_, count)) => *count += n,
            None => self.0.push((k, n)),
        }
    }
    pub(super) fn get(&self, k: K) -> usize {
        self.0.iter().find(|(key, _)| *key == k).map_or(0, |&(_, n)| n)
    }
}

/// Group `gi`'s view of the context: the article's counts less its own choice.
pub(super) struct View<'a> {
    pub(super) ctx: &'a Context,
    pub(super) gi: usize,
    pub(super) own: Option<Meta>,
    pub(super) own_weight: usize,
}

impl View<'_> {
    pub(super) fn country(&self, cc: [u8; 2]) -> usize {
        let n = self.ctx.countries.get(cc);
        match self.own {
            Some(m) if m.country == cc => n - self.own_weight,
            _ => n,
        }
    }
    pub(super) fn admin2(&self, a2: u16) -> usize {
        let n = self.ctx.admin2.get(a2);
        match self.own {
            Some(m) if m.admin2 == a2 && a2 != 0 => n - 1,
            _ => n,
        }
    }
    pub(super) fn admin1(&self, a1: u16) -> usize {
        let n = self.ctx.admin1.get(a1);
        match self.own {
            Some(m) if m.admin1 == a1 && a1 != 0 => n - 1,
            _ => n,
        }
    }
    /// The `nearby` signal: 1 with another anchor within 150 km, 0.5 within 600 km.
    pub(super) fn nearby(&self, lat: f64, lon: f64, cos_phi: f64) -> f64 {
        let mut best = 0.0;
        // more than 6 degrees of latitude apart is more than 600 km; the window is a little
        // wider, and the exact test is made on each anchor in it
        let anchors = &self.ctx.anchors;
        let from = anchors.partition_point(|a| a.1 < lat - 6.5);
        for &(gi, alat, alon, acos) in &anchors[from..] {
            if alat > lat + 6.5 {
                break;
            }
            if gi == self.gi || (alat - lat).abs() > 6.0 {
                continue;
            }
            let v = nearness(lat, lon, cos_phi, alat, alon, acos);
            if v > best {
                best = v;
                if best == 1.0 {
                    break;
                }
            }
        }
        best
    }
}

/// 1 within 150 km, 0.5 within 600 km, else 0, by great-circle distance. A flat-earth
/// estimate decides when it is more than 2% off both thresholds (below 70° of latitude
/// it is within 0.4% of the great circle at 100–800 km); the haversine decides the rest.
/// The test below fails with a margin of 0.2%.
pub(super) fn nearness(lat: f64, lon: f64, cos_phi: f64, alat: f64, alon: f64, acos: f64) -> f64 {
    let mut dlon = (alon - lon).abs();
    if dlon > 180.0 {
        dlon = 360.0 - dlon;
    }
    if lat.abs() < 70.0 && alat.abs() < 70.0 {
        let (y, x) = ((alat - lat).abs(), dlon * 0.5 * (cos_phi + acos));
        // more than 2% past 600 km on either axis is past it on the flat estimate
        if y.max(x) * 111.195 > 612.0 {
            return 0.0;
        }
        let flat = 111.195 * (y * y + x * x).sqrt();
        let clear = |t: f64| (flat - t).abs() > 0.02 * t;
        if clear(150.0) && clear(600.0) {
            return nearness_at(flat);
        }
    }
    nearness_at(distance_km_cos((alat, alon), (lat, lon), acos, cos_phi))
}

/// The `nearby` value of a distance in km: 1 within 150 km, 0.5 within 600 km, else 0.
pub(super) fn nearness_at(km: f64) -> f64 {
    if km < 150.0 {
        1.0
    } else if km < 600.0 {
        0.5
    } else {
        0.0
    }
}

/// [`distance_km`], given the cosines of both latitudes.
pub(super) fn distance_km_cos(a: (f64, f64), b: (f64, f64), cos_a: f64, cos_b: f64) -> f64 {
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + cos_a * cos_b * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearness_decides_as_the_great_circle_does() {
        // pairs around every latitude band, up to ~900 km apart, both sides of the
        // antimeridian, half of them within 3% of a threshold; the flat-earth shortcut
        // must never change the answer
        let mut rng = fastrand::Rng::with_seed(7);
        for i in 0..400_000 {
            let lat = rng.f64() * 170.0 - 85.0;
            let lon = rng.f64() * 360.0 - 180.0;
            let (alat, mut alon) = if i % 2 == 0 {
                ((lat + rng.f64() * 12.0 - 6.0).clamp(-89.0, 89.0), lon + (rng.f64() * 24.0 - 12.0))
            } else {
                // about 150 or 600 km away on a random bearing
                let km = if rng.bool() { 150.0 } else { 600.0 } * (0.97 + 0.06 * rng.f64());
                let bearing = rng.f64() * std::f64::consts::TAU;
                let alat = (lat + km / 111.195 * bearing.cos()).clamp(-89.0, 89.0);
                let mid = ((lat + alat) / 2.0).to_radians().cos().max(0.05);
                (alat, lon + km / 111.195 * bearing.sin() / mid)
            };
            if alon > 180.0 {
                alon -= 360.0;
            } else if alon < -180.0 {
                alon += 360.0;
            }
            let got = nearness(lat, lon, lat.to_radians().cos(), alat, alon, alat.to_radians().cos());
            let want = nearness_at(super::super::distance_km((alat, alon), (lat, lon)));
            assert_eq!(got, want, "({lat}, {lon}) to ({alat}, {alon})");
        }
    }
}
