#!/bin/sh
# xfer_noisy.sh - XMODEM-1K on a noisy line: the lab port at 115200 baud
# flips bits at 1e-5 and 1e-4 per bit, both ways (data and answers),
# while hsxfer and lrzsz's sx -k send the same 256 KiB to the same
# receiver (hsxfer --receive, the port's device). Run N of each sender
# uses damage seed N, so both meet the same line. Goals: hsxfer always
# completes, sha256-equal; its goodput (file bytes over the device's
# time, 0 when a transfer failed) over sx -k's, medians of XFER_RUNS (3),
# >= 1.0. Both wait 2 s for an answer (sx -t 20). Exits 1 when a goal is
# missed. XFER_NOISY_KIB (256) sets the size, XFER_BERS the rates.
. "$(dirname "$0")/print_lib.inc"
. "$(dirname "$0")/xfer_lib.inc"
KIB=${XFER_NOISY_KIB:-256}
xfer_file

# goodput 'SENDER' DAMAGE: B/s, or 0 when the transfer failed
goodput() {
	if s=$(xfer_run xmodem-1k "$1" "$2" 2>>"$W/errors"); then
		awk -v s="$s" -v b=$((KIB * 1024)) 'BEGIN { printf "%.1f\n", b / s }'
	else
		echo 0
	fi
}

failed=0
echo "xfer_noisy: $KIB KiB XMODEM-1K at 115200 baud, bit errors both ways; median of $RUNS runs (min..max)"
for ber in ${XFER_BERS:-1e-5 1e-4}; do
	: >"$W/ours" && : >"$W/theirs"
	i=1
	while [ "$i" -le "$RUNS" ]; do
		dmg="ber=$ber dir=both seed=$i"
		g=$(goodput "$LINE '$HSXFER' -d fd:0,1 --send -p xmodem-1k -t 2 f $TTY" "$dmg")
		[ "$g" = 0 ] && { echo "  hsxfer failed at ber=$ber seed=$i: $(tail -1 "$W/errors")"; failed=1; }
		echo "$g" >>"$W/ours"
		goodput "$LINE sx -k -t 20 f $TTY" "$dmg" >>"$W/theirs"
		i=$((i + 1))
	done
	awk -v ber="$ber" -v o="$(stats "$W/ours")" -v t="$(stats "$W/theirs")" \
		-v fails="$(grep -c '^0$' "$W/theirs")" 'BEGIN {
		split(o, a); split(t, b)
		printf "  ber %-5s hsxfer %7.1f B/s (%.1f..%.1f)  sx -k %7.1f B/s (%.1f..%.1f)%s\n",
			ber, a[1], a[2], a[3], b[1], b[2], b[3],
			fails ? sprintf(", sx -k failed %d times", fails) : ""
		r = b[1] > 0 ? sprintf("%.3f", a[1] / b[1]) + 0 : -1
		v = (r < 0 || r >= 1.0) ? "(goal >= 1.0) ok" : "(goal >= 1.0) BELOW GOAL"
		if (r < 0)
			printf "            goodput hsxfer/sx -k: sx -k never finished %s\n", v
		else
			printf "            goodput hsxfer/sx -k %.3f %s\n", r, v
		exit !(r < 0 || r >= 1.0) }' || failed=1
done
exit $failed
