#!/bin/sh
# cups_make_model.sh - (re)write cups_make_model.tsv's second column with
# the make and model CUPS itself derives for each IEEE 1284 ID in it.
#
# Each ID is given to a USB printer of the device lab (four per run, told
# apart by their serial numbers) and CUPS's own usb backend
# (/usr/lib/cups/backend/usb, backendGetMakeModel) lists them; what it
# reports as make-and-model is recorded. Comment lines are kept.
#
#   sh tests/unit/cups_make_model.sh [TSV] > new.tsv
#
# HSLAB names the lab (default build/hslab); CUPS_USB the backend.
set -eu
here=$(dirname "$0")
tsv=${1:-$here/cups_make_model.tsv}
lab=${HSLAB:-$here/../../build/hslab}
usb=${CUPS_USB:-/usr/lib/cups/backend/usb}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The IDs, one a line, as the lab's id="..." wants them (\ and " escaped).
grep -v '^#' "$tsv" | grep -v '^$' | cut -f1 > "$tmp/ids"
n=0
: > "$tmp/made"
while [ "$n" -lt "$(wc -l < "$tmp/ids")" ]; do
  set --
  i=0
  while [ "$i" -lt 4 ] && [ $((n + i)) -lt "$(wc -l < "$tmp/ids")" ]; do
    id=$(sed -n "$((n + i + 1))p" "$tmp/ids" | sed 's/[\\"]/\\&/g')
    set -- "$@" --usb-printer "serial=T$((n + i)),id=\"$id\""
    i=$((i + 1))
  done
  # direct usb://MAKE/MODEL?serial=Tn "MAKE AND MODEL" "INFO" "ID" ""
  "$lab" "$@" -- "$usb" 2>/dev/null |
    sed -n 's/^direct [^ ]*[?&]serial=T\([0-9]*\)[^ ]* "\(\([^"\\]\|\\.\)*\)".*/\1\t\2/p' |
    sed 's/\\\(.\)/\1/g' >> "$tmp/made"
  n=$((n + i))
done
[ "$(wc -l < "$tmp/made")" -eq "$n" ] || {
  echo "cups_make_model.sh: CUPS listed $(wc -l < "$tmp/made") of $n printers" >&2
  exit 1
}
# Put the rows back in order, comments where they were.
k=0
while IFS= read -r line; do
  case $line in
  '#'* | '') printf '%s\n' "$line" ;;
  *)
    mm=$(awk -F '\t' -v k="$k" '$1 == k { print $2 }' "$tmp/made")
    printf '%s\t%s\n' "$(printf '%s' "$line" | cut -f1)" "$mm"
    k=$((k + 1))
    ;;
  esac
done < "$tsv"
