#!/usr/bin/env bats
# lab_mismatch.bats — the device's own UART setting (--line) and what
# crosses when the program's differs: the bytes each side receives, byte
# for byte, the PARMRK marks and TIOCGICOUNT counts, the modem's +IPR,
# +ICF and autobaud, and the talkers (console, NMEA).

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}
load lab_helper

setup() {
	lab_setup
}

@test "at the device's own setting both sides understand each other; TCGETS shows 7E1" {
	run "$HSLAB" --transcript "$T" --line '9600 7E1' -- \
		"$LABHOST" -b 9600 -f 7E1 -m /dev/ttyUSB0 termios send 'AT\r' \
		recv 9 icount
	assert_success
	# the pty alone would read back 8 bits, no parity, no PARMRK
	assert_line 'bits=7 parity=even stop=1 parmrk=1'
	assert_line 'recv "AT\r\r\nOK\r\n"'
	assert_line 'rx=9 tx=3 frame=0 parity=0 brk=0'
	grep -qF 'ttyUSB0 uart 9600 7E1 start' "$T"
	grep -qF 'ttyUSB0 command "AT"' "$T"
	grep -qF 'ttyUSB0 line speed=9600 bits=7 parity=even stop=1' "$T"
}

@test "an 8N1 program talks to a 7E1 modem by setting the parity bits itself" {
	# 'A' 'T' '\r' with even parity in bit 7: 41 D4 8D. The modem's
	# echo and OK come back with their parity bits as bit 7.
	run "$HSLAB" --transcript "$T" --line '9600 7E1' -- \
		"$LABHOST" -b 9600 /dev/ttyUSB0 send '\x41\xD4\x8D' recv 9
	assert_success
	assert_line 'recv "A\xD4\x8D\x8D\n\xCFK\x8D\n"'
	grep -qF 'ttyUSB0 rx "AT\r"' "$T"
	grep -qF 'ttyUSB0 command "AT"' "$T"
}

@test "plain AT at 8N1 reaches a 7E1 modem damaged: it drops T and CR" {
	# 'T' and '\r' have an odd number of ones: bit 7 (0) is the wrong
	# even parity bit for them; 'A' passes
	run "$HSLAB" --transcript "$T" --line '9600 7E1' -- \
		"$LABHOST" -b 9600 /dev/ttyUSB0 send 'AT\r' recv 1
	assert_success
	assert_line 'recv "A"'
	grep -qF 'ttyUSB0 uart-dropped 2 of 3' "$T"
	grep -qF 'ttyUSB0 rx "A"' "$T"
	run grep -F 'command' "$T"
	assert_failure
}

@test "parity errors reach a 7O1 program as PARMRK marks and in TIOCGICOUNT" {
	# "aT\r" at 7O1 is "aT\r" at 8N1 (their odd parity bit is 0); the
	# modem's echo and OK come back at 8N1, where bit 7 is 0: \n, K have
	# an even number of ones, a parity error each at 7O1
	run "$HSLAB" --transcript "$T" --line '9600 8N1' -- \
		"$LABHOST" -b 9600 -f 7O1 -m /dev/ttyUSB0 send 'aT\r' recv 15 icount
	assert_success
	assert_line 'recv "aT\r\r\xFF\x00\nO\xFF\x00K\r\xFF\x00\n"'
	assert_line 'rx=9 tx=3 frame=0 parity=3 brk=0'
	grep -qF 'ttyUSB0 uart-errors 3 of 6' "$T"
	grep -qF 'ttyUSB0 command "AT"' "$T"
}

@test "without PARMRK a damaged character reads as NUL (INPCK) or as it came" {
	run "$HSLAB" --transcript "$T" --line '9600 8N1' -- \
		"$LABHOST" -b 9600 -f 7O1 /dev/ttyUSB0 send 'aT\r' recv 9
	assert_success
	# labhost without -m leaves INPCK off: the kernel passes them
	assert_line 'recv "aT\r\r\nOK\r\n"'
}

@test "a wrong rate gives framing errors and breaks, the same every time" {
	for i in 1 2; do
		run "$HSLAB" --transcript "$T.$i" --line '9600 8N1' -- \
			"$LABHOST" -b 115200 -m /dev/ttyUSB0 send 'AT\r' recv 3 icount
		assert_success
		# the modem's 9600 echo is one long low start bit at 115200
		assert_line 'recv "\xFF\x00\x00"'
		assert_line 'rx=1 tx=3 frame=0 parity=0 brk=1'
		grep -E ' (rx|tx|uart-errors|uart-dropped) ' "$T.$i" |
			cut -d' ' -f2- >"$T.$i.events"
	done
	cmp "$T.1.events" "$T.2.events"
	run grep -c ' rx ' "$T.1.events"
	assert_output 1
	run grep -F 'command' "$T.1"
	assert_failure
}

@test "a port can refuse a rate: tcsetattr fails with EINVAL" {
	run "$HSLAB" --refuse-rates '57600 38400' -- \
		"$LABHOST" -b 57600 /dev/ttyUSB0
	assert_failure 2
	assert_output --partial 'tcsetattr: Invalid argument'
	run "$HSLAB" --refuse-rates '57600 38400' -- \
		"$LABHOST" -b 19200 /dev/ttyUSB0
	assert_success
}

@test "+IPR: the OK goes out at the old rate, then only the new one works" {
	run "$HSLAB" --transcript "$T" --line '9600 8N1' -- \
		"$LABHOST" -b 9600 /dev/ttyUSB0 send 'AT+IPR=?\r' expect OK \
		send 'AT+IPR=19200\r' expect 'OK\r\n' send 'AT\r' recv 1
	assert_success
	grep -qF 'tx "\r\n+IPR: (0,300,1200,2400,4800,9600,19200,38400,57600,115200),()\r\n"' "$T"
	grep -qF 'ttyUSB0 uart 19200 8N1 +IPR' "$T"
	# at 19200 the modem hears two garbled bytes from 9600's "AT\r"
	grep -qF 'ttyUSB0 rx "\x98\xF8"' "$T"
	[ "$(grep -c 'command "AT"$' "$T")" = 0 ]
}

@test "+ICF, &W and Z: the framing changes, Z goes back to what &W kept" {
	# at 7E1 an 8N1 program sets the parity bits itself: AT is 41 D4 8D,
	# ATZ 41 D4 5A 8D; the OK comes back as 8D 0A CF 4B 8D 0A
	run "$HSLAB" --transcript "$T" --line '9600 8N1' -- \
		"$LABHOST" -b 9600 /dev/ttyUSB0 send 'AT&W+ICF=5,1\r' \
		expect 'OK\r\n' send '\x41\xD4\x8D' expect '\xCFK\x8D\n' \
		send '\x41\xD4\x5A\x8D' expect '\xCFK\x8D\n' \
		send 'AT+ICF?\r' expect '+ICF: 3,3' expect 'OK\r\n'
	assert_success
	run grep -F ' uart ' "$T"
	assert_line --index 0 --partial 'uart 9600 8N1 start'
	assert_line --index 1 --partial 'uart 9600 7E1 +ICF'
	assert_line --index 2 --partial 'uart 9600 8N1 Z'
	grep -qF 'ttyUSB0 command "ATZ"' "$T"
}

@test "--ipr-fault ignore: OK to +IPR=N, and the rate stays" {
	run "$HSLAB" --transcript "$T" --line '9600 8N1' --ipr-fault ignore -- \
		"$LABHOST" -b 9600 /dev/ttyUSB0 send 'AT+IPR=115200\r' \
		expect 'OK\r\n' send 'AT\r' expect 'OK\r\n'
	assert_success
	grep -qF 'ttyUSB0 fault ipr-ignore 115200' "$T"
	run grep -F 'uart 115200' "$T"
	assert_failure
}

@test "an autobaud modem loses the first line at a new setting, then answers" {
	run "$HSLAB" --transcript "$T" --line '115200 8N1 autobaud' -- \
		"$LABHOST" -b 9600 -f 7E1 /dev/ttyUSB0 send 'AT\r' \
		send 'AT+IPR?\r' expect '+IPR: 0' expect OK
	assert_success
	grep -qF 'ttyUSB0 uart 9600 7E1 autobaud' "$T"
	grep -qF 'ttyUSB0 uart-dropped 3: autobaud' "$T"
	[ "$(grep -c ' command ' "$T")" = 1 ]
}

@test "the console prints its boot log at its setting; at 8N1 bit 7 is parity" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=console --line '38400 7E1' \
		--talk-interval 20 -- "$LABHOST" -b 38400 -f 7E1 /dev/ttyUSB0 \
		expect 'U-Boot 2022.01' expect 'login: '
	assert_success
	# at 8N1: ' ' (one 1 bit) and '2' (three) get bit 7 set
	run "$HSLAB" --port ttyUSB0=console --line '38400 7E1' \
		--talk-interval 20 -- "$LABHOST" -b 38400 /dev/ttyUSB0 \
		expect 'U-Boot\xA0\xB20\xB2\xB2.0\xB1'
	assert_success
	# it never reads: nothing received
	run grep -F ' rx ' "$T"
	assert_failure
}

@test "the NMEA source sends sentences with valid checksums at its rate" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=nmea --line '4800' \
		--talk-interval 50 -- "$LABHOST" -b 4800 /dev/ttyUSB0 \
		expect '$GPGGA' expect '\r\n' expect '$GPGGA'
	assert_success
	# every sentence's checksum, computed here independently
	grep -F 'ttyUSB0 tx ' "$T" | head -2 | /usr/bin/python3 -c '
import sys, re, functools
n = 0
for line in sys.stdin:
    for body, hh in re.findall(r"\$([^*$]*)\*([0-9A-F]{2})", line):
        assert functools.reduce(lambda a, c: a ^ ord(c), body, 0) == int(hh, 16), body
        n += 1
assert n == 10, n'
}
