#!/usr/bin/env bats
# device.bats - the library's device calls (handshake/device.h) through
# the example that uses them alone and through hsprobe, a thin printer of
# them: the list equals hsprobe --json, --watch prints one line when the
# lab plugs a modem in and one when it unplugs it, a held port is busy
# and never opened, caller-named ptys are listed.
load helper

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

setup() {
  lab_setup
  tmp=$(mktemp -d)
  export HS_LOCK_DIR="$tmp"
  T=$tmp/transcript
  HSPROBE=$BUILD_DIR/hsprobe
  PY=/usr/bin/python3   # Debian's, whatever python3 is first on PATH
  LAB=(--port 'ttyACM0 modem' --port 'ttyUSB1 printer'
       --usb-printer 'vid=03f0,pid=0517,manufacturer=HP,product=LaserJet 9,serial=LP9,id="MFG:HP;MDL:LaserJet 9;CMD:PJL,PCL;"')
}

teardown() {
  [ -z "${HOLDER:-}" ] || kill "$HOLDER" 2>/dev/null
  [ -z "${PTY_PID:-}" ] || kill "$PTY_PID" 2>/dev/null
  rm -rf "$tmp"
}

@test "list_devices, on <handshake/device.h> alone, lists what hsprobe --json does" {
  "$HSLAB" "${LAB[@]}" -- "$BUILD_DIR/list_devices" >"$tmp/example"
  "$HSLAB" "${LAB[@]}" -- "$HSPROBE" --json >"$tmp/json"
  json_valid hsprobe "$(cat "$tmp/json")"
  # hsprobe's JSON in the example's columns
  "$PY" -c '
import json, sys
for d in json.load(open(sys.argv[1]))["devices"]:
    u = d.get("usb") or {}
    ids = "%s:%s" % (u["vid"], u["pid"]) if u else "-"
    print("\t".join([d["node"], d["kind"], d["driver"] or "-", ids,
        u.get("manufacturer", ""), u.get("product", ""), u.get("serial", ""), d["uri"]]))
' "$tmp/json" >"$tmp/from_json"
  run diff "$tmp/from_json" "$tmp/example"
  assert_success
  # all three devices, kinds and drivers as the tables say
  run cat "$tmp/example"
  assert_line --regexp $'^/dev/ttyACM0\tmodem\tconexant\t0572:1329\t'
  assert_line --regexp $'^/dev/ttyUSB1\tunknown\t-\t0403:6001\t'
  assert_line --regexp $'^/dev/bus/usb/002/002\tprinter\t-\t03f0:0517\tHP\tLaserJet 9\tLP9\tusb:03f0:0517\\?serial=LP9$'
  # and the list sent nothing to any device
  "$HSLAB" --transcript "$T" "${LAB[@]}" -- "$BUILD_DIR/list_devices"
  run grep -E ' rx |device-id' "$T"
  assert_output ""
}

@test "hsprobe --watch --json: one line when a modem comes, one when it goes" {
  "$HSLAB" --transcript "$T" --port ttyACM0 --plug-after 1000 --fault 'unplug after-ms 2000' -- \
    sh -c '"$0" --watch --json >"$1" & w=$!
      . "$2"; wait_for "$1" "\"event\":\"remove\"" 20; rc=$?
      kill -INT $w; wait $w; exit $rc' "$HSPROBE" "$tmp/events" "$LAB_WAIT"
  run cat "$tmp/events"
  assert_equal "${#lines[@]}" 2
  json_valid hsprobe "${lines[0]}"
  json_valid hsprobe "${lines[1]}"
  "$PY" -c '
import json, sys
a, r = [json.loads(l) for l in open(sys.argv[1])]
assert a["event"] == "add" and r["event"] == "remove", (a, r)
for e in (a, r):
    d = e["device"]
    assert (d["node"], d["kind"], d["driver"], d["uri"]) == \
        ("/dev/ttyACM0", "modem", "conexant", "serial:/dev/ttyACM0"), d
    assert d["usb"]["serial"] == "HSLAB0001", d
' "$tmp/events"
  # plugged in before the add line, unplugged before the remove
  grep -q 'ttyACM0 plug$' "$T"
  grep -q 'ttyACM0 unplug$' "$T"
}

@test "hsprobe --watch without --json, and --watch with other modes is usage" {
  run "$HSLAB" --port ttyACM0 --plug-after 300 -- \
    sh -c '"$0" --watch >"$1" & w=$!
      . "$2"; wait_for "$1" "^add " 20; rc=$?
      kill -INT $w; wait $w; echo "rc=$?"; exit $rc' "$HSPROBE" "$tmp/events" "$LAB_WAIT"
  assert_success
  assert_output "rc=0"
  run cat "$tmp/events"
  assert_output --regexp '^add /dev/ttyACM0 +modem +conexant '
  run "$HSPROBE" --watch --probe
  assert_failure 64
}

@test "a port another program holds is listed busy and never opened" {
  sleep 600 &
  HOLDER=$!
  printf '%10d\n' "$HOLDER" >"$HS_LOCK_DIR/LCK..ttyACM0"
  "$HSLAB" --transcript "$T" --port ttyACM0 -- "$BUILD_DIR/list_devices" --probe >"$tmp/out"
  run cat "$tmp/out"
  assert_line --partial $'\tbusy: /dev/ttyACM0 is locked by pid '"$HOLDER"
  assert_line $'\tprobe: busy'
  run grep ' rx ' "$T"
  assert_output ""
}

@test "hsprobe --pty lists a caller's pty; a path that is not one is refused" {
  start_echo_pty "$tmp/tty" cat
  run "$HSPROBE" --json --pty "$tmp/tty"
  assert_success
  json_valid hsprobe
  "$PY" -c '
import json, sys
d = [d for d in json.loads(sys.argv[1])["devices"] if d["transport"] == "pty"]
assert len(d) == 1 and d[0]["node"] == sys.argv[2] and d[0]["kind"] == "unknown", d
assert d[0]["uri"] == "serial:" + sys.argv[2], d
' "$output" "$tmp/tty"
  run "$HSPROBE" --pty /etc/passwd
  assert_failure 69
  assert_output --partial "/etc/passwd is not a pseudo-terminal"
}
