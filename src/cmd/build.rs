//! `gazette build SITE_DIR`: the static site, written to `SITE_DIR/public` (or `-o`).

use std::time::Instant;

use crate::error::Result;
use crate::gazetteer::Gazetteer;
use crate::report::Report;
use crate::site::write::first_few;
use crate::site::{self, BuildOptions, Built};

/// Build the site and report what was built; the exit code follows the report.
pub(crate) fn run(g: &Gazetteer, opts: &BuildOptions, mut report: Report) -> Result<i32> {
    build(g, opts, &mut report)?;
    Ok(report.code())
}

/// Build the site, then say where it went and how long it took (unless quiet).
pub(crate) fn build(g: &Gazetteer, opts: &BuildOptions, report: &mut Report) -> Result<Built> {
    let started = Instant::now();
    let built = site::build(g, opts, report)?;
    if !built.kept.is_empty() {
        report.note(&format!(
            "kept what no build wrote in {}: {} (files to publish with the site belong in SITE_DIR/static/)",
            built.output.display(),
            first_few(&built.kept),
        ));
    }
    if built.no_base_url {
        report.note("note: no base_url in gazette.toml: no sitemap.xml, and the feed's links are relative");
    }
    report.note(&format!(
        "built {} event{} into {} files in {} ({:.2} s; geoparsed {}, reused {} from the cache)",
        built.events,
        if built.events == 1 { "" } else { "s" },
        built.files,
        built.output.display(),
        started.elapsed().as_secs_f64(),
        built.parsed,
        built.reused,
    ));
    Ok(built)
}
