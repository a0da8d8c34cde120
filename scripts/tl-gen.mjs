#!/usr/bin/env node
// Regenerates the committed TL code (src/tl/generated/*.ts) from src/tl/schema/*.tl.
// Usage: node scripts/tl-gen.mjs [--check]   (--check: exit 1 if a file is out of date)
import { build } from 'esbuild'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = await build({
  entryPoints: [join(root, 'src/tl/builtin-schemas.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
  logLevel: 'warning',
})
const mod = await import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].text).toString('base64'))
const check = process.argv.includes('--check')
let stale = 0
for (const b of mod.BUILTIN_SCHEMAS) {
  const text = mod.renderBuiltin(b, readFileSync(join(root, b.tl), 'utf8'))
  const path = join(root, b.out)
  let old = ''
  try {
    old = readFileSync(path, 'utf8')
  } catch {}
  if (old === text) continue
  stale++
  if (check) console.error(`out of date: ${b.out}`)
  else {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
    console.log(`wrote ${b.out}`)
  }
}
process.exit(check && stale ? 1 : 0)
