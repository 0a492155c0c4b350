//! The HTTP/1.1 server under `gazette serve`, bounded so that no client, careless or
//! hostile, takes more than its share of the machine:
//!
//! - at most [`MAX_CONNECTIONS`] connections are served at once, a thread each; one more
//!   is answered `503` and closed by the accepting thread, which starts no thread for it;
//! - a request head (request line and headers) holds at most [`MAX_HEAD`] bytes and
//!   [`MAX_HEADERS`] headers; past either, the answer is `431` and the connection is closed
//!   without reading more than the limit;
//! - a head must arrive whole within [`HEAD_TIMEOUT`] of the connection opening, or of the
//!   previous answer on it: a client that sends nothing, stops half-way or sends a byte at
//!   a time (slowloris) is cut off then, with a `408` if it had begun. An answer must be
//!   taken within [`WRITE_TIMEOUT`];
//! - only GET and HEAD are served (HEAD: GET's headers, no body); any other method is
//!   answered `405` with `Allow: GET, HEAD`. A request body is never read: a request that
//!   announces one is answered and its connection closed.
//!
//! httparse parses the head; this module is the life of a connection around it, and the
//! writing of an answer. The handler ([`serve`]'s `answer`) only maps a path to a
//! [`Response`].

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Connections served at once. A browser opens six to a host; the rest is headroom.
pub(crate) const MAX_CONNECTIONS: usize = 64;
/// Bytes in a request head, request line included (a browser's are under 2 KiB here).
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// Headers in a request head.
pub(crate) const MAX_HEADERS: usize = 100;
/// From a connection opening (or an answer ending) to the end of the next head.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// For a whole answer to be taken by the client.
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// After a last answer, how long and how much of what the client still sends is read and
/// dropped before closing, so that closing with unread bytes (a reset) does not destroy
/// the answer on its way.
const LINGER: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 64 * 1024;

/// What a handler answers.
pub(crate) struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

pub(crate) enum Body {
    Bytes(Vec<u8>),
    /// A file of this length, sent as it is read.
    File(std::fs::File, u64),
}

impl Body {
    fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::File(_, len) => *len,
        }
    }
}

impl Response {
    pub(crate) fn new(status: u16, body: Body) -> Self {
        Response { status, headers: Vec::new(), body }
    }

    /// A plain-text answer.
    pub(crate) fn text(status: u16, text: &str) -> Self {
        Response::new(status, Body::Bytes(text.as_bytes().to_vec()))
            .header("Content-Type", "text/plain; charset=utf-8")
            .header("Cache-Control", "no-store")
    }

    /// Add a header. The value goes into the head as it is: one with a control character
    /// (a line break would start a header of the client's choosing) is a bug here.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        let value = value.into();
        assert!(!value.bytes().any(|b| b.is_ascii_control()), "header {name}: {value:?}");
        self.headers.push((name, value));
        self
    }
}

/// Serve connections from `listener`, for ever: each on a thread of its own (at most
/// [`MAX_CONNECTIONS`]), answering each GET or HEAD with `answer(path)`, where `path`
/// is the request target as sent (query included).
pub(crate) fn serve<F>(listener: &TcpListener, answer: &F)
where
    F: Fn(&str) -> Response + Sync,
{
    let open = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for stream in listener.incoming() {
            let stream = match stream {
                Ok(stream) => stream,
                // out of descriptors or memory, for a moment: wait rather than spin
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            };
            let Some(slot) = Slot::take(&open) else {
                refuse(stream);
                continue;
            };
            let spawned = std::thread::Builder::new().name("serve-connection".into()).spawn_scoped(s, move || {
                let _slot = slot;
                connection(stream, answer);
            });
            // a thread that could not start drops its closure: the slot and the stream
            drop(spawned);
        }
    });
}

/// One of the [`MAX_CONNECTIONS`] places, given back when dropped.
struct Slot<'a>(&'a AtomicUsize);

impl<'a> Slot<'a> {
    /// A place, if one is free.
    fn take(open: &'a AtomicUsize) -> Option<Self> {
        if open.fetch_add(1, Ordering::AcqRel) < MAX_CONNECTIONS {
            Some(Slot(open))
        } else {
            open.fetch_sub(1, Ordering::AcqRel);
            None
        }
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Answer a connection over the limit with `503`, never blocking the accepting thread.
fn refuse(mut stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let text = "too many connections\n";
    let r = Response::text(503, text).header("Retry-After", "1");
    let _ = stream.write_all(&[head_bytes(&r, false), text.as_bytes().to_vec()].concat());
    let _ = stream.shutdown(Shutdown::Write);
}

/// What reading a request head came to.
enum Head {
    /// A whole head of this many bytes is at the start of the buffer.
    Complete(usize),
    /// The client closed the connection, or it failed.
    Gone,
    /// The head timeout passed; `begun` when some of a head had come.
    TimedOut {
        begun: bool,
    },
    TooLarge,
}

fn connection(mut stream: TcpStream, answer: &dyn Fn(&str) -> Response) {
    let _ = stream.set_nodelay(true);
    // bytes read and not yet used: a head, and what a client sent after it at once
    let mut buf = Vec::with_capacity(4096);
    loop {
        let deadline = Instant::now() + HEAD_TIMEOUT;
        let len = match read_head(&mut stream, &mut buf, deadline) {
            Head::Complete(len) => len,
            Head::Gone => return,
            Head::TimedOut { begun } => {
                if begun {
                    let _ = send(&mut stream, Response::text(408, "request timeout\n"), false, false);
                }
                return linger(stream);
            }
            Head::TooLarge => {
                let _ = send(&mut stream, Response::text(431, "request head too large\n"), false, false);
                return linger(stream);
            }
        };
        let (response, head_only, keep_alive) = handle(&buf[..len], answer);
        buf.drain(..len);
        if send(&mut stream, response, head_only, keep_alive).is_err() {
            return;
        }
        if !keep_alive {
            return linger(stream);
        }
    }
}

/// Read until `buf` begins with a whole head, the limit or the deadline.
fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>, deadline: Instant) -> Head {
    let mut scanned = 0;
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(buf, scanned) {
            return Head::Complete(end);
        }
        if buf.len() > MAX_HEAD {
            return Head::TooLarge;
        }
        scanned = buf.len();
        // one byte past the limit is enough to know it was passed
        let room = (MAX_HEAD + 1 - buf.len()).min(chunk.len());
        match read_by(stream, &mut chunk[..room], deadline) {
            Ok(0) => return Head::Gone,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if is_timeout(&e) => return Head::TimedOut { begun: !buf.is_empty() },
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Head::Gone,
        }
    }
}

/// The length of the head at the start of `buf`, through the empty line that ends it,
/// if that line is there; lines end in CRLF or LF. Only bytes from `from` on are new.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    (from..buf.len())
        .find(|&i| buf[i] == b'\n' && (buf[..i].ends_with(b"\n") || buf[..i].ends_with(b"\n\r")))
        .map(|i| i + 1)
}

/// The answer to one whole head, whether it is headers only (HEAD), and whether the
/// connection may serve another request after it.
fn handle(head: &[u8], answer: &dyn Fn(&str) -> Response) -> (Response, bool, bool) {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Err(httparse::Error::TooManyHeaders) => {
            return (Response::text(431, "too many request headers\n"), false, false);
        }
        _ => return (Response::text(400, "bad request\n"), false, false),
    }
    let has = |name: &str| req.headers.iter().any(|h| h.name.eq_ignore_ascii_case(name));
    let tokens = |name: &str, token: &str| {
        req.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .any(|h| String::from_utf8_lossy(h.value).split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    let body = has("Transfer-Encoding")
        || req.headers.iter().any(|h| h.name.eq_ignore_ascii_case("Content-Length") && h.value.trim_ascii() != b"0");
    // HTTP/1.0 closes unless asked not to; a body is never read, so its connection ends
    let keep_alive = !body
        && match req.version {
            Some(1) => !tokens("Connection", "close"),
            _ => tokens("Connection", "keep-alive"),
        };
    let head_only = match req.method {
        Some("GET") => false,
        Some("HEAD") => true,
        _ => {
            let r = Response::text(405, "method not allowed\n").header("Allow", "GET, HEAD");
            return (r, false, false);
        }
    };
    let target = req.path.unwrap_or("");
    let path = match target.as_bytes().first() {
        Some(b'/') => target,
        // absolute-form, as sent to a proxy: its path alone
        _ => match target.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") => {
                rest.find('/').map_or("/", |i| &rest[i..])
            }
            _ => return (Response::text(400, "bad request target\n"), false, false),
        },
    };
    (answer(path), head_only, keep_alive)
}

/// Write `response` (its headers only for HEAD) within [`WRITE_TIMEOUT`].
fn send(stream: &mut TcpStream, response: Response, head_only: bool, keep_alive: bool) -> io::Result<()> {
    let deadline = Instant::now() + WRITE_TIMEOUT;
    let mut out = head_bytes(&response, keep_alive);
    if head_only {
        return write_by(stream, &out, deadline);
    }
    match response.body {
        Body::Bytes(bytes) => {
            // one write for a small answer: no wait on delayed acknowledgements
            out.extend_from_slice(&bytes);
            write_by(stream, &out, deadline)
        }
        Body::File(file, len) => {
            write_by(stream, &out, deadline)?;
            let mut file = file.take(len);
            let mut chunk = vec![0u8; 64 * 1024];
            let mut sent = 0;
            while sent < len {
                let n = file.read(&mut chunk)?;
                if n == 0 {
                    // the file shrank since its length was taken: the answer cannot be whole
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                write_by(stream, &chunk[..n], deadline)?;
                sent += n as u64;
            }
            Ok(())
        }
    }
}

/// The status line and headers of `r`, with its length and, when the connection ends
/// after it, `Connection: close`.
fn head_bytes(r: &Response, keep_alive: bool) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    let date = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    head.push_str(&format!("Date: {}\r\n", date.format("%a, %d %b %Y %H:%M:%S GMT")));
    for (name, value) in &r.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n", r.body.len()));
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// End a connection after its last answer: no more to send, and what the client still
/// sends read and dropped, within limits, until it closes too.
fn linger(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut chunk = [0u8; 4096];
    let mut left = LINGER_BYTES;
    while left > 0 {
        match read_by(&mut stream, &mut chunk, deadline) {
            Ok(0) => return,
            Ok(n) => left = left.saturating_sub(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// One read that gives up at `deadline`, however the bytes trickle in before it.
fn read_by(stream: &mut TcpStream, buf: &mut [u8], deadline: Instant) -> io::Result<usize> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(io::ErrorKind::TimedOut.into());
    }
    stream.set_read_timeout(Some(left))?;
    stream.read(buf)
}

fn write_by(stream: &mut TcpStream, mut bytes: &[u8], deadline: Instant) -> io::Result<()> {
    while !bytes.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        stream.set_write_timeout(Some(left))?;
        match stream.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A socket timeout is `WouldBlock` on Unix and `TimedOut` on Windows.
fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_ends_at_its_empty_line() {
        #[track_caller]
        fn case(buf: &str, end: Option<usize>) {
            assert_eq!(head_end(buf.as_bytes(), 0), end, "{buf:?}");
        }
        case("GET / HTTP/1.1\r\nHost: x\r\n\r\n", Some(27));
        case("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next", Some(27));
        case("GET / HTTP/1.1\nHost: x\n\n", Some(24));
        case("GET / HTTP/1.1\r\nHost: x\r\n", None);
        case("GET / HTTP/1.1\r\nHost: x\r\n\r", None);
        case("", None);
        // a search from the new bytes on still sees an end that straddles them
        assert_eq!(head_end(b"GET / HTTP/1.1\r\n\r\n", 17), Some(18));
    }

    #[test]
    fn requests_are_answered_by_method_and_framing() {
        let answer = |path: &str| Response::text(200, path);
        #[track_caller]
        fn case(head: &str, answer: &dyn Fn(&str) -> Response, (status, head_only, keep): (u16, bool, bool)) {
            let (r, h, k) = handle(head.as_bytes(), answer);
            assert_eq!((r.status, h, k), (status, head_only, keep), "{head:?}");
        }
        case("GET / HTTP/1.1\r\n\r\n", &answer, (200, false, true));
        case("HEAD / HTTP/1.1\r\n\r\n", &answer, (200, true, true));
        case("GET / HTTP/1.1\r\nConnection: close\r\n\r\n", &answer, (200, false, false));
        case("GET / HTTP/1.1\r\nConnection: Keep-Alive, Close\r\n\r\n", &answer, (200, false, false));
        case("GET / HTTP/1.0\r\n\r\n", &answer, (200, false, false));
        case("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &answer, (200, false, true));
        case("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &answer, (200, false, true));
        case("GET / HTTP/1.1\r\nContent-Length: 3\r\n\r\n", &answer, (200, false, false));
        case("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &answer, (200, false, false));
        case("POST / HTTP/1.1\r\n\r\n", &answer, (405, false, false));
        case("OPTIONS * HTTP/1.1\r\n\r\n", &answer, (405, false, false));
        case("GET http://example.org/a HTTP/1.1\r\n\r\n", &answer, (200, false, true));
        case("GET * HTTP/1.1\r\n\r\n", &answer, (400, false, false));
        case("GET / HTTP/2.0\r\n\r\n", &answer, (400, false, false));
        case("GET / HTTP/1.1\r\nBad Header\r\n\r\n", &answer, (400, false, false));
        let many: String = (0..=MAX_HEADERS).map(|i| format!("X-{i}: 1\r\n")).collect();
        case(&format!("GET / HTTP/1.1\r\n{many}\r\n"), &answer, (431, false, false));
        let (r, _, _) = handle(b"GET http://example.org/a?b HTTP/1.1\r\n\r\n", &answer);
        assert!(matches!(r.body, Body::Bytes(ref b) if b == b"/a?b"), "absolute-form: its path");
    }

    #[test]
    #[should_panic(expected = "header Location")]
    fn a_header_value_cannot_break_the_head() {
        let _ = Response::text(302, "").header("Location", "/a\r\nSet-Cookie: x=1");
    }
}
