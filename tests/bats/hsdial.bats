#!/usr/bin/env bats
# hsdial.bats - hsdial's chat mode: options, exit codes as chat's, errors
# that name the device, and the pppd way of handing over the line. Then
# the modem modes against the lab's Hayes modem: dial and answer with the
# bytes passed exactly, every failed-call exit code, echo, V0, Q1, caller
# ID, both hang-ups, deadlines, --at, --identify, --exec and --json
# (carrier loss and a silent modem are rows of the fault matrix,
# faults_modem.bats). Tests wait on the lab's transcript, never on fixed
# sleeps.
load helper

setup() {
  tmp=$(mktemp -d)
  export HS_LOCK_DIR="$tmp"
  HSDIAL=$BUILD_DIR/hsdial
  T=$tmp/transcript
  : >"$tmp/in"
}

teardown() {
  [ -n "${PTY_PID:-}" ] && kill "$PTY_PID" 2>/dev/null
  rm -rf "$tmp"
}

@test "--help and --version" {
  run timeout 30 "$HSDIAL" --help
  assert_success
  assert_line --partial "--chat FILE"
  run timeout 30 "$HSDIAL" --version
  assert_success
  assert_output --regexp '^hsdial \(handshake\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "no script is a usage error" {
  run timeout 30 "$HSDIAL" -d /dev/null
  assert_failure 64
  assert_output --partial "hsdial: say what to run"
}

@test "a missing device is an I/O error that names it" {
  run timeout 30 "$HSDIAL" -d /dev/ttyUSB-absent -- '' AT OK
  assert_failure 2
  assert_output --partial "/dev/ttyUSB-absent does not exist"
}

@test "a bad URI says what is wrong with it" {
  run timeout 30 "$HSDIAL" -d 'serial:/dev/ttyS0?parity=q' -- '' AT OK
  assert_failure 2
  assert_output --partial "bad parity 'q'"
}

@test "an unterminated quote in a script file is exit 1" {
  printf "'' ATZ\nOK 'ATDT\n" > "$tmp/script"
  run timeout 30 "$HSDIAL" -d /dev/null --chat "$tmp/script"
  assert_failure 1
  assert_output --partial "line 2: unterminated quote"
}

@test "script words run on a line: expect what the far end echoes" {
  start_echo_pty "$tmp/tty" cat
  run timeout 30 "$HSDIAL" -d "$tmp/tty" -- '' 'hello' 'hello' ''
  assert_success
}

@test "ABORT strings give chat's exit codes, counting from 4" {
  start_echo_pty "$tmp/tty" cat
  run timeout 30 "$HSDIAL" -d "$tmp/tty" -- ABORT BUSY ABORT 'NO CARRIER' '' 'NO CARRIER' OK
  assert_failure 5
  assert_output --partial "aborted on 'NO CARRIER'"
}

@test "an expect that never comes is exit 3 after the timeout" {
  start_echo_pty "$tmp/tty" cat
  run timeout 30 "$HSDIAL" -d "$tmp/tty" -t 1 -- '' 'hello' 'CONNECT'
  assert_failure 3
  assert_output --partial "'CONNECT' did not arrive within 1 s"
}

@test "a script from a file, with a phone number and REPORT, into a report file" {
  start_echo_pty "$tmp/tty" cat
  cat > "$tmp/script" <<'SCRIPT'
# dial: the far end echoes, so expect our own words (\T is for sends only)
REPORT ATDT
'' ATDT\T
5551234 ''
SCRIPT
  run timeout 30 "$HSDIAL" -d "$tmp/tty" -T 5551234 -r "$tmp/report" --chat "$tmp/script"
  assert_success
  run cat "$tmp/report"
  assert_output --regexp '^chat:  [A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} ATDT5551234$'
}

@test "with no -d the line is stdin and stdout, as pppd hands it over" {
  start_echo_pty "$tmp/tty" cat
  # chat's -v log, on stderr with -s (and -S: not to syslog)
  run timeout 30 sh -c "'$HSDIAL' -v -s -S -- '' ping ping '' <'$tmp/tty' >'$tmp/tty'"
  assert_success
  assert_line "send (ping^M)"
  assert_line "expect (ping)"
}

@test "a port held by another program is reported with its pid" {
  start_echo_pty "$tmp/tty" cat
  real=$(readlink -f "$tmp/tty")
  printf '%10d\n' "$PTY_PID" > "$tmp/LCK..pts_${real##*/}"
  run timeout 30 "$HSDIAL" -d "$tmp/tty" -- '' AT OK
  assert_failure 2
  assert_output --partial "is locked by pid $PTY_PID (socat)"
}

# ---- modem modes, against the lab ----------------------------------------

# lab LAB-OPTION... -- HSDIAL-ARGUMENT...: hsdial on the lab modem
# (/dev/ttyUSB0), stdin from $tmp/in, stdout into $tmp/out (the call's
# bytes, compared with cmp), stderr into $tmp/err; sets status. The lab
# and hsdial are killed after 60 s (status 124): a hang fails the test.
lab() {
  local opts=()
  [ -x "$HSLAB" ] || skip "hslab not built ($HSLAB)"
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  status=0
  timeout 60 "$HSLAB" --transcript "$T" "${opts[@]}" -- "$HSDIAL" -d /dev/ttyUSB0 "$@" \
    <"$tmp/in" >"$tmp/out" 2>"$tmp/err" || status=$?
}

# span FIRST LAST: seconds from the first transcript line matching the
# regex FIRST to the next one matching LAST.
span() {
  awk -v a="$1" -v b="$2" '!s && $0 ~ a { s = $1; next }
    s && $0 ~ b { printf "%.6f\n", $1 - s; exit }' "$T"
}

# in_order REGEX...: the transcript's events that match any REGEX come
# in exactly this order, one each (each REGEX anchored at the line end)
in_order() {
  local all i=0
  all=$(IFS='|'; echo "$*")
  run grep -E "ttyUSB0 ($all)\$" "$T"
  for re in "$@"; do
    assert_line --index $i --regexp "ttyUSB0 $re\$"
    i=$((i + 1))
  done
  [ "${#lines[@]}" -eq "$#" ] || { echo "$output" >&2; return 1; }
}

# within X LOW HIGH: LOW <= X < HIGH, for seconds
within() {
  awk -v x="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x >= lo && x < hi) }' ||
    { echo "$1 is not in [$2, $3)" >&2; return 1; }
}

@test "dial: the loopback far end's bytes come back byte-exact, then it hangs up" {
  printf 'hello\r\nworld\0\377\001 +++ AT\r\n' >"$tmp/in"
  lab -- 5551234
  [ "$status" -eq 0 ]
  cmp "$tmp/in" "$tmp/out"
  grep -qF 'ttyUSB0 rx "hello\r\nworld\x00\xFF\x01 +++ AT\r\n"' "$T"
  run cat "$tmp/err"
  assert_line --index 0 'hsdial: connected to 5551234 on /dev/ttyUSB0 (115200 bps)'
  assert_line --index 1 --regexp '^hsdial: hung up after [0-9]+\.[0-9] s \(eof\); bytes sent 24, received 24$'
  grep -qF 'ttyUSB0 command "ATD5551234"' "$T"
}

@test "dial: a scripted far end's bytes both ways, exact; its hang-up is exit 3" {
  printf 'hello\r' >"$tmp/in"
  # a long linger: the far end's hang-up, not stdin's end, ends the call
  lab --number '777 script expect "hello\r" send "world\r\n" hangup' -- --tone --linger 10000 777
  [ "$status" -eq 3 ]
  printf 'world\r\n' | cmp - "$tmp/out"
  grep -qF 'ttyUSB0 command "ATDT777"' "$T"
  grep -qF 'ttyUSB0 peer-got "hello\r"' "$T"
  run grep -c 'ttyUSB0 rx "hello' "$T"
  assert_output 1
  run cat "$tmp/err"
  assert_line --index 1 --regexp '^hsdial: the carrier was lost after [0-9.]+ s; bytes sent 6, received 7$'
}

@test "BUSY is exit 2" {
  lab --number '5550000 busy' -- 555-0000
  [ "$status" -eq 2 ]
  run cat "$tmp/err"
  # the number as given: the modem ignores the '-'
  assert_output 'hsdial: /dev/ttyUSB0: ATD555-0000: BUSY (the line called is busy)'
  [ ! -s "$tmp/out" ]
}

@test "NO CARRIER (an X0 modem's unanswered call) is exit 3" {
  lab --number '1 noanswer' -- --init ATX0S7=1 1
  [ "$status" -eq 3 ]
  run cat "$tmp/err"
  assert_output 'hsdial: /dev/ttyUSB0: ATD1: NO CARRIER'
  grep -qF 'ttyUSB0 tx "\r\nNO CARRIER\r\n"' "$T"
}

@test "NO DIALTONE is exit 4" {
  lab --number '1 nodialtone' -- 1
  [ "$status" -eq 4 ]
  run cat "$tmp/err"
  assert_output 'hsdial: /dev/ttyUSB0: ATD1: NO DIALTONE (is the phone line plugged in?)'
}

@test "NO ANSWER is exit 5" {
  lab --number '1 noanswer' -- --init ATS7=1 1
  [ "$status" -eq 5 ]
  run cat "$tmp/err"
  assert_output 'hsdial: /dev/ttyUSB0: ATD1: NO ANSWER'
}

@test "echo on (ATE1 in an init): the echo is stripped, the data exact" {
  printf 'ping\n' >"$tmp/in"
  lab -- --init ATE1 --pulse 42
  [ "$status" -eq 0 ]
  cmp "$tmp/in" "$tmp/out"
  # the modem did echo the dial command
  grep -qF 'ttyUSB0 tx "ATDP42\r"' "$T"
}

@test "echo off (the default init): the modem echoes nothing" {
  printf 'ping\n' >"$tmp/in"
  lab -- 42
  [ "$status" -eq 0 ]
  cmp "$tmp/in" "$tmp/out"
  run grep -F 'ttyUSB0 tx "ATD42\r"' "$T"
  assert_failure
}

@test "V0 numeric results: CONNECT and BUSY understood" {
  printf 'num\n' >"$tmp/in"
  lab -- --init ATV0 1
  [ "$status" -eq 0 ]
  cmp "$tmp/in" "$tmp/out"
  grep -qF 'ttyUSB0 tx "19\r"' "$T"
  run cat "$tmp/err"
  assert_line --index 0 'hsdial: connected to 1 on /dev/ttyUSB0 (115200 bps)'
  lab --number '2 busy' -- --init ATV0 2
  [ "$status" -eq 2 ]
  grep -qF 'ttyUSB0 tx "7\r"' "$T"
}

@test "Q1 (no result codes): DCD says the call is up" {
  printf 'quiet\n' >"$tmp/in"
  lab -- --init ATQ1 1
  [ "$status" -eq 0 ]
  cmp "$tmp/in" "$tmp/out"
  run grep -F 'CONNECT 115200\r' "$T"
  assert_failure
  run cat "$tmp/err"
  assert_line --index 0 'hsdial: connected to 1 on /dev/ttyUSB0 (unknown speed)'
}

@test "--answer: caller ID reported, answered after 2 rings, bytes both ways" {
  printf 'bye' >"$tmp/in"
  lab --ring-interval 0.3 --ring '0.2 5551212 "JOHN DOE"' \
    --number '5551212 script send "hello modem\r\n" expect bye hangup' \
    -- --answer --rings 2 --linger 10000
  [ "$status" -eq 3 ]
  printf 'hello modem\r\n' | cmp - "$tmp/out"
  grep -qF 'ttyUSB0 peer-got "bye"' "$T"
  run cat "$tmp/err"
  assert_line --index 0 --regexp '^hsdial: call from 5551212 \(JOHN DOE\) after 2 rings, date [0-9]{4}, time [0-9]{4}$'
  assert_line --index 1 'hsdial: answered the call on /dev/ttyUSB0 (115200 bps)'
  # ATA right after the second RING, never a third
  in_order 'state RING 1' 'state RING 2' 'command "ATA"'
}

@test "--answer --json: the caller ID fields" {
  # caller ID comes between the first and the second RING
  lab --ring-interval 0.3 --ring '0.2 5551212 "JOHN \"J\" DOE"' -- --answer --rings 2 --json
  [ "$status" -eq 0 ]
  run cat "$tmp/err"
  json_valid hsdial
  assert_output --regexp '^\{"ok":true,"mode":"answer","exit":0,"device":"/dev/ttyUSB0","driver":"[a-z0-9]+","number":null,"result":"CONNECT","speed":115200,'
  assert_output --regexp '"caller":\{"rings":2,"number":"5551212","name":"JOHN \\"J\\" DOE","date":"[0-9]{4}","time":"[0-9]{4}","mesg":""\}'
  assert_output --regexp '"ended":"eof","sent":0,"received":0,"hangup":"ok","timings":\{"setup_ms":[0-9]+,"wait_ms":[0-9]+,"call_ms":[0-9]+,"hangup_ms":[0-9]+,"total_ms":[0-9]+\}\}$'
}

@test "--answer with no call times out at the deadline: exit 6" {
  lab -- --answer --timeout 1
  [ "$status" -eq 6 ]
  run cat "$tmp/err"
  assert_output --regexp '^hsdial: /dev/ttyUSB0: no call within [0-9]+ ms$'
  within "$(span 'rx "AT.r"' 'lab exit')" 0.95 1.3
}

@test "+++ hang-up honours S12 (guard time set by an init)" {
  printf 'data' >"$tmp/in"
  lab -- --hangup-by escape --init ATS12=25 1
  [ "$status" -eq 0 ]
  cmp "$tmp/in" "$tmp/out"
  # S12=25 is 0.5 s of silence before "+++", and the modem (which checks
  # the silence after it too) escaped; the default 1 s was not used
  within "$(span 'rx "data"' 'rx "\\+\\+\\+"')" 0.5 0.9
  grep -q 'ttyUSB0 state ONLINE-COMMAND escape$' "$T"
  # DTR stayed up until the port was closed
  in_order 'rx "\+\+\+"' 'state ONLINE-COMMAND escape' 'command "ATH0"' 'dev DCD=0' \
    'host DTR=0 RTS=0'
  run grep 'ttyUSB0 host DTR=0$' "$T"
  assert_failure
}

@test "DTR hang-up: host DTR=0, then DCD=0, no +++" {
  printf 'x' >"$tmp/in"
  lab -- --hangup-by dtr 1
  [ "$status" -eq 0 ]
  in_order 'host DTR=1 RTS=1' 'dev DCD=1' 'host DTR=0' 'dev DCD=0' 'state NO-CARRIER DTR' \
    'host DTR=1' 'host DTR=0 RTS=0'
  run grep -F '+++' "$T"
  assert_failure
}

@test "a dial that never ends is abandoned at the deadline: exit 6" {
  lab --number '1 noanswer' -- --init ATS7=60 --timeout 2 1
  [ "$status" -eq 6 ]
  run cat "$tmp/err"
  assert_output --regexp '^hsdial: /dev/ttyUSB0: no answer to ATD1 within [0-9]+ ms; call abandoned$'
  grep -q 'ttyUSB0 state COMMAND dial aborted$' "$T"
  # at the 2 s deadline, not the modem's 60 s S7; the upper margin is
  # for a machine at load 4 on 2 cores
  within "$(span 'rx "AT.r"' 'state COMMAND dial aborted')" 1.95 4
}

@test "an abandoned dial's abort reaches the modem before the port is closed" {
  # a line at 300 baud, each byte a character time on it (--uart paced):
  # closing the port (which discards what the UART still holds) right
  # after writing the abort would lose it
  [ -x "$HSLAB" ] || skip "hslab not built ($HSLAB)"
  status=0
  timeout 60 "$HSLAB" --transcript "$T" --uart paced --number '1 noanswer' -- \
    "$HSDIAL" -d 'serial:/dev/ttyUSB0?baud=300' --init ATS7=60 --timeout 3 1 \
    2>"$tmp/err" || status=$?
  [ "$status" -eq 6 ]
  grep -q 'ttyUSB0 state COMMAND dial aborted$' "$T"
  # whatever hsdial discarded at the end, the abort was not among it
  run grep -E 'ttyUSB0 flush output [1-9]' "$T"
  assert_failure
}

@test "--at prints the reply's lines and the result; ERROR is exit 1" {
  lab --ati 'HSLAB TEST MODEM' --ati 'REV 1' -- --at ATI
  [ "$status" -eq 0 ]
  printf 'HSLAB TEST MODEM\nREV 1\nOK\n' | cmp - "$tmp/out"
  lab -- --at ATX9
  [ "$status" -eq 1 ]
  printf 'ERROR\n' | cmp - "$tmp/out"
  run cat "$tmp/err"
  assert_output 'hsdial: /dev/ttyUSB0: the modem answered ERROR to ATX9'
}

@test "--at --json escapes device text" {
  lab --ati 'SAYS "HI" \\ THERE' -- --at ATI0 --json
  [ "$status" -eq 0 ]
  run cat "$tmp/out"
  json_valid hsdial
  assert_output '{"ok":true,"mode":"at","exit":0,"device":"/dev/ttyUSB0","command":"ATI0","lines":["SAYS \"HI\" \\ THERE"],"result":"OK","final":"OK","code":-1}'
}

@test "--identify and --identify --json" {
  lab --ati 'HSLAB TEST MODEM' --ati 'REV 1' -- --driver hayes --identify
  [ "$status" -eq 0 ]
  run cat "$tmp/out"
  assert_line --index 0 'device: /dev/ttyUSB0'
  assert_line --index 1 'driver: hayes'
  assert_line 'ATI0: HSLAB TEST MODEM; REV 1'
  lab --ati 'HSLAB TEST MODEM' -- --identify --json
  [ "$status" -eq 0 ]
  run cat "$tmp/out"
  json_valid hsdial
  assert_output --regexp '^\{"ok":true,"mode":"identify","exit":0,"device":"/dev/ttyUSB0","driver":"[a-z0-9]+","manufacturer":"[^"]*","model":"[^"]*","revision":"[^"]*","serial":"[^"]*","ati":\["HSLAB TEST MODEM"(,"HSLAB TEST MODEM")*\]\}$'
}

@test "--json for a dial: result, speed, protocol, bytes, timings" {
  printf 'abc' >"$tmp/in"
  lab --connect-speed 33600 -- --json 1
  [ "$status" -eq 0 ]
  run cat "$tmp/err"
  json_valid hsdial
  assert_output --regexp '^\{"ok":true,"mode":"dial","exit":0,"device":"/dev/ttyUSB0","driver":"[a-z0-9]+","number":"1","result":"CONNECT","speed":33600,"carrier":0,"suffix":"","protocol":"","compression":"","modulation":"","ended":"eof","sent":3,"received":3,"hangup":"ok","timings":\{"setup_ms":[0-9]+,"dial_ms":[0-9]+,"call_ms":[0-9]+,"hangup_ms":[0-9]+,"total_ms":[0-9]+\}\}$'
  lab --number '1 busy' -- --json 1
  [ "$status" -eq 2 ]
  run cat "$tmp/err"
  json_valid hsdial
  assert_output --regexp '^\{"ok":false,"mode":"dial","exit":2,.*"result":"BUSY",.*"ended":null,.*"error":\{"code":-18,"name":"HS_ERR_LINE_BUSY","message":"/dev/ttyUSB0: ATD1: BUSY \(the line called is busy\)"\}\}$'
}

@test "--exec: the program talks to the far end; its status is hsdial's" {
  [ -x "$HSLAB" ] || skip "hslab not built ($HSLAB)"
  cat >"$tmp/prog" <<'PROG'
#!/bin/sh
# answer the far end's prompt, report what it said
IFS= read -r prompt
printf 'guest\r'
IFS= read -r reply
printf '%s|%s\n' "$prompt" "$reply" >&2
exit 7
PROG
  chmod +x "$tmp/prog"
  lab --number '7 script send "login:\n" expect "guest\r" send "welcome\n"' -- --exec 7 "$tmp/prog" arg
  [ "$status" -eq 7 ]
  grep -qF 'ttyUSB0 peer-got "guest\r"' "$T"
  run cat "$tmp/err"
  assert_line 'login:|welcome'
  assert_line --regexp '^hsdial: hung up after [0-9.]+ s \(program-exited\); bytes sent 6, received 15$'
  assert_line "hsdial: $tmp/prog exited with status 7"
  grep -q 'ttyUSB0 state NO-CARRIER DTR$' "$T"
}

@test "--exec: the program does not hold the port (it has stdin and stdout only)" {
  # a port the program kept open would outlive hsdial: no hang-up on close
  lab --number '7 script expect "never"' -- --exec 7 sh -c \
    'for f in /proc/$$/fd/*; do readlink "$f"; done >&2'
  [ "$status" -eq 0 ]
  run grep -c -e '^/dev/' "$tmp/err"
  assert_output 0
}

@test "--exec: the carrier going away hangs the program up" {
  lab --number '7 script send "hi\n" hangup' -- --exec 7 sleep 30
  [ "$status" -eq 3 ]
  run cat "$tmp/err"
  assert_line --index 1 --regexp '^hsdial: the carrier was lost after [0-9.]+ s; bytes sent 0, received 3$'
  # SIGHUP, not the 30 s
  assert_line --index 2 'hsdial: sleep exited with status 129'
  within "$(span 'peer-hangup' 'lab exit')" 0 0.5
}

@test "--hangup" {
  lab -- --hangup
  [ "$status" -eq 0 ]
  run cat "$tmp/err"
  assert_output 'hsdial: hung up /dev/ttyUSB0'
}

@test "call-mode usage errors are exit 64" {
  run env -u HS_MODEM timeout 30 "$HSDIAL" 5551234
  assert_failure 64
  assert_output 'hsdial: name the modem with -d URI or $HS_MODEM'
  run timeout 30 "$HSDIAL" -d /dev/null --exec 5551234
  assert_failure 64
  assert_output 'hsdial: --exec needs a PROGRAM to run'
  run timeout 30 "$HSDIAL" -d /dev/null --answer --at AT
  assert_failure 64
  run timeout 30 "$HSDIAL" -d /dev/null --hangup-by wire 1
  assert_failure 64
  assert_output "hsdial: --hangup-by is dtr, escape or both, not 'wire'"
  run timeout 30 "$HSDIAL" -d /dev/null 555 extra
  assert_failure 64
  assert_output "hsdial: unexpected operand 'extra'"
  run timeout 30 "$HSDIAL" -d /dev/null --driver no-such 555
  assert_failure 64
  assert_line --index 0 "hsdial: no modem driver named 'no-such'; there are:"
  assert_line --regexp '^  hayes	Generic Hayes'
}

@test "a missing modem in a call mode is exit 69" {
  run timeout 30 "$HSDIAL" -d /dev/ttyUSB-absent 5551234
  assert_failure 69
  assert_output --partial "/dev/ttyUSB-absent does not exist"
}

@test "SIGTERM during a call hangs up first: exit 143" {
  [ -x "$HSLAB" ] || skip "hslab not built ($HSLAB)"
  mkfifo "$tmp/fifo"
  status=0
  "$HSLAB" --transcript "$T" -- sh -c '
    . "$LAB_WAIT"
    "$1" -d /dev/ttyUSB0 1 <"$2/fifo" >"$2/out" 2>"$2/err" & pid=$!
    exec 3>"$2/fifo"
    # hsdial itself says the call is up (the modem says CONNECT earlier)
    wait_for "$2/err" "^hsdial: connected" 10 || exit 99
    kill -TERM $pid
    wait $pid' sh "$HSDIAL" "$tmp" "$T" || status=$?
  [ "$status" -eq 143 ]
  grep -q 'ttyUSB0 state NO-CARRIER DTR$' "$T"
  run cat "$tmp/err"
  assert_line --index 1 --regexp '^hsdial: hung up after [0-9.]+ s \(signal\); bytes sent 0, received 0$'
}

@test "a far end that never falls quiet after stdin ends is hung up on at --linger-max" {
  # garbage from the far end, forever; stdin is empty
  lab --fault 'garbage after-ms 400' -- --timeout 5 --linger-max 1500 1
  [ "$status" -eq 0 ]
  run cat "$tmp/err"
  assert_line --index 1 --regexp '^hsdial: the far end was still sending 1\.5 s after stdin ended \(--linger-max\); hanging up$'
  assert_line --index 2 --regexp '^hsdial: hung up after [0-9.]+ s \(linger-max\); bytes sent 0, received [0-9]+$'
  grep -q 'ttyUSB0 state NO-CARRIER DTR$' "$T"
  # every byte received before the hang-up was passed on
  received=$(sed -nE 's/.*received ([0-9]+)$/\1/p' "$tmp/err")
  [ "$(wc -c <"$tmp/out")" -eq "$received" ]
}

@test "a device server dials host:port as given; the generic driver refuses it untouched" {
  printf 'ping\r' >"$tmp/in"
  lab --number '127.0.0.1:2323 script expect "ping\r" send "pong\r\n" hangup' -- \
    --driver devserver --tone --linger 10000 127.0.0.1:2323
  [ "$status" -eq 3 ]
  grep -qF 'ttyUSB0 command "ATDT127.0.0.1:2323"' "$T"
  printf 'pong\r\n' | cmp - "$tmp/out"
  # hayes modems take no ':': refused before a byte goes to the modem
  lab -- --tone 127.0.0.1:2323
  [ "$status" -eq 64 ]
  run cat "$tmp/err"
  assert_output "hsdial: hayes driver: number \"127.0.0.1:2323\": ':' is not a dial character (a host or port needs a driver that dials them, such as devserver, or the number sent as is)"
  run grep -F ' rx ' "$T"
  assert_failure
}

@test "--as-is sends the number exactly as given, whatever the driver" {
  printf 'x' >"$tmp/in"
  lab -- --as-is --tone bbs.example:23
  [ "$status" -eq 0 ]
  grep -qF 'ttyUSB0 command "ATDTbbs.example:23"' "$T"
  cmp "$tmp/in" "$tmp/out"
  # still one command: ';' only at its end
  lab -- --as-is 'bbs;H'
  [ "$status" -eq 64 ]
  run cat "$tmp/err"
  assert_output --partial "';' may only end it"
  # a number too long for a command line is the user's, not the modem's
  lab -- "$(head -c 600 /dev/zero | tr '\0' 5)"
  [ "$status" -eq 64 ]
  run cat "$tmp/err"
  assert_output --partial 'the dial string is too long'
  run grep -F ' rx ' "$T"
  assert_failure
}

@test "options may follow NUMBER; everything after --exec's PROGRAM is the program's" {
  [ -x "$HSLAB" ] || skip "hslab not built ($HSLAB)"
  printf 'x' >"$tmp/in"
  status=0
  timeout 60 "$HSLAB" --transcript "$T" -- "$HSDIAL" 5551234 -d /dev/ttyUSB0 --tone \
    <"$tmp/in" >"$tmp/out" 2>"$tmp/err" || status=$?
  [ "$status" -eq 0 ]
  grep -qF 'ttyUSB0 command "ATDT5551234"' "$T"
  cmp "$tmp/in" "$tmp/out"
  # -q and --tone after PROGRAM are its own, not hsdial's
  printf '#!/bin/sh\nprintf "%%s|" "$@" >&2\n' >"$tmp/prog"
  chmod +x "$tmp/prog"
  lab -- 7 --exec "$tmp/prog" -q --tone
  [ "$status" -eq 0 ]
  grep -qF 'ttyUSB0 command "ATD7"' "$T"
  run cat "$tmp/err"
  assert_line --index 1 --regexp '^-q\|--tone\|hsdial: hung up after'
}

@test "an operand where none goes after a mode option is a usage error" {
  run timeout 30 "$HSDIAL" -d /dev/null 555 --answer
  assert_failure 64
  assert_output "hsdial: unexpected operand '555'"
  run timeout 30 "$HSDIAL" -d /dev/null 555 -- '' AT OK
  assert_failure 64
  assert_output "hsdial: unexpected operand ''"
}

# left_up CHAT-INIT HSDIAL-ARGUMENT...: pppd's chat dials 1 (after the
# init command CHAT-INIT) and exits leaving the call up; then hsdial runs
# on the same modem. The far end ($FAR, default one that expects ATH0)
# logs "peer-got" if what it expects reaches it.
left_up() {
  local init=$1
  shift
  CHAT=$(command -v chat || echo /usr/sbin/chat)
  [ -x "$CHAT" ] || skip "pppd's chat not installed (Debian: ppp)"
  [ -x "$HSLAB" ] || skip "hslab not built ($HSLAB)"
  status=0
  timeout 60 "$HSLAB" --transcript "$T" --number "1 ${FAR:-script expect ATH0}" -- sh -c '
    "$1" -t 5 "" "$2" OK ATDT1 CONNECT "" </dev/ttyUSB0 >/dev/ttyUSB0 || exit 99
    shift 2
    exec "$@"' sh "$CHAT" "$init" "$HSDIAL" -d /dev/ttyUSB0 "$@" \
    >"$tmp/out" 2>"$tmp/err" || status=$?
}

@test "--hangup on a call another program left up escapes first: +++, then ATH0" {
  left_up 'AT&D0' --hangup-by escape --hangup
  [ "$status" -eq 0 ]
  in_order 'state CONNECT 115200' 'rx "\+\+\+"' 'state ONLINE-COMMAND escape' \
    'command "ATH0"' 'state COMMAND ATH'
  run grep -F 'peer-got' "$T"
  assert_failure
  run cat "$tmp/err"
  assert_output 'hsdial: hung up /dev/ttyUSB0'
}

@test "--hangup (default) on a call left up: DCD stays up when DTR drops, so the escape follows" {
  # &D0: the modem ignores DTR (so chat's closing the port, which drops
  # DTR, left the call up too), DCD stays up: escape, then ATH0
  left_up 'AT&D0' --hangup
  [ "$status" -eq 0 ]
  in_order 'state CONNECT 115200' 'host DTR=0' 'rx "\+\+\+"' 'state ONLINE-COMMAND escape' \
    'command "ATH0"' 'state COMMAND ATH'
  run grep -F 'peer-got' "$T"
  assert_failure
}

@test "--at and --identify on a call another program left up escape first: nothing reaches the far end" {
  # the far end logs peer-got if any of hsdial's AT commands reach it
  for mode in '--at ATI' --identify; do
    FAR='script expect AT' left_up 'AT&D0' $mode
    [ "$status" -eq 0 ] || { cat "$tmp/err"; return 1; }
    in_order 'state CONNECT 115200' 'rx "\+\+\+"' 'state ONLINE-COMMAND escape'
    run grep -F 'peer-got' "$T"
    assert_failure
    grep -q 'ttyUSB0 command "ATI' "$T"
    run cat "$tmp/err"
    assert_output 'hsdial: /dev/ttyUSB0 was in a call another program left up: escaped to command mode; the call is still up (hsdial --hangup ends it)'
  done
}

@test "--at on an idle modem whose DCD is low sends no escape" {
  lab -- --at AT
  [ "$status" -eq 0 ]
  run grep -F '+++' "$T"
  assert_failure
}

@test "NO CARRIER in pieces on a line whose DCD says nothing (&C0) ends the call: exit 3, none of it is data" {
  [ -x "$HSLAB" ] || skip "hslab not built ($HSLAB)"
  # stdin stays open (a FIFO the shell holds): only NO CARRIER can end
  # the call; the modem splits every response at random points
  mkfifo "$tmp/fifo"
  for seed in 1 2 3 4 5; do
    status=0
    timeout 60 "$HSLAB" --transcript "$T" --split-results "$seed" \
      --number '1 script send "data\r\n" hangup' -- sh -c '
      "$1" -d /dev/ttyUSB0 --init "AT&C0" 1 <"$2/fifo" >"$2/out" 2>"$2/err" & pid=$!
      exec 3>"$2/fifo"
      wait $pid' sh "$HSDIAL" "$tmp" || status=$?
    [ "$status" -eq 3 ] || { echo "seed $seed: status $status"; cat "$T" "$tmp/err"; return 1; }
    printf 'data\r\n' | cmp - "$tmp/out" || { echo "seed $seed"; cat "$T"; return 1; }
    # it was split: NO CARRIER came in more than one piece
    [ "$(sed -n '/state NO-CARRIER remote/,$p' "$T" | grep -c ' tx ')" -ge 2 ]
    within "$(span 'state NO-CARRIER remote' 'lab exit')" 0 0.2
  done
}

@test "where DCD follows the carrier (&C1), NO CARRIER from the far end is data" {
  printf 'bye' >"$tmp/in"
  lab --split-results 9 \
    --number '1 script send "x\r\nNO CARRIER\r\ny" expect bye hangup' -- --linger 10000 1
  [ "$status" -eq 3 ]
  printf 'x\r\nNO CARRIER\r\ny' | cmp - "$tmp/out"
  in_order 'peer-got "bye"' 'dev DCD=0'
}
