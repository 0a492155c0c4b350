#!/usr/bin/env bash
# gazette build at scale: wall time, CPU time and peak memory of a first build (every
# article geoparsed) and of a second one (all from .gazette-cache), and the output's
# size, for synthetic sites written by benches/site_corpus.py.
#
#   bash benches/site_scale.sh                 # 1000 10000 100000 articles, on /dev/shm
#   WORK=/tmp bash benches/site_scale.sh 10000 # on disk
#
# Needs /usr/bin/time (GNU) and python3. GAZETTE_BIN skips the release build. Build on
# tmpfs for figures that measure gazette rather than the disk (see PERFORMANCE.md), and
# mind the load average printed beside each row: on a shared machine, wall time is CPU
# time over the cores this process actually got.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${GAZETTE_BIN:-}" ]; then
  (cd "$repo" && cargo build --release --quiet)
  GAZETTE_BIN="$repo/target/release/gazette"
fi
work="${WORK:-/dev/shm}/gazette-scale"
mkdir -p "$work"
[ $# -gt 0 ] || set -- 1000 10000 100000

measure() { # SITE OUT -> "wall cpu peak_MB"
  /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$GAZETTE_BIN" build "$1" -o "$2" --quiet
  read -r wall user sys kb <"$work/time.txt"
  python3 -c "print(f'{$wall:.1f} s | {$user + $sys:.1f} s | {$kb / 1024:.0f} MB', end='')"
}

echo "| articles | first build: wall | CPU | peak RSS | second build: wall | CPU | peak RSS | files | output | load |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for n in "$@"; do
  site="$work/site-$n"
  [ -f "$site/gazette.toml" ] || python3 "$repo/benches/site_corpus.py" "$n" "$site"
  rm -rf "$site/.gazette-cache" "$work/out-$n"
  first="$(measure "$site" "$work/out-$n")"
  second="$(measure "$site" "$work/out-$n")"
  files="$(find "$work/out-$n" -type f | wc -l)"
  size="$(du -sh "$work/out-$n" | cut -f1)"
  load="$(cut -d' ' -f1 /proc/loadavg)"
  echo "| $n | $first | $second | $files | $size | $load |"
done
