#!/usr/bin/env bash
# Interleaved A/B runs of the envelope bench (issue 10: this host's speed drifts within minutes, so only
# runs taken A B A B … compare). Each side is a list of environment assignments for the bench, e.g.
#   bench/ab.sh 'INKAN_BENCH_SERVER_ENV=INKAN_DATABASE_PREPARED_STATEMENTS=false' '' 2 --db=postgres-multi --count=120
#   bench/ab.sh 'INKAN_BENCH_SERVER_ROOT=/work/wt-old' '' 2 --db=sqlite
# (a worktree of another commit, built, as INKAN_BENCH_SERVER_ROOT). Prints each run's summary lines; the
# runs' result files are the bench's usual *-partial.json. Serialised with other benches by a lock file.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: bench/ab.sh 'A-ENV' 'B-ENV' PAIRS [envelope-bench options]" >&2
  exit 2
fi
a=$1 b=$2 pairs=$3
shift 3
cd "$(dirname "$0")/.."
for ((i = 1; i <= pairs; i++)); do
  for side in A B; do
    if [ "$side" = A ]; then assignments=$a; else assignments=$b; fi
    echo "== pair $i side $side: ${assignments:-(default)}"
    # shellcheck disable=SC2086
    flock /tmp/inkan-bench.lock env $assignments node --import tsx bench/envelope-bench.ts --profile=off "$@" 2>&1 |
      grep -E '^(bench\[|\| [A-Z])' | grep -v '^| database' || true
  done
done
