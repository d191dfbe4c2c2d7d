#!/bin/sh
# demo.sh - what `make demo` shows, with no hardware: a program on
# libhandshake opening links over a pty pair, a clear error, then the
# device lab's emulated modem and serial printer (print jobs paced by
# DTR/DSR, and one that stops with an exact count).
set -eu
B=${BUILD:-build}
tmp=$(mktemp -d)
pids=
cleanup() { [ -n "$pids" ] && kill $pids 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

echo "== 1. A link on a pseudo-terminal; the far end (socat) shouts back."
socat PTY,link="$tmp/tty",raw,echo=0 EXEC:"tr a-z A-Z",pty,raw,echo=0 &
pids="$pids $!"
i=0
while [ ! -e "$tmp/tty" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
echo "\$ linkcat 'serial:$tmp/tty?baud=115200&flow=xonxoff' 'hello from handshake'"
"$B/linkcat" "serial:$tmp/tty?baud=115200&flow=xonxoff" "hello from handshake"

echo
echo "== 2. The same program against a port that is not there: a clear error."
echo "\$ linkcat /dev/ttyUSB9 ATI"
"$B/linkcat" /dev/ttyUSB9 ATI || true

[ -x "${HSLAB:-}" ] || { echo "(the device lab is not built: make)"; exit 0; }

echo
echo "== 3. The lab's emulated Hayes modem at /dev/ttyUSB0 (USB 0403:6001)."
echo "\$ hslab -- linkcat 'serial:/dev/ttyUSB0?baud=115200&flow=rtscts' ATI"
"$HSLAB" -- "$B/linkcat" 'serial:/dev/ttyUSB0?baud=115200&flow=rtscts' ATI

echo
echo "== 4. A print job to the lab's serial printer, paced by DTR/DSR: it is"
echo "   slower than the line, has a 2 KiB buffer and drops DSR when full."
head -c 30000 /dev/urandom > "$tmp/job"
echo "\$ hslab --port 'ttyUSB0 printer' --busy dsr ... -- hsprint -v -d 'serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' job"
"$HSLAB" --port 'ttyUSB0 printer' --busy dsr --buffer '2048 1536 512' --print-rate 8000 \
  --output "$tmp/out" --transcript "$tmp/t" -- \
  "$B/hsprint" -v -d 'serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' "$tmp/job"
echo "the printer dropped DSR $(grep -c 'dev .*DSR=0' "$tmp/t") times; its output is" \
  "$(cmp -s "$tmp/job" "$tmp/out" && echo identical || echo DIFFERENT) to the job"

echo
echo "== 5. The same printer stays busy (paper out): the job stops with an exact count."
echo "\$ hsprint -d 'serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' --timeout 1 job"
"$HSLAB" --port 'ttyUSB0 printer' --busy dsr --buffer '2048 1536 512' --print-rate 8000 \
  --paper-out '6000 1500' --output "$tmp/out" -- \
  "$B/hsprint" -d 'serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' --timeout 1 "$tmp/job" || true
