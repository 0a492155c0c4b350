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
# gazette's own GeoPackage: three layers, typed fields, R-tree indexes, the same features
"$bin" export site -q --format gpkg -o "$out/own.gpkg"
ogrinfo -ro -al -so "$out/own.gpkg" >"$out/own.txt" 2>"$out/own.err"
if [ -s "$out/own.err" ]; then echo "gdal: ogrinfo warned on gazette's GeoPackage:"; cat "$out/own.err"; fail=1; fi
info=$(ogrinfo -ro -so "$out/own.gpkg" events)
for want in "Geometry: Point" "Feature Count: $n" 'ID\["EPSG",4326\]' "event_date: Date" "mentions: Integer \(" \
            "confidence: Real" "focus: Integer\(Boolean\)" "geonameid: Integer \(" "article_id: Integer64" "DESCRIPTION=One point"; do
  grep -qE "$want" <<<"$info" || { echo "gdal: own.gpkg events: ogrinfo lacks /$want/"; fail=1; }
done
places=$(python3 -c "import json,sys; print(len({f['properties']['geonameid'] or f['properties']['place'] for f in json.load(open(sys.argv[1]))['features']}))" "$out/events.geojson")
articles=$(python3 -c "import json,sys; print(len({f['properties']['article'] for f in json.load(open(sys.argv[1]))['features']}))" "$out/events.geojson")
info=$(ogrinfo -ro -so "$out/own.gpkg" places)
for want in "Geometry: Point" "Feature Count: $places" "first_date: Date" "events: Integer64"; do
  grep -qE "$want" <<<"$info" || { echo "gdal: own.gpkg places: ogrinfo lacks /$want/"; fail=1; }
done
ogrinfo -ro -so "$out/own.gpkg" articles | grep -qE "Feature Count: ([0-9]+)" || { echo "gdal: no articles table"; fail=1; }
[ "$(ogrinfo -ro -so "$out/own.gpkg" articles | grep -oE 'Feature Count: [0-9]+')" = "Feature Count: $articles" ] ||
  { echo "gdal: own.gpkg has not $articles articles"; fail=1; }
# extract writes the same GeoPackage, streaming, keyed by path
"$bin" extract -q site/articles --format gpkg -o "$out/extract.gpkg"
[ "$(ogrinfo -ro -so "$out/extract.gpkg" events | grep -c "Feature Count: $n")" = 1 ] ||
  { echo "gdal: extract's GeoPackage has not $n events"; fail=1; }
for layer in events places; do
  si=$(ogrinfo -ro "$out/own.gpkg" -sql "SELECT HasSpatialIndex('$layer','geom') AS si" | grep -oE '\(Integer\) = [01]')
  [ "$si" = "(Integer) = 1" ] || { echo "gdal: $layer has no spatial index ($si)"; fail=1; }
done
# the events joined to their articles, as QGIS would join them
joined=$(ogrinfo -ro "$out/own.gpkg" -sql "SELECT COUNT(*) AS n FROM events e JOIN articles a ON e.article_id = a.article_id WHERE e.article = a.article" | grep -oE 'n \(Integer(64)?\) = [0-9]+' | grep -oE '[0-9]+$')
[ "$joined" = "$n" ] || { echo "gdal: events join articles: $joined"; fail=1; }
# round trip: the GeoPackage's events back to GeoJSON are the GeoJSON export's features
ogr2ogr -f GeoJSON "$out/back.geojson" "$out/own.gpkg" events 2>"$out/back.err"
if [ -s "$out/back.err" ]; then echo "gdal: ogr2ogr warned:"; cat "$out/back.err"; fail=1; fi
python3 - "$out/events.geojson" "$out/back.geojson" <<'PY' || fail=1
import json, sys
def feats(path):
    out = {}
    for f in json.load(open(path))["features"]:
        p = dict(f["properties"])
        fid = p.pop("id") if "id" in p else f["id"]
        p.pop("article_id", None)
        p["focus"] = bool(p["focus"])
        x, y = f["geometry"]["coordinates"]
        out[fid] = (round(x, 6), round(y, 6), sorted(p.items(), key=lambda kv: kv[0]))
    return out
a, b = feats(sys.argv[1]), feats(sys.argv[2])
bad = [k for k in a if a[k] != b.get(k)] + [k for k in b if k not in a]
if bad:
    k = bad[0]
    print("gdal: the GeoPackage round trip differs at", k, a.get(k), b.get(k))
    sys.exit(1)
PY
[ $fail = 0 ] && echo "gdal: $n features; geojson, geojsonl and csv read as typed points in EPSG:4326; GPKG conversion clean; gazette's GeoPackage: $n events, $places places, $articles articles, R-tree indexes, same features back"
exit $fail
