# helper.bash - shared setup for the CLI bats suites. It builds on the
# lab's helper (bats-support, bats-assert, the deadlines: BATS_TEST_TIMEOUT
# for every test, HSLAB_TIMEOUT for every lab run; HSLAB, wait_for on a
# transcript, rx_bytes_and_span) and adds where the tree and the build
# are, private_locks, and wait_until for events that are not in a transcript. Never a
# fixed sleep.
load ../lab/lab_helper

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
case ${BUILD:-build} in
  /*) BUILD_DIR=$BUILD ;;
  *) BUILD_DIR=$ROOT/${BUILD:-build} ;;
esac

# private_locks: this test's own lock and run folders (HS_LOCK_DIR,
# HS_RUN_DIR), so that no other program's lock, nor another suite's,
# decides what it sees.
private_locks() {
  export HS_LOCK_DIR="$BATS_TEST_TMPDIR/lock" HS_RUN_DIR="$BATS_TEST_TMPDIR/run"
  mkdir -p "$HS_LOCK_DIR"
}

# wait_until SECONDS COMMAND...: run COMMAND every 20 ms until it succeeds
# or SECONDS pass; fails the test on the deadline.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "timed out waiting for: $*" >&2
      return 1
    fi
    sleep 0.02
  done
}

# start_echo_pty LINK FILTER: a pty at LINK whose far end runs FILTER (a
# shell command) on what it receives; sets PTY_PID.
start_echo_pty() {
  # -T: socat's own deadline, quiet for as long as a test may run
  socat -T "$BATS_TEST_TIMEOUT" PTY,link="$1",raw,echo=0 EXEC:"$2",pty,raw,echo=0 &
  PTY_PID=$!
  wait_until 5 test -e "$1"
}

# json_valid TOOL [TEXT]: TEXT (default: $output) is exactly one JSON
# object on one line that TOOL's schema, tools/json/TOOL.schema.json,
# accepts. Debian's python3 has jsonschema; a pyenv one on PATH may not.
json_valid() {
  printf '%s\n' "${2-$output}" |
    /usr/bin/python3 "$ROOT/tests/json/validate.py" "$ROOT/tools/json" "$1" -
}
