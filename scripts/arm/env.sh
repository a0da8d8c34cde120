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
arm_node() {
  local a="$1" root t
  shift
  root="$(arm_root "$a")"
  t="$(arm_triplet "$a")" || return 1
  case "$a" in
    arm64) qemu-aarch64 -L "$root" -E "LD_LIBRARY_PATH=$root/usr/lib/$t:$root/lib/$t" "$root/usr/bin/node" "$@" ;;
    armhf) qemu-arm -L "$root" -E "LD_LIBRARY_PATH=$root/usr/lib/$t:$root/lib/$t" "$root/usr/bin/node" "$@" ;;
  esac
}
