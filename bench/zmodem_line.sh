#!/bin/sh
# zmodem_line.sh - ZMODEM at 115200 baud on a lab port (8N1: 11520 B/s,
# the lab paces the line): hsxfer and lrzsz's sz send the same 4 MiB to
# the same receiver, lrzsz's rz as the port's device. Goals: hsxfer's
# time over sz's <= 1.0 (best of XFER_RUNS, 3, interleaved); and its
# goodput >= 0.97 of the line's rate. ZMODEM always escapes 7 of the 256
# byte values (ZDLE; DLE, XON, XOFF and their high-bit forms), so random
# bytes cost 7/256 more on the line and no sender reaches 0.97 with them:
# the goodput goal is judged on text (base64, nothing to escape), the
# random file's shown beside it. Time is the device's, from the first
# byte it received to its last answer. ZMODEM_LINE_KIB (4096) sets the
# size. Exits 1 when a goal is missed.
. "$(dirname "$0")/print_lib.inc"
. "$(dirname "$0")/xfer_lib.inc"
KIB=${ZMODEM_LINE_KIB:-4096}
command -v sz >/dev/null || { echo "bench: lrzsz is missing (make deps)" >&2; exit 1; }

failed=0
echo "zmodem_line: $KIB KiB at 115200 baud (11520 B/s) to lrzsz rz; best of $RUNS runs (median, max)"
for data in random text; do
	if [ "$data" = random ]; then
		xfer_file
	else
		head -c $((KIB * 1024 * 3 / 4)) /dev/urandom | base64 -w 76 | head -c $((KIB * 1024)) >"$W/f"
		sum=$(sha256sum <"$W/f")
	fi
	measure rz "$LINE '$HSXFER' -d fd:0,1 --send f $TTY" "$LINE sz f $TTY"
	awk -v d="$data" -v o="$OURS" -v t="$THEIRS" -v kib="$KIB" 'BEGIN {
		split(o, a); split(t, b)
		printf "  %-6s hsxfer %8.2f s (%.2f, %.2f)  sz %8.2f s (%.2f, %.2f)\n",
			d, a[2], a[1], a[3], b[2], b[1], b[3]
		r = sprintf("%.3f", a[2] / b[2]) + 0
		v = r <= 1.0 ? "(goal <= 1.0) ok" : "(goal <= 1.0) BELOW GOAL"
		printf "         time hsxfer/sz %.3f %s\n", r, v
		bad = r > 1.0
		g = sprintf("%.3f", kib * 1024 / a[2] / 11520) + 0
		if (d == "text") {
			v = g >= 0.97 ? "(goal >= 0.97) ok" : "(goal >= 0.97) BELOW GOAL"
			bad = bad || g < 0.97
		} else {
			v = "(no goal: 7/256 of random bytes are escaped)"
		}
		printf "         goodput / line rate %.3f %s\n", g, v
		exit bad }' || failed=1
done
exit $failed
