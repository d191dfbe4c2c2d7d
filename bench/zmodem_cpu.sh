#!/bin/sh
# zmodem_cpu.sh - what ZMODEM costs the machine: 256 MiB over a socat
# pty pair (no line rate: as fast as both ends go), CPU seconds (user +
# system) per MiB of each end, hsxfer against lrzsz: hsxfer --send to
# rz against sz to rz, and hsxfer --receive from sz against rz from sz.
# Goals: each ratio hsxfer/lrzsz <= 1.0, medians of XFER_RUNS (3).
# ZMODEM_CPU_MIB (256) sets the size. Exits 1 when a goal is missed.
. "$(dirname "$0")/print_lib.inc"
HSXFER=$B/hsxfer
need "$HSXFER"
command -v sz >/dev/null || { echo "bench: lrzsz is missing (make deps)" >&2; exit 1; }
MIB=${ZMODEM_CPU_MIB:-256}
RUNS=${XFER_RUNS:-3}
head -c $((MIB * 1024 * 1024)) /dev/urandom >"$W/f"
sum=$(sha256sum <"$W/f")

# pair 'SENDER' 'RECEIVER': the two on a fresh pty pair, SENDER in $W
# reading f, RECEIVER in $W/rx, each timed; appends each end's CPU
# seconds per MiB to $W/send and $W/recv
pair() {
	rm -rf "$W/rx" "$W/A" "$W/B" && mkdir "$W/rx"
	socat pty,raw,echo=0,link="$W/A" pty,raw,echo=0,link="$W/B" 2>/dev/null &
	sp=$!
	n=0
	while [ ! -e "$W/A" ] || [ ! -e "$W/B" ]; do
		n=$((n + 1)); [ "$n" -gt 500 ] && { echo "bench: socat gave no pty pair" >&2; exit 1; }
		sleep 0.01
	done
	(cd "$W/rx" && timed "$W/rt" sh -c "$2" <"$W/B" >"$W/B" 2>"$W/rx.log") &
	rp=$!
	(cd "$W" && timed "$W/st" sh -c "$1" <"$W/A" >"$W/A" 2>"$W/tx.log")
	wait "$rp"
	kill "$sp" 2>/dev/null
	[ "$(sha256sum <"$W/rx/f")" = "$sum" ] || { echo "bench: '$1' to '$2': what arrived differs" >&2; exit 1; }
	awk -v m="$MIB" '{ printf "%.6f\n", ($2 + $3) / m }' "$W/st" >>"$W/send"
	awk -v m="$MIB" '{ printf "%.6f\n", ($2 + $3) / m }' "$W/rt" >>"$W/recv"
}

median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { printf "%.6f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

for who in ours_send theirs_send ours_recv theirs_recv; do : >"$W/$who"; done
i=0
while [ "$i" -lt "$RUNS" ]; do
	: >"$W/send" && : >"$W/recv"
	pair "'$HSXFER' -d fd:0,1 --send f" "rz"
	pair "sz f" "rz"
	pair "sz f" "'$HSXFER' -d fd:0,1 --receive ."
	sed -n 1p "$W/send" >>"$W/ours_send"
	sed -n 2p "$W/send" >>"$W/theirs_send"
	sed -n 3p "$W/recv" >>"$W/ours_recv"
	sed -n 2p "$W/recv" >>"$W/theirs_recv"
	i=$((i + 1))
done
echo "zmodem_cpu: $MIB MiB over a pty pair, CPU s/MiB; median of $RUNS runs"
awk -v os="$(median "$W/ours_send")" -v ts="$(median "$W/theirs_send")" \
	-v or="$(median "$W/ours_recv")" -v tr="$(median "$W/theirs_recv")" 'BEGIN {
	bad = 0
	r = sprintf("%.3f", os / ts) + 0
	printf "  send    hsxfer %.4f  sz %.4f  ratio %.3f %s\n", os, ts, r, r <= 1.0 ? "(goal <= 1.0) ok" : "(goal <= 1.0) BELOW GOAL"
	bad = bad || r > 1.0
	r = sprintf("%.3f", or / tr) + 0
	printf "  receive hsxfer %.4f  rz %.4f  ratio %.3f %s\n", or, tr, r, r <= 1.0 ? "(goal <= 1.0) ok" : "(goal <= 1.0) BELOW GOAL"
	bad = bad || r > 1.0
	exit bad }'
