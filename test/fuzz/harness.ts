/**
 * The fuzz harness every target shares: seeded cases (a failure names its target and seed),
 * a fixed count per target in `npm test`, and a longer run behind an environment variable:
 *
 *   MTWIRE_FUZZ=60 npx vitest run test/fuzz        # 60 s per target, seeds from the clock
 *   MTWIRE_FUZZ=60 MTWIRE_FUZZ_SEED=123 ...         # the same, from seed 123 (reproduces a run)
 *
 * Each target checks, per case, the properties of DESIGN.md: only typed errors (peer input:
 * only events, never a throw; no `E_INTERNAL`); the same events whatever the chunking; and, per
 * batch of cases, that the memory the decoders still hold is bounded by what they received,
 * not by what it claimed (lengths, counts, fragments).
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { afterAll, expect, it } from 'vitest'
import { chunks, concatAll, eventsKey, normalizeEvents, prng } from '../transport/helpers.js'

export { chunks, concatAll, prng }
export type Rng = ReturnType<typeof prng>

const SECONDS = Number(process.env.MTWIRE_FUZZ ?? 0)
const BASE = process.env.MTWIRE_FUZZ_SEED !== undefined ? Number(process.env.MTWIRE_FUZZ_SEED) : SECONDS ? Date.now() % 1e9 : 1
/** Cases run per target in this process (printed at the end of each file). */
export const counts: Record<string, number> = {}

/**
 * A fuzz target: `run(r, seed)` for `cases` seeds (or, with MTWIRE_FUZZ=s, for s seconds). Every
 * `batch` cases, `hold` (if given) is asked how many bytes its retained decoders may hold at
 * most, and the heap growth over the batch is checked against it.
 */
export function fuzz(name: string, cases: number, run: (r: Rng, seed: number) => void): void {
  it(`${name}: ${SECONDS ? `${SECONDS} s` : `${cases} cases`} (seeds from ${BASE})`, async () => {
    const deadline = SECONDS ? Date.now() + SECONDS * 1000 : 0
    let n = 0
    let yielded = Date.now()
    for (let seed = BASE; SECONDS ? Date.now() < deadline : n < cases; seed++, n++) {
      // a long run lets the test runner's worker answer its RPC now and then
      if (Date.now() - yielded > 500) {
        await new Promise((r) => setImmediate(r))
        yielded = Date.now()
      }
      try {
        run(prng(seed), seed)
      } catch (e) {
        throw new Error(`fuzz target '${name}' failed at seed ${seed} (MTWIRE_FUZZ_SEED=${seed} reproduces it): ${e instanceof Error ? e.stack : String(e)}`)
      }
    }
    counts[name] = n
  }, SECONDS ? SECONDS * 1000 + 120_000 : 60_000)
}

/** A full garbage collection (the flag set at run time; `gc` from a fresh context). */
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

function held(): number {
  gc()
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

/**
 * Memory as a correctness property: builds `n` decoders with `make(r, i)`, each fed its input
 * and kept alive (as a server keeps its connections), and checks that together they hold at most
 * `perDecoder` bytes each plus `perInputByte` times what they were fed, plus 4 MiB of slack.
 * `make` returns the number of input bytes it fed.
 */
export function memoryBound(name: string, n: number, perDecoder: number, perInputByte: number, make: (r: Rng, i: number, keep: unknown[]) => number): void {
  it(`${name}: ${n} decoders hold memory in proportion to what they received, not to what it claimed`, () => {
    const r = prng(BASE + 7)
    const keep: unknown[] = []
    const before = held()
    let input = 0
    for (let i = 0; i < n; i++) input += make(r, i, keep)
    const growth = held() - before
    const bound = n * perDecoder + perInputByte * input + (4 << 20)
    expect(growth, `${name}: ${n} decoders fed ${input} bytes hold ${growth} bytes (bound ${bound})`).toBeLessThan(bound)
    expect(keep.length).toBeGreaterThan(0)
  }, 60_000)
}

type Ev = { type: string }

/**
 * Feeds `parts` to `feed` until it reports an error or a close (after which it throws by
 * design); any throw is a failure (peer input must come out as events), and so is an internal
 * error (a bug caught at the decode boundary).
 */
export function events<E extends Ev>(feed: (chunk: Uint8Array) => E[], parts: readonly Uint8Array[]): E[] {
  const out: E[] = []
  for (const p of parts) {
    const ev = feed(p)
    out.push(...ev)
    for (const e of ev as unknown as { type: string; error?: { code: string; constructor: { name: string } } }[]) {
      if (e.type === 'error') {
        expect(e.error!.constructor.name).toMatch(/^Transport(Status)?Error$/)
        expect(e.error!.code).not.toBe('E_INTERNAL')
      }
    }
    if (ev.some((e) => e.type === 'error' || e.type === 'close')) break
  }
  return out
}

/**
 * The same input, whole and in a random chunking (byte by byte when short), into two fresh
 * decoders: the same events (errors by code, a fallback with the forwards after it merged).
 */
export function sameEveryWay<E extends Ev>(make: () => (chunk: Uint8Array) => E[], input: Uint8Array, r: Rng): E[] {
  const whole = events(make(), [input])
  const parts = input.length <= 300 && r.next() < 0.5 ? Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1)) : chunks(input, r, r.next() < 0.5 ? 16 : 500)
  const a = normalizeEvents(events(make(), parts))
  const b = normalizeEvents(whole)
  // compared as text first (bytes as hex): vitest's deep equality walks typed arrays slowly
  if (eventsKey(a) !== eventsKey(b)) expect(a).toEqual(b)
  return whole
}

/** Byte-stream mutations: bit flips, truncation, random bytes spliced in, a big number written over 4 bytes, a slice repeated. */
export function mutate(r: Rng, input: Uint8Array): Uint8Array {
  let b: Uint8Array = input.slice()
  for (let k = 0, n = 1 + r.int(3); k < n; k++) {
    switch (r.int(6)) {
      case 0:
        if (b.length) b[r.int(b.length)] ^= 1 << r.int(8)
        break
      case 1:
        b = b.slice(0, r.int(b.length + 1))
        break
      case 2: {
        const at = r.int(b.length + 1)
        b = concatAll([b.subarray(0, at), r.bytes(1 + r.int(16)), b.subarray(at)])
        break
      }
      case 3:
        if (b.length >= 4) new DataView(b.buffer, b.byteOffset).setUint32(r.int(b.length - 3), [0xffffffff, 0x7fffffff, 0x00fffffe, 0x01000000, 0x80000000 | r.int(1 << 30)][r.int(5)], true)
        break
      case 4: {
        const at = r.int(b.length + 1)
        const len = r.int(Math.min(64, b.length - at) + 1)
        b = concatAll([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)])
        break
      }
      default:
        if (b.length) b[r.int(b.length)] = r.int(256)
    }
  }
  return b
}

/** Prints this file's case counts when it is done (the report quotes them). */
export function reportCounts(file: string): void {
  afterAll(() => {
    console.log(`fuzz ${file}: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  })
}
