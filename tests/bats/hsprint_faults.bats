#!/usr/bin/env bats
# hsprint_faults.bats - issue 6's serial "Done means" for faults in the
# middle of a job, on the lab's serial printer: paper out (hsprint waits
# and finishes, output sha256-equal), and unplug (the exit code and
# message give the exact bytes the printer received, or under xonxoff,
# where the port's queue is lost with the device, the bytes that surely
# left and how many more may have; --resume-at that count on a new
# printer completes the job).
load helper

setup() {
  lab_setup
  tmp=$(mktemp -d)
  export HS_LOCK_DIR="$tmp"
  HSPRINT=$BUILD_DIR/hsprint
  head -c 16384 /dev/urandom > "$tmp/job16k"
}

teardown() {
  rm -rf "$tmp"
}

# assert_bounded TOOK: hsprint's failure ($output) bounds the TOOK bytes
# the printer got: at least the count it said ($said), at most the port's
# queue it named ($more) more; and --resume-at that count on a fresh
# xonxoff printer sends the rest of $tmp/job16k, each byte once.
assert_bounded() {
  local took=$1
  [[ "$output" =~ the\ printer\ accepted\ ([0-9]+)\ of\ 16384\ bytes ]]
  said=${BASH_REMATCH[1]}
  more=0
  [[ "$output" =~ \(([0-9]+)\ more\ were\ in\ the\ port\'s\ queue ]] && more=${BASH_REMATCH[1]}
  echo "printer got $took, hsprint said $said (+ up to $more)"
  [ "$said" -le "$took" ] && [ "$took" -le $((said + more)) ]
  assert_output --partial "--resume-at $said"
  run "$HSLAB" --port 'ttyUSB0 printer' --busy xonxoff --output "$tmp/rest" -- \
    "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=xonxoff' --resume-at "$said" "$tmp/job16k"
  assert_success
  tail -c +$((said + 1)) "$tmp/job16k" | cmp - "$tmp/rest"
}

@test "paper out mid-job, busy by DSR or XOFF: hsprint waits and finishes, sha256-equal" {
  for case in dtrdsr:dsr xonxoff:xonxoff; do
    IFS=: read -r flow busy <<< "$case"
    # Paper runs out after 5000 bytes for 4 s: longer than the busy
    # periods of a slow printer, shorter than --timeout.
    run "$HSLAB" --port 'ttyUSB0 printer' --busy "$busy" --buffer '2048 1536 512' \
      --print-rate 4000 --paper-out '5000 4000' --output "$tmp/out" --transcript "$tmp/t" -- \
      "$HSPRINT" -v -d "serial:/dev/ttyUSB0?baud=115200&flow=$flow" --timeout 10 "$tmp/job16k"
    assert_success
    # The printer holds the handshake and cannot say why: hsprint says so
    # after 2 s, and again when it prints.
    assert_line -n 0 "hsprint: printer says: busy - held the output ($flow) for 2 s without saying why: out of paper, off line or slow?"
    assert_line -n 1 "hsprint: printer says: ready - printing again"
    assert_line -n 2 "hsprint: $tmp/job16k: the printer took all 16384 bytes"
    [ "${#lines[@]}" = 3 ]
    grep -q 'printer paper-out' "$tmp/t"
    grep -q 'printer paper-ok' "$tmp/t"
    [ "$(sha256sum < "$tmp/out")" = "$(sha256sum < "$tmp/job16k")" ]
  done
}

@test "unplug mid-job (dtrdsr): exit 74 with the exact count; --resume-at it completes the job" {
  run "$HSLAB" --port 'ttyUSB0 printer' --busy dsr --buffer '2048 1536 512' --print-rate 8000 \
    --fault 'unplug after-bytes 6000' --output "$tmp/out" --transcript "$tmp/t" -- \
    "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' "$tmp/job16k"
  assert_failure 74
  read -r took _ _ < <(rx_bytes_and_span "$tmp/t" ttyUSB0)
  [ "$took" -ge 6000 ] && [ "$took" -lt 16384 ]
  assert_output --partial "the printer accepted $took of 16384 bytes"
  assert_output --partial "--resume-at $took"
  # Under DTR/DSR the unplug shows first as DSR that cannot be read: the
  # message must still say what happened.
  assert_output --partial "/dev/ttyUSB0 went away"
  assert_output --partial "was it unplugged?"
  refute_output --partial "cannot read the modem lines"
  # A new printer gets the rest: what both received is the job, once.
  run "$HSLAB" --port 'ttyUSB0 printer' --busy dsr --output "$tmp/rest" --transcript "$tmp/t2" -- \
    "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=dtrdsr' --resume-at "$took" "$tmp/job16k"
  assert_success
  tail -c +$((took + 1)) "$tmp/job16k" | cmp - "$tmp/rest"
  read -r took2 _ _ < <(rx_bytes_and_span "$tmp/t2" ttyUSB0)
  [ $((took + took2)) = 16384 ]
}

@test "unplug mid-job (xonxoff): the count leaves out the port's queue and says how much it was" {
  # The kernel queues what the handshake lets through; the lab loses
  # what its pty still holds at the unplug, as a USB adapter would.
  # After the hang-up only the queue depth last seen is known: the count
  # leaves it out and the message names it; a resume repeats at most it.
  run "$HSLAB" --port 'ttyUSB0 printer' --busy xonxoff --print-rate 20000 \
    --fault 'unplug after-bytes 6000' --output "$tmp/out" --transcript "$tmp/t" -- \
    "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=xonxoff' "$tmp/job16k"
  assert_failure 74
  read -r took _ _ < <(rx_bytes_and_span "$tmp/t" ttyUSB0)
  assert_bounded "$took"
  # 40 ms of data at 115200 baud: the most pacing lets sit in the queue
  [ "$more" -le 461 ]
}

@test "held past --timeout (xonxoff): the count and message bound what the printer got" {
  # The printer stops (XOFF) with bytes still in the port's queue and
  # takes them after hsprint gave up and closed the port, as a UART's
  # FIFO or a USB adapter's buffer still sends them: the count leaves the
  # queue out and the message says how much may still have reached it.
  run "$HSLAB" --port 'ttyUSB0 printer' --busy xonxoff --buffer '2048 1536 512' \
    --print-rate 4000 --paper-out '5000 3000' --output "$tmp/out" --transcript "$tmp/t" -- \
    "$HSPRINT" -d 'serial:/dev/ttyUSB0?baud=115200&flow=xonxoff' --timeout 1 "$tmp/job16k"
  assert_failure 75
  grep -q 'printer paper-ok' "$tmp/t"
  assert_bounded "$(stat -c %s "$tmp/out")"
}
