//! Diagnostics and the run's report: how problems with the input reach the user.
//!
//! A problem with one article (a bad date, an unknown key, a file that is not UTF-8) is
//! a [`Diagnostic`]: a severity, the file, the line where there is one, and a message.
//! Every stage returns its diagnostics beside its output and goes on with the other
//! articles. At the end of a command one [`Report`] prints them and turns them into the
//! exit code: 1 when any is an error (or, with `--strict`, a warning), else 0. Usage
//! errors (2) and errors that stop a command are [`Error`]s, not diagnostics.

use crate::error::Error;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The article is still used: an unknown key, a bad date, a renamed slug.
    Warning,
    /// The article is left out: it cannot be read, or reading it failed.
    Error,
}

/// A problem found in one input file, with its line where there is one (1-based).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file as given (or `corpus.jsonl#id` for a corpus record).
    pub path: String,
    /// 1-based line, where there is one.
    pub line: Option<usize>,
    /// What is wrong, starting in lower case.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        // A file name may hold a newline: escaped, it cannot forge a line of the report.
        let path = if self.path.contains(char::is_control) {
            std::borrow::Cow::Owned(self.path.escape_debug().to_string())
        } else {
            std::borrow::Cow::Borrowed(self.path.as_str())
        };
        match self.line {
            Some(l) => write!(f, "{sev}: {path}: line {l}: {}", self.message),
            None => write!(f, "{sev}: {path}: {}", self.message),
        }
    }
}

impl Diagnostic {
    /// A warning about `path`.
    pub(crate) fn warning(path: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, path: path.into(), line, message: message.into() }
    }

    /// An error about `path`.
    pub(crate) fn error(path: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, path: path.into(), line, message: message.into() }
    }

    /// An error that stopped one input, as a diagnostic with the file and line it names;
    /// `fallback` is the path for errors that name none.
    pub(crate) fn from_error(e: Error, fallback: &str) -> Diagnostic {
        match e {
            Error::Article { path, line, message } => Diagnostic::error(path.display().to_string(), line, message),
            Error::Config { path, line, message } => Diagnostic::error(path.display().to_string(), line, message),
            Error::Io { path, source } => Diagnostic::error(path.display().to_string(), None, source.to_string()),
            other => Diagnostic::error(fallback, None, other.to_string()),
        }
    }
}

/// Run one stage on one article, turning a panic (a bug here or in a library: the
/// Markdown parser's offset iterator has had several) into an error that names the
/// article, so that one file cannot take every other article down with it.
pub(crate) fn guard<T>(path: &str, stage: &str, f: impl FnOnce() -> T) -> Result<T, Diagnostic> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|panic| {
        let what = match (panic.downcast_ref::<&str>(), panic.downcast_ref::<String>()) {
            (Some(s), _) => s.to_string(),
            (_, Some(s)) => s.clone(),
            _ => "a panic".into(),
        };
        Diagnostic::error(
            path,
            None,
            format!("internal error while {stage} it ({what}); it is left out. Please report this, with the file"),
        )
    })
}

/// What a command found wrong with its input, counted as it is printed, and the exit
/// code that follows from it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Report {
    quiet: bool,
    strict: bool,
    errors: usize,
    warnings: usize,
}

impl Report {
    /// A report for a run with `--quiet` and `--strict` as given.
    pub fn new(quiet: bool, strict: bool) -> Report {
        Report { quiet, strict, errors: 0, warnings: 0 }
    }

    /// Count diagnostics and print each on stderr. Quiet hides warnings, never errors: a
    /// run that fails says why (with `--strict`, warnings fail it, so they show too).
    pub fn emit(&mut self, diags: &[Diagnostic]) {
        self.count(diags);
        for d in diags.iter().filter(|d| self.shows(d)) {
            eprintln!("{d}");
        }
    }

    /// Whether a diagnostic is printed: every error, and warnings unless quiet (or strict).
    pub fn shows(&self, d: &Diagnostic) -> bool {
        !self.quiet || self.strict || d.severity == Severity::Error
    }

    /// Print a line of the run's own (a note, a summary) on stderr, unless quiet.
    pub fn note(&self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// Whether the run prints nothing but its output.
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// Count diagnostics a command prints itself (`check` lists them on stdout).
    pub fn count(&mut self, diags: &[Diagnostic]) {
        let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
        self.errors += errors;
        self.warnings += diags.len() - errors;
    }

    /// Errors counted so far.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// Warnings counted so far.
    pub fn warnings(&self) -> usize {
        self.warnings
    }

    /// 1 when anything counted is an error, or a warning under `--strict`; else 0.
    pub fn code(&self) -> i32 {
        i32::from(self.errors > 0 || (self.strict && self.warnings > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_naming_the_article() {
        assert_eq!(guard("a.md", "reading", || 7), Ok(7));
        let d = guard("a.md", "reading", || -> u8 { panic!("boom {}", 1) }).unwrap_err();
        assert_eq!(
            d.to_string(),
            "error: a.md: internal error while reading it (boom 1); it is left out. Please report this, with the file"
        );
    }

    #[test]
    fn exit_codes_follow_severity_and_strictness() {
        let w = Diagnostic::warning("a.md", Some(3), "unknown key");
        let e = Diagnostic::error("b.md", None, "not UTF-8");
        // (strict, diagnostics, code)
        let cases: [(bool, Vec<Diagnostic>, i32); 5] = [
            (false, vec![], 0),
            (false, vec![w.clone()], 0),
            (true, vec![w.clone()], 1),
            (false, vec![w.clone(), e.clone()], 1),
            (true, vec![], 0),
        ];
        for (strict, diags, code) in cases {
            let mut r = Report::new(true, strict);
            r.emit(&diags);
            assert_eq!(r.code(), code, "strict {strict}, {diags:?}");
        }
    }

    #[test]
    fn diagnostics_name_file_and_line_and_escape_control_characters() {
        assert_eq!(Diagnostic::warning("a.md", Some(3), "x").to_string(), "warning: a.md: line 3: x");
        assert_eq!(Diagnostic::error("a\nb.md", None, "x").to_string(), "error: a\\nb.md: x");
        let d = Diagnostic::from_error(
            Error::Config { path: "site/gazette.toml".into(), line: Some(4), message: "unknown field".into() },
            "site",
        );
        assert_eq!(d.to_string(), "error: site/gazette.toml: line 4: unknown field");
    }
}
