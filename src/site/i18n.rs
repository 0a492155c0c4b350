//! The interface's words in the site's language: one table per language
//! (`templates/i18n/LANG.toml`: en, ar, fa, fr, ru, es), chosen by `language` in
//! `gazette.toml`, with any string replaced by the site's own `[strings]` table.
//!
//! A message is a string with `{name}` holes, or a table of plural forms chosen by a
//! number with CLDR's rules (`intl_pluralrules`; the browser's `Intl.PluralRules` makes
//! the same choice in gazette.js). Numbers and dates are written with the language's
//! digits (Arabic-Indic for `ar`, Persian for `fa`, Latin otherwise; `digits` in
//! `gazette.toml` overrides it) and month names from the glibc locale data that chrono
//! uses (`pure-rust-locales`): `15 أغسطس 2021` → `١٥ أغسطس ٢٠٢١`. Templates call `t()`
//! and the filters `num`, `day` and `month` (registered by [`register`]); gazette.js
//! gets the same table as `static/strings.js` ([`Strings::js`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use pure_rust_locales::{locale_match, Locale};
use serde::Serialize;

/// The built-in tables: (language, TOML).
const TABLES: &[(&str, &str)] = &[
    ("en", include_str!("../../templates/i18n/en.toml")),
    ("ar", include_str!("../../templates/i18n/ar.toml")),
    ("fa", include_str!("../../templates/i18n/fa.toml")),
    ("fr", include_str!("../../templates/i18n/fr.toml")),
    ("ru", include_str!("../../templates/i18n/ru.toml")),
    ("es", include_str!("../../templates/i18n/es.toml")),
];

/// The CLDR plural categories, as the tables name them.
const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// One message: text, or its forms by plural category.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Message {
    Text(String),
    Plural(BTreeMap<String, String>),
}

/// Which digits numbers and dates are written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Digits {
    /// 0123456789
    Latn,
    /// ٠١٢٣٤٥٦٧٨٩ (U+0660…)
    Arab,
    /// ۰۱۲۳۴۵۶۷۸۹ (U+06F0…)
    Arabext,
}

impl Digits {
    pub fn parse(s: &str) -> Option<Digits> {
        match s {
            "latn" => Some(Digits::Latn),
            "arab" => Some(Digits::Arab),
            "arabext" => Some(Digits::Arabext),
            _ => None,
        }
    }
    /// What a language writes numbers with when the site does not say.
    fn of(lang: &str) -> Digits {
        match lang {
            "ar" => Digits::Arab,
            "fa" => Digits::Arabext,
            _ => Digits::Latn,
        }
    }
    /// `s` with its ASCII digits in these digits.
    pub fn apply(self, s: &str) -> String {
        let zero = match self {
            Digits::Latn => return s.to_string(),
            Digits::Arab => 0x0660,
            Digits::Arabext => 0x06F0,
        };
        s.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) if c.is_ascii_digit() => char::from_u32(zero + d).unwrap_or(c),
                _ => c,
            })
            .collect()
    }
}

/// The interface's strings for one site.
pub struct Strings {
    /// The primary language subtag whose table and rules are used (`ar` for `ar-EG`).
    pub lang: String,
    pub digits: Digits,
    messages: BTreeMap<String, Message>,
    plurals: PluralRules,
    /// Month names as dates write them (`15 августа`), and alone (`август 2021`).
    months: Vec<String>,
    months_alone: Vec<String>,
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Strings").field("lang", &self.lang).field("digits", &self.digits).finish_non_exhaustive()
    }
}

/// A table's messages, checked: every plural table has `other` and only CLDR's
/// categories. `what` names the table in errors.
fn parse_table(text: &str, what: &str) -> Result<BTreeMap<String, Message>, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| format!("{what}: {e}"))?;
    table.into_iter().map(|(k, v)| Ok((k.clone(), message(&k, v, what)?))).collect()
}

fn message(key: &str, v: toml::Value, what: &str) -> Result<Message, String> {
    match v {
        toml::Value::String(s) => Ok(Message::Text(s)),
        toml::Value::Table(t) => {
            let mut forms = BTreeMap::new();
            for (cat, form) in t {
                if !CATEGORIES.contains(&cat.as_str()) {
                    return Err(format!(
                        "{what}: `{key}` has a form `{cat}`; plural forms are {}",
                        CATEGORIES.join(", ")
                    ));
                }
                let toml::Value::String(form) = form else {
                    return Err(format!("{what}: `{key}.{cat}` must be a string"));
                };
                forms.insert(cat, form);
            }
            if !forms.contains_key("other") {
                return Err(format!("{what}: `{key}` has plural forms but no `other`"));
            }
            Ok(Message::Plural(forms))
        }
        _ => Err(format!("{what}: `{key}` must be a string or a table of plural forms")),
    }
}

/// The glibc locale whose month names the language uses.
fn locale_of(lang: &str, tag: &str) -> Locale {
    let region = tag.split(['-', '_']).nth(1).filter(|r| r.len() == 2).map(str::to_ascii_uppercase);
    let candidates = [
        region.map(|r| format!("{lang}_{r}")),
        Some(
            match lang {
                "en" => "en_GB",
                "ar" => "ar_SA",
                "fa" => "fa_IR",
                _ => "",
            }
            .to_string(),
        ),
        Some(format!("{lang}_{}", lang.to_ascii_uppercase())),
    ];
    candidates.into_iter().flatten().find_map(|c| Locale::try_from(c.as_str()).ok()).unwrap_or(Locale::en_GB)
}

impl Strings {
    /// The strings of `language` (a BCP 47 tag): its built-in table, or English's for a
    /// language without one, over English's for any key it lacks, then the site's
    /// `overrides`. An override of a key no table has is an error naming it.
    pub fn new(language: &str, digits: Option<Digits>, overrides: &toml::Table) -> Result<Strings, String> {
        let lang = language.split(['-', '_']).next().unwrap_or("en").to_ascii_lowercase();
        let builtin = |l: &str| TABLES.iter().find(|(t, _)| *t == l).map(|(_, text)| *text);
        let mut messages = parse_table(builtin("en").expect("the English table"), "templates/i18n/en.toml")?;
        if lang != "en" {
            if let Some(text) = builtin(&lang) {
                messages.extend(parse_table(text, &format!("templates/i18n/{lang}.toml"))?);
            }
        }
        for (key, value) in overrides {
            if !messages.contains_key(key) {
                return Err(format!("[strings]: no string is called `{key}` (templates/i18n/en.toml lists them)"));
            }
            messages.insert(key.clone(), message(key, value.clone(), "[strings]")?);
        }
        let id: unic_langid::LanguageIdentifier = lang.parse().unwrap_or_default();
        let plurals = PluralRules::create(id, PluralRuleType::CARDINAL)
            .or_else(|_| {
                PluralRules::create(
                    "en".parse::<unic_langid::LanguageIdentifier>().unwrap_or_default(),
                    PluralRuleType::CARDINAL,
                )
            })
            .map_err(|e| format!("plural rules: {e}"))?;
        let locale = locale_of(&lang, language);
        let months: Vec<String> = locale_match!(locale => LC_TIME::MON).iter().map(|m| m.to_string()).collect();
        let alone = locale_match!(locale => LC_TIME::ALT_MON);
        let months_alone = alone.map(|a| a.iter().map(|m| m.to_string()).collect()).unwrap_or_else(|| months.clone());
        Ok(Strings { digits: digits.unwrap_or(Digits::of(&lang)), lang, messages, plurals, months, months_alone })
    }

    /// A text message with its holes filled. A plural message gives its `other` form.
    pub fn t(&self, key: &str, args: &[(&str, &str)]) -> String {
        match self.messages.get(key) {
            Some(Message::Text(s)) => fill(s, args),
            Some(Message::Plural(forms)) => fill(&forms["other"], args),
            None => key.to_string(),
        }
    }

    /// A message in the form for `n`, with `{n}` the number in the site's digits.
    pub fn n(&self, key: &str, n: u64, args: &[(&str, &str)]) -> String {
        let num = self.num(n);
        let mut all = vec![("n", num.as_str())];
        all.extend_from_slice(args);
        match self.messages.get(key) {
            Some(Message::Plural(forms)) => {
                let cat = match self.plurals.select(n) {
                    Ok(PluralCategory::ZERO) => "zero",
                    Ok(PluralCategory::ONE) => "one",
                    Ok(PluralCategory::TWO) => "two",
                    Ok(PluralCategory::FEW) => "few",
                    Ok(PluralCategory::MANY) => "many",
                    _ => "other",
                };
                fill(forms.get(cat).unwrap_or(&forms["other"]), &all)
            }
            _ => self.t(key, &all),
        }
    }

    /// A number in the site's digits.
    pub fn num(&self, n: u64) -> String {
        self.digits.apply(&n.to_string())
    }

    /// `YYYY-MM-DD` as the language writes a day; anything else as it is.
    pub fn day(&self, iso: &str) -> String {
        let mut parts = iso.splitn(3, '-');
        let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return self.digits.apply(iso);
        };
        match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(m @ 1..=12), Ok(d)) if y.len() == 4 && d <= 31 => self
                .digits
                .apply(&fill(&self.t("date", &[]), &[("d", &d.to_string()), ("month", &self.months[m - 1]), ("y", y)])),
            _ => self.digits.apply(iso),
        }
    }

    /// `YYYY-MM` (or a longer date's month) as the language names a month of a year.
    pub fn month(&self, iso: &str) -> String {
        let (y, m) = (iso.get(..4), iso.get(5..7).and_then(|m| m.parse::<usize>().ok()));
        match (y, m) {
            (Some(y), Some(m @ 1..=12)) => {
                self.digits.apply(&fill(&self.t("month_year", &[]), &[("month", &self.months_alone[m - 1]), ("y", y)]))
            }
            _ => self.digits.apply(iso),
        }
    }

    /// `static/strings.js`: the table, the month names and the digits, for gazette.js.
    pub fn js(&self) -> String {
        #[derive(Serialize)]
        struct Js<'a> {
            lang: &'a str,
            digits: Digits,
            months: &'a [String],
            months_alone: &'a [String],
            messages: &'a BTreeMap<String, Message>,
        }
        let js = Js {
            lang: &self.lang,
            digits: self.digits,
            months: &self.months,
            months_alone: &self.months_alone,
            messages: &self.messages,
        };
        let json = serde_json::to_string(&js).expect("strings serialize").replace("</", "<\\/");
        format!("window.gazetteStrings={json};\n")
    }
}

/// `s` with each `{name}` replaced by its value; an unknown hole stays as it is.
fn fill(s: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if args.iter().any(|(k, _)| *k == name) => {
                out.push_str(args.iter().find(|(k, _)| *k == name).map(|(_, v)| *v).unwrap_or(""));
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The template functions: `t(key="…", n=…, name=…)` (any other argument fills the
/// hole of its name; numbers are written in the site's digits), and the filters
/// `num`, `day` (`YYYY-MM-DD`) and `month` (`YYYY-MM`).
pub fn register(tera: &mut tera::Tera, strings: Arc<Strings>) {
    let s = strings.clone();
    tera.register_function("t", move |args: &HashMap<String, tera::Value>| {
        let key = args
            .get("key")
            .and_then(|k| k.as_str())
            .ok_or_else(|| tera::Error::msg("t() needs key=\"…\", the name of a string"))?;
        let text = |v: &tera::Value| match v {
            tera::Value::String(x) => x.clone(),
            tera::Value::Number(n) => n.as_u64().map(|n| s.num(n)).unwrap_or_else(|| s.digits.apply(&n.to_string())),
            other => other.to_string(),
        };
        let owned: Vec<(String, String)> =
            args.iter().filter(|(k, _)| *k != "key" && *k != "n").map(|(k, v)| (k.clone(), text(v))).collect();
        let pairs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let out = match args.get("n") {
            Some(n) => {
                let n = n.as_u64().ok_or_else(|| tera::Error::msg(format!("t(key=\"{key}\"): n must be a count")))?;
                s.n(key, n, &pairs)
            }
            None => s.t(key, &pairs),
        };
        Ok(tera::Value::String(out))
    });
    let s = strings.clone();
    tera.register_filter("num", move |v: &tera::Value, _: &HashMap<String, tera::Value>| {
        Ok(tera::Value::String(match v {
            tera::Value::Number(n) => n.as_u64().map(|n| s.num(n)).unwrap_or_else(|| s.digits.apply(&n.to_string())),
            tera::Value::String(x) => s.digits.apply(x),
            other => s.digits.apply(&other.to_string()),
        }))
    });
    let s = strings.clone();
    tera.register_filter("day", move |v: &tera::Value, _: &HashMap<String, tera::Value>| {
        Ok(tera::Value::String(v.as_str().map(|d| s.day(d)).unwrap_or_default()))
    });
    let s = strings;
    tera.register_filter("month", move |v: &tera::Value, _: &HashMap<String, tera::Value>| {
        Ok(tera::Value::String(v.as_str().map(|d| s.month(d)).unwrap_or_default()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(lang: &str) -> Strings {
        Strings::new(lang, None, &toml::Table::new()).unwrap()
    }

    #[test]
    fn every_table_has_every_english_key_and_nothing_else() {
        let en = parse_table(TABLES[0].1, "en").unwrap();
        for (lang, text) in &TABLES[1..] {
            let t = parse_table(text, lang).unwrap();
            let missing: Vec<&String> = en.keys().filter(|k| !t.contains_key(*k)).collect();
            let extra: Vec<&String> = t.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(missing.is_empty() && extra.is_empty(), "{lang}: missing {missing:?}, unknown {extra:?}");
            // a plural table in one language is a plural table in all
            for (k, m) in &t {
                assert_eq!(matches!(m, Message::Plural(_)), matches!(en[k], Message::Plural(_)), "{lang}: {k}");
            }
        }
    }

    #[test]
    fn every_language_credits_the_data_as_its_licences_ask() {
        // the English footer is the credit `gazette about` prints; the others translate it
        assert_eq!(strings("en").t("credits", &[]), crate::gazetteer::ATTRIBUTION);
        for (lang, _) in TABLES {
            let c = strings(lang).t("credits", &[]);
            for must in ["GeoNames", "CC BY 4.0", "CLDR", "wordfreq", "CC BY-SA 4.0", "airportsdata"] {
                assert!(c.contains(must), "{lang}: the credits lack {must}");
            }
        }
    }

    #[test]
    fn plurals_follow_each_language() {
        let cases: &[(&str, u64, &str)] = &[
            ("en", 1, "1 event"),
            ("en", 2, "2 events"),
            ("en", 0, "0 events"),
            ("fr", 0, "0 événement"),
            ("fr", 2, "2 événements"),
            ("ru", 1, "1 событие"),
            ("ru", 3, "3 события"),
            ("ru", 5, "5 событий"),
            ("ru", 21, "21 событие"),
            ("es", 1, "1 evento"),
            ("es", 7, "7 eventos"),
            ("ar", 1, "حدث واحد"),
            ("ar", 2, "حدثان"),
            ("ar", 3, "٣ أحداث"),
            ("ar", 11, "١١ حدثًا"),
            ("ar", 100, "١٠٠ حدث"),
            ("fa", 12, "۱۲ رویداد"),
        ];
        for &(lang, n, want) in cases {
            assert_eq!(strings(lang).n("events", n, &[]), want, "{lang} {n}");
        }
    }

    #[test]
    fn dates_in_the_language_and_its_digits() {
        let cases: &[(&str, &str, &str, &str)] = &[
            ("en", "2021-08-15", "15 August 2021", "August 2021"),
            ("fr", "2021-08-15", "15 août 2021", "août 2021"),
            ("es", "2021-08-15", "15 de agosto de 2021", "agosto de 2021"),
            // a day takes the genitive, a month alone the nominative
            ("ru", "2021-08-15", "15 августа 2021", "Август 2021"),
            ("ar", "2021-08-15", "١٥ أغسطس ٢٠٢١", "أغسطس ٢٠٢١"),
            ("fa", "2021-08-15", "۱۵ اوت ۲۰۲۱", "اوت ۲۰۲۱"),
            ("en-US", "2021-01-02", "2 January 2021", "January 2021"),
        ];
        for &(lang, iso, day, month) in cases {
            let s = strings(lang);
            assert_eq!(s.day(iso), day, "{lang}");
            assert_eq!(s.month(iso), month, "{lang}");
        }
        // not a date: as it is, in the digits
        assert_eq!(strings("ar").day("2021"), "٢٠٢١");
    }

    #[test]
    fn a_site_overrides_a_string_and_chooses_its_digits() {
        let mut o = toml::Table::new();
        o.insert("nav_map".into(), "Carte interactive".into());
        let s = Strings::new("fr", None, &o).unwrap();
        assert_eq!(s.t("nav_map", &[]), "Carte interactive");
        assert_eq!(s.t("nav_archive", &[]), "Archives");
        let latin = Strings::new("ar", Some(Digits::Latn), &toml::Table::new()).unwrap();
        assert_eq!(latin.n("events", 12, &[]), "12 حدثًا");
        // a language without a table reads English, with its own plural rules
        assert_eq!(strings("de").n("events", 2, &[]), "2 events");
        o.insert("nav_mpa".into(), "typo".into());
        let e = Strings::new("fr", None, &o).unwrap_err();
        assert!(e.contains("nav_mpa"), "{e}");
        let mut bad = toml::Table::new();
        bad.insert("events".into(), toml::Value::Table(toml::toml! { one = "{n} thing" }));
        assert!(Strings::new("en", None, &bad).unwrap_err().contains("no `other`"));
    }

    #[test]
    fn holes_are_filled_by_name() {
        assert_eq!(fill("{a} and {b}", &[("a", "x"), ("b", "y")]), "x and y");
        assert_eq!(fill("{a} {unknown} {", &[("a", "x")]), "x {unknown} {");
        assert_eq!(
            strings("en").t("status_range", &[("events", "3 events"), ("from", "a"), ("to", "b")]),
            "3 events, a to b."
        );
    }
}
