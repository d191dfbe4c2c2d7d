#!/bin/sh
# record.sh - how the passive-detection samples here were recorded: a lab
# device (tests/lab/talker.c, or random bytes from --fault garbage) at its
# own --line, heard through the link (build/hslink) at a setting, N bytes
# as hs_link_read gives them. samples.tsv has, per sample: the file, the
# device, the setting heard at, and the damaged count the link reported
# (hs_link_line_errors). Run from the tree's top:
#   sh tests/unit/samples/record.sh
set -e
B=${BUILD:-build}
D=tests/unit/samples
: >"$D/samples.tsv.new"

# rec NAME 'DEVICE' 'SCENARIO; LINES' 'URI OPTIONS' N
rec() {
	scenario=$(mktemp)
	printf '%s\ntalk-interval 50\n' "$3" | tr ';' '\n' >"$scenario"
	out=$("$B/hslab" --scenario "$scenario" -- "$B/hslink" \
		"serial:/dev/ttyUSB0?$4" recv-file "$D/$1.bin" "$5" 10 errors)
	rm -f "$scenario"
	dmg=$(echo "$out" | sed -n 's/^total: damaged=\([0-9]*\).*/\1/p')
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$4" "$dmg" >>"$D/samples.tsv.new"
}
C38='port ttyUSB0 console; line 38400 7E1'
rec console-38400-7E1.at-38400-8N1 'console 38400 7E1' "$C38" 'baud=38400' 256
rec console-38400-7E1.at-38400-7E1 'console 38400 7E1' "$C38" 'baud=38400&bits=7&parity=even' 256
rec console-38400-7E1.at-9600-8N1 'console 38400 7E1' "$C38" 'baud=9600' 96
rec console-38400-7E1.at-115200-8N1 'console 38400 7E1' "$C38" 'baud=115200' 256
rec console-19200-7N2.at-19200-8N1 'console 19200 7N2' \
	'port ttyUSB0 console; line 19200 7N2' 'baud=19200' 256
rec console-1200-7O1.at-1200-8N1 'console 1200 7O1' \
	'port ttyUSB0 console; line 1200 7O1' 'baud=1200' 96
N48='port ttyUSB0 nmea; line 4800'
rec nmea-4800-8N1.at-4800-8N1 'nmea 4800 8N1' "$N48" 'baud=4800' 256
rec nmea-4800-8N1.at-9600-8N1 'nmea 4800 8N1' "$N48" 'baud=9600' 128
rec nmea-4800-8N1.at-2400-8N1 'nmea 4800 8N1' "$N48" 'baud=2400' 64
rec nmea-9600-8E1.at-9600-8N1 'nmea 9600 8E1' \
	'port ttyUSB0 nmea; line 9600 8E1' 'baud=9600' 256
rec garbage-9600.at-300-7N2 'random bytes 9600 8N1' \
	'port ttyUSB0 none; line 9600; fault garbage' 'baud=300&bits=7&stop=2' 24
mv "$D/samples.tsv.new" "$D/samples.tsv"
