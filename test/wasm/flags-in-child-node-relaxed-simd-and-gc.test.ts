/**
 * Checks that need a child node with flags (vitest's own workers run without them), each a
 * sibling script bundled with esbuild that reports JSON:
 * - relaxed-child.ts under `--experimental-wasm-relaxed-simd` (Node 20 does not validate relaxed
 *   SIMD without it): vectors and random lengths against node:crypto, the pure-TS backend and
 *   the baseline flavour;
 * - gc-child.ts under `--expose-gc`: streams dropped without dispose() are zeroed and recycled;
 * - relaxed-enable-child.ts with no flags: enableRelaxedSimd() makes plain Node 20 run the
 *   relaxed flavour, with the same bytes as the baseline one.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { expect, it } from 'vitest'

/** Bundles `entry` (a sibling .ts file) and runs it in a child node with `flags`; returns its last JSON line. */
async function runChild(entry: string, flags: string[]): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'mtwire-child-'))
  try {
    const outfile = join(dir, 'child.mjs')
    await build({
      entryPoints: [new URL(entry, import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      logLevel: 'error',
    })
    const r = spawnSync(process.execPath, [...flags, outfile], { encoding: 'utf8', timeout: 120_000 })
    expect(r.stderr).toBe('')
    return JSON.parse(r.stdout.trim().split('\n').pop() as string)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

it('relaxed-SIMD flavour (ct and table) passes its checks under --experimental-wasm-relaxed-simd', async () => {
  {
    const res = (await runChild('./relaxed-child.ts', ['--experimental-wasm-relaxed-simd'])) as {
      failures: string[]; backends: string[]; checks: number; ok: boolean
    }
    expect(res.failures).toEqual([])
    expect(res.backends).toEqual(['wasm-relaxed-simd/ct', 'wasm-relaxed-simd/table'])
    expect(res.checks).toBeGreaterThan(3000)
    expect(res.ok).toBe(true)
  }
})

it('CTR streams dropped without dispose() are zeroed and recycled by the GC (child node --expose-gc)', async () => {
  const res = await runChild('./gc-child.ts', ['--expose-gc'])
  expect(res.created).toBe((res.before as number) + 2000)
  expect(res.after).toBe(res.before)
  expect(res.zeroed).toBe(true)
})

it('enableRelaxedSimd() makes a plain Node 20 process pick the relaxed flavour, same bytes as baseline (child node, no flags)', async () => {
  const res = (await runChild('./relaxed-enable-child.ts', [])) as { before: string; ok: boolean; after: string; checks: number; same: boolean }
  const v8major = Number.parseInt(process.versions.v8, 10)
  // Node 20 (V8 11.3) starts on baseline SIMD; Node >= 22 has relaxed SIMD on already
  expect(res.before).toBe(v8major === 11 && !/^11\.[4-9]/.test(process.versions.v8) ? 'wasm-simd/ct' : 'wasm-relaxed-simd/ct')
  expect(res.ok).toBe(true)
  expect(res.after).toBe('wasm-relaxed-simd/ct')
  expect(res.checks).toBeGreaterThan(250)
  expect(res.same).toBe(true)
})
