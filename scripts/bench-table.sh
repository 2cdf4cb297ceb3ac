#!/usr/bin/env bash
# Regenerates the README's benchmark table: builds the release binary and the benchmark, runs
# it (examples/fleet_bench.rs) and puts its table between the README's bench-table markers.
#
#   scripts/bench-table.sh [SIZES] [LATENCIES_MS] [follow]
#   e.g. scripts/bench-table.sh 1,10,100,300,1000 50,150
#
# The table is written only when the whole benchmark succeeded (it exits 1 on a command that
# did not exit as expected: a timing of a failure means nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-1,10,100}
latencies=${2:-50}
follow=${3:-}
# BENCH_NO_BUILD=1 measures the binaries already built (a release build with LTO takes a while);
# BENCH_EXAMPLE names another build of the benchmark (the simulator runs in it).
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  cargo build --release --quiet --bin kubectl-kurator_rollout
  cargo build --release --quiet --example fleet_bench
fi
table=$(mktemp)
trap 'rm -f "$table"' EXIT
{
  example=${BENCH_EXAMPLE:-target/release/examples/fleet_bench}
  # The commit measured (with "+" when the tree had uncommitted changes), so a row can be
  # traced back to its code.
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  git diff --quiet HEAD 2>/dev/null || commit="$commit+"
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores (shared with other work) at $commit with \`scripts/bench-table.sh $sizes $latencies $follow\`${BENCH_EXAMPLE:+, the simulator built as $BENCH_EXAMPLE}."
  echo
  "$example" "$sizes" "$latencies" $follow
} > "$table" || {
  # What was measured before the failure, for the record (not written into the README).
  cp "$table" bench-partial.md
  echo "benchmark failed: README.md unchanged; the rows measured before the failure are in bench-partial.md" >&2
  exit 1
}
python3 - "$table" <<'PY'
import sys
begin, end = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"
readme = open("README.md").read()
if begin not in readme or end not in readme:
    sys.exit(f"README.md has no {begin} ... {end} section")
table = open(sys.argv[1]).read().strip()
head, rest = readme.split(begin, 1)
_, tail = rest.split(end, 1)
open("README.md", "w").write(f"{head}{begin}\n{table}\n{end}{tail}")
PY
echo "README.md: benchmark table regenerated"
