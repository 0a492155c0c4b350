//! `gazette extract INPUTS`: every place in the articles, as GeoJSON, GeoJSON Lines, CSV
//! or a mentions listing on stdout. Line formats over `-` or `.jsonl` files stream in
//! bounded memory; everything else is read whole, geoparsed in parallel, and written in
//! input order.

use std::io::Write;
use std::path::PathBuf;

use crate::config::Format;
use crate::error::{Error, Result};
use crate::export::{self, ArticleKey};
use crate::gazetteer::Gazetteer;
use crate::geoparse;
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

/// Run `extract` over `inputs`, writing to `out`; the exit code follows the report.
pub(crate) fn run(
    g: &Gazetteer,
    inputs: &[PathBuf],
    opts: ExtractOptions,
    mut report: Report,
    out: &mut dyn Write,
) -> Result<i32> {
    let io = |e: std::io::Error| Error::Io { path: PathBuf::from("<stdout>"), source: e };
    let line_format = matches!(opts.format, Format::GeoJsonLines | Format::Mentions);
    let stream = StreamOptions {
        format: opts.format,
        explain: opts.explain,
        demonyms: opts.demonyms,
        min_confidence: opts.min_confidence,
    };
    if line_format && inputs.len() == 1 && inputs[0].as_os_str() == "-" {
        let stdin = std::io::BufReader::with_capacity(1 << 20, std::io::stdin().lock());
        pipeline::stream(g, stream, "<stdin>", stdin, out, &mut report)?;
        return Ok(report.code());
    }
    if line_format && inputs.iter().all(|p| pipeline::is_corpus(p) && p.is_file()) {
        // JSON Lines corpora stream too, one after the other, in bounded memory
        for p in inputs {
            let file = std::fs::File::open(p).map_err(|source| Error::Io { path: p.clone(), source })?;
            let reader = std::io::BufReader::with_capacity(1 << 20, file);
            pipeline::stream(g, stream, &p.display().to_string(), reader, out, &mut report)?;
        }
        return Ok(report.code());
    }
    let popts =
        geoparse::Options { explain: opts.explain, min_confidence: opts.min_confidence, demonyms: opts.demonyms };
    let (events, diags) = pipeline::process(g, inputs, popts);
    report.emit(&diags);
    let key = ArticleKey::Path;
    match opts.format {
        Format::Mentions => export::mentions::write(g, out, &events, opts.explain),
        Format::GeoJson => export::geojson::write_collection(out, &events, key, opts.demonyms),
        Format::GeoJsonLines => export::geojson::write_lines(out, &events, key, opts.demonyms),
        Format::Csv => export::csv::write(out, &events, key, opts.demonyms),
    }
    .map_err(io)?;
    Ok(report.code())
}
