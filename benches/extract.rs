//! Release bench binary for `extract` throughput: `cargo bench --bench extract`.
//!
//! Builds a multi-megabyte mixed Arabic/English/French/Russian/Persian/Spanish corpus by
//! repeating the shared dev articles and the seed (read from ../shared, never copied into
//! the repository), then geoparses it in process on one thread and on all threads, after
//! timing each stage on one thread. `GAZETTE_BENCH_INPUT=DIR` reads DIR's articles instead.

use std::path::PathBuf;
use std::time::Instant;

use gazette::article;
use gazette::event;
use gazette::gazetteer::Gazetteer;
use gazette::geoparse::{Lexicon, Options};
use rayon::prelude::*;

// the allocator the gazette binary uses
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // GAZETTE_BENCH_INPUT=DIR measures your own articles instead
    let mut inputs = match std::env::var_os("GAZETTE_BENCH_INPUT") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => vec![root.join("../shared/eval/dev/articles"), root.join("../shared/seeds")],
    };
    inputs.retain(|p| p.exists());
    if inputs.is_empty() {
        inputs.push(root.join("site/articles"));
    }
    let (base, _) = gazette::pipeline::read_inputs(&inputs);
    let target = 8_000_000usize;
    let mut corpus = Vec::new();
    let mut bytes = 0;
    'fill: loop {
        for a in &base {
            let mut a = a.clone();
            a.slug = format!("{}-{}", a.slug, corpus.len());
            bytes += a.plain.len();
            corpus.push(a);
            if bytes >= target {
                break 'fill;
            }
        }
    }
    let t = Instant::now();
    let g = Gazetteer::embedded();
    let lex = Lexicon::embedded();
    let _ = gazette::geoparse::lookup(g, "Kabul", 1);
    println!("start-up (gazetteer + lexicons): {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let mb = bytes as f64 / 1e6;
    // the stages cumulatively, on one thread: where the time goes
    let stage = |name: &str, f: &dyn Fn(&gazette::article::Article) -> usize| {
        let mut best = f64::INFINITY;
        let mut n = 0;
        for _ in 0..3 {
            let t = Instant::now();
            n = corpus.iter().map(f).sum::<usize>();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!("  {name:<24} {:>7.1} ms  {:>6.1} MB/s  ({n})", best * 1e3, mb / best);
    };
    // every article without a `lang` is read through this before it is geoparsed
    stage("detect language (alone)", &|a| article::detect_lang(&a.plain).len());
    println!("stages, 1 thread, cumulative:");
    stage("tokenize (tokens)", &|a| gazette::text::tokenize(&a.plain, &mut String::new()).len());
    stage("+ recognize (names)", &|a| {
        let mut keys = String::new();
        let tokens = gazette::text::tokenize(&a.plain, &mut keys);
        gazette::geoparse::recognize::recognize(g, lex, &a.plain, &tokens, &a.lang).len()
    });
    stage("+ resolve (mentions)", &|a| gazette::geoparse::geoparse(g, lex, a, Options::default()).len());
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let mut best = f64::INFINITY;
        let mut places = 0;
        for _ in 0..3 {
            // the pipeline moves each article it read into its event: copy them before
            // the clock starts, and free the events after it stops
            let articles = corpus.clone();
            let t = Instant::now();
            let events: Vec<event::Event> = pool.install(|| {
                articles.into_par_iter().map(|a| event::from_article(g, lex, a, Options::default())).collect()
            });
            best = best.min(t.elapsed().as_secs_f64());
            places = events.iter().map(|e| e.places.len()).sum();
            drop(events);
        }
        println!(
            "extract, {threads} thread(s): {:.1} MB in {:.3} s = {:.1} MB/s, {:.0} articles/s ({} articles, {} places)",
            mb,
            best,
            mb / best,
            corpus.len() as f64 / best,
            corpus.len(),
            places
        );
    }
    let _ = article::slugify("");
}
