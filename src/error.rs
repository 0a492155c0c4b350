//! The one error type. Every variant names the file (and line, where there is one) that
//! failed, and messages start in lower case so they read well after `error: `.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },

    #[error("gazetteer {}: {message}", path.display())]
    Gazetteer { path: PathBuf, message: String },

    #[error("{}{}: {message}", path.display(), line.map(|l| format!(": line {l}")).unwrap_or_default())]
    Article { path: PathBuf, line: Option<usize>, message: String },

    #[error("config {}: {message}", path.display())]
    Config { path: PathBuf, message: String },

    #[error("template {name}: {message}")]
    Template { name: String, message: String },

    #[error("{0}")]
    Usage(String),

    #[error("{} article(s) had errors", .0)]
    ArticleErrors(usize),
}

impl Error {
    /// Exit code: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
