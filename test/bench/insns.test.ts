// bench/insns without qemu: counts from the plugin's marks, the report's ratios, and the gate
// (lib.mjs directly, and run.mjs --from on a recorded run, as CI calls it).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { compare, formatReport, formatTable, makeBaseline, resultsOf, type ProcessRun, type Run } from '../../bench/insns/lib.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * One probe process as the plugin would log it: per case the four loops W, Z, C, R (their
 * instruction counts between their marks), with some unrelated work between loops.
 */
function proc(target: string, implId: string, impl: string, peer: boolean, cases: { op: string; size: number; calls: number; loops: [number, number, number, number] }[], node = 'v18.20.4'): ProcessRun {
  const marks: Record<string, number> = {}
  let at = 1_000_000_000 // start-up
  const results = cases.map((c, i) => {
    const base = i * 8
    c.loops.forEach((n, j) => {
      at += 12_345 // the collection and loop set-up between loops: never counted
      marks[base + 2 * j] = at
      at += n
      marks[base + 2 * j + 1] = at
    })
    return { op: c.op, size: c.size, calls: c.calls, warm: 100, base }
  })
  return { target, implId, plan: { impl, id: implId, peer, node, arch: 'arm64', v8: '10.2', results, skipped: [] }, marks, total: at, seconds: 1 }
}

const Z = 1_100 // an empty loop: the two marks around it
function run(coreIge = 15_000): Run {
  return {
    meta: { date: 'd', qemu: 'qemu 7.2', nodeFlags: ['--single-threaded'], targets: { 'arm64-node18': { cpu: 'cortex-a72', env: {}, node: 'node', debian: true } } },
    runs: [
      proc('arm64-node18', 'core', 'mtwire wasm-simd/ct', false, [
        // a compile of ~1M instructions landed in W: the minimum leaves it out
        { op: 'ige-encrypt', size: 256, calls: 512, loops: [512 * coreIge + Z + 1_000_000, Z, 512 * coreIge + Z, 512 * coreIge + Z + 30] },
        { op: 'sha256', size: 256, calls: 512, loops: [512 * 14_000 + Z, Z, 512 * 14_000 + Z + 200_000, 512 * 14_000 + Z + 300_000] },
      ]),
      proc('arm64-node18', 'js', 'mtwire js/table', false, [{ op: 'ige-encrypt', size: 256, calls: 128, loops: [128 * 50_000 + Z, Z, 128 * 50_000 + Z, 128 * 50_000 + Z] }]),
      proc('arm64-node18', 'mtcute-wasm', '@mtcute/wasm (simd)', true, [{ op: 'ige-encrypt', size: 256, calls: 256, loops: [256 * 37_500 + Z, Z, 256 * 37_500 + Z, 256 * 37_500 + Z] }]),
      proc('arm64-node18', 'gramjs-aes', 'GramJS (@cryptography/aes)', true, [{ op: 'ige-encrypt', size: 256, calls: 43, loops: [43 * 200_000 + Z, Z, 43 * 200_000 + Z, 43 * 200_000 + Z] }]),
    ],
  }
}

describe('bench/insns counts', () => {
  it('instructions per call are the cheapest loop of N calls minus the empty loop, over N', () => {
    const rs = resultsOf(run())
    const ige = rs.find((r) => r.implId === 'core' && r.op === 'ige-encrypt')!
    expect(ige.insns).toBe(15_000)
    expect(ige.steady).toBe(true) // C and R agree (30 instructions apart)
    const sha = rs.find((r) => r.op === 'sha256')!
    expect(sha.insns).toBe(14_000) // W: the other two had one-time costs
    expect(sha.steady).toBe(false) // and no second loop confirms it
    expect(sha.spread).toBeCloseTo(200_000 / (512 * 14_000), 4)
  })

  it('a missing mark is an error, not a silent zero', () => {
    const r = run()
    delete r.runs[0].marks![5]
    expect(() => resultsOf(r)).toThrow(/mark 5 missing/)
  })

  it('failed processes are left out of the results and named in the table', () => {
    const r = run()
    r.runs.push({ target: 'arm64-node18', implId: 'nosimd', error: 'exit 1: boom' })
    const rs = resultsOf(r)
    expect(rs.some((x) => x.implId === 'nosimd')).toBe(false)
  })

  it('the table and the report give ratios as peer over ours, ours being the board default and pure TS', () => {
    const r = run()
    const rs = resultsOf(r)
    const table = formatTable(r, rs)
    expect(table).toContain('@mtcute/wasm (simd) / mtwire wasm-simd/ct = 2.50x')
    expect(table).toContain('GramJS (@cryptography/aes) / mtwire js/table = 4.00x')
    expect(table).toContain('not a time')
    const md = formatReport(r, rs)
    expect(md).toContain('| ige-encrypt | 256 B | mtwire wasm-simd/ct | GramJS (@cryptography/aes) | 13.33x |')
    expect(md).toContain('| sha256 | 256 B | 14.0k\\* |')
  })
})

describe('bench/insns gate', () => {
  const base = (): ReturnType<typeof makeBaseline> => makeBaseline(run(), resultsOf(run()), 0.03)

  it('passes at the baseline and within the tolerance', () => {
    expect(compare(resultsOf(run()), base()).failed).toBe(false)
    expect(compare(resultsOf(run(15_440)), base()).failed).toBe(false) // +2.9%
  })

  it('fails when one of ours costs more than the tolerance above the baseline', () => {
    const g = compare(resultsOf(run(15_460)), base()) // +3.1%
    expect(g.failed).toBe(true)
    expect(g.lines.join('\n')).toMatch(/FAIL {2}arm64-node18 mtwire wasm-simd\/ct ige-encrypt 256 B: 15460 vs 15000 \(\+3\.1%\)/)
  })

  it('reports a gain without failing, and says to refresh the baseline', () => {
    const g = compare(resultsOf(run(14_000)), base())
    expect(g.failed).toBe(false)
    expect(g.lines.join('\n')).toMatch(/fewer .*refresh the baseline/)
  })

  it('a peer that moved is a note about the environment, never a failure', () => {
    const b = base()
    b.targets['arm64-node18'].insns['mtcute-wasm ige-encrypt 256'].insns = 30_000 // now 37 500
    const g = compare(resultsOf(run()), b)
    expect(g.failed).toBe(false)
    expect(g.lines.join('\n')).toMatch(/peer moved .*environment/)
  })

  it('a case of ours in the baseline but not measured fails, unless the run was a subset', () => {
    const r = run()
    r.runs.splice(1, 1) // no js process
    expect(compare(resultsOf(r), base()).failed).toBe(true)
    expect(compare(resultsOf(r), base(), { partial: true }).failed).toBe(false)
  })

  it('a target measured on another Node is not compared (its counts say nothing about our change)', () => {
    const r = run(20_000)
    for (const p of r.runs) p.plan!.node = 'v18.20.5'
    const g = compare(resultsOf(r), base())
    expect(g.failed).toBe(false)
    expect(g.lines.join('\n')).toMatch(/NOT COMPARED: baseline from Node v18\.20\.4, this run v18\.20\.5/)
  })

  it('a baseline from ours alone keeps the peers, unless the Node changed', () => {
    const r = run(16_000)
    r.runs = r.runs.filter((p) => !p.plan!.peer)
    const b = makeBaseline(r, resultsOf(r), 0.03, base())
    expect(b.targets['arm64-node18'].insns['core ige-encrypt 256'].insns).toBe(16_000)
    expect(b.targets['arm64-node18'].insns['mtcute-wasm ige-encrypt 256'].insns).toBe(37_500)
    for (const p of r.runs) p.plan!.node = 'v18.20.5'
    const c = makeBaseline(r, resultsOf(r), 0.03, base())
    expect(c.targets['arm64-node18'].insns['mtcute-wasm ige-encrypt 256']).toBeUndefined()
  })

  it('a new baseline for one target keeps the others', () => {
    const old = base()
    old.targets['armv7-node18'] = { ...old.targets['arm64-node18'], cpu: 'cortex-a7' }
    const b = makeBaseline(run(16_000), resultsOf(run(16_000)), 0.05, old)
    expect(b.tolerance).toBe(0.03) // the committed tolerance stays
    expect(b.targets['armv7-node18'].cpu).toBe('cortex-a7')
    expect(b.targets['arm64-node18'].insns['core ige-encrypt 256'].insns).toBe(16_000)
  })
})

describe('bench/insns/run.mjs on a recorded run (no emulation)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'insns-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bench/insns/run.mjs'), ...args], { cwd: root, encoding: 'utf8' })

  it('--write-baseline, then --gate: exit 0 at the baseline, 1 above it', () => {
    const baseline = join(dir, 'baseline.json')
    writeFileSync(join(dir, 'a.json'), JSON.stringify(run()))
    writeFileSync(join(dir, 'b.json'), JSON.stringify(run(16_000)))
    const w = cli('--from', join(dir, 'a.json'), '--write-baseline', '--baseline', baseline)
    expect(w.status, w.stderr).toBe(0)
    expect(JSON.parse(readFileSync(baseline, 'utf8')).targets['arm64-node18'].insns['core ige-encrypt 256'].insns).toBe(15_000)
    const ok = cli('--from', join(dir, 'a.json'), '--gate', '--baseline', baseline)
    expect(ok.status, ok.stdout + ok.stderr).toBe(0)
    expect(ok.stdout).toContain('insns gate: 3 counts of ours compared, passed')
    const bad = cli('--from', join(dir, 'b.json'), '--gate', '--baseline', baseline)
    expect(bad.status).toBe(1)
    expect(bad.stdout).toMatch(/FAIL .*ige-encrypt 256 B: 16000 vs 15000/)
  })
})
