#!/usr/bin/env bats
# man.bats - the reference pages: after `make install` every function the
# library exports (and every name in lib/handshake.map) opens with
# `man 3 NAME` on a page that documents it, every page renders without
# warnings, every public function has its comment, and handshake(7)
# covers what the issue asks of an overview.
load helper

BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

setup() {
  tmp=$(mktemp -d)
  command -v man >/dev/null || skip "man (man-db) not installed"
}

teardown() {
  rm -rf "$tmp"
}

install_into_tmp() {
  make -s -C "$ROOT" --no-print-directory install DESTDIR="$tmp" PREFIX=/usr >/dev/null
  MANDIR=$tmp/usr/share/man
}

# the names the version script exports: the shared library's dynamic
# symbols (wildcards expanded) and the names it spells out
exported_names() {
  nm -D --defined-only "$(find "$tmp/usr/lib" -name libhandshake.so.0)" | awk '{print $3}' |
    sed 's/@.*//' | grep -v '^HANDSHAKE_'
  sed -n '/global:/,/local:/p' "$ROOT/lib/handshake.map" | tr ' ;\t' '\n\n\n' |
    grep -E '^hs_[a-z0-9_]+$'
}

@test "every exported symbol has a section-3 page that documents it" {
  install_into_tmp
  exported_names | sort -u >"$tmp/names"
  [ "$(wc -l <"$tmp/names")" -gt 40 ]
  while read -r sym; do
    page=$(man -M "$MANDIR" -w 3 "$sym") || { echo "no page for $sym" >&2; return 1; }
    # the page it opens has the function's own subsection and prototype
    grep -q "^\.SS .*\b$sym()" "$page" || { echo "$page: no section for $sym" >&2; return 1; }
    grep -q "\b$sym(" "$page"
  done <"$tmp/names"
}

@test "man 3 hs_link_open shows the header's words; man 7 handshake the overview" {
  install_into_tmp
  MANWIDTH=80 MANPAGER=cat run man -M "$MANDIR" 3 hs_link_open
  assert_success
  assert_output --partial "int hs_link_open(struct hs_link **out, const char *uri);"
  assert_output --partial "Open the device a URI names; *out is NULL on failure."
  assert_output --partial "HS_ERR_STALL"
  MANWIDTH=80 MANPAGER=cat run man -M "$MANDIR" 7 handshake
  assert_success
  for section in URIS ERRORS DEADLINES "WHICH CALLS MAY BLOCK" THREADS TRACING; do
    assert_line "$section"
  done
}

@test "every page renders without a warning" {
  install_into_tmp
  for page in "$MANDIR"/man3/handshake*.3 "$MANDIR"/man7/handshake.7 "$ROOT"/tools/*.1; do
    LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>"$tmp/warn" >/dev/null
    [ ! -s "$tmp/warn" ] || { echo "$page:"; cat "$tmp/warn"; return 1; } >&2
  done
}

@test "every public function has a comment for its page" {
  for h in "$ROOT"/lib/include/handshake/*.h; do
    awk -v page=x -f "$ROOT/man/header2man.awk" "$h" 2>>"$tmp/undocumented" >/dev/null
  done
  run cat "$tmp/undocumented"
  assert_output ""
}
