//! Reading an article from arbitrary bytes: decoding, front matter (YAML and TOML),
//! Markdown to plain text. Never a panic, and every plain-text offset maps back inside
//! the source on a character boundary (the event stage slices the source with them).
#![no_main]

use gazette::article::{decode, parse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode("fuzz.md", data.to_vec()) else { return };
    for markdown in [true, false] {
        let Ok(a) = parse("fuzz.md", "fuzz", text.clone(), markdown) else { continue };
        assert!(
            !a.slug.is_empty() && a.slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        );
        let bounds: Vec<usize> = a.plain.char_indices().map(|(i, _)| i).chain([a.plain.len()]).collect();
        for w in bounds.windows(2) {
            let (_, s, e) = a.source_span(w[0], w[1]);
            assert!(s <= e && e <= a.source_text.len(), "span {s}..{e} of {}", a.source_text.len());
            assert!(a.source_text.is_char_boundary(s) && a.source_text.is_char_boundary(e), "{s}..{e}");
        }
    }
});
