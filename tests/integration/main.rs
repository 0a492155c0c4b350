//! End-to-end tests of the `gazette` binary: one test binary, a small runner, real files.
//!
//! Every test runs the built binary (`CARGO_BIN_EXE_gazette`) through [`runner::Gazette`] on
//! inputs from the repository (`site/`, `tests/fixtures/`) or written to temporary folders,
//! and checks what a user sees: exit codes, stdout, stderr and the files written. Of the
//! library, only `gazette::geoparse::distance_km` is used.
//!
//! - `runner`: the `Gazette` builder and its `Run`, and the fixtures the modules share
//! - `cli`: `lookup`, `about`, `extract` and `export`, stdin streams, a GeoNames dump of one's own
//! - `golden`: insta snapshots in `snapshots/`, reviewed as diffs
//! - `site`: `gazette build` on the demo site and small sites, `init`, `serve`
//! - `robustness`: nothing lost: bad input is reported with file and line, the rest is built
//! - `robustness_input`: hostile input: bounded work, no silent failure, nothing injected downstream
//! - `robustness_serve`: `gazette serve` bounded: head size, connections, slow clients, methods, redirects, links
//! - `robustness_output`: the output folder: GitHub Pages files, files no build wrote kept, leftovers, the lock, folders refused
//! - `xss`: nothing injected: hostile articles put no script in a page
//!
//! `tests/stream_memory.rs` is a binary of its own: it streams more than a gigabyte, so it is
//! ignored here and run by CI in release
//! (`cargo test --release --test stream_memory -- --ignored --nocapture`).

mod cli;
mod golden;
mod robustness;
mod robustness_input;
mod robustness_output;
mod robustness_serve;
mod runner;
mod site;
mod xss;
