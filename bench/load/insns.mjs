#!/usr/bin/env node
/**
 * User-space instructions per ping of each client, counted under qemu-x86_64 by bench/insns'
 * plugin: the load bench's CPU-per-ping comparison in a figure that does not move with the
 * machine's load. The pinger (bench/load/pinger.ts, bundled) runs on the Node 26 that
 * bench/insns pins, single-threaded (V8 compiles and collects on the main thread, so all its
 * work is counted), and marks the start and end of its timed loop (MTWIRE_INSNS_MARKS=1);
 * `mtwire serve` runs natively. Kernel work (the socket calls) is not counted.
 *
 *   node bench/load/insns.mjs [--pings N] [--impl mtwire,mtcute,gramjs,teleproto,floor] [--node PATH]
 *
 * `--node`: another x64 Node binary than the pinned 26 (the load bench itself runs on plain `node`).
 *
 * `floor` is bench/load/floor.mjs: a socket and an echo process, no protocol. Needs qemu-user
 * and gcc (scripts/arm/setup.sh installs qemu; the plugin build installs gcc). ~10 s per client.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { buildPlugin } from '../insns/lib.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const out = join(root, '.bench/load')
const args = process.argv.slice(2)
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt)
const pings = opt('--pings', '3000')
const impls = opt('--impl', 'mtwire,mtcute,floor').split(',')
const FLAGS = ['--single-threaded', '--no-liftoff', '--predictable-gc-schedule', '--hash-seed=1', '--random-seed=1']

mkdirSync(out, { recursive: true })
const plugin = buildPlugin(root, join(root, '.bench/insns'))
const pin = execFileSync('bash', ['-c', '. scripts/arm/env.sh; echo "$ARM_NODE26"'], { cwd: root, encoding: 'utf8' }).trim()
const node26 = opt('--node', undefined) ?? execFileSync(process.execPath, ['scripts/node-bin.mjs', pin], { cwd: root, encoding: 'utf8' }).trim()
const bundle = (entry, name) =>
  build({ entryPoints: [join(root, entry)], bundle: true, platform: 'node', format: 'esm', target: 'node18', packages: 'external', outfile: join(out, `${name}.mjs`), logLevel: 'error', absWorkingDir: root }).then(() => join(out, `${name}.mjs`))
const [cli, pinger] = await Promise.all([bundle('src/node/cli.ts', 'cli'), bundle('bench/load/pinger.ts', 'pinger')])

const server = spawn(process.execPath, [cli, 'serve', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] })
let head = ''
await new Promise((resolve) => server.stdout.on('data', (d) => ((head += d), head.includes('END RSA PUBLIC KEY') && resolve())))
const port = /listening on \S+:(\d+)/.exec(head)[1]
const pem = head.slice(head.indexOf('-----BEGIN'), head.indexOf('-----END RSA PUBLIC KEY-----') + 29)

/** Runs one client under the plugin; instructions per ping between its two marks. */
function count(impl) {
  const log = join(out, `insns-${impl}.log`)
  rmSync(log, { force: true })
  const script = impl === 'floor' ? [join(root, 'bench/load/floor.mjs'), pings] : [pinger, impl, port, pings]
  return new Promise((resolve, reject) => {
    const p = spawn('qemu-x86_64', ['-cpu', 'Haswell-noTSX,-invpcid', '-plugin', `${plugin},sys=95`, '-d', 'plugin', '-D', log, node26, ...FLAGS, ...script], {
      cwd: root,
      env: { ...process.env, MTWIRE_INSNS_MARKS: '1' },
      stdio: ['pipe', 'ignore', 'pipe'],
    })
    let err = ''
    p.stderr.on('data', (d) => (err += d))
    p.stdin.end(impl === 'floor' ? '' : pem)
    p.on('error', reject)
    p.on('close', (code) => {
      const marks = {}
      for (const m of readFileSync(log, 'utf8').matchAll(/^insns mark (\d+) (\d+)$/gm)) marks[m[1]] = Number(m[2])
      if (code !== 0 || marks[0] === undefined || marks[1] === undefined) reject(new Error(`${impl}: exit ${code}, no marks: ${err.split('\n').filter((l) => !l.includes('TCG')).slice(-5).join('\n')}`))
      else resolve((marks[1] - marks[0]) / Number(pings))
    })
  })
}

try {
  const res = {}
  for (const impl of impls) {
    res[impl] = await count(impl)
    console.log(`${impl.padEnd(10)} ${Math.round(res[impl]).toLocaleString('en').padStart(9)} instructions per ping (user space, ${pings} pings after a warm-up of at least 2000 pings and 1.5 s)`)
  }
  if (res.mtwire && res.mtcute) console.log(`ours / mtcute: ${(res.mtwire / res.mtcute).toFixed(3)}`)
} finally {
  server.kill()
}
