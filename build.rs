//! Builds the gazetteer index at compile time, so that start-up parses nothing.
//!
//! Reads `gazetteer/places.tsv.gz` (or the file named by `GAZETTE_PLACES`), runs the same
//! index builder that `--gazetteer PATH` uses at run time, and writes the blobs to
//! `OUT_DIR`, where `src/gazetteer/mod.rs` embeds them with `include_bytes!`.

use std::io::Read;
use std::path::PathBuf;

#[allow(dead_code, unused_imports)]
#[path = "src/text/mod.rs"]
mod text;

#[allow(dead_code)]
#[path = "src/gazetteer/index.rs"]
mod index;

#[path = "src/geoparse/lexicon_keys.rs"]
mod lexicon_keys;

fn main() {
    println!("cargo:rerun-if-env-changed=GAZETTE_PLACES");
    let src = std::env::var("GAZETTE_PLACES").unwrap_or_else(|_| "gazetteer/places.tsv.gz".into());
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-changed=src/text");
    println!("cargo:rerun-if-changed=src/gazetteer/index.rs");
    let file = std::fs::File::open(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut tsv = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut tsv).unwrap_or_else(|e| panic!("{src}: {e}"));
    let blobs = index::build(&tsv).unwrap_or_else(|e| panic!("{src}: {e}"));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for (name, bytes) in [
        ("lines.bin", &blobs.lines),
        ("offsets.bin", &blobs.offsets),
        ("meta.bin", &blobs.meta),
        ("admin1.bin", &blobs.admin1),
        ("names.fst", &blobs.fst),
        ("postings.bin", &blobs.postings),
        ("divisions.bin", &blobs.divisions),
    ] {
        std::fs::write(out.join(name), bytes).unwrap();
    }
    // The gazetteer's version: a hash of its source, used to key caches.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in tsv.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    println!("cargo:rustc-env=GAZETTE_DATA_HASH={h:016x}");

    // the lexicons with their names in key form (see src/geoparse/lexicon_keys.rs)
    println!("cargo:rerun-if-changed=src/geoparse/lexicon_keys.rs");
    std::fs::create_dir_all(out.join("lexicon")).unwrap();
    for (name, header, fields) in lexicon_keys::KEYED {
        let src = format!("gazetteer/{name}");
        println!("cargo:rerun-if-changed={src}");
        let text = std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        std::fs::write(out.join(name), lexicon_keys::key_fields(&text, header, fields, text::name_key)).unwrap();
    }

    let (fst, everyday) = common_words("gazetteer/common_words.tsv.gz");
    std::fs::write(out.join("words.fst"), fst).unwrap();
    for lang in EVERYDAY_LANGS {
        let words: String =
            everyday.iter().filter(|(l, _, _)| l == lang).map(|(_, k, z)| format!("{k}\t{z}\n")).collect();
        std::fs::write(out.join(format!("everyday-{lang}.tsv")), words).unwrap();
    }
}

/// The languages of `common_words.tsv.gz`, each with a list of its everyday words
/// (`src/geoparse/lexicon.rs` embeds one per language).
const EVERYDAY_LANGS: [&str; 9] = ["ar", "de", "en", "es", "fa", "fr", "ru", "tr", "ur"];

/// Zipf×10 from which a word is everyday: such a word, capitalised, is no part of a name.
const EVERYDAY_ZIPF: u64 = 45;

/// Index `common_words.tsv.gz` (lang, word, zipf×10) as an FST map from
/// `lang \x01 name_key(word)` to the highest Zipf×10 among the words with that key; and
/// the (lang, key, zipf×10) of the everyday ones, those at [`EVERYDAY_ZIPF`] or above.
fn common_words(src: &str) -> (Vec<u8>, Vec<(String, String, u64)>) {
    println!("cargo:rerun-if-changed={src}");
    let file = std::fs::File::open(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut tsv = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut tsv).unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut map = std::collections::BTreeMap::<String, u64>::new();
    for (n, line) in tsv.lines().enumerate().skip(1) {
        let mut f = line.split('\t');
        let (Some(lang), Some(word), Some(zipf)) = (f.next(), f.next(), f.next()) else {
            panic!("{src}:{}: expected lang, word, zipf", n + 1)
        };
        let zipf: u64 = zipf.parse().unwrap_or_else(|e| panic!("{src}:{}: {e}", n + 1));
        let key = text::name_key(word);
        if key.is_empty() {
            continue;
        }
        let e = map.entry(format!("{lang}\x01{key}")).or_default();
        *e = (*e).max(zipf);
    }
    let mut b = fst::MapBuilder::memory();
    let mut everyday = Vec::new();
    for (k, v) in map {
        if v >= EVERYDAY_ZIPF {
            let (lang, key) = k.split_once('\x01').unwrap();
            everyday.push((lang.to_string(), key.to_string(), v));
        }
        b.insert(k, v).unwrap();
    }
    (b.into_inner().unwrap(), everyday)
}
