#!/bin/sh
# xfer_line.sh - file transfer at 115200 baud on a lab port (8N1: 11520
# B/s, the lab paces the line): hsxfer against lrzsz sending the same
# 1 MiB to the same receiver (hsxfer --receive as the port's device), and
# against the protocol's bound, the line's rate times the share of it
# that is data (issue 13):
#   XMODEM-1K  1024 data bytes per 1029-byte block and a 1-byte ACK:
#              speed hsxfer / sx -k >= 1.0, hsxfer / bound >= 0.95
#   YMODEM     hsxfer / sb (lrzsz's YMODEM, 128-byte blocks) >= 1.0
#   YMODEM-g   1024 per 1029, no ACKs: hsxfer / bound >= 0.99 (sb -k,
#              which streams when asked with G, shown for reference)
# Time is the device's: from the first byte it received to its last
# answer, so neither program's start-up counts. Each run sends with
# hsxfer and then lrzsz, and samples the ratio of the two; medians are
# judged. The ratios are taken at 2 decimals: the line bounds both
# senders, which have nothing to win but their reaction to an ACK (a few
# microseconds), and what a shared machine adds to one run or the other
# moves the third. BENCH_RUNS sets the runs (3), XFER_LINE_KIB the size
# (1024; a run of the three protocols takes about 10 minutes). The port
# is reached as xfer_lib.inc says.
. "$(dirname "$0")/bench_lib.sh"
. "$(dirname "$0")/xfer_lib.inc"
KIB=${XFER_LINE_KIB:-1024}
xfer_file
bench_title "$KIB KiB at 115200 baud (11520 B/s), hsxfer receiving"

for i in $(bench_seq); do
  for p in xmodem-1k ymodem ymodem-g; do
    case $p in
    xmodem-1k) theirs="sx -k f" per=1030 ;;
    ymodem) theirs="sb f" per= ;;
    ymodem-g) theirs="sb -k f" per=1029 ;;
    esac
    ours=$(xfer_run "$p" "$LINE '$HSXFER' -d fd:0,1 --send -P $p f $TTY") ||
      bench_fatal "$p: hsxfer's transfer failed"
    them=$(xfer_run "$p" "$LINE $theirs $TTY") || bench_fatal "$p: '$theirs' failed"
    bench_sample "vs_$p" "$(calc "int($them / $ours * 100 + 0.5) / 100")"
    [ -n "$per" ] &&
      bench_sample "bound_$p" "$(calc "int($KIB * 1024 / $ours / (11520 * 1024 / $per) * 100 + 0.5) / 100")"
    bench_sample "s_$p" "$ours"
  done
done
bench_row vs_xmodem-1k 'XMODEM-1K speed at 115200, hsxfer / sx -k' '>= 1.0'
bench_row bound_xmodem-1k 'XMODEM-1K speed at 115200, hsxfer / bound' '>= 0.95'
bench_row vs_ymodem 'YMODEM speed at 115200, hsxfer / sb' '>= 1.0'
bench_row bound_ymodem-g 'YMODEM-g speed at 115200, hsxfer / bound' '>= 0.99'
bench_info 'YMODEM-g speed, hsxfer / sb -k (streaming when asked)' "$(bench_median vs_ymodem-g)"
for p in xmodem-1k ymodem ymodem-g; do
  bench_info "$p: hsxfer seconds for $KIB KiB" "$(bench_median "s_$p")"
done
bench_end
