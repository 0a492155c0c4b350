#!/usr/bin/env bash
# The index page of a big site in headless Chromium: time to interactive and time per
# timeline step (tests/browser/index_load.mjs).
#
#   bash benches/index_scale.sh [N]     # default 100000 synthetic articles
#
# Needs what tests/browser/run.sh needs; run that once first (npm ci, and Node 20 in
# tests/browser/.node when the system Node is older).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
n=${1:-100000}
[ -n "${GAZETTE_BIN:-}" ] || { (cd "$repo" && cargo build --release --quiet); GAZETTE_BIN="$repo/target/release/gazette"; }
work="${WORK:-/dev/shm}/gazette-index"
mkdir -p "$work"
site="$work/site-$n"
[ -f "$site/gazette.toml" ] || python3 "$repo/benches/site_corpus.py" "$n" "$site"
# no tile server and Leaflet from node_modules: nothing leaves the machine
python3 - "$site/gazette.toml" "$repo/tests/browser/node_modules/leaflet/dist" <<'PY'
import re, sys
path, leaflet = sys.argv[1], sys.argv[2]
text = re.sub(r'(?m)^leaflet\s*=.*\n', '', open(path, encoding="utf-8").read())
text = re.sub(r'(?m)^tiles\s*=.*$', 'tiles = "none"\nleaflet = "%s"' % leaflet, text)
open(path, "w", encoding="utf-8").write(text)
PY
"$GAZETTE_BIN" build "$site" -o "$work/www/repo" --quiet
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server=$!
trap 'kill $server' EXIT
sleep 1
for d in "$repo"/tests/browser/.node/node_modules/node-linux-*/bin; do if [ -d "$d" ]; then PATH="$d:$PATH"; fi; done
(cd "$repo/tests/browser" && node index_load.mjs "http://127.0.0.1:$port/repo/")
