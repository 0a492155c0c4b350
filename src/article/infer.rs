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
    let ascii = deunicode::deunicode(s);
    let mut out = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(80).collect();
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "article".into()
    } else if RESERVED.contains(&out.as_str()) {
        format!("{out}-article")
    } else {
        out
    }
}

/// Guess a language code from the text: script first, then common function words.
pub fn detect_lang(text: &str) -> String {
    use crate::text::{dominant_script, Script};
    match dominant_script(text) {
        Script::Arabic => {
            let persian = text.chars().filter(|c| matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ک' | 'ی')).count();
            let arabic = text.chars().filter(|c| matches!(c, 'ة' | 'ى' | 'ك' | 'ي')).count();
            if persian > arabic { "fa" } else { "ar" }.into()
        }
        Script::Cyrillic => "ru".into(),
        Script::Latin => {
            let mut score = [0usize; 3];
            for w in text.split(|c: char| !crate::text::is_letter(c)).take(2000) {
                // every function word below is ASCII and at most 4 letters; no other
                // word lower-cases to one of them
                if w.len() > 4 || !w.is_ascii() {
                    continue;
                }
                let mut lower = [0u8; 4];
                lower[..w.len()].copy_from_slice(w.as_bytes());
                lower.make_ascii_lowercase();
                match std::str::from_utf8(&lower[..w.len()]).unwrap_or("") {
                    "the" | "and" | "of" | "to" | "in" | "is" | "was" | "with" => score[0] += 1,
                    "le" | "la" | "les" | "des" | "et" | "du" | "une" | "est" | "dans" => score[1] += 1,
                    "el" | "los" | "las" | "y" | "del" | "una" | "con" | "por" | "que" => score[2] += 1,
                    _ => {}
                }
            }
            let best = (0..3).max_by_key(|&i| (score[i], usize::MAX - i)).unwrap_or(0);
            ["en", "fr", "es"][best].into()
        }
        _ => "und".into(),
    }
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
        assert_eq!(detect_lang("The city of Kabul and the province"), "en");
        assert_eq!(detect_lang("La ville de Kaboul et les provinces"), "fr");
        assert_eq!(detect_lang("Город Кабул"), "ru");
        assert_eq!(detect_lang("شهر کابل پایتخت افغانستان است"), "fa");
        assert_eq!(detect_lang("مدينة كابول عاصمة أفغانستان"), "ar");
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
