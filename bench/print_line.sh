#!/bin/sh
# print_line.sh - what the host controls on a serial printer line, at
# 115200 baud (8N1: 11520 B/s), against `cat` with the kernel's IXON on
# the same lab printer in the same run:
#  - utilisation with a printer as fast as the line (it never says busy):
#    B/s from the first byte received to the last, hsprint / cat, for
#    flow=xonxoff and flow=dtrdsr (goal >= 0.97: the host keeps the line
#    full);
#  - restarting: a printer slower than the line (8000 B/s, 2048-byte
#    buffer, busy above 1536, ready below 512) says busy and ready again
#    many times a job; from each "ready" (XON, or DSR rising) to the next
#    byte it receives, the median over the job, minus cat's (the lab's
#    own path from XON to a byte on the wire). Goal: within 1 ms of cat's.
# Every job must arrive whole (sha256).
. "$(dirname "$0")/bench_lib.sh"
bench_need "$HSPRINT" "$HSLAB"
KIB=${PRINT_LINE_KIB:-64}
head -c $((KIB * 1024)) /dev/urandom > "$W/job"
sum=$(sha256sum < "$W/job")
FAST="--print-rate 0"
SLOW="--print-rate 8000 --buffer '2048 1536 512'"
CAT='stty -F /dev/ttyUSB0 115200 raw ixon -ixany && cat "$0" > /dev/ttyUSB0'

# job NAME BUSY PRINTER CMD...: print the job with CMD on a lab printer
# saying busy by BUSY (xonxoff or dsr); transcript $W/NAME.t.
job() {
  name=$1 busy=$2 printer=$3; shift 3
  eval "set -- $printer \"\$@\""
  "$HSLAB" --port ttyUSB0=printer --busy "$busy" --output "$W/$name.out" \
    --transcript "$W/$name.t" "$@" >/dev/null 2>"$W/$name.err" ||
    { cat "$W/$name.err" >&2; bench_fatal "$name failed"; }
  [ "$(sha256sum < "$W/$name.out")" = "$sum" ] || bench_fatal "$name: the printer's output is not the job"
}

# rate NAME: bytes per second the printer received
rate() {
  set -- $(rx_span "$W/$1.t" ttyUSB0)
  calc "$1 / $2"
}

bench_title "$KIB KiB to a lab serial printer at 115200 baud"
for i in $(bench_seq); do
  job cat xonxoff "$FAST" -- sh -c "$CAT" "$W/job"
  job hs_x xonxoff "$FAST" -- "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=xonxoff' "$W/job"
  job hs_d dsr "$FAST" -- "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' "$W/job"
  c=$(rate cat) x=$(rate hs_x) d=$(rate hs_d)
  bench_sample util_x "$(ratio "$x" "$c")"
  bench_sample util_d "$(ratio "$d" "$c")"
  job cat_s xonxoff "$SLOW" -- sh -c "$CAT" "$W/job"
  job hs_xs xonxoff "$SLOW" -- "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=xonxoff' "$W/job"
  job hs_ds dsr "$SLOW" -- "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' "$W/job"
  rc=$(restart_delay "$W/cat_s.t" ttyUSB0 xon)
  rx=$(restart_delay "$W/hs_xs.t" ttyUSB0 xon)
  rd=$(restart_delay "$W/hs_ds.t" ttyUSB0 xon)
  for v in "$rc" "$rx" "$rd"; do
    [ "$v" != -1 ] || bench_fatal "a slow printer never said ready again"
  done
  bench_sample restart_x "$(calc "($rx - $rc) * 1000")"
  bench_sample restart_d "$(calc "($rd - $rc) * 1000")"
  echo "  run $i: B/s cat $c, xonxoff $x, dtrdsr $d; ready to next byte: cat $(calc "$rc * 1000") ms, xonxoff $(calc "$rx * 1000") ms, dtrdsr $(calc "$rd * 1000") ms"
done
bench_row util_x 'line utilisation, fast printer, xonxoff: hsprint / cat' '>= 0.97'
bench_row util_d 'line utilisation, fast printer, dtrdsr: hsprint / cat' '>= 0.97'
bench_row restart_x 'XON to next byte, hsprint xonxoff, ms more than cat' '<= 1'
bench_row restart_d 'DSR rising to next byte, hsprint dtrdsr, ms more than cat' '<= 1'
bench_end
