#!/usr/bin/env bash
# The headline speed figure: `gazette extract` as users run it (the whole process, no
# `lang` hint) on real news: the texts of the four public corpora in ../shared/eval/bench
# (TR-News, GeoWebNews, TUD-Loc dev, IDRISI-D Arabic tweets), in turn, to about 20 MB of
# JSON Lines. Prints hyperfine's figures on 2 threads and on 1, and peak memory (GNU time).
#
#   bash benches/news.sh [BIN...]       # default: target/release/gazette
#
# Give two or more binaries to compare builds in the same minutes (this machine varies by
# up to 20% from minute to minute). Installs hyperfine (apt) if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=../shared/eval/bench
out=target/bench
mkdir -p "$out"
[ $# -gt 0 ] || { cargo build --release --quiet; set -- target/release/gazette; }
command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
python3 - "$bench" "$out/news.jsonl" <<'PY'
import json, sys, itertools
bench, out = sys.argv[1], sys.argv[2]
corpora = ["trnews", "gwn", "tud-dev", "idrisi-ar-train"]
records = []
for c in corpora:
    with open(f"{bench}/{c}.jsonl", encoding="utf-8") as f:
        for i, line in enumerate(f):
            r = json.loads(line)
            records.append((f"{c}-{r.get('id', i)}", r["text"]))
size = 0
with open(out, "w", encoding="utf-8") as f:
    for n, (rid, text) in enumerate(itertools.cycle(records)):
        line = json.dumps({"id": f"{n}-{rid}", "text": text}, ensure_ascii=False) + "\n"
        f.write(line)
        size += len(line.encode())
        if size >= 20_000_000:
            break
print(f"news: {size / 1e6:.1f} MB, {n + 1} records", file=sys.stderr)
PY
for threads in 2 1; do
  cmds=()
  for b in "$@"; do cmds+=("$b extract -q --format geojsonl $out/news.jsonl"); done
  echo "== $threads thread(s)"
  RAYON_NUM_THREADS=$threads hyperfine -N -w 2 -r 15 "${cmds[@]}"
done
for b in "$@"; do
  /usr/bin/time -f "$b: peak %M KB" "$b" extract -q --format geojsonl "$out/news.jsonl" > /dev/null
done
