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

/// Control characters that XML 1.0 forbids or HTML reports as errors: C0 but tab, line
/// feed and carriage return, DEL and C1, and the noncharacters U+FFFE and U+FFFF. One in a
/// title would make `atom.xml` not well-formed, and every reader would drop the feed.
pub(super) fn is_control(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0B' | '\x0C' | '\x0E'..='\x1F' | '\x7F'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// `s` without bidi controls and control characters; a warning names the field for each
/// kind it had.
pub(super) fn strip_controls(
    s: String,
    field: &str,
    path: &str,
    line: Option<usize>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let (bidi, control) = (s.contains(is_bidi_control), s.contains(is_control));
    if !bidi && !control {
        return s;
    }
    if bidi {
        diags.push(Diagnostic::warning(
            path,
            line,
            format!("{field} contains bidi override or isolate characters (U+202A–U+202E, U+2066–U+2069); removed"),
        ));
    }
    if control {
        diags.push(Diagnostic::warning(
            path,
            line,
            format!("{field} contains control characters (U+0000–U+001F, U+007F–U+009F) that XML forbids; removed"),
        ));
    }
    s.chars().filter(|&c| !is_bidi_control(c) && !is_control(c)).collect()
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
                check_nesting(fm_text, "YAML").map_err(|(l, m)| (Some(l + first_line - 1), m)).and_then(|()| {
                    yaml_value(fm_text).map_err(|e| {
                        let line = e.location().map(|l| l.line() + first_line - 1);
                        // serde's own "at line N column M" counts from the front matter; drop it
                        let msg = e.to_string();
                        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                        (line, format!("YAML front matter: {msg}"))
                    })
                })
            }
        } else {
            check_nesting(fm_text, "TOML").map_err(|(l, m)| (Some(l + first_line - 1), m)).and_then(|()| {
                toml::from_str::<toml::Value>(fm_text).map(toml_to_json).map_err(|e| {
                    let line = e.span().map(|s| line_of(fm_text, s.start) + first_line - 1);
                    // one line per diagnostic: toml's messages may run over several
                    (line, format!("TOML front matter: {}", e.message().trim().replace('\n', "; ")))
                })
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

    /// The line of a key within the file, for diagnostics made elsewhere.
    pub fn line_of_key(&self, key: &str) -> Option<usize> {
        self.key_line(key)
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
    /// without bidi controls and control characters.
    pub fn string(&self, key: &str, diags: &mut Vec<Diagnostic>) -> Option<String> {
        let s = self.raw_string(key, diags)?;
        Some(strip_controls(s, key, self.path, self.key_line(key), diags))
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
        tags.into_iter().map(|t| strip_controls(t, "a tag", self.path, self.key_line("tags"), diags)).collect()
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

/// The deepest nesting of flow collections (`[`, `{`) front matter may have. Real front
/// matter nests two or three deep; the YAML parser takes time quadratic in the depth
/// (200 KB of `[` took 27 s), so deeper text is refused before it is parsed.
pub const MAX_NESTING: usize = 64;

/// How many bytes of strings front matter may expand to beyond its own length. YAML
/// aliases repeat an anchored value wherever they appear (`*a`); a 100 KB string aliased
/// 10,000 times would be a gigabyte, so the expansion is counted as it is read and
/// stopped at this budget.
pub const MAX_EXPANSION: usize = 1 << 20;

/// Refuse front matter whose flow collections nest deeper than [`MAX_NESTING`]: a linear
/// scan of the brackets outside quotes and comments. The error names the line (counted
/// from the front matter's first line) where the limit is passed.
fn check_nesting(text: &str, format: &str) -> Result<(), (usize, String)> {
    let (mut depth, mut line) = (0usize, 1usize);
    let mut quote: Option<char> = None;
    let mut prev = '\n';
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, '\n') => {
                line += 1;
                // a single-quoted YAML string may span lines; a TOML one may not
                if format == "TOML" && quote == Some('\'') {
                    quote = None;
                }
            }
            // an escape: the next character is taken as it is
            (Some('"'), '\\') => line += usize::from(chars.next() == Some('\n')),
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if prev.is_whitespace() || matches!(prev, '[' | '{' | ',' | ':' | '=') => {
                quote = Some(c)
            }
            (None, '#') if prev.is_whitespace() => {
                // a comment runs to the end of the line
                if chars.by_ref().any(|c| c == '\n') {
                    line += 1;
                }
                prev = '\n';
                continue;
            }
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err((
                        line,
                        format!("{format} front matter nests lists or tables more than {MAX_NESTING} deep"),
                    ));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    Ok(())
}

/// Parse YAML front matter into JSON values, counting the bytes its strings expand to
/// (see [`MAX_EXPANSION`]).
fn yaml_value(text: &str) -> Result<Value, serde_yaml_ng::Error> {
    use serde::de::DeserializeSeed;
    let budget = std::cell::Cell::new(text.len() + MAX_EXPANSION);
    let de = serde_yaml_ng::Deserializer::from_str(text);
    Bounded(&budget).deserialize(de)
}

/// A [`Value`] read through serde whose strings and nodes are charged to a budget of bytes.
struct Bounded<'b>(&'b std::cell::Cell<usize>);

impl Bounded<'_> {
    fn charge<E: serde::de::Error>(&self, bytes: usize) -> Result<(), E> {
        // every node costs something, so that a billion empty aliases add up too
        let cost = bytes + 8;
        match self.0.get().checked_sub(cost) {
            Some(left) => {
                self.0.set(left);
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "aliases expand it to more than {} MiB (a YAML alias bomb?)",
                MAX_EXPANSION >> 20
            ))),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Bounded<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Bounded<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a YAML value")
    }
    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Bool(b))
    }
    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::from(n))
    }
    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::from(n))
    }
    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Value, E> {
        self.charge(0)?;
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Value, E> {
        self.charge(s.len())?;
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Value, E> {
        self.charge(s.len())?;
        Ok(Value::String(s))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.charge(0)?;
        Ok(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.charge(0)?;
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Bounded(self.0))? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.charge(0)?;
        let mut out = serde_json::Map::new();
        while let Some(k) = map.next_key_seed(Bounded(self.0))? {
            let k = match k {
                Value::String(s) => s,
                Value::Null => "null".to_owned(),
                other => other.to_string(),
            };
            out.insert(k, map.next_value_seed(Bounded(self.0))?);
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // a tagged value (`!tag value`): the tag is dropped, the value kept
        use serde::de::VariantAccess;
        let (_tag, variant): (serde::de::IgnoredAny, _) = data.variant()?;
        variant.newtype_variant_seed(self)
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
