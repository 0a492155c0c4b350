"""GeoParquet as data teams read it: pyarrow and GeoPandas open gazette's file, the `geo`
metadata follows GeoParquet 1.1, the CRS is OGC:CRS84 (EPSG:4326 in lon/lat order), and
every row equals the GeoJSON export's feature with the same id, field by field.

Usage: python3 tests/geoparquet.py path/to/gazette   (from the repository root)
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile

import geopandas
import pyarrow as pa
import pyarrow.parquet as pq

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/gazette"
ROW_GROUP = 128 * 1024
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print(f"geoparquet: FAIL {what}", file=sys.stderr)


def gazette(*args, stdin=None):
    subprocess.run([BIN, "-q", *args], check=True, stdin=stdin)


def geojson_features(path, lines=False):
    with open(path, encoding="utf-8") as f:
        feats = [json.loads(l) for l in f if l.strip()] if lines else json.load(f)["features"]
    return {f["id"]: f for f in feats}


def compare(name, parquet, features):
    """The file's metadata, schema and rows against the GeoJSON features."""
    meta = pq.read_metadata(parquet)
    geo = json.loads(meta.metadata[b"geo"])
    col = geo["columns"]["geometry"]
    check(geo["version"] == "1.1.0" and geo["primary_column"] == "geometry", f"{name}: geo version/primary column")
    check(col["encoding"] == "WKB" and col["geometry_types"] == ["Point"], f"{name}: encoding or geometry types")
    check(col["covering"]["bbox"] == {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")}, f"{name}: covering")
    check(col["crs"]["id"] == {"authority": "OGC", "code": "CRS84"}, f"{name}: crs id")
    coords = [f["geometry"]["coordinates"] for f in features.values()]
    want_bbox = [min(c[0] for c in coords), min(c[1] for c in coords), max(c[0] for c in coords), max(c[1] for c in coords)]
    check(col["bbox"] == want_bbox, f"{name}: file bbox {col['bbox']} != {want_bbox}")
    check(meta.num_rows == len(features), f"{name}: {meta.num_rows} rows, GeoJSON has {len(features)}")
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        check(rg.num_rows <= ROW_GROUP, f"{name}: row group {g} has {rg.num_rows} rows")
        check(all(rg.column(c).compression == "ZSTD" for c in range(rg.num_columns)), f"{name}: not zstd")

    schema = pq.read_schema(parquet)
    for field, want in [
        ("event_date", pa.date32()),
        ("geonameid", pa.int32()),
        ("population", pa.int64()),
        ("mentions", pa.int32()),
        ("focus", pa.bool_()),
        ("confidence", pa.float64()),
        ("title", pa.string()),
        ("geometry", pa.binary()),
    ]:
        check(schema.field(field).type == want, f"{name}: {field} is {schema.field(field).type}, not {want}")

    df = geopandas.read_parquet(parquet)
    check(df.crs is not None and df.crs.equals("OGC:CRS84"), f"{name}: CRS {df.crs} is not OGC:CRS84")
    check(df.crs is not None and df.crs.equals("EPSG:4326", ignore_axis_order=True), f"{name}: CRS is not EPSG:4326")
    check(df.crs.to_authority() == ("OGC", "CRS84"), f"{name}: CRS authority {df.crs.to_authority()}")
    table = pq.read_table(parquet)
    seen = set()
    for row, geom in zip(table.to_pylist(), df.geometry):
        fid = row.pop("id")
        seen.add(fid)
        f = features.get(fid)
        if f is None:
            check(False, f"{name}: row {fid} is not a GeoJSON feature")
            continue
        lon, lat = f["geometry"]["coordinates"]
        check((geom.x, geom.y) == (lon, lat), f"{name}: {fid} at {(geom.x, geom.y)}, GeoJSON {(lon, lat)}")
        check(row.pop("bbox") == {"xmin": lon, "ymin": lat, "xmax": lon, "ymax": lat}, f"{name}: {fid} bbox")
        row.pop("geometry")
        if isinstance(row["event_date"], datetime.date):
            row["event_date"] = row["event_date"].isoformat()
        props = f["properties"]
        for key in sorted(set(row) | set(props)):
            check(row.get(key, "MISSING") == props.get(key, "MISSING"),
                  f"{name}: {fid}.{key}: parquet {row.get(key, 'MISSING')!r} != geojson {props.get(key, 'MISSING')!r}")
    check(seen == set(features), f"{name}: ids differ ({len(seen ^ set(features))})")


with tempfile.TemporaryDirectory() as out:
    p = lambda n: os.path.join(out, n)
    # export: a site, keyed by slug
    gazette("export", "site", "--format", "geojson", "-o", p("export.geojson"))
    gazette("export", "site", "--format", "geoparquet", "-o", p("export.parquet"))
    compare("export", p("export.parquet"), geojson_features(p("export.geojson")))
    # extract: the same articles, keyed by path
    gazette("extract", "site/articles", "--format", "geojson", "-o", p("extract.geojson"))
    gazette("extract", "site/articles", "--format", "geoparquet", "-o", p("extract.parquet"))
    compare("extract", p("extract.parquet"), geojson_features(p("extract.geojson")))
    # a stream long enough for several batches and two row groups
    with open(p("feed.jsonl"), "wb") as feed:
        subprocess.run([BIN, "corpus", "--articles", "30000"], check=True, stdout=feed)
    with open(p("feed.jsonl"), "rb") as feed:
        gazette("extract", "-", "--format", "geojsonl", "-o", p("stream.geojsonl"), stdin=feed)
    with open(p("feed.jsonl"), "rb") as feed:
        gazette("extract", "-", "--format", "geoparquet", "-o", p("stream.parquet"), stdin=feed)
    stream = geojson_features(p("stream.geojsonl"), lines=True)
    meta = pq.read_metadata(p("stream.parquet"))
    check(len(stream) > ROW_GROUP, f"stream: only {len(stream)} features, fewer than a row group")
    check(meta.num_row_groups >= 2 and meta.row_group(0).num_rows == ROW_GROUP,
          f"stream: row groups {[meta.row_group(g).num_rows for g in range(meta.num_row_groups)]}")
    compare("stream", p("stream.parquet"), stream)
    print(f"geoparquet: export {pq.read_metadata(p('export.parquet')).num_rows} rows, "
          f"extract {pq.read_metadata(p('extract.parquet')).num_rows}, stream {meta.num_rows} rows "
          f"in {meta.num_row_groups} row groups; {len(failures)} failures")

sys.exit(1 if failures else 0)
