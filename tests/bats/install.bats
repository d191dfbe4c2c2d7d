#!/usr/bin/env bats
# install.bats - `make install` lays out the library (in the multiarch
# folder), headers and pkg-config file, and a program built against them
# with pkg-config opens a pty link and exchanges bytes; the installed
# tools run on the shared library; `make uninstall` takes all of it back.
load helper

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

setup() {
  tmp=$(mktemp -d)
  MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || cc -print-multiarch)
  LIB=$tmp/usr/lib/$MA
}

teardown() {
  [ -n "${PTY_PID:-}" ] && kill "$PTY_PID" 2>/dev/null
  rm -rf "$tmp"
}

install_into_tmp() {
  timeout 120 make -s -C "$ROOT" --no-print-directory install DESTDIR="$tmp" PREFIX=/usr >/dev/null
}

@test "a plain make builds the library, the tools and the lab" {
  # -n: what a fresh tree would build, into a folder of its own
  run timeout 60 make -n -C "$ROOT" --no-print-directory BUILD="$tmp/b"
  assert_success
  for f in libhandshake.a libhandshake.so hsdial hsprint hsprobe linkcat hslab labhost; do
    grep -qE "$tmp/b/$f( |\$)" <<<"$output" || { echo "make would not build $f"; false; }
  done
}

@test "a build folder whose name holds .c builds the same (mktemp gave tmp.cc1...)" {
  run timeout 60 make -n -C "$ROOT" --no-print-directory BUILD="$tmp/x.cc1/b"
  assert_success
  assert_output --partial "$tmp/x.cc1/b/obj/tools/hsdial_bridge.o"
  refute_output --partial "x.oc1"
}

@test "make install puts the libraries, headers and handshake.pc in place" {
  run install_into_tmp
  assert_success
  [ -n "$MA" ]
  [ -f "$LIB/libhandshake.a" ]
  [ -L "$LIB/libhandshake.so" ]
  [ -f "$LIB/libhandshake.so.0" ]
  [ -f "$tmp/usr/include/handshake/handshake.h" ]
  [ -f "$tmp/usr/include/handshake/link.h" ]
  [ -f "$tmp/usr/include/handshake/error.h" ]
  run timeout 30 objdump -p "$LIB/libhandshake.so.0"
  assert_line --regexp 'SONAME +libhandshake\.so\.0$'
  for t in hsdial hsprint hsprobe hsxfer; do
    [ -x "$tmp/usr/bin/$t" ]
    [ -f "$tmp/usr/share/man/man1/$t.1" ]
    [ -e "$tmp/usr/share/bash-completion/completions/$t" ]
  done
  # udev and systemd files, with hsprobe's installed path filled in
  run cat "$tmp/usr/lib/udev/rules.d/60-handshake.rules" "$tmp/usr/lib/systemd/system/handshake-setup@.service"
  assert_output --partial "/usr/bin/hsprobe"
  refute_output --partial "@BINDIR@"
  run grep -E '^(prefix|libdir|includedir)=' "$LIB/pkgconfig/handshake.pc"
  assert_output "prefix=/usr"$'\n'"libdir=/usr/lib/$MA"$'\n'"includedir=/usr/include"
}

@test "the shared library exports exactly the functions the headers declare" {
  install_into_tmp
  timeout 30 nm -D --defined-only "$LIB/libhandshake.so.0" | awk '{print $3}' |
    sed 's/@.*//' | grep -v '^HANDSHAKE_0$' | sort > "$tmp/exported"
  grep -ho 'hs_[a-z0-9_]*(' "$tmp"/usr/include/handshake/*.h | tr -d '(' | sort -u > "$tmp/declared"
  run diff "$tmp/declared" "$tmp/exported"
  assert_success
  run grep -c . "$tmp/exported"
  [ "$output" -gt 40 ]
}

@test "a program built with pkg-config against the install talks over a pty" {
  install_into_tmp
  export PKG_CONFIG_PATH="$LIB/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$tmp"
  run pkg-config --cflags --libs handshake
  # (pkg-config adds the private modules' -I too: libusb-1.0's)
  assert_output --regexp "^-I$tmp/usr/include( -I[^ ]+)* -L$LIB -lhandshake *\$"
  # the dependencies are pkg-config modules, for static links
  run pkg-config --print-requires-private handshake
  assert_output $'libserialport\nlibusb-1.0'
  run pkg-config --static --libs handshake
  assert_output --regexp "-lhandshake .*-lserialport .*-lusb-1.0"
  san=
  [ "${SANITIZE:-0}" = 1 ] && san="-fsanitize=address,undefined"
  timeout 120 cc $san -o "$tmp/linkcat" "$ROOT/examples/linkcat.c" $(pkg-config --cflags --libs handshake)
  # The far end shouts back what it hears.
  start_echo_pty "$tmp/tty" "tr a-z A-Z"
  LD_LIBRARY_PATH="$LIB" run timeout 30 "$tmp/linkcat" "serial:$tmp/tty?baud=115200" "hello modem"
  assert_success
  assert_output --partial "HELLO MODEM"
  assert_output --partial "(pty, pseudo-terminal)"
}

@test "the installed tools run on the shared library, without an rpath" {
  install_into_tmp
  for t in "$tmp"/usr/bin/hsdial "$tmp"/usr/bin/hsprint "$tmp"/usr/bin/hsprobe \
           "$tmp"/usr/lib/cups/backend/hs; do
    run objdump -p "$t"
    assert_line --regexp '^ +NEEDED +libhandshake\.so\.0$'
    refute_output --regexp 'R(UN)?PATH'
  done
  LD_LIBRARY_PATH="$LIB" run "$tmp/usr/bin/hsprobe" --version
  assert_success
  assert_output --regexp '^hsprobe \(handshake\) '
  # and the installed hsdial talks to the lab's modem
  LD_LIBRARY_PATH="$LIB" run "$HSLAB" -- "$tmp/usr/bin/hsdial" -d /dev/ttyUSB0 --at ATI
  assert_success
  assert_line "HSLAB Hayes-compatible modem"
}

@test "make uninstall removes everything make install put there" {
  install_into_tmp
  find "$tmp" ! -type d | sort >"$tmp/installed"
  [ "$(wc -l <"$tmp/installed")" -gt 100 ]
  grep -q "/usr/share/bash-completion/completions/hsprobe$" "$tmp/installed"
  grep -q "/usr/share/man/man3/hs_link_open.3$" "$tmp/installed"
  make -s -C "$ROOT" --no-print-directory uninstall DESTDIR="$tmp" PREFIX=/usr
  run find "$tmp" ! -type d ! -name installed
  assert_output ""
  [ ! -d "$tmp/usr/include/handshake" ]
}
