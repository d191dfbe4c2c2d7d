#!/usr/bin/env bats
# hsdial.bats - hsdial's chat mode: options, exit codes as chat's, errors
# that name the device, and the pppd way of handing over the line.
load helper

setup() {
  tmp=$(mktemp -d)
  export HS_LOCK_DIR="$tmp"
  HSDIAL=$BUILD_DIR/hsdial
}

teardown() {
  [ -n "${PTY_PID:-}" ] && kill "$PTY_PID" 2>/dev/null
  rm -rf "$tmp"
}

@test "--help and --version" {
  run "$HSDIAL" --help
  assert_success
  assert_line --partial "--chat FILE"
  run "$HSDIAL" --version
  assert_success
  assert_output --regexp '^hsdial \(handshake\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "no script is a usage error" {
  run "$HSDIAL" -d /dev/null
  assert_failure 64
  assert_output --partial "hsdial: say what to run"
}

@test "a missing device is an I/O error that names it" {
  run "$HSDIAL" -d /dev/ttyUSB-absent -- '' AT OK
  assert_failure 2
  assert_output --partial "/dev/ttyUSB-absent does not exist"
}

@test "a bad URI says what is wrong with it" {
  run "$HSDIAL" -d 'serial:/dev/ttyS0?parity=q' -- '' AT OK
  assert_failure 2
  assert_output --partial "bad parity 'q'"
}

@test "an unterminated quote in a script file is exit 1" {
  printf "'' ATZ\nOK 'ATDT\n" > "$tmp/script"
  run "$HSDIAL" -d /dev/null --chat "$tmp/script"
  assert_failure 1
  assert_output --partial "line 2: unterminated quote"
}

@test "script words run on a line: expect what the far end echoes" {
  start_echo_pty "$tmp/tty" cat
  run "$HSDIAL" -d "$tmp/tty" -- '' 'hello' 'hello' ''
  assert_success
}

@test "ABORT strings give chat's exit codes, counting from 4" {
  start_echo_pty "$tmp/tty" cat
  run "$HSDIAL" -d "$tmp/tty" -- ABORT BUSY ABORT 'NO CARRIER' '' 'NO CARRIER' OK
  assert_failure 5
  assert_output --partial "aborted on 'NO CARRIER'"
}

@test "an expect that never comes is exit 3 after the timeout" {
  start_echo_pty "$tmp/tty" cat
  run "$HSDIAL" -d "$tmp/tty" -t 1 -- '' 'hello' 'CONNECT'
  assert_failure 3
  assert_output --partial "'CONNECT' did not arrive within 1 s"
}

@test "a script from a file, with a phone number and REPORT, into a report file" {
  start_echo_pty "$tmp/tty" cat
  cat > "$tmp/script" <<'SCRIPT'
# dial: the far end echoes, so expect our own words (\T is for sends only)
REPORT ATDT
'' ATDT\T
5551234 ''
SCRIPT
  run "$HSDIAL" -d "$tmp/tty" -T 5551234 -r "$tmp/report" --chat "$tmp/script"
  assert_success
  run cat "$tmp/report"
  assert_output --regexp '^chat:  [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} ATDT5551234$'
}

@test "with no -d the line is stdin and stdout, as pppd hands it over" {
  start_echo_pty "$tmp/tty" cat
  run sh -c "'$HSDIAL' -v -- '' ping ping '' <'$tmp/tty' >'$tmp/tty'"
  assert_success
  assert_line "hsdial: send (ping^M)"
  assert_line "hsdial: expect (ping)"
}

@test "a port held by another program is reported with its pid" {
  start_echo_pty "$tmp/tty" cat
  real=$(readlink -f "$tmp/tty")
  printf '%10d\n' "$PTY_PID" > "$tmp/LCK..pts_${real##*/}"
  run "$HSDIAL" -d "$tmp/tty" -- '' AT OK
  assert_failure 2
  assert_output --partial "is locked by pid $PTY_PID (socat)"
}
