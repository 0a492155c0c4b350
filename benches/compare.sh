#!/usr/bin/env bash
# Side by side on one English corpus: gazette extract (1 and 2 threads), the geotext
# package (PyPI) and `rg -F` over the gazetteer's Latin-script names, as a raw-matching
# reference. Prints one line per tool: MB/s, articles/s, peak memory.
#
#   bash benches/compare.sh [ARTICLES]      # default 20000 generated articles (en share)
#
# Installs what it lacks: ripgrep (apt) and geotext 0.4.0 (pip, into target/bench/py).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20000}
out=target/bench
mkdir -p "$out"
cargo build --release --quiet
bin=target/release/gazette
if ! command -v rg >/dev/null; then
  apt-get install -y -qq ripgrep >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null; }
fi
[ -d "$out/py/geotext" ] || python3 -m pip install -q --disable-pip-version-check --target "$out/py" geotext==0.4.0

# The English articles of the synthetic corpus, as JSON Lines (gazette) and as one
# article per line of plain text (geotext, rg).
"$bin" corpus --articles "$n" --seed 1 | python3 -c '
import json, sys
with open(sys.argv[1], "w") as jl, open(sys.argv[2], "w") as txt:
    for line in sys.stdin:
        a = json.loads(line)
        if a["lang"] == "en":
            jl.write(line)
            txt.write(a["title"] + ". " + " ".join(a["text"].split()) + "\n")
' "$out/en.jsonl" "$out/en.txt"
# Every single- or multi-word Latin-script gazetteer name of 3+ letters.
python3 -c '
import gzip, sys
names = set()
with gzip.open("gazetteer/places.tsv.gz", "rt", encoding="utf-8") as f:
    next(f)
    for line in f:
        for item in line.rstrip("\n").split("\t")[11].split("|"):
            n = item.partition(":")[2]
            if len(n) >= 3 and all(c.isascii() for c in n):
                names.add(n)
sys.stdout.write("\n".join(sorted(names)) + "\n")
' > "$out/names.txt"

mb=$(python3 -c "import os; print(os.path.getsize('$out/en.txt') / 1e6)")
arts=$(wc -l < "$out/en.txt")
measure() { # label, command...  (each run gets at most 300 s)
  local label=$1; shift
  if ! /usr/bin/time -f "%e %M" -o "$out/time.txt" timeout 300 "$@" > /dev/null; then
    echo "$label: did not finish in 300 s ($(tail -1 "$out/time.txt"))"
    return
  fi
  read -r secs kb < "$out/time.txt"
  python3 -c "
s = max($secs, 0.01)
print(f'{\"$label\":<28} {$mb / s:8.1f} MB/s {$arts / s:10.0f} articles/s {$kb / 1024:8.0f} MB peak  ({s:.2f} s)')"
}
echo "corpus: $arts English articles, $mb MB of text; $(wc -l < "$out/names.txt") names for rg"
measure "gazette extract, 1 thread" env RAYON_NUM_THREADS=1 "$bin" extract -q --format geojsonl "$out/en.jsonl"
measure "gazette extract, 2 threads" env RAYON_NUM_THREADS=2 "$bin" extract -q --format geojsonl "$out/en.jsonl"
measure "geotext 0.4.0" env PYTHONPATH="$out/py" python3 -c '
import sys
from geotext import GeoText
for line in open(sys.argv[1], encoding="utf-8"):
    g = GeoText(line)
    g.cities, g.countries
' "$out/en.txt"
measure "rg -F -w (names only)" rg -F -w -o --regex-size-limit 4G --dfa-size-limit 4G -f "$out/names.txt" "$out/en.txt"
