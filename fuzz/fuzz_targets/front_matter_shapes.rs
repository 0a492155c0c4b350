//! Front matter built from shapes that cost: the fuzzer's bytes choose a format (YAML or
//! TOML) and a sequence of pieces (anchored long strings, lists of aliases, aliases of
//! lists of aliases, nested flow collections, ordinary keys), each sized by the next
//! byte, and the whole is read as an article. Random bytes almost never write an alias
//! bomb; these pieces write one in a few runs. An article of a few hundred KB that takes
//! a gigabyte or seconds to read is the bug (issue 18, item 1): the target checks the
//! process's peak memory after each run, and `.ci/run` adds `-timeout=10`.
#![no_main]

use std::fmt::Write;

use gazette::article::parse;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&format, ops)) = data.split_first() else { return };
    let yaml = format % 2 == 0;
    let mut fm = String::new();
    let mut anchors = 0usize;
    for (i, pair) in ops.chunks(2).enumerate() {
        let (op, size) = (pair[0], usize::from(*pair.get(1).unwrap_or(&1)));
        let a = |k: usize| k % anchors.max(1);
        match (op % 6, yaml) {
            // a long string, anchored (YAML) or not
            (0, true) => {
                let _ = writeln!(fm, "s{i}: &a{anchors} \"{}\"", "x".repeat(size << 10));
                anchors += 1;
            }
            (0, false) => {
                let _ = writeln!(fm, "s{i} = \"{}\"", "x".repeat(size << 10));
            }
            // a list of aliases of earlier anchors
            (1, true) if anchors > 0 => {
                let items: Vec<String> = (0..size * 40).map(|k| format!("*a{}", a(k))).collect();
                let _ = writeln!(fm, "l{i}: &a{anchors} [{}]", items.join(", "));
                anchors += 1;
            }
            // nested flow collections, closed or not
            (2, _) => {
                let open = if op & 8 == 0 { "[" } else { "{k: " };
                let close = if op & 8 == 0 { "]" } else { "}" };
                let depth = size * 4;
                let closing = if op & 16 == 0 { close.repeat(depth) } else { String::new() };
                let eq = if yaml { ":" } else { " =" };
                let _ = writeln!(fm, "n{i}{eq} {}{}", open.repeat(depth), closing);
            }
            // a block sequence nested by indentation
            (3, true) => {
                for d in 0..size {
                    let _ = writeln!(fm, "{}- b{d}:", "  ".repeat(d));
                }
            }
            // an ordinary key
            (4, true) => {
                let _ = writeln!(fm, "title: Kabul {i}");
            }
            (4, false) => {
                let _ = writeln!(fm, "title = \"Kabul {i}\"");
            }
            // a map merging earlier anchors
            (5, true) if anchors > 0 => {
                let _ = writeln!(fm, "m{i}:\n  <<: *a{}\n  k: v", a(size));
            }
            _ => {}
        }
        if fm.len() > 1 << 20 {
            break;
        }
    }
    let fence = if yaml { "---" } else { "+++" };
    let text = format!("{fence}\n{fm}{fence}\nFloods in Kabul.\n");
    let _ = parse("shapes.md", "shapes", text, true);
    // libFuzzer samples RSS once a second; a bomb that takes a gigabyte for half a
    // second would slip past `-rss_limit_mb`, but not past the high-water mark
    let peak_mb = peak_kib() / 1024;
    assert!(peak_mb < PEAK_MB, "reading one article took the process to {peak_mb} MB");
});

/// The most memory the process may ever have held, in MB.
const PEAK_MB: u64 = 1024;

/// The process's peak resident set so far (VmHWM), in KiB; 0 where /proc has none.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or("");
    line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0)
}
