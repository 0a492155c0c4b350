//! The `gazette` binary: parse arguments, run, turn the outcome into an exit code.
//! Exit codes: 0 success (warnings allowed), 1 errors, 2 usage errors.

use clap::Parser;

// A site build allocates and frees millions of small strings from several threads;
// mimalloc does that with far less time in the allocator than glibc's malloc.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let config = gazette::cli::Cli::parse().into_config();
    let code = match gazette::run(&config, &mut std::io::stdout().lock()) {
        Ok(code) => code,
        Err(gazette::Error::Io { ref source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    };
    std::process::exit(code);
}
