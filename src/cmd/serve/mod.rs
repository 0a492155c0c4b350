//! `gazette serve`: build a site, serve it over HTTP on this machine, and build it again
//! whenever one of its inputs changes, so that an open page reloads itself.
//!
//! ```text
//!  SITE_DIR ──build──▶ SITE_DIR/.gazette-cache/serve/ ──http──▶ http://127.0.0.1:1111/BASE/
//!     ▲                                                         │ (pages poll BASE/__gazette/build)
//!     └── notify: gazette.toml, articles/, templates/ changed ◀─┘
//! ```
//!
//! The site is built exactly as `gazette build` builds it (into a folder under the site's
//! cache), and served under the path of its `base_url` (`/gazette/` for
//! `https://example.org/gazette/`), so that a project site for GitHub Pages is seen here
//! as it will be there. Only the responses change: HTML pages get a small script that
//! asks for the build number every second and reloads the page when it changes. A build
//! that fails is reported and the last good site stays served.
//!
//! The server is bounded (`http`: connections, head size, timeouts, methods) and answers
//! only from inside the built site (`files`: redirects on this server, no link followed out
//! of the folder), so that a page open in a browser, or anything else that can reach the
//! port, gets its share and no more.

mod files;
mod http;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use crate::error::{Error, Result};
use crate::gazetteer::Gazetteer;
use crate::report::Report;
use crate::site;

/// What `gazette serve` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct ServeOptions {
    /// The site folder.
    pub site_dir: PathBuf,
    /// Address to listen on; `127.0.0.1` keeps the site to this machine.
    pub bind: String,
    /// 0 picks a free port.
    pub port: u16,
    /// Print no progress or warnings.
    pub quiet: bool,
    /// Overrides `min_confidence` in `gazette.toml`.
    pub min_confidence: Option<f64>,
}

/// Where under the site folder the served build goes (the cache folder is not watched).
pub const SERVE_DIR: &str = ".gazette-cache/serve";

/// What the request threads read: the current build.
struct Served {
    /// Build number, starting at 1; it changes only when a build succeeds.
    build: u64,
    /// `/` or `/repo/`: the path the site lives under.
    base_path: String,
}

/// Build, serve and rebuild until the process is stopped. Long, as a main loop is: the
/// first build, the listener, the watcher, then the server's thread and the rebuild loop.
pub(crate) fn run(g: &Gazetteer, opts: &ServeOptions, out: &mut dyn Write) -> Result<i32> {
    let output = opts.site_dir.join(SERVE_DIR);
    let build = || -> Result<String> {
        let config = site::config::load(&opts.site_dir, None)?;
        let site_opts = site::BuildOptions {
            site_dir: opts.site_dir.clone(),
            output: Some(output.clone()),
            base_url: None,
            min_confidence: opts.min_confidence,
        };
        super::build::build(g, &site_opts, &mut Report::new(opts.quiet, false))?;
        Ok(crate::site::config::base_path(config.base_url.as_deref()))
    };
    let state = Mutex::new(Served { build: 1, base_path: build()? });

    let listener = TcpListener::bind((opts.bind.as_str(), opts.port))
        .map_err(|e| Error::Usage(format!("cannot listen on {}:{}: {e}", opts.bind, opts.port)))?;
    let local = listener.local_addr().map_or_else(|_| format!("{}:{}", opts.bind, opts.port), |a| a.to_string());
    let url = format!("http://{local}{}", state.lock().unwrap_or_else(PoisonError::into_inner).base_path);
    let io = |source| Error::Io { path: PathBuf::from("<stdout>"), source };
    writeln!(out, "serving {} at {url} (Ctrl-C to stop)", opts.site_dir.display()).map_err(io)?;
    out.flush().map_err(io)?;

    // Reading the inputs (as every build does) is an event too: only changes count.
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let watch_err = |e: notify::Error| Error::Usage(format!("cannot watch {}: {e}", opts.site_dir.display()));
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(ev) = res else { return };
        if !matches!(ev.kind, EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)))
        {
            for p in ev.paths {
                let _ = tx.send(p);
            }
        }
    })
    .map_err(watch_err)?;
    let site_abs = std::path::absolute(&opts.site_dir).unwrap_or_else(|_| opts.site_dir.clone());
    // The site folder itself only for gazette.toml (its output and cache folders can hold
    // more folders than inotify allows watches), and the input folders in depth.
    watcher.watch(&site_abs, RecursiveMode::NonRecursive).map_err(watch_err)?;
    let inputs = [site_abs.join("articles"), site_abs.join("templates")];
    for dir in inputs.iter().filter(|d| d.is_dir()) {
        watcher.watch(dir, RecursiveMode::Recursive).map_err(watch_err)?;
    }

    let answer = |target: &str| {
        let (build, base) = {
            let st = state.lock().unwrap_or_else(PoisonError::into_inner);
            (st.build, st.base_path.clone())
        };
        files::respond(target, &output, &files::base_segments(&base), build)
    };
    std::thread::scope(|s| {
        s.spawn(|| http::serve(&listener, &answer));
        while let Ok(first) = rx.recv() {
            // an editor's save is a burst of events: take it whole
            let mut paths = vec![first];
            while let Ok(p) = rx.recv_timeout(Duration::from_millis(150)) {
                paths.push(p);
            }
            // articles/ or templates/ made (or made again) after the start
            for dir in inputs.iter().filter(|d| paths.contains(d) && d.is_dir()) {
                let _ = watcher.watch(dir, RecursiveMode::Recursive);
            }
            paths.sort();
            paths.dedup();
            let changed: Vec<&Path> = paths.iter().map(PathBuf::as_path).filter(|p| is_input(&site_abs, p)).collect();
            let Some(first) = changed.first() else { continue };
            if !opts.quiet {
                let more = if changed.len() > 1 { format!(" and {} more", changed.len() - 1) } else { String::new() };
                eprintln!("changed: {}{more}; building again", first.display());
            }
            match build() {
                Ok(base) => {
                    let mut st = state.lock().unwrap_or_else(PoisonError::into_inner);
                    st.build += 1;
                    st.base_path = base;
                }
                Err(e) => eprintln!("error: {e} (still serving the last good build)"),
            }
        }
    });
    Ok(0)
}

/// Whether a changed path is one of the site's inputs: `gazette.toml`, or a file under
/// `articles/` or `templates/` that is not hidden (editors' swap files are).
fn is_input(site: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(site) else { return false };
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => n.to_str(),
            _ => None,
        })
        .collect();
    let hidden = parts.iter().any(|p| p.starts_with('.') || p.ends_with('~'));
    match parts.first() {
        Some(&"gazette.toml") => parts.len() == 1,
        Some(&"articles") | Some(&"templates") => !hidden,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inputs_trigger_a_build() {
        let site = Path::new("/s");
        for (p, yes) in [
            ("/s/gazette.toml", true),
            ("/s/articles/kabul.md", true),
            ("/s/articles/2021/kabul.md", true),
            ("/s/templates/event.html", true),
            ("/s/articles/.kabul.md.swp", false),
            ("/s/articles/kabul.md~", false),
            ("/s/public/index.html", false),
            ("/s/.gazette-cache/serve/index.html", false),
            ("/s/README.md", false),
            ("/elsewhere/gazette.toml", false),
        ] {
            assert_eq!(is_input(site, Path::new(p)), yes, "{p}");
        }
    }
}
