//! Before a build: may the output folder be replaced, and by this build alone? Each
//! answer comes before the work, not after it.
//!
//! [`check_output`] refuses folders a build must not replace: the site folder or one above
//! it, the home folder or `/`, a folder of the site's inputs (`articles/`, `templates/`,
//! `static/`), its cache (`.gazette-cache/`, but for the folder `gazette serve` builds
//! into), a mount point (a build renames a new folder into place, and a mount point cannot
//! be renamed), and a non-empty folder that no build wrote (no
//! [`MARKER`](super::write::MARKER)).
//!
//! [`Lock`] keeps two builds from writing one output at once: an exclusive lock on
//! `PARENT/.OUT.lock`, which holds the builder's PID and is removed when the build ends.
//! Holding it, [`remove_stale`] removes the `.OUT.tmp-PID-N` and `.OUT.old-PID-N` folders
//! that interrupted builds left beside the output.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::write::{self, resolve, Leftover, Manifest, MARKER};
use crate::error::{Error, Result};

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
    for input in ["articles", "templates", super::publish::STATIC_DIR, "gazette.toml"] {
        if out_abs.starts_with(site.join(input)) {
            return refuse(&format!("it is inside the site's {input}"));
        }
    }
    let cache = Path::new(super::cache::FILE).parent().unwrap_or(Path::new(".gazette-cache"));
    if out_abs.starts_with(site.join(cache)) && out_abs != site.join(crate::cmd::serve::SERVE_DIR) {
        return refuse(&format!(
            "it is inside the site's cache folder ({}), which gazette keeps for itself; the default is SITE_DIR/public",
            cache.display()
        ));
    }
    match std::fs::read_dir(&out_abs) {
        Ok(mut entries) => {
            if entries.next().is_some() && !out_abs.join(MARKER).is_file() {
                return refuse(&format!(
                    "it is not empty and no earlier build wrote it (no {MARKER} file); remove it or choose another folder"
                ));
            }
            if is_mount_point(&out_abs) {
                return refuse(
                    "it is a mount point, which a build cannot replace (it renames a new folder into place); \
                     write to a folder inside it instead",
                );
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

/// Whether a file system, or a bind mount, starts at `dir` (an absolute path with no
/// symlinks): its device differs from its parent's, or (on Linux) the mount table lists it.
pub(crate) fn is_mount_point(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(d), Some(Ok(p))) = (std::fs::metadata(dir), dir.parent().map(std::fs::metadata)) {
            if d.dev() != p.dev() {
                return true;
            }
        }
    }
    // a bind mount of a folder of the same file system has the same device
    #[cfg(target_os = "linux")]
    if let Ok(table) = std::fs::read("/proc/self/mountinfo") {
        return mount_points(&table).any(|m| m == dir);
    }
    #[cfg(not(unix))]
    let _ = dir;
    false
}

/// The mount points of a `/proc/self/mountinfo` (its fifth field, with the kernel's octal
/// escapes of space, tab, line break and backslash undone).
#[cfg(target_os = "linux")]
fn mount_points(table: &[u8]) -> impl Iterator<Item = PathBuf> + '_ {
    use std::os::unix::ffi::OsStringExt;
    table.split(|&b| b == b'\n').filter_map(|line| {
        let field = line.split(|&b| b == b' ').nth(4)?;
        let mut path = Vec::with_capacity(field.len());
        let mut i = 0;
        while i < field.len() {
            let octal =
                field.get(i + 1..i + 4).filter(|o| field[i] == b'\\' && o.iter().all(|b| (b'0'..=b'7').contains(b)));
            match octal {
                Some(o) => {
                    path.push(o.iter().fold(0u8, |n, d| n.wrapping_mul(8).wrapping_add(d - b'0')));
                    i += 4;
                }
                None => {
                    path.push(field[i]);
                    i += 1;
                }
            }
        }
        Some(PathBuf::from(std::ffi::OsString::from_vec(path)))
    })
}

/// An exclusive lock on an output folder for one build (see the module docs). Dropping
/// it removes the lock file and lets go.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    file: std::fs::File,
}

impl Lock {
    /// Lock `out` for this process, or say which process is writing it.
    pub fn acquire(out: &Path) -> Result<Lock> {
        let (parent, name) = write::beside(out)?;
        std::fs::create_dir_all(&parent).map_err(|source| Error::Io { path: parent.clone(), source })?;
        let path = parent.join(format!(".{name}.lock"));
        let io = |source| Error::Io { path: path.clone(), source };
        // the holder removes the file as it ends: a file opened just then is locked in
        // vain, and opened anew
        for _ in 0..100 {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            // fs4's, not std's File::try_lock (Rust 1.89, above this crate's rust-version)
            match fs4::FileExt::try_lock(&file) {
                Ok(()) if same_file(&file, &path) => {
                    file.set_len(0).map_err(io)?;
                    (&file).write_all(format!("{}\n", std::process::id()).as_bytes()).map_err(io)?;
                    return Ok(Lock { path, file });
                }
                Ok(()) => continue,
                Err(fs4::TryLockError::WouldBlock) => {
                    let pid = std::fs::read_to_string(&path).ok().and_then(|s| s.trim().parse::<u32>().ok());
                    return Err(Error::Usage(format!(
                        "another build is writing {} (pid {}); wait for it to end, or stop it ({} is its lock)",
                        parent.join(&name).display(),
                        pid.map_or("unknown".to_string(), |p| p.to_string()),
                        path.display(),
                    )));
                }
                Err(fs4::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        Err(Error::Usage(format!("cannot lock {}: it keeps being replaced", path.display())))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // removed while still held, so that no one locks a file that is going away
        let _ = std::fs::remove_file(&self.path);
        let _ = fs4::FileExt::unlock(&self.file);
    }
}

/// Whether the open `file` is the one at `path` now.
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Whether process `pid` may be running. Only Linux can tell (`/proc/PID`); elsewhere
/// the output's [`Lock`], held by the caller, is what says no build is writing it.
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        // this process builds one site into one output at a time, under the lock
        return false;
    }
    #[cfg(target_os = "linux")]
    if Path::new("/proc/self").exists() {
        return Path::new("/proc").join(pid.to_string()).exists();
    }
    false
}

/// What [`remove_stale`] did.
#[derive(Debug, Default)]
pub struct Stale {
    /// Leftover folders removed.
    pub removed: Vec<PathBuf>,
    /// Leftover folders kept, and why.
    pub kept: Vec<(PathBuf, String)>,
}

/// Remove the folders that interrupted builds left beside `out`: named exactly
/// `.OUT.tmp-PID-N` or `.OUT.old-PID-N`, of a process that is not running, and holding
/// gazette's marker (or nothing at all). An old output that holds files no build wrote
/// is kept and named instead. Call it holding `out`'s [`Lock`].
pub fn remove_stale(out: &Path) -> Stale {
    let mut stale = Stale::default();
    let Ok((parent, name)) = write::beside(out) else { return stale };
    let Ok(entries) = std::fs::read_dir(&parent) else { return stale };
    let mut found: Vec<(PathBuf, Leftover)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let (kind, pid) = write::leftover(e.file_name().to_str()?, &name)?;
            let is_dir = e.file_type().ok()?.is_dir();
            (is_dir && !alive(pid)).then(|| (e.path(), kind))
        })
        .collect();
    found.sort();
    for (dir, kind) in found {
        let empty = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none());
        if !empty && !dir.join(MARKER).is_file() {
            continue;
        }
        if kind == Leftover::Old && !empty {
            // a build stopped while it moved someone's files from here into the new output
            let manifest = Manifest::read(&dir).ok().flatten();
            match write::foreign(&dir, manifest.as_ref()) {
                Ok(theirs) if theirs.is_empty() => {}
                Ok(theirs) => {
                    let why = format!("it holds files that no build wrote: {}", write::first_few(&theirs));
                    stale.kept.push((dir, why));
                    continue;
                }
                Err(e) => {
                    stale.kept.push((dir, e.to_string()));
                    continue;
                }
            }
        }
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => stale.removed.push(dir),
            Err(e) => stale.kept.push((dir, format!("cannot remove it: {e}"))),
        }
    }
    stale
}

#[cfg(test)]
mod tests {
    use super::*;

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
            site.join("static/out"),
            site.join(".gazette-cache"),
            site.join(".gazette-cache/public"),
        ] {
            let e = check_output(&site, &bad).unwrap_err().to_string();
            assert!(e.starts_with("refusing"), "{bad:?}: {e}");
        }
        assert!(check_output(&site, &site.join("public")).is_ok());
        assert!(check_output(&site, &site.join(crate::cmd::serve::SERVE_DIR)).is_ok(), "gazette serve's own");
        assert!(check_output(&site, &t.path().join("elsewhere/new")).is_ok());
        let precious = t.path().join("precious");
        std::fs::create_dir(&precious).unwrap();
        std::fs::write(precious.join("thesis.tex"), "").unwrap();
        assert!(check_output(&site, &precious).unwrap_err().to_string().contains(MARKER));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn mount_points_are_known() {
        let t = tempfile::tempdir().unwrap();
        let dir = resolve(t.path()).unwrap();
        assert!(!is_mount_point(&dir));
        if Path::new("/proc/self").exists() {
            assert!(is_mount_point(Path::new("/proc")));
        }
        let table = b"36 35 98:0 /mnt1 /mnt/my\\040site rw - ext3 /dev/root rw\n\
                      37 35 98:0 /x /srv/a\\134b rw shared:1 - ext4 /dev/sda rw\n";
        let points: Vec<PathBuf> = mount_points(table).collect();
        assert_eq!(points, [PathBuf::from("/mnt/my site"), PathBuf::from("/srv/a\\b")]);
    }

    #[test]
    fn a_second_lock_names_the_first_holder() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("public");
        let lock = Lock::acquire(&out).unwrap();
        let lock_file = t.path().join(".public.lock");
        assert_eq!(std::fs::read_to_string(&lock_file).unwrap(), format!("{}\n", std::process::id()));
        let e = Lock::acquire(&out).unwrap_err().to_string();
        assert!(
            e.starts_with("another build is writing") && e.contains(&format!("(pid {})", std::process::id())),
            "{e}"
        );
        drop(lock);
        assert!(!lock_file.exists(), "the lock file is removed");
        drop(Lock::acquire(&out).unwrap());
    }
}
