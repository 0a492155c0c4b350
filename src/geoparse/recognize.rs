//! Recognition: find every gazetteer name in an article's tokens, in one left-to-right
//! pass.
//!
//! At each token the matcher walks the name index (an FST) token by token, so a name is
//! only ever matched at token boundaries ("Paris" never inside "Parisian") and the
//! longest name wins ("New York City" over "New York"). The first token may also be tried
//! with Arabic proclitics peeled (`بقندهار` → `قندهار`) and Cyrillic tokens with their case ending undone
//! (`в Кабуле`); those variants count only when the bare token is not itself a name. Demonyms
//! (`Afghan`, `الأفغانية`) are recognised from the lexicon as their own kind.

use fst::raw::{Fst, Output};

use super::lexicon::{zipf, Lexicon, Rule};
use crate::gazetteer::index::{NameFlags, MAX_KEY_TOKENS};
use crate::gazetteer::{Gazetteer, Posting};
use crate::text::{arabic_peelings, cyrillic_lemmas, push_key_token, Case, Script, Token};

/// A stretch of tokens that names something.
#[derive(Debug, Clone)]
pub struct Surface {
    /// First token, inclusive.
    pub first: usize,
    /// Last token, exclusive.
    pub last: usize,
    /// The key that matched (see [`crate::text::name_key`]).
    pub key: String,
    /// Candidate places (empty for demonyms).
    pub postings: Vec<Posting>,
    /// The country a demonym points to.
    pub demonym: Option<[u8; 2]>,
    /// A clitic was peeled or an ending undone to match.
    pub inflected: bool,
}

/// Whether the text between two tokens may sit inside one name: spaces, hyphens, a dot
/// after an abbreviation (`St. Louis`), an elision's apostrophe (`Côte d'Ivoire`), a
/// zero-width non-joiner, nothing else.
fn joinable(text: &str, a: &Token, b: &Token) -> bool {
    let gap = &text[a.end..b.start];
    gap.len() <= 3
        && gap.chars().all(|c| matches!(c, ' ' | '-' | '‐' | '–' | '.' | '\u{a0}' | '\u{200c}' | '\'' | '’'))
        && !gap.contains(". ")
}

fn feed<'f, D: AsRef<[u8]>>(
    fst: &'f Fst<D>,
    mut node: fst::raw::Node<'f>,
    mut out: Output,
    bytes: &[u8],
) -> Option<(fst::raw::CompiledAddr, Output)> {
    for &b in bytes {
        let i = node.find_input(b)?;
        let t = node.transition(i);
        out = out.cat(t.out);
        node = fst.node(t.addr);
    }
    Some((node.addr(), out))
}

/// Variants of the first token of a name: the token itself, then peeled or lemmatised
/// forms, flagged as inflected.
/// A peeling is skipped when the whole word is at least as common as what peeling leaves:
/// `كبيرة` ("big") is not `ك` + `بيرة`, nor `باكراً` ("early") `ب` + `أكرا` (Accra).
fn inflected_variants(t: &Token, lang: &str) -> Vec<(String, bool)> {
    let mut v = Vec::new();
    match t.script {
        Script::Arabic => {
            let whole = zipf(lang, &t.norm);
            v.extend(
                arabic_peelings(&t.norm)
                    .into_iter()
                    .filter(|p| whole < 2.5 || zipf(lang, p) > whole)
                    .map(|s| (s, true)),
            )
        }
        Script::Cyrillic => v.extend(cyrillic_lemmas(&t.norm).into_iter().map(|s| (s, true))),
        _ => {}
    }
    v
}

/// Find the longest name starting at token `i`.
fn longest_at(g: &Gazetteer, text: &str, tokens: &[Token], i: usize, lang: &str) -> Option<Surface> {
    let fst = g.names_fst();
    let mut best: Option<(usize, u64, String, bool)> = None;
    let mut found_bare = false;
    // the bare token first; inflected readings only when it names nothing
    let mut variants = vec![(tokens[i].norm.clone(), false)];
    let mut k = 0;
    loop {
        if k == 1 && variants.len() == 1 && !found_bare {
            variants.extend(inflected_variants(&tokens[i], lang));
        }
        if k >= variants.len() {
            break;
        }
        let (variant, inflected) = variants[k].clone();
        k += 1;
        // depth-first over later tokens; each stack entry: (next token, node, output, key)
        let Some((addr, out)) = feed(fst, fst.root(), Output::zero(), variant.as_bytes()) else {
            continue;
        };
        let mut stack = vec![(i + 1, addr, out, variant.clone())];
        while let Some((j, addr, out, key)) = stack.pop() {
            let node = fst.node(addr);
            let last_ok = tokens[j - 1].case != Case::Lower || !tokens[j - 1].script.is_cased();
            if node.is_final() && last_ok {
                let value = out.cat(node.final_output()).value();
                let better = match &best {
                    None => true,
                    Some((end, _, _, infl)) => j > *end || (j == *end && *infl && !inflected),
                };
                if better {
                    best = Some((j, value, key.clone(), inflected));
                }
                if !inflected {
                    found_bare = true;
                }
            }
            if j >= tokens.len() || j - i >= MAX_KEY_TOKENS || !joinable(text, &tokens[j - 1], &tokens[j]) {
                continue;
            }
            let Some((sp, out_sp)) = feed(fst, node, out, b" ") else { continue };
            let t = &tokens[j];
            let mut forms = vec![t.norm.clone()];
            if t.script == Script::Cyrillic {
                forms.extend(cyrillic_lemmas(&t.norm));
            }
            for form in forms {
                let mut piece = String::new();
                push_key_token(&mut piece, &form, 1);
                let piece = &piece[1..]; // drop the leading space push_key_token adds
                if let Some((a, o)) = feed(fst, fst.node(sp), out_sp, piece.as_bytes()) {
                    stack.push((j + 1, a, o, format!("{key} {piece}")));
                }
            }
        }
    }
    let (end, value, key, inflected) = best?;
    Some(Surface { first: i, last: end, postings: g.postings(value).collect(), key, demonym: None, inflected })
}

/// A demonym starting at token `i`, longest first.
fn demonym_at(lex: &Lexicon, tokens: &[Token], i: usize, lang: &str) -> Option<Surface> {
    for n in (1..=lex.max_demonym_tokens.min(tokens.len() - i)).rev() {
        let mut key = String::new();
        for (k, t) in tokens[i..i + n].iter().enumerate() {
            push_key_token(&mut key, &t.norm, k);
        }
        let mut tries = vec![(key.clone(), false)];
        if n == 1 && tokens[i].script == Script::Arabic {
            // demonyms take و ب ل too: والأفغانية
            tries.extend(arabic_peelings(&key).into_iter().map(|k| (k, true)));
        }
        for (k, inflected) in tries {
            if let Some(cc) = lex.demonym(&k, lang) {
                return Some(Surface {
                    first: i,
                    last: i + n,
                    key: k,
                    postings: Vec::new(),
                    demonym: Some(cc),
                    inflected,
                });
            }
        }
    }
    None
}

/// Every name in the tokens, leftmost-longest, with the lexicon's hard filters applied
/// (lower-case words in cased scripts, stop words, very short names).
pub fn recognize(g: &Gazetteer, lex: &Lexicon, text: &str, tokens: &[Token], lang: &str) -> Vec<Surface> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.script == Script::Digits || (t.script.is_cased() && t.case == Case::Lower) {
            if let Some(d) = demonym_at(lex, tokens, i, lang).filter(|_| t.script != Script::Digits) {
                i = d.last;
                out.push(d);
            } else {
                i += 1;
            }
            continue;
        }
        // a name never starts right after a zero-width non-joiner: `کابل‌های` is one word
        if i > 0 && &text[tokens[i - 1].end..t.start] == "\u{200c}" {
            i += 1;
            continue;
        }
        let place = longest_at(g, text, tokens, i, lang).filter(|s| keep(lex, tokens, s, lang));
        let demonym = demonym_at(lex, tokens, i, lang);
        let pick = match (place, demonym) {
            (Some(p), Some(d)) => {
                if d.last >= p.last {
                    Some(d)
                } else {
                    Some(p)
                }
            }
            (p, d) => p.or(d),
        };
        match pick {
            Some(s) => {
                i = s.last;
                out.push(s);
            }
            None => i += 1,
        }
    }
    out
}

/// Hard recognition filters that need no disambiguation.
fn keep(lex: &Lexicon, tokens: &[Token], s: &Surface, lang: &str) -> bool {
    let first = &tokens[s.first];
    let single = s.last - s.first == 1;
    let letters = s.key.chars().filter(|c| c.is_alphabetic()).count();
    if single && letters <= 2 {
        // two-letter names only as abbreviations written in capitals: US, UK
        let abbrev = s.postings.iter().any(|p| p.flags & NameFlags::ABBREV != 0);
        if !(abbrev && first.case == Case::Upper) {
            return false;
        }
    }
    if single && first.script == Script::Arabic && letters <= 2 {
        return false;
    }
    // an all-capitals abbreviation must be written in capitals
    if s.postings.iter().all(|p| p.flags & NameFlags::ABBREV != 0)
        && first.script.is_cased()
        && first.case != Case::Upper
    {
        return false;
    }
    if single && lex.rule(&s.key, lang) == Some(Rule::Stop) {
        return false;
    }
    true
}
