#!/bin/sh
# hsprobe_udev.sh - what udev waits for: the time of one `hsprobe --udev`
# on a lab modem, over 100 runs started as udev starts it, against
# starting /bin/true the same way in the same run (the cost of any program
# under the lab's preload). Goal: well under 50 ms a run. The figure is
# printed, not judged.
. "$(dirname "$0")/print_lib.inc"
HSPROBE=$B/hsprobe
need "$HSPROBE" "$HSLAB"
RUNS=${UDEV_RUNS:-100}

# per_run CMD...: mean wall time of CMD in ms over RUNS runs in the lab
per_run() {
  "$HSLAB" --port ttyACM0 -- sh -c '
    n=$1; shift
    s=$(date +%s%N)
    i=0
    while [ $i -lt "$n" ]; do "$@" >/dev/null || exit 1; i=$((i + 1)); done
    echo $(( ($(date +%s%N) - s) / n / 1000 ))' sh "$RUNS" "$@" ||
    { echo "bench: $1 failed" >&2; exit 1; }
}

hs=$(per_run "$HSPROBE" --udev /sys/class/tty/ttyACM0)
ref=$(per_run /bin/true)
echo "hsprobe --udev on a lab modem, mean of $RUNS runs"
awk -v h="$hs" -v r="$ref" 'BEGIN {
  printf "  hsprobe --udev: %7.2f ms (goal: well under 50 ms)\n", h / 1000
  printf "  /bin/true:      %7.2f ms (starting a program in the lab)\n", r / 1000
  printf "  ratio: %.1f\n", (r > 0 ? h / r : 0)
}'
