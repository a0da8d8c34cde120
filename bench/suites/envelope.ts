/**
 * MTProto 2.0 message envelope, messages/s: encrypt (client→server, x = 0) and decrypt
 * (server→client, x = 8) of one message whose inner part (salt ‖ session_id ‖ msg_id ‖ seq_no ‖
 * length ‖ body) is `size` bytes, side by side with what a user would pick instead:
 * - @mtcute/core's AuthKey with its Node provider (@mtcute/node: node:crypto SHA, @mtcute/wasm IGE);
 * - the same AuthKey with an all-WASM provider (SHA-1/SHA-256 from @mtcute/wasm too, as
 *   mtcute's web provider does);
 * - GramJS's MTProtoState is async-only (its SHA-256 returns a Promise), so the synchronous
 *   harness cannot time it: `measureGramjs()` below measures it in an await loop, reported
 *   separately.
 * Ours write into caller-provided buffers (`encryptMessageInto` / `decryptMessageInto`), the
 * zero-allocation API; `measureAllocations()` shows what each still allocates per message.
 */
import { createRequire } from 'node:module'
import { getHeapStatistics } from 'node:v8'
import * as mtcuteWasm from '@mtcute/wasm'
import { NodeCryptoProvider } from '@mtcute/node/utils.js'
// AuthKey is internal to @mtcute/core (not in its exports map): load the file itself
import { AuthKey as MtcuteAuthKey } from '../../node_modules/@mtcute/core/network/auth-key.js'
import { createAuthKey, createCrypto } from '../../src/index.js'
import type { Crypto } from '../../src/crypto/types.js'
import { nodeProvider } from '../../src/node/provider.js'
import { clock, rnd, type BenchCase, type BenchSuite } from '../harness.js'
import { availableBackends } from '../backends.js'

const require = createRequire(import.meta.url)
export const SIZES = [256, 4096, 65536, 1 << 20]

const quiet = { verbose() {}, warn() {}, debug() {}, info() {}, error() {} }
// mtcute takes long.js Longs; plain { low, high } objects serve (no direct dependency on `long`)
const SALT = { low: 0x55667788, high: 0x11223344, unsigned: false } as never
const SESSION = { low: 0x05060708, high: 0x01020304, unsigned: false } as never


/** A valid inner message of `size` bytes (size ≥ 32, multiple of 4) with our session id. */
function innerOf(size: number): Uint8Array {
  const m = rnd(size)
  const dv = new DataView(m.buffer)
  dv.setUint32(8, 0x05060708, true) // SESSION
  dv.setUint32(12, 0x01020304, true)
  dv.setUint32(28, size - 32, true)
  return m
}

class MtcuteWasmProvider extends NodeCryptoProvider {
  override sha1(data: Uint8Array): Uint8Array {
    return mtcuteWasm.sha1(data)
  }
  override sha256(data: Uint8Array): Uint8Array {
    return mtcuteWasm.sha256(data)
  }
}

type MtKey = InstanceType<typeof MtcuteAuthKey>
async function mtcuteKey(provider: NodeCryptoProvider, key: Uint8Array): Promise<MtKey> {
  await provider.initialize()
  const k = new MtcuteAuthKey(provider as never, quiet as never, {} as never)
  k.setup(key)
  return k
}

/**
 * Every backend's core alone, plus the defaults as Node users get them (node:crypto for large
 * messages): with relaxed SIMD (Node >= 22, or 20 with --experimental-wasm-relaxed-simd, as this
 * benchmark runs) and with baseline SIMD (plain Node 18 and 20).
 */
async function ours(): Promise<Crypto[]> {
  const list = await availableBackends({ native: false })
  for (const simd of ['auto', 'baseline'] as const) {
    const c = await createCrypto({ native: nodeProvider, simd })
    list.push(Object.assign(Object.create(c) as Crypto, { backend: `${c.backend} +node:crypto` }))
  }
  return list
}

const suite: BenchSuite = {
  name: 'envelope',
  async cases({ quick }) {
    const keyBytes = rnd(256)
    const key = createAuthKey(keyBytes)
    const mtNode = await mtcuteKey(new NodeCryptoProvider(), keyBytes)
    const mtWasm = await mtcuteKey(new MtcuteWasmProvider(), keyBytes)
    const backends = await ours()
    const cases: BenchCase[] = []
    for (const size of SIZES) {
      const inner = innerOf(size)
      const out = new Uint8Array(size + 24 + 1024)
      const packet = backends[0].encryptMessage(key, inner, 8) // server→client, for every decryptor
      const back = new Uint8Array(packet.length)
      for (const c of backends) {
        const impl = `mtwire ${c.backend}`
        cases.push({ impl, op: 'encrypt-message', size, fn: () => c.encryptMessageInto(key, inner, 0, out) })
        cases.push({ impl, op: 'decrypt-message', size, fn: () => c.decryptMessageInto(key, packet, 8, back) })
      }
      const msg = inner.subarray(16) // mtcute adds salt and session_id itself
      const noop = (): void => {}
      // fail early if a peer would reject the packet (then it would skip part of its work)
      for (const k of [mtNode, mtWasm]) {
        let ok = false
        k.decryptMessage(packet, SESSION, () => (ok = true))
        if (!ok) throw new Error('mtcute rejected the benchmark packet')
      }
      if (backends[0].decryptMessage(key, mtNode.encryptMessage(msg, SALT, SESSION), 0).length !== size) throw new Error('mtcute packet mismatch')
      for (const [impl, k] of [['@mtcute/core AuthKey (node)', mtNode], ['@mtcute/core AuthKey (wasm)', mtWasm]] as const) {
        cases.push({ impl, peer: true, op: 'encrypt-message', size, fn: () => k.encryptMessage(msg, SALT, SESSION) })
        cases.push({ impl, peer: true, op: 'decrypt-message', size, fn: () => k.decryptMessage(packet, SESSION, noop) })
      }
    }
    cases.push(...failureCases(backends, key))
    return quick ? cases.filter((c) => c.size <= 65536 || !c.impl.startsWith('mtwire js')) : cases
  },
  async extra({ quick }) {
    const sizes = quick ? SIZES.filter((s) => s <= 4096) : SIZES
    return (await measureGramjs(sizes, quick ? 3 : 5)).map((r) => ({
      impl: 'telegram MTProtoState (async)',
      peer: true,
      op: r.op,
      size: r.size,
      opsPerSec: r.opsPerSec,
      bytesPerSec: r.opsPerSec * r.size,
      samples: 0,
      rme: 0,
    }))
  },
  async notes() {
    return [
      ...(await measureAllocations()).map((a) => `heap bytes per 256 B message, ${a.impl}, ${a.op}: ${a.bytesPerMessage}`),
      // measured separately (a process with one WASM flavour): 0-1 B for every mtwire backend
      'the ~48 B of the WASM backends appear only in a process that has loaded several WASM flavours (as this one has): ' +
        'core.ts calls into exports of more than one instance and V8 stops inlining those calls; with one flavour per process, 0-1 B',
    ]
  },
}
export default suite

/** Size of the failure-cost row: garbage must cost no more than a valid packet (target: failure ≤ 1.2x a success). */
export const FAILURE_SIZE = 1024

/**
 * The cost of a failed decryption next to a successful one, per backend, at 1 KiB: one op per
 * backend (`decrypt-failure <backend>`), the failing packet as ours and the valid one as the
 * "peer", so the ratio is successes' time / failures' time: ≥ 0.83 means a failure costs at
 * most 1.2x a success. The failing packet has one ciphertext bit flipped (msg_key mismatch),
 * the failure every random packet with the right auth_key_id meets; the error is caught.
 */
export function failureCases(backends: Crypto[], key: ReturnType<typeof createAuthKey>): BenchCase[] {
  const inner = innerOf(FAILURE_SIZE)
  const cases: BenchCase[] = []
  for (const c of backends) {
    const good = c.encryptMessage(key, inner, 8)
    const bad = good.slice()
    bad[good.length - 1] ^= 1
    const out = new Uint8Array(good.length)
    const op = `decrypt-failure ${c.backend}`
    const fail = (): unknown => {
      try {
        return c.decryptMessageInto(key, bad, 8, out)
      } catch (e) {
        return e
      }
    }
    if (!(fail() instanceof Error)) throw new Error('the failing packet decrypted')
    cases.push({ impl: `mtwire ${c.backend} failing packet`, op, size: FAILURE_SIZE, fn: fail })
    cases.push({ impl: `mtwire ${c.backend} valid packet`, peer: true, op, size: FAILURE_SIZE, fn: () => c.decryptMessageInto(key, good, 8, out) })
  }
  return cases
}

/**
 * GramJS MTProtoState, messages/s, timed in an await loop (median of `rounds` rounds of ≥ 50 ms,
 * on the harness's clock).
 * Its decryptMessageData parses the body as a TL object, so the packets carry a `pong`.
 */
export async function measureGramjs(sizes = SIZES, rounds = 5): Promise<{ op: string; size: number; opsPerSec: number }[]> {
  const { MTProtoState } = require('telegram/network/MTProtoState') as { MTProtoState: new (k: unknown, l: unknown) => any }
  const { AuthKey } = require('telegram/crypto/AuthKey') as { AuthKey: new () => { setKey(k: Buffer): Promise<void> } }
  const { readBigIntFromBuffer } = require('telegram/Helpers') as { readBigIntFromBuffer(b: Buffer, little: boolean, signed: boolean): unknown }
  const keyBytes = rnd(256)
  const ak = new AuthKey()
  await ak.setKey(Buffer.from(keyBytes))
  const state = new MTProtoState(ak, quiet)
  state.salt = readBigIntFromBuffer(Buffer.from('8877665544332211', 'hex'), true, true)
  state.securityChecks = false // else its duplicate-msg_id check rejects the repeated packet
  const c = await createCrypto()
  const key = createAuthKey(keyBytes)
  const res: { op: string; size: number; opsPerSec: number }[] = []
  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    for (let t0 = clock(); clock() - t0 < 1000; ) await fn() // JIT warm-up (GramJS needs ~1 s)
    const hz: number[] = []
    for (let r = 0; r < rounds; r++) {
      let n = 0
      const t0 = clock()
      while (clock() - t0 < 50 || n < 3) {
        await fn()
        n++
      }
      hz.push((n * 1000) / (clock() - t0))
    }
    return hz.sort((a, b) => a - b)[rounds >> 1]
  }
  for (const size of sizes) {
    const inner = innerOf(size)
    // pong#347773c5 msg_id ping_id, then filler the TL reader never reaches
    new DataView(inner.buffer).setUint32(32, 0x347773c5, true)
    const packet = Buffer.from(c.encryptMessage(key, inner, 8))
    const data = Buffer.from(inner.subarray(16))
    res.push({ op: 'encrypt-message', size, opsPerSec: await time(() => state.encryptMessageData(data)) })
    res.push({ op: 'decrypt-message', size, opsPerSec: await time(() => state.decryptMessageData(packet)) })
  }
  return res
}

/**
 * JS heap bytes allocated per message (V8 heap plus ArrayBuffer backing stores), measured as
 * the heap growth over `n` calls right after a full GC. A trial during which V8 collected
 * garbage (seen by a PerformanceObserver) is discarded and retried with fewer calls, so the
 * figures are not lowered by collections. Needs `--expose-gc`.
 */
export async function measureAllocations(size = 256, n = 1000, trials = 5): Promise<{ impl: string; op: string; bytesPerMessage: number }[]> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('run node with --expose-gc')
  const { PerformanceObserver } = await import('node:perf_hooks')
  const gcTimes: number[] = []
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcTimes.push(e.startTime)
  })
  obs.observe({ entryTypes: ['gc'] })
  const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 5))
  const keyBytes = rnd(256)
  const key = createAuthKey(keyBytes)
  const mt = await mtcuteKey(new NodeCryptoProvider(), keyBytes)
  const inner = innerOf(size)
  const out = new Uint8Array(size + 24 + 1024)
  const res: { impl: string; op: string; bytesPerMessage: number }[] = []
  const used = (): number => getHeapStatistics().used_heap_size + process.memoryUsage().arrayBuffers
  /** Heap growth over `calls` calls right after a full GC, or undefined if V8 collected meanwhile. */
  const trial = async (fn: () => unknown, calls: number): Promise<number | undefined> => {
    gc()
    await flush()
    const t0 = performance.now()
    const h0 = used()
    for (let i = 0; i < calls; i++) fn()
    const h1 = used()
    const t1 = performance.now()
    await flush()
    return gcTimes.some((t) => t >= t0 && t <= t1) ? undefined : h1 - h0
  }
  /**
   * Growth per call: the slope between trials of `calls` and 4 x `calls` calls, so that what a
   * loop costs once (V8 bookkeeping, feedback, the first call's buffers) cancels out; median of
   * the clean trials.
   */
  const grow = async (fn: () => unknown): Promise<number> => {
    for (let i = 0; i < 2000; i++) fn() // warm up (JIT, scratch buffers)
    const per: number[] = []
    let calls = n
    for (let attempt = 0; per.length < trials && attempt < trials * 6; attempt++) {
      const g1 = await trial(fn, calls)
      const g4 = g1 === undefined ? undefined : await trial(fn, 4 * calls)
      if (g1 === undefined || g4 === undefined) calls = Math.max(10, calls >> 1)
      else per.push((g4 - g1) / (3 * calls))
    }
    if (per.length === 0) throw new Error('every trial saw a garbage collection')
    return per.sort((a, b) => a - b)[per.length >> 1]
  }
  // what the measuring loop itself shows (V8 bookkeeping), subtracted from every figure
  let zero = 0
  const base = await grow(() => zero++)
  const measure = async (impl: string, op: string, fn: () => unknown): Promise<void> => {
    res.push({ impl, op, bytesPerMessage: Math.max(0, Math.round((await grow(fn)) - base)) })
  }
  for (const c of await ours()) {
    const packet = c.encryptMessage(key, inner, 8)
    const back = new Uint8Array(packet.length)
    await measure(`mtwire ${c.backend}`, 'encrypt-message (out)', () => c.encryptMessageInto(key, inner, 0, out))
    await measure(`mtwire ${c.backend}`, 'decrypt-message (out)', () => c.decryptMessageInto(key, packet, 8, back))
  }
  const packet = (await createCrypto()).encryptMessage(key, inner, 8)
  await measure('@mtcute/core AuthKey (node)', 'encrypt-message', () => mt.encryptMessage(inner.subarray(16), SALT, SESSION))
  await measure('@mtcute/core AuthKey (node)', 'decrypt-message', () => mt.decryptMessage(packet, SESSION, () => {}))
  obs.disconnect()
  return res
}
