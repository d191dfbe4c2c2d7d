#!/bin/sh
# usb_wait_cpu.sh - what waiting on a slow USB printer costs: hsprint's
# own CPU time and wake-ups (/usr/bin/time on hsprint alone, never the
# lab's) while the lab's USB printer (1000 B/s, 1000-byte buffer) keeps
# it waiting through a 6000-byte job, about 5 s. Reference in the same
# run: CUPS's own usb backend printing the same job to the same printer.
# Goal: hsprint's CPU at most CUPS's; wake-ups of both are reported. Each
# job must arrive whole.
. "$(dirname "$0")/bench_lib.sh"
bench_need "$HSPRINT" "$HSLAB"
# no status language: both programs send the job's bytes unwrapped
SPEC='id="MFG:ACME;MDL:LaserJet 9;CMD:PCL;CLS:PRINTER;",rate=1000,buffer=1000'
head -c 6000 /dev/urandom > "$W/job"

# cpu NAME CMD...: run CMD under the lab, costed alone; prints "CPU_MS
# WAKEUPS".
# CUPS's backend (libusb 1.0.26) may die of an assertion at teardown
# after the printer has every byte: the output check is what counts.
cpu() {
  name=$1; shift
  "$HSLAB" --usb-printer "$SPEC,out=$W/$name.out" -- \
    sh "$BENCH_LIB" --costed "$W/$name.time" "$@" >/dev/null 2>"$W/$name.err" ||
    [ "$name" != hsprint ] || { tail -n 3 "$W/$name.err" >&2; return 1; }
  cmp -s "$W/$name.out" "$W/job" || { echo "$name: the printer's output is not the job" >&2; return 1; }
  cut -d' ' -f1,2 "$W/$name.time"
}

bench_title "a 6000-byte job to a 1000 B/s USB printer, hsprint against CUPS's usb backend"
for i in $(bench_seq); do
  out=$(cpu hsprint "$HSPRINT" -d usb:1234:5678 "$W/job") || bench_fatal "hsprint failed"
  set -- $out
  hc=$1 hw=$2
  bench_sample hs_wake "$hw"
  if [ -x "$CUPS_USB" ]; then
    out=$(DEVICE_URI='usb://ACME/LaserJet%209?serial=LAB0001' cpu cups-usb "$CUPS_USB" 1 bench bench 1 '' "$W/job") ||
      bench_fatal "CUPS's usb backend failed"
    set -- $out
    bench_sample cpu "$(ratio "$hc" "$1")"
    bench_sample cups_wake "$2"
    echo "  run $i: hsprint $hc ms CPU, $hw wake-ups; CUPS $1 ms CPU, $2 wake-ups"
  fi
done
if [ -x "$CUPS_USB" ]; then
  bench_row cpu 'waiting on a slow USB printer: CPU, hsprint / CUPS usb backend' '<= 1.0'
  bench_info 'waiting on a slow USB printer: wake-ups of CUPS usb backend (median)' "$(bench_median cups_wake)"
else
  bench_skip 'waiting on a slow USB printer: CPU, hsprint / CUPS usb backend' '<= 1.0' "$CUPS_USB is not installed"
fi
bench_info 'waiting on a slow USB printer: wake-ups of hsprint (median)' "$(bench_median hs_wake)"
bench_end
