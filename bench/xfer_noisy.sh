#!/bin/sh
# xfer_noisy.sh - XMODEM-1K on a noisy line: the lab port at 115200 baud
# flips bits at 1e-5 and 1e-4 per bit, both ways (data and answers),
# while hsxfer and lrzsz's sx -k send the same 256 KiB to the same
# receiver (hsxfer --receive, the port's device). Run N of each sender
# uses damage seed N, so both meet the same line. Goals (issue 13):
# hsxfer always completes, sha256-equal (a failure is a bench failure);
# its goodput (file bytes over the device's time) over sx -k's >= 1.0 at
# the median (sx -k failing counts as goodput 0: hsxfer wins that run).
# Both wait 2 s for an answer (sx -t 20). BENCH_RUNS sets the runs (3),
# XFER_NOISY_KIB the size (256), XFER_BERS the rates.
. "$(dirname "$0")/bench_lib.sh"
. "$(dirname "$0")/xfer_lib.inc"
KIB=${XFER_NOISY_KIB:-256}
xfer_file
bench_title "$KIB KiB XMODEM-1K at 115200 baud, bit errors both ways"

for i in $(bench_seq); do
  for ber in ${XFER_BERS:-1e-5 1e-4}; do
    dmg="ber=$ber dir=both seed=$i"
    ours=$(xfer_run xmodem-1k "$LINE '$HSXFER' -d fd:0,1 --send -P xmodem-1k -t 2 f $TTY" "$dmg") ||
      bench_fatal "hsxfer failed at ber=$ber seed=$i"
    if them=$(xfer_run xmodem-1k "$LINE sx -k -t 20 f $TTY" "$dmg" 2>/dev/null); then
      # goodput ratio: the same bytes, so the inverse of the times
      bench_sample "g_$ber" "$(ratio "$them" "$ours")"
    else
      bench_sample "g_$ber" 1000
      bench_sample "sxfail_$ber" 1
    fi
    bench_sample "bps_$ber" "$(calc "$KIB * 1024 / $ours")"
  done
done
for ber in ${XFER_BERS:-1e-5 1e-4}; do
  bench_row "g_$ber" "XMODEM-1K goodput at ber $ber, hsxfer / sx -k" '>= 1.0'
  bench_info "XMODEM-1K at ber $ber: hsxfer B/s" "$(bench_median "bps_$ber")"
  [ -s "$W/.samples/sxfail_$ber" ] &&
    bench_info "XMODEM-1K at ber $ber: sx -k failed (runs, counted as 1000)" "$(wc -l <"$W/.samples/sxfail_$ber")"
done
bench_end
