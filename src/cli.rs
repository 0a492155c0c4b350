//! Command-line parsing (clap derive only). [`Cli::into_config`] is the one conversion
//! into [`Config`].

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::OutputFormat::{File, Text};
use crate::config::{Command, Config, FileFormat, Format};

/// Turn news articles into maps: multilingual geoparsing, GeoJSON/CSV export, and a static
/// map-and-timeline site. Gazetteer data © GeoNames (CC BY 4.0).
#[derive(Debug, Parser)]
#[command(name = "gazette", version, about, long_about = None)]
pub struct Cli {
    /// Use this GeoNames dump (allCountries.txt, cities500.txt or XX.txt format; an
    /// alternateNamesV2.txt beside it is read too) instead of the embedded gazetteer.
    #[arg(long, global = true, value_name = "PATH")]
    gazetteer: Option<PathBuf>,
    /// Print no warnings, notes or progress. Errors are always printed (and, with
    /// --strict, the warnings that fail the run).
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Treat warnings as errors (exit code 1).
    #[arg(long, global = true)]
    strict: bool,
    /// Keep only place mentions at least this confident, 0 to 1 (default 0.5: more likely
    /// right than wrong; 0 keeps every mention).
    #[arg(long, global = true, value_name = "P", value_parser = confidence)]
    min_confidence: Option<f64>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExtractFormat {
    Geojson,
    Geojsonl,
    Csv,
    Mentions,
    /// GeoPackage 1.3 (needs -o)
    Gpkg,
    /// GeoParquet 1.1 (needs -o)
    Geoparquet,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Geojson,
    Geojsonl,
    Csv,
    /// GeoPackage 1.3 (needs -o)
    Gpkg,
    /// GeoParquet 1.1 (needs -o)
    Geoparquet,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Look a name up in the gazetteer: ranked candidates, most likely first.
    Lookup {
        name: String,
        /// How many candidates to print.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Find and resolve every place name in articles (files, folders, or - for stdin).
    Extract {
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "geojson")]
        format: ExtractFormat,
        /// Write here, replaced whole at the end, instead of stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Add each mention's candidates and the score parts that decided it.
        #[arg(long)]
        explain: bool,
        /// Also report demonyms ("Afghan", "الأفغانية") as mentions of their country, and the
        /// countries named only by one.
        #[arg(long)]
        demonyms: bool,
    },
    /// Export events as GeoJSON, GeoJSON Lines, CSV, GeoPackage or GeoParquet (a site
    /// folder or article paths).
    Export {
        /// A site folder (its articles/ are read) or article files and folders.
        #[arg(default_value = "site")]
        inputs: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "geojson")]
        format: ExportFormat,
        /// Write here instead of stdout (CSV also gets a .csvt sidecar).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Also export countries named only by a demonym.
        #[arg(long)]
        demonyms: bool,
    },
    /// Build the static map-and-timeline site of SITE_DIR (gazette.toml + articles/).
    Build {
        #[arg(default_value = "site")]
        site_dir: PathBuf,
        /// Output folder (default: SITE_DIR/public).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Override gazette.toml's base_url (used for absolute links in the feed and sitemap).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Build the site, serve it on this machine, and build again when its files change.
    Serve {
        #[arg(default_value = "site")]
        site_dir: PathBuf,
        /// Port to listen on (0: any free port; the address is printed).
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; 0.0.0.0 shows the site to other machines too.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
    },
    /// Create a new site in DIR: gazette.toml, an example article, a GitHub Pages workflow.
    Init { dir: PathBuf },
    /// Check SITE_DIR as `build` would (config, templates, every article) without writing
    /// anything; list every problem with its file and line.
    Check {
        #[arg(default_value = "site")]
        site_dir: PathBuf,
    },
    /// Print version, data sources and licences.
    About,
    /// Write a synthetic benchmark corpus: JSON Lines to stdout, or Markdown files into
    /// a folder with --output. Deterministic for a given seed.
    #[command(hide = true)]
    Corpus {
        /// Number of articles.
        #[arg(long, default_value_t = 1000)]
        articles: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Write one Markdown file per article into this folder instead.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// A confidence threshold: a number from 0 to 1.
fn confidence(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a number from 0 to 1")),
    }
}

impl Cli {
    /// Convert parsed arguments into the run's [`Config`].
    pub fn into_config(self) -> Config {
        let command = match self.command {
            Cmd::Lookup { name, limit, json } => Command::Lookup { name, limit, json },
            Cmd::Extract { inputs, format, output, explain, demonyms } => Command::Extract {
                inputs,
                format: match format {
                    ExtractFormat::Geojson => Text(Format::GeoJson),
                    ExtractFormat::Geojsonl => Text(Format::GeoJsonLines),
                    ExtractFormat::Csv => Text(Format::Csv),
                    ExtractFormat::Mentions => Text(Format::Mentions),
                    ExtractFormat::Gpkg => File(FileFormat::GeoPackage),
                    ExtractFormat::Geoparquet => File(FileFormat::GeoParquet),
                },
                output,
                explain,
                demonyms,
            },
            Cmd::Export { inputs, format, output, demonyms } => Command::Export {
                inputs,
                format: match format {
                    ExportFormat::Geojson => Text(Format::GeoJson),
                    ExportFormat::Geojsonl => Text(Format::GeoJsonLines),
                    ExportFormat::Csv => Text(Format::Csv),
                    ExportFormat::Gpkg => File(FileFormat::GeoPackage),
                    ExportFormat::Geoparquet => File(FileFormat::GeoParquet),
                },
                output,
                demonyms,
            },
            Cmd::Build { site_dir, output, base_url } => Command::Build { site_dir, output, base_url },
            Cmd::Serve { site_dir, port, bind } => Command::Serve { site_dir, bind, port },
            Cmd::Init { dir } => Command::Init { dir },
            Cmd::Check { site_dir } => Command::Check { site_dir },
            Cmd::About => Command::About,
            Cmd::Corpus { articles, seed, output } => Command::Corpus { articles, seed, output },
        };
        Config {
            command,
            gazetteer: self.gazetteer,
            quiet: self.quiet,
            strict: self.strict,
            min_confidence: self.min_confidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
