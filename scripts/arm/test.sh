#!/usr/bin/env bash
# Runs the dist suite (test/dist/*.test.mjs, node:test) on Debian's Node 18 for arm64 and
# armv7 (armhf) under qemu-user: the code path of a Raspberry Pi running Debian. Builds
# nothing: it tests dist/ as `npm run build` left it (or MTWIRE_DIST). Runs setup.sh first
# (cached in .arm/).
#
#   bash scripts/arm/test.sh                 # both arches
#   ARM_ARCHES=armhf bash scripts/arm/test.sh
#   MTWIRE_ARM_TEST_SCALE=1 bash scripts/arm/test.sh   # full-size random tests (slower)
#
# Node flags: ARM_NODE_FLAGS (default --experimental-wasm-relaxed-simd, so that the relaxed-SIMD
# flavours are enumerated and compared too, where V8 can run them; the explicit simd/aes
# choices still cover every other flavour).
#
# Each test file runs in its own emulated Node process, directly (`node FILE`), not through
# `node --test`: the runner would spawn process.execPath, an ARM binary the host kernel cannot
# execute without binfmt_misc. Output is TAP, every line prefixed with [arm64] / [armv7].
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
cd "$repo_root"

arches="${ARM_ARCHES:-arm64 armhf}"
dist="${MTWIRE_DIST:-$repo_root/dist}"
if [ ! -f "$dist/node.mjs" ] || [ ! -f "$dist/node.cjs" ]; then
  echo "test:arm: $dist/node.mjs or node.cjs missing: run \`npm run build\` first" >&2
  exit 2
fi
bash "$here/setup.sh" || { echo "test:arm: setup failed" >&2; exit 2; }

export MTWIRE_TEST_SCALE="${MTWIRE_ARM_TEST_SCALE:-0.5}"
read -r -a flags <<< "${ARM_NODE_FLAGS---experimental-wasm-relaxed-simd}"
files=(test/dist/*.test.mjs)
failed_arches=()
total_pass=0
total_fail=0

for a in $arches; do
  label="$(arm_label "$a")"
  start=$(date +%s)
  pass=0 fail=0 skip=0 bad_files=()
  for f in "${files[@]}"; do
    out="$(MTWIRE_EMULATED="$label" arm_node "$a" "${flags[@]}" "$f" 2>&1)"
    rc=$?
    printf '%s\n' "$out" | sed "s/^/[$label] /"
    p="$(printf '%s\n' "$out" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -1)"
    x="$(printf '%s\n' "$out" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -1)"
    s="$(printf '%s\n' "$out" | sed -n 's/^# skipped \([0-9]*\)$/\1/p' | tail -1)"
    pass=$((pass + ${p:-0}))
    fail=$((fail + ${x:-0}))
    skip=$((skip + ${s:-0}))
    # a file that crashed before its summary, or exited non-zero, is a failure too
    if [ "$rc" != 0 ] || [ -z "$p" ]; then
      bad_files+=("$f (exit $rc)")
      [ "${x:-0}" -gt 0 ] || fail=$((fail + 1))
    fi
  done
  secs=$(($(date +%s) - start))
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  echo "[$label] Debian Node $(arm_node "$a" --version) under qemu (emulated), MTWIRE_TEST_SCALE=$MTWIRE_TEST_SCALE, flags: ${flags[*]:-none}, ${secs}s"
  if [ "${#bad_files[@]}" -gt 0 ]; then
    echo "[$label] FAILED: ${bad_files[*]}"
    failed_arches+=("$label")
  fi
  echo "$label: $pass passed, $fail failed, $skip skipped"
done

echo "test:arm: $total_pass passed, $total_fail failed"
if [ "${#failed_arches[@]}" -gt 0 ]; then
  echo "test:arm: FAILED on ${failed_arches[*]}" >&2
  exit 1
fi
