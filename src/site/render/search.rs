//! The search index: `search/`, for the search page's script (gazette.js), on any static
//! host, in shards loaded only when a query needs them.
//!
//! Every word of an event's title, summary, tags, source and places (the names as the
//! gazetteer writes them and as the article did: `کابل`, `كابول`, `Kabul`) is a *head*
//! word of it, and every word of its body a *body* word, in the key form the geoparser
//! reads words in (`text::tokenize`: lower case, Latin accents and Arabic tashkeel gone,
//! Arabic-script letter variants unified, `Kābul` = `kabul`, `کابل` = `كابل`), with the
//! forms Arabic proclitics hide (`وكابل` → `كابل`), and the consonant skeletons of
//! Arabic-script words (`~كبل` for `كابول` and `كابل`: [`skeleton`]). A word's postings are the events it is
//! in, as gaps between ascending event numbers (site order, as `data/events.json`).
//!
//! | file | holds |
//! | --- | --- |
//! | `search/meta.json` | `version`, `events`, `shards`, `chunk`, `common` (words in more than half the events of a big site, not indexed: a query skips them), `fold` (the character folding, for the query: one table, so both sides agree) |
//! | `search/idx/XX.json` | `{word: [head gaps, body gaps]}` for the words whose first two characters hash (FNV-1a, UTF-8, mod `shards`) to `XX` (hex): a query, or a prefix of two characters or more, reads one shard per word |
//! | `search/docs/N.json` | events `N × chunk` to `(N + 1) × chunk − 1`: `slug`, `title`, `date`, `lang`, `place`, `summary`, for the results list |
//!
//! Snippets come from the event pages themselves, fetched for the results shown, so the
//! index holds no copy of the text.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use super::Emit;
use crate::error::Result;
use crate::geoparse::Kind;
use crate::site::view::SiteView;
use crate::text::{arabic_peelings, tokenize};

/// Shards of the word index.
const SHARDS: u32 = 256;
/// Events per file of `search/docs/`.
const CHUNK: usize = 1000;
/// Body words indexed per article at most: far past any news article, a bound on a
/// hostile one.
const BODY_WORDS: usize = 20_000;
/// Events processed together before their words join the index (bounds the memory of
/// words not yet merged).
const BATCH: usize = 2048;

/// The shard of a word: FNV-1a (32 bits) of its first two characters' UTF-8, mod
/// [`SHARDS`]. gazette.js computes the same.
pub(crate) fn shard(word: &str) -> u32 {
    let end = word.char_indices().nth(2).map_or(word.len(), |(i, _)| i);
    let mut h: u32 = 0x811c_9dc5;
    for &b in &word.as_bytes()[..end] {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % SHARDS
}

/// The consonant skeleton of an Arabic-script word, marked `~`: its first letter, then
/// its letters but the long vowels ا و ي, which spellings of one name add or leave out
/// (`كابول`, `كابل` → `~كبل`). `None` for other words, and when nothing is left out.
/// gazette.js computes the same for a query.
pub(crate) fn skeleton(key: &str) -> Option<String> {
    let mut chars = key.chars();
    let first = chars.next()?;
    if !key.chars().all(|c| ('\u{600}'..='\u{6FF}').contains(&c)) {
        return None;
    }
    let mut out = String::from("~");
    out.push(first);
    out.extend(chars.filter(|c| !matches!(c, 'ا' | 'و' | 'ي')));
    (out.chars().count() >= 3 && out.len() - '~'.len_utf8() < key.len()).then_some(out)
}

/// Words of `text` in key form, with the forms under Arabic proclitics and the
/// skeletons of Arabic words, into `out`. What a word adds depends on its key form
/// alone, so a form the text has had already adds nothing: each is worked on, and
/// copied, once.
fn words(text: &str, keys: &mut String, limit: usize, out: &mut Vec<String>) {
    let tokens = tokenize(text, keys);
    // the forms this text has already given, borrowed: most words come again
    let mut here: FxHashSet<&str> = FxHashSet::default();
    for t in tokens.iter().take(limit) {
        if t.norm.chars().count() < 2 && !t.norm.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if !here.insert(t.norm) {
            continue;
        }
        let from = out.len();
        out.push(t.norm.to_string());
        if t.norm.starts_with(['و', 'ف', 'ب', 'ل', 'ك', 'ا']) {
            out.extend(arabic_peelings(t.norm).into_iter().filter(|p| p != t.norm));
        }
        for i in from..out.len() {
            if let Some(s) = skeleton(&out[i]) {
                out.push(s);
            }
        }
    }
}

/// The text of a Markdown body, without its markup and link targets.
fn plain(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut out = String::with_capacity(markdown.len());
    for e in Parser::new(markdown) {
        match e {
            Event::Text(t) | Event::Code(t) => {
                out.push_str(&t);
                out.push(' ');
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out
}

/// One event's head and body words, each sorted and unique, body without head words.
fn event_words(v: &SiteView, i: usize) -> (Vec<String>, Vec<String>) {
    let e = v.events[i];
    let a = &e.article;
    let mut keys = String::new();
    let mut head = Vec::new();
    words(&a.title, &mut keys, usize::MAX, &mut head);
    if let Some(s) = &a.summary {
        words(s, &mut keys, usize::MAX, &mut head);
    }
    for t in &a.tags {
        words(t, &mut keys, usize::MAX, &mut head);
    }
    if let Some(s) = &a.source {
        words(s, &mut keys, usize::MAX, &mut head);
    }
    for &p in &v.event_places[i] {
        words(v.places[p].name, &mut keys, usize::MAX, &mut head);
    }
    for m in e.mentions.iter().filter(|m| m.kind == Kind::Place && v.place_of.contains_key(&m.idx)) {
        words(&m.text, &mut keys, usize::MAX, &mut head);
    }
    // unique by hashing, not sorting: the order of one event's words does not matter
    // (each word's postings are in event order), and sorting hundreds of strings per
    // event was a good part of the index's time
    let head: FxHashSet<String> = head.into_iter().collect();
    let mut body = Vec::new();
    words(&plain(&a.body_markdown), &mut keys, BODY_WORDS, &mut body);
    let body: FxHashSet<String> = body.into_iter().filter(|w| !head.contains(w)).collect();
    (head.into_iter().collect(), body.into_iter().collect())
}

#[derive(Default)]
struct Postings {
    head: Vec<u32>,
    body: Vec<u32>,
}

/// Ascending numbers as the gaps between them (the first from 0).
fn gaps(ids: &[u32]) -> Vec<u32> {
    let mut prev = 0;
    ids.iter()
        .map(|&id| {
            let g = id - prev;
            prev = id;
            g
        })
        .collect()
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    events: usize,
    shards: u32,
    chunk: usize,
    common: Vec<&'a str>,
    fold: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Docs<'a> {
    slug: Vec<&'a str>,
    title: Vec<&'a str>,
    date: Vec<Option<&'a str>>,
    lang: Vec<&'a str>,
    place: Vec<Option<&'a str>>,
    summary: Vec<Option<&'a str>>,
}

/// The characters the key form changes, and what it makes of them: the query side's
/// folding, taken from the index side's own. Letters of the scripts news is written in.
fn fold_table() -> BTreeMap<String, String> {
    let ranges = [0xC0..=0x24F, 0x370..=0x3FF, 0x400..=0x4FF, 0x600..=0x6FF, 0x200C..=0x200D];
    let mut out = BTreeMap::new();
    let mut keys = String::new();
    for c in ranges.into_iter().flatten().filter_map(char::from_u32) {
        if !crate::text::is_letter(c) && !matches!(c as u32, 0x200C | 0x200D | 0x640) {
            continue;
        }
        let s = c.to_string();
        let folded: String = tokenize(&s, &mut keys).iter().map(|t| t.norm).collect();
        if folded != c.to_lowercase().collect::<String>() {
            out.insert(s, folded);
        }
    }
    out
}

/// Write `search/`: the meta file, the word shards and the result lists.
pub(super) fn write(v: &SiteView, emit: &dyn Emit) -> Result<()> {
    let n = v.events.len();
    let mut index: FxHashMap<String, Postings> = FxHashMap::default();
    for start in (0..n).step_by(BATCH) {
        let batch: Vec<(Vec<String>, Vec<String>)> =
            (start..(start + BATCH).min(n)).into_par_iter().map(|i| event_words(v, i)).collect();
        for (k, (head, body)) in batch.into_iter().enumerate() {
            let id = (start + k) as u32;
            for w in head {
                match index.get_mut(&w) {
                    Some(p) => p.head.push(id),
                    None => {
                        index.insert(w, Postings { head: vec![id], body: Vec::new() });
                    }
                }
            }
            for w in body {
                match index.get_mut(&w) {
                    Some(p) => p.body.push(id),
                    None => {
                        index.insert(w, Postings { head: Vec::new(), body: vec![id] });
                    }
                }
            }
        }
    }
    // words in most events of a big site find nothing a reader wants: leave them out
    let mut common: Vec<String> = if n >= 100 {
        index.iter().filter(|(_, p)| (p.head.len() + p.body.len()) * 2 > n).map(|(w, _)| w.clone()).collect()
    } else {
        Vec::new()
    };
    common.sort();
    for w in &common {
        index.remove(w);
    }

    let mut shards: Vec<Vec<(String, Postings)>> = (0..SHARDS).map(|_| Vec::new()).collect();
    for (w, p) in index {
        shards[shard(&w) as usize].push((w, p));
    }
    shards.into_par_iter().enumerate().try_for_each(|(s, mut words)| {
        words.sort_by(|a, b| a.0.cmp(&b.0));
        let map: serde_json::Map<String, serde_json::Value> =
            words.into_iter().map(|(w, p)| (w, serde_json::json!([gaps(&p.head), gaps(&p.body)]))).collect();
        let json = serde_json::to_string(&map).expect("plain data serialises");
        emit.bytes(Path::new(&format!("search/idx/{s:02x}.json")), json.as_bytes())
    })?;

    (0..n.div_ceil(CHUNK)).into_par_iter().try_for_each(|c| {
        let items = &v.items[c * CHUNK..((c + 1) * CHUNK).min(n)];
        let docs = Docs {
            slug: items.iter().map(|i| i.slug).collect(),
            title: items.iter().map(|i| i.title).collect(),
            date: items.iter().map(|i| i.date).collect(),
            lang: items.iter().map(|i| i.lang).collect(),
            place: items.iter().map(|i| i.place.as_deref()).collect(),
            summary: items.iter().map(|i| i.summary).collect(),
        };
        let json = serde_json::to_string(&docs).expect("plain data serialises");
        emit.bytes(Path::new(&format!("search/docs/{c}.json")), json.as_bytes())
    })?;

    let meta = Meta {
        version: 1,
        events: n,
        shards: SHARDS,
        chunk: CHUNK,
        common: common.iter().map(String::as_str).collect(),
        fold: fold_table(),
    };
    emit.bytes(Path::new("search/meta.json"), serde_json::to_string(&meta).expect("serialises").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_hash_the_first_two_characters() {
        // FNV-1a of "ka": gazette.js computes the same (tests/browser checks a search)
        assert_eq!(shard("kabul"), shard("kandahar"));
        assert_eq!(shard("ka"), shard("kabul"));
        assert_eq!(shard("كابل"), shard("كابول"));
        assert!(shard("kabul") < SHARDS);
        let mut h: u32 = 0x811c_9dc5;
        for b in *b"ka" {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        assert_eq!(shard("ka"), h % SHARDS);
    }

    #[test]
    fn words_are_key_forms_with_arabic_proclitics_peeled() {
        let mut keys = String::new();
        let mut out = Vec::new();
        words("Kābul, وكابل and KANDAHAR's a", &mut keys, usize::MAX, &mut out);
        assert!(out.contains(&"kabul".to_string()) && out.contains(&"kandahar".to_string()), "{out:?}");
        assert!(out.contains(&"وكابل".to_string()) && out.contains(&"كابل".to_string()), "{out:?}");
        assert!(!out.contains(&"a".to_string()), "one-letter words are not indexed");
        assert_eq!(gaps(&[2, 5, 6, 10]), vec![2, 3, 1, 4]);
    }

    #[test]
    fn spellings_of_one_arabic_name_share_a_skeleton() {
        assert_eq!(skeleton("كابول"), skeleton("كابل"));
        assert_eq!(skeleton("كابل").as_deref(), Some("~كبل"));
        assert_eq!(skeleton("قندهار").as_deref(), Some("~قندهر"));
        assert_eq!(skeleton("kabul"), None);
        assert_eq!(skeleton("كبل"), None, "nothing left out");
        let mut keys = String::new();
        let mut out = Vec::new();
        words("وكابول", &mut keys, usize::MAX, &mut out);
        assert!(out.contains(&"~كبل".to_string()), "{out:?}");
    }

    #[test]
    fn markdown_is_read_as_text() {
        let t = plain("# Kabul\n\nFighting near [Herat](https://example.org/herat) and `Kandahar`.");
        assert!(t.contains("Kabul") && t.contains("Herat") && t.contains("Kandahar"), "{t}");
        assert!(!t.contains("example.org"), "{t}");
    }

    #[test]
    fn the_query_folding_is_the_index_folding() {
        let fold = fold_table();
        for (c, want) in [("ā", "a"), ("É", "e"), ("ک", "ك"), ("ی", "ي"), ("أ", "ا"), ("ё", "е"), ("ß", "ss")]
        {
            assert_eq!(fold.get(c).map(String::as_str), Some(want), "{c}");
        }
        // tatweel and tashkeel (fatha) vanish
        assert_eq!(fold.get("\u{640}").map(String::as_str), Some(""));
        assert_eq!(fold.get("\u{64E}").map(String::as_str), Some(""));
    }
}
