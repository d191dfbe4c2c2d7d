#!/usr/bin/env bats
# udev.bats - udev/60-handshake.rules through the real udev rules engine:
# `udevadm test` on the lab's emulated devices, in a private mount
# namespace (DESIGN.md, "The device lab"), so nothing outside the test
# changes.
#
# Found on Debian 12 (systemd 252), beyond DESIGN.md's recipe:
#  - udev runs IMPORT{program} with the device's properties as its whole
#    environment: umockdev's LD_PRELOAD is gone, so hsprobe would read the
#    real /sys. The lab's sysfs is bind-mounted over /sys in the namespace.
#  - `udevadm test` creates the SYMLINKs in /dev, and /run/udev may not
#    exist: /run and /dev are private tmpfs mounts in the namespace (the
#    real /dev/null, /dev/pts... bound into it).
#  - mount(8) must run without umockdev's preload (it rewrites /sys and
#    /dev paths); udevadm runs with it.
load helper

setup() {
  lab_setup
  command -v udevadm >/dev/null || skip "udev not installed"
  command -v unshare >/dev/null || skip "unshare not installed"
  HSPROBE="$BUILD_DIR/hsprobe"
  [ -x "$HSPROBE" ] || skip "hsprobe not built ($HSPROBE)"
  W=$BATS_TEST_TMPDIR
  mkdir -p "$W/rules"
  # the project's rules, with the path `make install` would put in
  sed "s|@BINDIR@|$BUILD_DIR|g" "$ROOT/udev/60-handshake.rules" \
    >"$W/rules/60-handshake.rules"
  cat >"$W/ns.sh" <<'EOF'
#!/bin/sh
# ns.sh WORK SYSPATH PRELOAD [SCRIPT]: in a fresh mount namespace, without
# umockdev's preload: private /run (our rules in /run/udev/rules.d), the
# lab's /sys, a private /dev; SCRIPT may change the lab's sysfs first.
set -e
work=$1 syspath=$2 preload=$3
mount -t tmpfs -o mode=0755 hs-run /run
mkdir -p /run/udev/rules.d /run/lock
mount --bind "$work/rules" /run/udev/rules.d
mount --bind "$UMOCKDEV_DIR/sys" /sys
mkdir -p "$work/olddev"
mount --rbind /dev "$work/olddev"
mount -t tmpfs -o mode=0755 hs-dev /dev
for n in null zero full random urandom tty ptmx; do
  touch "/dev/$n"
  mount --bind "$work/olddev/$n" "/dev/$n"
done
mkdir /dev/pts /dev/shm
mount --rbind "$work/olddev/pts" /dev/pts
[ -z "$4" ] || sh -c "$4"
LD_PRELOAD=$preload udevadm test "$syspath" 2>&1
echo "--- links:"
ls /dev/handshake 2>/dev/null || true
EOF
  chmod +x "$W/ns.sh"
}

# udev_test SYSPATH [SCRIPT] -- LAB OPTIONS...: udevadm test under the lab
udev_test() {
  local syspath=$1 script=${2:-}
  shift 2
  run "$HSLAB" "$@" -- sh -c 'p=$LD_PRELOAD; exec env -u LD_PRELOAD unshare -m "$0" "$1" "$2" "$p" "$3"' \
    "$W/ns.sh" "$W" "$syspath" "$script"
}

@test "a lab USB modem gets its kind, driver, name, group, symlink and setup unit" {
  udev_test /sys/class/tty/ttyACM0 '' --port ttyACM0
  assert_success
  assert_line 'ID_HANDSHAKE_KIND=modem'
  assert_line 'ID_HANDSHAKE_DRIVER=conexant'
  assert_line 'ID_HANDSHAKE_NAME=modem-USB_Modem-HSLAB0001'
  assert_line --partial 'SYSTEMD_WANTS=handshake-setup@ttyACM0.service'
  assert_line --regexp '^TAGS=.*:systemd:'
  assert_line --regexp '^DEVLINKS=.*/dev/handshake/modem-USB_Modem-HSLAB0001'
  assert_output --regexp '60-handshake.rules:[0-9]+ GROUP [0-9]+'
  assert_output --regexp '60-handshake.rules:[0-9]+ MODE 0660'
  # the link was made, in the namespace's /dev
  assert_output --partial $'--- links:\nmodem-USB_Modem-HSLAB0001'
  # ModemManager may use it unless the administrator says otherwise
  refute_line --regexp '^ID_MM_DEVICE_IGNORE='
}

@test "an unknown serial adapter gets nothing from our rules" {
  udev_test /sys/class/tty/ttyUSB0 '' --port ttyUSB0=none
  assert_success
  assert_output --partial 'hsprobe --udev'   # the helper did run
  refute_output --partial 'ID_HANDSHAKE_'
  refute_output --partial 'handshake-setup@'
  refute_output --partial 'handshake/'
}

@test "a USB printer-class device gets kind printer, group lp and its setup unit" {
  udev_test /sys/bus/usb/devices/2-1 '' \
    --usb-printer 'vid=03f0,pid=0517,manufacturer=HP,product=LaserJet 9,serial=LP9'
  assert_success
  assert_line 'ID_USB_INTERFACES=:070102:'
  assert_line 'ID_HANDSHAKE_KIND=printer'
  # its driver depends on its device ID, which udev's run does not read
  # (no usblp copy here): no ID_HANDSHAKE_DRIVER rather than a wrong one
  refute_line --partial 'ID_HANDSHAKE_DRIVER='
  assert_line 'ID_HANDSHAKE_NAME=printer-LaserJet_9-LP9'
  assert_line --partial 'handshake-setup@2-1.service'
}

@test "the ModemManager option marks our modems, and serial printers always" {
  printf 'ENV{HANDSHAKE_MM_IGNORE}="1"\n' >"$W/rules/59-handshake-local.rules"
  udev_test /sys/class/tty/ttyACM0 '' --port ttyACM0
  assert_success
  assert_line 'ID_MM_DEVICE_IGNORE=1'
  rm "$W/rules/59-handshake-local.rules"
  # a Zebra (a printer driver's USB row) behind a CDC-ACM port
  udev_test /sys/class/tty/ttyACM0 '' --port ttyACM0=none --usb 0a5f:0081 --product 'ZTC GK420d'
  assert_success
  assert_line 'ID_HANDSHAKE_KIND=printer'
  assert_line 'ID_HANDSHAKE_DRIVER=zpl'
  assert_line 'ID_MM_DEVICE_IGNORE=1'
}

@test "hostile serial and product strings yield only sanitized, bounded values" {
  long=$(printf 'A%.0s' $(seq 300))
  # newlines, '=', quotes, $(...) and backquotes, would-be properties, and
  # 300 bytes, written straight into the lab's sysfs
  printf 'Evil"Modem\nID_HANDSHAKE_KIND=printer\nX=$(touch %s/pwned)%s' "$W" "$long" \
    >"$W/evil-product"
  printf "S'1=\"2\"\nID_MM_DEVICE_IGNORE=1\n\$(touch %s/pwned)\`id\`%s" "$W" "$long" \
    >"$W/evil-serial"
  script="d=\$(readlink -f /sys/class/tty/ttyACM0/device/..)
cat '$W/evil-product' >\"\$d/product\"; cat '$W/evil-serial' >\"\$d/serial\""
  udev_test /sys/class/tty/ttyACM0 "$script" --port ttyACM0
  assert_success
  [ ! -e "$W/pwned" ]
  log=$output
  # the device's properties: what udevadm test prints after its log (the
  # log itself quotes the raw strings, newlines and all)
  props=$(printf '%s\n' "$output" | sed -n '/^DEVPATH=/,/^--- links:/p')
  run grep -c '^ID_HANDSHAKE_KIND=' <<<"$props"
  assert_output 1
  run grep -E '^ID_HANDSHAKE_KIND=|^ID_MM_DEVICE_IGNORE=|^X=' <<<"$props"
  assert_output 'ID_HANDSHAKE_KIND=modem'
  output=$props
  # the helper printed exactly three lines, each in the safe set
  helper=$(printf '%s\n' "$log" | grep -F "hsprobe --udev" | grep -F "(out)" |
    sed "s/.*(out) '\(.*\)'\$/\1/")
  [ "$(printf '%s\n' "$helper" | wc -l)" -eq 3 ]
  while IFS= read -r l; do
    [[ $l =~ ^ID_HANDSHAKE_(KIND|DRIVER|NAME)=[A-Za-z0-9._-]{1,63}$ ]] || {
      echo "bad line: $l"; false; }
  done <<<"$helper"
  name=$(printf '%s\n' "$output" | sed -n 's/^ID_HANDSHAKE_NAME=//p')
  # each part cut (27 bytes), the whole within 63
  [ "$name" = modem-Evil_Modem_ID_HANDSHAKE_KIN-S_1_2_ID_MM_DEVICE_IGNORE_1 ]
}
