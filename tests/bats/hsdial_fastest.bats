#!/usr/bin/env bats
# hsdial_fastest.bats - hsdial --fastest against the lab modem's +IPR and
# the lab's UART model: the call runs at the fastest rate both ends take
# and passes its bytes exactly; the rate is put back at the end (or kept
# with =keep); a modem silent at the new rate is recovered at the old.

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}
load helper

setup() {
  lab_setup
  HSDIAL=$BUILD_DIR/hsdial
  printf 'hello\r\nworld\0\377\001 +++ AT\r\n' >"$BATS_TEST_TMPDIR/in"
}

# call LAB-OPTION... -- HSDIAL-OPTION...: dial 5551234 on a modem at
# 9600 8N1 with the port opened at 9600; the call's bytes are in/out
call() {
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  status=0
  "$HSLAB" --transcript "$T" --line '9600 8N1' "${opts[@]}" -- \
    "$HSDIAL" -d 'serial:/dev/ttyUSB0?baud=9600' "$@" 5551234 \
    <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" \
    2>"$BATS_TEST_TMPDIR/err" || status=$?
}

# the transcript's events matching REGEX, payload only
events() {
  grep -E "ttyUSB0 ($1)" "$T" | cut -d' ' -f3-
}

@test "--fastest: a 9600 modem that takes 115200 calls at 115200, bytes exact" {
  call -- --fastest
  [ "$status" -eq 0 ] || cat "$BATS_TEST_TMPDIR/err"
  cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
  run cat "$BATS_TEST_TMPDIR/err"
  assert_line --index 0 'hsdial: line 9600 8N1 -> 115200 8N1'
  # the modem switched, then the port, then the call was dialled
  run events 'uart |command "(AT\+IPR=[0-9]+|ATD5551234)"'
  assert_line --index 0 'uart 9600 8N1 start'
  assert_line --index 1 'command "AT+IPR=115200"'
  assert_line --index 2 'uart 115200 8N1 +IPR'
  assert_line --index 3 'command "ATD5551234"'
  # ... and put back after the call
  assert_line --index 4 'command "AT+IPR=9600"'
  assert_line --index 5 'uart 9600 8N1 +IPR'
  # the call's bytes crossed at 115200 on both sides
  run grep -F 'rx "hello\r\nworld\x00\xFF\x01 +++ AT\r\n"' "$T"
  assert_success
  grep -q 'line speed=115200 bits=8 parity=none stop=1' "$T"
}

@test "--fastest on a 7E1 modem: +ICF makes the call 8N1, 8-bit bytes exact" {
  status=0
  "$HSLAB" --transcript "$T" --line '9600 7E1' -- "$HSDIAL" \
    -d 'serial:/dev/ttyUSB0?baud=9600&bits=7&parity=even' --fastest 5551234 \
    <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" \
    2>"$BATS_TEST_TMPDIR/err" || status=$?
  [ "$status" -eq 0 ]
  cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
  run cat "$BATS_TEST_TMPDIR/err"
  assert_line --index 0 'hsdial: line 9600 7E1 -> 115200 8N1'
  run events 'uart |command "AT\+IPR=[0-9]'
  assert_line --index 1 'command "AT+IPR=115200;+ICF=3,3"'
  assert_line --index 2 'uart 115200 8N1 +IPR'
  assert_line --index 3 'command "AT+IPR=9600;+ICF=5,1"'
  assert_line --index 4 'uart 9600 7E1 +IPR'
}

@test "--fastest=keep stores the rate (AT&W) and leaves it" {
  call -- --fastest=keep
  [ "$status" -eq 0 ]
  cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
  run events 'uart |command "(AT\+IPR=[0-9]+|AT&W)"'
  assert_line --index 1 'command "AT+IPR=115200"'
  assert_line --index 2 'uart 115200 8N1 +IPR'
  assert_line --index 3 'command "AT&W"'
  [ "${#lines[@]}" -eq 4 ]
}

@test "--fastest: the fastest both take, the modem's list and the port's" {
  call --ipr '300 1200 2400 9600 19200 38400' -- --fastest
  [ "$status" -eq 0 ]
  cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
  grep -qF 'uart 38400 8N1 +IPR' "$T"
  call --refuse-rates 115200 -- --fastest
  [ "$status" -eq 0 ]
  cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
  grep -qF 'uart 57600 8N1 +IPR' "$T"
  run grep -F 'AT+IPR=115200' "$T"
  assert_failure
}

@test "--fastest: a modem silent after AT+IPR is recovered at the old rate" {
  call --ipr-fault ignore -- --fastest
  [ "$status" -eq 0 ]
  cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
  run cat "$BATS_TEST_TMPDIR/err"
  assert_line --index 0 'hsdial: /dev/ttyUSB0 took AT+IPR=115200 but did not answer at 115200 8N1; both are back at 9600 8N1'
  # it never changed; the port went back and the call ran at 9600
  run events 'uart '
  assert_output 'uart 9600 8N1 start'
  run events 'fault '
  assert_output 'fault ipr-ignore 115200'
  [ "$(grep -E 'ttyUSB0 line speed=' "$T" | tail -1 | cut -d' ' -f4)" = speed=9600 ]
}

@test "--fastest takes =keep or nothing" {
  run "$HSDIAL" -d /dev/null --fastest=always 5551234
  assert_failure 64
  assert_output --partial "--fastest takes =keep or nothing, not 'always'"
}
