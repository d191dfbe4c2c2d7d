# private_cupsd.sh - a private cupsd for tests, sourced by a POSIX sh
# script that runs inside the device lab (so cupsd is the lab's child and
# its backends see the lab's devices).
#
#   cupsd_start DIR HS    start cupsd with everything in DIR: its own
#                         ServerRoot, spool, cache, state and logs, Listen
#                         on 127.0.0.1 at a free port only; the hs backend
#                         is HS (hsprint). Sets CUPS_SERVER for lp, lpstat
#                         and lpadmin, and CUPSD_PID.
#   cupsd_stop            stop it (SIGTERM, then wait for it)
#
# What a cupsd run this way needs (found on Debian 12, cups 2.4.2):
#  - cupsd passes its children only what PassEnv (a cups-files.conf
#    directive) names and always drops LD_*: the backend is a wrapper that
#    puts the lab's LD_PRELOAD back, and UMOCKDEV_DIR (and HS_LOCK_DIR
#    when set) are passed.
#  - The backend runs as root only when its file is mode 0700; as the lp
#    user it could not open the lab's device nodes.
#  - ServerBin is a copy of /usr/lib/cups with the wrapper as backend/hs.
#  - An open policy: lpadmin and lp need no authentication over TCP.
#  - Each job's backend appends "JOB EXIT-STATUS SECONDS" (the time it
#    ended, date +%s.%N) to DIR/backend-exits, so a test can see how soon
#    after the job's last byte the queue was free again.
. "${LAB_WAIT:?LAB_WAIT names lab_wait.sh}"

cupsd_start() {
	_cd_dir=$1 _cd_hs=$2
	mkdir -p "$_cd_dir/conf/ppd" "$_cd_dir/spool/tmp" "$_cd_dir/cache" \
		"$_cd_dir/state" "$_cd_dir/log" "$_cd_dir/hs"
	cp -a /usr/lib/cups "$_cd_dir/bin"
	# argv[0] "hs" is what makes hsprint the backend
	ln -sf "$_cd_hs" "$_cd_dir/hs/hs"
	cat > "$_cd_dir/bin/backend/hs" <<EOF
#!/bin/sh
# hs under the private cupsd: the lab's preload back (cupsd drops LD_*),
# and the sanitizers' options when the suite runs under SANITIZE=1
LD_PRELOAD='$LD_PRELOAD'
ASAN_OPTIONS='${ASAN_OPTIONS:-}'
UBSAN_OPTIONS='${UBSAN_OPTIONS:-}'
export LD_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS
'$_cd_dir/hs/hs' "\$@"
rc=\$?
echo "\$1 \$rc \$(date +%s.%N)" >> '$_cd_dir/backend-exits'
exit \$rc
EOF
	chmod 0700 "$_cd_dir/bin/backend/hs"
	_cd_port=$(/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
	cat > "$_cd_dir/conf/cups-files.conf" <<EOF
ServerRoot $_cd_dir/conf
ServerBin $_cd_dir/bin
DataDir /usr/share/cups
DocumentRoot /usr/share/cups/doc-root
RequestRoot $_cd_dir/spool
TempDir $_cd_dir/spool/tmp
CacheDir $_cd_dir/cache
StateDir $_cd_dir/state
AccessLog $_cd_dir/log/access_log
ErrorLog $_cd_dir/log/error_log
PageLog $_cd_dir/log/page_log
Printcap $_cd_dir/state/printcap
FileDevice No
PassEnv UMOCKDEV_DIR HS_LOCK_DIR
EOF
	cat > "$_cd_dir/conf/cupsd.conf" <<EOF
Listen 127.0.0.1:$_cd_port
LogLevel debug
Browsing Off
BrowseLocalProtocols none
DefaultAuthType None
MaxLogSize 0
JobRetryInterval 1
PreserveJobHistory Yes
DefaultPolicy open
<Location />
  Order allow,deny
  Allow from 127.0.0.1
</Location>
<Policy open>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
	CUPS_SERVER=127.0.0.1:$_cd_port
	export CUPS_SERVER
	/usr/sbin/cupsd -f -c "$_cd_dir/conf/cupsd.conf" -s "$_cd_dir/conf/cups-files.conf" &
	CUPSD_PID=$!
	# up when it answers; 20 s is far more than it takes on a busy machine
	_cd_n=1000
	until lpstat -r 2>/dev/null | grep -q 'is running'; do
		_cd_n=$((_cd_n - 1))
		if [ "$_cd_n" -le 0 ] || ! kill -0 "$CUPSD_PID" 2>/dev/null; then
			echo "private cupsd did not start" >&2
			cat "$_cd_dir/log/error_log" >&2 2>/dev/null
			return 1
		fi
		sleep 0.02
	done
}

cupsd_stop() {
	[ -n "${CUPSD_PID:-}" ] || return 0
	kill -TERM "$CUPSD_PID" 2>/dev/null
	wait "$CUPSD_PID" 2>/dev/null
	CUPSD_PID=
}
