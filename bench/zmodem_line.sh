#!/bin/sh
# zmodem_line.sh - ZMODEM at 115200 baud on a lab port (8N1: 11520 B/s,
# the lab paces the line): hsxfer and lrzsz's sz send the same 4 MiB to
# the same receiver, lrzsz's rz as the port's device (issue 14). Goals:
# hsxfer's time over sz's <= 1.0, on text and on random bytes; and its
# goodput (file bytes over the device's time) >= 0.97 of the line rate.
# ZMODEM escapes 7 of the 256 byte values for every sender (ZDLE; DLE,
# XON, XOFF and their high-bit forms), so random bytes cost 7/256 more on
# the line and no sender reaches 0.97 with them: the goodput goal is
# judged on text (base64, nothing to escape), random bytes' goodput is
# reported beside it. Time is the device's, from the first byte it
# received to its last answer, so neither program's start-up counts. The
# time ratios are taken at 2 decimals, as xfer_line.sh's: the line bounds
# both senders and what a shared machine adds to one run moves the third.
# Each run sends text then random bytes, hsxfer then sz each time.
# BENCH_RUNS sets the runs (3), ZMODEM_LINE_KIB the size (4096; a run
# takes about 25 minutes).
. "$(dirname "$0")/bench_lib.sh"
KIB=${ZMODEM_LINE_KIB:-4096}
if ! command -v sz >/dev/null || ! command -v rz >/dev/null; then
  for data in text random; do
    bench_skip "ZMODEM $data time at 115200, hsxfer / sz" '<= 1.0' "lrzsz is missing (make deps)"
  done
  bench_end
fi
. "$(dirname "$0")/xfer_lib.inc"
xfer_file
mv "$W/f" "$W/f_random" && echo "$sum" >"$W/sum_random"
head -c $((KIB * 1024 * 3 / 4)) /dev/urandom | base64 -w 76 | head -c $((KIB * 1024)) >"$W/f_text"
sha256sum <"$W/f_text" >"$W/sum_text"
bench_title "$KIB KiB ZMODEM at 115200 baud (11520 B/s) to lrzsz rz"

for i in $(bench_seq); do
  for data in text random; do
    cp "$W/f_$data" "$W/f" && sum=$(cat "$W/sum_$data")
    ours=$(xfer_run rz "$LINE '$HSXFER' -d fd:0,1 --send f $TTY") ||
      bench_fatal "$data: hsxfer's transfer failed"
    them=$(xfer_run rz "$LINE sz f $TTY") || bench_fatal "$data: sz's transfer failed"
    bench_sample "vs_$data" "$(calc "int($ours / $them * 100 + 0.5) / 100")"
    bench_sample "line_$data" "$(ratio "$(calc "$KIB * 1024 / $ours")" 11520)"
    bench_sample "s_$data" "$ours"
    bench_sample "sz_$data" "$them"
  done
done
bench_row vs_text 'ZMODEM text time at 115200, hsxfer / sz' '<= 1.0'
bench_row vs_random 'ZMODEM random time at 115200, hsxfer / sz' '<= 1.0'
bench_row line_text 'ZMODEM text goodput at 115200 / line rate' '>= 0.97'
bench_info 'ZMODEM random goodput / line rate (7/256 escaped)' "$(bench_median line_random)"
for data in text random; do
  bench_info "ZMODEM $data: seconds for $KIB KiB, hsxfer / sz" "$(bench_median "s_$data") / $(bench_median "sz_$data")"
done
bench_end
