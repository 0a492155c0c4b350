//! Front matter: the YAML (`---`) or TOML (`+++`) block at the top of a Markdown article,
//! read into typed fields. Part of reading an article (see [`super`]).
//!
//! Every problem names its line: a syntax error stops the article (an [`Error`]); a key
//! that is unknown or of the wrong type, a bad date, or a bidi override in a one-line
//! field is a warning, and the rest of the article is still read.

use serde_json::Value;

use super::infer::parse_date;
use super::{Corrections, EventDate};
use crate::error::Error;
use crate::report::Diagnostic;

/// Explicit bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). In a
/// one-line field they can make the text after them display reversed, across the page's
/// own text ("Trojan Source" spoofing), so they are dropped from titles, tags, sources and
/// summaries, with a warning. The marks LRM, RLM and ALM, which Arabic and Persian text
/// needs, are kept, and so is the body, where a paragraph bounds their effect.
pub(super) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` without bidi controls; a warning names the field when there were some.
pub(super) fn strip_bidi(
    s: String,
    field: &str,
    path: &str,
    line: Option<usize>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    if !s.contains(is_bidi_control) {
        return s;
    }
    diags.push(Diagnostic::warning(
        path,
        line,
        format!("{field} contains bidi override or isolate characters (U+202A–U+202E, U+2066–U+2069); removed"),
    ));
    s.chars().filter(|&c| !is_bidi_control(c)).collect()
}

/// Known front-matter keys; others give a warning.
const KNOWN_KEYS: &[&str] =
    &["title", "date", "lang", "source", "url", "tags", "summary", "places", "draft", "slug", "id"];

/// An article's front matter, parsed, with the text it came from for line numbers.
#[derive(Debug, Default)]
pub(super) struct FrontMatter<'a> {
    path: &'a str,
    meta: serde_json::Map<String, Value>,
    /// The front matter's text, between the fences (empty when there is none).
    pub text: &'a str,
    /// Where the body starts in the article's text.
    pub body_start: usize,
}

impl<'a> FrontMatter<'a> {
    /// An article with no front matter.
    pub fn none(path: &'a str) -> FrontMatter<'a> {
        FrontMatter { path, ..FrontMatter::default() }
    }

    /// Split and parse the front matter of `text`, if it has any. Syntax errors name
    /// their line in the file.
    pub fn read(path: &'a str, text: &'a str) -> Result<FrontMatter<'a>, Error> {
        let err = |line: Option<usize>, message: String| Error::Article { path: path.into(), line, message };
        let Some((fmt, fm_text, first_line, body_start)) = split(text).map_err(|m| err(Some(1), m))? else {
            return Ok(FrontMatter::none(path));
        };
        let parsed = if fmt == "yaml" {
            if fm_text.trim().is_empty() {
                Ok(Value::Object(Default::default()))
            } else {
                serde_yaml_ng::from_str::<serde_yaml_ng::Value>(fm_text).map(yaml_to_json).map_err(|e| {
                    let line = e.location().map(|l| l.line() + first_line - 1);
                    // serde's own "at line N column M" counts from the front matter; drop it
                    let msg = e.to_string();
                    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                    (line, format!("YAML front matter: {msg}"))
                })
            }
        } else {
            toml::from_str::<toml::Value>(fm_text).map(toml_to_json).map_err(|e| {
                let line = e.span().map(|s| line_of(fm_text, s.start) + first_line - 1);
                // one line per diagnostic: toml's messages may run over several
                (line, format!("TOML front matter: {}", e.message().trim().replace('\n', "; ")))
            })
        };
        let meta = match parsed.map_err(|(l, m)| err(l, m))? {
            Value::Object(m) => m,
            Value::Null => Default::default(),
            _ => return Err(err(Some(first_line), "front matter must be a table of keys".into())),
        };
        Ok(FrontMatter { path, meta, text: fm_text, body_start })
    }

    /// The line of a key within the file, for diagnostics.
    fn key_line(&self, key: &str) -> Option<usize> {
        self.text
            .lines()
            .position(|l| {
                let l = l.trim_start();
                l.starts_with(key) && l[key.len()..].trim_start().starts_with([':', '='])
            })
            .map(|i| i + 2)
    }

    fn warn(&self, diags: &mut Vec<Diagnostic>, key: &str, message: String) {
        diags.push(Diagnostic::warning(self.path, self.key_line(key), message));
    }

    /// A warning for each key gazette does not know.
    pub fn warn_unknown_keys(&self, diags: &mut Vec<Diagnostic>) {
        for k in self.meta.keys() {
            if !KNOWN_KEYS.contains(&k.as_str()) {
                self.warn(diags, k, format!("unknown front-matter key {k:?} (ignored)"));
            }
        }
    }

    /// A key's value as a string (a number is written out); a warning if it is neither.
    pub fn raw_string(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
        match self.meta.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Null => None,
            other => {
                self.warn(diags, key, format!("{key} should be a string, not {other}"));
                None
            }
        }
    }

    /// A one-line field shown on pages (title, source, url, summary): [`Self::raw_string`]
    /// without bidi controls.
    pub fn string(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
        let s = self.raw_string(key, diags)?;
        Some(strip_bidi(s, key, self.path, self.key_line(key), diags))
    }

    /// The `date`, when there is one and it is valid; a warning when it is not.
    pub fn date(&self, diags: &mut Vec<Diagnostic>) -> Option<EventDate> {
        let s = self.raw_string("date", diags)?;
        let d = parse_date(&s);
        if d.is_none() {
            self.warn(
                diags,
                "date",
                format!("date {s:?} is not a valid date (YYYY-MM-DD or RFC 3339); the event is undated"),
            );
        }
        d
    }

    /// The `tags`: a list, or one string of comma- or semicolon-separated tags.
    pub fn tags(&self, diags: &mut Vec<Diagnostic>) -> Vec<String> {
        let tags = match self.meta.get("tags") {
            None => Vec::new(),
            Some(v) => string_list(v).unwrap_or_else(|| {
                self.warn(diags, "tags", "tags should be a list of strings".into());
                Vec::new()
            }),
        };
        tags.into_iter().map(|t| strip_bidi(t, "a tag", self.path, self.key_line("tags"), diags)).collect()
    }

    /// The editor's `places = { add = [...], remove = [...] }`.
    pub fn corrections(&self, diags: &mut Vec<Diagnostic>) -> Corrections {
        let mut corrections = Corrections::default();
        let Some(p) = self.meta.get("places") else { return corrections };
        match p {
            Value::Object(m) => {
                for (k, v) in m {
                    let list = string_list(v).unwrap_or_default();
                    match k.as_str() {
                        "add" => corrections.add = list,
                        "remove" => corrections.remove = list,
                        other => self.warn(diags, "places", format!("places.{other} is not add or remove (ignored)")),
                    }
                }
            }
            _ => self.warn(diags, "places", "places should be a table with add and remove lists".into()),
        }
        corrections
    }
}

/// Split front matter from the body. Returns (format, front matter text, line of its first
/// row, body byte offset), or `None` when the text has no front matter.
fn split(text: &str) -> Result<Option<(&'static str, &str, usize, usize)>, String> {
    let (fmt, fence) = if text.starts_with("---") {
        ("yaml", "---")
    } else if text.starts_with("+++") {
        ("toml", "+++")
    } else {
        return Ok(None);
    };
    let first_nl = match text.find('\n') {
        Some(i) => i,
        None => return Err(format!("unterminated {fmt} front matter: no closing {fence}")),
    };
    if text[..first_nl].trim_end() != fence {
        return Ok(None);
    }
    let mut pos = first_nl + 1;
    while pos <= text.len() {
        let end = text[pos..].find('\n').map(|i| pos + i).unwrap_or(text.len());
        let line = text[pos..end].trim_end_matches('\r');
        if line == fence || (fmt == "yaml" && line == "...") {
            let body = (end + 1).min(text.len());
            return Ok(Some((fmt, &text[first_nl + 1..pos], 2, body)));
        }
        if end == text.len() {
            break;
        }
        pos = end + 1;
    }
    Err(format!("unterminated {fmt} front matter: no closing {fence} line"))
}

fn yaml_to_json(v: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(s) => Value::Array(s.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let k = match k {
                        Y::String(s) => s,
                        other => serde_yaml_ng::to_string(&other).unwrap_or_default().trim().to_string(),
                    };
                    (k, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(t) => yaml_to_json(t.value),
    }
}

fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect()),
    }
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

fn string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(s.split([',', ';']).map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}
