#!/bin/sh
# print_throughput.sh - raw throughput of hsprint: a 256 MiB job through a
# pty with flow=xonxoff, against `cat` into the same kind of pty (stty raw
# ixon) in the same run. The far end of both ptys is the same socat
# reader. Goal: hsprint/cat >= 0.9; CPU per MiB printed for both.
. "$(dirname "$0")/print_lib.inc"
need "$HSPRINT"
MIB=${PRINT_BENCH_MIB:-256}
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$W/job"

# run_pty NAME CMD...: a fresh pty at $W/lp drained by socat into
# /dev/null; CMD writes the job to it. Leaves "WALL USER SYS" in $W/NAME.
run_pty() {
  name=$1; shift
  rm -f "$W/lp"
  socat -b 65536 -u PTY,link="$W/lp",raw,echo=0 GOPEN:/dev/null &
  spid=$!
  i=0; while [ ! -e "$W/lp" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
  timed "$W/$name" "$@" || { echo "bench: $name failed" >&2; kill $spid; exit 1; }
  kill $spid 2>/dev/null; wait $spid 2>/dev/null
}

run_pty cat sh -c 'stty -F "$0" raw ixon && cat "$1" > "$0"' "$W/lp" "$W/job"
run_pty hsprint "$HSPRINT" -d "serial:$W/lp?flow=xonxoff" "$W/job"

read -r cw cu cs < "$W/cat"
read -r hw hu hs < "$W/hsprint"
echo "print_throughput: $MIB MiB through a pty, flow=xonxoff"
awk -v m="$MIB" -v cw="$cw" -v cu="$cu" -v cs="$cs" -v hw="$hw" -v hu="$hu" -v hs="$hs" 'BEGIN {
  printf "  cat     %7.2f s %8.1f MiB/s  CPU %.2f ms/MiB\n", cw, m / cw, (cu + cs) * 1000 / m
  printf "  hsprint %7.2f s %8.1f MiB/s  CPU %.2f ms/MiB\n", hw, m / hw, (hu + hs) * 1000 / m
  r = (m / hw) / (m / cw)
  printf "  ratio hsprint/cat %.3f (goal >= 0.9) %s\n", r, (r >= 0.9 ? "ok" : "BELOW GOAL")
}'
