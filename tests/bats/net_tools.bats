#!/usr/bin/env bats
# net_tools.bats - hsdial and hsprint take network URIs unchanged: a lab
# modem dialled through ser2net (data byte-exact, carrier loss seen by
# the modem's NO CARRIER, or by DCD from NOTIFY-MODEMSTATE), 200 KiB printed through ser2net to the
# lab's serial printer with each flow control. A server that goes away
# mid-job, one that never negotiates, a port that refuses and a host
# that does not resolve are rows of the fault matrix (faults_net.bats).
load net_helper

setup() {
  net_setup
  HSDIAL=$BUILD_DIR/hsdial
  HSPRINT=$BUILD_DIR/hsprint
  export HSDIAL HSPRINT
}

teardown() {
  if [ -n "${SRV_PID:-}" ]; then
    kill "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null || true
  fi
}

@test "hsdial through ser2net: the call's bytes are exact, 0xFF included" {
  printf 'hello\r\nworld\0\377\001 +++ AT\r\n\377\377\377' >"$NET_TMP/in"
  through_ser2net -- /dev/ttyUSB0 '
    "$HSDIAL" -d "rfc2217://127.0.0.1:$PORT" 5551234 <"$NET_TMP/in" >"$NET_TMP/out" 2>"$NET_TMP/err"'
  assert_success
  cmp "$NET_TMP/in" "$NET_TMP/out"
  grep -qF 'ttyUSB0 command "ATD5551234"' "$T"
  grep -qF 'ttyUSB0 rx "hello\r\nworld\x00\xFF\x01 +++ AT\r\n\xFF\xFF\xFF"' "$T"
  run cat "$NET_TMP/err"
  assert_line --index 0 --regexp '^hsdial: connected to 5551234 on rfc2217://127.0.0.1:[0-9]+ \(115200 bps\)$'
  assert_line --index 1 --regexp '^hsdial: hung up after [0-9.]+ s \(eof\); bytes sent 27, received 27$'
}

# lost_through_ser2net HSDIAL-ARGUMENT...: hsdial dials 1 through
# ser2net with stdin held open (a FIFO the script holds), so only the
# carrier can end the call; the lab modem loses it amid 3000 bytes.
lost_through_ser2net() {
  mkfifo "$NET_TMP/fifo"
  head -c 3000 /dev/zero | tr '\0' x >"$NET_TMP/data"
  through_ser2net --fault 'carrier-loss after-bytes 1000' -- /dev/ttyUSB0 '
    "$HSDIAL" -d "rfc2217://127.0.0.1:$PORT" '"$*"' 1 <"$NET_TMP/fifo" >"$NET_TMP/out" 2>"$NET_TMP/err" &
    pid=$!
    exec 3>"$NET_TMP/fifo"
    cat "$NET_TMP/data" >&3
    wait $pid'
  assert_failure 3
  grep -q 'ttyUSB0 fault carrier-loss$' "$T"
  run cat "$NET_TMP/err"
  assert_line --index 1 --regexp '^hsdial: the carrier was lost after [0-9.]+ s; bytes sent [0-9]+, received [0-9]+$'
}

@test "hsdial through ser2net: the modem's NO CARRIER ends the call, never as data: exit 3" {
  # DCD comes through NOTIFY-MODEMSTATE up to a second late: the text,
  # which comes at once, decides
  lost_through_ser2net
  run grep -c 'NO CARRIER' "$NET_TMP/out"
  assert_output 0
}

@test "hsdial through ser2net: with no NO CARRIER text (V0), DCD's fall ends the call: exit 3" {
  # in V0 the modem says '3', not NO CARRIER: only DCD's fall, coming
  # through NOTIFY-MODEMSTATE, can end the call
  lost_through_ser2net --init ATV0
}

@test "hsdial through ser2net: in a quiet call (V0), DCD's fall, told by NOTIFY-MODEMSTATE, ends it: exit 3" {
  # nothing to read and no NO CARRIER text: only the server's word of
  # DCD can end the call, and hsdial does not look for it on a timer
  mkfifo "$NET_TMP/fifo"
  through_ser2net --number '1 script expect "never"' --fault 'carrier-loss after-ms 4000' -- /dev/ttyUSB0 '
    "$HSDIAL" -d "rfc2217://127.0.0.1:$PORT" --init ATV0 1 <"$NET_TMP/fifo" >"$NET_TMP/out" 2>"$NET_TMP/err" &
    pid=$!
    exec 3>"$NET_TMP/fifo"
    wait $pid'
  assert_failure 3
  grep -q 'ttyUSB0 fault carrier-loss$' "$T"
  run cat "$NET_TMP/err"
  # (the modem's "3\r" comes before the server's word of DCD: data)
  assert_line --index 1 --regexp '^hsdial: the carrier was lost after [0-9.]+ s; bytes sent 0, received [0-2]$'
}

@test "hsdial in a quiet call through ser2net: told of DCD by NOTIFY-MODEMSTATE, it sleeps (at most 5 wake-ups in 4 s)" {
  # a look at DCD every 50 ms cost over 80 wake-ups in 4 s here; stdin
  # ends at once, so --linger keeps the call up, quiet, past the window
  through_ser2net --number '777 script expect "never"' -- /dev/ttyUSB0 '
    sh "$1" "$T" "state CONNECT" 4 "$HSDIAL" -d "rfc2217://127.0.0.1:$PORT" --linger 8000 777' \
    "$BATS_TEST_DIRNAME/count_wakeups.sh"
  assert_success
  wakeups=$(printf '%s\n' "$output" | sed -n 's/^wakeups //p')
  echo "hsdial in a quiet call through ser2net woke $wakeups times in 4 s" >&3
  [ -n "$wakeups" ] && [ "$wakeups" -le 5 ]
}

# print FLOW BUSY: 200 KiB through ser2net at 460800 baud to a printer
# slower than the line (30000 bytes/s) that says busy by BUSY; its buffer
# leaves room for a second and more of data after its busy mark, as DSR
# reaches the link only when ser2net next looks (once a second).
print_through() {
  head -c 204800 /dev/urandom >"$NET_TMP/job"
  through_ser2net --port 'ttyUSB0 printer' --busy "$2" --buffer '98304 24576 8192' \
    --print-rate 30000 --output "$NET_TMP/printed" -- /dev/ttyUSB0 '
    "$HSPRINT" -v -d "rfc2217://127.0.0.1:$PORT?baud=460800&flow='"$1"'" "$NET_TMP/job"'
  assert_success
  assert_output --regexp "job: the server at 127.0.0.1:[0-9]+ took all 204800 bytes for the printer"
  [ "$(sha256sum <"$NET_TMP/job")" = "$(sha256sum <"$NET_TMP/printed")" ]
  # the printer did hold the job up, and lost nothing
  grep -q 'ttyUSB0 printer xoff' "$T"
  grep -q 'ttyUSB0 printer printed 204800 lost 0' "$T"
  run grep -c 'ttyUSB0 printer overflow' "$T"
  assert_output 0
}

@test "hsprint through ser2net, flow=xonxoff: 200 KiB, sha256-equal" {
  print_through xonxoff xonxoff
}

@test "hsprint through ser2net, flow=rtscts: 200 KiB, sha256-equal" {
  print_through rtscts dsr
}

@test "hsprint through ser2net, flow=dtrdsr paced by the library: 200 KiB, sha256-equal" {
  print_through dtrdsr dsr
}
