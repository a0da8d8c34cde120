#!/usr/bin/env bash
# Prepares Debian's Node 18 for arm64 and armhf, run under qemu-user, with no system-wide
# install of any ARM package: the .debs are fetched with `apt-get download` and unpacked with
# `dpkg -x` into .arm/root-<arch>/ at the repository root. Idempotent: a second run only
# checks that both Node binaries start. This is the same Node a Raspberry Pi running Debian
# bookworm has. The arm64 root also holds what the official Node builds from the npm registry
# need besides (libatomic1), so that `node scripts/node-bin.mjs 26 --arch arm64` runs in it
# (env.sh: ARM_NODE_BIN).
#
#   bash scripts/arm/setup.sh            # both arches
#   ARM_ARCHES=arm64 bash scripts/arm/setup.sh
#
# Needs root (apt-get, dpkg --add-architecture) the first time only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=env.sh
. "$here/env.sh"

arches="${ARM_ARCHES:-arm64 armhf}"

# Packages unpacked into each root. Found with `readelf -d` on usr/bin/node and every library
# it pulls in (check_needed below fails loudly, naming the missing soname, if this list goes
# stale). The node-* packages are `Architecture: all`: Debian's Node loads acorn, undici and
# cjs-module-lexer from /usr/share/nodejs instead of bundling them (undici needs busboy,
# acorn needs xtend: `apt-cache depends`).
arch_pkgs=(nodejs libnode108 libc6 libstdc++6 libgcc-s1 libuv1 libssl3 libicu72 libbrotli1
  libc-ares2 libnghttp2-14 zlib1g libatomic1)
all_pkgs=(node-acorn node-xtend node-cjs-module-lexer node-undici node-busboy)

log() { printf '[arm-setup] %s\n' "$*" >&2; }

# apt/dpkg may be busy (another job installing chromium, say): when a command fails because
# of a lock (apt's message, or a lock file held: fuser is in psmisc, which may be absent),
# wait and try again, for up to 10 minutes. Any other failure is returned at once.
apt_retry() {
  local i err rc
  err="$(mktemp)"
  for i in $(seq 1 60); do
    "$@" 2> >(tee "$err" >&2)
    rc=$?
    wait 2>/dev/null # let tee finish writing
    if [ "$rc" = 0 ]; then rm -f "$err"; return 0; fi
    if grep -qiE 'could not get lock|unable to (acquire|lock)|is locked by another process' "$err" ||
      { command -v fuser >/dev/null && fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; }; then
      log "apt/dpkg is locked by another process; waiting ($i/60)"
      sleep 10
    else
      rm -f "$err"
      return "$rc"
    fi
  done
  rm -f "$err"
  return 1
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

node_version() { # arch -> prints the version or fails
  arm_node "$1" --version 2>/dev/null
}
# A root from before a package joined arch_pkgs lacks it: unpack again.
root_complete() { # arch
  [ -e "$(arm_root "$1")/usr/lib/$(arm_triplet "$1")/libatomic.so.1" ]
}

# The cache ignores itself, so no `git add` can pick up the unpacked roots or the .debs.
mkdir -p "$ARM_DIR"
[ -f "$ARM_DIR/.gitignore" ] || printf '# ARM roots and .debs cached by scripts/arm/setup.sh\n*\n' > "$ARM_DIR/.gitignore"

all_ok=1
for a in $arches; do
  v="$(node_version "$a" || true)"
  case "$v" in v18.*) root_complete "$a" && log "$a: node $v ready in $(arm_root "$a") (cached)" || all_ok=0 ;; *) all_ok=0 ;; esac
done
if [ "$all_ok" = 1 ]; then exit 0; fi

# 1. qemu-user
if ! command -v qemu-aarch64 >/dev/null || ! command -v qemu-arm >/dev/null; then
  log "installing qemu-user"
  if ! apt-cache show qemu-user >/dev/null 2>&1; then apt_retry as_root apt-get update -qq; fi
  apt_retry as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 qemu-user
fi

# 2. foreign architectures, and their package lists
need_update=0
for a in $arches; do
  if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
    log "dpkg --add-architecture $a"
    apt_retry as_root dpkg --add-architecture "$a"
    need_update=1
  fi
  if ! apt-cache show "nodejs:$a" >/dev/null 2>&1; then need_update=1; fi
done
if [ "$need_update" = 1 ]; then
  # A mirror mid-sync can fail one index (seen: bookworm-security armhf): retry, and go on as
  # long as every package we need is known afterwards.
  for i in 1 2 3; do
    log "apt-get update (try $i)"
    if apt_retry as_root apt-get update -qq; then break; fi
    sleep 5
  done
  for a in $arches; do
    apt-cache show "nodejs:$a" >/dev/null 2>&1 || { log "nodejs:$a unknown to apt after apt-get update"; exit 1; }
  done
fi

# 3. download and unpack, one root per arch
debs="$ARM_DIR/debs"
mkdir -p "$debs"
deb_of() { # name arch -> the cached .deb, if any (the newest when several)
  ls -1v "$debs/$1"_*_"$2".deb 2>/dev/null | tail -1
}
fetch_all() { # arch -> downloads, in one apt-get call, every package not yet in $debs
  local a="$1" missing=() p
  # nodejs at the version of libnode108 (Debian's own): a third-party apt source (NodeSource,
  # say) may offer a newer nodejs:ARCH that does not use libnode108 at all.
  local nodever
  nodever="$(apt-cache show --no-all-versions "libnode108:$a" | sed -n 's/^Version: //p' | head -1)"
  for p in "${arch_pkgs[@]}"; do
    [ -z "$(deb_of "$p" "$a")" ] || continue
    if [ "$p" = nodejs ] && [ -n "$nodever" ]; then missing+=("nodejs:$a=$nodever"); else missing+=("$p:$a"); fi
  done
  for p in "${all_pkgs[@]}"; do [ -n "$(deb_of "$p" all)" ] || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get download ${missing[*]}"
    (cd "$debs" && apt_retry apt-get download -qq -o APT::Sandbox::User=root "${missing[@]}") >&2
  fi
}
unpack() { # name arch dest
  local f
  f="$(deb_of "$1" "$2")"
  [ -n "$f" ] || { log "no .deb for $1:$2 in $debs"; return 1; }
  dpkg -x "$f" "$3"
}

check_needed() { # root arch -> fails if some DT_NEEDED of node or its libraries is missing
  local root="$1" triplet="$2" missing=0 seen="" queue lib f so
  queue="$root/usr/bin/node"
  while [ -n "$queue" ]; do
    f="${queue%%$'\n'*}"
    if [ "$queue" = "$f" ]; then queue=""; else queue="${queue#*$'\n'}"; fi
    for so in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      case " $seen " in *" $so "*) continue ;; esac
      seen="$seen $so"
      lib=""
      for d in usr/lib/$triplet lib/$triplet usr/lib lib; do
        if [ -e "$root/$d/$so" ]; then lib="$root/$d/$so"; break; fi
      done
      if [ -z "$lib" ]; then
        log "MISSING in $root: $so (needed by ${f#$root/})"
        missing=1
      else
        lib="$(readlink -f "$lib")"
        case "$lib" in "$root"/*) ;; *) lib="$root$(readlink "$lib")" ;; esac
        queue="${queue:+$queue$'\n'}$lib"
      fi
    done
  done
  [ "$missing" = 0 ]
}

for a in $arches; do
  root="$(arm_root "$a")"
  tmp="$root.tmp"
  log "$a: unpacking into $root"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  fetch_all "$a"
  for p in "${arch_pkgs[@]}"; do unpack "$p" "$a" "$tmp"; done
  for p in "${all_pkgs[@]}"; do unpack "$p" all "$tmp"; done
  # bookworm is usr-merged: /lib -> usr/lib. The .debs of libc6 still ship some files under
  # /lib, so make the links the usr-merged base system would have.
  for d in lib bin sbin; do
    if [ -d "$tmp/$d" ] && [ ! -L "$tmp/$d" ]; then
      mkdir -p "$tmp/usr/$d"
      cp -a "$tmp/$d/." "$tmp/usr/$d/"
      rm -rf "${tmp:?}/$d"
    fi
    [ -e "$tmp/$d" ] || ln -s "usr/$d" "$tmp/$d"
  done
  check_needed "$tmp" "$(arm_triplet "$a")"
  rm -rf "$root"
  mv "$tmp" "$root"
  v="$(node_version "$a" || true)"
  case "$v" in
    v18.*) log "$a: node $v ready in $root" ;;
    *) log "$a: node did not start under qemu (got '${v}')"; arm_node "$a" --version || true; exit 1 ;;
  esac
done
