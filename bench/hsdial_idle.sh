#!/bin/sh
# hsdial_idle.sh - what a quiet call costs: hsdial dials, the call comes
# up, then nothing moves either way; its wake-ups (voluntary context
# switches of all its threads, /proc/PID/task/*/status) are counted over
# 5 s, from 1 s after it said the call was up.
#  - on a pty (no modem lines: socat to tests/bats/pty_modem.py, which
#    answers AT with OK and ATD with CONNECT): goal 0 wake-ups a second;
#  - on a lab modem whose DCD follows the carrier (&C1), where a thread
#    sleeps in TIOCMIWAIT for DCD's fall, looking again after slices that
#    grow to 5 s: goal <= 5 wake-ups a second (under the lab every call on
#    the port, and each slice's end, costs a few; a look at DCD every
#    50 ms cost 146 a second).
. "$(dirname "$0")/bench_lib.sh"
bench_need "$HSDIAL" "$HSLAB"
command -v socat >/dev/null || bench_fatal "socat is not installed"
WINDOW=5
# idle.sh URI: hsdial in a call, stdin held open; prints its wake-ups
cat > "$W/idle.sh" <<'SH'
uri=$1 window=$2 dir=$3 hsdial=$4
rm -f "$dir/in" "$dir/err"; mkfifo "$dir/in"
exec 3<>"$dir/in"
"$hsdial" -d "$uri" 5551234 <"$dir/in" >/dev/null 2>"$dir/err" & pid=$!
i=0; until grep -q connected "$dir/err" 2>/dev/null; do
  i=$((i + 1)); [ $i -lt 1000 ] || { kill $pid; cat "$dir/err" >&2; exit 1; }; sleep 0.02; done
sleep 1
count() { cat /proc/$pid/task/*/status | awk '/^voluntary_ctxt/ { n += $2 } END { print n }'; }
a=$(count); sleep "$window"; b=$(count)
kill $pid; wait $pid
echo $((b - a))
SH

bench_title "hsdial in a quiet call, $WINDOW s counted"
for i in $(bench_seq); do
  rm -f "$W/pty"
  socat PTY,link="$W/pty",raw,echo=0 EXEC:"python3 $ROOT/tests/bats/pty_modem.py",pty,raw,echo=0 &
  spid=$!
  n=0; while [ ! -e "$W/pty" ] && [ $n -lt 250 ]; do sleep 0.02; n=$((n + 1)); done
  p=$(sh "$W/idle.sh" "serial:$W/pty" $WINDOW "$W" "$HSDIAL") || { kill $spid; bench_fatal "the pty call failed"; }
  kill $spid 2>/dev/null; wait $spid 2>/dev/null
  l=$("$HSLAB" -- sh "$W/idle.sh" /dev/ttyUSB0 $WINDOW "$W" "$HSDIAL") || bench_fatal "the lab call failed"
  bench_sample pty "$(calc "$p / $WINDOW")"
  bench_sample dcd "$(calc "$l / $WINDOW")"
  echo "  run $i: $WINDOW s quiet: pty $p wake-ups, lab modem with DCD $l"
done
bench_row pty 'hsdial in a quiet call, no modem lines (pty): wake-ups a second' '<= 0'
bench_row dcd 'hsdial in a quiet call, DCD follows the carrier (lab): wake-ups a second' '<= 5'
bench_end
