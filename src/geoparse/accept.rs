//! Acceptance: which names and which winners reach the map. The last step of
//! geoparsing.
//!
//! Before scoring, a surface is dropped when its words say it is not a place here: a
//! single word after a person's title, a neighbour that unmakes it ("The Washington
//! Post"), a first name beside a capitalised word, a word that is a place only when
//! capitalised written in lower case. After scoring, a winner that is not a country, a
//! first-level division, a capital, a macro region or a city of 100,000 must have
//! evidence (a cue, a qualifier, or enough score besides country agreement), and a
//! single word must not look like a person's name or an everyday word.

use super::chunks::{Chunks, Person};
use super::confidence::{self, Features};
use super::context::{person_pattern, qualifies, Around, Words};
use super::lexicon::{self, AbbreviationUse, Lexicon, NameWord, Rule};
use super::recognize::Surface;
use super::score::{own_name, well_known, Scored};
use super::{Group, Kind, Mention, SignalKind};
use crate::gazetteer::index::NameFlags;
use crate::gazetteer::{Gazetteer, Meta};
use crate::text::{Case, Token};

/// Score below which a name with no supporting evidence is dropped as a likely false hit.
const ACCEPT: f64 = 3.3;

/// Whether surface `i` may be a place at all, before any scoring; `rule` is the
/// lexicon's not-a-place rule for its key in the article's language.
pub(super) fn surface_may_be_a_place(
    g: &Gazetteer,
    words: &mut Words,
    (surfaces, i): (&[Surface], usize),
    (arounds, a): (&[Around], &Around),
    rule: Option<Rule>,
    text: &str,
) -> bool {
    let s = &surfaces[i];
    if a.dateline {
        return true;
    }
    // "March 31", "31 March 2018": a date
    let toks = words.tokens;
    let number = |k: usize| toks.get(k).is_some_and(|t| t.script == crate::text::Script::Digits);
    let date = (number(s.last) && text[toks[s.last - 1].end..toks[s.last].start] == *" ")
        || (s.first > 0 && number(s.first - 1) && text[toks[s.first - 1].end..toks[s.first].start] == *" ");
    if s.last - s.first == 1 && date && words.lex.is_name_word(toks[s.first].norm, NameWord::Month, words.lang) {
        return false;
    }
    if s.abbreviation == Some(AbbreviationUse::Qualifier) {
        // "Springfield, IL": only as the qualifier of the place before it
        let before = i.checked_sub(1).filter(|&p| arounds[p].qualifier == Some(i));
        return before.is_some_and(|p| arounds[p].dateline || qualifies(g, &surfaces[p], s));
    }
    let t = &words.tokens[s.first];
    let single = s.last - s.first == 1;
    if (single && a.after_title) || a.not_a_place {
        return false;
    }
    if single
        && rule == Some(Rule::Person)
        && a.cue.is_none()
        && (a.after_title || !t.script.is_cased() || person_pattern(words, surfaces, i, text))
    {
        return false;
    }
    let qualified = a.qualifier.is_some_and(|q| qualifies(g, s, &surfaces[q]));
    let lower_sense = single
        && rule == Some(Rule::Lower)
        && t.script.is_cased()
        && (t.sentence_start || t.case == Case::Lower)
        && !qualified
        && a.cue.is_none();
    !lower_sense
}

/// Whether the words around surface `s`, whose winner is `m` (matched with name flags
/// `flags`), leave it a place: not a person's name (in a person's chunk, or a word the
/// article uses as a person's name), and not a word inside a longer proper name unless
/// the place is well known on its own and matched by a name it really has.
fn names_a_place(
    s: &Surface,
    m: &Meta,
    flags: u8,
    (tokens, chunks): (&[Token], &Chunks),
    (lex, lang): (&Lexicon, &str),
) -> bool {
    let famous = well_known(m, flags);
    let division = m.is_country() || m.is_admin1();
    // countries' and divisions' names come from CLDR and ISO: none is a rare alternate
    let trusted = division || flags & (NameFlags::PRIMARY | NameFlags::LANG | NameFlags::CURATED) != 0;
    // "in Clinton", "near Freeland": a preposition of place says it is the place
    let locative = s.first > 0 && lex.is_direction(tokens[s.first - 1].norm, lang);
    // "Wichita Drive": a street named after the place, somewhere else
    let next = tokens.get(s.last).filter(|n| matches!(n.case, Case::Title | Case::Upper));
    if next.is_some_and(|n| lex.is_name_word(n.norm, NameWord::Street, lang)) {
        return false;
    }
    let chunk = chunks.of(s);
    let in_person = chunk.and_then(|c| c.person);
    let single = s.last - s.first == 1;
    let as_surname = if single && !locative { chunks.surname(tokens[s.first].norm) } else { None };
    match in_person.max(as_surname) {
        // a title, an initial or an age: a person; elsewhere in the article only a
        // country or a division named like that person stays a place
        Some(Person::Title) => return in_person.is_none() && division,
        Some(Person::Said | Person::GivenName) => return famous && trusted,
        None => {}
    }
    // a name inside a longer proper name: only a well-known place that opens it stands out
    // of it ("Kandahar Airfield"); one that ends it names something else ("Hottentots
    // Holland", a mountain range)
    if let Some(c) = chunk.filter(|c| c.last - c.first > s.last - s.first) {
        return famous && trusted && s.first == c.first;
    }
    true
}

/// The mentions of one group's winner: none when the winner lacks the evidence a minor
/// place needs, else one per surface that does not look like a person or an everyday
/// word. Its confidence comes from [`confidence`].
pub(super) fn mentions_of(
    gr: &Group,
    scored: &Scored,
    (surfaces, arounds, tokens, chunks): (&[Surface], &[Around], &[Token], &Chunks),
    (text, lang, lex): (&str, &str, &Lexicon),
    explain: bool,
    mentions: &mut Vec<Mention>,
) {
    let Scored { best: Some((best, m)), flags, share, candidates: cands } = scored else { return };
    let has =
        |kind: SignalKind, pred: &dyn Fn(f64) -> bool| best.signals.iter().any(|s| s.name == kind && pred(s.value));
    let explicit = has(SignalKind::Qualifier, &|v| v > 0.0) || has(SignalKind::Cue, &|v| v > 0.0) || gr.dateline;
    let strong = well_known(m, *flags);
    // Agreeing with the article's countries helps choose between candidates, but is
    // no evidence that a small place is meant at all.
    let evidence: f64 = best.signals.iter().filter(|s| s.name != SignalKind::CountryContext).map(|s| s.value).sum();
    // a hand-checked name of two or more words ("Shir Khan Bandar", "Tora Bora") is
    // evidence of its own
    let multi_word = gr.surfaces.first().is_some_and(|&i| surfaces[i].last - surfaces[i].first > 1);
    let specific = multi_word && *flags & NameFlags::CURATED != 0;
    // what a person typed in by hand is a place news names: well known, for confidence
    let known = strong || specific;
    if !explicit && !strong && !specific && evidence < ACCEPT {
        return;
    }
    let nearby = has(SignalKind::Nearby, &|v| v > 0.0);
    let country_named = has(SignalKind::CountryContext, &|v| v > 0.0);
    let supported = match gr.rule {
        // a cue that fits, a qualifier that contains it, or a place nearby
        Some(Rule::Cue) => explicit || nearby,
        // only a cue or a qualifier: `صور` beside Beirut is still "pictures"
        Some(Rule::Strict) => explicit,
        // only when the article's other places are in its country (`المملكة`, "the Kingdom")
        Some(Rule::Context) => explicit || country_named,
        _ => true,
    };
    if !supported {
        return;
    }
    let share = *share;
    let margin = ((best.score - 2.0) / 5.0).clamp(0.0, 1.0);
    for &si in &gr.surfaces {
        let s = &surfaces[si];
        let a = &arounds[si];
        if !a.dateline && !explicit && !names_a_place(s, m, *flags, (tokens, chunks), (lex, lang)) {
            continue;
        }
        // In English, a place's own names are its canonical (GeoNames') name, English-tagged
        // and curated ones; an everyday English word that names a place only by another
        // spelling is that word: "Island" is German for Iceland. (Other languages' names of
        // cities come untagged from GeoNames, so this holds for English alone.)
        let t = &tokens[s.first];
        let news_name = NameFlags::PRIMARY | NameFlags::CURATED | NameFlags::ABBREV | NameFlags::NEWS_LANG;
        let foreign_name = *flags & news_name == 0;
        if lang == "en" && s.last - s.first == 1 && !explicit && foreign_name && lexicon::zipf(lang, t.norm) >= 4.0 {
            continue;
        }
        // "Industry Minister", "the Alliance": an everyday English word that is only a small
        // town's name, with no preposition of place before it
        let locative = s.first > 0 && lex.is_direction(tokens[s.first - 1].norm, lang);
        if lang == "en"
            && !strong
            && !explicit
            && !locative
            && s.last - s.first == 1
            && lexicon::zipf(lang, t.norm) >= 4.5
        {
            continue;
        }
        if !strong && !explicit && !a.dateline && s.last - s.first == 1 {
            if a.person_next || a.person_prev {
                continue;
            }
            // an everyday word, not a minor place: "Farmers in …" at a sentence
            // start, or an uncased word as common as `كبيرة`
            let t = &tokens[s.first];
            let common = lexicon::zipf(lang, t.norm);
            // uncased: the word as matched, after any peeling (`وبركة` → `بركة`, "blessing")
            if (t.script.is_cased() && t.sentence_start && common >= 3.5)
                || (!t.script.is_cased() && lexicon::zipf(lang, &s.key) >= 4.0)
            {
                continue;
            }
        }
        let (start, end) = (tokens[s.first].start, tokens[s.last - 1].end);
        let (hashtag, hashtag_part) = confidence::hashtag(text, start, end);
        let features = Features {
            share,
            margin,
            well_known: f64::from(known),
            explicit: f64::from(explicit || a.dateline),
            own_name: f64::from(own_name(*flags)),
            multi_word: f64::from(s.last - s.first > 1),
            hashtag_part: f64::from(hashtag_part),
            hashtag: f64::from(hashtag && !hashtag_part),
            uncased: f64::from(!tokens[s.first].script.is_cased()),
            inflected: f64::from(s.inflected),
            country: f64::from(m.is_country()),
            ..Features::default()
        };
        mentions.push(Mention {
            start,
            end,
            text: text[start..end].into(),
            place: best.place,
            kind: Kind::Place,
            confidence: features.confidence(),
            features,
            candidates: if explain { cands.clone() } else { Vec::new() },
        });
    }
}
