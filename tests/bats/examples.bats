#!/usr/bin/env bats
# examples.bats - the programs in examples/ do what their comments say,
# against the device lab: what the modem and printer received is checked
# byte for byte in the lab's transcript and output, with exit codes.
load helper

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

setup() {
  lab_setup
  tmp=$(mktemp -d)
  T=$tmp/transcript
}

teardown() {
  rm -rf "$tmp"
}

@test "at_command: ATI's lines and OK; ERROR is status 1; no port is 69" {
  run "$HSLAB" --transcript "$T" --ati 'ACME 56K' --ati 'rev 2' -- \
    "$BUILD_DIR/at_command" /dev/ttyUSB0 ATI
  assert_success
  assert_output $'ACME 56K\nrev 2\nOK'
  grep -q 'ttyUSB0 rx "ATI\\r"' "$T"
  run "$HSLAB" -- "$BUILD_DIR/at_command" /dev/ttyUSB0 'AT+NONSENSE'
  assert_failure 1
  assert_output "ERROR"
  run "$BUILD_DIR/at_command" /dev/ttyUSB-absent ATI
  assert_failure 69
  assert_output --partial "/dev/ttyUSB-absent"
}

@test "dial: the call carries stdin both ways and is hung up" {
  printf 'hello far end\n' >"$tmp/in"
  "$HSLAB" --transcript "$T" -- "$BUILD_DIR/dial" /dev/ttyUSB0 5551234 \
    <"$tmp/in" >"$tmp/out" 2>"$tmp/err"
  # the loopback far end sent back exactly what went out
  cmp "$tmp/in" "$tmp/out"
  grep -q 'state DIALING 5551234' "$T"
  grep -q 'state CONNECT' "$T"
  grep -Eq 'state NO-CARRIER (DTR|hangup|ATH)' "$T"
  grep -q 'dial: hung up' "$tmp/err"
}

@test "dial: a busy number is status 2 with the modem's word" {
  run "$HSLAB" --number '5550000 busy' -- "$BUILD_DIR/dial" /dev/ttyUSB0 5550000 </dev/null
  assert_failure 2
  assert_output --partial "BUSY"
}

@test "print_file: the printer got the file, sha256-equal, with progress" {
  head -c 30000 /dev/urandom >"$tmp/job"
  "$HSLAB" --port 'ttyUSB0 printer' --output "$tmp/printed" -- \
    "$BUILD_DIR/print_file" 'serial:/dev/ttyUSB0?baud=115200&flow=rtscts' "$tmp/job" \
    >"$tmp/out" 2>"$tmp/err"
  assert_equal "$(sha256sum <"$tmp/printed")" "$(sha256sum <"$tmp/job")"
  grep -q "the printer took all 30000 bytes" "$tmp/out"
  grep -q "30000 of 30000 bytes" "$tmp/err"
}

@test "print_file: paper out mid-job is reported, then the job finishes" {
  head -c 20000 /dev/urandom >"$tmp/job"
  "$HSLAB" --port 'ttyUSB0 printer' --busy dsr --buffer '2048 1536 512' \
    --paper-out '6000 4000' --output "$tmp/printed" -- \
    "$BUILD_DIR/print_file" 'serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' "$tmp/job" \
    >"$tmp/out" 2>"$tmp/err"
  cmp "$tmp/job" "$tmp/printed"
  grep -q "printer says: busy" "$tmp/err"
  grep -q "printer says: ready" "$tmp/err"
  grep -q "the printer took all 20000 bytes" "$tmp/out"
}

@test "ring_watch: one loop hears two modems ring, with caller ID" {
  # rings from 1 s on: the program has opened both ports by then
  run "$HSLAB" --transcript "$T" \
    --port ttyUSB0 --ring '1.0 5551234 ALICE' --port ttyUSB1 --ring '1.5 5559876 BOB' -- \
    "$BUILD_DIR/ring_watch" -n 3 /dev/ttyUSB0 /dev/ttyUSB1
  assert_success
  assert_line "ttyUSB0: RING"
  assert_line "ttyUSB1: RING"
  assert_line "ttyUSB0: caller NMBR 5551234"
  assert_line "ttyUSB0: caller NAME ALICE"
  assert_line "ttyUSB1: caller NMBR 5559876"
  assert_line "ttyUSB1: caller NAME BOB"
  # it only listened: nothing was sent to either modem
  refute grep -q ' rx ' "$T"
}
