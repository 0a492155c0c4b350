//! Streaming: `extract` reads its inputs (files, folders, JSON Lines corpora, `-`) a batch
//! at a time and writes each batch's output as soon as it is geoparsed, in input order.
//! Memory is bounded by three batches (one read, one being geoparsed, one being
//! written), whatever the number of articles or the length of a stream, so the command
//! can run over a million files, or under `RDD.pipe`, Hadoop streaming or GNU parallel.
//! What grows with the input is the list of file paths and, for files, their slugs (a
//! few hundred bytes an article), so that feature ids stay unique.

use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::{event_diagnostics, is_corpus, Slugs};
use crate::article::{self, Article, MAX_ARTICLE_BYTES};
use crate::config::Format;
use crate::error::{Error, Result};
use crate::event;
use crate::event::Event;
use crate::export::{ArticleKey, FileWriter, Output};
use crate::gazetteer::Gazetteer;
use crate::geoparse::{self, Lexicon};
use crate::report::{guard, Diagnostic, Report};

/// Articles per batch when streaming: enough to keep every core busy, few enough that
/// memory stays flat however long the stream is.
const STREAM_BATCH: usize = 512;

/// Articles a pool thread takes at a time from a batch. Rayon would otherwise cut a
/// batch into as many pieces as there are threads, and a few more when one runs out of
/// work: a thread left with a piece of 128 articles, a long one among them, kept the
/// others waiting for milliseconds at the end of every batch.
const PIECE: usize = 4;

/// How an article becomes its event, when not by geoparsing it here: `export` of a site
/// takes the site's geoparse cache (see `site::cache`), which gives the same event.
pub type MakeEvent<'a> = dyn Fn(&Gazetteer, &Lexicon, Article, geoparse::Options) -> Event + Sync + 'a;

/// What a stream writes.
#[derive(Clone, Copy)]
pub struct StreamOptions<'a> {
    /// The output format.
    pub format: Format,
    /// What the `article` property holds: the input path (`extract`) or the slug
    /// (`export`, where records' slugs are made unique too).
    pub key: ArticleKey,
    /// Add each mention's candidates (mentions only).
    pub explain: bool,
    /// Also write countries named only by a demonym (features only), and keep demonyms
    /// whatever their confidence.
    pub demonyms: bool,
    /// Keep only mentions at least this confident.
    pub min_confidence: f64,
    /// Instead of geoparsing each article (`None`).
    pub make_event: Option<&'a MakeEvent<'a>>,
}

/// Where a stream's output goes.
pub enum Sink<'a> {
    /// A text format ([`StreamOptions::format`]), written as each batch is done.
    Text(&'a mut dyn Write),
    /// A file format's writer, given each event in turn.
    File(&'a mut FileWriter),
}

/// Read `inputs` (files, folders, JSON Lines corpora, and `-` for `stdin`: a JSON Lines
/// stream or one plain article) and write their features or mentions to `sink` in input
/// order, a batch at a time. Diagnostics go to `report` batch by batch, in input order
/// too. With the path as key, a corpus record's key is its id (`corpus.jsonl#id`) and
/// its slug is not renamed when another has it; files' slugs (and, with the slug as
/// key, every article's) are made unique, as in a site build.
pub fn stream(
    g: &Gazetteer,
    opts: StreamOptions,
    inputs: &[PathBuf],
    stdin: &mut dyn BufRead,
    mut sink: Sink,
    report: &mut Report,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Io { path: PathBuf::from("<stdout>"), source: e };
    let mut output = Output::new(opts.format, opts.key, opts.demonyms, opts.explain);
    // the same, for the pool threads, which only make chunks
    let chunker = Output::new(opts.format, opts.key, opts.demonyms, opts.explain);
    let mut diags = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    if inputs.iter().any(|p| p.as_os_str() == "-") {
        paths.push("-".into());
    }
    let files: Vec<PathBuf> = inputs.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
    paths.extend(article::collect_paths(&files, &mut diags));
    report.emit(&diags);
    let mut source = Source { stdin: Some(stdin), paths: paths.into_iter(), corpus: None };
    // a file writer takes the events themselves
    let events = matches!(sink, Sink::File(_));
    if let Sink::Text(out) = &mut sink {
        out.write_all(&output.head()).map_err(io)?;
    }
    let slugs = Mutex::new(Slugs::default());
    let mut deliver = |p: Prepared, sink: &mut Sink| -> Result<()> {
        report.emit(&p.diags);
        let out = match sink {
            Sink::Text(out) => out,
            Sink::File(file) => return p.events.iter().try_for_each(|e| file.add(e)),
        };
        // the chunks written so far, then the first error, if any
        let written = p.chunks.iter().take_while(|c| c.is_ok()).count();
        let chunks: Vec<&[u8]> = p.chunks[..written].iter().filter_map(|c| c.as_deref().ok()).collect();
        write_all_vectored(out, &output.parts(&chunks)).map_err(io)?;
        if let Some(Err(e)) = p.chunks.into_iter().nth(written) {
            return Err(io(e));
        }
        out.flush().map_err(io)
    };
    // A pipeline of three batches: while the pool geoparses one, this thread writes what
    // the one before made and reads the one after. Memory holds those three at most.
    let prepare = |items: Vec<Item>| {
        let mut read: Vec<(bool, std::result::Result<Article, Diagnostic>)> =
            items.into_par_iter().with_max_len(PIECE).map(Item::read).collect();
        // files' slugs are made unique in input order, batch after batch
        let mut slugs = slugs.lock().unwrap_or_else(|e| e.into_inner());
        // (every article's, when the slug is the key)
        let all = opts.key == ArticleKey::Slug;
        for a in read.iter_mut().filter(|(file, _)| *file || all).filter_map(|(_, a)| a.as_mut().ok()) {
            slugs.claim(a);
        }
        drop(slugs);
        gather(
            read.into_par_iter().with_max_len(PIECE).map(|(_, a)| one_article(g, opts, &chunker, events, a)).collect(),
        )
    };
    let mut batch = source.batch();
    let mut done: Option<Prepared> = None;
    while !batch.is_empty() {
        let mut prepared = None;
        let next = rayon::in_place_scope(|s| {
            let items = std::mem::take(&mut batch);
            s.spawn(|_| prepared = Some(prepare(items)));
            if let Some(p) = done.take() {
                deliver(p, &mut sink)?;
            }
            Ok::<_, Error>(source.batch())
        })?;
        done = prepared;
        batch = next;
    }
    if let Some(p) = done {
        deliver(p, &mut sink)?;
    }
    match sink {
        Sink::Text(out) => {
            out.write_all(output.tail()).map_err(io)?;
            out.flush().map_err(io)
        }
        Sink::File(_) => Ok(()),
    }
}

/// One input, as the reading thread found it: read into an article on a pool thread.
enum Item {
    /// A line of a JSON Lines corpus: its name, its line number, and its bytes (or its
    /// length, when it is past the limit and was not kept).
    Record { name: Arc<str>, line: usize, bytes: std::result::Result<Vec<u8>, u64> },
    /// An article file, read by the pool.
    File(PathBuf),
    /// A plain article on stdin (or its length, when past the limit).
    Text(std::result::Result<Vec<u8>, u64>),
    /// A problem met while reading the inputs.
    Problem(Diagnostic),
}

impl Item {
    /// Read the item into an article; the flag says whether it came from a file of its own.
    fn read(self) -> (bool, std::result::Result<Article, Diagnostic>) {
        let err = |e: Error| Diagnostic::from_error(e, "");
        match self {
            Item::Record { name, line, bytes } => (false, article::corpus_record(&name, line, bytes)),
            Item::File(p) => {
                let name = p.display().to_string();
                let read = guard(&name, "reading", || article::read_file(&p).map_err(err));
                (true, read.and_then(|r| r))
            }
            Item::Text(Ok(bytes)) => (
                false,
                article::decode("<stdin>", bytes)
                    .and_then(|t| article::parse("<stdin>", "stdin", t, true))
                    .map_err(err),
            ),
            Item::Text(Err(len)) => (false, Err(err(article::too_large("<stdin>", None, len)))),
            Item::Problem(d) => (false, Err(d)),
        }
    }
}

/// Where the next batch of items comes from: the paths left, and the corpus being read.
struct Source<'a> {
    stdin: Option<&'a mut dyn BufRead>,
    paths: std::vec::IntoIter<PathBuf>,
    corpus: Option<Corpus<'a>>,
}

/// A JSON Lines corpus being read a line at a time.
struct Corpus<'a> {
    name: Arc<str>,
    reader: Box<dyn BufRead + 'a>,
    /// Lines read so far, blank ones included.
    line: usize,
}

impl<'a> Source<'a> {
    /// The next [`STREAM_BATCH`] items (fewer at the end, none after it).
    fn batch(&mut self) -> Vec<Item> {
        let mut batch = Vec::with_capacity(STREAM_BATCH);
        while batch.len() < STREAM_BATCH {
            if let Some(c) = &mut self.corpus {
                match article::read_record(&mut c.reader, MAX_ARTICLE_BYTES) {
                    Ok(None) => self.corpus = None,
                    Ok(Some(bytes)) => {
                        c.line += 1;
                        if bytes.as_ref().is_ok_and(|b| b.trim_ascii().is_empty()) {
                            continue;
                        }
                        batch.push(Item::Record { name: c.name.clone(), line: c.line, bytes });
                    }
                    Err(e) => {
                        let d = Diagnostic::error(&*c.name, Some(c.line + 1), format!("cannot read it: {e}"));
                        batch.push(Item::Problem(d));
                        self.corpus = None;
                    }
                }
                continue;
            }
            let Some(p) = self.paths.next() else { break };
            if p.as_os_str() == "-" {
                if let Some(item) = self.stdin.take().and_then(|stdin| self.open_stdin(stdin)) {
                    batch.push(item);
                }
            } else if is_corpus(&p) && p.is_file() {
                match std::fs::File::open(&p) {
                    Ok(f) => {
                        self.open(&p.display().to_string(), Box::new(std::io::BufReader::with_capacity(1 << 20, f)))
                    }
                    Err(e) => batch.push(Item::Problem(Diagnostic::from_error(Error::Io { path: p, source: e }, ""))),
                }
            } else {
                batch.push(Item::File(p));
            }
        }
        batch
    }

    fn open(&mut self, name: &str, reader: Box<dyn BufRead + 'a>) {
        self.corpus = Some(Corpus { name: name.into(), reader, line: 0 });
    }

    /// Stdin is a JSON Lines stream when it starts with `{` (it becomes the corpus being
    /// read), else one plain article, read up to the size limit.
    fn open_stdin(&mut self, stdin: &'a mut dyn BufRead) -> Option<Item> {
        let problem =
            |e: std::io::Error| Item::Problem(Diagnostic::error("<stdin>", None, format!("cannot read it: {e}")));
        let jsonl = match stdin.fill_buf() {
            Ok(buf) => buf.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
            Err(e) => return Some(problem(e)),
        };
        if jsonl {
            self.open("<stdin>", Box::new(stdin));
            return None;
        }
        let mut bytes = Vec::new();
        Some(match stdin.take(MAX_ARTICLE_BYTES + 1).read_to_end(&mut bytes) {
            Ok(n) if n as u64 > MAX_ARTICLE_BYTES => Item::Text(Err(n as u64)),
            Ok(_) => Item::Text(Ok(bytes)),
            Err(e) => problem(e),
        })
    }
}

/// One article's steps on one pool thread: geoparse it and write its chunk in memory
/// (or, for a file writer, keep the event).
fn one_article(
    g: &Gazetteer,
    opts: StreamOptions,
    chunker: &Output,
    keep_event: bool,
    article: std::result::Result<Article, Diagnostic>,
) -> (Vec<Diagnostic>, Option<Piece>) {
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
    let make = || match opts.make_event {
        Some(make) => make(g, lex, article, popts),
        None => event::from_article(g, lex, article, popts),
    };
    let e = match guard(&path, "geoparsing", make) {
        Ok(e) => e,
        Err(d) => return (vec![d], None),
    };
    event_diagnostics(&e, &mut diags);
    if keep_event {
        return (diags, Some(Piece::Event(Box::new(e))));
    }
    let mut buf = Vec::new();
    let written = chunker.event(g, &e, &mut buf);
    (diags, Some(Piece::Chunk(written.map(|()| buf))))
}

/// A batch's articles' diagnostics and outputs, gathered in order.
fn gather(items: Vec<(Vec<Diagnostic>, Option<Piece>)>) -> Prepared {
    let mut p = Prepared { diags: Vec::new(), chunks: Vec::with_capacity(items.len()), events: Vec::new() };
    for (diags, piece) in items {
        p.diags.extend(diags);
        match piece {
            Some(Piece::Chunk(c)) => p.chunks.push(c),
            Some(Piece::Event(e)) => p.events.push(*e),
            None => {}
        }
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

/// One article's output, written in memory.
type Chunk = std::io::Result<Vec<u8>>;

/// What one article became: its output in memory, or its event for a file writer.
enum Piece {
    Chunk(Chunk),
    Event(Box<Event>),
}

/// A batch geoparsed and written out in memory: its diagnostics and its output, event
/// by event (or the events themselves, for a file writer).
struct Prepared {
    diags: Vec<Diagnostic>,
    chunks: Vec<Chunk>,
    events: Vec<Event>,
}
