#!/bin/sh
# print_dtrdsr.sh - DTR/DSR flow control is done by the library (Linux
# has none): what it costs against the kernel doing the handshake. A
# 64 KiB job at 115200 baud to a lab printer as fast as the line, with
# flow=dtrdsr and, alternating, flow=xonxoff; hsprint's CPU time of the
# dtrdsr job over the xonxoff one (goal <= 1.5). Bytes per write() of
# both (strace, one more job each) are reported. Each job must arrive
# whole.
. "$(dirname "$0")/bench_lib.sh"
bench_need "$HSPRINT" "$HSLAB"
command -v strace >/dev/null || bench_fatal "strace is not installed"
head -c 65536 /dev/urandom > "$W/job"

# job NAME BUSY FLOW [--costed OUT | strace...]: one job with hsprint
job() {
  name=$1 busy=$2 flow=$3; shift 3
  "$HSLAB" --port ttyUSB0=printer --busy "$busy" --output "$W/$name.out" -- "$@" \
    "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=115200&flow=$flow" "$W/job" >/dev/null 2>"$W/$name.err" ||
    { cat "$W/$name.err" >&2; bench_fatal "$name failed"; }
  cmp -s "$W/job" "$W/$name.out" || bench_fatal "$name: the printer's output is not the job"
}

# per_write NAME BUSY FLOW: bytes per write() to the port
per_write() {
  job "$1" "$2" "$3" strace -f -e trace=write -o "$W/$1.strace"
  n=$(grep -c 'write(3,' "$W/$1.strace")
  calc "65536 / $n"
}

bench_title "64 KiB at 115200 baud to a printer as fast as the line, dtrdsr against xonxoff"
for i in $(bench_seq); do
  job x xonxoff xonxoff sh "$BENCH_LIB" --costed "$W/x.cost"
  job d dsr dtrdsr sh "$BENCH_LIB" --costed "$W/d.cost"
  read -r xc xw _ < "$W/x.cost"
  read -r dc dw _ < "$W/d.cost"
  bench_sample cpu "$(ratio "$dc" "$xc")"
  echo "  run $i: xonxoff $xc ms CPU, $xw wake-ups; dtrdsr $dc ms CPU, $dw wake-ups"
done
bench_row cpu 'CPU of a 64 KiB job at 115200, dtrdsr / xonxoff' '<= 1.5'
bench_info 'bytes per write(), xonxoff' "$(per_write xs xonxoff xonxoff)"
bench_info 'bytes per write(), dtrdsr' "$(per_write ds dsr dtrdsr)"
bench_end
