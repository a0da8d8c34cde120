/**
 * Files written by a generator are what it writes now: assembly/sha256.ts (scripts/gen-sha256.mjs),
 * assembly/ige.ts and aes-block.ts (scripts/gen-table-ige.mjs), and the constants the host shares with the WASM
 * module, written once in assembly/layout.ts and assembly/flags.ts and generated for src/
 * (scripts/build-wasm.mjs --constants-only). The embedded modules themselves are checked by
 * `node scripts/build-wasm.mjs --check` in CI (it runs the compiler).
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import * as flags from '../../src/crypto/flags.generated.js'
import * as layout from '../../src/crypto/wasm/layout.generated.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const node = (script: string, ...args: string[]) => {
  // without the generators' experiment knobs (SHA_*), which would change their output
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SHA_')))
  return spawnSync(process.execPath, [join(root, script), ...args], { env, encoding: 'utf8' })
}

it('assembly/sha256.ts is what scripts/gen-sha256.mjs writes', () => {
  const r = node('scripts/gen-sha256.mjs', '--check')
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
})

it('assembly/ige.ts and assembly/aes-block.ts are what scripts/gen-table-ige.mjs writes', () => {
  for (const [file, args] of [['assembly/ige.ts', []], ['assembly/aes-block.ts', ['--block']]] as const) {
    const r = node('scripts/gen-table-ige.mjs', ...args)
    expect(r.status).toBe(0)
    expect(r.stdout, file).toBe(readFileSync(join(root, file), 'utf8'))
  }
})

it('src/crypto/flags.generated.ts and src/crypto/wasm/layout.generated.ts are what scripts/build-wasm.mjs writes', () => {
  const r = node('scripts/build-wasm.mjs', '--constants-only', '--check')
  expect(r.stderr).toBe('')
  expect(r.status).toBe(0)
})

it('carry every constant of assembly/layout.ts and assembly/flags.ts, with its value', () => {
  for (const [file, generated] of [['assembly/layout.ts', layout], ['assembly/flags.ts', flags]] as const) {
    const source = readFileSync(join(root, file), 'utf8')
    const declared = [...source.matchAll(/^export const ([A-Z0-9_]+): \w+ = (0x[0-9a-f]+|\d+)$/gm)]
    expect(declared.length).toBeGreaterThan(5)
    expect(Object.keys(generated).sort()).toEqual(declared.map((m) => m[1]).sort())
    for (const [, name, value] of declared) expect((generated as Record<string, number>)[name], name).toBe(Number(value))
  }
})
