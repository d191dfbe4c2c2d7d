#!/bin/sh
# zmodem_noisy.sh - ZMODEM on a noisy line: the lab port at 115200 baud
# flips bits at 1e-4 per bit both ways while hsxfer and lrzsz's sz send
# the same 128 KiB to lrzsz's rz (the port's device). Run N of each
# sender uses damage seed N: both meet the same line. Goals: hsxfer
# always completes, sha256-equal; its time over sz's, medians of
# XFER_RUNS (3), <= 1.0 (a failed sz counts as never finishing). Both
# wait 2 s for an answer. ZMODEM_NOISY_KIB (128) sets the size. Exits 1
# when a goal is missed.
. "$(dirname "$0")/print_lib.inc"
. "$(dirname "$0")/xfer_lib.inc"
KIB=${ZMODEM_NOISY_KIB:-128}
command -v sz >/dev/null || { echo "bench: lrzsz is missing (make deps)" >&2; exit 1; }
xfer_file

failed=0
echo "zmodem_noisy: $KIB KiB at 115200 baud, 1e-4 bit errors both ways, to lrzsz rz; median of $RUNS runs (min..max)"
: >"$W/ours" && : >"$W/theirs"
i=1
while [ "$i" -le "$RUNS" ]; do
	dmg="ber=1e-4 dir=both seed=$i"
	if ! xfer_run rz "$LINE '$HSXFER' -d fd:0,1 --send -t 2 f $TTY" "$dmg" >>"$W/ours" 2>>"$W/errors"; then
		echo "  hsxfer failed at seed=$i: $(tail -1 "$W/errors")"
		failed=1
		echo 1e9 >>"$W/ours"
	fi
	xfer_run rz "$LINE sz -t 20 f $TTY" "$dmg" >>"$W/theirs" 2>>"$W/errors" || echo 1e9 >>"$W/theirs"
	i=$((i + 1))
done
awk -v o="$(stats "$W/ours")" -v t="$(stats "$W/theirs")" 'BEGIN {
	split(o, a); split(t, b)
	printf "  hsxfer %8.2f s (%.2f..%.2f)  sz %8.2f s (%.2f..%.2f)\n", a[1], a[2], a[3], b[1], b[2], b[3]
	r = sprintf("%.3f", a[1] / b[1]) + 0
	v = r <= 1.0 ? "(goal <= 1.0) ok" : "(goal <= 1.0) BELOW GOAL"
	printf "         time hsxfer/sz %.3f %s\n", r, v
	exit r > 1.0 }' || failed=1
exit $failed
