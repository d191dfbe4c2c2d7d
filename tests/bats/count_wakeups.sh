#!/bin/sh
# count_wakeups.sh - run inside the lab by tests/bats/waits.bats:
#
#   count_wakeups.sh TRANSCRIPT REGEX WINDOW COMMAND [ARGS...]
#
# Starts COMMAND, waits (wait_for, 20 s at most) until the lab's
# TRANSCRIPT has a line matching REGEX (the device started to hold it
# up), lets 1 s pass, then counts COMMAND's wake-ups over WINDOW seconds:
# the voluntary context switches of all its threads
# (/proc/PID/task/*/status). Under the lab a call on a port (an ioctl, a
# read, a write) costs a few, as a driver call would. Prints "wakeups N"
# on stderr, then waits for COMMAND; exit status COMMAND's, or 70 when
# REGEX never came.
t=$1 pat=$2 window=$3
shift 3
. "$LAB_WAIT"
"$@" & pid=$!
if ! wait_for "$t" "$pat" 20; then
	kill "$pid"
	exit 70
fi
count() {
	cat /proc/"$pid"/task/*/status | awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }'
}
sleep 1
a=$(count)
sleep "$window"
b=$(count)
echo "wakeups $((b - a))" >&2
wait "$pid"
