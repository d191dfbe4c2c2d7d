#!/bin/sh
# demo.sh - what `make demo` shows, with no hardware: a program on
# libhandshake opening links and exchanging bytes, first over a pty pair,
# a print job, then (once the lab is built) the lab's emulated Hayes modem.
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

echo
echo "== 3. A print job to a pty printer (socat keeps what it receives)."
head -c 200000 /dev/urandom > "$tmp/job"
socat -u PTY,link="$tmp/lp",raw,echo=0 CREATE:"$tmp/out" &
pids="$pids $!"
i=0
while [ ! -e "$tmp/lp" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
echo "\$ hsprint -v -d 'serial:$tmp/lp?baud=115200&flow=xonxoff' job"
"$B/hsprint" -v -d "serial:$tmp/lp?baud=115200&flow=xonxoff" "$tmp/job"
i=0
while [ "$(stat -c %s "$tmp/out" 2>/dev/null || echo 0)" -lt 200000 ] && [ $i -lt 250 ]; do
  sleep 0.02; i=$((i + 1))
done
cmp -s "$tmp/job" "$tmp/out" && echo "the printer's output is identical to the job ($(wc -c <"$tmp/out") bytes)"

if [ -x "${HSLAB:-}" ]; then
  echo
  echo "== 4. The lab's emulated Hayes modem at /dev/ttyUSB0 (USB 0403:6001)."
  echo "\$ hslab -- linkcat 'serial:/dev/ttyUSB0?baud=115200&flow=rtscts' ATI"
  "$HSLAB" -- "$B/linkcat" 'serial:/dev/ttyUSB0?baud=115200&flow=rtscts' ATI
fi
