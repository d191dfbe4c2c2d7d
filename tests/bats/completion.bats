#!/usr/bin/env bats
# completion.bats - tools/completion.bash, as bash runs it: options from
# each tool's --help, driver names from hsprobe --drivers, devices from
# the device list (under the lab), values for --hangup-by, files for
# hsprint's operands.
load helper

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-60}

setup() {
  tmp=$(mktemp -d)
  # what bash sets before it calls the function: the line up to the cursor
  cat >"$tmp/complete.sh" <<'SH'
. "$1"
COMP_LINE=$2 COMP_POINT=${#2}
COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
_hs_complete
printf '%s\n' "${COMPREPLY[@]}"
SH
  export PATH="$BUILD_DIR:$PATH"
}

teardown() {
  rm -rf "$tmp"
}

offers() {
  bash "$tmp/complete.sh" "$ROOT/tools/completion.bash" "$1"
}

@test "options come from each tool's --help" {
  run offers 'hsdial --hang'
  assert_output $'--hangup\n--hangup-by'
  run offers 'hsprobe --dr'
  assert_output '--drivers'
  run offers 'hsprint --'
  assert_line '--resume-at'
  assert_line '--wait-ready'
  refute_line '--drivers'
  # every long option hsprint's --help names, and nothing else
  "$BUILD_DIR/hsprint" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' |
    grep -oE -- '--[a-z-]+' | sort >"$tmp/want"
  offers 'hsprint --' | sort >"$tmp/got"
  run diff "$tmp/want" "$tmp/got"
  assert_success
}

@test "drivers: modem names for hsdial, printer names for hsprint" {
  run offers 'hsdial --driver '
  assert_output "$("$BUILD_DIR/hsprobe" --drivers | awk '$1 == "modem" { print $2 }')"
  assert_line hayes
  run offers 'hsprint -D '
  assert_output $'pjl\nescpos\nzpl\ngeneric'
  run offers 'hsprint --driver e'
  assert_output 'escpos'
  run offers 'hsdial --hangup-by '
  assert_output $'dtr\nescape\nboth'
}

@test "devices come from the device list, as the lab's machine has them" {
  lab=("$HSLAB" --port 'ttyACM0 modem' --usb-printer 'vid=1234,pid=5678,serial=LAB0001' --)
  "${lab[@]}" bash "$tmp/complete.sh" "$ROOT/tools/completion.bash" 'hsdial -d ' >"$tmp/out"
  run cat "$tmp/out"
  assert_output $'usb:1234:5678?serial=LAB0001\nserial:/dev/ttyACM0'
  # bash breaks words at ':': what is offered replaces the last piece
  "${lab[@]}" bash "$tmp/complete.sh" "$ROOT/tools/completion.bash" 'hsprint -d usb:12' >"$tmp/out"
  run cat "$tmp/out"
  assert_output '1234:5678?serial=LAB0001'
  "${lab[@]}" bash "$tmp/complete.sh" "$ROOT/tools/completion.bash" 'hsdial -d serial:/dev/tty' >"$tmp/out"
  run cat "$tmp/out"
  assert_output '/dev/ttyACM0'
  # --setup takes a node
  "${lab[@]}" bash "$tmp/complete.sh" "$ROOT/tools/completion.bash" 'hsprobe --setup /dev/ttyA' >"$tmp/out"
  run cat "$tmp/out"
  assert_output '/dev/ttyACM0'
}

@test "hsprint's operands are files" {
  : >"$tmp/job-one.txt"
  run offers "hsprint -d /dev/ttyS0 $tmp/job-o"
  assert_output "$tmp/job-one.txt"
}

@test "hsxfer: options, protocol names, and files after --send" {
  run offers 'hsxfer --pro'
  assert_output '--protocol'
  run offers 'hsxfer -P ymo'
  assert_output $'ymodem\nymodem-g'
  run offers 'hsdial --send-protocol z'
  assert_output 'zmodem'
  mkdir "$tmp/d" && touch "$tmp/d/fw.bin"
  run offers "hsxfer -d /dev/ttyUSB0 --send $tmp/d/f"
  assert_output "$tmp/d/fw.bin"
}
