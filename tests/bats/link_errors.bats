#!/usr/bin/env bats
# link_errors.bats - the link's line-error counts (hs_link_line_errors)
# against the lab's UART model: none at the device's own setting;
# parity errors, framing errors and breaks at wrong ones, counted by the
# driver (TIOCGICOUNT) or, where it has none, told apart from the PARMRK
# marks (mark-errors: hs_link_mark_errors); with marks reads give the
# characters as they came, without them as the kernel's INPCK does.

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}
load helper

setup() {
	lab_setup
	HSLINK=$BUILD_DIR/hslink
	[ -x "$HSLINK" ] || skip "hslink not built ($HSLINK)"
}

@test "at the device's own setting reads have no line errors" {
	run "$HSLAB" --transcript "$T" --line '9600 7E1' -- "$HSLINK" \
		'serial:/dev/ttyUSB0?baud=9600&bits=7&parity=even' \
		mark-errors send 'AT\r' expect 'OK\r\n' errors
	assert_success
	assert_line 'last: damaged=0 framing=0 parity=0 breaks=0 overruns=0 counted=1'
	assert_line 'total: damaged=0 framing=0 parity=0 breaks=0 overruns=0 counted=1'
	grep -qF 'ttyUSB0 command "AT"' "$T"
}

@test "7O1 against an 8N1 modem: three parity errors; the data as it came" {
	# "aT\r" at 7O1 is "aT\r" at 8N1; in the echo and "\r\nOK\r\n" the
	# characters \n, K, \n have the wrong odd parity (lab_mismatch.bats)
	for icount in yes no; do
		run "$HSLAB" --line '9600 8N1' --icount $icount -- "$HSLINK" \
			'serial:/dev/ttyUSB0?baud=9600&bits=7&parity=odd' \
			mark-errors send 'aT\r' recv-file "$BATS_TEST_TMPDIR/got" 9 errors
		assert_success
		counted=$([ $icount = yes ] && echo 1 || echo 0)
		assert_line "total: damaged=3 framing=0 parity=3 breaks=0 overruns=0 counted=$counted"
		[ "$(od -An -c "$BATS_TEST_TMPDIR/got" | tr -s ' ')" = \
		  "$(printf 'aT\r\r\nOK\r\n' | od -An -c | tr -s ' ')" ]
	done
}

@test "without marks the driver's counts, and damaged characters as NULs (INPCK)" {
	run "$HSLAB" --line '9600 8N1' -- "$HSLINK" \
		'serial:/dev/ttyUSB0?baud=9600&bits=7&parity=odd' \
		send 'aT\r' recv-file "$BATS_TEST_TMPDIR/got" 9 errors
	assert_success
	assert_line 'total: damaged=3 framing=0 parity=3 breaks=0 overruns=0 counted=1'
	[ "$(od -An -c "$BATS_TEST_TMPDIR/got" | tr -s ' ')" = \
	  "$(printf 'aT\r\r\0O\0\r\0' | od -An -c | tr -s ' ')" ]
	# and where the driver cannot count, nothing is known
	run "$HSLAB" --line '9600 8N1' --icount no -- "$HSLINK" \
		'serial:/dev/ttyUSB0?baud=9600&bits=7&parity=odd' \
		send 'aT\r' recv-file "$BATS_TEST_TMPDIR/got" 9 errors
	assert_success
	assert_line 'total: damaged=0 framing=0 parity=0 breaks=0 overruns=0 counted=0'
}

@test "19200 against a 9600 modem: a framing error" {
	run "$HSLAB" --transcript "$T" --line '9600 8N1' -- "$HSLINK" \
		'serial:/dev/ttyUSB0?baud=19200' mark-errors send 'ATI\r' \
		recv-file "$BATS_TEST_TMPDIR/got" 3 errors
	assert_success
	assert_line 'total: damaged=1 framing=1 parity=0 breaks=0 overruns=0 counted=1'
	[ "$(head -c 1 "$BATS_TEST_TMPDIR/got")" = x ]
	grep -qF 'ttyUSB0 uart-errors 1 of 3' "$T"
}

@test "115200 against a 9600 modem: a break, read as a NUL" {
	for icount in yes no; do
		run "$HSLAB" --line '9600 8N1' --icount $icount -- "$HSLINK" \
			'serial:/dev/ttyUSB0?baud=115200' mark-errors send 'AT\r' \
			expect '\x00' errors
		assert_success
		counted=$([ $icount = yes ] && echo 1 || echo 0)
		assert_line "total: damaged=1 framing=0 parity=0 breaks=1 overruns=0 counted=$counted"
	done
}

@test "a 0xff in the data is one byte, however the reads split it" {
	# the modem echoes what it gets; with PARMRK the kernel doubles each
	# 0xff and the link undoes it, also across reads of one byte
	printf '\377\377A\377' >"$BATS_TEST_TMPDIR/want"
	run "$HSLAB" -- "$HSLINK" 'serial:/dev/ttyUSB0?baud=9600' \
		mark-errors send '\xff\xffA\xff' recv-file "$BATS_TEST_TMPDIR/got" 4 errors
	assert_success
	cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	assert_line 'total: damaged=0 framing=0 parity=0 breaks=0 overruns=0 counted=1'
}
