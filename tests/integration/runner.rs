//! The one way these tests run gazette, and the fixtures they share.
//!
//! [`Gazette`] builds one run of the binary under test: its arguments and environment, the
//! bytes on its stdin (none unless given), its working folder (the repository root unless
//! given) and a time limit that turns a hang into a failure (two minutes unless given; it
//! is never a measure of speed). [`Gazette::run`] waits for the process and returns a
//! [`Run`]; it does not judge the exit code, [`Run::success`] does:
//!
//! ```ignore
//! let fc = Gazette::new().args(["extract", "-q", "site/articles"]).run().success().json();
//! let r = gazette(["extract"]); // the short form
//! assert_eq!(r.code, 2);
//! ```
//!
//! The fixtures are sites written into temporary folders (`demo_copy`, `small_site`,
//! `site_with`), `build` for `gazette build SITE -o OUT`, and readers of what a build wrote.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

/// One run of the binary under test, to be set up and then [`run`](Gazette::run).
pub struct Gazette {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

impl Gazette {
    /// `gazette` with no arguments, in the repository root, with stdin empty and a two-minute limit.
    pub fn new() -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gazette"));
        cmd.current_dir(root());
        Gazette { cmd, stdin: None, timeout: Duration::from_secs(120) }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Bytes to write to the process's stdin, from a thread of their own (so that a process
    /// that writes while it reads cannot block on a full pipe).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    /// How long the run may take before the test fails as hung.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = limit;
        self
    }

    /// The command as set up so far, for a process the test drives itself (`gazette serve`).
    pub fn command(self) -> Command {
        self.cmd
    }

    /// Run to the end; fail the test if the process runs past the time limit or is killed.
    #[track_caller]
    pub fn run(mut self) -> Run {
        let command = format!("gazette {:?}", self.cmd.get_args().collect::<Vec<_>>());
        // stdout and stderr go to files: nothing to drain while waiting, and a process
        // that never ends cannot block the test on a full pipe
        let scratch = tempfile::tempdir().unwrap();
        let (out, err) = (scratch.path().join("stdout"), scratch.path().join("stderr"));
        self.cmd
            .stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap());
        let mut child = self.cmd.spawn().unwrap_or_else(|e| panic!("{command}: {e}"));
        let writer = self.stdin.map(|bytes| {
            use std::io::Write;
            let mut pipe = child.stdin.take().unwrap();
            // dropping the pipe at the end closes the process's input
            std::thread::spawn(move || match pipe.write_all(&bytes) {
                // a process may exit without reading all of its input
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r,
            })
        });
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if started.elapsed() > self.timeout {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{command} ran past {:?}", self.timeout);
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(20));
        };
        if let Some(w) = writer {
            w.join().unwrap().unwrap_or_else(|e| panic!("{command}: writing its stdin: {e}"));
        }
        let stdout = String::from_utf8(std::fs::read(&out).unwrap())
            .unwrap_or_else(|e| panic!("{command}: stdout is not UTF-8: {e}"));
        let stderr = String::from_utf8_lossy(&std::fs::read(&err).unwrap()).into_owned();
        let code = status.code().unwrap_or_else(|| panic!("{command} was killed: {status}\n{stderr}"));
        Run { command, code, stdout, stderr }
    }
}

/// `gazette ARGS`, run to the end in the repository root: the short form of
/// `Gazette::new().args(args).run()`.
#[track_caller]
pub fn gazette<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Run {
    Gazette::new().args(args).run()
}

/// A finished run: its exit code and what it printed (stdout is always UTF-8; stderr is
/// decoded leniently, since it may name a file whose name is not).
#[derive(Debug)]
pub struct Run {
    /// The command line, for messages.
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The run itself, after checking that it exited with 0.
    #[track_caller]
    pub fn success(self) -> Self {
        assert!(
            self.code == 0,
            "{} exited with {}; stderr:\n{}\nstdout:\n{}",
            self.command,
            self.code,
            self.stderr,
            self.stdout.chars().take(4000).collect::<String>()
        );
        self
    }

    /// Stdout parsed as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{}: stdout is not JSON ({e}):\n{}", self.command, self.stdout))
    }

    /// The lines of stdout.
    pub fn lines(&self) -> std::str::Lines<'_> {
        self.stdout.lines()
    }
}

/// `gazette build SITE -o OUT` plus `extra` arguments (not checked: see [`Run::success`]).
#[track_caller]
pub fn build(site: &Path, out: &Path, extra: &[&str]) -> Run {
    Gazette::new().arg("build").arg(site).arg("-o").arg(out).args(extra).run()
}

// ---- fixtures ---------------------------------------------------------------------------

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared evaluation folder beside the checkout (CI has it too; tests that use it say
/// they were skipped when it is not there).
pub fn shared() -> PathBuf {
    root().join("../shared")
}

/// Three small articles: Arabic, English, and one undated plain-text file.
pub fn fixtures() -> PathBuf {
    root().join("tests/fixtures/articles")
}

#[track_caller]
pub fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A copy of the demo site's inputs (`site/gazette.toml` and `site/articles`), to build or
/// change without touching `site/`.
pub fn demo_copy(into: &Path) -> PathBuf {
    let site = into.join("site");
    std::fs::create_dir_all(site.join("articles")).unwrap();
    std::fs::copy(root().join("site/gazette.toml"), site.join("gazette.toml")).unwrap();
    for e in std::fs::read_dir(root().join("site/articles")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, site.join("articles").join(p.file_name().unwrap())).unwrap();
    }
    site
}

/// A site of its own, served under `/test/`: `gazette.toml` and articles given as
/// (file name, text).
pub fn small_site(into: &Path, articles: &[(&str, &str)]) -> PathBuf {
    let site = into.join("site");
    std::fs::create_dir_all(site.join("articles")).unwrap();
    std::fs::write(
        site.join("gazette.toml"),
        "title = \"Test site\"\nbase_url = \"https://example.org/test/\"\n[map]\ntiles = \"none\"\n",
    )
    .unwrap();
    for (name, text) in articles {
        std::fs::write(site.join("articles").join(name), text).unwrap();
    }
    site
}

/// The configuration of [`site_with`]'s sites (three lines: tests name the lines after it).
pub const CONFIG: &str = "title = \"Test site\"\n[map]\ntiles = \"none\"\n";
/// The article that [`site_with`] puts in every site, to show that the rest is built.
pub const GOOD: &str = "---\ntitle: Taliban enter Kabul\ndate: 2021-08-15\n---\n\nFighting in Kabul.\n";

/// A site with `good.md` and the given articles (path under `articles/`, bytes).
pub fn site_with(into: &Path, articles: &[(&str, &[u8])]) -> PathBuf {
    let site = into.join("site");
    std::fs::create_dir_all(site.join("articles")).unwrap();
    std::fs::write(site.join("gazette.toml"), CONFIG).unwrap();
    std::fs::write(site.join("articles/good.md"), GOOD).unwrap();
    for (name, bytes) in articles {
        let p = site.join("articles").join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    site
}

/// The slugs of a built site, in its data file's order.
#[track_caller]
pub fn built_slugs(out: &Path) -> Vec<String> {
    let data: Value = serde_json::from_str(&read(&out.join("data/events.json"))).unwrap();
    data["events"]["slug"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// Every file under `dir`, relative path (with `/`) → bytes.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Every path under `dir` (folders and links too, not followed) with its bytes and
/// modification time: to show that a command wrote or touched nothing.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p.clone());
            }
            let bytes = if meta.is_file() { std::fs::read(&p).unwrap() } else { Vec::new() };
            out.insert(p, (bytes, meta.modified().unwrap()));
        }
    }
    out
}
