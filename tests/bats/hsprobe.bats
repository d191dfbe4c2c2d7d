#!/usr/bin/env bats
# hsprobe.bats - hsprobe against the device lab: the passive listing (the
# transcript proves nothing reached a device), --probe, a locked port left
# alone, --setup's init sequence and state file, --udev's output (its
# speed is bench/hsprobe_udev.sh's). Device strings that try to break
# out are a row of the fault matrix (faults_port.bats).
load helper

setup() {
  lab_setup
  HSPROBE="$BUILD_DIR/hsprobe"
  [ -x "$HSPROBE" ] || skip "hsprobe not built ($HSPROBE)"
  private_locks
  PRINTER='vid=03f0,pid=0517,manufacturer=HP,product=LaserJet 9,serial=LP9,id="MFG:HP;MDL:LaserJet 9;CMD:PJL,PCL;"'
}

# json_get JSON PYTHON-EXPR: evaluate EXPR with d bound to the parsed JSON
json_get() {
  timeout 30 python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# list_get JSON PYTHON-EXPR: JSON is hsprobe's answer for a listing
# (checked against its schema); EXPR sees its devices as d
list_get() {
  json_valid hsprobe "$1" >&2 || return 1
  python3 -c 'import json,sys; d=json.loads(sys.argv[1])["devices"]; print(eval(sys.argv[2]))' "$1" "$2"
}

@test "--help documents every mode; usage errors exit 64" {
  run timeout 30 "$HSPROBE" --help
  assert_success
  for w in --json --probe --timeout --udev --setup --reset HS_RUN_DIR; do
    assert_output --partial -- "$w"
  done
  run timeout 30 "$HSPROBE" --bogus
  assert_failure 64
  run timeout 30 "$HSPROBE" --udev /x --json
  assert_failure 64
  run timeout 30 "$HSPROBE" --reset
  assert_failure 64
  run timeout 30 "$HSPROBE" --probe --timeout 0
  assert_failure 64
}

@test "hsprobe --json lists the modem and the printer with their identity, sending nothing" {
  run "$HSLAB" --transcript "$T" --port ttyACM0 --port ttyUSB0=none --usb-printer "$PRINTER" \
    -- "$HSPROBE" --json
  assert_success
  json=$output
  [ "$(list_get "$json" 'len(d)')" = 3 ]
  modem=$(list_get "$json" 'json.dumps([x for x in d if x["node"]=="/dev/ttyACM0"][0])')
  [ "$(json_get "$modem" 'd["kind"], d["driver"], d["name"], d["transport"]')" = \
    "('modem', 'conexant', 'modem-USB_Modem-HSLAB0001-port1-1', 'usb-serial')" ]
  [ "$(json_get "$modem" 'd["usb"]["vid"], d["usb"]["pid"], d["usb"]["manufacturer"], d["usb"]["serial"], d["usb"]["class"]')" = \
    "('0572', '1329', 'Conexant', 'HSLAB0001', '020201')" ]
  # The printer's driver depends on its device ID (CMD:PJL), which a
  # listing does not ask for: no driver is named rather than a wrong one.
  printer=$(list_get "$json" 'json.dumps([x for x in d if x["transport"]=="usb"][0])')
  [ "$(json_get "$printer" 'd["kind"], d["driver"], d["driver_from"], d["name"], d["node"]')" = \
    "('printer', '', 'device-id', 'printer-LaserJet_9-LP9-port2-1', '/dev/bus/usb/002/002')" ]
  [ "$(json_get "$printer" 'd["usb"]["manufacturer"], d["usb"]["product"], d["usb"]["class"]')" = \
    "('HP', 'LaserJet 9', '070102')" ]
  other=$(list_get "$json" 'json.dumps([x for x in d if x["node"]=="/dev/ttyUSB0"][0])')
  [ "$(json_get "$other" 'd["kind"], d["driver"], d["name"]')" = "('unknown', '', '')" ]
  [ "$(list_get "$json" '"probe" in str(d)')" = False ]
  # passive: no port was opened (no host line moved), nothing received,
  # the USB printer never opened
  run grep -E ' tty(ACM|USB)0 (rx|host) | usb [^ ]+ (open|device-id)' "$T"
  assert_output ''
}

@test "the table shows one device a line" {
  run "$HSLAB" --port ttyACM0 --usb-printer "$PRINTER" -- "$HSPROBE"
  assert_success
  assert_line --regexp '^DEVICE +KIND +DRIVER +TRANSPORT +USB +PRODUCT +SERIAL$'
  assert_line --regexp '^/dev/ttyACM0 +modem +conexant +usb-serial +0572:1329 +USB Modem +HSLAB0001$'
  assert_line --regexp '^/dev/bus/usb/002/002 +printer +\? +usb +03f0:0517 +LaserJet 9 +LP9$'
  assert_line '    driver: from its device ID, which a listing does not read (hsprobe --probe does)'
}

@test "one driver everywhere: listing, udev, --probe and hsprint agree on a PJL printer" {
  # usblp keeps the printer's ID in sysfs (here with the CR LF printers
  # send, and usblp's own line end): the passive listing and udev read it
  # and name the driver hsprint and --probe use, and say where it came from.
  run "$HSLAB" --usb-printer "$PRINTER" -- sh -c '
    printf "MFG:HP;MDL:LaserJet 9;CMD:PJL,PCL;\r\n\n" \
      > "$UMOCKDEV_DIR/sys/bus/usb/devices/2-1:1.0/ieee1284_id"
    "$0" --json; echo; "$0" --udev /sys/bus/usb/devices/2-1; "$0" --probe --json; echo
    "$1" -d usb:03f0:0517 --status' "$HSPROBE" "$BUILD_DIR/hsprint"
  assert_success
  [ "$(list_get "${lines[0]}" 'd[0]["driver"], d[0]["driver_from"], d[0]["device_id"]')" = \
    "('pjl', 'device-id', 'MFG:HP;MDL:LaserJet 9;CMD:PJL,PCL;')" ]
  assert_line 'ID_HANDSHAKE_DRIVER=pjl'
  [ "$(list_get "${lines[4]}" 'd[0]["driver"], d[0]["probe"]["driver"]')" = "('pjl', 'pjl')" ]
  assert_line 'driver:    pjl'
  # A printer its USB id decides needs no ID: said so.
  run "$HSLAB" --usb-printer 'vid=0a5f,pid=0083,id="MFG:Zebra;MDL:LP2844;"' -- "$HSPROBE" --json
  assert_success
  [ "$(list_get "$output" 'd[0]["driver"], d[0]["driver_from"]')" = "('zpl', 'usb-id')" ]
}

@test "a printer's IPP-over-USB interface (7/1/4) is passed over for its 7/1/2 one" {
  run "$HSLAB" --usb-printer "$PRINTER,ippusb=1" -- "$HSPROBE" --json
  assert_success
  [ "$(list_get "$output" 'd[0]["usb"]["interface"], d[0]["usb"]["class"]')" = "(1, '070102')" ]
}

@test "--probe adds what ATI and the device ID returned" {
  run "$HSLAB" --transcript "$T" --port ttyACM0 --ati 'LAB MODEM 2.0' --usb-printer "$PRINTER" \
    -- "$HSPROBE" --probe --json
  assert_success
  json=$output
  modem=$(list_get "$json" 'json.dumps([x for x in d if x["node"]=="/dev/ttyACM0"][0]["probe"])')
  [ "$(json_get "$modem" 'd["state"]')" = ok ]
  [ "$(json_get "$modem" 'd["ati"][0]')" = 'LAB MODEM 2.0' ]
  printer=$(list_get "$json" 'json.dumps([x for x in d if x["transport"]=="usb"][0]["probe"])')
  [ "$(json_get "$printer" 'd["state"], d["device_id"], d["driver"]')" = \
    "('ok', 'MFG:HP;MDL:LaserJet 9;CMD:PJL,PCL;', 'pjl')" ]
  grep -qE ' ttyACM0 rx "AT' "$T"
  grep -qE ' usb [^ ]+ device-id ' "$T"
  # the table says the same
  run "$HSLAB" --port ttyACM0 --ati 'LAB MODEM 2.0' -- "$HSPROBE" --probe
  assert_line '    probe: ok'
  assert_line '    ATI0: LAB MODEM 2.0'
}

@test "--probe leaves a locked port alone and reports it busy" {
  sleep 60 &
  holder=$!
  printf '%10d\n' "$holder" >"$HS_LOCK_DIR/LCK..ttyACM0"
  run "$HSLAB" --transcript "$T" --port ttyACM0 -- "$HSPROBE" --probe --json
  kill "$holder"
  assert_success
  probe=$(list_get "$output" 'json.dumps(d[0]["probe"])')
  [ "$(json_get "$probe" 'd["state"]')" = busy ]
  [[ $(json_get "$probe" 'd["message"]') == *"locked by pid $holder"* ]]
  # not touched: not opened (no host line), not a byte received
  run grep -E ' ttyACM0 (rx|host) ' "$T"
  assert_output ''
}

@test "--probe leaves a port another program holds with flock() alone" {
  # The holder keeps the lock until the test says "released". Wait for
  # this port's own lock (its inode in /proc/locks), not any FLOCK line:
  # other processes' locks would satisfy that.
  run "$HSLAB" --transcript "$T" --port ttyACM0 -- sh -c '
    . "$LAB_WAIT"
    flock /dev/ttyACM0 sh -c ". \"\$LAB_WAIT\"; wait_for \"\$0\" released 20" "$1" &
    holder=$!
    wait_for /proc/locks "^[0-9]+: FLOCK .*:$(stat -L -c %i /dev/ttyACM0) " 10 || exit 90
    timeout 30 "$0" --probe --json; rc=$?
    echo released >"$1"; wait $holder
    exit $rc' "$HSPROBE" "$BATS_TEST_TMPDIR/released"
  assert_success
  [ "$(list_get "$output" 'd[0]["probe"]["state"]')" = busy ]
  [[ $(list_get "$output" 'd[0]["probe"]["message"]') == *flock* ]]
  run grep -E ' ttyACM0 rx ' "$T"
  assert_output ''
}

@test "--setup sends the driver's init sequence and writes the state file" {
  run "$HSLAB" --transcript "$T" --port ttyACM0 -- "$HSPROBE" --setup ttyACM0
  assert_success
  assert_output --partial "modem-USB_Modem-HSLAB0001-port1-1"
  # sync, reset, then the conexant driver's init, in that order
  run sh -c "grep -E ' ttyACM0 command ' '$T' | sed 's/.* command //'"
  assert_output --partial $'"AT"\n"ATZ"\n"ATE0V1Q0X4"\n"AT&C1&D2S0=0"\n"AT+VCID=1"'
  f="$HS_RUN_DIR/modem-USB_Modem-HSLAB0001-port1-1.json"
  [ -f "$f" ]
  state=$(cat "$f")
  [ "$(json_get "$state" 'd["kind"], d["driver"], d["node"], d["probe"]["state"]')" = \
    "('modem', 'conexant', '/dev/ttyACM0', 'ok')" ]
  [ "$(json_get "$state" 'd["usb"]["serial"]')" = HSLAB0001 ]
  # no temporary file left beside it
  run ls -A "$HS_RUN_DIR"
  assert_output modem-USB_Modem-HSLAB0001-port1-1.json
}

@test "--setup of a USB printer reads its device ID and soft-resets when asked" {
  run "$HSLAB" --transcript "$T" --usb-printer "$PRINTER" -- "$HSPROBE" --setup 2-1 --reset
  assert_success
  grep -qE ' usb [^ ]+ device-id ' "$T"
  grep -qE ' usb [^ ]+ soft-reset ' "$T"
  state=$(cat "$HS_RUN_DIR/printer-LaserJet_9-LP9-port2-1.json")
  [ "$(json_get "$state" 'd["probe"]["device_id"], d["probe"]["driver"]')" = \
    "('MFG:HP;MDL:LaserJet 9;CMD:PJL,PCL;', 'pjl')" ]
}

@test "--setup refuses unknown devices, missing ones and a locked modem" {
  run "$HSLAB" --port ttyUSB0=none -- "$HSPROBE" --setup /dev/ttyUSB0
  assert_failure 69
  assert_output --partial 'not a modem or printer'
  run "$HSLAB" --port ttyUSB0=none -- "$HSPROBE" --setup /dev/ttyUSB7
  assert_failure 69
  sleep 60 &
  holder=$!
  printf '%10d\n' "$holder" >"$HS_LOCK_DIR/LCK..ttyACM0"
  run "$HSLAB" --transcript "$T" --port ttyACM0 -- "$HSPROBE" --setup /dev/ttyACM0
  kill "$holder"
  assert_failure 75
  assert_output --partial "locked by pid $holder"
  [ ! -e "$HS_RUN_DIR/modem-USB_Modem-HSLAB0001-port1-1.json" ]
}

@test "--udev prints three safe lines for ours, nothing for others" {
  run "$HSLAB" --port ttyACM0 --port ttyUSB0=none -- sh -c '
    "$0" --udev /sys/class/tty/ttyACM0; echo "rc=$?"
    "$0" --udev /sys/class/tty/ttyUSB0; echo "rc=$?"
    "$0" --udev /devices/no/such; echo "rc=$?"' "$HSPROBE"
  assert_success
  assert_output $'ID_HANDSHAKE_KIND=modem
ID_HANDSHAKE_DRIVER=conexant
ID_HANDSHAKE_NAME=modem-USB_Modem-HSLAB0001-port1-1
rc=0
rc=0
rc=0'
  # (how long it takes is bench/hsprobe_udev.sh's question)
}

@test "two devices with the same product and serial get names of their own" {
  # cheap adapters share serial numbers: /dev/handshake/NAME and
  # NAME.json must not collide, so the USB port is part of the name
  run "$HSLAB" --port ttyACM0 --serial SAME --port ttyACM1 --serial SAME \
    --usb-printer "$PRINTER" --usb-printer "$PRINTER" -- sh -c '
    for d in /sys/class/tty/ttyACM0 /sys/class/tty/ttyACM1 \
             /sys/bus/usb/devices/2-1 /sys/bus/usb/devices/2-2; do
      "$0" --udev "$d" | sed -n "s/^ID_HANDSHAKE_NAME=//p"
    done
    "$0" --setup ttyACM0 >/dev/null && "$0" --setup ttyACM1 >/dev/null &&
    "$0" --setup 2-1 >/dev/null && "$0" --setup 2-2 >/dev/null' "$HSPROBE"
  assert_success
  assert_output $'modem-USB_Modem-SAME-port1-1\nmodem-USB_Modem-SAME-port1-2\nprinter-LaserJet_9-LP9-port2-1\nprinter-LaserJet_9-LP9-port2-2'
  run ls "$HS_RUN_DIR"
  assert_output $'modem-USB_Modem-SAME-port1-1.json\nmodem-USB_Modem-SAME-port1-2.json\nprinter-LaserJet_9-LP9-port2-1.json\nprinter-LaserJet_9-LP9-port2-2.json'
}
