//! `gazette export SITE_DIR`: a site's events (or articles') as GeoJSON, GeoJSON Lines or
//! CSV, on stdout or, with `-o`, to a file replaced atomically (CSV also gets its `.csvt`
//! and `.prj` sidecars, so QGIS types every column and knows the CRS).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config::{ExportFormat, Format};
use crate::error::{Error, Result};
use crate::export::{self, ArticleKey};
use crate::gazetteer::Gazetteer;
use crate::geoparse;
use crate::pipeline;
use crate::report::Report;

/// What `export` was asked to do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExportOptions<'a> {
    /// GeoJSON, GeoJSON Lines, CSV or GeoPackage.
    pub format: ExportFormat,
    /// The file to write, instead of stdout.
    pub output: Option<&'a Path>,
    /// Also export countries named only by a demonym.
    pub demonyms: bool,
    /// Keep only mentions at least this confident.
    pub min_confidence: f64,
}

/// Run `export` over `inputs` (a site folder's `articles/` is read in its place).
pub(crate) fn run(
    g: &Gazetteer,
    inputs: &[PathBuf],
    ExportOptions { format, output, demonyms, min_confidence }: ExportOptions,
    mut report: Report,
    out: &mut dyn Write,
) -> Result<i32> {
    let io = |e: std::io::Error| Error::Io { path: PathBuf::from("<stdout>"), source: e };
    let inputs: Vec<PathBuf> =
        inputs.iter().map(|p| if p.join("articles").is_dir() { p.join("articles") } else { p.clone() }).collect();
    let popts = geoparse::Options { explain: false, min_confidence, demonyms };
    let format = match (format, output) {
        (ExportFormat::Text(f), _) => f,
        (ExportFormat::GeoPackage, None) => {
            return Err(Error::Usage("a GeoPackage is a file: give it one with -o events.gpkg".into()));
        }
        (ExportFormat::GeoPackage, Some(path)) => {
            let (events, diags) = pipeline::process(g, &inputs, popts);
            report.emit(&diags);
            export::gpkg::write(path, &events, ArticleKey::Slug, demonyms)?;
            return Ok(report.code());
        }
    };
    let (events, diags) = pipeline::process(g, &inputs, popts);
    report.emit(&diags);
    let mut buf = Vec::new();
    let key = ArticleKey::Slug;
    match format {
        Format::GeoJson | Format::Mentions => export::geojson::write_collection(&mut buf, &events, key, demonyms),
        Format::GeoJsonLines => export::geojson::write_lines(&mut buf, &events, key, demonyms),
        Format::Csv => export::csv::write(&mut buf, &events, key, demonyms),
    }
    .map_err(io)?;
    match output {
        None => out.write_all(&buf).map_err(io)?,
        Some(path) => {
            super::write_file(path, &buf)?;
            if format == Format::Csv {
                super::write_file(&path.with_extension("csvt"), export::csv::csvt().as_bytes())?;
                super::write_file(&path.with_extension("prj"), export::csv::WGS84_PRJ.as_bytes())?;
            }
        }
    }
    Ok(report.code())
}
