#!/usr/bin/env bats
# waits.bats - waiting costs next to nothing: a printer that holds the
# handshake and a modem line with no call keep hsprint and hsdial asleep.
# Wake-ups (voluntary context switches) are counted over a few seconds of
# waiting (count_wakeups.sh) and must stay under a bound five times what
# the code costs today; the code before issue 12 made hundreds to
# thousands a second. Counts, not times: the machine's load cannot move
# them much. DSR waits sleep in the driver (TIOCMIWAIT), as the lab logs.

load helper

WINDOW=4

setup() {
  tmp=$BATS_TEST_TMPDIR
  T=$tmp/t
  head -c 8192 /dev/urandom >"$tmp/job"
  COUNT=$BATS_TEST_DIRNAME/count_wakeups.sh
  HSPRINT=$BUILD_DIR/hsprint
  HSDIAL=$BUILD_DIR/hsdial
}

teardown() {
  # the pty's far end would keep bats waiting for its output
  [ -z "${PTY_PID:-}" ] || kill "$PTY_PID" 2>/dev/null
  return 0
}

# held BUSY FLOW [LAB OPTION...]: hsprint prints the job to a printer
# that runs out of paper after 2000 bytes for 7 s, holding the handshake
# by BUSY; counts hsprint's wake-ups while it waits. Sets $wakeups.
held() {
  local busy=$1 flow=$2
  shift 2
  run "$HSLAB" --transcript "$T" --port 'ttyUSB0 printer' --busy "$busy" "$@" \
    --buffer '1024 768 256' --paper-out '2000 7000' --output "$tmp/out" -- \
    "$COUNT" "$T" 'printer paper-out' $WINDOW \
    "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=115200&flow=$flow" "$tmp/job"
  assert_success
  cmp "$tmp/job" "$tmp/out"
  wakeups=$(printf '%s\n' "$output" | sed -n 's/^wakeups //p')
  [ -n "$wakeups" ]
  echo "hsprint ($flow) woke $wakeups times in $WINDOW s held" >&3
}

@test "a printer holding XOFF: hsprint wakes at most 25 times a second" {
  held xonxoff xonxoff
  [ "$wakeups" -le $((25 * WINDOW)) ]
}

@test "a printer holding DSR low: hsprint sleeps in TIOCMIWAIT, at most 25 wake-ups a second" {
  held dsr dtrdsr
  [ "$wakeups" -le $((25 * WINDOW)) ]
  # it waited in the driver, and DSR rising woke it
  grep -q 'ttyUSB0 miwait wait DSR' "$T"
  grep -q 'ttyUSB0 miwait woke DSR=1' "$T"
}

@test "a printer holding CTS low (rtscts): hsprint sleeps until CTS moves, at most 25 wake-ups a second" {
  held dsr rtscts
  [ "$wakeups" -le $((25 * WINDOW)) ]
  # the kernel holds the queue; hsprint waited in the driver for CTS
  grep -q 'ttyUSB0 miwait wait CTS' "$T"
  grep -q 'ttyUSB0 miwait woke CTS=1' "$T"
}

@test "a port without TIOCMIWAIT: DSR is looked at with a back-off, at most 400 wake-ups a second" {
  held dsr dtrdsr --miwait no
  [ "$wakeups" -le $((400 * WINDOW)) ]
  run grep -c miwait "$T"
  assert_output 0
}

@test "hsdial waiting for a call: no wake-up while the line is quiet" {
  run "$HSLAB" --transcript "$T" --port ttyUSB0 --ring '8 5551212 QUIET' -- \
    "$COUNT" "$T" 'state COMMAND' $WINDOW "$HSDIAL" -d /dev/ttyUSB0 --answer --rings 1
  assert_success
  wakeups=$(printf '%s\n' "$output" | sed -n 's/^wakeups //p')
  echo "hsdial --answer woke $wakeups times in $WINDOW s" >&3
  [ "$wakeups" -le 5 ]
}

@test "hsdial in a quiet call whose DCD follows the carrier: asleep in TIOCMIWAIT, at most 25 wake-ups a second" {
  # a DCD look every 50 ms cost 146 wake-ups a second here; stdin ends
  # at once, so --linger keeps the call up, quiet, past the window
  run "$HSLAB" --transcript "$T" --port ttyUSB0 --number '777 script expect "never"' -- \
    "$COUNT" "$T" 'state CONNECT' $WINDOW "$HSDIAL" -d /dev/ttyUSB0 --linger $(((WINDOW + 3) * 1000)) 777
  assert_success
  wakeups=$(printf '%s\n' "$output" | sed -n 's/^wakeups //p')
  echo "hsdial in a quiet call (DCD) woke $wakeups times in $WINDOW s" >&3
  [ "$wakeups" -le $((25 * WINDOW)) ]
  grep -q 'ttyUSB0 miwait wait DCD' "$T"
}

@test "hsdial in a quiet call on a pty (no modem lines): no wake-up" {
  start_echo_pty "$tmp/tty" "python3 $BATS_TEST_DIRNAME/pty_modem.py"
  mkfifo "$tmp/in"
  exec 4<>"$tmp/in"
  timeout 60 "$HSDIAL" -d "serial:$tmp/tty" 5551234 <"$tmp/in" >/dev/null 2>"$tmp/err" &
  pid=$!
  wait_for "$tmp/err" connected 20
  count() { cat /proc/"$pid"/task/*/status | awk '/^voluntary/ { n += $2 } END { print n + 0 }'; }
  a=$(count)
  sleep $WINDOW
  b=$(count)
  kill "$pid"
  exec 4>&-
  echo "hsdial in a quiet call woke $((b - a)) times in $WINDOW s" >&3
  [ $((b - a)) -le 5 ]
}
