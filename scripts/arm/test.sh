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
# Environment:
#   MTWIRE_ARM_TEST_SCALE  size of the random tests (default 0.5; 1 = what x86 runs)
#   ARM_NODE_FLAGS         Node flags (default --experimental-wasm-relaxed-simd, so that the
#                          relaxed-SIMD flavours are enumerated too where V8 can run them)
#   ARM_PARALLEL           1 (default) runs the two arches at once (one core each), 0 in turn
#   ARM_FILE_TIMEOUT       seconds one test file may take (default 900)
#   MTWIRE_EXPECT_BACKENDS the flavours that must load, or the suite fails (default: what
#                          Node 18 on ARM runs: js/table wasm-simd/ct wasm-simd/table wasm/table;
#                          its V8 10.2 predates the final relaxed-SIMD opcodes). Set it empty
#                          to accept whatever loads.
#
# Each test file runs in its own emulated Node process, directly (`node FILE`), not through
# `node --test`: the runner would spawn process.execPath, an ARM binary the host kernel cannot
# execute without binfmt_misc. Output is TAP, every line prefixed with [arm64] / [armv7], and
# one closing line per arch and overall: "<label>: N passed, N failed".
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
export MTWIRE_EXPECT_BACKENDS="${MTWIRE_EXPECT_BACKENDS-js/table wasm-simd/ct wasm-simd/table wasm/table}"
read -r -a flags <<< "${ARM_NODE_FLAGS---experimental-wasm-relaxed-simd}"
files=(test/dist/*.test.mjs)
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

# run_arch ARCH: runs every file, writes the labelled TAP and a last line "RESULT pass fail skip bad".
run_arch() {
  local a="$1" label f out rc p x s t0 start pass=0 fail=0 skip=0 bad=0
  label="$(arm_label "$a")"
  start=$(date +%s)
  for f in "${files[@]}"; do
    t0=$(date +%s)
    out="$(MTWIRE_EMULATED="$label" timeout "${ARM_FILE_TIMEOUT:-900}" bash -c '. "$1"; shift; arm_node "$@"' _ "$here/env.sh" "$a" "${flags[@]}" "$f" 2>&1)"
    rc=$?
    printf '%s\n' "$out" | sed "s/^/[$label] /"
    echo "[$label] $f: exit $rc, $(($(date +%s) - t0))s"
    p="$(printf '%s\n' "$out" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -1)"
    x="$(printf '%s\n' "$out" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -1)"
    s="$(printf '%s\n' "$out" | sed -n 's/^# skipped \([0-9]*\)$/\1/p' | tail -1)"
    pass=$((pass + ${p:-0}))
    fail=$((fail + ${x:-0}))
    skip=$((skip + ${s:-0}))
    # a file that crashed before its summary, timed out (124) or exited non-zero fails too
    if [ "$rc" != 0 ] || [ -z "$p" ]; then
      echo "[$label] FAILED: $f (exit $rc$([ "$rc" = 124 ] && echo ', timed out'))"
      bad=$((bad + 1))
      [ "${x:-0}" -gt 0 ] || fail=$((fail + 1))
    fi
  done
  echo "[$label] Debian Node $(arm_node "$a" --version) under qemu-user (emulated), MTWIRE_TEST_SCALE=$MTWIRE_TEST_SCALE, flags: ${flags[*]:-none}, $(($(date +%s) - start))s"
  echo "[$label] required flavours: ${MTWIRE_EXPECT_BACKENDS:-none}"
  echo "RESULT $pass $fail $skip $bad"
}

start=$(date +%s)
if [ "${ARM_PARALLEL:-1}" = 1 ]; then
  pids=()
  for a in $arches; do
    run_arch "$a" > "$logs/$a.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
else
  for a in $arches; do run_arch "$a" > "$logs/$a.log" 2>&1; done
fi

total_pass=0 total_fail=0 failed=()
for a in $arches; do
  label="$(arm_label "$a")"
  grep -v '^RESULT ' "$logs/$a.log"
  read -r _ pass fail skip bad < <(grep '^RESULT ' "$logs/$a.log" || echo "RESULT 0 1 0 1")
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  [ "$bad" = 0 ] && [ "$fail" = 0 ] || failed+=("$label")
  echo "$label: $pass passed, $fail failed, $skip skipped"
done
echo "test:arm: both arches took $(($(date +%s) - start))s"
echo "test:arm: $total_pass passed, $total_fail failed"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "test:arm: FAILED on ${failed[*]}" >&2
  exit 1
fi
