/**
 * `npm run bench [-- --suite a,b] [--quick] [--json FILE]`: runs benchmark suites
 * (bench/suites/*.ts), prints progress and a table with ratios to each peer.
 */
import { cpus } from 'node:os'
import { writeFileSync } from 'node:fs'
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
  for (const name of names) {
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
        isTty ? process.stderr.write(`\r\x1b[K${msg}`) : / round [2-9]/.test(msg) ? undefined : process.stderr.write(`${msg.replace(/ round .*/, '')}\n`),
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
