#!/usr/bin/env bats
# faults_print.bats - the fault matrix's printing rows (README.md, "The
# fault matrix"): hsprint on the lab's serial printer with each flow
# control and on its USB printer, unplugged mid-job, out of paper and
# back, and out of paper past the time hsprint waits. Every row checks
# the same things (faults_helper.bash): the tool ends within its
# deadline with the documented exit code and message, and on failure
# the count it reports, with its "up to N more" bound, brackets what the
# printer received, and --resume-at that count completes the job.
load faults_helper

GENERIC='id="MFG:ACME;MDL:LaserJet 9;CMD:PCL,POSTSCRIPT;CLS:PRINTER;"'
NODE=/dev/bus/usb/002/002

# serial_lab BUSY LAB-OPTION...: LAB is the lab with its serial printer
# (BUSY is how it says busy); RESUME a fresh one that takes the rest of
# a job
serial_lab() {
  LAB=("$HSLAB" --transcript "$T" --port 'ttyUSB0 printer' --busy "$1" --buffer '2048 1536 512')
  shift
  LAB+=("$@")
  RESUME=("$HSLAB" --port 'ttyUSB0 printer' --busy xonxoff --output "$tmp/rest" --
    "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=115200&flow=xonxoff")
}

# unplug_row FLOW BUSY: the adapter goes away after 6000 bytes (the lab
# unplugs at that byte exactly; the printer prints what it holds)
unplug_row() {
  local flow=$1 busy=$2
  head -c 16384 /dev/urandom >"$tmp/job"
  serial_lab "$busy" --print-rate 8000 --fault 'unplug after-bytes 6000' --output "$tmp/out"
  row 30 74 "^hsprint: $tmp/job: /dev/ttyUSB0 went away during (write|a read of the modem lines) \(Input/output error\): was it unplugged\?; the printer accepted [0-9]+ of 16384 bytes" -- \
    "${LAB[@]}" -- \
    "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=115200&flow=$flow" "$tmp/job"
  read -r took _ _ < <(rx_bytes_and_span "$T" ttyUSB0)
  [ "$took" -eq 6000 ]
  [ "$(printed "$tmp/out")" -eq 6000 ]
  bracketed 6000 "$tmp/job" "${RESUME[@]}"
}

@test "unplug mid-print, flow=none: exit 74, the count brackets what the printer got" {
  unplug_row none none
}

@test "unplug mid-print, flow=rtscts: exit 74, the count brackets what the printer got" {
  unplug_row rtscts dsr
}

@test "unplug mid-print, flow=xonxoff: exit 74, the count brackets what the printer got" {
  # 40 ms of data at 115200 baud is the most pacing leaves in the queue
  unplug_row xonxoff xonxoff
  [ "$more" -le 461 ]
}

@test "unplug mid-print, flow=dtrdsr: exit 74, the queue of 192 bytes at most, no talk of modem lines" {
  unplug_row dtrdsr dsr
  # under DTR/DSR the unplug shows first as DSR that cannot be read
  refute_output --partial "cannot read the modem lines"
  # 16 ms of data at 115200 baud, 192 bytes at most, is in flight
  [ "$more" -le 192 ]
}

@test "unplug mid-print, USB: exit 74 with the exact count" {
  head -c 500000 /dev/urandom >"$tmp/job"
  row 30 74 "^hsprint: $tmp/job: $NODE went away during a write: was it unplugged\?; the printer accepted 123457 of 500000 bytes$" -- \
    "$HSLAB" --transcript "$T" --usb-printer "$GENERIC,unplug=123457,out=$tmp/out" -- \
    "$HSPRINT" -d usb:1234:5678 "$tmp/job"
  grep -q 'usb 2-1 unplug 123457$' "$T"
  bracketed "$(printed "$tmp/out")" "$tmp/job" \
    "$HSLAB" --usb-printer "$GENERIC,out=$tmp/rest" -- "$HSPRINT" -d usb:1234:5678
  [ "$more" -eq 0 ]
}

# paper_back_row FLOW BUSY: paper runs out after 5000 bytes for 4 s,
# longer than a busy printer's pauses, shorter than --timeout
paper_back_row() {
  local flow=$1 busy=$2
  head -c 16384 /dev/urandom >"$tmp/job"
  serial_lab "$busy" --print-rate 4000 --paper-out '5000 4000' --output "$tmp/out"
  row 10 0 "^hsprint: $tmp/job: the printer took all 16384 bytes$" -- \
    "${LAB[@]}" -- \
    "$HSPRINT" -v -d "serial:/dev/ttyUSB0?baud=115200&flow=$flow" --timeout 10 "$tmp/job"
  # the printer holds the handshake and cannot say why: hsprint says so
  # after 2 s, and again when it prints
  assert_line -n 0 "hsprint: printer says: busy - held the output ($flow) for 2 s without saying why: out of paper, off line or slow?"
  assert_line -n 1 "hsprint: printer says: ready - printing again"
  [ "${#lines[@]}" = 3 ]
  grep -q 'printer paper-out' "$T"
  grep -q 'printer paper-ok' "$T"
  cmp "$tmp/job" "$tmp/out"
}

@test "paper out and back, flow=rtscts: hsprint waits and finishes, byte-exact" {
  paper_back_row rtscts dsr
}

@test "paper out and back, flow=xonxoff: hsprint waits and finishes, byte-exact" {
  paper_back_row xonxoff xonxoff
}

@test "paper out and back, flow=dtrdsr: hsprint waits and finishes, byte-exact" {
  paper_back_row dtrdsr dsr
}

@test "paper out and back, flow=none: nothing holds the job, so hsprint cannot say what the printer lost" {
  # No handshake: the printer's XOFF goes unheeded and what overflows
  # its buffer is lost. hsprint can only say what went out of the port.
  head -c 16384 /dev/urandom >"$tmp/job"
  serial_lab xonxoff --print-rate 4000 --paper-out '5000 4000' --output "$tmp/out"
  row 10 0 "^hsprint: $tmp/job: all 16384 bytes went out \(flow=none: nothing says whether the printer kept up\)$" -- \
    "${LAB[@]}" -- \
    "$HSPRINT" -v -d "serial:/dev/ttyUSB0?baud=115200&flow=none" --timeout 10 "$tmp/job"
  grep -Eq 'ttyUSB0 printer printed [0-9]+ lost [1-9][0-9]* ' "$T"
}

@test "paper out and back, USB: hsprint says so, waits and finishes, byte-exact" {
  head -c 300000 /dev/urandom >"$tmp/job"
  row 30 0 "^hsprint: printer says: paper out - USB port status 0x20$" -- \
    "$HSLAB" --transcript "$T" --usb-printer "$GENERIC,paper-out=100000,paper-back=1500,out=$tmp/out" -- \
    "$HSPRINT" -d usb:1234:5678 --pause 30 "$tmp/job"
  cmp "$tmp/job" "$tmp/out"
  # in this order: the printer ran out, was loaded, and only then took more
  run awk '$4 == "paper-out" || $4 == "paper-ok" { print $4, $5 }' "$T"
  assert_output $'paper-out 100000\npaper-ok 100000'
  run awk '/paper-out/ { p = 1 } /paper-ok/ { p = 0 } p && $4 == "rx" { print }' "$T"
  assert_output ''
}

# past_row FLOW BUSY: a printer without a status language holds the
# handshake past --timeout (paper out for 3 s, --timeout 1): it takes
# what is in the port's queue after hsprint gave up, as a UART's FIFO or
# an adapter's buffer still send it
past_row() {
  local flow=$1 busy=$2
  head -c 16384 /dev/urandom >"$tmp/job"
  serial_lab "$busy" --print-rate 4000 --paper-out '5000 3000' --output "$tmp/out"
  row 1 75 "^hsprint: $tmp/job: /dev/ttyUSB0 held the output \($flow\) for 1 s and gave no reason; the printer accepted [0-9]+ of 16384 bytes" -- \
    "${LAB[@]}" -- \
    "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=115200&flow=$flow" --timeout 1 "$tmp/job"
  grep -q 'printer paper-ok' "$T"
  bracketed "$(printed "$tmp/out")" "$tmp/job" "${RESUME[@]}"
}

@test "paper out past the wait, flow=rtscts: exit 75, the count brackets what the printer got" {
  past_row rtscts dsr
}

@test "paper out past the wait, flow=xonxoff: exit 75, the count brackets what the printer got" {
  past_row xonxoff xonxoff
}

@test "paper out past the wait, flow=dtrdsr: exit 75, the count brackets what the printer got" {
  past_row dtrdsr dsr
}

@test "paper out past --pause, USB: reported, waited out, exit 75 with the exact count" {
  head -c 300000 /dev/urandom >"$tmp/job"
  row 1 75 "^hsprint: $tmp/job: $NODE: paper out for 1 s; the printer accepted 100000 of 300000 bytes$" -- \
    "$HSLAB" --transcript "$T" --usb-printer "$GENERIC,paper-out=100000,out=$tmp/out" -- \
    "$HSPRINT" -d usb:1234:5678 --pause 1 "$tmp/job"
  assert_line 'hsprint: printer says: paper out - USB port status 0x20'
  grep -q 'usb 2-1 port-status 0x20$' "$T"
  # after the paper-out the job waited: nothing more was taken
  [ "$(awk '/paper-out/ { p = 1 } p && $4 == "rx" { n++ } END { print n + 0 }' "$T")" -eq 0 ]
  bracketed "$(printed "$tmp/out")" "$tmp/job" \
    "$HSLAB" --usb-printer "$GENERIC,out=$tmp/rest" -- "$HSPRINT" -d usb:1234:5678
  [ "$more" -eq 0 ]
}
