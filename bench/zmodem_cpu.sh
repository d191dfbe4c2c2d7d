#!/bin/sh
# zmodem_cpu.sh - what ZMODEM costs the machine: 256 MiB over a socat pty
# pair (no line rate: as fast as both ends go), the CPU time of each end
# (with its children: costed), hsxfer against lrzsz (issue 14): hsxfer
# --send to rz against sz to rz, and hsxfer --receive from sz against rz
# from sz. Each run makes the three transfers of the same file and
# samples the two CPU ratios (the same MiB each side, so CPU/MiB over
# CPU/MiB); goals: each <= 1.0 at the median. BENCH_RUNS sets the runs
# (3), ZMODEM_CPU_MIB the size (256).
. "$(dirname "$0")/bench_lib.sh"
HSXFER=$B/hsxfer
bench_need "$HSXFER"
MIB=${ZMODEM_CPU_MIB:-256}
for p in sz rz socat; do
  command -v $p >/dev/null && continue
  bench_skip "ZMODEM send CPU/MiB over a pty, hsxfer / sz" '<= 1.0' "$p is missing (make deps)"
  bench_skip "ZMODEM receive CPU/MiB over a pty, hsxfer / rz" '<= 1.0' "$p is missing (make deps)"
  bench_end
done
head -c $((MIB * 1024 * 1024)) /dev/urandom >"$W/f"
sum=$(sha256sum <"$W/f")
bench_title "$MIB MiB ZMODEM over a pty pair, CPU of each end against lrzsz"

# pair 'SENDER' 'RECEIVER': the two on a fresh pty pair, SENDER in $W
# sending f, RECEIVER in $W/rx; $W/st and $W/rt get each end's costed
# figures. Returns 1 when either failed or what arrived differs.
pair() {
  rm -rf "$W/rx" "$W/A" "$W/B" && mkdir "$W/rx"
  socat pty,raw,echo=0,link="$W/A" pty,raw,echo=0,link="$W/B" 2>/dev/null &
  _sp=$!
  n=0
  while [ ! -e "$W/A" ] || [ ! -e "$W/B" ]; do
    n=$((n + 1)); [ "$n" -gt 500 ] && { kill "$_sp"; bench_fatal "socat gave no pty pair"; }
    sleep 0.01
  done
  (cd "$W/rx" && costed "$W/rt" sh -c "$2" <"$W/B" >"$W/B" 2>"$W/rx.log") &
  _rp=$!
  (cd "$W" && costed "$W/st" sh -c "$1" <"$W/A" >"$W/A" 2>"$W/tx.log")
  _rc=$?
  wait "$_rp" || _rc=1
  kill "$_sp" 2>/dev/null
  wait "$_sp" 2>/dev/null
  [ $_rc -eq 0 ] && [ -f "$W/rx/f" ] && [ "$(sha256sum <"$W/rx/f")" = "$sum" ] || {
    echo "bench: '$1' to '$2' failed: $(tail -c 300 "$W/tx.log" "$W/rx.log")" >&2
    return 1
  }
}

cpu() { cut -d' ' -f1 "$1"; }

for i in $(bench_seq); do
  pair "'$HSXFER' -d fd:0,1 --send f" rz || bench_fatal "hsxfer --send to rz failed"
  ours_send=$(cpu "$W/st")
  pair "sz f" rz || bench_fatal "sz to rz failed"
  sz_send=$(cpu "$W/st") rz_recv=$(cpu "$W/rt")
  pair "sz f" "'$HSXFER' -d fd:0,1 --receive ." || bench_fatal "hsxfer --receive from sz failed"
  ours_recv=$(cpu "$W/rt")
  bench_sample send "$(ratio "$ours_send" "$sz_send")"
  bench_sample recv "$(ratio "$ours_recv" "$rz_recv")"
  bench_sample ms_send "$(calc "$ours_send / $MIB")"
  bench_sample ms_recv "$(calc "$ours_recv / $MIB")"
  bench_sample ms_sz "$(calc "$sz_send / $MIB")"
  bench_sample ms_rz "$(calc "$rz_recv / $MIB")"
done
bench_row send 'ZMODEM send CPU/MiB over a pty, hsxfer / sz' '<= 1.0'
bench_row recv 'ZMODEM receive CPU/MiB over a pty, hsxfer / rz' '<= 1.0'
bench_info 'ZMODEM CPU ms/MiB: hsxfer send, sz' "$(bench_median ms_send) $(bench_median ms_sz)"
bench_info 'ZMODEM CPU ms/MiB: hsxfer receive, rz' "$(bench_median ms_recv) $(bench_median ms_rz)"
bench_end
