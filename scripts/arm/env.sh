# Sourced by the scripts in scripts/arm/: where the ARM roots live and how to start their Node.
# ARM_DIR may be overridden (default: .arm/ at the repository root, which is gitignored).
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ARM_DIR="${ARM_DIR:-$repo_root/.arm}"

arm_root() { printf '%s/root-%s\n' "$ARM_DIR" "$1"; }

arm_triplet() {
  case "$1" in
    arm64) echo aarch64-linux-gnu ;;
    armhf) echo arm-linux-gnueabihf ;;
    *) echo "unknown arch $1" >&2; return 1 ;;
  esac
}

# The label results carry (MTWIRE_EMULATED): Debian's armhf is ARMv7-A with VFPv3-D16.
arm_label() {
  case "$1" in arm64) echo arm64 ;; armhf) echo armv7 ;; *) return 1 ;; esac
}

# arm_node ARCH ARGS... : runs the arch's Debian Node under qemu-user.
# qemu's -L prefix makes the guest's loader, libraries and /usr/share/nodejs come from the
# root; paths that do not exist there (the repository) fall through to the host.
# ARM_NODE_BIN runs another Node binary of that arch in the root instead (an official build:
# `node scripts/node-bin.mjs 26 --arch arm64`); ARM_QEMU_ARGS adds qemu options (-cpu, -plugin).
arm_node() {
  local a="$1" root t q=()
  shift
  root="$(arm_root "$a")"
  t="$(arm_triplet "$a")" || return 1
  read -r -a q <<< "${ARM_QEMU_ARGS:-}"
  case "$a" in
    arm64) qemu-aarch64 "${q[@]}" -L "$root" -E "LD_LIBRARY_PATH=$root/usr/lib/$t:$root/lib/$t" "${ARM_NODE_BIN:-$root/usr/bin/node}" "$@" ;;
    armhf) qemu-arm "${q[@]}" -L "$root" -E "LD_LIBRARY_PATH=$root/usr/lib/$t:$root/lib/$t" "${ARM_NODE_BIN:-$root/usr/bin/node}" "$@" ;;
  esac
}

# Lines: what runs under qemu, named <label>-node<major>. Node 18 is Debian's (the root's
# /usr/bin/node, what a board running bookworm has); another major is the official build from
# the npm registry (scripts/node-bin.mjs), at the version pinned here so that instruction
# counts (bench/insns) stay comparable with their baseline. Change it together with a baseline
# refresh.
ARM_NODE26="${ARM_NODE26:-26.12.1}"

line_arch() { # line -> the Debian arch of its root
  case "$1" in arm64-node*) echo arm64 ;; armv7-node*) echo armhf ;; *) echo "unknown line $1" >&2; return 1 ;; esac
}
line_node_bin() { # line -> the Node binary to run ("" = Debian's Node 18 in the root); may download
  local major="${1##*-node}" arch
  [ "$major" != 18 ] || { echo ""; return 0; }
  case "$major" in 26) ;; *) echo "no pinned Node $major (env.sh has ARM_NODE26 only)" >&2; return 1 ;; esac
  case "$1" in arm64-*) arch=arm64 ;; armv7-*) arch=armv7l ;; esac
  node "$repo_root/scripts/node-bin.mjs" "$ARM_NODE26" --arch "$arch"
}
# Node 18's V8 needs --experimental-wasm-relaxed-simd to enumerate the relaxed flavour (which it
# then rejects: its opcodes predate the final ones); Node 26 has relaxed SIMD on and refuses the flag.
line_node_flags() { # line -> default Node flags
  case "$1" in *-node18) echo "--experimental-wasm-relaxed-simd" ;; *) echo "" ;; esac
}
