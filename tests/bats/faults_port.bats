#!/usr/bin/env bats
# faults_port.bats - the fault matrix's rows about the port itself
# (README.md, "The fault matrix"): two of our programs on one port,
# stale, garbage and young lock files, a port removed while it is being
# opened, and hostile device strings through every output (table, JSON,
# udev, file names). Every row checks the same things
# (faults_helper.bash): the tool ends within its deadline with the
# documented exit code and message.
load faults_helper

LOCK=LCK..ttyUSB0

@test "two programs on one port: hsdial while hsprint prints there, exit 75 naming hsprint" {
  head -c 8000 /dev/urandom >"$tmp/job"
  row 30 0 '^second: 75$' -- \
    "$HSLAB" --transcript "$T" --port 'ttyUSB0 printer' --print-rate 4000 --buffer '2048 1536 512' -- sh -c '
    . "$LAB_WAIT"
    "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=115200&flow=xonxoff" "$1" & first=$!
    wait_for "$2" "ttyUSB0 rx " 10 || exit 90
    "$HSDIAL" -d /dev/ttyUSB0 --at AT; echo "second: $?" >&2
    echo "first: $first" >&2
    wait $first' sh "$tmp/job" "$T"
  pid=$(sed -n 's/^first: //p' "$ROW_ERR")
  assert_line "hsdial: /dev/ttyUSB0 is locked by pid $pid (hsprint) ($HS_LOCK_DIR/$LOCK); close that program first"
  # the second program sent nothing: every byte the printer got is the job
  read -r took _ _ < <(rx_bytes_and_span "$T" ttyUSB0)
  [ "$took" -eq 8000 ]
}

@test "two programs on one port: hsprint while hsdial is in a call there, exit 75 naming hsdial" {
  mkfifo "$tmp/fifo"
  row 30 0 '^second: 75$' -- \
    "$HSLAB" --transcript "$T" -- sh -c '
    . "$LAB_WAIT"
    "$HSDIAL" -d /dev/ttyUSB0 1 <"$1/fifo" >/dev/null & first=$!
    exec 3>"$1/fifo"
    wait_for "$2" "ttyUSB0 state CONNECT" 10 || exit 90
    echo x | "$HSPRINT" -d /dev/ttyUSB0; echo "second: $?" >&2
    echo "first: $first" >&2
    exec 3>&-
    wait $first' sh "$tmp" "$T"
  pid=$(sed -n 's/^first: //p' "$ROW_ERR")
  assert_line "hsprint: /dev/ttyUSB0 is locked by pid $pid (hsdial) ($HS_LOCK_DIR/$LOCK); close that program first"
  # nothing of hsprint's reached the call
  run grep -c 'rx "x' "$T"
  assert_output 0
}

@test "a stale lock file (its process is gone) is reclaimed: exit 0" {
  true & dead=$!
  wait "$dead"
  printf '%10d\n' "$dead" >"$HS_LOCK_DIR/$LOCK"
  row 10 0 - -- "$HSLAB" -- "$HSDIAL" -d /dev/ttyUSB0 --at AT
  assert_equal "$(cat "$ROW_OUT")" OK
  # and ours was removed when we were done
  [ ! -e "$HS_LOCK_DIR/$LOCK" ]
}

@test "a garbage lock file, a minute old, is reclaimed: exit 0" {
  printf 'garbage\001\377\n' >"$HS_LOCK_DIR/$LOCK"
  touch -d '1 minute ago' "$HS_LOCK_DIR/$LOCK"
  row 10 0 - -- "$HSLAB" -- "$HSDIAL" -d /dev/ttyUSB0 --at AT
  assert_equal "$(cat "$ROW_OUT")" OK
  [ ! -e "$HS_LOCK_DIR/$LOCK" ]
}

@test "a young lock file (being written by its owner) is respected: exit 75" {
  # empty, as between its owner's open(O_EXCL) and write, made inside
  # the lab right before hsdial runs
  row 10 75 "^hsdial: /dev/ttyUSB0 is in use by another program \\($HS_LOCK_DIR/$LOCK\\); close it or pick another port\$" -- \
    "$HSLAB" --transcript "$T" -- sh -c ': >"$1"; exec "$HSDIAL" -d /dev/ttyUSB0 --at AT' sh "$HS_LOCK_DIR/$LOCK"
  [ -e "$HS_LOCK_DIR/$LOCK" ]
  run grep -c ' rx ' "$T"
  assert_output 0
}

@test "a young lock file from the second before is still young: exit 75" {
  # made a tenth of a second before the current second began: its age
  # is well under a second, though the clock's seconds differ
  row 10 75 "^hsdial: /dev/ttyUSB0 is in use by another program \\($HS_LOCK_DIR/$LOCK\\); close it or pick another port\$" -- \
    "$HSLAB" -- sh -c '
    while now=$(date +%s.%N); [ "${now#*.}" -gt 500000000 ]; do sleep 0.05; done
    touch -d "@$((${now%.*} - 1)).900000000" "$1"
    exec "$HSDIAL" -d /dev/ttyUSB0 --at AT' sh "$HS_LOCK_DIR/$LOCK"
}

@test "a port removed while it is being opened: exit 69, the device named" {
  # the lab unplugs as the tool opens the port: its first ioctl fails
  for tool in "$HSDIAL -d /dev/ttyUSB0 --at AT" "$HSPRINT -d /dev/ttyUSB0 $tmp/job"; do
    echo x >"$tmp/job"
    row 10 69 "^hs(dial|print): /dev/ttyUSB0: no device answers behind it \\(Input/output error\\); is it plugged in\\?\$" -- \
      "$HSLAB" --transcript "$T" --fault 'unplug on-open' -- $tool
    grep -q 'ttyUSB0 fault unplug$' "$T"
  done
}

@test "hostile device strings through every output: table, JSON, udev, file names" {
  long=$(printf 'B%.0s' $(seq 300))
  printf 'Evil"\\Mo/../../dem\n\x01\xff\x1b[31m=$(touch %s/pwned)%s' "$tmp" "$long" \
    >"$tmp/evil"
  row 30 0 - -- "$HSLAB" --port ttyACM0 -- sh -c '
    d=$(readlink -f "$UMOCKDEV_DIR/sys/class/tty/ttyACM0/device/..")
    cat "$1" >"$d/product"; cat "$1" >"$d/serial"
    "$HSPROBE" >"$2/table" &&
    "$HSPROBE" --json >"$2/json" &&
    "$HSPROBE" --udev /sys/class/tty/ttyACM0 >"$2/udev" &&
    "$HSPROBE" --setup ttyACM0 >"$2/setup"' sh "$tmp/evil" "$tmp"
  [ ! -e "$tmp/pwned" ]
  # every output is printable ASCII, one line per item
  for f in table json udev setup; do
    run sh -c 'LC_ALL=C grep -c "[^ -~]" "$0"' "$tmp/$f"
    assert_output 0
  done
  [ "$(wc -l <"$tmp/table")" -eq 2 ]
  [ "$(wc -l <"$tmp/json")" -eq 1 ]
  # JSON: one document, the strings bounded and escaped
  product=$(timeout 30 python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["devices"][0]["usb"]["product"])' "$tmp/json")
  [ "${#product}" -le 127 ]
  [[ $product == 'Evil"\Mo/../../dem????[31m=$(touch '* ]]
  # udev: three lines, values in the safe set
  run grep -cvE '^ID_HANDSHAKE_(KIND|DRIVER|NAME)=[A-Za-z0-9._-]+$' "$tmp/udev"
  assert_output 0
  name=$(sed -n 's/^ID_HANDSHAKE_NAME=//p' "$tmp/udev")
  [[ $name =~ ^modem-Evil_Mo_.._.._dem_31m_touch ]]
  # file names: the state file is the name, in the run folder, nowhere else
  run ls -A "$HS_RUN_DIR"
  assert_output "$name.json"
}
