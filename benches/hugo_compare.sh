#!/usr/bin/env bash
# gazette build beside Hugo: the same N synthetic articles (benches/site_corpus.py) built
# by `gazette build` and, as a plain Hugo site, by `hugo`, each twice and alternately
# (gazette with a cold .gazette-cache, Hugo, gazette again from its cache, Hugo again),
# with wall time, CPU time (user + system) and peak resident memory from GNU time, and
# the files written and their size. It prints one Markdown table per N, one row per tool
# and round, and the wall-time ratio Hugo / gazette (the faster of the two rounds each).
#
#   bash benches/hugo_compare.sh                  # 100000 articles, on /dev/shm
#   bash benches/hugo_compare.sh 1000 10000       # smaller sites
#   WORK=/tmp bash benches/hugo_compare.sh 10000  # on disk
#
# The Hugo site is benches/hugo/: hugo.toml and minimal templates (layouts/), one page
# per article (title, date, tags linking to their tag pages, the body), a page per tag
# and a list of all tags, the home page and the posts section listing every article
# newest first, and home, section and tag lists paginated by 100. RSS feeds, the sitemap,
# robots.txt and the 404 page are switched off, so Hugo writes only those HTML pages (and
# its page/1/ redirects); gazette writes more (place pages, maps, downloads), so the
# comparison leans Hugo's way. The script copies benches/hugo/ into
# $WORK/gazette-hugo/hugo-N/ and links content/posts to the gazette site's articles/
# folder (Hugo follows a symlinked content folder). The articles are read as written:
# site_corpus.py writes TOML front matter (`+++`, title, date as a TOML local date, lang,
# source, tags), which Hugo reads unchanged (lang and source become .Params).
#
# Needs /usr/bin/time (GNU), python3 and Hugo (installed with apt-get when missing; the
# Debian 12 package is Hugo 0.111, which reads hugo.toml and the `paginate` setting).
# GAZETTE_BIN skips the release build. Both tools use every core; Hugo and gazette's
# outputs are removed before each build, outside the measurement. Build on tmpfs for
# figures that measure the tools rather than the disk, and mind the load average printed
# beside each row: on a shared machine, wall time is CPU time over the cores this process
# actually got.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_install() { # PACKAGE
  $sudo apt-get install -y -qq "$1" >/dev/null ||
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq "$1" >/dev/null; }
}
command -v hugo >/dev/null || apt_install hugo
[ -x /usr/bin/time ] || apt_install time
if [ -z "${GAZETTE_BIN:-}" ]; then
  (cd "$repo" && cargo build --release --quiet)
  GAZETTE_BIN="$repo/target/release/gazette"
fi
work="${WORK:-/dev/shm}/gazette-hugo"
mkdir -p "$work"
[ $# -gt 0 ] || set -- 100000

row() { # N ROUND TOOL OUT: one table row from $work/time.txt and the output folder
  local wall user sys kb files size load
  read -r wall user sys kb <"$work/time.txt"
  files="$(find "$4" -type f | wc -l)"
  size="$(du -sh "$4" | cut -f1)"
  load="$(cut -d' ' -f1 /proc/loadavg)"
  python3 -c "print(f'| $1 | $2 | $3 | {$wall:.2f} s | {$user + $sys:.1f} s | {$kb / 1024:.0f} MB | $files | $size | $load |')"
  echo "$wall" >>"$work/wall-$3.txt"
}

echo "$(hugo version)"
echo "gazette: $GAZETTE_BIN"
for n in "$@"; do
  site="$work/site-$n" hugo_site="$work/hugo-$n"
  [ -f "$site/gazette.toml" ] || python3 "$repo/benches/site_corpus.py" "$n" "$site"
  # The Hugo project: this repository's config and templates, the gazette site's articles.
  rm -rf "$hugo_site"
  mkdir -p "$hugo_site/content"
  cp -r "$repo/benches/hugo/." "$hugo_site/"
  ln -s "$site/articles" "$hugo_site/content/posts"
  rm -f "$work/wall-gazette.txt" "$work/wall-hugo.txt"
  rm -rf "$site/.gazette-cache"
  echo
  echo "### $n articles"
  echo
  echo "| articles | round | tool | wall | CPU | peak RSS | files | output | load |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for round in 1 2; do
    rm -rf "$work/gazette-out-$n"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
      "$GAZETTE_BIN" build "$site" -o "$work/gazette-out-$n" --quiet
    row "$n" "$round" gazette "$work/gazette-out-$n"
    rm -rf "$work/hugo-out-$n"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
      hugo --quiet -s "$hugo_site" -d "$work/hugo-out-$n"
    row "$n" "$round" hugo "$work/hugo-out-$n"
  done
  pages="$(find "$work/hugo-out-$n/posts" -mindepth 2 -maxdepth 2 -name index.html | grep -cv '/posts/page/' || true)"
  [ "$pages" -eq "$n" ] || echo "warning: Hugo wrote $pages article pages, not $n" >&2
  python3 - "$work/wall-gazette.txt" "$work/wall-hugo.txt" <<'EOF'
import sys
g, h = (min(float(x) for x in open(p)) for p in sys.argv[1:])
print(f"\nHugo / gazette wall time (faster round each): {h:.2f} s / {g:.2f} s = {h / g:.2f}x")
EOF
done
