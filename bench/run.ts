/**
 * `npm run bench [-- --suite a,b] [--quick] [--json FILE]`: runs benchmark suites
 * (bench/suites/*.ts), prints progress and a table with ratios to each peer. Each suite runs in
 * a fresh process of its own (this file again, for that suite; `--in-process` runs them all in
 * this one), so that what one suite leaves in the heap (buffers, loaded peers, garbage) does not
 * change what the next one's collections cost: a peer that allocates per call pays for
 * collections in proportion to its process's heap, as it would in a small script timing it.
 */
import { spawnSync } from 'node:child_process'
import { cpus, tmpdir } from 'node:os'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ratios, runSuite, table, type BenchResult, type BenchSuite } from './harness.js'
import { availableBackends } from './backends.js'
import { writeReport } from './report.js'

export const SUITES = ['crypto', 'wasm', 'envelope', 'tl', 'transport', 'auth', 'session', 'secret']
// by hand only, not in the default run (minutes, a server process of its own): --suite load;
// --suite proxy (minutes: relays in processes of their own, loopback throughput not gated)

async function loadSuite(name: string): Promise<BenchSuite | undefined> {
  try {
    // esbuild bundles every file matching this pattern; a suite not written yet is skipped
    return ((await import(`./suites/${name}.ts`)) as { default: BenchSuite }).default
  } catch (e) {
    if (String(e).includes('Could not resolve') || String(e).includes('No such file') || String(e).includes('Cannot find module')) return undefined
    throw e
  }
}

export async function meta(): Promise<Record<string, unknown>> {
  return {
    date: new Date().toISOString(),
    arch: process.arch,
    platform: process.platform,
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    emulated: process.env.MTWIRE_EMULATED ?? false,
    backends: (await availableBackends()).map((c) => c.backend),
    execArgv: process.execArgv,
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name)
    return i >= 0 ? args[i + 1] : undefined
  }
  const quick = args.includes('--quick')
  const names = (opt('--suite') ?? SUITES.join(',')).split(',')
  const m = await meta()
  console.log(`mtwire bench: ${m.emulated ? `EMULATED ${m.emulated} under qemu on ` : ''}${m.cpu}, ${m.arch}, node ${m.node}${m.emulated ? ' (timings are not real speeds)' : ''}`)
  console.log(`backends: ${(m.backends as string[]).join(', ')}${quick ? '; quick run' : ''}`)
  const results: BenchResult[] = []
  const notes: string[] = []
  const inProcess = args.includes('--in-process') || names.length === 1
  for (const name of names) {
    if (!inProcess) {
      // the same runner in a fresh process, for this suite alone; its results come back as JSON
      const file = join(tmpdir(), `mtwire-bench-${process.pid}-${name}.json`)
      const rest = args.filter((a, i) => !['--suite', '--json', '--report'].includes(a) && !['--suite', '--json', '--report'].includes(args[i - 1]))
      const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...rest, '--suite', name, '--json', file], { stdio: 'inherit' })
      if (r.status !== 0) throw new Error(`suite ${name} failed (exit ${r.status})`)
      const out = JSON.parse(readFileSync(file, 'utf8')) as { results: BenchResult[]; notes: string[] }
      rmSync(file, { force: true })
      results.push(...out.results)
      notes.push(...out.notes)
      continue
    }
    const suite = await loadSuite(name)
    if (!suite) {
      console.log(`(suite ${name}: not available)`)
      continue
    }
    const isTty = process.stderr.isTTY
    const res = await runSuite(suite, {
      quick,
      // under emulation a 1 MiB round takes minutes and says nothing about real speed
      filter: m.emulated ? (c) => c.size <= 65536 : undefined,
      // a TTY gets a live line; a log gets one line per group
      progress: (msg) =>
        isTty ? process.stderr.write(`\r\x1b[K${msg}`) : / round /.test(msg) ? undefined : process.stderr.write(`${msg.replace(/ warm-up$/, '')}\n`),
    })
    const suiteNotes = (await suite.notes?.({ quick })) ?? []
    if (isTty) process.stderr.write('\r\x1b[K')
    results.push(...res)
    notes.push(...suiteNotes.map((n) => `${name}: ${n}`))
    console.log(`\n${table(res)}`)
    for (const n of suiteNotes) console.log(`  ${n}`)
  }
  const json = opt('--json')
  if (json) {
    writeFileSync(json, JSON.stringify({ meta: m, results, ratios: ratios(results), notes }, null, 2) + '\n')
    console.log(`\nwrote ${json}`)
  }
  const report = opt('--report')
  if (report) {
    writeReport(report, m, results, notes)
    console.log(`wrote ${report}/README.md and its charts`)
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
