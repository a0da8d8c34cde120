#!/usr/bin/env node
// The one place speed gates anything: runs the quick bench (keeping its JSON) and fails when
// a ratio of ours to a peer has dropped by more than the tolerance against the committed
// baseline (bench/baseline.json). Ratios, never absolute times; native x86-64 only, never
// under emulation. A failing ratio is measured once more (the machines are shared and noisy)
// and only a drop seen in both runs fails.
//   node scripts/bench-gate.mjs [--json FILE] [--write-baseline]
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const TOLERANCE = 0.3
const args = process.argv.slice(2)
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : join(root, '.bench/quick.json')
const baselineFile = join(root, 'bench/baseline.json')
const key = (r) => `${r.suite} ${r.op} ${r.size} | ${r.impl} / ${r.peer}`

function quickRun(file) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/bench.mjs'), '--quick', '--json', file], { stdio: 'inherit', cwd: root })
  if (r.status !== 0) throw new Error('bench run failed')
  return JSON.parse(readFileSync(file, 'utf8'))
}

const run = quickRun(jsonOut)
if (args.includes('--write-baseline')) {
  const ratios = Object.fromEntries(run.ratios.map((r) => [key(r), Number(r.ratio.toFixed(3))]))
  writeFileSync(baselineFile, JSON.stringify({ meta: run.meta, tolerance: TOLERANCE, ratios }, null, 2) + '\n')
  console.log(`wrote ${baselineFile} (${Object.keys(ratios).length} ratios)`)
  process.exit(0)
}
if (process.arch !== 'x64' || process.env.MTWIRE_EMULATED) {
  console.log(`bench gate: skipped on ${process.arch}${process.env.MTWIRE_EMULATED ? ' (emulated)' : ''}; ratios are gated on native x86-64 only`)
  process.exit(0)
}
const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')).ratios
const check = (ratios) =>
  ratios.filter((r) => baseline[key(r)] !== undefined && r.ratio < baseline[key(r)] * (1 - TOLERANCE)).map((r) => key(r))
let failing = check(run.ratios)
const compared = run.ratios.filter((r) => baseline[key(r)] !== undefined).length
if (failing.length) {
  console.log(`\nbench gate: ${failing.length} ratio(s) below baseline; measuring once more`)
  const again = quickRun(jsonOut.replace(/\.json$/, '') + '.retry.json')
  const second = new Set(check(again.ratios))
  failing = failing.filter((k) => second.has(k))
}
for (const k of failing) {
  const now = run.ratios.find((r) => key(r) === k)
  console.log(`  FAIL ${k}: ${now.ratio.toFixed(2)}x, baseline ${baseline[k]}x`)
}
console.log(`bench gate: ${compared - failing.length} passed, ${failing.length} failed (tolerance ${TOLERANCE * 100}% below baseline)`)
process.exit(failing.length ? 1 : 0)
