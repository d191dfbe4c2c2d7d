#!/bin/sh
# detect.sh - run by `make bench`: the median time hs_detect_modem()
# takes to find a lab modem at 9600 7E1 from 115200 8N1, and the bytes it
# sends the device, against one AT at the known setting in the same run.
# Finds the programs in $HS_BENCH_DIR (set by bench/bench.mk), else
# $BUILD, else build/. Exit status: the program's (2: a search failed).
set -u
dir=${HS_BENCH_DIR:-${BUILD:-build}}
lab=${HSLAB:-$dir/hslab}
for f in "$lab" "$dir/bench/detect"; do
	[ -x "$f" ] || { echo "detect.sh: $f not built (make bench)" >&2; exit 1; }
done
locks=$(mktemp -d) || exit 1
trap 'rm -rf "$locks"' EXIT
HS_LOCK_DIR=$locks "$lab" --line '9600 7E1' -- "$dir/bench/detect" \
	'serial:/dev/ttyUSB0' "${DETECT_ROUNDS:-7}"
