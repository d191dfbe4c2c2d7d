#!/bin/sh
# demo.sh - what `make demo` shows, with no hardware: a program on
# libhandshake opening links and exchanging bytes, first over a pty pair,
# then (once the lab is built) with the lab's emulated Hayes modem.
set -eu
B=${BUILD:-build}
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

echo "== 1. A link on a pseudo-terminal; the far end (socat) shouts back."
socat PTY,link="$tmp/tty",raw,echo=0 EXEC:"tr a-z A-Z",pty,raw,echo=0 &
pid=$!
i=0
while [ ! -e "$tmp/tty" ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i + 1)); done
echo "\$ linkcat 'serial:$tmp/tty?baud=115200&flow=xonxoff' 'hello from handshake'"
"$B/linkcat" "serial:$tmp/tty?baud=115200&flow=xonxoff" "hello from handshake"

echo
echo "== 2. The same program against a port that is not there: a clear error."
echo "\$ linkcat /dev/ttyUSB9 ATI"
"$B/linkcat" /dev/ttyUSB9 ATI || true

if [ -x "${HSLAB:-}" ]; then
  echo
  echo "== 3. The lab's emulated Hayes modem at /dev/ttyUSB0 (USB 0403:6001)."
  echo "\$ hslab -- linkcat 'serial:/dev/ttyUSB0?baud=115200&flow=rtscts' ATI"
  "$HSLAB" -- "$B/linkcat" 'serial:/dev/ttyUSB0?baud=115200&flow=rtscts' ATI
fi
