//! What `gazette serve` answers to a path: a file of the built site, the build number, a
//! redirect or a 404.

use std::path::{Path, PathBuf};

use super::http::{Body, Response};

/// The path, under the base path, that answers with the current build number.
const BUILD_ENDPOINT: &str = "__gazette/build";

/// Polls the build number and reloads when it changes. `BUILD_URL` is replaced.
const RELOAD_SCRIPT: &str = "<script>(function(){var seen=null;function poll(){\
fetch('BUILD_URL',{cache:'no-store'}).then(function(r){return r.text();}).then(function(id){\
if(seen!==null&&id!==seen){location.reload();}seen=id;}).catch(function(){}).then(function(){\
setTimeout(poll,1000);});}poll();})();</script>";

/// The file a URL path names under `dir`, or `None` when it leaves the site or names a
/// hidden file. A path ending in `/` names its `index.html`.
fn file_for(dir: &Path, rel: &str) -> Option<PathBuf> {
    let mut path = dir.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        if part.starts_with('.') || part.contains('\\') {
            return None;
        }
        path.push(part);
    }
    if rel.is_empty() || rel.ends_with('/') {
        path.push("index.html");
    }
    Some(path)
}

/// Answer `target` from the built site in `dir`, served under `base`.
pub(super) fn respond(target: &str, dir: &Path, base: &str, build: u64) -> Response {
    let raw = target.split(['?', '#']).next().unwrap_or("/");
    let path = percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned();
    if path == format!("{base}{BUILD_ENDPOINT}") {
        return Response::new(200, Body::Bytes(build.to_string().into_bytes()))
            .header("Content-Type", "text/plain")
            .header("Cache-Control", "no-store");
    }
    let Some(rel) = path.strip_prefix(base) else {
        // `/` and `/repo` lead to the site at `/repo/`
        if base.starts_with(&path) {
            return redirect(302, base.to_string());
        }
        return not_found(dir, base);
    };
    let Some(file) = file_for(dir, rel) else { return not_found(dir, base) };
    if file.is_dir() {
        return redirect(301, format!("{raw}/"));
    }
    let ct = content_type(&file);
    if ct.starts_with("text/html") {
        return match std::fs::read(&file) {
            Ok(html) => page(200, with_reload(html, base)),
            Err(_) => not_found(dir, base),
        };
    }
    let opened = std::fs::File::open(&file).and_then(|f| Ok((f.metadata()?.len(), f)));
    match opened {
        Ok((len, f)) => {
            Response::new(200, Body::File(f, len)).header("Content-Type", ct).header("Cache-Control", "no-store")
        }
        Err(_) => not_found(dir, base),
    }
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
fn not_found(dir: &Path, base: &str) -> Response {
    match std::fs::read(dir.join("404.html")) {
        Ok(html) => page(404, with_reload(html, base)),
        Err(_) => Response::text(404, "not found\n"),
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

/// The page with the reload script before its `</body>` (or at its end).
fn with_reload(mut html: Vec<u8>, base: &str) -> Vec<u8> {
    let script = RELOAD_SCRIPT.replace("BUILD_URL", &format!("{base}{BUILD_ENDPOINT}"));
    let at = html.windows(7).rposition(|w| w == b"</body>").unwrap_or(html.len());
    html.splice(at..at, script.into_bytes());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_map_to_files_inside_the_site() {
        let d = Path::new("/out");
        assert_eq!(file_for(d, ""), Some(PathBuf::from("/out/index.html")));
        assert_eq!(file_for(d, "events/kabul/"), Some(PathBuf::from("/out/events/kabul/index.html")));
        assert_eq!(file_for(d, "static/gazette.css"), Some(PathBuf::from("/out/static/gazette.css")));
        assert_eq!(file_for(d, "../etc/passwd"), None);
        assert_eq!(file_for(d, "events/../../x"), None);
        assert_eq!(file_for(d, ".gazette-build"), None);
    }

    #[test]
    fn reload_script_goes_before_the_body_ends() {
        let html = with_reload(b"<html><body><p>x</p></body></html>".to_vec(), "/repo/");
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("fetch('/repo/__gazette/build'"));
        assert!(html.ends_with("</script></body></html>"));
    }
}
