#!/usr/bin/env bats
# exclusive.bats - TIOCEXCL, the third of the locks a link takes (lock
# file, flock, TIOCEXCL): a program that ignores lock files and flock()
# still cannot open a port hsdial or linkcat holds - on a real pty and on
# a lab port - and can once they closed it (TIOCEXCL belongs to the tty,
# which outlives the close while a pty's master is open: closing gives it
# back). The other program is bash's `exec 3<>PORT`. The kernel lets
# CAP_SYS_ADMIN past TIOCEXCL, so as root it runs without it (setpriv).
# The holders end on their own deadline (5 s), not killed: a killed
# program never closes, and its TIOCEXCL stays.
load helper

setup() {
  tmp=$BATS_TEST_TMPDIR
  # bash's open of $0, as a program that knows nothing of our locks
  OTHER='exec 3<>"$0" && echo "opened $0"'
  NOCAP=
  [ "$(id -u)" != 0 ] || NOCAP="setpriv --bounding-set -sys_admin"
  export HS_LOCK_DIR=$tmp OTHER NOCAP
}

teardown() {
  [ -n "${PTY_PID:-}" ] && kill "$PTY_PID" 2>/dev/null
  [ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
  return 0
}

@test "a pty hsdial holds: another program's open gets EBUSY, and works once hsdial is done" {
  # the far end keeps what it receives, so the test knows hsdial is on
  start_echo_pty "$tmp/tty" "tee $tmp/far"
  pts=$(readlink -f "$tmp/tty")
  timeout 30 "$BUILD_DIR/hsdial" -d "$tmp/tty" -t 5 -- '' HELLO NEVER 2>/dev/null &
  HOLDER=$!
  wait_until 10 grep -q HELLO "$tmp/far"
  run timeout 10 $NOCAP bash -c "$OTHER" "$pts"
  assert_failure 1
  assert_output --partial "$pts: Device or resource busy"
  # NEVER does not come: hsdial gives up after 5 s (exit 3) and closes
  st=0
  wait "$HOLDER" || st=$?
  HOLDER=
  [ "$st" -eq 3 ]
  run timeout 10 $NOCAP bash -c "$OTHER" "$pts"
  assert_success
  assert_output "opened $pts"
}

@test "a lab port linkcat holds: another program's open gets EBUSY, and works once linkcat is done" {
  [ -x "$HSLAB" ] || skip "hslab not built ($HSLAB)"
  # no device model: nothing answers, so linkcat waits 5 s for a reply
  # (exit 75) and closes
  run "$HSLAB" --transcript "$tmp/t" --port ttyUSB0=none -- sh -c '
    . "$LAB_WAIT"
    "$0" /dev/ttyUSB0 hello 5 2>/dev/null & holder=$!
    wait_for "$1" "ttyUSB0 rx \"hello" 10 || exit 90
    $NOCAP bash -c "$OTHER" /dev/ttyUSB0; echo "while held: $?"
    wait $holder; echo "linkcat: $?"
    $NOCAP bash -c "$OTHER" /dev/ttyUSB0; echo "after: $?"' "$BUILD_DIR/linkcat" "$tmp/t"
  assert_success
  assert_line "linkcat: 75"
  assert_line --partial "/dev/ttyUSB0: Device or resource busy"
  assert_line "while held: 1"
  assert_line "opened /dev/ttyUSB0"
  assert_line "after: 0"
}
