//! `gazette extract INPUTS`: every place in the articles, as GeoJSON, GeoJSON Lines, CSV
//! or a mentions listing on stdout (or, with `-o`, in a file, GeoPackage and GeoParquet
//! included), streamed in bounded memory (see [`pipeline::stream`]): articles are read,
//! geoparsed in parallel and written a batch at a time, in input order.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{Format, OutputFormat};
use crate::error::{Error, Result};
use crate::export::{ArticleKey, FileWriter, Staged};
use crate::gazetteer::Gazetteer;
use crate::pipeline::{self, Sink, StreamOptions};
use crate::report::Report;

/// What `extract` was asked to do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExtractOptions<'a> {
    /// The output format.
    pub format: OutputFormat,
    /// The file to write, instead of stdout.
    pub output: Option<&'a Path>,
    /// Add each mention's candidates and signals (mentions only).
    pub explain: bool,
    /// Also report countries named only by a demonym.
    pub demonyms: bool,
    /// Keep only mentions at least this confident.
    pub min_confidence: f64,
}

/// Run `extract` over `inputs`, writing to `out` (or to `-o`'s file, put in place when
/// whole) as each batch of articles is done; the exit code follows the report.
pub(crate) fn run(
    g: &Gazetteer,
    inputs: &[PathBuf],
    opts: ExtractOptions,
    report: Report,
    out: &mut dyn Write,
) -> Result<i32> {
    let stream = StreamOptions {
        format: Format::GeoJson,
        key: ArticleKey::Path,
        explain: opts.explain,
        demonyms: opts.demonyms,
        min_confidence: opts.min_confidence,
        make_event: None,
    };
    write(g, inputs, stream, opts.format, opts.output, report, out)
}

/// Stream `inputs` into `format` (`stream.format` is set from it): on `out`, or into
/// `output`, replaced whole at the end (a CSV also gets its `.csvt` and `.prj`
/// sidecars, so that QGIS types every column and knows the CRS). `export` runs this too.
pub(crate) fn write(
    g: &Gazetteer,
    inputs: &[PathBuf],
    mut stream: StreamOptions,
    format: OutputFormat,
    output: Option<&Path>,
    mut report: Report,
    out: &mut dyn Write,
) -> Result<i32> {
    if let Some(path) = output {
        super::check_target(path, format, inputs)?;
    }
    let mut stdin = std::io::BufReader::with_capacity(1 << 20, std::io::stdin().lock());
    match (format, output) {
        (OutputFormat::Text(format), None) => {
            stream.format = format;
            pipeline::stream(g, stream, inputs, &mut stdin, Sink::Text(out), &mut report)?;
        }
        (OutputFormat::Text(format), Some(path)) => {
            stream.format = format;
            let file = Staged::new(path);
            let io = |source| Error::Io { path: path.to_owned(), source };
            let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&file.tmp).map_err(io)?);
            pipeline::stream(g, stream, inputs, &mut stdin, Sink::Text(&mut w), &mut report)?;
            w.into_inner().map_err(|e| io(e.into_error()))?;
            file.commit()?;
            if format == Format::Csv {
                super::write_file(&path.with_extension("csvt"), crate::export::csv::csvt().as_bytes())?;
                super::write_file(&path.with_extension("prj"), crate::export::csv::WGS84_PRJ.as_bytes())?;
            }
        }
        (OutputFormat::File(_), None) => return Err(super::needs_output()),
        (OutputFormat::File(format), Some(path)) => {
            let mut w = FileWriter::create(format, path, stream.key, stream.demonyms)?;
            pipeline::stream(g, stream, inputs, &mut stdin, Sink::File(&mut w), &mut report)?;
            w.finish()?;
        }
    }
    Ok(report.code())
}
