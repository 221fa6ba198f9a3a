#!/usr/bin/env bash
# `make demo`: streams every file of examples/logs through dist/vpnlog.wasm with
# `target/release/vpnlog run`, which calls the module exactly as Fluent Bit's wasm filter does.
# Prints each enriched record (the appended "vpn" object highlighted on a terminal) and, per
# file and in total, how many records were classified.
#   --summary   print only the per-file summaries and the totals
# Colours are used when standard output is a terminal and NO_COLOR is not set.
set -euo pipefail
cd "$(dirname "$0")/.."

HOST=target/release/vpnlog
WASM=dist/vpnlog.wasm
LOGS=examples/logs
summary_only=false
case "${1:-}" in
  --summary) summary_only=true ;;
  "") ;;
  *) echo "usage: scripts/demo.sh [--summary]" >&2; exit 2 ;;
esac

if [ ! -x "$HOST" ] || [ ! -f "$WASM" ]; then
  echo "demo: $HOST or $WASM is missing; run \`make\` first (or \`make demo\`)." >&2
  exit 1
fi

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  B=$'\e[1m' D=$'\e[2m' C=$'\e[36m' G=$'\e[32m' Y=$'\e[33m' R=$'\e[31m' M=$'\e[35m' N=$'\e[0m'
else
  B='' D='' C='' G='' Y='' R='' M='' N=''
fi

rule() { printf '%s\n' "${D}────────────────────────────────────────────────────────────────────────────────${N}"; }

# The value of "key":"value" in a compact JSON text (first occurrence), or nothing.
field() {
  local text=$1 key=$2 rest
  case $text in *"\"$key\":\""*) ;; *) return 0 ;; esac
  rest=${text#*\"$key\":\"}
  printf '%s' "${rest%%\"*}"
}

sev_colour() {
  case $1 in
    critical) printf '%s' "$R" ;;
    warn) printf '%s' "$Y" ;;
    *) printf '%s' "$G" ;;
  esac
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

printf '%s\n' "${B}vpnlog demo${N}: every file of $LOGS through $WASM, called the way Fluent Bit calls it"
printf '%s\n' "${D}(\`$HOST run\`: one record per line, copied in through the module's malloc, vpnlog_filter called, result read back)${N}"

declare -a names=() totals=() hits=()
status=0
shopt -s nullglob
# The VPN sources first, then the ordinary traffic (files named ordinary-*).
files=()
for f in "$LOGS"/*.log "$LOGS"/*.ndjson; do [[ ${f##*/} == ordinary-* ]] || files+=("$f"); done
for f in "$LOGS"/ordinary-*.log "$LOGS"/ordinary-*.ndjson; do files+=("$f"); done
if [ ${#files[@]} -eq 0 ]; then
  echo "demo: no .log or .ndjson files in $LOGS" >&2
  exit 1
fi

for file in "${files[@]}"; do
  name=${file##*/}
  if [[ $file == *.log ]]; then
    mode=(--raw)
    how="text lines, sent as {\"log\":\"<line>\"} like a tail input without a parser"
  else
    mode=()
    how="one JSON record per line"
  fi
  echo
  rule
  printf '%s\n' "${B}${name}${N}  ${D}${how}${N}"
  rule
  if ! "$HOST" run --wasm "$WASM" "${mode[@]}" <"$file" >"$tmp/out" 2>"$tmp/err"; then
    status=1
    printf '%s\n' "${R}vpnlog run failed for $file:${N}" >&2
    cat "$tmp/err" >&2
  fi
  n=0 k=0
  declare -A events=() severities=()
  order=()
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    # vpnlog appends its object last, and it always starts with "kind".
    if [[ $line == *',"vpn":{"kind":'* ]]; then
      k=$((k + 1))
      original=${line%,\"vpn\":\{\"kind\":*}
      added=${line:${#original}}
      event=$(field "$added" event)
      severity=$(field "$added" severity)
      if [ -z "${events[$event]+x}" ]; then
        order+=("$event")
        events[$event]=0
      fi
      events[$event]=$((events[$event] + 1))
      severities[$severity]=$((${severities[$severity]:-0} + 1))
      if ! $summary_only; then
        sc=$(sev_colour "$severity")
        printf '%s\n' "${sc}●${N} ${B}$(field "$added" kind)/${event}${N} ${sc}${severity}${N} ${D}rule $(field "$added" rule)${N}"
        printf '  %s\n' "${D}${original}${N}${C}${added}${N}"
      fi
    elif ! $summary_only; then
      printf '%s\n' "${D}○ not a VPN event, passed through unchanged${N}"
      printf '  %s\n' "${D}${line}${N}"
    fi
  done <"$tmp/out"
  if [ "$k" -gt 0 ]; then
    list=""
    for e in "${order[@]}"; do
      list+="${list:+, }$e"
      [ "${events[$e]}" -gt 1 ] && list+=" ×${events[$e]}"
    done
    sev=""
    for s in critical warn info; do
      [ -n "${severities[$s]:-}" ] && sev+="${sev:+, }$(sev_colour "$s")${severities[$s]} $s${N}"
    done
    printf '%s\n' "${M}→${N} ${B}${k} of ${n} records classified${N} (${sev}): ${list}"
  else
    printf '%s\n' "${M}→${N} ${B}0 of ${n} records classified${N}: all passed through byte for byte"
  fi
  unset events severities
  names+=("$name") totals+=("$n") hits+=("$k")
done

echo
rule
printf '%s\n' "${B}Summary${N}"
printf "  %-28s %8s %11s\n" "file" "records" "classified"
sum_n=0 sum_k=0
for i in "${!names[@]}"; do
  printf "  %-28s %8d %11d\n" "${names[$i]}" "${totals[$i]}" "${hits[$i]}"
  sum_n=$((sum_n + totals[i])) sum_k=$((sum_k + hits[i]))
done
printf "  %-28s %8d %11d\n" "total" "$sum_n" "$sum_k"
rule
printf '%s\n' "Next: ${B}$HOST rules${N} lists every rule, docs/SCHEMA.md explains the \"vpn\" object,"
printf '%s\n' "      ${B}$HOST bench $LOGS/*.ndjson${N} measures the fuel per record, and"
printf '%s\n' "      examples/fluent-bit/ holds a Fluent Bit configuration that loads the same module."
exit $status
