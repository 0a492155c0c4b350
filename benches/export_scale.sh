#!/usr/bin/env bash
# Exports at scale: wall time, CPU time, peak memory and size of every export format,
# `export` over a synthetic site (benches/site_corpus.py; all events in memory, then
# written) and `extract` over the same articles as one JSON Lines feed (streamed: memory
# stays flat whatever the format). Geoparsing is in every row; the GeoJSON Lines row is
# the baseline the others add their writing to.
#
#   bash benches/export_scale.sh            # 100000 articles, on /dev/shm
#   bash benches/export_scale.sh 10000
#
# Needs /usr/bin/time (GNU) and python3. GAZETTE_BIN skips the release build.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${GAZETTE_BIN:-}" ]; then
  (cd "$repo" && cargo build --release --quiet)
  GAZETTE_BIN="$repo/target/release/gazette"
fi
n="${1:-100000}"
work="${WORK:-/dev/shm}/gazette-scale"
mkdir -p "$work"
site="$work/site-$n"
[ -f "$site/gazette.toml" ] || python3 "$repo/benches/site_corpus.py" "$n" "$site"
# every article geoparsed: without the cache a build leaves (export would read it)
rm -rf "$site/.gazette-cache"
out="$work/export-$n"
rm -rf "$out"
mkdir -p "$out"
# the same articles as one feed, for extract
python3 - "$site/articles" "$out/feed.jsonl" <<'PY'
import json, os, sys
src, dest = sys.argv[1:]
with open(dest, "w", encoding="utf-8") as f:
    for i, name in enumerate(sorted(os.listdir(src))):
        text = open(os.path.join(src, name), encoding="utf-8").read()
        f.write(json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\n")
PY

run() { # LABEL FILE CMD... -> a table row
  local label=$1 file=$2
  shift 2
  /usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@"
  read -r wall user sys kb <"$out/time.txt"
  size=$(du -h "$file" | cut -f1)
  python3 -c "print(f'| $label | {$wall:.1f} s | {$user + $sys:.1f} s | {$kb / 1024:.0f} MB | $size |')"
}

echo "| $n articles | wall | CPU | peak RSS | size |"
echo "| --- | --- | --- | --- | --- |"
for f in geojsonl geojson csv gpkg geoparquet; do
  run "export --format $f" "$out/events.$f" "$GAZETTE_BIN" export -q "$site" --format "$f" -o "$out/events.$f"
done
for f in geojsonl gpkg geoparquet; do
  run "extract feed.jsonl --format $f" "$out/feed.$f" \
    "$GAZETTE_BIN" extract -q "$out/feed.jsonl" --format "$f" -o "$out/feed.$f"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$out"
