#!/bin/sh
# print_vs_cups.sh - hsprint as the CUPS backend "hs" against cups-filters'
# serial backend (/usr/lib/cups/backend/serial), both run the way cupsd
# runs them (DEVICE_URI, job arguments) on the same lab serial printer in
# the same run, for flow xonxoff and dtrdsr: job time (until the last
# byte reached the printer) ratio hs/serial (goal <= 1.0), output
# sha256-equal to the job for both (a ratio against a backend whose output
# is not the job is printed but not judged: it was faster by losing
# bytes), and for dtrdsr the DTR/DSR pacing: the most bytes the printer
# received while it held DSR low, over the job (goal <= 64).
. "$(dirname "$0")/print_lib.inc"
need "$HSPRINT" "$HSLAB" "$CUPS_SERIAL"
KIB=${PRINT_CUPS_KIB:-32}
RATE=${PRINT_CUPS_RATE:-8000}
head -c $((KIB * 1024)) /dev/urandom > "$W/job"
sum=$(sha256sum < "$W/job")
ln -s "$HSPRINT" "$W/hs"
# cupsd always gives a backend fd 3 (back channel) and fd 4 (side
# channel); cups-filters' serial backend polls fd 4 and would take the
# next file it opens for it. FIFOs opened read-write: open, never ready.
# They are opened inside the lab, which closes inherited descriptors.
mkfifo "$W/bc" "$W/sc"

# job NAME BUSY URI BACKEND: one job through BACKEND on a lab printer that
# prints RATE B/s and says busy by BUSY; $W/NAME.time, .t, .out.
job() {
  name=$1 busy=$2 uri=$3 backend=$4
  DEVICE_URI=$uri timeout 300 "$HSLAB" --port ttyUSB0=printer --busy "$busy" --buffer '2048 1536 512' \
    --print-rate "$RATE" --output "$W/$name.out" --transcript "$W/$name.t" -- \
    sh -c 'exec 3<>"$0/bc" 4<>"$0/sc"; exec /usr/bin/time -f "%e %U %S" -o "$0/$1.time" "$2" 1 bench job 1 "" "$0/job"' \
    "$W" "$name" "$backend" 2> "$W/$name.err" || { echo "bench: $name failed:" >&2; cat "$W/$name.err" >&2; exit 1; }
  if [ "$(sha256sum < "$W/$name.out")" = "$sum" ]; then eq=yes; else eq=NO; fi
  # Job time is the printer's view: from the lab's start until the last
  # byte reached it. A backend that exits before the line has drained
  # (cups-filters' serial does) is not done printing. But the lab's pty
  # falls back to 9600 baud once the port is closed, which a real UART
  # does not (it drains at speed, still paced by the printer): bytes that
  # arrive after the close count at the slower of the line and printer.
  wall=$(awk -v dev=ttyUSB0 -v rate="$RATE" "$RXLEN"'
    $2 == dev && $3 == "closed" && !closed { closed = $1 }
    $2 == dev && $3 == "rx" { if (closed) late += rxlen($0); else t = $1 }
    END { r = rate > 0 && rate < 11520 ? rate : 11520
          if (late) t = closed + late / r; print t + 0 }' "$W/$name.t")
  late=$(awk -v dev=ttyUSB0 "$RXLEN"'
    $2 == dev && $3 == "closed" && !closed { closed = 1 }
    $2 == dev && $3 == "rx" && closed { late += rxlen($0) }
    END { print late + 0 }' "$W/$name.t")
  eval "${name}_late=$late"
  eval "${name}_wall=$wall ${name}_eq=$eq"
}

job hs_x xonxoff 'hs:serial:/dev/ttyUSB0?baud=115200&flow=xonxoff' "$W/hs"
job cups_x xonxoff 'serial:/dev/ttyUSB0?baud=115200+flow=soft' "$CUPS_SERIAL"
job hs_d dsr 'hs:serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' "$W/hs"
job cups_d dsr 'serial:/dev/ttyUSB0?baud=115200+flow=dtrdsr' "$CUPS_SERIAL"

echo "print_vs_cups: $KIB KiB at 115200 baud to a printer printing $RATE B/s"
for f in x d; do
  [ $f = x ] && flow=xonxoff || flow=dtrdsr
  eval "hw=\$hs_${f}_wall cw=\$cups_${f}_wall he=\$hs_${f}_eq ce=\$cups_${f}_eq cl=\$cups_${f}_late"
  r=$(ratio "$hw" "$cw")
  # A reference that did not print the job is no reference: a backend
  # that ignores the handshake finishes sooner by losing bytes.
  clost=$(( $(wc -c < "$W/job") - $(wc -c < "$W/cups_$f.out") ))
  awk -v f="$flow" -v hw="$hw" -v cw="$cw" -v r="$r" -v he="$he" -v ce="$ce" -v cl="$cl" \
      -v clost="$clost" 'BEGIN {
    verdict = he != "yes" ? "FAILED: hs did not print the job" : \
      ce != "yes" ? "not judged: serial did not print the job" : \
      r <= 1.0 ? "ok" : "ABOVE GOAL"
    printf "  %-7s hs %6.2f s, serial %6.2f s: ratio %s (goal <= 1.0) %s; sha256-equal hs %s, serial %s\n",
      f, hw, cw, r, verdict, he, ce
    printf "          (serial exited with %d bytes not yet on the line", cl
    if (ce != "yes")
      printf "; the printer lost %d bytes of its job: %s", clost,
        (clost > 0 ? "it ignored the handshake" : "its output differs")
    printf ")\n"
  }'
done
hd=$(after_dsr_drop "$W/hs_d.t" ttyUSB0)
cd_=$(after_dsr_drop "$W/cups_d.t" ttyUSB0)
drops=$(grep -c 'dev CTS=0 DSR=0' "$W/hs_d.t")
echo "  dtrdsr pacing: most bytes received after DSR dropped: hs $hd, serial $cd_ ($drops drops; goal <= 64) $([ "$hd" -le 64 ] && echo ok || echo ABOVE GOAL)"
