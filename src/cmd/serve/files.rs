//! What `gazette serve` answers to a path: a file of the built site, the build number, a
//! redirect or a 404. Two rules keep every answer within the site:
//!
//! - **A redirect stays on this server.** Its `Location` is made here from the path's
//!   segments (empty ones dropped, each percent-encoded), never copied from the request,
//!   so it is always one slash and a path: `//events` leads to `/events/`, not to the host
//!   `events`.
//! - **A file is served only from inside the served folder.** Segments that climb (`..`),
//!   hide (`.name`) or carry a `\` are refused, and the path is resolved, links and all,
//!   before it is opened: a link whose target lies outside the folder, itself or through
//!   a linked folder on the way, is a 404, as if it were not there.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::http::{Body, Response};

/// The path, under the base path, that answers with the current build number.
const BUILD_ENDPOINT: [&str; 2] = ["__gazette", "build"];

/// Polls the build number and reloads when it changes. `BUILD_URL` is replaced.
const RELOAD_SCRIPT: &str = "<script>(function(){var seen=null;function poll(){\
fetch('BUILD_URL',{cache:'no-store'}).then(function(r){return r.text();}).then(function(id){\
if(seen!==null&&id!==seen){location.reload();}seen=id;}).catch(function(){}).then(function(){\
setTimeout(poll,1000);});}poll();})();</script>";

/// What a request path asks for, before the disk is looked at.
#[derive(Debug, PartialEq, Eq)]
enum Route<'a> {
    /// The build number.
    Build,
    /// The site itself is at another path: `/` or `/repo` for a site under `/repo/`.
    ToBase,
    /// A path under the base path: its segments, and whether it ended in `/`.
    Site(Vec<Cow<'a, str>>, bool),
    /// Outside the site, or a segment that may not be served.
    NotFound,
}

/// The route of a request target (query and fragment ignored) for a site under `base`.
fn route<'a>(target: &'a str, base: &[Cow<'a, str>]) -> Route<'a> {
    let raw = target.split(['?', '#']).next().unwrap_or("");
    let path = percent_decode_str(raw).decode_utf8_lossy();
    let slash = path.ends_with('/');
    let segments: Vec<Cow<'a, str>> = match path {
        Cow::Borrowed(p) => p.split('/').filter(|s| !s.is_empty()).map(Cow::Borrowed).collect(),
        Cow::Owned(p) => p.split('/').filter(|s| !s.is_empty()).map(|s| Cow::Owned(s.to_string())).collect(),
    };
    if segments.iter().any(|s| s.starts_with('.') || s.contains('\\') || s.contains('\0')) {
        return Route::NotFound;
    }
    let Some(rel) = segments.strip_prefix(base) else {
        return if base.starts_with(&segments) { Route::ToBase } else { Route::NotFound };
    };
    if rel == BUILD_ENDPOINT {
        return Route::Build;
    }
    if rel.is_empty() && !slash && !base.is_empty() {
        return Route::ToBase;
    }
    Route::Site(rel.to_vec(), slash)
}

/// The segments of a base path: `/repo/` → `["repo"]`, percent-decoded as request paths are.
pub(super) fn base_segments(base: &str) -> Vec<Cow<'_, str>> {
    base.split('/').filter(|s| !s.is_empty()).map(|s| percent_decode_str(s).decode_utf8_lossy()).collect()
}

/// Bytes kept as they are in a redirect's path segment: letters, digits and `-._~`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// An absolute path on this server: `/` and the segments, each percent-encoded, with a
/// `/` at the end when `slash`. Segments are never empty, so it never begins with `//`.
fn local_path<S: AsRef<str>>(segments: &[S], slash: bool) -> String {
    let mut out = String::from("/");
    for (i, s) in segments.iter().enumerate() {
        debug_assert!(!s.as_ref().is_empty());
        if i > 0 {
            out.push('/');
        }
        out.extend(utf8_percent_encode(s.as_ref(), SEGMENT));
    }
    if slash && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// Answer `target` from the built site in `dir`, served under `base` (its segments).
pub(super) fn respond(target: &str, dir: &Path, base: &[Cow<'_, str>], build: u64) -> Response {
    let reload = local_path(&joined(base, &BUILD_ENDPOINT), false);
    let site = match route(target, base) {
        Route::Build => {
            return Response::new(200, Body::Bytes(build.to_string().into_bytes()))
                .header("Content-Type", "text/plain")
                .header("Cache-Control", "no-store")
        }
        Route::ToBase => return redirect(302, local_path(base, true)),
        Route::NotFound => return not_found(dir, &reload),
        Route::Site(rel, slash) => (rel, slash),
    };
    let (rel, slash) = site;
    let Ok(root) = dir.canonicalize() else { return not_found(dir, &reload) };
    let mut path = root.join(rel.iter().map(|s| s.as_ref()).collect::<PathBuf>());
    if slash || rel.is_empty() {
        path.push("index.html");
    }
    let Some(file) = inside(&root, &path) else { return not_found(dir, &reload) };
    if file.is_dir() {
        return redirect(301, local_path(&joined(base, &rel), true));
    }
    let ct = content_type(&file);
    if ct.starts_with("text/html") {
        return match std::fs::read(&file) {
            Ok(html) => page(200, with_reload(html, &reload)),
            Err(_) => not_found(dir, &reload),
        };
    }
    let opened = std::fs::File::open(&file).and_then(|f| Ok((f.metadata()?.len(), f)));
    match opened {
        Ok((len, f)) => {
            Response::new(200, Body::File(f, len)).header("Content-Type", ct).header("Cache-Control", "no-store")
        }
        Err(_) => not_found(dir, &reload),
    }
}

/// The segments of `a`, then those of `b`.
fn joined<'s>(a: &'s [impl AsRef<str>], b: &'s [impl AsRef<str>]) -> Vec<&'s str> {
    a.iter().map(AsRef::as_ref).chain(b.iter().map(AsRef::as_ref)).collect()
}

/// `path` with every link resolved, if it exists and lies inside `root` (itself resolved).
fn inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let real = path.canonicalize().ok()?;
    real.starts_with(root).then_some(real)
}

fn redirect(status: u16, to: String) -> Response {
    Response::new(status, Body::Bytes(Vec::new())).header("Location", to)
}

fn page(status: u16, html: Vec<u8>) -> Response {
    Response::new(status, Body::Bytes(html))
        .header("Content-Type", "text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
}

/// The site's own 404 page, or a line of text when it has none.
fn not_found(dir: &Path, reload: &str) -> Response {
    let own = dir.canonicalize().ok().and_then(|root| inside(&root, &root.join("404.html")));
    match own.and_then(|p| std::fs::read(p).ok()) {
        Some(html) => page(404, with_reload(html, reload)),
        None => Response::text(404, "not found\n"),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "geojson" => "application/geo+json",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        _ => "text/plain; charset=utf-8",
    }
}

/// The page with the reload script, polling `build_url`, before its `</body>` (or at its end).
fn with_reload(mut html: Vec<u8>, build_url: &str) -> Vec<u8> {
    let script = RELOAD_SCRIPT.replace("BUILD_URL", build_url);
    let at = html.windows(7).rposition(|w| w == b"</body>").unwrap_or(html.len());
    html.splice(at..at, script.into_bytes());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(base: &str, target: &str, expected: Route) {
        assert_eq!(route(target, &base_segments(base)), expected, "{target} under {base}");
    }

    fn site(rel: &[&'static str], slash: bool) -> Route<'static> {
        Route::Site(rel.iter().map(|s| Cow::Borrowed(*s)).collect(), slash)
    }

    #[test]
    fn paths_route_to_the_site_under_its_base() {
        case("/", "/", site(&[], true));
        case("/", "/events/kabul/", site(&["events", "kabul"], true));
        case("/", "/static/gazette.css?v=2#top", site(&["static", "gazette.css"], false));
        case("/", "/__gazette/build", Route::Build);
        case("/repo/", "/repo/__gazette/build", Route::Build);
        case("/repo/", "/repo/", site(&[], true));
        case("/repo/", "/repo/events/kabul/", site(&["events", "kabul"], true));
        case("/repo/", "/", Route::ToBase);
        case("/repo/", "/repo", Route::ToBase);
        case("/repo/", "/rep", Route::NotFound);
        case("/repo/", "/other/", Route::NotFound);
        case("/a/b/", "/a", Route::ToBase);
        case("/a/b/", "/a/b/c", site(&["c"], false));
        case("/my%20site/", "/my%20site/x", site(&["x"], false));
    }

    #[test]
    fn slashes_and_encodings_collapse() {
        case("/", "//events", site(&["events"], false));
        case("/", "///events//kabul/", site(&["events", "kabul"], true));
        case("/", "/%2F%2Fevents", site(&["events"], false));
        case("/", "/%2f/events", site(&["events"], false));
        case("/repo/", "//repo", Route::ToBase);
        case("/repo/", "/repo//x", site(&["x"], false));
    }

    #[test]
    fn segments_that_climb_or_hide_are_refused() {
        for target in [
            "/../etc/passwd",
            "/events/../../x",
            "/%2e%2e/x",
            "/..%2F..%2Fx",
            "/.gazette-build",
            "/\\events",
            "/%5Cevents",
            "/%5C%5Cevents",
            "/a\\..\\..\\x",
            "/a%00b",
        ] {
            case("/", target, Route::NotFound);
        }
    }

    #[test]
    fn local_paths_are_one_slash_and_encoded() {
        #[track_caller]
        fn path(segments: &[&str], slash: bool, expected: &str) {
            assert_eq!(local_path(segments, slash), expected);
        }
        path(&[], true, "/");
        path(&[], false, "/");
        path(&["events"], true, "/events/");
        path(&["events", "kabul"], false, "/events/kabul");
        path(&["a b", "ق"], true, "/a%20b/%D9%82/");
        // what a browser would read as another host, or a header of its own, is encoded
        path(&["/evil.example"], true, "/%2Fevil.example/");
        path(&["\\evil.example"], true, "/%5Cevil.example/");
        path(&["x\r\nSet-Cookie: a=1"], false, "/x%0D%0ASet-Cookie%3A%20a%3D1");
    }

    #[test]
    fn reload_script_goes_before_the_body_ends() {
        let html = with_reload(b"<html><body><p>x</p></body></html>".to_vec(), "/repo/__gazette/build");
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("fetch('/repo/__gazette/build'"));
        assert!(html.ends_with("</script></body></html>"));
    }

    #[test]
    fn links_resolve_inside_the_folder_or_not_at_all() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("site");
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/a.css"), "a").unwrap();
        std::fs::write(t.path().join("secret"), "s").unwrap();
        let root = root.canonicalize().unwrap();
        assert_eq!(inside(&root, &root.join("static/a.css")), Some(root.join("static/a.css")));
        assert_eq!(inside(&root, &root.join("static/missing.css")), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("a.css", root.join("static/b.css")).unwrap();
            symlink(t.path().join("secret"), root.join("leak")).unwrap();
            symlink(t.path(), root.join("up")).unwrap();
            assert_eq!(inside(&root, &root.join("static/b.css")), Some(root.join("static/a.css")));
            assert_eq!(inside(&root, &root.join("leak")), None);
            assert_eq!(inside(&root, &root.join("up/secret")), None);
            // a link back into the folder through one that leaves it is still inside
            assert_eq!(inside(&root, &root.join("up/site/static/a.css")), Some(root.join("static/a.css")));
        }
    }
}
