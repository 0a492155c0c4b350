//! The only function that writes the site to disk, atomically.
//!
//! Files go into a fresh folder next to the output (`.OUT.tmp-PID-N`), each written as
//! soon as it is rendered, from the rendering threads, through a [`Sink`]; a folder is
//! made when the first file in it fails for want of it. Only when all are written is the old output
//! renamed aside (`.OUT.old-PID-N`), the new one renamed into place, and the old one
//! removed; a build that fails leaves the previous site as it was.
//!
//! The marker file [`MARKER`] at the root of every build lists the files that build
//! wrote, sorted, one a line. Files in the output that it does not list were put there by
//! someone else (a `CNAME` copied by hand, a `.git` of a `gh-pages` worktree): the next
//! build keeps them, moving them from the old folder into the new one, and refuses to
//! run when one of them stands where the new build writes a file of other bytes. Whether
//! the output may be replaced at all, and by this process alone, is
//! [`output`](super::output)'s question, asked before the build.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use super::progress::Progress;
use crate::error::{Error, Result};

/// Written into every build; a non-empty output folder without it is not replaced.
pub const MARKER: &str = ".gazette-build";

/// The first line of a finished build's marker; the files it wrote follow, one a line.
const HEADER: &str = "gazette build output: the next build replaces the files listed below and keeps any others";

/// The marker of a build still being written (in a `.OUT.tmp-PID-N` folder).
const WRITING: &str = "gazette build output, being written";

/// The top-level names that builds wrote before markers listed their files: in an
/// output with such a marker, everything else was put there by someone else.
const LEGACY_NAMES: &[&str] = &[
    MARKER,
    "index.html",
    "404.html",
    "atom.xml",
    "sitemap.xml",
    "events.geojson",
    "events.csv",
    "events.csvt",
    "events.prj",
    "archive",
    "data",
    "events",
    "maps",
    "places",
    "static",
];

/// An absolute path with symlinks resolved as far as the path exists.
pub(crate) fn resolve(p: &Path) -> std::io::Result<PathBuf> {
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

/// A relative path as the marker lists it: components joined with `/`, and `\`, line
/// breaks and bytes that are not UTF-8 escaped (`\\`, `\n`, `\r`, `\xFF`), so that every
/// name has one line and one spelling.
pub(super) fn key(rel: &Path) -> String {
    let mut out = String::new();
    for (i, c) in rel.components().enumerate() {
        if i > 0 {
            out.push('/');
        }
        escape_into(&mut out, c.as_os_str());
    }
    out
}

fn escape_into(out: &mut String, name: &OsStr) {
    let push = |out: &mut String, s: &str| {
        for ch in s.chars() {
            match ch {
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c => out.push(c),
            }
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        for chunk in name.as_bytes().utf8_chunks() {
            push(out, chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
    }
    #[cfg(not(unix))]
    push(out, &name.to_string_lossy());
}

/// What an earlier build wrote, as its marker says.
pub(super) enum Manifest {
    /// The files, and every folder that holds one.
    Listed { files: HashSet<String>, dirs: HashSet<String> },
    /// A marker from before markers listed files: the names in [`LEGACY_NAMES`] are the build's.
    Legacy,
}

impl Manifest {
    /// The manifest of the build in `dir`, or `None` when `dir` has no marker.
    pub(super) fn read(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MARKER);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(Error::Io { path, source }),
        };
        let mut lines = text.split('\n');
        if lines.next() != Some(HEADER) {
            return Ok(Some(Manifest::Legacy));
        }
        let mut files = HashSet::new();
        let mut dirs = HashSet::new();
        for line in lines.filter(|l| !l.is_empty()) {
            let mut end = line.len();
            while let Some(slash) = line[..end].rfind('/') {
                if !dirs.insert(line[..slash].to_string()) {
                    break;
                }
                end = slash;
            }
            files.insert(line.to_string());
        }
        Ok(Some(Manifest::Listed { files, dirs }))
    }

    /// Whether the build wrote the file (or, with `dir`, a file inside the folder) `key`.
    pub(super) fn owns(&self, key: &str, dir: bool) -> bool {
        match self {
            Manifest::Listed { files, dirs } => {
                key == MARKER || if dir { dirs.contains(key) } else { files.contains(key) }
            }
            Manifest::Legacy => {
                LEGACY_NAMES.contains(&key.split('/').next().unwrap_or(key))
                    || key.starts_with("sitemap-") && !key.contains('/')
            }
        }
    }
}

/// The paths under `dir` that the build in it did not write (`None`: no marker, none
/// did), relative, in sorted order; a foreign folder is one path, its content not listed.
pub(super) fn foreign(dir: &Path, manifest: Option<&Manifest>) -> Result<Vec<PathBuf>> {
    // A big site has a folder per page: the folders are listed in parallel (the same
    // work as removing the old output, which lists them all too).
    fn walk(root: &Path, rel: &Path, m: Option<&Manifest>) -> Result<Vec<PathBuf>> {
        use rayon::prelude::*;
        let here = root.join(rel);
        let io = |source| Error::Io { path: here.clone(), source };
        let mut entries = Vec::new();
        for e in std::fs::read_dir(&here).map_err(io)? {
            let e = e.map_err(io)?;
            entries.push((e.file_name(), e.file_type().map_err(io)?.is_dir()));
        }
        entries.sort();
        let found: Vec<Result<Vec<PathBuf>>> = entries
            .into_par_iter()
            .map(|(name, is_dir)| {
                let r = rel.join(&name);
                match m {
                    // a legacy build owns whole folders; a listed one, what it listed in them
                    Some(m @ Manifest::Listed { .. }) if is_dir && m.owns(&key(&r), true) => walk(root, &r, Some(m)),
                    Some(m) if m.owns(&key(&r), is_dir) => Ok(Vec::new()),
                    _ => Ok(vec![r]),
                }
            })
            .collect();
        let mut out = Vec::new();
        for f in found {
            out.extend(f?);
        }
        Ok(out)
    }
    walk(dir, Path::new(""), manifest)
}

/// The first few of `paths`, for a message: `CNAME, .git` or `a, b, c, d, e and 4 more`.
pub(crate) fn first_few(paths: &[PathBuf]) -> String {
    const SHOWN: usize = 5;
    let s: Vec<String> = paths.iter().take(SHOWN).map(|p| p.display().to_string()).collect();
    match paths.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{} and {more} more", s.join(", ")),
        _ => s.join(", "),
    }
}

/// Whether the file at `ours` (this build's) replaces `theirs` (a file the old build did
/// not write) without losing anything: both files, the same bytes.
pub(super) fn same_file_bytes(ours: &Path, theirs: &Path) -> bool {
    match (std::fs::symlink_metadata(ours), std::fs::symlink_metadata(theirs)) {
        (Ok(a), Ok(b)) if a.is_file() && b.is_file() && a.len() == b.len() => {
            matches!((std::fs::read(ours), std::fs::read(theirs)), (Ok(x), Ok(y)) if x == y)
        }
        _ => false,
    }
}

/// The error for files of someone else's in `out` that a build would write over.
pub(super) fn clash_error(out: &Path, clash: &[PathBuf]) -> Error {
    Error::Usage(format!(
        "refusing to replace {}: the build writes {} where the folder holds files that no build wrote: {}; \
         move them away (files to publish with the site belong in the site's static/ folder)",
        out.display(),
        if clash.len() == 1 { "a file" } else { "files" },
        first_few(clash),
    ))
}

/// Receives a build's files as they are rendered and writes each at once into the new
/// output folder, so that a build never holds all its pages in memory. Shared between
/// the rendering threads.
pub struct Sink {
    root: PathBuf,
    count: AtomicUsize,
    progress: Option<Progress>,
    /// What was written, as [`key`]s: the marker lists them.
    written: Mutex<Vec<String>>,
    /// The files copied as they are, by key, with where they came from.
    copied: Mutex<Vec<(String, PathBuf)>>,
}

impl super::render::Emit for Sink {
    fn bytes(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.emit(path, bytes)
    }
    fn stream(&self, path: &Path, write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>) -> Result<()> {
        Sink::stream(self, path, write)
    }
}

impl Sink {
    /// Write one file; `path` is relative to the output folder (plain components only).
    pub fn emit(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.put(path, |full| std::fs::write(full, bytes))
    }

    /// Write one file as `write` makes it, through a buffer: a big download is never
    /// whole in memory.
    pub fn stream(
        &self,
        path: &Path,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<()> {
        self.put(path, |full| {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, std::fs::File::create(full)?);
            write(&mut w)?;
            std::io::Write::flush(&mut w)
        })
    }

    /// Copy the file `src` as it is to `path` (relative to the output folder).
    pub fn copy(&self, path: &Path, src: &Path) -> Result<()> {
        let from = std::fs::File::open(src).map_err(|source| Error::Io { path: src.to_owned(), source })?;
        self.put(path, |full| {
            let mut to = std::fs::File::create(full)?;
            std::io::copy(&mut &from, &mut to).map(|_| ())
        })?;
        self.copied.lock().unwrap_or_else(PoisonError::into_inner).push((key(path), src.to_owned()));
        Ok(())
    }

    fn put(&self, path: &Path, mut write: impl FnMut(&Path) -> std::io::Result<()>) -> Result<()> {
        if path.as_os_str().is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(Error::Usage(format!("refusing to write {}: not a plain relative path", path.display())));
        }
        let full = self.root.join(path);
        let io = |source| Error::Io { path: full.clone(), source };
        if let Err(e) = write(&full) {
            // most files are the first in their folder: one more syscall for those only
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(io(e));
            }
            if let Some(dir) = full.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            write(&full).map_err(io)?;
        }
        self.written.lock().unwrap_or_else(PoisonError::into_inner).push(key(path));
        self.count.fetch_add(1, Ordering::Relaxed);
        if let Some(p) = &self.progress {
            p.inc();
        }
        Ok(())
    }

    /// Write the marker with every file written, sorted; a copied file that stands where
    /// the build wrote a file of its own is an error naming the copy's source.
    fn finish(&self) -> Result<()> {
        let mut keys = std::mem::take(&mut *self.written.lock().unwrap_or_else(PoisonError::into_inner));
        keys.sort_unstable();
        let copied = self.copied.lock().unwrap_or_else(PoisonError::into_inner);
        for pair in keys.windows(2).filter(|w| w[0] == w[1]) {
            if let Some((_, src)) = copied.iter().find(|(k, _)| *k == pair[0]) {
                return Err(Error::Usage(format!(
                    "{}: the build makes {} itself; remove the copy (a page is changed by overriding its template)",
                    src.display(),
                    pair[0]
                )));
            }
        }
        keys.dedup();
        let mut text = String::with_capacity(HEADER.len() + 1 + keys.iter().map(|k| k.len() + 1).sum::<usize>());
        text.push_str(HEADER);
        text.push('\n');
        for k in &keys {
            text.push_str(k);
            text.push('\n');
        }
        let marker = self.root.join(MARKER);
        std::fs::write(&marker, text).map_err(|source| Error::Io { path: marker, source })
    }
}

/// What [`write_site_with`] did.
#[derive(Debug, Default)]
pub struct Written {
    /// Files written (the marker not counted).
    pub files: usize,
    /// Files and folders in the old output that no build wrote, moved into the new one.
    pub kept: Vec<PathBuf>,
}

/// Write `files` as the new content of `out`, atomically (see the module docs).
#[cfg(test)]
pub fn write_site(out: &Path, files: &[super::render::OutputFile]) -> Result<Written> {
    use rayon::prelude::*;
    write_site_with(out, None, |sink| files.par_iter().try_for_each(|(path, bytes)| sink.emit(path, bytes)))
}

/// Make the new content of `out` with `fill`, which hands every file to the [`Sink`],
/// then put it in place atomically (see the module docs).
pub fn write_site_with(
    out: &Path,
    progress: Option<Progress>,
    fill: impl FnOnce(&Sink) -> Result<()>,
) -> Result<Written> {
    let (parent, name) = beside(out)?;
    std::fs::create_dir_all(&parent).map_err(|source| Error::Io { path: parent.clone(), source })?;

    let tmp = fresh_dir(&parent, &format!(".{name}.tmp"))?;
    let sink = Sink {
        root: tmp.clone(),
        count: AtomicUsize::new(0),
        progress,
        written: Mutex::new(Vec::new()),
        copied: Mutex::new(Vec::new()),
    };
    let marker = tmp.join(MARKER);
    let filled = std::fs::write(&marker, format!("{WRITING}\n"))
        .map_err(|source| Error::Io { path: marker, source })
        .and_then(|()| fill(&sink))
        .and_then(|()| sink.finish());
    if let Err(e) = filled {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let files = sink.count.into_inner();
    let kept = swap(&parent, &name, &tmp).inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&tmp);
    })?;
    Ok(Written { files, kept })
}

/// Put the finished build `tmp` in place of `PARENT/NAME`, moving the files that no build
/// wrote from the old output into the new one; returns those.
fn swap(parent: &Path, name: &str, tmp: &Path) -> Result<Vec<PathBuf>> {
    let out = parent.join(name);
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io { path, source }
    };
    if !out.exists() {
        std::fs::rename(tmp, &out).map_err(io(&out))?;
        return Ok(Vec::new());
    }
    let manifest = Manifest::read(&out)?;
    let theirs = foreign(&out, manifest.as_ref())?;
    // Where this build writes a file of its own, theirs would be lost: refuse, unless
    // nothing is lost (the same bytes: a CNAME copied by hand and `cname`'s).
    let mut kept = Vec::new();
    let mut clash = Vec::new();
    for rel in theirs {
        let ours = tmp.join(&rel);
        let blocked =
            rel.ancestors().skip(1).any(|a| std::fs::symlink_metadata(tmp.join(a)).is_ok_and(|m| !m.is_dir()));
        if blocked || std::fs::symlink_metadata(&ours).is_ok() {
            if !same_file_bytes(&ours, &out.join(&rel)) {
                clash.push(rel);
            }
        } else {
            kept.push(rel);
        }
    }
    if !clash.is_empty() {
        return Err(clash_error(&out, &clash));
    }

    let old = fresh_name(parent, &format!(".{name}.old"));
    std::fs::rename(&out, &old).map_err(io(&out))?;
    if let Err(source) = std::fs::rename(tmp, &out) {
        let _ = std::fs::rename(&old, &out);
        return Err(Error::Io { path: out, source });
    }
    for rel in &kept {
        let (from, to) = (old.join(rel), out.join(rel));
        let moved = match to.parent() {
            Some(dir) => std::fs::create_dir_all(dir).and_then(|()| std::fs::rename(&from, &to)),
            None => std::fs::rename(&from, &to),
        };
        // the old folder stays, with what could not be moved: nothing is lost
        moved.map_err(|source| Error::Io { path: from, source })?;
    }
    // The new site is in place; a leftover old copy is only clutter.
    let _ = std::fs::remove_dir_all(&old);
    Ok(kept)
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
mod tests;
