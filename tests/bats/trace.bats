#!/usr/bin/env bats
# trace.bats - the library's trace (handshake/log.h) as the tools show it:
# HS_DEBUG=3 and -vvv trace every byte that crossed, each way, with times,
# and the bytes equal what the lab's modem received and sent; errors are
# traced with the function that failed; nothing at all without either.
load helper

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

setup() {
  tmp=$(mktemp -d)
  export HS_LOCK_DIR="$tmp"
  unset HS_DEBUG
  HSDIAL=$BUILD_DIR/hsdial
  T=$tmp/transcript
}

teardown() {
  rm -rf "$tmp"
}

# payloads DIR FILE: the trace's payloads for DIR (in/out), concatenated
# as escaped text (each byte is escaped alone, so chunks join exactly).
trace_payloads() {
  awk -v dir="$1" '$1 == "handshake:" && $5 == dir {
    s = $0; sub(/^[^"]*"/, "", s); sub(/"$/, "", s); printf "%s", s }' "$2"
}

# lab_payloads EVENT FILE [DEVICE]: the transcript's rx or tx payloads for
# DEVICE (ttyUSB0), concatenated.
lab_payloads() {
  awk -v ev="$1" -v dev="${3:-ttyUSB0}" '$2 == dev && $3 == ev {
    s = $0; sub(/^[^"]*"/, "", s); sub(/"$/, "", s); printf "%s", s }' "$2"
}

# times_rise FILE: the trace's time stamps never go back.
times_rise() {
  awk '$1 == "handshake:" { if ($2 + 0 < last) bad = 1; last = $2 + 0 }
       END { exit bad }' "$1"
}

# check_trace_against_lab_as_sent [DEVICE]: the traced bytes, each way,
# equal what the lab's modem received and sent
check_trace_against_lab_as_sent() {
  local out in
  out=$(trace_payloads out "$tmp/err")
  in=$(trace_payloads in "$tmp/err")
  [ -n "$out" ]
  [ -n "$in" ]
  assert_equal "$out" "$(lab_payloads rx "$T" "${1:-ttyUSB0}")"
  assert_equal "$in" "$(lab_payloads tx "$T" "${1:-ttyUSB0}")"
}

# hsdial --at ATI's exchange, as the lab saw it
check_trace_against_lab() {
  check_trace_against_lab_as_sent
  assert_equal "$(trace_payloads out "$tmp/err")" 'AT\rATI\r'
  times_rise "$tmp/err"
}

@test "HS_DEBUG=3: every byte each way, timed, as the lab's modem saw them" {
  HS_DEBUG=3 "$HSLAB" --transcript "$T" -- "$HSDIAL" -d /dev/ttyUSB0 --at ATI \
    >"$tmp/out" 2>"$tmp/err"
  grep -q 'HSLAB Hayes-compatible modem' "$tmp/out"
  # every trace line: time stamp, function, device
  grep -Eq '^handshake: [0-9]+\.[0-9]{6} hs_link_write: /dev/ttyUSB0 out 4 "ATI\\r"$' "$tmp/err"
  grep -Eq '^handshake: [0-9]+\.[0-9]{6} hs_link_open: /dev/ttyUSB0 opened' "$tmp/err"
  grep -Eq '^handshake: [0-9]+\.[0-9]{6} hs_link_close: /dev/ttyUSB0 closed$' "$tmp/err"
  check_trace_against_lab
}

@test "hsdial -vvv traces the same as HS_DEBUG=3" {
  "$HSLAB" --transcript "$T" -- "$HSDIAL" -vvv -d /dev/ttyUSB0 --at ATI \
    >"$tmp/out" 2>"$tmp/err"
  check_trace_against_lab
}

@test "without HS_DEBUG or -v nothing is traced" {
  run "$HSLAB" -- "$HSDIAL" -d /dev/ttyUSB0 --at ATI
  assert_success
  refute_output --partial 'handshake:'
  HS_DEBUG=0 "$HSLAB" -- "$HSDIAL" -d /dev/ttyUSB0 --at ATI >"$tmp/out" 2>"$tmp/err"
  assert_equal "$(cat "$tmp/err")" ""
  HS_DEBUG=bogus "$HSLAB" -- "$HSDIAL" -d /dev/ttyUSB0 --at ATI >"$tmp/out" 2>"$tmp/err"
  assert_equal "$(cat "$tmp/err")" ""
}

@test "HS_DEBUG=1: an error is traced with the function that failed, no bytes" {
  HS_DEBUG=1 run "$HSDIAL" -d /dev/ttyUSB-absent --at ATI
  assert_failure 69
  assert_line --regexp '^handshake: [0-9]+\.[0-9]{6} [a-z_]+: HS_ERR_NO_DEVICE: .*/dev/ttyUSB-absent'
  assert_line --regexp '^hsdial: .*/dev/ttyUSB-absent'
  refute_output --regexp ' (in|out) [0-9]+ "'
  refute_output --partial ' opened'
}

@test "hsprint: -v is the tool's own words, -vv adds state, not bytes" {
  printf 'hello\n' >"$tmp/job"
  "$HSLAB" --port 'ttyUSB0 printer' --output "$tmp/printed" -- \
    "$BUILD_DIR/hsprint" -v -d 'serial:/dev/ttyUSB0?baud=115200' "$tmp/job" 2>"$tmp/err"
  # (what the printer got is hsprint.bats's to check: here, the words)
  grep -q 'all 6 bytes went out' "$tmp/err"
  refute grep -q '^handshake:' "$tmp/err"
  "$HSLAB" --port 'ttyUSB0 printer' --output "$tmp/printed" -- \
    "$BUILD_DIR/hsprint" -vv -d 'serial:/dev/ttyUSB0?baud=115200' "$tmp/job" 2>"$tmp/err"
  grep -Eq '^handshake: [0-9.]+ hs_link_open: /dev/ttyUSB0 opened .*115200 baud 8N1' "$tmp/err"
  refute grep -Eq ' (in|out) [0-9]+ "' "$tmp/err"
}

@test "hsprobe -vvv traces what --probe sent and got" {
  # a CDC-ACM modem: its USB id is a known modem's, so --probe asks it
  "$HSLAB" --transcript "$T" --port 'ttyACM0 modem' -- "$BUILD_DIR/hsprobe" -vvv --probe \
    >"$tmp/out" 2>"$tmp/err"
  grep -q '^hsprobe: /dev/ttyACM0: asking who it is$' "$tmp/err"
  grep -q 'out 5 "ATI0\\r"' "$tmp/err"
  check_trace_against_lab_as_sent ttyACM0
}
