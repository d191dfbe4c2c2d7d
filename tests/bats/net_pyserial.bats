#!/usr/bin/env bats
# net_pyserial.bats - the rfc2217:// link tests again, against a second,
# independent RFC 2217 implementation: pyserial's example server (Debian's
# python3-serial) on loop://, where what is sent comes back, RTS shows as
# CTS and DTR as DSR. It looks at the lines once a second and answers
# only some SET-CONTROL requests, so it also proves the link carries on
# where a server stays silent.
load net_helper

setup() {
  net_setup
  make_data "$BATS_TEST_TMPDIR/data"
  start_pyserial
  URI="rfc2217://127.0.0.1:$PORT"
}

teardown() {
  stop_pyserial
}

@test "pyserial: the port is set to the line settings the URI asks" {
  run "$HSLINK" "$URI?baud=19200&bits=7&parity=even&stop=2&flow=rtscts" info \
    set-line 2400 5 odd 1 xonxoff
  assert_success
  assert_output --partial "transport=rfc2217"
  run cat "$BATS_TEST_TMPDIR/pyserial.log"
  assert_output --partial "set baud rate: 19200"
  assert_output --partial "set data size: 7"
  assert_output --partial "set parity: E"
  assert_output --partial "set stop bits: 2"
  assert_output --partial "changed flow control to RTS/CTS"
  assert_output --partial "set baud rate: 2400"
  assert_output --partial "set data size: 5"
  assert_output --partial "set parity: O"
  assert_output --partial "changed flow control to XON/XOFF"
}

@test "pyserial: data comes back byte-exact, 0xFF runs included" {
  n=$(stat -c %s "$BATS_TEST_TMPDIR/data")
  # all of it fits in the buffers on the way (the link keeps 64 KiB)
  run "$HSLINK" "$URI?baud=115200" send-file "$BATS_TEST_TMPDIR/data" 60 \
    recv-file "$BATS_TEST_TMPDIR/got" "$n" 60
  assert_success
  cmp "$BATS_TEST_TMPDIR/data" "$BATS_TEST_TMPDIR/got"
}

@test "pyserial: RTS and DTR changes reach the port and come back as CTS and DSR" {
  run "$HSLINK" "$URI" wait-line CTS 1 10 rts 0 wait-line CTS 0 10 rts 1 \
    wait-line CTS 1 10 dtr 0 wait-line DSR 0 10 lines dtr 1 wait-line DSR 1 10 lines
  assert_success
  assert_line "DTR=0 RTS=1 CTS=1 DSR=0 DCD=1 RI=0"
  assert_line "DTR=1 RTS=1 CTS=1 DSR=1 DCD=1 RI=0"
}

@test "pyserial: an event loop on hs_link_fd wakes for data, not while idle" {
  run "$HSLINK" "$URI" idle 500 send "ping" poll-expect "ping" 20
  assert_success
  assert_output "wakeups 0"
}

@test "pyserial: break and purge; flow=dtrdsr it does not answer is paced here" {
  run "$HSLINK" "$URI?flow=dtrdsr" break 50 flush both info send "x" expect "x" 10
  assert_success
  assert_output --partial "no answer to SET-CONTROL (flow)"
  assert_output --partial "DTR/DSR flow paced here"
}
