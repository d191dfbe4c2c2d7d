#!/usr/bin/env bats
# hsprint_cups.bats - hsprint as the CUPS backend "hs" (backend(7)), run
# the way cupsd runs it: as "hs" with no arguments (discovery), and with
# DEVICE_URI and job arguments (job-id user title copies options [file]),
# against the lab's USB and serial printers. Checks the device lines, the
# job bytes, the STATE:/ATTR: lines, the exit codes and the side channel.
load helper

setup() {
  lab_setup
  tmp=$(mktemp -d)
  export HS_LOCK_DIR="$tmp"
  # cupsd runs /usr/lib/cups/backend/hs: the name is what selects the mode.
  ln -s "$BUILD_DIR/hsprint" "$tmp/hs"
  HS=$tmp/hs
  head -c 100000 /dev/urandom > "$tmp/job"
  want=$(sha256sum < "$tmp/job")
}

teardown() {
  rm -rf "$tmp"
}

# A USB printer with no status language in its ID: the generic driver
# adds no job wrapping, so the output is the job.
PLAIN='id="MFG:ACME;MDL:Plain 1;CMD:RAW;"'

@test "discovery: one cupsBackendReport line per USB printer, hostile strings escaped" {
  run "$HSLAB" --usb-printer "$PLAIN" -- "$HS"
  assert_success
  assert_output 'direct hs:usb:1234:5678?serial=LAB0001 "ACME Plain 1" "ACME Plain 1 (USB)" "MFG:ACME;MDL:Plain 1;CMD:RAW;" ""'
  # Quotes and backslashes get a backslash; control characters a space. A
  # 1284 ID with one is refused: make and model "Unknown" (what CUPS says
  # of a printer with no ID), the info names it by its USB strings.
  run "$HSLAB" --usb-printer 'manufacturer=Evil \"Co\",product=Laser\\9,id="MFG:Evil \"Co\";MDL:L\x01\t9;"' -- "$HS"
  assert_success
  assert_output "$(printf '%s' 'direct hs:usb:1234:5678?serial=LAB0001 "Unknown" "Evil \"Co\" Laser\\9 (USB)" "MFG:Evil \"Co\";MDL:L ' $'\t' '9;" ""')"
}

@test "discovery: URIs survive a replug (no serial number, or one that needs escaping)" {
  # A printer with no serial number and one whose serial has a blank, a
  # slash and a '%' (as some printers report them): neither URI may name
  # the bus address, which changes when the printer is plugged in again.
  run "$HSLAB" --usb-printer "$PLAIN,serial=" \
    --usb-printer "vid=04b8,pid=0202,serial=AB 1/2%,id=\"MFG:EPSON;MDL:TM-T88V;\"" -- "$HS"
  assert_success
  assert_line 'direct hs:usb:1234:5678 "ACME Plain 1" "ACME Plain 1 (USB)" "MFG:ACME;MDL:Plain 1;CMD:RAW;" ""'
  assert_line 'direct hs:usb:04b8:0202?serial=AB%201%2F2%25 "EPSON TM-T88V" "EPSON TM-T88V (USB)" "MFG:EPSON;MDL:TM-T88V;" ""'
  # Plugged in again, at another address: both URIs still find them.
  head -c 5000 /dev/urandom > "$tmp/small"
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$PLAIN,serial=,dev=9,out=$tmp/out" -- \
    "$HS" 53 alice t 1 '' "$tmp/small"
  assert_success
  cmp "$tmp/small" "$tmp/out"
  DEVICE_URI='hs:usb:04b8:0202?serial=AB%201%2F2%25' run "$HSLAB" \
    --usb-printer "vid=04b8,pid=0202,serial=AB 1/2%,id=\"MFG:EPSON;MDL:TM-T88V;\",dev=7,out=$tmp/out2" -- \
    "$HS" 54 alice t 1 '' "$tmp/small"
  assert_success
  cmp "$tmp/small" "$tmp/out2"
}

@test "discovery: make and model equal CUPS's usb backend's for every ID of cups_make_model.tsv" {
  # Both backends list the same lab printers, four at a time (the lab's
  # most), told apart by serial number; field 2 is the make and model.
  grep -v '^#' "$ROOT/tests/unit/cups_make_model.tsv" | grep -v '^$' | cut -f1 > "$tmp/ids"
  total=$(wc -l < "$tmp/ids")
  [ "$total" -ge 40 ]
  n=0
  while [ "$n" -lt "$total" ]; do
    args=()
    for i in 0 1 2 3; do
      [ $((n + i)) -lt "$total" ] || break
      id=$(sed -n "$((n + i + 1))p" "$tmp/ids" | sed 's/[\\"]/\\&/g')
      args+=(--usb-printer "serial=T$((n + i)),id=\"$id\"")
    done
    "$HSLAB" "${args[@]}" -- /usr/lib/cups/backend/usb > "$tmp/cups" 2>/dev/null
    "$HSLAB" "${args[@]}" -- "$HS" > "$tmp/hs.out"
    for ((i = 0; i < ${#args[@]} / 2; i++)); do
      cups_mm=$(grep "serial=T$((n + i))[ &]" "$tmp/cups" | sed 's/^[^"]*"\(\([^"\\]\|\\.\)*\)".*/\1/')
      hs_mm=$(grep "serial=T$((n + i))[ &]" "$tmp/hs.out" | sed 's/^[^"]*"\(\([^"\\]\|\\.\)*\)".*/\1/')
      [ -n "$cups_mm" ] || { echo "CUPS did not list $(sed -n "$((n + i + 1))p" "$tmp/ids")"; return 1; }
      [ "$hs_mm" = "$cups_mm" ] ||
        { echo "$(sed -n "$((n + i + 1))p" "$tmp/ids"): hs '$hs_mm', CUPS '$cups_mm'"; return 1; }
    done
    n=$((n + ${#args[@]} / 2))
  done
  [ "$n" = "$total" ]
}

@test "discovery: no printers, no lines, exit 0" {
  run "$HSLAB" --port 'ttyUSB0 none' -- "$HS"
  assert_success
  assert_output ''
}

@test "a job from a file and from stdin, as cupsd passes them: exit 0, sha256-equal" {
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$PLAIN,rate=400000,out=$tmp/out" -- \
    "$HS" 42 alice 'report.pdf' 1 'media=a4' "$tmp/job"
  assert_success
  assert_line 'ATTR: job-media-progress=100'
  assert_line 'INFO: the printer took all 100000 bytes'
  [ "$(sha256sum < "$tmp/out")" = "$want" ]
  # Five arguments: the job is on stdin (what the filter wrote).
  DEVICE_URI='hs:usb:1234:5678' run bash -c '"$0" --usb-printer "$1" -- "$2" 43 alice t 1 "" < "$3"' \
    "$HSLAB" "$PLAIN,rate=400000,out=$tmp/out2" "$HS" "$tmp/job"
  assert_success
  [ "$(sha256sum < "$tmp/out2")" = "$want" ]
}

@test "copies: a file is sent copies times" {
  head -c 5000 /dev/urandom > "$tmp/small"
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$PLAIN,out=$tmp/out" -- \
    "$HS" 44 alice t 3 '' "$tmp/small"
  assert_success
  [ "$(sha256sum < "$tmp/out")" = "$(cat "$tmp/small" "$tmp/small" "$tmp/small" | sha256sum)" ]
}

@test "the backend mode is chosen by DEVICE_URI=hs:... and a job id, whatever the name" {
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$PLAIN,out=$tmp/out" -- \
    "$BUILD_DIR/hsprint" 45 alice t 1 '' "$tmp/job"
  assert_success
  assert_line 'INFO: the printer took all 100000 bytes'
}

@test "exit codes: bad URI stops the queue (4), a missing printer is retried (6)" {
  DEVICE_URI='usb://ACME/Laser' run "$HSLAB" --usb-printer "$PLAIN" -- "$HS" 1 u t 1 '' "$tmp/job"
  assert_failure 4
  assert_output --partial 'ERROR: DEVICE_URI must be hs:<handshake URI>'
  DEVICE_URI='hs:bogus:thing' run "$HSLAB" --usb-printer "$PLAIN" -- "$HS" 1 u t 1 '' "$tmp/job"
  assert_failure 4
  DEVICE_URI='hs:usb:1234:9999' run "$HSLAB" --usb-printer "$PLAIN" -- "$HS" 1 u t 1 '' "$tmp/job"
  assert_failure 6
  assert_line 'STATE: +offline-report'
  # A job file that cannot be read fails the job (1), not the queue.
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$PLAIN" -- "$HS" 1 u t 1 '' "$tmp/nope"
  assert_failure 1
  run "$HS" 1 2 3
  assert_failure 1
  assert_output --partial 'Usage:'
}

@test "USB unplug mid-job: retry (6), with the exact count the printer took" {
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$PLAIN,unplug=30000,out=$tmp/out" -- \
    "$HS" 46 alice t 1 '' "$tmp/job"
  assert_failure 6
  assert_output --partial 'the printer accepted 30000 of 100000 bytes'
  assert_line 'STATE: +offline-report'
  [ "$(stat -c %s "$tmp/out")" = 30000 ]
}

@test "USB paper out mid-job: STATE: +media-empty-error, then failed (1) past hs-pause" {
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$PLAIN,rate=100000,paper-out=30000" -- \
    "$HS" 47 alice t 1 'hs-pause=2 hs-timeout=10' "$tmp/job"
  assert_failure 1
  assert_line 'STATE: +media-empty-error'
  assert_output --partial 'paper out for 2 s; the printer accepted 30000 of 100000 bytes'
  # The printer said why: no guessed offline report on top.
  refute_line 'STATE: +offline-report'
}

@test "USB paper out mid-job, then paper back: media-empty-error set, cleared, finished sha256-equal" {
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer \
    "$PLAIN,rate=100000,paper-out=30000,paper-back=1500,out=$tmp/out" -- \
    "$HS" 49 alice t 1 'hs-pause=30' "$tmp/job"
  assert_success
  assert_line 'STATE: +media-empty-error'
  assert_line 'STATE: -media-empty-error'
  [ "$(sha256sum < "$tmp/out")" = "$(sha256sum < "$tmp/job")" ]
}

@test "serial paper out mid-job: reported off line while held, cleared, finished sha256-equal" {
  head -c 16384 /dev/urandom > "$tmp/job16k"
  # The lab's serial printer says paper-out only by holding DSR: hs cannot
  # tell that from off line, so it reports offline-report, not a guess.
  DEVICE_URI='hs:serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' run "$HSLAB" \
    --port 'ttyUSB0 printer' --busy dsr --buffer '2048 1536 512' --print-rate 4000 \
    --paper-out '5000 4000' --output "$tmp/out" --transcript "$tmp/t" -- \
    "$HS" 48 alice t 1 '' "$tmp/job16k"
  assert_success
  grep -q 'printer paper-out' "$tmp/t"
  assert_line 'STATE: +offline-report'
  assert_line 'STATE: -offline-report'
  assert_line 'INFO: printer says: busy - held the output (dtrdsr) for 2 s without saying why: out of paper, off line or slow?'
  assert_line 'INFO: printer says: ready - printing again'
  assert_line 'INFO: the printer took all 16384 bytes'
  [ "$(sha256sum < "$tmp/out")" = "$(sha256sum < "$tmp/job16k")" ]
}

# sc_job REQUEST SPEC: run $HS on $tmp/job, to a lab USB printer made
# from SPEC (transcript $tmp/t), with fd 4 a socket whose far end sends REQUEST (printf
# escapes: the framed side-channel messages) and keeps the reply in
# $tmp/reply as hex. socat plays the filter's end of the side channel.
sc_job() {
  printf "$1" > "$tmp/req"
  # No back channel in these tests: whatever fd 3 is (bats' output, a
  # socat socket) is closed before hs starts.
  printf '#!/bin/sh\nexec 3>&-\nexec "$@"\n' > "$tmp/no3"
  chmod +x "$tmp/no3"
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$2" --transcript "$tmp/t" -- \
    socat SYSTEM:"cat $tmp/req; od -An -v -tx1 > $tmp/reply" \
      EXEC:"$tmp/no3 $HS 49 alice t 1 x=1 $tmp/job",fdin=4,fdout=4
}

@test "side channel: GET_DEVICE_ID, GET_STATE, GET_CONNECTED, GET_BIDI, SNMP" {
  id='MFG:ACME;MDL:Side 1;CMD:RAW;'
  # command 4 (GET_DEVICE_ID), status 0, length 0
  sc_job '\004\000\000\000' "id=\"$id\",rate=100000,out=$tmp/out"
  assert_success
  # reply: command 4, status 1 (OK), 16-bit length, the ID
  len=${#id}
  expect=$(printf '\004\001\000'"$(printf '\\%03o' "$len")"'%s' "$id" | od -An -v -tx1)
  [ "$(echo $(cat "$tmp/reply"))" = "$(echo $expect)" ]
  [ "$(sha256sum < "$tmp/out")" = "$want" ]
  # GET_STATE (5): online; GET_CONNECTED (8): yes; GET_BIDI (3): no; then
  # SNMP_GET (6) with an OID: not implemented.
  sc_job '\005\000\000\000\010\000\000\000\003\000\000\000\006\000\000\0031.3' "$PLAIN,rate=100000"
  assert_success
  [ "$(echo $(cat "$tmp/reply"))" = "05 01 00 01 01 08 01 00 01 01 03 01 00 01 00 06 07 00 00" ]
}

@test "side channel closed (a raw queue: no filter holds it): the backend exits when the job is done" {
  # cupsd gives the backend fd 4 even when no filter is left on the
  # other end: a socket at EOF, readable for ever. The job must not wait
  # on it; timeout gives 5 s (a 100 kB job takes well under 1 s).
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$PLAIN,out=$tmp/out" -- \
    timeout 5 /usr/bin/python3 -c '
import os, socket, sys
ours, theirs = socket.socketpair()
theirs.close()
os.dup2(ours.fileno(), 4)
os.execv(sys.argv[1], sys.argv[1:])' "$HS" 52 alice t 1 '' "$tmp/job"
  assert_success
  assert_line 'INFO: the printer took all 100000 bytes'
  [ "$(sha256sum < "$tmp/out")" = "$want" ]
}

@test "side channel: DRAIN_OUTPUT answers OK once the printer has the bytes" {
  sc_job '\002\000\000\000' "$PLAIN,rate=100000,out=$tmp/out"
  assert_success
  [ "$(echo $(cat "$tmp/reply"))" = "02 01 00 00" ]
  [ "$(sha256sum < "$tmp/out")" = "$want" ]
}

@test "side channel: SOFT_RESET during a job stops it and resets the printer" {
  sc_job '\001\000\000\000' "$PLAIN,rate=20000,out=$tmp/out"
  assert_success
  [ "$(echo $(cat "$tmp/reply"))" = "01 01 00 00" ]
  [ "$(stat -c %s "$tmp/out")" -lt 100000 ]
  grep -q ' soft-reset 0x' "$tmp/t"
  refute_line --partial 'the printer took all'
}

@test "SIGTERM (cupsd cancels the job): exit 5, printer reset" {
  # Inside the lab: start the job, wait until the printer has bytes, stop it.
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer "$PLAIN,rate=20000,out=$tmp/out" \
    --transcript "$tmp/t" -- sh -c '. "$LAB_WAIT"
      "$0" 50 alice t 1 x=1 "$1" & p=$!
      wait_for "$2" "usb 2-1 rx " 10 || exit 90
      kill -TERM $p; wait $p' "$HS" "$tmp/job" "$tmp/t"
  assert_failure 5
  assert_output --partial 'job canceled'
  grep -q ' soft-reset 0x' "$tmp/t"
}

@test "back channel: what the printer sends during the job is passed on on fd 3" {
  # cupsd's back channel is a pipe on fd 3; a FIFO stands in for it.
  printf '\033%%-12345X@PJL ECHO hello back\r\n\033%%-12345X' > "$tmp/pjljob"
  head -c 50000 /dev/urandom >> "$tmp/pjljob"
  DEVICE_URI='hs:usb:1234:5678' run "$HSLAB" --usb-printer \
    "$PLAIN,out=$tmp/out,reply=@PJL ECHO hello back>@PJL ECHO hello back\r\n\x0c" -- \
    sh -c 'mkfifo "$2.fifo"; cat "$2.fifo" > "$2" & c=$!
           "$0" 51 alice t 1 "" "$1" 3>"$2.fifo"; s=$?; wait $c; exit $s' \
    "$HS" "$tmp/pjljob" "$tmp/back"
  assert_success
  [ "$(sha256sum < "$tmp/out")" = "$(sha256sum < "$tmp/pjljob")" ]
  run cat "$tmp/back"
  assert_output $'@PJL ECHO hello back\r\n\f'
}
