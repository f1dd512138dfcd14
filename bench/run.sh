#!/usr/bin/env bash
# The side-by-side benchmark: newsidx, tantivy-cli and SQLite FTS5 on the AllSides corpus and
# on a re-mixed copy scaled to about a million articles. See BENCHMARKS.md.
#
#   bench/run.sh                  full run (AllSides + 1M articles; about 40 minutes on 2 cores)
#   bench/run.sh --allsides-only  AllSides only (a few minutes)
#   bench/run.sh --smoke          a 3,000-article sample, 2 runs a query: checks the script works
#   SCALE=200000 bench/run.sh     another size for the scaled corpus
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${BENCH_WORK:-bench/work}
SRC=../shared/corpus/allsides/allsides.jsonl.gz
[ -f "$SRC" ] || { echo "missing $SRC: ../shared must sit beside the checkout" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "the sqlite3 command-line tool is needed (apt-get install sqlite3)" >&2; exit 2; }

SCALE=${SCALE:-1000000}
RUNS=${RUNS:-20}
# Index builds per engine, taking turns; the fastest counts. Three for --allsides-only, one
# otherwise (a 1M build takes minutes); INDEX_RUNS=N overrides.
INDEX_RUNS_DEFAULT=1
CORPORA=allsides,scaled
case "${1:-}" in
    --allsides-only) CORPORA=allsides; INDEX_RUNS_DEFAULT=3 ;;
    --smoke) SCALE=3000; RUNS=2; CORPORA=scaled; WORK=${BENCH_WORK:-bench/work/smoke} ;;
    "") ;;
    *) echo "usage: bench/run.sh [--allsides-only|--smoke]" >&2; exit 2 ;;
esac
INDEX_RUNS=${INDEX_RUNS:-$INDEX_RUNS_DEFAULT}
mkdir -p "$WORK"

cargo build --release --quiet
NEWSIDX=$PWD/target/release/newsidx

# tantivy-cli from crates.io (not --locked: its lock file pins a crate that no longer builds).
TOOLS=${BENCH_TOOLS:-bench/work/tools}
if [ ! -x "$TOOLS/bin/tantivy" ]; then
    cargo install tantivy-cli --root "$TOOLS" --quiet
fi
TANTIVY=$PWD/$TOOLS/bin/tantivy

python3 bench/prepare.py "$SRC" "$WORK" --scale "$SCALE"
python3 bench/bench.py "$WORK" "$NEWSIDX" "$TANTIVY" --corpora "$CORPORA" --runs "$RUNS" \
    --index-runs "$INDEX_RUNS" \
    --out "$WORK/results.json" > "$WORK/results.full.json"
python3 bench/report.py "$WORK/results.json"
