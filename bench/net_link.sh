#!/bin/sh
# net_link.sh - run by `make bench`: an rfc2217:// link through ser2net
# against socat's raw TCP to the same serial port behind the same ser2net
# (its raw accepter), in the same run, alternating:
#  - throughput: MiB sent into the lab port, drained by a reader on the
#    null-modem's far end (goal: rfc2217/socat >= 0.95);
#  - latency: one byte's round trip through the lab modem's loopback call,
#    through the link and through a bare socket (the added microseconds);
#  - modem lines: from a server's NOTIFY-MODEMSTATE to the wake-up of
#    hs_link_wait_signals (a stub server: ser2net itself looks at its
#    lines only once a second). Goal: well under 100 ms.
. "$(dirname "$0")/print_lib.inc"
HSLINK=$B/hslink
RTT=$B/bench/net_rtt
need "$HSLINK" "$RTT" "$HSLAB"
command -v ser2net >/dev/null || { echo "bench: ser2net is not installed" >&2; exit 1; }
MIB=${NET_BENCH_MIB:-16}
ROUNDS=${NET_BENCH_ROUNDS:-2000}
N=$((MIB * 1024 * 1024))
head -c "$N" /dev/urandom >"$W/data"
export NET_TMP=$W HSLINK RTT N

# once RAW: one throughput run; "SECONDS" appended to $W/tp-rfc2217 or
# $W/tp-socat. The reader on ttyUSB1 ends when it has all N bytes.
once() {
  "$HSLAB" --nullmodem 'ttyUSB0 ttyUSB1' -- sh "$ROOT/tests/net/ser2net.sh" $1 \
    /dev/ttyUSB0,115200n81,local '
    "$HSLINK" /dev/ttyUSB1?baud=115200 recv-file /dev/null "$N" 300 &
    reader=$!
    t0=$(date +%s.%N)
    if [ "$1" = socat ]; then
      socat -b 65536 -u "OPEN:$NET_TMP/data" "TCP:127.0.0.1:$PORT" || exit 1
    else
      "$HSLINK" "rfc2217://127.0.0.1:$PORT?baud=115200" send-file "$NET_TMP/data" 300 >/dev/null || exit 1
    fi
    wait $reader || exit 1
    t1=$(date +%s.%N)
    echo "$t1 $t0" | awk "{ print \$1 - \$2 }" >>"$NET_TMP/tp-$1"' "$2" ||
    { echo "bench: the $2 run failed" >&2; exit 1; }
}

rtt() {
  if [ "$1" = link ]; then
    "$HSLAB" -- sh "$ROOT/tests/net/ser2net.sh" /dev/ttyUSB0 \
      '"$RTT" link "rfc2217://127.0.0.1:$PORT?baud=115200" '"$ROUNDS" >>"$W/rtt-link"
  else
    "$HSLAB" -- sh "$ROOT/tests/net/ser2net.sh" -r /dev/ttyUSB0,115200n81,local \
      '"$RTT" raw 127.0.0.1 "$PORT" '"$ROUNDS" >>"$W/rtt-raw"
  fi || { echo "bench: the $1 round trips failed" >&2; exit 1; }
}

for i in 1 2 3; do
  once -r socat
  once "" rfc2217
  rtt raw
  rtt link
done

echo "net_link: $MIB MiB into a lab port through ser2net, 3 runs each (best)"
sort -n "$W/tp-socat" | head -1 >"$W/best-socat"
sort -n "$W/tp-rfc2217" | head -1 >"$W/best-rfc2217"
awk -v m="$MIB" -v s="$(cat "$W/best-socat")" -v r="$(cat "$W/best-rfc2217")" 'BEGIN {
  printf "  socat raw TCP  %6.2f s %7.2f MiB/s\n", s, m / s
  printf "  rfc2217 link   %6.2f s %7.2f MiB/s\n", r, m / r
  q = s / r
  printf "  ratio rfc2217/socat %.3f (goal >= 0.95) %s\n", q, (q >= 0.95 ? "ok" : "BELOW GOAL")
}'
echo "net_link: one byte's round trip through the lab modem's loopback, $ROUNDS rounds x 3"
# the middle run's median, and the mean of the means
summary() {
  printf "  %-13s median %7.1f us  mean %7.1f us\n" "$1" \
    "$(awk '{ print $2 }' "$2" | sort -n | sed -n 2p)" \
    "$(awk '{ a += $4 } END { print a / NR }' "$2")"
}
summary "bare socket" "$W/rtt-raw" | tee "$W/r1"
summary "rfc2217 link" "$W/rtt-link" | tee "$W/r2"
awk -v a="$(awk '{ print $4 }' "$W/r1")" -v b="$(awk '{ print $4 }' "$W/r2")" 'BEGIN {
  printf "  added by the link (medians) %.1f us\n", b - a }'
"$RTT" notify "$ROUNDS" >"$W/notify" || { echo "bench: the notify rounds failed" >&2; exit 1; }
awk '{ printf "net_link: NOTIFY-MODEMSTATE to hs_link_wait_signals waking, %d rounds\n", n
  printf "  median %.1f us  mean %.1f us  max %.1f us (goal < 100000) %s\n", $2, $4, $6,
    ($6 < 100000 ? "ok" : "BELOW GOAL") }' n="$ROUNDS" "$W/notify"
