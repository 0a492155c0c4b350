#!/usr/bin/env bash
# gazette extract beside geotext (PyPI) on real news, as users run it: the whole process,
# start-up included, output written, 1 and 2 threads. The headline rows; a synthetic
# English corpus (`gazette corpus`) is a second row.
#
#   bash benches/compare.sh [ROUNDS]        # default 9 rounds, interleaved
#
# The news is generated at bench time from ../shared/eval, never committed: the texts of
# TR-News, GeoWebNews and TUD-Loc dev (English), IDRISI-D train (Arabic tweets) and the
# dev articles (six languages), in turn, repeated to 20 MB, in three shapes:
#   - JSON Lines without `lang` (gazette guesses each record's language),
#   - JSON Lines with `lang` (as each corpus gives it),
#   - a folder of one Markdown file per article (title in YAML front matter).
# geotext reads the same records (its GeoText on each text) or the same files. Each
# round runs every command once, in turn, so that this machine's minute-to-minute swings
# (up to 20%) fall on all of them alike; the table gives min and median wall time, MB/s
# of article text, peak memory (GNU time), and each gazette run's speed-up over geotext
# on the same shape (median over median).
#
# Then the cost of a tiny article: start-up (extract of one tiny file), and 20,000
# articles of one sentence as JSON Lines and as files, per article after start-up.
#
# Installs what it lacks: geotext 0.4.0 (pip, into target/bench/py). GAZETTE_BIN skips
# the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-9}
out=target/bench/compare
mkdir -p "$out"
if [ -z "${GAZETTE_BIN:-}" ]; then
  cargo build --release --quiet
  GAZETTE_BIN=target/release/gazette
fi
[ -d target/bench/py/geotext ] || python3 -m pip install -q --disable-pip-version-check --target target/bench/py geotext==0.4.0
export GAZETTE_BIN OUT="$out" ROUNDS="$rounds" PYTHONPATH_GEOTEXT="$PWD/target/bench/py"

python3 - <<'PY'
import itertools, json, os, re, shutil, statistics, subprocess, sys, tempfile, time

bin_, out, rounds = os.environ["GAZETTE_BIN"], os.environ["OUT"], int(os.environ["ROUNDS"])
geopath = os.environ["PYTHONPATH_GEOTEXT"]
shared = "../shared/eval"

# -- the news corpus, three shapes --------------------------------------------------
records = []  # (id, lang, text)
for corpus, lang in [("trnews", "en"), ("gwn", "en"), ("tud-dev", "en"), ("idrisi-ar-train", "ar")]:
    with open(f"{shared}/bench/{corpus}.jsonl", encoding="utf-8") as f:
        for i, line in enumerate(f):
            r = json.loads(line)
            records.append((f"{corpus}-{r.get('id', i)}", lang, r["text"]))
dev = f"{shared}/dev/articles"
for name in sorted(os.listdir(dev)):
    text = open(os.path.join(dev, name), encoding="utf-8").read()
    m = re.match(r"^(---|\+\+\+)\n.*?\n\1\n", text, re.S)
    body = text[m.end():] if m else text
    records.append((f"dev-{name.rsplit('.', 1)[0]}", name.rsplit(".", 1)[0].rsplit("-", 1)[1], body))

def build(target_bytes):
    chosen, size = [], 0
    for n, (rid, lang, text) in enumerate(itertools.cycle(records)):
        chosen.append((f"{n:06d}-{rid}", lang, text))
        size += len(text.encode())
        if size >= target_bytes:
            return chosen, size

news, news_bytes = build(20_000_000)
paths = {k: f"{out}/news-{k}.jsonl" for k in ("nolang", "lang")}
with open(paths["nolang"], "w", encoding="utf-8") as a, open(paths["lang"], "w", encoding="utf-8") as b:
    for rid, lang, text in news:
        a.write(json.dumps({"id": rid, "text": text}, ensure_ascii=False) + "\n")
        b.write(json.dumps({"id": rid, "lang": lang, "text": text}, ensure_ascii=False) + "\n")
folder = f"{out}/news-files"
if not os.path.isdir(folder) or len(os.listdir(folder)) != len(news):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for rid, lang, text in news:
        with open(f"{folder}/{rid}.md", "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: {json.dumps(rid)}\n---\n\n{text}\n")
print(f"news: {len(news)} articles, {news_bytes / 1e6:.1f} MB of text "
      f"({sum(1 for r in news if r[1] == 'ar')} Arabic, the rest mostly English)")

# the synthetic English corpus, as before: JSON Lines for gazette, text lines for geotext
synth = subprocess.run([bin_, "corpus", "--articles", "20000", "--seed", "1"], capture_output=True, text=True, check=True).stdout
synth_jsonl, synth_bytes = f"{out}/synth-en.jsonl", 0
with open(synth_jsonl, "w", encoding="utf-8") as f:
    for line in synth.splitlines():
        a = json.loads(line)
        if a["lang"] == "en":
            f.write(line + "\n")
            synth_bytes += len(a["text"].encode())

GEOTEXT_JSONL = """
import json, sys
from geotext import GeoText
for line in open(sys.argv[1], encoding="utf-8"):
    g = GeoText(json.loads(line)["text"])
    g.cities, g.countries
"""
GEOTEXT_FILES = """
import os, sys
from geotext import GeoText
for name in sorted(os.listdir(sys.argv[1])):
    g = GeoText(open(os.path.join(sys.argv[1], name), encoding="utf-8").read())
    g.cities, g.countries
"""
def gazette(threads, *args):
    return (["env", f"RAYON_NUM_THREADS={threads}", bin_, "extract", "-q", "--format", "geojsonl", *args])
def geotext(script, arg):
    return ["env", f"PYTHONPATH={geopath}", "python3", "-c", script, arg]

rows = [  # (shape, tool, command, text bytes)
    ("news JSONL, no lang", "gazette, 2 threads", gazette(2, paths["nolang"]), news_bytes),
    ("news JSONL, no lang", "gazette, 1 thread", gazette(1, paths["nolang"]), news_bytes),
    ("news JSONL, no lang", "geotext", geotext(GEOTEXT_JSONL, paths["nolang"]), news_bytes),
    ("news JSONL, with lang", "gazette, 2 threads", gazette(2, paths["lang"]), news_bytes),
    ("news JSONL, with lang", "gazette, 1 thread", gazette(1, paths["lang"]), news_bytes),
    ("news JSONL, with lang", "geotext", geotext(GEOTEXT_JSONL, paths["lang"]), news_bytes),
    ("news folder, 1 file each", "gazette, 2 threads", gazette(2, folder), news_bytes),
    ("news folder, 1 file each", "gazette, 1 thread", gazette(1, folder), news_bytes),
    ("news folder, 1 file each", "geotext", geotext(GEOTEXT_FILES, folder), news_bytes),
    ("synthetic English JSONL", "gazette, 2 threads", gazette(2, synth_jsonl), synth_bytes),
    ("synthetic English JSONL", "gazette, 1 thread", gazette(1, synth_jsonl), synth_bytes),
    ("synthetic English JSONL", "geotext", geotext(GEOTEXT_JSONL, synth_jsonl), synth_bytes),
]

def timed(cmd):
    """Wall seconds (the clock around the process: GNU time's is in hundredths) and peak
    KB (GNU time) of one run; output thrown away."""
    with tempfile.NamedTemporaryFile("r") as t:
        t0 = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name, *cmd], stdout=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - t0
        return wall, int(t.read().split()[-1])

# warm the page cache and the binaries
for _, _, cmd, _ in rows:
    timed(cmd)
walls = {i: [] for i in range(len(rows))}
peaks = {i: 0 for i in range(len(rows))}
for r in range(rounds):
    for i, (_, _, cmd, _) in enumerate(rows):
        w, kb = timed(cmd)
        walls[i].append(max(w, 0.005))
        peaks[i] = max(peaks[i], kb)
    print(f"round {r + 1}/{rounds} done", file=sys.stderr)

print()
print("| input | tool | wall min / median | MB/s (median) | per core | peak | × geotext (median) |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for i, (shape, tool, _, size) in enumerate(rows):
    med, lo = statistics.median(walls[i]), min(walls[i])
    geo = next(j for j, row in enumerate(rows) if row[0] == shape and row[1] == "geotext")
    cores = 2 if "2 threads" in tool else 1
    ratio = statistics.median(walls[geo]) / med
    print(f"| {shape} | {tool} | {lo:.3f} / {med:.3f} s | {size / 1e6 / med:.1f} | {size / 1e6 / med / cores:.1f} "
          f"| {peaks[i] / 1024:.0f} MB | {'' if tool == 'geotext' else f'{ratio:.2f}'} |")

# -- tiny articles: what one costs beyond start-up -----------------------------------
tiny_dir, tiny_jsonl, n_tiny = f"{out}/tiny-files", f"{out}/tiny.jsonl", 20000
sentences = ["Flooding hit Kandahar on Monday.", "Talks resumed in Doha.", "فيضانات في قندهار يوم الاثنين.",
             "La réunion s'est tenue à Paris.", "Протесты прошли в Москве."]
if not os.path.isdir(tiny_dir) or len(os.listdir(tiny_dir)) != n_tiny:
    shutil.rmtree(tiny_dir, ignore_errors=True)
    os.makedirs(tiny_dir)
    for n in range(n_tiny):
        with open(f"{tiny_dir}/a{n:05d}.md", "w", encoding="utf-8") as f:
            f.write(f"---\ntitle: Brief {n}\ndate: 2024-01-{n % 28 + 1:02d}\n---\n\n{sentences[n % len(sentences)]}\n")
with open(tiny_jsonl, "w", encoding="utf-8") as f:
    for n in range(n_tiny):
        f.write(json.dumps({"id": f"a{n}", "title": f"Brief {n}", "date": f"2024-01-{n % 28 + 1:02d}",
                            "text": sentences[n % len(sentences)]}, ensure_ascii=False) + "\n")
one = f"{out}/one-tiny"
os.makedirs(one, exist_ok=True)
shutil.copy(f"{tiny_dir}/a00000.md", one)
best = lambda cmd: min(timed(cmd)[0] for _ in range(rounds))
start = best(gazette(1, one))
per_record = (best(gazette(1, tiny_jsonl)) - start) / n_tiny * 1e6
per_file = (best(gazette(1, tiny_dir)) - start) / n_tiny * 1e6
per_file2 = (best(gazette(2, tiny_dir)) - start) / n_tiny * 1e6
print()
print(f"tiny articles (one sentence, front matter with title and date), best of {rounds}, 1 thread:")
print(f"  start-up (extract of one tiny file):  {start * 1e3:.1f} ms")
print(f"  per JSON Lines record after start-up: {per_record:.1f} µs (parse, language, geoparse, event, output)")
print(f"  per file after start-up:              {per_file:.1f} µs (the same, plus finding, opening and reading"
      f" the file and its front matter; {per_file - per_record:.1f} µs more); on 2 threads {per_file2:.1f} µs")
PY
