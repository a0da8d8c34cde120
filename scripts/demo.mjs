#!/usr/bin/env node
// `npm start` (after the build): bundles bench/demo.ts, the main job, and runs it in plain
// `node`: no V8 flags, so the backend it shows is the one users get.
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
mkdirSync(join(root, '.bench'), { recursive: true })
const outfile = join(root, '.bench/demo.mjs')
await build({ entryPoints: [join(root, 'bench/demo.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node18', packages: 'external', outfile, logLevel: 'warning' })
const r = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root })
process.exit(r.status ?? 1)
