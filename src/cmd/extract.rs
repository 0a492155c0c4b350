//! `gazette extract INPUTS`: every place in the articles, as GeoJSON, GeoJSON Lines, CSV
//! or a mentions listing on stdout, streamed in bounded memory (see
//! [`pipeline::stream`]): articles are read, geoparsed in parallel and written a batch
//! at a time, in input order.

use std::io::Write;
use std::path::PathBuf;

use crate::config::Format;
use crate::error::Result;
use crate::gazetteer::Gazetteer;
use crate::pipeline::{self, StreamOptions};
use crate::report::Report;

/// What `extract` was asked to do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtractOptions {
    /// The output format.
    pub format: Format,
    /// Add each mention's candidates and signals (mentions only).
    pub explain: bool,
    /// Also report countries named only by a demonym.
    pub demonyms: bool,
    /// Keep only mentions at least this confident.
    pub min_confidence: f64,
}

/// Run `extract` over `inputs`, writing to `out` as each batch of articles is done; the
/// exit code follows the report.
pub(crate) fn run(
    g: &Gazetteer,
    inputs: &[PathBuf],
    opts: ExtractOptions,
    mut report: Report,
    out: &mut dyn Write,
) -> Result<i32> {
    let stream = StreamOptions {
        format: opts.format,
        explain: opts.explain,
        demonyms: opts.demonyms,
        min_confidence: opts.min_confidence,
    };
    let mut stdin = std::io::BufReader::with_capacity(1 << 20, std::io::stdin().lock());
    pipeline::stream(g, stream, inputs, &mut stdin, out, &mut report)?;
    Ok(report.code())
}
