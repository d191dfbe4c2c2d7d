#!/usr/bin/env bats
# lab_faults.bats — injected faults and what a program sees: unplug (EIO,
# node gone), silence, garbage, an endless line, carrier loss, a printer
# stuck busy.

load lab_helper

setup() {
	lab_setup
}

@test "unplug after N bytes makes the program's next write fail with EIO" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=none \
		--fault 'unplug after-bytes 20' -- sh -c "
		$LABHOST /dev/ttyUSB0 write-until-fail 10 || exit 1
		# and the node is gone, as after a real unplug
		[ ! -e /dev/ttyUSB0 ] || exit 2"
	assert_success
	assert_output 'failed: write: Input/output error'
	grep -q 'ttyUSB0 unplug$' "$T"
	run grep -c 'ttyUSB0 rx' "$T"
	# 20 bytes (one per write) were received before the plug was pulled
	assert_output 20
}

@test "unplug after-bytes N: the printer got exactly N bytes and prints them all" {
	# one write of 3000 bytes: the fault must fire at byte 1000, not
	# after the chunk the lab read it in; what the printer had in its
	# buffer at the unplug still reaches the output (it is the host's
	# adapter that went away, not the printer)
	head -c 3000 /dev/urandom >"$BATS_TEST_TMPDIR/job"
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer --print-rate 2000 \
		--output "$BATS_TEST_TMPDIR/out" --fault 'unplug after-bytes 1000' -- \
		"$LABHOST" /dev/ttyUSB0 write-file "$BATS_TEST_TMPDIR/job"
	# labhost's writes were done before the unplug, or it saw the hang-up
	[[ $status -eq 0 || $output == *"Input/output error"* ]]
	read -r total _ _ < <(rx_bytes_and_span "$T" ttyUSB0)
	[ "$total" -eq 1000 ]
	head -c 1000 "$BATS_TEST_TMPDIR/job" | cmp - "$BATS_TEST_TMPDIR/out"
	grep -q 'ttyUSB0 printer printed 1000 lost 0 held 0$' "$T"
}

@test "unplug after T ms ends a blocked read (hang-up: end of file)" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=none \
		--fault 'unplug after-ms 300' -- \
		"$LABHOST" /dev/ttyUSB0 expect 'never sent' 10
	assert_failure 2
	assert_output --partial 'read: end of file'
	grep -q 'ttyUSB0 fault unplug' "$T"
}

@test "unplug is announced to udev listeners and the sysfs device goes away" {
	run "$HSLAB" --transcript "$T" --fault 'unplug after-ms 200' -- sh -c '
		. "$LAB_WAIT"
		[ -e /sys/class/tty/ttyUSB0 ] || exit 1
		wait_for "$T" "ttyUSB0 unplug" 10 || exit 2
		[ ! -e /sys/class/tty/ttyUSB0 ] || exit 3'
	assert_success
}

@test "silence: the modem never answers" {
	run "$HSLAB" --transcript "$T" --fault silence -- \
		"$LABHOST" /dev/ttyUSB0 send 'AT\r' expect 'OK' 1
	assert_failure 3
	grep -qF 'ttyUSB0 rx "AT\r"' "$T"
	run grep -c 'ttyUSB0 tx' "$T"
	assert_output 0
}

@test "garbage: random bytes arrive after T ms" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=none \
		--fault 'garbage after-ms 100' -- sh -c \
		'stty -F /dev/ttyUSB0 raw -echo && head -c 64 /dev/ttyUSB0 | wc -c'
	assert_success
	assert_output 64
	grep -q 'ttyUSB0 fault garbage' "$T"
}

@test "endless-line: bytes keep coming, a line end never does" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=none \
		--fault endless-line -- "$LABHOST" /dev/ttyUSB0 expect '\n' 1
	assert_failure 3
	assert_output --partial 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
}

@test "carrier loss: the modem says NO CARRIER and drops DCD" {
	run "$HSLAB" --transcript "$T" --fault 'carrier-loss after-bytes 11' -- \
		"$LABHOST" /dev/ttyUSB0 send 'ATE0\r' expect 'OK\r\n' \
		send 'ATD1\r' expect 'CONNECT' wait-line DCD 1 \
		send 'x' expect '\r\nNO CARRIER\r\n' wait-line DCD 0
	# 11 bytes: ATE0\r ATD1\r x
	assert_success
	grep -q 'ttyUSB0 state NO-CARRIER fault' "$T"
}

@test "carrier-loss after-bytes N fires at byte N, not after the chunk in flight" {
	head -c 3000 /dev/zero | tr '\0' x >"$BATS_TEST_TMPDIR/data"
	# 10 command bytes (ATE0\r ATD1\r), then 1000 of the 3000 data bytes
	run "$HSLAB" --transcript "$T" --fault 'carrier-loss after-bytes 1010' -- \
		"$LABHOST" /dev/ttyUSB0 send 'ATE0\r' expect 'OK\r\n' \
		send 'ATD1\r' expect 'CONNECT 115200\r\n' \
		write-file "$BATS_TEST_TMPDIR/data" expect '\r\nNO CARRIER\r\n'
	assert_success
	sed '/ttyUSB0 fault carrier-loss$/q' "$T" >"$T.before"
	grep -q 'fault carrier-loss$' "$T.before"
	read -r total _ _ < <(rx_bytes_and_span "$T.before" ttyUSB0)
	[ "$total" -eq 1010 ]
	# the loopback far end got exactly the 1000 data bytes before the loss
	run grep -c 'ttyUSB0 state NO-CARRIER fault$' "$T"
	assert_output 1
}

@test "stuck-busy: a printer that never clears its busy line" {
	head -c 500 /dev/urandom >"$BATS_TEST_TMPDIR/job"
	# the bytes the program wrote stay in its (emulated) UART: a pty takes
	# them at once, so write() and tcdrain() return, but nothing more
	# reaches the printer
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer \
		--output "$BATS_TEST_TMPDIR/out" --fault 'stuck-busy after-bytes 100' \
		-- "$LABHOST" -x -b 19200 /dev/ttyUSB0 write-file "$BATS_TEST_TMPDIR/job"
	assert_success
	grep -q 'ttyUSB0 fault stuck-busy' "$T"
	grep -q 'ttyUSB0 dev CTS=0 DSR=0' "$T"
	grep -qF 'ttyUSB0 tx "\x13"' "$T"
	run awk '/fault stuck-busy/ { s = 1 } s && / rx / { n++ } END { print n + 0 }' "$T"
	assert_output 0
	run grep -E 'ttyUSB0 printer printed [0-9]+' "$T"
	[ "$(echo "$output" | awk '{ print $5 }')" -lt 120 ]
}

@test "flood: N bytes of each stream at once, as fast as the program reads" {
	# 1 MiB each; the slow streams would take minutes (garbage) or
	# seconds (the others) for that
	n=1048576
	for kind in garbage endless-line rings; do
		run "$HSLAB" --transcript "$T" --port ttyUSB0=none \
			--fault "$kind flood $n" -- sh -c \
			"stty -F /dev/ttyUSB0 raw -echo && head -c $n /dev/ttyUSB0 >'$BATS_TEST_TMPDIR/got'"
		assert_success
		grep -q "ttyUSB0 fault $kind flood $n\$" "$T"
		grep -q "ttyUSB0 flood $kind sent $n\$" "$T"
		[ "$(stat -c %s "$BATS_TEST_TMPDIR/got")" -eq "$n" ]
		# not logged byte by byte
		run grep -c ' tx ' "$T"
		assert_output 0
	done
	# the last one was rings: RING\r\n over and over, nothing else
	awk -v n=$n 'BEGIN { while (i < n) { printf "RING\r\n"; i += 6 } }' |
		head -c $n | cmp - "$BATS_TEST_TMPDIR/got"
}

@test "flood: an endless line has no line end in it" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=none \
		--fault 'endless-line flood 100000' -- sh -c \
		"stty -F /dev/ttyUSB0 raw -echo && head -c 100000 /dev/ttyUSB0 | tr -d 'A-Z' | wc -c"
	assert_success
	assert_output 0
}

@test "a flood may wait for a trigger, and a program that stops reading stops it" {
	# after-bytes: the modem answers AT, then the flood starts; labhost
	# reads the OK and stops reading, so the flood is never all sent
	run "$HSLAB" --transcript "$T" --fault 'rings flood 10485760 after-bytes 3' -- \
		"$LABHOST" /dev/ttyUSB0 send 'AT\r' expect 'OK\r\n'
	assert_success
	sed '/fault rings flood/q' "$T" | grep -qF 'tx "\r\nOK\r\n"'
	run grep -c 'flood rings sent' "$T"
	assert_output 0
}

@test "on-connect: the fault fires when the modem says CONNECT" {
	run "$HSLAB" --transcript "$T" --fault 'rings flood 60 on-connect' -- \
		"$LABHOST" /dev/ttyUSB0 send 'ATD1\r' expect 'CONNECT 115200\r\nRING\r\nRING\r\n'
	assert_success
	# nothing before: the flood follows the CONNECT line
	sed '/fault rings flood 60$/q' "$T" | tail -n 3 | grep -q 'state CONNECT 115200'
	run grep -c 'fault rings' "$T"
	assert_output 1
}

@test "on-open: the program's first ioctl finds the port gone" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=none --fault 'unplug on-open' -- \
		"$LABHOST" /dev/ttyUSB0 send x
	assert_failure
	assert_output --partial 'Input/output error'
	grep -q 'ttyUSB0 fault unplug$' "$T"
	run grep -c 'ttyUSB0 rx' "$T"
	assert_output 0
}

@test "fault options that make no sense are refused" {
	run "$HSLAB" --fault 'unplug flood 10' -- true
	assert_failure 64
	assert_output --partial 'only garbage, endless-line and rings flood'
	run "$HSLAB" --fault 'rings on-open after-ms 3' -- true
	assert_failure 64
	assert_output --partial 'take no other trigger'
}

@test "--uart paced: a program's tcflush discards what the line has not carried yet" {
	# 300 baud: a character takes 33 ms on the line, and the program
	# flushes right after writing five
	run "$HSLAB" --transcript "$T" --port ttyUSB0=none --uart paced -- /usr/bin/python3 -c '
import os, termios, tty
fd = os.open("/dev/ttyUSB0", os.O_RDWR | os.O_NOCTTY)
tty.setraw(fd)
a = termios.tcgetattr(fd)
a[4] = a[5] = termios.B300
termios.tcsetattr(fd, termios.TCSANOW, a)
os.write(fd, b"hello")
termios.tcflush(fd, termios.TCOFLUSH)'
	assert_success
	grep -q 'ttyUSB0 flush output 5$' "$T"
	run grep -c 'ttyUSB0 rx' "$T"
	assert_output 0
}
