#!/usr/bin/env bats
# hsxfer_lab.bats - hsxfer on an emulated USB-serial port whose far end
# is a program (lrzsz, or hsxfer itself) behind a line the lab paces and
# damages: a noisy line both ways, CAN CAN from either side, an unplug,
# a peer that never starts or stops, garbage, a block damaged every time;
# and a modem call whose far end is lrzsz on TCP.
load xfer_helper

setup() {
	xfer_setup
	lab_setup
	URI='serial:/dev/ttyUSB0?baud=921600'
}

teardown() {
	[ -n "${LAB:-}" ] && kill "$LAB" 2>/dev/null
	xfer_teardown
}

# lab_far 'CMD' LAB-OPTIONS... -- COMMAND...: COMMAND under the lab, the
# port's device being CMD (run in $D/far)
lab_far() {
	local cmd=$1
	shift
	"$HSLAB" --transcript "$T" --port 'ttyUSB0 program' --program "cd '$D/far' && $cmd" "$@"
}

# json_field JSON NAME: a number from hsxfer's --json
json_field() {
	grep -o "\"$2\":[0-9]*" <<<"$1" | head -1 | cut -d: -f2
}

@test "a line with 1e-4 bit errors both ways: hsxfer to hsxfer, sha256-equal, retries reported" {
	head -c 131072 /dev/urandom >"$D/near/f"
	run lab_far "exec '$HSXFER' -d fd:0,3 -P ymodem --receive -t 1 --json . 3>&1 >'$D/far.json'" \
		--damage 'ber=1e-4 dir=both seed=11' -- \
		"$HSXFER" -d "$URI" -P ymodem --send -t 1 --json "$D/near/f"
	assert_success
	same "$D/near/f" "$D/far/f"
	grep -q 'ttyUSB0 damage on ber=0.0001 .* dir=both seed=11' "$T"
	grep -q 'damage rx flip' "$T"
	# both ends say what the noise cost
	[ "$(json_field "$output" retries)" -gt 0 ]
	[ "$(json_field "$(cat "$D/far.json")" crc)" -gt 0 ]
	grep -q '"ok":true' "$D/far.json"
	json_valid hsxfer "$(cat "$D/far.json")"
}

@test "a line with 1e-4 bit errors both ways: lrzsz sb to hsxfer, sha256-equal" {
	head -c 65536 /dev/urandom >"$D/far/f"
	run lab_far "exec sb -t 20 f" --damage 'ber=1e-4 dir=both seed=12' -- \
		"$HSXFER" -d "$URI" -P ymodem --receive -t 2 --json "$D/near"
	assert_success
	same "$D/far/f" "$D/near/f"
	[ "$(json_field "$output" retries)" -gt 0 ]
	grep -q 'ttyUSB0 program exit 0' "$T"
}

@test "a line with 1e-4 bit errors both ways: hsxfer to lrzsz rb, sha256-equal" {
	head -c 16384 /dev/urandom >"$D/near/f"
	run lab_far "exec rb" --damage 'ber=1e-4 dir=both seed=13' -- \
		"$HSXFER" -d "$URI" -P ymodem --send -t 3 --json "$D/near/f"
	assert_success
	same "$D/near/f" "$D/far/f"
	[ "$(json_field "$output" retries)" -gt 0 ]
}

# rx_joined: what the device received, the rx events' payloads joined
# (the lab logs the line in slices: a sequence may span two events)
rx_joined() {
	awk '$2 == "ttyUSB0" && $3 == "rx" {
		s = $0; sub(/^[^"]*"/, "", s); sub(/"$/, "", s); printf "%s", s }' "$T"
}

# carried DIR N: the line carried at least N bytes in DIR (rx or tx)
carried() {
	[ -f "$T" ] && awk -v dir="$1" -v want="$2" '$2 == "ttyUSB0" && $3 == dir {
		s = $0; sub(/^[^"]*"/, "", s); sub(/"$/, "", s)
		for (i = 1; i <= length(s); i++) {
			if (substr(s, i, 1) == "\\")
				i += (substr(s, i + 1, 1) == "x") ? 3 : 1
			n++
		}
	} END { exit !(n >= want) }' "$T"
}

# t_joined DIR TEXT: the time of the DIR event that completed TEXT (as
# the transcript escapes it) in what DIR carried
t_joined() {
	awk -v dir="$1" -v text="$2" '$2 == "ttyUSB0" && $3 == dir {
		s = $0; sub(/^[^"]*"/, "", s); sub(/"$/, "", s)
		all = tail s
		if (index(all, text)) { print $1; exit }
		tail = substr(all, length(all) - length(text) + 2)
	}' "$T"
}

# t_of PATTERN: the time of the first transcript line matching PATTERN
t_of() {
	awk -v p="$1" '$0 ~ p { print $1; exit }' "$T"
}

# within SECONDS FROM TO: TO - FROM < SECONDS
within() {
	awk -v s="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(a != "" && b != "" && b - a < s) }' || {
		echo "from $2 to $3 is not within $1 s" >&2
		return 1
	}
}

# interrupt PIDFILE DIR COMMAND...: run COMMAND (a lab) in the background
# and, once DIR (rx or tx) carried 3000 bytes (a few blocks), send
# SIGTERM to the process whose pid is in PIDFILE; ST is COMMAND's exit
# status, $D/out what it printed
interrupt() {
	local pidfile=$1 dir=$2
	shift 2
	"$@" >"$D/out" 2>&1 &
	LAB=$!
	wait_until 30 carried "$dir" 3000
	kill -TERM "$(cat "$pidfile")"
	ST=0
	wait "$LAB" || ST=$?
	LAB=
	cat "$D/out"
}

SLOW='serial:/dev/ttyUSB0?baud=19200'

@test "the receiver cancels (lrzsz rb killed: CAN CAN): hsxfer exits 1 within 2 s" {
	head -c 300000 /dev/urandom >"$D/near/f"
	interrupt "$D/far.pid" rx lab_far "echo \$\$ >'$D/far.pid'; exec rb" -- \
		"$HSXFER" -d "$SLOW" -P ymodem --send "$D/near/f"
	[ "$ST" -eq 1 ]
	grep -q 'the receiver canceled the transfer (CAN CAN)' "$D/out"
	grep -Eq '\(([0-9]+) bytes of f confirmed by the receiver\)' "$D/out"
	within 2 "$(t_joined tx '\\x18\\x18\\x18\\x18')" "$(t_of 'lab exit')"
}

@test "the sender cancels (lrzsz sb killed: CAN CAN): hsxfer --receive exits 1 within 2 s" {
	head -c 300000 /dev/urandom >"$D/far/f"
	interrupt "$D/far.pid" tx lab_far "echo \$\$ >'$D/far.pid'; exec sb -k f" -- \
		"$HSXFER" -d "$SLOW" -P ymodem --receive "$D/near"
	[ "$ST" -eq 1 ]
	grep -q 'the sender canceled the transfer (CAN CAN)' "$D/out"
	# what was written is what it says, and a prefix of the file
	n=$(grep -Eo '\(([0-9]+) bytes of f written\)' "$D/out" | grep -Eo '[0-9]+')
	[ "$(stat -c %s "$D/near/f")" -eq "$n" ]
	cmp -n "$n" "$D/far/f" "$D/near/f"
	within 2 "$(t_joined tx '\\x18\\x18\\x18\\x18')" "$(t_of 'lab exit')"
}

@test "hsxfer interrupted sends CAN: lrzsz rb stops within 2 s, hsxfer exits 130" {
	head -c 300000 /dev/urandom >"$D/near/f"
	interrupt "$D/near.pid" rx lab_far "exec rb" -- \
		sh -c "echo \$\$ >'$D/near.pid'; exec '$HSXFER' -d '$SLOW' -P ymodem --send '$D/near/f'"
	[ "$ST" -eq 130 ]
	grep -q 'canceled' "$D/out"
	# CAN eight times, then as many backspaces
	rx_joined | grep -qF '\x18\x18\x18\x18\x18\x18\x18\x18\x08\x08\x08\x08\x08\x08\x08\x08'
	grep -Eq 'ttyUSB0 program exit [1-9]' "$T"
	within 2 "$(t_joined rx '\\x18\\x18\\x18\\x18')" "$(t_of 'program exit')"
}

@test "unplugged mid-transfer: exit 69, and the count is what the receiver got" {
	head -c 100000 /dev/urandom >"$D/near/f"
	run lab_far "exec rx -c got" --fault 'unplug after-bytes 30000' -- \
		"$HSXFER" -d 'serial:/dev/ttyUSB0?baud=115200' --send -P xmodem-1k "$D/near/f"
	assert_failure 69
	assert_output --regexp 'went away|hung up'
	n=$(grep -Eo '\(([0-9]+) bytes confirmed by the receiver\)' <<<"$output" | grep -Eo '[0-9]+')
	# ACKed blocks only: all of them reached rx, which may hold one more
	# whose ACK the unplug cut off
	got=$(stat -c %s "$D/far/got")
	[ $((n % 1024)) -eq 0 ] && [ "$n" -le "$got" ] && [ "$n" -ge $((got - 1024)) ]
	[ "$n" -gt 0 ]
	cmp -n "$n" "$D/near/f" "$D/far/got"
}

@test "the receiver never starts: exit 2, with how long it waited" {
	printf 'x' >"$D/near/f"
	run "$HSLAB" --transcript "$T" --port 'ttyUSB0 none' -- \
		"$HSXFER" -d "$URI" -P ymodem --send -t 1 -R 2 "$D/near/f"
	assert_failure 2
	assert_output --partial 'the receiver never asked to start (no C, NAK or G in 2.0 s)'
}

@test "the sender stops mid-file: exit 2, the 4 blocks written before" {
	head -c 20000 /dev/urandom >"$D/far/f"
	# after C and four ACKs from us the device says nothing more
	run lab_far "exec sx -k f" --fault 'silence after-bytes 5' -- \
		"$HSXFER" -d "$URI" --receive -P xmodem-1k -t 1 -R 2 --json "$D/near/g"
	assert_failure 2
	assert_output --partial 'the sender stopped: nothing came for block 5 in 3 tries'
	assert_output --partial '"bytes":4096,'
	[ "$(stat -c %s "$D/near/g")" -eq 4096 ]
	cmp -n 4096 "$D/far/f" "$D/near/g"
}

@test "garbage where blocks belong: too many errors, exit 3" {
	run "$HSLAB" --transcript "$T" --port 'ttyUSB0 none' --fault garbage -- \
		"$HSXFER" -d "$URI" --receive -P xmodem-crc -t 1 -R 2 --json "$D/near/g"
	assert_failure 3
	assert_output --partial 'too many errors: block 1 failed 3 times'
	[ "$(json_field "$output" garbage)" -gt 0 ]
	[ ! -e "$D/near/g" ]
}

@test "every block damaged: too many errors, exit 3, and the sender is told" {
	head -c 20000 /dev/urandom >"$D/far/f"
	run lab_far "exec sx -k f" --damage 'ber=0.01 dir=tx seed=2' -- \
		"$HSXFER" -d "$URI" --receive -P xmodem-1k -t 2 -R 3 "$D/near/g"
	assert_failure 3
	assert_output --partial 'too many errors: block 1 failed 4 times'
	# sx heard our CAN and gave up
	grep -Eq 'ttyUSB0 program exit [1-9]' "$T"
}

@test "over a modem call to lrzsz: hsdial --exec hsxfer sends and receives 256 KiB" {
	head -c 262144 /dev/urandom >"$D/near/up"
	# the far end stays on the line until we hang up: when it hangs up as
	# the transfer ends, hsdial may see the carrier go before its program
	# exits, and says so (exit 3), though the program's status is 0
	listen_far "rb; cat >/dev/null"
	run "$HSLAB" --transcript "$T" --number "5551234 tcp:127.0.0.1:$PORT" -- \
		"$BUILD_DIR/hsdial" -d /dev/ttyUSB0 --exec 5551234 \
		"$HSXFER" -d fd:0,1 -P ymodem --send "$D/near/up"
	echo "$output"
	grep -q 'ttyUSB0 state CONNECT' "$T"
	same "$D/near/up" "$D/far/up"
	far_wait
	[ "$status" -eq 0 ]

	head -c 262144 /dev/urandom >"$D/far/down"
	listen_far "sb -k down; cat >/dev/null"
	run "$HSLAB" --transcript "$T" --number "5551234 tcp:127.0.0.1:$PORT" -- \
		"$BUILD_DIR/hsdial" -d /dev/ttyUSB0 --exec 5551234 \
		"$HSXFER" -d fd:0,1 -P ymodem --receive "$D/near"
	echo "$output"
	same "$D/far/down" "$D/near/down"
	far_wait
	[ "$status" -eq 0 ]
}

# ---- ZMODEM --------------------------------------------------------------

XONXOFF='serial:/dev/ttyUSB0?baud=921600&flow=xonxoff'

@test "ZMODEM with XON/XOFF flow control on: hsxfer to rz and sz to hsxfer, sha256-equal" {
	# the line eats every raw XON and XOFF: escaping must cover them
	head -c 262144 /dev/urandom >"$D/near/up"
	run lab_far "exec rz" -- "$HSXFER" -d "$XONXOFF" --send --json "$D/near/up"
	assert_success
	same "$D/near/up" "$D/far/up"
	head -c 262144 /dev/urandom >"$D/far/down"
	run lab_far "exec sz down" -- "$HSXFER" -d "$XONXOFF" --receive --json "$D/near"
	assert_success
	same "$D/far/down" "$D/near/down"
	[ "$(json_field "$output" retries)" -eq 0 ]
}

@test "ZMODEM at 9600 baud, the stream outrunning the line for seconds: hsxfer to rz, sha256-equal" {
	# 16 s of data at the line's rate: every write waits on the port
	# (written blocking, as into a pty, it arrived damaged and stalled)
	head -c 16000 /dev/urandom >"$D/near/slow"
	run lab_far "exec rz" -- "$HSXFER" -d 'serial:/dev/ttyUSB0?baud=9600' --send --json "$D/near/slow"
	assert_success
	same "$D/near/slow" "$D/far/slow"
}

@test "ZMODEM on a line with 1e-4 bit errors both ways: hsxfer to rz, ZRPOS recovers, sha256-equal" {
	head -c 131072 /dev/urandom >"$D/near/f"
	run lab_far "exec rz" --damage 'ber=1e-4 dir=both seed=21' -- \
		"$HSXFER" -d "$URI" --send -t 2 --json "$D/near/f"
	assert_success
	same "$D/near/f" "$D/far/f"
	grep -q 'damage rx flip' "$T"
	[ "$(json_field "$output" retries)" -gt 0 ]
	# every byte counted once: the confirmed count is the file
	assert_output --partial '"size":131072,"offset":0,"bytes":131072,'
}

@test "ZMODEM on a line with 1e-4 bit errors both ways: sz to hsxfer, sha256-equal" {
	# sz streams on after our ZRPOS until it reads it, and the lab's line
	# holds much: each error costs about a second here, as it costs rz
	head -c 65536 /dev/urandom >"$D/far/f"
	run lab_far "exec sz f" --damage 'ber=1e-4 dir=both seed=22' -- \
		"$HSXFER" -d "$URI" --receive -t 2 --json "$D/near"
	assert_success
	same "$D/far/f" "$D/near/f"
	[ "$(json_field "$output" retries)" -gt 0 ]
	[ "$(json_field "$output" crc)" -gt 0 ]
	assert_output --partial '"size":65536,"offset":0,"bytes":65536,'
}

# zrpos_hex N: how a ZRPOS hex header for offset N reads in the transcript
zrpos_hex() {
	printf '**\\x18B09%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
		$(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

@test "ZMODEM crash recovery: unplugged mid-file, --resume with sz -r continues, no byte twice" {
	head -c 300000 /dev/urandom >"$D/far/f"
	# sz streams and we say nothing until the end: cut it by time (a
	# third of the way at 115200; where exactly does not matter)
	run lab_far "exec sz f" --fault 'unplug after-ms 9000' -- \
		"$HSXFER" -d 'serial:/dev/ttyUSB0?baud=115200' --receive "$D/near"
	assert_failure 69
	n=$(grep -Eo '\(([0-9]+) bytes of f written\)' <<<"$output" | grep -Eo '[0-9]+')
	[ "$n" -gt 0 ] && [ "$n" -lt 300000 ]
	[ "$(stat -c %s "$D/near/f")" -eq "$n" ]
	cmp -n "$n" "$D/far/f" "$D/near/f"
	# plugged in again: the rest, from where it stopped
	run lab_far "exec sz -r f" -- \
		"$HSXFER" -d 'serial:/dev/ttyUSB0?baud=921600' --receive --resume --json "$D/near"
	assert_success
	same "$D/far/f" "$D/near/f"
	assert_output --partial "\"size\":300000,\"offset\":$n,\"bytes\":$((300000 - n)),"
	[ "$(json_field "$output" retries)" -eq 0 ]
	[ "$(json_field "$output" blocks)" -eq $(((300000 - n + 1023) / 1024)) ]
	# the transcript: we asked for the rest at that offset
	rx_joined | grep -qF "$(zrpos_hex "$n")"
}

@test "ZMODEM crash recovery: hsxfer --send unplugged, then --resume to rz, sha256-equal" {
	head -c 300000 /dev/urandom >"$D/near/f"
	run lab_far "exec rz" --fault 'unplug after-bytes 100000' -- \
		"$HSXFER" -d 'serial:/dev/ttyUSB0?baud=115200' --send "$D/near/f"
	assert_failure 69
	[ -s "$D/far/f" ]
	have=$(stat -c %s "$D/far/f")
	[ "$have" -lt 300000 ]
	run lab_far "exec rz" -- \
		"$HSXFER" -d 'serial:/dev/ttyUSB0?baud=921600' --send --resume --json "$D/near/f"
	assert_success
	same "$D/near/f" "$D/far/f"
	off=$(json_field "$(grep -o '"files":.*' <<<"$output")" offset)
	[ "$off" -gt 0 ] && [ "$off" -le "$have" ]
}

@test "ZMODEM: the receiver cancels (rz killed): hsxfer exits 1 with the bytes confirmed" {
	head -c 300000 /dev/urandom >"$D/near/f"
	interrupt "$D/far.pid" rx lab_far "echo \$\$ >'$D/far.pid'; exec rz" -- \
		"$HSXFER" -d "$SLOW" --send "$D/near/f"
	[ "$ST" -eq 1 ]
	grep -q 'the receiver canceled the transfer (CAN CAN)' "$D/out"
	grep -Eq '\(([0-9]+) bytes of f confirmed by the receiver\)' "$D/out"
}

@test "ZMODEM: the sender cancels (sz killed): hsxfer --receive exits 1, the file a prefix" {
	head -c 300000 /dev/urandom >"$D/far/f"
	interrupt "$D/far.pid" tx lab_far "echo \$\$ >'$D/far.pid'; exec sz f" -- \
		"$HSXFER" -d "$SLOW" --receive "$D/near"
	[ "$ST" -eq 1 ]
	grep -q 'the sender canceled the transfer (CAN CAN)' "$D/out"
	n=$(grep -Eo '\(([0-9]+) bytes of f written\)' "$D/out" | grep -Eo '[0-9]+')
	[ "$(stat -c %s "$D/near/f")" -eq "$n" ]
	cmp -n "$n" "$D/far/f" "$D/near/f"
}

@test "ZMODEM: garbage where headers belong, and a sender that stops: clear errors" {
	run "$HSLAB" --transcript "$T" --port 'ttyUSB0 none' --fault garbage -- \
		"$HSXFER" -d "$URI" --receive -t 1 -R 2 --start 1 --json "$D/near"
	assert_failure
	[ "$(json_field "$output" garbage)" -gt 0 ]
	head -c 200000 /dev/urandom >"$D/far/f"
	run lab_far "exec sz f" --fault 'silence after-bytes 60' -- \
		"$HSXFER" -d 'serial:/dev/ttyUSB0?baud=115200' --receive -t 1 -R 2 --json "$D/near"
	assert_failure 2
	assert_output --regexp 'f: no good data at offset [0-9]+ in 3 tries, the last with a timeout'
	n=$(json_field "$output" bytes)
	[ "$(stat -c %s "$D/near/f")" -eq "$n" ]
	cmp -n "$n" "$D/far/f" "$D/near/f"
}

@test "ZMODEM auto-start: sz on a modem call's far end is received by hsdial, none of it on stdout" {
	head -c 100000 /dev/urandom >"$D/far/down"
	mkdir "$D/dl"
	# stdin stays open (a FIFO we hold): the call ends when the far end
	# hangs up
	mkfifo "$D/in"
	exec 8<>"$D/in"
	listen_far "echo before-the-file; sz down; echo after-the-file"
	run "$HSLAB" --transcript "$T" --number "5551234 tcp:127.0.0.1:$PORT" -- \
		sh -c "exec '$BUILD_DIR/hsdial' -d /dev/ttyUSB0 --download-dir '$D/dl' 5551234 \
			<'$D/in' >'$D/stdout'"
	exec 8>&-
	echo "$output"
	far_wait
	same "$D/far/down" "$D/dl/down"
	assert_output --partial "ZMODEM: down: 100000 bytes received into $D/dl/down"
	grep -q before-the-file "$D/stdout"
	grep -q after-the-file "$D/stdout"
	# nothing of the session: no header, no ZDLE, no data
	! grep -q '\*\*' "$D/stdout"
	! grep -q $'\x18' "$D/stdout"
	[ "$(stat -c %s "$D/stdout")" -lt 100 ]
}

@test "hsdial --no-autozmodem shows a sender's start as it is" {
	mkfifo "$D/in"
	exec 8<>"$D/in"
	printf 'printf "rz\\r**\\030B00000000000000\\r\\212\\021"; echo after\n' >"$D/far/announce"
	listen_far "sh announce"
	run "$HSLAB" --transcript "$T" --number "5551234 tcp:127.0.0.1:$PORT" -- \
		sh -c "exec '$BUILD_DIR/hsdial' -d /dev/ttyUSB0 --no-autozmodem 5551234 \
			<'$D/in' >'$D/stdout'"
	exec 8>&-
	far_wait
	grep -q $'\\*\\*\x18B00000000000000' "$D/stdout"
	grep -q after "$D/stdout"
	refute_output --partial "ZMODEM:"
}
