#!/usr/bin/env bats
# net_tools.bats - hsdial and hsprint take network URIs unchanged: a lab
# modem dialled through ser2net (data byte-exact, carrier loss seen by
# DCD from NOTIFY-MODEMSTATE), 200 KiB printed through ser2net to the
# lab's serial printer with each flow control, a server that goes away
# mid-job, and the exit codes for a port that refuses and a host that
# does not resolve.
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

@test "hsdial through ser2net: carrier loss is seen through DCD: exit 3" {
  # stdin stays open (a FIFO the script holds): only the carrier can end
  # the call, and the modem's NO CARRIER text is data on a port with DCD,
  # so hsdial ends only if DCD's fall comes through NOTIFY-MODEMSTATE
  mkfifo "$NET_TMP/fifo"
  head -c 3000 /dev/zero | tr '\0' x >"$NET_TMP/data"
  through_ser2net --fault 'carrier-loss after-bytes 1000' -- /dev/ttyUSB0 '
    "$HSDIAL" -d "rfc2217://127.0.0.1:$PORT" 1 <"$NET_TMP/fifo" >"$NET_TMP/out" 2>"$NET_TMP/err" &
    pid=$!
    exec 3>"$NET_TMP/fifo"
    cat "$NET_TMP/data" >&3
    wait $pid'
  assert_failure 3
  grep -q 'ttyUSB0 fault carrier-loss$' "$T"
  run cat "$NET_TMP/err"
  assert_line --index 1 --regexp '^hsdial: the carrier was lost after [0-9.]+ s; bytes sent [0-9]+, received [0-9]+$'
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

@test "hsprint to a server that goes away mid-job: exit 74, the count it acknowledged" {
  head -c 1000000 /dev/zero | tr '\0' p >"$NET_TMP/job"
  /usr/bin/python3 "$NET_DIR/closing_server.py" "$NET_TMP/port" "$NET_TMP/count" 100000 &
  SRV_PID=$!
  wait_until 10 test -s "$NET_TMP/port"
  port=$(cat "$NET_TMP/port")
  run "$HSPRINT" -d "tcp://127.0.0.1:$port" "$NET_TMP/job"
  assert_failure 74
  assert_output --regexp "connection (closed|reset) by 127.0.0.1:$port"
  assert_output --regexp "the server at 127.0.0.1:$port accepted [0-9]+ of 1000000 bytes"
  resume=$(echo "$output" | sed -n 's/.*--resume-at \([0-9]*\)$/\1/p')
  got=$(cat "$NET_TMP/count")
  # never more than was sent, never less than the server read
  [ "$resume" -ge "$got" ] && [ "$resume" -lt 1000000 ]
}

@test "a port that refuses: exit 69 naming host:port; a host that does not resolve: exit 68" {
  # a port bound and not listening refuses, and is ours while we try
  /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
time.sleep(60)' "$NET_TMP/port" &
  SRV_PID=$!
  wait_until 10 test -s "$NET_TMP/port"
  port=$(cat "$NET_TMP/port")
  run "$HSPRINT" -d "rfc2217://127.0.0.1:$port" /dev/null
  assert_failure 69
  assert_output --partial "127.0.0.1:$port refused the connection"
  run "$HSDIAL" -d "tcp://127.0.0.1:$port" --at ATI
  assert_failure 69
  assert_output --partial "127.0.0.1:$port refused the connection"
  run "$HSPRINT" -d "rfc2217://nothing.invalid:2217" /dev/null
  assert_failure 68
  assert_output --partial "nothing.invalid:2217"
}
