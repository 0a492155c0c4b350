#!/usr/bin/env python3
"""Convert Natural Earth country outlines from TopoJSON to gazette's compact polygon file.

Input: `countries-110m.json` of the npm package world-atlas@2 (ISC licence; the data is
Natural Earth's 1:110m Admin 0 countries, public domain). Output, on stdout, the file
`templates/static/countries.json` that `src/site/svg.rs` embeds:

    {"source": "...", "unit": 0.01, "countries": [{"id": "004", "name": "Afghanistan",
      "rings": [[x0, y0, dx1, dy1, ...], ...]}, ...]}

Each ring is a closed outer or inner boundary (see `unwrap` for the antimeridian). Coordinates are longitude (x) and latitude
(y) in units of 0.01 degree: the first point absolute, each later one as the difference
from the point before, so that the file stays small. Points that round onto the one
before are dropped. Rebuild with:

    npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python3 templates/tools/countries.py package/countries-110m.json > templates/static/countries.json
"""

import json
import sys


def decode_arcs(topo):
    """Undo TopoJSON's quantisation and delta coding: arcs as lists of (lon, lat)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indices):
    """Join a ring's arcs; a negative index ~i means arc i reversed."""
    out = []
    for i in indices:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(points if not out else points[1:])
    return out


def unwrap(points):
    """Make a ring that crosses the antimeridian continuous: longitudes may leave
    [-180, 180] (Chukotka reaches about 190), and the renderer draws such rings a second
    time shifted by 360 degrees. A ring around a pole (Antarctica) cannot be unwrapped
    and is kept as it is."""
    out = []
    offset = 0.0
    for i, (lon, lat) in enumerate(points):
        if i and abs(lon + offset - out[-1][0]) > 180:
            offset += 360 if lon + offset < out[-1][0] else -360
        out.append((lon + offset, lat))
    if abs(out[-1][0] - out[0][0]) > 180:
        return points
    return out


def encode(points):
    """Round to 0.01 degree and delta-code, dropping repeated points."""
    flat = []
    px = py = None
    for lon, lat in points:
        x, y = round(lon * 100), round(lat * 100)
        if (x, y) == (px, py):
            continue
        if px is None:
            flat += [x, y]
        else:
            flat += [x - px, y - py]
        px, py = x, y
    return flat


def main(path):
    with open(path, encoding="utf-8") as f:
        topo = json.load(f)
    arcs = decode_arcs(topo)
    countries = []
    for geom in topo["objects"]["countries"]["geometries"]:
        if geom["type"] == "Polygon":
            polygons = [geom["arcs"]]
        elif geom["type"] == "MultiPolygon":
            polygons = geom["arcs"]
        else:
            continue
        rings = [encode(unwrap(ring(arcs, r))) for polygon in polygons for r in polygon]
        rings = [r for r in rings if len(r) >= 6]
        name = geom.get("properties", {}).get("name", "")
        countries.append({"id": geom.get("id", ""), "name": name, "rings": rings})
    countries.sort(key=lambda c: (c["name"], c["id"]))
    doc = {
        "source": "Natural Earth 1:110m Admin 0 countries (public domain), via world-atlas@2",
        "unit": 0.01,
        "countries": countries,
    }
    json.dump(doc, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
