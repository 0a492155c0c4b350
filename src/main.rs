//! The `gazette` binary: parse arguments, run, turn the outcome into an exit code.
//! Exit codes: 0 success (warnings allowed), 1 errors, 2 usage errors.

use clap::Parser;

// A site build allocates and frees millions of small strings from several threads;
// mimalloc does that with far less time in the allocator than glibc's malloc.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let config = gazette::cli::Cli::parse().into_config();
    // Block-buffered: features are written one small line at a time, and a line-buffered
    // stdout would flush each. Commands that must show a line at once (serve) flush.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let result = gazette::run(&config, &mut out).and_then(|code| {
        use std::io::Write;
        out.flush().map_err(|source| gazette::Error::Io { path: "<stdout>".into(), source })?;
        Ok(code)
    });
    let code = match result {
        Ok(code) => code,
        Err(gazette::Error::Io { ref source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
