#!/bin/sh
# usb_throughput.sh - USB bulk throughput to the lab's USB printer (no
# rate limit: it takes whatever arrives), hsprint against CUPS's own usb
# backend on the same lab device, in the same run. Prints both rates and
# their ratio (goal: >= 1.0); exits 1 below the goal or if either output
# is not sha256-equal to the job.
#
# What is timed is the data phase, from the lab transcript's first "rx"
# event to its last, over the bytes received after the first: CUPS's
# backend idles for seconds at the end waiting on its back channel, and
# both programs spend start-up time on enumeration, which are not
# throughput. Each program runs RUNS times; the best run counts, so a
# busy machine does not decide the ratio.
#
# The lab plays the device in user space (umockdev), so this measures the
# host side per byte and per URB - transfer sizes, copies, wake-ups - not
# a USB bus. Environment: BUILD (default build), HSLAB, MIB (job size,
# default 64), RUNS (default 2).
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
HSLAB=${HSLAB:-$BUILD/hslab}
HSPRINT=$BUILD/hsprint
CUPS_USB=/usr/lib/cups/backend/usb
MIB=${MIB:-64}
RUNS=${RUNS:-2}
# no status language, so both programs send the job's bytes unwrapped
SPEC='id="MFG:ACME;MDL:LaserJet 9;CMD:PCL;CLS:PRINTER;"'

for f in "$HSLAB" "$HSPRINT"; do
  [ -x "$f" ] || { echo "usb_throughput: $f is not built (make)" >&2; exit 1; }
done
if [ ! -x "$CUPS_USB" ]; then
  echo "usb_throughput: skipped: $CUPS_USB not installed (Debian package cups)"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# any lock files go here, not /run/lock: a benchmark leaves nothing
export HS_LOCK_DIR="$tmp"
head -c $((MIB * 1024 * 1024)) /dev/urandom >"$tmp/job"
want=$(sha256sum <"$tmp/job" | cut -d' ' -f1)

# rate TRANSCRIPT: bytes per second of the rx events after the first
rate() {
  awk '$3 ~ /^[0-9]+-[0-9]+$/ && $4 == "rx" {
         if (!seen) { first = $1; seen = 1 } else { n += $5 }
         last = $1 }
       END { if (last > first) printf "%.0f\n", n / (last - first); else print 0 }' "$1"
}

# run NAME COMMAND...: one job through the lab; prints its rate. Only the
# job's arrival counts for the reference: CUPS's backend (libusb 1.0.26)
# now and then dies of an assertion while it tears down its back-channel
# thread, after the printer has every byte; that is noted, not fatal.
run() {
  name=$1; shift
  rm -f "$tmp/t" "$tmp/out"
  rc=0
  "$HSLAB" --transcript "$tmp/t" --usb-printer "$SPEC,out=$tmp/out" -- "$@" \
    >/dev/null 2>"$tmp/err" || rc=$?
  got=$(sha256sum <"$tmp/out" 2>/dev/null | cut -d' ' -f1)
  if [ "$got" != "$want" ] || { [ $rc -ne 0 ] && [ "$name" = hsprint ]; }; then
    echo "usb_throughput: $name failed (exit $rc), the printer's output is" \
      "$([ "$got" = "$want" ] || echo not) the job:" >&2
    tail -n 5 "$tmp/err" >&2
    exit 1
  fi
  [ $rc -eq 0 ] || echo "usb_throughput: note: $name exited $rc after the printer" \
    "had the whole job: $(tail -n 1 "$tmp/err")" >&2
  rate "$tmp/t"
}

# best NAME COMMAND...: the best rate over RUNS runs
best() {
  b=0 i=0
  while [ $i -lt "$RUNS" ]; do
    r=$(run "$@")
    [ "$r" -gt "$b" ] && b=$r
    i=$((i + 1))
  done
  echo "$b"
}

hs=$(best hsprint "$HSPRINT" -d usb:1234:5678 "$tmp/job")
cups=$(DEVICE_URI='usb://ACME/LaserJet%209?serial=LAB0001' \
  best cups-usb "$CUPS_USB" 1 bench bench 1 '' "$tmp/job")

awk -v h="$hs" -v c="$cups" -v mib="$MIB" -v runs="$RUNS" 'BEGIN {
  printf "usb bulk throughput, %d MiB job, best of %d, lab USB printer (no rate limit)\n", mib, runs
  printf "  hsprint:          %8.1f MiB/s\n", h / 1048576
  printf "  CUPS usb backend: %8.1f MiB/s\n", c / 1048576
  if (c <= 0) { print "  ratio: n/a (no CUPS data phase measured)"; exit 1 }
  printf "  ratio hsprint/CUPS: %.2f (goal >= 1.0)\n", h / c
  exit !(h / c >= 1.0)
}'
