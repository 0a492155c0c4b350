//! Text normalisation and tokenisation, shared by the gazetteer index and the geoparser.
//!
//! Both sides of a lookup go through the same functions, so a name in the gazetteer and
//! the same name in an article reduce to the same *key*: Unicode NFKC, lower case, Latin
//! diacritics folded (`Kābul` → `kabul`), Arabic tashkeel and tatweel removed, alef forms
//! unified (`أ إ آ ٱ` → `ا`), `ى` → `ي` and `ة` → `ه`, and Persian/Urdu letters mapped to
//! their Arabic twins (`ک` → `ك`, `ی` → `ي`, `گ` → `ك`, `پ` → `ب`, `چ` → `ج`, `ژ` → `ز`).
//! Hyphens, spaces and punctuation separate tokens; apostrophes are dropped inside a token
//! (`Panjwa'i` → `panjwai`). In a key, tokens are joined by one space, and the Arabic
//! article `ال` is dropped from every token after the first (`مزار الشريف` ~ `مزار شريف`).
//!
//! Spans are byte offsets into the text given, half-open.
//!
//! Three steps, a module each: `tokenize` splits text into words (with fast paths for
//! ASCII, Latin-1, Arabic and Russian words), `normalize` folds one word into its key
//! form and joins a name's words into its key, and `morph` undoes Arabic proclitics and
//! Russian case endings.
//!
//! This folder is also compiled into `build.rs` (through `#[path]`), so it depends only
//! on `std` and `unicode-normalization`.

use unicode_normalization::char::is_combining_mark;

mod morph;
mod normalize;
mod script;
mod tokenize;

pub use morph::{arabic_peeled, arabic_peelings, cyrillic_lemmas};
pub use normalize::{name_key, push_key_token};
pub use script::{ascii_letter_mask, ScriptCensus};
pub use tokenize::tokenize;

/// The writing system of a token, as far as matching cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Latin letters (English, French, Spanish, transliterations).
    Latin,
    /// Arabic script (Arabic, Persian, Pashto, Urdu).
    Arabic,
    /// Cyrillic (Russian, Ukrainian, Tajik).
    Cyrillic,
    /// Anything else with letters (Greek, Hebrew, CJK, Indic...).
    Other,
    /// Digits only.
    Digits,
}

impl Script {
    /// Whether the script distinguishes upper and lower case, so that case is evidence.
    pub fn is_cased(self) -> bool {
        matches!(self, Script::Latin | Script::Cyrillic)
    }
}

/// Letter case of a token's first letter in a cased script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `Kabul`
    Title,
    /// `KABUL`
    Upper,
    /// `kabul`
    Lower,
    /// Uncased scripts (Arabic) and digits.
    None,
}

/// One word of running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// Byte offset of the first character, inclusive.
    pub start: usize,
    /// Byte offset after the last character, exclusive.
    pub end: usize,
    /// The normalised form (see the module docs): a slice of the text when that is what
    /// it is (most lower-case words), else of the key buffer [`tokenize`] was given.
    pub norm: &'a str,
    /// The script of its first letter.
    pub script: Script,
    /// The case of its first letter (and of the rest, for [`Case::Upper`]).
    pub case: Case,
    /// The token is followed (before the next token) by a sentence-ending mark or a
    /// paragraph break, or starts the text.
    pub sentence_start: bool,
}

pub(crate) fn script_of(c: char) -> Script {
    match c as u32 {
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        _ if c.is_ascii_digit() => Script::Digits,
        _ if c.is_ascii_alphabetic() || ((c as u32) < 0x0370 && c.is_alphabetic()) => Script::Latin,
        0x1E00..=0x1EFF => Script::Latin,
        _ => Script::Other,
    }
}

pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ' | 'ʻ' | 'ʿ' | 'ʾ' | '`' | '´' | '′')
}

/// Code points that news text is full of and that are neither letters, digits nor
/// combining marks, so that the fast paths below answer them without the Unicode tables
/// (a few hundred instructions a character): Arabic comma, semicolon and question mark,
/// General Punctuation (curly quotes, dashes, ellipsis, zero-width joiners,
/// bidirectional isolates) and the emoji blocks. A test checks every one of them.
macro_rules! NO_LETTER_DIGIT_OR_MARK {
    () => {
        0x60C | 0x61B | 0x61F | 0x2000..=0x206F | 0x1F300..=0x1FAFF
    };
}

pub(crate) fn is_word_char(c: char) -> bool {
    // fast paths for the scripts most text is in; the Unicode tables are slow
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0xD7 | 0xF7 | NO_LETTER_DIGIT_OR_MARK!() => false,
        0xC0..=0x24F | 0x410..=0x44F | 0x621..=0x63A | 0x640..=0x669 | 0x671..=0x6D3 => true,
        _ => c.is_alphanumeric() || is_combining_mark(c),
    }
}

/// `char::is_alphabetic`, with fast paths for the common blocks.
pub fn is_letter(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphabetic(),
        0xD7 | 0xF7 | NO_LETTER_DIGIT_OR_MARK!() => false,
        0xC0..=0x24F | 0x410..=0x44F | 0x621..=0x63A | 0x641..=0x64A | 0x671..=0x6D3 => true,
        _ => c.is_alphabetic(),
    }
}

/// `char::is_alphanumeric`, with fast paths for the common blocks.
pub fn is_letter_or_digit(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphanumeric(),
        0xD7 | 0xF7 | NO_LETTER_DIGIT_OR_MARK!() => false,
        0xC0..=0x24F | 0x410..=0x44F | 0x621..=0x63A | 0x641..=0x64A | 0x660..=0x669 | 0x671..=0x6D3 => true,
        _ => c.is_alphanumeric(),
    }
}

/// The script most of a text's letters are in (see [`ScriptCensus::dominant`]).
pub fn dominant_script(text: &str) -> Script {
    ScriptCensus::of(text).dominant()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast paths answer as the Unicode tables do, for every character.
    #[test]
    fn letter_classes_match_unicode() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_letter_or_digit(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_word_char(c), c.is_alphanumeric() || is_combining_mark(c), "{c:?}");
        }
    }
}
