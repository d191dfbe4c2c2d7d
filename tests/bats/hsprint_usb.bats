#!/usr/bin/env bats
# hsprint_usb.bats - hsprint (and libhandshake's USB printer-class
# transport under it) against the lab's emulated USB printer: identity and
# driver from the 1284 device ID, byte-exact jobs, exact counts on a
# deadline, resume, SOFT_RESET on cancel (an unplug and a paper-out are
# rows of the fault matrix, faults_print.bats); and
# CUPS's own usb backend on the same lab printer (the fidelity test: the
# lab printer behaves like hardware to a program nobody here wrote).
# Every wait is on a lab event with a deadline; no fixed sleeps.
load helper

# The printers' 1284 IDs: GENERIC lists no status language hsprint
# speaks, so jobs arrive unwrapped; HP lists PJL (the pjl driver).
GENERIC='id="MFG:ACME;MDL:LaserJet 9;CMD:PCL,POSTSCRIPT;CLS:PRINTER;"'
HP='vid=03f0,pid=0517,id="MFG:Hewlett-Packard;MDL:LaserJet 4000;CMD:PJL,PCL;CLS:PRINTER;"'
NODE=/dev/bus/usb/002/002     # the lab's first USB printer: bus 2, dev 2
CUPS_USB=/usr/lib/cups/backend/usb

setup() {
  lab_setup
  HSPRINT=$BUILD_DIR/hsprint
  LINKCAT=$BUILD_DIR/linkcat
  JOB=$BATS_TEST_TMPDIR/job.bin
  OUT=$BATS_TEST_TMPDIR/out.bin
  OUT2=$BATS_TEST_TMPDIR/out2.bin
  ERR=$BATS_TEST_TMPDIR/stderr
  export HSPRINT JOB ERR
}

job() { head -c "$1" /dev/urandom >"$JOB"; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# cups_print SPEC: CUPS's usb backend, run as cupsd runs it (DEVICE_URI and
# job arguments), prints $JOB to a lab printer made from SPEC.
cups_print() {
  DEVICE_URI='usb://ACME/LaserJet%209?serial=LAB0001' run "$HSLAB" \
    --transcript "$T" --usb-printer "$1" -- "$CUPS_USB" 1 user title 1 '' "$JOB"
  assert_success
}

@test "--status shows the printer's USB identity, make and model, and 1284 ID" {
  run "$HSLAB" --usb-printer "$HP,serial=HPX42" -- "$HSPRINT" -d usb:03f0:0517 --status
  assert_success
  assert_line "device:    $NODE"
  assert_line 'transport: usb'
  assert_line 'usb:       03f0:0517 ACME LaserJet 9 HPX42'
  assert_line 'model:     HP LaserJet 4000'
  assert_line 'device-id: MFG:Hewlett-Packard;MDL:LaserJet 4000;CMD:PJL,PCL;CLS:PRINTER;'
  assert_line 'driver:    pjl'
  assert_line 'status:    ready'
  # the same printer by serial number and by bus.address, as JSON
  run "$HSLAB" --usb-printer "$HP,serial=HPX42" -- \
    "$HSPRINT" -d 'usb:03f0:0517?serial=HPX42' --status --json
  assert_success
  assert_output --partial '"usb":{"vid":"03f0","pid":"0517","manufacturer":"ACME","product":"LaserJet 9","serial":"HPX42"},"model":"HP LaserJet 4000"'
  json_valid hsprint
  run "$HSLAB" --usb-printer "$HP" -- "$HSPRINT" -d usb:2.2 --status
  assert_success
  assert_line 'model:     HP LaserJet 4000'
}

@test "the driver is matched from the 1284 ID's CMD" {
  for pair in 'CMD:ESC/POS;=escpos' 'CMD:ZPL;=zpl' 'CMD:PJL,PCL;=pjl' 'CMD:PCL;=generic'; do
    run "$HSLAB" --usb-printer "id=\"MFG:ACME;MDL:Model 1;${pair%=*}\"" -- \
      "$HSPRINT" -d usb:1234:5678 --status
    assert_success
    assert_line "driver:    ${pair#*=}"
  done
}

@test "a 1284 ID that ends in CR LF, as printers send them: make, model, driver and ID kept" {
  run "$HSLAB" --usb-printer 'vid=03f0,pid=0517,id="MFG:Hewlett-Packard;MDL:LaserJet 4000;CMD:PJL,PCL;\r\n"' -- \
    "$HSPRINT" -d usb:03f0:0517 --status
  assert_success
  assert_line 'model:     HP LaserJet 4000'
  assert_line 'device-id: MFG:Hewlett-Packard;MDL:LaserJet 4000;CMD:PJL,PCL;'
  assert_line 'driver:    pjl'
}

@test "a serial number that is not there: exit 69" {
  run "$HSLAB" --usb-printer "$GENERIC" -- "$HSPRINT" -d 'usb:1234:5678?serial=NOPE' --status
  assert_failure 69
  assert_output --partial 'NOPE'
}

@test "a job arrives sha256-equal, on the printer interface, not IPP-over-USB" {
  job 1000000
  run "$HSLAB" --transcript "$T" --usb-printer "$GENERIC,ippusb=1,out=$OUT" -- \
    "$HSPRINT" -d usb:1234:5678 "$JOB"
  assert_success
  [ "$(sha "$OUT")" = "$(sha "$JOB")" ]
  grep -q 'usb 2-1 claim 1$' "$T"      # 7/1/2 is interface 1 here
  grep -q 'usb 2-1 release 1$' "$T"
}

@test "a PJL printer (by its 1284 ID) gets the job whole inside its UEL wrapper" {
  job 100000
  run "$HSLAB" --usb-printer "$HP,out=$OUT" -- "$HSPRINT" -d usb:03f0:0517 "$JOB"
  assert_success
  begin=$(printf '\033%%-12345X@PJL\r\n@PJL USTATUS DEVICE=ON\r\n' | sha256sum | cut -d' ' -f1)
  end=$(printf '\033%%-12345X@PJL USTATUS DEVICE=OFF\r\n\033%%-12345X' | sha256sum | cut -d' ' -f1)
  [ "$(head -c 39 "$OUT" | sha256sum | cut -d' ' -f1)" = "$begin" ]
  [ "$(tail -c +40 "$OUT" | head -c 100000 | sha256sum | cut -d' ' -f1)" = "$(sha "$JOB")" ]
  [ "$(tail -c +100040 "$OUT" | sha256sum | cut -d' ' -f1)" = "$end" ]
}

@test "--resume-at past the end: nothing reaches the printer, not even the PJL wrapper" {
  job 1000
  run "$HSLAB" --usb-printer "$HP,out=$OUT" -- "$HSPRINT" -d usb:03f0:0517 --resume-at 5000 "$JOB"
  assert_failure 64
  [ ! -s "$OUT" ]
  # from a pipe: the wrapper went out before the end showed; it is closed
  run "$HSLAB" --usb-printer "$HP,out=$OUT" -- \
    sh -c 'cat "$JOB" | "$HSPRINT" -d usb:03f0:0517 --resume-at 5000'
  assert_failure 64
  assert_output "hsprint: (stdin): resume offset 5000 is past the end of the 1000-byte job"
  [ "$(cat "$OUT")" = "$(printf '\033%%-12345X@PJL\r\n@PJL USTATUS DEVICE=ON\r\n\033%%-12345X@PJL USTATUS DEVICE=OFF\r\n\033%%-12345X')" ]
}

@test "a slow printer and a short deadline: the write times out with the exact count" {
  [ -x "$LINKCAT" ] || skip "linkcat not built"
  # 1000 B/s with a 1000-byte buffer: about 2000 of 6000 bytes in 1 s
  text=$(head -c 6000 /dev/zero | tr '\0' x)
  run "$HSLAB" --transcript "$T" --usb-printer "$GENERIC,rate=1000,buffer=1000,out=$OUT" -- \
    "$LINKCAT" usb:1234:5678 "$text" 1
  assert_failure 74
  n=$(size "$OUT")
  [ "$n" -gt 1000 ]
  [ "$n" -lt 6000 ]
  assert_output --partial "$NODE: a write timed out (busy, offline or out of paper?) ($n of 6000 bytes went out)"
  # the lab saw the host give up (URB discarded) after exactly those bytes
  # ("SECS usb 2-1 rx N", "SECS usb 2-1 discard out N")
  total=$(awk '$4 == "rx" { t += $5 } $4 == "discard" && $5 == "out" { t += $6 } END { print t + 0 }' "$T")
  [ "$total" -eq "$n" ]
}

@test "--status of a printer out of paper says so" {
  job 10
  # the first job runs it out of paper; --status then asks the port
  run "$HSLAB" --usb-printer "$GENERIC,paper-out=5" -- sh -c '
    "$HSPRINT" -d usb:1234:5678 --pause 1 "$JOB" 2>/dev/null
    "$HSPRINT" -d usb:1234:5678 --status'
  assert_success
  assert_line 'status:    paper out'
  assert_line 'detail:    USB port status 0x20'
}

# cancel SIG: hsprint gets SIG mid-job; the lab printer takes only 0x21
# or only 0x23 SOFT_RESET requests (RT).
cancel() {
  sig=$1 rt=$2
  job 400000
  run "$HSLAB" --transcript "$T" \
    --usb-printer "$GENERIC,rate=40000,buffer=4096,soft-reset=$rt,out=$OUT" -- sh -c '
      . "$LAB_WAIT"
      "$HSPRINT" -d usb:1234:5678 "$JOB" 2>"$ERR" &
      pid=$!
      wait_for "$T" "usb 2-1 rx " 10 || exit 90
      kill -'"$sig"' $pid
      wait $pid'
  assert_failure 130
  grep -q "usb 2-1 soft-reset $rt\$" "$T"
  n=$(size "$OUT")
  [ "$n" -gt 0 ]
  [ "$n" -lt 400000 ]
  run cat "$ERR"
  assert_line "hsprint: $JOB: job canceled; $NODE was reset (SOFT_RESET); the printer accepted $n of 400000 bytes"
}

@test "SIGINT mid-job: SOFT_RESET reaches the printer, exit 130 with the count" {
  cancel INT 0x21
}

@test "SIGTERM mid-job, a printer that wants SOFT_RESET as 0x23: the fallback reaches it" {
  cancel TERM 0x23
}

@test "CUPS's usb backend lists the lab printer with its 1284 ID" {
  [ -x "$CUPS_USB" ] || skip "cups not installed ($CUPS_USB)"
  run "$HSLAB" --usb-printer "$GENERIC" -- "$CUPS_USB"
  assert_success
  assert_line 'direct usb://ACME/LaserJet%209?serial=LAB0001 "ACME LaserJet 9" "ACME LaserJet 9" "MFG:ACME;MDL:LaserJet 9;CMD:PCL,POSTSCRIPT;CLS:PRINTER;" ""'
}

@test "CUPS's usb backend prints a job that arrives sha256-equal" {
  [ -x "$CUPS_USB" ] || skip "cups not installed ($CUPS_USB)"
  job 1000000
  cups_print "$GENERIC,out=$OUT"
  [ "$(sha "$OUT")" = "$(sha "$JOB")" ]
}

@test "CUPS's usb backend and hsprint both borrow the printer from usblp and give it back" {
  [ -x "$CUPS_USB" ] || skip "cups not installed ($CUPS_USB)"
  job 10000
  cups_print "$GENERIC,driver=usblp,out=$OUT"
  [ "$(sha "$OUT")" = "$(sha "$JOB")" ]
  grep -q 'usb 2-1 driver detached usblp' "$T"
  grep -q 'usb 2-1 driver attached usblp' "$T"
  rm -f "$T"
  run "$HSLAB" --transcript "$T" --usb-printer "$GENERIC,driver=usblp,out=$OUT2" -- \
    "$HSPRINT" -d usb:1234:5678 "$JOB"
  assert_success
  [ "$(sha "$OUT2")" = "$(sha "$JOB")" ]
  grep -q 'usb 2-1 driver detached usblp' "$T"
  grep -q 'usb 2-1 driver attached usblp' "$T"
}

@test "quirk rows: a Samsung gets SOFT_RESET after each job; a Zebra is never read back" {
  job 100000
  run "$HSLAB" --transcript "$T" --usb-printer "vid=04e8,pid=1234,$GENERIC,out=$OUT" -- \
    "$HSPRINT" -v -d usb:04e8:1234 "$JOB"
  assert_success
  [ "$(sha "$OUT")" = "$(sha "$JOB")" ]
  # the reset comes after the job's last byte
  run awk '$4 == "rx" { rx = NR } $4 == "soft-reset" { sr = NR } END { print (sr > rx && rx > 0) }' "$T"
  assert_output 1
  # A Zebra answers ~HS over serial, but its USB back channel is known bad:
  # the status comes from the port status byte and nothing is asked.
  run "$HSLAB" --transcript "$T.z" --usb-printer "vid=0a5f,pid=0099,$GENERIC,out=$OUT" -- \
    "$HSPRINT" -d usb:0a5f:0099 -D zpl --status
  assert_success
  assert_line --regexp '^driver: +zpl$'
  run grep -c ' rx ' "$T.z"
  assert_output 0
}
