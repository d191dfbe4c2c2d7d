#!/bin/sh
# usb_throughput.sh - USB bulk throughput to the lab's USB printer at the
# rates printers have: a USB 2.0 laser (4 MB/s) and a receipt printer
# (40 KB/s). hsprint and CUPS's own usb backend print the same job to the
# same lab printer, alternating; each is judged against the device rate
# (goal >= 0.95: the host keeps the printer busy) and hsprint against
# CUPS (goal >= 0.97). Both outputs must be sha256-equal to the job.
#
# The rate is the data phase, from the transcript's first "rx" event to
# its last, over the bytes received after the first: CUPS's backend idles
# for seconds at the end waiting on its back channel, and both spend
# start-up time on enumeration, which are not throughput. The lab plays
# the device in user space (umockdev) and takes each transfer at the
# configured rate, whatever its size, so the ratio against CUPS is the
# host's, not the transfer sizes'. The printer's buffer is 64 KiB for the
# laser and 4 KiB for the receipt printer: a buffer that holds much of
# the job would let the host look faster than the device.
. "$(dirname "$0")/bench_lib.sh"
bench_need "$HSLAB" "$HSPRINT"
LASER_MIB=${USB_LASER_MIB:-24}
RECEIPT_KIB=${USB_RECEIPT_KIB:-200}
# no status language, so both programs send the job's bytes unwrapped
ID='id="MFG:ACME;MDL:LaserJet 9;CMD:PCL;CLS:PRINTER;"'
head -c $((LASER_MIB * 1024 * 1024)) /dev/urandom >"$W/laser"
head -c $((RECEIPT_KIB * 1024)) /dev/urandom >"$W/receipt"

# rate TRANSCRIPT: bytes per second the printer took after its first
# transfer (rx events, and the part of a transfer the host gave up
# waiting for: "discard out N")
rate() {
  awk '$3 ~ /^[0-9]+-[0-9]+$/ && ($4 == "rx" || ($4 == "discard" && $5 == "out")) {
         b = $4 == "rx" ? $5 : $6
         if (!seen) { first = $1; seen = 1 } else { n += b }
         last = $1 }
       END { if (last > first) printf "%.0f\n", n / (last - first); else print 0 }' "$1"
}

# run NAME JOB RATE COMMAND...: one job through the lab; prints its rate.
# Only the job's arrival counts for the reference: CUPS's backend (libusb
# 1.0.26) now and then dies of an assertion while it tears down its
# back-channel thread, after the printer has every byte.
run() {
  name=$1 job=$2 dev_rate=$3; shift 3
  rm -f "$W/t" "$W/out"
  rc=0
  "$HSLAB" --transcript "$W/t" --usb-printer "$ID,rate=$dev_rate,buffer=$BUFFER,out=$W/out" -- "$@" \
    >/dev/null 2>"$W/err" || rc=$?
  if ! cmp -s "$W/out" "$job" || { [ $rc -ne 0 ] && [ "$name" = hsprint ]; }; then
    echo "usb_throughput: $name failed (exit $rc):" >&2
    tail -n 5 "$W/err" >&2
    return 1
  fi
  rate "$W/t"
}

# both KIND JOB RATE: hsprint and CUPS's backend, one job each
both() {
  h=$(run hsprint "$2" "$3" "$HSPRINT" -d usb:1234:5678 "$2") || bench_fatal "hsprint failed"
  bench_sample "dev_$1" "$(ratio "$h" "$3")"
  if [ -x "$CUPS_USB" ]; then
    c=$(DEVICE_URI='usb://ACME/LaserJet%209?serial=LAB0001' \
      run cups-usb "$2" "$3" "$CUPS_USB" 1 bench bench 1 '' "$2") || bench_fatal "CUPS's usb backend failed"
    bench_sample "cups_$1" "$(ratio "$h" "$c")"
    bench_sample "cupsdev_$1" "$(ratio "$c" "$3")"
  fi
  echo "  run $i, $1 at $3 B/s: hsprint $h B/s, CUPS ${c:-(none)} B/s"
}

bench_title "USB printer class, a $LASER_MIB MiB job at 4 MB/s and a $RECEIPT_KIB KiB one at 40 KB/s"
for i in $(bench_seq); do
  BUFFER=65536 both laser "$W/laser" 4000000
  BUFFER=4096 both receipt "$W/receipt" 40000
done
for k in laser receipt; do
  bench_row "dev_$k" "USB $k: hsprint / device rate" '>= 0.95'
  if [ -x "$CUPS_USB" ]; then
    bench_row "cups_$k" "USB $k: hsprint / CUPS usb backend" '>= 0.97'
    bench_info "USB $k: CUPS usb backend / device rate" "$(bench_median "cupsdev_$k")"
  else
    bench_skip "USB $k: hsprint / CUPS usb backend" '>= 0.97' "$CUPS_USB is not installed (Debian package cups)"
  fi
done
bench_end
