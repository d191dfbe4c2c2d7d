#!/usr/bin/env bats
# lab_line.bats — a program as the device (--program) with the line
# between it and the host paced at the speed the host set, and a noisy
# line (--damage): every change logged, reproducible from the seed.

load lab_helper

: "${BATS_TEST_TIMEOUT:=60}"

setup() {
	lab_setup
	D=$BATS_TEST_TMPDIR
}

@test "a program is the device: it gets what the host sends and answers" {
	run "$HSLAB" --transcript "$T" --port 'ttyUSB0 program' --program 'exec cat' -- \
		"$LABHOST" -b 115200 /dev/ttyUSB0 send 'ping\r' expect 'ping\r' 5
	assert_success
	grep -q 'ttyUSB0 program start exec cat$' "$T"
	grep -qF 'ttyUSB0 rx "ping\r"' "$T"
	grep -qF 'ttyUSB0 tx "ping\r"' "$T"
	# the host hung up: cat gets end of file and ends
	grep -q 'ttyUSB0 program exit 0$' "$T"
}

@test "the program's exit status is logged, and it runs without the testbed" {
	run "$HSLAB" --transcript "$T" --port 'ttyUSB0 program' \
		--program 'test -z "$UMOCKDEV_DIR" && exit 3; exit 4' -- sh -c ". '$LAB_WAIT'; wait_for '$T' 'program exit' 10"
	assert_success
	grep -q 'ttyUSB0 program exit 3$' "$T"
}

@test "the line carries bytes no faster than the speed the host set" {
	head -c 3000 /dev/urandom >"$D/sent"
	run "$HSLAB" --transcript "$T" --port 'ttyUSB0 program' --program "exec cat >'$D/got'" \
		-- "$LABHOST" -b 9600 /dev/ttyUSB0 write-file "$D/sent"
	assert_success
	cmp "$D/sent" "$D/got"
	# 3000 bytes at 960 bytes/s: the last comes 3 s after the first, less
	# the line's 10 ms burst allowance (a loaded machine only adds time)
	read -r total _ span < <(rx_bytes_and_span "$T" ttyUSB0)
	[ "$total" -eq 3000 ]
	awk -v s="$span" 'BEGIN { exit !(s >= 2.9) }' || { echo "span $span s" >&2; false; }
}

# apply_log SENT LOG DIR: SENT as the damage events of DIR in LOG change it
apply_log() {
	/usr/bin/python3 - "$1" "$2" "$3" <<'EOF'
import re, sys
data = open(sys.argv[1], 'rb').read()
flips, drops, dups = {}, set(), set()
for line in open(sys.argv[2]):
    m = re.search(r' damage %s (flip|drop|dup) at=(\d+)(?: bit=(\d))?' % sys.argv[3], line)
    if not m:
        continue
    o = int(m.group(2))
    if m.group(1) == 'flip':
        flips[o] = flips.get(o, 0) ^ (1 << int(m.group(3)))
    elif m.group(1) == 'drop':
        drops.add(o)
    else:
        dups.add(o)
out = bytearray()
for o, b in enumerate(data):
    if o in drops:
        continue
    b ^= flips.get(o, 0)
    out.append(b)
    if o in dups:
        out.append(b)
sys.stdout.buffer.write(out)
EOF
}

damaged_run() {
	"$HSLAB" --transcript "$1" --port 'ttyUSB0 program' --program "exec cat >'$2'" \
		--damage "$3" -- "$LABHOST" -b 115200 /dev/ttyUSB0 write-file "$D/sent"
}

@test "damage flips, drops and doubles bytes as logged, the same for the same seed" {
	head -c 20000 /dev/urandom >"$D/sent"
	damaged_run "$D/t1" "$D/got1" 'ber=0.001 drop=0.001 dup=0.001 dir=rx seed=5'
	damaged_run "$D/t2" "$D/got2" 'ber=0.001 drop=0.001 dup=0.001 dir=rx seed=5'
	damaged_run "$D/t3" "$D/got3" 'ber=0.001 drop=0.001 dup=0.001 dir=rx seed=6'
	grep -q 'ttyUSB0 damage on ber=0.001 drop=0.001 dup=0.001 burst=0 burst-len=16 dir=rx seed=5' "$D/t1"
	# about 160 flips, 20 drops and 20 doubles
	[ "$(grep -c 'damage rx flip' "$D/t1")" -gt 50 ]
	[ "$(grep -c 'damage rx drop' "$D/t1")" -gt 3 ]
	[ "$(grep -c 'damage rx dup' "$D/t1")" -gt 3 ]
	# what the device got is what was sent, changed as the log says
	apply_log "$D/sent" "$D/t1" rx >"$D/want1"
	cmp "$D/want1" "$D/got1"
	# reproducible from the seed, different for another
	cmp "$D/got1" "$D/got2"
	diff <(grep -o 'damage .*' "$D/t1") <(grep -o 'damage .*' "$D/t2")
	! cmp -s "$D/got1" "$D/got3"
}

@test "dir=tx damages only what the device sends; a burst is noise in place of bytes" {
	head -c 20000 /dev/urandom >"$D/sent"
	damaged_run "$T" "$D/got" 'ber=0.01 dir=tx'
	cmp "$D/sent" "$D/got"
	! grep -q 'damage rx' "$T"
	# bursts of 8 bytes: the bytes change in place, the count does not
	damaged_run "$D/t2" "$D/got2" 'burst=0.001 burst-len=8 dir=rx seed=3'
	[ "$(stat -c %s "$D/got2")" -eq 20000 ]
	grep -q 'damage rx burst at=[0-9]* len=8' "$D/t2"
	bursts=$(grep -c 'damage rx burst' "$D/t2")
	changed=$(cmp -l "$D/sent" "$D/got2" | wc -l)
	[ "$changed" -gt 0 ] && [ "$changed" -le $((bursts * 8)) ]
}

@test "a bad damage spec is a usage error" {
	run "$HSLAB" --damage 'ber=2' -- true
	assert_failure 64
	assert_output --partial 'ber=2 is not a rate in 0..1'
	run "$HSLAB" --damage 'noise=1' -- true
	assert_failure 64
	assert_output --partial "unknown 'noise'"
}
