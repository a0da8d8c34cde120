#!/usr/bin/env bash
# Runs a benchmark bundle (a self-contained .mjs, e.g. .bench/run.mjs from `npm run bench --
# --build-only`) on Debian's Node 18 for arm64 and armv7 (armhf) under qemu-user, with
# MTWIRE_EMULATED=arm64|armv7 so the bench labels its results as emulated. Emulated timings
# are not real speeds: never gate anything on them.
#
#   bash scripts/arm/bench.sh BUNDLE.mjs [ARGS...]
#   bash scripts/arm/bench.sh .bench/run.mjs --quick --json .bench/arm-{arch}.json
#
# In ARGS, `{arch}` is replaced by the label (arm64 / armv7), so each arch writes its own file.
# Node flags: ARM_NODE_FLAGS (default: --experimental-wasm-relaxed-simd --expose-gc, as the
# x86 bench runs). ARM_ARCHES picks the arches (default: arm64 armhf). ARM_PARALLEL=1 runs
# the arches at once (default 0: in turn). Each arch's output is prefixed with [arm64] /
# [armv7]; the exit status is non-zero if any arch failed.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"

if [ $# -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: bash scripts/arm/bench.sh BUNDLE.mjs [ARGS...]  (bundle not found: ${1:-none})" >&2
  exit 2
fi
bundle="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
bash "$here/setup.sh" || { echo "bench:arm: setup failed" >&2; exit 2; }

arches="${ARM_ARCHES:-arm64 armhf}"
read -r -a flags <<< "${ARM_NODE_FLAGS:---experimental-wasm-relaxed-simd --expose-gc}"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

run_arch() { # arch -> labelled output; exit status of the bench
  local a="$1" label x start rc args=()
  label="$(arm_label "$a")"
  for x in "${bench_args[@]}"; do args+=("${x//\{arch\}/$label}"); done
  echo "[$label] EMULATED: Debian Node $(arm_node "$a" --version) under qemu-user on $(uname -m); timings are not real speeds"
  start=$(date +%s)
  MTWIRE_EMULATED="$label" arm_node "$a" "${flags[@]}" "$bundle" "${args[@]}" 2>&1 | sed -u "s/^/[$label] /"
  rc=${PIPESTATUS[0]}
  echo "[$label] exit $rc after $(($(date +%s) - start))s"
  return "$rc"
}

bench_args=("$@")
failed=()
if [ "${ARM_PARALLEL:-0}" = 1 ]; then
  declare -A pid
  for a in $arches; do
    run_arch "$a" > "$logs/$a.log" 2>&1 &
    pid[$a]=$!
  done
  for a in $arches; do
    wait "${pid[$a]}" || failed+=("$(arm_label "$a")")
    cat "$logs/$a.log"
  done
else
  for a in $arches; do run_arch "$a" || failed+=("$(arm_label "$a")"); done
fi
if [ "${#failed[@]}" -gt 0 ]; then
  echo "bench:arm: FAILED on ${failed[*]}" >&2
  exit 1
fi
