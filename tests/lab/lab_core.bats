#!/usr/bin/env bats
# lab_core.bats — hslab itself: the command line, the scenario file, the
# child's exit status, the emulated /sys and /dev, the transcript format.

load lab_helper

setup() {
	lab_setup
}

@test "--help documents the options, the scenario and the transcript" {
	run "$HSLAB" --help
	assert_success
	for word in --scenario --transcript --timeout HSLAB_TIMEOUT --port --nullmodem --usb --number \
		--ring --buffer --print-rate --busy --paper-out --output --fault \
		'rx "' 'tx "' 'host DTR' 'dev DCD' 'Scenario example'; do
		assert_output --partial -- "$word"
	done
}

@test "usage errors exit 64 with a message" {
	run "$HSLAB" --bogus -- true
	assert_failure 64
	run "$HSLAB" --transcript "$T"
	assert_failure 64
	assert_output --partial 'no COMMAND'
	run "$HSLAB" --port 'ttyXYZ0' -- true
	assert_failure 64
	assert_output --partial 'ttyUSBn or ttyACMn'
}

@test "the exit status is the command's; a signal gives 128+N" {
	run "$HSLAB" -- sh -c 'exit 7'
	assert_failure 7
	run "$HSLAB" -- sh -c 'kill -TERM $$'
	assert_failure 143
	run "$HSLAB" -- true
	assert_success
}

@test "--timeout stops a command that runs too long, and all it started: exit 124" {
	run "$HSLAB" --timeout 1 --transcript "$T" -- \
		sh -c 'sleep 60 & echo $! >"$1"; sleep 60' sh "$BATS_TEST_TMPDIR/bg"
	assert_failure 124
	assert_output 'hslab: sh did not end within 1 s (--timeout): stopping it and everything it started'
	grep -q '^[0-9.]* lab timeout 1$' "$T"
	# the background sleep went too (dead, or a zombie nobody reaped yet)
	bg=$(cat "$BATS_TEST_TMPDIR/bg")
	state=$(awk '{ print $3 }' "/proc/$bg/stat" 2>/dev/null || echo gone)
	[[ $state == gone || $state == Z ]]
	# HSLAB_TIMEOUT is the default; a command that ends in time is not
	# touched
	HSLAB_TIMEOUT=1 run "$HSLAB" -- sleep 30
	assert_failure 124
	HSLAB_TIMEOUT=5 run "$HSLAB" -- sh -c 'exit 3'
	assert_failure 3
	run "$HSLAB" --timeout 0 -- true
	assert_failure 64
}

@test "the child sees the emulated devices and no others" {
	run "$HSLAB" --port ttyUSB0 --port ttyUSB1=printer --port ttyACM0 -- \
		sh -c 'ls /sys/class/tty; ls /dev | grep -E "^tty(USB|ACM)"'
	assert_success
	assert_output "$(printf 'ttyACM0\nttyUSB0\nttyUSB1\nttyACM0\nttyUSB0\nttyUSB1')"
}

@test "a scenario file says what the options say" {
	cat >"$BATS_TEST_TMPDIR/scn" <<'SCN'
# the same modem as the options in the next test
transcript TRANSCRIPT
port ttyUSB0 modem
usb 0403:6015
product "FT231X USB UART"
number 5550000 busy
ati "LAB MODEM 2.0"
SCN
	sed -i "s|TRANSCRIPT|$T|" "$BATS_TEST_TMPDIR/scn"
	run "$HSLAB" --scenario "$BATS_TEST_TMPDIR/scn" -- "$LABHOST" /dev/ttyUSB0 \
		send 'ATE0I\r' expect '\r\nLAB MODEM 2.0\r\n' \
		send 'ATD5550000\r' expect 'BUSY'
	assert_success
	run "$HSLAB" --scenario "$BATS_TEST_TMPDIR/scn" -- "$SP_IDENTITY"
	assert_line 'pid=6015'
	assert_line 'product=FT231X USB UART'
	run "$HSLAB" --usb 0403:6015 --product 'FT231X USB UART' -- "$SP_IDENTITY"
	assert_line 'pid=6015'
	assert_line 'product=FT231X USB UART'
}

@test "a bad scenario line is reported with file and line number" {
	printf 'port ttyUSB0\nnumber 123 teleport\n' >"$BATS_TEST_TMPDIR/scn"
	run "$HSLAB" --scenario "$BATS_TEST_TMPDIR/scn" -- true
	assert_failure 64
	assert_output --partial 'scn:2:'
	assert_output --partial 'teleport'
}

@test "every transcript line has the documented shape" {
	run "$HSLAB" --transcript "$T" --ring 0.1 --ring-interval 0.2 -- \
		"$LABHOST" /dev/ttyUSB0 expect RING send 'ATA\r' expect CONNECT \
		send 'a"b\\c' expect 'c' dtr 0 wait-line DCD 0
	assert_success
	run grep -vE '^[0-9]+\.[0-9]{6} [A-Za-z0-9]+ [a-z-]+( .*)?$' "$T"
	assert_output ''
	# payload escaping: quote and backslash are escaped
	grep -qF 'ttyUSB0 rx "a\"b\\c"' "$T"
	# timestamps never go backwards
	run awk '$1 < last { bad = 1 } { last = $1 } END { exit bad }' "$T"
	assert_success
}

@test "--usb-printer adds a USB printer that CUPS's usb backend lists" {
	backend=/usr/lib/cups/backend/usb
	[ -x "$backend" ] || skip "cups not installed ($backend)"
	run "$HSLAB" --transcript "$T" \
		--usb-printer 'vid=03f0,pid=0517,manufacturer=HP,product=LaserJet 9,serial=LAB7' \
		-- "$backend"
	assert_success
	assert_output --partial 'direct usb://HP/LaserJet%209?serial=LAB7 "HP LaserJet 9"'
	grep -q ' usb [0-9]*-[0-9]* device-id ' "$T"
	# no serial port was asked for, so none is there
	run grep -c ttyUSB0 "$T"
	assert_output 0
}

@test "the command gets a private /run/lock; --shared-locks gives the real one" {
	[ "$(id -u)" = 0 ] || skip "a private /run/lock needs root"
	mark="LCK..hslab-test-$$-$BATS_TEST_NUMBER"
	run "$HSLAB" -- sh -c "ls -A /run/lock; echo \$\$ >/run/lock/$mark"
	assert_success
	assert_output ''
	[ ! -e "/run/lock/$mark" ]
	echo 1 >"/run/lock/$mark"
	run "$HSLAB" --shared-locks -- cat "/run/lock/$mark"
	rm -f "/run/lock/$mark"
	assert_success
	assert_output 1
}

@test "a real port's lock on the machine does not make the lab's port busy" {
	[ "$(id -u)" = 0 ] || skip "a private /run/lock needs root"
	# a port name whose lock file we create ourselves (O_EXCL), so a real
	# port or another suite running beside this one is never touched
	for n in $(seq 10 99); do
		( set -C; printf '%10d\n' $$ >"/run/lock/LCK..ttyUSB$n" ) 2>/dev/null && break
		n=
	done
	[ -n "$n" ] || fail "no free ttyUSBn lock name in /run/lock"
	run env -u HS_LOCK_DIR "$HSLAB" --port "ttyUSB$n" -- "$LAB_BUILD/linkcat" "/dev/ttyUSB$n" 'ATI\r'
	run2_status=$status run2_output=$output
	run env -u HS_LOCK_DIR "$HSLAB" --shared-locks --port "ttyUSB$n" -- \
		"$LAB_BUILD/linkcat" "/dev/ttyUSB$n" 'ATI\r'
	rm -f "/run/lock/LCK..ttyUSB$n"
	# the control: with the machine's folder, the same lock is seen
	assert_failure 69
	assert_output --partial "locked by pid $$"
	status=$run2_status output=$run2_output
	assert_success
}
