//! Markdown to plain text: the geoparser reads what a page shows (no markup, link text
//! kept, code blocks skipped), and every run of text records where it came from in the
//! source, so that mentions point back into the file. Part of reading an article (see
//! [`super`]).

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{Field, Segment};

/// The Markdown extensions articles are read with: the ones the site renders them with
/// (`site/markdown.rs`), so that the geoparser reads what the page shows. Not
/// `Options::all()`: with every extension on, pulldown-cmark 0.12 panics on `">:\n>:\n\n"`.
const MARKDOWN: Options = Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH);

/// The deepest an article's body may nest block quotes, lists, emphasis and HTML
/// elements, together. Real articles nest a few levels; the HTML sanitiser takes time
/// quadratic in the depth (100 KB of `>` took 33 s, 500 KB of `<div>` 18 s), so a deeper
/// body is refused, with the line where it passes the limit.
pub const MAX_BODY_NESTING: usize = 64;

/// Render Markdown to plain text, recording where each text run came from. An error
/// gives the byte offset (in `body`) where it nests deeper than [`MAX_BODY_NESTING`].
pub(super) fn to_plain(
    body: &str,
    base: usize,
    plain: &mut String,
    segments: &mut Vec<Segment>,
) -> Result<(), (usize, String)> {
    let mut in_code = 0usize;
    let (mut depth, mut html_depth) = (0usize, 0usize);
    for (event, range) in Parser::new_ext(body, MARKDOWN).into_offset_iter() {
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Html(h) | Event::InlineHtml(h) => html_depth = html_nesting(h, html_depth),
            _ => {}
        }
        if depth + html_depth > MAX_BODY_NESTING {
            let what = "block quotes, lists, emphasis and HTML elements";
            return Err((range.start, format!("the body nests {what} more than {MAX_BODY_NESTING} deep")));
        }
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Text(t) | Event::Code(t) if in_code == 0 => {
                let exact = body.get(range.clone()) == Some(&*t);
                segments.push(Segment {
                    plain: plain.len(),
                    src: base + range.start,
                    len: t.len(),
                    exact,
                    field: Field::Body,
                });
                plain.push_str(&t);
            }
            Event::SoftBreak => plain.push(' '),
            Event::HardBreak => plain.push('\n'),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell | TagEnd::BlockQuote(_),
            ) => plain.push_str("\n\n"),
            _ => {}
        }
    }
    Ok(())
}

/// HTML elements that have no end tag.
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// The depth of open HTML elements after a piece of raw HTML, from `depth` before it: a
/// start tag opens one (unless void or self-closing), an end tag closes one. A scan, not
/// a parse: enough to bound what the sanitiser will build.
fn html_nesting(html: &str, mut depth: usize) -> usize {
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
        let name = &rest[..name_len];
        if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let self_closing = rest[..tag_end].ends_with('/');
        if !self_closing && !VOID.iter().any(|v| v.eq_ignore_ascii_case(name)) {
            depth += 1;
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nesting(body: &str) -> Result<(), (usize, String)> {
        to_plain(body, 0, &mut String::new(), &mut Vec::new())
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |unit: &str, n: usize| unit.repeat(n) + " Kabul\n";
        // (body, refused)
        let cases = [
            (deep(">", 20), false),
            (deep(">", 100_000), true),
            (deep("<div>", 30), false),
            (deep("<div>", 100_000), true),
            (deep("<div></div>", 100_000), false),
            (deep("<br><img src=x><hr/>", 10_000), false),
            (deep("- ", 20), false),
            (deep("- ", 1_000), true),
            (deep("*a ", 1_000), false),
            ("Kabul <b>and</b> Herat\n".repeat(1_000), false),
        ];
        for (body, refused) in cases {
            assert_eq!(nesting(&body).is_err(), refused, "{}", &body[..body.len().min(40)]);
        }
        let e = nesting(&format!("para\n\n{}", deep(">", 100))).unwrap_err();
        assert_eq!(e.0, 6 + 64, "the offset where the limit is passed, on the third line");
        assert!(e.1.contains("more than 64 deep"), "{}", e.1);
    }
}
