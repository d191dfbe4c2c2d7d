#!/usr/bin/env bats
# lab_miwait.bats — TIOCMIWAIT answered as a serial driver answers it:
# the wait ends when a line it names changes, with EINTR when the caller
# gets a signal, with EIO when the port is unplugged; a port set
# "miwait no" answers ENOTTY like a driver without the call. Every wait
# is logged in the transcript ("miwait wait|woke|interrupted|hangup").

load lab_helper

setup() {
	lab_setup
}

# nullmodem_wait LINES SECS CHANGE...: ttyUSB1 is held open (DTR up:
# ttyUSB0's DSR up); ttyUSB0 waits on LINES (labhost miwait, SIGALRM
# after SECS); once the lab logged the wait, ttyUSB1 does CHANGE (labhost
# words). Leaves run's output: what the waiter printed.
nullmodem_wait() {
	local lines=$1 secs=$2
	shift 2
	run "$HSLAB" --transcript "$T" --nullmodem 'ttyUSB0 ttyUSB1' -- sh -c '
		labhost=$1 t=$2 lines=$3 secs=$4
		shift 4
		. "$LAB_WAIT"
		exec 3<>/dev/ttyUSB1
		wait_for "$t" "ttyUSB1 host DTR=1" 20 || exit 7
		"$labhost" /dev/ttyUSB0 miwait "$lines" "$secs" & waiter=$!
		wait_for "$t" "ttyUSB0 miwait wait $lines" 20 || exit 9
		"$labhost" /dev/ttyUSB1 "$@" || exit 8
		wait $waiter' sh "$LABHOST" "$T" "$lines" "$secs" "$@"
}

@test "a wait ends when the device changes a line it names, and is logged" {
	# ttyUSB1 drops DTR, which the null modem wires to ttyUSB0's DSR
	nullmodem_wait DSR 30 dtr 0
	assert_success
	assert_output "miwait: changed CTS=1 DSR=0 DCD=0 RI=0"
	# the one change it waited for, and nothing else ended it
	in_order 'ttyUSB0 miwait wait DSR' 'ttyUSB1 host DTR=0' 'ttyUSB0 miwait woke DSR=0'
}

@test "a line it does not name does not end the wait; a signal does (EINTR)" {
	# CTS moves (RTS on the other end), DSR does not: the alarm ends it
	nullmodem_wait DSR 2 rts 0
	assert_success
	assert_output "miwait: interrupted"
	in_order 'ttyUSB0 miwait wait DSR' 'ttyUSB1 host RTS=0' 'ttyUSB0 miwait interrupted'
	run grep -c 'miwait woke' "$T"
	assert_output 0
}

@test "an unplug ends the wait with EIO" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0 --fault 'unplug after-ms 300' \
		-- "$LABHOST" /dev/ttyUSB0 miwait DCD,RI 30
	assert_success
	assert_output "miwait: failed: Input/output error"
	in_order 'ttyUSB0 miwait wait DCD RI' 'ttyUSB0 miwait hangup'
}

@test "a port whose driver lacks TIOCMIWAIT (miwait no) answers ENOTTY at once" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0 --miwait no \
		-- "$LABHOST" /dev/ttyUSB0 miwait DSR 30
	assert_success
	assert_output "miwait: failed: Inappropriate ioctl for device"
	run grep -c miwait "$T"
	assert_output 0
}

# in_order PATTERN...: the transcript has lines matching each, in order
in_order() {
	awk -v pats="$(printf '%s\n' "$@")" '
		BEGIN { n = split(pats, p, "\n") }
		i < n && $0 ~ p[i + 1] { i++ }
		END { exit i < n }' "$T" || { cat "$T" >&2; return 1; }
}
