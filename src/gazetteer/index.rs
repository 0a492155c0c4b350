//! The gazetteer's on-disk (in-binary) index: built from the 13-column places TSV, read
//! with no parsing at start-up.
//!
//! The build script runs [`build`] over `gazetteer/places.tsv.gz` and embeds the
//! blobs it returns; `--gazetteer PATH` runs the same function at run time over a GeoNames
//! dump converted to the same TSV. Layout (all integers little-endian):
//!
//! - `lines`: the TSV rows, one per place, in id order, each ending in `\n`.
//! - `offsets`: `u32` start of each row in `lines`, plus one final end offset.
//! - `meta`: [`META_LEN`] bytes per place: id `u32`, lat and lon `i32` in 1e-5 degrees,
//!   population `u32`, admin1 index `u16` into `admin1`, feature code index `u8` into
//!   [`FEATURE_CODES`], feature class `u8` (ASCII), country code 2 bytes (ASCII, or 0),
//!   admin2 index `u16`: equal for places with the same `CC.admin1.admin2` key, 0 for
//!   none (or past the 65,535th key).
//! - `admin1`: newline-separated `CC.code` strings; index 0 is the empty string.
//! - `fst`: an `fst::Map` from a name key (see [`crate::text::name_key`]) to
//!   `offset << 32 | count` into `postings`.
//! - `postings`: `u32` per (key, place): place index in the low 24 bits, [`NameFlags`] in
//!   the high 8.
//! - `divisions`: the `u32` number of admin1 indexes; per admin1 index, the `u32` place
//!   index of the ADM1 place with that key (the last one listed), or `u32::MAX`; then, per country code in order of first
//!   appearance, its 2 bytes and the `u32` place index of the first country place with it.
//!   Start-up reads it instead of scanning `meta` for them.
//!
//! This file is also compiled into `build.rs`, so it depends only on `std`, `fst` and the
//! text module.

use std::collections::HashMap;

use crate::text;

/// Bytes of fixed-width metadata per place.
pub const META_LEN: usize = 24;

/// Place index bits in a posting.
pub const PLACE_MASK: u32 = 0x00FF_FFFF;

/// The most tokens a name key may have; longer names are not indexed.
pub const MAX_KEY_TOKENS: usize = 8;

/// Name flags stored with each posting.
pub struct NameFlags;
impl NameFlags {
    /// The key comes from the place's canonical or ASCII name.
    pub const PRIMARY: u8 = 1;
    /// The key comes from a hand-curated alias.
    pub const CURATED: u8 = 2;
    /// The key comes from a name tagged with a language (CLDR, curated, GeoNames lang).
    pub const LANG: u8 = 4;
    /// The key comes from a name written all in capitals (an abbreviation such as `UAE`).
    pub const ABBREV: u8 = 8;
    /// The key comes from a name tagged with one of the languages gazette reads news in
    /// (ar, fa, ps, ur, en, fr, es, ru): "Britain" is an English name of the United
    /// Kingdom, "Island" only a German one of Iceland.
    pub const NEWS_LANG: u8 = 32;
    /// The key is an Arabic-script name with a space after a non-joining letter left out
    /// (`حفرالباطن`): never an everyday word (the matcher checks).
    pub const JOINED: u8 = 16;
}

/// GeoNames feature codes the index knows by number; anything else is stored as `""`.
pub const FEATURE_CODES: &[&str] = &[
    "", "PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR", "ADM1", "ADM1H", "ADM2", "ADM2H", "ADM3", "ADM4",
    "ADM5", "ADMD", "PPLC", "PPLA", "PPLA2", "PPLA3", "PPLA4", "PPLA5", "PPLG", "PPL", "PPLX", "PPLL", "PPLS", "PPLF",
    "PPLR", "PPLQ", "PPLW", "PPLH", "PPLCH", "STLMT", "CONT", "RGN", "AREA", "ISL", "ISLS", "PEN", "MT", "MTS", "STM",
    "LK", "SEA", "GULF", "BAY", "DSRT", "VAL", "PLN", "AIRP", "PRT", "CSTL", "CMP", "MILB", "BDG", "RD", "ST", "SQ",
    "PRK", "HSP", "SCH", "UNIV", "MUS", "CH", "MSQE", "PAL", "FRM", "ZN", "ADMF", "OCN", "RES", "PSTB", "STRT", "CNL",
];

/// The languages gazette reads news in (see [`NameFlags::NEWS_LANG`]).
pub const NEWS_LANGS: &[&str] = &["ar", "fa", "ps", "ur", "en", "fr", "es", "ru"];

/// The column names of the places TSV, in order.
pub const COLUMNS: [&str; 13] = [
    "id",
    "name",
    "asciiname",
    "lat",
    "lon",
    "feature_class",
    "feature_code",
    "country_code",
    "admin1",
    "admin2",
    "population",
    "names",
    "source",
];

/// The blobs of a built index.
#[derive(Default)]
pub struct Blobs {
    pub lines: Vec<u8>,
    pub offsets: Vec<u8>,
    pub meta: Vec<u8>,
    pub admin1: Vec<u8>,
    pub fst: Vec<u8>,
    pub postings: Vec<u8>,
    pub divisions: Vec<u8>,
}

/// Whether a feature code makes a place a country, as the gazetteer reads it.
pub fn is_country_code(code: &str) -> bool {
    matches!(code, "PCLI" | "PCLD" | "PCLF" | "PCLS" | "PCLIX" | "PCL" | "TERR")
}

/// Whether a feature code makes a place a first-level division.
pub fn is_admin1_code(code: &str) -> bool {
    matches!(code, "ADM1" | "ADM1H")
}

/// Parse degrees into 1e-5 degree units.
fn micro(s: &str) -> Option<i32> {
    let v: f64 = s.trim().parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some((v * 1e5).round() as i32)
}

/// Build the index from the places TSV (header line first). Rows must be in the order the
/// places should keep; the caller sorts them. Errors name the 1-based line.
pub fn build(tsv: &str) -> Result<Blobs, String> {
    let mut blobs = Blobs::default();
    let mut admin1_ids: HashMap<String, u16> = HashMap::new();
    let mut admin1_names: Vec<String> = vec![String::new()];
    admin1_ids.insert(String::new(), 0);
    let mut admin2_ids: HashMap<String, u16> = HashMap::new();
    let mut keys: Vec<(String, u32, u8)> = Vec::new();
    let mut place = 0u32;
    // the divisions blob: ADM1 place by admin1 index, first country place by code
    let mut admin1_places: Vec<u32> = vec![u32::MAX];
    let mut countries: Vec<([u8; 2], u32)> = Vec::new();

    for (lineno, line) in tsv.lines().enumerate() {
        if lineno == 0 && line.starts_with("id\t") {
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 12 {
            return Err(format!("line {}: expected 13 columns, found {}", lineno + 1, f.len()));
        }
        let bad = |what: &str| format!("line {}: bad {what} {:?}", lineno + 1, line);
        let id: u32 = f[0].parse().map_err(|_| bad("id"))?;
        let lat = micro(f[3]).filter(|v| v.abs() <= 90_00000).ok_or_else(|| bad("lat"))?;
        let lon = micro(f[4]).filter(|v| v.abs() <= 180_00000).ok_or_else(|| bad("lon"))?;
        let pop: u64 = if f[10].is_empty() { 0 } else { f[10].parse().map_err(|_| bad("population"))? };
        let fcode = FEATURE_CODES.iter().position(|c| *c == f[6]).unwrap_or(0) as u8;
        let fclass = f[5].bytes().next().unwrap_or(b' ');
        let cc = f[7].as_bytes();
        let admin1_key = if f[8].is_empty() { String::new() } else { format!("{}.{}", f[7], f[8]) };
        let next = admin1_names.len();
        let admin1 = *admin1_ids.entry(admin1_key.clone()).or_insert_with(|| {
            admin1_names.push(admin1_key);
            next as u16
        });
        if admin1_places.len() < admin1_names.len() {
            admin1_places.resize(admin1_names.len(), u32::MAX);
        }
        let code = [cc.first().copied().unwrap_or(0), cc.get(1).copied().unwrap_or(0)];
        // the code as the meta table keeps it (an unknown one reads as the first)
        let stored = FEATURE_CODES[usize::from(fcode)];
        if is_admin1_code(stored) {
            admin1_places[admin1 as usize] = place;
        } else if is_country_code(stored) && !countries.iter().any(|(c, _)| *c == code) {
            // the first listed: the independent state before a territory with its code
            countries.push((code, place));
        }
        let admin2 = if f[9].is_empty() || f[8].is_empty() {
            0
        } else {
            let next = admin2_ids.len() + 1;
            *admin2_ids.entry(format!("{}.{}.{}", f[7], f[8], f[9])).or_insert(u16::try_from(next).unwrap_or(0))
        };
        if place > PLACE_MASK {
            return Err("more places than the index can hold (16.7 million)".into());
        }

        blobs.offsets.extend((blobs.lines.len() as u32).to_le_bytes());
        blobs.lines.extend(line.as_bytes());
        blobs.lines.push(b'\n');

        blobs.meta.extend(id.to_le_bytes());
        blobs.meta.extend(lat.to_le_bytes());
        blobs.meta.extend(lon.to_le_bytes());
        blobs.meta.extend((pop.min(u32::MAX as u64) as u32).to_le_bytes());
        blobs.meta.extend(admin1.to_le_bytes());
        blobs.meta.push(fcode);
        blobs.meta.push(fclass);
        blobs.meta.push(cc.first().copied().unwrap_or(0));
        blobs.meta.push(cc.get(1).copied().unwrap_or(0));
        blobs.meta.extend(admin2.to_le_bytes());

        let mut add = |name: &str, flags: u8| {
            let key = text::name_key(name);
            if key.is_empty() || key.split(' ').count() > MAX_KEY_TOKENS || key.len() > 120 {
                return;
            }
            let letters = name.chars().filter(|c| c.is_alphabetic()).count();
            let abbrev = letters >= 2 && name.chars().all(|c| !c.is_lowercase());
            let flags = if abbrev && name.is_ascii() { flags | NameFlags::ABBREV } else { flags };
            if let Some(joined) = joined_arabic_key(name) {
                keys.push((joined, place, flags | NameFlags::JOINED));
            }
            keys.push((key, place, flags));
        };
        add(f[1], NameFlags::PRIMARY);
        add(f[2], NameFlags::PRIMARY);
        let curated = f.get(12).is_some_and(|s| *s == "curated");
        for entry in f[11].split('|').filter(|e| !e.is_empty()) {
            let (lang, name) = entry.split_once(':').unwrap_or(("", entry));
            let mut flags = if lang.is_empty() { 0 } else { NameFlags::LANG };
            if NEWS_LANGS.contains(&lang.trim_end_matches('*')) {
                flags |= NameFlags::NEWS_LANG;
            }
            if curated || lang.ends_with('*') {
                flags |= NameFlags::CURATED;
            }
            add(name, flags);
        }
        place += 1;
    }
    blobs.offsets.extend((blobs.lines.len() as u32).to_le_bytes());
    for name in &admin1_names {
        blobs.admin1.extend(name.as_bytes());
        blobs.admin1.push(b'\n');
    }
    admin1_places.resize(admin1_names.len(), u32::MAX);
    blobs.divisions.extend((admin1_places.len() as u32).to_le_bytes());
    for p in admin1_places {
        blobs.divisions.extend(p.to_le_bytes());
    }
    for (code, p) in countries {
        blobs.divisions.extend(code);
        blobs.divisions.extend(p.to_le_bytes());
    }

    index_names(keys, &mut blobs)?;
    Ok(blobs)
}

/// Arabic letters that never join the letter after them: a writer who leaves out the
/// space after one sees no difference on screen, so `حفر الباطن` is often typed
/// `حفرالباطن`, and `أبو ظبي` `ابوظبي`.
const NON_JOINING: &[char] = &['ا', 'أ', 'إ', 'آ', 'ٱ', 'د', 'ذ', 'ر', 'ز', 'و', 'ؤ', 'ة', 'ء', 'ژ'];

/// The key of a multi-word Arabic-script name written without the spaces that follow a
/// non-joining letter (see [`NON_JOINING`]), when it has such a space.
fn joined_arabic_key(name: &str) -> Option<String> {
    if !name.contains(' ') || !name.chars().any(|c| matches!(c as u32, 0x0600..=0x06FF)) {
        return None;
    }
    let mut buf = String::new();
    let tokens = text::tokenize(name, &mut buf);
    if tokens.len() < 2 || tokens.len() > 3 || tokens.iter().any(|t| t.script != text::Script::Arabic) {
        return None;
    }
    let mut joined = String::new();
    let mut any = false;
    let mut word = 0;
    for (i, t) in tokens.iter().enumerate() {
        let glued = i > 0 && name[..tokens[i - 1].end].ends_with(NON_JOINING);
        if glued {
            // the article stays inside the glued word: `حفرالباطن`
            joined.push_str(t.norm);
            any = true;
        } else {
            text::push_key_token(&mut joined, t.norm, word);
            word += 1;
        }
    }
    any.then_some(joined)
}

/// Sort the (key, place, flags) of every name and write the name FST and the postings:
/// one posting per (key, place), with the flags of all its names merged.
fn index_names(mut keys: Vec<(String, u32, u8)>, blobs: &mut Blobs) -> Result<(), String> {
    keys.sort_unstable();
    let mut builder = fst::MapBuilder::memory();
    let mut i = 0;
    while i < keys.len() {
        let start = blobs.postings.len() / 4;
        let mut j = i;
        while j < keys.len() && keys[j].0 == keys[i].0 {
            // merge duplicate (key, place) pairs, keeping every flag
            let mut flags = keys[j].2;
            let p = keys[j].1;
            j += 1;
            while j < keys.len() && keys[j].0 == keys[i].0 && keys[j].1 == p {
                flags |= keys[j].2;
                j += 1;
            }
            blobs.postings.extend((p | (flags as u32) << 24).to_le_bytes());
        }
        let count = blobs.postings.len() / 4 - start;
        builder.insert(&keys[i].0, (start as u64) << 32 | count as u64).map_err(|e| format!("fst: {e}"))?;
        i = j;
    }
    blobs.fst = builder.into_inner().map_err(|e| format!("fst: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_names_are_also_keyed_without_the_space_after_a_non_joining_letter() {
        // (name, the glued key, if any)
        let cases = [
            ("حفر الباطن", Some("حفرالباطن")),
            ("أبو ظبي", Some("ابوظبي")),
            ("دير الزور", Some("ديرالزور")),
            // م joins the next letter: a missing space would show
            ("أم درمان", None),
            ("Kabul", None),
            ("New York", None),
        ];
        for (name, want) in cases {
            assert_eq!(joined_arabic_key(name).as_deref(), want, "{name}");
        }
    }
}
