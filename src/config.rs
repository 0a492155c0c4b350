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

/// A format that is a file, not a stream: it needs `-o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// GeoPackage 1.3 with `events`, `places` and `articles` and R-tree indexes.
    GeoPackage,
    /// GeoParquet 1.1: WKB points, a bbox covering column, zstd.
    GeoParquet,
}

/// Output format of `extract` and `export`: a text format (stdout, or a file with
/// `-o`), or a file format (`-o` only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// GeoJSON, GeoJSON Lines, CSV or (`extract`) mentions.
    Text(Format),
    /// GeoPackage or GeoParquet.
    File(FileFormat),
}

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Print ranked gazetteer candidates for a name.
    Lookup {
        /// The name, in any script.
        name: String,
        /// How many candidates to print.
        limit: usize,
        /// A JSON array instead of a table.
        json: bool,
    },
    /// Geoparse articles and print places.
    Extract {
        /// Files, folders, `.jsonl` corpora, or `-` for stdin.
        inputs: Vec<PathBuf>,
        /// The output format.
        format: OutputFormat,
        /// Write here (atomically) instead of stdout; a file format needs it.
        output: Option<PathBuf>,
        /// Add every mention's candidates and signals (mentions only).
        explain: bool,
        /// Also report countries named only by a demonym ("Afghan").
        demonyms: bool,
    },
    /// Export events of a site or of article paths to a file or stdout.
    Export {
        /// A site folder (its `articles/`), or article files and folders.
        inputs: Vec<PathBuf>,
        /// GeoJSON, GeoJSON Lines, CSV, GeoPackage or GeoParquet.
        format: OutputFormat,
        /// Write here (atomically) instead of stdout; a file format needs it.
        output: Option<PathBuf>,
        /// Also export countries named only by a demonym.
        demonyms: bool,
    },
    /// Build the static site of a site folder.
    Build {
        /// The site folder.
        site_dir: PathBuf,
        /// The output folder; `SITE_DIR/public` when not given.
        output: Option<PathBuf>,
        /// Overrides `base_url` in `gazette.toml`.
        base_url: Option<String>,
    },
    /// Build a site, serve it over HTTP at `bind:port` (0: any free port), rebuild on changes.
    Serve {
        /// The site folder.
        site_dir: PathBuf,
        /// The address to listen on.
        bind: String,
        /// The port; 0 picks a free one.
        port: u16,
    },
    /// Create a new site folder.
    Init {
        /// Where: a folder that does not exist or is empty.
        dir: PathBuf,
    },
    /// Check a site folder as a build would, writing nothing.
    Check {
        /// The site folder.
        site_dir: PathBuf,
    },
    /// Print version, data sources and licences.
    About,
    /// Write a synthetic benchmark corpus (see [`crate::corpus`]).
    Corpus {
        /// How many articles.
        articles: usize,
        /// The generator's seed.
        seed: u64,
        /// One Markdown file per article in this folder, instead of JSON Lines on stdout.
        output: Option<PathBuf>,
    },
}

/// Everything a run needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The command and its arguments.
    pub command: Command,
    /// Load this GeoNames dump instead of the embedded gazetteer.
    pub gazetteer: Option<PathBuf>,
    /// Print no warnings or progress.
    pub quiet: bool,
    /// Treat warnings as errors.
    pub strict: bool,
    /// Keep only mentions at least this confident (extract, export, build, serve); `None`
    /// keeps the default, 0.5, or a site's own `min_confidence`.
    pub min_confidence: Option<f64>,
}
