#!/bin/sh
# syslog_ns.sh - run a command with a test syslog: in a private mount
# namespace whose /dev/log is a socket of our own, so what the command
# sends with syslog(3) (glibc always writes to /dev/log; pppd's chat -v
# does, hsdial's chat mode too) lands in a file, and nothing reaches or
# changes the machine's /dev.
#
#   syslog_ns.sh LOGFILE COMMAND [ARG...]
#
# LOGFILE gets one line per message as it came, "<PRI>TIMESTAMP TAG[PID]:
# TEXT", a newline inside a message written as \n. Exit status is
# COMMAND's. Needs root (unshare -m, mount); /dev is overlaid, not
# written. Every wait has a deadline.
set -eu

if [ "${HS_SYSLOG_NS:-}" != inside ]; then
	# The mounts die with the namespace; only then are the folders
	# removed, one by one: never rm -r where /dev was bound.
	tmp=$(mktemp -d)
	set +e
	HS_SYSLOG_NS=inside HS_SYSLOG_TMP=$tmp unshare -m "$0" "$@"
	rc=$?
	rm -f "$tmp/ready"
	rmdir "$tmp/dev" "$tmp/ovl" "$tmp"
	exit "$rc"
fi
log=$1
shift
tmp=$HS_SYSLOG_TMP
mount --make-rprivate /
mkdir "$tmp/dev" "$tmp/ovl"
mount -t tmpfs none "$tmp/ovl"
mkdir "$tmp/ovl/upper" "$tmp/ovl/work"
mount --rbind /dev "$tmp/dev"
mount -t overlay overlay \
	-o "lowerdir=$tmp/dev,upperdir=$tmp/ovl/upper,workdir=$tmp/ovl/work" /dev
# the overlay hides /dev's own mounts: the ptys and shared memory back
mount --rbind "$tmp/dev/pts" /dev/pts
[ -d "$tmp/dev/shm" ] && mount --rbind "$tmp/dev/shm" /dev/shm
rm -f /dev/log

# The receiver binds /dev/log, says so in its ready file, and stops at
# the end marker, which a datagram socket delivers after everything sent
# before it.
: >"$log"
/usr/bin/python3 - "$log" "$tmp/ready" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
s.settimeout(600)
open(sys.argv[2], "w").close()
with open(sys.argv[1], "a") as out:
    while True:
        d = s.recv(65536)
        if d == b"hs-syslog-ns-end":
            break
        t = d.decode("latin-1").replace("\\", "\\\\").replace("\n", "\\n")
        out.write(t + "\n")
        out.flush()
EOF
rx=$!
n=500
until [ -e "$tmp/ready" ]; do
	n=$((n - 1))
	[ "$n" -gt 0 ] || { echo "syslog_ns.sh: no receiver on /dev/log" >&2; exit 70; }
	sleep 0.01
done
set +e
"$@"
rc=$?
/usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"hs-syslog-ns-end", "/dev/log")'
wait "$rx"
exit "$rc"
