#!/bin/sh
# print_vs_cups.sh - hsprint as the CUPS backend "hs" against cups-filters'
# serial backend (/usr/lib/cups/backend/serial), both run the way cupsd
# runs them (DEVICE_URI, job arguments) on the same lab serial printer
# (8000 B/s, 2048-byte buffer) in the same run. Job time is until the
# last byte reached the printer.
#  - xonxoff: job time hs / serial (goal <= 1.0, at 2 decimals: the
#    printer's rate holds both to ~4 s and what is left to differ is a
#    few ms of reaction to an XON, which the machine's load moves as much
#    as either program), judged only when the serial backend's output is
#    the job (sha256): a backend that loses bytes is no reference;
#  - dtrdsr (cups-filters loses bytes there): hs's job time against the
#    bound a perfect host reaches, (job - buffer) / print rate (goal <=
#    1.05); the most bytes the printer received after it dropped DSR is
#    reported.
# hs's output must be the job, always.
. "$(dirname "$0")/bench_lib.sh"
bench_need "$HSPRINT" "$HSLAB"
KIB=${PRINT_CUPS_KIB:-32}
RATE=${PRINT_CUPS_RATE:-8000}
BUF=2048
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
  DEVICE_URI=$uri timeout 300 "$HSLAB" --port ttyUSB0=printer --busy "$busy" --buffer "$BUF 1536 512" \
    --print-rate "$RATE" --output "$W/$name.out" --transcript "$W/$name.t" -- \
    sh -c 'exec 3<>"$0/bc" 4<>"$0/sc"; exec /usr/bin/time -f "%e %U %S" -o "$0/$1.time" "$2" 1 bench job 1 "" "$0/job"' \
    "$W" "$name" "$backend" 2> "$W/$name.err" || { cat "$W/$name.err" >&2; bench_fatal "$name failed"; }
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
  eval "${name}_wall=$wall ${name}_eq=$eq"
}

bench_title "$KIB KiB at 115200 baud to a printer printing $RATE B/s"
bound=$(calc "($KIB * 1024 - $BUF) / $RATE")
for i in $(bench_seq); do
  job hs_x xonxoff 'hs:serial:/dev/ttyUSB0?baud=115200&flow=xonxoff' "$W/hs"
  [ -x "$CUPS_SERIAL" ] && job cups_x xonxoff 'serial:/dev/ttyUSB0?baud=115200+flow=soft' "$CUPS_SERIAL"
  job hs_d dsr 'hs:serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' "$W/hs"
  [ "$hs_x_eq" = yes ] && [ "$hs_d_eq" = yes ] || bench_fatal "hs did not print the job"
  if [ -x "$CUPS_SERIAL" ] && [ "$cups_x_eq" = yes ]; then
    bench_sample x "$(calc "int($hs_x_wall / $cups_x_wall * 100 + 0.5) / 100")"
  fi
  bench_sample d "$(ratio "$hs_d_wall" "$bound")"
  bench_sample over "$(after_dsr_drop "$W/hs_d.t" ttyUSB0)"
  echo "  run $i: xonxoff hs $hs_x_wall s, serial ${cups_x_wall:-} s (its output the job: ${cups_x_eq:-no}); dtrdsr hs $hs_d_wall s, bound $bound s"
done
if [ -s "$W/.samples/x" ]; then
  bench_row x 'job time, xonxoff, hs / cups-filters serial' '<= 1.0'
else
  bench_skip 'job time, xonxoff, hs / cups-filters serial' '<= 1.0' 'the serial backend did not print the job'
fi
bench_row d 'job time, dtrdsr, hs / (job - buffer) / rate' '<= 1.05'
bench_info 'dtrdsr: most bytes received after DSR dropped (median)' "$(bench_median over)"
bench_end
