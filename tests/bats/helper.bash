# helper.bash - shared setup for the CLI bats suites: bats-support and
# bats-assert, where the tree and the build are, and waiting for events
# with a deadline (never a fixed sleep).
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BUILD_DIR=$ROOT/${BUILD:-build}

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
  socat PTY,link="$1",raw,echo=0 EXEC:"$2",pty,raw,echo=0 &
  PTY_PID=$!
  wait_until 5 test -e "$1"
}
