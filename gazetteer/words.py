#!/usr/bin/env python3
"""Build gazetteer/common_words.tsv.gz: how common each everyday word is.

    python3 gazetteer/words.py

The geoparser uses these frequencies to tell a word from a place that shares
its spelling: `Farmers` at the start of a sentence is the word, not Farmers in
Michigan; `باكراً` ("early") is one word, not `ب` + `أكرا` (Accra).

Source: the `wordfreq` package (PyPI, pinned in build.py with its SHA-256),
whose word lists are CC BY-SA 4.0. Its msgpack files are read with the
pure-Python decoder of the `msgpack` source package, imported from the
unpacked archive; nothing gets installed.

Output: UTF-8 TSV with a header `lang, word, zipf`, sorted by lang then word.
`zipf` is the Zipf frequency times 10 (an integer: 50 = once per 100,000
words). Kept: words with Zipf >= 3.0 (>= 2.5 in Arabic-script languages,
where proclitics are glued to words and the peeling test needs the rarer
forms too). Latin and Cyrillic words below Zipf 4.0 are kept only if,
lower-cased and with accents removed, they are also a gazetteer name, since
only those can be mistaken for one; the everyday words at or above it are all
kept, so that the geoparser can tell "Police" or "Council" in a capitalised
run from a surname. Deterministic: gzip with mtime=0 and no file name.
"""

import gzip
import io
import os
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build  # noqa: E402  (shares the pinned sources and fetch())

HERE = Path(__file__).resolve().parent
OUT = HERE / "common_words.tsv.gz"

# language -> (wordfreq list, minimum Zipf)
LANGS = {
    "ar": ("large", 2.5), "fa": ("small", 2.5), "ur": ("small", 2.5),
    "en": ("large", 3.0), "fr": ("large", 3.0), "es": ("large", 3.0),
    "ru": ("large", 3.0), "de": ("large", 3.0), "tr": ("small", 3.0),
}
ARABIC_SCRIPT = {"ar", "fa", "ur"}


def fold(s):
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(c for c in s if not unicodedata.combining(c))


def gazetteer_words():
    """Every single-word name in places.tsv.gz, folded."""
    words = set()
    with gzip.open(build.OUT, "rt", encoding="utf-8") as f:
        next(f)
        for line in f:
            for item in line.rstrip("\n").split("\t")[11].split("|"):
                name = item.partition(":")[2]
                if name and " " not in name and "-" not in name:
                    words.add(fold(name))
    return words


def main():
    os.environ["MSGPACK_PUREPYTHON"] = "1"
    wf = build.fetch("wordfreq") / "wordfreq" / "data"
    mp = build.fetch("msgpack") / "msgpack-1.1.1"
    sys.path.insert(0, str(mp))
    import msgpack  # noqa: E402  (pure-Python fallback from the pinned sdist)

    names = gazetteer_words()
    rows = []
    for lang, (size, min_zipf) in sorted(LANGS.items()):
        with gzip.open(wf / f"{size}_{lang}.msgpack.gz") as f:
            data = msgpack.unpack(f, raw=False)
        assert data[0].get("format") == "cB", data[0]
        kept = 0
        for i, bucket in enumerate(data[1:]):
            zipf = 9.0 - i / 100.0  # bucket i holds words at -i centibels
            if zipf < min_zipf:
                break
            for w in bucket:
                if "\t" in w or "\n" in w or not any(c.isalpha() for c in w):
                    continue
                if lang not in ARABIC_SCRIPT and zipf < 4.0 and fold(w) not in names:
                    continue
                rows.append((lang, w, round(zipf * 10)))
                kept += 1
        build.log(f"  {lang}: {kept} words")
    rows.sort()
    buf = io.StringIO()
    buf.write("lang\tword\tzipf\n")
    for lang, w, z in rows:
        buf.write(f"{lang}\t{w}\t{z}\n")
    with open(OUT, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            gz.write(buf.getvalue().encode("utf-8"))
    build.log(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(rows)} words)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
