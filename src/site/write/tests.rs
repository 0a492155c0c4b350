//! Tests of the site writer: atomic swaps, the marker, files kept, leftovers.

use super::*;

fn files(pairs: &[(&str, &str)]) -> Vec<super::super::render::OutputFile> {
    pairs.iter().map(|(p, b)| (PathBuf::from(p), b.as_bytes().to_vec())).collect()
}

#[test]
fn writes_then_replaces_whole_folder() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("public");
    write_site(&out, &files(&[("index.html", "one"), ("events/a/index.html", "a"), ("events/b/index.html", "b")]))
        .unwrap();
    assert_eq!(std::fs::read_to_string(out.join("events/b/index.html")).unwrap(), "b");
    assert!(out.join(MARKER).is_file());
    write_site(&out, &files(&[("index.html", "two")])).unwrap();
    assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "two");
    assert!(!out.join("events").exists(), "stale pages are gone");
    let left: Vec<_> = std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["public"], "no temporary folders left behind");
}

#[test]
fn unsafe_paths_are_refused() {
    let t = tempfile::tempdir().unwrap();
    assert!(write_site(&t.path().join("o"), &files(&[("../x", "")])).is_err());
    assert!(write_site(&t.path().join("o"), &files(&[("/etc/x", "")])).is_err());
}

#[test]
fn the_marker_lists_the_files_sorted() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("public");
    write_site(&out, &files(&[("b.html", ""), ("a/x.html", ""), ("a\\b\nc.html", "")])).unwrap();
    let marker = std::fs::read_to_string(out.join(MARKER)).unwrap();
    assert_eq!(marker, format!("{HEADER}\na/x.html\na\\\\b\\nc.html\nb.html\n"));
    match Manifest::read(&out).unwrap().unwrap() {
        Manifest::Listed { files, dirs } => {
            assert_eq!(files.len(), 3);
            assert!(dirs.contains("a") && dirs.len() == 1, "{dirs:?}");
        }
        Manifest::Legacy => panic!("a listed manifest reads as legacy"),
    }
}

#[test]
fn files_no_build_wrote_are_kept_and_a_clash_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("public");
    write_site(&out, &files(&[("index.html", "one"), ("events/a/index.html", "a")])).unwrap();
    std::fs::write(out.join("CNAME"), "news.example.org").unwrap();
    std::fs::create_dir_all(out.join(".git/refs")).unwrap();
    std::fs::write(out.join(".git/HEAD"), "ref").unwrap();
    std::fs::write(out.join("events/a/notes.txt"), "mine").unwrap();
    let w = write_site(&out, &files(&[("index.html", "two")])).unwrap();
    assert_eq!(w.kept, [PathBuf::from(".git"), PathBuf::from("CNAME"), PathBuf::from("events/a/notes.txt")]);
    assert_eq!(std::fs::read_to_string(out.join("CNAME")).unwrap(), "news.example.org");
    assert_eq!(std::fs::read_to_string(out.join(".git/HEAD")).unwrap(), "ref");
    assert!(out.join(".git/refs").is_dir());
    assert_eq!(std::fs::read_to_string(out.join("events/a/notes.txt")).unwrap(), "mine");
    assert!(!out.join("events/a/index.html").exists(), "the build's own stale page is gone");

    // the same bytes replace theirs; other bytes are refused and nothing changes
    write_site(&out, &files(&[("index.html", "three"), ("CNAME", "news.example.org")])).unwrap();
    std::fs::write(out.join("robots.txt"), "theirs").unwrap();
    let e = write_site(&out, &files(&[("index.html", "four"), ("robots.txt", "ours")])).unwrap_err().to_string();
    assert!(e.starts_with("refusing to replace") && e.contains("robots.txt"), "{e}");
    assert_eq!(std::fs::read_to_string(out.join("robots.txt")).unwrap(), "theirs");
    assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "three");
    // a file of theirs where the build makes a folder is a clash too
    let e = write_site(&out, &files(&[("robots.txt/x", "ours")])).unwrap_err().to_string();
    assert!(e.contains("robots.txt"), "{e}");
    let left: Vec<_> = std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["public"], "no temporary folders left behind");
}

#[test]
fn a_legacy_marker_owns_the_names_builds_wrote() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("public");
    for d in ["events/a", "static"] {
        std::fs::create_dir_all(out.join(d)).unwrap();
    }
    for f in [MARKER, "index.html", "sitemap-2.xml", "events/a/index.html", "static/x.css", "CNAME"] {
        std::fs::write(out.join(f), "gazette build output: the next build replaces this whole folder\n").unwrap();
    }
    let m = Manifest::read(&out).unwrap().unwrap();
    assert!(matches!(m, Manifest::Legacy));
    assert_eq!(foreign(&out, Some(&m)).unwrap(), [PathBuf::from("CNAME")]);
}

#[test]
fn copies_that_stand_for_a_built_file_are_an_error() {
    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("index.html");
    std::fs::write(&src, "mine").unwrap();
    let e = write_site_with(&t.path().join("o"), None, |sink| {
        sink.emit(Path::new("index.html"), b"built")?;
        sink.copy(Path::new("index.html"), &src)
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains(&src.display().to_string()) && e.contains("makes index.html itself"), "{e}");
    assert!(!t.path().join("o").exists());
}

#[test]
fn messages_name_the_first_few() {
    let p = |n: usize| (0..n).map(|i| PathBuf::from(format!("f{i}"))).collect::<Vec<_>>();
    assert_eq!(first_few(&p(2)), "f0, f1");
    assert_eq!(first_few(&p(5)), "f0, f1, f2, f3, f4");
    assert_eq!(first_few(&p(9)), "f0, f1, f2, f3, f4 and 4 more");
}

#[test]
fn leftover_names_are_matched_exactly() {
    assert_eq!(leftover(".public.tmp-123-0", "public"), Some((Leftover::Tmp, 123)));
    assert_eq!(leftover(".public.old-9-12", "public"), Some((Leftover::Old, 9)));
    for other in [".public.tmp-123", ".public.tmp-x-0", ".public.tmp-1-0x", ".publicx.tmp-1-0", "public.tmp-1-0"] {
        assert_eq!(leftover(other, "public"), None, "{other}");
    }
    // the leftovers of an output named `public.tmp-1` are not `public`'s
    assert_eq!(leftover(".public.tmp-1.tmp-2-0", "public"), None);
}
