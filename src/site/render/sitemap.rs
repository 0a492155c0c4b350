//! `sitemap.xml`: every page's absolute URL, split into several files with an index past
//! 50,000 URLs, as the sitemap protocol asks. Only written when the site has a `base_url`.

use std::path::PathBuf;

use super::{OutputFile, SITEMAP_MAX};
use crate::site::svg;
use crate::site::view::SiteView;

/// `sitemap.xml`, split into `sitemap-N.xml` files under a sitemap index past 50,000 URLs.
/// Without a `base_url` there are no absolute URLs to list, and no sitemap.
pub(super) fn sitemaps(base_url: Option<&str>, v: &SiteView) -> Vec<OutputFile> {
    let Some(base) = base_url else { return Vec::new() };
    let base = svg::escape(base);
    let mut urls: Vec<(String, Option<&str>)> = vec![(String::new(), None), ("archive/".into(), None)];
    urls.extend(v.items.iter().map(|i| (format!("events/{}/", i.slug), i.date)));
    urls.extend(v.places.iter().map(|p| (format!("places/{}/", p.slug), None)));
    for (dir, terms) in [("tags", &v.tags), ("sources", &v.sources)] {
        urls.push((format!("{dir}/"), None));
        urls.extend(terms.items.iter().map(|t| (format!("{dir}/{}/", t.slug), None)));
    }
    sitemap_files(&base, &urls)
}

/// The sitemap files for some URLs (paths relative to `base`, which is escaped already).
fn sitemap_files(base: &str, urls: &[(String, Option<&str>)]) -> Vec<OutputFile> {
    let chunk = |urls: &[(String, Option<&str>)]| {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (path, date) in urls {
            s.push_str("  <url><loc>");
            s.push_str(base);
            s.push_str(path);
            s.push_str("</loc>");
            if let Some(d) = date {
                s.push_str("<lastmod>");
                s.push_str(d);
                s.push_str("</lastmod>");
            }
            s.push_str("</url>\n");
        }
        s.push_str("</urlset>\n");
        s.into_bytes()
    };
    if urls.len() <= SITEMAP_MAX {
        return vec![("sitemap.xml".into(), chunk(urls))];
    }
    let mut out = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, part) in urls.chunks(SITEMAP_MAX).enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        index.push_str(&format!("  <sitemap><loc>{base}{name}</loc></sitemap>\n"));
        out.push((PathBuf::from(name), chunk(part)));
    }
    index.push_str("</sitemapindex>\n");
    out.push(("sitemap.xml".into(), index.into_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_splits_past_50000_urls() {
        let urls: Vec<(String, Option<&str>)> = (0..SITEMAP_MAX + 1).map(|i| (format!("events/e{i}/"), None)).collect();
        let files = sitemap_files("https://example.org/news/", &urls);
        let names: Vec<_> = files.iter().map(|f| f.0.display().to_string()).collect();
        assert_eq!(names, ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]);
        let index = String::from_utf8(files[2].1.clone()).unwrap();
        assert!(index.contains("<sitemapindex"));
        assert!(index.contains("<loc>https://example.org/news/sitemap-2.xml</loc>"));
        let second = String::from_utf8(files[1].1.clone()).unwrap();
        assert_eq!(second.matches("<url>").count(), 1);
        let small = sitemap_files("https://example.org/", &urls[..3]);
        assert_eq!(small.len(), 1);
        assert!(String::from_utf8_lossy(&small[0].1).contains("<loc>https://example.org/events/e2/</loc>"));
    }
}
