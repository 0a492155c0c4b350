//! gazette turns folders of news articles into maps.
//!
//! ```text
//!  articles ─read─▶ Article ─geoparse─▶ Mention ─event─▶ Event ─┬─▶ export (GeoJSON, GeoJSON Lines, CSV)
//!  md/txt/jsonl     article/  geoparse/  (gazetteer/)  event.rs  └─▶ site (HTML, feed, downloads)
//! ```
//!
//! Each stage takes and returns plain data; only reading articles and the final writers
//! touch the disk. [`pipeline`] runs the first three stages for every command, and
//! [`run`] dispatches one command (one module each, in `cmd/`). The gazetteer
//! (GeoNames-derived, CC BY 4.0) is embedded in the binary.
//!
//! | module | stage |
//! | --- | --- |
//! | [`cli`], [`config`] | the command line, converted once into a [`Config`] |
//! | [`article`] | read: front matter, Markdown → plain text with an offset map, JSON Lines, folders |
//! | [`text`] | normalise: scripts, case, folding, tokens, Arabic clitics and Russian endings |
//! | [`gazetteer`] | the places and their names: an FST built at compile time |
//! | [`geoparse`] | recognise names, read their context, score candidates, accept or drop |
//! | [`event`] | an article with its date and resolved places, the focus, an editor's corrections |
//! | [`pipeline`] | read → geoparse → events, in parallel, or as a bounded stream |
//! | [`export`] | GeoJSON, GeoJSON Lines, CSV, the mentions listing |
//! | [`site`] | the static site: config, theme, views, render, write |
//! | [`report`], [`error`] | diagnostics, exit codes, the one error type |
//!
//! ```
//! use gazette::{article, event, gazetteer::Gazetteer, geoparse};
//! let text = "---\ntitle: Floods in Panjwayi\nlang: en\n---\nFloods hit Panjwayi, west of Kandahar.\n";
//! let a = article::parse("floods.md", "floods", text.to_string(), true).unwrap();
//! let g = Gazetteer::embedded();
//! let e = event::from_article(g, geoparse::Lexicon::embedded(), a, geoparse::Options::default());
//! // Panjwayi (the focus, the most specific place named) and the city of Kandahar
//! let ids: Vec<Option<u32>> = e.places.iter().map(|p| p.geonameid).collect();
//! assert_eq!(ids, [Some(7053307), Some(1138336)]);
//! ```

#![warn(missing_docs)]

pub mod article;
pub mod cli;
mod cmd;
pub mod config;
pub mod corpus;
pub mod error;
pub mod event;
pub mod export;
pub mod gazetteer;
pub mod geoparse;
pub mod pipeline;
pub mod report;
pub mod site;
pub mod text;

use std::io::Write;

pub use config::{Command, Config, Format};
pub use error::{Error, Result};

use gazetteer::Gazetteer;
use report::Report;

/// Run one command, writing its main output to `out`. Returns the exit code: 0, or 1
/// when the input had errors (or warnings, with `strict`). Errors that stop the command
/// are returned; [`Error::exit_code`] gives theirs.
pub fn run(config: &Config, out: &mut dyn Write) -> Result<i32> {
    if matches!(config.command, Command::Extract { .. } | Command::Build { .. } | Command::Check { .. }) {
        // geoparsing needs the lexicons: read them on the pool while the gazetteer opens
        // and the first articles are read (whoever asks first waits for them)
        rayon::spawn(|| {
            geoparse::Lexicon::embedded();
        });
    }
    let owned;
    let g: &Gazetteer = match &config.gazetteer {
        Some(p) => {
            owned = Gazetteer::from_geonames(p)?;
            &owned
        }
        None => Gazetteer::embedded(),
    };
    let report = Report::new(config.quiet, config.strict);
    let stdout = |source| Error::Io { path: "<stdout>".into(), source };
    match &config.command {
        Command::Extract { inputs, format, output, explain, demonyms } => {
            let opts = cmd::extract::ExtractOptions {
                format: *format,
                output: output.as_deref(),
                explain: *explain,
                demonyms: *demonyms,
                min_confidence: config.min_confidence.unwrap_or(geoparse::confidence::DEFAULT_MIN_CONFIDENCE),
            };
            cmd::extract::run(g, inputs, opts, report, out)
        }
        Command::Export { inputs, format, output, demonyms } => {
            let opts = cmd::export::ExportOptions {
                format: *format,
                output: output.as_deref(),
                demonyms: *demonyms,
                min_confidence: config.min_confidence.unwrap_or(geoparse::confidence::DEFAULT_MIN_CONFIDENCE),
            };
            cmd::export::run(g, inputs, opts, report, out)
        }
        Command::Build { site_dir, output, base_url } => {
            let opts = site::BuildOptions {
                site_dir: site_dir.clone(),
                output: output.clone(),
                base_url: base_url.clone(),
                min_confidence: config.min_confidence,
            };
            cmd::build::run(g, &opts, report)
        }
        Command::Serve { site_dir, bind, port } => {
            let opts = cmd::serve::ServeOptions {
                site_dir: site_dir.clone(),
                bind: bind.clone(),
                port: *port,
                quiet: config.quiet,
                min_confidence: config.min_confidence,
            };
            cmd::serve::run(g, &opts, out)
        }
        Command::Check { site_dir } => cmd::check::run(g, site_dir, report, out),
        Command::Init { dir } => cmd::init::run(dir, out),
        Command::Lookup { name, limit, json } => {
            cmd::lookup::run(g, name, *limit, *json, out).map(|()| 0).map_err(stdout)
        }
        Command::About => cmd::about::run(g, out).map(|()| 0).map_err(stdout),
        Command::Corpus { articles, seed, output } => {
            let spec = corpus::Spec { articles: *articles, seed: *seed };
            cmd::corpus::run(g, spec, output.as_deref(), out).map(|()| 0)
        }
    }
}
