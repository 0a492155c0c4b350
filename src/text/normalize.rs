//! Normalisation: one word to its key form (NFKC where needed, lower case, Latin accents
//! and Arabic tashkeel dropped, Arabic-script letter variants unified), and a name's
//! words to its key (see the folder's docs).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::{is_apostrophe, tokenize, Case};

/// Whether NFKC may change a word: only compatibility characters (presentation forms,
/// ligatures, full-width letters, superscripts…) need it; the common blocks don't.
fn needs_nfkc(word: &str) -> bool {
    word.chars().any(|c| {
        !matches!(c as u32, 0..=0x7F | 0xC0..=0x24F | 0x300..=0x36F | 0x400..=0x4FF | 0x600..=0x674 | 0x679..=0x6FF)
    })
}

/// Fold one already NFKC-normalised, lower-cased character into `out`.
pub(super) fn fold_char(c: char, out: &mut String) {
    match c {
        // Arabic
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => out.push('ا'),
        'ى' | 'ی' | 'ې' | 'ۍ' | 'ئ' | 'ے' => out.push('ي'),
        'ة' | 'ۀ' | 'ە' | 'ھ' | 'ہ' => out.push('ه'),
        'ک' | 'ڪ' | 'گ' | 'ګ' => out.push('ك'),
        'پ' => out.push('ب'),
        'چ' | 'ځ' | 'څ' => out.push('ج'),
        'ژ' | 'ږ' => out.push('ز'),
        'ؤ' => out.push('و'),
        'ټ' => out.push('ت'),
        'ډ' => out.push('د'),
        'ړ' => out.push('ر'),
        'ښ' => out.push('ش'),
        'ڤ' => out.push('ف'),
        '\u{0640}' | '\u{200C}' | '\u{200D}' | 'ء' => {}
        // Latin letters that NFD does not decompose
        'ß' => out.push_str("ss"),
        'ø' => out.push('o'),
        'đ' | 'ð' => out.push('d'),
        'ł' => out.push('l'),
        'æ' => out.push_str("ae"),
        'œ' => out.push_str("oe"),
        'ı' => out.push('i'),
        'þ' => out.push_str("th"),
        'ħ' => out.push('h'),
        // Cyrillic
        'ё' => out.push('е'),
        'й' => out.push('и'),
        _ => {
            if c.is_ascii() || matches!(c as u32, 0x627..=0x63A | 0x641..=0x64A | 0x430..=0x44F) {
                // ASCII, Arabic and Russian base letters have nothing to decompose
                out.push(c);
            } else if matches!(c as u32, 0x64B..=0x65F | 0x670) {
                // tashkeel
            } else {
                // NFD, then drop combining marks: Latin accents and Arabic tashkeel alike.
                for d in std::iter::once(c).nfd() {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }
            }
        }
    }
}

/// (alphabetic, upper case, lower case, its one lower-case character when known) for a
/// character, with fast paths for ASCII, Latin-1 and basic Cyrillic letters; the Unicode
/// tables answer the rest.
fn letter_case(c: char) -> (bool, bool, bool, Option<char>) {
    let shifted = |by: u32| char::from_u32(c as u32 + by);
    match c as u32 {
        0x41..=0x5A => (true, true, false, Some(c.to_ascii_lowercase())),
        0x61..=0x7A => (true, false, true, Some(c)),
        0..=0x7F => (false, false, false, Some(c)),
        0xD7 | 0xF7 => (false, false, false, Some(c)),
        0xC0..=0xDE => (true, true, false, shifted(0x20)),
        0xDF..=0xFF => (true, false, true, Some(c)),
        0x410..=0x42F => (true, true, false, shifted(0x20)),
        0x400..=0x40F => (true, true, false, shifted(0x50)),
        0x430..=0x45F => (true, false, true, Some(c)),
        _ => {
            let alphabetic = c.is_alphabetic();
            (alphabetic, c.is_uppercase(), c.is_lowercase(), None)
        }
    }
}

/// Normalise a single word (no separators inside) into `out`, which is cleared first.
/// Returns the first letter's case.
pub(super) fn normalize_word(word: &str, out: &mut String) -> Case {
    out.clear();
    if word.bytes().all(|b| b.is_ascii_alphanumeric()) {
        // fast path: plain ASCII words need no Unicode normalisation
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        let b = word.as_bytes();
        let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
        return match b.iter().find(|c| c.is_ascii_alphabetic()) {
            None => Case::None,
            Some(c) if c.is_ascii_lowercase() => Case::Lower,
            Some(_) if letters > 1 && !b.iter().any(u8::is_ascii_lowercase) => Case::Upper,
            Some(_) => Case::Title,
        };
    }
    let mut case = Case::None;
    let mut first = true;
    let mut all_upper = true;
    let mut letters = 0;
    let mut step = |c: char| {
        if is_apostrophe(c) {
            return;
        }
        if c.is_whitespace() {
            // NFKC spells some characters with a space: ´ (an apostrophe to many writers)
            // is " \u{301}", the isolated tashkeel forms U+FE70–U+FE7F are a space and a
            // mark. A token is one word: a space inside it would end up doubled in a key.
            return;
        }
        if matches!(c as u32, 0x600..=0x6FF) {
            // Arabic script has no case
            first = false;
            letters += 1;
            fold_char(c, out);
            return;
        }
        let (alphabetic, upper, lower, lowered) = letter_case(c);
        if alphabetic {
            letters += 1;
            if first {
                first = false;
                case = if upper {
                    Case::Title
                } else if lower {
                    Case::Lower
                } else {
                    Case::None
                };
            }
            if lower {
                all_upper = false;
            }
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(l) = lowered {
            fold_char(l, out);
        } else {
            for l in c.to_lowercase() {
                fold_char(l, out);
            }
        }
    };
    if needs_nfkc(word) {
        word.nfkc().for_each(&mut step);
    } else {
        word.chars().for_each(&mut step);
    }
    if case == Case::Title && all_upper && letters > 1 {
        case = Case::Upper;
    }
    case
}

/// Whether a normalised Arabic-script token starts with the article `ال` and keeps at
/// least two letters after it.
fn has_article(norm: &str) -> bool {
    norm.starts_with("ال") && norm.chars().count() >= 4
}

/// Append token `norm` (the `index`-th token of a name) to `key`, in key form.
pub fn push_key_token(key: &mut String, norm: &str, index: usize) {
    if index > 0 {
        key.push(' ');
        if has_article(norm) {
            key.push_str(&norm["ال".len()..]);
            return;
        }
    }
    key.push_str(norm);
}

/// The lookup key of a whole name: normalised tokens joined by one space, with the Arabic
/// article dropped from every token but the first. Empty if the name has no word.
///
/// ```
/// use gazette::text::name_key;
/// assert_eq!(name_key("Mazār-e Sharīf"), "mazar e sharif");
/// assert_eq!(name_key("مزار الشريف"), name_key("مزار شريف"));
/// assert_eq!(name_key("Kābul"), "kabul");
/// ```
pub fn name_key(name: &str) -> String {
    // ASCII words between single spaces (many names: most English ones) are their own
    // key, lowercased: the tokeniser would split them at the spaces and lowercase each
    // word. An index built from a GeoNames dump (`--gazetteer`) keys millions of names.
    if is_plain_ascii(name.as_bytes()) {
        return name.to_ascii_lowercase();
    }
    tokenized_key(name)
}

/// [`name_key`] through the tokeniser: any text.
fn tokenized_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    let mut keys = String::new();
    for (i, t) in tokenize(name, &mut keys).iter().enumerate() {
        push_key_token(&mut key, t.norm, i);
    }
    key
}

/// ASCII letters and digits, in words between single spaces.
fn is_plain_ascii(b: &[u8]) -> bool {
    b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b' ')
        && !b.windows(2).any(|w| w == b"  ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &str, expected: &str) {
        assert_eq!(name_key(input), expected, "name_key({input:?})");
    }

    #[test]
    fn plain_ascii_keys_are_the_tokenisers_keys() {
        let mut words: Vec<&str> = vec![
            "a",
            "A",
            "Z9",
            "4th",
            "2024",
            "new york",
            "NEW YORK",
            "New  York",
            " Kabul",
            "Kabul ",
            "U S",
            "x y z",
            "it's",
            "U.S.",
            "al-Qaeda",
            "Kabul,",
            "tab\there",
            "Mazar-i-Sharif",
            "",
        ];
        // every field of every lexicon row, and the given names
        for text in [
            include_str!("../../gazetteer/lexicon/demonyms.tsv"),
            include_str!("../../gazetteer/lexicon/not_places.tsv"),
            include_str!("../../gazetteer/lexicon/titles.tsv"),
            include_str!("../../gazetteer/lexicon/cues.tsv"),
            include_str!("../../gazetteer/lexicon/directions.tsv"),
            include_str!("../../gazetteer/lexicon/contexts.tsv"),
            include_str!("../../gazetteer/lexicon/abbreviations.tsv"),
            include_str!("../../gazetteer/lexicon/name_words.tsv"),
            include_str!("../../gazetteer/given_names.txt"),
        ] {
            words.extend(text.lines().flat_map(|l| l.split('\t')));
        }
        let plain = words.iter().filter(|w| is_plain_ascii(w.as_bytes())).count();
        assert!(plain > 5000, "the fast path keys {plain} of {} words", words.len());
        for w in words {
            assert_eq!(name_key(w), tokenized_key(w), "{w:?}");
        }
    }

    #[test]
    fn keys() {
        key("Kābul", "kabul");
        key("KABUL", "kabul");
        key("Mazar-i-Sharif", "mazar i sharif");
        key("Mazar-e Sharif", "mazar e sharif");
        key("Mazari  Sharif", "mazari sharif");
        key("Panjwa'i", "panjwai");
        key("Panjwā’ī", "panjwai");
        key("São Paulo", "sao paulo");
        key("Kraków", "krakow");
        key("Łódź", "lodz");
        key("Straße", "strasse");
        key("Côte d’Ivoire", "cote d ivoire");
        key("Ｋａｂｕｌ", "kabul");
        key("Москва", "москва");
        key("Ёлкино", "елкино");
    }

    #[test]
    fn arabic_keys() {
        // tashkeel and tatweel
        key("كَابُول", "كابول");
        key("قنـــدهار", "قندهار");
        // alef forms
        key("أفغانستان", "افغانستان");
        key("إيران", "ايران");
        key("آمل", "امل");
        key("ٱلقدس", "القدس");
        // ى and ة
        key("بخارى", "بخاري");
        key("مصراتة", "مصراته");
        // Persian and Urdu twins
        key("کابل", "كابل");
        key("پنجوایی", "بنجوايي");
        key("گرگان", "كركان");
        key("چین", "جين");
        key("ژاپن", "زابن");
        // the article inside a multi-word name
        key("مزار الشريف", "مزار شريف");
        key("مزار شريف", "مزار شريف");
        key("الدار البيضاء", "الدار بيضا"); // hamza is dropped: writers omit it freely
                                            // marks with no letter fold to nothing and leave no empty word (found by fuzzing)
        key("\u{064C}\u{06FE}پنجوایی Panjwa'i", "بنجوايي panjwai");
        key("كابول ـ قندهار", "كابول قندهار");
        key("ـ", "");
        // NFKC spells these with a space: dropped, not left at a key's end nor doubled in it
        key("M\u{00B4}\u{0618}%", "m");
        key("كابل\u{FE70}", "كابل");
        key("Panjwa\u{00B4}i", "panjwai");
        key("M;ال\u{00B4}\u{0610}\u{00B4}ger", "m ger");
    }

    #[test]
    fn persian_and_arabic_spellings_meet() {
        assert_eq!(name_key("کابل"), name_key("كابل"));
        assert_eq!(name_key("هرات"), name_key("هِرات"));
        assert_eq!(name_key("مزار شریف"), name_key("مزار الشريف"));
    }
}
