//! The geoparse cache, `SITE_DIR/.gazette-cache/geoparse.bin`: an article that did not
//! change since the last build is not geoparsed again.
//!
//! Geoparsing is most of a build's time, and its result depends only on the article's
//! language and plain text, the gazetteer, the lexicons and the geoparser's code. So an
//! entry is keyed by the 128-bit XXH3 hash of `lang` and `plain`, and the whole file is
//! stamped with gazette's version, the gazetteer's data version (`GAZETTE_DATA_HASH`, set
//! by `build.rs`) and a hash of the running executable, which covers the lexicons and the
//! code that are compiled into it. A file with another stamp is ignored and replaced, so
//! a new gazette never reuses an old one's results. With `--gazetteer PATH` there is no
//! cache (place indices differ between gazetteers).
//!
//! The file is not trusted: an entry is used only if each of its mentions could be the
//! geoparser's for this article ([`geoparse::plausible`]: its span holds its text, its
//! text names its place, its place exists); else the article is geoparsed again.
//!
//! An entry holds the geoparser's raw [`Mention`]s; [`crate::event::build`] turns them
//! into the event as it would fresh ones, so a build with the cache writes the same bytes
//! as one without. Each build rewrites the file with the entries it used, so entries of
//! deleted or changed articles go away.
//!
//! Format (little-endian): `GZGEO1\n`, the stamp (u32 length + UTF-8), the entry count
//! (u64), then per entry the key (u128), the mention count (u32) and per mention `start`
//! and `end` (u64, bytes into `plain`), `text` (u32 length + UTF-8), the place index
//! (u32), the kind (u8: 0 place, 1 demonym) and the confidence (f64 bits).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::article::Article;
use crate::event::Event;
use crate::gazetteer::Gazetteer;
use crate::geoparse::{self, Kind, Lexicon, Mention};

const MAGIC: &[u8] = b"GZGEO1\n";
/// Where under the site folder the cache lives.
pub const FILE: &str = ".gazette-cache/geoparse.bin";

type Key = u128;

/// The cache of one build: what the last build left, and what this one used.
pub struct Cache {
    path: PathBuf,
    stamp: String,
    /// The last build's file, checked whole when opened.
    file: Vec<u8>,
    /// Where each of its entries' mentions are in `file`: they are decoded when an
    /// article asks for them, so that a big site's cache is held as its compact bytes
    /// (95 MB for 100,000 articles), not as mentions (about 420 MB).
    old: HashMap<Key, Range<usize>>,
    /// The entries this build used, encoded as they are made (a copy of every article's
    /// mentions would be most of the geoparsing stage's memory).
    used: Mutex<Vec<(Key, Vec<u8>)>>,
    /// Whether to keep `used` (a build, which saves it) or not (`export`).
    record: bool,
    hits: AtomicUsize,
    misses: AtomicUsize,
    /// Entries that did not check out (see [`geoparse::plausible`]).
    rejected: AtomicUsize,
}

/// This binary's stamp: version, gazetteer data and a hash of the executable.
fn stamp() -> &'static str {
    static STAMP: OnceLock<String> = OnceLock::new();
    STAMP.get_or_init(|| {
        let exe = std::env::current_exe()
            .and_then(std::fs::read)
            .map(|b| format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&b)))
            .unwrap_or_else(|_| "unknown".into());
        format!("gazette {} data {} exe {exe}", env!("CARGO_PKG_VERSION"), crate::gazetteer::DATA_VERSION)
    })
}

/// The key of an article: what the geoparser reads of it.
fn key(a: &Article) -> Key {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(a.lang.as_bytes());
    h.update(&[0]);
    h.update(a.plain.as_bytes());
    h.digest128()
}

impl Cache {
    /// The cache of the site in `site_dir`, or `None` with a gazetteer other than the
    /// embedded one. A missing, unreadable or outdated file gives an empty cache.
    pub fn open(site_dir: &Path, g: &Gazetteer) -> Option<Cache> {
        if !std::ptr::eq(g, Gazetteer::embedded()) {
            return None;
        }
        let path = site_dir.join(FILE);
        let stamp = stamp().to_string();
        let file = std::fs::read(&path).unwrap_or_default();
        let (file, old) = match index(&file, &stamp) {
            Some(old) => (file, old),
            None => (Vec::new(), HashMap::new()),
        };
        Some(Cache {
            path,
            stamp,
            file,
            old,
            used: Mutex::new(Vec::new()),
            record: true,
            hits: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            rejected: AtomicUsize::new(0),
        })
    }

    /// The cache of a site, to read and not to save: `export` takes what the last build
    /// left, and keeps no copy of what it geoparses.
    pub fn open_read_only(site_dir: &Path, g: &Gazetteer) -> Option<Cache> {
        Cache::open(site_dir, g).map(|c| Cache { record: false, ..c })
    }

    /// The event of an article: its mentions from the cache when the article is there,
    /// else geoparsed now.
    /// It stores every mention, and keeps what `opts` asks for.
    pub fn event(&self, g: &Gazetteer, lex: &Lexicon, a: Article, opts: geoparse::Options) -> Event {
        let k = key(&a);
        let cached = self.old.get(&k).and_then(|r| {
            let bytes = &self.file[r.clone()];
            let ms = entry(&mut Reader(bytes))?;
            // an entry is only trusted if every mention could be the geoparser's: one that
            // was damaged or forged is geoparsed again, and the fresh result saved
            let ok = ms.iter().all(|m| geoparse::plausible(g, lex, &a, m));
            if !ok {
                self.rejected.fetch_add(1, Ordering::Relaxed);
            }
            ok.then_some((ms, bytes))
        });
        let (mut mentions, old) = match cached {
            Some((ms, bytes)) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                (ms, Some(bytes))
            }
            None => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                (geoparse::geoparse(g, lex, &a, geoparse::Options::all()), None)
            }
        };
        if self.record {
            // the entry as it was read, or this geoparse's encoded
            let bytes = old.map_or_else(
                || {
                    let mut bytes = Vec::new();
                    encode_entry(&mentions, &mut bytes);
                    bytes
                },
                <[u8]>::to_vec,
            );
            self.used.lock().unwrap_or_else(PoisonError::into_inner).push((k, bytes));
        }
        geoparse::keep(&mut mentions, &opts);
        crate::event::build(g, a, mentions)
    }

    /// (articles taken from the cache, articles geoparsed).
    pub fn counts(&self) -> (usize, usize) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    /// Entries found for this build's articles that did not check out, and were thrown away.
    pub fn rejected(&self) -> usize {
        self.rejected.load(Ordering::Relaxed)
    }

    /// Write the entries this build used, atomically (a unique temporary file, renamed).
    pub fn save(self) -> std::io::Result<()> {
        let mut used = self.used.into_inner().unwrap_or_else(PoisonError::into_inner);
        // the same bytes for the same articles, whatever order the threads finished in
        used.sort_by_key(|e| e.0);
        used.dedup_by_key(|e| e.0);
        let mut bytes = head(&self.stamp, used.len(), used.iter().map(|e| 16 + e.1.len()).sum());
        for (k, entry) in &used {
            bytes.extend_from_slice(&k.to_le_bytes());
            bytes.extend_from_slice(entry);
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let tmp = dir.join(format!(".geoparse.bin.{}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &self.path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

/// The file's head: magic, stamp and entry count, with room for `body` more bytes.
fn head(stamp: &str, entries: usize, body: usize) -> Vec<u8> {
    let mut b = Vec::with_capacity(MAGIC.len() + 12 + stamp.len() + body);
    b.extend_from_slice(MAGIC);
    b.extend_from_slice(&(stamp.len() as u32).to_le_bytes());
    b.extend_from_slice(stamp.as_bytes());
    b.extend_from_slice(&(entries as u64).to_le_bytes());
    b
}

/// One entry's mentions, as the file holds them (after its key).
fn encode_entry(ms: &[Mention], b: &mut Vec<u8>) {
    b.extend_from_slice(&(ms.len() as u32).to_le_bytes());
    for m in ms {
        b.extend_from_slice(&(m.start as u64).to_le_bytes());
        b.extend_from_slice(&(m.end as u64).to_le_bytes());
        b.extend_from_slice(&(m.text.len() as u32).to_le_bytes());
        b.extend_from_slice(m.text.as_bytes());
        b.extend_from_slice(&m.place.to_le_bytes());
        // the kind, and whether the name was found inflected (the site links
        // `وقندهار` without its conjunction): the rest of the features are not kept
        let kind = match m.kind {
            Kind::Place => 0,
            Kind::Demonym => 1,
        };
        b.push(kind | if m.features.inflected > 0.0 { 2 } else { 0 });
        b.extend_from_slice(&m.confidence.to_bits().to_le_bytes());
    }
}

#[cfg(test)]
fn encode(stamp: &str, entries: &[(Key, Vec<Mention>)]) -> Vec<u8> {
    let mut b = head(stamp, entries.len(), entries.len() * 512);
    for (k, ms) in entries {
        b.extend_from_slice(&k.to_le_bytes());
        encode_entry(ms, &mut b);
    }
    b
}

/// A cursor over the file's bytes.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn arr<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.arr()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.arr()?))
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

/// One entry's mentions, read from `r`; `None` when they are damaged.
fn entry(r: &mut Reader) -> Option<Vec<Mention>> {
    let count = r.u32()? as usize;
    let mut ms = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let start = r.u64()? as usize;
        let end = r.u64()? as usize;
        let text = r.str()?.into();
        let place = r.u32()?;
        let flags = r.arr::<1>()?[0];
        let kind = match flags & !2 {
            0 => Kind::Place,
            1 => Kind::Demonym,
            _ => return None,
        };
        let confidence = f64::from_bits(r.u64()?);
        let features = geoparse::confidence::Features { inflected: f64::from((flags >> 1) & 1), ..Default::default() };
        ms.push(Mention { start, end, text, place, kind, confidence, features, candidates: Vec::new() });
    }
    Some(ms)
}

/// Where each entry of a cache file with this stamp lies in it, every entry checked;
/// `None` when it has another stamp or is damaged.
fn index(b: &[u8], stamp: &str) -> Option<HashMap<Key, Range<usize>>> {
    let mut r = Reader(b);
    if r.take(MAGIC.len())? != MAGIC || r.str()? != stamp {
        return None;
    }
    let n = r.u64()? as usize;
    let mut out = HashMap::with_capacity(n.min(b.len() / 20));
    for _ in 0..n {
        let k = u128::from_le_bytes(r.arr()?);
        let start = b.len() - r.0.len();
        entry(&mut r)?;
        out.insert(k, start..b.len() - r.0.len());
    }
    r.0.is_empty().then_some(out)
}

/// The entries of a cache file with this stamp (see [`index`]).
#[cfg(test)]
fn decode(b: &[u8], stamp: &str) -> Option<HashMap<Key, Vec<Mention>>> {
    let index = index(b, stamp)?;
    index.into_iter().map(|(k, range)| Some((k, entry(&mut Reader(&b[range]))?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention(text: &str, kind: Kind) -> Mention {
        Mention {
            start: 3,
            end: 3 + text.len(),
            text: text.into(),
            place: 42,
            kind,
            confidence: 0.1 + 0.2,
            features: Default::default(),
            candidates: vec![],
        }
    }

    #[test]
    fn entries_round_trip_exactly() {
        let entries = vec![
            (7u128 << 100 | 5, vec![mention("Kabul", Kind::Place), mention("الأفغانية", Kind::Demonym)]),
            // a name found under a clitic keeps that fact (the site links it without it)
            (
                8,
                vec![Mention {
                    features: geoparse::confidence::Features { inflected: 1.0, ..Default::default() },
                    ..mention("وقندهار", Kind::Place)
                }],
            ),
            (9, vec![]),
        ];
        let b = encode("s1", &entries);
        let back = decode(&b, "s1").unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(back[&8], entries[1].1);
        assert_eq!(back[&(7u128 << 100 | 5)], entries[0].1);
        assert!(back[&9].is_empty());
        assert_eq!(back[&(7u128 << 100 | 5)][0].confidence.to_bits(), (0.1f64 + 0.2).to_bits());
        // an entry's range is exactly its encoding: a build copies those bytes for an
        // article it took from the cache, without decoding and encoding them again
        for (k, range) in index(&b, "s1").unwrap() {
            let (_, ms) = entries.iter().find(|e| e.0 == k).unwrap();
            let mut one = Vec::new();
            encode_entry(ms, &mut one);
            assert_eq!(&b[range], &one[..]);
        }
    }

    #[test]
    fn another_stamp_or_damage_means_no_cache() {
        let b = encode("s1", &[(1, vec![mention("Kabul", Kind::Place)])]);
        assert!(decode(&b, "s2").is_none(), "another gazette's cache was read");
        assert!(decode(&b[..b.len() - 1], "s1").is_none(), "a cut file was read");
        let mut longer = b.clone();
        longer.push(0);
        assert!(decode(&longer, "s1").is_none());
        assert!(decode(b"", "s1").is_none());
    }
}
