//! The static site (`gazette build`): a map and timeline of a folder of articles.
//!
//! ```text
//!  gazette.toml ─config─┐
//!  templates/  ──theme──┤
//!  articles/ ─process─▶ events ─view─▶ listings ─render─▶ Vec<OutputFile> ─write─▶ OUT/
//! ```
//!
//! Each step is a module: [`config`] reads `gazette.toml`, [`theme`] loads the built-in
//! templates and the site's overrides, [`view`] sorts the events and builds the compact
//! listing structs once, [`render`] turns them into every file of the site in memory
//! (pages, `data/events.json`, the GeoJSON/CSV downloads, feed and sitemap), with
//! [`markdown`] for article bodies and [`svg`] for the maps that need no JavaScript, and
//! [`write`](mod@write) is the only code that touches the output folder.

pub mod config;
pub mod markdown;
pub mod render;
pub mod svg;
pub mod theme;
pub mod view;
pub mod write;

use std::path::PathBuf;
use std::time::Instant;

use crate::article::Severity;
use crate::gazetteer::Gazetteer;

/// What `gazette build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site_dir: PathBuf,
    /// Defaults to `SITE_DIR/public`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` in `gazette.toml`.
    pub base_url: Option<String>,
    pub quiet: bool,
    pub strict: bool,
}

/// Build the site; returns the exit code: 1 when an article had errors (or warnings,
/// with `strict`), though the site is still built from the others.
pub fn build(g: &Gazetteer, opts: &BuildOptions) -> crate::Result<i32> {
    let started = Instant::now();
    let mut config = config::load(&opts.site_dir, opts.base_url.as_deref())?;
    let out = opts.output.clone().unwrap_or_else(|| opts.site_dir.join("public"));
    write::check_output(&opts.site_dir, &out)?;
    let theme = theme::load(&opts.site_dir, &config)?;

    let (events, mut diags) = crate::process(g, &[opts.site_dir.join("articles")], crate::geoparse::Options::default());
    diags.extend(fit_timeline(&opts.site_dir, &mut config, &events));
    if !opts.quiet {
        for d in &diags {
            eprintln!("{d}");
        }
    }
    let errors = diags.iter().any(|d| d.severity == Severity::Error);
    let code = i32::from(errors || (opts.strict && !diags.is_empty()));

    let files = render::render(&config, &theme, &events)?;
    write::write_site(&out, &files)?;
    if !opts.quiet {
        if config.base_url.is_none() {
            eprintln!("note: no base_url in gazette.toml: no sitemap.xml, and the feed's links are relative");
        }
        eprintln!(
            "built {} event{} into {} files in {} ({:.2} s)",
            events.len(),
            if events.len() == 1 { "" } else { "s" },
            files.len(),
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(code)
}

/// Coarsen the timeline when the events' dates span too many bars (see
/// [`view::fit_granularity`]); the warning names `gazette.toml`, where granularity is set.
pub fn fit_timeline(
    site_dir: &std::path::Path,
    config: &mut config::SiteConfig,
    events: &[crate::event::Event],
) -> Option<crate::article::Diagnostic> {
    let (granularity, message) = view::fit_granularity(events, config.granularity);
    config.granularity = granularity;
    Some(crate::article::Diagnostic {
        severity: Severity::Warning,
        path: site_dir.join("gazette.toml").display().to_string(),
        line: None,
        message: message?,
    })
}
