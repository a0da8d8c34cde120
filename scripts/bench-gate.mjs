#!/usr/bin/env node
// The one place speed gates anything: runs the quick bench (keeping its JSON) and fails when
// a ratio of ours to a peer has dropped by more than the tolerance against the committed
// baseline (bench/baseline.json). Ratios, never absolute times; native x86-64 only, never
// under emulation.
//   node scripts/bench-gate.mjs [--json FILE]
//   node scripts/bench-gate.mjs --write-baseline --from RUN1.json,RUN2.json,RUN3.json[,...]
//
// The machines are shared and noisy, and some rows are bimodal from process to process (a
// peer that allocates per call, node:crypto's per-call cost): one low run of 477 ratios is
// likely even when nothing changed. So:
// - the baseline, from at least three runs, keeps only ratios that were steady in most of them
//   (both sides' spread within the run ≤ 10%, the harness's rme) and whose spread across the
//   runs (highest / lowest) is ≤ 1.5: a row that is bimodal from process to process is not
//   gated. It records the lowest value over all the runs (a lucky run must not set a bar that
//   ordinary runs then fail);
// - a ratio below baseline × (1 − tolerance) is measured again, in fresh processes of the
//   suites concerned only, up to RETRIES more times, and fails only when every measurement of
//   it was low. A real regression is low every time; a bimodal row is not.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const TOLERANCE = 0.3
const RETRIES = 2
const MIN_RUNS = 3
const MAX_RUN_SPREAD = 1.5
const MAX_RME = 10
const args = process.argv.slice(2)
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined)
const jsonOut = opt('--json') ?? join(root, '.bench/quick.json')
const baselineFile = join(root, 'bench/baseline.json')
const key = (r) => `${r.suite} ${r.op} ${r.size} | ${r.impl} / ${r.peer}`

function quickRun(file, suites) {
  const extra = suites ? ['--suite', suites.join(',')] : []
  const r = spawnSync(process.execPath, [join(root, 'scripts/bench.mjs'), '--quick', ...extra, '--json', file], { stdio: 'inherit', cwd: root })
  if (r.status !== 0) throw new Error('bench run failed')
  return JSON.parse(readFileSync(file, 'utf8'))
}

if (args.includes('--write-baseline')) {
  const files = (opt('--from') ?? '').split(',').filter(Boolean)
  if (files.length < MIN_RUNS) {
    console.error(`--write-baseline needs --from with at least ${MIN_RUNS} quick runs' JSON (node scripts/bench.mjs --quick --json RUN.json)`)
    process.exit(2)
  }
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')))
  const steadyIn = (run, r, impl) => {
    const res = run.results.find((x) => x.suite === r.suite && x.op === r.op && x.size === r.size && x.impl === impl)
    return res !== undefined && res.samples > 0 && res.rme <= MAX_RME
  }
  const ratios = {}
  const dropped = { unsteady: 0, spread: 0, missing: 0 }
  for (const r of runs[0].ratios) {
    const seen = runs.map((run) => run.ratios.find((y) => key(y) === key(r)))
    if (seen.some((x) => x === undefined)) dropped.missing++
    else if (runs.filter((run) => steadyIn(run, r, r.impl) && steadyIn(run, r, r.peer)).length * 2 <= runs.length) dropped.unsteady++
    else {
      const values = seen.map((x) => x.ratio)
      const lo = Math.min(...values)
      if (Math.max(...values) / lo > MAX_RUN_SPREAD) dropped.spread++
      else ratios[key(r)] = Number(lo.toFixed(3))
    }
  }
  const meta = { ...runs[0].meta, runs: runs.map((x) => x.meta.date) }
  const rule = { tolerance: TOLERANCE, maxRme: MAX_RME, maxRunSpread: MAX_RUN_SPREAD }
  writeFileSync(baselineFile, JSON.stringify({ meta, ...rule, ratios }, null, 2) + '\n')
  console.log(
    `wrote ${baselineFile}: ${Object.keys(ratios).length} of ${runs[0].ratios.length} ratios gated ` +
      `(left out: ${dropped.unsteady} unsteady within most runs, ${dropped.spread} spread > ${MAX_RUN_SPREAD}x across ${runs.length} runs, ${dropped.missing} missing from a run)`,
  )
  process.exit(0)
}
if (process.arch !== 'x64' || process.env.MTWIRE_EMULATED) {
  console.log(`bench gate: skipped on ${process.arch}${process.env.MTWIRE_EMULATED ? ' (emulated)' : ''}; ratios are gated on native x86-64 only`)
  process.exit(0)
}
const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')).ratios
const low = (ratios) => new Set(ratios.filter((r) => baseline[key(r)] !== undefined && r.ratio < baseline[key(r)] * (1 - TOLERANCE)).map(key))
const run = quickRun(jsonOut)
const compared = run.ratios.filter((r) => baseline[key(r)] !== undefined).length
let failing = low(run.ratios)
const seen = new Map(run.ratios.filter((r) => failing.has(key(r))).map((r) => [key(r), [r.ratio]]))
for (let i = 1; i <= RETRIES && failing.size > 0; i++) {
  const suites = [...new Set(run.ratios.filter((r) => failing.has(key(r))).map((r) => r.suite))]
  console.log(`\nbench gate: ${failing.size} ratio(s) below baseline; measuring suite(s) ${suites.join(', ')} again (${i} of ${RETRIES})`)
  const again = quickRun(jsonOut.replace(/\.json$/, '') + `.retry${i}.json`, suites)
  for (const r of again.ratios) seen.get(key(r))?.push(r.ratio)
  // a ratio the retry did not produce counts as low: a case that stopped working must fail
  const stillLow = low(again.ratios)
  const measured = new Set(again.ratios.map(key))
  failing = new Set([...failing].filter((k) => stillLow.has(k) || !measured.has(k)))
}
for (const [k, values] of seen) {
  const verdict = failing.has(k) ? 'FAIL' : 'ok on re-measure'
  console.log(`  ${verdict} ${k}: ${values.map((v) => v.toFixed(2) + 'x').join(', ')}; baseline ${baseline[k]}x, floor ${(baseline[k] * (1 - TOLERANCE)).toFixed(2)}x`)
}
console.log(`bench gate: ${compared - failing.size} passed, ${failing.size} failed (tolerance ${TOLERANCE * 100}% below baseline, every measurement low)`)
process.exit(failing.size ? 1 : 0)
