# xfer_helper.bash - setup for the file-transfer suites: lrzsz as the far
# end of a line whose near end ($A) hsxfer opens, the test files, and the
# checks on what arrived (sha256, XMODEM's padding rule).
#
# lrzsz senders (sx, sb) run on a socat pty pair with plain redirections,
# as DESIGN.md says (far_pty). lrzsz receivers (rx, rb), and sb streaming
# YMODEM-g, run on socat's socketpair instead (far_socket): on exit
# lrzsz flushes its tty (TCIOFLUSH) right after its last write, an ACK or
# the unanswered end-of-batch block, and on a pty that is gone before
# socat reads it, so our end would wait for it in vain (a pty artifact:
# a UART sends it).
load helper

HSXFER="$BUILD_DIR/hsxfer"
: "${BATS_TEST_TIMEOUT:=180}"

xfer_setup() {
	[ -x "$HSXFER" ] || skip "hsxfer not built"
	command -v sx >/dev/null || skip "lrzsz not installed"
	D=$BATS_TEST_TMPDIR
	A=$D/A
	mkdir -p "$D/far" "$D/near"
	FAR_PID=
}

xfer_teardown() {
	[ -S "$D/tmux" ] && tmux -S "$D/tmux" kill-server 2>/dev/null
	[ -n "${FAR_PID:-}" ] && kill "$FAR_PID" 2>/dev/null
	[ -n "${SOCAT_PID:-}" ] && kill "$SOCAT_PID" 2>/dev/null
	return 0
}

# far_pty 'CMD': lrzsz sends from $D/far on the pty pair's far end.
far_pty() {
	rm -f "$A" "$D/B"
	socat pty,raw,echo=0,link="$A" pty,raw,echo=0,link="$D/B" 2>>"$D/socat.log" &
	SOCAT_PID=$!
	wait_until 5 test -e "$A" -a -e "$D/B"
	(cd "$D/far" && exec bash -c "exec $1" <"$D/B" >"$D/B" 2>"$D/far.log") &
	FAR_PID=$!
}

# far_socket 'CMD': lrzsz runs in $D/far on socat's socketpair (see
# above for why).
far_socket() {
	rm -f "$A"
	socat pty,raw,echo=0,link="$A" \
		SYSTEM:"cd '$D/far' && exec $1 2>'$D/far.log'" 2>>"$D/socat.log" &
	FAR_PID=$!
	SOCAT_PID=
	wait_until 5 test -e "$A"
}

# far_wait: the far end's exit status, within 60 s.
far_wait() {
	local st=0
	wait_until 60 bash -c "! kill -0 $FAR_PID 2>/dev/null" || { cat "$D/far.log" >&2; return 1; }
	wait "$FAR_PID" || st=$?
	FAR_PID=
	[ -n "${SOCAT_PID:-}" ] && kill "$SOCAT_PID" 2>/dev/null
	SOCAT_PID=
	[ "$st" -eq 0 ] || {
		echo "the far end exited $st:" >&2
		tail -c 500 "$D/far.log" "$D/socat.log" >&2
	}
	return "$st"
}

# listen_far 'CMD': a TCP server on 127.0.0.1 running CMD (in $D/far) for
# one connection; sets PORT
listen_far() {
	for _ in 1 2 3 4 5; do
		PORT=$((20000 + RANDOM % 20000))
		socat TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr \
			SYSTEM:"cd '$D/far' && { $1; } 2>'$D/far.log'" 2>>"$D/socat.log" &
		FAR_PID=$!
		for _ in $(seq 100); do
			ss -ltn | grep -q "127.0.0.1:$PORT " && return 0
			kill -0 "$FAR_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill "$FAR_PID" 2>/dev/null
	done
	return 1
}

# make_files DIR: the sizes around the block edges, and 1 MiB, random.
XFER_SIZES="0 1 127 128 129 1023 1024 1025 1048576"
make_files() {
	for n in $XFER_SIZES; do
		head -c "$n" /dev/urandom >"$1/f$n"
	done
}

# same FILE GOT: byte for byte.
same() {
	[ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ] || {
		echo "$2 differs from $1 ($(stat -c %s "$1") and $(stat -c %s "$2") bytes)" >&2
		return 1
	}
}

# same_padded FILE GOT: XMODEM's rule: GOT is FILE, then SUB (0x1A)
# bytes up to the end of the last block (128 or 1024 bytes).
same_padded() {
	local n m
	n=$(stat -c %s "$1")
	m=$(stat -c %s "$2")
	if [ "$m" -lt "$n" ] || [ $((m - n)) -ge 1024 ] || [ $((m % 128)) -ne 0 ]; then
		echo "$2: $m bytes for $n" >&2
		return 1
	fi
	cmp -n "$n" "$1" "$2" || return 1
	[ "$(tail -c $((m - n)) "$2" | tr -d '\032' | wc -c)" -eq 0 ] || {
		echo "$2: the padding is not all SUB" >&2
		return 1
	}
}

# names, lengths and modification times of three files
batch_files() {
	head -c 3000 /dev/urandom >"$1/alpha.bin"
	printf 'hello\n' >"$1/notes.txt"
	head -c 70000 /dev/urandom >"$1/with space"
	touch -d '2001-02-03 04:05:06' "$1/alpha.bin"
	touch -d '1999-12-31 23:59:59' "$1/notes.txt"
	touch -d '2020-06-07 08:09:10' "$1/with space"
}

same_batch() {
	for f in alpha.bin notes.txt "with space"; do
		same "$1/$f" "$2/$f"
		[ "$(stat -c %Y "$1/$f")" = "$(stat -c %Y "$2/$f")" ] || {
			echo "$f: mtime $(stat -c %Y "$2/$f") for $(stat -c %Y "$1/$f")" >&2
			return 1
		}
	done
}
