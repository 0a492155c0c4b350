//! The only function that writes the site to disk, atomically.
//!
//! Files go into a fresh folder next to the output (`.OUT.tmp-PID-N`), each written as
//! soon as it is rendered, from the rendering threads, through a [`Sink`]; a folder is
//! made when the first file in it fails for want of it. Only when all are written is the old output
//! renamed aside, the new one renamed into place, and the old one removed; a build that
//! fails leaves the previous site as it was.
//!
//! Because a build replaces the output folder wholesale, the folder is checked first: it
//! may not be the site folder or one above it, the home folder or `/`, nor a folder of
//! the site's own inputs, and an existing non-empty folder must carry the marker file
//! that an earlier build left ([`MARKER`]).

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::progress::Progress;
use crate::error::{Error, Result};

/// Written into every build; a non-empty output folder without it is not replaced.
pub const MARKER: &str = ".gazette-build";

/// An absolute path with symlinks resolved as far as the path exists.
fn resolve(p: &Path) -> std::io::Result<PathBuf> {
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

/// Check that `out` may be replaced by a build of `site_dir`.
pub fn check_output(site_dir: &Path, out: &Path) -> Result<()> {
    let refuse = |why: &str| Err(Error::Usage(format!("refusing to write the site to {}: {why}", out.display())));
    let io = |source| Error::Io { path: out.to_owned(), source };
    let out_abs = resolve(out).map_err(io)?;
    let site = resolve(site_dir).map_err(|source| Error::Io { path: site_dir.to_owned(), source })?;
    if out_abs.parent().is_none() {
        return refuse("it is the root folder");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        if resolve(Path::new(&home)).is_ok_and(|h| h == out_abs) {
            return refuse("it is the home folder");
        }
    }
    if out_abs == site {
        return refuse("it is the site folder itself; the default is SITE_DIR/public");
    }
    if site.starts_with(&out_abs) {
        return refuse("it holds the site folder");
    }
    for input in ["articles", "templates", "gazette.toml"] {
        if out_abs.starts_with(site.join(input)) {
            return refuse(&format!("it is inside the site's {input}"));
        }
    }
    match std::fs::read_dir(&out_abs) {
        Ok(mut entries) => {
            if entries.next().is_some() && !out_abs.join(MARKER).is_file() {
                return refuse(&format!(
                    "it is not empty and no earlier build wrote it (no {MARKER} file); remove it or choose another folder"
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) if out_abs.exists() && !out_abs.is_dir() => {
            return refuse(&format!("it is not a folder ({e})"));
        }
        Err(e) => return Err(io(e)),
    }
    Ok(())
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
    let out = resolve(out).map_err(|source| Error::Io { path: out.to_owned(), source })?;
    let parent = out.parent().ok_or_else(|| Error::Usage("the output folder has no parent".into()))?.to_path_buf();
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into());
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
    fn dangerous_outputs_are_refused() {
        let t = tempfile::tempdir().unwrap();
        let site = t.path().join("site");
        std::fs::create_dir_all(site.join("articles")).unwrap();
        for bad in [
            site.clone(),
            t.path().to_path_buf(),
            PathBuf::from("/"),
            site.join("articles/out"),
            site.join("templates"),
        ] {
            let e = check_output(&site, &bad).unwrap_err().to_string();
            assert!(e.starts_with("refusing"), "{bad:?}: {e}");
        }
        assert!(check_output(&site, &site.join("public")).is_ok());
        assert!(check_output(&site, &t.path().join("elsewhere/new")).is_ok());
        let precious = t.path().join("precious");
        std::fs::create_dir(&precious).unwrap();
        std::fs::write(precious.join("thesis.tex"), "").unwrap();
        assert!(check_output(&site, &precious).unwrap_err().to_string().contains(MARKER));
    }
}
