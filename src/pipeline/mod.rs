//! The pipeline every command shares: read the inputs into articles, geoparse each, and
//! build its event, in parallel, keeping input order.
//!
//! ```text
//!  paths ──read_inputs──▶ Article ──geoparse──▶ Mention ──event::build──▶ Event
//!  (files, folders, -)    (article/)            (geoparse/)               (event.rs)
//! ```
//!
//! [`process`] is the whole of it for `extract`, `export` and `check`; `build` calls
//! [`process_with`] to look in its cache before geoparsing. [`stream`] runs the same
//! steps over a JSON Lines stream in bounded memory. A problem with one article is a
//! [`Diagnostic`] beside the events, never the end of the run, and a panic while reading
//! or geoparsing one article becomes an error naming it.

mod stream;

pub use stream::{stream, MakeEvent, Sink, StreamOptions};

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::article::{self, Article};
use crate::error::Error;
use crate::event::{self, Event};
use crate::gazetteer::Gazetteer;
use crate::geoparse::{self, Lexicon};
use crate::report::{guard, Diagnostic};

/// Read every input into articles. Unreadable files become error diagnostics; the rest
/// are still read. Slugs are made unique (with a warning).
pub fn read_inputs(inputs: &[PathBuf]) -> (Vec<Article>, Vec<Diagnostic>) {
    let (mut articles, files, mut diags) = gather(inputs);
    let results: Vec<(Vec<Article>, Vec<Diagnostic>)> = files.par_iter().map(|p| read_guarded(p)).collect();
    for (a, d) in results {
        articles.extend(a);
        diags.extend(d);
    }
    unique_slugs(&mut articles);
    (articles, diags)
}

/// What the inputs name, found before any is read: see [`gather`].
pub type Gathered = (Vec<Article>, Vec<PathBuf>, Vec<Diagnostic>);

/// What the inputs name: the article or JSON Lines records on stdin when one input is
/// `-` (read now), and the files to read, in order, with the problems found on the way.
pub fn gather(inputs: &[PathBuf]) -> Gathered {
    let mut diags = Vec::new();
    let mut stdin_articles = Vec::new();
    let files: Vec<PathBuf> = if inputs.iter().any(|p| p.as_os_str() == "-") {
        let mut stdin = std::io::stdin().lock();
        match stdin.fill_buf() {
            Ok(buf) if buf.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => {
                read_corpus("<stdin>", &mut stdin, &mut stdin_articles, &mut diags)
            }
            Ok(_) => {
                let mut bytes = Vec::new();
                let read = (&mut stdin).take(article::MAX_ARTICLE_BYTES + 1).read_to_end(&mut bytes);
                let parsed = match read {
                    Err(e) => Err(Error::Io { path: "<stdin>".into(), source: e }),
                    Ok(n) if n as u64 > article::MAX_ARTICLE_BYTES => {
                        Err(article::too_large("<stdin>", None, n as u64))
                    }
                    Ok(_) => {
                        article::decode("<stdin>", bytes).and_then(|t| article::parse("<stdin>", "stdin", t, true))
                    }
                };
                match parsed {
                    Ok(a) => stdin_articles.push(a),
                    Err(e) => diags.push(Diagnostic::from_error(e, "")),
                }
            }
            Err(e) => diags.push(Diagnostic::error("<stdin>", None, format!("cannot read it: {e}"))),
        }
        let rest: Vec<PathBuf> = inputs.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
        article::collect_paths(&rest, &mut diags)
    } else {
        article::collect_paths(inputs, &mut diags)
    };
    (stdin_articles, files, diags)
}

/// [`read_path`], with a panic turned into an error naming the file.
fn read_guarded(p: &Path) -> (Vec<Article>, Vec<Diagnostic>) {
    guard(&p.display().to_string(), "reading", || read_path(p)).unwrap_or_else(|d| (Vec::new(), vec![d]))
}

/// Rename every slug that an earlier article has (`slug-2`, `slug-3`, …), with a warning
/// on the renamed article that names the other file.
fn unique_slugs(articles: &mut [Article]) {
    let mut slugs = Slugs::default();
    for a in articles {
        slugs.claim(a);
    }
}

/// The slugs taken so far, and by whom, so that each article's is made unique in input
/// order: in linear time, since 20,000 `index.md` files would otherwise make it quadratic.
#[derive(Debug, Default)]
pub(crate) struct Slugs {
    /// slug → the path of the article that has it
    owner: std::collections::HashMap<String, String>,
    /// slug → the next number to try after it
    next: std::collections::HashMap<String, usize>,
}

impl Slugs {
    /// Give `a` its slug, or the first free `slug-N` with a warning naming the other file.
    pub(crate) fn claim(&mut self, a: &mut Article) {
        let Some(first) = self.owner.get(&a.slug).cloned() else {
            self.owner.insert(a.slug.clone(), a.path.clone());
            return;
        };
        let base = std::mem::take(&mut a.slug);
        let n = self.next.entry(base.clone()).or_insert(2);
        while self.owner.contains_key(&format!("{base}-{n}")) {
            *n += 1;
        }
        a.slug = format!("{base}-{n}");
        *n += 1;
        self.owner.insert(a.slug.clone(), a.path.clone());
        let message = format!("slug {base:?} is taken by {first}; using {:?}", a.slug);
        a.diagnostics.push(Diagnostic::warning(a.path.as_str(), None, message));
    }
}

/// Whether a path names a JSON Lines corpus (one article per line) by its extension.
pub(crate) fn is_corpus(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("jsonl" | "ndjson"))
}

/// Read one file: an article, or every record of a JSON Lines corpus.
fn read_path(p: &Path) -> (Vec<Article>, Vec<Diagnostic>) {
    let mut arts = Vec::new();
    let mut ds = Vec::new();
    if is_corpus(p) {
        match std::fs::File::open(p) {
            Ok(f) => read_corpus(&p.display().to_string(), &mut std::io::BufReader::new(f), &mut arts, &mut ds),
            Err(source) => ds.push(Diagnostic::from_error(Error::Io { path: p.to_path_buf(), source }, "")),
        }
    } else {
        match article::read_file(p) {
            Ok(a) => arts.push(a),
            Err(e) => ds.push(Diagnostic::from_error(e, "")),
        }
    }
    (arts, ds)
}

/// Read every record of a JSON Lines corpus; a record past the size limit is skipped
/// without being held in memory.
fn read_corpus(path: &str, input: &mut dyn BufRead, out: &mut Vec<Article>, diags: &mut Vec<Diagnostic>) {
    let mut n = 0;
    loop {
        match article::read_record(input, article::MAX_ARTICLE_BYTES) {
            Ok(None) => return,
            Ok(Some(line)) => {
                n += 1;
                if line.as_ref().is_ok_and(|l| l.trim_ascii().is_empty()) {
                    continue;
                }
                match article::corpus_record(path, n, line) {
                    Ok(a) => out.push(a),
                    Err(d) => diags.push(d),
                }
            }
            Err(e) => return diags.push(Diagnostic::error(path, Some(n + 1), format!("cannot read it: {e}"))),
        }
    }
}

/// Read and geoparse every input, in parallel; events keep input order.
///
/// ```no_run
/// use gazette::{gazetteer::Gazetteer, geoparse, pipeline};
/// let (events, diagnostics) =
///     pipeline::process(Gazetteer::embedded(), &["site/articles".into()], geoparse::Options::default());
/// for e in &events {
///     println!("{}: {} places", e.article.title, e.places.len());
/// }
/// ```
pub fn process(g: &Gazetteer, inputs: &[PathBuf], opts: geoparse::Options) -> (Vec<Event>, Vec<Diagnostic>) {
    // the lexicons are asked for only once the files are read: `run` started reading them
    process_with(inputs, |a| event::from_article(g, Lexicon::embedded(), a, opts))
}

/// [`process`], with `to_event` making each article's event (`gazette build` looks in
/// its cache first). A panic on one article becomes an error naming it; the rest go on.
///
/// Each file is read and geoparsed in one task, so that the articles' texts are not all
/// in memory at once (a site of 100,000 articles holds only its events). Slugs are made
/// unique afterwards, in input order, as [`read_inputs`] makes them: the geoparser does
/// not read them.
pub fn process_with(
    inputs: &[PathBuf],
    to_event: impl Fn(Article) -> Event + Sync + Send,
) -> (Vec<Event>, Vec<Diagnostic>) {
    process_gathered(gather(inputs), to_event)
}

/// [`process_with`] of inputs already [gathered](gather): a folder of 100,000 articles
/// takes a tenth of a second to list, which `gazette build` spends opening its cache too.
pub fn process_gathered(
    (stdin_articles, files, mut diags): Gathered,
    to_event: impl Fn(Article) -> Event + Sync + Send,
) -> (Vec<Event>, Vec<Diagnostic>) {
    // an article's event, or the error that stopped it
    type Made = Result<Event, Diagnostic>;
    let one = |a: Article| {
        let path = a.path.clone();
        guard(&path, "geoparsing", || to_event(a))
    };
    let from_stdin: Vec<Made> = stdin_articles.into_par_iter().map(one).collect();
    let from_files: Vec<(Vec<Made>, Vec<Diagnostic>)> = files
        .par_iter()
        .map(|p| {
            let (articles, read) = read_guarded(p);
            // a JSON Lines corpus is one file of many articles: geoparse them in parallel too
            (articles.into_par_iter().map(one).collect(), read)
        })
        .collect();
    // the reading problems first, in input order, then the geoparsing ones, as before
    let mut results = from_stdin;
    for (r, read) in from_files {
        results.extend(r);
        diags.extend(read);
    }
    let mut events = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(e) => events.push(e),
            Err(d) => diags.push(d),
        }
    }
    let mut slugs = Slugs::default();
    for e in &mut events {
        let before = e.article.diagnostics.len();
        slugs.claim(&mut e.article);
        // the event took a copy of its article's diagnostics when it was made
        e.diagnostics.extend(e.article.diagnostics[before..].iter().cloned());
    }
    for e in &events {
        event_diagnostics(e, &mut diags);
    }
    (events, diags)
}

/// An event's diagnostics: its article's, and a warning when it has no date.
fn event_diagnostics(e: &Event, diags: &mut Vec<Diagnostic>) {
    diags.extend(e.diagnostics.iter().cloned());
    if e.date.is_none() && !e.diagnostics.iter().any(|d| d.message.contains("date")) {
        diags.push(Diagnostic::warning(e.article.path.as_str(), None, "no date; the event is undated"));
    }
}
