#!/usr/bin/env bats
# faults_net.bats - the fault matrix's network rows (README.md, "The
# fault matrix"): a server that closes mid-job (a raw TCP server; and
# ser2net, whose port goes away under it), a server that never
# negotiates, a port that refuses and a host that does not resolve.
# Every row checks the same things (faults_helper.bash): the tool ends
# within its deadline with the documented exit code and message; for a
# job, the count is what the server took, so the printer got at most
# that.
load faults_helper

NET_DIR=$ROOT/tests/net

teardown() {
  if [ -n "${SRV_PID:-}" ]; then
    kill "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null || true
  fi
}

# serve SCRIPT ARGS...: a Python server on 127.0.0.1 (tests/net, or
# "-": the script on stdin); PORT once it listens
serve() {
  if [ "$1" = - ]; then
    cat >"$tmp/server.py"
    set -- "$tmp/server.py" "${@:2}"
  fi
  timeout "$BATS_TEST_TIMEOUT" /usr/bin/python3 "$@" &
  SRV_PID=$!
  wait_until 10 test -s "$tmp/port"
  PORT=$(cat "$tmp/port")
}

# what the server took for the printer, from the failed job's message
server_took() {
  [[ $output =~ the\ server\ at\ 127.0.0.1:[0-9]+\ accepted\ ([0-9]+)\ of ]] || return 1
  echo "${BASH_REMATCH[1]}"
}

@test "a raw TCP server that closes mid-job: exit 74, the count is what it read" {
  head -c 1000000 /dev/zero | tr '\0' p >"$tmp/job"
  serve "$NET_DIR/closing_server.py" "$tmp/port" "$tmp/count" 100000
  row 30 74 "^hsprint: $tmp/job: connection (closed|reset) by 127.0.0.1:$PORT.*; the server at 127.0.0.1:$PORT accepted [0-9]+ of 1000000 bytes" -- \
    "$HSPRINT" -d "tcp://127.0.0.1:$PORT" "$tmp/job"
  said=$(server_took)
  # never less than the server read, never all of it
  [ "$said" -ge "$(cat "$tmp/count")" ]
  [ "$said" -lt 1000000 ]
  assert_line --partial "; it may not have passed them all on to the printer"
}

@test "ser2net's port unplugged mid-job: exit 74, the printer got at most the count" {
  command -v ser2net >/dev/null || skip "ser2net is not installed"
  export NET_TMP=$tmp
  head -c 204800 /dev/urandom >"$tmp/job"
  row 30 0 "^job: 74$" -- \
    "$HSLAB" --transcript "$T" --port 'ttyUSB0 printer' --busy xonxoff \
    --buffer '98304 24576 8192' --print-rate 30000 --output "$tmp/out" \
    --fault 'unplug after-bytes 50000' -- sh "$NET_DIR/ser2net.sh" /dev/ttyUSB0 '
    "$HSPRINT" -d "rfc2217://127.0.0.1:$PORT?baud=460800&flow=xonxoff" "$1"; echo "job: $?" >&2' "$tmp/job"
  assert_line --regexp "^hsprint: $tmp/job: connection (closed|reset) by 127.0.0.1:[0-9]+.*; the server at 127.0.0.1:[0-9]+ accepted [0-9]+ of 204800 bytes"
  assert_line --partial "; it may not have passed them all on to the printer"
  # what the server took may include bytes it still held when its port
  # went away: the printer got at most the count and the queue it names
  [ "$(printed "$tmp/out")" -eq 50000 ]
  more=0
  [[ $output =~ \(([0-9]+)\ more\ were ]] && more=${BASH_REMATCH[1]}
  [ $(($(server_took) + more)) -ge 50000 ]
}

@test "a server that never negotiates RFC 2217: given up after 5 s, exit 75 (hsprint) and 6 (hsdial)" {
  # it takes the connection and reads, and never says a word
  serve - "$tmp/port" <<'PY'
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
PY
  echo x >"$tmp/job"
  row 5 75 "^hsprint: 127.0.0.1:$PORT did not finish the Telnet negotiation within 5000 ms: is it an RFC 2217 port\\?\$" -- \
    "$HSPRINT" -d "rfc2217://127.0.0.1:$PORT" "$tmp/job"
  row 5 6 "^hsdial: 127.0.0.1:$PORT did not finish the Telnet negotiation within 5000 ms: is it an RFC 2217 port\\?\$" -- \
    "$HSDIAL" -d "rfc2217://127.0.0.1:$PORT" --at ATI
}

@test "a port that refuses: exit 69 naming host:port" {
  # a port bound and not listening refuses, and is ours while we try
  serve - "$tmp/port" <<'PY'
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
time.sleep(60)
PY
  row 5 69 "127.0.0.1:$PORT refused the connection" -- \
    "$HSPRINT" -d "rfc2217://127.0.0.1:$PORT" /dev/null
  row 5 69 "127.0.0.1:$PORT refused the connection" -- \
    "$HSDIAL" -d "tcp://127.0.0.1:$PORT" --at ATI
}

@test "a host that does not resolve: exit 68 naming host:port" {
  row 5 68 "nothing.invalid:2217" -- "$HSPRINT" -d "rfc2217://nothing.invalid:2217" /dev/null
  row 5 68 "nothing.invalid:4001" -- "$HSDIAL" -d "tcp://nothing.invalid:4001" --at ATI
}
