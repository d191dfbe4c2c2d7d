#!/usr/bin/env bats
# net_ser2net.bats - rfc2217:// and tcp:// links through ser2net (Debian's,
# run as the lab's child with a private config) to the lab's ports: the
# framing the URI asks for reaches the port, DTR and RTS reach it, DCD
# and DSR changes come back, data is byte-exact both ways (0xFF runs
# too), an event loop wakes for data and only for data; raw TCP carries
# bytes and refuses what it cannot carry.
load net_helper

setup() {
  net_setup
  make_data "$BATS_TEST_TMPDIR/data"
}

@test "rfc2217: the port runs at the rate, data bits, parity and stop bits the URI asks" {
  through_ser2net --port 'ttyUSB0 none' -- /dev/ttyUSB0 '
    "$HSLINK" "rfc2217://127.0.0.1:$PORT?baud=19200&bits=7&parity=even&stop=2" send a &&
    "$HSLINK" "rfc2217://127.0.0.1:$PORT?baud=2400&bits=5&parity=odd&stop=1" send b &&
    "$HSLINK" "rfc2217://127.0.0.1:$PORT?baud=115200&parity=mark" send c'
  assert_success
  # the framing in force when each byte arrived
  run awk '$3 == "line" { line = $0; sub(/^[^ ]+ [^ ]+ line /, "", line) }
    $3 == "rx" { print $4, line }' "$T"
  assert_output '"a" speed=19200 bits=7 parity=even stop=2 flow=none
"b" speed=2400 bits=5 parity=odd stop=1 flow=none
"c" speed=115200 bits=8 parity=mark stop=1 flow=none'
}

@test "rfc2217: a flow control the URI asks is set on the port" {
  # a printer: CTS and DSR up while it has room
  through_ser2net --port 'ttyUSB0 printer' -- /dev/ttyUSB0 '
    "$HSLINK" "rfc2217://127.0.0.1:$PORT?flow=rtscts" send a &&
    "$HSLINK" "rfc2217://127.0.0.1:$PORT?flow=xonxoff" send b'
  assert_success
  run awk '$3 == "line" { f = $NF } $3 == "rx" { print $4, f }' "$T"
  assert_output '"a" flow=rtscts
"b" flow=xonxoff'
}

@test "rfc2217: DTR and RTS changes reach the port" {
  through_ser2net --nullmodem 'ttyUSB0 ttyUSB1' -- /dev/ttyUSB0 '
    "$HSLINK" "rfc2217://127.0.0.1:$PORT" dtr 0 rts 0 dtr 1 rts 1 dtr 0'
  assert_success
  run awk '$2 == "ttyUSB0" && $3 == "host" { print $4, $5 }' "$T"
  # ser2net raised both on open; then ours, in order; the close drops DTR
  assert_output --regexp '^DTR=1 RTS=1
DTR=0 
RTS=0 
DTR=1 
RTS=1 
DTR=0 '
}

@test "rfc2217: DCD and DSR changes on the port reach the link" {
  # The far end (ttyUSB1) raises DTR by opening: ttyUSB0 sees DSR and DCD.
  # Each side says what it saw through the data, so nothing is timed.
  through_ser2net --nullmodem 'ttyUSB0 ttyUSB1' -- /dev/ttyUSB0 '
    "$HSLINK" "rfc2217://127.0.0.1:$PORT" wait-line DSR 1 20 wait-line DCD 1 20 \
      send "seen-up\n" wait-line DSR 0 20 wait-line DCD 0 20 lines send "seen-down\n" \
      >"$NET_TMP/link.out" 2>&1 &
    link=$!
    "$LABHOST" /dev/ttyUSB1 expect "seen-up" 30 dtr 0 expect "seen-down" 30 || exit 1
    wait $link'
  assert_success
  run cat "$BATS_TEST_TMPDIR/link.out"
  assert_output --partial "DSR=0 DCD=0"
}

# both_ways [-r] URI: the data to the null-modem's far end (ttyUSB1, a
# serial link) and back, through ser2net (-r: its raw accepter); URI has
# %s for ser2net's port. Each receiver says when it has everything before
# the sender closes: a close may discard what a port has not sent yet.
both_ways() {
  local raw=
  [ "$1" = -r ] && { raw=-r; shift; }
  n=$(stat -c %s "$BATS_TEST_TMPDIR/data")
  through_ser2net --nullmodem 'ttyUSB0 ttyUSB1' -- $raw /dev/ttyUSB0,115200n81,local '
    d=$NET_TMP uri=$(printf "$1" "$PORT")
    "$HSLINK" /dev/ttyUSB1?baud=115200 recv-file "$d/got1" '"$n"' 60 send got-all drain 10 &
    far=$!
    "$HSLINK" "$uri" info send-file "$d/data" 60 expect got-all 60 || exit 1
    wait $far || exit 1
    "$HSLINK" "$uri" send "ready" recv-file "$d/got2" '"$n"' 60 send got-all &
    near=$!
    "$HSLINK" /dev/ttyUSB1?baud=115200 expect ready 20 send-file "$d/data" 60 \
      expect got-all 60 || exit 1
    wait $near' "$1"
  assert_success
  cmp "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/got1"
  cmp "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/got2"
}

@test "rfc2217: data is byte-exact both ways, 0xFF runs included" {
  both_ways 'rfc2217://127.0.0.1:%s?baud=115200'
  assert_output --partial "transport=rfc2217"
}

@test "rfc2217: an event loop on hs_link_fd wakes for data, not while idle" {
  through_ser2net --nullmodem 'ttyUSB0 ttyUSB1' -- /dev/ttyUSB0 '
    "$HSLINK" "rfc2217://127.0.0.1:$PORT" idle 500 send "go\n" poll-expect "pong" 20 &
    link=$!
    "$LABHOST" /dev/ttyUSB1 expect go 30 send pong || exit 1
    wait $link'
  assert_success
  assert_output --partial "wakeups 0"
}

@test "rfc2217: break and purge are answered" {
  through_ser2net --nullmodem 'ttyUSB0 ttyUSB1' -- /dev/ttyUSB0 '
    "$HSLINK" "rfc2217://127.0.0.1:$PORT" break 50 flush both flush in info'
  assert_success
  assert_output --partial "transport=rfc2217"
  assert_output --regexp "RFC 2217 port at 127.0.0.1:[0-9]+ \\(ser2net"
}

@test "rfc2217: flow=dtrdsr, which ser2net does not do, is paced by the library" {
  through_ser2net --port 'ttyUSB0 printer' --busy dsr -- /dev/ttyUSB0 '
    "$HSLINK" "rfc2217://127.0.0.1:$PORT?flow=dtrdsr" info send x'
  assert_success
  assert_output --partial "DTR/DSR flow paced here"
  grep -q 'ttyUSB0 rx "x"' "$T"
}

@test "tcp: raw bytes are byte-exact both ways through ser2net's raw accepter" {
  both_ways -r 'tcp://127.0.0.1:%s'
  assert_output --partial "transport=tcp"
}

@test "tcp: modem lines, line settings and break are not supported on the link" {
  through_ser2net --port 'ttyUSB0 none' -- -r /dev/ttyUSB0 '
    "$HSLINK" "tcp://127.0.0.1:$PORT" dtr 1; echo "dtr=$?"
    "$HSLINK" "tcp://127.0.0.1:$PORT" lines; echo "lines=$?"
    "$HSLINK" "tcp://127.0.0.1:$PORT" set-line 19200 8 none 1 none; echo "set-line=$?"
    "$HSLINK" "tcp://127.0.0.1:$PORT" break 50; echo "break=$?"
    "$HSLINK" "tcp://127.0.0.1:$PORT?baud=19200" info; echo "uri=$?"'
  assert_success
  assert_line "dtr=2"
  assert_line "lines=2"
  assert_line "set-line=2"
  assert_line "break=2"
  assert_line "uri=2"
  assert_output --regexp "dtr: HS_ERR_NOT_SUPPORTED: tcp://127.0.0.1:[0-9]+: setting modem lines is not supported on this link"
  assert_output --partial "HS_ERR_URI_OPTION"
  assert_output --partial "use rfc2217: for line settings"
}
