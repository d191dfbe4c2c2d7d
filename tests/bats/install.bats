#!/usr/bin/env bats
# install.bats - `make install` lays out the library, headers and
# pkg-config file, and a program built against them with pkg-config opens
# a pty link and exchanges bytes.
load helper

setup() {
  tmp=$(mktemp -d)
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

@test "make install puts the libraries, headers and handshake.pc in place" {
  run install_into_tmp
  assert_success
  [ -f "$tmp/usr/lib/libhandshake.a" ]
  [ -L "$tmp/usr/lib/libhandshake.so" ]
  [ -f "$tmp/usr/lib/libhandshake.so.0" ]
  [ -f "$tmp/usr/include/handshake/handshake.h" ]
  [ -f "$tmp/usr/include/handshake/link.h" ]
  [ -f "$tmp/usr/include/handshake/error.h" ]
  run timeout 30 objdump -p "$tmp/usr/lib/libhandshake.so.0"
  assert_line --regexp 'SONAME +libhandshake\.so\.0$'
  for t in hsdial hsprint hsprobe; do
    [ -x "$tmp/usr/bin/$t" ]
    [ -f "$tmp/usr/share/man/man1/$t.1" ]
  done
  # udev and systemd files, with hsprobe's installed path filled in
  run cat "$tmp/usr/lib/udev/rules.d/60-handshake.rules" "$tmp/usr/lib/systemd/system/handshake-setup@.service"
  assert_output --partial "/usr/bin/hsprobe"
  refute_output --partial "@BINDIR@"
  run grep -E '^(prefix|libdir|includedir)=' "$tmp/usr/lib/pkgconfig/handshake.pc"
  assert_output $'prefix=/usr\nlibdir=/usr/lib\nincludedir=/usr/include'
}

@test "the shared library exports exactly the functions the headers declare" {
  install_into_tmp
  timeout 30 nm -D --defined-only "$tmp/usr/lib/libhandshake.so.0" | awk '{print $3}' |
    sed 's/@.*//' | grep -v '^HANDSHAKE_0$' | sort > "$tmp/exported"
  grep -ho 'hs_[a-z0-9_]*(' "$tmp"/usr/include/handshake/*.h | tr -d '(' | sort -u > "$tmp/declared"
  run diff "$tmp/declared" "$tmp/exported"
  assert_success
  run grep -c . "$tmp/exported"
  [ "$output" -gt 40 ]
}

@test "a program built with pkg-config against the install talks over a pty" {
  install_into_tmp
  export PKG_CONFIG_PATH="$tmp/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$tmp"
  run pkg-config --cflags --libs handshake
  assert_output --regexp "^-I$tmp/usr/include -L$tmp/usr/lib -lhandshake *\$"
  san=
  [ "${SANITIZE:-0}" = 1 ] && san="-fsanitize=address,undefined"
  timeout 120 cc $san -o "$tmp/linkcat" "$ROOT/examples/linkcat.c" $(pkg-config --cflags --libs handshake)
  # The far end shouts back what it hears.
  start_echo_pty "$tmp/tty" "tr a-z A-Z"
  LD_LIBRARY_PATH="$tmp/usr/lib" run timeout 30 "$tmp/linkcat" "serial:$tmp/tty?baud=115200" "hello modem"
  assert_success
  assert_output --partial "HELLO MODEM"
  assert_output --partial "(pty, pseudo-terminal)"
}
