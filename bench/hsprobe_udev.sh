#!/bin/sh
# hsprobe_udev.sh - what udev waits for: one `hsprobe --udev` on a lab
# modem, over UDEV_RUNS runs (default 100) started as udev starts it,
# against starting /bin/true the same way in the same run (the cost of
# any program under the lab's preload). Goal: hsprobe adds well under
# 50 ms a run to starting a program.
. "$(dirname "$0")/bench_lib.sh"
HSPROBE=$B/hsprobe
bench_need "$HSPROBE" "$HSLAB"
RUNS=${UDEV_RUNS:-100}

# per_run CMD...: mean wall time of CMD in us over RUNS runs in the lab
per_run() {
  "$HSLAB" --port ttyACM0 -- sh -c '
    n=$1; shift
    s=$(date +%s%N)
    i=0
    while [ $i -lt "$n" ]; do "$@" >/dev/null || exit 1; i=$((i + 1)); done
    echo $(( ($(date +%s%N) - s) / n / 1000 ))' sh "$RUNS" "$@" ||
    bench_fatal "$1 failed"
}

bench_title "hsprobe --udev on a lab modem, mean of $RUNS runs, against /bin/true"
for i in $(bench_seq); do
  ref=$(per_run /bin/true)
  hs=$(per_run "$HSPROBE" --udev /sys/class/tty/ttyACM0)
  bench_sample added "$(calc "($hs - $ref) / 1000")"
  bench_sample ratio "$(ratio "$hs" "$ref")"
  echo "  run $i: hsprobe --udev $(calc "$hs / 1000") ms, /bin/true $(calc "$ref / 1000") ms"
done
bench_row added 'hsprobe --udev, ms added to starting /bin/true' '< 50'
bench_info 'hsprobe --udev / /bin/true, time per run (median)' "$(bench_median ratio)"
bench_end
