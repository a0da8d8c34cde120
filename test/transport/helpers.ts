import { expect } from 'vitest'
import { createCryptoSync } from '../../src/crypto/index.js'
import type { Crypto } from '../../src/crypto/index.js'

/** A seeded xorshift128+ style PRNG so every random test is reproducible from its seed. */
export function prng(seed: number): { next(): number; int(n: number): number; bytes(n: number): Uint8Array } {
  let a = seed >>> 0 || 1
  let b = (seed * 2654435761) >>> 0 || 2
  const next = (): number => {
    let t = a ^ (a << 11)
    a = b
    b = b ^ (b >>> 19) ^ (t ^ (t >>> 8))
    t = b >>> 0
    return t / 4294967296
  }
  return {
    next,
    int: (n) => Math.floor(next() * n),
    bytes(n) {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256)
      return out
    },
  }
}

/** A Crypto whose randomness comes from a seeded PRNG (for reproducible tests). */
export function seededCrypto(seed: number): Crypto {
  const r = prng(seed)
  return createCryptoSync({ random: (buf) => buf.set(r.bytes(buf.length)) })
}

/** Splits `data` into random chunks (1-byte chunks included). */
export function chunks(data: Uint8Array, r: ReturnType<typeof prng>, maxChunk = 97): Uint8Array[] {
  const out: Uint8Array[] = []
  let i = 0
  while (i < data.length) {
    const n = r.next() < 0.3 ? 1 : 1 + r.int(maxChunk)
    out.push(data.subarray(i, i + n))
    i += n
  }
  return out
}

export function concatAll(parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
/** mtg's snapshots use unpadded base64 (std or url alphabet). */
export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64'))

type AnyEvent = { type: string }
type Loose = { type: string; [k: string]: unknown }
/** What a layer wrote during one `receive`, as a pseudo-event (see `feed`). */
export type Written = { type: 'write'; data: Uint8Array }

/** A layer as tests drive it: bytes in, bytes out. */
export interface ByteLayer<E> {
  receive(chunk: Uint8Array, now?: number): E[]
  takeOutgoing(): Uint8Array[]
}

/** What `layer` has to write now, as one byte string (empty when nothing). */
export function out(layer: { takeOutgoing(): Uint8Array[] }): Uint8Array {
  return concatAll(layer.takeOutgoing())
}

/** `layer.send(item)`, then what it has to write. */
export function sent<T>(layer: { send(item: T): void; takeOutgoing(): Uint8Array[] }, item: T): Uint8Array {
  layer.send(item)
  return out(layer)
}

/** `transport.start(now)`, then what it has to write (a tag, a header, a ClientHello, an upgrade request). */
export function started(t: { start(now?: number): void; takeOutgoing(): Uint8Array[] }, now?: number): Uint8Array {
  t.start(now)
  return out(t)
}

/**
 * A feed for `feedAll` / `decodeEveryWay`: the layer's events for a chunk, then what it has to
 * write afterwards (if anything) as one `write` pseudo-event.
 */
export function feed<E extends AnyEvent>(layer: ByteLayer<E>, now?: number): (chunk: Uint8Array) => (E | Written)[] {
  return (chunk) => {
    const ev: (E | Written)[] = layer.receive(chunk, now)
    const w = layer.takeOutgoing()
    if (w.length) ev.push({ type: 'write', data: concatAll(w) })
    return ev
  }
}

/**
 * The events as compared across chunkings: an error by its code (and status), a fallback
 * merged with the forwards after it (where the decision falls depends on when enough bytes
 * arrived; what reaches the fallback host must not), and every byte written as one `write` at
 * the end (when a write happens depends on the chunking; what is written must not).
 */
export function normalizeEvents(events: readonly AnyEvent[]): unknown[] {
  const out: Loose[] = []
  const written: Uint8Array[] = []
  for (const e of events as readonly Loose[]) {
    const last = out.at(-1)
    if (e.type === 'write') {
      written.push(e.data as Uint8Array)
      continue
    }
    if (e.type === 'forward' && last?.type === 'fallback') {
      last.data = concatAll([last.data as Uint8Array, e.data as Uint8Array])
      continue
    }
    if (e.type === 'error') {
      const err = e.error as { code: string; status?: number }
      out.push({ type: 'error', code: err.code, ...(err.status !== undefined ? { status: err.status } : {}) })
      continue
    }
    out.push({ ...e })
  }
  if (written.length) out.push({ type: 'write', data: concatAll(written) })
  return out
}

/** Feeds chunks to `feed` until it emits an error or a close (after which it throws by design). */
export function feedAll<E extends AnyEvent>(feed: (chunk: Uint8Array) => E[], parts: readonly Uint8Array[]): E[] {
  const out: E[] = []
  for (const p of parts) {
    const ev = feed(p)
    out.push(...ev)
    if (ev.some((e) => e.type === 'error' || e.type === 'close')) break
  }
  return out
}

/** Events as text, bytes as hex: equal texts, equal events. */
export const eventsKey = (v: unknown): string =>
  JSON.stringify(v, (_, x) => (x instanceof Uint8Array ? Buffer.from(x).toString('hex') : typeof x === 'bigint' ? String(x) : x))

/**
 * Every transport test stream runs whole, byte by byte and in `randomRuns` random chunkings,
 * each into a fresh decoder from `make` (which must rebuild the same state: seeded crypto, fixed
 * clock): the events must be the same every time (`normalizeEvents`), and no error may be an
 * internal one (a bug caught at the decode boundary). Returns the events of the whole-stream run.
 */
export function decodeEveryWay<E extends AnyEvent>(make: () => (chunk: Uint8Array) => E[], wire: Uint8Array, seed = 1, randomRuns = 3): E[] {
  const whole = feedAll(make(), [wire])
  const want = normalizeEvents(whole)
  for (const e of whole as unknown as Loose[]) if (e.type === 'error') expect((e.error as { code: string }).code).not.toBe('E_INTERNAL')
  const same = (got: unknown[], how: string): void => {
    // compared as text first (bytes as hex): vitest's deep equality walks typed arrays slowly
    if (eventsKey(got) !== eventsKey(want)) expect(got, how).toEqual(want)
  }
  same(normalizeEvents(feedAll(make(), Array.from({ length: wire.length }, (_, i) => wire.subarray(i, i + 1)))), 'byte by byte')
  const r = prng(seed)
  for (let k = 0; k < randomRuns; k++) same(normalizeEvents(feedAll(make(), chunks(wire, r, k % 2 ? 7 : 700))), `random chunking ${k}`)
  return whole
}

/** A random packet shaped as MTProto sends them: encrypted (24 + 16k bytes, auth_key_id ≠ 0) or, with `plain`, unencrypted (auth_key_id 0 ‖ msg_id ‖ length ‖ data). */
export function mtprotoPacket(r: ReturnType<typeof prng>, blocks: number, plain = false): Uint8Array {
  if (plain) {
    const data = r.bytes(4 * blocks)
    const p = new Uint8Array(20 + data.length)
    p.set(r.bytes(8), 8)
    new DataView(p.buffer).setUint32(16, data.length, true)
    p.set(data, 20)
    return p
  }
  const p = r.bytes(24 + 16 * blocks)
  p[0] |= 1 // auth_key_id ≠ 0
  return p
}
