//! `gazette export SITE_DIR`: a site's events (or articles') as GeoJSON, GeoJSON Lines or
//! CSV, on stdout or, with `-o`, to a file replaced atomically (CSV also gets its `.csvt`
//! and `.prj` sidecars, so QGIS types every column and knows the CRS), or with `-o` as
//! a GeoPackage or GeoParquet file.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{Format, OutputFormat};
use crate::error::Result;
use crate::export::ArticleKey;
use crate::gazetteer::Gazetteer;
use crate::geoparse::Lexicon;
use crate::pipeline::{MakeEvent, StreamOptions};
use crate::report::Report;

/// What `export` was asked to do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExportOptions<'a> {
    /// GeoJSON, GeoJSON Lines, CSV, GeoPackage or GeoParquet.
    pub format: OutputFormat,
    /// The file to write, instead of stdout.
    pub output: Option<&'a Path>,
    /// Also export countries named only by a demonym.
    pub demonyms: bool,
    /// Keep only mentions at least this confident.
    pub min_confidence: f64,
}

/// Run `export` over `inputs` (a site folder's `articles/` is read in its place): the
/// stream `extract` runs, with each article's slug as its key, and, for one site
/// folder, the events its last build cached.
pub(crate) fn run(
    g: &Gazetteer,
    inputs: &[PathBuf],
    ExportOptions { format, output, demonyms, min_confidence }: ExportOptions,
    report: Report,
    out: &mut dyn Write,
) -> Result<i32> {
    let site_inputs: Vec<&PathBuf> = inputs.iter().filter(|p| p.join("articles").is_dir()).collect();
    let inputs: Vec<PathBuf> =
        inputs.iter().map(|p| if site_inputs.contains(&p) { p.join("articles") } else { p.clone() }).collect();
    // one site: its articles' events come from its geoparse cache where they are there
    // (a build left it), the rest are geoparsed; the cache is read, never written
    let site = match site_inputs.as_slice() {
        [one] if inputs.len() == 1 => crate::site::cache::Cache::open_read_only(one, g),
        _ => None,
    };
    let cached = site.as_ref().map(|c| move |g: &Gazetteer, lex: &Lexicon, a, o| c.event(g, lex, a, o));
    let stream = StreamOptions {
        format: Format::GeoJson,
        key: ArticleKey::Slug,
        explain: false,
        demonyms,
        min_confidence,
        make_event: cached.as_ref().map(|f| f as &MakeEvent),
    };
    super::extract::write(g, &inputs, stream, format, output, report, out)
}
