#!/bin/sh
# run.sh - `make bench`: run every bench/*.sh (or those named), each
# judging the median of its runs against its goals (bench/bench_lib.sh),
# then print one table of every row, with the load average before and
# after. Exit 1 when a goal was missed at the median or a bench failed,
# else 0. BENCH_RUNS sets the runs per measurement (default 3).
set -u
dir=$(dirname "$0")
BENCH_TABLE=$(mktemp)
export BENCH_TABLE
trap 'rm -f "$BENCH_TABLE"' EXIT
[ $# -gt 0 ] || set -- "$dir"/*.sh
load0=$(cut -d' ' -f1-3 /proc/loadavg)
failed=
for b in "$@"; do
  case $b in */run.sh|*/bench_lib.sh) continue ;; esac
  echo "== $(basename "$b")"
  sh "$b"
  rc=$?
  [ $rc -eq 0 ] || failed="$failed $(basename "$b" .sh)($rc)"
done
echo
echo "make bench: $(awk -F'\t' '$3 != "info"' "$BENCH_TABLE" | wc -l) goals, ${BENCH_RUNS:-3}+ runs each; load average $load0 before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo
echo "| bench | what | goal | min | median | max | verdict |"
echo "|---|---|---|---|---|---|---|"
awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' "$BENCH_TABLE"
if [ -n "$failed" ]; then
  echo
  echo "make bench: goals missed or benches failed:$failed"
  exit 1
fi
