//! Reading articles: the first stage of the pipeline.
//!
//! An article is a Markdown file with YAML (`---`) or TOML (`+++`) front matter, a plain
//! text file (its first non-empty line is the title), or one line of a JSON Lines corpus
//! (`{"id","title","date","lang","url","text"}`). Reading turns each into an [`Article`]:
//! the front matter as typed fields, and the text to geoparse (title, then body as plain
//! text via pulldown-cmark: no markup, link text kept, code blocks skipped) with a map from
//! every plain-text byte back to the source it came from.
//!
//! Problems that leave the article usable (an unknown key, a bad date) become
//! [`Diagnostic`] warnings on the article; problems that make it unreadable are errors.

mod front_matter;
mod infer;
mod jsonl;
mod markdown;
mod read;

pub use infer::{detect_lang, language_tag, parse_date, slugify};
pub use jsonl::{corpus_record, parse_corpus_line};
pub use read::{collect_paths, decode, read_file, read_record, too_large, MAX_ARTICLE_BYTES};

use crate::error::Error;
use crate::report::Diagnostic;
use front_matter::{strip_controls, FrontMatter};

/// An editor's corrections for one article: places to pin or to drop, by name or
/// GeoNames id (`places = { add = ["Panjwayi"], remove = ["Medina"] }`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Corrections {
    /// Places to pin: names (looked up as `gazette lookup` does) or GeoNames ids.
    pub add: Vec<String>,
    /// Places to drop: names (canonical or as matched) or GeoNames ids.
    pub remove: Vec<String>,
}

/// The article's date as written in front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDate {
    /// `YYYY-MM-DD`, the calendar date as written (no time-zone shift).
    pub date: String,
    /// RFC 3339 date-time when a time was given, with its offset if it had one.
    pub datetime: Option<String>,
}

/// Which part of the source a stretch of plain text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The front-matter title (or a corpus record's `title`).
    Title,
    /// The body: Markdown, plain text, or a corpus record's `text`.
    Body,
}

/// A stretch of plain text and where it lies in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    plain: usize,
    src: usize,
    len: usize,
    /// The plain bytes equal the source bytes, so offsets inside map one to one.
    exact: bool,
    field: Field,
}

/// One article, read and ready to geoparse.
#[derive(Debug, Clone)]
pub struct Article {
    /// The input path as given (or `corpus.jsonl#id` for a corpus line).
    pub path: String,
    /// URL-safe, unique within one run.
    pub slug: String,
    /// From front matter, else the first non-empty line (or the file's stem).
    pub title: String,
    /// From front matter; `None` when missing or invalid (with a warning).
    pub date: Option<EventDate>,
    /// ISO 639-1 code, from front matter or detected.
    pub lang: String,
    /// Who published it, from front matter.
    pub source: Option<String>,
    /// Where it was published, from front matter.
    pub url: Option<String>,
    /// From front matter, in order.
    pub tags: Vec<String>,
    /// A one-paragraph summary, from front matter.
    pub summary: Option<String>,
    /// An editor's pinned and dropped places.
    pub corrections: Corrections,
    /// The Markdown body (front matter removed), for rendering.
    pub body_markdown: String,
    /// Title and body as plain text, the geoparser's input.
    pub plain: String,
    segments: Vec<Segment>,
    /// See [`Self::title_len`]: kept, so that no reader walks the segments for it.
    title_end: usize,
    /// The text offsets refer to: the file as read, or the corpus line's `text`.
    pub source_text: String,
    /// Warnings found while reading it (errors stop the article instead).
    pub diagnostics: Vec<Diagnostic>,
}

impl Article {
    /// Map a byte offset in [`Self::plain`] to (field, byte offset in the source). The
    /// offset is always on a character boundary of [`Self::source_text`].
    pub fn source_offset(&self, plain: usize) -> (Field, usize) {
        let (field, src, _) = self.locate(plain);
        (field, src)
    }

    /// Where a plain-text byte comes from: (field, source offset, whether the byte lies
    /// inside an exact segment, where the bytes from there on are the source's own).
    fn locate(&self, plain: usize) -> (Field, usize, bool) {
        let i = self.segments.partition_point(|s| s.plain <= plain).saturating_sub(1);
        match self.segments.get(i) {
            // text before the first segment (a list's synthetic line break) maps to its start
            Some(s) if plain < s.plain => (s.field, s.src, false),
            Some(s) if s.exact => (s.field, s.src + (plain - s.plain).min(s.len), plain - s.plain < s.len),
            Some(s) => (s.field, s.src, false),
            None => (Field::Body, 0, false),
        }
    }

    /// Map a half-open byte span of [`Self::plain`] to the source: (field, start, end).
    /// The end is taken from the segment holding the span's last byte, so a span that ends
    /// where markup begins (`**Kabul**`) does not swallow the markup. Both ends are on
    /// character boundaries of [`Self::source_text`] (the event stage slices it with them).
    pub fn source_span(&self, start: usize, end: usize) -> (Field, usize, usize) {
        let (field, s) = self.source_offset(start);
        if end <= start {
            return (field, s, s);
        }
        let last_len = self.plain[..end].chars().next_back().map_or(1, char::len_utf8);
        let (_, last, inside) = self.locate(end - last_len);
        // Past an exact segment (a line break the plain text added) or in a rewritten one
        // (`&amp;`, a YAML escape) the last character has no bytes of its own in the
        // source: end after the source character where it maps instead.
        let end = if inside {
            last + last_len
        } else {
            last + self.source_text[last..].chars().next().map_or(0, char::len_utf8)
        };
        (field, s, end.max(s))
    }

    /// Byte offset of the title within [`Self::plain`]'s end (the body starts after it).
    pub fn title_len(&self) -> usize {
        self.title_end
    }
}

/// Where the title's segments, which come first, end in the plain text.
fn title_end(segments: &[Segment]) -> usize {
    segments.iter().take_while(|s| s.field == Field::Title).map(|s| s.plain + s.len).max().unwrap_or(0)
}

/// Parse an article from its text. `markdown` is false for plain-text files; `stem` is
/// the file name without its extension, the slug and title of last resort.
///
/// ```
/// let text = "---\ntitle: Kabul falls\ndate: 2021-08-15\n---\nThe Taliban entered **Kabul**.\n";
/// let a = gazette::article::parse("kabul.md", "kabul", text.to_string(), true).unwrap();
/// assert_eq!(a.title, "Kabul falls");
/// assert_eq!(a.plain, "Kabul falls\n\nThe Taliban entered Kabul.\n\n");
/// assert_eq!(a.lang, "en");
/// ```
pub fn parse(path: &str, stem: &str, text: String, markdown: bool) -> Result<Article, Error> {
    if text.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(read::too_large(path, None, text.len() as u64));
    }
    let mut diags = Vec::new();
    let fm = if markdown { FrontMatter::read(path, &text)? } else { FrontMatter::none(path) };
    // the fields are read in this order, and their warnings come in it
    fm.warn_unknown_keys(&mut diags);
    let title = fm.string("title", &mut diags);
    let date = fm.date(&mut diags);
    let tags = fm.tags(&mut diags);
    let corrections = fm.corrections(&mut diags);

    // the plain text: title first, then the body
    let body = &text[fm.body_start..];
    let mut plain = String::new();
    let mut segments = Vec::new();
    let title = match title {
        Some(t) => {
            let t = t.trim().to_string();
            segments.push(title_segment(&text, fm.text, &t));
            plain.push_str(&t);
            plain.push_str("\n\n");
            t
        }
        None => first_line_title(body, stem, path, &mut diags),
    };
    if markdown {
        markdown::to_plain(body, fm.body_start, &mut plain, &mut segments).map_err(|(at, message)| {
            let line = text[..fm.body_start + at].bytes().filter(|&b| b == b'\n').count() + 1;
            Error::Article { path: path.into(), line: Some(line), message }
        })?;
    } else {
        segments.push(Segment {
            plain: plain.len(),
            src: fm.body_start,
            len: body.len(),
            exact: true,
            field: Field::Body,
        });
        plain.push_str(body);
    }
    if body.trim().is_empty() {
        diags.push(Diagnostic::warning(path, None, "the article has no body text"));
    }

    let lang = match fm.raw_string("lang", &mut diags).map(|l| (language_tag(&l), l)) {
        Some((Some(tag), _)) => tag,
        Some((None, l)) => {
            let detected = detect_lang(&plain);
            if !l.trim().is_empty() {
                let message = format!("lang {l:?} is not a language tag like \"en\" or \"fa-AF\"; using {detected:?}");
                diags.push(Diagnostic::warning(path, fm.line_of_key("lang"), message));
            }
            detected
        }
        None => detect_lang(&plain),
    };
    let slug = match fm.raw_string("slug", &mut diags) {
        Some(s) => slugify(&s),
        None => slugify(stem),
    };
    let source = fm.string("source", &mut diags);
    let url = fm.string("url", &mut diags);
    let summary = fm.string("summary", &mut diags);
    let body_markdown = body.to_string();
    Ok(Article {
        path: path.into(),
        slug,
        title,
        date,
        lang,
        source,
        url,
        tags,
        summary,
        corrections,
        body_markdown,
        plain,
        title_end: title_end(&segments),
        segments,
        source_text: text,
        diagnostics: diags,
    })
}

/// Where a front-matter title is written in the file: its own bytes when found there,
/// else (an escaped or folded YAML string) the start of the front matter.
fn title_segment(text: &str, fm_text: &str, title: &str) -> Segment {
    let fm_start = if fm_text.is_empty() { 0 } else { text.find(fm_text).unwrap_or(0) };
    match fm_text.find(title).filter(|_| !title.is_empty()) {
        Some(i) => Segment { plain: 0, src: fm_start + i, len: title.len(), exact: true, field: Field::Title },
        None => Segment { plain: 0, src: fm_start, len: title.len(), exact: false, field: Field::Title },
    }
}

/// The title of an article without one in front matter: its first non-empty line (a
/// Markdown heading's text), at most 200 characters, or else the file's stem. It stays
/// part of the body's text, so it has no segment of its own.
fn first_line_title(body: &str, stem: &str, path: &str, diags: &mut Vec<Diagnostic>) -> String {
    let first = body.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let first = first.trim_start_matches('#').trim();
    let t: String = first.chars().take(200).collect();
    let t = strip_controls(t, "the title (first line)", path, None, diags);
    if t.is_empty() {
        stem.to_string()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> Article {
        parse("t.md", "t", text.to_string(), true).unwrap()
    }

    #[test]
    fn yaml_front_matter() {
        let a = md("---\ntitle: Kabul falls\ndate: 2021-08-15\nlang: en\ntags: [afghanistan, kabul]\n---\nThe Taliban entered **Kabul**.\n");
        assert_eq!(a.title, "Kabul falls");
        assert_eq!(a.date.as_ref().unwrap().date, "2021-08-15");
        assert_eq!(a.tags, ["afghanistan", "kabul"]);
        assert_eq!(a.plain, "Kabul falls\n\nThe Taliban entered Kabul.\n\n");
        // offsets map back into the file, front matter included
        let at = a.plain.rfind("Kabul").unwrap();
        let (field, src) = a.source_offset(at);
        assert_eq!(field, Field::Body);
        assert_eq!(&a.source_text[src..src + 5], "Kabul");
        let (field, src) = a.source_offset(0);
        assert_eq!(field, Field::Title);
        assert_eq!(&a.source_text[src..src + 5], "Kabul");
    }

    #[test]
    fn toml_front_matter_with_datetime_and_corrections() {
        let a = md("+++\ntitle = \"سقوط كابول\"\ndate = 2021-08-15T18:30:00+04:30\nplaces = { add = [\"Panjwayi\"], remove = [\"Medina\", 109223] }\n+++\nنص\n");
        let d = a.date.unwrap();
        assert_eq!(d.date, "2021-08-15");
        assert_eq!(d.datetime.as_deref(), Some("2021-08-15T18:30:00+04:30"));
        assert_eq!(a.corrections.add, ["Panjwayi"]);
        assert_eq!(a.corrections.remove, ["Medina", "109223"]);
        assert_eq!(a.lang, "ar");
    }

    #[test]
    fn code_blocks_skipped_link_text_kept() {
        let a = md("See [Kandahar](https://example.org/k).\n\n```\nParis\n```\n");
        assert!(a.plain.contains("Kandahar"));
        assert!(!a.plain.contains("Paris"));
        assert!(!a.plain.contains("example.org"));
    }

    #[test]
    fn bad_dates_and_keys_warn_with_lines() {
        let a = md("---\ntitle: x\nauthor: me\ndate: 2021-13-01\n---\nbody\n");
        assert!(a.date.is_none());
        let msgs: Vec<String> = a.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(msgs.iter().any(|m| m.contains("line 3") && m.contains("author")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("line 4") && m.contains("2021-13-01")), "{msgs:?}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = parse("t.md", "t", "---\ntitle: x\ntags: [a, b\n---\nbody".into(), true).unwrap_err();
        let m = e.to_string();
        assert!(m.starts_with("t.md: line "), "{m}");
        let e = parse("t.md", "t", "+++\ntitle = \"x\"\ndate = \n+++\n".into(), true).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = parse("t.md", "t", "---\ntitle: x\n".into(), true).unwrap_err();
        assert!(e.to_string().contains("unterminated"), "{e}");
    }

    #[test]
    fn bidi_overrides_are_dropped_from_one_line_fields() {
        let a = md("---\ntitle: \"Kabul \u{202E}gnp.exe\"\ntags: [\"\u{2067}x\u{2069}\"]\nsource: \"مصدر\u{200F}\"\n---\nbody \u{202E}kept\n");
        assert_eq!(a.title, "Kabul gnp.exe");
        assert_eq!(a.tags, ["x"]);
        assert_eq!(a.source.as_deref(), Some("مصدر\u{200F}"), "RLM is a mark, not an override");
        assert!(a.body_markdown.contains('\u{202E}'));
        let msgs: Vec<String> = a.diagnostics.iter().map(|d| d.to_string()).collect();
        assert!(msgs.iter().any(|m| m.contains("line 2: title contains bidi")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("line 3: a tag contains bidi")), "{msgs:?}");
    }

    /// Every plain-text span maps inside the source, on character boundaries.
    #[track_caller]
    fn spans_stay_in_the_source(a: &Article) {
        let bounds: Vec<usize> = a.plain.char_indices().map(|(i, _)| i).chain([a.plain.len()]).collect();
        for w in bounds.windows(2) {
            let (_, s, e) = a.source_span(w[0], w[1]);
            assert!(s <= e && e <= a.source_text.len(), "{:?}: {s}..{e}", &a.plain[w[0]..w[1]]);
            assert!(a.source_text.is_char_boundary(s) && a.source_text.is_char_boundary(e), "{s}..{e}");
        }
    }

    #[test]
    fn spans_past_a_segment_stay_in_the_source() {
        // found by fuzzing: the "\n\n" after the last paragraph mapped one byte past the end
        spans_stay_in_the_source(&md("Gransish ip;lGransish ieavep leave Odesa\n\nThrebul on Mon"));
        // a rewritten title maps to the start of the front matter, here a 2-byte letter
        spans_stay_in_the_source(&md("---\nملاحظة: x\ntitle: 'Kabul''s fall'\n---\nbody\n"));
        spans_stay_in_the_source(&md("- \n- Kabul &amp; Herat’s\n"));
        spans_stay_in_the_source(&parse("t.txt", "t", "Odesa é".into(), false).unwrap());
        // found by fuzzing: these panicked inside pulldown-cmark with every extension on
        spans_stay_in_the_source(&md(">:\n>:\n\n"));
        spans_stay_in_the_source(&md("\r>:\r>:"));
    }

    #[test]
    fn plain_text_title_is_first_line() {
        let a = parse("t.txt", "t", "\nOdesa grain ships\nBody here.".into(), false).unwrap();
        assert_eq!(a.title, "Odesa grain ships");
        assert_eq!(a.plain, "\nOdesa grain ships\nBody here.");
        assert_eq!(a.source_offset(1), (Field::Body, 1));
    }
}
