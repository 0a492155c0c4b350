#!/usr/bin/env python3
"""Fit gazette's confidence model, and print its reliability table.

    python3 benches/calibrate.py [--check] [GAZETTE_BIN]

Runs `gazette extract --format mentions --explain --min-confidence 0 --demonyms` over the
evaluation corpora beside the repository (../shared/eval: the four public
corpora and the dev articles; never copied here), labels every mention right or
wrong, fits a logistic model from the features gazette prints (the `features`
of each mention) to that label, and prints:

- the weights, as the Rust constants `PLACE_WEIGHTS` and `DEMONYM_WEIGHTS` of
  src/geoparse/confidence.rs (a model for place names, one for demonyms);
- the reliability table of the confidence the *binary* gives (so after pasting
  the weights and rebuilding, the table shows the model as shipped): for each
  band of confidence, the share of its mentions that are right, per corpus and
  as the mean over the corpora (each weighing the same, as in the fit).

A mention is right when it overlaps a gold toponym and its point lies within
161 km of it (the public corpora, as bench_score.py counts them; mentions on
spans a corpus ignores are left out), or when its point is inside the
tolerance of one of the article's gold places (the dev articles, as score.py
counts them; points near an 'optional' place are left out). Each corpus weighs
the same in the fit, however many mentions it has, so that no corpus's
annotation conventions decide alone. With --check it exits 1 when a band with
50 or more mentions is off by more than 0.2 (the model is then stale, or the
features no longer tell what they did).
Pure Python, no dependencies.
"""
import json, math, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(ROOT, "..", "shared", "eval")
CORPORA = ["trnews", "gwn", "tud-dev", "idrisi-ar-train"]
# what each model reads, in the order of src/geoparse/confidence.rs (Features::place, ::demonym)
PLACE = ["share", "margin", "well_known", "explicit", "own_name", "multi_word", "hashtag_part",
         "hashtag", "uncased", "inflected", "country", ("hashtag", "uncased"), ("well_known", "uncased")]
DEMONYM = ["people", "uncased", "hashtag_part", "hashtag"]


def km(la1, lo1, la2, lo2):
    p1, p2 = math.radians(la1), math.radians(la2)
    dp, dl = p2 - p1, math.radians(lo2 - lo1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1, math.sqrt(h)))


def mentions(binary, files):
    cmd = [binary, "extract", "-q", "--format", "mentions", "--explain", "--min-confidence", "0", "--demonyms"]
    r = subprocess.run(cmd + files, capture_output=True, text=True, check=True)
    out = {}
    for line in r.stdout.splitlines():
        m = json.loads(line)
        out.setdefault(os.path.basename(m["article"]), []).append(m)
    return out


def bench(binary, corpus):
    """(features, right, confidence) of every scored mention of a public corpus."""
    docs = [json.loads(l) for l in open(os.path.join(SHARED, "bench", corpus + ".jsonl"), encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for d in docs:
            p = os.path.join(tmp, f"{d['id']}.txt")
            with open(p, "w", encoding="utf-8") as f:
                f.write(d["text"])
            paths[os.path.basename(p)] = d
        found = mentions(binary, [os.path.join(tmp, n) for n in sorted(paths)])
    rows = []
    for name, d in paths.items():
        for m in found.get(name, []):
            over = [t for t in d["toponyms"] if m["start"] < t["end"] and t["start"] < m["end"]]
            if not over and any(m["start"] < e and s < m["end"] for s, e in d.get("ignore", [])):
                continue
            right = any(km(m["lat"], m["lon"], t["lat"], t["lon"]) <= 161 for t in over)
            rows.append((m["features"], right, m["confidence"], m["kind"]))
    return rows


def dev(binary):
    gold = json.load(open(os.path.join(SHARED, "dev", "gold.json"), encoding="utf-8"))
    art = os.path.join(SHARED, "dev", "articles")
    found = mentions(binary, [os.path.join(art, n) for n in sorted(gold)])
    rows = []
    for name, g in gold.items():
        for m in found.get(name, []):
            near = lambda places: any(km(m["lat"], m["lon"], la, lo) <= tol for _, la, lo, tol in places)
            if near(g["gold"]):
                rows.append((m["features"], True, m["confidence"], m["kind"]))
            elif not near(g.get("optional", [])):
                rows.append((m["features"], False, m["confidence"], m["kind"]))
    return rows


def values(f, names):
    return [f[k] if isinstance(k, str) else f[k[0]] * f[k[1]] for k in names]


def fit(sets, names, iterations=60, ridge=1e-3):
    """Logistic regression by Newton's method (IRLS), each set weighted to the same total."""
    data = []
    for rows in sets.values():
        w = 1.0 / max(len(rows), 1)
        data += [([1.0] + values(f, names), 1.0 if right else 0.0, w) for f, right, _, _ in rows]
    n = len(names) + 1
    beta = [0.0] * n
    for _ in range(iterations):
        grad = [0.0] * n
        hess = [[0.0] * n for _ in range(n)]
        for x, y, w in data:
            z = sum(b * v for b, v in zip(beta, x))
            p = 1.0 / (1.0 + math.exp(-max(min(z, 30), -30)))
            for i in range(n):
                grad[i] += w * (y - p) * x[i]
                for j in range(n):
                    hess[i][j] += w * p * (1 - p) * x[i] * x[j]
        for i in range(n):
            grad[i] -= ridge * beta[i]
            hess[i][i] += ridge
        step = solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step)]
        if max(abs(s) for s in step) < 1e-9:
            break
    return beta


def solve(a, b):
    """Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        if abs(m[c][c]) < 1e-12:
            continue
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-12 else 0.0 for i in range(n)]


def table(sets):
    """Reliability: per band of the binary's confidence, the share of mentions right (and
    how many), per corpus and over all of them with each corpus weighing the same, as in
    the fit (a corpus with fewer than 10 mentions in a band is left out of that mean)."""
    bands = [(i / 10, (i + 1) / 10) for i in range(10)]
    names = list(sets)
    print("| confidence | all (corpora weigh the same) | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * (len(names) + 1))
    stale = False
    for lo, hi in bands:
        cells, shares, total = [], [], 0
        for n in names:
            band = [r for r in sets[n] if lo <= r[2] < hi or (hi == 1.0 and r[2] == 1.0)]
            total += len(band)
            if not band:
                cells.append("–")
                continue
            right = sum(1 for r in band if r[1]) / len(band)
            cells.append(f"{right:.2f} ({len(band)})")
            if len(band) >= 10:
                shares.append(right)
        mean = sum(shares) / len(shares) if shares else None
        if mean is not None and total >= 50 and abs(mean - (lo + hi) / 2) > 0.2:
            stale = True
        first = f"{mean:.2f} ({total})" if mean is not None else f"– ({total})"
        print(f"| {lo:.1f}–{hi:.1f} | {first} | " + " | ".join(cells) + " |")
    return stale


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    binary = args[0] if args else os.path.join(ROOT, "target", "release", "gazette")
    sets = {c: bench(binary, c) for c in CORPORA}
    sets["dev"] = dev(binary)
    for const, kind, names in [("PLACE_WEIGHTS", "place", PLACE), ("DEMONYM_WEIGHTS", "demonym", DEMONYM)]:
        beta = fit({n: [r for r in rows if r[3] == kind] for n, rows in sets.items()}, names)
        label = ", ".join(k if isinstance(k, str) else "*".join(k) for k in names)
        print(f"{kind} weights (bias, then {label}):")
        print("pub const %s: [f64; %d] = [%s];" % (const, len(beta), ", ".join(f"{b:.3f}" for b in beta)))
    print()
    print("reliability of the binary's confidence over place names (what outputs show by default;")
    print("demonyms, shown only with --demonyms, are right in one corpus and wrong in another):")
    stale = table({n: [r for r in rows if r[3] == "place"] for n, rows in sets.items()})
    if "--check" in sys.argv and stale:
        print("the model is stale: a band is off by more than 0.2; fit again")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
