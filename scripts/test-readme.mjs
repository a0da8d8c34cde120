#!/usr/bin/env node
// Every code block of README.md runs, as written, against the package as a user installs it:
// - ```ts / ```js blocks: each is a module of its own (top-level await allowed), type-checked
//   with `tsc --strict` (module nodenext) against the installed typings, then run with node;
// - ```sh blocks marked `<!-- readme: run -->` on the line before: their commands run in the
//   project folder, and the `# ` lines after a command are its expected output, line for line;
// - any other block needs `<!-- readme: skip: <why> -->` on the line before (say why it cannot
//   run here, e.g. "CI itself runs this"); a block with neither fails the check.
//
//   node scripts/test-readme.mjs                   # a scratch project linking this repo (needs dist/)
//   node scripts/test-readme.mjs --project DIR     # DIR has node_modules/mtwire (scripts/test-pack.sh)
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'
import { blocks, classify } from './readme-blocks.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const given = args.includes('--project') ? args[args.indexOf('--project') + 1] : undefined
const readme = args.includes('--readme') ? args[args.indexOf('--readme') + 1] : join(root, 'README.md')

const all = blocks(readFileSync(readme, 'utf8'))
let failed = 0
const fail = (b, msg) => {
  failed++
  console.log(`README.md:${b.line} (${b.lang || 'no language'}): FAIL ${msg}`)
}

// what runs and what is skipped, before doing anything
const ts = []
const sh = []
for (const b of all) {
  const c = classify(b)
  if (c.kind === 'error') fail(b, c.message)
  else if (c.kind === 'skip') console.log(`README.md:${b.line} (${b.lang}): skipped: ${b.reason}`)
  else (c.kind === 'module' ? ts : sh).push(b)
}

const project = given ?? mkdtempSync(join(tmpdir(), 'mtwire-readme-'))
try {
  if (!given) {
    // a project whose node_modules/mtwire is this repository, as npm would link it
    if (!existsSync(join(root, 'dist/node.mjs'))) throw new Error('dist/ is missing: run `npm run build` first')
    mkdirSync(join(project, 'node_modules/.bin'), { recursive: true })
    symlinkSync(root, join(project, 'node_modules/mtwire'), 'dir')
    writeFileSync(join(project, 'node_modules/.bin/mtwire'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'dist/cli.mjs')}" "$@"\n`, { mode: 0o755 })
    writeFileSync(join(project, 'package.json'), '{ "name": "readme-check", "private": true, "type": "module" }\n')
  }
  const dir = join(project, 'readme-blocks')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  const file = (b) => join(dir, `line-${b.line}.mts`)
  for (const b of ts) writeFileSync(file(b), b.code + '\n')

  // one type-check of every ts block, against the installed typings
  const typed = ts.filter((b) => b.lang.startsWith('t'))
  if (typed.length) {
    const tsc = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext',
        '--typeRoots', join(root, 'node_modules/@types'), '--types', 'node', ...typed.map(file)],
      { cwd: project, encoding: 'utf8' },
    )
    if (tsc.status !== 0) {
      const text = tsc.stdout + tsc.stderr
      for (const b of typed) {
        const mine = text.split('\n').filter((l) => l.includes(`line-${b.line}.mts`))
        if (mine.length) fail(b, `does not type-check:\n  ${mine.join('\n  ').replaceAll(`readme-blocks/line-${b.line}.mts`, 'block line ')}`)
      }
      if (!typed.some((b) => text.includes(`line-${b.line}.mts`))) fail(typed[0], `tsc failed: ${text.slice(0, 2000)}`)
    }
  }

  for (const b of ts) {
    const js = join(dir, `line-${b.line}.mjs`)
    try {
      writeFileSync(js, (await transform(b.code, { loader: 'ts', format: 'esm', target: 'es2022' })).code)
    } catch (e) {
      fail(b, `does not parse: ${e.errors?.[0]?.text ?? e.message}`)
      continue
    }
    const t0 = Date.now()
    const r = spawnSync(process.execPath, [js], { cwd: project, encoding: 'utf8', timeout: 60_000 })
    if (r.status !== 0) fail(b, `exited with ${r.status ?? r.signal}:\n${(r.stderr || r.stdout).trim().split('\n').slice(0, 12).join('\n')}`)
    else console.log(`README.md:${b.line} (${b.lang}): ran in ${Date.now() - t0} ms`)
  }

  for (const b of sh) {
    // commands, each followed by its expected output as `# ` lines
    const steps = []
    for (const l of b.code.split('\n')) {
      if (l.startsWith('#')) steps.at(-1)?.expect.push(l.replace(/^# ?/, ''))
      else if (l.trim()) steps.push({ cmd: l, expect: [] })
    }
    for (const s of steps) {
      let out
      try {
        out = execFileSync('bash', ['-euo', 'pipefail', '-c', s.cmd], { cwd: project, encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] })
      } catch (e) {
        fail(b, `\`${s.cmd}\` failed: ${String(e.stderr || e.message).trim().slice(0, 800)}`)
        continue
      }
      const got = out.replace(/\n$/, '').split('\n')
      if (s.expect.length && got.join('\n') !== s.expect.join('\n')) {
        fail(b, `\`${s.cmd}\` printed:\n  ${got.join('\n  ')}\nbut the README says:\n  ${s.expect.join('\n  ')}`)
      } else console.log(`README.md:${b.line} (${b.lang}): \`${s.cmd.slice(0, 60)}\` ran${s.expect.length ? ', output as shown' : ''}`)
    }
  }
} finally {
  if (!given) rmSync(project, { recursive: true, force: true })
  else rmSync(join(project, 'readme-blocks'), { recursive: true, force: true })
}
console.log(failed ? `readme: ${failed} block(s) failed` : `readme: ${ts.length + sh.length} blocks ran, ${all.length - ts.length - sh.length} skipped with a reason`)
process.exit(failed ? 1 : 0)
