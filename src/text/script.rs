//! Which script a text is written in: its letters counted by script, fast, for every
//! article that does not give its language.

use super::{is_letter, script_of, Script};

/// The letters of a text by script ([`is_letter`] and `script_of`), and the letters
/// only Persian or only Arabic uses.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ScriptCensus {
    /// Latin letters, ASCII or not.
    pub latin: usize,
    /// Arabic-script letters (Arabic, Persian, Pashto, Urdu).
    pub arabic: usize,
    /// Cyrillic letters.
    pub cyrillic: usize,
    /// Letters of any other script.
    pub other: usize,
    /// `پ چ ژ گ ک ی`
    pub persian_only: usize,
    /// `ة ى ك ي`
    pub arabic_only: usize,
}

/// The class bits of a character below U+0800 (one or two bytes of UTF-8) in
/// [`two_byte_classes`]: most letters of Latin, Cyrillic and Arabic text are there, and a
/// table lookup is cheaper than the Unicode tables.
const LETTER: u8 = 1;
const LATIN: u8 = 2;
const ARABIC: u8 = 4;
const CYRILLIC: u8 = 8;
const PERSIAN_ONLY: u8 = 16;
const ARABIC_ONLY: u8 = 32;

/// The class bits of every character below U+0800, worked out once from [`is_letter`]
/// and [`script_of`], so that the census counts what they say by definition.
fn two_byte_classes() -> &'static [u8; 0x800] {
    static TABLE: std::sync::OnceLock<[u8; 0x800]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0u8; 0x800];
        for (cp, class) in t.iter_mut().enumerate() {
            let Some(ch) = char::from_u32(cp as u32) else { continue };
            if !is_letter(ch) {
                continue;
            }
            *class = LETTER
                | match script_of(ch) {
                    Script::Latin => LATIN,
                    Script::Arabic => ARABIC,
                    Script::Cyrillic => CYRILLIC,
                    _ => 0,
                };
            if matches!(ch, 'پ' | 'چ' | 'ژ' | 'گ' | 'ک' | 'ی') {
                *class |= PERSIAN_ONLY;
            }
            if matches!(ch, 'ة' | 'ى' | 'ك' | 'ي') {
                *class |= ARABIC_ONLY;
            }
        }
        t
    })
}

/// [`two_byte_classes`]' bits as counts to add, for every class: ten bits for each of
/// latin, arabic, cyrillic, other, persian-only and arabic-only, in that order, so that
/// one addition counts a character in every field it belongs to.
const CLASS_COUNTS: [u64; 64] = {
    let mut t = [0u64; 64];
    let mut class = 0;
    while class < 64 {
        let c = class as u8;
        let scripts = c & (LATIN | ARABIC | CYRILLIC);
        let on = [
            c & LATIN != 0,
            c & ARABIC != 0,
            c & CYRILLIC != 0,
            c & LETTER != 0 && scripts == 0,
            c & PERSIAN_ONLY != 0,
            c & ARABIC_ONLY != 0,
        ];
        let mut f = 0;
        while f < on.len() {
            if on[f] {
                t[class] |= 1 << (10 * f);
            }
            f += 1;
        }
        class += 1;
    }
    t
};

impl ScriptCensus {
    /// Count the letters of `text`: ASCII 64 bytes at a time, other characters below
    /// U+0800 through a table. Every article without a `lang` goes through the same
    /// count, as far as [`deciding`](Self::deciding) takes it.
    pub fn of(text: &str) -> Self {
        Self::count(text, false)
    }

    /// The census of as much of `text` as it takes to settle what the whole text's
    /// census says: its [`dominant`](Self::dominant) script and, in Arabic script,
    /// whether Persian-only letters outnumber Arabic-only ones. Counting stops once no
    /// rest of the text could change either (see `settled`): about 40% into most
    /// English text.
    pub fn deciding(text: &str) -> Self {
        Self::count(text, true)
    }

    /// Whether what the census says can no longer change with `rest` bytes still to
    /// count. Those bytes hold at most `rest` more Latin letters, and at most `rest / 2`
    /// of any other script (their letters take two bytes or more). Only counts grow, so
    /// the dominant script stays when it leads each other script by more than that; the
    /// Persian-or-Arabic question likewise.
    fn settled(&self, rest: usize) -> bool {
        let top = self.dominant();
        let count = |s: Script| match s {
            Script::Latin => self.latin,
            Script::Arabic => self.arabic,
            Script::Cyrillic => self.cyrillic,
            _ => self.other,
        };
        let lead = count(top);
        let ahead = [Script::Latin, Script::Arabic, Script::Cyrillic, Script::Other]
            .into_iter()
            .filter(|&s| s != top)
            .all(|s| lead > count(s) + if s == Script::Latin { rest } else { rest / 2 });
        let persian_settled = top != Script::Arabic
            || self.persian_only > self.arabic_only + rest / 2
            || self.arabic_only >= self.persian_only + rest / 2;
        lead > 0 && ahead && persian_settled
    }

    fn count(text: &str, until_settled: bool) -> Self {
        let classes = two_byte_classes();
        let mut c = ScriptCensus::default();
        let bytes = text.as_bytes();
        let mut i = 0;
        // where to ask next whether the census is settled: every 256 bytes
        let mut check = if until_settled { 256 } else { usize::MAX };
        while i < bytes.len() {
            if i >= check {
                if c.settled(bytes.len() - i) {
                    break;
                }
                check = i + 256;
            }
            // 64 ASCII bytes at a time, the bulk of Latin-script text
            if let Some(block) = bytes.get(i..i + 64) {
                let (letters, ascii) = ascii_letter_mask(block);
                if ascii {
                    c.latin += letters.count_ones() as usize;
                    i += 64;
                    continue;
                }
            }
            // else up to 64 bytes a character at a time: an ASCII letter adds one Latin
            // letter, a character of two bytes the counts of its class (see
            // `CLASS_COUNTS`), at most 64 in a ten-bit field before they are added up
            let end = bytes.len().min(i + 64);
            let mut counts = 0u64;
            while i < end {
                let b = bytes[i];
                if b < 0x80 {
                    counts += u64::from((b | 0x20).wrapping_sub(b'a') < 26);
                    i += 1;
                } else if b < 0xE0 {
                    // `text` is UTF-8: a byte below 0xE0 that is not ASCII leads two bytes
                    let next = bytes.get(i + 1).copied().unwrap_or(0);
                    let cp = (usize::from(b & 0x1F) << 6) | usize::from(next & 0x3F);
                    counts += CLASS_COUNTS[usize::from(classes[cp] & 63)];
                    i += 2;
                } else {
                    c.add_wide(text[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += usize::from(b >= 0xF0) + 3;
                }
            }
            let field = |f: u32| ((counts >> (10 * f)) & 0x3FF) as usize;
            c.latin += field(0);
            c.arabic += field(1);
            c.cyrillic += field(2);
            c.other += field(3);
            c.persian_only += field(4);
            c.arabic_only += field(5);
        }
        c
    }

    /// The script most letters are in: Arabic wins a tie, then Latin, then Cyrillic.
    pub fn dominant(&self) -> Script {
        let max = self.latin.max(self.arabic).max(self.cyrillic).max(self.other);
        if max == 0 {
            Script::Other
        } else if max == self.arabic {
            Script::Arabic
        } else if max == self.latin {
            Script::Latin
        } else if max == self.cyrillic {
            Script::Cyrillic
        } else {
            Script::Other
        }
    }

    /// A character of three or four bytes (none of them is Persian or Arabic only).
    fn add_wide(&mut self, ch: char) {
        if is_letter(ch) {
            match script_of(ch) {
                Script::Latin => self.latin += 1,
                Script::Arabic => self.arabic += 1,
                Script::Cyrillic => self.cyrillic += 1,
                _ => self.other += 1,
            }
        }
    }
}

/// A bit for each ASCII letter of 64 bytes (bit j for byte j), and whether all 64 are
/// ASCII, eight bytes at a time in a `u64`: with every byte below 0x80, adding 0x1F or 5
/// to a byte sets its high bit exactly when it is at least `a` or past `z` (after
/// folding case with 0x20), and no carry crosses into the next byte. A multiply then
/// gathers the eight high bits into one byte.
pub fn ascii_letter_mask(block: &[u8]) -> (u64, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let (mut letters, mut high) = (0u64, 0u64);
    for (k, chunk) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
        high |= x;
        let lower = x | (0x20 * ONES);
        let from_a = lower.wrapping_add((0x80 - u64::from(b'a')) * ONES);
        let past_z = lower.wrapping_add((0x80 - u64::from(b'z') - 1) * ONES);
        let is_letter = (from_a & !past_z) & (0x80 * ONES);
        letters |= ((is_letter >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    (letters, high & (0x80 * ONES) == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a census says of a text: its dominant script, and Persian over Arabic.
    fn verdict(c: &ScriptCensus) -> (Script, bool) {
        (c.dominant(), c.persian_only > c.arabic_only)
    }

    #[test]
    fn a_settled_census_says_what_the_whole_one_says() {
        let english = "The convoy left Kabul for Kandahar on Monday, officials said. ".repeat(60);
        let arabic = "غادرت القافلة كابول متجهة إلى قندهار يوم الاثنين، بحسب مسؤولين. ".repeat(60);
        let persian = "کاروان روز دوشنبه از کابل به سوی قندهار حرکت کرد، مقام‌ها گفتند. ".repeat(60);
        let russian = "Колонна вышла из Кабула в Кандагар в понедельник. ".repeat(60);
        let chinese = "车队星期一离开喀布尔前往坎大哈。".repeat(60);
        // the first `n` bytes or a little less, at a character's start
        let cut = |s: &str, n: usize| s[..(0..=n).rev().find(|&k| s.is_char_boundary(k)).unwrap()].to_string();
        let texts = [
            english.clone(),
            arabic.clone(),
            persian.clone(),
            russian.clone(),
            chinese.clone(),
            // a late majority must still win: the early part leads, but not by enough
            format!("{}{}", cut(&english, 1200), arabic),
            format!("{}{}", cut(&arabic, 2400), english),
            format!("{}{}", cut(&arabic, 3000), persian),
            format!("{}{}", cut(&persian, 3000), arabic),
            format!("{}{}", cut(&english, 2000), russian),
            format!("{english}{chinese}{chinese}{chinese}"),
            String::new(),
            "12345 ... !!!".into(),
        ];
        for text in &texts {
            assert_eq!(verdict(&ScriptCensus::deciding(text)), verdict(&ScriptCensus::of(text)), "{text:.80}");
        }
        // the demo and dev articles, whole
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for dir in [root.join("site/articles"), root.join("../shared/eval/dev/articles")] {
            for entry in std::fs::read_dir(dir).into_iter().flatten() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                assert_eq!(verdict(&ScriptCensus::deciding(&text)), verdict(&ScriptCensus::of(&text)));
            }
        }
        // and it does stop early in a long text of one script
        let long = english.repeat(10);
        assert!(ScriptCensus::deciding(&long).latin < ScriptCensus::of(&long).latin / 2);
        assert!(ScriptCensus::deciding(&russian).cyrillic < ScriptCensus::of(&russian).cyrillic);
    }
}
