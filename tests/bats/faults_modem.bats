#!/usr/bin/env bats
# faults_modem.bats - the fault matrix's modem rows (README.md, "The
# fault matrix"): hsdial on the lab's Hayes modem losing its carrier, a
# modem that never answers (dial, --at, --identify), and 10 MB floods of
# random bytes, of RING and of one endless line, while hsdial waits for
# OK and in data mode. Every row checks the same things
# (faults_helper.bash): the tool ends within its deadline with the
# documented exit code and message; in data mode every byte the modem
# sent reaches the output, and nothing else.
load faults_helper

MB10=10485760

# lab_hsdial LAB-OPTION... -- HSDIAL-ARGUMENT...: the command of a row
lab_hsdial() {
  CMD=("$HSLAB" --transcript "$T")
  while [ "$1" != -- ]; do CMD+=("$1"); shift; done
  shift
  CMD+=(-- "$HSDIAL" -d /dev/ttyUSB0 "$@")
}

@test "carrier loss in data mode: exit 3 within 200 ms, nothing of it as data" {
  # stdin stays open (a FIFO the shell holds) so only the carrier can end
  # the call; the fault fires amid the data; the shell exits as soon as
  # hsdial does, so the lab's "lab exit" is hsdial's end
  mkfifo "$tmp/fifo"
  head -c 3000 /dev/zero | tr '\0' x >"$tmp/data"
  row 10 3 '^hsdial: the carrier was lost after [0-9.]+ s; bytes sent [0-9]+, received [0-9]+$' -- \
    "$HSLAB" --transcript "$T" --fault 'carrier-loss after-bytes 1000' -- sh -c '
    "$1" -d /dev/ttyUSB0 1 <"$2/fifo" >"$2/out" & pid=$!
    exec 3>"$2/fifo"
    cat "$2/data" >&3
    wait $pid' sh "$HSDIAL" "$tmp"
  grep -q 'ttyUSB0 fault carrier-loss$' "$T"
  run awk '/fault carrier-loss$/ { t = $1 } / lab exit/ { print $1 - t }' "$T"
  awk -v x="$output" 'BEGIN { exit !(x >= 0 && x < 0.2) }'
  run grep -c 'NO CARRIER' "$tmp/out"
  assert_output 0
}

@test "carrier loss in a quiet call: DCD's fall wakes hsdial asleep in TIOCMIWAIT, exit 3 within 200 ms" {
  # nothing to read (stdin held open, the far end silent): only the
  # watch on DCD can notice
  mkfifo "$tmp/fifo"
  row 10 3 '^hsdial: the carrier was lost after [0-9.]+ s; bytes sent 0, received 0$' -- \
    "$HSLAB" --transcript "$T" --number '1 script expect "never"' --fault 'carrier-loss after-ms 3000' -- sh -c '
    "$1" -d /dev/ttyUSB0 1 <"$2/fifo" >"$2/out" & pid=$!
    exec 3>"$2/fifo"
    wait $pid' sh "$HSDIAL" "$tmp"
  grep -q 'ttyUSB0 fault carrier-loss$' "$T"
  run awk '/fault carrier-loss$/ { t = $1 } / lab exit/ { print $1 - t }' "$T"
  awk -v x="$output" 'BEGIN { exit !(x >= 0 && x < 0.2) }'
  # it slept in the driver's wait (on the lab's log), and DCD woke it
  run awk '/miwait wait DCD/ { w = 1 } /fault carrier-loss$/ { print w + 0; exit }' "$T"
  assert_output 1
  grep -q 'ttyUSB0 miwait woke DCD=0' "$T"
}

@test "carrier loss, a V0 modem on a line without DCD (&C0): its 3 ends the call, exit 3, none of it is data" {
  # the modem's only sign is "3\r" (NO CARRIER in V0) at the very end
  # of what it sent; stdin stays open, so nothing else can end the call
  mkfifo "$tmp/fifo"
  row 10 3 '^hsdial: the carrier was lost after [0-9.]+ s; bytes sent 0, received 6$' -- \
    "$HSLAB" --transcript "$T" --number '1 script send "data\r\n" hangup' -- sh -c '
    "$1" -d /dev/ttyUSB0 --init "ATV0&C0" 1 <"$2/fifo" >"$2/out" & pid=$!
    exec 3>"$2/fifo"
    wait $pid' sh "$HSDIAL" "$tmp"
  grep -qF 'ttyUSB0 tx "3\r"' "$T"
  printf 'data\r\n' | cmp - "$tmp/out"
}

@test "a silent modem, dial: exit 6 at the deadline" {
  lab_hsdial --fault silence -- --timeout 2 1
  row 2 6 '^hsdial: /dev/ttyUSB0( did not answer AT with OK in 5 tries within [0-9]+ ms|: no result code for ATZ within [0-9]+ ms)' -- "${CMD[@]}"
  within_transcript 'rx "AT.r"' 'lab exit' 1.95
}

@test "a silent modem, --at: exit 6 at the deadline" {
  lab_hsdial --fault silence -- --timeout 2 --at ATI
  row 2 6 '^hsdial: /dev/ttyUSB0 did not answer AT with OK in 5 tries within [0-9]+ ms; is it a modem, on, at this speed\?$' -- "${CMD[@]}"
  within_transcript 'rx "AT.r"' 'lab exit' 1.95
}

@test "a silent modem, --identify: exit 6 at the deadline" {
  lab_hsdial --fault silence -- --timeout 2 --identify
  row 2 6 '^hsdial: /dev/ttyUSB0 did not answer AT with OK in 5 tries within [0-9]+ ms; is it a modem, on, at this speed\?$' -- "${CMD[@]}"
  within_transcript 'rx "AT.r"' 'lab exit' 1.95
}

# within_transcript FIRST LAST LOW: at least LOW seconds from the first
# transcript line matching FIRST to the next matching LAST (a deadline
# kept, not cut short; how much later is the machine's business)
within_transcript() {
  local s
  s=$(awk -v a="$1" -v b="$2" '!s && $0 ~ a { s = $1; next }
    s && $0 ~ b { printf "%.6f\n", $1 - s; exit }' "$T")
  awk -v x="$s" -v lo="$3" 'BEGIN { exit !(x != "" && x >= lo) }' ||
    { echo "$s s is less than $3 s" >&2; return 1; }
}

# while waiting for OK: the flood starts as hsdial opens the port, so
# the first AT's reply is lost in it

@test "a 10 MB flood of random bytes while hsdial --at waits for OK: exit 76, garbage named" {
  # which of its checks the engine trips first depends on how the reads
  # cut the noise; a "1\r" in it can even pass for a V0 CONNECT
  lab_hsdial --fault "garbage flood $MB10 on-open" -- --at ATI
  row 10 76 '^hsdial: /dev/ttyUSB0 (did not answer AT with OK in 5 tries \([0-9]+ ms\); the last: /dev/ttyUSB0 (sent more than 256 bytes that are not text in reply to AT: wrong speed, or not a modem\?|keeps sending: over [0-9]+ bytes nobody asked for before AT|answered a call by itself \(CONNECT\) and is online; AT was not sent)|answered AT with CONNECT and is online: a call it answered by itself, or noise that looked like one)$' -- "${CMD[@]}"
}

@test "a 10 MB endless line while hsdial --at waits for OK: exit 76, the line named" {
  lab_hsdial --fault "endless-line flood $MB10 on-open" -- --at ATI
  row 10 76 '^hsdial: /dev/ttyUSB0 did not answer AT with OK in 5 tries \([0-9]+ ms\); the last: /dev/ttyUSB0 (sent a line longer than 4096 bytes in reply to AT; dropped|keeps sending: over [0-9]+ bytes nobody asked for before AT)$' -- "${CMD[@]}"
}

@test "a 10 MB flood of RING while hsdial --at waits for OK: the reply without them (0), or given up on (76)" {
  # RINGs are calls, not replies: the command's own reply still comes
  # through them (exit 0), unless more than the engine takes unasked
  # piled up before it (exit 76), as the flood and the commands meet
  lab_hsdial --fault "rings flood $MB10 on-open" -- --at ATI
  row 10 '0|76' '' -- "${CMD[@]}"
  if [ "$status" -eq 76 ]; then
    assert_line --regexp '^hsdial: /dev/ttyUSB0 (did not answer AT with OK in 5 tries \([0-9]+ ms\); the last: /dev/ttyUSB0 )?keeps sending: over [0-9]+ bytes nobody asked for before AT'
  else
    [ "$(tail -n 1 "$ROW_OUT")" = OK ]
    grep -q 'HSLAB' "$ROW_OUT"
  fi
  run grep -c RING "$ROW_OUT"
  assert_output 0
}

# in data mode: the flood follows CONNECT; stdin is empty, so the call
# ends once the line has been quiet for --linger (500 ms)
flood_call() {
  lab_hsdial --fault "$1 flood $MB10 on-connect" -- --linger-max 120000 "${@:2}" 1
  row 60 0 "^hsdial: hung up after [0-9.]+ s \\(eof\\); bytes sent 0, received $MB10\$" -- "${CMD[@]}"
  [ "$(stat -c %s "$ROW_OUT")" -eq "$MB10" ]
  grep -q "ttyUSB0 flood $1 sent $MB10\$" "$T"
}

@test "a 10 MB flood of random bytes in data mode: every byte to the output, exit 0" {
  flood_call garbage
}

@test "a 10 MB endless line in data mode: every byte to the output, exit 0" {
  flood_call endless-line
  awk -v n=$MB10 'BEGIN { for (i = 0; i < n; i++) printf "%c", 65 + i % 26 }' |
    cmp - "$ROW_OUT"
}

@test "a 10 MB flood of RING in data mode: data, not calls, every byte, exit 0" {
  flood_call rings
  awk -v n=$MB10 'BEGIN { while (i < n) { printf "RING\r\n"; i += 6 } }' |
    head -c $MB10 | cmp - "$ROW_OUT"
}

@test "a 10 MB flood of RING in data mode on a line without DCD (&C0): every byte, exit 0" {
  # where DCD says nothing the stream is scanned for NO CARRIER
  flood_call rings --init 'AT&C0'
  awk -v n=$MB10 'BEGIN { while (i < n) { printf "RING\r\n"; i += 6 } }' |
    head -c $MB10 | cmp - "$ROW_OUT"
}
