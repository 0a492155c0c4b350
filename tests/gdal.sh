#!/usr/bin/env bash
# Checks the exports with GDAL, the library QGIS reads them through: point geometry in
# EPSG:4326, the right feature count, the right field types, and a warning-free
# conversion to GeoPackage. Usage: tests/gdal.sh path/to/gazette
set -euo pipefail
bin=${1:-target/release/gazette}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" export site -q --format geojson -o "$out/events.geojson"
"$bin" export site -q --format geojsonl -o "$out/events.geojsonl"
"$bin" export site -q --format csv -o "$out/events.csv"
n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['features']))" "$out/events.geojson")
[ "$n" -gt 0 ] || { echo "gdal: no features exported"; exit 1; }
fail=0
for f in events.geojson events.geojsonl events.csv; do
  info=$(ogrinfo -ro -al -so "$out/$f")
  for want in "Geometry: Point" "Feature Count: $n" 'ID\["EPSG",4326\]|AUTHORITY\["EPSG","4326"\]|WGS 84' \
              "event_date: Date" "mentions: Integer \(" "confidence: Real" "focus: Integer\(Boolean\)" "geonameid: Integer"; do
    if ! grep -qE "$want" <<<"$info"; then
      echo "gdal: $f: ogrinfo lacks /$want/"; fail=1
    fi
  done
done
ogr2ogr -f GPKG "$out/events.gpkg" "$out/events.geojson" 2>"$out/ogr2ogr.err"
if [ -s "$out/ogr2ogr.err" ]; then echo "gdal: ogr2ogr warned:"; cat "$out/ogr2ogr.err"; fail=1; fi
[ "$(ogrinfo -ro -so "$out/events.gpkg" events | grep -c "Feature Count: $n")" = 1 ] || { echo "gdal: gpkg count"; fail=1; }
[ $fail = 0 ] && echo "gdal: $n features; geojson, geojsonl and csv read as typed points in EPSG:4326; GPKG conversion clean"
exit $fail
