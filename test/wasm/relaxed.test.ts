/**
 * The relaxed-SIMD flavour, in a child `node --experimental-wasm-relaxed-simd` (Node 20 does
 * not validate relaxed SIMD without the flag; vitest's own workers run without it). The child
 * is relaxed-child.ts bundled with esbuild; it checks the vectors, random lengths against
 * node:crypto, the pure-TS backend and the baseline flavour, and reports JSON.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { expect, it } from 'vitest'

it('relaxed-SIMD flavour (ct and table) passes its checks under --experimental-wasm-relaxed-simd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtwire-relaxed-'))
  try {
    const outfile = join(dir, 'child.mjs')
    await build({
      entryPoints: [new URL('./relaxed-child.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      logLevel: 'error',
    })
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', outfile], { encoding: 'utf8', timeout: 120_000 })
    expect(r.stderr).toBe('')
    const res = JSON.parse(r.stdout.trim().split('\n').pop() as string)
    expect(res.failures).toEqual([])
    expect(res.backends).toEqual(['wasm-relaxed-simd/ct', 'wasm-relaxed-simd/table'])
    expect(res.checks).toBeGreaterThan(3000)
    expect(res.ok).toBe(true)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
