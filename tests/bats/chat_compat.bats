#!/usr/bin/env bats
# chat_compat.bats - the same dial scripts, unmodified, run by pppd's
# chat(8) and by hsdial --chat against the lab modem: the exit codes
# (success, an ABORT string, a timeout) and the REPORT lines must agree.
# Each script runs three ways: chat with the line on stdin/stdout (as
# pppd's connect option hands it over), hsdial the same way, and hsdial
# opening the port itself with -d.
load helper

setup() {
  lab_setup
  tmp=$(mktemp -d)
  export HS_LOCK_DIR="$tmp"
  HSDIAL=$BUILD_DIR/hsdial
  CHAT=$(command -v chat || echo /usr/sbin/chat)
  [ -x "$CHAT" ] || skip "pppd's chat not installed (Debian: ppp)"
  [ -x "$HSDIAL" ] || skip "hsdial not built ($HSDIAL)"
  export CHAT HSDIAL
}

teardown() {
  rm -rf "$tmp"
}

# script NAME: the script text on stdin goes to $tmp/NAME.chat
script() {
  cat > "$tmp/$1.chat"
}

# report_words FILE: REPORT lines without chat's "chat:  Mon DD HH:MM:SS"
# stamp, which both write but at different times
report_words() {
  sed -E 's/^chat:  [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} //' "$1"
}

# compare NAME WANT [LAB OPTIONS...]: run script NAME all three ways in
# a fresh lab each, check every exit code is WANT and the REPORT lines
# are the same. chat and hsdial get the script unmodified (-f / --chat).
compare() {
  local name=$1 want=$2 f="$tmp/$1.chat"
  shift 2
  run "$HSLAB" --transcript "$tmp/$name.chat.log" "$@" -- sh -c \
    '"$CHAT" -S -r "$1" -f "$2" </dev/ttyUSB0 >/dev/ttyUSB0' sh "$tmp/$name.chat.rep" "$f"
  echo "chat: status $status, $output"
  local chat_rc=$status
  run "$HSLAB" --transcript "$tmp/$name.stdio.log" "$@" -- sh -c \
    '"$HSDIAL" -r "$1" --chat "$2" </dev/ttyUSB0 >/dev/ttyUSB0' sh "$tmp/$name.stdio.rep" "$f"
  echo "hsdial (stdin/stdout): status $status, $output"
  local stdio_rc=$status
  run "$HSLAB" --transcript "$tmp/$name.dev.log" "$@" -- \
    "$HSDIAL" -d /dev/ttyUSB0 -r "$tmp/$name.dev.rep" --chat "$f"
  echo "hsdial -d: status $status, $output"
  local dev_rc=$status
  [ "$chat_rc" -eq "$want" ] || { echo "chat gave $chat_rc, want $want"; return 1; }
  [ "$stdio_rc" -eq "$chat_rc" ] || { echo "hsdial on stdio gave $stdio_rc, chat $chat_rc"; return 1; }
  [ "$dev_rc" -eq "$chat_rc" ] || { echo "hsdial -d gave $dev_rc, chat $chat_rc"; return 1; }
  # REPORT: the same lines from both, where chat wrote any
  touch "$tmp/$name.chat.rep" "$tmp/$name.stdio.rep" "$tmp/$name.dev.rep"
  diff <(report_words "$tmp/$name.chat.rep") <(report_words "$tmp/$name.stdio.rep") || return 1
  diff <(report_words "$tmp/$name.chat.rep") <(report_words "$tmp/$name.dev.rep") || return 1
}

@test "success: ABORTs armed, dial, CONNECT (exit 0) with its REPORT line" {
  script dial <<'EOF_'
ABORT BUSY
ABORT 'NO CARRIER'
REPORT CONNECT
TIMEOUT 5
'' ATZ
OK ATDT5551234
CONNECT ''
EOF_
  compare dial 0
  run report_words "$tmp/dial.chat.rep"
  assert_output 'CONNECT 115200'
}

@test "BUSY is the first ABORT string: exit 4 from both" {
  script busy <<'EOF_'
ABORT BUSY
ABORT 'NO CARRIER'
TIMEOUT 5
'' ATZ
OK ATDT5550000
CONNECT ''
EOF_
  compare busy 4 --number '5550000 busy'
  grep -qF 'ttyUSB0 tx "\r\nBUSY\r\n"' "$tmp/busy.dev.log"
}

@test "NO ANSWER as the third ABORT string: exit 6, REPORT of it from both" {
  # S7=1: the lab's modem gives up on the far end after 1 s
  script noanswer <<'EOF_'
ABORT BUSY
ABORT 'NO CARRIER'
ABORT 'NO ANSWER'
REPORT 'NO ANSWER'
TIMEOUT 5
'' ATS7=1
OK ATDT5557777
CONNECT ''
EOF_
  compare noanswer 6 --number '5557777 noanswer'
  run report_words "$tmp/noanswer.chat.rep"
  assert_output 'NO ANSWER'
}

@test "an expect that never comes: exit 3 at the script's TIMEOUT" {
  # no dial tone and no ABORT for it: CONNECT never arrives
  script timeout <<'EOF_'
ABORT BUSY
TIMEOUT 2
'' AT
OK ATDT5551111
CONNECT ''
EOF_
  compare timeout 3 --number '5551111 nodialtone'
}

@test "a subexpect sends its fallback when the first expect times out (exit 0)" {
  # "LOGIN" never comes; after TIMEOUT chat sends AT and expects OK
  script subexpect <<'EOF_'
TIMEOUT 1
'' ATE0
OK-AT-OK ''
LOGIN-AT-OK ATI
OK ''
EOF_
  compare subexpect 0
  # the fallback AT reached the modem in every run
  grep -qF 'ttyUSB0 command "AT"' "$tmp/subexpect.chat.log"
  grep -qF 'ttyUSB0 command "AT"' "$tmp/subexpect.dev.log"
}

@test "a subexpect whose fallback fails too: exit 3" {
  script subfail <<'EOF_'
TIMEOUT 1
'' ATE0
NEVER-AT-NOTHING ''
EOF_
  compare subfail 3
}

@test "\\c holds back the carriage return, \\d waits a second: one command (exit 0)" {
  # "AT" now, then after a second "I3" and the CR: the modem must see
  # the single command ATI3 (a stray CR after "AT" would make two)
  script escapes <<'EOF_'
TIMEOUT 5
'' ATE0
OK 'AT\c'
'' '\dI3'
OK ''
EOF_
  compare escapes 0
  for how in chat stdio dev; do
    grep -qF 'ttyUSB0 command "ATI3"' "$tmp/escapes.$how.log"
    run grep -F 'ttyUSB0 command "AT"' "$tmp/escapes.$how.log"
    assert_failure
  done
}

@test "REPORT with several strings and an ABORT that ends the script (exit 5)" {
  script reports <<'EOF_'
REPORT CONNECT
REPORT 'NO CARRIER'
ABORT BUSY
ABORT 'NO CARRIER'
TIMEOUT 5
'' AT
OK ATD777
CONNECT hello
XXX ''
EOF_
  compare reports 5 --number '777 script expect hello send bye hangup'
  run report_words "$tmp/reports.chat.rep"
  assert_line 'CONNECT 115200'
}

@test "TIMEOUT 3000000 (34 days) is a long wait, not an expect that fails at once (exit 0)" {
  script longwait <<'EOF_'
TIMEOUT 3000000
'' AT
OK ATI
OK ''
EOF_
  compare longwait 0
}

@test "a 1024-byte expect string after other input matches in both (exit 0)" {
  # chat's limit is 1024 bytes; the modem says 1000 other bytes first
  local other long
  other=$(printf 'x%.0s' $(seq 1000))
  long=$(printf 'abcdefghijklmnopqrstuvwxyz%.0s' $(seq 40) | head -c 1024)
  printf "TIMEOUT 5\n'' ATI\n%s ''\n" "$long" | script longexpect
  compare longexpect 0 --ati "$other" --ati "$long"
}

@test "an expect string over 1024 bytes is a bad script for both (exit 1)" {
  # as words: chat reads script files in lines of at most 1023 bytes
  local long
  long=$(printf 'y%.0s' $(seq 1025))
  run timeout 20 "$HSLAB" --transcript "$tmp/chat.log" -- sh -c \
    '"$CHAT" -t 5 "" ATI "$1" "" </dev/ttyUSB0 >/dev/ttyUSB0' sh "$long"
  [ "$status" -eq 1 ] || { echo "chat: $status $output"; return 1; }
  run timeout 20 "$HSLAB" --transcript "$tmp/dev.log" -- \
    "$HSDIAL" -d /dev/ttyUSB0 -t 5 -- '' ATI "$long" ''
  [ "$status" -eq 1 ] || { echo "hsdial: $status $output"; return 1; }
  assert_output --partial "expect string longer than 1024 bytes"
}
