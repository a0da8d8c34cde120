#!/usr/bin/env node
// The README's list of error codes, generated from ERROR_CODES in src/errors.ts (the one list of
// codes), between the markers `<!-- error-codes -->` and `<!-- /error-codes -->`.
//
//   node scripts/error-codes.mjs           # rewrite the list in README.md (npm run errors:readme)
//   node scripts/error-codes.mjs --check   # exit 1 if it is stale
// test/errors.test.ts checks the same, with renderErrorCodes() below.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const START = '<!-- error-codes: generated from src/errors.ts by `npm run errors:readme`; do not edit -->'
export const END = '<!-- /error-codes -->'

/** Markdown: one table of every class's codes, in the order of ERROR_CODES. */
export function renderErrorCodes(codes) {
  const rows = ['| class | code | raised when |', '|---|---|---|']
  for (const [cls, list] of Object.entries(codes)) {
    for (const [code, when] of Object.entries(list)) rows.push(`| \`${cls}\` | \`${code}\` | ${when.replaceAll('|', '\\|')} |`)
  }
  return `${START}\n${rows.join('\n')}\n${END}`
}

/** The README with its list replaced by `list` (throws if the markers are missing). */
export function withList(readme, list) {
  const a = readme.indexOf(START.slice(0, 20))
  const b = readme.indexOf(END)
  if (a < 0 || b < a) throw new Error(`README.md has no error-code list between "${START}" and "${END}"`)
  return readme.slice(0, a) + list + readme.slice(b + END.length)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..')
  const { build } = await import('esbuild')
  const out = await build({ entryPoints: [join(root, 'src/errors.ts')], bundle: true, format: 'esm', write: false, logLevel: 'warning' })
  const { ERROR_CODES } = await import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].text).toString('base64'))
  const path = join(root, 'README.md')
  const old = readFileSync(path, 'utf8')
  const next = withList(old, renderErrorCodes(ERROR_CODES))
  if (process.argv.includes('--check')) {
    if (next !== old) {
      console.error('README.md: the error-code list is stale: run npm run errors:readme')
      process.exit(1)
    }
    console.log('README.md: the error-code list matches src/errors.ts')
  } else if (next !== old) {
    writeFileSync(path, next)
    console.log('README.md: error-code list rewritten')
  }
}
