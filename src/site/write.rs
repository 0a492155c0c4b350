//! The only function that writes the site to disk, atomically.
//!
//! Files go into a fresh folder next to the output (`.OUT.tmp-PID-N`), each written as
//! soon as it is rendered, from the rendering threads, through a [`Sink`]; a folder is
//! made when the first file in it fails for want of it. Only when all are written is the old output
//! renamed aside (`.OUT.old-PID-N`), the new one renamed into place, and the old one
//! removed; a build that fails leaves the previous site as it was.
//!
//! Because a build replaces the output folder wholesale, whether it may, and by this
//! process alone, is [`output`](super::output)'s question, asked before the build.

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::progress::Progress;
use crate::error::{Error, Result};

/// Written into every build; a non-empty output folder without it is not replaced.
pub const MARKER: &str = ".gazette-build";

/// An absolute path with symlinks resolved as far as the path exists.
pub(super) fn resolve(p: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(p)?;
    let mut rest = Vec::new();
    let mut cur = abs.as_path();
    loop {
        if let Ok(c) = cur.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return Ok(out);
        }
        match (cur.parent(), cur.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                cur = parent;
            }
            _ => return Ok(abs),
        }
    }
}

/// The folder that holds the output and the output's name: where a build's temporary
/// folders, and its lock, go (`PARENT/.NAME.tmp-PID-N`).
pub(super) fn beside(out: &Path) -> Result<(PathBuf, String)> {
    let abs = resolve(out).map_err(|source| Error::Io { path: out.to_owned(), source })?;
    let parent = abs.parent().ok_or_else(|| Error::Usage("the output folder has no parent".into()))?.to_path_buf();
    let name = abs.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
    Ok((parent, name))
}

/// What a leftover folder of a build was: the new site being written, or the old one
/// being put aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Leftover {
    Tmp,
    Old,
}

/// Whether `file_name` is exactly `.NAME.tmp-PID-N` or `.NAME.old-PID-N` for the output
/// called `name`, and if so which, and the PID.
pub(super) fn leftover(file_name: &str, name: &str) -> Option<(Leftover, u32)> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(name)?;
    let (kind, rest) = match rest {
        r if r.starts_with(".tmp-") => (Leftover::Tmp, &r[5..]),
        r if r.starts_with(".old-") => (Leftover::Old, &r[5..]),
        _ => return None,
    };
    let (pid, n) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(pid) || !digits(n) {
        return None;
    }
    Some((kind, pid.parse().ok()?))
}

/// The first few of `paths`, for a message: `CNAME, .git` or `a, b, c and 4 more`.
pub(crate) fn first_few(paths: &[PathBuf]) -> String {
    const SHOWN: usize = 5;
    let mut s: Vec<String> = paths.iter().take(SHOWN).map(|p| p.display().to_string()).collect();
    if paths.len() > SHOWN {
        s.push(format!("{} more", paths.len() - SHOWN));
    }
    s.join(", ")
}

/// Receives a build's files as they are rendered and writes each at once into the new
/// output folder, so that a build never holds all its pages in memory. Shared between
/// the rendering threads.
pub struct Sink {
    root: PathBuf,
    count: AtomicUsize,
    progress: Option<Progress>,
}

impl Sink {
    /// Write one file; `path` is relative to the output folder (plain components only).
    pub fn emit(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        if path.as_os_str().is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(Error::Usage(format!("refusing to write {}: not a plain relative path", path.display())));
        }
        let full = self.root.join(path);
        let io = |source| Error::Io { path: full.clone(), source };
        if let Err(e) = std::fs::write(&full, bytes) {
            // most files are the first in their folder: one more syscall for those only
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(io(e));
            }
            if let Some(dir) = full.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            std::fs::write(&full, bytes).map_err(io)?;
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        if let Some(p) = &self.progress {
            p.inc();
        }
        Ok(())
    }
}

/// Write `files` as the new content of `out`, atomically (see the module docs).
#[cfg(test)]
pub fn write_site(out: &Path, files: &[super::render::OutputFile]) -> Result<()> {
    use rayon::prelude::*;
    write_site_with(out, None, |sink| files.par_iter().try_for_each(|(path, bytes)| sink.emit(path, bytes))).map(|_| ())
}

/// Make the new content of `out` with `fill`, which hands every file to the [`Sink`],
/// then put it in place atomically (see the module docs). Returns the number of files.
pub fn write_site_with(
    out: &Path,
    progress: Option<Progress>,
    fill: impl FnOnce(&Sink) -> Result<()>,
) -> Result<usize> {
    let (parent, name) = beside(out)?;
    let out = parent.join(&name);
    std::fs::create_dir_all(&parent).map_err(|source| Error::Io { path: parent.clone(), source })?;

    let tmp = fresh_dir(&parent, &format!(".{name}.tmp"))?;
    let sink = Sink { root: tmp.clone(), count: AtomicUsize::new(0), progress };
    let marker = tmp.join(MARKER);
    let filled = std::fs::write(&marker, "gazette build output: the next build replaces this whole folder\n")
        .map_err(|source| Error::Io { path: marker, source })
        .and_then(|()| fill(&sink));
    if let Err(e) = filled {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let swap = || -> Result<()> {
        if !out.exists() {
            return std::fs::rename(&tmp, &out).map_err(|source| Error::Io { path: out.clone(), source });
        }
        let old = fresh_name(&parent, &format!(".{name}.old"));
        std::fs::rename(&out, &old).map_err(|source| Error::Io { path: out.clone(), source })?;
        if let Err(source) = std::fs::rename(&tmp, &out) {
            let _ = std::fs::rename(&old, &out);
            return Err(Error::Io { path: out.clone(), source });
        }
        // The new site is in place; a leftover old copy is only clutter.
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    };
    swap().inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&tmp);
    })?;
    Ok(sink.count.into_inner())
}

fn fresh_name(parent: &Path, prefix: &str) -> PathBuf {
    let pid = std::process::id();
    (0u32..).map(|n| parent.join(format!("{prefix}-{pid}-{n}"))).find(|p| !p.exists()).expect("a free name")
}

/// Create a new, empty folder named `PREFIX-PID-N` in `parent`.
fn fresh_dir(parent: &Path, prefix: &str) -> Result<PathBuf> {
    let pid = std::process::id();
    for n in 0u32.. {
        let p = parent.join(format!("{prefix}-{pid}-{n}"));
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(Error::Io { path: p, source }),
        }
    }
    unreachable!("u32 names run out only after 4 billion leftover folders")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> Vec<super::super::render::OutputFile> {
        pairs.iter().map(|(p, b)| (PathBuf::from(p), b.as_bytes().to_vec())).collect()
    }

    #[test]
    fn writes_then_replaces_whole_folder() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        write_site(&out, &files(&[("index.html", "one"), ("events/a/index.html", "a"), ("events/b/index.html", "b")]))
            .unwrap();
        assert_eq!(std::fs::read_to_string(out.join("events/b/index.html")).unwrap(), "b");
        assert!(out.join(MARKER).is_file());
        write_site(&out, &files(&[("index.html", "two")])).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(!out.join("events").exists(), "stale pages are gone");
        let left: Vec<_> = std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["public"], "no temporary folders left behind");
    }

    #[test]
    fn unsafe_paths_are_refused() {
        let t = tempfile::tempdir().unwrap();
        assert!(write_site(&t.path().join("o"), &files(&[("../x", "")])).is_err());
        assert!(write_site(&t.path().join("o"), &files(&[("/etc/x", "")])).is_err());
    }

    #[test]
    fn leftover_names_are_matched_exactly() {
        assert_eq!(leftover(".public.tmp-123-0", "public"), Some((Leftover::Tmp, 123)));
        assert_eq!(leftover(".public.old-9-12", "public"), Some((Leftover::Old, 9)));
        for other in [".public.tmp-123", ".public.tmp-x-0", ".public.tmp-1-0x", ".publicx.tmp-1-0", "public.tmp-1-0"] {
            assert_eq!(leftover(other, "public"), None, "{other}");
        }
        // the leftovers of an output named `public.tmp-1` are not `public`'s
        assert_eq!(leftover(".public.tmp-1.tmp-2-0", "public"), None);
    }
}
