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

/// The error for an article of `len` bytes, past [`MAX_ARTICLE_BYTES`]. A size that
/// would round to the limit itself is given in bytes.
pub fn too_large(path: &str, line: Option<usize>, len: u64) -> Error {
    let (mib, limit) = (len as f64 / f64::from(1 << 20), MAX_ARTICLE_BYTES >> 20);
    let size =
        if (mib * 10.0).round() / 10.0 > limit as f64 { format!("{mib:.1} MiB") } else { format!("{len} bytes") };
    Error::Article {
        path: path.into(),
        line,
        message: format!(
            "{size} is more than the {limit} MiB ({MAX_ARTICLE_BYTES} bytes) an article may have; split it into several articles"
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

/// The next line of `input`, newline included: `None` at the end, the line's length
/// (without keeping it) when it is longer than `limit`. Memory never holds more than
/// `limit` bytes of a line, however long it runs.
pub fn read_record(input: &mut dyn std::io::BufRead, limit: u64) -> std::io::Result<Option<Result<Vec<u8>, u64>>> {
    let (mut line, mut total, mut over) = (Vec::new(), 0u64, false);
    loop {
        let buf = match input.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        let (used, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        total += used as u64;
        if !over && (line.len() + used) as u64 > limit + 1 {
            // past the limit even with its newline: count the rest, keep none of it
            over = true;
            line = Vec::new();
        }
        if !over {
            line.extend_from_slice(&buf[..used]);
        }
        input.consume(used);
        if done {
            break;
        }
    }
    Ok(match (total, over) {
        (0, _) => None,
        (_, true) => Some(Err(total)),
        (_, false) => Some(Ok(line)),
    })
}

/// Decode bytes as UTF-8 (a BOM is dropped). Invalid UTF-8 is an error naming the byte
/// offset; a file with NUL bytes is taken as binary.
pub fn decode(path: &str, mut bytes: Vec<u8>) -> Result<String, Error> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
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
        // each entry with its type as the folder listing gives it, so that a plain file
        // needs no call of its own to the system (a folder of 100,000 articles is read
        // before the first article is geoparsed)
        let mut entries: Vec<(std::ffi::OsString, Option<std::fs::FileType>)> = match std::fs::read_dir(p) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| (e.file_name(), e.file_type().ok()))).collect(),
            Err(e) => return report(diags, Severity::Error, e.to_string()),
        };
        // in path order: within one folder, the order of the names' bytes
        entries.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        for (name, kind) in entries {
            if name.as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let e = p.join(name);
            // a symlink is followed, and anything but a file or a folder looked at again
            match kind {
                Some(k) if k.is_file() => {
                    if is_article_file(&e) {
                        out.push(e);
                    }
                }
                _ => walk(&e, out, seen, diags, false),
            }
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
    fn a_size_just_past_the_limit_is_not_written_as_the_limit() {
        let message = |len| too_large("a.md", None, len).to_string();
        assert!(message(MAX_ARTICLE_BYTES + 1).starts_with("a.md: 33554433 bytes is more than the 32 MiB"));
        assert!(message(MAX_ARTICLE_BYTES + (1 << 17)).starts_with("a.md: 32.1 MiB is more than the 32 MiB"));
        assert!(message(200 << 20).starts_with("a.md: 200.0 MiB is more than"));
    }

    /// Lines are read whole up to the limit; a longer one is counted, not kept.
    #[test]
    fn records_past_the_limit_are_counted_not_kept() {
        let text = b"short\n0123456789abcdef\nexactly10\nno newline at the end";
        let mut input = std::io::BufReader::with_capacity(4, &text[..]);
        let mut got = Vec::new();
        while let Some(r) = read_record(&mut input, 10).unwrap() {
            got.push(r.map(|l| String::from_utf8(l).unwrap()));
        }
        assert_eq!(got, [Ok("short\n".to_string()), Err(17), Ok("exactly10\n".to_string()), Err(21),]);
    }

    /// Folders are walked in path order, with hidden entries, other kinds of file and
    /// a second visit to a folder left out; symlinks are followed.
    #[cfg(unix)]
    #[test]
    fn folders_are_walked_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in ["b.md", "a.md", "B.txt", "a-1.md", "notes.pdf", ".draft.md", "sub/z.md", "sub/c.MD", "sub2/x.md"] {
            let path = root.join(f);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        std::fs::create_dir(root.join(".hidden")).unwrap();
        std::fs::write(root.join(".hidden/h.md"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("a.md"), root.join("link.md")).unwrap();
        std::os::unix::fs::symlink(root.join("sub"), root.join("sub2/again")).unwrap();
        let fifo = std::process::Command::new("mkfifo").arg(root.join("pipe.md")).status().is_ok_and(|s| s.success());
        let mut diags = Vec::new();
        let got = collect_paths(&[root.to_path_buf()], &mut diags);
        let names: Vec<String> =
            got.iter().map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["B.txt", "a-1.md", "a.md", "b.md", "link.md", "sub/c.MD", "sub/z.md", "sub2/x.md"]);
        let mut said: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        said.sort();
        let mut want = vec!["folder already visited (a symlink loop?); skipped"];
        if fifo {
            want.push("not a regular file; skipped");
        }
        assert_eq!(said, want);
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let e = decode("x.md", b"abc\n\xffdef".to_vec()).unwrap_err();
        assert_eq!(e.to_string(), "x.md: line 2: invalid UTF-8 at byte offset 4; save the file as UTF-8");
        assert!(decode("x.md", b"\x00\x01".to_vec()).is_err());
    }
}
