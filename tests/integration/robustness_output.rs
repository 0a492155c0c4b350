//! The output folder (issue 18, items 8, 9 and 12): what GitHub Pages needs is built
//! (`cname`, the site's `static/`, `.nojekyll`); files no build wrote are kept, never
//! deleted, and a build that would write over one is refused before the work; folders
//! left by interrupted builds go at the next build, a live build's stay; two builds into
//! one output do not meet; the site's cache and a mount point are refused up front.
//!
//! Every site and leftover is made here, in temporary folders. The tests that need Linux
//! (`/proc`, FIFOs, mount namespaces) are compiled there only; the mount-point test says it
//! was skipped where this process may not mount.

use std::path::{Path, PathBuf};

use crate::runner::{build, built_slugs, files, read, site_with, tree, Gazette, CONFIG};

/// `site_with`'s site, its `gazette.toml` given `extra` lines after `[map]`'s (top-level
/// keys go first, so the extra lines are put before the `[map]` table when `top`).
fn site(into: &Path, top: &str) -> PathBuf {
    let site = site_with(into, &[]);
    std::fs::write(site.join("gazette.toml"), format!("{top}{CONFIG}")).unwrap();
    site
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn cname_the_static_folder_and_nojekyll_are_published() {
    let t = tempfile::tempdir().unwrap();
    let site = site(t.path(), "cname = \"news.example.org\"\n");
    for (f, bytes) in [
        ("static/robots.txt", &b"User-agent: *\n"[..]),
        ("static/.well-known/security.txt", b"Contact: mailto:a@example.org\n"),
        ("static/img/logo.png", b"\x89PNG\r\n\x1a\n\0\xff"),
    ] {
        std::fs::create_dir_all(site.join(f).parent().unwrap()).unwrap();
        std::fs::write(site.join(f), bytes).unwrap();
    }
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    assert_eq!(read(&out.join("CNAME")), "news.example.org", "GitHub's own CNAME has no line break");
    assert_eq!(std::fs::read(out.join(".nojekyll")).unwrap(), b"");
    for f in ["robots.txt", ".well-known/security.txt", "img/logo.png"] {
        assert_eq!(std::fs::read(out.join(f)).unwrap(), std::fs::read(site.join("static").join(f)).unwrap(), "{f}");
    }
    assert!(out.join("static/gazette.css").is_file(), "the theme's static files still go to static/");
    let marker = read(&out.join(".gazette-build"));
    for f in ["CNAME", ".nojekyll", "img/logo.png", "index.html", "events/good/index.html"] {
        assert!(marker.lines().any(|l| l == f), "the marker does not list {f}:\n{marker}");
    }

    // what leaves static/ leaves the output: it was the build's
    std::fs::remove_file(site.join("static/robots.txt")).unwrap();
    let r = build(&site, &out, &[]).success();
    assert!(!out.join("robots.txt").exists());
    assert!(!r.stderr.contains("kept"), "{}", r.stderr);
}

#[test]
fn a_static_file_where_the_build_makes_a_page_is_an_error() {
    let t = tempfile::tempdir().unwrap();
    let site = site(t.path(), "");
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    let before = files(&out);
    std::fs::create_dir_all(site.join("static/events/good")).unwrap();
    std::fs::write(site.join("static/events/good/index.html"), "mine").unwrap();
    let r = build(&site, &out, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("static/events/good/index.html: the build makes events/good/index.html itself"),
        "{}",
        r.stderr
    );
    assert!(files(&out) == before, "the previous site changed");

    // `cname` and a static/CNAME: which domain? Neither, and before the work.
    std::fs::remove_dir_all(site.join("static/events")).unwrap();
    std::fs::write(site.join("static/CNAME"), "a.example.org").unwrap();
    std::fs::write(site.join("gazette.toml"), format!("cname = \"b.example.org\"\n{CONFIG}")).unwrap();
    let r = build(&site, &out, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("gazette.toml: `cname` and ") && r.stderr.contains("static/CNAME both make CNAME"),
        "{}",
        r.stderr
    );
    assert!(files(&out) == before, "the previous site changed");
}

#[test]
fn files_no_build_wrote_are_kept_and_named() {
    // Issue 18, item 8: a CNAME copied by hand and a gh-pages worktree's .git were
    // deleted by the next build without a word.
    let t = tempfile::tempdir().unwrap();
    let site = site(t.path(), "");
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    std::fs::write(out.join("CNAME"), "news.example.org").unwrap();
    std::fs::create_dir_all(out.join(".git/refs/heads")).unwrap();
    std::fs::write(out.join(".git/HEAD"), "ref: refs/heads/gh-pages\n").unwrap();
    std::fs::write(out.join("events/good/notes.txt"), "mine").unwrap();
    std::fs::write(site.join("articles/more.md"), "---\ntitle: Kandahar\ndate: 2021-08-13\n---\n\nKandahar fell.\n")
        .unwrap();

    let r = build(&site, &out, &[]).success();
    let mut slugs = built_slugs(&out);
    slugs.sort();
    assert_eq!(slugs, ["good", "more"], "the site was rebuilt");
    assert_eq!(read(&out.join("CNAME")), "news.example.org");
    assert_eq!(read(&out.join(".git/HEAD")), "ref: refs/heads/gh-pages\n");
    assert!(out.join(".git/refs/heads").is_dir());
    assert_eq!(read(&out.join("events/good/notes.txt")), "mine");
    let line =
        r.stderr.lines().find(|l| l.starts_with("kept what no build wrote")).unwrap_or_else(|| panic!("{}", r.stderr));
    for name in [".git", "CNAME", "events/good/notes.txt"] {
        assert!(line.contains(name), "{line}");
    }
    assert_eq!(names(t.path()), ["out", "site"], "nothing left beside the output");

    // and again: they stay theirs, build after build
    std::fs::remove_file(site.join("articles/more.md")).unwrap();
    build(&site, &out, &[]).success();
    assert!(!out.join("events/more").exists(), "the build's own stale pages go");
    assert_eq!(read(&out.join("CNAME")), "news.example.org");
    assert_eq!(read(&out.join("events/good/notes.txt")), "mine");
}

#[test]
fn a_build_that_would_write_over_their_file_is_refused_before_the_work() {
    let t = tempfile::tempdir().unwrap();
    let site = site(t.path(), "");
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    std::fs::write(out.join("CNAME"), "old.example.org").unwrap();
    std::fs::write(site.join("gazette.toml"), format!("cname = \"news.example.org\"\n{CONFIG}")).unwrap();
    let (before, site_before) = (tree(&out), tree(&site));
    let r = build(&site, &out, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("refusing to replace {}", out.display()))
            && r.stderr.contains("files that no build wrote: CNAME; move them away"),
        "{}",
        r.stderr
    );
    assert!(tree(&out) == before, "the output changed");
    assert!(tree(&site) == site_before, "refused before geoparsing: the cache was not written");

    // the same domain, as GitHub writes it: nothing is lost, and the build takes it over
    std::fs::write(out.join("CNAME"), "news.example.org").unwrap();
    let r = build(&site, &out, &[]).success();
    assert!(!r.stderr.contains("kept"), "{}", r.stderr);
    assert!(read(&out.join(".gazette-build")).lines().any(|l| l == "CNAME"));
}

/// A PID above Linux's largest `pid_max` (2^22): no process has it.
const DEAD: u32 = 4_194_999;

#[test]
#[cfg(target_os = "linux")]
fn leftovers_of_dead_builds_are_removed_and_a_live_builds_kept() {
    // Issue 18, item 9: interrupted builds left .OUT.tmp-PID-N and .OUT.old-PID-N
    // folders (63 MB to 1.3 GB each) that no later build removed.
    let t = tempfile::tempdir().unwrap();
    let site = site(t.path(), "");
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    let live = std::process::id();
    // a build's folder as it is while the build writes it
    let marker = |dir: &str| {
        let d = t.path().join(dir);
        std::fs::create_dir_all(d.join("events/x")).unwrap();
        std::fs::write(d.join(".gazette-build"), "gazette build output, being written\n").unwrap();
        std::fs::write(d.join("events/x/index.html"), "half a site").unwrap();
    };
    let dead_tmp = format!(".out.tmp-{DEAD}-0");
    let dead_old = format!(".out.old-{DEAD}-1");
    let dead_empty = format!(".out.tmp-{DEAD}-2");
    marker(&dead_tmp);
    // an old output as a build leaves it: its marker lists what it wrote
    std::fs::create_dir_all(t.path().join(&dead_old)).unwrap();
    std::fs::write(
        t.path().join(&dead_old).join(".gazette-build"),
        read(&out.join(".gazette-build")).lines().next().unwrap().to_string() + "\nindex.html\n",
    )
    .unwrap();
    std::fs::write(t.path().join(&dead_old).join("index.html"), "old").unwrap();
    std::fs::create_dir(t.path().join(&dead_empty)).unwrap();
    // kept: a live build's, an old output still holding someone's file, a folder without
    // the marker, another output's, and names that only look alike
    let kept = [
        format!(".out.tmp-{live}-0"),
        format!(".out.old-{DEAD}-3"),
        format!(".other.tmp-{DEAD}-0"),
        format!(".out.tmp-{DEAD}-x"),
        format!(".out.tmp-{DEAD}-4-copy"),
    ];
    marker(&kept[0]);
    std::fs::create_dir_all(t.path().join(&kept[1])).unwrap();
    std::fs::write(
        t.path().join(&kept[1]).join(".gazette-build"),
        read(&out.join(".gazette-build")).lines().next().unwrap().to_string() + "\nindex.html\n",
    )
    .unwrap();
    std::fs::write(t.path().join(&kept[1]).join("CNAME"), "theirs").unwrap();
    for k in &kept[2..] {
        marker(k);
    }
    let no_marker = format!(".out.tmp-{DEAD}-5");
    std::fs::create_dir(t.path().join(&no_marker)).unwrap();
    std::fs::write(t.path().join(&no_marker).join("thesis.tex"), "mine").unwrap();

    let r = build(&site, &out, &[]).success();
    let left = names(t.path());
    for gone in [&dead_tmp, &dead_old, &dead_empty] {
        assert!(!left.contains(gone), "{gone} is still there: {left:?}");
    }
    for k in kept.iter().chain([&no_marker]) {
        assert!(left.contains(k), "{k} was removed: {left:?}");
    }
    assert_eq!(read(&t.path().join(&no_marker).join("thesis.tex")), "mine");
    assert!(r.stderr.contains("removed 3 folders left by interrupted builds: "), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("warning: left {}", t.path().join(&kept[1]).display()))
            && r.stderr.contains("it holds files that no build wrote: CNAME"),
        "{}",
        r.stderr
    );
    assert!(!left.iter().any(|n| n == ".out.lock"), "the lock goes with its build: {left:?}");
}

#[test]
#[cfg(target_os = "linux")]
fn two_builds_into_one_output_do_not_meet() {
    // Issue 18, item 12: two builds at once failed with ENOTEMPTY or ENOENT. Here the first
    // build waits, holding the output, until the test feeds it Leaflet's script through a
    // FIFO: the second build runs exactly while the first one does.
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    use std::time::{Duration, Instant};

    let t = tempfile::tempdir().unwrap();
    let site = site(t.path(), "");
    std::fs::write(site.join("gazette.toml"), format!("{CONFIG}leaflet = \"leaflet\"\n")).unwrap();
    let leaflet = site.join("leaflet");
    std::fs::create_dir(&leaflet).unwrap();
    std::fs::write(leaflet.join("leaflet.js"), "/* leaflet one */").unwrap();
    std::fs::write(leaflet.join("leaflet.css"), "/* leaflet */").unwrap();
    let out = t.path().join("out");
    build(&site, &out, &[]).success();
    let before = files(&out);

    std::fs::remove_file(leaflet.join("leaflet.js")).unwrap();
    let fifo = std::process::Command::new("mkfifo").arg(leaflet.join("leaflet.js")).status().unwrap();
    assert!(fifo.success(), "mkfifo failed");
    let (a_out, a_err) = (t.path().join("a.stdout"), t.path().join("a.stderr"));
    /// The first build, killed if the test fails before it ends (it may wait on the FIFO).
    struct Child(std::process::Child);
    impl Drop for Child {
        fn drop(&mut self) {
            if self.0.try_wait().ok().flatten().is_none() {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }
    }
    let mut a = Child(
        Gazette::new()
            .arg("build")
            .arg(&site)
            .arg("-o")
            .arg(&out)
            .command()
            .stdout(std::fs::File::create(&a_out).unwrap())
            .stderr(std::fs::File::create(&a_err).unwrap())
            .spawn()
            .unwrap(),
    );
    let a = &mut a.0;
    let lock = t.path().join(".out.lock");
    let started = Instant::now();
    while !std::fs::read_to_string(&lock).is_ok_and(|s| s.ends_with('\n')) {
        if let Some(status) = a.try_wait().unwrap() {
            panic!("the first build ended ({status}) before it locked the output:\n{}", read(&a_err));
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the first build never locked the output");
        std::thread::sleep(Duration::from_millis(5));
    }

    let b = build(&site, &out, &[]);
    assert_eq!(b.code, 2, "{}", b.stderr);
    assert!(b.stderr.contains(&format!("another build is writing {} (pid {})", out.display(), a.id())), "{}", b.stderr);
    assert!(files(&out) == before, "the second build changed the output");

    // feed the first build its Leaflet (O_NONBLOCK: fails until it opens the FIFO to read)
    let mut pipe = loop {
        match std::fs::OpenOptions::new().write(true).custom_flags(0o4000).open(leaflet.join("leaflet.js")) {
            Ok(p) => break p,
            Err(_) if started.elapsed() < Duration::from_secs(60) && a.try_wait().unwrap().is_none() => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => panic!("the first build never read leaflet.js ({e}):\n{}", read(&a_err)),
        }
    };
    pipe.write_all(b"/* leaflet two */").unwrap();
    drop(pipe);
    let status = a.wait().unwrap();
    assert!(status.success(), "the first build failed:\n{}", read(&a_err));
    assert_eq!(read(&out.join("static/leaflet/leaflet.js")), "/* leaflet two */");
    assert_eq!(built_slugs(&out), ["good"]);
    assert!(out.join("index.html").is_file() && out.join("events/good/index.html").is_file());
    let after = files(&out);
    assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>(), "a complete site");
    assert_eq!(names(t.path()), ["a.stderr", "a.stdout", "out", "site"], "no lock or temporary folder left");
}

#[test]
fn the_sites_cache_folder_is_refused() {
    // Issue 18, item 12: `-o SITE/.gazette-cache` was accepted, and the build then
    // replaced the geoparse cache with the site.
    let t = tempfile::tempdir().unwrap();
    let site = site(t.path(), "");
    for bad in [site.join(".gazette-cache"), site.join(".gazette-cache/public")] {
        let r = build(&site, &bad, &[]);
        assert_eq!(r.code, 2, "-o {}: {}", bad.display(), r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "refusing to write the site to {}: it is inside the site's cache folder",
                bad.display()
            )),
            "{}",
            r.stderr
        );
    }
    assert!(!site.join(".gazette-cache").exists(), "refused before the work");
}

#[test]
#[cfg(target_os = "linux")]
fn an_output_that_is_a_mount_point_is_refused_before_the_work() {
    // Issue 18, item 12: a mount point cannot be renamed; the build failed with EBUSY
    // only after all its work. A tmpfs and a bind mount (same device as its parent: only
    // the mount table tells), each in a mount namespace of its own, gone with the process.
    use std::process::Command;
    if !Command::new("unshare").args(["-m", "true"]).output().is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: this process may not make a mount namespace (unshare -m)");
        return;
    }
    for mount in ["mount -t tmpfs gazette-test \"$1\"", "mount --bind \"$1\" \"$1\""] {
        let t = tempfile::tempdir().unwrap();
        let site = site(t.path(), "");
        let out = t.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let script = format!("{mount} || exit 99; \"$2\" build \"$3\" -o \"$1\"; code=$?; ls -A \"$1\"; exit $code");
        let r = Command::new("unshare")
            .args(["-m", "sh", "-c", &script, "sh"])
            .arg(&out)
            .arg(env!("CARGO_BIN_EXE_gazette"))
            .arg(&site)
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&r.stdout), String::from_utf8_lossy(&r.stderr));
        if r.status.code() == Some(99) {
            eprintln!("skipped: `{mount}` is not allowed here: {stderr}");
            return;
        }
        assert_eq!(r.status.code(), Some(2), "{mount}: {stderr}");
        assert!(
            stderr.contains(&format!("refusing to write the site to {}: it is a mount point", out.display())),
            "{mount}: {stderr}"
        );
        assert!(stdout.trim().is_empty(), "{mount}: the mount point was written: {stdout}");
        assert!(!site.join(".gazette-cache").exists(), "{mount}: refused before geoparsing");
        assert_eq!(names(t.path()), ["out", "site"], "{mount}: left beside the output");

        // a folder inside the mount point is the way
        let script =
            format!("{mount} || exit 99; \"$2\" build \"$3\" -o \"$1/site\" && test -f \"$1/site/index.html\"");
        let r = Command::new("unshare")
            .args(["-m", "sh", "-c", &script, "sh"])
            .arg(&out)
            .arg(env!("CARGO_BIN_EXE_gazette"))
            .arg(&site)
            .output()
            .unwrap();
        assert!(r.status.success(), "{mount}: -o MOUNT/site: {}", String::from_utf8_lossy(&r.stderr));
    }
}
