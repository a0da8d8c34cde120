/**
 * The guest side of bench/insns: runs inside the (emulated) Node under the counting plugin,
 * measures one implementation's cases, and marks where each counted stretch begins and ends.
 *
 *   node PROBE.mjs --impl core [--ops ige-encrypt,sha256] [--scale 0.5] [--warm-scale 4]
 *   node PROBE.mjs --list       # {"impls": [every id], "defaults": [...], "ours": [...]}
 *
 * A mark is process.umask(0x7a5e0000 + k): one cheap syscall that cannot fail, whose argument
 * the plugin sees and logs with the count so far (the kernel keeps only the low 9 bits; the
 * umask is restored at the end, and nothing creates files in between). Each loop marks its own
 * start and end (see makeLoop). Per case, after warm-up, four loops, each after a young-
 * generation collection (so a collection inside a loop is one its own calls caused):
 *   marks 0,1  W: N calls (the last warm-up round, counted)
 *   marks 2,3  Z: 0 calls
 *   marks 4,5  C: N calls
 *   marks 6,7  R: N calls
 * Instructions per call = (min(W, C, R) - Z) / N: the difference method, with the stretch
 * boundaries inside one process rather than at its start and exit, so one process serves
 * every case and start-up stays out of the counts. The three loops do the same work from the
 * same state; what differs between them is what happened once, a compile of some function
 * V8 found hot (a million instructions or so), hence the minimum, and the runner checks that
 * a second loop agrees with it (lib.mjs `resultsOf`).
 * The plan (which marks belong to which case) is printed as one line `INSNS-PLAN {json}`.
 */
import { CASES, DEFAULT_IMPLS, IMPLS, type Call, type ImplId } from './cases.js'

const MARK = 0x7a5e0000
const MARKS_PER_CASE = 8
const umask = process.umask(0o022)
process.umask(umask)
const mark = (k: number): void => {
  process.umask(MARK + k)
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}
if (process.argv.includes('--list')) {
  const ours = Object.keys(IMPLS).filter((i) => !IMPLS[i as ImplId].peer)
  console.log(JSON.stringify({ impls: Object.keys(IMPLS), defaults: DEFAULT_IMPLS, ours }))
  process.exit(0)
}
const implId = arg('--impl') as ImplId
const impl = IMPLS[implId]
if (!impl) {
  console.error(`probe: --impl must be one of ${Object.keys(IMPLS).join(', ')}`)
  process.exit(2)
}
const ops = arg('--ops')?.split(',')
const scale = Number(arg('--scale') ?? 1)
const warmScale = Number(arg('--warm-scale') ?? 1)
const gc = (globalThis as { gc?: (o?: object) => void }).gc
if (!gc) throw new Error('probe: run node with --expose-gc')

/**
 * Calls per counted loop and warm-up calls. A loop covers about 128 KiB of payload (at least 4
 * calls), fewer calls for implementations that cost more per call (`weight`).
 * The warm-up brings the JavaScript of a call to the state it keeps for the rest of a process.
 * V8 compiles a function again once it has run often enough (Node 26: Maglev after ~400 calls,
 * TurboFan after ~3000; Node 18 by a bytecode budget, which a small function like the case's
 * closure spends slowly): measured on arm64 Node 18, 256-byte calls still got 3-7% cheaper
 * between 3000 and 12000 warm-up calls, and not at all from 12000 to 48000. Larger calls share
 * that JavaScript with the 256-byte case before them and spend their time in loops that are
 * optimized within the first calls (on-stack replacement): 1024 calls at 4 KiB, 64 at 64 KiB
 * (the same measurement: within 0.6% of 16 times as many), times the implementation's
 * `warm` for paths with more JavaScript of their own per call (node:crypto's).
 */
function plan(size: number, calls?: number, warm?: number): { calls: number; warm: number } {
  const n = Math.max(3, Math.round(((calls ?? Math.max(4, Math.round(131072 / Math.max(size, 256)))) * scale) / (impl.weight ?? 1)))
  const w = warm ?? (size <= 1024 ? 12000 : Math.max(3 * n, Math.ceil(4194304 / size)) * (impl.warm ?? 1))
  return { calls: n, warm: Math.round(w * warmScale) }
}

const { name, ctx } = await impl.load()
interface Planned {
  op: string
  size: number
  calls: number
  warm: number
  async: boolean
  call: Call
}
const planned: Planned[] = []
const skipped: { op: string; size: number; reason: string }[] = []
for (const c of CASES) {
  if (ops && !ops.includes(c.op)) continue
  if (impl.only && !impl.only.includes(c.op)) continue
  if (c.pending) {
    if (!impl.peer && !skipped.some((s) => s.op === c.op)) skipped.push({ op: c.op, size: c.size, reason: c.pending })
    continue
  }
  const make = (c.run?.[implId] ?? (impl.peer ? undefined : c.run?.mtwire)) as ((x: unknown) => Call | Promise<Call>) | undefined
  if (!make) continue
  const call = await make(ctx)
  // one call now: it must work, and tells whether the loop has to await
  const r = call()
  const async = r instanceof Promise
  if (async) await r
  planned.push({ op: c.op, size: c.size, async, call, ...plan(c.size, c.calls, c.warm) })
}

// A fresh loop function per case (its own feedback, so one case's call target never makes
// another's call site polymorphic), which marks the start and end of its own loop: whatever V8
// does on entering the function (compiling it anew, say) happens before the first mark.
type Loop = (f: Call, n: number, mark: (k: number) => void, k: number) => unknown
const AsyncFunction = (async () => {}).constructor as FunctionConstructor
const makeLoop = (async: boolean): Loop =>
  async
    ? (new AsyncFunction('f', 'n', 'mark', 'k', 'mark(k); for (let i = 0; i < n; i++) await f(); mark(k + 1)') as Loop)
    : (new Function('f', 'n', 'mark', 'k', 'mark(k); for (let i = 0; i < n; i++) f(); mark(k + 1)') as Loop)
const IGNORED = -16 // marks -16 and -15: arguments outside the plugin's range, the same path, nothing logged

// the mark path itself warmed up past V8's thresholds, so it is not compiled inside a count
for (let i = 0; i < 4000; i++) mark(IGNORED)

// Everything counted runs without returning to the event loop (only microtasks, for the
// async peers): no timer or I/O callback can land inside a counted stretch.
const results = []
for (let i = 0; i < planned.length; i++) {
  const p = planned[i]
  const loop = makeLoop(p.async)
  const base = i * MARKS_PER_CASE
  for (let w = p.warm; w > 0; w -= p.calls) await loop(p.call, Math.min(w, p.calls), mark, IGNORED)
  for (const [k, n] of [[0, p.calls], [2, 0], [4, p.calls], [6, p.calls]]) {
    gc({ type: 'minor' })
    await loop(p.call, n, mark, base + k)
  }
  results.push({ op: p.op, size: p.size, calls: p.calls, warm: p.warm, base })
}
process.umask(umask)
const out = { impl: name, id: implId, peer: impl.peer, node: process.version, arch: process.arch, v8: process.versions.v8, results, skipped }
console.log(`INSNS-PLAN ${JSON.stringify(out)}`)
