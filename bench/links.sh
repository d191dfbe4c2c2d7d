#!/bin/sh
# links.sh - many links in one process (bench/links.c): 48 under the lab
# (its 8 ports, the lab ringing one, plus ptys) and 64, 256 and 1000 pty
# links, each waiting for RING for 10 s and then rung three times: the
# wake-ups while nothing happens (goal: none at all) against those the
# RINGs cost (the reference, reported), the open time and the memory per
# link (reported). Then, with `ulimit -n 1024`, links are opened until the
# descriptors run out: the error must say so and name the limit.
# umockdev's preload tracks at most 50 emulated descriptors per process
# and the lab serves at most 8 ports, hence ptys beside the lab's.
. "$(dirname "$0")/bench_lib.sh"
PROG=$B/bench/links
bench_need "$HSLAB" "$PROG"
IDLE=${LINKS_IDLE:-10}
SIZES=${LINKS_SIZES:-64 256 1000}

# lab: 48 links, 8 of them lab ports; the last lab port rings after IDLE s
lab() {
  args='' devs='' i=0
  while [ $i -lt 8 ]; do args="$args --port ttyUSB$i"; devs="$devs /dev/ttyUSB$i"; i=$((i + 1)); done
  # shellcheck disable=SC2086 # option lists
  "$HSLAB" $args --ring "$IDLE 5551212 BENCH" --ring-interval 0.5 --ring-max 3 \
    -- "$PROG" $((IDLE + 2)) 48 $devs
}

# sample KEY LINE: the figures of one run of links
sample() {
  set -- $2
  [ "$1" = links ] || bench_fatal "links printed: $*"
  bench_sample "idle$n" "${10}"
  bench_sample "open$n" "$4"
  bench_sample "kib$n" "$6"
  bench_sample "ring$n" "$(ratio "${16}" "${14}")"
  echo "  run $i, $2 links: open $4 us and $6 KiB each; idle $8 s: ${10} wake-ups (${12} context switches); ${14} RINGs: ${16} wake-ups"
  [ "${14}" -gt 0 ] || bench_fatal "$2 links: no RING arrived"
}

bench_title "links waiting for RING in one process, $IDLE s idle"
for i in $(bench_seq); do
  n=lab
  out=$(lab) || bench_fatal "48 links under the lab failed"
  sample "$n" "$out"
  for n in $SIZES; do
    out=$(LINKS_RING=$IDLE "$PROG" $((IDLE + 2)) "$n") || bench_fatal "$n links failed"
    sample "$n" "$out"
  done
done
for n in lab $SIZES; do
  what="$n links"
  [ $n = lab ] && what='48 links (8 lab ports)'
  bench_row "idle$n" "$what: wake-ups while idle for $IDLE s" '<= 0'
  bench_info "$what: wake-ups per RING (reference)" "$(bench_median "ring$n")"
  bench_info "$what: open time per link, us" "$(bench_median "open$n")"
  bench_info "$what: memory per link, KiB" "$(bench_median "kib$n")"
done
out=$(ulimit -n 1024 && "$PROG" --fill) || bench_fatal "--fill failed: $out"
echo "  with ulimit -n 1024: $out"
case $out in
  *"ulimit -n"*) bench_info 'links opened with ulimit -n 1024 (2 descriptors each here)' "$(echo "$out" | cut -d' ' -f2 | tr -d :)" ;;
  *) bench_fail 'a clear error at the descriptor limit' "$out" ;;
esac
bench_end
