/**
 * The benchmark harness every suite shares. What it measures is what a stopwatch around a loop
 * measures: N calls of a case in a loop, the loop's time / N, so everything a call costs is in
 * it, including the garbage collection its allocations cause later (bench/plain-loop.mjs does
 * the same by hand, to check a row). For each (op, size) group it calibrates N per case so that
 * a loop lasts ~100 ms (40 ms in a quick run), warms each case up with one such loop, then runs
 * interleaved rounds (the order rotates each round) of one timed loop per case, and keeps the
 * median over rounds: a slow period of a shared machine then hits every implementation alike
 * and is voted out. Loops are timed in CPU time of this process (`process.cpuUsage`, all
 * threads), so that the time this process waits for a core while other processes run does not
 * count; `MTWIRE_BENCH_WALL=1` times them by the wall clock instead. Each timed loop is one
 * tinybench sample. Ratios compare each of ours with each peer measured in the same group.
 *
 * Until this harness timed whole loops, it kept tinybench's median over ~50 µs samples: that
 * leaves out the tail where the garbage collector runs, so a peer that allocates per call (all
 * of them do; ours take an `out`) looked up to ~10% faster than a stopwatch shows (see
 * bench/README.md).
 */
import { randomFillSync } from 'node:crypto'
import { Bench } from 'tinybench'

/** Random input for cases. node:crypto, not the global: Node 18 (ARM boards) has no globalThis.crypto. */
export const rnd = (n: number): Uint8Array => randomFillSync(new Uint8Array(n))

export interface BenchCase {
  /** Who runs: 'mtwire js/table', '@mtcute/wasm', 'node:crypto', ... */
  impl: string
  /** True for implementations we compare against; ratios are ours / each peer. */
  peer?: boolean
  op: string
  /** Payload bytes per call (for throughput); 0 when not meaningful. */
  size: number
  /** One operation, synchronous. */
  fn: () => unknown
}

export interface BenchSuite {
  name: string
  cases(opts: { quick: boolean }): Promise<BenchCase[]>
  /**
   * Measurements the synchronous case model cannot express (an async-only peer), as results
   * of this suite; they join the table and the ratios like any other.
   */
  extra?(opts: { quick: boolean }): Promise<Omit<BenchResult, 'suite'>[]>
  /** Lines printed under the suite's table and kept in the JSON (e.g. heap bytes per message). */
  notes?(opts: { quick: boolean }): Promise<string[]>
}

export interface BenchResult {
  suite: string
  impl: string
  peer: boolean
  op: string
  size: number
  opsPerSec: number
  bytesPerSec: number
  /** Calls measured in all rounds together. */
  samples: number
  /** Relative spread of the rounds: median absolute deviation / median, in percent. */
  rme: number
}

export interface Ratio {
  suite: string
  op: string
  size: number
  impl: string
  peer: string
  ratio: number
}

export interface RunOptions {
  quick: boolean
  /** Called before each measurement, for a progress line. */
  progress?: (msg: string) => void
  /** Keep only the cases this accepts (e.g. the demo's short selection). */
  filter?: (c: BenchCase) => boolean
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Milliseconds: this process's user + system CPU time (all threads), or with MTWIRE_BENCH_WALL=1 the wall clock. */
export const clock: () => number = process.env.MTWIRE_BENCH_WALL
  ? () => performance.now()
  : () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }

/** Calls per timed loop, so that a loop of `fn` lasts about `ms` milliseconds. */
function callsFor(fn: () => unknown, ms: number): number {
  let n = 1
  for (;;) {
    const t0 = clock()
    for (let i = 0; i < n; i++) fn()
    const dt = clock() - t0
    if (dt >= ms / 4 || n >= 1 << 24) return Math.max(1, Math.round((n * ms) / Math.max(dt, 1e-3)))
    n *= 2
  }
}

const gc = (globalThis as { gc?: () => void }).gc

/**
 * The time of one loop of `n` calls of `fn`, in ms, taken by tinybench with the harness's
 * clock. A full collection first (the runner exposes `gc`), outside the timing: the loop then
 * pays for its own garbage, not for what the case before it left behind.
 */
function timedLoop(name: string, fn: () => unknown, n: number): number {
  gc?.()
  const bench = new Bench({ now: clock, iterations: 1, time: 0, warmup: false, throws: true })
  bench.add(name, () => {
    for (let k = 0; k < n; k++) fn()
  })
  bench.runSync()
  const res = bench.tasks[0].result
  if (!res || res.error || res.samples.length !== 1) throw res?.error ?? new Error(`no result for ${name}`)
  return res.samples[0]
}

export async function runSuite(suite: BenchSuite, opts: RunOptions): Promise<BenchResult[]> {
  const cases = (await suite.cases({ quick: opts.quick })).filter(opts.filter ?? (() => true))
  const groups = new Map<string, BenchCase[]>()
  for (const c of cases) {
    const key = `${c.op}\u0000${c.size}`
    groups.set(key, [...(groups.get(key) ?? []), c])
  }
  const rounds = opts.quick ? 3 : 7
  const loopMs = opts.quick ? 40 : 100
  const results: BenchResult[] = []
  let g = 0
  for (const group of groups.values()) {
    g++
    opts.progress?.(`[${suite.name}] ${g}/${groups.size} ${group[0].op} ${fmtSize(group[0].size)} warm-up`)
    const perCase = group.map((c) => {
      c.fn() // fail early, before any timing, if a case is broken
      return { c, n: callsFor(c.fn, loopMs), hz: [] as number[], calls: 0 }
    })
    // one loop each: JIT tiers, WASM tier-up, first-call costs and caches, for every case alike
    for (const pc of perCase) timedLoop(pc.c.impl, pc.c.fn, pc.n)
    for (let r = 0; r < rounds; r++) {
      opts.progress?.(`[${suite.name}] ${g}/${groups.size} ${group[0].op} ${fmtSize(group[0].size)} round ${r + 1}/${rounds}`)
      for (let i = 0; i < perCase.length; i++) {
        const pc = perCase[(i + r) % perCase.length]
        const ms = timedLoop(pc.c.impl, pc.c.fn, pc.n)
        pc.hz.push((pc.n * 1000) / ms)
        pc.calls += pc.n
      }
    }
    for (const pc of perCase) {
      const ops = median(pc.hz)
      const mad = median(pc.hz.map((h) => Math.abs(h - ops)))
      results.push({
        suite: suite.name,
        impl: pc.c.impl,
        peer: !!pc.c.peer,
        op: pc.c.op,
        size: pc.c.size,
        opsPerSec: ops,
        bytesPerSec: ops * pc.c.size,
        samples: pc.calls,
        rme: (100 * mad) / ops,
      })
    }
  }
  if (suite.extra) {
    opts.progress?.(`[${suite.name}] extra measurements`)
    for (const r of await suite.extra({ quick: opts.quick })) results.push({ ...r, suite: suite.name })
  }
  return results
}

export function ratios(results: BenchResult[]): Ratio[] {
  const out: Ratio[] = []
  for (const ours of results) {
    if (ours.peer) continue
    for (const p of results) {
      if (!p.peer || p.suite !== ours.suite || p.op !== ours.op || p.size !== ours.size) continue
      out.push({ suite: ours.suite, op: ours.op, size: ours.size, impl: ours.impl, peer: p.impl, ratio: ours.opsPerSec / p.opsPerSec })
    }
  }
  return out
}

export function fmtSize(n: number): string {
  if (n === 0) return '-'
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n >> 20} MiB`
  if (n >= 1024 && n % 1024 === 0) return `${n >> 10} KiB`
  return `${n} B`
}

const fmtNum = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(x < 10 ? 2 : 0)

/** A compact terminal table: one row per result, with ratios of ours to each peer. */
export function table(results: BenchResult[]): string {
  const rs = ratios(results)
  const rows = [['suite', 'op', 'size', 'impl', 'ops/s', 'MB/s', '±%', 'vs peers']]
  for (const r of results) {
    const vs = rs
      .filter((x) => x.impl === r.impl && x.op === r.op && x.size === r.size && x.suite === r.suite)
      .map((x) => `${x.ratio.toFixed(2)}x ${x.peer}`)
      .join(', ')
    rows.push([
      r.suite,
      r.op,
      fmtSize(r.size),
      (r.peer ? '  ' : '* ') + r.impl,
      fmtNum(r.opsPerSec),
      r.size ? (r.bytesPerSec / 1e6).toFixed(1) : '-',
      r.rme.toFixed(1),
      vs,
    ])
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)))
  return rows.map((row) => row.map((c, i) => (i >= 4 && i <= 6 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd()).join('\n')
}
