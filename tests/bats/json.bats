#!/usr/bin/env bats
# json.bats - one JSON shape: every mode of every tool with --json gives
# exactly one JSON object (on stdout; a call's on stderr, whose stdout is
# the call), on success and on failure, with "ok", "exit" and, on failure,
# "error": {"code", "name", "message"}; each is checked against the tool's
# schema (tools/json/TOOL.schema.json) and for what it says.
load helper

setup() {
  lab_setup
  private_locks
  HSDIAL=$BUILD_DIR/hsdial HSPRINT=$BUILD_DIR/hsprint HSPROBE=$BUILD_DIR/hsprobe
  OUT=$BATS_TEST_TMPDIR/out ERR=$BATS_TEST_TMPDIR/err
  GENERIC='id="MFG:ACME;MDL:LaserJet 9;CMD:PCL,POSTSCRIPT;CLS:PRINTER;"'
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import jsonschema' ||
    skip "Debian's python3-jsonschema is not installed"
}

# get JSON PYTHON-EXPR: EXPR with d bound to the parsed JSON
get() {
  /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# answer TOOL FILE: FILE is TOOL's one valid answer; sets $json
answer() {
  json=$(cat "$2")
  echo "answer: $json"
  json_valid "$1" "$json"
}

# failure TOOL FILE STATUS NAME: FILE is TOOL's answer for a failure
# with exit STATUS and error NAME
failure() {
  answer "$1" "$2"
  [ "$(get "$json" 'd["ok"], d["exit"], d["error"]["name"]')" = "(False, $3, '$4')" ]
}

# apart COMMAND...: run COMMAND, $output its stdout, stderr to $ERR (the
# two streams' interleaving is nobody's promise)
apart() {
  run sh -c 'e=$0; "$@" 2>"$e"' "$ERR" "$@"
}

# lab_out ARGS...: run in the lab, stdout to $OUT, stderr to $ERR
lab_out() {
  run sh -c 'o=$0 e=$1; shift; "$@" >"$o" 2>"$e"' "$OUT" "$ERR" \
    timeout 60 "$HSLAB" --transcript "$T" "$@"
}

@test "the schemas are valid JSON Schema, and the validator can fail" {
  run json_valid hsdial '{"ok":true,"exit":0,"mode":"at","device":"/dev/x"}'
  assert_failure   # ok at without its reply
  run json_valid hsdial '{"ok":false,"exit":1}'
  assert_failure   # no error
  run json_valid hsdial '{"ok":true,"exit":0,"surprise":1}'
  assert_failure   # a member no schema names
  run json_valid hsdial $'{"ok":true,"exit":0}\n{"ok":true,"exit":0}'
  assert_failure   # two objects
  run json_valid hsprobe '[]'
  assert_failure   # not an object
  run json_valid hsdial '{"ok":false,"exit":64,"error":{"code":-1,"name":"HS_ERR_ARG","message":"x"}}'
  assert_success
}

@test "hsdial dial: connected and hung up; busy; no such device; carrier lost" {
  lab_out -- "$HSDIAL" -d /dev/ttyUSB0 --json 5551234 </dev/null
  assert_success
  [ ! -s "$OUT" ]
  answer hsdial "$ERR"
  [ "$(get "$json" 'd["ok"], d["mode"], d["result"], d["hangup"]')" = "(True, 'dial', 'CONNECT', 'ok')" ]
  lab_out --number '1 busy' -- "$HSDIAL" -d /dev/ttyUSB0 --json 1 </dev/null
  assert_failure 2
  failure hsdial "$ERR" 2 HS_ERR_LINE_BUSY
  run sh -c '"$0" -d /nonexistent/ttyX --json 1 2>&1 >/dev/null' "$HSDIAL"
  assert_failure 69
  # stderr holds the answer alone: the message is in it
  failure hsdial <(echo "$output") 69 HS_ERR_NO_DEVICE
  [ "$(get "$json" 'd["device"], d["error"]["code"]')" = "('/nonexistent/ttyX', -6)" ]
  # the far end hangs up: the call ends by carrier loss, exit 3
  lab_out --number '1 script send "bye" hangup' -- sh -c \
    'sleep 30 | "$0" -d /dev/ttyUSB0 --json 1' "$HSDIAL"
  assert_failure 3
  failure hsdial "$ERR" 3 HS_ERR_NO_CARRIER
  [ "$(get "$json" 'd["ended"], d["hangup"], d["received"]')" = "('carrier-lost', 'by-carrier-loss', 3)" ]
}

@test "hsdial --answer: a call with caller ID; no call by the deadline" {
  lab_out --ring-interval 0.3 --ring '0.2 5551212 "ANN"' -- \
    "$HSDIAL" -d /dev/ttyUSB0 --answer --rings 2 --json </dev/null
  assert_success
  answer hsdial "$ERR"
  [ "$(get "$json" 'd["ok"], d["mode"], d["caller"]["number"], d["timings"]["wait_ms"] >= 0')" = \
    "(True, 'answer', '5551212', True)" ]
  lab_out -- "$HSDIAL" -d /dev/ttyUSB0 --answer --timeout 1 --json </dev/null
  assert_failure 6
  failure hsdial "$ERR" 6 HS_ERR_TIMEOUT
}

@test "hsdial --exec: a program's own status leaves ok true" {
  lab_out -- "$HSDIAL" -d /dev/ttyUSB0 --json --exec 1 sh -c 'exit 7'
  assert_failure 7
  answer hsdial "$ERR"
  [ "$(get "$json" 'd["ok"], d["exit"], d["exec_status"], d["ended"]')" = "(True, 7, 7, 'program-exited')" ]
}

@test "hsdial --at: the reply; ERROR; no such device" {
  lab_out -- "$HSDIAL" -d /dev/ttyUSB0 --at ATI --json
  assert_success
  answer hsdial "$OUT"
  [ "$(get "$json" 'd["ok"], d["mode"], d["result"], len(d["lines"]) > 0')" = "(True, 'at', 'OK', True)" ]
  lab_out -- "$HSDIAL" -d /dev/ttyUSB0 --json --at ATX9
  assert_failure 1
  failure hsdial "$OUT" 1 HS_ERR_REJECTED
  [ "$(get "$json" 'd["result"], d["lines"]')" = "('ERROR', [])" ]
  apart "$HSDIAL" -d /nonexistent/ttyX --at=AT --json
  assert_failure 69
  failure hsdial <(echo "$output") 69 HS_ERR_NO_DEVICE
  # people still read the error on stderr
  grep -q '^hsdial: /nonexistent/ttyX does not exist' "$ERR"
}

@test "hsdial --identify and --hangup: done; a modem that says nothing; no such device" {
  lab_out --ati 'LAB MODEM' -- "$HSDIAL" -d /dev/ttyUSB0 --identify --json
  assert_success
  answer hsdial "$OUT"
  [ "$(get "$json" 'd["ok"], d["mode"], d["ati"][0]')" = "(True, 'identify', 'LAB MODEM')" ]
  lab_out --fault silence -- "$HSDIAL" -d /dev/ttyUSB0 --identify --timeout 1 --json
  assert_failure 6
  failure hsdial "$OUT" 6 HS_ERR_TIMEOUT
  lab_out -- "$HSDIAL" -d /dev/ttyUSB0 --hangup --json
  assert_success
  answer hsdial "$OUT"
  [ "$(get "$json" 'd["ok"], d["mode"], d["hangup"]')" = "(True, 'hangup', 'ok')" ]
  apart "$HSDIAL" -d /nonexistent/ttyX --hangup --json
  assert_failure 69
  failure hsdial <(echo "$output") 69 HS_ERR_NO_DEVICE
}

@test "hsdial: usage errors with --json are answers too" {
  for args in "--bogus --at AT" "-d x -b fast --at AT" "-d x --at AT --rings 0" \
              "-d x --driver nosuch --at AT"; do
    run sh -c "\"$HSDIAL\" --json $args 2>/dev/null"
    assert_failure 64
    failure hsdial <(echo "$output") 64 HS_ERR_ARG
  done
  # a call's answer goes to stderr, even for a usage error; so does one
  # for --json with a chat script, whose stdout may be the line
  for args in "-d /dev/ttyUSB0 -f sideways 1" "-d /dev/ttyUSB0 -- '' AT"; do
    run sh -c "\"$HSDIAL\" --json $args 2>&1 >/dev/null | grep '^{'"
    failure hsdial <(echo "$output") 64 HS_ERR_ARG
  done
}

@test "hsprint: jobs printed; a job cut by an unplug says where to resume" {
  head -c 3000 /dev/urandom > "$BATS_TEST_TMPDIR/a"
  head -c 5000 /dev/urandom > "$BATS_TEST_TMPDIR/b"
  lab_out --usb-printer "$GENERIC,out=$BATS_TEST_TMPDIR/printed" -- \
    "$HSPRINT" -d usb:1234:5678 --json "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b"
  assert_success
  answer hsprint "$OUT"
  [ "$(get "$json" 'd["ok"], d["mode"], d["accepted"], [(j["accepted"], j["ok"]) for j in d["jobs"]]')" = \
    "(True, 'print', 8000, [(3000, True), (5000, True)])" ]
  head -c 100000 /dev/urandom > "$BATS_TEST_TMPDIR/big"
  lab_out --usb-printer "$GENERIC,unplug=12345" -- \
    "$HSPRINT" -d usb:1234:5678 --json "$BATS_TEST_TMPDIR/big"
  assert_failure 74
  failure hsprint "$OUT" 74 HS_ERR_UNPLUGGED
  [ "$(get "$json" 'd["resume_at"], d["accepted"], d["jobs"][0]["accepted"], d["jobs"][0]["ok"]')" = \
    "(12345, 12345, 12345, False)" ]
  # resumed there: the job's offset and what this run added
  lab_out --usb-printer "$GENERIC" -- \
    "$HSPRINT" -d usb:1234:5678 --json --resume-at 12345 "$BATS_TEST_TMPDIR/big"
  assert_success
  answer hsprint "$OUT"
  [ "$(get "$json" 'd["accepted"], d["jobs"][0]["resume_at"], d["jobs"][0]["accepted"]')" = \
    "(87655, 12345, 100000)" ]
}

@test "hsprint: the status changes a job saw; a file that cannot be read; no printer" {
  head -c 300000 /dev/urandom > "$BATS_TEST_TMPDIR/job"
  lab_out --usb-printer "$GENERIC,rate=100000,paper-out=100000,paper-back=1500" -- \
    "$HSPRINT" -d usb:1234:5678 --json "$BATS_TEST_TMPDIR/job"
  assert_success
  answer hsprint "$OUT"
  [ "$(get "$json" '[(c["job"], c["flags"]) for c in d["status_changes"]]')" = \
    "[(0, 'paper out'), (0, 'ready')]" ]
  lab_out --usb-printer "$GENERIC" -- \
    "$HSPRINT" -d usb:1234:5678 --json "$BATS_TEST_TMPDIR/nosuchfile"
  assert_failure 66
  failure hsprint "$OUT" 66 HS_ERR_IO
  [[ $(get "$json" 'd["error"]["message"]') == "cannot read $BATS_TEST_TMPDIR/nosuchfile: "* ]]
  apart "$HSPRINT" -d /nonexistent/ttyX -j "$BATS_TEST_TMPDIR/job"
  assert_failure 69
  failure hsprint <(echo "$output") 69 HS_ERR_NO_DEVICE
}

@test "hsprint --status: the printer's identity; no printer; usage errors" {
  lab_out --usb-printer "$GENERIC" -- "$HSPRINT" -d usb:1234:5678 --status --json
  assert_success
  answer hsprint "$OUT"
  [ "$(get "$json" 'd["ok"], d["mode"], d["transport"], d["status"]["ready"]')" = \
    "(True, 'status', 'usb', True)" ]
  apart "$HSPRINT" -d /nonexistent/ttyX --status --json
  assert_failure 69
  failure hsprint <(echo "$output") 69 HS_ERR_NO_DEVICE
  for args in "--bogus" "--status" "-d x --pause 0 --status"; do
    run sh -c "HS_PRINTER= \"$HSPRINT\" --json $args 2>/dev/null"
    assert_failure 64
    failure hsprint <(echo "$output") 64 HS_ERR_ARG
  done
}

@test "hsprobe: the listing, --probe, --setup done and refused, usage errors" {
  lab_out --port ttyACM0 --port ttyUSB0=none -- "$HSPROBE" --json
  assert_success
  answer hsprobe "$OUT"
  [ "$(get "$json" 'd["ok"], d["mode"], sorted(x["node"] for x in d["devices"])')" = \
    "(True, 'list', ['/dev/ttyACM0', '/dev/ttyUSB0'])" ]
  lab_out --port ttyACM0 -- "$HSPROBE" --probe --json
  assert_success
  answer hsprobe "$OUT"
  [ "$(get "$json" 'd["mode"], d["devices"][0]["probe"]["state"]')" = "('probe', 'ok')" ]
  lab_out --port ttyACM0 -- "$HSPROBE" --setup ttyACM0 --json
  assert_success
  answer hsprobe "$OUT"
  [ "$(get "$json" 'd["ok"], d["mode"], d["device"]["kind"], d["state_file"]')" = \
    "(True, 'setup', 'modem', '$HS_RUN_DIR/modem-USB_Modem-HSLAB0001-port1-1.json')" ]
  lab_out --port ttyUSB0=none -- "$HSPROBE" --setup ttyUSB0 --json
  assert_failure 69
  failure hsprobe "$OUT" 69 HS_ERR_NOT_SUPPORTED
  lab_out --port ttyACM0 --fault silence -- "$HSPROBE" --setup ttyACM0 --timeout 1000 --json
  assert_failure 75
  failure hsprobe "$OUT" 75 HS_ERR_TIMEOUT
  [ "$(get "$json" 'd["mode"], d["device"]["probe"]["state"]')" = "('setup', 'error')" ]
  for args in "--bogus" "--udev /x" "-b 9600" "--probe --timeout 0"; do
    run sh -c "\"$HSPROBE\" --json $args 2>/dev/null"
    assert_failure 64
    failure hsprobe <(echo "$output") 64 HS_ERR_ARG
  done
}
