#!/bin/sh
# usb_wait_cpu.sh - what waiting costs: hsprint's own CPU time (user +
# system, /usr/bin/time on hsprint alone, never the lab's) while the lab's
# slow USB printer (1000 B/s, 1000-byte buffer) keeps it waiting through a
# 6000-byte job, ~5 s of wall time. Reference in the same run: CUPS's own
# usb backend printing the same job to the same printer, and the ratio
# hsprint/CUPS. Goal: hsprint well under 0.1 s of CPU (it sleeps in the
# kernel while a URB is outstanding, never polls). Exits 1 if a job does
# not arrive whole; the figure itself is printed, not judged.
. "$(dirname "$0")/print_lib.inc"
need "$HSPRINT" "$HSLAB"
CUPS_USB=${CUPS_USB:-/usr/lib/cups/backend/usb}
# no status language: both programs send the job's bytes unwrapped
SPEC='id="MFG:ACME;MDL:LaserJet 9;CMD:PCL;CLS:PRINTER;",rate=1000,buffer=1000'
head -c 6000 /dev/urandom > "$W/job"
sum=$(sha256sum < "$W/job")

# cpu NAME CMD...: run CMD under the lab, timed alone; prints "CPU WALL".
cpu() {
  name=$1; shift
  "$HSLAB" --usb-printer "$SPEC,out=$W/$name.out" -- \
    /usr/bin/time -f '%U %S %e' -o "$W/$name.time" "$@" >/dev/null 2>"$W/$name.err" ||
    [ "$name" != hsprint ] || { echo "bench: hsprint failed:" >&2; tail -n 3 "$W/$name.err" >&2; exit 1; }
  [ "$(sha256sum < "$W/$name.out")" = "$sum" ] ||
    { echo "bench: $name: the printer's output is not the job" >&2; exit 1; }
  awk '{ printf "%.3f %.2f\n", $1 + $2, $3 }' "$W/$name.time"
}

read -r hs_cpu hs_wall <<EOF2
$(cpu hsprint "$HSPRINT" -d usb:1234:5678 "$W/job")
EOF2
echo "usb wait cost: a 6000-byte job to a 1000 B/s USB printer"
echo "  hsprint:          $hs_cpu s CPU in $hs_wall s (goal: well under 0.1 s)"
if [ -x "$CUPS_USB" ]; then
  # CUPS's backend (libusb 1.0.26) may die of an assertion at teardown
  # after the printer has every byte: the output check is what counts
  read -r cups_cpu cups_wall <<EOF2
$(DEVICE_URI='usb://ACME/LaserJet%209?serial=LAB0001' cpu cups-usb "$CUPS_USB" 1 bench bench 1 '' "$W/job")
EOF2
  echo "  CUPS usb backend: $cups_cpu s CPU in $cups_wall s"
  echo "  ratio hsprint/CUPS: $(ratio "$hs_cpu" "$cups_cpu")"
else
  echo "  (no reference: $CUPS_USB not installed, Debian package cups)"
fi
