//! `gazette corpus` (hidden): the synthetic benchmark corpus of [`crate::corpus`], as
//! JSON Lines on stdout or one Markdown file per article in a folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::corpus::{self, Spec};
use crate::error::{Error, Result};
use crate::gazetteer::Gazetteer;

/// Write the corpus of `spec` to `out`, or into the folder `output`.
pub(crate) fn run(g: &Gazetteer, spec: Spec, output: Option<&Path>, out: &mut dyn Write) -> Result<()> {
    let io = |e: std::io::Error| Error::Io { path: PathBuf::from("<stdout>"), source: e };
    let mut result = Ok(());
    match output {
        None => corpus::generate(g, spec, |a| {
            if result.is_ok() {
                result = writeln!(out, "{}", a.json_line()).map_err(io);
            }
        }),
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.to_owned(), source })?;
            corpus::generate(g, spec, |a| {
                let path = dir.join(format!("{:07}-{}.md", a.id, a.lang));
                if result.is_ok() {
                    result = super::write_file(&path, a.markdown().as_bytes());
                }
            })
        }
    }
    result
}
