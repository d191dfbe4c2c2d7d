#!/usr/bin/env bats
# deb.bats - `make deb` on a fresh clone builds libhandshake0,
# libhandshake-dev and handshake with lintian reporting no error; the
# packages unpacked into a throwaway root (dpkg -x: the files exactly as
# dpkg installs them, without a whole Debian system to bootstrap) hold
# what each should, and from that root hsprobe --version runs,
# pkg-config finds the library, and an example compiled against the
# installed headers talks to the lab's modem. Skipped until `make deb`
# has installed the packaging tools (DEB_DEPS) once.
load helper

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-1200}

setup_file() {
  command -v dh >/dev/null && command -v lintian >/dev/null && command -v git >/dev/null ||
    return 0
  export DEB_TMP=$(mktemp -d)
  git clone -q "$ROOT" "$DEB_TMP/src"
  # the packages are built as a user builds them, whatever this suite's
  # SANITIZE says
  if make -C "$DEB_TMP/src" deb SANITIZE=0 BUILD=build >"$DEB_TMP/deb.log" 2>&1; then
    mkdir "$DEB_TMP/root"
    for d in "$DEB_TMP"/src/build/deb/*.deb; do dpkg -x "$d" "$DEB_TMP/root"; done
  else
    echo "make deb failed" >"$DEB_TMP/failed"
  fi
}

teardown_file() {
  [ -z "${DEB_TMP:-}" ] || rm -rf "$DEB_TMP"
}

setup() {
  [ -n "${DEB_TMP:-}" ] || skip "packaging tools missing: run make deb once"
  [ ! -e "$DEB_TMP/failed" ] || { tail -50 "$DEB_TMP/deb.log"; false; }
  D=$DEB_TMP/src/build/deb
  R=$DEB_TMP/root
  MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
}

@test "make deb builds the three packages and lintian finds no error" {
  for p in libhandshake0 libhandshake-dev handshake; do
    ls "$D/${p}_0.1.0_"*.deb
  done
  run lintian "$D"/*.changes
  refute_output --regexp '^E: '
}

@test "each package holds its part" {
  run dpkg-deb -c "$D"/libhandshake0_*.deb
  assert_output --regexp "/usr/lib/$MA/libhandshake\.so\.0\.1\.0"
  refute_output --partial '/usr/include/'
  run dpkg-deb -c "$D"/libhandshake-dev_*.deb
  assert_output --partial './usr/include/handshake/link.h'
  assert_output --partial "./usr/lib/$MA/pkgconfig/handshake.pc"
  assert_output --partial './usr/share/man/man3/hs_link_open.3.gz -> '
  assert_output --partial './usr/share/man/man7/handshake.7.gz'
  assert_output --partial './usr/share/doc/libhandshake-dev/examples/at_command.c'
  run dpkg-deb -c "$D"/handshake_*.deb
  assert_output --partial './usr/bin/hsprobe'
  assert_output --partial './usr/lib/cups/backend/hs'
  assert_output --partial './lib/udev/rules.d/60-handshake.rules'
  assert_output --partial './lib/systemd/system/handshake-setup@.service'
  assert_output --partial './usr/share/bash-completion/completions/hsdial'
  assert_output --partial './usr/share/man/man1/hsdial.1.gz'
  # the tools need the library package, at this version or later
  run dpkg-deb -f "$D"/handshake_*.deb Depends
  assert_output --regexp 'libhandshake0 \(>= 0\.1\.0\)'
  run dpkg-deb -f "$D"/libhandshake-dev_*.deb Depends
  assert_output --partial 'libserialport-dev'
}

@test "from the unpacked root: the tools run on the packaged library" {
  run objdump -p "$R/usr/bin/hsdial"
  assert_line --regexp '^ +NEEDED +libhandshake\.so\.0$'
  LD_LIBRARY_PATH="$R/usr/lib/$MA" run "$R/usr/bin/hsprobe" --version
  assert_success
  assert_output 'hsprobe (handshake) 0.1.0'
  [ "$(sed -n 's|^ExecStart=\([^ ]*\) .*|\1|p' "$R/lib/systemd/system/handshake-setup@.service")" = /usr/bin/hsprobe ]
}

@test "from the unpacked root: pkg-config and an example built on the headers" {
  export PKG_CONFIG_SYSROOT_DIR=$R PKG_CONFIG_PATH=$R/usr/lib/$MA/pkgconfig
  run pkg-config --libs handshake
  assert_success
  assert_output --regexp '-lhandshake'
  zcat -f "$R/usr/share/doc/libhandshake-dev/examples/at_command.c"* >"$DEB_TMP/at_command.c"
  cc -o "$DEB_TMP/at_command" "$DEB_TMP/at_command.c" $(pkg-config --cflags handshake) \
    -L"$R/usr/lib/$MA" $(pkg-config --libs handshake)
  LD_LIBRARY_PATH="$R/usr/lib/$MA" run "$HSLAB" -- "$DEB_TMP/at_command" /dev/ttyUSB0 ATI
  assert_success
  assert_output $'HSLAB Hayes-compatible modem\nOK'
}
