//! The one error type. Every variant names the file (and line, where there is one) that
//! failed, as fields, so that a report can sort and print them without reading them back
//! out of the message; messages start in lower case so they read well after `error: `.
//!
//! An error stops a command; a problem with one article does not: it becomes a
//! [`Diagnostic`](crate::report::Diagnostic) in the run's [`Report`](crate::report::Report)
//! and the other articles go on.

use std::path::PathBuf;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file (or stdin, stdout: `<stdin>`, `<stdout>`) failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file, folder or stream.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },

    /// A GeoNames dump given with `--gazetteer` could not be read as one.
    #[error("gazetteer {}: {message}", path.display())]
    Gazetteer {
        /// The dump.
        path: PathBuf,
        /// What is wrong, with the line where there is one.
        message: String,
    },

    /// An article that cannot be read: not UTF-8, bad front matter, too large.
    #[error("{}{}: {message}", path.display(), line_prefix(*line))]
    Article {
        /// The file as given (or `corpus.jsonl#id` for a corpus line).
        path: PathBuf,
        /// 1-based line, where there is one.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },

    /// A site's `gazette.toml` (or a path it names) is wrong.
    #[error("config {}{}: {message}", path.display(), line_prefix(*line))]
    Config {
        /// `gazette.toml`, or the folder a setting names.
        path: PathBuf,
        /// 1-based line in `gazette.toml`, where there is one.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },

    /// A template does not parse or does not render.
    #[error("template {name}: {message}")]
    Template {
        /// The template's name (`event.html`, `static/gazette.css`).
        name: String,
        /// 1-based line in the template, where Tera says.
        line: Option<usize>,
        /// Tera's message with its causes, as one line.
        message: String,
    },

    /// Bad arguments, or an output folder a command refuses to replace: exit code 2.
    #[error("{0}")]
    Usage(String),
}

/// `": line N"`, or nothing.
fn line_prefix(line: Option<usize>) -> String {
    line.map(|l| format!(": line {l}")).unwrap_or_default()
}

impl Error {
    /// Exit code: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    /// Whether this is a write to a reader that went away (`gazette extract | head`):
    /// the binary treats it as success.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
