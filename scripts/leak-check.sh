#!/usr/bin/env bash
# Leak check of the native build: runs tests/native_leak.rs (the native filter over the mixed
# corpus, with a 4 MiB record) under valgrind's memcheck. Fails on any memory error and on any
# byte definitely or indirectly lost. ("Possibly lost": the test harness's 48-byte main-thread
# record, the same whatever the record count; shown, not counted.) VPNLOG_LEAK_RECORDS sets the
# record count (default 20,000).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
  else
    echo "leak-check: valgrind is not installed (Debian: apt-get install valgrind)" >&2
    exit 1
  fi
fi
bin=$(cargo test --release --test native_leak --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)
[ -x "$bin" ] || { echo "leak-check: test binary not built" >&2; exit 1; }
log=target/leak-check.log
VPNLOG_LEAK_RECORDS=${VPNLOG_LEAK_RECORDS:-20000} valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
  "$bin" --test-threads=1 >"$log" 2>&1 || { tail -40 "$log"; echo "leak-check: FAILED (full log: $log)" >&2; exit 1; }
grep -E "in use at exit|total heap usage|definitely lost|indirectly lost|possibly lost|ERROR SUMMARY|test result" "$log"
echo "leak-check: no leaks, no memory errors"
