#!/usr/bin/env bats
# hsprint_cupsd.bats - the hs backend under a real, private cupsd (CUPS's
# own scheduler, lp and lpstat), started inside the device lab so that
# the backends it runs see the lab's printers: raw queues on the lab's USB
# printer and serial printer, jobs that arrive sha256-equal, lpstat saying
# they completed, the backend gone within 1 s of each job's last byte (the
# queue is not held after a job), and a paper-out shown by lpstat and
# cleared. private_cupsd.sh says how the cupsd is set up.
load helper

# A private cupsd and its jobs take seconds; a hang must not take longer.
: "${BATS_TEST_TIMEOUT:=120}"

setup() {
  lab_setup
  # As root cupsd runs a 0700 backend as root, which can open the lab's
  # device nodes; not as root it cannot be set up this way.
  [ "$(id -u)" = 0 ] || skip "a private cupsd that runs backends as root needs root"
  tmp=$(mktemp -d)
  export HS_LOCK_DIR="$tmp/lock"
  mkdir -p "$HS_LOCK_DIR"
  export PRIVATE_CUPSD="$BATS_TEST_DIRNAME/private_cupsd.sh" HSPRINT="$BUILD_DIR/hsprint"
  export TMPD=$tmp
  head -c 100000 /dev/urandom > "$tmp/job"
  head -c 20000 /dev/urandom > "$tmp/job20k"
}

teardown() {
  rm -rf "$tmp"
}

PLAIN='id="MFG:ACME;MDL:Plain 1;CMD:RAW;"'

# in_lab SCRIPT LAB-OPTIONS...: run the sh SCRIPT inside the lab with a
# private cupsd up (cupsd_start) and stopped after it; SCRIPT's output is
# the test's output.
in_lab() {
  local script=$1; shift
  run "$HSLAB" --transcript "$T" "$@" -- sh -c '
    . "$PRIVATE_CUPSD"
    # never leave a cupsd behind, however the script ends
    trap cupsd_stop EXIT
    trap "exit 129" HUP INT TERM PIPE
    cupsd_start "$TMPD/cupsd" "$HSPRINT" || exit 90
    sh -c "$0"' "$script"
}

# Shell for the scripts: wait_done QUEUE JOB-ID waits (30 s at most) until
# lpstat lists the job as completed.
WAIT_DONE='
wait_done() {
  n=300
  until lpstat -W completed -o "$1" | grep -q "^$1-$2 "; do
    n=$((n - 1)); [ "$n" -gt 0 ] || { echo "job $1-$2 did not complete"; lpstat -l -o; return 1; }
    sleep 0.1
  done
}'

# seconds_after FILE: how long after FILE was last written the backend of
# job $1 ended (the wrapper's record in backend-exits).
exit_gap() {
  awk -v job="$1" -v t="$(stat -c %.9Y "$2")" '$1 == job && $2 == 0 { printf "%.3f\n", $3 - t }' \
    "$tmp/cupsd/backend-exits"
}

@test "raw queues on the lab's USB and serial printers: sha256-equal, completed, backend gone within 1 s" {
  in_lab "$WAIT_DONE"'
    lpadmin -p usbq -E -v "hs:usb:1234:5678?serial=LAB0001" || exit 91
    lpadmin -p serq -E -v "hs:serial:/dev/ttyUSB0?baud=115200&flow=rtscts" || exit 92
    lp -d usbq "$TMPD/job" || exit 93
    wait_done usbq 1 || exit 94
    lp -d serq "$TMPD/job20k" || exit 95
    wait_done serq 2 || exit 96
    lpstat -W completed -o' \
    --usb-printer "$PLAIN,out=$tmp/usb.out" \
    --port 'ttyUSB0 printer' --busy both --output "$tmp/serial.out"
  assert_success
  assert_line --regexp '^usbq-1 +root +'
  assert_line --regexp '^serq-2 +root +'
  [ "$(sha256sum < "$tmp/usb.out")" = "$(sha256sum < "$tmp/job")" ]
  [ "$(sha256sum < "$tmp/serial.out")" = "$(sha256sum < "$tmp/job20k")" ]
  # Each backend ended (exit 0) within 1 s of its printer's last byte:
  # nothing held the queue after the job.
  usb_gap=$(exit_gap 1 "$tmp/usb.out")
  ser_gap=$(exit_gap 2 "$tmp/serial.out")
  echo "# backend gone ${usb_gap}s (USB), ${ser_gap}s (serial) after the last byte" >&3
  awk -v a="$usb_gap" -v b="$ser_gap" 'BEGIN { exit !(a != "" && b != "" && a < 1 && b < 1) }'
}

@test "a paper-out during a job shows as media-empty-error in lpstat -l -p, and clears" {
  # 20 kB/s, out of paper after 30000 bytes for 6 s: the backend sees it
  # by GET_PORT_STATUS and tells cupsd, which lpstat shows.
  in_lab "$WAIT_DONE"'
    lpadmin -p usbq -E -v "hs:usb:1234:5678" || exit 91
    lp -d usbq "$TMPD/job" || exit 93
    n=300
    until lpstat -l -p usbq | grep -q "media-empty-error"; do
      n=$((n - 1)); [ "$n" -gt 0 ] || { echo "no media-empty-error"; lpstat -l -p usbq; exit 94; }
      sleep 0.1
    done
    echo "during: $(lpstat -l -p usbq | grep Alerts)"
    wait_done usbq 1 || exit 95
    echo "after: $(lpstat -l -p usbq | grep Alerts)"' \
    --usb-printer "$PLAIN,rate=20000,paper-out=30000,paper-back=6000,out=$tmp/usb.out"
  assert_success
  assert_line --regexp '^during: .*Alerts: .*media-empty-error'
  refute_line --regexp '^after: .*media-empty-error'
  grep -q 'usb 2-1 paper-out 30000$' "$T"
  [ "$(sha256sum < "$tmp/usb.out")" = "$(sha256sum < "$tmp/job")" ]
}
