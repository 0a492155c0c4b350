//! The matcher on arbitrary text: read it as an article (the first byte picks Markdown or
//! plain text), geoparse it with the embedded gazetteer and build the event. Never a
//! panic, and every mention is a non-empty span of the plain text and a span of the source.
#![no_main]

use gazette::article::parse;
use gazette::event::from_article;
use gazette::gazetteer::Gazetteer;
use gazette::geoparse::{Lexicon, Options};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let Ok(article) = parse("fuzz.md", "fuzz", text.to_string(), flags & 1 == 1) else { return };
    let plain = article.plain.clone();
    // every mention, whatever its confidence, so that all of them are checked
    let opts = Options { explain: flags & 2 == 2, ..Options::all() };
    let event = from_article(Gazetteer::embedded(), Lexicon::embedded(), article, opts);
    for (m, s) in event.mentions.iter().zip(event.source_spans()) {
        assert!(m.plain_start < m.plain_end && m.plain_end <= plain.len(), "{}..{}", m.plain_start, m.plain_end);
        assert!(s.start <= s.end, "{}..{}", s.start, s.end);
    }
});
