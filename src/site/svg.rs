//! Server-rendered SVG: the overview maps that work without JavaScript (or when Leaflet
//! fails to load), and the timeline's histogram.
//!
//! Maps use an equirectangular projection with its standard parallel at the view's middle
//! latitude (x = (lon − west)·cos φ₀·k, y = (north − lat)·k), fitted around the points.
//! Country outlines are Natural Earth's 1:110m countries (public domain), converted by
//! `templates/tools/countries.py` into `templates/static/countries.json`: rings of
//! longitude/latitude in 0.01° units, delta-coded. Only countries near the view are drawn,
//! so a page about one town carries a few kilobytes of outlines, not the world.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;

const COUNTRIES_JSON: &str = include_str!("../../templates/static/countries.json");

/// A country's outline: rings of (lon, lat) in degrees, and the bounding box of each.
pub struct Country {
    /// Natural Earth's name: the data's own tests check each is there once.
    #[cfg_attr(not(test), allow(dead_code))]
    pub name: String,
    pub rings: Vec<Ring>,
}

/// One closed ring. Longitudes may leave [-180, 180] where a ring crosses the antimeridian.
pub struct Ring {
    pub points: Vec<(f64, f64)>,
    /// west, south, east, north
    pub bbox: [f64; 4],
}

#[derive(Deserialize)]
struct RawCountries {
    unit: f64,
    countries: Vec<RawCountry>,
}

#[derive(Deserialize)]
struct RawCountry {
    name: String,
    rings: Vec<Vec<i32>>,
}

/// The bundled outlines, decoded once.
pub fn countries() -> &'static [Country] {
    static C: OnceLock<Vec<Country>> = OnceLock::new();
    C.get_or_init(|| {
        let raw: RawCountries = serde_json::from_str(COUNTRIES_JSON).expect("templates/static/countries.json is valid");
        raw.countries
            .into_iter()
            .map(|c| Country {
                name: c.name,
                rings: c
                    .rings
                    .iter()
                    .map(|r| {
                        let (mut x, mut y) = (0i64, 0i64);
                        let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
                        let points: Vec<(f64, f64)> = r
                            .chunks_exact(2)
                            .enumerate()
                            .map(|(i, d)| {
                                if i == 0 {
                                    (x, y) = (d[0] as i64, d[1] as i64);
                                } else {
                                    x += d[0] as i64;
                                    y += d[1] as i64;
                                }
                                let p = (x as f64 * raw.unit, y as f64 * raw.unit);
                                bbox = [bbox[0].min(p.0), bbox[1].min(p.1), bbox[2].max(p.0), bbox[3].max(p.1)];
                                p
                            })
                            .collect();
                        Ring { points, bbox }
                    })
                    .collect(),
            })
            .collect()
    })
}

/// The outlines as a script for Leaflet, used instead of tiles when `tiles = "none"`:
/// `window.gazetteCountries` is a multipolygon for `L.polygon`, each ring its own polygon
/// (`[[[lat, lon], …]], …`), filled with the non-zero rule so that holes stay right.
pub fn countries_js() -> String {
    let mut s = String::from("window.gazetteCountries=[");
    let mut first = true;
    for c in countries() {
        for r in &c.rings {
            s.push_str(if first { "[[" } else { ",[[" });
            first = false;
            for (i, (lon, lat)) in r.points.iter().enumerate() {
                let _ = write!(s, "{}[{},{}]", if i == 0 { "" } else { "," }, round2(*lat), round2(*lon));
            }
            s.push_str("]]");
        }
    }
    s.push_str("];\n");
    s
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A point on a map, linked to a page.
#[derive(Debug, Clone)]
pub struct MapPoint {
    /// WGS84 degrees.
    pub lon: f64,
    pub lat: f64,
    /// Radius in pixels of the map's own size.
    pub radius: f64,
    /// Relative URL.
    pub href: String,
    /// Tooltip and accessible name.
    pub title: String,
    /// Printed next to the point when set.
    pub label: Option<String>,
}

/// Names a snapped view: (zoom level, centre x, centre y, width, height).
type ViewKey = (i32, i64, i64, u32, u32);

/// The visible part of the world and its projection.
struct View {
    west: f64,
    north: f64,
    cos: f64,
    k: f64,
    bbox: [f64; 4],
}

impl View {
    /// The view centred on (cx, cy) `span_lon` degrees wide, for a `width`×`height` map.
    fn new(cx: f64, cy: f64, span_lon: f64, width: f64, height: f64) -> View {
        let cos = cy.to_radians().cos().max(0.2);
        let span_lat = span_lon * cos * height / width;
        let (west, north) = (cx - span_lon / 2.0, cy + span_lat / 2.0);
        let k = width / (span_lon * cos);
        View { west, north, cos, k, bbox: [west, north - span_lat, west + span_lon, north] }
    }

    /// A view around the points with some room, snapped to a grid (widths in steps of
    /// √2, centres in steps of an eighth of the width) so that pages about nearby places
    /// share one drawing of the outlines. The key names the grid cell. Where snapping
    /// would leave a point at the edge, the view widens a step at a time until every
    /// point is well inside (at worst the whole world).
    fn fit(points: &[MapPoint], width: f64, height: f64) -> (View, ViewKey) {
        let (mut w, mut s, mut e, mut n) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in points {
            (w, s, e, n) = (w.min(p.lon), s.min(p.lat), e.max(p.lon), n.max(p.lat));
        }
        if points.is_empty() {
            (w, s, e, n) = (-170.0, -55.0, 170.0, 75.0);
        }
        let (cx, cy) = ((w + e) / 2.0, ((s + n) / 2.0).clamp(-70.0, 70.0));
        let cos = cy.to_radians().cos().max(0.2);
        let span_lat = ((n - s) * 1.4).max(7.0);
        let span_lon = ((e - w) * 1.4).max(14.0).max(span_lat * width / height / cos).min(360.0);

        let mut level = ((360.0 / span_lon).log2() * 2.0).floor().max(0.0) as i32;
        loop {
            let key = View::key(level, cx, cy, width, height);
            let v = View::from_key(key);
            let margin = (v.bbox[2] - v.bbox[0]) / 25.0;
            let b = v.bbox;
            let inside = points.iter().all(|p| {
                p.lon > b[0] + margin && p.lon < b[2] - margin && p.lat > b[1] + margin && p.lat < b[3] - margin
            });
            if inside || level == 0 {
                return (v, key);
            }
            level -= 1;
        }
    }

    /// The grid cell around (cx, cy) at a zoom level.
    fn key(level: i32, cx: f64, cy: f64, width: f64, height: f64) -> ViewKey {
        let step = 360.0 / 2f64.powf(level as f64 / 2.0) / 8.0;
        (level, (cx / step).round() as i64, (cy / (step / 2.0)).round() as i64, width as u32, height as u32)
    }

    /// The view a key names.
    fn from_key((level, ix, iy, width, height): ViewKey) -> View {
        let span = 360.0 / 2f64.powf(level as f64 / 2.0);
        let step = span / 8.0;
        View::new(ix as f64 * step, (iy as f64 * step / 2.0).clamp(-70.0, 70.0), span, width as f64, height as f64)
    }

    fn x(&self, lon: f64) -> f64 {
        (lon - self.west) * self.cos * self.k
    }

    fn y(&self, lat: f64) -> f64 {
        (self.north - lat) * self.k
    }

    fn sees(&self, b: &[f64; 4], shift: f64) -> bool {
        b[0] + shift <= self.bbox[2] && b[2] + shift >= self.bbox[0] && b[1] <= self.bbox[3] && b[3] >= self.bbox[1]
    }
}

/// Escape text for XML content and attribute values.
pub fn escape(s: &str) -> String {
    // most values (every template value goes through here) have nothing to escape: a
    // fold with no early exit, which the compiler reads many bytes at a time, finds that
    if !s.bytes().fold(false, |seen, b| seen | matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    // the text between the characters to escape is copied as a whole
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        // an ASCII byte is always a character boundary
        out.push_str(&s[from..i]);
        out.push_str(with);
        from = i + 1;
    }
    out.push_str(&s[from..]);
    out
}

/// Where a map's country outlines come from.
#[derive(Debug, Clone, Copy)]
pub enum Land<'a> {
    /// Drawn into the map itself (one map on a page of its own, like the index's).
    Inline,
    /// A shared [`Basemap`] file, `maps/NAME.svg` under the site's root, which this path
    /// (`../../`) leads back to. Thousands of pages then share a few drawings.
    File { root: &'a str },
}

/// A shared outline drawing for maps of one size around one place: its path in the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Basemap(ViewKey);

impl Basemap {
    /// `maps/LEVEL_X_Y_WxH.svg`, relative to the site's root.
    pub fn path(&self) -> String {
        let (level, x, y, w, h) = self.0;
        format!("maps/{level}_{x}_{y}_{w}x{h}.svg")
    }

    /// The drawing: sea and land, styled inside (a page's CSS does not reach an image).
    pub fn svg(&self) -> String {
        let (w, h) = (self.0 .3, self.0 .4);
        let land = land_of(self.0);
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\">\
             <rect fill=\"#dbe7ef\" width=\"{w}\" height=\"{h}\"/><path fill=\"#f4f1e8\" stroke=\"#a4acb3\" \
             stroke-width=\"0.6\" stroke-linejoin=\"round\" d=\"{land}\"/></svg>\n"
        )
    }
}

/// The land path of a snapped view, drawn once per build and shared.
fn land_of(key: ViewKey) -> Arc<str> {
    static CACHE: OnceLock<Mutex<HashMap<ViewKey, Arc<str>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let hit = cache.lock().map(|c| c.get(&key).cloned()).unwrap_or(None);
    hit.unwrap_or_else(|| {
        let d: Arc<str> = land_path(&View::from_key(key)).into();
        if let Ok(mut c) = cache.lock() {
            c.insert(key, d.clone());
        }
        d
    })
}

/// An SVG map of `width`×`height` pixels with country outlines and linked points.
/// `title` names the map for screen readers; `id` makes its `<title>` id unique. With
/// [`Land::File`], the outlines are the returned [`Basemap`], which the caller writes.
pub fn map(points: &[MapPoint], width: u32, height: u32, title: &str, id: &str, land: Land) -> (String, Basemap) {
    let (wf, hf) = (width as f64, height as f64);
    let (v, key) = View::fit(points, wf, hf);
    let base = Basemap(key);
    let mut s = String::with_capacity(2048);
    let _ = write!(
        s,
        "<svg class=\"svgmap\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" \
         aria-labelledby=\"{id}\"><title id=\"{id}\">{}</title>",
        escape(title)
    );
    match land {
        Land::Inline => {
            let _ = write!(
                s,
                "<rect class=\"sea\" width=\"{width}\" height=\"{height}\"/><path class=\"land\" d=\"{}\"/>",
                land_of(key)
            );
        }
        Land::File { root } => {
            let _ = write!(
                s,
                "<image class=\"basemap\" href=\"{}{}\" width=\"{width}\" height=\"{height}\"/>",
                escape(root),
                base.path()
            );
        }
    }
    let mut order: Vec<&MapPoint> = points.iter().collect();
    order.sort_by(|a, b| b.radius.total_cmp(&a.radius));
    for p in &order {
        let _ = write!(
            s,
            "<a href=\"{}\"><circle class=\"pt\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\"><title>{}</title></circle></a>",
            escape(&p.href),
            v.x(p.lon),
            v.y(p.lat),
            p.radius,
            escape(&p.title)
        );
    }
    // Labels, biggest point first, each where it overlaps no earlier label (or not at all).
    let mut placed: Vec<[f64; 4]> = Vec::new();
    for p in &order {
        let Some(label) = p.label.as_deref() else { continue };
        let (x, y) = (v.x(p.lon), v.y(p.lat));
        let w = label.chars().count() as f64 * 7.5;
        let right = [x + p.radius + 3.0, y - 10.0, x + p.radius + 3.0 + w, y + 5.0];
        let left = [x - p.radius - 3.0 - w, y - 10.0, x - p.radius - 3.0, y + 5.0];
        let fits = |r: &[f64; 4]| {
            r[0] >= 0.0
                && r[2] <= wf
                && !placed.iter().any(|q| r[0] < q[2] && q[0] < r[2] && r[1] < q[3] && q[1] < r[3])
        };
        let (rect, anchor, tx) = if fits(&right) {
            (right, "start", right[0])
        } else if fits(&left) {
            (left, "end", left[2])
        } else {
            continue;
        };
        placed.push(rect);
        let _ = write!(
            s,
            "<text class=\"lbl\" x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" aria-hidden=\"true\">{}</text>",
            y + 4.0,
            escape(label)
        );
    }
    s.push_str("</svg>");
    (s, base)
}

/// The outlines of every country in view, as path data.
fn land_path(v: &View) -> String {
    let mut s = String::with_capacity(16 * 1024);
    for c in countries() {
        for r in &c.rings {
            for shift in [0.0, -360.0, 360.0] {
                if v.sees(&r.bbox, shift) {
                    ring_path(&mut s, v, &r.points, shift);
                }
            }
        }
    }
    s
}

/// Append one ring as compact path data: whole pixels, the first point absolute and the
/// rest relative (`M412 96l3-2 4 1…Z`), points closer than two pixels to the last one
/// dropped.
fn ring_path(s: &mut String, v: &View, points: &[(f64, f64)], shift: f64) {
    let mut last: Option<(i64, i64)> = None;
    let mut n = 0;
    let mark = s.len();
    // thousands of numbers a drawing: itoa writes them without the formatting machinery
    let mut num = itoa::Buffer::new();
    for &(lon, lat) in points {
        let p = (v.x(lon + shift).round() as i64, v.y(lat).round() as i64);
        match last {
            None => {
                s.push('M');
                s.push_str(num.format(p.0));
                s.push(' ');
                s.push_str(num.format(p.1));
            }
            // under ~1.7 px from the last point: invisible at this scale, and the bulk of the bytes
            Some(q) if (p.0 - q.0).pow(2) + (p.1 - q.1).pow(2) < 3 => continue,
            Some(q) => {
                let (dx, dy) = (p.0 - q.0, p.1 - q.1);
                if n == 1 {
                    s.push('l');
                } else if dx >= 0 {
                    s.push(' ');
                }
                s.push_str(num.format(dx));
                if dy >= 0 {
                    s.push(' ');
                }
                s.push_str(num.format(dy));
            }
        }
        last = Some(p);
        n += 1;
    }
    if n < 3 {
        s.truncate(mark);
    } else {
        s.push('Z');
    }
}

/// The timeline's bars: one `<rect>` per bin, with a `<title>` giving its count.
/// `title(i)` says what bar `i` holds, in words (its days and its number of events).
pub fn histogram(bins: &[super::view::Bin], label: &str, title: impl Fn(usize) -> String) -> String {
    let max = bins.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64;
    let w = bins.len().max(1) * 10;
    let mut s = String::with_capacity(bins.len() * 90 + 200);
    let _ = write!(
        s,
        "<svg class=\"histogram\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} 50\" \
         preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{}\">",
        escape(label)
    );
    // each bar centred in its tenth of the width, under the range handle for its value
    for (i, b) in bins.iter().enumerate() {
        let h = if b.count == 0 { 0.0 } else { (b.count as f64 / max * 46.0).max(2.0) };
        let _ = write!(
            s,
            "<rect class=\"bar\" data-i=\"{i}\" x=\"{}.5\" y=\"{:.1}\" width=\"9\" height=\"{:.1}\">\
             <title>{}</title></rect>",
            i * 10,
            50.0 - h,
            h,
            escape(&title(i))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_the_five_characters_and_keeps_the_rest() {
        for (raw, want) in [
            ("", ""),
            ("Kabul", "Kabul"),
            ("a & b", "a &amp; b"),
            ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
            ("\"كابل\" & قندهار", "&quot;كابل&quot; &amp; قندهار"),
            ("&&", "&amp;&amp;"),
            ("Mazār-e Sharīf>", "Mazār-e Sharīf&gt;"),
        ] {
            assert_eq!(escape(raw), want, "{raw}");
        }
        // every ASCII character, alone and inside longer text (the fast check reads
        // many bytes at a time), against a character-by-character reference
        let reference = |s: &str| -> String {
            s.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect()
        };
        for c in (0u8..0x80).map(char::from) {
            for text in [c.to_string(), format!("Mazār-e Sharīf, بلخ, {c} and the forty bytes after it")] {
                assert_eq!(escape(&text), reference(&text), "{c:?}");
            }
        }
    }

    #[test]
    fn outlines_decode_to_real_places() {
        let afg = countries().iter().find(|c| c.name == "Afghanistan").expect("Afghanistan");
        let b = afg.rings[0].bbox;
        // Afghanistan spans roughly 60.5–75° E, 29.4–38.5° N
        assert!((60.0..61.0).contains(&b[0]) && (74.0..75.5).contains(&b[2]), "{b:?}");
        assert!((29.0..30.0).contains(&b[1]) && (38.0..39.0).contains(&b[3]), "{b:?}");
        assert!(countries().len() > 150);
    }

    #[test]
    fn outlines_are_sane() {
        assert!(COUNTRIES_JSON.len() < 300_000, "countries.json should stay small");
        let mut names = std::collections::HashSet::new();
        for c in countries() {
            assert!(names.insert(c.name.as_str()), "{} twice", c.name);
            assert!(!c.rings.is_empty(), "{} has no outline", c.name);
            for r in &c.rings {
                assert!(r.points.len() >= 3, "{}: a ring of {} points", c.name, r.points.len());
                // longitudes may pass ±180 by a little where a ring crosses the antimeridian
                assert!(r.bbox[0] >= -200.0 && r.bbox[2] <= 200.0, "{}: {:?}", c.name, r.bbox);
                assert!(r.bbox[1] >= -90.0 && r.bbox[3] <= 90.0, "{}: {:?}", c.name, r.bbox);
                assert!(r.bbox[2] - r.bbox[0] <= 360.0, "{}: {:?}", c.name, r.bbox);
            }
        }
    }

    #[test]
    fn map_of_kabul_is_centred_and_small() {
        let p = MapPoint {
            lon: 69.17,
            lat: 34.53,
            radius: 5.0,
            href: "places/kabul-1138958/".into(),
            title: "Kabul <1 event>".into(),
            label: Some("Kabul".into()),
        };
        let (svg, _) = map(std::slice::from_ref(&p), 600, 300, "Map", "m", Land::Inline);
        assert!(svg.contains("<title>Kabul &lt;1 event&gt;</title>"));
        assert!(svg.contains("href=\"places/kabul-1138958/\""));
        // the point sits near the middle of the (snapped) view
        let cx: f64 = svg.split("cx=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        let cy: f64 = svg.split("cy=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        assert!((cx - 300.0).abs() < 60.0 && (cy - 150.0).abs() < 40.0, "{cx} {cy}");
        assert!(svg.len() < 20_000, "{} bytes", svg.len());
        // with a shared basemap, the page holds the points and a link to the drawing
        let (small, base) = map(&[p], 600, 300, "Map", "m", Land::File { root: "../../" });
        assert!(small.contains(&format!("<image class=\"basemap\" href=\"../../{}\"", base.path())), "{small}");
        assert!(!small.contains("class=\"land\"") && small.len() < 1000, "{small}");
        assert!(base.path().starts_with("maps/") && base.path().ends_with("_600x300.svg"));
        assert!(base.svg().contains("<path fill=\"#f4f1e8\""));
    }

    #[test]
    fn far_apart_points_widen_the_view_until_they_fit() {
        let at = |lon, lat| MapPoint { lon, lat, radius: 5.0, href: String::new(), title: String::new(), label: None };
        // Kabul and Washington
        let pts = [at(69.17, 34.53), at(-77.04, 38.9)];
        let (v, _) = View::fit(&pts, 600.0, 300.0);
        let b = v.bbox;
        assert!(pts.iter().all(|p| p.lon > b[0] && p.lon < b[2] && p.lat > b[1] && p.lat < b[3]), "{b:?}");
    }

    #[test]
    fn nearby_places_share_a_snapped_view() {
        let at = |lon, lat| MapPoint { lon, lat, radius: 5.0, href: String::new(), title: String::new(), label: None };
        let (kabul, k1) = View::fit(&[at(69.17, 34.53)], 600.0, 300.0);
        let (_, k2) = View::fit(&[at(69.0, 35.0)], 600.0, 300.0); // Charikar
        assert_eq!(k1, k2);
        let (_, k3) = View::fit(&[at(65.7, 31.6)], 600.0, 300.0);
        assert_ne!(k1, k3, "Kandahar is too far from Kabul to share its view");
        // the view still holds its point with room to spare
        let b = kabul.bbox;
        assert!(b[0] < 67.0 && b[2] > 71.0 && b[1] < 33.0 && b[3] > 36.0, "{b:?}");
    }

    #[test]
    fn ring_paths_are_relative_whole_pixels() {
        let v = View { west: 0.0, north: 10.0, cos: 1.0, k: 1.0, bbox: [0.0, 0.0, 10.0, 10.0] };
        let mut s = String::new();
        ring_path(&mut s, &v, &[(1.0, 9.0), (4.0, 7.0), (4.2, 7.1), (5.0, 6.5), (2.0, 8.0), (1.0, 9.0)], 0.0);
        assert_eq!(s, "M1 1l3 2-2-1Z");
        // numbers of several digits and of each sign, as the formatter wrote them
        let mut wide = String::new();
        ring_path(&mut wide, &v, &[(-120.0, 130.0), (15.0, -95.0), (-7.0, 42.0)], 0.0);
        assert_eq!(wide, "M-120 -120l135 225-22-137Z");
        let mut tiny = String::new();
        ring_path(&mut tiny, &v, &[(1.0, 9.0), (1.1, 9.1), (1.2, 9.0)], 0.0);
        assert_eq!(tiny, "", "a ring smaller than a pixel is left out");
    }

    #[test]
    fn histogram_bars() {
        let bins = vec![
            super::super::view::Bin { start: "2021-07-05".into(), end: "2021-07-11".into(), count: 2 },
            super::super::view::Bin { start: "2021-07-12".into(), end: "2021-07-18".into(), count: 0 },
        ];
        let svg = histogram(&bins, "Events per week", |i| format!("bar {i} <{}>", bins[i].count));
        assert!(svg.contains("<title>bar 0 &lt;2&gt;</title>"));
        // centred in its tenth: 10.5 to 19.5
        assert!(svg.contains("data-i=\"1\" x=\"10.5\" y=\"50.0\" width=\"9\" height=\"0.0\""));
    }
}
