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

use super::context::{person_pattern, qualifies, Around, Words};
use super::lexicon::{self, Rule};
use super::recognize::Surface;
use super::score::Scored;
use super::{Group, Kind, Mention, SignalKind};
use crate::gazetteer::Gazetteer;
use crate::text::{Case, Token};

/// Score below which a name with no supporting evidence is dropped as a likely false hit.
const ACCEPT: f64 = 3.3;

/// Whether surface `i` may be a place at all, before any scoring; `rule` is the
/// lexicon's not-a-place rule for its key in the article's language.
pub(super) fn surface_may_be_a_place(
    g: &Gazetteer,
    words: &mut Words,
    (surfaces, i): (&[Surface], usize),
    a: &Around,
    rule: Option<Rule>,
    text: &str,
) -> bool {
    let s = &surfaces[i];
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

/// The mentions of one group's winner: none when the winner lacks the evidence a minor
/// place needs, else one per surface that does not look like a person or an everyday
/// word. `confidence` is the winner's softmax share of the group's candidates, scaled
/// down when its score rests on little evidence.
pub(super) fn mentions_of(
    gr: &Group,
    scored: &Scored,
    (surfaces, arounds, tokens): (&[Surface], &[Around], &[Token]),
    (text, lang): (&str, &str),
    explain: bool,
    mentions: &mut Vec<Mention>,
) {
    let Scored { best: Some((best, m)), z, candidates: cands } = scored else { return };
    let has =
        |kind: SignalKind, pred: &dyn Fn(f64) -> bool| best.signals.iter().any(|s| s.name == kind && pred(s.value));
    let explicit = has(SignalKind::Qualifier, &|v| v > 0.0) || has(SignalKind::Cue, &|v| v > 0.0);
    let strong = m.is_country() || m.is_admin1() || m.is_macro() || m.feature_code == "PPLC" || m.population >= 100_000;
    // Agreeing with the article's countries helps choose between candidates, but is
    // no evidence that a small place is meant at all.
    let evidence: f64 = best.signals.iter().filter(|s| s.name != SignalKind::CountryContext).map(|s| s.value).sum();
    if !explicit && !strong && evidence < ACCEPT {
        return;
    }
    if gr.rule == Some(Rule::Cue)
        && gr.cue.is_none()
        && gr.qualifiers.is_empty()
        && !has(SignalKind::Nearby, &|v| v > 0.0)
    {
        return;
    }
    // softmax share of the winner, scaled by how much evidence it has
    let share = 1.0 / z;
    let evidence = ((best.score - 2.0) / 5.0).clamp(0.3, 1.0);
    let confidence = (share * evidence * 1000.0).round() / 1000.0;
    for &si in &gr.surfaces {
        let s = &surfaces[si];
        let a = &arounds[si];
        if !strong && !explicit && s.last - s.first == 1 {
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
        mentions.push(Mention {
            start,
            end,
            text: text[start..end].into(),
            place: best.place,
            kind: Kind::Place,
            confidence,
            candidates: if explain { cands.clone() } else { Vec::new() },
        });
    }
}
