//! `gazette check SITE_DIR`: every problem `gazette build` would meet, and nothing written.
//!
//! It goes through the same stages as a build (`gazette.toml`, the templates, every
//! article read and geoparsed, the whole site rendered in memory) but stops before the
//! one step that writes, and instead of stopping at the first problem it lists them all,
//! each with its file and line where there is one, sorted by file. Like `zola check`, it
//! is for CI and pre-commit hooks: the exit code is 1 when anything is an error (with
//! `--strict`, a warning too), else 0.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::gazetteer::Gazetteer;
use crate::geoparse;
use crate::pipeline;
use crate::report::{Diagnostic, Report};
use crate::site;

/// Every problem with the site in `site_dir`, sorted by file, and how many articles were
/// read (those with errors are not counted). Nothing is written.
pub(crate) fn check_site(g: &Gazetteer, site_dir: &Path) -> (Vec<Diagnostic>, usize) {
    let mut diags = Vec::new();
    let mut config = site::config::load(site_dir, None).map_err(|e| diags.push(diagnostic(site_dir, e))).ok();
    let theme = config
        .as_ref()
        .and_then(|c| site::theme::load(site_dir, c).map_err(|e| diags.push(diagnostic(site_dir, e))).ok());
    let min_confidence = config.as_ref().map_or(geoparse::confidence::DEFAULT_MIN_CONFIDENCE, |c| c.min_confidence);
    let popts = geoparse::Options { min_confidence, ..geoparse::Options::default() };
    let (events, found) = pipeline::process(g, &[site_dir.join("articles")], popts);
    diags.extend(found);
    if let Some(config) = &mut config {
        diags.extend(site::fit_timeline(site_dir, config, &events));
    }
    if let (Some(config), Some(theme)) = (&config, &theme) {
        // Rendering runs every template against the real data: the errors a build would
        // stop on, caught without touching the output folder; every file is dropped.
        if let Err(e) = site::render::render(config, theme, &events, &site::render::Discard) {
            diags.push(diagnostic(site_dir, e));
        }
    }
    // Stable: a file's own problems keep the order they were found in.
    diags.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    (diags, events.len())
}

/// Run `gazette check`: print every problem (when quiet, only the errors) and a summary
/// to `out`, and return the exit code.
pub(crate) fn run(g: &Gazetteer, site_dir: &Path, mut report: Report, out: &mut dyn Write) -> Result<i32> {
    let (diags, articles) = check_site(g, site_dir);
    report.count(&diags);
    let io = |source| Error::Io { path: "<stdout>".into(), source };
    for d in &diags {
        if report.shows(d) {
            writeln!(out, "{d}").map_err(io)?;
        }
    }
    let (errors, warnings) = (report.errors(), report.warnings());
    if !report.quiet() {
        writeln!(
            out,
            "checked {} ({} article{}): {errors} error{}, {warnings} warning{}",
            site_dir.display(),
            articles,
            plural(articles),
            plural(errors),
            plural(warnings),
        )
        .map_err(io)?;
    }
    Ok(report.code())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A stage's error as a diagnostic with the file and line it names: a template error
/// names the site's own template file when it has one, else the built-in template.
fn diagnostic(site_dir: &Path, e: Error) -> Diagnostic {
    match e {
        Error::Template { name, line, message } => {
            let path = site_dir.join("templates").join(&name);
            if path.is_file() {
                Diagnostic::error(path.display().to_string(), line, format!("template: {message}"))
            } else {
                Diagnostic::error(format!("built-in template {name}"), line, message)
            }
        }
        other => Diagnostic::from_error(other, &site_dir.display().to_string()),
    }
}
