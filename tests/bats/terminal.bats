#!/usr/bin/env bats
# terminal.bats - hsdial as a terminal, driven as a person would drive it:
# tmux runs it on a real pty under the lab (send-keys types, capture-pane
# reads the screen). A call shows the far end's text once (raw keys, no
# local echo), the escape key's commands act on the line (the lab's
# transcript shows the break, DTR, the baud), C-a C-x, SIGTERM and SIGHUP
# each hang up and give the tty back as found (stty -g before equals
# after), and a console port (no number) works the same. Every wait has a
# deadline; the tmux server is ours and ends with the test.
load helper

setup() {
  lab_setup
  command -v tmux >/dev/null || skip "tmux not installed"
  tmp=$BATS_TEST_TMPDIR
  export HS_LOCK_DIR="$tmp/lock"
  mkdir -p "$HS_LOCK_DIR"
  HSDIAL=$BUILD_DIR/hsdial
  SOCK=$tmp/tmux.sock
}

teardown() {
  tmux -S "$SOCK" kill-server 2>/dev/null || true
}

# term [LAB OPTIONS...] -- HSDIAL ARGS...: start hsdial in the lab in a
# tmux pane (100x30); the pane's shell keeps stty -g before and after
# in $tmp/before and $tmp/after, the exit status in $tmp/rc, hsdial's
# pid in $tmp/pid, and stays (for the screen) until the test ends.
term() {
  local lab=() a
  while [ "$1" != -- ]; do lab+=("$1"); shift; done
  shift
  {
    echo 'stty -g >"$1/before"'
    printf '%q ' "$HSLAB" --transcript "$T" "${lab[@]}" -- sh -c 'echo $$ >"$0/pid"; exec "$@"' \
      "$tmp" "$HSDIAL" "$@"
    # TERM_ERR: stderr to that file, not the screen
    [ -z "${TERM_ERR:-}" ] || printf '2>%q' "$TERM_ERR"
    echo
    echo 'echo $? >"$1/rc.part"; stty -g >"$1/after"; mv "$1/rc.part" "$1/rc"'
    echo 'exec sleep 3600'
  } >"$tmp/pane.sh"
  tmux -S "$SOCK" -f /dev/null new-session -d -s t -x 100 -y 30 "sh $tmp/pane.sh $tmp"
  wait_screen "${TERM_READY:-escape key C-[a-z]}"
}

# again: a fresh pane for the next term (the last one's server ends)
again() {
  tmux -S "$SOCK" kill-server
  rm -f "$tmp/rc" "$tmp/before" "$tmp/after"
}

screen() { tmux -S "$SOCK" capture-pane -p -t t; }
keys() { tmux -S "$SOCK" send-keys -t t "$@"; }

# wait_screen REGEX [SECS]: the screen shows REGEX within SECS (10)
wait_screen() {
  wait_until "${2:-10}" sh -c 'tmux -S "$0" capture-pane -p -t t | grep -Eq -- "$1"' "$SOCK" "$1" ||
    { screen; return 1; }
}

# ended STATUS: hsdial ended with STATUS and the tty is as it was
ended() {
  wait_until 30 test -e "$tmp/rc" || { screen; return 1; }
  screen
  [ "$(cat "$tmp/rc")" = "$1" ] || { echo "exit $(cat "$tmp/rc"), want $1"; return 1; }
  cmp "$tmp/before" "$tmp/after"
}

# count REGEX: how many screen lines match
count() { screen | grep -Ec -- "$1" || true; }

@test "a call: the far end's text once, C-a C-x hangs up and gives the tty back" {
  term -- -d /dev/ttyUSB0 5551234
  keys 'hello there' Enter
  # the loopback far end sends it back; no local or tty echo doubles it
  wait_for "$T" 'rx "hello there\\r"'
  wait_screen 'hello there'
  [ "$(count 'hello there')" = 1 ]
  keys C-a C-x
  ended 0
  # raw keys: Enter went out as CR, not LF; the call was hung up
  grep -qF 'ttyUSB0 rx "hello there\r"' "$T"
  grep -Eq 'ttyUSB0 (host DTR=0|command "ATH0?")' "$T"
  screen | grep -q 'hung up after .* (quit)'
}

@test "SIGTERM and SIGHUP end the call, hang up and give the tty back" {
  term -- -d /dev/ttyUSB0 5551234
  kill -TERM "$(cat "$tmp/pid")"
  ended 143
  grep -Eq 'ttyUSB0 (host DTR=0|command "ATH0?")' "$T"
  again
  rm -f "$T"
  term -- -d /dev/ttyUSB0 5551234
  kill -HUP "$(cat "$tmp/pid")"
  ended 129
  grep -Eq 'ttyUSB0 (host DTR=0|command "ATH0?")' "$T"
}

@test "C-a C-b sends a break the lab sees; C-a C-u, C-a C-v, C-a C-t act on the line" {
  term -- -d /dev/ttyUSB0 5551234
  keys C-a C-b
  wait_screen 'break sent'
  wait_for "$T" 'ttyUSB0 break off'
  grep -q 'ttyUSB0 break on' "$T"
  keys C-a C-u
  wait_screen 'baud: 19200'
  keys C-a C-v
  wait_screen '/dev/ttyUSB0: 19200 8N1, flow none'
  wait_screen 'DTR=1 RTS=1 CTS=1 DSR=1 DCD=1 RI=0'
  wait_for "$T" 'ttyUSB0 line speed=19200 '
  # DTR down: the modem (&D2) hangs up, and the call is over
  keys C-a C-t
  wait_screen 'DTR down'
  ended 3
  grep -q 'ttyUSB0 host DTR=0' "$T"
  screen | grep -q 'the carrier was lost'
}

@test "a console port (no number): no AT of its own, keys as typed, C-a C-x quits" {
  term -- -d /dev/ttyUSB0 --terminal
  keys 'ATI' Enter
  wait_screen 'HSLAB Hayes-compatible modem'
  # the modem's own echo, once; hsdial sent nothing of its own
  [ "$(count '^ATI')" = 1 ]
  run sh -c "grep ' ttyUSB0 command ' '$T' | sed 's/.* command //'"
  assert_output '"ATI"'
  keys C-a C-x
  ended 0
  screen | grep -q 'left /dev/ttyUSB0 (quit); bytes sent 4, received'
  # --json: one answer, on stderr as for a call
  again
  TERM_ERR=$tmp/err term -- -d /dev/ttyUSB0 --terminal --json
  keys 'AT' Enter
  wait_screen '^OK'
  keys C-a C-x
  ended 0
  json_valid hsdial "$(cat "$tmp/err")"
  run cat "$tmp/err"
  assert_output '{"ok":true,"mode":"terminal","exit":0,"device":"/dev/ttyUSB0","ended":"quit","sent":3,"received":9}'
}

@test "C-a C-p hangs up and stays; the escape key twice sends it; help; another escape key" {
  term -- -d /dev/ttyUSB0 --escape b 5551234
  keys C-b C-h
  wait_screen 'escape key C-b, then:'
  keys C-b C-z
  wait_screen 'C-z: no such command \(C-b C-h: help\)'
  keys C-b C-b
  wait_for "$T" 'rx "\\x02"'
  keys C-b C-p
  wait_screen 'hung up; the line stays open'
  # back in command mode: the modem answers
  keys 'AT' Enter
  wait_screen '^OK'
  keys C-b C-x
  ended 0
  # hung up once, by C-b C-p
  [ "$(grep -Ec 'ttyUSB0 state NO-CARRIER|ttyUSB0 command "ATH0?"' "$T")" -le 1 ]
}

@test "--omap and --imap map as picocom does; --no-terminal keeps a pipe" {
  term -- -d /dev/ttyUSB0 --omap crcrlf --imap crlf 5551234
  keys 'map' Enter
  # out: CR became CR LF; back: the loopback's CR shown as LF
  wait_for "$T" 'rx "map\\r\\n"'
  keys C-a C-x
  ended 0
  # a pipe on the terminal, as before: cooked, lines out with LF, EOF ends
  again
  TERM_READY='connected to 5551234' term -- -d /dev/ttyUSB0 --no-terminal 5551234
  keys 'cooked' Enter
  wait_for "$T" 'rx "cooked\\n"'
  keys C-d
  ended 0
  run "$HSDIAL" -d /dev/ttyUSB0 --imap nosuch 1
  assert_failure 64
  assert_output --partial "--imap takes crlf, crcrlf, igncr, lfcr, lfcrlf, ignlf, bsdel, delbs"
  run "$HSDIAL" -d /dev/ttyUSB0 --escape 7 1
  assert_failure 64
  run "$HSDIAL" -d /dev/ttyUSB0 --terminal --at AT
  assert_failure 64
}

@test "--log --timestamps: each line the far end sent, once, with its time; appended" {
  term -- -d /dev/ttyUSB0 --terminal --log "$tmp/session.log" --timestamps
  keys 'ATI' Enter
  wait_screen '^OK'
  keys C-a C-x
  ended 0
  cat -A "$tmp/session.log"
  # every line starts with its time; the modem's reply, each line once
  run grep -cvE '^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\] ' "$tmp/session.log"
  assert_output 0
  [ "$(grep -c 'HSLAB Hayes-compatible modem' "$tmp/session.log")" = 1 ]
  [ "$(grep -c '\] OK' "$tmp/session.log")" = 1 ]
  [ "$(grep -c '\] ATI' "$tmp/session.log")" = 1 ]
  # a second session appends
  again
  term -- -d /dev/ttyUSB0 --terminal --log "$tmp/session.log" --timestamps
  keys 'ATI' Enter
  wait_screen '^OK'
  keys C-a C-x
  ended 0
  [ "$(grep -c 'HSLAB Hayes-compatible modem' "$tmp/session.log")" = 2 ]
}

@test "--log on a pipe: exactly the bytes the call gave stdout" {
  head -c 20000 /dev/urandom | base64 >"$tmp/in"
  run timeout 60 "$HSLAB" --transcript "$T" -- sh -c \
    '"$0" -d /dev/ttyUSB0 -q --log "$1/pipe.log" 5551234 <"$1/in" >"$1/out"' "$HSDIAL" "$tmp"
  assert_success
  [ -s "$tmp/out" ]
  cmp "$tmp/out" "$tmp/pipe.log"
  cmp "$tmp/in" "$tmp/out"
  run "$HSDIAL" -d /dev/ttyUSB0 --log /nonexistent/dir/x.log 1
  assert_failure 73
  assert_output --partial "cannot open the log /nonexistent/dir/x.log"
  run "$HSDIAL" -d /dev/ttyUSB0 --timestamps 1
  assert_failure 64
}

@test "C-a C-s sends a file with ZMODEM to the far end's rz, sha256-equal; a wrong name says so" {
  mkdir -p "$tmp/far"
  head -c 20000 /dev/urandom >"$tmp/fw.bin"
  term --port 'ttyUSB0 program' --program "cd '$tmp/far' && exec rz" -- \
    -d /dev/ttyUSB0 --terminal
  # a name that is no file: said, and the terminal goes on
  keys C-a C-s
  wait_screen 'send with zmodem, file:'
  keys "$tmp/none" Enter
  wait_screen "none: not sent: .*$tmp/none"
  keys C-a C-s
  wait_screen 'send with zmodem, file: .*'
  # BS erases what was typed
  keys x BSpace "$tmp/fw.bin" Enter
  wait_screen 'fw.bin: 20000 bytes sent and confirmed by the receiver' 60
  wait_until 30 test -s "$tmp/far/fw.bin"
  cmp "$tmp/fw.bin" "$tmp/far/fw.bin"
  keys C-a C-x
  ended 0
}

@test "C-a C-s with --send-protocol ymodem: to the far end's rb, sha256-equal" {
  mkdir -p "$tmp/far"
  head -c 5000 /dev/urandom >"$tmp/log.bin"
  term --port 'ttyUSB0 program' --program "cd '$tmp/far' && exec rb -t 100" -- \
    -d /dev/ttyUSB0 --terminal --send-protocol ymodem
  keys C-a C-s
  wait_screen 'send with ymodem, file:'
  keys "$tmp/log.bin" Enter
  wait_screen 'log.bin: 5000 bytes sent and confirmed by the receiver' 60
  wait_until 30 test -s "$tmp/far/log.bin"
  cmp "$tmp/log.bin" "$tmp/far/log.bin"
  keys C-a C-x
  ended 0
}
