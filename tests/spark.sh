#!/usr/bin/env bash
# The README's two recipes for big feeds, run for real: Spark (PySpark, local cluster of
# 2 executors, the feed split into 8 partitions piped through `gazette extract`) and GNU
# parallel (--pipepart over the file). Each must give exactly the features of one
# `gazette extract` process over the same feed, compared as sets (and, for parallel
# with -k, in order). Prints the wall time of each run.
# Usage: tests/spark.sh path/to/gazette [ARTICLES]   (needs java and pyspark, GNU parallel)
set -euo pipefail
bin=$(realpath "${1:-target/release/gazette}")
articles=${2:-12000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# real-looking news: the synthetic corpus, without its `lang` hints, as a feed would come
"$bin" corpus --articles "$articles" --seed 7 | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    r.pop("lang", None)
    print(json.dumps(r, ensure_ascii=False))
' >"$out/feed.jsonl"
echo "spark: feed of $(wc -l <"$out/feed.jsonl") articles, $(($(stat -c %s "$out/feed.jsonl") / 1000000)) MB"

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }

t0=$(now)
"$bin" extract -q --format geojsonl - <"$out/feed.jsonl" >"$out/single.geojsonl"
t1=$(now)
echo "spark: one process: $(wc -l <"$out/single.geojsonl") features in $(secs "$t0" "$t1") s"

# GNU parallel, as the README has it (a smaller block, so that this feed makes several)
t0=$(now)
parallel --will-cite --pipepart -a "$out/feed.jsonl" --block 4M -k \
  "$bin" extract -q --format geojsonl - >"$out/parallel.geojsonl"
t1=$(now)
echo "spark: GNU parallel: $(wc -l <"$out/parallel.geojsonl") features in $(secs "$t0" "$t1") s"
cmp -s "$out/single.geojsonl" "$out/parallel.geojsonl" || {
  echo "spark: GNU parallel's features differ from one process's"
  diff <(sort "$out/single.geojsonl") <(sort "$out/parallel.geojsonl") | head -5
  exit 1
}

# Spark: the README's lines, the binary shipped to the executors with addFile
t0=$(now)
# Spark's own log goes to a file, shown only when the job fails
if ! python3 - "$bin" "$out/feed.jsonl" "$out/spark" 2>"$out/spark.log" <<'PY'
import sys
from pyspark.sql import SparkSession

binary, feed, dest = sys.argv[1:]
spark = (
    SparkSession.builder.master("local-cluster[2,1,1024]")  # 2 executors, 1 core each
    .appName("gazette")
    .config("spark.ui.enabled", "false")
    .getOrCreate()
)
sc = spark.sparkContext
sc.setLogLevel("ERROR")
sc.addFile(binary)  # into each executor's working folder, made executable
lines = sc.textFile(feed, minPartitions=8)
features = lines.pipe("./gazette extract -q --format geojsonl -", checkCode=True)
features.saveAsTextFile(dest)
print(f"spark: {lines.getNumPartitions()} partitions on {sc.master}")
spark.stop()
PY
then
  grep -v '^\s*at ' "$out/spark.log" | tail -40
  echo "spark: the Spark job failed"
  exit 1
fi
t1=$(now)
cat "$out"/spark/part-* >"$out/spark.geojsonl"
echo "spark: Spark: $(wc -l <"$out/spark.geojsonl") features in $(secs "$t0" "$t1") s (JVM start included)"
python3 - "$out/single.geojsonl" "$out/spark.geojsonl" <<'PY'
import json, sys
single, spark = ([json.dumps(json.loads(l), sort_keys=True) for l in open(p, encoding="utf-8")] for p in sys.argv[1:])
if sorted(single) != sorted(spark):
    a, b = set(single), set(spark)
    print(f"spark: Spark's features differ: {len(a - b)} only in one process's, {len(b - a)} only in Spark's")
    sys.exit(1)
print(f"spark: Spark's {len(spark)} features are one process's")
PY
