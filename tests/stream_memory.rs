//! Bounded memory: `gazette extract --format geojsonl -` keeps a flat peak whatever the
//! length of the stream it reads.
//!
//! Slow (it streams more than a gigabyte), so it is ignored by `cargo test`; `.ci/run`
//! runs it in release: `cargo test --release --test stream_memory -- --ignored --nocapture`.
//! `GAZETTE_BIN` points it at another build of gazette.
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

fn gazette() -> Command {
    Command::new(std::env::var("GAZETTE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_gazette").to_string()))
}

/// The peak resident set of a running process so far, in KiB (VmHWM).
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Read `r` to its end in chunks, handing each to `each`; the number of bytes read.
fn drain(mut r: impl Read, mut each: impl FnMut(&[u8])) -> u64 {
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let got = r.read(&mut buf).unwrap();
        if got == 0 {
            return n;
        }
        each(&buf[..got]);
        n += got as u64;
    }
}

struct Run {
    input_bytes: u64,
    features: u64,
    peak_kib: u64,
}

/// Stream `articles` synthetic articles through `extract`, watching its peak memory.
fn stream(articles: usize) -> Run {
    let mut corpus = gazette()
        .args(["corpus", "--articles", &articles.to_string(), "--seed", "3"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("gazette corpus runs");
    let mut extract = gazette()
        .args(["extract", "-q", "--format", "geojsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("gazette extract runs");
    let pid = extract.id();
    let (from, mut to) = (corpus.stdout.take().unwrap(), extract.stdin.take().unwrap());
    // dropping `to` at the end closes extract's input
    let feeder = std::thread::spawn(move || drain(from, |chunk| to.write_all(chunk).unwrap()));
    let out = extract.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut lines = 0u64;
        drain(out, |chunk| lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64);
        lines
    });
    let mut peak = 0;
    while !reader.is_finished() {
        peak = peak.max(peak_kib(pid).unwrap_or(0));
        std::thread::sleep(Duration::from_millis(20));
    }
    // the process may still be alive (or not yet reaped) after closing its output
    peak = peak.max(peak_kib(pid).unwrap_or(0));
    let features = reader.join().unwrap();
    let input_bytes = feeder.join().unwrap();
    assert!(corpus.wait().unwrap().success());
    assert!(extract.wait().unwrap().success());
    Run { input_bytes, features, peak_kib: peak }
}

#[test]
#[ignore = "streams more than a gigabyte: run by .ci/run in release"]
fn peak_memory_is_flat_on_a_gigabyte_stream() {
    let small = stream(80_000);
    let large = stream(800_000);
    for (name, r) in [("small", &small), ("large", &large)] {
        println!(
            "{name}: {:.0} MB in, {} features out, peak RSS {:.0} MB",
            r.input_bytes as f64 / 1e6,
            r.features,
            r.peak_kib as f64 / 1024.0
        );
    }
    assert!(large.input_bytes >= 1_000_000_000, "the large stream is only {} bytes", large.input_bytes);
    assert!(large.features > 5 * small.features, "features: {} vs {}", large.features, small.features);
    assert!(small.peak_kib > 0 && large.peak_kib > 0, "no memory reading");
    // ten times the input, the same memory: within a quarter (or 32 MiB) of the small run
    let allowance = (small.peak_kib / 4).max(32 * 1024);
    assert!(
        large.peak_kib <= small.peak_kib + allowance,
        "peak RSS grew with the stream: {} KiB for {} bytes vs {} KiB for {} bytes",
        large.peak_kib,
        large.input_bytes,
        small.peak_kib,
        small.input_bytes
    );
}
