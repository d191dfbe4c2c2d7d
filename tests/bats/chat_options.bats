#!/usr/bin/env bats
# chat_options.bats - chat(8)'s options in hsdial, each against pppd's
# chat on the same lab modem: the same command line (the line on stdin
# and stdout, as pppd's connect option hands it over) must give the same
# exit code and the same output: stderr (-e, ECHO ON, -V, -s), the test
# syslog (-v, facility local2; -S: none), the report file (-r), the
# bytes the modem got (-T, -U, -f). The syslog is a socket over /dev/log
# in a private mount namespace (syslog_ns.sh, root only).
load helper

setup() {
  lab_setup
  tmp=$BATS_TEST_TMPDIR
  HSDIAL=$BUILD_DIR/hsdial
  CHAT=$(command -v chat || echo /usr/sbin/chat)
  SYSLOG_NS=$BATS_TEST_DIRNAME/syslog_ns.sh
  [ -x "$CHAT" ] || skip "pppd's chat not installed (Debian: ppp)"
  [ -x "$HSDIAL" ] || skip "hsdial not built ($HSDIAL)"
  [ "$(id -u)" = 0 ] || skip "the test syslog needs root (unshare -m, mount)"
}

# script NAME: the script text on stdin goes to $tmp/NAME.chat
script() {
  cat > "$tmp/$1.chat"
}

# both NAME [LAB OPTIONS...] -- ARGS...: `chat ARGS` and `hsdial ARGS`,
# each in a fresh lab under a test syslog, the line on stdin and stdout.
# For P in chat, hsdial: $tmp/NAME.P.rc (exit code), .err (stderr),
# .log (the lab's transcript), .syslog (what reached /dev/log).
both() {
  local name=$1 p bin rc
  local lab=()
  shift
  while [ "$1" != -- ]; do lab+=("$1"); shift; done
  shift
  for p in chat hsdial; do
    bin=$CHAT
    [ "$p" = hsdial ] && bin=$HSDIAL
    rc=0
    "$SYSLOG_NS" "$tmp/$name.$p.syslog" timeout 60 "$HSLAB" --transcript "$tmp/$name.$p.log" \
      "${lab[@]}" -- sh -c 'b=$0; "$b" "$@" </dev/ttyUSB0 >/dev/ttyUSB0' "$bin" "$@" \
      2>"$tmp/$name.$p.err" || rc=$?
    echo "$rc" >"$tmp/$name.$p.rc"
    echo "$p: exit $(cat "$tmp/$name.$p.rc"), stderr:"
    cat -A "$tmp/$name.$p.err"
  done
}

# same_exit NAME WANT: both exited WANT
same_exit() {
  [ "$(cat "$tmp/$1.chat.rc")" = "$2" ] || { echo "chat: $(cat "$tmp/$1.chat.rc"), want $2"; return 1; }
  [ "$(cat "$tmp/$1.hsdial.rc")" = "$2" ] || { echo "hsdial: $(cat "$tmp/$1.hsdial.rc"), want $2"; return 1; }
}

# same_stderr NAME: byte for byte, but for hsdial's own "hsdial: ..."
# error lines, which chat keeps for syslog
same_stderr() {
  sed '/^hsdial: /d' "$tmp/$1.hsdial.err" >"$tmp/$1.hsdial.err2"
  cmp "$tmp/$1.chat.err" "$tmp/$1.hsdial.err2"
}

# messages FILE: the syslog lines as "<PRI> TEXT", without time, tag, pid
messages() {
  sed -E 's/^<([0-9]+)>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} [a-z]+\[[0-9]+\]: /<\1> /' "$1"
}

# same_syslog NAME: the same messages at the same priority
same_syslog() {
  diff <(messages "$tmp/$1.chat.syslog") <(messages "$tmp/$1.hsdial.syslog")
}

# commands NAME P: the command lines the modem executed
commands() {
  grep -E ' ttyUSB0 command ' "$tmp/$1.$2.log" | sed 's/.* command //'
}

@test "-e: the modem's words echoed on stderr from the start, as chat shows them" {
  script dial <<'EOF_'
ABORT BUSY
'' ATZ
OK ATDT5551234
CONNECT ''
EOF_
  both e -- -e -S -f "$tmp/dial.chat"
  same_exit e 0
  same_stderr e
  # the echo really is there: the modem's echo of ATZ, CR not shown,
  # the line CONNECT ended at exit
  grep -q '^ATZ$' "$tmp/e.chat.err"
  grep -q '^CONNECT$' "$tmp/e.chat.err"
}

@test "ECHO ON in the script alone echoes from there on" {
  script echo <<'EOF_'
'' ATZ
OK ATI
ECHO ON
OK ATDT5551234
CONNECT ''
EOF_
  both echo -- -S -f "$tmp/echo.chat"
  same_exit echo 0
  same_stderr echo
  grep -q '^CONNECT$' "$tmp/echo.chat.err"
  run grep -c 'ATZ' "$tmp/echo.chat.err"
  assert_output 0
}

@test "-v: the conversation in syslog, facility local2, line for line as chat's" {
  script verbose <<'EOF_'
ABORT BUSY
ABORT 'NO CARRIER'
CLR_ABORT 'NO CARRIER'
REPORT CONNECT
TIMEOUT 5
'' 'ATZ\c'
'' '\d'
OK-AT-OK 'ATI\tx'
OK ATDT5551234
CONNECT ''
EOF_
  both v -- -v -f "$tmp/verbose.chat"
  same_exit v 0
  same_syslog v
  # it is chat's log: local2.info, the words chat uses
  messages "$tmp/v.chat.syslog" | grep -qxF '<150> abort on (BUSY)'
  messages "$tmp/v.chat.syslog" | grep -qxF '<150> clear abort on (NO CARRIER)'
  messages "$tmp/v.chat.syslog" | grep -qxF '<150> send (\\d^M)'
  messages "$tmp/v.chat.syslog" | grep -qxF '<150>  -- got it\n'
}

@test "-v on a script that fails: an ABORT, a timeout with its subexpect" {
  script busy <<'EOF_'
ABORT BUSY
TIMEOUT 1
'' AT
LOGIN-AT-OK ATDT5550000
CONNECT ''
EOF_
  both vbusy --number '5550000 busy' -- -v -f "$tmp/busy.chat"
  same_exit vbusy 4
  same_syslog vbusy
  messages "$tmp/vbusy.chat.syslog" | grep -qxF '<150> alarm'
  messages "$tmp/vbusy.chat.syslog" | grep -qxF '<150> Failed (BUSY)'
  script never <<'EOF_'
TIMEOUT 1
'' AT
NEVER ''
EOF_
  both vnever -- -v -f "$tmp/never.chat"
  same_exit vnever 3
  same_syslog vnever
  messages "$tmp/vnever.chat.syslog" | tail -1 | grep -qxF '<150> Failed'
}

@test "-S: nothing reaches syslog; -s: the log and chat's Failed lines on stderr" {
  script fail <<'EOF_'
ABORT BUSY
'' AT
OK ATDT5550000
CONNECT ''
EOF_
  both quiet --number '5550000 busy' -- -v -S -f "$tmp/fail.chat"
  same_exit quiet 4
  [ ! -s "$tmp/quiet.chat.syslog" ] && [ ! -s "$tmp/quiet.hsdial.syslog" ]
  both s --number '5550000 busy' -- -s -S -f "$tmp/fail.chat"
  same_exit s 4
  same_stderr s
  grep -qx 'Failed (BUSY)' "$tmp/s.chat.err"
  both vs --number '5550000 busy' -- -v -s -S -f "$tmp/fail.chat"
  same_exit vs 4
  same_stderr vs
  grep -qx 'expect (OK)' "$tmp/vs.chat.err"
}

@test "-V: what the modem sends, on stderr, as chat -V shows it" {
  script show <<'EOF_'
'' ATZ
OK ATDT5551234
CONNECT ''
EOF_
  both V -- -V -S -f "$tmp/show.chat"
  same_exit V 0
  same_stderr V
  grep -q '^CONNECT' "$tmp/V.chat.err"
}

@test "-f FILE: the same script file, the same commands and exit" {
  script file <<'EOF_'
# a comment line
'' ATZ
OK "ATS7=1"
OK ATDT5557777
CONNECT ''
EOF_
  both f --number '5557777 noanswer' -- -t 5 -S -f "$tmp/file.chat"
  same_exit f 3
  diff <(commands f chat) <(commands f hsdial)
  commands f chat | grep -qx '"ATDT5557777"'
}

@test "-r FILE: REPORT lines, and -v's Opening and Closing lines, as chat writes them" {
  script report <<'EOF_'
REPORT CONNECT
'' ATZ
OK ATDT5551234
CONNECT ''
EOF_
  both r --connect-speed 33600 -- -v -S -r "$tmp/r.rep" -f "$tmp/report.chat"
  same_exit r 0
  # each run appended to the one file: chat's lines, then hsdial's
  run sed -E 's/^chat:  [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} /chat:  TIME /' "$tmp/r.rep"
  assert_output "Opening \"$tmp/r.rep\"...
chat:  TIME CONNECT 33600
Closing \"$tmp/r.rep\".
Opening \"$tmp/r.rep\"...
chat:  TIME CONNECT 33600
Closing \"$tmp/r.rep\"."
}

@test "-T and -U: the numbers in \\T and \\U reach the modem, and the log" {
  script phone <<'EOF_'
TIMEOUT 5
'' 'ATDT\T'
CONNECT ''
EOF_
  script phone2 <<'EOF_'
TIMEOUT 5
'' 'ATDT\U'
CONNECT ''
EOF_
  both t -- -v -T 5551111 -U 5552222 -f "$tmp/phone.chat"
  same_exit t 0
  same_syslog t
  diff <(commands t chat) <(commands t hsdial)
  commands t chat | grep -qx '"ATDT5551111"'
  both u -- -v -T 5551111 -U 5552222 -f "$tmp/phone2.chat"
  same_exit u 0
  same_syslog u
  diff <(commands u chat) <(commands u hsdial)
  commands u chat | grep -qx '"ATDT5552222"'
}
