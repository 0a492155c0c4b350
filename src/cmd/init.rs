//! `gazette init DIR`: a new site folder, ready to build and to publish.
//!
//! It writes a commented `gazette.toml`, one example article, a `.gitignore` for the
//! build output and the cache, and `.github/workflows/pages.yml`, which installs this
//! gazette's release (checked against its SHA-256; built from the repository's tag where
//! there is no archive), builds the site on GitHub Actions and deploys it to GitHub Pages
//! (`actions/upload-pages-artifact` and `actions/deploy-pages`). The files are in
//! `templates/init/`, compiled into the binary; tests/workflows/run.sh runs the workflow's
//! steps.
//! A folder that exists and is not empty is left alone.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The files of a new site: (path in the site, contents).
const FILES: &[(&str, &str)] = &[
    ("gazette.toml", include_str!("../../templates/init/gazette.toml")),
    ("articles/hairatan-bridge.md", include_str!("../../templates/init/articles/hairatan-bridge.md")),
    (".github/workflows/pages.yml", include_str!("../../templates/init/workflows/pages.yml")),
    (".gitignore", include_str!("../../templates/init/gitignore")),
];

/// Create a new site in `dir`, which must not exist or be empty. Prints what it wrote.
pub(crate) fn run(dir: &Path, out: &mut dyn Write) -> Result<i32> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Usage(format!("refusing to create a site in {}: it is not empty", dir.display())));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(dir)(e)),
    }
    for (rel, text) in FILES {
        let path: PathBuf = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let text = text
            .replace("GAZETTE_VERSION_HERE", env!("CARGO_PKG_VERSION"))
            .replace("GAZETTE_REPOSITORY_HERE", env!("CARGO_PKG_REPOSITORY"));
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    let d = dir.display();
    let stdout = |e| Error::Io { path: PathBuf::from("<stdout>"), source: e };
    writeln!(
        out,
        "created a site in {d}: gazette.toml, articles/hairatan-bridge.md, .github/workflows/pages.yml\n\
         next: add articles to {d}/articles/, then `gazette serve {d}` to watch the site as you write,\n\
         or `gazette build {d}` to write it to {d}/public/"
    )
    .map_err(stdout)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_gets_this_version() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("news");
        run(&dir, &mut Vec::new()).unwrap();
        let wf = std::fs::read_to_string(dir.join(".github/workflows/pages.yml")).unwrap();
        assert!(wf.contains(&format!("GAZETTE_VERSION: \"{}\"", env!("CARGO_PKG_VERSION"))));
        assert!(wf.contains(&format!("GAZETTE_REPOSITORY: \"{}\"", env!("CARGO_PKG_REPOSITORY"))));
        assert!(env!("CARGO_PKG_REPOSITORY").starts_with("https://github.com/"));
        assert!(!wf.contains("_HERE"), "a placeholder is left in the workflow");
        // every action pinned to a commit, its release named beside it
        let uses: Vec<&str> = wf.lines().filter_map(|l| l.split_once("uses: ").map(|(_, u)| u)).collect();
        assert!(uses.len() >= 5, "{uses:?}");
        for u in uses {
            let (_, pin) = u.split_once('@').unwrap();
            let (sha, comment) = pin.split_once(" # v").unwrap_or((pin, ""));
            assert!(sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) && !comment.is_empty(), "{u}");
        }
        let config = crate::site::config::load(&dir, None).unwrap();
        assert_eq!(config.title, "My news map");
    }

    #[test]
    fn a_folder_with_files_is_left_alone() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("notes.txt"), "mine").unwrap();
        let e = run(t.path(), &mut Vec::new()).unwrap_err().to_string();
        assert!(e.starts_with("refusing") && e.contains("not empty"), "{e}");
        assert!(!t.path().join("gazette.toml").exists());
        // an empty folder is fine
        let empty = t.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        run(&empty, &mut Vec::new()).unwrap();
        assert!(empty.join("articles/hairatan-bridge.md").is_file());
    }
}
