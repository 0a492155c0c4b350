//! Streaming: `extract -` (or a `.jsonl` file) with a line format reads a JSON Lines
//! article stream and writes each batch's features or mentions as soon as it is
//! geoparsed, in input order. Memory is bounded by three batches (one read, one being
//! geoparsed, one being written), whatever the stream's length, so the command can run
//! under `RDD.pipe`, Hadoop streaming or GNU parallel.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use rayon::prelude::*;

use super::event_diagnostics;
use crate::article::{self, Article};
use crate::config::Format;
use crate::error::{Error, Result};
use crate::event;
use crate::export::{self, ArticleKey};
use crate::gazetteer::Gazetteer;
use crate::geoparse::{self, Lexicon};
use crate::report::{guard, Diagnostic, Report};

/// Articles per batch when streaming: enough to keep every core busy, few enough that
/// memory stays flat however long the stream is.
const STREAM_BATCH: usize = 512;

/// What a stream writes.
#[derive(Debug, Clone, Copy)]
pub struct StreamOptions {
    /// [`Format::GeoJsonLines`] or [`Format::Mentions`].
    pub format: Format,
    /// Add each mention's candidates (mentions only).
    pub explain: bool,
    /// Also write countries named only by a demonym (features only), and keep demonyms
    /// whatever their confidence.
    pub demonyms: bool,
    /// Keep only mentions at least this confident.
    pub min_confidence: f64,
}

/// Read a JSON Lines article stream (or one plain article) from `input`, named `name` in
/// diagnostics, and write each article's features or mentions to `out` in input order.
/// Diagnostics go to `report` batch by batch. Article keys are the corpus ids
/// (`<stdin>#id`); duplicates are not renamed.
pub fn stream(
    g: &Gazetteer,
    opts: StreamOptions,
    name: &str,
    mut input: impl BufRead,
    out: &mut dyn Write,
    report: &mut Report,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Io { path: PathBuf::from(name), source: e };
    let jsonl = input.fill_buf().map_err(io)?.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let mut deliver = |p: Prepared, out: &mut dyn Write| -> Result<()> {
        report.emit(&p.diags);
        // the chunks written so far, then the first error, if any
        let written = p.chunks.iter().take_while(|c| c.is_ok()).count();
        let chunks: Vec<&[u8]> = p.chunks[..written].iter().filter_map(|c| c.as_deref().ok()).collect();
        write_all_vectored(out, &chunks).map_err(io)?;
        if let Some(Err(e)) = p.chunks.into_iter().nth(written) {
            return Err(io(e));
        }
        out.flush().map_err(io)
    };
    if !jsonl {
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes).map_err(io)?;
        let article = article::decode(name, bytes).and_then(|t| article::parse(name, "stdin", t, true));
        let one = one_article(g, opts, article.map_err(|e| Diagnostic::from_error(e, "")));
        return deliver(gather(vec![one]), out);
    }
    // A pipeline of three batches: while the pool geoparses one, this thread writes what
    // the one before made and reads the one after. Memory holds those three at most.
    let prepare = |lines: Lines| {
        gather(
            lines
                .into_par_iter()
                .filter_map(|(n, line)| corpus_line(name, n, &line))
                .map(|a| one_article(g, opts, a))
                .collect(),
        )
    };
    let mut n = 0;
    let mut batch = read_batch(&mut input, &mut n).map_err(io)?;
    let mut done: Option<Prepared> = None;
    while !batch.is_empty() {
        let mut prepared = None;
        let next = rayon::in_place_scope(|s| {
            let lines = std::mem::take(&mut batch);
            s.spawn(|_| prepared = Some(prepare(lines)));
            if let Some(p) = done.take() {
                deliver(p, out)?;
            }
            read_batch(&mut input, &mut n).map_err(io)
        })?;
        done = prepared;
        batch = next;
    }
    if let Some(p) = done {
        deliver(p, out)?;
    }
    Ok(())
}

/// One article's steps on one pool thread: geoparse it and write its output in memory.
fn one_article(
    g: &Gazetteer,
    opts: StreamOptions,
    article: std::result::Result<Article, Diagnostic>,
) -> (Vec<Diagnostic>, Option<Chunk>) {
    // asked here, not before the first batch is read: `run` started reading them
    let lex = Lexicon::embedded();
    let mut diags = Vec::new();
    let article = match article {
        Ok(a) => a,
        Err(d) => return (vec![d], None),
    };
    let path = article.path.clone();
    let popts =
        geoparse::Options { explain: opts.explain, min_confidence: opts.min_confidence, demonyms: opts.demonyms };
    let e = match guard(&path, "geoparsing", || event::from_article(g, lex, article, popts)) {
        Ok(e) => e,
        Err(d) => return (vec![d], None),
    };
    event_diagnostics(&e, &mut diags);
    let mut buf = Vec::new();
    let written = match opts.format {
        Format::Mentions => export::mentions::write(g, &mut buf, std::slice::from_ref(&e), opts.explain),
        _ => export::geojson::event_lines(&mut buf, &e, ArticleKey::Path, opts.demonyms).map_err(Into::into),
    };
    (diags, Some(written.map(|()| buf)))
}

/// A batch's articles' diagnostics and outputs, gathered in order.
fn gather(items: Vec<(Vec<Diagnostic>, Option<Chunk>)>) -> Prepared {
    let mut p = Prepared { diags: Vec::new(), chunks: Vec::with_capacity(items.len()) };
    for (diags, chunk) in items {
        p.diags.extend(diags);
        p.chunks.extend(chunk);
    }
    p
}

/// Write every chunk in turn, as few writes as the writer allows: a buffered writer
/// hands a large batch straight to the system (`writev`) without copying it first.
fn write_all_vectored(out: &mut dyn Write, chunks: &[&[u8]]) -> std::io::Result<()> {
    // an empty slice would leave nothing to write: a zero-byte write, taken for an error
    let mut slices: Vec<std::io::IoSlice> =
        chunks.iter().filter(|c| !c.is_empty()).map(|c| std::io::IoSlice::new(c)).collect();
    let mut rest = &mut slices[..];
    // the system takes at most IOV_MAX (1024 on Linux) slices at once
    while !rest.is_empty() {
        let n = out.write_vectored(&rest[..rest.len().min(1024)])?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        std::io::IoSlice::advance_slices(&mut rest, n);
    }
    Ok(())
}

/// (line number, line) of the non-blank lines of a batch.
type Lines = Vec<(usize, Vec<u8>)>;

/// A batch geoparsed and written out in memory: its diagnostics and its output, event
/// by event.
struct Prepared {
    diags: Vec<Diagnostic>,
    chunks: Vec<Chunk>,
}

/// One event's output, written in memory.
type Chunk = std::io::Result<Vec<u8>>;

/// The next [`STREAM_BATCH`] non-blank lines of a stream (fewer at its end, none after
/// it); `n` counts the lines read so far, blank ones included.
fn read_batch(input: &mut impl BufRead, n: &mut usize) -> std::io::Result<Lines> {
    let mut batch = Vec::with_capacity(STREAM_BATCH);
    while batch.len() < STREAM_BATCH {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        *n += 1;
        if !line.trim_ascii().is_empty() {
            batch.push((*n, line));
        }
    }
    Ok(batch)
}

/// One line of a JSON Lines article stream, as an article or an error naming the line;
/// `None` when blank.
fn corpus_line(name: &str, n: usize, line: &[u8]) -> Option<std::result::Result<Article, Diagnostic>> {
    Some(match std::str::from_utf8(line) {
        Ok(text) if text.trim().is_empty() => return None,
        Ok(text) => article::parse_corpus_line(name, n, text.trim_end()).map_err(|e| Diagnostic::from_error(e, "")),
        Err(e) => {
            Err(Diagnostic::error(name, Some(n), format!("invalid UTF-8 at byte {} of the line", e.valid_up_to())))
        }
    })
}
