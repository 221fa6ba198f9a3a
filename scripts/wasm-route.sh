# Sourced by scripts/build-wasm.sh and scripts/build-bindings.sh: picks how to compile for
# $TARGET and sets `route`:
#   rustup  rustup's $TARGET, when installed;
#   debian  Debian's rustc-web (a newer rustc in /usr/bin) with its std source and build-std.
# As root on Debian the packages of route 2 ($DEB_PKGS) are installed when missing; elsewhere
# it says what to install and exits. Callers set SCRIPT (for messages), TARGET, DEB_PKGS and
# NEED_DIR (a directory route 2 also needs, such as wasi-libc's; empty for none).

have_rustup_target() {
  command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"
}
have_debian_route() {
  [ -x /usr/bin/cargo ] && { [ -z "$NEED_DIR" ] || [ -d "$NEED_DIR" ]; } && command -v wasm-ld >/dev/null 2>&1 \
    && /usr/bin/rustc --print sysroot >/dev/null 2>&1 \
    && [ -d "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library" ]
}

route=""
if have_rustup_target; then
  route=rustup
elif have_debian_route; then
  route=debian
elif [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
  echo "$SCRIPT: installing Debian packages: $DEB_PKGS" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $DEB_PKGS >/dev/null
  have_debian_route && route=debian
fi
if [ -z "$route" ]; then
  cat >&2 <<MSG
$SCRIPT: no way to build $TARGET here. Either
  - rustup target add $TARGET          (needs network access to rustup's servers), or
  - on Debian/Ubuntu as root: apt-get install -y $DEB_PKGS
    (Debian's rustc-web, its std source and wasm-ld; the build uses build-std).
MSG
  exit 1
fi
