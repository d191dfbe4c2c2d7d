# faults_helper.bash - the fault matrix's checks, the same for every row
# (tests/bats/faults_*.bats; README.md has the matrix as a table):
#   row        the tool ends within its deadline, with the documented
#              exit code and message;
#   bracketed  for printing, the count it reported, and its "up to N
#              more" bound, bracket what the printer received; and a
#              --resume-at that count completes the job, each byte once.
load helper

setup() {
  lab_setup
  tmp=$BATS_TEST_TMPDIR
  private_locks
  HSDIAL=$BUILD_DIR/hsdial HSPRINT=$BUILD_DIR/hsprint HSPROBE=$BUILD_DIR/hsprobe
  export HSDIAL HSPRINT HSPROBE
  ROW_IN=/dev/null ROW_OUT=$tmp/stdout ROW_ERR=$tmp/stderr
}

# row DEADLINE EXIT MESSAGE -- COMMAND...: run COMMAND (stdin $ROW_IN,
# stdout $ROW_OUT, stderr $ROW_ERR; status and output, its stderr, set
# as by run). It must end within DEADLINE seconds, the tool's own, plus
# a margin for a loaded machine (a hang is a failure, not a slow pass),
# exit with EXIT (or one of "A|B") and say MESSAGE (an extended regex)
# on a line of stderr; MESSAGE "-": say nothing there, "": the caller
# checks.
row() {
  local deadline=$1 want=$2 message=$3 limit
  shift 3
  [ "$1" = -- ] && shift
  limit=$((deadline * 2 + 20))
  status=0
  timeout -k 5 "$limit" "$@" <"$ROW_IN" >"$ROW_OUT" 2>"$ROW_ERR" || status=$?
  output=$(cat "$ROW_ERR")
  lines=()
  [ -z "$output" ] || mapfile -t lines <<<"$output"
  echo "exit $status; stderr:"; echo "$output"
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "did not end within ${limit} s (its deadline ${deadline} s and a margin)"
    return 1
  fi
  [[ "|$want|" == *"|$status|"* ]] || { echo "exit $status, not $want"; return 1; }
  if [ -z "$message" ]; then
    :
  elif [ "$message" = - ]; then
    [ ! -s "$ROW_ERR" ] || { echo "stderr is not empty"; return 1; }
  else
    grep -Eq -- "$message" "$ROW_ERR" || { echo "no line matches /$message/"; return 1; }
  fi
}

# bracketed GOT JOB RESUME...: the failed job's message ($output) said
# the printer accepted SAID of JOB's bytes and perhaps that up to MORE
# more were in the port's queue: SAID <= GOT <= SAID + MORE for the GOT
# bytes the printer received. Then RESUME (a command printing the rest
# of JOB to a fresh printer whose output is $tmp/rest, given
# --resume-at SAID as its last options) must send exactly JOB's bytes
# from SAID on. Sets said and more.
bracketed() {
  local got=$1 job=$2
  shift 2
  [[ $output =~ accepted\ ([0-9]+)\ of\ ([0-9]+)\ bytes ]] ||
    { echo "no count in the message"; return 1; }
  said=${BASH_REMATCH[1]}
  [ "${BASH_REMATCH[2]}" -eq "$(stat -c %s "$job")" ]
  more=0
  [[ $output =~ \(([0-9]+)\ more\ were\ in\ the\ port\'s\ queue ]] && more=${BASH_REMATCH[1]}
  echo "the printer got $got; the tool said $said, and up to $more more"
  [ "$said" -le "$got" ] && [ "$got" -le $((said + more)) ] ||
    { echo "the count does not bracket what the printer got"; return 1; }
  [[ $output == *"--resume-at $said"* ]] || { echo "no --resume-at $said offered"; return 1; }
  [ "$#" -gt 0 ] || return 0
  run "$@" --resume-at "$said" "$job"
  assert_success
  tail -c +$((said + 1)) "$job" | cmp - "$tmp/rest"
}

# printed FILE: the bytes a lab printer printed (its --output)
printed() { stat -c %s "$1"; }
