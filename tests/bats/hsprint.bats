#!/usr/bin/env bats
# hsprint.bats - hsprint on a pty printer (socat writing what it receives
# to a file): byte-exact jobs from files and stdin, resume, status, and
# the errors and exit codes for bad use and missing or busy printers.
load helper

setup() {
  tmp=$(mktemp -d)
  export HS_LOCK_DIR="$tmp"
  HSPRINT=$BUILD_DIR/hsprint
  head -c 100000 /dev/urandom > "$tmp/job"
}

teardown() {
  [ -n "${PTY_PID:-}" ] && kill "$PTY_PID" 2>/dev/null
  rm -rf "$tmp"
}

# A printer that keeps everything it receives in $tmp/out.
start_printer() {
  # -T: socat's own deadline, quiet for as long as a test may run
  socat -T "$BATS_TEST_TIMEOUT" -u PTY,link="$tmp/lp",raw,echo=0 CREATE:"$tmp/out" &
  PTY_PID=$!
  wait_until 5 test -e "$tmp/lp"
}

# Wait until the printer has N bytes.
printer_has() {
  wait_until 5 sh -c "[ \$(stat -c %s '$tmp/out' 2>/dev/null || echo 0) -ge $1 ]"
}

@test "--help and --version" {
  run timeout 30 "$HSPRINT" --help
  assert_success
  assert_line --partial "--resume-at BYTES"
  run timeout 30 "$HSPRINT" --version
  assert_output --regexp '^hsprint \(handshake\) [0-9.]+$'
}

@test "no printer named is a usage error" {
  HS_PRINTER= run timeout 30 "$HSPRINT" "$tmp/job"
  assert_failure 64
  assert_output --partial "name the printer with -d URI"
}

@test "a printer that is not there: exit 69 and its name" {
  run timeout 30 "$HSPRINT" -d /dev/ttyUSB-absent "$tmp/job"
  assert_failure 69
  assert_output --partial "/dev/ttyUSB-absent does not exist"
}

@test "a malformed URI is a usage error that says what is wrong" {
  run timeout 30 "$HSPRINT" -d 'serial:/dev/ttyS0?flow=sometimes' "$tmp/job"
  assert_failure 64
  assert_output --partial "bad flow 'sometimes'"
}

@test "a job file that cannot be read: exit 66" {
  start_printer
  run timeout 30 "$HSPRINT" -d "$tmp/lp" "$tmp/nope"
  assert_failure 66
  assert_output --partial "cannot read $tmp/nope"
}

@test "a file reaches the printer byte for byte" {
  start_printer
  run timeout 30 "$HSPRINT" -v -d "serial:$tmp/lp?baud=115200&flow=xonxoff" "$tmp/job"
  assert_success
  assert_output "hsprint: $tmp/job: the printer took all 100000 bytes"
  printer_has 100000
  cmp "$tmp/job" "$tmp/out"
}

@test "into a pty, one write a slice and no poll, as cat does" {
  # 8 MiB in 64 KiB slices: 128 writes. A non-blocking write returns
  # each time the pty is full and then polls: thousands of calls here.
  # The bound is five times what the job needs; counts, not times.
  head -c $((8 * 1024 * 1024)) /dev/urandom > "$tmp/big"
  start_printer
  # LeakSanitizer cannot run under ptrace (make check SANITIZE=1)
  run timeout 60 env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -c -e trace=write,poll,ppoll -o "$tmp/calls" \
    "$HSPRINT" -d "serial:$tmp/lp?flow=xonxoff" "$tmp/big"
  assert_success
  printer_has $((8 * 1024 * 1024))
  cmp "$tmp/big" "$tmp/out"
  calls=$(awk '$NF == "total" { print $4 }' "$tmp/calls")
  echo "hsprint made $calls writes and polls for 8 MiB" >&3
  [ "$calls" -le $((5 * 128)) ]
}

@test "a program that keeps the library's signal: the job still goes whole, without the timer" {
  # SIGRTMAX-3 ignored (inherited across exec): no wake timer, so the
  # writes are non-blocking and wait for the pty in poll()
  head -c $((2 * 1024 * 1024)) /dev/urandom > "$tmp/big"
  start_printer
  run timeout 60 env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    bash -c 'trap "" RTMAX-3 && exec "$@"' - strace -c -e trace=write,timer_create -o "$tmp/calls" \
    "$HSPRINT" -d "serial:$tmp/lp?flow=xonxoff" "$tmp/big"
  assert_success
  printer_has $((2 * 1024 * 1024))
  cmp "$tmp/big" "$tmp/out"
  grep -q ' write$' "$tmp/calls"
  ! grep -q timer_create "$tmp/calls"
}

@test "standard input is a job too" {
  start_printer
  run timeout 30 sh -c "cat '$tmp/job' | '$HSPRINT' -d '$tmp/lp'"
  assert_success
  printer_has 100000
  cmp "$tmp/job" "$tmp/out"
}

@test "--resume-at sends the rest of the job once" {
  start_printer
  run timeout 30 "$HSPRINT" -d "$tmp/lp" --resume-at 60000 "$tmp/job"
  assert_success
  printer_has 40000
  tail -c 40000 "$tmp/job" | cmp - "$tmp/out"
  run timeout 30 "$HSPRINT" -d "$tmp/lp" --resume-at 1 "$tmp/job" "$tmp/job"
  assert_failure 64
}

@test "--resume-at past the end of the job: exit 64, said once, no offer to resume there" {
  start_printer
  run timeout 30 "$HSPRINT" -d "$tmp/lp" --resume-at 200000 "$tmp/job"
  assert_failure 64
  assert_output "hsprint: $tmp/job: resume offset 200000 is past the end of the 100000-byte job"
  # From a pipe the job's size is known only at its end.
  run timeout 30 sh -c 'cat "$2" | "$0" -d "$1" --resume-at 200000' "$HSPRINT" "$tmp/lp" "$tmp/job"
  assert_failure 64
  assert_output "hsprint: (stdin): resume offset 200000 is past the end of the 100000-byte job"
}

@test "--status on a printer with no status language says so" {
  start_printer
  run timeout 30 "$HSPRINT" -d "$tmp/lp" --status
  assert_success
  assert_line --regexp '^transport: +pty$'
  assert_line --regexp '^driver: +generic$'
  assert_line --regexp '^status: +unknown$'
  run timeout 30 "$HSPRINT" -d "$tmp/lp" --status --json
  assert_success
  json_valid hsprint
  assert_output --regexp '^\{"ok":true,"mode":"status","exit":0,"device":"/dev/pts/[0-9]+","transport":"pty","driver":"generic",.*"status":\{"known":false,'
}

@test "--status on a serial printer holding its handshake line low says so" {
  # A printer with no status language still says "busy" one way: by
  # holding DSR (dtrdsr) or CTS (rtscts) low.
  for case in dtrdsr:DSR rtscts:CTS; do
    IFS=: read -r flow sig <<< "$case"
    run "$HSLAB" --port 'ttyUSB0 printer' --busy both --fault stuck-busy -- \
      "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=9600&flow=$flow" --status
    assert_success
    assert_line 'status:    busy'
    assert_line "detail:    the printer holds $sig low (flow $flow): busy, out of paper or off line"
    run "$HSLAB" --port 'ttyUSB0 printer' --busy both --fault stuck-busy -- \
      "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=9600&flow=$flow" --status --json
    assert_output --partial '"status":{"known":true,"ready":false,"flags":"busy",'
    json_valid hsprint
  done
  # The line high says nothing more than before: no guess.
  run "$HSLAB" --port 'ttyUSB0 printer' --busy dsr -- \
    "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=9600&flow=dtrdsr' --status
  assert_success
  assert_line 'status:    unknown'
}

@test "an unknown driver is named in the error" {
  start_printer
  run timeout 30 "$HSPRINT" -d "$tmp/lp" -D postscript "$tmp/job"
  assert_failure 64
  assert_output --partial "unknown printer driver 'postscript'"
}

@test "a printer in use by another program: exit 75 with its pid" {
  start_printer
  real=$(readlink -f "$tmp/lp")
  printf '%10d\n' "$PTY_PID" > "$tmp/LCK..pts_${real##*/}"
  run timeout 30 "$HSPRINT" -d "$tmp/lp" "$tmp/job"
  assert_failure 75
  assert_output --partial "is locked by pid $PTY_PID (socat)"
}

# --- against the lab's serial printer (tests/lab) ---------------------

# lab_print FLOW BUSY RATE [hsprint args...]: print $tmp/job16k at 115200
# baud with FLOW to a lab printer that prints RATE bytes/s (0: at once)
# and signals busy by BUSY.
lab_print() {
  local flow=$1 busy=$2 rate=$3 stall=(); shift 3
  # A paced printer also stops for 1 s after 4000 bytes (paper out): its
  # buffer fills and it must say busy however fast the host could send,
  # on an idle machine or a loaded one. (1 s: well short of the 2 s after
  # which hsprint says the printer holds it.)
  [ "$rate" = 0 ] || stall=(--paper-out '4000 1000')
  run "$HSLAB" --port 'ttyUSB0 printer' --busy "$busy" --buffer '2048 1536 512' \
    --print-rate "$rate" "${stall[@]}" --output "$tmp/out" --transcript "$tmp/t" -- \
    "$HSPRINT" -v -d "serial:/dev/ttyUSB0?baud=115200&flow=$flow" "$@" "$tmp/job16k"
}

@test "lab printer, each handshake: the output is sha256-equal to the job" {
  head -c 16384 /dev/urandom > "$tmp/job16k"
  want=$(sha256sum < "$tmp/job16k")
  # With no handshake the printer must keep up; with one it is slower
  # than the line, stalls once, and has to say busy.
  for case in none:none:0 xonxoff:xonxoff:8000 rtscts:both:8000 dtrdsr:dsr:8000; do
    IFS=: read -r flow busy rate <<< "$case"
    lab_print "$flow" "$busy" "$rate"
    assert_success
    if [ "$flow" = none ]; then
      assert_output "hsprint: $tmp/job16k: all 16384 bytes went out (flow=none: nothing says whether the printer kept up)"
    else
      assert_output "hsprint: $tmp/job16k: the printer took all 16384 bytes"
    fi
    [ "$(sha256sum < "$tmp/out")" = "$want" ]
    # A paced printer really was busy on the way (the test can fail).
    [ "$rate" = 0 ] || grep -q "printer xoff fill=" "$tmp/t"
  done
}

@test "lab printer holding DSR low: exit 75 and the exact count it took" {
  head -c 16384 /dev/urandom > "$tmp/job16k"
  run "$HSLAB" --port 'ttyUSB0 printer' --busy dsr --buffer '2048 1536 512' \
    --print-rate 2000 --paper-out '5000 2000' --output "$tmp/out" --transcript "$tmp/t" -- \
    "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr" --timeout 1 "$tmp/job16k"
  assert_failure 75
  read -r took _ _ < <(rx_bytes_and_span "$tmp/t" ttyUSB0)
  assert_output --partial "held the output (dtrdsr) for 1 s"
  assert_output --partial "the printer accepted $took of 16384 bytes"
  assert_output --partial "--resume-at $took"
  # ...and resuming there on a fresh printer sends the rest exactly once.
  run "$HSLAB" --port 'ttyUSB0 printer' --busy dsr --output "$tmp/rest" -- \
    "$HSPRINT" -d "serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr" --resume-at "$took" "$tmp/job16k"
  assert_success
  cat "$tmp/job16k" | tail -c +$((took + 1)) | cmp - "$tmp/rest"
}

@test "--status names the USB-serial adapter the lab announced" {
  run "$HSLAB" --port 'ttyUSB0 printer' --usb 067b:2303 --manufacturer Prolific \
    --product 'USB-Serial Controller' --serial 'PL 42' -- "$HSPRINT" -d /dev/ttyUSB0 --status
  assert_success
  assert_line --regexp '^transport: +serial$'
  assert_line --regexp '^usb: +067b:2303 Prolific USB-Serial Controller PL 42$'
}
