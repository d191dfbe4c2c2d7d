#!/bin/sh
# zmodem_noisy.sh - ZMODEM on a noisy line: the lab port at 115200 baud
# flips bits at 1e-4 per bit both ways while hsxfer and lrzsz's sz send
# the same 128 KiB to lrzsz's rz, the port's device (issue 14). Run N of
# each sender uses damage seed N, so both meet the same line. Goals:
# hsxfer always completes, sha256-equal (a failure is a bench failure);
# its time over sz's <= 1.0 at the median (sz failing counts as never
# finishing: ratio 0, hsxfer wins that run). Both wait 2 s for an answer
# (sz -t 20). BENCH_RUNS sets the runs (3), ZMODEM_NOISY_KIB the size
# (128).
. "$(dirname "$0")/bench_lib.sh"
KIB=${ZMODEM_NOISY_KIB:-128}
if ! command -v sz >/dev/null || ! command -v rz >/dev/null; then
  bench_skip 'ZMODEM time at ber 1e-4, hsxfer / sz' '<= 1.0' "lrzsz is missing (make deps)"
  bench_end
fi
. "$(dirname "$0")/xfer_lib.inc"
xfer_file
bench_title "$KIB KiB ZMODEM at 115200 baud, 1e-4 bit errors both ways, to lrzsz rz"

for i in $(bench_seq); do
  dmg="ber=1e-4 dir=both seed=$i"
  ours=$(xfer_run rz "$LINE '$HSXFER' -d fd:0,1 --send -t 2 f $TTY" "$dmg") ||
    bench_fatal "hsxfer failed at seed=$i"
  if them=$(xfer_run rz "$LINE sz -t 20 f $TTY" "$dmg" 2>/dev/null); then
    bench_sample vs "$(ratio "$ours" "$them")"
  else
    bench_sample vs 0
    bench_sample szfail 1
  fi
  bench_sample bps "$(calc "$KIB * 1024 / $ours")"
done
bench_row vs 'ZMODEM time at ber 1e-4, hsxfer / sz' '<= 1.0'
bench_info 'ZMODEM at ber 1e-4: hsxfer B/s' "$(bench_median bps)"
[ -s "$W/.samples/szfail" ] &&
  bench_info 'ZMODEM at ber 1e-4: sz failed (runs, counted as 0)' "$(wc -l <"$W/.samples/szfail")"
bench_end
