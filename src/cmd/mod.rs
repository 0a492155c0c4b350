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

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::config::{FileFormat, Format, OutputFormat};
use crate::error::{Error, Result};

/// Write a file atomically: to a temporary sibling, then rename over the target, so that
/// a reader never sees half a file and a failed write leaves the old one.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let file = crate::export::Staged::new(path);
    std::fs::write(&file.tmp, bytes).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    file.commit()
}

/// The error of a file format without `-o`.
pub(crate) fn needs_output() -> Error {
    Error::Usage(
        "GeoPackage and GeoParquet are files, not streams: name one with -o (events.gpkg, events.parquet)".into(),
    )
}

/// Check, before any work, that `-o` may replace `path` with a file in `format`: it is
/// not a folder, not one of the `inputs` (nor inside an input folder, where the next run
/// would read it), and, when it exists, it is what an earlier run wrote in that format
/// (a GeoPackage, a Parquet file, GeoJSON, a gazette CSV) or empty. So a slip of the
/// keyboard (`-o notes.md`) cannot replace a file gazette did not write; as `build`
/// refuses a folder it did not write, this is a usage error.
pub(crate) fn check_target(path: &Path, format: OutputFormat, inputs: &[PathBuf]) -> Result<()> {
    let refuse = |why: &str| Err(Error::Usage(format!("refusing to write {}: {why}", path.display())));
    if path.is_dir() {
        return refuse("it is a folder; name a file");
    }
    let target = crate::site::write::resolve(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
    for input in inputs.iter().filter(|p| p.as_os_str() != "-") {
        let Ok(input) = crate::site::write::resolve(input) else { continue };
        if target == input {
            return refuse("it is one of the inputs");
        }
        if input.is_dir() && target.starts_with(&input) {
            return refuse(&format!("it is inside the input folder {}; write it elsewhere", input.display()));
        }
    }
    let mut head = Vec::new();
    match std::fs::File::open(path) {
        Ok(f) => f.take(100).read_to_end(&mut head).map_err(|source| Error::Io { path: path.to_owned(), source })?,
        Err(_) => return Ok(()),
    };
    if head.is_empty() || looks_like(format, &head) {
        return Ok(());
    }
    let what = match format {
        OutputFormat::File(FileFormat::GeoPackage) => "a GeoPackage",
        OutputFormat::File(FileFormat::GeoParquet) => "a Parquet file",
        OutputFormat::Text(Format::Csv) => "a CSV that gazette wrote",
        OutputFormat::Text(_) => "JSON",
    };
    refuse(&format!("it exists and is not {what}; remove it or choose another name"))
}

/// Whether a file starting with `head` is what gazette writes in `format`.
fn looks_like(format: OutputFormat, head: &[u8]) -> bool {
    match format {
        OutputFormat::File(FileFormat::GeoPackage) => {
            head.starts_with(b"SQLite format 3\0") && head.get(68..72) == Some(b"GPKG")
        }
        OutputFormat::File(FileFormat::GeoParquet) => head.starts_with(b"PAR1"),
        OutputFormat::Text(Format::Csv) => head.starts_with(b"latitude,longitude,"),
        OutputFormat::Text(_) => head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_recognised_by_its_first_bytes() {
        let gpkg = {
            let mut b = b"SQLite format 3\0".to_vec();
            b.resize(68, 0);
            b.extend_from_slice(b"GPKG");
            b
        };
        let sqlite = {
            let mut b = gpkg.clone();
            b[68..72].copy_from_slice(b"\0\0\0\0");
            b
        };
        let (pkg, pq) = (OutputFormat::File(FileFormat::GeoPackage), OutputFormat::File(FileFormat::GeoParquet));
        let (json, lines, csv) = (
            OutputFormat::Text(Format::GeoJson),
            OutputFormat::Text(Format::GeoJsonLines),
            OutputFormat::Text(Format::Csv),
        );
        for (format, head, want) in [
            (pkg, &gpkg[..], true),
            (pkg, &sqlite[..], false),
            (pkg, b"PAR1...", false),
            (pq, b"PAR1\x15\x04", true),
            (pq, b"{\"type\"", false),
            (json, b"{\"type\":\"FeatureCollection\"", true),
            (json, b"\n  {", true),
            (json, b"# My notes", false),
            (lines, b"{\"type\":\"Feature\"", true),
            (csv, b"latitude,longitude,WKT,id", true),
            (csv, b"name,lat,lon", false),
        ] {
            assert_eq!(looks_like(format, head), want, "{format:?} {:?}", String::from_utf8_lossy(head));
        }
    }
}
