#!/bin/sh
# replay.sh - a make check suite: every file of tests/fuzz/corpus/NAME
# (the seeds and every input that ever broke something) through the
# replay build of harness NAME ($BUILD/fuzz/replay_NAME), as TAP: one
# test per harness; when one fails, the files that fail alone are named.
# BUILD defaults to build; run it from the top of the tree.
set -u
build=${BUILD:-build}
dir=$(dirname "$0")
# A harness's whole corpus takes seconds; this is for a hang.
limit=300
names=$(ls "$dir"/fuzz_*.c | sed 's|.*/fuzz_\(.*\)\.c$|\1|')
echo "1..$(echo "$names" | wc -l)"
i=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for name in $names; do
  i=$((i + 1))
  bin=$build/fuzz/replay_$name corpus=$dir/corpus/$name
  if [ ! -x "$bin" ]; then
    echo "not ok $i - $name: $bin is not built"
    failed=1
    continue
  fi
  if [ ! -d "$corpus" ] || [ -z "$(ls "$corpus")" ]; then
    echo "not ok $i - $name: no corpus in $corpus"
    failed=1
    continue
  fi
  if timeout "$limit" "$bin" "$corpus" >"$out" 2>&1; then
    echo "ok $i - $name: $(tail -n 1 "$out")"
    continue
  fi
  echo "not ok $i - $name: the replay failed"
  failed=1
  sed 's/^/# /' "$out" | tail -n 40
  for f in "$corpus"/*; do
    timeout "$limit" "$bin" "$f" >/dev/null 2>&1 || echo "#   fails: $f"
  done
done
exit $failed
