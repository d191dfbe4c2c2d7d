#!/bin/sh
# run-suites.sh - run every test suite as TAP and end with one line
# "N passed, N failed[, N skipped]" summed over all of them.
# Arguments: executable suites (cmocka binaries, scripts printing TAP),
# and bats files or folders.
# Exits non-zero if anything failed.
#
# Nothing may hang the run. Each bats test has its own deadline
# (BATS_TEST_TIMEOUT, set in tests/lab/lab_helper.bash, which every bats
# file loads) and each lab run too (HSLAB_TIMEOUT); as a last resort a
# whole suite that runs past UNIT_TIMEOUT (an executable: a cmocka binary,
# tests/fuzz/replay.sh; default 300 s) or BATS_TIMEOUT (a bats file or
# folder, default 1800 s) is stopped, counted as one failure, and the next
# suite runs.
set -u
passed=0 failed=0 skipped=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
export CMOCKA_MESSAGE_OUTPUT=TAP
if [ "${SANITIZE:-0}" = 1 ]; then
  # umockdev preloads itself; ASan need not be first in that case.
  export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

for suite in "$@"; do
  echo "# suite: $suite"
  if [ -f "$suite" ] && [ -x "$suite" ]; then
    cmd="$suite" limit=${UNIT_TIMEOUT:-300}
  else
    cmd="bats --tap $suite" limit=${BATS_TIMEOUT:-1800}
  fi
  timeout -k 10 "$limit" $cmd >"$out" 2>&1
  rc=$?
  cat "$out"
  p=$(grep -c '^ok ' "$out")
  s=$(grep -c '^ok .*# [Ss][Kk][Ii][Pp]' "$out")
  f=$(grep -c '^not ok ' "$out")
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "not ok - $suite did not finish within $limit s: stopped"
    f=$((f + 1))
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "not ok - $suite exited $rc without reporting a failed test"
    f=1
  fi
  passed=$((passed + p - s)) failed=$((failed + f)) skipped=$((skipped + s))
done
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
