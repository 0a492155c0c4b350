//! What an article does not say outright: its date as a calendar date, its slug, and its
//! language when front matter gives none. Part of reading an article (see [`super`]).

use super::EventDate;

/// Parse a date or date-time as written in front matter. Years run from 1 to 9999, as
/// in RFC 3339: chrono would also take `-200000-01-01`, and a timeline from there to
/// today is millions of bars.
pub fn parse_date(s: &str) -> Option<EventDate> {
    use chrono::Datelike;
    let s = s.trim();
    let year_ok = |d: chrono::NaiveDate| (1..=9999).contains(&d.year());
    // the usual `YYYY-MM-DD`, read without a format string: written as it came
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *s.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |ds: &[u8]| ds.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
            let d = chrono::NaiveDate::from_ymd_opt(n(&digits[..4]) as i32, n(&digits[4..6]), n(&digits[6..]))?;
            return year_ok(d).then(|| EventDate { date: s.to_string(), datetime: None });
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return year_ok(d).then(|| EventDate { date: d.format("%Y-%m-%d").to_string(), datetime: None });
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return year_ok(dt.date_naive()).then(|| EventDate {
            date: dt.date_naive().format("%Y-%m-%d").to_string(),
            datetime: Some(dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        });
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return year_ok(dt.date()).then(|| EventDate {
                date: dt.date().format("%Y-%m-%d").to_string(),
                datetime: Some(dt.format("%Y-%m-%dT%H:%M:%S").to_string()),
            });
        }
    }
    None
}

/// Names Windows will not create as a file or folder, whatever the extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2",
    "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Turn a file stem or id into a URL-safe slug: ASCII letters, digits and `-`, lower
/// case, at most 80 characters, never empty and never a name Windows reserves (`con`
/// becomes `con-article`), so that it is always one plain folder name inside the output.
pub fn slugify(s: &str) -> String {
    // every article's id or stem comes through here: one pass, no copy of ASCII input
    let ascii = deunicode::deunicode_with_tofu_cow(s, "[?]");
    // one byte more than the slug keeps, to know whether the 80th is its last
    let mut out = String::with_capacity(ascii.len().min(SLUG_MAX + 1));
    for b in ascii.bytes() {
        if out.len() > SLUG_MAX {
            break;
        }
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b.to_ascii_lowercase()));
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    // `out` is ASCII: bytes are characters
    out.truncate(SLUG_MAX);
    out.truncate(out.trim_end_matches('-').len());
    if out.is_empty() {
        "article".into()
    } else if RESERVED.contains(&out.as_str()) {
        format!("{out}-article")
    } else {
        out
    }
}

/// The longest slug, in characters.
const SLUG_MAX: usize = 80;

/// Guess a language code from the text: script first (the script most of its letters are
/// in), then, in Arabic script, the letters only Persian or only Arabic uses, and in Latin
/// script the commonest function words of English, French and Spanish among its first
/// 2,000 words.
///
/// Every article without a `lang` goes through this, so it costs a few percent of a
/// run: letters are counted 64 ASCII bytes at a time, and function words are looked for
/// only in Latin-script text, with bit masks rather than a branch per word (`function_words`).
pub fn detect_lang(text: &str) -> String {
    use crate::text::{Script, ScriptCensus};
    let c = ScriptCensus::deciding(text);
    let script = c.dominant();
    match script {
        Script::Arabic => if c.persian_only > c.arabic_only { "fa" } else { "ar" }.into(),
        Script::Cyrillic => "ru".into(),
        Script::Latin => {
            let counts = function_words(text);
            let best = (0..3).max_by_key(|&i| (counts[i], usize::MAX - i)).unwrap_or(0);
            ["en", "fr", "es"][best].into()
        }
        _ => "und".into(),
    }
}

/// Words read for function words: enough for any language to show, and a bound on the
/// work for a long text. A word is what lies between two characters that are not letters
/// (two such characters in a row make an empty word, which counts).
const FUNCTION_WORD_WINDOW: usize = 2000;

/// The function words of English, French and Spanish, each packed into a `u32` as
/// [`function_words`] packs a word (lower case, first letter highest), with its
/// language: 0 English, 1 French, 2 Spanish. All are ASCII and 1 to 4 letters long, and
/// no other word lower-cases to one of them.
const FUNCTION_WORDS: [(u32, u8); 26] = {
    const fn key(w: &[u8]) -> u32 {
        let (mut k, mut i) = (0u32, 0);
        while i < w.len() {
            k = (k << 8) | w[i] as u32;
            i += 1;
        }
        k
    }
    [
        (key(b"the"), 0),
        (key(b"and"), 0),
        (key(b"of"), 0),
        (key(b"to"), 0),
        (key(b"in"), 0),
        (key(b"is"), 0),
        (key(b"was"), 0),
        (key(b"with"), 0),
        (key(b"le"), 1),
        (key(b"la"), 1),
        (key(b"les"), 1),
        (key(b"des"), 1),
        (key(b"et"), 1),
        (key(b"du"), 1),
        (key(b"une"), 1),
        (key(b"est"), 1),
        (key(b"dans"), 1),
        (key(b"el"), 2),
        (key(b"los"), 2),
        (key(b"las"), 2),
        (key(b"y"), 2),
        (key(b"del"), 2),
        (key(b"una"), 2),
        (key(b"con"), 2),
        (key(b"por"), 2),
        (key(b"que"), 2),
    ]
};

/// [`FUNCTION_WORDS`] as a perfect hash table of 128 slots: a word's slot is the top 7
/// bits of its key times [`HASH_MULTIPLIER`], and no two function words share one. An
/// empty slot holds key 0 and language 3 (none).
const FUNCTION_WORD_SLOTS: ([u32; 128], [u8; 128]) = {
    let (mut keys, mut langs) = ([0u32; 128], [3u8; 128]);
    let mut i = 0;
    while i < FUNCTION_WORDS.len() {
        let slot = slot_of(FUNCTION_WORDS[i].0, HASH_MULTIPLIER);
        keys[slot] = FUNCTION_WORDS[i].0;
        langs[slot] = FUNCTION_WORDS[i].1;
        i += 1;
    }
    (keys, langs)
};

const fn slot_of(key: u32, multiplier: u32) -> usize {
    (key.wrapping_mul(multiplier) >> 25) as usize
}

/// The first odd multiplier from the golden ratio's up under which the function words'
/// slots are all different, found when the crate compiles.
const HASH_MULTIPLIER: u32 = {
    let mut m: u32 = 0x9E37_79B9;
    'search: loop {
        let mut taken = [false; 128];
        let mut i = 0;
        while i < FUNCTION_WORDS.len() {
            let slot = slot_of(FUNCTION_WORDS[i].0, m);
            if taken[slot] {
                m = m.wrapping_add(2);
                continue 'search;
            }
            taken[slot] = true;
            i += 1;
        }
        break m;
    }
};

/// How many of the first [`FUNCTION_WORD_WINDOW`] words of a text are English, French
/// and Spanish function words.
///
/// Words are short and their ends unpredictable, so a branch at each word's end would be
/// mispredicted about once a word. Text is read 64 bytes at a time instead: a block of
/// ASCII that starts after a separator gets a bit mask of its letters, and each word
/// that starts in it, up to its last separator, is looked up with no branch. Other
/// blocks, and the blocks where the window ends, are read a byte at a time.
fn function_words(text: &str) -> [usize; 3] {
    let (slot_keys, slot_langs) = &FUNCTION_WORD_SLOTS;
    let bytes = text.as_bytes();
    // the counts are locals, not an array a closure writes: kept in registers
    let (mut en, mut fr, mut es) = (0usize, 0usize, 0usize);
    let mut count = |key: u32, hit: bool| {
        let lang = slot_langs[slot_of(key, HASH_MULTIPLIER)];
        let hit = hit & (slot_keys[slot_of(key, HASH_MULTIPLIER)] == key);
        en += usize::from(hit & (lang == 0));
        fr += usize::from(hit & (lang == 1));
        es += usize::from(hit & (lang == 2));
    };
    // words ended so far; `i` is always just after a separator (or at the start)
    let (mut words, mut i) = (0usize, 0usize);
    while i < bytes.len() && words < FUNCTION_WORD_WINDOW {
        if let Some(block) = bytes.get(i..i + 64) {
            let (letters, ascii) = crate::text::ascii_letter_mask(block);
            let separators = !letters;
            if ascii && separators != 0 {
                // up to and with the block's last separator
                let last = 63 - separators.leading_zeros();
                let upto = u64::MAX >> (63 - last);
                let ended = (separators & upto).count_ones() as usize;
                if words + ended <= FUNCTION_WORD_WINDOW {
                    let mut padded = [0u8; 68];
                    padded[..64].copy_from_slice(block);
                    let mut starts = letters & !(letters << 1) & upto;
                    while starts != 0 {
                        let s = starts.trailing_zeros();
                        starts &= starts - 1;
                        let len = (!(letters >> s)).trailing_zeros();
                        let at = s as usize;
                        let raw = u32::from_be_bytes([padded[at], padded[at + 1], padded[at + 2], padded[at + 3]]);
                        // the word's letters, lower case, first letter highest
                        let key = (raw | 0x2020_2020).checked_shr(8 * (4 - len.min(4))).unwrap_or(0);
                        count(key, len <= 4);
                    }
                    words += ended;
                    i += last as usize + 1;
                    continue;
                }
            }
        }
        // a byte at a time, to just after the first separator past this block
        let stop = i + 64;
        let (mut key, mut len) = (0u32, 0u32);
        while i < bytes.len() && words < FUNCTION_WORD_WINDOW {
            let b = bytes[i];
            let letter = if b >= 0x80 {
                let ch = text[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
                i += ch.len_utf8();
                // a word with a letter that is not ASCII is no function word
                len = if crate::text::is_letter(ch) { 5 } else { len };
                crate::text::is_letter(ch)
            } else {
                i += 1;
                let letter = (b | 0x20).wrapping_sub(b'a') < 26;
                if letter {
                    key = (key << 8) | u32::from(b | 0x20);
                    len += 1;
                }
                letter
            };
            if !letter {
                count(key, (1..=4).contains(&len));
                (key, len, words) = (0, 0, words + 1);
                if i >= stop {
                    break;
                }
            }
        }
        if i >= bytes.len() && words < FUNCTION_WORD_WINDOW {
            // the text's last word, after its last separator
            count(key, (1..=4).contains(&len));
        }
    }
    [en, fr, es]
}

/// A language tag as an article gives it (`en`, `AR`, `fa-AF`, `zh_Hant`), lower-cased,
/// with `_` read as `-`; `None` for anything else: letters, digits and hyphens only, in
/// subtags of 1 to 8, at most 35 characters. It is written into `lang` attributes and
/// the feed's `xml:lang`, so nothing else may pass.
pub fn language_tag(s: &str) -> Option<String> {
    let t = s.trim().to_ascii_lowercase().replace('_', "-");
    let ok = !t.is_empty()
        && t.len() <= 35
        && t.split('-').all(|sub| (1..=8).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric()));
    ok.then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_outside_1_to_9999_are_not_dates() {
        assert_eq!(parse_date("0001-01-01").unwrap().date, "0001-01-01");
        assert_eq!(parse_date("9999-12-31T23:59:59Z").unwrap().date, "9999-12-31");
        for bad in ["-200000-01-01", "+20000-01-01", "0000-01-01", "-0001-01-01 10:00", "2021-02-29", "2021-13-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        // the plain form reads as chrono reads it, leap days and short forms included
        for (s, date) in [("2024-02-29", "2024-02-29"), ("2021-7-15", "2021-07-15"), ("1999-12-31", "1999-12-31")] {
            assert_eq!(parse_date(s).unwrap().date, date, "{s}");
        }
        assert_eq!(parse_date("2021-00-10"), None);
    }

    #[test]
    fn slugs_and_languages() {
        assert_eq!(slugify("2021-07-04 Panjwai Falls!"), "2021-07-04-panjwai-falls");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("..."), "article");
        assert_eq!(slugify("CON"), "con-article");
        assert_eq!(slugify("lpt1"), "lpt1-article");
        assert_eq!(slugify("console"), "console");
        assert!(!slugify("سقوط كابول").is_empty());
        // at most 80 characters, never ending in a dash, however the cut falls
        let long = "ab-".repeat(40);
        assert_eq!(slugify(&long), "ab-".repeat(27)[..80].trim_end_matches('-'));
        assert_eq!(slugify(&"x".repeat(200)), "x".repeat(80));
        assert_eq!(
            slugify(&format!("{}---y", "x".repeat(79))),
            format!("{}-y", "x".repeat(79))[..80].trim_end_matches('-')
        );
        assert_eq!(slugify(&format!("{} y", "x".repeat(80))), "x".repeat(80));
        assert_eq!(slugify("Ça va, São Paulo?"), "ca-va-sao-paulo");
        assert_eq!(detect_lang("The city of Kabul and the province"), "en");
        assert_eq!(detect_lang("La ville de Kaboul et les provinces"), "fr");
        assert_eq!(detect_lang("Город Кабул"), "ru");
        assert_eq!(detect_lang("شهر کابل پایتخت افغانستان است"), "fa");
        assert_eq!(detect_lang("مدينة كابول عاصمة أفغانستان"), "ar");
    }

    /// The dev set's articles in six languages, by the language their file name ends
    /// in: the body alone, with no front matter, as an article without `lang` is read.
    #[test]
    fn languages_of_the_dev_articles() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/dev/articles");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return eprintln!("skipped: {} is not here", dir.display());
        };
        let mut seen = std::collections::BTreeMap::new();
        for e in entries {
            let path = e.unwrap().path();
            let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
            let want = stem.rsplit('-').next().unwrap().to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let body = match text.get(..3) {
                Some(fence @ ("---" | "+++")) => text[3..].split_once(fence).map_or(&text[..], |(_, b)| b),
                _ => &text[..],
            };
            assert_eq!(detect_lang(body), want, "{stem}");
            *seen.entry(want).or_insert(0) += 1;
        }
        assert_eq!(seen.keys().map(String::as_str).collect::<Vec<_>>(), ["ar", "en", "es", "fa", "fr", "ru"]);
    }

    /// The fast census (`text::ScriptCensus`) and function-word count find what a plain
    /// reading of their definitions finds: letters by script, and function
    /// words among the first 2,000 pieces of `split` on non-letters (empty pieces
    /// included).
    #[test]
    fn the_census_counts_as_its_definition_reads() {
        use crate::text::{is_letter, script_of, Script, ScriptCensus};
        fn census(text: &str) -> ScriptCensus {
            let mut c = ScriptCensus::default();
            for ch in text.chars().filter(|&ch| is_letter(ch)) {
                match script_of(ch) {
                    Script::Latin => c.latin += 1,
                    Script::Arabic => c.arabic += 1,
                    Script::Cyrillic => c.cyrillic += 1,
                    _ => c.other += 1,
                }
            }
            c.persian_only = text.chars().filter(|c| "پچژگکی".contains(*c)).count();
            c.arabic_only = text.chars().filter(|c| "ةىكي".contains(*c)).count();
            c
        }
        fn words(text: &str) -> [usize; 3] {
            let mut counts = [0; 3];
            for w in text.split(|ch: char| !is_letter(ch)).take(FUNCTION_WORD_WINDOW) {
                let lower = w.to_ascii_lowercase();
                if let Some((_, lang)) = FUNCTION_WORDS.iter().find(|(k, _)| {
                    w.is_ascii()
                        && !w.is_empty()
                        && k.to_be_bytes().iter().skip_while(|&&b| b == 0).eq(lower.as_bytes())
                }) {
                    counts[usize::from(*lang)] += 1;
                }
            }
            counts
        }
        let long_english = "the cat, and the dog. ".repeat(700);
        let past_the_window = format!("{}{}", "x ".repeat(1999), "le la les et");
        let long_words = "withe THE The tHe thee théé the_the la-la Y y. dansé dans".to_string();
        for text in [
            "",
            "the",
            "The city of Kabul and the province",
            "La ville de Kaboul et l’armée — « les » provinces, dans une rue",
            "El río y la ciudad de Córdoba, que está en España; los del POR con una",
            "Город Кабул и провинция",
            "شهر کابل پایتخت افغانستان است",
            "مدينة كابول عاصمة أفغانستان، ووزارة الصحة",
            "١٢٣ Kabul ٤٥٦ 東京 Ωmega ǅ ﻙ 𝒜 \u{301}e and ｔｈｅ",
            "a  b\n\nc--d'e",
            "0123456789abcdef0123456789abcdéf the in",
            &long_english,
            &past_the_window,
            &long_words,
        ] {
            assert_eq!(ScriptCensus::of(text), census(text), "{text:.60}");
            assert_eq!(function_words(text), words(text), "{text:.60}");
        }
        assert_eq!(function_words("The Y and, del: dans"), [2, 1, 2]);
    }

    #[test]
    fn language_tags() {
        for (given, want) in [
            ("en", Some("en")),
            (" AR ", Some("ar")),
            ("fa-AF", Some("fa-af")),
            ("zh_Hant", Some("zh-hant")),
            ("", None),
            ("en\u{1}", None),
            ("en\" onload=\"x", None),
            ("en--us", None),
            ("abcdefghi", None),
            ("a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s", None),
        ] {
            assert_eq!(language_tag(given).as_deref(), want, "{given:?}");
        }
    }
}
