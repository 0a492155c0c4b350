//! JSON Lines corpora: one article per line, `{"id","title","date","lang","url","text"}`
//! (only `text` is required). Offsets of a record's mentions refer to its `text`. Part of
//! reading an article (see [`super`]).

use serde_json::Value;

use super::front_matter::{is_bidi_control, is_control, strip_controls};
use super::infer::{detect_lang, language_tag, parse_date, slugify};
use super::read::{too_large, MAX_ARTICLE_BYTES};
use super::{title_end, Article, Corrections, Field, Segment};
use crate::error::Error;
use crate::report::Diagnostic;

/// One JSON Lines corpus record.
#[derive(serde::Deserialize)]
struct CorpusLine {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    lang: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    summary: Option<String>,
    text: String,
}

/// Parse one line of a JSON Lines corpus (`line` is 1-based, for messages). Offsets of
/// its mentions refer to the `text` field.
pub fn parse_corpus_line(file: &str, line: usize, json: &str) -> Result<Article, Error> {
    if json.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(too_large(file, Some(line), json.len() as u64));
    }
    let rec: CorpusLine = serde_json::from_str(json).map_err(|e| Error::Article {
        path: file.into(),
        line: Some(line),
        message: format!("bad JSON Lines record: {}", describe(&e)),
    })?;
    let id = match &rec.id {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => format!("line-{line}"),
    };
    let path = format!("{file}#{id}");
    let mut diags = Vec::new();
    let date = rec.date.as_deref().and_then(|d| {
        let parsed = parse_date(d);
        if parsed.is_none() {
            diags.push(Diagnostic::warning(
                path.as_str(),
                Some(line),
                format!("date {d:?} is not a valid date; the event is undated"),
            ));
        }
        parsed
    });
    let mut plain = String::with_capacity(title_len(&rec) + rec.text.len());
    let mut segments = Vec::with_capacity(2);
    let mut clean = |field: &str, s: String| strip_controls(s, field, &path, Some(line), &mut diags);
    let title = clean("title", rec.title.unwrap_or_default());
    let source = rec.source.map(|s| clean("source", s));
    let url = rec.url.map(|s| clean("url", s));
    let summary = rec.summary.map(|s| clean("summary", s));
    let tags: Vec<String> = rec.tags.unwrap_or_default().into_iter().map(|t| clean("a tag", t)).collect();
    if !title.is_empty() {
        segments.push(Segment { plain: 0, src: 0, len: title.len(), exact: true, field: Field::Title });
        plain.push_str(&title);
        plain.push_str("\n\n");
    }
    segments.push(Segment { plain: plain.len(), src: 0, len: rec.text.len(), exact: true, field: Field::Body });
    plain.push_str(&rec.text);
    let lang = match rec.lang.as_deref().map(|l| (language_tag(l), l)) {
        Some((Some(tag), _)) => tag,
        Some((None, l)) if !l.trim().is_empty() => {
            let detected = detect_lang(&plain);
            let message = format!("lang {l:?} is not a language tag like \"en\" or \"fa-AF\"; using {detected:?}");
            diags.push(Diagnostic::warning(path.as_str(), Some(line), message));
            detected
        }
        _ => detect_lang(&plain),
    };
    Ok(Article {
        slug: slugify(&id),
        path,
        title: if title.is_empty() { first_line_title(&rec.text) } else { title },
        date,
        lang,
        source,
        url,
        tags,
        summary,
        corrections: Corrections::default(),
        body_markdown: rec.text.clone(),
        plain,
        title_end: title_end(&segments),
        segments,
        source_text: rec.text,
        diagnostics: diags,
    })
}

/// The bytes a record's title takes at the start of its plain text, with the blank
/// line after it (room to reserve: controls are stripped after).
fn title_len(rec: &CorpusLine) -> usize {
    rec.title.as_ref().map_or(0, |t| t.len() + 2)
}

/// A record without a title is named by its text's first line: its first 120 characters
/// that are neither bidi nor other controls.
fn first_line_title(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let strip = |c: char| is_bidi_control(c) || is_control(c);
    // most first lines have none: their first 120 characters are taken as one slice,
    // found by counting the bytes that start a character, and the characters to strip
    // are looked for only when a byte they start with is there
    let head = &line[..after_chars(line, 120)];
    // a fold with no early exit: the compiler reads it many bytes at a time
    if !head.bytes().fold(false, |seen, b| seen | may_start_a_control(b)) || !head.contains(strip) {
        return head.to_string();
    }
    line.chars().filter(|&c| !strip(c)).take(120).collect()
}

/// The byte offset after the first `n` characters of `s` (its length when it has fewer):
/// bytes that start a character are counted 32 at a time, then one at a time in the
/// block where the count passes `n`.
fn after_chars(s: &str, n: usize) -> usize {
    let bytes = s.as_bytes();
    if bytes.len() <= n {
        return bytes.len();
    }
    let (mut at, mut chars) = (0, 0);
    while let Some(block) = bytes.get(at..at + 32) {
        let starts = block.iter().filter(|&&b| !is_utf8_continuation(b)).count();
        if chars + starts > n {
            break;
        }
        chars += starts;
        at += 32;
    }
    for (i, &b) in bytes[at..].iter().enumerate() {
        if !is_utf8_continuation(b) {
            if chars == n {
                return at + i;
            }
            chars += 1;
        }
    }
    bytes.len()
}

/// Whether `b` is a UTF-8 continuation byte, the second or a later byte of a character.
fn is_utf8_continuation(b: u8) -> bool {
    (b as i8) < -0x40
}

/// Whether a character that starts with byte `b` may be one [`is_control`] or
/// [`is_bidi_control`] takes: C0 and DEL, C1 (U+0080–U+009F start with 0xC2), the bidi
/// controls (U+202A–U+206F start with 0xE2), U+FFFE and U+FFFF (with 0xEF).
fn may_start_a_control(b: u8) -> bool {
    b < 0x20 || matches!(b, 0x7F | 0xC2 | 0xE2 | 0xEF)
}

/// What is wrong with a record, in words, and the column where the parser stopped:
/// serde_json's own messages ("expected ident", "EOF while parsing an object") assume
/// one knows its grammar.
fn describe(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let message = e.to_string();
    // serde_json appends " at line L column C"; a record is one line
    let what = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
    let words = match (e.classify(), what) {
        (Category::Eof, w) => {
            let inside = [("string", "a string"), ("object", "an object"), ("list", "a list"), ("value", "a value")]
                .into_iter()
                .find(|(k, _)| w.ends_with(k))
                .map_or("the record", |(_, a)| a);
            format!("the line ends inside {inside}: the record is cut short")
        }
        (_, "expected ident") => {
            "a bare word (strings need double quotes; true, false and null are the only bare words)".into()
        }
        (_, "expected value") => {
            "no JSON value where one should be (a record is an object: {\"text\": \"...\"})".into()
        }
        (_, "trailing characters") => "more text after the record's closing brace".into(),
        (_, "key must be a string") => "a key without double quotes".into(),
        (_, "expected `:`") => "a key without a colon after it".into(),
        (_, "expected `,` or `}`") => "a comma or a closing brace is missing".into(),
        (_, "expected `,` or `]`") => "a comma or a closing bracket is missing".into(),
        (_, "invalid escape") => {
            "a backslash escape that JSON does not have (\\n, \\t, \\\", \\\\, \\uXXXX are)".into()
        }
        (_, w) if w.starts_with("control character") => {
            "a tab or line break written as it is inside a string (write \\t or \\n)".into()
        }
        (_, "missing field `text`") => "no \"text\" field (it is the one every record needs)".into(),
        (_, w) if w.starts_with("invalid type: map, expected") => format!("{w} (a record is one object, not nested)"),
        (_, w) => w.to_string(),
    };
    if e.column() > 0 {
        format!("{words} (column {})", e.column())
    } else {
        words
    }
}

/// One line of a JSON Lines corpus as [`read_record`](super::read_record) read it, as an
/// article or an error naming the line (its UTF-8, its size, its JSON).
pub fn corpus_record(name: &str, n: usize, line: Result<Vec<u8>, u64>) -> Result<Article, Diagnostic> {
    let line = line.map_err(|len| Diagnostic::from_error(too_large(name, Some(n), len), ""))?;
    // a byte-order mark may start a file's first line
    let line = if n == 1 { line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line) } else { &line };
    // validated with SIMD: a third of a tweet's bytes are Arabic, which std's check
    // reads slowly; the error says where, as std's does
    match simdutf8::compat::from_utf8(line) {
        Ok(text) => parse_corpus_line(name, n, text.trim_end()).map_err(|e| Diagnostic::from_error(e, "")),
        Err(e) => {
            Err(Diagnostic::error(name, Some(n), format!("invalid UTF-8 at byte {} of the line", e.valid_up_to())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_lines() {
        let a = parse_corpus_line("c.jsonl", 3, r#"{"id":"x1","title":"T","date":"2021-07-04","text":"In Kabul."}"#)
            .unwrap();
        assert_eq!(a.path, "c.jsonl#x1");
        let at = a.plain.find("Kabul").unwrap();
        assert_eq!(a.source_offset(at), (Field::Body, 3));
        let e = parse_corpus_line("c.jsonl", 3, "{").unwrap_err();
        assert!(e.to_string().starts_with("c.jsonl: line 3:"), "{e}");
    }

    #[test]
    fn invalid_utf8_names_its_byte() {
        for (line, at) in [(&b"{\"text\":\"\xff\"}"[..], 9), (b"{\"text\":\"\xd8\xa7\xd8\"}", 11), (b"\xc3", 0)] {
            let e = corpus_record("c.jsonl", 7, Ok(line.to_vec())).unwrap_err();
            assert_eq!(e.to_string(), format!("error: c.jsonl: line 7: invalid UTF-8 at byte {at} of the line"));
        }
        // a long line, so that the SIMD check reads whole blocks before the bad byte
        let mut long = format!("{{\"text\":\"{}", "كابول ".repeat(40)).into_bytes();
        let at = long.len();
        long.extend_from_slice(b"\xe2\x28\xa1\"}");
        let e = corpus_record("c.jsonl", 1, Ok(long)).unwrap_err();
        assert!(e.to_string().ends_with(&format!("invalid UTF-8 at byte {at} of the line")), "{e}");
    }

    #[test]
    fn after_chars_cuts_after_n_characters() {
        let texts = ["", "abc", &"aب€😀".repeat(40), &"ب".repeat(130), &"x".repeat(200), &"€".repeat(33)];
        for text in texts {
            for n in [0, 1, 2, 31, 32, 33, 64, 120, 121, 500] {
                let want = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
                assert_eq!(after_chars(text, n), want, "{n} {text:?}");
            }
        }
    }

    #[test]
    fn a_record_without_a_title_is_named_by_its_first_line() {
        let long = "ب".repeat(130);
        let (ascii, mixed) = ("x".repeat(200), "aب€😀".repeat(40));
        for (text, title) in [
            ("Kabul falls.\nThe rest.", "Kabul falls."),
            ("Kabul\r\nfalls", "Kabul"),
            ("", ""),
            (&long, &long[..240]),
            // controls go, and the 120 characters are counted without them
            ("a\u{202B}b\u{7}c\tz", "abc\tz"),
            (&format!("\u{202E}{long}"), &long[..240]),
            (&ascii, &ascii[..120]),
            (&mixed, &mixed[..300]),
            // each kind of control, by the first byte of its UTF-8
            ("a\u{85}b\u{9F}c\u{FFFE}d\u{FFFF}e\u{2069}f\u{7F}g\u{0}h", "abcdefgh"),
            ("é\u{A0}\u{2019}\u{FFFD}", "é\u{A0}\u{2019}\u{FFFD}"),
        ] {
            assert_eq!(first_line_title(text), title, "{text:?}");
        }
    }

    #[test]
    fn bad_records_are_described_in_words() {
        let said = |json: &str| parse_corpus_line("c.jsonl", 1, json).unwrap_err().to_string();
        for (json, words) in [
            (
                "nope",
                "a bare word (strings need double quotes; true, false and null are the only bare words) (column 2)",
            ),
            ("{\"text\": \"Kabul\"", "the line ends inside an object: the record is cut short"),
            ("{\"text\": \"Kab", "the line ends inside a string"),
            ("{\"text\": \"Kabul\"} x", "more text after the record's closing brace"),
            ("{text: \"Kabul\"}", "a key without double quotes (column 2)"),
            ("{\"text\" \"Kabul\"}", "a key without a colon after it"),
            ("{\"text\": \"Kabul\" \"id\": 1}", "a comma or a closing brace is missing"),
            ("{\"text\": \"Ka\\qbul\"}", "a backslash escape that JSON does not have"),
            ("{\"text\": \"Ka\tbul\"}", "a tab or line break written as it is inside a string"),
            ("{\"title\": \"Kabul\"}", "no \"text\" field"),
            ("{\"text\": 5}", "invalid type: integer `5`, expected a string"),
            ("", "the line ends inside a value"),
        ] {
            let got = said(json);
            assert!(got.contains(words), "{json:?}: {got}");
            assert!(!got.contains("expected ident") && !got.contains("EOF"), "{json:?}: {got}");
        }
    }
}
