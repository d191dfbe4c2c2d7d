#!/bin/sh
# at_roundtrip.sh - run by `make bench`: time AT -> OK through the AT
# engine against a bare write/read loop on the same lab port, same run.
# Finds the programs in $HS_BENCH_DIR (set by bench/bench.mk), else $BUILD,
# else build/. Exit status: the program's (1: goal missed).
set -u
dir=${HS_BENCH_DIR:-${BUILD:-build}}
lab=${HSLAB:-$dir/hslab}
for f in "$lab" "$dir/bench/at_roundtrip"; do
	[ -x "$f" ] || { echo "at_roundtrip.sh: $f not built (make bench)" >&2; exit 1; }
done
locks=$(mktemp -d) || exit 1
trap 'rm -rf "$locks"' EXIT
HS_LOCK_DIR=$locks "$lab" -- "$dir/bench/at_roundtrip" \
	'serial:/dev/ttyUSB0?baud=115200' "${AT_ROUNDS:-2000}"
