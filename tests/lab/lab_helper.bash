# lab_helper.bash — shared setup for the device lab's bats tests.
#
# Loads bats-support/bats-assert, finds the lab binaries (HSLAB, LABHOST,
# SP_IDENTITY from the environment, else the build folder) and provides
# wait_for, which polls a transcript for an event with a deadline: tests
# synchronise on what the lab logged, never on fixed sleeps.

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

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
