#!/usr/bin/env bats
# hsxfer_zmodem.bats - ZMODEM against lrzsz's sz and rz on pty pairs,
# both ways: files of 0, 1, 1023, 1024, 1025 bytes and 1 MiB arrive
# sha256-equal, a batch of 3 keeps names and times; ZMODEM is the
# default; skipping (ZSKIP) files that exist and hostile names; crash
# recovery (sz -r, --resume) continues at the receiver's length with no
# byte sent twice; escaping every control byte both ways; and a scripted
# sender (zmodem_peer.py) that lies about a length or sends data at an
# offset not asked for.
load xfer_helper

setup() { xfer_setup; }
teardown() { xfer_teardown; }

ZSIZES="0 1 1023 1024 1025 1048576"

zfiles() {
	for n in $ZSIZES; do head -c "$n" /dev/urandom >"$1/z$n"; done
}

# json_field JSON NAME: a number from hsxfer's --json
json_field() {
	grep -o "\"$2\":[0-9]*" <<<"$1" | head -1 | cut -d: -f2
}

@test "hsxfer sends files of every size to lrzsz rz (the default protocol), sha256-equal" {
	zfiles "$D/near"
	far_socket "rz"
	run "$HSXFER" -d "$A" --send --json $(for n in $ZSIZES; do echo "$D/near/z$n"; done)
	assert_success
	json_valid hsxfer
	assert_output --partial '"ok":true,"exit":0'
	assert_output --partial '"protocol":"zmodem"'
	assert_output --partial '"check":"crc32"'
	assert_output --partial "\"bytes\":$((1 + 1023 + 1024 + 1025 + 1048576)),"
	far_wait
	for n in $ZSIZES; do same "$D/near/z$n" "$D/far/z$n"; done
}

@test "lrzsz sz sends files of every size to hsxfer --receive, sha256-equal" {
	zfiles "$D/far"
	far_pty "sz $(cd "$D/far" && echo z*)"
	run "$HSXFER" -d "$A" --receive --json "$D/near"
	assert_success
	json_valid hsxfer
	assert_output --partial '"ok":true,"exit":0'
	assert_output --partial '"protocol":"zmodem"'
	assert_output --partial "\"bytes\":$((1 + 1023 + 1024 + 1025 + 1048576)),"
	far_wait
	for n in $ZSIZES; do same "$D/far/z$n" "$D/near/z$n"; done
}

@test "lrzsz sz -e (every control byte escaped) reaches hsxfer, sha256-equal" {
	zfiles "$D/far"
	far_pty "sz -e z1025 z1048576"
	run "$HSXFER" -d "$A" --receive "$D/near"
	assert_success
	far_wait
	for n in 1025 1048576; do same "$D/far/z$n" "$D/near/z$n"; done
}

@test "hsxfer --escape-ctl sends no raw control byte to lrzsz rz, sha256-equal" {
	head -c 200000 /dev/urandom >"$D/near/f"
	far_socket "rz"
	run "$HSXFER" -d "$A" --send --escape-ctl "$D/near/f"
	assert_success
	far_wait
	same "$D/near/f" "$D/far/f"
}

@test "a ZMODEM batch of 3 files to lrzsz rz keeps names, lengths and times" {
	batch_files "$D/near"
	far_socket "rz"
	run "$HSXFER" -d "$A" --send "$D/near/alpha.bin" "$D/near/notes.txt" "$D/near/with space"
	assert_success
	far_wait
	same_batch "$D/near" "$D/far"
}

@test "a ZMODEM batch of 3 files from lrzsz sz keeps names, lengths and times" {
	batch_files "$D/far"
	far_pty "sz alpha.bin notes.txt 'with space'"
	run "$HSXFER" -d "$A" --receive --json "$D/near"
	assert_success
	far_wait
	same_batch "$D/far" "$D/near"
	assert_output --partial "\"name\":\"alpha.bin\",\"path\":\"$D/near/alpha.bin\",\"size\":3000,\"offset\":0,\"bytes\":3000,\"sha256\":\"$(sha256sum <"$D/far/alpha.bin" | cut -d' ' -f1)\""
	assert_output --regexp '"retries":0,"errors":\{"crc":0,"timeout":0,"sequence":0,'
}

@test "a file that exists is skipped (ZSKIP), the batch goes on: exit 5 both ways" {
	batch_files "$D/far"
	printf 'old\n' >"$D/near/notes.txt"
	far_pty "sz notes.txt alpha.bin"
	run "$HSXFER" -d "$A" --receive "$D/near"
	assert_failure 5
	assert_output --partial "notes.txt: $D/near/notes.txt exists already; not replaced (overwrite); skipped"
	far_wait
	[ "$(cat "$D/near/notes.txt")" = old ]
	same "$D/far/alpha.bin" "$D/near/alpha.bin"
	# rz, too, keeps what it has: hsxfer says which file it skipped
	batch_files "$D/near"
	printf 'old\n' >"$D/far/notes.txt"
	rm "$D/far/alpha.bin"
	far_socket "rz"
	run "$HSXFER" -d "$A" --send "$D/near/notes.txt" "$D/near/alpha.bin"
	assert_failure 5
	assert_output --partial "notes.txt: the receiver skipped it (ZSKIP)"
	far_wait
	[ "$(cat "$D/far/notes.txt")" = old ]
	same "$D/near/alpha.bin" "$D/far/alpha.bin"
}

@test "hostile names from lrzsz sz are skipped, the batch goes on: exit 5" {
	mkdir "$D/far/sub"
	printf 'evil\n' >"$D/far/sub/evil.txt"
	printf 'esc\n' >"$D/far/bad"$'\033'"[2Jname"
	printf 'good\n' >"$D/far/good.txt"
	far_pty "sz --full-path sub/evil.txt \$'bad\\033[2Jname' good.txt"
	run "$HSXFER" -d "$A" --receive --json "$D/near"
	assert_failure 5
	far_wait
	assert_output --partial 'sub/evil.txt: refused the file name "sub/evil.txt": it has a path separator; skipped'
	assert_output --partial 'bad\x1b[2Jname: refused the file name "bad\x1b[2Jname": it has a control character'
	refute_output --partial $'\033'
	same "$D/far/good.txt" "$D/near/good.txt"
	[ "$(ls "$D/near")" = good.txt ]
}

@test "crash recovery: sz -r continues a partial file at its length, no byte sent twice" {
	head -c 300000 /dev/urandom >"$D/far/big"
	head -c 123457 "$D/far/big" >"$D/near/big"
	far_pty "sz -r big"
	run "$HSXFER" -d "$A" --receive --json "$D/near"
	assert_success
	far_wait
	same "$D/far/big" "$D/near/big"
	# the resume offset, and only the rest counted as received
	assert_output --partial '"size":300000,"offset":123457,"bytes":176543,'
	[ "$(json_field "$output" blocks)" -eq $(((176543 + 1023) / 1024)) ]
}

@test "crash recovery: hsxfer --send --resume to lrzsz rz continues its partial file" {
	head -c 300000 /dev/urandom >"$D/near/big"
	head -c 70001 "$D/near/big" >"$D/far/big"
	far_socket "rz"
	run "$HSXFER" -d "$A" --send --resume --json "$D/near/big"
	assert_success
	far_wait
	same "$D/near/big" "$D/far/big"
	# rz goes back to a 1K boundary of what it has: the offset it asked
	# for, and the rest, add up to the file
	off=$(json_field "$output" offset)
	[ "$off" -gt 0 ] && [ "$off" -le 70001 ]
	[ $((off + $(json_field "$(grep -o '"files":.*' <<<"$output")" bytes))) -eq 300000 ]
}

@test "--resume refuses a partial file that differs from the sender's" {
	head -c 100000 /dev/urandom >"$D/far/big"
	head -c 5000 /dev/urandom >"$D/near/big"
	far_pty "sz -r big"
	run "$HSXFER" -d "$A" --receive --resume "$D/near"
	assert_failure 5
	assert_output --partial "the first 5000 bytes of $D/near/big differ from the sender's; not resumed"
	far_wait || true
	[ "$(stat -c %s "$D/near/big")" -eq 5000 ]
}

@test "usage: ZMODEM's options need ZMODEM" {
	run "$HSXFER" -d "$A" --send -P ymodem --resume x
	assert_failure 64
	assert_output "hsxfer: --resume is ZMODEM's (--protocol zmodem)"
	run "$HSXFER" --help
	assert_output --partial "zmodem (default)"
}

@test "a sender whose file is longer than it said: kept, reported, exit 4" {
	far_pty "/usr/bin/python3 '$BATS_TEST_DIRNAME/zmodem_peer.py' lie"
	run "$HSXFER" -d "$A" --receive --json "$D/near"
	assert_failure 4
	assert_output --partial 'the sender announced 100 bytes but sent 200; kept'
	far_wait
	[ "$(stat -c %s "$D/near/peer.bin")" -eq 200 ]
}

@test "data at an offset never asked for is dropped and asked for again (ZRPOS)" {
	far_pty "/usr/bin/python3 '$BATS_TEST_DIRNAME/zmodem_peer.py' offset"
	run "$HSXFER" -d "$A" --receive --json "$D/near"
	assert_success
	assert_output --partial '"sequence":1,'
	far_wait
	# the file is what came at offset 0, once
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) + bytes(44))' >"$D/want"
	same "$D/want" "$D/near/peer.bin"
}
