#!/usr/bin/env bats
# setup_unit.bats - handshake-setup@.service as installed: systemd-analyze
# security (offline: systemd need not be PID 1) rates it 3.0 or less,
# systemd-analyze verify accepts it, and its ExecStart, run under the lab
# with the credentials the unit gives (a dynamic user's uid, only its
# SupplementaryGroups, no capabilities, no new privileges, its timeout),
# still sets up a modem and a USB printer whose nodes udev's rules gave
# to dialout and lp - and fails, naming the device, without the group.
load helper

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

setup() {
  lab_setup
  command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"
  command -v setpriv >/dev/null || skip "setpriv not installed"
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  T=$tmp/transcript
  # installed where it can run: the unit names this hsprobe
  make -s -C "$ROOT" --no-print-directory install PREFIX="$tmp/usr" \
    UNITDIR="$tmp/root/etc/systemd/system" UDEVDIR="$tmp/udev" \
    CUPS_BACKEND_DIR="$tmp/cups" >/dev/null
  UNIT=$tmp/root/etc/systemd/system/handshake-setup@.service
  LIBDIR=$(dirname "$(find "$tmp/usr/lib" -name libhandshake.so.0)")
  unset HS_LOCK_DIR  # the lab's private /run/lock, as ReadWritePaths= has it
}

teardown() {
  rm -rf "$tmp"
}

# unit_value KEY: the unit's last KEY= line's value
unit_value() {
  sed -n "s/^$1=//p" "$UNIT" | tail -1
}

@test "systemd-analyze security rates the unit 3.0 or less" {
  run systemd-analyze security --offline=yes --root="$tmp/root" --threshold=30 \
    handshake-setup@ttyUSB0.service
  assert_success
  level=$(printf '%s\n' "$output" | sed -n 's/.*Overall exposure level for handshake-setup@ttyUSB0.service: \([0-9.]*\) .*/\1/p')
  [ -n "$level" ]
  awk -v l="$level" 'BEGIN { exit !(l <= 3.0) }'
  # what the issue asks of it, each present
  assert_equal "$(unit_value DynamicUser)" yes
  assert_equal "$(unit_value DeviceAllow)" "/dev/handshake/%i rw"
  assert_equal "$(unit_value DevicePolicy)" closed
  assert_equal "$(unit_value ProtectSystem)" strict
  assert_equal "$(unit_value PrivateNetwork)" yes
  assert_equal "$(unit_value NoNewPrivileges)" yes
  [ "$(unit_value TimeoutStartSec)" -le 60 ]
  run systemd-analyze verify --man=no "$UNIT"
  assert_success
}

# as_unit INSTANCE GROUPS PREP: under the lab, make the device's node as
# the rules would (PREP), then run ExecStart with %i = INSTANCE as the
# unit would run it: uid 61234 (DynamicUser's range), the groups GROUPS
# only, no capabilities, no new privileges, within TimeoutStartSec.
as_unit() {
  local exec gids= g groups=--clear-groups
  exec=$(unit_value ExecStart)
  exec=${exec//%i/$1}
  for g in $2; do gids=$gids${gids:+,}$(getent group "$g" | cut -d: -f3); done
  [ -z "$gids" ] || groups="--groups $gids"
  mkdir -p "$tmp/run"
  chown 61234:61234 "$tmp/run"   # RuntimeDirectory=, the user's own
  cat >"$tmp/as_unit.sh" <<SH
set -e
# umockdev's own files (its ioctl sockets) must be reachable by the user
chmod -R go+rwX "\$UMOCKDEV_DIR"
$3
exec timeout $(unit_value TimeoutStartSec) setpriv --reuid 61234 --regid 61234 \
  $groups --no-new-privs \
  --inh-caps -all --bounding-set -all env HS_RUN_DIR="$tmp/run" \
  LD_LIBRARY_PATH="$LIBDIR" $exec
SH
  run "$HSLAB" --transcript "$T" "${@:4}" -- sh "$tmp/as_unit.sh"
}

# the modem's tty: group dialout, 0660, as 60-handshake.rules sets it
TTY_AS_RULES='pts=$(readlink "$UMOCKDEV_DIR/dev/ttyACM0"); chgrp dialout "$pts"; chmod 660 "$pts"'

@test "the unit's ExecStart with its credentials sets up a modem" {
  as_unit ttyACM0 "$(unit_value SupplementaryGroups)" "$TTY_AS_RULES" --port ttyACM0
  assert_success
  assert_output --partial "set up"
  grep -q 'ttyACM0 command "AT+VCID=1"' "$T"
  [ "$(stat -c %u "$tmp/run/modem-USB_Modem-HSLAB0001-port1-1.json")" = 61234 ]
}

@test "without the device's group the setup fails and names the device" {
  as_unit ttyACM0 "" "$TTY_AS_RULES" --port ttyACM0
  assert_failure 77
  assert_output --partial "/dev/ttyACM0"
  run grep ' rx ' "$T"
  assert_output ""
}

@test "the unit's ExecStart with its credentials sets up a USB printer" {
  local node='$UMOCKDEV_DIR/dev/bus/usb/002/002'
  as_unit 2-1 "$(unit_value SupplementaryGroups)" "chgrp lp $node; chmod 660 $node" \
    --usb-printer 'vid=03f0,pid=0517,manufacturer=HP,product=LaserJet 9,serial=LP9,id="MFG:HP;MDL:LaserJet 9;CMD:PJL,PCL;"'
  assert_success
  grep -qE ' usb [^ ]+ device-id ' "$T"
  grep -q '"driver":"pjl"' "$tmp/run/printer-LaserJet_9-LP9-port2-1.json"
}
