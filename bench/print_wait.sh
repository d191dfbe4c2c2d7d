#!/bin/sh
# print_wait.sh - what a held printer costs: hsprint prints 8 KiB at
# 115200 baud to a lab serial printer that runs out of paper after 2000
# bytes and holds the handshake (XOFF, or DSR low) for 8 s. From 1 s
# after the printer said so, for 5 s, hsprint's wake-ups (voluntary
# context switches of all its threads, /proc/PID/task/*/status: under
# the lab every call on the port costs one) and CPU time are counted.
# Goal: <= 5 wake-ups a second, for flow=xonxoff and flow=dtrdsr; the
# CPU share is reported. The job must arrive whole.
. "$(dirname "$0")/bench_lib.sh"
bench_need "$HSPRINT" "$HSLAB"
head -c 8192 /dev/urandom > "$W/job"
WINDOW=5

# hold NAME BUSY FLOW: prints "WAKEUPS TICKS" of hsprint over the window
hold() {
  rm -f "$W/$1.t"
  "$HSLAB" --port ttyUSB0=printer --busy "$2" --buffer '1024 768 256' \
    --paper-out "2000 $(( (WINDOW + 3) * 1000 ))" --output "$W/$1.out" --transcript "$W/$1.t" -- \
    sh -c '
      t=$1 window=$2; shift 2
      "$@" & pid=$!
      # wait (at most 20 s) for the printer to say it is out of paper
      i=0; until grep -q "printer paper-out" "$t"; do
        i=$((i + 1)); [ $i -lt 1000 ] || { kill $pid; exit 1; }; sleep 0.02; done
      sleep 1
      count() {
        cat /proc/$pid/task/*/status | awk "/^voluntary_ctxt/ { n += \$2 } END { printf \"%d \", n }"
        awk "{ print \$14 + \$15 }" /proc/$pid/stat
      }
      a=$(count); sleep "$window"; b=$(count)
      wait $pid || exit 1
      echo $a $b >"$t.count"' sh "$W/$1.t" $WINDOW \
    "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=115200&flow=$3" "$W/job" >/dev/null 2>"$W/$1.err" ||
    { cat "$W/$1.err" >&2; return 1; }
  cmp -s "$W/job" "$W/$1.out" || { echo "$1: the printer's output is not the job" >&2; return 1; }
  set -- $(cat "$W/$1.t.count")
  echo "$(($3 - $1)) $(($4 - $2))"
}

bench_title "8 KiB to a lab printer that holds the handshake for 8 s; $WINDOW s counted"
hz=$(getconf CLK_TCK)
for i in $(bench_seq); do
  for f in xonxoff:xonxoff dtrdsr:dsr; do
    flow=${f%:*} busy=${f#*:}
    out=$(hold "$flow" "$busy" "$flow") || bench_fatal "$flow: the held job failed"
    set -- $out
    bench_sample "wake_$flow" "$(calc "$1 / $WINDOW")"
    bench_sample "cpu_$flow" "$(calc "$2 * 100 / $hz / $WINDOW")"
    echo "  run $i, $flow: $1 wake-ups and $2 clock ticks of CPU in $WINDOW s held"
  done
done
bench_row wake_xonxoff 'printer holds XOFF: hsprint wake-ups a second' '<= 5'
bench_row wake_dtrdsr 'printer holds DSR low: hsprint wake-ups a second' '<= 5'
bench_info 'printer holds XOFF: hsprint CPU while held, %' "$(bench_median cpu_xonxoff)"
bench_info 'printer holds DSR low: hsprint CPU while held, %' "$(bench_median cpu_dtrdsr)"
bench_end
