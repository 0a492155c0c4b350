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

/// Render Markdown to plain text, recording where each text run came from.
pub(super) fn to_plain(body: &str, base: usize, plain: &mut String, segments: &mut Vec<Segment>) {
    let mut in_code = 0usize;
    for (event, range) in Parser::new_ext(body, MARKDOWN).into_offset_iter() {
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
}
