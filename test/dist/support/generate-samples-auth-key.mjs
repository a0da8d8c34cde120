#!/usr/bin/env node
// Writes samples-auth-key.mjs (beside this file) from test/vectors/samples-auth-key.ts, the
// pinned snapshot of core.telegram.org/mtproto/samples-auth_key, so that the dist suite can
// run on a bare Node 18 (no TypeScript loader, e.g. under qemu on ARM). Only the types are
// stripped (esbuild); the values and the citation come over unchanged.
//   node test/dist/support/generate-samples-auth-key.mjs --write  # (re)write
//   node test/dist/support/generate-samples-auth-key.mjs          # check only: exit 1 if out of date
// (Writing needs the explicit flag, so a test runner that executes every file under test/
// can never rewrite the fixture.)
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const src = join(here, '../../vectors/samples-auth-key.ts')
const dest = join(here, 'samples-auth-key.mjs')

export async function render() {
  const { transform } = await import('esbuild')
  const ts = readFileSync(src, 'utf8')
  const { code } = await transform(ts, { loader: 'ts', format: 'esm', target: 'es2020' })
  // esbuild drops the leading doc comment, which holds the citation: carry it over verbatim.
  const citation = ts.match(/^\/\*\*[\s\S]*?\*\//)?.[0]
  if (!citation || !code.includes('SNAPSHOT')) throw new Error(`${src}: no leading citation comment or SNAPSHOT`)
  return (
    '// GENERATED from test/vectors/samples-auth-key.ts by test/dist/support/generate-samples-auth-key.mjs;\n' +
    '// do not edit. Values and citation are those of the source file.\n' +
    citation +
    '\n' +
    code
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await render()
  if (!process.argv.includes('--write')) {
    const now = readFileSync(dest, 'utf8')
    if (now !== text) {
      console.error(`${dest} is out of date: run node test/dist/support/generate-samples-auth-key.mjs --write`)
      process.exit(1)
    }
    console.log('samples-auth-key.mjs is up to date')
  } else {
    writeFileSync(dest, text)
    console.log(`wrote ${dest}`)
  }
}
