#!/usr/bin/env node
// Bundles bench/run.ts with esbuild (peers stay external, loaded from node_modules) and runs
// it with relaxed SIMD enabled, so every WASM flavour can be measured in one process.
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
mkdirSync(join(root, '.bench'), { recursive: true })
const outfile = join(root, '.bench/run.mjs')
await build({
  entryPoints: [join(root, 'bench/run.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  packages: 'external',
  outfile,
  logLevel: 'warning',
})
if (process.argv.includes('--build-only')) process.exit(0)
// Node 18/20 have relaxed SIMD behind the flag; Node ≥ 22 has it on and rejects the flag
const relaxed = '--experimental-wasm-relaxed-simd'
const takesFlag = spawnSync(process.execPath, [relaxed, '-e', '0'], { stdio: 'ignore' }).status === 0
const flags = [...(takesFlag ? [relaxed] : []), '--expose-gc']
const r = spawnSync(process.execPath, [...flags, outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root })
process.exit(r.status ?? 1)
