# net_helper.bash - shared setup for the network serial port suites
# (rfc2217://, tcp://): ser2net serving a lab port from inside the lab,
# pyserial's RFC 2217 server on loop://, and hslink (tests/net/hslink.c)
# to drive a link. Both servers run on 127.0.0.1 only, on ports the
# kernel picks, with their files in the test's temp folder.
load helper

: "${BATS_TEST_TIMEOUT:=120}"
HSLINK=$BUILD_DIR/hslink
NET_DIR=$ROOT/tests/net
export HSLINK NET_DIR

net_setup() {
  lab_setup
  [ -x "$HSLINK" ] || skip "hslink not built ($HSLINK)"
  command -v ser2net >/dev/null || skip "ser2net is not installed"
  export NET_TMP=$BATS_TEST_TMPDIR
}

# through_ser2net [HSLAB OPTIONS...] -- [-r] DEVICE[,OPTS] SCRIPT [ARGS...]
# Run SCRIPT (sh; $PORT is ser2net's port) inside the lab while ser2net
# serves DEVICE (tests/net/ser2net.sh), like `run`: sets status and
# output; the lab's transcript is $T.
through_ser2net() {
  local lab=()
  while [ "$1" != -- ]; do lab+=("$1"); shift; done
  shift
  run "$HSLAB" --transcript "$T" "${lab[@]}" -- sh "$NET_DIR/ser2net.sh" "$@"
}

# start_pyserial: pyserial's RFC 2217 server example on loop://, logging
# every request it executes to $BATS_TEST_TMPDIR/pyserial.log; sets PORT
# and PY_PID (stop_pyserial in teardown).
start_pyserial() {
  local example=/usr/share/doc/python3-serial/examples/rfc2217_server.py
  [ -f "$example" ] || skip "python3-serial's examples are not installed"
  /usr/bin/python3 "$NET_DIR/rfc2217_server.py" "$BATS_TEST_TMPDIR/port" \
    loop:// -v -v >"$BATS_TEST_TMPDIR/pyserial.log" 2>&1 &
  PY_PID=$!
  wait_until 10 test -s "$BATS_TEST_TMPDIR/port"
  PORT=$(cat "$BATS_TEST_TMPDIR/port")
}

stop_pyserial() {
  if [ -n "${PY_PID:-}" ]; then
    kill "$PY_PID" 2>/dev/null
    wait "$PY_PID" 2>/dev/null || true
  fi
}

# make_data FILE: 64 KiB of every byte value, runs of 0xFF (the Telnet
# escape) of every length up to 300, and random bytes.
make_data() {
  {
    /usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 4 +
      b"".join(b"\xff" * n + b"x" for n in range(1, 301)))'
    head -c 20000 /dev/urandom
  } >"$1"
}
