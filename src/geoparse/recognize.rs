//! Recognition: find every gazetteer name in an article's tokens, in one left-to-right
//! pass.
//!
//! At each token the matcher walks the name index (an FST) token by token, so a name is
//! only ever matched at token boundaries ("Paris" never inside "Parisian") and the
//! longest name wins ("New York City" over "New York"). The first token may also be tried
//! with Arabic proclitics peeled (`بقندهار` → `قندهار`) and Cyrillic tokens with their case ending undone
//! (`в Кабуле`); those variants count only when the bare token is not itself a name. Demonyms
//! (`Afghan`, `الأفغانية`) are recognised from the lexicon as their own kind.

use std::cell::RefCell;

use compact_str::CompactString;
use fst::raw::{Fst, Output};

use super::lexicon::{zipf, AbbreviationUse, Lexicon, Rule};
use crate::gazetteer::index::{NameFlags, MAX_KEY_TOKENS};
use crate::gazetteer::{Gazetteer, Instance, Posting};
use crate::text::{arabic_peelings, cyrillic_lemmas, is_letter, push_key_token, Case, Script, Token};

/// A stretch of tokens that names something.
#[derive(Debug, Clone)]
pub struct Surface {
    /// First token, inclusive.
    pub first: usize,
    /// Last token, exclusive.
    pub last: usize,
    /// The key that matched (see [`crate::text::name_key`]).
    pub key: CompactString,
    /// Candidate places (empty for demonyms).
    pub postings: Vec<Posting>,
    /// The name index's value for `postings`: names with the same value share them
    /// (0 for demonyms).
    pub postings_id: u64,
    /// The country a demonym points to.
    pub demonym: Option<[u8; 2]>,
    /// A clitic was peeled or an ending undone to match.
    pub inflected: bool,
    /// An abbreviation of a first-level division ("Ky.", "IL"), and where it may stand.
    pub abbreviation: Option<AbbreviationUse>,
}

/// Whether the text between two tokens may sit inside one name: spaces, hyphens, a dot
/// after an abbreviation (`St. Louis`), a hashtag's underscore (`#حفر_الباطن`), an elision's apostrophe (`Côte d'Ivoire`), a
/// zero-width non-joiner, nothing else.
fn joinable(text: &str, a: &Token, b: &Token) -> bool {
    let gap = &text[a.end..b.start];
    // "St. Louis", "Ft. Worth", "Mt. Hood": a dot and a space after a short capitalised
    // abbreviation; elsewhere they end a sentence
    let abbreviation = a.case == Case::Title && a.end - a.start <= 3 && a.script == Script::Latin;
    gap.len() <= 3
        && gap.chars().all(|c| matches!(c, ' ' | '-' | '‐' | '–' | '.' | '_' | '\u{a0}' | '\u{200c}' | '\'' | '’'))
        && (!gap.contains(". ") || (gap == ". " && abbreviation))
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

/// Where a reading of a first token leaves the name index.
#[derive(Debug, Clone, Copy)]
struct Reading {
    /// The index's value when the reading is a whole name.
    whole: Option<u64>,
    /// Where the index stands after the reading and a space, when longer names start
    /// with it.
    spaced: Option<(fst::raw::CompiledAddr, u64)>,
}

impl Reading {
    fn of<D: AsRef<[u8]>>(fst: &Fst<D>, word: &str) -> Option<Reading> {
        Reading::at(fst, fst.root().addr(), word.as_bytes())
    }

    /// The reading of `bytes` from index state `addr`, its values counted from there.
    fn at<D: AsRef<[u8]>>(fst: &Fst<D>, addr: fst::raw::CompiledAddr, bytes: &[u8]) -> Option<Reading> {
        let (addr, out) = feed(fst, fst.node(addr), Output::zero(), bytes)?;
        let node = fst.node(addr);
        let whole = node.is_final().then(|| out.cat(node.final_output()).value());
        let spaced = feed(fst, node, out, b" ").map(|(a, o)| (a, o.value()));
        (whole.is_some() || spaced.is_some()).then_some(Reading { whole, spaced })
    }
}

/// What a word can start, worked out once per distinct word.
#[derive(Debug, Default)]
struct Starts {
    /// The bare word, when some name starts with it.
    bare: Option<Reading>,
    /// Inflected readings (Arabic proclitics peeled, a Cyrillic ending undone) that start
    /// a name, in reading order.
    variants: Vec<(String, Reading)>,
    /// The bare word starts a demonym.
    demonym: bool,
    /// Peeled readings that start a demonym (`والأفغانية` → `الافغانيه`).
    demonym_peeled: Vec<String>,
}

fn starts<D: AsRef<[u8]>>(fst: &Fst<D>, lex: &Lexicon, t: &Token) -> Starts {
    // inflected readings: Arabic proclitics peeled, or a Cyrillic ending undone
    let inflected = match t.script {
        Script::Arabic => arabic_peelings(t.norm),
        Script::Cyrillic => cyrillic_lemmas(t.norm),
        _ => Vec::new(),
    };
    let demonym = lex.starts_demonym(t.norm);
    let demonym_peeled = if t.script == Script::Arabic && !demonym {
        inflected.iter().filter(|p| lex.starts_demonym(p)).cloned().collect()
    } else {
        Vec::new()
    };
    let variants = inflected.into_iter().filter_map(|v| Reading::of(fst, &v).map(|r| (v, r))).collect();
    Starts { bare: Reading::of(fst, t.norm), variants, demonym, demonym_peeled }
}

/// What each distinct word can start. Text repeats its words, so each thread remembers
/// them for the gazetteer and lexicon it last used; the memory is bounded.
#[derive(Default)]
struct Memo {
    owner: Option<(Instance, Instance)>,
    /// Word → index into `starts`, or [`Memo::NOTHING`].
    index: rustc_hash::FxHashMap<CompactString, u32>,
    starts: Vec<Starts>,
    steps: Steps,
}

/// Where the name index goes from a state after a space with the next word: names
/// repeat, and so do the words after their first one. Index state → word's key form →
/// its reading from that state.
#[derive(Default)]
struct Steps {
    after: rustc_hash::FxHashMap<fst::raw::CompiledAddr, rustc_hash::FxHashMap<CompactString, Option<Reading>>>,
    len: usize,
}

impl Steps {
    /// The reading of word `form` (a token's key form) after state `addr`.
    fn step<D: AsRef<[u8]>>(
        &mut self,
        fst: &Fst<D>,
        addr: fst::raw::CompiledAddr,
        form: &str,
        piece: &mut String,
    ) -> Option<Reading> {
        let forms = self.after.entry(addr).or_default();
        if let Some(r) = forms.get(form) {
            return *r;
        }
        piece.clear();
        push_key_token(piece, form, 1);
        // the piece starts with the space the index already took
        let r = Reading::at(fst, addr, &piece.as_bytes()[1..]);
        forms.insert(form.into(), r);
        self.len += 1;
        r
    }
}

impl Memo {
    const NOTHING: u32 = u32::MAX;
    const MAX: usize = 1 << 17;

    /// Run `f` with this thread's memo, emptied first if it was for another gazetteer or
    /// lexicon, or has grown to its bound.
    fn with<R>(g: &Gazetteer, lex: &Lexicon, f: impl FnOnce(&mut Memo) -> R) -> R {
        thread_local! {
            static MEMO: RefCell<Memo> = RefCell::default();
        }
        let owner = Some((g.instance(), lex.instance()));
        MEMO.with_borrow_mut(|memo| {
            if memo.owner != owner || memo.index.len() >= Self::MAX || memo.steps.len >= Self::MAX {
                memo.owner = owner;
                memo.index.clear();
                memo.starts.clear();
                memo.steps = Steps::default();
            }
            f(memo)
        })
    }

    /// What token `t` can start, or `None` when nothing: most words; and the memo of
    /// steps, to walk on from there.
    fn starts<D: AsRef<[u8]>>(&mut self, fst: &Fst<D>, lex: &Lexicon, t: &Token) -> (Option<&Starts>, &mut Steps) {
        let i = match self.index.get(t.norm) {
            Some(&i) => i,
            None => {
                let s = starts(fst, lex, t);
                let some = s.bare.is_some() || !s.variants.is_empty() || s.demonym || !s.demonym_peeled.is_empty();
                let i = if some {
                    self.starts.push(s);
                    self.starts.len() as u32 - 1
                } else {
                    Self::NOTHING
                };
                self.index.insert(t.norm.into(), i);
                i
            }
        };
        ((i != Self::NOTHING).then(|| &self.starts[i as usize]), &mut self.steps)
    }
}

/// The longest name found so far: (end token, index value, key, inflected).
type Best = Option<(usize, u64, CompactString, bool)>;

/// Walk the name index from a reading of token `i` over the tokens after it, keeping the
/// longest name in `best` (a bare reading beats an inflected one of the same length).
/// Whether any name ended. `piece` is scratch space for the next token's key.
fn walk_from<D: AsRef<[u8]>>(
    (fst, steps): (&Fst<D>, &mut Steps),
    text: &str,
    tokens: &[Token],
    i: usize,
    (variant, r, inflected): (&str, Reading, bool),
    best: &mut Best,
    piece: &mut String,
) -> bool {
    let mut any = false;
    let mut found = |j: usize, value: u64, key: Option<&CompactString>, best: &mut Best| {
        // a name never ends on a lower-case word in a cased script ("Kabul said")
        if tokens[j - 1].case == Case::Lower && tokens[j - 1].script.is_cased() {
            return;
        }
        any = true;
        let better = match best {
            None => true,
            Some((end, _, _, infl)) => j > *end || (j == *end && *infl && !inflected),
        };
        if better {
            *best = Some((j, value, key.cloned().unwrap_or_else(|| variant.into()), inflected));
        }
    };
    // the names that go on into token `j` (its reading, the index value before it, the
    // key so far), from the index state after a space
    let mut stack: smallvec::SmallVec<[(usize, Reading, u64, CompactString); 4]> = smallvec::SmallVec::new();
    let mut extend =
        |j: usize, (addr, out): (fst::raw::CompiledAddr, u64), key: &str, stack: &mut smallvec::SmallVec<_>| {
            if j >= tokens.len() || j - i >= MAX_KEY_TOKENS || !joinable(text, &tokens[j - 1], &tokens[j]) {
                return;
            }
            let next = &tokens[j];
            let lemmas = if next.script == Script::Cyrillic { cyrillic_lemmas(next.norm) } else { Vec::new() };
            for form in std::iter::once(next.norm).chain(lemmas.iter().map(String::as_str)) {
                if let Some(r) = steps.step(fst, addr, form, piece) {
                    piece.clear();
                    push_key_token(piece, form, 1);
                    let mut k = CompactString::from(key);
                    k.push_str(piece);
                    stack.push((j + 1, r, out, k));
                }
            }
        };
    if let Some(v) = r.whole {
        found(i + 1, v, None, best);
    }
    if let Some(spaced) = r.spaced {
        extend(i + 1, spaced, variant, &mut stack);
    }
    while let Some((j, r, out, key)) = stack.pop() {
        if let Some(v) = r.whole {
            found(j, out + v, Some(&key), best);
        }
        if let Some((a, o)) = r.spaced {
            extend(j, (a, out + o), &key, &mut stack);
        }
    }
    any
}

/// Find the longest name starting at token `i`. The bare token comes first; peeled or
/// lemmatised readings are tried only when it starts no name. A peeling counts only when
/// the whole word is rarer than what peeling leaves: `كبيرة` ("big") is not `ك` + `بيرة`,
/// nor `باكراً` ("early") `ب` + `أكرا` (Accra).
fn longest_at(
    (g, lex, steps): (&Gazetteer, &Lexicon, &mut Steps),
    text: &str,
    tokens: &[Token],
    i: usize,
    lang: &str,
    st: &Starts,
) -> Option<Surface> {
    let fst = g.names_fst();
    let t = &tokens[i];
    let mut best: Best = None;
    // a word's key and the space before it: room for most without growing
    let mut piece = String::with_capacity(32);
    let mut walk = |variant: &str, r: Reading, inflected: bool, best: &mut Best| {
        walk_from((fst, &mut *steps), text, tokens, i, (variant, r, inflected), best, &mut piece)
    };
    if !st.bare.is_some_and(|b| walk(t.norm, b, false, &mut best)) {
        let mut whole = None;
        for (v, r) in &st.variants {
            // a peeling that leaves a word that is never a place is no reading
            // (`بالعقبة`: not `بال` + `عقبة` "obstacle", but `ب` + `العقبة`, Aqaba)
            if lex.rule(v, lang) == Some(Rule::Stop) {
                continue;
            }
            let mut found = None;
            if !walk(v, *r, true, &mut found) {
                continue;
            }
            if t.script == Script::Arabic {
                let w = *whole.get_or_insert_with(|| zipf(lang, t.norm));
                if w >= 2.5 && zipf(lang, v) <= w {
                    continue;
                }
            }
            // of two readings as long, one that names a place in a language of the news
            // ("турции" → `турция`, Russian for Turkey, not `турци`, Chuvash)
            let news = |value: u64| g.postings(value).any(|p| p.flags & NEWS_NAME != 0);
            let better = match (&best, &found) {
                (None, Some(_)) => true,
                (Some(b), Some(f)) => f.0 > b.0 || (f.0 == b.0 && !news(b.1) && news(f.1)),
                _ => false,
            };
            if better {
                best = found;
            }
        }
    }
    let (end, value, key, inflected) = best?;
    Some(Surface {
        first: i,
        last: end,
        postings: g.postings(value).collect(),
        postings_id: value,
        key,
        demonym: None,
        inflected,
        abbreviation: None,
    })
}

/// A demonym starting at token `i`, longest first.
fn demonym_at(lex: &Lexicon, tokens: &[Token], i: usize, lang: &str, st: &Starts) -> Option<Surface> {
    // demonyms take و ب ل too: والأفغانية
    if !st.demonym && st.demonym_peeled.is_empty() {
        return None;
    }
    let found = |first: usize, n: usize, key: &str, inflected: bool| {
        lex.demonym(key, lang).map(|cc| Surface {
            first,
            last: first + n,
            key: key.into(),
            postings: Vec::new(),
            postings_id: 0,
            demonym: Some(cc),
            inflected,
            abbreviation: None,
        })
    };
    let mut key = String::new();
    for n in (1..=lex.max_demonym_tokens.min(tokens.len() - i)).rev() {
        key.clear();
        for (k, t) in tokens[i..i + n].iter().enumerate() {
            push_key_token(&mut key, t.norm, k);
        }
        if let Some(s) = found(i, n, &key, false) {
            return Some(s);
        }
        if n == 1 {
            if let Some(s) = st.demonym_peeled.iter().find_map(|k| found(i, 1, k, true)) {
                return Some(s);
            }
        }
    }
    None
}

/// Every name in the tokens, leftmost-longest, with the lexicon's hard filters applied
/// (lower-case words in cased scripts, stop words, very short names).
pub fn recognize(g: &Gazetteer, lex: &Lexicon, text: &str, tokens: &[Token], lang: &str) -> Vec<Surface> {
    let fst = g.names_fst();
    Memo::with(g, lex, |memo| {
        // about one token in nine starts a name
        let mut out = Vec::with_capacity(tokens.len() / 8 + 4);
        let mut i = 0;
        while i < tokens.len() {
            let t = &tokens[i];
            if t.script == Script::Digits {
                i += 1;
                continue;
            }
            if t.script.is_cased() && t.case == Case::Lower {
                // a lower-case word starts no name, and no demonym unless one starts with it
                let demonym = lex
                    .starts_demonym(t.norm)
                    .then(|| demonym_at(lex, tokens, i, lang, &Starts { demonym: true, ..Starts::default() }))
                    .flatten();
                if let Some(d) = demonym {
                    i = d.last;
                    out.push(d);
                } else {
                    i += 1;
                }
                continue;
            }
            if let Some(a) = abbreviation_at(g, lex, text, tokens, i, lang) {
                i = a.last;
                out.push(a);
                continue;
            }
            let (Some(st), steps) = memo.starts(fst, lex, t) else {
                i += 1;
                continue;
            };
            // a name never starts right after a zero-width non-joiner: `کابل‌های` is one word
            if i > 0 && &text[tokens[i - 1].end..t.start] == "\u{200c}" {
                i += 1;
                continue;
            }
            let place = longest_at((g, lex, steps), text, tokens, i, lang, st).filter(|s| keep(lex, tokens, s, lang));
            let demonym = demonym_at(lex, tokens, i, lang, st);
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
    })
}

/// Names in a language gazette reads: canonical, curated, or tagged with a news language.
const NEWS_NAME: u8 = NameFlags::PRIMARY | NameFlags::CURATED | NameFlags::NEWS_LANG;

/// Postings ids of abbreviations: above every value the name index gives.
const ABBREVIATION_IDS: u64 = 1 << 63;

/// The longest division abbreviation written at token `i` ("W.Va.", "Ky.", "IL"), as a
/// surface whose candidates are the divisions it may stand for.
fn abbreviation_at(
    g: &Gazetteer,
    lex: &Lexicon,
    text: &str,
    tokens: &[Token],
    i: usize,
    lang: &str,
) -> Option<Surface> {
    let t = &tokens[i];
    if t.script != Script::Latin || t.case == Case::Lower {
        return None;
    }
    // "500 BC", "the 1930s B.C.": a year, not British Columbia
    if i > 0 && tokens[i - 1].script == Script::Digits && text[tokens[i - 1].end..t.start].trim().is_empty() {
        return None;
    }
    // "Sen. Ben Sasse, R-Neb.": a lawmaker's party and state, not a place in the story
    if i > 0 && matches!(&text[tokens[i - 1].start..t.start], "R-" | "D-" | "I-") {
        return None;
    }
    let mut found: Option<(usize, &str, AbbreviationUse, Vec<Posting>, usize)> = None;
    for (k, a) in lex.abbreviations_at(text, t.start, &text[t.start..t.end], lang) {
        let Some(place) = g.division(&a.admin1) else { continue };
        let posting = Posting { place, flags: NameFlags::PRIMARY | NameFlags::CURATED };
        match &mut found {
            Some(f) if f.1 == a.form => {
                f.3.push(posting);
                // a form that may stand for several divisions is a qualifier only
                if a.use_ == AbbreviationUse::Qualifier {
                    f.2 = AbbreviationUse::Qualifier;
                }
            }
            Some(f) if f.1.len() >= a.form.len() => {}
            _ => found = Some((a.form.len(), &a.form, a.use_, vec![posting], k)),
        }
    }
    let (len, form, use_, postings, k) = found?;
    let end = t.start + len;
    let last = i + tokens[i..].iter().take_while(|t| t.start < end).count();
    Some(Surface {
        first: i,
        last,
        key: crate::text::name_key(form).into(),
        postings_id: ABBREVIATION_IDS | k as u64,
        postings,
        demonym: None,
        inflected: false,
        abbreviation: Some(use_),
    })
}

/// Hard recognition filters that need no disambiguation.
fn keep(lex: &Lexicon, tokens: &[Token], s: &Surface, lang: &str) -> bool {
    let first = &tokens[s.first];
    // "U.S.", "U.K.": one-letter tokens are Title case alone, but together all capitals
    let capitals = |s: &Surface| {
        tokens[s.first..s.last].iter().all(|t| t.case == Case::Upper || (t.case == Case::Title && t.norm.len() == 1))
            && (s.last - s.first > 1 || first.case == Case::Upper)
    };
    let single = s.last - s.first == 1;
    // only "two letters or fewer" matters, and a key of more than 8 bytes has 3 or more
    let short = || s.key.len() <= 8 && s.key.chars().filter(|&c| is_letter(c)).count() <= 2;
    if single && short() {
        // two-letter names only as abbreviations written in capitals: US, UK
        let abbrev = s.postings.iter().any(|p| p.flags & NameFlags::ABBREV != 0);
        if !(abbrev && first.case == Case::Upper) {
            return false;
        }
    }
    if single && first.script == Script::Arabic && short() {
        return false;
    }
    // an all-capitals abbreviation must be written in capitals
    if s.postings.iter().all(|p| p.flags & NameFlags::ABBREV != 0) && first.script.is_cased() && !capitals(s) {
        return false;
    }
    // a name glued at a non-joining letter is never an everyday word: `دولي` ("international")
    // is not `دو لي`
    if s.postings.iter().all(|p| p.flags & NameFlags::JOINED != 0) && zipf(lang, &s.key) >= 2.5 {
        return false;
    }
    // `stop` also removes multi-word names that mean something else ("White House")
    if lex.rule(&s.key, lang) == Some(Rule::Stop) {
        return false;
    }
    true
}
