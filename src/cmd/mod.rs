//! The commands, one module each. [`crate::run`] picks one; each turns its part of the
//! [`Config`](crate::Config) into calls on the pipeline's stages and writes what the
//! command prints. Problems with the input go through one [`Report`](crate::report::Report),
//! which prints them and gives the exit code.

pub(crate) mod about;
pub(crate) mod build;
pub(crate) mod check;
pub(crate) mod corpus;
pub(crate) mod export;
pub(crate) mod extract;
pub(crate) mod init;
pub(crate) mod lookup;
pub(crate) mod serve;

use std::path::Path;

use crate::error::{Error, Result};

/// Write a file atomically: to a temporary sibling, then rename over the target, so that
/// a reader never sees half a file and a failed write leaves the old one.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| Error::Io { path: path.to_owned(), source };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("out")));
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}
