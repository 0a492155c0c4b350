//! The run's configuration: what the command line asked for, in plain data. Built once
//! from clap's arguments in `cli.rs`; nothing after that imports clap.

use std::path::PathBuf;

/// Output format of `extract` and `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A GeoJSON FeatureCollection (RFC 7946).
    GeoJson,
    /// Newline-delimited GeoJSON features.
    GeoJsonLines,
    /// CSV with latitude, longitude and WKT columns (and a `.csvt` sidecar with `-o`).
    Csv,
    /// JSON Lines, one object per mention with code-point offsets (`extract` only).
    Mentions,
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print ranked gazetteer candidates for a name.
    Lookup { name: String, limit: usize, json: bool },
    /// Geoparse articles and print places.
    Extract { inputs: Vec<PathBuf>, format: Format, explain: bool, demonyms: bool },
    /// Export events of a site or of article paths to a file or stdout.
    Export { inputs: Vec<PathBuf>, format: Format, output: Option<PathBuf>, demonyms: bool },
    /// Build the static site of a site folder.
    Build { site_dir: PathBuf, output: Option<PathBuf>, base_url: Option<String> },
    /// Build a site, serve it over HTTP at `bind:port` (0: any free port), rebuild on changes.
    Serve { site_dir: PathBuf, bind: String, port: u16 },
    /// Create a new site folder.
    Init { dir: PathBuf },
    /// Check a site folder as a build would, writing nothing.
    Check { site_dir: PathBuf },
    /// Print version, data sources and licences.
    About,
    /// Write a synthetic benchmark corpus (see [`crate::corpus`]).
    Corpus { articles: usize, seed: u64, output: Option<PathBuf> },
}

/// Everything a run needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub command: Command,
    /// Load this GeoNames dump instead of the embedded gazetteer.
    pub gazetteer: Option<PathBuf>,
    /// Print no warnings or progress.
    pub quiet: bool,
    /// Treat warnings as errors.
    pub strict: bool,
}
