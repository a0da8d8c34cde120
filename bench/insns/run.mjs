#!/usr/bin/env node
// Instructions per call under qemu-user, counted by a TCG plugin: a figure for ARM boards that
// a shared, noisy x86 machine can still measure exactly. See bench/README.md ("Instruction
// counts") for the method; bench/insns/cases.ts for what is measured.
//
//   node bench/insns/run.mjs                      # every target, table on the terminal
//   node bench/insns/run.mjs --targets arm64-node18 --impl core,mtcute-wasm --ops ige-encrypt
//   node bench/insns/run.mjs --impl ours --gate   # CI: fail if ours got dearer than bench/insns/baseline.json
//   node bench/insns/run.mjs --write-baseline     # measure, then (re)write the baseline
//   node bench/insns/run.mjs --from FILE.json [--gate | --write-baseline | --report FILE.md]   # no emulation
//
// Options: --json FILE (raw marks and results; default .bench/insns/last.json), --report FILE
// (markdown), --jobs N (processes at once; default: the number of cores, at most 2), --scale X
// (calls per counted loop x X), --warm-scale X (warm-up calls x X), --baseline FILE,
// --keep-logs (the plugin's logs, in .bench/insns/logs-*).
// Needs gcc (the plugin is built from bench/insns/plugin.c into .bench/insns/) and qemu-user,
// which scripts/arm/setup.sh installs along with the ARM roots.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildPlugin, compare, formatReport, formatTable, makeBaseline, resultsOf } from './lib.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const out = join(root, '.bench/insns')
const args = process.argv.slice(2)
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt)
const flag = (name) => args.includes(name)
const baselineFile = opt('--baseline', join(root, 'bench/insns/baseline.json'))
const TOLERANCE = 0.03

/**
 * What runs where. `cpu` pins qemu's CPU model, so that the code V8 and OpenSSL choose does not
 * change with the qemu version: Cortex-A72 is the Raspberry Pi 4's core, Cortex-A7 the Pi 2's.
 * `sys` is umask's syscall number, which the plugin watches for marks. `env` reaches the guest:
 * OPENSSL_armcap=1 (NEON only) hides the ARMv8 AES/SHA instructions qemu's A72 has and the
 * Pi 3/4 lack, so node:crypto runs the code it runs on those boards.
 */
const TARGETS = {
  'arm64-node18': { line: 'arm64-node18', qemu: 'qemu-aarch64', cpu: 'cortex-a72', sys: 166, env: { OPENSSL_armcap: '1' } },
  'arm64-node26': { line: 'arm64-node26', qemu: 'qemu-aarch64', cpu: 'cortex-a72', sys: 166, env: { OPENSSL_armcap: '1' } },
  'armv7-node18': { line: 'armv7-node18', qemu: 'qemu-arm', cpu: 'cortex-a7', sys: 60, env: {} },
  // a desktop-class reference (AVX2, AES-NI): the official Node 26 for x64 at the pinned version
  'x64-node26': { qemu: 'qemu-x86_64', cpu: 'Haswell-noTSX,-invpcid', sys: 95, env: {} },
}
/**
 * V8 without its background threads and without time in its decisions, so that a count
 * depends on the code alone: compilations happen on the main thread where they are triggered,
 * the heap grows by a fixed schedule, hashing and Math.random are seeded; the probe collects
 * young garbage before each counted loop (--expose-gc). Without background
 * threads V8 never moves WebAssembly from its baseline compiler (Liftoff) to TurboFan, where a
 * long-running process has every hot function: --no-liftoff compiles it with TurboFan from the
 * start (measured: IGE 4 KiB 312k instructions on Liftoff, 197k on TurboFan, 198k with
 * background tier-up, on arm64 Node 18).
 */
const NODE_FLAGS = ['--single-threaded', '--no-liftoff', '--predictable-gc-schedule', '--hash-seed=1', '--random-seed=1', '--expose-gc']

const sh = (cmd, env = {}) => execFileSync('bash', ['-c', cmd], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] }).trim()
const envSh = (fn) => sh(`. scripts/arm/env.sh; ${fn}`)


async function buildProbe() {
  const { build } = await import('esbuild')
  const file = join(out, 'probe.mjs')
  await build({
    entryPoints: [join(root, 'bench/insns/probe.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    packages: 'external', // peers load from node_modules, as a user's process loads them
    outfile: file,
    logLevel: 'warning',
  })
  return file
}

/** The guest command of a target: [program, args...] to which the Node arguments are appended. */
function prepare(name) {
  const t = TARGETS[name]
  const pin = envSh('echo "$ARM_NODE26"')
  if (t.line) {
    const arch = envSh(`line_arch ${t.line}`)
    const bin = envSh(`line_node_bin ${t.line}`)
    const rootfs = envSh(`arm_root ${arch}`)
    const triplet = envSh(`arm_triplet ${arch}`)
    const node = bin || join(rootfs, 'usr/bin/node')
    const ld = `LD_LIBRARY_PATH=${rootfs}/usr/lib/${triplet}:${rootfs}/lib/${triplet}`
    return { ...t, name, node, debian: !bin, pre: ['-L', rootfs, '-E', ld] }
  }
  const node = sh(`"${process.execPath}" scripts/node-bin.mjs ${pin}`)
  return { ...t, name, node, debian: false, pre: [] }
}

function runProcess(logs, target, plugin, probe, impl, extra) {
  const log = join(logs, `${target.name}.${impl}.log`)
  const qargs = ['-cpu', target.cpu, '-plugin', `${plugin},sys=${target.sys}`, '-d', 'plugin', '-D', log, ...target.pre]
  const nodeArgs = [target.node, ...NODE_FLAGS, probe, '--impl', impl, ...extra]
  return new Promise((resolve) => {
    const t0 = Date.now()
    const p = spawn(target.qemu, [...qargs, ...nodeArgs], { cwd: root, env: { ...process.env, ...target.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d) => (stdout += d))
    p.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => p.kill('SIGKILL'), 20 * 60_000)
    p.on('error', (e) => stderr += `${e.message} (is qemu-user installed? scripts/arm/setup.sh installs it)\n`)
    p.on('close', (code) => {
      clearTimeout(timer)
      const seconds = (Date.now() - t0) / 1000
      const line = stdout.split('\n').find((l) => l.startsWith('INSNS-PLAN '))
      const marks = {}
      let total
      const text = existsSync(log) ? readFileSync(log, 'utf8') : ''
      for (const m of text.matchAll(/^insns mark (\d+) (\d+)$/gm)) marks[m[1]] = Number(m[2])
      const tm = text.match(/^insns total (\d+)$/m)
      if (tm) total = Number(tm[1])
      if (code !== 0 || !line) {
        resolve({ target: target.name, implId: impl, error: `exit ${code}: ${(stderr || stdout).trim().split('\n').slice(-8).join('\n')}`, seconds })
        return
      }
      resolve({ target: target.name, implId: impl, plan: JSON.parse(line.slice('INSNS-PLAN '.length)), marks, total, seconds })
    })
  })
}

async function measure() {
  const targets = (opt('--targets') ?? Object.keys(TARGETS).join(',')).split(',')
  for (const t of targets) if (!TARGETS[t]) throw new Error(`unknown target ${t}; known: ${Object.keys(TARGETS).join(', ')}`)
  mkdirSync(out, { recursive: true })
  const arches = [...new Set(targets.filter((t) => TARGETS[t].line).map((t) => envSh(`line_arch ${TARGETS[t].line}`)))]
  if (arches.length) execFileSync('bash', [join(root, 'scripts/arm/setup.sh')], { stdio: 'inherit', env: { ...process.env, ARM_ARCHES: arches.join(' ') } })
  const plugin = buildPlugin(root, out)
  const probe = await buildProbe()
  // the probe runs on this (host) Node too, to list the implementations cases.ts defines
  const known = JSON.parse(execFileSync(process.execPath, [probe, '--list'], { encoding: 'utf8' }))
  // `ours` and `peers` stand for the default implementations of each kind
  const impls = (opt('--impl') ?? 'ours,peers').split(',').flatMap((i) =>
    i === 'ours' ? known.defaults.filter((d) => known.ours.includes(d)) : i === 'peers' ? known.defaults.filter((d) => !known.ours.includes(d)) : [i])
  for (const i of impls) if (!known.impls.includes(i)) throw new Error(`unknown implementation ${i}; known: ${known.impls.join(', ')}`)
  const extra = []
  if (opt('--ops')) extra.push('--ops', opt('--ops'))
  if (opt('--scale')) extra.push('--scale', opt('--scale'))
  if (opt('--warm-scale')) extra.push('--warm-scale', opt('--warm-scale'))
  // the plugin's logs, one per process (kept with --keep-logs)
  const logs = mkdtempSync(join(out, 'logs-'))
  const prepared = Object.fromEntries(targets.map((t) => [t, prepare(t)]))
  const qemu = sh('qemu-aarch64 --version 2>/dev/null || qemu-x86_64 --version').split('\n')[0]
  const jobs = Number(opt('--jobs', Math.min(2, availableParallelism?.() ?? cpus().length)))
  const queue = targets.flatMap((t) => impls.map((i) => [t, i]))
  const runs = []
  const t0 = Date.now()
  console.log(`bench/insns: ${queue.length} processes (${targets.join(', ')} x ${impls.length} implementations), ${jobs} at a time, under ${qemu}`)
  const worker = async () => {
    while (queue.length) {
      const [t, i] = queue.shift()
      const r = await runProcess(logs, prepared[t], plugin, probe, i, extra)
      runs.push(r)
      console.log(`  ${t} ${i}: ${r.error ? `FAILED (${r.error.split('\n')[0]})` : `${r.plan.results.length} cases, ${(r.total / 1e9).toFixed(1)}G instructions`} in ${r.seconds.toFixed(1)}s`)
    }
  }
  await Promise.all(Array.from({ length: jobs }, worker))
  if (flag('--keep-logs')) console.log(`plugin logs kept in ${relative(root, logs)}`)
  else rmSync(logs, { recursive: true, force: true })
  const order = (r) => targets.indexOf(r.target) * 100 + impls.indexOf(r.implId)
  runs.sort((a, b) => order(a) - order(b))
  const meta = {
    date: new Date().toISOString(),
    qemu,
    host: `${cpus()[0]?.model ?? '?'}, ${cpus().length} cores`,
    seconds: Math.round((Date.now() - t0) / 1000),
    nodeFlags: NODE_FLAGS,
    partial: Boolean(opt('--ops') || (opt('--impl') && !/^(ours|ours,peers|peers,ours)$/.test(opt('--impl')))), // a subset: the gate does not miss the rest
    targets: Object.fromEntries(targets.map((t) => [t, { cpu: prepared[t].cpu, env: prepared[t].env, node: relative(root, prepared[t].node), debian: prepared[t].debian }])),
  }
  return { meta, runs }
}

const run = opt('--from') ? JSON.parse(readFileSync(opt('--from'), 'utf8')) : await measure()
const results = resultsOf(run)
if (!opt('--from')) {
  const json = opt('--json', join(out, 'last.json'))
  mkdirSync(dirname(json), { recursive: true })
  writeFileSync(json, JSON.stringify({ ...run, results }, null, 1) + '\n')
  console.log(`wrote ${relative(root, json)} (${run.meta.seconds}s of emulation wall time)`)
}
console.log(formatTable(run, results))
for (const r of run.runs.filter((x) => x.error)) console.log(`FAILED ${r.target} ${r.implId}: ${r.error}`)
if (opt('--report')) {
  writeFileSync(opt('--report'), formatReport(run, results))
  console.log(`wrote ${opt('--report')}`)
}
let failed = run.runs.some((x) => x.error)
if (flag('--write-baseline')) {
  if (failed) {
    console.log('not writing the baseline: some processes failed')
  } else {
    const old = existsSync(baselineFile) ? JSON.parse(readFileSync(baselineFile, 'utf8')) : undefined
    // one line per count, so that a refresh reads as a diff of the counts that moved
    const text = JSON.stringify(makeBaseline(run, results, TOLERANCE, old), null, 1).replace(/\{\n\s*("impl": .*,)\n\s*("peer": .*,)\n\s*("insns": \d+)\n\s*\}/g, '{ $1 $2 $3 }')
    writeFileSync(baselineFile, text + '\n')
    console.log(`wrote ${relative(root, baselineFile)}`)
  }
} else if (flag('--gate')) {
  const baseline = JSON.parse(readFileSync(baselineFile, 'utf8'))
  const g = compare(results, baseline, { partial: run.meta.partial })
  for (const l of g.lines) console.log(l)
  failed ||= g.failed
}
process.exit(failed ? 1 : 0)
