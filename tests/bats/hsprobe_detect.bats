#!/usr/bin/env bats
# hsprobe_detect.bats - hsprobe --detect under the lab's UART model: a
# modem at each of 12 settings is found within a 10 s search and never at
# a wrong one; one that answers nothing, a port that refuses rates, noise
# on the line, a locked port.

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-180}
load helper

setup() {
	lab_setup
	HSPROBE=$BUILD_DIR/hsprobe
	HSLINK=$BUILD_DIR/hslink
}

# the setting JSON reports, as "RATE FRAMING" ("" when none)
found() {
	/usr/bin/python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
print(d["line"]["name"] if d["found"] else "")'
}

@test "a modem at each of 12 settings is found, each within a 10 s search" {
	for rate in 115200 57600 38400 19200 9600 4800; do
		for framing in 8N1 7E1; do
			run "$HSLAB" --transcript "$T" --line "$rate $framing" -- \
				"$HSPROBE" --detect /dev/ttyUSB0 --json --timeout 10000
			[ "$status" -eq 0 ] || { echo "$rate $framing: $output"; false; }
			got=$(echo "$output" | found)
			[ "$got" = "$rate $framing" ] || {
				echo "modem at $rate $framing, found '$got'"; false; }
			# it was the modem that answered at that setting
			grep -qF 'ttyUSB0 command "AT"' "$T"
		done
	done
}

@test "the text output gives the setting, the evidence and the URI to use" {
	run "$HSLAB" --line '19200 7E1' -- "$HSPROBE" --detect /dev/ttyUSB0
	assert_success
	assert_line --index 0 '/dev/ttyUSB0: 19200 7E1'
	assert_line --regexp '^  evidence: answered "AT\\r\\r\\nOK\\r\\n" after [0-9]+ tries in [0-9.]+ s, [0-9]+ bytes sent$'
	assert_line --regexp '^  line errors at the other settings: [0-9]+ framing, [0-9]+ parity, [0-9]+ breaks, 0 overruns$'
	assert_line '  use: serial:/dev/ttyUSB0?baud=19200&bits=7&parity=even&stop=1'
}

@test "the URI it prints opens the port at the setting found" {
	run "$HSLAB" --transcript "$T" --line '38400 7O1' -- sh -c '
		uri=$("$1" --detect /dev/ttyUSB0 | sed -n "s/^  use: //p")
		echo "uri=$uri"
		"$2" "$uri" send "ATI\r" expect "OK\r\n"' sh "$HSPROBE" "$HSLINK"
	assert_success
	assert_line 'uri=serial:/dev/ttyUSB0?baud=38400&bits=7&parity=odd&stop=1'
	grep -qF 'ttyUSB0 command "ATI"' "$T"
}

@test "a device that answers nothing: exit 69, nothing answered at any setting" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=none -- \
		"$HSPROBE" --detect /dev/ttyUSB0 --timeout 3000
	assert_failure 69
	assert_output --regexp '^hsprobe: /dev/ttyUSB0: nothing answered at any setting \([0-9]+ tries in [0-9.]+ s\)$'
	# it did ask: AT at the settings it tried
	grep -qF 'ttyUSB0 rx "AT\r"' "$T"
	run "$HSLAB" --port ttyUSB0=none -- \
		"$HSPROBE" --detect /dev/ttyUSB0 --timeout 2000 --json
	assert_failure 69
	echo "$output" | /usr/bin/python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
assert d["ok"] is False and d["exit"] == 69 and d["mode"] == "detect", d
assert d["found"] is False and "nothing answered" in d["error"]["message"], d
assert all(t["result"] == "silent" for t in d["log"]), d["log"]'
}

@test "rates the port refuses are skipped, and said so" {
	run "$HSLAB" --line '9600 8N1' --refuse-rates '115200 57600' -- \
		"$HSPROBE" --detect /dev/ttyUSB0 --json
	assert_success
	[ "$(echo "$output" | found)" = "9600 8N1" ]
	echo "$output" | /usr/bin/python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
refused = [t["line"] for t in d["log"] if t["result"] == "refused"]
assert len(refused) == 12 and all(l.split()[0] in ("115200", "57600") for l in refused), refused'
	run "$HSLAB" --port ttyUSB0=none --refuse-rates '115200 57600' -- \
		"$HSPROBE" --detect /dev/ttyUSB0 --timeout 2000
	assert_failure 69
	assert_output --partial 'the port refused some settings'
}

@test "noise on the line: the modem is still found, at its own setting only" {
	# random bytes from the device every 50 ms, from the start
	run "$HSLAB" --line '19200 8N1' --fault garbage -- \
		"$HSPROBE" --detect /dev/ttyUSB0 --json --timeout 15000
	assert_success
	[ "$(echo "$output" | found)" = "19200 8N1" ]
}

@test "an autobaud modem: AT twice when its driver says so, else from pass two" {
	# ttyACM0 is a Conexant modem (0572:1329), whose driver declares
	# autobaud: found at the first setting tried, the fastest
	run "$HSLAB" --transcript "$T" --port ttyACM0 --line '9600 7E1 autobaud' -- \
		"$HSPROBE" --detect /dev/ttyACM0 --json
	assert_success
	[ "$(echo "$output" | found)" = "115200 8N1" ]
	echo "$output" | /usr/bin/python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
assert d["tries"] == 2 and d["sent"] == 12, d'
	grep -qF 'ttyACM0 uart 115200 8N1 autobaud' "$T"
	# an FTDI adapter says nothing of the modem behind it: the first
	# pass loses every line, the second sends AT twice
	run "$HSLAB" --line '9600 7E1 autobaud' -- \
		"$HSPROBE" --detect /dev/ttyUSB0 --json
	assert_success
	[ "$(echo "$output" | found)" = "115200 8N1" ]
}

@test "a locked port is never touched" {
	run "$HSLAB" --transcript "$T" --line '9600 8N1' -- sh -c '
		. "$LAB_WAIT"
		"$2" serial:/dev/ttyUSB0 idle 20000 >/dev/null 2>&1 &
		holder=$!
		wait_for "$3" "ttyUSB0 host DTR=1" 10 || exit 90
		"$1" --detect /dev/ttyUSB0 --timeout 5000
		rc=$?
		kill $holder
		exit $rc' sh "$HSPROBE" "$HSLINK" "$T"
	assert_failure 75
	assert_output --partial 'locked by pid'
	run grep -F ' rx ' "$T"
	assert_failure
}

@test "--passive finds a console at 38400 7E1 without sending a byte" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=console --line '38400 7E1' \
		-- "$HSPROBE" --detect /dev/ttyUSB0 --passive
	assert_success
	assert_line --index 0 '/dev/ttyUSB0: 38400 7E1'
	assert_line --regexp '^  evidence: heard ".*" \(confidence [0-9]+%\), [0-9]+ tries in [0-9.]+ s, nothing sent$'
	assert_line --regexp '^  runner-up: [0-9]+ [5-8][NEOMS][12] \(confidence [0-9]+%\)$'
	assert_line '  use: serial:/dev/ttyUSB0?baud=38400&bits=7&parity=even&stop=1'
	# the device received nothing at all
	run grep -F ' rx ' "$T"
	assert_failure
}

@test "--passive finds an NMEA source at 4800 8N1 without sending a byte" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=nmea --line '4800 8N1' \
		-- "$HSPROBE" --detect /dev/ttyUSB0 --passive --json
	assert_success
	[ "$(echo "$output" | found)" = "4800 8N1" ]
	echo "$output" | /usr/bin/python3 -c 'import json, sys
d = json.loads(sys.stdin.read())
assert d["sent"] == 0 and d["confidence"] >= 90, d
assert d["reply"].startswith("$GP") or "\r\n$GP" in d["reply"], d["reply"]'
	run grep -F ' rx ' "$T"
	assert_failure
}

@test "--passive works out 8E1 from the framing errors at 8N1" {
	run "$HSLAB" --port ttyUSB0=nmea --line '9600 8E1' \
		-- "$HSPROBE" --detect /dev/ttyUSB0 --passive --json
	assert_success
	[ "$(echo "$output" | found)" = "9600 8E1" ]
}

@test "--passive: a silent device is exit 69, nothing was heard" {
	run "$HSLAB" --transcript "$T" --port ttyUSB0=none -- \
		"$HSPROBE" --detect /dev/ttyUSB0 --passive --timeout 3000
	assert_failure 69
	assert_output --regexp '^hsprobe: /dev/ttyUSB0: nothing was heard at any setting \([0-9]+ tries in [0-9.]+ s\)$'
	run grep -F ' rx ' "$T"
	assert_failure
}

@test "--passive refuses to guess on random bytes: exit 76, names the best two" {
	run "$HSLAB" --port ttyUSB0=none --line 9600 --fault garbage -- \
		"$HSPROBE" --detect /dev/ttyUSB0 --passive
	assert_failure 76
	assert_output --regexp '^hsprobe: /dev/ttyUSB0: heard talk, but no setting is clear: best [0-9]+ [5-8][NEOMS][12] \([0-9]+%\), then .*$'
}

@test "--setup finds a modem's rate only when opted in, and --udev tells ModemManager" {
	export HS_RUN_DIR="$BATS_TEST_TMPDIR/run"
	# not opted in: nothing but AT at the port's default rate
	run "$HSLAB" --transcript "$T" --port ttyACM0 --line '19200 7E1' -- \
		"$HSPROBE" --setup ttyACM0 --timeout 3000
	assert_failure 75
	run grep -E 'ttyACM0 line speed=' "$T"
	assert_output --partial 'speed=9600'
	refute_output --partial 'speed=19200'
	# opted in (a drop-in for handshake-setup@.service sets it)
	HS_SETUP_DETECT=1 run "$HSLAB" --port ttyACM0 --line '19200 7E1' -- \
		"$HSPROBE" --setup ttyACM0 --json
	assert_success
	echo "$output" | /usr/bin/python3 -c 'import json, sys
p = json.loads(sys.stdin.read())["device"]["probe"]
assert p["state"] == "ok" and p["detected_baud"] == 19200, p
assert p["detected_line"] == "19200 7E1", p
assert p["uri"] == "serial:/dev/ttyACM0?baud=19200&bits=7&parity=even&stop=1", p'
	run "$HSLAB" --port ttyACM0 -- "$HSPROBE" --udev /sys/class/tty/ttyACM0
	assert_success
	assert_line 'ID_MM_TTY_BAUDRATE=19200'
	# ModemManager's own default needs no word
	HS_SETUP_DETECT=1 run "$HSLAB" --port ttyACM0 --line '57600 8N1' -- \
		"$HSPROBE" --setup ttyACM0
	assert_success
	run "$HSLAB" --port ttyACM0 -- "$HSPROBE" --udev /sys/class/tty/ttyACM0
	refute_line --partial 'ID_MM_TTY_BAUDRATE'
}
