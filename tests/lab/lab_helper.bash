# lab_helper.bash — shared setup for the device lab's bats tests (and,
# through tests/bats/helper.bash, the CLI ones).
#
# Loads bats-support/bats-assert, gives every test and every lab run a
# deadline, finds the lab binaries (HSLAB, LABHOST, SP_IDENTITY from the
# environment, else the build folder) and provides wait_for, which polls a
# transcript for an event with a deadline: tests synchronise on what the
# lab logged, never on fixed sleeps.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

# Deadlines: nothing a test runs may hang the suite.
# - BATS_TEST_TIMEOUT, seconds, is every test's (a file whose tests
#   legitimately take longer sets its own before `load`).
# - HSLAB_TIMEOUT is every hslab run's (half the test's): a command that
#   hangs in the lab is stopped with a message naming it, and exit 124.
#   Tools run outside the lab get their own --timeout or timeout(1).
# - bats 1.8.2 enforces BATS_TEST_TIMEOUT by killing the test's direct
#   children only (pkill -P). A command under `run` is a grandchild that
#   keeps run's pipe open, so the test hung on regardless (`run sleep 1000`
#   with a 3 s timeout ran until killed from outside), and once its parent
#   is gone it is init's child, out of reach by parentage. So every process
#   a test starts inherits a mark, LAB_TEST_MARK; lab_watchdog, a direct
#   child and so hit by that pkill, then ends every process with the mark:
#   the test fails as "timeout after Ns", named, and the file goes on.
: "${BATS_TEST_TIMEOUT:=120}"
: "${HSLAB_TIMEOUT:=$((BATS_TEST_TIMEOUT / 2))}"
export HSLAB_TIMEOUT

# lab_kill_marked: SIGTERM, then SIGKILL, every process with this test's
# mark in its environment.
lab_kill_marked() {
	local pids
	pids=$(grep -lsxz "LAB_TEST_MARK=$LAB_TEST_MARK" /proc/[0-9]*/environ |
		cut -d/ -f3)
	[ -n "$pids" ] || return 0
	kill -TERM $pids 2>/dev/null
	sleep 1
	kill -KILL $pids 2>/dev/null
	return 0
}

# lab_watchdog TEST_PID: sleeps until the test ends; SIGTERM (bats' own
# timeout) makes it end everything the test started. (Forked, not run:
# its own environment is the test process's at exec, without the mark.)
lab_watchdog() {
	trap 'lab_kill_marked; exit 0' TERM
	while kill -0 "$1" 2>/dev/null; do
		sleep 1
	done
}
# only in a test's own process (bats also sources the file to list tests)
if [ -n "${BATS_TEST_NAME:-}" ]; then
	LAB_TEST_MARK="$$-$BATS_SUITE_TEST_NUMBER-$RANDOM"
	export LAB_TEST_MARK
	lab_watchdog "$$" </dev/null >/dev/null 2>&1 3>&- 4>&- &
fi

# helpers live beside hslab (make check passes HSLAB for build/ or
# build/san)
HSLAB="${HSLAB:-$BATS_TEST_DIRNAME/../../build/hslab}"
LAB_BUILD="${LAB_BUILD:-$(dirname "$HSLAB")}"
LABHOST="${LABHOST:-$LAB_BUILD/labhost}"
SP_IDENTITY="${SP_IDENTITY:-$LAB_BUILD/sp_identity}"
export HSLAB LABHOST SP_IDENTITY

# Every test gets its own temp folder and transcript; nothing else is
# touched.
lab_setup() {
	[ -x "$HSLAB" ] || skip "hslab not built ($HSLAB)"
	T="$BATS_TEST_TMPDIR/transcript"
	export T
}

# wait_for FILE PATTERN [SECONDS] (see lab_wait.sh); LAB_WAIT is the file
# for scripts running inside the lab to source.
LAB_WAIT="$(dirname "${BASH_SOURCE[0]}")/lab_wait.sh"
export LAB_WAIT
. "$LAB_WAIT"

# rx_bytes_and_span FILE DEVICE: print "TOTAL AFTER_FIRST SPAN" for the
# rx events of DEVICE: all bytes received, the bytes received after the
# first rx event, and the seconds between the first and last rx event.
rx_bytes_and_span() {
	awk -v dev="$2" '$2 == dev && $3 == "rx" {
		s = $0; sub(/^[^"]*"/, "", s); sub(/"$/, "", s)
		# count bytes left to right: \xHH is one, \c is one
		n = 0
		for (i = 1; i <= length(s); i++) {
			if (substr(s, i, 1) == "\\")
				i += (substr(s, i + 1, 1) == "x") ? 3 : 1
			n++
		}
		if (!seen) { first = $1; firstn = n; seen = 1 }
		last = $1; total += n
	}
	END { printf "%d %d %.6f\n", total, total - firstn, last - first }' "$1"
}
