//! `gazette serve` under careless and hostile clients (issue 18, item 11): each client
//! gets its share and no more, and no request leads out of the site.
//!
//! Every case starts a server of its own on a small site (so that one case filling the
//! server cannot disturb another) and speaks HTTP/1.1 to it over a raw socket, as a
//! hostile client would. What is measured is what a client could take: the server's peak
//! memory (VmHWM, reset before the case) and its threads (`/proc/PID/task`), against the
//! limits the README promises. Time is never measured: a case that waits on the server
//! gives up after [`HANG`], far beyond any timeout of the server's, and fails as hung.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::runner::{small_site, Gazette, CONFIG};

/// How long a client waits on the server before the case fails as hung: twelve times the
/// server's head timeout.
const HANG: Duration = Duration::from_secs(60);

/// The limits the README promises: connections served at once, and the size of a request
/// head (request line and headers).
const MAX_CONNECTIONS: usize = 64;
const MAX_HEAD: usize = 16 * 1024;

const ARTICLE: &str = "---\ntitle: Taliban enter Kabul\ndate: 2021-08-15\n---\n\nFighting in Kabul.\n";

/// A `gazette serve` process on a site of its own, stopped when dropped.
struct Server {
    child: std::process::Child,
    /// `127.0.0.1:PORT`
    addr: String,
    site: PathBuf,
    dir: tempfile::TempDir,
}

impl Server {
    /// Serve a small site under `/test/`.
    fn start() -> Server {
        Server::start_with(|_| {})
    }

    /// Serve a small site, changed by `edit` (given the site folder) before it is built.
    fn start_with(edit: impl FnOnce(&Path)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let site = small_site(dir.path(), &[("kabul.md", ARTICLE)]);
        edit(&site);
        let mut child = Gazette::new()
            .args(["serve", "--port", "0", "--quiet"])
            .arg(&site)
            .command()
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run gazette serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|w| w.starts_with("http://"));
        let Some(url) = url else {
            let _ = child.kill();
            panic!("no URL in {line:?}");
        };
        let addr = url["http://".len()..].split('/').next().unwrap().to_string();
        Server { child, addr, site, dir }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The folder the server serves.
    fn served(&self) -> PathBuf {
        self.site.join(".gazette-cache/serve")
    }

    fn connect(&self) -> TcpStream {
        let c = TcpStream::connect(&self.addr).unwrap();
        c.set_read_timeout(Some(HANG)).unwrap();
        c
    }

    /// Send `raw` on a connection of its own and read the reply to its end.
    #[track_caller]
    fn send(&self, raw: &[u8]) -> Reply {
        let mut c = self.connect();
        // a server may refuse a request before reading all of it
        let _ = c.write_all(raw);
        Reply::parse(&read_all(&mut c))
    }

    /// `METHOD target` with `Connection: close`.
    #[track_caller]
    fn request(&self, method: &str, target: &str) -> Reply {
        self.send(format!("{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", self.addr).as_bytes())
    }

    fn get(&self, target: &str) -> Reply {
        self.request("GET", target)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Everything the server sends until it closes the connection. A reset ends it too: a
/// server that refuses a request closes without reading the rest, which the kernel answers
/// with a reset. Fails as hung when the server neither answers nor closes.
#[track_caller]
fn read_all(c: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("the server neither answered nor closed in {HANG:?}")
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return out,
        }
    }
}

/// A response: nothing at all (the connection was closed unanswered) is status 0.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn parse(bytes: &[u8]) -> Reply {
        let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").map_or(bytes.len(), |i| i + 4);
        let head = String::from_utf8_lossy(&bytes[..end]).into_owned();
        let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        Reply { status, head, body: bytes[end..].to_vec() }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// A field of `/proc/PID/status`, in KiB.
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(field)).unwrap_or_else(|| panic!("no {field}"));
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).unwrap().count()
}

/// Until `ok` holds, asking again every 50 ms; fails as hung after [`HANG`].
#[track_caller]
fn eventually(what: &str, mut ok: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < HANG, "{what}: not after {HANG:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A head that is too large is refused with 431, whichever way it is too large, after
/// reading no more than the limit: a 64 MB header does not grow the server (tiny_http,
/// before, kept it all: 172 MB more at the peak, 70 MB never returned).
#[test]
fn an_oversize_head_is_refused_without_being_kept() {
    let s = Server::start();
    let head = |extra: &str| format!("GET /test/ HTTP/1.1\r\nHost: x\r\n{extra}Connection: close\r\n\r\n");
    let fair = head(&format!("Cookie: {}\r\n", "a".repeat(MAX_HEAD / 2)));
    assert_eq!(s.send(fair.as_bytes()).status, 200, "a large but fair head is served");
    for (what, extra) in [
        ("one long header", format!("X-Big: {}\r\n", "a".repeat(MAX_HEAD))),
        ("many headers", (0..200).map(|i| format!("X-{i}: 1\r\n")).collect()),
    ] {
        let r = s.send(head(&extra).as_bytes());
        assert!(r.status == 431 || r.status == 0, "{what}: {}", r.head);
    }
    let long_url = format!("GET /test/?q={} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(MAX_HEAD));
    let r = s.send(long_url.as_bytes());
    assert!(r.status == 431 || r.status == 0, "a long URL: {}", r.head);

    let pid = s.pid();
    // from here VmHWM is the peak since now
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("reset the peak (Linux 4.0 and later)");
    let before = proc_status_kib(pid, "VmRSS:");
    let mut c = s.connect();
    let mut sent = 0usize;
    let chunk = vec![b'a'; 1 << 20];
    if c.write_all(b"GET /test/ HTTP/1.1\r\nHost: x\r\nX-Big: ").is_ok() {
        while sent < 64 && c.write_all(&chunk).is_ok() {
            sent += 1;
        }
    }
    let _ = c.shutdown(std::net::Shutdown::Write);
    let r = Reply::parse(&read_all(&mut c));
    assert!(r.status == 431 || r.status == 0, "64 MB header: {}", r.head);
    let grown = proc_status_kib(pid, "VmHWM:").saturating_sub(before);
    assert!(grown < 16 * 1024, "a 64 MB header ({sent} MB of it written) grew the server by {grown} KiB");
    assert_eq!(s.get("/test/").status, 200, "still serving");
}

/// However many clients come and stall, the server runs at most `MAX_CONNECTIONS`
/// threads for them, refuses the rest, and serves again once they are gone (tiny_http,
/// before, started a thread for each: 2,009 threads for 2,000 clients).
#[test]
fn slow_clients_do_not_multiply_threads() {
    let s = Server::start();
    let pid = s.pid();
    // the URL is printed before the server's own threads start: once it answers, they have
    assert_eq!(s.get("/test/").status, 200);
    let before = threads(pid);
    let clients = 5 * MAX_CONNECTIONS;
    let slow: Vec<TcpStream> = (0..clients)
        .map(|_| {
            let mut c = s.connect();
            let _ = c.write_all(b"GET /test/ HTTP/1.1\r\nHost: x\r\n");
            c
        })
        .collect();
    // connections are taken in order: once a later one has its answer (a refusal, or a
    // close), the server has taken up every slow one before it
    let last = s.get("/test/");
    let during = threads(pid);
    assert!(
        during <= before + MAX_CONNECTIONS,
        "{during} threads with {clients} slow clients ({before} before; last got {})",
        last.head
    );
    drop(slow);
    eventually("serving again after the slow clients left", || s.get("/test/").status == 200);
}

/// Slowloris: a client that sends nothing, one that stops half-way through its head, and
/// one that sends its head a byte at a time, each quickly enough to keep a plain read
/// timeout from firing, are all cut off (a 408 or a bare close) after the head timeout.
#[test]
fn slow_clients_are_cut_off() {
    let s = Server::start();
    let mut silent = s.connect();
    let mut stalled = s.connect();
    stalled.write_all(b"GET /test/ HTTP/1.1\r\nHost: x\r\n").unwrap();

    let mut trickle = s.connect();
    trickle.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let head = b"GET /test/ HTTP/1.1\r\nHost: x\r\nX-Slow: ".iter().chain(std::iter::repeat(&b'a'));
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    'trickle: for &byte in head {
        assert!(started.elapsed() < HANG, "a client sending a byte every 200 ms is still served after {HANG:?}");
        if trickle.write_all(&[byte]).is_err() {
            break;
        }
        // the read is the pause between bytes
        loop {
            match trickle.read(&mut buf) {
                Ok(0) => break 'trickle,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => break 'trickle,
            }
        }
    }
    let trickled = Reply::parse(&answer);
    assert!(trickled.status == 408 || trickled.status == 0, "the trickling client: {}", trickled.head);

    let stalled = Reply::parse(&read_all(&mut stalled));
    assert!(stalled.status == 408 || stalled.status == 0, "the stalled client: {}", stalled.head);
    let silent = read_all(&mut silent);
    assert!(silent.is_empty(), "a client that sent nothing got {:?}", String::from_utf8_lossy(&silent));
    assert_eq!(s.get("/test/").status, 200, "still serving");
}

/// A redirect never leaves the site: `GET //events` answered `Location: //events/`
/// (before), which a browser reads as the host `events`. Every Location is a path on this
/// server, one slash first, however the request spelled its slashes.
#[test]
fn redirects_stay_on_the_site() {
    // served at `/`, as a site without a base path is
    let s = Server::start_with(|site| std::fs::write(site.join("gazette.toml"), CONFIG).unwrap());
    for (target, location) in [
        ("/events", Some("/events/")),
        ("//events", Some("/events/")),
        ("///events", Some("/events/")),
        ("//events?next=//evil.example", Some("/events/")),
        ("/%2F%2Fevents", Some("/events/")),
        ("/%2f/events", Some("/events/")),
        ("//events//kabul", Some("/events/kabul/")),
        ("/\\events", None),
        ("/%5Cevents", None),
        ("/%5C%5Cevents", None),
        ("/\\/events", None),
        ("/%09/events", None),
    ] {
        let r = s.get(target);
        match location {
            Some(to) => {
                assert!(r.status == 301 || r.status == 302, "{target}: {}", r.head);
                assert_eq!(r.header("Location"), Some(to), "{target}");
            }
            None => {
                assert_eq!(r.status, 404, "{target}: {}", r.head);
                assert_eq!(r.header("Location"), None, "{target}");
            }
        }
    }
}

/// A link in the served folder that leads out of it, itself or through a folder on the
/// way, is not followed; a link within the folder is. Paths that climb out of the folder
/// are refused as before.
#[test]
fn links_out_of_the_served_folder_are_not_followed() {
    use std::os::unix::fs::symlink;
    let s = Server::start();
    let outside = s.dir.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "SECRET outside the site").unwrap();
    std::fs::write(outside.join("index.html"), "<p>SECRET outside the site</p>").unwrap();
    let served = s.served();
    symlink(outside.join("secret.txt"), served.join("leak.txt")).unwrap();
    symlink(&outside, served.join("outside")).unwrap();
    symlink("../../gazette.toml", served.join("config.txt")).unwrap();
    symlink(served.join("static"), served.join("assets")).unwrap();
    symlink("gazette.css", served.join("static/same.css")).unwrap();

    for target in [
        "/test/leak.txt",
        "/test/outside/secret.txt",
        "/test/outside/",
        "/test/outside",
        "/test/config.txt",
        "/test/../gazette.toml",
        "/test/%2e%2e/%2e%2e/gazette.toml",
        "/test/..%2F..%2Fgazette.toml",
        "/test/static/..%5C..%5C..%5Cgazette.toml",
    ] {
        let r = s.get(target);
        assert!(r.status == 404 || r.status == 403, "{target}: {}", r.head);
        let body = String::from_utf8_lossy(&r.body);
        assert!(!body.contains("SECRET") && !body.contains("base_url"), "{target} served {body}");
    }
    let css = std::fs::read(served.join("static/gazette.css")).unwrap();
    for target in ["/test/assets/gazette.css", "/test/static/same.css"] {
        let r = s.get(target);
        assert_eq!(r.status, 200, "{target}: a link within the folder: {}", r.head);
        assert!(r.body == css, "{target}");
    }
}

/// Only GET and HEAD are served; every other method gets 405 and the methods allowed.
#[test]
fn other_methods_are_not_allowed() {
    let s = Server::start();
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW"] {
        let raw = format!("{method} /test/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        let r = s.send(raw.as_bytes());
        assert_eq!(r.status, 405, "{method}: {}", r.head);
        assert_eq!(r.header("Allow"), Some("GET, HEAD"), "{method}");
    }
    assert_eq!(s.get("/test/").status, 200);
}

/// HEAD sends GET's headers and no body, on a connection that goes on serving; what
/// was served before is served the same: content types, the reload script, 404s.
#[test]
fn head_has_no_body_and_get_is_unchanged() {
    let s = Server::start();
    for (target, ct) in [
        ("/test/", "text/html; charset=utf-8"),
        ("/test/static/gazette.css", "text/css; charset=utf-8"),
        ("/test/static/gazette.js", "text/javascript; charset=utf-8"),
        ("/test/data/events.json", "application/json"),
        ("/test/events.geojson", "application/geo+json"),
        ("/test/static/favicon.svg", "image/svg+xml"),
    ] {
        let get = s.get(target);
        assert_eq!(get.status, 200, "{target}: {}", get.head);
        assert_eq!(get.header("Content-Type"), Some(ct), "{target}");
        let head = s.request("HEAD", target);
        assert_eq!(head.status, 200, "HEAD {target}: {}", head.head);
        assert!(head.body.is_empty(), "HEAD {target} sent {} bytes of body", head.body.len());
        assert_eq!(head.header("Content-Type"), Some(ct), "HEAD {target}");
        let len = get.body.len().to_string();
        assert_eq!(head.header("Content-Length"), Some(len.as_str()), "HEAD {target}");
    }
    let page = String::from_utf8(s.get("/test/").body).unwrap();
    assert!(page.contains("fetch('/test/__gazette/build'"), "no reload script");
    assert_eq!(s.get("/test/__gazette/build").body, b"1");
    let missing = s.get("/test/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(String::from_utf8_lossy(&missing.body).contains("<html"), "the site's own 404 page");

    // a HEAD, then a GET on the same connection: the GET's answer follows the HEAD's
    // headers at once, so HEAD sent no body
    let css = s.get("/test/static/gazette.css").body;
    let both = s.send(
        b"HEAD /test/static/gazette.css HTTP/1.1\r\nHost: x\r\n\r\n\
          GET /test/static/gazette.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(both.status, 200, "{}", both.head);
    let second = Reply::parse(&both.body);
    assert_eq!(second.status, 200, "the GET after a HEAD: {:?}", String::from_utf8_lossy(&both.body));
    assert!(second.body == css, "the GET after a HEAD");
}
