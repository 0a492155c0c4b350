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

use crate::article::{Diagnostic, Severity};
use crate::error::{Error, Result};
use crate::gazetteer::Gazetteer;
use crate::site;

/// What `check` found, in the order it prints them.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    /// How many articles were read (those with errors are not counted).
    pub articles: usize,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Check the site in `site_dir` without writing anything.
pub fn check_site(g: &Gazetteer, site_dir: &Path) -> Report {
    let mut diags = Vec::new();
    let mut config = site::config::load(site_dir, None).map_err(|e| diags.push(diagnostic(site_dir, e))).ok();
    let theme = config
        .as_ref()
        .and_then(|c| site::theme::load(site_dir, c).map_err(|e| diags.push(diagnostic(site_dir, e))).ok());
    let (events, found) = crate::process(g, &[site_dir.join("articles")], crate::geoparse::Options::default());
    diags.extend(found);
    if let Some(config) = &mut config {
        diags.extend(site::fit_timeline(site_dir, config, &events));
    }
    if let (Some(config), Some(theme)) = (&config, &theme) {
        // Rendering runs every template against the real data: the errors a build would
        // stop on, caught without touching the output folder.
        // every file is rendered and dropped: nothing is written
        if let Err(e) = site::render::render(config, theme, &events, &|_, _| Ok(())) {
            diags.push(diagnostic(site_dir, e));
        }
    }
    // Stable: a file's own problems keep the order they were found in.
    diags.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    Report { diagnostics: diags, articles: events.len() }
}

/// Run `gazette check`: print every problem (with `quiet`, only the errors) and a summary
/// to `out`, and return the exit code.
pub fn run(g: &Gazetteer, site_dir: &Path, strict: bool, quiet: bool, out: &mut dyn Write) -> Result<i32> {
    let report = check_site(g, site_dir);
    let io = |source| Error::Io { path: "<stdout>".into(), source };
    for d in &report.diagnostics {
        if !quiet || d.severity == Severity::Error {
            writeln!(out, "{d}").map_err(io)?;
        }
    }
    let (errors, warnings) = (report.errors(), report.warnings());
    if !quiet {
        writeln!(
            out,
            "checked {} ({} article{}): {errors} error{}, {warnings} warning{}",
            site_dir.display(),
            report.articles,
            plural(report.articles),
            plural(errors),
            plural(warnings),
        )
        .map_err(io)?;
    }
    Ok(i32::from(errors > 0 || (strict && warnings > 0)))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A stage's error as a diagnostic, with the file and line it names.
fn diagnostic(site_dir: &Path, e: Error) -> Diagnostic {
    let error = |path: &Path, line, message| Diagnostic {
        severity: Severity::Error,
        path: path.display().to_string(),
        line,
        message,
    };
    match e {
        Error::Config { path, message } => {
            // site::config puts the line first: "line 4: unknown field `tilez`"
            let line = message.strip_prefix("line ").and_then(|r| r.split_once(": "));
            match line.and_then(|(n, rest)| Some((n.parse().ok()?, rest))) {
                Some((n, rest)) => error(&path, Some(n), rest.to_string()),
                None => error(&path, None, message),
            }
        }
        Error::Template { name, message } => {
            // Tera's parse errors point with "--> LINE:COLUMN"
            let line = message
                .split_once("--> ")
                .and_then(|(_, r)| r.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok());
            let path = site_dir.join("templates").join(&name);
            if path.is_file() {
                error(&path, line, format!("template: {message}"))
            } else {
                error(Path::new(&format!("built-in template {name}")), line, message)
            }
        }
        Error::Io { path, source } => error(&path, None, source.to_string()),
        Error::Article { path, line, message } => error(&path, line, message),
        other => error(site_dir, None, other.to_string()),
    }
}
