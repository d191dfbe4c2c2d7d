#!/usr/bin/env bats
# messages.bats - what every tool says on the common mistakes, word for
# word where it matters: a node the user may not open (and what would let
# them in), a path through something that is not a folder (a missing
# device, 69), and a mistyped option (the error and one line pointing at
# --help, not the whole help). The permission tests run the tools as
# nobody (setpriv) on a real pty whose owner, group and mode they set.
load helper

# bats 1.8: no test may hang the suite
BATS_TEST_TIMEOUT=60

setup() {
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  mkdir -m 1777 "$tmp/lock"
  export HS_LOCK_DIR="$tmp/lock"
  HSDIAL=$BUILD_DIR/hsdial HSPRINT=$BUILD_DIR/hsprint HSPROBE=$BUILD_DIR/hsprobe
}

teardown() {
  [ -n "${PTY_PID:-}" ] && kill "$PTY_PID" 2>/dev/null
  rm -rf "$tmp"
}

# a pty the tools open by its /dev/pts path (a link in $tmp would be
# followed as root's, not nobody's), owned and moded as asked
pty_node() {
  command -v setpriv >/dev/null || skip "setpriv not installed"
  start_echo_pty "$tmp/pty" cat
  node=$(readlink "$tmp/pty")
  chown "$1" "$node"
  chmod "$2" "$node"
}

# as_nobody [SETPRIV OPTIONS] -- TOOL ARGS: run TOOL as uid nobody
as_nobody() {
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  run timeout 30 setpriv --reuid=nobody "${opts[@]}" -- "$@"
}

@test "a root-only node: no group to join, so a udev rule is what helps" {
  pty_node root:root 0600
  as_nobody --regid=nogroup --clear-groups -- "$HSDIAL" -d "$node" --at AT
  assert_failure 77
  assert_output --partial "hsdial: permission denied opening $node (owner root, group root, mode 0600)"
  assert_output --partial 'udev rule'
  assert_output --partial 'GROUP="dialout", MODE="0660"'
  refute_output --partial 'add your user to group root'
}

@test "a node in a group: join that group" {
  pty_node root:dialout 0660
  as_nobody --regid=nogroup --clear-groups -- "$HSPRINT" -d "$node" /dev/null
  assert_failure 77
  assert_output --partial "permission denied opening $node (owner root, group dialout, mode 0660): add your user to group dialout"
}

@test "a node whose mode lets no group in: the mode is what to change" {
  pty_node root:dialout 0600
  as_nobody --regid=nogroup --clear-groups -- "$HSDIAL" -d "$node" --at AT
  assert_failure 77
  assert_output --partial "(owner root, group dialout, mode 0600)"
  assert_output --partial 'MODE="0660"'
  refute_output --partial 'add your user to group dialout'
}

@test "in the node's group, but not in this login: log in again" {
  # nobody's own group is nogroup; the process runs without it, as a
  # session started before the user was added would
  pty_node root:nogroup 0660
  as_nobody --regid=dialout --clear-groups -- "$HSDIAL" -d "$node" --at AT
  assert_failure 77
  assert_output --partial "you are in group nogroup, but this login is not"
  assert_output --partial 'newgrp nogroup'
}

@test "a path through something that is not a folder is a missing device" {
  : >"$tmp/file"
  run timeout 30 "$HSDIAL" -d "$tmp/file/ttyUSB0" --at AT
  assert_failure 69
  assert_output "hsdial: $tmp/file/ttyUSB0 does not exist ($tmp/file is not a folder); is the device plugged in? (see ls /dev/serial/by-id)"
  run timeout 30 "$HSPRINT" -d "serial:$tmp/file/ttyUSB0" /dev/null
  assert_failure 69
  [ -c /dev/tty ] || return 0
  run timeout 30 "$HSDIAL" -d /dev/tty/USB0 --at AT
  assert_failure 69
  assert_output --partial "/dev/tty/USB0 does not exist (/dev/tty is not a folder)"
  refute_output --partial 'Not a directory'
}

@test "a bad option: the error and one line pointing at --help" {
  for tool in hsdial hsprint hsprobe; do
    run timeout 30 "$BUILD_DIR/$tool" --bogus
    assert_failure 64
    assert_line --index 0 "$BUILD_DIR/$tool: unrecognized option '--bogus'"
    assert_line --index 1 "$tool: try '$tool --help' for more information"
    [ "${#lines[@]}" -eq 2 ]
    run timeout 30 "$BUILD_DIR/$tool" -d
    assert_failure 64
    [ "${#lines[@]}" -eq 2 ]
    assert_line --index 1 "$tool: try '$tool --help' for more information"
  done
  # pppd's connect script runs hsdial --chat: chat's code for a bad script
  run timeout 30 "$HSDIAL" --chat /dev/null --bogus
  assert_failure 1
  [ "${#lines[@]}" -eq 2 ]
}
