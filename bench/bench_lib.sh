# bench_lib.sh - the one shell library of every bench/*.sh (sourced, POSIX
# sh). A bench measures a thing and its reference in the same run, several
# times, and judges the median of what it measured against a goal; `make
# bench` (bench/run.sh) runs every bench and exits 1 when any goal is
# missed at the median or any bench fails.
#
# How to write one (bench/NAME.sh; helpers it needs go in bench/NAME.c,
# built by bench.mk into $B/bench/NAME):
#
#   . "$(dirname "$0")/bench_lib.sh"
#   bench_need "$HSPRINT" "$HSLAB"        # exits 2 if one is not built
#   for i in $(bench_seq); do             # BENCH_RUNS times (default 3)
#     ...measure the reference, then the thing, alternating...
#     bench_sample cpu "$(ratio "$thing" "$ref")"   # one value a run
#   done
#   bench_row cpu 'CPU of a 64 KiB job, dtrdsr / xonxoff' '<= 1.5'
#   bench_info 'bytes per write (dtrdsr)' "$n"      # printed, not judged
#   bench_end                             # exit status: 0, 1 missed, 2 failed
#
# - bench_seq [MIN] lists the run numbers: BENCH_RUNS (default 3), at
#   least MIN. Interleave: measure the reference and the thing within one
#   run, so the machine's load drifts over both alike, and sample what
#   judges them (a ratio, or a count against the reference), never a
#   figure remembered from another run.
# - bench_sample KEY VALUE records one run's VALUE (a number) under KEY.
# - bench_row KEY WHAT GOAL prints the row "WHAT | GOAL | min | median |
#   max | verdict" over KEY's samples; GOAL is "<= N", ">= N", "< N" or
#   "> N" and is judged at the median (ok or MISSED). bench_skip WHAT
#   GOAL WHY prints a row that is not judged (a missing reference), and
#   bench_fail WHAT WHY one that failed (exit 2 at bench_end).
# - bench_info WHAT VALUE... prints a figure that is reported, not judged;
#   bench_median KEY gives the median of KEY's samples for one.
# - bench_fatal WHY: a run that cannot go on (a job that did not arrive
#   whole): says so and exits 2.
# Rows go to stdout and, when bench/run.sh set BENCH_TABLE, to that file,
# from which it prints one table for all benches. Names the library uses
# for itself start with _b_ or _bench_; $i, $n and the like are yours. Wake-ups are voluntary
# context switches (/proc/PID/task/*/status, or getrusage for a whole
# program: costed, timed): under the lab a call umockdev emulates (an ioctl on
# a lab port, a read or write of one) costs one too, as it would cost a
# driver call on a real port.
#
# Also here: where the build is ($B, $ROOT, $HSPRINT, $HSLAB), a scratch
# folder ($W, removed at exit, also the UUCP lock folder), timing of a
# command, ratios, and readings of a lab transcript.

# costed OUT CMD...: run CMD; OUT gets "CPU_MS WAKEUPS WALL": CPU time of
# CMD and its children in ms (perf stat's task-clock where perf works,
# exact to the microsecond; else getrusage's, to 10 ms), voluntary
# context switches, seconds. CMD's status. Inside the lab, where only the
# program's own cost counts: "$HSLAB" ... -- sh "$BENCH_LIB" --costed OUT
# CMD...
if perf stat -x, -e task-clock -o /dev/null true >/dev/null 2>&1; then
  costed() {
    _b_out=$1; shift
    /usr/bin/time -f '%w %e' -o "$_b_out.t" perf stat -x, -e task-clock -o "$_b_out.p" "$@"
    _b_rc=$?
    awk -F, '$3 == "task-clock" { c = $1 } END { printf "%s ", c }' "$_b_out.p" >"$_b_out"
    cat "$_b_out.t" >>"$_b_out"
    return $_b_rc
  }
else
  costed() {
    _b_out=$1; shift
    /usr/bin/time -f '%U %S %w %e' -o "$_b_out.t" "$@"
    _b_rc=$?
    awk '{ printf "%.1f %s %s\n", ($1 + $2) * 1000, $3, $4 }' "$_b_out.t" >"$_b_out"
    return $_b_rc
  }
fi
if [ "${1:-}" = --costed ]; then
  shift
  costed "$@"
  exit
fi

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_LIB=$ROOT/bench/bench_lib.sh
case ${HS_BENCH_DIR:-${BUILD:-build}} in
  /*) B=${HS_BENCH_DIR:-$BUILD} ;;
  *) B=$ROOT/${BUILD:-build} ;;
esac
HSPRINT=$B/hsprint
HSDIAL=$B/hsdial
HSLAB=${HSLAB:-$B/hslab}
CUPS_SERIAL=${CUPS_SERIAL:-/usr/lib/cups/backend/serial}
CUPS_USB=${CUPS_USB:-/usr/lib/cups/backend/usb}
BENCH_NAME=$(basename "$0" .sh)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
trap 'exit 130' INT TERM
# UUCP locks go here, not /run/lock: a benchmark leaves nothing.
export HS_LOCK_DIR="$W"
mkdir -p "$W/.samples"
_bench_status=0

bench_seq() {
  _b_n=${BENCH_RUNS:-3}
  [ "${1:-0}" -gt "$_b_n" ] && _b_n=$1
  seq 1 "$_b_n"
}

bench_sample() {
  case $2 in
    ''|*[!0-9.eE+-]*) bench_fatal "$1: not a number: '$2'" ;;
  esac
  echo "$2" >>"$W/.samples/$1"
}

# _bench_emit WHAT GOAL MIN MEDIAN MAX VERDICT
_bench_emit() {
  printf '  %-58s %-8s %10s %10s %10s  %s\n' "$1" "$2" "$3" "$4" "$5" "$6"
  [ -n "${BENCH_TABLE:-}" ] &&
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$BENCH_NAME" "$1" "$2" "$3" "$4" "$5" "$6" >>"$BENCH_TABLE"
  return 0
}

# _B_MEDIAN: awk's median(v, n) of the sorted v[1..n].
_B_MEDIAN='function median(v, n) { return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'

bench_row() {
  _b_what=$2 _b_goal=$3
  [ -s "$W/.samples/$1" ] || { bench_fail "$_b_what" "no samples"; return; }
  set -- $(sort -g "$W/.samples/$1" | awk -v goal="$_b_goal" "$_B_MEDIAN"'
    { v[NR] = $1 }
    END {
      med = median(v, NR)
      split(goal, g, " ")
      ok = -1
      if (g[1] == "<=") ok = (med <= g[2] + 0)
      if (g[1] == ">=") ok = (med >= g[2] + 0)
      if (g[1] == "<") ok = (med < g[2] + 0)
      if (g[1] == ">") ok = (med > g[2] + 0)
      printf "%.4g %.4g %.4g %s\n", v[1], med, v[NR], ok < 0 ? "BADGOAL" : ok ? "ok" : "MISSED"
    }')
  case $4 in
    ok) ;;
    MISSED) [ $_bench_status -eq 0 ] && _bench_status=1 ;;
    *) _bench_status=2 ;;
  esac
  _bench_emit "$_b_what" "$_b_goal" "$1" "$2" "$3" "$4"
}

# bench_median KEY: the median of KEY's samples so far.
bench_median() {
  sort -g "$W/.samples/$1" | awk "$_B_MEDIAN"'
    { v[NR] = $1 } END { if (NR) printf "%.4g\n", median(v, NR) }'
}

bench_skip() {
  _bench_emit "$1" "$2" - - - "not judged: $3"
}

bench_fail() {
  _bench_status=2
  _bench_emit "$1" - - - - "FAILED: $2"
}

bench_info() {
  _b_what=$1; shift
  _bench_emit "$_b_what" info "" "$*" "" ""
}

bench_fatal() {
  echo "$BENCH_NAME: $*" >&2
  bench_fail "$BENCH_NAME" "$*"
  exit 2
}

bench_end() {
  exit $_bench_status
}

bench_need() {
  for _b_f in "$@"; do
    [ -x "$_b_f" ] || { echo "$BENCH_NAME: $_b_f is missing (make bench builds it)" >&2; exit 2; }
  done
}

# bench_title TEXT: what the rows below measure, and the load then.
bench_title() {
  echo "$BENCH_NAME: $* (load $(cut -d' ' -f1-3 /proc/loadavg))"
}

# timed OUT CMD...: run CMD; OUT gets "WALL USER SYS WAKEUPS" (seconds,
# and voluntary context switches of CMD and its children). CMD's status.
timed() {
  _b_out=$1; shift
  /usr/bin/time -f '%e %U %S %w' -o "$_b_out" "$@"
}


# ratio A B: A/B with 4 significant digits (0 when B is 0).
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4g", (b > 0 ? a / b : 0) }'
}

# calc EXPR: an awk expression's value, e.g. calc "$a - $b".
calc() {
  awk "BEGIN { printf \"%.6g\", $1 }"
}

# rxlen(LINE): the bytes an rx event's payload stands for (\xHH is one,
# \c is one), as tests/lab/lab_helper.bash counts them.
RXLEN='function rxlen(line,  s, i, n) {
  s = line; sub(/^[^"]*"/, "", s); sub(/"$/, "", s)
  for (i = 1; i <= length(s); i++) {
    if (substr(s, i, 1) == "\\") i += (substr(s, i + 1, 1) == "x") ? 3 : 1
    n++
  }
  return n
}'

# rx_span TRANSCRIPT DEVICE: "BYTES SECONDS" - every byte DEVICE received,
# and the seconds from its first rx event to its last.
rx_span() {
  awk -v dev="$2" "$RXLEN"'
    $2 == dev && $3 == "rx" {
      if (!seen) { first = $1; seen = 1 }
      last = $1; total += rxlen($0)
    }
    END { printf "%d %.6f\n", total, last - first }' "$1"
}

# after_dsr_drop TRANSCRIPT DEVICE: the most bytes DEVICE received while
# it held DSR low (from each drop to the next raise), over the whole job.
after_dsr_drop() {
  awk -v dev="$2" "$RXLEN"'
    $2 != dev { next }
    $3 == "dev" && /DSR=0/ { low = 1; n = 0; next }
    $3 == "dev" && /DSR=1/ { low = 0; next }
    $3 == "rx" && low { n += rxlen($0); if (n > max) max = n }
    END { print max + 0 }' "$1"
}

# restart_delay TRANSCRIPT DEVICE EVENT: the median, over each time the
# device said go (EVENT: "xon" or "dsr"), of the seconds until its next
# rx event: how soon the host sent again.
restart_delay() {
  awk -v dev="$2" -v ev="$3" '
    $2 != dev { next }
    ev == "xon" && $3 == "printer" && $4 == "xon" { t = $1; next }
    ev == "dsr" && $3 == "dev" && /DSR=1/ { t = $1; next }
    $3 == "rx" && t != "" { d[++n] = $1 - t; t = "" }
    END {
      if (!n) { print -1; exit }
      for (i = 2; i <= n; i++) for (j = i; j > 1 && d[j - 1] > d[j]; j--) {
        x = d[j]; d[j] = d[j - 1]; d[j - 1] = x }
      printf "%.6f\n", n % 2 ? d[(n + 1) / 2] : (d[n / 2] + d[n / 2 + 1]) / 2
    }' "$1"
}
