//! The static site (`gazette build`): a map and timeline of a folder of articles.
//!
//! ```text
//!  gazette.toml ─config─┐
//!  templates/  ──theme──┤                                   static/ ─publish─┐
//!  articles/ ─process─▶ events ─view─▶ listings ─render─▶ one file at a time ─write─▶ OUT/
//! ```
//!
//! Each step is a module: `config` reads `gazette.toml`, `theme` loads the built-in
//! templates and the site's overrides, `view` sorts the events and builds the compact
//! listing structs once, `render` turns them into every file of the site (pages,
//! `data/events.json`, the GeoJSON/CSV downloads, feed and sitemap), with `markdown` for
//! article bodies and `svg` for the maps that need no JavaScript. `publish` adds the
//! site's own `static/` files, `CNAME` and `.nojekyll`. `write` is the only code that
//! writes the output folder, once `output` has checked it and locked it. `cache` keeps
//! the geoparser's results between builds, so that unchanged articles are not parsed
//! again, and `progress` shows how a long build is going.

pub(crate) mod cache;
pub(crate) mod config;
pub(crate) mod i18n;
pub(crate) mod markdown;
pub(crate) mod output;
pub(crate) mod progress;
pub(crate) mod publish;
pub(crate) mod render;
pub(crate) mod svg;
pub(crate) mod theme;
pub(crate) mod view;
pub(crate) mod write;

use std::path::{Path, PathBuf};

use crate::event::{self, Event};
use crate::gazetteer::Gazetteer;
use crate::geoparse::{self, Lexicon};
use crate::pipeline;
use crate::report::{Diagnostic, Report};

/// What `gazette build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site folder: `gazette.toml`, `articles/`, and optionally `templates/`.
    pub site_dir: PathBuf,
    /// Defaults to `SITE_DIR/public`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` in `gazette.toml`.
    pub base_url: Option<String>,
    /// Overrides `min_confidence` in `gazette.toml`.
    pub min_confidence: Option<f64>,
}

/// What a build made.
#[derive(Debug, Clone)]
pub struct Built {
    /// The output folder.
    pub output: PathBuf,
    /// Events on the site.
    pub events: usize,
    /// Files written.
    pub files: usize,
    /// Articles geoparsed, and articles whose geoparse came from the cache.
    pub parsed: usize,
    /// See `parsed`.
    pub reused: usize,
    /// The site has no `base_url`: no sitemap, and relative links in the feed.
    pub no_base_url: bool,
    /// Files and folders in the old output that no build wrote, kept in the new one.
    pub kept: Vec<PathBuf>,
}

/// Build the site. Problems with articles go to `report` (the site is still built from
/// the others); an error that stops the build leaves the previous output as it was.
pub fn build(g: &Gazetteer, opts: &BuildOptions, report: &mut Report) -> crate::Result<Built> {
    let mut config = config::load(&opts.site_dir, opts.base_url.as_deref())?;
    let out = opts.output.clone().unwrap_or_else(|| opts.site_dir.join("public"));
    output::check_output(&opts.site_dir, &out)?;
    let _lock = output::Lock::acquire(&out)?;
    let stale = output::remove_stale(&out);
    if !stale.removed.is_empty() {
        report.note(&format!(
            "removed {} folder{} left by interrupted builds: {}",
            stale.removed.len(),
            if stale.removed.len() == 1 { "" } else { "s" },
            write::first_few(&stale.removed),
        ));
    }
    for (dir, why) in &stale.kept {
        report.note(&format!("warning: left {} beside the output: {why}", dir.display()));
    }
    let theme = theme::load(&opts.site_dir, &config)?;
    let extras = publish::extras(&opts.site_dir, &config)?;
    publish::check_clashes(&out, &extras)?;

    let inputs = [opts.site_dir.join("articles")];
    let lex = Lexicon::embedded();
    // the cache is read while the articles' folder is listed
    let (cache, gathered) = rayon::join(|| cache::Cache::open(&opts.site_dir, g), || pipeline::gather(&inputs));
    let progress = progress::Progress::new(report.quiet());
    if let Some(p) = &progress {
        p.stage("reading and geoparsing articles");
    }
    // What the site needs of an article is its Markdown: the geoparser's copies of the
    // text are the bulk of a big site's memory, so each event drops them as it is made,
    // not once every article is read and geoparsed.
    let count = |mut e: Event| {
        if let Some(p) = &progress {
            p.inc();
        }
        e.article.plain = String::new();
        e.article.source_text = String::new();
        e
    };
    let popts = geoparse::Options {
        min_confidence: opts.min_confidence.unwrap_or(config.min_confidence),
        ..geoparse::Options::default()
    };
    let (events, mut diags) = match &cache {
        Some(c) => pipeline::process_gathered(gathered, |a| count(c.event(g, lex, a, popts))),
        None => pipeline::process_gathered(gathered, |a| count(event::from_article(g, lex, a, popts))),
    };
    let (reused, parsed) = cache.as_ref().map_or((0, events.len()), |c| c.counts());
    if let Some(c) = cache {
        if c.rejected() > 0 {
            let file = opts.site_dir.join(cache::FILE);
            let n = c.rejected();
            report.note(&format!(
                "warning: {}: {n} entr{} did not check out (a damaged or foreign cache); geoparsed again",
                file.display(),
                if n == 1 { "y" } else { "ies" }
            ));
        }
        // only slower next time: not a reason to fail this build
        if let Err(e) = c.save() {
            report.note(&format!("warning: cannot write {}: {e}", opts.site_dir.join(cache::FILE).display()));
        }
    }
    diags.extend(fit_timeline(&opts.site_dir, &mut config, &events));
    report.emit(&diags);

    if let Some(p) = &progress {
        p.stage("writing files");
    }
    let written = write::write_site_with(&out, progress.clone(), |sink| {
        render::render(&config, &theme, &events, sink)?;
        publish::emit(&extras, sink)
    });
    if let Some(p) = &progress {
        p.finish();
    }
    let written = written?;
    Ok(Built {
        output: out,
        events: events.len(),
        files: written.files,
        parsed,
        reused,
        no_base_url: config.base_url.is_none(),
        kept: written.kept,
    })
}

/// Coarsen the timeline when the events' dates span too many bars (see
/// [`view::fit_granularity`]); the warning names `gazette.toml`, where granularity is set.
pub(crate) fn fit_timeline(site_dir: &Path, config: &mut config::SiteConfig, events: &[Event]) -> Option<Diagnostic> {
    let (granularity, message) = view::fit_granularity(events, config.granularity);
    config.granularity = granularity;
    Some(Diagnostic::warning(site_dir.join("gazette.toml").display().to_string(), None, message?))
}
