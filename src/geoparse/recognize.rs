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
use crate::text::{arabic_peeled_rests, arabic_peelings, cyrillic_lemmas, push_key_token, Case, Script, Token};

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
/// after an abbreviation (`St. Louis`), a hashtag's underscore (`#حفر_الباطن`), an elision's apostrophe (`Côte d'Ivoire`), a
/// zero-width non-joiner, nothing else.
fn joinable(text: &str, a: &Token, b: &Token) -> bool {
    let gap = &text[a.end..b.start];
    gap.len() <= 3
        && gap.chars().all(|c| matches!(c, ' ' | '-' | '‐' | '–' | '.' | '_' | '\u{a0}' | '\u{200c}' | '\'' | '’'))
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

/// Where the FST stands after a first token: (node, output), or `None` when no name starts
/// with it. Text repeats its words, so each thread remembers them for the gazetteer it
/// last used; the memory is bounded.
fn feed_first<D: AsRef<[u8]>>(fst: &Fst<D>, token: &str) -> Option<(fst::raw::CompiledAddr, Output)> {
    use std::cell::RefCell;
    type Memo = (usize, rustc_hash::FxHashMap<Box<str>, Option<(fst::raw::CompiledAddr, u64)>>);
    thread_local! {
        static MEMO: RefCell<Memo> = RefCell::new((0, Default::default()));
    }
    const MAX: usize = 1 << 17;
    let id = fst.as_bytes().as_ptr() as usize;
    MEMO.with_borrow_mut(|(owner, memo)| {
        if *owner != id || memo.len() >= MAX {
            *owner = id;
            memo.clear();
        }
        if let Some(hit) = memo.get(token) {
            return hit.map(|(a, o)| (a, Output::new(o)));
        }
        let got = feed(fst, fst.root(), Output::zero(), token.as_bytes());
        memo.insert(token.into(), got.map(|(a, o)| (a, o.value())));
        got
    })
}

/// Peeled or lemmatised forms of the first token of a name.
fn inflected_variants(t: &Token) -> Vec<String> {
    match t.script {
        Script::Arabic => arabic_peelings(&t.norm),
        Script::Cyrillic => cyrillic_lemmas(&t.norm),
        _ => Vec::new(),
    }
}

/// Find the longest name starting at token `i`. The bare token comes first; peeled or
/// lemmatised readings are tried only when it starts no name. A peeling counts only when
/// the whole word is rarer than what peeling leaves: `كبيرة` ("big") is not `ك` + `بيرة`,
/// nor `باكراً` ("early") `ب` + `أكرا` (Accra).
fn longest_at(g: &Gazetteer, text: &str, tokens: &[Token], i: usize, lang: &str) -> Option<Surface> {
    let fst = g.names_fst();
    let t = &tokens[i];
    // (end token, FST value, key, inflected)
    let mut best: Option<(usize, u64, String, bool)> = None;
    let walk = |variant: &str, inflected: bool, best: &mut Option<(usize, u64, String, bool)>| {
        let Some((addr, out)) = feed_first(fst, variant) else {
            return false;
        };
        let mut any = false;
        // depth-first over later tokens; each entry: (next token, node, output, key)
        let mut stack = vec![(i + 1, addr, out, None::<String>)];
        while let Some((j, addr, out, key)) = stack.pop() {
            let node = fst.node(addr);
            let last_ok = tokens[j - 1].case != Case::Lower || !tokens[j - 1].script.is_cased();
            if node.is_final() && last_ok {
                any = true;
                let value = out.cat(node.final_output()).value();
                let better = match best {
                    None => true,
                    Some((end, _, _, infl)) => j > *end || (j == *end && *infl && !inflected),
                };
                if better {
                    *best = Some((j, value, key.clone().unwrap_or_else(|| variant.to_string()), inflected));
                }
            }
            if j >= tokens.len() || j - i >= MAX_KEY_TOKENS || !joinable(text, &tokens[j - 1], &tokens[j]) {
                continue;
            }
            let Some((sp, out_sp)) = feed(fst, node, out, b" ") else { continue };
            let next = &tokens[j];
            let mut forms = vec![next.norm.to_string()];
            if next.script == Script::Cyrillic {
                forms.extend(cyrillic_lemmas(&next.norm));
            }
            for form in forms {
                let mut piece = String::new();
                push_key_token(&mut piece, &form, 1);
                let piece = &piece[1..]; // drop the leading space push_key_token adds
                if let Some((a, o)) = feed(fst, fst.node(sp), out_sp, piece.as_bytes()) {
                    let key = format!("{} {piece}", key.as_deref().unwrap_or(variant));
                    stack.push((j + 1, a, o, Some(key)));
                }
            }
        }
        any
    };
    if !walk(&t.norm, false, &mut best) {
        let mut whole = None;
        for v in inflected_variants(t) {
            let mut found = None;
            if !walk(&v, true, &mut found) {
                continue;
            }
            if t.script == Script::Arabic {
                let w = *whole.get_or_insert_with(|| zipf(lang, &t.norm));
                if w >= 2.5 && zipf(lang, &v) <= w {
                    continue;
                }
            }
            let better = match (&best, &found) {
                (None, Some(_)) => true,
                (Some(b), Some(f)) => f.0 > b.0,
                _ => false,
            };
            if better {
                best = found;
            }
        }
    }
    let (end, value, key, inflected) = best?;
    Some(Surface { first: i, last: end, postings: g.postings(value).collect(), key, demonym: None, inflected })
}

/// A demonym starting at token `i`, longest first.
fn demonym_at(lex: &Lexicon, tokens: &[Token], i: usize, lang: &str) -> Option<Surface> {
    let t = &tokens[i];
    // demonyms take و ب ل too: والأفغانية
    let peeled = if t.script == Script::Arabic && !lex.demonym_first.contains(t.norm.as_str()) {
        let may =
            arabic_peeled_rests(&t.norm).any(|r| lex.demonym_first.contains(r) || lex.demonym_first_bare.contains(r));
        if !may {
            return None;
        }
        let p: Vec<String> = arabic_peelings(&t.norm).into_iter().filter(|p| lex.demonym_first.contains(p)).collect();
        if p.is_empty() {
            return None;
        }
        p
    } else if !lex.demonym_first.contains(t.norm.as_str()) {
        return None;
    } else {
        Vec::new()
    };
    for n in (1..=lex.max_demonym_tokens.min(tokens.len() - i)).rev() {
        let mut key = String::new();
        for (k, t) in tokens[i..i + n].iter().enumerate() {
            push_key_token(&mut key, &t.norm, k);
        }
        let mut tries = vec![(key, false)];
        if n == 1 {
            tries.extend(peeled.iter().map(|k| (k.clone(), true)));
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
    // `stop` also removes multi-word names that mean something else ("White House")
    if lex.rule(&s.key, lang) == Some(Rule::Stop) {
        return false;
    }
    true
}
