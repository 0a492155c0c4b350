//! The geoparser's word knowledge, loaded from `gazetteer/lexicon/*.tsv` (embedded).
//!
//! Demonyms, words that are gazetteer names but usually mean something else, person
//! titles, cue words ("province", "ولاية") and the small words that may sit between a
//! place and its qualifier ("in northern", "في شمال"). The files and their rules are
//! described in `gazetteer/lexicon/README.md`; this module only indexes them by key.

use rustc_hash::{FxHashMap as HashMap, FxHashSet};
use std::sync::OnceLock;

/// What a not-a-place entry says about a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rule {
    /// Never a place when it stands alone.
    Stop,
    /// In a cased script, not a place when written in lower case, nor at a sentence start.
    Lower,
    /// A place only with supporting evidence: a cue word, a qualifier or a place nearby.
    Cue,
    /// A place only with a cue word or a qualifier.
    Strict,
    /// A place only when the article's other places are in its country (`المملكة`).
    Context,
    /// A first name: not a place when followed by a capitalised word or after a title.
    Person,
}

/// The kind of place a cue word announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CueKind {
    Admin1,
    Admin2,
    City,
    Country,
    /// Not a word but a position: the qualifier after "Toronto, " names a division or a
    /// country ("Ontario" is the province, not Ontario, California).
    Division,
}

/// Where a cue word stands relative to the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CuePos {
    pub before: bool,
    pub after: bool,
}

/// What a direction word says of the place before it and the name after it
/// (`directions.tsv`'s `role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    /// An article or a linking word ("the", "of", "de"): it says nothing.
    None,
    /// The place lies in the next name ("in", "northern", "في", "на"): a qualifier.
    In,
    /// The place lies beside the next name ("west of", "غرب", "near", "30 km from"): the
    /// next name is a reference point, not a qualifier.
    Beside,
}

/// All lexicons, keyed by [`name_key`](crate::text::name_key).
#[derive(Debug, Default)]
pub struct Lexicon {
    /// demonym key → (lang, country code)
    pub(crate) demonyms: HashMap<String, Vec<(String, [u8; 2])>>,
    /// word key → (lang or `*`, rule)
    pub(crate) not_places: HashMap<String, Vec<(String, Rule)>>,
    /// title key → lang
    pub(crate) titles: HashMap<String, Vec<String>>,
    /// cue key → (lang, kind, position)
    pub(crate) cues: HashMap<String, Vec<(String, CueKind, CuePos)>>,
    /// direction or preposition key → (lang, relation)
    pub(crate) directions: HashMap<String, Vec<(String, Relation)>>,
    /// name key (or `*`) → (lang, side, neighbouring word key)
    pub(crate) contexts: HashMap<String, Vec<(String, Side, String)>>,
    /// Every title, cue and direction key: most words are none, and one lookup says so
    /// (see [`Lexicon::is_context_word`]).
    pub(crate) context_words: FxHashSet<String>,
    /// The first token of every demonym, to skip the other tokens fast (see
    /// [`Lexicon::starts_demonym`]).
    pub(crate) demonym_first: FxHashSet<String>,
    /// Sieves in front of the two sets above: running text is mostly other words.
    context_sieve: Sieve,
    demonym_sieve: Sieve,
    /// The most tokens any demonym has.
    pub(crate) max_demonym_tokens: usize,
    /// Name words (verbs of saying, name particles, connectors, unit heads): key →
    /// (lang, kind).
    pub(crate) name_words: HashMap<String, Vec<(String, NameWord)>>,
    /// The unit heads' keys, in every language, by their last letter: a word ends with
    /// one of them or is none, whatever proclitics it has.
    unit_heads: HashMap<char, Vec<String>>,
    /// Given names (lower case), from `gazetteer/given_names.txt`.
    pub(crate) given_names: FxHashSet<String>,
    /// Abbreviations of first-level divisions ("Ky.", "B.C.", "IL"), in file order.
    pub(crate) abbreviations: Vec<Abbreviation>,
    /// The first letters of each abbreviation's form, as a token reads them ("W" for
    /// "W.Va.", "Ky" for "Ky.") → indexes into `abbreviations`.
    abbreviation_starts: HashMap<String, Vec<usize>>,
    /// Keys per-thread memos of what this lexicon says.
    instance: crate::gazetteer::Instance,
}

/// What a word in `name_words.tsv` says about the names around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameWord {
    /// A verb of saying after a name: the name is a person.
    SaidAfter,
    /// A verb of saying (or "according to") before a name: the name is a person.
    SaidBefore,
    /// A small word inside a person's name ("von", "bin").
    Particle,
    /// A small word inside an organisation's or facility's name ("of", "and").
    Connector,
    /// A noun whose following words name one facility, street or quarter (`مطار`).
    UnitHead,
    /// A capitalised word after a name that makes it a street's ("Wichita Drive").
    Street,
    /// A month: next to a number it is a date ("March 31").
    Month,
}

/// Where an abbreviation may name its division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbreviationUse {
    /// Wherever it stands ("Calif.", "Ont.").
    Place,
    /// Only right after a place and a comma ("Paris, Ky.", "Springfield, IL"), or in a
    /// dateline: the form is also a common word or another abbreviation.
    Qualifier,
}

/// An abbreviation of a first-level division, as news writes it after a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Abbreviation {
    /// Exactly as written: case and dots count.
    pub form: String,
    pub lang: String,
    /// The division's `CC.code` admin1 key (`US.KY`, `CA.02`).
    pub admin1: String,
    pub use_: AbbreviationUse,
}

/// A one-hash bit map over a set of word keys: a Bloom filter whose hash reads only a
/// word's length and three of its bytes. Tokenised text asks about every word, and
/// nearly all are outside the set; the sieve says so for most of them without hashing
/// the whole word and probing a table. A word it lets through may still be outside the
/// set, so the set has the last word.
#[derive(Debug, Clone)]
struct Sieve(Box<[u64]>);

impl Default for Sieve {
    /// The sieve of no words: lets none through.
    fn default() -> Self {
        Sieve(vec![0; Sieve::WORDS].into_boxed_slice())
    }
}

impl Sieve {
    /// 2^16 bits (8 KiB, within the first-level cache): a few thousand words leave most
    /// bits clear.
    const BITS: u32 = 16;
    const WORDS: usize = 1 << (Sieve::BITS - 6);

    fn new<'a>(words: impl IntoIterator<Item = &'a String>) -> Sieve {
        let mut sieve = Sieve::default();
        for w in words {
            let slot = Sieve::slot(w.as_bytes());
            sieve.0[slot >> 6] |= 1 << (slot & 63);
        }
        sieve
    }

    /// The bit of a word: its length, first, middle and last bytes, mixed by a
    /// multiplicative (Fibonacci) hash.
    fn slot(w: &[u8]) -> usize {
        let (Some(&first), Some(&last)) = (w.first(), w.last()) else { return 0 };
        let key =
            (w.len() as u32 & 0xFF) | u32::from(first) << 8 | u32::from(w[w.len() / 2]) << 16 | u32::from(last) << 24;
        (key.wrapping_mul(0x9E37_79B9) >> (32 - Sieve::BITS)) as usize
    }

    fn may_contain(&self, word: &str) -> bool {
        let slot = Sieve::slot(word.as_bytes());
        self.0[slot >> 6] >> (slot & 63) & 1 != 0
    }
}

/// Which neighbour of a name a context word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Before,
    After,
}

/// The lexicon files as `build.rs` wrote them, their names in key form (see
/// `src/geoparse/lexicon_keys.rs`): start-up reads keys and works none out.
macro_rules! keyed {
    ($name:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/", $name))
    };
}
const DEMONYMS: &str = keyed!("lexicon/demonyms.tsv");
const NOT_PLACES: &str = keyed!("lexicon/not_places.tsv");
const TITLES: &str = keyed!("lexicon/titles.tsv");
const CUES: &str = keyed!("lexicon/cues.tsv");
const DIRECTIONS: &str = keyed!("lexicon/directions.tsv");
const CONTEXTS: &str = keyed!("lexicon/contexts.tsv");
const NAME_WORDS: &str = keyed!("lexicon/name_words.tsv");
const GIVEN_NAMES: &str = keyed!("given_names.txt");
/// Abbreviations are matched as written: nothing in them is keyed.
const ABBREVIATIONS: &str = include_str!("../../gazetteer/lexicon/abbreviations.tsv");

/// Word frequencies, indexed by `build.rs` from `gazetteer/common_words.tsv.gz`.
static WORDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/words.fst"));

/// A language's everyday words (Zipf 4.5 or more), key → Zipf×10, as `build.rs` lists them.
static EVERYDAY: [(&str, &str); 9] = [
    ("ar", include_str!(concat!(env!("OUT_DIR"), "/everyday-ar.tsv"))),
    ("de", include_str!(concat!(env!("OUT_DIR"), "/everyday-de.tsv"))),
    ("en", include_str!(concat!(env!("OUT_DIR"), "/everyday-en.tsv"))),
    ("es", include_str!(concat!(env!("OUT_DIR"), "/everyday-es.tsv"))),
    ("fa", include_str!(concat!(env!("OUT_DIR"), "/everyday-fa.tsv"))),
    ("fr", include_str!(concat!(env!("OUT_DIR"), "/everyday-fr.tsv"))),
    ("ru", include_str!(concat!(env!("OUT_DIR"), "/everyday-ru.tsv"))),
    ("tr", include_str!(concat!(env!("OUT_DIR"), "/everyday-tr.tsv"))),
    ("ur", include_str!(concat!(env!("OUT_DIR"), "/everyday-ur.tsv"))),
];

/// [`zipf`] for the everyday words alone: their Zipf frequency, and 0 for every word
/// under 4.5. A hash lookup where `zipf` walks an FST: chunking asks it of every
/// capitalised word. Each language's table is read from the binary at its first use.
pub(crate) fn everyday_zipf(lang: &str, key: &str) -> f64 {
    static TABLES: [OnceLock<HashMap<&'static str, u8>>; 9] = [const { OnceLock::new() }; 9];
    let lang = if lang == "ps" { "fa" } else { lang };
    let Some(i) = EVERYDAY.iter().position(|(l, _)| *l == lang) else { return 0.0 };
    let table = TABLES[i].get_or_init(|| {
        EVERYDAY[i].1.lines().filter_map(|l| l.split_once('\t')).map(|(k, z)| (k, z.parse().unwrap_or(0))).collect()
    });
    table.get(key).map_or(0.0, |&z| f64::from(z) / 10.0)
}

/// How common a word is in a language, as a Zipf frequency (0 when unknown or rare): 5
/// is once per 100,000 words. `key` is a [`name_key`](crate::text::name_key). Pashto
/// reads the Persian list. Only words that are also gazetteer names are known in Latin
/// and Cyrillic script.
pub(crate) fn zipf(lang: &str, key: &str) -> f64 {
    static MAP: OnceLock<fst::Map<&'static [u8]>> = OnceLock::new();
    let lang = if lang == "ps" { "fa" } else { lang };
    // `lang \x01 key`, on the stack for all but very long keys
    let mut k: smallvec::SmallVec<[u8; 64]> = smallvec::SmallVec::new();
    k.extend_from_slice(lang.as_bytes());
    k.push(1);
    k.extend_from_slice(key.as_bytes());
    // the same words come back again and again: each thread remembers them (bounded)
    thread_local! {
        static MEMO: std::cell::RefCell<rustc_hash::FxHashMap<smallvec::SmallVec<[u8; 64]>, f64>> =
            std::cell::RefCell::default();
    }
    MEMO.with_borrow_mut(|memo| {
        if let Some(&z) = memo.get(&k) {
            return z;
        }
        let map = MAP.get_or_init(|| fst::Map::new(WORDS).expect("words.fst is built by build.rs"));
        let z = map.get(&k).map_or(0.0, |z| z as f64 / 10.0);
        if memo.len() >= 1 << 16 {
            memo.clear();
        }
        memo.insert(k, z);
        z
    })
}

/// Rows of a lexicon file: header and `#` comments skipped, fields trimmed.
fn rows(text: &str) -> impl Iterator<Item = smallvec::SmallVec<[&str; 6]>> + '_ {
    // start-up reads some 15,000 rows of a few short fields: each row is cut into its
    // fields in one pass over its bytes, into a vector on the stack (`lines` and `split`
    // look for each line end and each tab with a search of its own, which costs more
    // than these fields are long)
    let bytes = text.as_bytes();
    let (mut at, mut header) = (0, true);
    std::iter::from_fn(move || {
        while at < text.len() {
            let (start, mut field) = (at, at);
            let mut fields = smallvec::SmallVec::new();
            let end = bytes[at..].iter().position(|&b| b == b'\n').map_or(text.len(), |n| at + n);
            for (i, &b) in bytes[start..end].iter().enumerate() {
                if b == b'\t' {
                    fields.push(text[field..start + i].trim());
                    field = start + i + 1;
                }
            }
            fields.push(text[field..end].trim());
            at = end + 1;
            let line = &text[start..end];
            if !std::mem::take(&mut header) && !line.trim().is_empty() && !line.starts_with('#') {
                return Some(fields);
            }
        }
        None
    })
}

/// Whether a lexicon entry in language `entry` applies to an article in `article`.
/// Arabic-script languages share words often enough that ar/fa/ps/ur apply to each other.
/// An entry `ar!` applies to Arabic alone: `مشهد` is "scene" in Arabic, Mashhad in Persian.
pub(crate) fn lang_applies(entry: &str, article: &str) -> bool {
    const ARABIC_SCRIPT: &[&str] = &["ar", "fa", "ps", "ur"];
    if let Some(only) = entry.strip_suffix('!') {
        return only == article;
    }
    entry == "*" || entry == article || (ARABIC_SCRIPT.contains(&entry) && ARABIC_SCRIPT.contains(&article))
}

impl Lexicon {
    /// This lexicon's [`crate::gazetteer::Instance`].
    pub(crate) fn instance(&self) -> crate::gazetteer::Instance {
        self.instance
    }

    /// The embedded lexicons.
    pub fn embedded() -> &'static Lexicon {
        static L: OnceLock<Lexicon> = OnceLock::new();
        L.get_or_init(|| {
            let mut l = Lexicon::parse(DEMONYMS, NOT_PLACES, TITLES, CUES, DIRECTIONS);
            l.add_contexts(CONTEXTS);
            l.add_abbreviations(ABBREVIATIONS);
            l.add_name_words(NAME_WORDS, GIVEN_NAMES);
            l
        })
    }

    /// Add the rows of a `name_words.tsv`, and a list of given names (one per line),
    /// both keyed.
    pub(crate) fn add_name_words(&mut self, text: &str, given_names: &str) {
        for r in rows(text) {
            if let [word, lang, kind, ..] = r[..] {
                let kind = match kind {
                    "said_after" => NameWord::SaidAfter,
                    "said_before" => NameWord::SaidBefore,
                    "particle" => NameWord::Particle,
                    "connector" => NameWord::Connector,
                    "unit_head" => NameWord::UnitHead,
                    "street" => NameWord::Street,
                    "month" => NameWord::Month,
                    _ => continue,
                };
                let key = word.to_string();
                if let (NameWord::UnitHead, Some(last)) = (kind, key.chars().next_back()) {
                    let heads = self.unit_heads.entry(last).or_default();
                    if !heads.contains(&key) {
                        heads.push(key.clone());
                    }
                }
                self.name_words.entry(key).or_default().push((lang.to_string(), kind));
            }
        }
        self.given_names.reserve(memchr::memchr_iter(b'\n', given_names.as_bytes()).count());
        self.given_names.extend(given_names.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string));
    }

    /// Whether a word key is a name word of `kind` in an article's language.
    pub(crate) fn is_name_word(&self, key: &str, kind: NameWord, lang: &str) -> bool {
        self.name_words.get(key).is_some_and(|ws| ws.iter().any(|(l, k)| *k == kind && lang_applies(l, lang)))
    }

    /// Whether a word key may be a unit head once its proclitics are peeled: it ends with
    /// one (a test of a few bytes, before the peeling and the lookups).
    pub(crate) fn may_be_unit_head(&self, key: &str) -> bool {
        let heads = key.chars().next_back().and_then(|c| self.unit_heads.get(&c));
        // compared byte by byte in line: a few bytes each, where `ends_with` calls memcmp
        let ends_with = |tail: &[u8]| {
            let key = key.as_bytes();
            key.len() >= tail.len() && key[key.len() - tail.len()..].iter().zip(tail).all(|(a, b)| a == b)
        };
        heads.is_some_and(|hs| hs.iter().any(|h| ends_with(h.as_bytes())))
    }

    /// Whether a word key is a given name ("wade", "chrystia").
    pub(crate) fn is_given_name(&self, key: &str) -> bool {
        self.given_names.contains(key)
    }

    /// Add the rows of an `abbreviations.tsv`.
    pub(crate) fn add_abbreviations(&mut self, text: &str) {
        for r in rows(text) {
            if let [form, lang, cc, admin1, use_, ..] = r[..] {
                let use_ = match use_ {
                    "place" => AbbreviationUse::Place,
                    "qualifier" => AbbreviationUse::Qualifier,
                    _ => continue,
                };
                let start: String = form.chars().take_while(|c| c.is_alphanumeric()).collect();
                if start.is_empty() {
                    continue;
                }
                self.abbreviation_starts.entry(start).or_default().push(self.abbreviations.len());
                let admin1 = format!("{cc}.{admin1}");
                self.abbreviations.push(Abbreviation { form: form.to_string(), lang: lang.to_string(), admin1, use_ });
            }
        }
    }

    /// The abbreviations written at byte `at` of `text`, whose first token reads `word`
    /// there, with their index in the table: each form must match exactly and end where a
    /// word ends.
    pub(crate) fn abbreviations_at<'a>(
        &'a self,
        text: &'a str,
        at: usize,
        word: &str,
        lang: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Abbreviation)> + 'a {
        self.abbreviation_starts.get(word).into_iter().flatten().map(|&i| (i, &self.abbreviations[i])).filter(
            move |(_, a)| {
                let rest = &text[at..];
                lang_applies(&a.lang, lang)
                    && rest.starts_with(a.form.as_str())
                    && !rest[a.form.len()..].starts_with(char::is_alphanumeric)
            },
        )
    }

    /// Add the rows of a keyed `contexts.tsv`.
    pub(crate) fn add_contexts(&mut self, text: &str) {
        for r in rows(text) {
            if let [name, lang, side, word, ..] = r[..] {
                let side = match side {
                    "before" => Side::Before,
                    "after" => Side::After,
                    _ => continue,
                };
                self.contexts.entry(name.to_string()).or_default().push((lang.to_string(), side, word.to_string()));
            }
        }
    }

    /// Whether a neighbouring word shows that the name `key` means something else here
    /// ("The Washington Post", `صلاة المغرب`). `before` tells whether the word before is a
    /// given key (it may try the word's proclitic-peeled forms); `after` is the next
    /// word's key.
    pub(crate) fn context_says_not_a_place(
        &self,
        key: &str,
        before: impl Fn(&str) -> bool,
        after: Option<&str>,
        lang: &str,
    ) -> bool {
        // the neighbour first: it rules out nearly every entry, and cheaper than the language
        [key, "*"].iter().filter_map(|k| self.contexts.get(*k)).flatten().any(|(l, side, w)| {
            let neighbour = match side {
                Side::Before => before(w),
                Side::After => after == Some(w.as_str()),
            };
            neighbour && lang_applies(l, lang)
        })
    }

    /// Parse the five lexicon files, keyed (see `src/geoparse/lexicon_keys.rs`).
    pub(crate) fn parse(demonyms: &str, not_places: &str, titles: &str, cues: &str, directions: &str) -> Lexicon {
        let mut lex = Lexicon::default();
        // the maps at their size up front: thousands of rows, rehashed as they grow otherwise
        let lines = |text: &str| memchr::memchr_iter(b'\n', text.as_bytes()).count();
        lex.demonyms.reserve(lines(demonyms));
        lex.demonym_first.reserve(lines(demonyms));
        lex.not_places.reserve(lines(not_places));
        for r in rows(demonyms) {
            if let [form, lang, cc, ..] = r[..] {
                let k = form.to_string();
                let cc = cc.as_bytes();
                if k.is_empty() || cc.len() != 2 {
                    continue;
                }
                lex.max_demonym_tokens = lex.max_demonym_tokens.max(k.split(' ').count());
                let first = k.split(' ').next().unwrap_or_default().to_string();
                lex.demonym_first.insert(first);
                lex.demonyms
                    .entry(k)
                    .or_default()
                    .push((lang.to_string(), [cc[0].to_ascii_uppercase(), cc[1].to_ascii_uppercase()]));
            }
        }
        for r in rows(not_places) {
            if let [word, lang, rule, ..] = r[..] {
                let rule = match rule {
                    "stop" => Rule::Stop,
                    "lower" => Rule::Lower,
                    "cue" => Rule::Cue,
                    "strict" => Rule::Strict,
                    "context" => Rule::Context,
                    "person" => Rule::Person,
                    _ => continue,
                };
                lex.not_places.entry(word.to_string()).or_default().push((lang.to_string(), rule));
            }
        }
        for r in rows(titles) {
            if let [word, lang, ..] = r[..] {
                lex.titles.entry(word.to_string()).or_default().push(lang.to_string());
            }
        }
        for r in rows(cues) {
            if let [word, lang, kind, ..] = r[..] {
                let kind = match kind {
                    "admin1" => CueKind::Admin1,
                    "admin2" => CueKind::Admin2,
                    "city" => CueKind::City,
                    "country" => CueKind::Country,
                    _ => continue,
                };
                let pos = match r.get(3).copied().unwrap_or("both") {
                    "before" => CuePos { before: true, after: false },
                    "after" => CuePos { before: false, after: true },
                    _ => CuePos { before: true, after: true },
                };
                lex.cues.entry(word.to_string()).or_default().push((lang.to_string(), kind, pos));
            }
        }
        for r in rows(directions) {
            if let [word, lang, ..] = r[..] {
                let relation = match r.get(2).copied() {
                    Some("in") => Relation::In,
                    Some("side" | "from") => Relation::Beside,
                    _ => Relation::None,
                };
                lex.directions.entry(word.to_string()).or_default().push((lang.to_string(), relation));
            }
        }
        lex.context_words = lex.titles.keys().chain(lex.cues.keys()).chain(lex.directions.keys()).cloned().collect();
        lex.context_sieve = Sieve::new(lex.context_words.iter());
        lex.demonym_sieve = Sieve::new(lex.demonym_first.iter());
        lex
    }

    /// Whether a word key is a title, cue or direction key in some language.
    pub(crate) fn is_context_word(&self, key: &str) -> bool {
        self.context_sieve.may_contain(key) && self.context_words.contains(key)
    }

    /// Whether a word key is the first token of some demonym.
    pub(crate) fn starts_demonym(&self, key: &str) -> bool {
        self.demonym_sieve.may_contain(key) && self.demonym_first.contains(key)
    }

    /// The not-a-place rule for a key in an article's language, if any.
    pub(crate) fn rule(&self, key: &str, lang: &str) -> Option<Rule> {
        self.not_places.get(key)?.iter().filter(|(l, _)| lang_applies(l, lang)).map(|(_, r)| *r).next()
    }

    /// Countries a demonym key points to in an article's language (any language if none
    /// matches the article's: "Afghan" in a French text is still Afghan).
    pub(crate) fn demonym(&self, key: &str, lang: &str) -> Option<[u8; 2]> {
        let entries = self.demonyms.get(key)?;
        entries.iter().find(|(l, _)| lang_applies(l, lang)).or_else(|| entries.first()).map(|(_, cc)| *cc)
    }

    pub(crate) fn is_title(&self, key: &str, lang: &str) -> bool {
        self.titles.get(key).is_some_and(|ls| ls.iter().any(|l| lang_applies(l, lang)))
    }

    pub(crate) fn cue(&self, key: &str, lang: &str) -> Option<(CueKind, CuePos)> {
        self.cues.get(key)?.iter().find(|(l, _, _)| lang_applies(l, lang)).map(|(_, k, p)| (*k, *p))
    }

    pub(crate) fn is_direction(&self, key: &str, lang: &str) -> bool {
        self.directions.get(key).is_some_and(|ls| ls.iter().any(|(l, _)| lang_applies(l, lang)))
    }

    /// What a direction word says of the place before it (see [`Relation`]); `None` for
    /// a word that is no direction word.
    pub(crate) fn relation(&self, key: &str, lang: &str) -> Option<Relation> {
        self.directions.get(key)?.iter().find(|(l, _)| lang_applies(l, lang)).map(|(_, r)| *r)
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexicon_keys::{key_fields, KEYED};
    use super::*;
    use crate::text::name_key;

    #[test]
    fn embedded_lexicons_parse_and_cover_the_known_traps() {
        let l = Lexicon::embedded();
        assert!(l.demonyms.len() > 200, "demonyms: {}", l.demonyms.len());
        // the one-lookup filter in front of titles, cues and directions lets every one
        // through, and so does its sieve; the same for the first words of demonyms
        for k in l.titles.keys().chain(l.cues.keys()).chain(l.directions.keys()) {
            assert!(l.is_context_word(k), "{k}");
        }
        assert!(l.is_context_word(&name_key("province")) && !l.is_context_word("kabul"));
        for k in l.demonyms.keys() {
            assert!(l.starts_demonym(k.split(' ').next().unwrap_or_default()), "{k}");
        }
        assert!(l.starts_demonym("afghan") && !l.starts_demonym("the"));
        // the sieve turns most other words away before the set is asked: here, nearly
        // every word of an English article
        let words = ["the", "said", "and", "of", "in", "to", "officials", "on", "a", "city", "was", "were", "by"];
        let through = |sieve: &Sieve| words.iter().filter(|w| sieve.may_contain(w)).count();
        assert!(through(&l.demonym_sieve) <= 2, "{}", through(&l.demonym_sieve));
        assert!(!Sieve::default().may_contain("the"));
        assert_eq!(l.demonym(&name_key("Afghan"), "en"), Some(*b"AF"));
        assert_eq!(l.demonym(&name_key("الأفغانية"), "ar"), Some(*b"AF"));
        assert_eq!(l.demonym(&name_key("الروسي"), "ar"), Some(*b"RU"));
        assert!(l.rule(&name_key("المدينة"), "ar").is_some());
        assert!(l.rule(&name_key("صور"), "ar").is_some());
        assert!(l.rule(&name_key("nice"), "en").is_some());
        assert!(l.rule(&name_key("reading"), "en").is_some());
        assert!(l.is_title(&name_key("President"), "en"));
        assert!(l.is_title(&name_key("الرئيس"), "ar"));
        assert_eq!(l.cue(&name_key("ولاية"), "ar").map(|c| c.0), Some(CueKind::Admin1));
        assert_eq!(l.cue(&name_key("province"), "en").map(|c| c.0), Some(CueKind::Admin1));
        assert!(l.is_direction(&name_key("شمال"), "ar"));
        let word = |s: &str| {
            let k = name_key(s);
            move |w: &str| w == k
        };
        let none = |_: &str| false;
        assert!(l.context_says_not_a_place(&name_key("المغرب"), word("صلاة"), None, "ar"));
        assert!(l.context_says_not_a_place(&name_key("الرباط"), none, Some(&name_key("الصليبي")), "ar"));
        assert!(l.context_says_not_a_place(&name_key("کابل"), none, Some("برق"), "fa"));
        assert!(l.context_says_not_a_place(&name_key("Washington"), none, Some("post"), "en"));
        assert!(!l.context_says_not_a_place(&name_key("Washington"), word("in"), Some("said"), "en"));
    }

    #[test]
    fn word_frequencies_tell_words_from_names() {
        assert!(zipf("en", "farmers") > 4.0);
        assert!(zipf("ar", &name_key("كبيرة")) > zipf("ar", &name_key("بيرة")));
        assert!(zipf("ar", &name_key("باكراً")) > zipf("ar", &name_key("أكرا")));
        assert!(zipf("ar", &name_key("وسوريا")) < zipf("ar", &name_key("سوريا")));
        assert_eq!(zipf("en", "panjwayi"), 0.0);
        assert_eq!(zipf("xx", "farmers"), 0.0);
        // the everyday table agrees with the FST from 4.5 up, and says 0 below
        for (lang, word) in [
            ("en", "farmers"),
            ("en", "police"),
            ("en", "the"),
            ("fr", "police"),
            ("ar", "كبيرة"),
            ("en", "panjwayi"),
            ("en", "kabul"),
        ] {
            let (z, e) = (zipf(lang, &name_key(word)), everyday_zipf(lang, &name_key(word)));
            assert_eq!(e, if z >= 4.5 { z } else { 0.0 }, "{lang} {word}");
        }
        assert!(everyday_zipf("en", "police") >= 4.5);
        assert_eq!(everyday_zipf("ps", "از"), zipf("fa", "از"));
    }

    /// A lexicon file keyed as `build.rs` keys it.
    fn keyed(name: &str, text: &str) -> String {
        let (_, header, fields) = KEYED.iter().find(|(n, _, _)| *n == name).expect(name);
        key_fields(text, *header, fields, name_key)
    }

    #[test]
    fn the_embedded_keys_are_the_keys_of_the_files() {
        // the files as they are in the repository, keyed now: what build.rs wrote must be
        // the same, or a lexicon file changed without a rebuild of its keys
        let raw = |name: &str| std::fs::read_to_string(format!("{}/gazetteer/{name}", env!("CARGO_MANIFEST_DIR")));
        for (name, text) in [
            ("lexicon/demonyms.tsv", DEMONYMS),
            ("lexicon/not_places.tsv", NOT_PLACES),
            ("lexicon/titles.tsv", TITLES),
            ("lexicon/cues.tsv", CUES),
            ("lexicon/directions.tsv", DIRECTIONS),
            ("lexicon/contexts.tsv", CONTEXTS),
            ("lexicon/name_words.tsv", NAME_WORDS),
            ("given_names.txt", GIVEN_NAMES),
        ] {
            assert_eq!(keyed(name, &raw(name).unwrap()), text, "{name}");
        }
        assert_eq!(KEYED.len(), 8, "every keyed file is checked above");
        // names keyed, other fields as written, the literal `*` and `&` kept
        let contexts = keyed(
            "lexicon/contexts.tsv",
            "name\tlang\tside\tword\n# note\n\n*\tar\tbefore\tصلاة\nThe  Post\ten\tafter\tWashington\n",
        );
        assert_eq!(contexts, "name\tlang\tside\tword\n*\tar\tbefore\tصلاه\nthe post\ten\tafter\twashington\n");
        assert_eq!(
            keyed("lexicon/name_words.tsv", "word\tlang\tkind\n&\ten\tconnector\nSaid\ten\tsaid_after\n"),
            "word\tlang\tkind\n&\ten\tconnector\nsaid\ten\tsaid_after\n"
        );
        assert_eq!(keyed("given_names.txt", "Chrystia\n\n Wade \n"), "chrystia\nwade\n");
    }

    #[test]
    fn rows_are_lines_cut_at_tabs() {
        // the reader as `lines` and `split` would make it
        let reference = |text: &str| -> Vec<Vec<String>> {
            text.lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|l| l.split('\t').map(|f| f.trim().to_string()).collect())
                .collect()
        };
        let read = |text: &str| -> Vec<Vec<String>> {
            rows(text).map(|r| r.iter().map(|f| f.to_string()).collect()).collect()
        };
        for text in [
            "",
            "header only",
            "header\n",
            "\nno header\tline\n",
            "h\ta\tb\n# comment\n\n  \nx\t y \tz\r\nlast\tline without end",
            "h\nمزار الشريف\tar\t\t\n\t\n\t\tthird\n",
            DEMONYMS,
            NOT_PLACES,
            CONTEXTS,
            ABBREVIATIONS,
            NAME_WORDS,
        ] {
            assert_eq!(read(text), reference(text), "{text:?}");
        }
    }

    #[test]
    fn rules_follow_language() {
        let l = Lexicon::parse(
            &keyed("lexicon/demonyms.tsv", "form\tlang\tcc\nAfghan\ten\tAF\n"),
            &keyed(
                "lexicon/not_places.tsv",
                "word\tlang\trule\tnote\nnice\ten\tlower\tadjective\nصور\tar\tcue\tpictures\n",
            ),
            "word\tlang\n",
            "word\tlang\tkind\tposition\n",
            "word\tlang\n",
        );
        assert_eq!(l.rule("nice", "en"), Some(Rule::Lower));
        assert_eq!(l.rule("nice", "fr"), None);
        assert_eq!(l.rule(&name_key("صور"), "fa"), Some(Rule::Cue));
        assert_eq!(l.demonym("afghan", "fr"), Some(*b"AF"));
    }
}
