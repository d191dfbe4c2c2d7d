#!/bin/sh
# ser2net.sh — run ser2net (Debian's, unmodified) for one command: on
# 127.0.0.1 only, on a port the kernel picks, with a private YAML config.
# It runs as the lab's command, so ser2net is the lab's child and sees the
# lab's ports:
#
#   hslab ... -- sh ser2net.sh [-r] DEVICE[,OPTIONS] SCRIPT [ARGS...]
#
# DEVICE[,OPTIONS] is ser2net's serialdev connector (default options
# 9600n81,local); -r gives a raw accepter (tcp://) instead of
# telnet(rfc2217). Once ser2net listens, SCRIPT runs under sh with PORT
# set to its port and ARGS as $1...; then ser2net is stopped once it let
# go of the port. Files go to
# NET_TMP (default: a new temp folder). Exit status: SCRIPT's; 70 when
# ser2net did not come up within 10 s.
set -u
accepter='telnet(rfc2217),tcp'
if [ "${1:-}" = -r ]; then accepter=tcp; shift; fi
dev=$1 script=$2
shift 2
case $dev in *,*) ;; *) dev="$dev,9600n81,local" ;; esac
dir=${NET_TMP:-$(mktemp -d)}
conf=$dir/ser2net.yaml
cat >"$conf" <<YAML
connection: &port
  accepter: $accepter,127.0.0.1,0
  connector: serialdev,$dev
YAML
ser2net -n -c "$conf" -P "$dir/ser2net.pid" >"$dir/ser2net.log" 2>&1 &
pid=$!
# Port 0: ask the kernel which port the process listens on, with a
# deadline (500 looks, 20 ms apart).
PORT= n=500
while [ -z "$PORT" ] && [ "$n" -gt 0 ]; do
  PORT=$(ss -ltnpH 2>/dev/null | awk -v p="pid=$pid," 'index($0, p) {
    sub(/.*:/, "", $4); print $4; exit }')
  [ -n "$PORT" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.02
  n=$((n - 1))
done
if [ -z "$PORT" ]; then
  echo "ser2net.sh: ser2net did not listen within 10 s:" >&2
  cat "$dir/ser2net.log" >&2
  kill "$pid" 2>/dev/null
  exit 70
fi
export PORT
sh -c "$script" sh "$@"
rc=$?
# ser2net writes out what it still holds and lets the port go once the
# connection has ended: wait for that (no fd of it on a pty any more,
# 30 s at most) before stopping it, or the end of a job would be lost.
n=1500
while [ "$n" -gt 0 ] && ls -l "/proc/$pid/fd" 2>/dev/null | grep -q ' -> /dev/pts/'; do
  sleep 0.02
  n=$((n - 1))
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exit $rc
