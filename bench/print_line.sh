#!/bin/sh
# print_line.sh - line utilisation: the lab serial printer at 115200 baud
# (8N1: 11520 B/s at most) prints exactly as fast as the line and says
# busy by XOFF at its high watermark, so the host must restart at once on
# XON to keep the line full. Achieved B/s (first to last byte received)
# over 11520; goal >= 0.97. Reference in the same run: `cat` with the
# kernel's IXON on the same lab printer, and the ratio hsprint/cat.
# The printer prints at 98% of the line rate, so its buffer fills slowly
# and it must say busy a few times during the job; utilisation can only
# reach 0.97 if the host restarts at once on every XON.
. "$(dirname "$0")/print_lib.inc"
need "$HSPRINT" "$HSLAB"
KIB=${PRINT_LINE_KIB:-160}
head -c $((KIB * 1024)) /dev/urandom > "$W/job"
sum=$(sha256sum < "$W/job")
PRINTER="--port ttyUSB0=printer --busy xonxoff --buffer 2048 --print-rate ${PRINT_LINE_RATE:-11300}"

# lab NAME CMD...: print the job with CMD; transcript $W/NAME.t.
lab() {
  name=$1; shift
  # shellcheck disable=SC2086 # PRINTER is a list of words
  "$HSLAB" $PRINTER --output "$W/$name.out" --transcript "$W/$name.t" -- "$@" ||
    { echo "bench: $name failed" >&2; exit 1; }
  [ "$(sha256sum < "$W/$name.out")" = "$sum" ] || { echo "bench: $name output differs" >&2; exit 1; }
}

lab cat sh -c 'stty -F /dev/ttyUSB0 115200 raw ixon -ixany && cat "$0" > /dev/ttyUSB0' "$W/job"
lab hsprint "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=xonxoff' "$W/job"

echo "print_line: $KIB KiB at 115200 baud, printer busy by XOFF (line limit 11520 B/s)"
for n in cat hsprint; do
  set -- $(rx_span "$W/$n.t" ttyUSB0)
  x=$(grep -c 'printer xoff' "$W/$n.t")
  awk -v n="$n" -v b="$1" -v s="$2" -v x="$x" 'BEGIN {
    u = b / s / 11520
    printf "  %-8s %6d B in %6.2f s = %7.1f B/s, utilisation %.3f, %d XOFFs%s\n",
      n, b, s, b / s, u, x, (n == "hsprint" ? (u >= 0.97 ? " (goal >= 0.97) ok" : " (goal >= 0.97) BELOW GOAL") : "")
  }'
done
set -- $(rx_span "$W/cat.t" ttyUSB0)
c=$(awk -v b="$1" -v s="$2" 'BEGIN { print b / s }')
set -- $(rx_span "$W/hsprint.t" ttyUSB0)
h=$(awk -v b="$1" -v s="$2" 'BEGIN { print b / s }')
echo "  ratio hsprint/cat $(ratio "$h" "$c") (what the lab lets any host reach)"
