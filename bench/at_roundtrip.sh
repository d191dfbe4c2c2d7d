#!/bin/sh
# at_roundtrip.sh - AT -> OK through the AT engine against a bare
# write/read loop on the same lab port, in blocks that alternate within
# each run (bench/at_roundtrip.c): CPU per round, engine / bare loop
# (goal <= 1.1: the engine costs what the exchange needs), and wall time
# per round (reported).
. "$(dirname "$0")/bench_lib.sh"
PROG=$B/bench/at_roundtrip
bench_need "$HSLAB" "$PROG"
ROUNDS=${AT_ROUNDS:-2000}
bench_title "$ROUNDS rounds of AT -> OK on a lab modem at 115200, engine and bare loop alternating"
for i in $(bench_seq); do
  "$HSLAB" -- "$PROG" 'serial:/dev/ttyUSB0?baud=115200' "$ROUNDS" >"$W/out" ||
    bench_fatal "run $i failed"
  read -r _ cb ce _ wb we <"$W/out"
  bench_sample cpu "$(ratio "$ce" "$cb")"
  bench_sample wall "$(ratio "$we" "$wb")"
  echo "  run $i: CPU per round bare $cb us, engine $ce us; wall bare $wb us, engine $we us"
done
bench_row cpu 'AT->OK CPU per round, engine / bare loop' '<= 1.1'
bench_info 'AT->OK wall time per round, engine / bare loop (median)' "$(bench_median wall)"
bench_end
