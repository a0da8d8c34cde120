#!/usr/bin/env node
// Runs the dist suite (test/dist/*.test.mjs, node:test, against the BUILT bundles) on this Node
// or on several Node lines (official x64 binaries from the npm registry, scripts/node-bin.mjs).
//
//   node scripts/test-dist.mjs                         # this node (npm run test:dist)
//   node scripts/test-dist.mjs --lines 18,20,22,24,26  # each line in turn (CI)
//
// Per line:
// - `--experimental-wasm-relaxed-simd` only where the binary accepts it (Node 18/20: relaxed
//   SIMD is behind that flag; Node ≥ 22 has it on and rejects the flag as a bad option);
// - the backends that must load (MTWIRE_EXPECT_BACKENDS, checked by vectors.test.mjs): every
//   flavour from Node 20 on (20 through the flag), none of the relaxed ones on Node 18, whose
//   V8 10.2 knows only older relaxed-SIMD opcodes. Set MTWIRE_EXPECT_BACKENDS to override.
// Prints one summary line per Node line; a line's full TAP output only when it fails.
import { execFileSync, spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd'
const ALL = ['js/table', 'wasm-relaxed-simd/ct', 'wasm-relaxed-simd/table', 'wasm-simd/ct', 'wasm-simd/table', 'wasm/table']
const NO_RELAXED = ALL.filter((b) => !b.startsWith('wasm-relaxed-simd'))

const args = process.argv.slice(2)
const at = args.indexOf('--lines')
const lines = at >= 0 ? (args[at + 1] ?? '').split(',').filter(Boolean) : [null]
if (at >= 0 && lines.length === 0) {
  console.error('usage: node scripts/test-dist.mjs [--lines 18,20,22,24,26]')
  process.exit(2)
}
const files = readdirSync(join(root, 'test/dist'))
  .filter((f) => f.endsWith('.test.mjs'))
  .sort()
  .map((f) => join('test/dist', f))

/** The node binary of a line (`null`: the one running this script). */
const binary = (line) =>
  line === null ? process.execPath : execFileSync(process.execPath, [join(root, 'scripts/node-bin.mjs'), line], { encoding: 'utf8' }).trim()

let failed = 0
for (const line of lines) {
  const bin = binary(line)
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()
  const major = Number(version.slice(1).split('.')[0])
  const takesFlag = spawnSync(bin, [RELAXED_FLAG, '-e', '0'], { stdio: 'ignore' }).status === 0
  const flags = takesFlag ? [RELAXED_FLAG] : []
  const expect = process.env.MTWIRE_EXPECT_BACKENDS ?? (major >= 20 ? ALL : NO_RELAXED).join(' ')
  const t0 = Date.now()
  const r = spawnSync(bin, [...flags, '--test', '--test-reporter=tap', ...files], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, MTWIRE_EXPECT_BACKENDS: expect },
    timeout: 600_000,
    maxBuffer: 64 << 20,
  })
  const count = (k) => Number((r.stdout.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? 0)
  const pass = count('pass')
  const fail = count('fail')
  const ok = r.status === 0 && fail === 0 && pass > 0
  if (!ok) {
    failed++
    process.stdout.write(r.stdout)
    process.stderr.write(r.stderr)
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1)
  console.log(
    `dist suite, node ${version} x64: ${pass} passed, ${fail} failed, ${secs}s; flags: ${flags.join(' ') || 'none'}; required: ${expect || 'none'}${ok ? '' : `; FAILED (exit ${r.status ?? r.signal})`}`,
  )
}
process.exit(failed ? 1 : 0)
