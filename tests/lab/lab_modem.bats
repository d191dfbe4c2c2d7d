#!/usr/bin/env bats
# lab_modem.bats — the Hayes modem model, driven by programs nobody here
# wrote (pppd's chat) and by labhost for what chat cannot do (DTR, DCD).

load lab_helper

setup() {
	lab_setup
	command -v chat >/dev/null || CHAT=/usr/sbin/chat
	CHAT=${CHAT:-chat}
}

@test "chat dials the default modem and exits 0 on CONNECT" {
	run "$HSLAB" --transcript "$T" -- sh -c \
		"$CHAT -S -t 5 ABORT BUSY ABORT 'NO CARRIER' '' ATZ OK ATDT5551234 CONNECT '' </dev/ttyUSB0 >/dev/ttyUSB0"
	assert_success
	# chat writes one byte at a time; compare the command the modem ran
	run grep -F 'ttyUSB0 command "ATDT5551234"' "$T"
	assert_success
	run grep -F 'ttyUSB0 tx "\r\nCONNECT 115200\r\n"' "$T"
	assert_success
	grep -q 'ttyUSB0 dev DCD=1' "$T"
}

@test "chat exits with its ABORT code (4) on BUSY" {
	run "$HSLAB" --transcript "$T" --number '5550000 busy' -- sh -c \
		"$CHAT -S -t 5 ABORT BUSY ABORT 'NO CARRIER' '' ATZ OK ATDT555-0000 CONNECT '' </dev/ttyUSB0 >/dev/ttyUSB0"
	assert_failure 4
	run grep -F 'ttyUSB0 tx "\r\nBUSY\r\n"' "$T"
	assert_success
}

@test "chat's second ABORT (5) on NO CARRIER from a dropped call" {
	run "$HSLAB" --transcript "$T" \
		--number '777 script expect hello send bye hangup' -- sh -c \
		"$CHAT -S -t 5 ABORT BUSY ABORT 'NO CARRIER' '' AT OK ATD777 CONNECT hello XXX </dev/ttyUSB0 >/dev/ttyUSB0"
	assert_failure 5
	grep -qF 'ttyUSB0 peer-got "hello"' "$T"
}

@test "+++ inside the guard time stays data" {
	run "$HSLAB" --transcript "$T" -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0S12=10\r' expect 'OK\r\n' \
		send 'ATD1\r' expect 'CONNECT 115200\r\n' \
		send 'abc+++def' expect 'abc+++def' \
		send 'AT\r' expect 'AT\r'
	assert_success
	# the loopback got the plus signs as data; no escape happened
	grep -qF 'ttyUSB0 tx "abc+++def"' "$T"
	run grep -F 'ONLINE-COMMAND' "$T"
	assert_failure
}

@test "+++ with guard silence before and after escapes to command mode" {
	run "$HSLAB" --transcript "$T" -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0S12=10\r' expect 'OK\r\n' \
		send 'ATD1\r' expect 'CONNECT 115200\r\n' \
		sleep 300 send '+++' expect 'OK\r\n' \
		send 'ATH\r' expect 'OK\r\n'
	assert_success
	grep -q 'ttyUSB0 state ONLINE-COMMAND escape' "$T"
	# the escape characters never reached the far end
	run grep -F 'tx "+++"' "$T"
	assert_failure
}

@test "DTR drop with &D2 hangs up and drops DCD" {
	run "$HSLAB" --transcript "$T" -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0&C1&D2\r' expect 'OK\r\n' \
		send 'ATDT5551234\r' expect 'CONNECT' wait-line DCD 1 \
		dtr 0 wait-line DCD 0 lines
	assert_success
	assert_output 'CTS=1 DSR=1 DCD=0 RI=0'
	run grep -E 'ttyUSB0 (host DTR=0|dev DCD=0|state NO-CARRIER DTR)$' "$T"
	assert_line --index 0 --regexp 'host DTR=0$'
	assert_line --index 1 --regexp 'dev DCD=0$'
	assert_line --index 2 --regexp 'state NO-CARRIER DTR$'
}

@test "DTR drop with &D0 keeps the call" {
	run "$HSLAB" --transcript "$T" -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0&D0\r' expect 'OK\r\n' \
		send 'ATD1\r' expect 'CONNECT' dtr 0 send ping expect ping lines
	assert_success
	assert_output 'CTS=1 DSR=1 DCD=1 RI=0'
}

@test "ATS0=2 answers after the second RING, with caller ID" {
	run "$HSLAB" --transcript "$T" --ring-interval 0.3 \
		--ring '0.5 5551212 "JOHN DOE"' -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0S0=2\r' expect 'OK\r\n' \
		expect 'RING\r\n' expect 'NMBR = 5551212\r\nNAME = JOHN DOE\r\n' \
		expect 'RING\r\n' expect 'CONNECT 115200\r\n' \
		send 'hi' expect 'hi'
	assert_success
	run grep -E 'ttyUSB0 state (RING [0-9]+|ANSWER|CONNECT.*)$' "$T"
	assert_line --index 0 --regexp 'RING 1$'
	assert_line --index 1 --regexp 'RING 2$'
	assert_line --index 2 --regexp 'ANSWER$'
	assert_line --index 3 --regexp 'CONNECT 115200$'
}

@test "ATA answers a ringing line; RI pulses" {
	run "$HSLAB" --transcript "$T" --ring-interval 0.3 --ring 0.2 -- \
		"$LABHOST" /dev/ttyUSB0 send 'ATE0\r' expect 'OK\r\n' \
		expect 'RING\r\n' send 'ATA\r' expect 'CONNECT'
	assert_success
	grep -q 'ttyUSB0 dev RI=1' "$T"
}

@test "result codes: NO DIALTONE, NO ANSWER, ATI, S-registers" {
	run "$HSLAB" --transcript "$T" --number '1 nodialtone' \
		--number '2 noanswer' --ati 'HSLAB TEST MODEM' --ati 'REV 1' -- \
		"$LABHOST" /dev/ttyUSB0 \
		send 'ATE0\r' expect 'OK\r\n' \
		send 'ATDT1\r' expect '\r\nNO DIALTONE\r\n' \
		send 'ATS7=1\r' expect 'OK\r\n' \
		send 'ATDT2\r' expect '\r\nNO ANSWER\r\n' \
		send 'ATI\r' expect '\r\nHSLAB TEST MODEM\r\nREV 1\r\n\r\nOK\r\n' \
		send 'ATS7?\r' expect '\r\n001\r\n\r\nOK\r\n'
	assert_success
}

@test "numeric results (V0) use the standard codes; Q1 silences them" {
	run "$HSLAB" --transcript "$T" --number '1 nodialtone' \
		--number '2 busy' -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0V0\r' expect '0\r' \
		send 'ATJ\r' expect '4\r' \
		send 'ATDT1\r' expect '6\r' \
		send 'ATDT2\r' expect '7\r' \
		send 'ATQ1\r' send 'ATJ\r' send 'ATQ0\r' expect '0\r' \
		send 'ATDT3\r' expect '19\r'
	assert_success
	# Q1 swallowed the ERROR: exactly one "4\r" was sent
	run grep -cF 'ttyUSB0 tx "4\r"' "$T"
	assert_output 1
}

@test "ATD with ; stays in command mode; modifiers are ignored" {
	run "$HSLAB" --transcript "$T" -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0\r' expect 'OK\r\n' \
		send 'ATDP(555) 12-34W,;\r' expect 'OK\r\n' 5
	assert_success
	grep -q 'ttyUSB0 state DIALING 5551234$' "$T"
}

@test "a TCP server can be the far end" {
	command -v socat >/dev/null || skip "socat not installed"
	port=$((20000 + RANDOM % 20000))
	timeout 60 socat -d -d TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork \
		SYSTEM:'read l; echo "got $l"' 2>"$BATS_TEST_TMPDIR/socat.log" &
	spid=$!
	# socat says when it listens
	wait_for "$BATS_TEST_TMPDIR/socat.log" "listening on" 10
	run "$HSLAB" --transcript "$T" --number "9 tcp:127.0.0.1:$port" -- \
		"$LABHOST" /dev/ttyUSB0 send 'ATE0\r' expect 'OK\r\n' \
		send 'ATD9\r' expect 'CONNECT' send 'hello\n' expect 'got hello' \
		expect 'NO CARRIER'
	kill $spid 2>/dev/null || true
	assert_success
}

@test "closing the port drops DTR (HUPCL): &D2 hangs up, the next chat dials again" {
	run "$HSLAB" --transcript "$T" -- sh -c "
		$CHAT -S -t 5 '' AT OK ATD1 CONNECT '' </dev/ttyUSB0 >/dev/ttyUSB0 || exit 1
		$CHAT -S -t 5 '' AT OK ATD2 CONNECT '' </dev/ttyUSB0 >/dev/ttyUSB0 || exit 2"
	assert_success
	run grep -cE 'ttyUSB0 state CONNECT' "$T"
	assert_output 2
	run grep -E 'ttyUSB0 (closed|host DTR=0 RTS=0|state NO-CARRIER DTR)$' "$T"
	assert_line --index 0 --regexp 'closed$'
	assert_line --index 1 --regexp 'host DTR=0 RTS=0$'
	assert_line --index 2 --regexp 'state NO-CARRIER DTR$'
}

@test "with -hupcl the call survives the program (and the next AT is data)" {
	run "$HSLAB" --transcript "$T" -- sh -c "
		stty -F /dev/ttyUSB0 -hupcl
		$CHAT -S -t 5 '' AT OK ATD1 CONNECT '' </dev/ttyUSB0 >/dev/ttyUSB0 || exit 1
		$CHAT -S -t 2 '' AT OK </dev/ttyUSB0 >/dev/ttyUSB0"
	# the loopback echoes AT back, no OK: chat times out (3)
	assert_failure 3
	run grep -c 'state NO-CARRIER' "$T"
	assert_output 0
}

@test "&C0 keeps DCD on without a call; &C1 makes it follow the carrier" {
	run "$HSLAB" --transcript "$T" -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0&C0\r' expect 'OK\r\n' wait-line DCD 1 \
		send 'AT&C1\r' expect 'OK\r\n' wait-line DCD 0 \
		send 'ATD1\r' expect CONNECT wait-line DCD 1
	assert_success
}

@test "an incoming call from a scripted caller" {
	run "$HSLAB" --transcript "$T" --ring-interval 0.2 \
		--number '5551212 script send "hello modem\r\n" expect bye hangup' \
		--ring '0.2 5551212' -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0\r' expect 'OK\r\n' expect RING send 'ATA\r' \
		expect 'CONNECT 115200\r\n' expect 'hello modem\r\n' \
		send 'bye' expect 'NO CARRIER'
	assert_success
	grep -qF 'ttyUSB0 peer-got "bye"' "$T"
}

@test "S2 sets the escape character; A/ repeats; ATZ restores echo" {
	run "$HSLAB" --transcript "$T" -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0S2=33S12=10\r' expect 'OK\r\n' \
		send 'ATD1\r' expect 'CONNECT' \
		sleep 300 send '+++' expect '+++' \
		sleep 300 send '!!!' expect 'OK\r\n' \
		send 'ATH\r' expect 'OK\r\n' \
		send 'ATS12?\r' expect '\r\n010\r\n\r\nOK\r\n' \
		send 'A/' expect '\r\n010\r\n\r\nOK\r\n' \
		send 'ATZ\r' expect 'OK\r\n' \
		send 'AT\r' expect 'AT\r\r\nOK\r\n'
	assert_success
}

@test "--split-results: responses in random pieces, the same ones for the same seed; chat still dials" {
	for i in 1 2; do
		run timeout 30 "$HSLAB" --transcript "$T.$i" --split-results '11 3' -- sh -c \
			"$CHAT -S -t 5 '' ATZ OK ATDT5551234 CONNECT '' </dev/ttyUSB0 >/dev/ttyUSB0"
		assert_success
	done
	grep -q 'ttyUSB0 split 11 3$' "$T.1"
	# CONNECT came in more than one piece, and the cuts repeat
	sed -n '/state CONNECT/,$p' "$T.1" | grep ' tx ' | head -2 >"$T.a"
	[ "$(wc -l <"$T.a")" -eq 2 ]
	run diff <(grep -o ' tx .*' "$T.1") <(grep -o ' tx .*' "$T.2")
	assert_success
}
