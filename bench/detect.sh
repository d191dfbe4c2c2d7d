#!/bin/sh
# detect.sh - run by `make bench`: how long hs_detect_modem() takes to
# find a lab modem at 9600 7E1 starting from 115200 8N1, and the bytes
# it sends the device, with one AT -> OK at the known setting on the same
# port in the same round as the reference (what knowing the setting
# costs). Goal (issue 16): found within 10 s; the ratio to the reference
# and the bytes are reported. bench/detect.c does BENCH_RUNS rounds
# (3; at least 3) in one lab and prints one line a round.
. "$(dirname "$0")/bench_lib.sh"
bench_need "$HSLAB" "$B/bench/detect"
bench_title 'hs_detect_modem() on a lab modem at 9600 7E1, from 115200 8N1'
rounds=$(bench_seq 3 | tail -1)
"$HSLAB" --line '9600 7E1' -- "$B/bench/detect" 'serial:/dev/ttyUSB0' "$rounds" >"$W/out" ||
  bench_fatal "the search failed: $(tail -c 300 "$W/out")"
while read -r word search at sent tries; do
  [ "$word" = round ] || continue
  bench_sample search "$search"
  bench_sample ratio "$(ratio "$search" "$at")"
  bench_sample sent "$sent"
  bench_sample tries "$tries"
done <"$W/out"
bench_row search 'time to detect 9600 7E1 from 115200 8N1, ms' '<= 10000'
bench_info 'detect time / one AT at the known setting' "$(bench_median ratio)"
bench_info 'bytes sent to the device while detecting' "$(bench_median sent)"
bench_info 'settings tried' "$(bench_median tries)"
bench_end
