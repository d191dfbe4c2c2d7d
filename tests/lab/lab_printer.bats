#!/usr/bin/env bats
# lab_printer.bats — the serial printer model: line-rate pacing read from
# the program's termios, watermarks with XOFF/XON or DSR/CTS, paper-out,
# and a byte-exact output file.

load lab_helper

setup() {
	lab_setup
	JOB="$BATS_TEST_TMPDIR/job.bin"
	OUT="$BATS_TEST_TMPDIR/printed.bin"
}

@test "at 9600 baud the printer takes at most 960 bytes per second" {
	head -c 1920 /dev/urandom >"$JOB"
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer --output "$OUT" \
		-- "$LABHOST" -b 9600 /dev/ttyUSB0 write-file "$JOB"
	assert_success
	grep -q 'ttyUSB0 termios speed=9600' "$T"
	read -r total after span < <(rx_bytes_and_span "$T" ttyUSB0)
	[ "$total" -eq 1920 ]
	# bytes after the first rx event over the time they took: <= 960/s,
	# plus one 10 ms tick of slack (10 bytes)
	run awk -v n="$after" -v s="$span" 'BEGIN { exit !(n <= 960 * s + 10) }'
	assert_success
	# and it is not absurdly slow either (the test must be able to fail
	# both ways): faster than a third of the line rate, which leaves room
	# for a loaded CI machine
	run awk -v n="$after" -v s="$span" 'BEGIN { exit !(n >= 320 * s) }'
	assert_success
}

@test "at 19200 baud it is twice as fast (speed read from termios)" {
	head -c 1920 /dev/urandom >"$JOB"
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer --output "$OUT" \
		-- "$LABHOST" -b 19200 /dev/ttyUSB0 write-file "$JOB"
	assert_success
	grep -q 'ttyUSB0 termios speed=19200' "$T"
	read -r total after span < <(rx_bytes_and_span "$T" ttyUSB0)
	# at most 1920 B/s, and faster than 9600 baud could ever be
	run awk -v n="$after" -v s="$span" 'BEGIN { exit !(n <= 1920 * s + 20 && n > 960 * s + 10) }'
	assert_success
}

@test "the printer raises XOFF at its high watermark and XON at its low one" {
	head -c 1500 /dev/urandom >"$JOB"
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer \
		--buffer '256 192 64' --print-rate 480 --output "$OUT" \
		-- "$LABHOST" -x -b 9600 /dev/ttyUSB0 write-file "$JOB"
	assert_success
	# first XOFF exactly when the buffer reached 192 (reads are <= 10 B)
	run grep -m1 -E 'ttyUSB0 printer xoff fill=' "$T"
	assert_success
	fill=${output##*fill=}
	[ "$fill" -ge 192 ]
	[ "$fill" -lt 202 ]
	grep -qF 'ttyUSB0 tx "\x13"' "$T"
	run grep -m1 -E 'ttyUSB0 printer xon fill=' "$T"
	fill=${output##*fill=}
	[ "$fill" -le 64 ]
	# the host honoured it (IXON): no byte arrived between XOFF and XON
	run awk '/ttyUSB0 printer xoff/ { off = 1 } /ttyUSB0 printer xon/ { off = 0 }
		off && / ttyUSB0 rx / { bad++ } END { exit bad > 0 }' "$T"
	assert_success
	run grep -c 'printer overflow' "$T"
	assert_output 0
}

@test "the printed output is sha256-equal to what was sent" {
	head -c 3000 /dev/urandom >"$JOB"
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer \
		--buffer '512 384 128' --print-rate 1500 --output "$OUT" \
		-- "$LABHOST" -x -b 19200 /dev/ttyUSB0 write-file "$JOB"
	assert_success
	[ "$(sha256sum <"$JOB")" = "$(sha256sum <"$OUT")" ]
	grep -q 'ttyUSB0 printer printed 3000 lost 0' "$T"
}

@test "a host that ignores XOFF loses bytes (the test can fail)" {
	head -c 1500 /dev/urandom >"$JOB"
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer \
		--buffer '256 192 64' --print-rate 480 --output "$OUT" \
		-- "$LABHOST" -b 9600 /dev/ttyUSB0 write-file "$JOB"
	assert_success
	grep -q 'ttyUSB0 printer overflow' "$T"
	[ "$(sha256sum <"$JOB")" != "$(sha256sum <"$OUT")" ]
}

@test "busy by DSR/CTS: an RTS/CTS host waits while the printer is busy" {
	head -c 1000 /dev/urandom >"$JOB"
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer --busy dsr \
		--buffer '256 192 64' --print-rate 480 --output "$OUT" \
		-- sh -c "stty -F /dev/ttyUSB0 crtscts && $LABHOST -b 9600 /dev/ttyUSB0 write-file $JOB"
	assert_success
	grep -q 'ttyUSB0 dev DSR=0 CTS=0' "$T" || grep -q 'ttyUSB0 dev CTS=0 DSR=0' "$T"
	run grep -c 'printer overflow' "$T"
	assert_output 0
	[ "$(sha256sum <"$JOB")" = "$(sha256sum <"$OUT")" ]
}

@test "paper-out after N bytes stops printing for T ms, then it resumes" {
	head -c 600 /dev/urandom >"$JOB"
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer \
		--paper-out '200 300' --output "$OUT" \
		-- "$LABHOST" -x -b 19200 /dev/ttyUSB0 write-file "$JOB"
	assert_success
	run grep -E 'ttyUSB0 printer (paper-out|paper-ok)' "$T"
	assert_line --index 0 --partial 'paper-out'
	assert_line --index 1 --partial 'paper-ok'
	[ "$(sha256sum <"$JOB")" = "$(sha256sum <"$OUT")" ]
}

@test "TIOCOUTQ counts the bytes the printer has not taken yet" {
	head -c 2000 /dev/urandom >"$JOB"
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer --output "$OUT" \
		-- "$LABHOST" -b 9600 /dev/ttyUSB0 write-file "$JOB" outq
	assert_success
	# a pty takes all 2000 bytes at once; at 960 B/s most are still queued
	n=${output#outq=}
	[ "$n" -gt 1000 ]
	[ "$n" -le 2000 ]
}

@test "CUPS's serial backend prints a whole job with DTR/DSR flow control" {
	backend=/usr/lib/cups/backend/serial
	[ -x "$backend" ] || skip "cups-filters' serial backend not installed"
	head -c 2000 /dev/urandom >"$JOB"
	# sized so that no byte can be lost although the pty takes the whole
	# job at once (tcdrain on a pty does not wait): the line brings about
	# 900 B/s for ~2.3 s, the printer prints 500 B/s, so the buffer passes
	# 512 (busy) after ~1.3 s and peaks near 900 of its 2048
	run "$HSLAB" --transcript "$T" --port ttyUSB0=printer --busy dsr \
		--buffer '2048 512 128' --print-rate 500 --output "$OUT" -- \
		env DEVICE_URI='serial:/dev/ttyUSB0?baud=9600+flow=dtrdsr' \
		"$backend" 1 user title 1 '' "$JOB"
	assert_success
	grep -q 'ttyUSB0 dev CTS=0 DSR=0' "$T"
	grep -q 'ttyUSB0 printer printed 2000 lost 0' "$T"
	[ "$(sha256sum <"$JOB")" = "$(sha256sum <"$OUT")" ]
}
