#!/usr/bin/env bats
# hsxfer.bats - hsxfer against lrzsz, both directions, every protocol:
# files of 0, 1, 127, 128, 129, 1023, 1024, 1025 bytes and 1 MiB arrive
# sha256-equal (XMODEM: equal after its SUB padding); a YMODEM batch
# keeps names, lengths and modification times; and the command line:
# usage, --json, no overwrite, the progress bar only on a terminal; and
# hsxfer as picocom's send and receive command (driven through tmux).
load xfer_helper

setup() { xfer_setup; }
teardown() { xfer_teardown; }

# send_each PROTOCOL 'RECEIVER' CHECK: each file alone, XMODEM style;
# CHECK is what the receiver asked for (crc16 or checksum)
send_each() {
	make_files "$D/near"
	for n in $XFER_SIZES; do
		far_socket "$2 r$n"
		run "$HSXFER" -d "$A" --send -P "$1" --json "$D/near/f$n"
		[ "$status" -eq 0 ] || { echo "f$n: $output" >&2; return 1; }
		assert_output --partial "\"check\":\"$3\""
		json_valid hsxfer
		far_wait
		same_padded "$D/near/f$n" "$D/far/r$n"
	done
}

@test "hsxfer sends XMODEM to lrzsz rx, which asks with NAK (checksum)" {
	send_each xmodem rx checksum
}

@test "hsxfer sends XMODEM-CRC to lrzsz rx -c" {
	send_each xmodem-crc "rx -c" crc16
}

@test "hsxfer sends XMODEM-1K to lrzsz rx -c" {
	send_each xmodem-1k "rx -c" crc16
}

@test "hsxfer sends a YMODEM batch of every size to lrzsz rb, sha256-equal" {
	make_files "$D/near"
	far_socket "rb"
	run "$HSXFER" -d "$A" --send -P ymodem $(for n in $XFER_SIZES; do echo "$D/near/f$n"; done)
	assert_success
	far_wait
	for n in $XFER_SIZES; do same "$D/near/f$n" "$D/far/f$n"; done
}

@test "hsxfer -P ymodem-g sends to lrzsz rb, which asks with C: plain YMODEM" {
	# rb never asks for G, so this is the batch above; three sizes show
	# the sender follows the receiver (rb takes 2 s a file)
	make_files "$D/near"
	far_socket "rb"
	run "$HSXFER" -d "$A" --send -P ymodem-g --json "$D/near/f0" "$D/near/f1025" "$D/near/f1048576"
	assert_success
	json_valid hsxfer
	assert_output --partial '"ok":true,"exit":0,"mode":"send"'
	assert_output --partial '"protocol":"ymodem"'
	far_wait
	for n in 0 1025 1048576; do same "$D/near/f$n" "$D/far/f$n"; done
}

# receive_each PROTOCOL 'SENDER': each file alone from lrzsz
receive_each() {
	make_files "$D/far"
	for n in $XFER_SIZES; do
		far_pty "$2 f$n"
		run "$HSXFER" -d "$A" --receive -P "$1" "$D/near/r$n"
		[ "$status" -eq 0 ] || { echo "f$n: $output" >&2; return 1; }
		far_wait
		same_padded "$D/far/f$n" "$D/near/r$n"
	done
}

@test "lrzsz sx sends XMODEM with checksums to hsxfer --receive -P xmodem" {
	receive_each xmodem sx
}

@test "lrzsz sx sends XMODEM-CRC to hsxfer -P xmodem-crc" {
	receive_each xmodem-crc sx
}

@test "lrzsz sx -k sends XMODEM-1K to hsxfer -P xmodem-1k" {
	receive_each xmodem-1k "sx -k"
}

@test "lrzsz sb -k sends a YMODEM batch of every size to hsxfer, sha256-equal" {
	make_files "$D/far"
	far_pty "sb -k $(cd "$D/far" && echo f*)"
	run "$HSXFER" -d "$A" --receive -P ymodem "$D/near"
	assert_success
	far_wait
	for n in $XFER_SIZES; do same "$D/far/f$n" "$D/near/f$n"; done
}

@test "lrzsz sb streams YMODEM-g to hsxfer -P ymodem-g, sha256-equal" {
	make_files "$D/far"
	far_socket "sb -k $(cd "$D/far" && echo f*)"
	run "$HSXFER" -d "$A" --receive -P ymodem-g --json "$D/near"
	assert_success
	json_valid hsxfer
	assert_output --partial '"ok":true,"exit":0,"mode":"receive"'
	assert_output --partial '"protocol":"ymodem-g"'
	# streaming, sb does not wait for the ACK of its end-of-batch block:
	# socat may find it gone when that ACK comes, and exit 1; sb's own
	# word is in its log
	far_wait 2>/dev/null || true
	grep -q 'Transfer complete' "$D/far.log"
	for n in $XFER_SIZES; do same "$D/far/f$n" "$D/near/f$n"; done
}

@test "a YMODEM batch of 3 files to lrzsz rb keeps names, lengths and times" {
	batch_files "$D/near"
	far_socket "rb"
	run "$HSXFER" -d "$A" -P ymodem --send "$D/near/alpha.bin" "$D/near/notes.txt" "$D/near/with space"
	assert_success
	far_wait
	same_batch "$D/near" "$D/far"
}

@test "a YMODEM batch of 3 files from lrzsz sb keeps names, lengths and times" {
	batch_files "$D/far"
	far_pty "sb alpha.bin notes.txt 'with space'"
	run "$HSXFER" -d "$A" -P ymodem --receive "$D/near" --json
	assert_success
	far_wait
	same_batch "$D/far" "$D/near"
	# the summary: names, sizes, SHA-256 as sha256sum says
	assert_output --partial "\"name\":\"alpha.bin\",\"path\":\"$D/near/alpha.bin\",\"size\":3000,\"offset\":0,\"bytes\":3000,\"sha256\":\"$(sha256sum <"$D/far/alpha.bin" | cut -d' ' -f1)\",\"padding\":\"length\",\"status\":\"ok\""
	assert_output --partial '"name":"with space"'
	assert_output --regexp '"files":\[\{.*\},\{.*\},\{.*\}\]\}$'
	json_valid hsxfer
	assert_output --regexp '"blocks":[0-9]+,"retries":0,"errors":\{"crc":0,"timeout":0,"sequence":0,"garbage":0\}'
}

@test "--strip-sub drops XMODEM's padding from what lrzsz sx sent" {
	printf 'a text file\n' >"$D/far/t.txt"
	far_pty "sx t.txt"
	run "$HSXFER" -d "$A" --receive -P xmodem --strip-sub -v "$D/near/t.txt"
	assert_success
	assert_output --partial "t.txt: 12 bytes received (trailing SUB padding dropped)"
	far_wait
	same "$D/far/t.txt" "$D/near/t.txt"
}

@test "a file of SUB bytes arrives whole by YMODEM, padded by XMODEM" {
	head -c 1000 /dev/zero | tr '\0' '\032' >"$D/far/subs"
	far_pty "sb subs"
	run "$HSXFER" -d "$A" -P ymodem --receive "$D/near"
	assert_success
	far_wait
	same "$D/far/subs" "$D/near/subs"
	far_pty "sx subs"
	run "$HSXFER" -d "$A" --receive -P xmodem-crc "$D/near/x"
	assert_success
	far_wait
	same_padded "$D/far/subs" "$D/near/x"
}

@test "receiving never replaces a file unless --overwrite; the batch goes on" {
	printf 'old\n' >"$D/near/notes.txt"
	batch_files "$D/far"
	far_pty "sb notes.txt alpha.bin"
	run "$HSXFER" -d "$A" -P ymodem --receive "$D/near"
	assert_failure 5
	assert_output --partial "notes.txt: $D/near/notes.txt exists already; not replaced (overwrite); its data is dropped"
	far_wait
	[ "$(cat "$D/near/notes.txt")" = old ]
	same "$D/far/alpha.bin" "$D/near/alpha.bin"
	far_pty "sb notes.txt"
	run "$HSXFER" -d "$A" -P ymodem --receive --overwrite "$D/near"
	assert_success
	far_wait
	same "$D/far/notes.txt" "$D/near/notes.txt"
}

@test "usage: what to do, which files, which protocol" {
	run "$HSXFER" -d "$A"
	assert_failure 64
	assert_output "hsxfer: say --send FILE... or --receive [FOLDER|FILE]"
	run "$HSXFER" -d "$A" --send
	assert_failure 64
	run "$HSXFER" -d "$A" --send -P xmodem a b
	assert_failure 64
	assert_output --partial "XMODEM sends one file (2 given)"
	run "$HSXFER" -d "$A" --receive -P xmodem
	assert_failure 64
	assert_output "hsxfer: XMODEM sends no file name: say which FILE to write"
	run "$HSXFER" -d "$A" --send -P kermit x
	assert_failure 64
	assert_output --partial "unknown protocol 'kermit'"
	run "$HSXFER" -d "$A" --receive --strip-sub "$D"
	assert_failure 64
	run "$HSXFER" -d fd:0,1 --receive --json "$D"
	assert_failure 64
	assert_output --partial "--json would write into the line (fd:0,1)"
	run "$HSXFER" --send x
	assert_failure 64
	assert_output "hsxfer: name the line with -d URI (or set HS_DEVICE)"
	run "$HSXFER" --help
	assert_success
	assert_output --partial "Exit status: 0 done; 1 the other end canceled"
	run "$HSXFER" --version
	assert_output --regexp '^hsxfer \(handshake\) [0-9.]+$'
}

@test "a missing device or file: exit 69 or 74, nothing sent" {
	run "$HSXFER" -d /dev/hs-no-such-tty --send /etc/hostname
	assert_failure 69
	far_socket "rb"
	run "$HSXFER" -d "$A" --send "$D/no-such-file"
	assert_failure 74
	assert_output --partial "cannot read $D/no-such-file"
}

@test "no progress bar unless stderr is a terminal; one on a terminal" {
	head -c 200000 /dev/urandom >"$D/far/big"
	far_pty "sb big"
	run "$HSXFER" -d "$A" -P ymodem --receive "$D/near"
	assert_success
	assert_output ""
	far_wait
	rm "$D/near/big"
	far_pty "sb big"
	# script(1) gives hsxfer a terminal for stderr
	run script -qec "'$HSXFER' -d '$A' -P ymodem --receive '$D/near'" /dev/null
	assert_success
	assert_output --regexp "hsxfer: big +\[=*[ ]*\] +[0-9]+% [0-9]+/200000 B [0-9.]+ KiB/s"
	assert_output --partial "big: 200000 bytes received"
	far_wait
	same "$D/far/big" "$D/near/big"
}

@test "hostile names from lrzsz sb are refused, the batch goes on: exit 5" {
	mkdir "$D/far/sub"
	printf 'evil\n' >"$D/far/sub/evil.txt"
	printf 'esc\n' >"$D/far/bad"$'\033'"[2Jname"
	printf 'good\n' >"$D/far/good.txt"
	# --full-path sends sub/evil.txt as it is: a path separator
	far_pty "sb --full-path sub/evil.txt \$'bad\\033[2Jname' good.txt"
	run "$HSXFER" -d "$A" -P ymodem --receive --json "$D/near"
	assert_failure 5
	far_wait
	assert_output --partial 'sub/evil.txt: refused the file name "sub/evil.txt": it has a path separator; its data is dropped'
	# printed escaped, never raw
	assert_output --partial 'bad\x1b[2Jname: refused the file name "bad\x1b[2Jname": it has a control character'
	refute_output --partial $'\033'
	assert_output --partial '"name":"bad\u001b[2Jname"'
	# stderr said the refusals; stdout's one answer says ok false, exit 5
	json_valid hsxfer "$(grep '^{' <<<"$output")"
	assert_output --partial '"ok":false,"exit":5,"mode":"receive"'
	same "$D/far/good.txt" "$D/near/good.txt"
	[ "$(ls "$D/near")" = good.txt ]
	[ ! -e "$D/sub" ] && [ ! -e "$D/near/sub" ]
}

@test "over a network link (tcp://) to lrzsz rb and from sb" {
	head -c 100000 /dev/urandom >"$D/near/up"
	listen_far "rb"
	run "$HSXFER" -d "tcp://127.0.0.1:$PORT" -P ymodem --send "$D/near/up"
	assert_success
	far_wait
	same "$D/near/up" "$D/far/up"
	head -c 100000 /dev/urandom >"$D/far/down"
	listen_far "sb -k down"
	run "$HSXFER" -d "tcp://127.0.0.1:$PORT" -P ymodem --receive "$D/near"
	assert_success
	far_wait
	same "$D/far/down" "$D/near/down"
}

# pane_has TEXT: the terminal (tmux) shows TEXT
pane_has() {
	tmux -S "$D/tmux" capture-pane -p | grep -qF -- "$1"
}

@test "picocom's send command runs hsxfer -d fd:0,1 --send" {
	command -v tmux >/dev/null || skip "tmux not installed"
	command -v picocom >/dev/null || skip "picocom not installed"
	head -c 50000 /dev/urandom >"$D/near/up"
	far_socket "rb"
	tmux -S "$D/tmux" new-session -d -x 200 -y 40 "cd '$D/near' && picocom -b 115200 \
		--send-cmd '$HSXFER -d fd:0,1 --send -P ymodem' \
		--receive-cmd '$HSXFER -d fd:0,1 --receive -P ymodem' '$A'; sleep 60"
	wait_until 10 pane_has 'Terminal ready'
	# C-a C-s, the file, Enter; rb repeats its C (picocom showed the
	# first) within 10 s
	tmux -S "$D/tmux" send-keys C-a C-s
	wait_until 10 pane_has '*** file:'
	tmux -S "$D/tmux" send-keys -l up
	wait_until 10 pane_has '*** file: up'
	tmux -S "$D/tmux" send-keys C-m
	wait_until 40 pane_has '*** exit status: 0 ***'
	pane_has 'hsxfer: up: 50000 bytes sent and confirmed'
	far_wait
	same "$D/near/up" "$D/far/up"
	tmux -S "$D/tmux" kill-server
}

@test "picocom's receive command runs hsxfer -d fd:0,1 --receive" {
	command -v tmux >/dev/null || skip "tmux not installed"
	command -v picocom >/dev/null || skip "picocom not installed"
	head -c 50000 /dev/urandom >"$D/far/down"
	far_pty "sb down"
	tmux -S "$D/tmux" new-session -d -x 200 -y 40 "cd '$D/near' && picocom -b 115200 \
		--receive-cmd '$HSXFER -d fd:0,1 --receive -P ymodem' '$A'; sleep 60"
	wait_until 10 pane_has 'Terminal ready'
	tmux -S "$D/tmux" send-keys C-a C-r
	wait_until 10 pane_has '*** file:'
	tmux -S "$D/tmux" send-keys -l .
	wait_until 10 pane_has '*** file: .'
	tmux -S "$D/tmux" send-keys C-m
	wait_until 40 pane_has '*** exit status: 0 ***'
	far_wait
	same "$D/far/down" "$D/near/down"
	tmux -S "$D/tmux" kill-server
}
