#!/usr/bin/env bats
# lab_plug.bats - --plug-after: a port that appears while the command
# runs, announced as udev announces devices (udevadm monitor, a program
# nobody here wrote, sees the "add"), with a "plug" transcript event.
load lab_helper

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

setup() {
	lab_setup
	command -v udevadm >/dev/null || skip "udevadm not installed"
}

@test "a port plugged in later: absent, then there, and udev's monitor hears it" {
	run "$HSLAB" --transcript "$T" --port ttyACM0 --plug-after 1000 -- sh -c '
		test -e /dev/ttyACM0 && echo "there too early"
		udevadm monitor --udev --property >"$1" 2>&1 & m=$!
		. "$LAB_WAIT"; wait_for "$1" "^ACTION=add" 20; rc=$?
		test -e /dev/ttyACM0 || echo "not there after the add"
		kill $m; exit $rc' sh "$BATS_TEST_TMPDIR/monitor"
	assert_success
	assert_output ""
	run grep -A3 '^ACTION=add' "$BATS_TEST_TMPDIR/monitor"
	assert_line --regexp '^DEVPATH=/devices/.*/tty/ttyACM0$'
	assert_line 'SUBSYSTEM=tty'
	run grep -c 'ttyACM0 plug$' "$T"
	assert_output 1
}

@test "--plug-after wants milliseconds" {
	run "$HSLAB" --plug-after soon -- true
	assert_failure 64
}
