#!/bin/sh
# run.sh - `make fuzz`: run each libFuzzer harness in turn for
# FUZZ_SECONDS (default 60) and print, per harness, the executions, the
# edges covered (of those instrumented) and whether it found anything.
# Usage: run.sh BUILD NAME...  (BUILD holds fuzz/NAME, the binaries)
#
# One harness at a time, one process each: the machine may be shared.
# New inputs go to BUILD/corpus/NAME (the tree's corpus is read, never
# written); a crash, leak, timeout or UBSan report leaves its input in
# BUILD/crashes/ and the whole run fails. Add that input to
# tests/fuzz/corpus/NAME/ with the fix, so `make check` replays it.
set -u
build=$1
shift
seconds=${FUZZ_SECONDS:-60}
dir=$(dirname "$0")
# An input that takes this long is a hang (the slowest harness, the AT
# engine, needs well under a second for any input it accepts).
per_input=20
mkdir -p "$build/crashes" "$build/logs"
failed=0
printf '%-16s %12s %10s %16s  %s\n' HARNESS EXECUTIONS EXEC/S "EDGES COVERED" RESULT
for name in "$@"; do
  bin=$build/fuzz/$name log=$build/logs/$name.log work=$build/corpus/$name
  mkdir -p "$work"
  set -- -max_total_time="$seconds" -timeout="$per_input" -print_final_stats=1 \
    -artifact_prefix="$build/crashes/$name-" -max_len=16384
  [ -f "$dir/$name.dict" ] && set -- "$@" -dict="$dir/$name.dict"
  "$bin" "$@" "$work" "$dir/corpus/$name" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
  total=$(sed -n 's/.*Loaded [0-9]* modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -n 1)
  result=ok
  if [ "$rc" -ne 0 ]; then
    failed=1
    what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error:.*|invariant broken:.*|ALARM: working on the last Unit|out-of-memory' "$log")
    result="FAILED (${what:-exit $rc}); see $log"
  fi
  if [ -n "$cov" ] && [ -n "$total" ] && [ "$total" -gt 0 ]; then
    edges="$cov/$total ($((cov * 100 / total))%)"
  else
    edges=${cov:-?}
  fi
  printf '%-16s %12s %10s %16s  %s\n' "$name" "${execs:-?}" "${speed:-?}" "$edges" "$result"
done
[ "$failed" -eq 0 ] && echo "make fuzz: every harness ran ${seconds}s with no crash, leak, timeout or UB report"
exit $failed
