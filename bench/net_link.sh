#!/bin/sh
# net_link.sh - run by `make bench`: an rfc2217:// link through ser2net
# against socat's raw TCP to the same serial port behind the same ser2net
# (its raw accepter), in the same run, alternating:
#  - throughput: MiB sent into the lab port, drained by a reader on the
#    null-modem's far end (goal: rfc2217/socat >= 0.95);
#  - latency: one byte's round trip through the lab modem's loopback call,
#    through the link and through a bare socket (the added microseconds,
#    reported);
#  - modem lines: from a server's NOTIFY-MODEMSTATE to the wake-up of
#    hs_link_wait_signals (a stub server: ser2net itself looks at its
#    lines only once a second). Goal: well under 100 ms.
. "$(dirname "$0")/bench_lib.sh"
HSLINK=$B/hslink
RTT=$B/bench/net_rtt
bench_need "$HSLINK" "$RTT" "$HSLAB"
command -v ser2net >/dev/null || bench_fatal "ser2net is not installed"
MIB=${NET_BENCH_MIB:-16}
ROUNDS=${NET_BENCH_ROUNDS:-2000}
N=$((MIB * 1024 * 1024))
head -c "$N" /dev/urandom >"$W/data"
export NET_TMP=$W HSLINK RTT N

# once RAW NAME: one throughput run; prints its seconds. The reader on
# ttyUSB1 ends when it has all N bytes.
once() {
  rm -f "$W/tp"
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
    echo "$t1 $t0" | awk "{ print \$1 - \$2 }" >"$NET_TMP/tp"' "$2" && cat "$W/tp"
}

# rtt link|raw: "median_us M mean_us M max_us M" of ROUNDS round trips
rtt() {
  if [ "$1" = link ]; then
    "$HSLAB" -- sh "$ROOT/tests/net/ser2net.sh" /dev/ttyUSB0 \
      '"$RTT" link "rfc2217://127.0.0.1:$PORT?baud=115200" '"$ROUNDS"
  else
    "$HSLAB" -- sh "$ROOT/tests/net/ser2net.sh" -r /dev/ttyUSB0,115200n81,local \
      '"$RTT" raw 127.0.0.1 "$PORT" '"$ROUNDS"
  fi
}

bench_title "$MIB MiB and $ROUNDS round trips through ser2net: rfc2217:// against socat's raw TCP"
for i in $(bench_seq); do
  s=$(once -r socat) || bench_fatal "the socat throughput run failed"
  r=$(once "" rfc2217) || bench_fatal "the rfc2217 throughput run failed"
  bench_sample tp "$(ratio "$s" "$r")"
  out=$(rtt raw) || bench_fatal "the raw round trips failed"
  set -- $out
  raw=$2
  out=$(rtt link) || bench_fatal "the link round trips failed"
  set -- $out
  link=$2
  bench_sample added "$(calc "$link - $raw")"
  out=$("$RTT" notify "$ROUNDS") || bench_fatal "the notify rounds failed"
  set -- $out
  bench_sample notify "$(calc "$6 / 1000")"
  echo "  run $i: $MIB MiB socat $s s, rfc2217 $r s; round trip (median) raw $raw us, link +$(calc "$link - $raw") us; NOTIFY to wake-up max $(calc "$6 / 1000") ms"
done
bench_row tp 'throughput through ser2net, rfc2217:// / socat raw TCP' '>= 0.95'
bench_row notify 'NOTIFY-MODEMSTATE to hs_link_wait_signals waking, worst ms' '< 100'
bench_info 'round trip added by an rfc2217:// link, us (median)' "$(bench_median added)"
bench_end
