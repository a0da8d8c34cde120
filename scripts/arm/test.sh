#!/usr/bin/env bash
# Runs the dist suite (test/dist/*.test.mjs, node:test) under qemu-user on the lines a
# Raspberry Pi-class board runs: Debian's Node 18 on arm64 and armv7 (armhf), and the
# official Node 26 on arm64 (env.sh: lines, ARM_NODE26). Builds nothing: it tests dist/ as
# `npm run build` left it (or MTWIRE_DIST). Runs setup.sh first (cached in .arm/; Node 26 in
# .cache/node/).
#
#   bash scripts/arm/test.sh                          # every line
#   ARM_LINES=armv7-node18 bash scripts/arm/test.sh
#   MTWIRE_ARM_TEST_SCALE=1 bash scripts/arm/test.sh   # full-size random tests (slower)
#
# Environment:
#   ARM_LINES              default "arm64-node18 arm64-node26 armv7-node18"
#   MTWIRE_ARM_TEST_SCALE  size of the random tests (default 0.5; 1 = what x86 runs)
#   ARM_NODE_FLAGS         Node flags for every line (default per line: Node 18 gets
#                          --experimental-wasm-relaxed-simd, so that the relaxed flavour is
#                          enumerated too; Node 26 has it on and rejects the flag)
#   ARM_JOBS               lines run at once (default 2: one per core)
#   ARM_FILE_TIMEOUT       seconds one test file may take (default 900)
#   MTWIRE_EXPECT_BACKENDS the flavours that must load, or the suite fails (default per line:
#                          Node 18 (V8 10.2, older relaxed opcodes): js/table wasm-simd/ct
#                          wasm-simd/table wasm/table; Node 26: those and both relaxed ones).
#                          Set it empty to accept whatever loads.
#
# Each test file runs in its own emulated Node process, directly (`node FILE`), not through
# `node --test`: the runner would spawn process.execPath, an ARM binary the host kernel cannot
# execute without binfmt_misc. Output is TAP (--test-reporter=tap: Node 26 prints its spec
# report otherwise), every line prefixed with the line's name, and one closing line per line
# and overall: "<line>: N passed, N failed".
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/env.sh"
cd "$repo_root"

lines="${ARM_LINES:-arm64-node18 arm64-node26 armv7-node18}"
dist="${MTWIRE_DIST:-$repo_root/dist}"
if [ ! -f "$dist/node.mjs" ] || [ ! -f "$dist/node.cjs" ]; then
  echo "test:arm: $dist/node.mjs or node.cjs missing: run \`npm run build\` first" >&2
  exit 2
fi
arches=""
for l in $lines; do
  a="$(line_arch "$l")" || exit 2
  case " $arches " in *" $a "*) ;; *) arches="$arches $a" ;; esac
done
ARM_ARCHES="${arches# }" bash "$here/setup.sh" || { echo "test:arm: setup failed" >&2; exit 2; }
declare -A bin
for l in $lines; do
  bin[$l]="$(line_node_bin "$l")" || { echo "test:arm: no Node binary for $l" >&2; exit 2; }
done

export MTWIRE_TEST_SCALE="${MTWIRE_ARM_TEST_SCALE:-0.5}"
files=(test/dist/*.test.mjs)
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

# run_line LINE: runs every file, writes the labelled TAP and a last line "RESULT pass fail skip bad".
run_line() {
  local l="$1" a label f out rc p x s t0 start flags expect pass=0 fail=0 skip=0 bad=0
  a="$(line_arch "$l")"
  label="$(arm_label "$a")"
  read -r -a flags <<< "${ARM_NODE_FLAGS-$(line_node_flags "$l")}"
  flags+=(--test-reporter=tap)
  case "$l" in
    *-node18) expect="js/table wasm-simd/ct wasm-simd/table wasm/table" ;;
    *) expect="js/table wasm-relaxed-simd/ct wasm-relaxed-simd/table wasm-simd/ct wasm-simd/table wasm/table" ;;
  esac
  export MTWIRE_EXPECT_BACKENDS="${MTWIRE_EXPECT_BACKENDS-$expect}"
  start=$(date +%s)
  for f in "${files[@]}"; do
    t0=$(date +%s)
    out="$(ARM_NODE_BIN="${bin[$l]}" MTWIRE_EMULATED="$label" timeout "${ARM_FILE_TIMEOUT:-900}" bash -c '. "$1"; shift; arm_node "$@"' _ "$here/env.sh" "$a" "${flags[@]}" "$f" 2>&1)"
    rc=$?
    printf '%s\n' "$out" | sed "s/^/[$l] /"
    echo "[$l] $f: exit $rc, $(($(date +%s) - t0))s"
    p="$(printf '%s\n' "$out" | sed -n 's/^# pass \([0-9]*\)$/\1/p' | tail -1)"
    x="$(printf '%s\n' "$out" | sed -n 's/^# fail \([0-9]*\)$/\1/p' | tail -1)"
    s="$(printf '%s\n' "$out" | sed -n 's/^# skipped \([0-9]*\)$/\1/p' | tail -1)"
    pass=$((pass + ${p:-0}))
    fail=$((fail + ${x:-0}))
    skip=$((skip + ${s:-0}))
    # a file that crashed before its summary, timed out (124) or exited non-zero fails too
    if [ "$rc" != 0 ] || [ -z "$p" ]; then
      echo "[$l] FAILED: $f (exit $rc$([ "$rc" = 124 ] && echo ', timed out'))"
      bad=$((bad + 1))
      [ "${x:-0}" -gt 0 ] || fail=$((fail + 1))
    fi
  done
  echo "[$l] $( [ -z "${bin[$l]}" ] && echo Debian || echo official) Node $(ARM_NODE_BIN="${bin[$l]}" arm_node "$a" --version) under qemu-user (emulated), MTWIRE_TEST_SCALE=$MTWIRE_TEST_SCALE, flags: ${flags[*]}, $(($(date +%s) - start))s"
  echo "[$l] required flavours: ${MTWIRE_EXPECT_BACKENDS:-none}"
  echo "RESULT $pass $fail $skip $bad"
}

start=$(date +%s)
jobs_max="${ARM_JOBS:-2}"
for l in $lines; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  run_line "$l" > "$logs/$l.log" 2>&1 &
done
wait

total_pass=0 total_fail=0 failed=()
for l in $lines; do
  grep -v '^RESULT ' "$logs/$l.log"
  read -r _ pass fail skip bad < <(grep '^RESULT ' "$logs/$l.log" || echo "RESULT 0 1 0 1")
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  [ "$bad" = 0 ] && [ "$fail" = 0 ] || failed+=("$l")
  echo "$l: $pass passed, $fail failed, $skip skipped"
done
echo "test:arm: every line took $(($(date +%s) - start))s"
echo "test:arm: $total_pass passed, $total_fail failed"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "test:arm: FAILED on ${failed[*]}" >&2
  exit 1
fi
