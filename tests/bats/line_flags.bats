#!/usr/bin/env bats
# line_flags.bats - -b/--baud, -f/--flow, -p/--parity, --databits and
# --stopbits in every tool: a bare device path plus flags sets the line
# exactly as the URI form does (the lab's transcript shows the same line
# settings), flags override the URI's own values, they may come after the
# operands (GNU order), and bad values are usage errors naming the flag.
load helper

setup() {
  lab_setup
  private_locks
  HSDIAL=$BUILD_DIR/hsdial HSPRINT=$BUILD_DIR/hsprint HSPROBE=$BUILD_DIR/hsprobe
  HSXFER=$BUILD_DIR/hsxfer
  printf 'line flags\r\n' > "$BATS_TEST_TMPDIR/job"
}

# line_set FILE PORT: the line settings the program set on PORT: the
# second "line" event (the first is the port as the program found it; a
# later one, the settings put back at close, shows only if the lab looks
# again before the end)
line_set() {
  awk -v p="$2" '$2 == p && $3 == "line" && ++n == 2 { sub(/^[^ ]+ [^ ]+ line /, ""); print }' "$1"
}

# same_line NAME1 NAME2 PORT: both runs set the same line on PORT
same_line() {
  local a b
  a=$(line_set "$BATS_TEST_TMPDIR/$1.log" "$3")
  b=$(line_set "$BATS_TEST_TMPDIR/$2.log" "$3")
  echo "$1: $a"
  echo "$2: $b"
  [ -n "$a" ] && [ "$a" = "$b" ]
}

# lab NAME [LAB OPTIONS...] -- COMMAND...: run COMMAND in a lab whose
# transcript is $BATS_TEST_TMPDIR/NAME.log
lab() {
  local name=$1
  shift
  run timeout 60 "$HSLAB" --transcript "$BATS_TEST_TMPDIR/$name.log" "$@"
}

@test "hsdial: -b -f --stopbits on a bare path equal the URI form" {
  lab uri -- "$HSDIAL" -d 'serial:/dev/ttyUSB0?baud=115200&flow=rtscts&stop=2' --at ATI
  assert_success
  lab flags -- "$HSDIAL" -d /dev/ttyUSB0 -b 115200 -f rtscts --stopbits 2 --at ATI
  assert_success
  same_line uri flags ttyUSB0
  [ "$(line_set "$BATS_TEST_TMPDIR/flags.log" ttyUSB0)" = \
    'speed=115200 bits=8 parity=none stop=2 flow=rtscts' ]
  # picocom's spelling, long names, and the flags after the mode's operand
  lab picocom -- "$HSDIAL" -d ttyUSB0 --at ATI --baud=115200 -f h --stopbits=2
  assert_success
  same_line uri picocom ttyUSB0
}

@test "hsdial: flags override what the URI says; a dial takes them after NUMBER" {
  lab uri -- "$HSDIAL" -d 'serial:/dev/ttyUSB0?baud=57600&flow=xonxoff' --at AT
  assert_success
  lab override -- "$HSDIAL" -d 'serial:/dev/ttyUSB0?baud=9600&flow=none' -b 57600 -f s --at AT
  assert_success
  same_line uri override ttyUSB0
  # GNU order: NUMBER first, then the flags; stdin empty, so the call ends
  lab dial -- sh -c '"$0" -d /dev/ttyUSB0 5551234 -b 57600 -f xonxoff -q </dev/null' "$HSDIAL"
  assert_success
  grep -qF 'ttyUSB0 command "ATD5551234"' "$BATS_TEST_TMPDIR/dial.log"
  same_line uri dial ttyUSB0
}

@test "hsdial chat mode: flags set the line it opens with -d" {
  lab uri -- "$HSDIAL" -d 'serial:/dev/ttyUSB0?baud=38400&flow=rtscts' -- '' AT OK
  assert_success
  lab flags -- "$HSDIAL" -d /dev/ttyUSB0 -b 38400 -f rtscts -- '' AT OK
  assert_success
  same_line uri flags ttyUSB0
}

@test "hsprint: -b -f on a bare path equal the URI form; flags after the file" {
  lab uri --port 'ttyUSB0 printer' --output "$BATS_TEST_TMPDIR/uri.out" -- \
    "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=19200&flow=xonxoff&stop=2' "$BATS_TEST_TMPDIR/job"
  assert_success
  lab flags --port 'ttyUSB0 printer' --output "$BATS_TEST_TMPDIR/flags.out" -- \
    "$HSPRINT" -d /dev/ttyUSB0 "$BATS_TEST_TMPDIR/job" -b 19200 -f xonxoff --stopbits 2
  assert_success
  same_line uri flags ttyUSB0
  cmp "$BATS_TEST_TMPDIR/job" "$BATS_TEST_TMPDIR/flags.out"
}

@test "hsprobe: --setup and --probe open the port with the flags' settings" {
  lab uri --port ttyACM0 -- "$HSDIAL" -d 'serial:/dev/ttyACM0?baud=115200&flow=rtscts' --at AT
  assert_success
  lab setup --port ttyACM0 -- "$HSPROBE" --setup ttyACM0 -b 115200 -f rtscts
  assert_success
  same_line uri setup ttyACM0
  lab probe --port ttyACM0 -- "$HSPROBE" --probe --json --baud 115200 --flow rtscts
  assert_success
  same_line uri probe ttyACM0
}

@test "hsxfer: -b -f --stopbits on a bare path equal the URI form; the file arrives" {
  local far=$BATS_TEST_TMPDIR/far
  mkdir -p "$far"
  lab uri --port 'ttyUSB0 program' --program "cd '$far' && exec rx -c uri.got" -- \
    "$HSXFER" -d 'serial:/dev/ttyUSB0?baud=57600&flow=xonxoff&stop=2' --send -P xmodem-crc \
    -t 5 "$BATS_TEST_TMPDIR/job"
  assert_success
  lab flags --port 'ttyUSB0 program' --program "cd '$far' && exec rx -c flags.got" -- \
    "$HSXFER" -d /dev/ttyUSB0 --send -P xmodem-crc -t 5 "$BATS_TEST_TMPDIR/job" \
    -b 57600 -f s --stopbits 2
  assert_success
  same_line uri flags ttyUSB0
  # XMODEM pads the last block with SUB: the job, then only SUB bytes
  for f in uri flags; do
    cmp -n "$(stat -c %s "$BATS_TEST_TMPDIR/job")" "$BATS_TEST_TMPDIR/job" "$far/$f.got"
    [ "$(tail -c +13 "$far/$f.got" | tr -d '\032' | wc -c)" -eq 0 ]
  done
}

@test "bad values are usage errors that name the flag; URIs that take no line settings say so" {
  for t in "$HSDIAL -d /dev/ttyUSB0 --at AT" "$HSPRINT -d /dev/ttyUSB0" \
           "$HSPROBE --probe" "$HSXFER -d /dev/ttyUSB0 --send $BATS_TEST_TMPDIR/job"; do
    run $t -b fast
    assert_failure 64
    assert_output --partial -- "--baud wants a number"
    run $t --flow sideways
    assert_failure 64
    assert_output --partial -- "--flow is none, rtscts, xonxoff or dtrdsr (or n, h, s), not 'sideways'"
    run $t -p x
    assert_failure 64
    assert_output --partial -- "--parity is none, odd, even, mark or space"
    run $t --databits 9
    assert_failure 64
    assert_output --partial -- "--databits wants a number from 5 to 8, not '9'"
    run $t --stopbits 3
    assert_failure 64
    assert_output --partial -- "--stopbits wants a number from 1 to 2, not '3'"
  done
  # -f is --flow in hsprint and hsprobe; in hsdial a word that is no
  # flow is chat's -f FILE
  run "$HSPRINT" -d /dev/ttyUSB0 -f sideways
  assert_failure 64
  assert_output --partial -- "--flow is none, rtscts"
  run "$HSDIAL" -d /dev/ttyUSB0 -f "$BATS_TEST_TMPDIR/no-such-script"
  assert_failure 1
  assert_output --partial "cannot open chat script $BATS_TEST_TMPDIR/no-such-script"
  run "$HSPRINT" -d usb:04b8:0202 -b 9600 "$BATS_TEST_TMPDIR/job"
  assert_failure 64
  assert_output --partial "unknown option 'baud' (usb links take serial, interface)"
  run "$HSPROBE" -b 9600
  assert_failure 64
  assert_output --partial "go with --probe or --setup"
}

@test "every tool's --help lists the line flags" {
  for t in "$HSDIAL" "$HSPRINT" "$HSPROBE" "$HSXFER"; do
    run "$t" --help
    assert_success
    for w in '-b, --baud RATE' '-f, --flow FLOW' '-p, --parity PARITY' '--databits N' '--stopbits N'; do
      assert_output --partial -- "$w"
    done
  done
}
