//! Progress of a long build on the terminal: a counter per stage (geoparsing, writing)
//! drawn by indicatif on stderr.
//!
//! It shows only when stderr is a terminal, `--quiet` was not given, and the build has
//! been running for a second: short builds, pipes, logs and CI see nothing of it.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a build runs before its progress shows.
const DELAY: Duration = Duration::from_secs(1);

/// A counter for the current stage; cheap to clone and to share between threads.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
}

impl Progress {
    /// A counter when progress may show (stderr is a terminal, not quiet), else `None`.
    pub fn new(quiet: bool) -> Option<Progress> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        // hidden until the delay has passed; `inc` then draws it
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}: {human_pos} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        Some(Progress { bar, started: Instant::now() })
    }

    /// Start counting a new stage ("geoparsing articles").
    pub fn stage(&self, name: &'static str) {
        self.bar.set_message(name);
        self.bar.set_position(0);
        self.bar.reset_elapsed();
    }

    /// Count one more (article, file).
    pub fn inc(&self) {
        self.bar.inc(1);
        if self.bar.is_hidden() && self.started.elapsed() >= DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Remove the counter from the terminal, before the build's summary is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
