#!/bin/sh
# ring_wait.sh - run by `make bench`: wait for RING on many links in one
# process and count poll() wakeups while nothing happens (want 0), with
# the wakeups a few real RINGs cost as the reference in the same run.
#
# 64 lab ports in one process cannot be had today: hslab serves at most
# LAB_MAX_PORTS (8) ports, and umockdev's preload (Debian 12, 0.17) aborts
# a process holding more than 50 emulated fds ("fd_map_add(): overflow",
# FD_MAP_MAX). So: run 1 waits on every lab port plus ptys up to 48 links
# under the lab, the lab ringing one lab port; run 2 waits on 64 ptys
# outside the lab, a child process ringing the last one.
set -u
dir=${HS_BENCH_DIR:-${BUILD:-build}}
lab=${HSLAB:-$dir/hslab}
prog=$dir/bench/ring_wait
ports=${LAB_PORTS:-8}
for f in "$lab" "$prog"; do
	[ -x "$f" ] || { echo "ring_wait.sh: $f not built (make bench)" >&2; exit 1; }
done
locks=$(mktemp -d) || exit 1
trap 'rm -rf "$locks"' EXIT
export HS_LOCK_DIR="$locks"

args= devs= i=0
while [ "$i" -lt "$ports" ]; do
	args="$args --port ttyUSB$i"
	devs="$devs /dev/ttyUSB$i"
	i=$((i + 1))
done
# the last port named gets the call: 3 s of quiet, then 4 RINGs 0.5 s
# apart with caller ID after the first
# shellcheck disable=SC2086 # word splitting wanted: option lists
"$lab" $args --ring '3 5551212 BENCH' --ring-interval 0.5 --ring-max 4 \
	-- "$prog" 5 48 $devs
rc1=$?
RING_WAIT_PTY_RING=3 "$prog" 5 64
rc2=$?
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ]
