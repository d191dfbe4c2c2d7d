#!/bin/sh
# demo.sh - what `make demo` shows, with no hardware: a program on
# libhandshake opening links over a pty pair, a clear error, then the
# device lab's emulated modem and serial printer (print jobs paced by
# DTR/DSR, and one that stops with an exact count), hsdial calls, a
# modem whose setting nobody wrote down, and a YMODEM transfer to lrzsz.
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

echo
echo "== 6. A USB printer (libusb, printer class) runs out of paper mid-job:"
echo "   hsprint reports what the printer says, waits, and finishes when"
echo "   paper is loaded again."
head -c 300000 /dev/urandom > "$tmp/job"
# A printer with no status language (its 1284 ID names no HP, Epson or
# Zebra): the generic driver sends the job as it is, so the output must
# equal it. (The lab's default ID is an HP one: the pjl driver would wrap
# the job in UEL and @PJL lines.)
echo "\$ hslab --usb-printer 'id=MFG:ACME;...,paper-out=100000,paper-back=1500,...' -- hsprint -v -d usb:1234:5678 job"
"$HSLAB" --usb-printer "id=\"MFG:ACME;MDL:LaserJet 9;CMD:PCL,POSTSCRIPT;CLS:PRINTER;\",paper-out=100000,paper-back=1500,rate=400000,out=$tmp/usbout" -- \
  "$B/hsprint" -v -d usb:1234:5678 "$tmp/job"
echo "the printer's output is $(cmp -s "$tmp/job" "$tmp/usbout" && echo identical || echo DIFFERENT) to the job"

echo
echo "== 7. hsdial dials the lab modem. The far end is a scripted peer: it"
echo "   greets us, waits for our line, answers and hangs up (exit 3: the"
echo "   far end ended the call)."
printf 'hello from hsdial\r\n' > "$tmp/say"
echo "\$ hslab --number '5551234 script ...' -- hsdial -d /dev/ttyUSB0 --tone 5551234 <say"
st=0
"$HSLAB" --number '5551234 script send "Welcome to the lab BBS\r\n" expect "hello from hsdial\r\n" send "Nice to meet you. Bye!\r\n" hangup' \
  -- "$B/hsdial" -d /dev/ttyUSB0 --tone --linger 5000 5551234 <"$tmp/say" || st=$?
echo "(hsdial exit status $st)"

echo
echo "== 8. Again, to a loopback far end: our lines come back, then stdin ends"
echo "   and hsdial hangs up (drops DTR, sees DCD fall); a JSON summary."
printf 'one\r\ntwo\r\nthree\r\n' > "$tmp/say"
echo "\$ hslab -- hsdial -d /dev/ttyUSB0 --json 5550000 <say"
"$HSLAB" --connect-speed 33600 -- "$B/hsdial" -d /dev/ttyUSB0 --json 5550000 <"$tmp/say"

echo
echo "== 9. A modem someone left at 19200 7E1: hsprobe --detect finds the"
echo "   setting (a clean OK twice, no line errors) and the URI to use."
echo "\$ hslab --line '19200 7E1' -- hsprobe --detect /dev/ttyUSB0"
"$HSLAB" --line '19200 7E1' -- "$B/hsprobe" --detect /dev/ttyUSB0

if command -v rb >/dev/null; then
  echo
  echo "== 10. A YMODEM batch to lrzsz's rb, the far end of the lab's port, at"
  echo "    115200 baud: names, sizes and contents arrive; counts are exact."
  mkdir -p "$tmp/far"
  head -c 20000 /dev/urandom > "$tmp/fw.bin"
  printf 'boot log\r\n' > "$tmp/notes.txt"
  echo "\$ hslab --port 'ttyUSB0 program' --program 'rb' -- hsxfer -d /dev/ttyUSB0 -b 115200 --send -v fw.bin notes.txt"
  "$HSLAB" --port 'ttyUSB0 program' --program "cd '$tmp/far' && exec rb -q" -- \
    "$B/hsxfer" -d /dev/ttyUSB0 -b 115200 --send -P ymodem -v "$tmp/fw.bin" "$tmp/notes.txt"
  for f in fw.bin notes.txt; do
    echo "$f on the far end is $(cmp -s "$tmp/$f" "$tmp/far/$f" && echo identical || echo DIFFERENT)"
  done
fi
