//! The static site (`gazette build`): a map and timeline of a folder of articles.
//!
//! ```text
//!  gazette.toml ─config─┐
//!  templates/  ──theme──┤
//!  articles/ ─process─▶ events ─view─▶ listings ─render─▶ one file at a time ─write─▶ OUT/
//! ```
//!
//! Each step is a module: [`config`] reads `gazette.toml`, [`theme`] loads the built-in
//! templates and the site's overrides, [`view`] sorts the events and builds the compact
//! listing structs once, [`render`] turns them into every file of the site (pages,
//! `data/events.json`, the GeoJSON/CSV downloads, feed and sitemap), with
//! [`markdown`] for article bodies and [`svg`] for the maps that need no JavaScript, and
//! [`write`](mod@write) is the only code that touches the output folder. [`cache`] keeps
//! the geoparser's results between builds, so that unchanged articles are not parsed
//! again, and [`progress`] shows how a long build is going.

pub mod cache;
pub mod config;
pub mod markdown;
pub mod progress;
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

    let inputs = [opts.site_dir.join("articles")];
    let lex = crate::geoparse::lexicon::Lexicon::embedded();
    let cache = cache::Cache::open(&opts.site_dir, g);
    let progress = progress::Progress::new(opts.quiet);
    if let Some(p) = &progress {
        p.stage("reading and geoparsing articles");
    }
    let count = |e: crate::event::Event| {
        if let Some(p) = &progress {
            p.inc();
        }
        e
    };
    let (mut events, mut diags) = match &cache {
        Some(c) => crate::process_with(&inputs, |a| count(c.event(g, lex, a))),
        None => crate::process_with(&inputs, |a| {
            count(crate::event::from_article(g, lex, a, crate::geoparse::Options::default()))
        }),
    };
    // What the site needs of an article is its Markdown; the geoparser's copies of the
    // text are the bulk of a big site's memory.
    for e in &mut events {
        e.article.plain = String::new();
        e.article.source_text = String::new();
    }
    let (reused, parsed) = cache.as_ref().map_or((0, events.len()), |c| c.counts());
    if let Some(c) = cache {
        // only slower next time: not a reason to fail this build
        if let Err(e) = c.save() {
            if !opts.quiet {
                eprintln!("warning: cannot write {}: {e}", opts.site_dir.join(cache::FILE).display());
            }
        }
    }
    diags.extend(fit_timeline(&opts.site_dir, &mut config, &events));
    if !opts.quiet {
        for d in &diags {
            eprintln!("{d}");
        }
    }
    let errors = diags.iter().any(|d| d.severity == Severity::Error);
    let code = i32::from(errors || (opts.strict && !diags.is_empty()));

    if let Some(p) = &progress {
        p.stage("writing files");
    }
    let files = write::write_site_with(&out, progress.clone(), |sink| {
        render::render(&config, &theme, &events, &|path, bytes| sink.emit(path, bytes))
    });
    if let Some(p) = &progress {
        p.finish();
    }
    let files = files?;
    if !opts.quiet {
        if config.base_url.is_none() {
            eprintln!("note: no base_url in gazette.toml: no sitemap.xml, and the feed's links are relative");
        }
        eprintln!(
            "built {} event{} into {} files in {} ({:.2} s; geoparsed {parsed}, reused {reused} from the cache)",
            events.len(),
            if events.len() == 1 { "" } else { "s" },
            files,
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
