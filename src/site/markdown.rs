//! An article's Markdown body as safe HTML, with the places it names linked to their pages.
//!
//! pulldown-cmark renders; before it does, place names in text (not in links, code or raw
//! HTML) become `<a class="place">` links. Then ammonia sanitises the whole result, so
//! raw HTML in an article (`<script>`, `onerror=`, `javascript:` links) never reaches a
//! page. Headings move down one level: the page's `<h1>` is the article's title.
//!
//! Mentions carry offsets into the article's plain text, not into the Markdown, so links
//! are placed by surface form: every whole-word occurrence of a name the geoparser
//! resolved in this article (longest name first) links to that place.

use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A name as written in the article, and the page it links to (relative to the page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceLink {
    pub text: String,
    pub href: String,
}

/// The sanitiser, built once per build and shared between threads.
pub struct Sanitizer(ammonia::Builder<'static>);

impl Default for Sanitizer {
    fn default() -> Self {
        let mut b = ammonia::Builder::default();
        b.allowed_classes(HashMap::from([("a", HashSet::from(["place"]))]));
        b.link_rel(Some("noopener noreferrer"));
        Sanitizer(b)
    }
}

impl Sanitizer {
    /// Render Markdown to sanitised HTML, linking `links`.
    pub fn render(&self, markdown: &str, links: &[PlaceLink]) -> String {
        let mut links: Vec<&PlaceLink> = links.iter().filter(|l| !l.text.trim().is_empty()).collect();
        links.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.text.cmp(&b.text)));
        links.dedup_by(|a, b| a.text == b.text);

        let names = Names::new(&links);
        let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        let mut events: Vec<Event> = Vec::new();
        let mut in_link = 0usize;
        let mut in_code = 0usize;
        for ev in Parser::new_ext(markdown, opts) {
            match ev {
                Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                    events.push(Event::Start(Tag::Heading { level: lower(level), id, classes, attrs }))
                }
                Event::End(TagEnd::Heading(level)) => events.push(Event::End(TagEnd::Heading(lower(level)))),
                Event::Start(Tag::Link { .. }) | Event::Start(Tag::Image { .. }) => {
                    in_link += 1;
                    events.push(ev);
                }
                Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                    in_link = in_link.saturating_sub(1);
                    events.push(ev);
                }
                Event::Start(Tag::CodeBlock(_)) => {
                    in_code += 1;
                    events.push(ev);
                }
                Event::End(TagEnd::CodeBlock) => {
                    in_code = in_code.saturating_sub(1);
                    events.push(ev);
                }
                Event::Text(t) if in_link == 0 && in_code == 0 && !links.is_empty() => {
                    link_text(t, &names, &links, &mut events)
                }
                other => events.push(other),
            }
        }
        let mut html = String::with_capacity(markdown.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        self.0.clean(&html).to_string()
    }
}

fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// How an article's link names are found in its text: every occurrence of every name,
/// overlapping ones too, as (start, end, index of the name).
enum Names {
    /// A few names (most articles), each searched for on its own: building an automaton
    /// would cost more than searching the text a few times.
    Few(Vec<memchr::memmem::Finder<'static>>),
    /// One automaton for many names: linking stays linear in the text, not text × names
    /// (an NFA: a DFA searches a little faster but costs more to build than one
    /// article's text takes to search).
    Many(Option<AhoCorasick>),
}

/// Names up to which each is searched for on its own.
const FEW_NAMES: usize = 12;

impl Names {
    fn new(links: &[&PlaceLink]) -> Names {
        if links.len() <= FEW_NAMES {
            return Names::Few(
                links.iter().map(|l| memchr::memmem::Finder::new(l.text.as_bytes()).into_owned()).collect(),
            );
        }
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .build(links.iter().map(|l| l.text.as_str()))
            .ok();
        Names::Many(ac)
    }

    fn find(&self, s: &str, mut found: impl FnMut(usize, usize, usize)) {
        match self {
            Names::Few(finders) => {
                for (k, f) in finders.iter().enumerate() {
                    let n = f.needle().len();
                    let mut from = 0;
                    // overlapping: the next search starts one byte after the last match's
                    // start (a match of UTF-8 in UTF-8 can only start on a character)
                    while let Some(i) = f.find(&s.as_bytes()[from..]) {
                        found(from + i, from + i + n, k);
                        from += i + 1;
                    }
                }
            }
            Names::Many(Some(ac)) => {
                for m in ac.find_overlapping_iter(s) {
                    found(m.start(), m.end(), m.pattern().as_usize());
                }
            }
            Names::Many(None) => {}
        }
    }
}

/// Split one text event around whole-word occurrences of the link names: at each place
/// a word starts, the longest name that ends a word there. `names` finds every
/// occurrence of every name (`links`, in their order).
fn link_text<'a>(text: CowStr<'a>, names: &Names, links: &[&PlaceLink], out: &mut Vec<Event<'a>>) {
    let s: &str = &text;
    let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    // a name starts a word, or follows the Arabic conjunction و or ف written onto it
    // (`هرات وقندهار`: the link is on قندهار, as the reader sees the name)
    let starts_word = |start: usize| {
        let mut before = s[..start].chars().rev();
        match before.next() {
            Some('و' | 'ف') => !is_word(before.next()),
            c => !is_word(c),
        }
    };
    // whole-word occurrences, by start, the longest first
    let mut found: Vec<(usize, usize, usize)> = Vec::new();
    names.find(s, |start, end, k| {
        if starts_word(start) && !is_word(s[end..].chars().next()) {
            found.push((start, end, k));
        }
    });
    found.sort_unstable_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    let mut pieces: Vec<(usize, usize, &PlaceLink)> = Vec::new();
    let mut at = 0;
    for (start, end, link) in found {
        if start >= at {
            pieces.push((start, end, links[link]));
            at = end;
        }
    }
    if pieces.is_empty() {
        out.push(Event::Text(text));
        return;
    }
    let mut at = 0;
    for (start, end, l) in pieces {
        if start > at {
            out.push(Event::Text(CowStr::from(s[at..start].to_string())));
        }
        // hrefs are built from slugs (ASCII letters, digits, `-`, `/`, `.`): nothing to escape
        out.push(Event::InlineHtml(CowStr::from(format!("<a class=\"place\" href=\"{}\">", l.href))));
        out.push(Event::Text(CowStr::from(s[start..end].to_string())));
        out.push(Event::InlineHtml(CowStr::Borrowed("</a>")));
        at = end;
    }
    if at < s.len() {
        out.push(Event::Text(CowStr::from(s[at..].to_string())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(text: &str, slug: &str) -> PlaceLink {
        PlaceLink { text: text.into(), href: format!("../../places/{slug}/") }
    }

    #[track_caller]
    fn case(md: &str, links: &[PlaceLink], expected: &str) {
        assert_eq!(Sanitizer::default().render(md, links).trim(), expected);
    }

    #[test]
    fn links_whole_words_longest_first() {
        let links = [link("Kabul", "kabul-1138958"), link("Mazar-i-Sharif", "mazar-1133616"), link("Mazar", "x-1")];
        case(
            "Taliban enter **Kabul**; Kabulis and Mazar-i-Sharif.",
            &links,
            "<p>Taliban enter <strong><a class=\"place\" href=\"../../places/kabul-1138958/\" rel=\"noopener noreferrer\">Kabul</a></strong>; Kabulis and <a class=\"place\" href=\"../../places/mazar-1133616/\" rel=\"noopener noreferrer\">Mazar-i-Sharif</a>.</p>",
        );
    }

    #[test]
    fn arabic_names_link_and_clitics_do_not() {
        let links = [link("قندهار", "kandahar-1138336")];
        case(
            "ولاية قندهار وبقندهار",
            &links,
            "<p>ولاية <a class=\"place\" href=\"../../places/kandahar-1138336/\" rel=\"noopener noreferrer\">قندهار</a> وبقندهار</p>",
        );
    }

    #[test]
    fn arabic_links_leave_the_conjunction_out() {
        let links = [link("قندهار", "kandahar-1138336"), link("هرات", "herat-1140026")];
        let a = |slug: &str, name: &str| {
            format!("<a class=\"place\" href=\"../../places/{slug}/\" rel=\"noopener noreferrer\">{name}</a>")
        };
        // و or ف on the name, and a bold name after a separate و
        case(
            "هرات وقندهار فقندهار",
            &links,
            &format!(
                "<p>{} و{} ف{}</p>",
                a("herat-1140026", "هرات"),
                a("kandahar-1138336", "قندهار"),
                a("kandahar-1138336", "قندهار")
            ),
        );
        case(
            "**هرات** و**قندهار**",
            &links,
            &format!(
                "<p><strong>{}</strong> و<strong>{}</strong></p>",
                a("herat-1140026", "هرات"),
                a("kandahar-1138336", "قندهار")
            ),
        );
        // not inside a word that only ends in و (`نحوقندهار` is no conjunction)
        case("نحوقندهار", &links, "<p>نحوقندهار</p>");
    }

    #[test]
    fn not_inside_links_or_code() {
        let links = [link("Kabul", "k")];
        case(
            "[Kabul news](https://example.org/Kabul) `Kabul`\n\n    Kabul\n",
            &links,
            "<p><a href=\"https://example.org/Kabul\" rel=\"noopener noreferrer\">Kabul news</a> <code>Kabul</code></p>\n<pre><code>Kabul\n</code></pre>",
        );
    }

    /// Searching for a few names one by one finds what the automaton finds: every
    /// occurrence, overlapping ones too.
    #[test]
    fn few_names_are_found_as_the_automaton_finds_them() {
        let names = ["New York", "York", "New York City", "كابل", "ابل", "aa", "Ürümqi", "a"];
        let links: Vec<PlaceLink> = names.iter().map(|n| link(n, "x")).collect();
        let links: Vec<&PlaceLink> = links.iter().collect();
        let ac = AhoCorasick::builder().kind(Some(AhoCorasickKind::NoncontiguousNFA)).build(names).ok();
        let text = "New York City, New Yorkers, York; aaa Ürümqi وكابل كابلستان a";
        let all = |n: &Names| {
            let mut got = Vec::new();
            n.find(text, |start, end, k| got.push((start, end, k)));
            got.sort();
            got
        };
        let few = all(&Names::new(&links));
        assert!(matches!(Names::new(&links), Names::Few(_)));
        assert_eq!(few, all(&Names::Many(ac)));
        assert!(few.contains(&(34, 36, 5)) && few.contains(&(35, 37, 5)), "{few:?}");
    }

    #[test]
    fn headings_move_down_one_level() {
        case("# Kabul falls\n\n###### deep", &[], "<h2>Kabul falls</h2>\n<h6>deep</h6>");
    }

    #[test]
    fn raw_html_and_script_urls_are_removed() {
        let out = Sanitizer::default().render(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) <a href=\"javascript:alert(2)\" class=\"place\" onclick=\"alert(3)\">y</a>",
            &[],
        );
        for bad in ["<script", "onerror", "javascript:", "onclick", "alert(1)</"] {
            assert!(!out.contains(bad), "{bad} in {out}");
        }
    }

    #[test]
    fn names_with_markup_characters_are_escaped() {
        let links = [link("A&B", "ab")];
        case(
            "A&B and 1 < 2",
            &links,
            "<p><a class=\"place\" href=\"../../places/ab/\" rel=\"noopener noreferrer\">A&amp;B</a> and 1 &lt; 2</p>",
        );
    }
}
