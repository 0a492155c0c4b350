//! What a host needs besides the pages: the site's own `static/` folder, copied as it is
//! to the root of the output (`SITE_DIR/static/CNAME` → `OUT/CNAME`,
//! `static/.well-known/security.txt`, `static/img/logo.png` → `OUT/img/logo.png`), a
//! `CNAME` file holding `cname` of `gazette.toml` (GitHub Pages' custom domain, written
//! as GitHub writes it, without a line break), and an empty `.nojekyll`, which tells
//! GitHub Pages to publish the folder as it is rather than through Jekyll.
//!
//! The theme's `templates/static/` is another thing: those files go to `OUT/static/`.
//! Every file here is known before the build, so a clash is found before the work: with
//! `cname` (a `static/CNAME` too), or with a file in the output that no build wrote. A
//! file of `static/` that stands where the build writes a page of its own is an error
//! when the build ends ([`Sink::copy`](super::write::Sink::copy)).

use std::path::{Path, PathBuf};

use super::config::SiteConfig;
use super::write::{self, Manifest, Sink};
use crate::error::{Error, Result};

/// The site's folder of files copied as they are to the root of the output.
pub const STATIC_DIR: &str = "static";

/// Folders nested deeper than this in `static/` are refused: a symlink loop, most likely.
const MAX_DEPTH: usize = 64;

/// A file the build adds as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extra {
    /// Its path in the output.
    pub rel: PathBuf,
    pub from: Source,
}

/// Where an [`Extra`]'s bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file of the site's `static/` folder.
    File(PathBuf),
    /// Bytes the build makes (`CNAME`, `.nojekyll`).
    Bytes(Vec<u8>),
}

/// The files of `SITE_DIR/static/` (all of them, hidden ones too, in sorted order,
/// following symlinks), then `CNAME` and `.nojekyll` unless `static/` has its own.
pub fn extras(site_dir: &Path, config: &SiteConfig) -> Result<Vec<Extra>> {
    let dir = site_dir.join(STATIC_DIR);
    let mut out = Vec::new();
    if dir.is_dir() {
        walk(&dir, Path::new(""), 0, &mut out)?;
    }
    let has = |out: &[Extra], name: &str| out.iter().any(|e| e.rel == Path::new(name));
    if has(&out, write::MARKER) {
        return Err(Error::Usage(format!(
            "{}: the build writes its own {} there (the list of its files); rename the file",
            dir.join(write::MARKER).display(),
            write::MARKER
        )));
    }
    if let Some(cname) = &config.cname {
        if has(&out, "CNAME") {
            return Err(Error::Config {
                path: site_dir.join("gazette.toml"),
                line: None,
                message: format!("`cname` and {} both make CNAME; keep one", dir.join("CNAME").display()),
            });
        }
        out.push(Extra { rel: "CNAME".into(), from: Source::Bytes(cname.clone().into_bytes()) });
    }
    if !has(&out, ".nojekyll") {
        out.push(Extra { rel: ".nojekyll".into(), from: Source::Bytes(Vec::new()) });
    }
    Ok(out)
}

fn walk(root: &Path, rel: &Path, depth: usize, out: &mut Vec<Extra>) -> Result<()> {
    let here = root.join(rel);
    let io = |source| Error::Io { path: here.clone(), source };
    if depth > MAX_DEPTH {
        return Err(Error::Usage(format!("{}: folders nested too deep (a symlink loop?)", here.display())));
    }
    let mut names = Vec::new();
    for e in std::fs::read_dir(&here).map_err(io)? {
        names.push(e.map_err(io)?.file_name());
    }
    names.sort();
    for name in names {
        let r = rel.join(&name);
        let path = root.join(&r);
        let meta = std::fs::metadata(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
        if meta.is_dir() {
            walk(root, &r, depth + 1, out)?;
        } else {
            out.push(Extra { rel: r, from: Source::File(path) });
        }
    }
    Ok(())
}

/// Hand every extra to the sink.
pub fn emit(extras: &[Extra], sink: &Sink) -> Result<()> {
    for e in extras {
        match &e.from {
            Source::File(src) => sink.copy(&e.rel, src)?,
            Source::Bytes(b) => sink.emit(&e.rel, b)?,
        }
    }
    Ok(())
}

/// Refuse, before the build, extras that stand where `out` holds a file that no build
/// wrote, with other bytes (the same bytes lose nothing: a `CNAME` copied by hand).
pub fn check_clashes(out: &Path, extras: &[Extra]) -> Result<()> {
    let out = write::resolve(out).map_err(|source| Error::Io { path: out.to_owned(), source })?;
    let present: Vec<(&Extra, std::fs::Metadata)> =
        extras.iter().filter_map(|e| Some((e, std::fs::symlink_metadata(out.join(&e.rel)).ok()?))).collect();
    // the manifest of a big site is a few megabytes: read it only when there is a question
    if present.is_empty() {
        return Ok(());
    }
    let Some(manifest) = Manifest::read(&out)? else { return Ok(()) };
    let mut clash = Vec::new();
    for (e, meta) in present {
        let theirs = out.join(&e.rel);
        if manifest.owns(&write::key(&e.rel), meta.is_dir()) {
            continue;
        }
        let same = meta.is_file()
            && match &e.from {
                Source::File(src) => write::same_file_bytes(src, &theirs),
                Source::Bytes(b) => meta.len() == b.len() as u64 && std::fs::read(&theirs).is_ok_and(|t| t == *b),
            };
        if !same {
            clash.push(e.rel.clone());
        }
    }
    if clash.is_empty() {
        Ok(())
    } else {
        Err(write::clash_error(&out, &clash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(cname: Option<&str>) -> SiteConfig {
        let toml = match cname {
            Some(c) => format!("title = \"x\"\ncname = {c:?}\n"),
            None => "title = \"x\"\n".into(),
        };
        super::super::config::parse(Path::new("gazette.toml"), &toml, None).unwrap()
    }

    #[test]
    fn static_files_then_cname_and_nojekyll() {
        let t = tempfile::tempdir().unwrap();
        let site = t.path();
        assert_eq!(
            extras(site, &config(Some("news.example.org"))).unwrap(),
            [
                Extra { rel: "CNAME".into(), from: Source::Bytes(b"news.example.org".to_vec()) },
                Extra { rel: ".nojekyll".into(), from: Source::Bytes(Vec::new()) },
            ]
        );
        std::fs::create_dir_all(site.join("static/.well-known")).unwrap();
        for f in ["static/.well-known/security.txt", "static/robots.txt", "static/.nojekyll", "static/CNAME"] {
            std::fs::write(site.join(f), "x").unwrap();
        }
        let rels: Vec<PathBuf> = extras(site, &config(None)).unwrap().into_iter().map(|e| e.rel).collect();
        assert_eq!(rels, [".nojekyll", ".well-known/security.txt", "CNAME", "robots.txt"].map(PathBuf::from));
        let e = extras(site, &config(Some("news.example.org"))).unwrap_err().to_string();
        assert!(e.contains("`cname` and") && e.contains("static/CNAME"), "{e}");
        std::fs::write(site.join("static").join(write::MARKER), "x").unwrap();
        let e = extras(site, &config(None)).unwrap_err().to_string();
        assert!(e.contains("static/.gazette-build: the build writes its own"), "{e}");
    }
}
