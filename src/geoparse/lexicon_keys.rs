//! Which fields of the lexicon files are names, and how a file is rewritten with those
//! fields in key form. `build.rs` includes this file to key the embedded lexicons at
//! compile time, so that start-up reads the keys instead of working them out (about
//! 10,000 names: most of start-up's instructions); the lexicon's tests key the
//! repository's files again with it and compare.

/// A field of a row that holds a name, and the one value, if any, that stands for
/// itself there instead (`*` for any name in contexts; `&`, which has no letters and so
/// no key of its own, in name words).
pub type Field = (usize, Option<&'static str>);

/// Each keyed file (relative to `gazetteer/`), whether its first line is a header, and
/// the fields of its rows that hold names.
pub const KEYED: [(&str, bool, &[Field]); 8] = [
    ("lexicon/demonyms.tsv", true, &[(0, None)]),
    ("lexicon/not_places.tsv", true, &[(0, None)]),
    ("lexicon/titles.tsv", true, &[(0, None)]),
    ("lexicon/cues.tsv", true, &[(0, None)]),
    ("lexicon/directions.tsv", true, &[(0, None)]),
    ("lexicon/contexts.tsv", true, &[(0, Some("*")), (3, None)]),
    ("lexicon/name_words.tsv", true, &[(0, Some("&"))]),
    ("given_names.txt", false, &[(0, None)]),
];

/// `text` with the name `fields` of each row (tab-separated, trimmed) in key form. The
/// header, if any, is kept; comment and blank lines are dropped, as the reader skips
/// them anyway.
pub fn key_fields(text: &str, header: bool, fields: &[Field], key: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut lines = text.lines();
    if header {
        out.push_str(lines.next().unwrap_or_default());
        out.push('\n');
    }
    for line in lines {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        for (i, field) in line.split('\t').map(str::trim).enumerate() {
            if i > 0 {
                out.push('\t');
            }
            match fields.iter().find(|(f, _)| *f == i) {
                Some((_, literal)) if *literal != Some(field) => out.push_str(&key(field)),
                _ => out.push_str(field),
            }
        }
        out.push('\n');
    }
    out
}
