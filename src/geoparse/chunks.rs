//! Proper-name chunks: which words of an article belong together as one name, and which
//! of those names are people. Part of the context step of geoparsing.
//!
//! In a cased script a *chunk* is a run of capitalised words that are not everyday words,
//! joined by spaces, hyphens, initials ("Harry S. Truman"), name particles ("von der
//! Leyen") or connectors ("Food and Drug"): "Hamid Karzai", "Tora Bora", "Shir Khan
//! Bandar", "Wade McKinney". In Arabic and Persian, where case shows nothing, the words
//! after a facility noun (`مطار`, `معبر`, `شارع`, `فرودگاه`) up to a break are one chunk.
//!
//! A gazetteer name strictly inside a longer chunk is a dot only when it is a well-known
//! place on its own ([`accept`](super::accept) decides, once it knows the winner): the
//! "Hamid" of "Hamid Karzai International Airport" is not Isparta's old name.
//!
//! A chunk is a person's name when a title comes before it ("Commissioner Wade
//! McKinney"), it has a middle initial, an age follows it ("Washington, 46,"), a verb of
//! saying stands beside it ("Baine said", "said Logan"), or it starts with a given name
//! and has a surname ("Chrystia Freeland"). Its last word is then a person's name for the
//! whole article: a later "Freeland" alone is the minister, not the town.

use rustc_hash::FxHashMap as HashMap;

use super::lexicon::{everyday_zipf, Lexicon, NameWord};
use super::recognize::Surface;
use crate::text::{arabic_peeled, Case, Script, Token};

/// How sure the context is that a chunk is a person's name, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Person {
    /// It starts with a given name and goes on with a surname ("Hillary Clinton").
    GivenName,
    /// A verb of saying stands beside it ("Baine said", "according to Logan").
    Said,
    /// A title before it, a middle initial, or an age after it.
    Title,
}

/// One chunk: tokens `first..last`, and whether it is a person's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Chunk {
    pub(super) first: usize,
    pub(super) last: usize,
    pub(super) person: Option<Person>,
}

/// An article's chunks, and the surnames its people have.
#[derive(Debug, Default)]
pub(super) struct Chunks<'t> {
    chunks: Vec<Chunk>,
    /// The chunk each token is in: an index into `chunks`, or `NONE`.
    chunk_of: Vec<u32>,
    /// A person's last name (its key) → the strongest evidence seen for it.
    surnames: HashMap<&'t str, Person>,
}

const NONE: u32 = u32::MAX;

/// Everyday words: a capitalised one ("Council", "Police", "International") is no part of
/// a proper name's own words.
const EVERYDAY: f64 = 4.5;

impl<'t> Chunks<'t> {
    /// The chunk a surface lies in, if any.
    pub(super) fn of(&self, s: &Surface) -> Option<&Chunk> {
        let c = *self.chunk_of.get(s.first)?;
        (c != NONE).then(|| &self.chunks[c as usize]).filter(|c| c.last >= s.last)
    }

    /// How sure the article is that a word (a key) is a person's name elsewhere.
    pub(super) fn surname(&self, key: &str) -> Option<Person> {
        self.surnames.get(key).copied()
    }
}

/// What the recogniser found at a token, as far as chunks care: bits.
mod mark {
    /// The first token of a place name.
    pub const START: u8 = 1;
    /// The last token of a place name.
    pub const END: u8 = 2;
    /// A token of a demonym.
    pub const DEMONYM: u8 = 4;
}

/// The chunks of an article's tokens.
pub(super) fn chunks<'t>(
    lex: &Lexicon,
    lang: &str,
    text: &str,
    tokens: &'t [Token<'t>],
    surfaces: &[Surface],
) -> Chunks<'t> {
    let mut out = Chunks { chunks: Vec::new(), chunk_of: vec![NONE; tokens.len()], surnames: HashMap::default() };
    let mut marks = vec![0u8; tokens.len()];
    for s in surfaces {
        if s.demonym.is_some() {
            marks[s.first..s.last].fill(mark::DEMONYM);
        } else {
            marks[s.last - 1] |= mark::END;
            marks[s.first] |= mark::START;
        }
    }
    // whether each token may be part of a name, asked once (a capitalised word costs two
    // lookups)
    let names: Vec<bool> =
        tokens.iter().zip(&marks).map(|(t, m)| m & mark::DEMONYM == 0 && name_word(lex, lang, t)).collect();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let next = if t.script.is_cased() {
            cased_chunk(lex, lang, text, tokens, (&marks, &names), i)
        } else if t.script == Script::Arabic {
            unit_chunk(lex, lang, text, tokens, i)
        } else {
            None
        };
        let Some((first, last)) = next else {
            i += 1;
            continue;
        };
        let person = if t.script.is_cased() { person(lex, lang, text, tokens, surfaces, (first, last)) } else { None };
        if let Some(p) = person {
            let e = out.surnames.entry(tokens[last - 1].norm).or_insert(p);
            *e = (*e).max(p);
        }
        for c in &mut out.chunk_of[first..last] {
            *c = out.chunks.len() as u32;
        }
        out.chunks.push(Chunk { first, last, person });
        i = last.max(i + 1);
    }
    out
}

/// Whether a token is a capitalised word that may be part of a proper name.
fn name_word(lex: &Lexicon, lang: &str, t: &Token) -> bool {
    t.script.is_cased()
        && matches!(t.case, Case::Title | Case::Upper)
        && !lex.is_title(t.norm, lang)
        && (everyday_zipf(lang, t.norm) < EVERYDAY || given_name(lex, lang, t.norm))
}

/// Whether a word is a given name, and not first of all an everyday word: the census
/// lists hold "Will", "May" and even "In", which a capital at a sentence start makes
/// look like a name.
fn given_name(lex: &Lexicon, lang: &str, key: &str) -> bool {
    lex.is_given_name(key) && everyday_zipf(lang, key) < 5.0
}

/// A one-letter capital followed by a dot: an initial ("S." of "Harry S. Truman").
fn initial(text: &str, t: &Token) -> bool {
    t.end - t.start == 1 && t.case == Case::Title && text[t.end..].starts_with('.')
}

/// The chunk of capitalised name words that starts at token `i`, if one does. A demonym
/// is no part of one ("the Danish Roskilde festival"), and a connector between two
/// names the gazetteer knows is a list ("Belize and Guatemala"), not one name.
fn cased_chunk(
    lex: &Lexicon,
    lang: &str,
    text: &str,
    tokens: &[Token],
    (marks, names): (&[u8], &[bool]),
    i: usize,
) -> Option<(usize, usize)> {
    let name_word = |k: usize| names[k];
    if !name_word(i) {
        return None;
    }
    let mut last = i + 1;
    while last < tokens.len() {
        let prev = &tokens[last - 1];
        let gap = &text[prev.end..tokens[last].start];
        let joined = gap == " " || gap == "-" || (gap == ". " && initial(text, prev));
        if !joined {
            break;
        }
        let t = &tokens[last];
        // an initial goes on a name ("Harry S. Truman") when a name word follows it
        let initial_then_name = initial(text, t)
            && tokens.get(last + 1).is_some_and(|n| text[t.end..n.start] == *". " && name_word(last + 1));
        if name_word(last) || initial_then_name {
            last += 1;
            continue;
        }
        // a lower-case particle or connector between two name words
        let particle = lex.is_name_word(t.norm, NameWord::Particle, lang);
        let connector = lex.is_name_word(t.norm, NameWord::Connector, lang);
        let list =
            connector && marks[last - 1] & mark::END != 0 && marks.get(last + 1).is_some_and(|m| m & mark::START != 0);
        let then = last + 1 < tokens.len() && text[t.end..tokens[last + 1].start] == *" " && name_word(last + 1);
        if t.case == Case::Lower && (particle || connector) && !list && then {
            last += 2;
            continue;
        }
        break;
    }
    Some((i, last))
}

/// In Arabic or Persian: the words after a facility noun (`مطار حامد كرزاي الدولي`) up to
/// punctuation or a small word, at most four.
fn unit_chunk(lex: &Lexicon, lang: &str, text: &str, tokens: &[Token], i: usize) -> Option<(usize, usize)> {
    let head = tokens[i].norm;
    if !lex.may_be_unit_head(head) {
        return None;
    }
    let is_head = |w: &str| lex.is_name_word(w, NameWord::UnitHead, lang);
    // with the article the noun is generic ("الطريق الساحلي", the coastal road)
    let bare = |w: &str| is_head(w) && !w.starts_with("ال");
    if !(bare(head) || arabic_peeled(head).any(|p| bare(&p))) {
        return None;
    }
    let first = i + 1;
    let mut last = first;
    while last < tokens.len() && last - first < 4 {
        let t = &tokens[last];
        let gap = &text[tokens[last - 1].end..t.start];
        if t.script != Script::Arabic || !gap.chars().all(|c| c == ' ' || c == '\u{200c}') {
            break;
        }
        // a preposition, an everyday word or a verb of saying ends the name
        let everyday = last > first && everyday_zipf(lang, t.norm) >= EVERYDAY;
        if lex.is_direction(t.norm, lang) || everyday || lex.is_name_word(t.norm, NameWord::SaidBefore, lang) {
            break;
        }
        last += 1;
    }
    (last > first).then_some((first, last))
}

/// Whether, and how surely, the chunk `first..last` is a person's name.
fn person(
    lex: &Lexicon,
    lang: &str,
    text: &str,
    tokens: &[Token],
    surfaces: &[Surface],
    (first, last): (usize, usize),
) -> Option<Person> {
    let run = &tokens[first..last];
    // an organisation's name ("Food and Drug Administration", "CTV Winnipeg") is no person's
    let acronym = |t: &Token| t.case == Case::Upper && t.end - t.start <= 5;
    if run.iter().any(|t| (t.case == Case::Lower && lex.is_name_word(t.norm, NameWord::Connector, lang)) || acronym(t))
    {
        return None;
    }
    let spaced = |a: &Token, b: &Token| matches!(&text[a.end..b.start], " " | ". ");
    let title_before = first > 0 && lex.is_title(tokens[first - 1].norm, lang) && spaced(&tokens[first - 1], &run[0]);
    let middle_initial =
        run.len() >= 2 && run[..run.len() - 1].iter().any(|t| initial(text, t)) && !initial(text, &run[run.len() - 1]);
    // "Washington, 46, said": a one- or two-digit number between commas
    let age = text[run[run.len() - 1].end..].strip_prefix(", ").is_some_and(|r| {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        (1..=2).contains(&digits) && r[digits..].starts_with(',')
    });
    if title_before || middle_initial || age {
        return Some(Person::Title);
    }
    // "police in Springfield said": a name after a preposition of place is that place
    if first > 0 && lex.is_direction(tokens[first - 1].norm, lang) {
        return None;
    }
    // the gazetteer's own multi-word names are places ("Santa Clara said" is no person)
    // (surfaces are in text order)
    let at = surfaces.partition_point(|s| s.first < first);
    let whole_name = last - first > 1 && surfaces[at..].iter().take_while(|s| s.first == first).any(|s| s.last == last);
    if whole_name {
        return None;
    }
    let said_after = tokens.get(last).is_some_and(|n| {
        matches!(&text[run[run.len() - 1].end..n.start], " " | ", ")
            && (lex.is_name_word(n.norm, NameWord::SaidAfter, lang)
                || tokens.get(last + 1).is_some_and(|m| {
                    let two = compact_str::format_compact!("{} {}", n.norm, m.norm);
                    lex.is_name_word(&two, NameWord::SaidAfter, lang)
                }))
    });
    let said_before = first > 0 && {
        let p = &tokens[first - 1];
        let before = |k: usize| lex.is_name_word(tokens[k].norm, NameWord::SaidBefore, lang);
        (before(first - 1) && matches!(&text[p.end..run[0].start], " " | ", "))
            // "according to Logan"
            || (first > 1 && p.norm == "to" && before(first - 2))
    };
    if said_after || said_before {
        return Some(Person::Said);
    }
    let surname = run[1..].iter().any(|t| !initial(text, t) && t.case != Case::Lower);
    (run.len() >= 2 && given_name(lex, lang, run[0].norm) && surname).then_some(Person::GivenName)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    /// The chunks of an English text, as (words, person evidence).
    fn of(text: &str) -> Vec<(String, Option<Person>)> {
        let lex = Lexicon::embedded();
        let mut keys = String::new();
        let tokens = tokenize(text, &mut keys);
        let c = chunks(lex, "en", text, &tokens, &[]);
        c.chunks.iter().map(|c| (text[tokens[c.first].start..tokens[c.last - 1].end].to_string(), c.person)).collect()
    }

    #[test]
    fn chunks_and_people() {
        // (text, a chunk, its person evidence)
        let cases = [
            ("said Commissioner Wade McKinney today", "Wade McKinney", Some(Person::Title)),
            ("President Harry S. Truman started it", "Harry S. Truman", Some(Person::Title)),
            ("as Baine said on Monday", "Baine", Some(Person::Said)),
            ("then Hillary Clinton left", "Hillary Clinton", Some(Person::GivenName)),
            ("at Hamid Karzai International Airport", "Hamid Karzai", None),
            ("we stayed at the Pala Mesa Resort", "Pala Mesa Resort", None),
            ("police in Springfield said", "Springfield", None),
            ("told CTV Winnipeg on Monday", "CTV Winnipeg", None),
        ];
        for (text, words, person) in cases {
            let got = of(text);
            assert!(got.contains(&(words.to_string(), person)), "{text:?}: {got:?}");
        }
    }
}
