#!/usr/bin/env bash
# `make bench`: one run on this machine, one mixed corpus (docs/BENCHMARKS.md describes the method).
#  1. writes the corpus to target/bench/ (vpn.ndjson: every catalogue example; ordinary.ndjson:
#     as many ordinary syslog and JSON records), unchanged when it is already there;
#  2. runs the copy-only, naive and vpnlog modules over it in the wasmi host (`vpnlog bench`,
#     first record once as warm-up), keeping each full report in target/bench/<module>.txt;
#     and counts the VPN records the naive module gives the rule vpnlog gives;
#  3. runs the criterion benchmark of the native library (records per second, one core).
# `make bench` builds what this needs first; BENCH_SKIP_NATIVE=1 skips step 3.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=target/release/vpnlog
DIR=target/bench
MODULES=("copy-only dist/bench/copy.wasm" "naive dist/bench/naive.wasm" "vpnlog dist/vpnlog.wasm")

cargo run --quiet --release -p vpnlog-bench --bin vpnlog-bench-corpus -- "$DIR" >/dev/null
CORPUS=("$DIR/vpn.ndjson" "$DIR/ordinary.ndjson")
echo "corpus: $(wc -l <"${CORPUS[0]}") VPN records + $(wc -l <"${CORPUS[1]}") ordinary records ($DIR)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo

# One summary row from a `vpnlog bench --detail` report.
row() {
  awk -v name="$1" '
    /^records=/ { dropped = $2 }
    /^fuel_per_record/ { split($2, a, "="); mean = a[2]; split($3, b, "="); max = b[2] }
    /^us_per_record/ { split($2, a, "="); us = a[2] }
    /^cpu_us_per_record/ { split($2, a, "="); cpu = a[2] }
    /^module_bytes=/ { split($1, a, "="); bytes = a[2] }
    /^file=/ { split($3, a, "="); half[++files] = a[2] }
    /^worst_record/ { split($3, a, "="); worst = a[2] }
    END {
      if (dropped != "dropped=0") { print name ": " dropped > "/dev/stderr"; exit 1 }
      printf "%-10s %8s %10s %10s %10s %10s %10s %10s  %s\n", name, bytes, mean, max, half[1], half[2], us, cpu, worst
    }' "$2"
}
mean_of() { awk '/^fuel_per_record/ { split($2, a, "="); print a[2] }' "$1"; }

printf '%-10s %8s %10s %10s %10s %10s %10s %10s  %s\n' module bytes fuel_mean fuel_max vpn_mean other_mean us/record cpu_us/rec worst_record_at
for m in "${MODULES[@]}"; do
  read -r name wasm <<<"$m"
  "$HOST" bench --wasm "$wasm" --warm-up 1 --detail "${CORPUS[@]}" >"$DIR/$name.txt"
  row "$name" "$DIR/$name.txt"
done
naive=$(mean_of "$DIR/naive.txt")
vpnlog=$(mean_of "$DIR/vpnlog.txt")
echo
echo "vpnlog vs naive, mean fuel per record: $(awk -v n="$naive" -v v="$vpnlog" 'BEGIN { printf "%.1fx cheaper", n / v }') (goal: 20x); vpnlog mean goal: 5000"
echo "full reports, with the worst records: $DIR/<module>.txt"

# Is the comparison fair: does the naive module find the rules vpnlog finds?
rules_of() { "$HOST" run --wasm "$1" <"${CORPUS[0]}" | sed -e 's/.*"rule":"\([^"]*\)".*/\1/' -e t -e 's/.*/-/'; }
same=$(paste -d' ' <(rules_of dist/vpnlog.wasm) <(rules_of dist/bench/naive.wasm) | awk '$1 == $2' | wc -l)
echo "naive module: same rule as vpnlog on $same of $(wc -l <"${CORPUS[0]}") VPN records"

if [ "${BENCH_SKIP_NATIVE:-}" = 1 ]; then exit 0; fi
echo
echo "native library, criterion (one core; records per second, median of the estimate):"
cargo bench --quiet -p vpnlog-bench --features criterion --bench native -- --noplot 2>&1 | tee "$DIR/native.txt" |
  awk '/^filter\// { name = $1; shown = 0 }
       /thrpt:/ && !shown { gsub(/\[|\]/, ""); printf "  %-16s %s %s\n", name, $4, $5; shown = 1 }'
