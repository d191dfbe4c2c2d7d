# lab_wait.sh — wait_for for POSIX sh; sourced by lab_helper.bash and by
# shell scripts that tests run *inside* the lab (bash functions do not
# survive umockdev-wrapper's /bin/sh, so children source this file).
#
# wait_for FILE PATTERN [SECONDS]: return 0 as soon as a line of FILE
# matches the extended regex PATTERN; after SECONDS (default 10) print
# FILE to stderr and return 1. Polls every 20 ms.
wait_for() {
	_wf_file=$1 _wf_pat=$2 _wf_n=$(( ${3:-10} * 50 ))
	while [ "$_wf_n" -gt 0 ]; do
		if [ -f "$_wf_file" ] && grep -Eq -- "$_wf_pat" "$_wf_file"; then
			return 0
		fi
		sleep 0.02
		_wf_n=$((_wf_n - 1))
	done
	echo "wait_for: no line matching /$_wf_pat/ in $_wf_file within ${3:-10}s" >&2
	[ -f "$_wf_file" ] && cat "$_wf_file" >&2
	return 1
}
