//! Finding and reading article files: folders walked in sorted order, each file read
//! with a size limit and decoded as UTF-8. Part of reading an article (see [`super`]).

use std::path::{Path, PathBuf};

use super::{parse, Article};
use crate::error::Error;
use crate::report::{Diagnostic, Severity};

/// The most bytes one article may have. Geoparsing and rendering take some 50 times an
/// article's size in memory (1.5 GB for 30 MB), so a file far past any real article (a
/// corpus dump, a log renamed `.md`) is refused before it is read, rather than take the
/// whole build down with it. A JSON Lines corpus may be any size; each record has this
/// limit.
pub const MAX_ARTICLE_BYTES: u64 = 32 << 20;

pub(super) fn too_large(path: &str, line: Option<usize>, len: u64) -> Error {
    Error::Article {
        path: path.into(),
        line,
        message: format!(
            "{:.1} MiB is more than the {} MiB an article may have; split it into several articles",
            len as f64 / f64::from(1 << 20),
            MAX_ARTICLE_BYTES >> 20
        ),
    }
}

/// Read one article file. `display` is the path to report.
pub fn read_file(path: &Path) -> Result<Article, Error> {
    use std::io::Read;
    let io = |source| Error::Io { path: path.into(), source };
    let display = path.display().to_string();
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > MAX_ARTICLE_BYTES {
        return Err(too_large(&display, None, len));
    }
    // `take`, because a pipe or a file still growing has no length to trust
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_ARTICLE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_ARTICLE_BYTES {
        return Err(too_large(&display, None, bytes.len() as u64));
    }
    let text = decode(&display, bytes)?;
    let markdown = !matches!(
        path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref(),
        Some("txt") | Some("text")
    );
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    parse(&display, &stem, text, markdown)
}

/// Decode bytes as UTF-8 (a BOM is dropped). Invalid UTF-8 is an error naming the byte
/// offset; a file with NUL bytes is taken as binary.
pub fn decode(path: &str, mut bytes: Vec<u8>) -> Result<String, Error> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(Error::Article {
            path: path.into(),
            line: None,
            message: "looks like a binary file (it contains NUL bytes), not text".into(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::Article {
            path: path.into(),
            line: Some(line),
            message: format!("invalid UTF-8 at byte offset {at}; save the file as UTF-8"),
        }
    })
}

/// Collect the article files under the given paths: folders are walked recursively in
/// sorted order, following no symlink twice. Hidden files and folders are skipped.
pub fn collect_paths(inputs: &[PathBuf], diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for input in inputs {
        walk(input, &mut out, &mut seen, diags, true);
    }
    out
}

fn is_article_file(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()).as_deref(),
        Some("md" | "markdown" | "txt" | "text" | "jsonl" | "ndjson")
    )
}

fn walk(
    p: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
    diags: &mut Vec<Diagnostic>,
    top: bool,
) {
    let report = |diags: &mut Vec<Diagnostic>, severity: Severity, m: String| {
        diags.push(Diagnostic { severity, path: p.display().to_string(), line: None, message: m })
    };
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) => return report(diags, Severity::Error, e.to_string()),
    };
    if meta.is_dir() {
        let canon = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        if !seen.insert(canon) {
            // Its articles are read once, through the other path: nothing is lost.
            return report(diags, Severity::Warning, "folder already visited (a symlink loop?); skipped".into());
        }
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(p) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => return report(diags, Severity::Error, e.to_string()),
        };
        entries.sort();
        for e in entries {
            if e.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
                continue;
            }
            walk(&e, out, seen, diags, false);
        }
    } else if top {
        // Named on the command line: read it whatever it is (`<(cmd)` is a pipe).
        out.push(p.to_path_buf());
    } else if is_article_file(p) {
        if meta.is_file() {
            out.push(p.to_path_buf());
        } else {
            // A FIFO or a device in a folder would block the read or never end.
            report(diags, Severity::Warning, "not a regular file; skipped".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_names_the_offset() {
        let e = decode("x.md", b"abc\n\xffdef".to_vec()).unwrap_err();
        assert_eq!(e.to_string(), "x.md: line 2: invalid UTF-8 at byte offset 4; save the file as UTF-8");
        assert!(decode("x.md", b"\x00\x01".to_vec()).is_err());
    }
}
