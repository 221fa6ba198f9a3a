#!/usr/bin/env bash
# Builds dist/vpnlog.wasm for wasm32-wasip1.
# Route 1: rustup's wasm32-wasip1 target, when installed.
# Route 2: Debian's rustc-web (a newer rustc in /usr/bin) with its std source and build-std.
# As root on Debian the packages route 2 needs are installed when missing; elsewhere the
# script says what to install. `--check` only reports which route would be used.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=wasm32-wasip1
TDIR=target/wasm
EXPORTS="-C link-arg=--export=malloc -C link-arg=--export=free -C link-arg=--compress-relocations"
DEB_PKGS="rustc-web cargo-web rust-web-src wasi-libc lld"

have_rustup_target() {
  command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"
}
have_debian_route() {
  [ -x /usr/bin/cargo ] && [ -d /usr/lib/wasm32-wasi ] && command -v wasm-ld >/dev/null 2>&1 \
    && /usr/bin/rustc --print sysroot >/dev/null 2>&1 \
    && [ -d "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library" ]
}

route=""
if have_rustup_target; then
  route=rustup
elif have_debian_route; then
  route=debian
elif [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
  echo "build-wasm: installing Debian packages: $DEB_PKGS" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $DEB_PKGS >/dev/null
  have_debian_route && route=debian
fi
if [ -z "$route" ]; then
  cat >&2 <<MSG
build-wasm: no way to build $TARGET here. Either
  - rustup target add $TARGET          (needs network access to rustup's servers), or
  - on Debian/Ubuntu as root: apt-get install -y $DEB_PKGS
    (Debian's rustc-web, its std source, wasi-libc and wasm-ld; the build uses build-std).
MSG
  exit 1
fi
if [ "${1:-}" = "--check" ]; then echo "build-wasm: route $route"; exit 0; fi

# The module aborts on panic (never unwinds); set here rather than in Cargo.toml's release
# profile, which the native host and its tests share.
export CARGO_PROFILE_RELEASE_PANIC=abort
# VPNLOG_FEATURES (e.g. `probe`) builds a variant into its own target dir and VPNLOG_OUT;
# VPNLOG_TARGET_DIR overrides the target dir (for builds side by side); VPNLOG_PACKAGE builds
# another cdylib the same way (the benchmark modules in bench/), VPNLOG_MANIFEST from another
# workspace.
PACKAGE=${VPNLOG_PACKAGE:-vpnlog}
MANIFEST=${VPNLOG_MANIFEST:-Cargo.toml}
FEATURES=()
OUT=${VPNLOG_OUT:-dist/$PACKAGE.wasm}
mkdir -p "$(dirname "$OUT")"
if [ -n "${VPNLOG_FEATURES:-}" ]; then
  FEATURES=(--features "$VPNLOG_FEATURES")
  TDIR=target/wasm-$VPNLOG_FEATURES
fi
TDIR=${VPNLOG_TARGET_DIR:-$TDIR}
if [ "$route" = rustup ]; then
  RUSTFLAGS="$EXPORTS" cargo build --release --manifest-path "$MANIFEST" -p "$PACKAGE" --lib "${FEATURES[@]}" --target $TARGET --target-dir $TDIR
else
  # /usr/bin first: Debian's cargo/rustc (1.96) instead of rustup's; RUSTC_BOOTSTRAP unlocks -Z.
  PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 \
  RUSTFLAGS="-C linker=wasm-ld -C link-self-contained=no -L /usr/lib/wasm32-wasi $EXPORTS" \
    /usr/bin/cargo build --release --manifest-path "$MANIFEST" -p "$PACKAGE" --lib "${FEATURES[@]}" --target $TARGET --target-dir $TDIR \
      -Zbuild-std=std,panic_abort
fi
cp "$TDIR/$TARGET/release/${PACKAGE//-/_}.wasm" "$OUT"
