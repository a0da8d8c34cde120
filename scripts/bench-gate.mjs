#!/usr/bin/env node
// The one place speed gates anything: runs the quick bench (keeping its JSON) and fails when
// a ratio of ours to a peer has dropped by more than the tolerance against the committed
// baseline (bench/baseline.json). Ratios, never absolute times; native x86-64 only, never
// under emulation. A failing ratio is measured once more (the machines are shared and noisy)
// and only a drop seen in both runs fails.
//   node scripts/bench-gate.mjs [--json FILE] [--write-baseline [--from RUN.json[,RUN2.json...]]]
// With several runs the baseline takes each ratio's lowest value: a lucky run must not set a
// bar that ordinary runs then fail.
// The baseline keeps only ratios both of whose sides were steady in their run (spread ≤ 10%,
// measured by the harness rather than timed by hand), so the gate watches signal, not noise.
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

const from = args.includes('--from') ? args[args.indexOf('--from') + 1].split(',') : undefined
const runs = from ? from.map((f) => JSON.parse(readFileSync(f, 'utf8'))) : [quickRun(jsonOut)]
const run = runs[0]
if (args.includes('--write-baseline')) {
  const steady = (impl, r) => {
    const res = run.results.find((x) => x.suite === r.suite && x.op === r.op && x.size === r.size && x.impl === impl)
    return res && res.samples > 0 && res.rme <= 10
  }
  const kept = run.ratios.filter((r) => steady(r.impl, r) && steady(r.peer, r))
  const lowest = (r) => Math.min(...runs.map((x) => x.ratios.find((y) => key(y) === key(r))?.ratio ?? r.ratio))
  const ratios = Object.fromEntries(kept.map((r) => [key(r), Number(lowest(r).toFixed(3))]))
  writeFileSync(baselineFile, JSON.stringify({ meta: run.meta, tolerance: TOLERANCE, ratios }, null, 2) + '\n')
  console.log(`wrote ${baselineFile} (${Object.keys(ratios).length} of ${run.ratios.length} ratios steady enough to gate)`)
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
