#!/bin/sh
# print_throughput.sh - raw throughput of hsprint: a 256 MiB job through a
# pty with flow=xonxoff, against `cat` into the same kind of pty (stty raw
# ixon), alternating, at least 5 runs each. The far end of both ptys is
# the same socat reader. Goals: hsprint/cat throughput >= 0.95 and CPU
# per MiB <= 1.1 x cat's (median of the runs); syscalls per KiB of both
# (strace -c on a 16 MiB job) are reported.
. "$(dirname "$0")/bench_lib.sh"
bench_need "$HSPRINT"
MIB=${PRINT_BENCH_MIB:-256}
head -c $((MIB * 1024 * 1024)) /dev/urandom > "$W/job"
head -c $((16 * 1024 * 1024)) "$W/job" > "$W/job16"

# run_pty NAME CMD...: a fresh pty at $W/lp drained by socat into
# /dev/null; CMD writes the job to it. Leaves "WALL USER SYS WAKEUPS" in
# $W/NAME.
run_pty() {
  name=$1; shift
  rm -f "$W/lp"
  socat -b 65536 -u PTY,link="$W/lp",raw,echo=0 GOPEN:/dev/null &
  spid=$!
  n=0; while [ ! -e "$W/lp" ] && [ $n -lt 250 ]; do sleep 0.02; n=$((n + 1)); done
  timed "$W/$name" "$@" || { kill $spid; bench_fatal "$name failed"; }
  kill $spid 2>/dev/null; wait $spid 2>/dev/null
}

# syscalls NAME CMD...: syscalls per KiB of CMD writing the 16 MiB job
syscalls() {
  name=$1; shift
  run_pty "$name" strace -f -c -o "$W/$name.strace" "$@"
  awk '$NF == "total" { print $4 / 16384 }' "$W/$name.strace"
}

bench_title "$MIB MiB through a pty, flow=xonxoff, hsprint against cat"
for i in $(bench_seq 5); do
  run_pty cat sh -c 'stty -F "$0" raw ixon && exec cat "$1" > "$0"' "$W/lp" "$W/job"
  run_pty hsprint "$HSPRINT" -d "serial:$W/lp?flow=xonxoff" "$W/job"
  read -r cw cu cs _ < "$W/cat"
  read -r hw hu hs _ < "$W/hsprint"
  bench_sample tp "$(ratio "$cw" "$hw")"
  bench_sample cpu "$(ratio "$(calc "$hu + $hs")" "$(calc "$cu + $cs")")"
  echo "  run $i: cat $cw s, CPU $(calc "($cu + $cs) * 1000 / $MIB") ms/MiB; hsprint $hw s, CPU $(calc "($hu + $hs) * 1000 / $MIB") ms/MiB"
done
bench_row tp "throughput into a pty ($MIB MiB), hsprint / cat" '>= 0.95'
bench_row cpu "CPU per MiB into a pty, hsprint / cat" '<= 1.1'
bench_info 'syscalls per KiB into a pty, cat' \
  "$(syscalls cat-strace sh -c 'stty -F "$0" raw ixon && exec cat "$1" > "$0"' "$W/lp" "$W/job16")"
bench_info 'syscalls per KiB into a pty, hsprint' \
  "$(syscalls hsprint-strace "$HSPRINT" -d "serial:$W/lp?flow=xonxoff" "$W/job16")"
bench_end
