/**
 * The MTProto message envelope as the `Crypto` object exposes it: argument checks, options,
 * padding and its randomness, the uniform decryption error, batches. The per-message work runs
 * on the path src/crypto/route.ts picks: the core's fused `encryptMessage` / `decryptMessage`
 * (one WASM call), the same with msg_key's hash by the native provider, or the envelope
 * composed from primitives (js/mtproto.ts). Every path sees the same validated job and the same
 * padding bytes, so every backend and path gives byte-identical packets for the same injected
 * randomness.
 *
 * Spec: core.telegram.org/mtproto/description (2.0), /mtproto/description_v1 (1.0),
 * /mtproto/security_guidelines (checks), /api/end-to-end (secret-chat layout).
 *
 * Decisions where the spec leaves room:
 * - `inner` must be 4-byte aligned and its length field must equal its body length; a
 *   mismatch is a bug in the caller, reported as `CryptoError` `E_INNER_LAYOUT` rather than
 *   sent as a packet the peer will drop.
 * - Decryption checks, in the order the guidelines give them, all evaluated every time:
 *   auth_key_id (key fingerprint for e2e) equals the key's; the packet is 24 + 16k bytes with
 *   room for the header and minimum padding; msg_key matches (constant-time); the length field
 *   is ≤ the plaintext after the header and divisible by 4; the padding is 12..1024 bytes
 *   (0..15 for 1.0). Any failure → `SecurityError('E_DECRYPT', 'message decryption failed')`.
 *   Session-level checks (session_id, msg_id window, salt) belong to the session layer.
 * - MTProto 1.0 msg_key = SHA-1(inner)[4..20], inner being the plaintext without padding
 *   (description_v1: "the 128 lower-order bits of the SHA1 of the message body"); its hashed
 *   length therefore comes from the length field, so unlike 2.0 its timing depends on that
 *   field before authentication. That is inherent to 1.0, which Telegram deprecated; use it
 *   only where the protocol demands it (auth.bindTempAuthKey, secret-chat layers < 73).
 */
import { CryptoError, SecurityError } from '../errors.js'
import { checkBytes } from './args.js'
import { type AuthKey, authKeyState, createAuthKey, NO_KEY } from './authkey.js'
import {
  ENV_E2E, ENV_FAIL_ALIGN, ENV_FAIL_KEY_ID, ENV_FAIL_LENGTH, ENV_FAIL_MSG_KEY, ENV_FAIL_PADDING, ENV_FAIL_SHAPE, ENV_TOKEN, ENV_V1,
} from './flags.generated.js'
import { ComposedEnvelope, envMaxInner } from './js/mtproto.js'
import { composedPrimitives, Router } from './route.js'
import type { Crypto, CryptoCore, DecryptItem, DecryptJob, EncryptItem, EncryptJob, EnvelopeOptions, Sha256 } from './types.js'

/** The one error every decryption failure raises. */
export const DECRYPT_ERROR_CODE = 'E_DECRYPT'
const DECRYPT_ERROR_MESSAGE = 'message decryption failed'

const ErrorCtor = Error as { stackTraceLimit?: unknown }

/**
 * The uniform decryption error, made without a stack trace: capturing one costs more than
 * decrypting a 1 KiB message (a failure cost 1.5-4x a success), and garbage from the network
 * must cost no more than a valid packet. Every failure gets a fresh, identical error; its
 * stack is only the name and message (V8's `Error.stackTraceLimit`; other engines keep
 * theirs). The one way the library makes this error (the session and secret-chat layers too).
 */
export function decryptError(): SecurityError {
  const limit = ErrorCtor.stackTraceLimit
  if (typeof limit !== 'number') return new SecurityError(DECRYPT_ERROR_CODE, DECRYPT_ERROR_MESSAGE)
  ErrorCtor.stackTraceLimit = 0
  const e = new SecurityError(DECRYPT_ERROR_CODE, DECRYPT_ERROR_MESSAGE) // cannot throw
  ErrorCtor.stackTraceLimit = limit
  return e
}

const FAIL_NAMES: readonly [number, string][] = [
  [ENV_FAIL_KEY_ID, 'auth_key_id'],
  [ENV_FAIL_SHAPE, 'shape'],
  [ENV_FAIL_MSG_KEY, 'msg_key'],
  [ENV_FAIL_LENGTH, 'length'],
  [ENV_FAIL_ALIGN, 'alignment'],
  [ENV_FAIL_PADDING, 'padding'],
]

/** Calls the debug hook (if any) with the names of the failed checks in `r` (< 0); never throws. */
function report(onFailure: ((failed: readonly string[]) => void) | undefined, r: number): void {
  if (onFailure === undefined) return
  const names: string[] = []
  for (const [bit, name] of FAIL_NAMES) if (-r & bit) names.push(name)
  try {
    onFailure(names)
  } catch {
    // a failing debug hook must not replace the uniform error
  }
}

/** Size buckets for `padding: 'buckets'`: the plaintext length rounded up (see EnvelopeOptions). */
export function bucketSize(minPlain: number): number {
  if (minPlain <= 64) return 64
  if (minPlain <= 1024) return 1 << (32 - Math.clz32(minPlain - 1))
  return Math.ceil(minPlain / 512) * 512
}

/** Padding bytes for an inner message of `len` bytes. */
export function paddingLength(len: number, flags: number, buckets: boolean): number {
  if (flags & ENV_V1) return (16 - (len & 15)) & 15
  const min = 12 + ((16 - ((len + 12) & 15)) & 15)
  return buckets ? bucketSize(len + 12) - len : min
}

/** EnvelopeOptions, checked. */
interface Parsed {
  flags: number
  buckets: boolean
  onFailure: ((failed: readonly string[]) => void) | undefined
  quickAck: { token: number } | undefined
}
const DEFAULTS: Parsed = { flags: 0, buckets: false, onFailure: undefined, quickAck: undefined }

/** Checks `o`, written into `p` (one object per Envelope: parsing allocates nothing). */
function parseOptions(o: EnvelopeOptions | undefined, p: Parsed): Parsed {
  if (o === undefined) return DEFAULTS
  if (typeof o !== 'object' || o === null) throw new CryptoError('E_OPTION', 'options must be an object')
  let flags = 0
  if (o.version === 1) flags |= ENV_V1
  else if (o.version !== undefined && o.version !== 2) throw new CryptoError('E_OPTION', `options.version must be 1 or 2; got ${String(o.version)}`)
  if (o.layout === 'e2e') flags |= ENV_E2E
  else if (o.layout !== undefined && o.layout !== 'cloud') throw new CryptoError('E_OPTION', `options.layout must be 'cloud' or 'e2e'; got ${String(o.layout)}`)
  const buckets = o.padding === 'buckets'
  if (!buckets && o.padding !== undefined && o.padding !== 'random') {
    throw new CryptoError('E_OPTION', `options.padding must be 'random' or 'buckets'; got ${String(o.padding)}`)
  }
  if (buckets && flags & ENV_V1) throw new CryptoError('E_OPTION', "padding: 'buckets' needs MTProto 2.0 (1.0 pads 0..15 bytes)")
  if (o.onFailure !== undefined && typeof o.onFailure !== 'function') throw new CryptoError('E_OPTION', 'options.onFailure must be a function')
  const q = o.quickAck
  if (q !== undefined) {
    if (typeof q !== 'object' || q === null) throw new CryptoError('E_OPTION', 'options.quickAck must be an object ({ token })')
    if (flags & ENV_V1) throw new CryptoError('E_OPTION', 'quickAck needs MTProto 2.0 (1.0 has no msg_key_large)')
    flags |= ENV_TOKEN
  }
  p.flags = flags
  p.buckets = buckets
  p.onFailure = o.onFailure
  p.quickAck = q
  return p
}

function checkX(x: unknown): asserts x is 0 | 8 {
  if (x !== 0 && x !== 8) throw new CryptoError('E_DIRECTION', `x must be 0 (client→server) or 8 (server→client); got ${String(x)}`)
}

/** Checks that `inner` is a well-formed message for the layout: aligned, length field = body length. */
function checkInner(inner: Uint8Array, flags: number): void {
  const hdr = flags & ENV_E2E ? 4 : 32
  const n = inner.length
  if (n < hdr || n % 4 !== 0) {
    throw new CryptoError('E_INNER_LAYOUT', `inner must be at least ${hdr} bytes and a multiple of 4; got ${n}`)
  }
  const o = hdr - 4
  const len = (inner[o] | (inner[o + 1] << 8) | (inner[o + 2] << 16) | (inner[o + 3] << 24)) >>> 0
  if (len !== n - hdr) {
    throw new CryptoError('E_INNER_LAYOUT', `inner's length field says ${len} but ${n - hdr} body bytes follow the header`)
  }
}

/**
 * Whether two arrays share bytes. The offsets first, `.buffer` last and only when they could:
 * V8 11 (Node 20) compiles `.buffer` to a generic property load (an IC call and the engine's
 * C++ getter), twice per message otherwise.
 */
function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return a.length > 0
  return a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length && a.buffer === b.buffer
}

/** The quick-ACK token of a message whose msg_key_large starts with `head` (its MSB set). */
const token = (head: number): number => (head | 0x80000000) >>> 0

/** Size of the padding randomness pool; refilled from the RNG when the next padding does not fit. */
const POOL = 4096

/**
 * Random bytes for padding, drawn from the RNG in blocks of 4096 and used in order, each once
 * (zeroed after use); a padding that does not fit the rest of a block starts a fresh block.
 */
class PaddingPool {
  readonly bytes = new Uint8Array(POOL)
  private pos = POOL

  constructor(private readonly fill: (buf: Uint8Array) => void) {}

  /** Whether `len` more bytes fit the current block. */
  fits(len: number): boolean {
    return this.pos + len <= POOL
  }

  /** The offset in `bytes` of the next `len` random bytes. */
  take(len: number): number {
    if (!this.fits(len)) {
      this.fill(this.bytes)
      this.pos = 0
    }
    const at = this.pos
    this.pos += len
    return at
  }

  /** Zeroes bytes that were used. */
  burn(at: number, len: number): void {
    this.bytes.fill(0, at, at + len)
  }
}

const EMPTY = new Uint8Array(0)
/** How many messages a core's batch call takes. */
const BATCH = 4

/**
 * The envelope methods of one Crypto object over `core`, padding from `fill` (the injected RNG
 * or the platform CSPRNG), each message on the path `router` picks (src/crypto/route.ts).
 * Its jobs, option record and buffers are reused from call to call (single-threaded use).
 */
export class Envelope {
  private readonly router: Router
  private readonly composed: ComposedEnvelope
  /** The native provider's SHA-256, for the hashed path. */
  private readonly hostSha256: Sha256 | undefined
  private readonly pool: PaddingPool
  private readonly parsed: Parsed = { flags: 0, buckets: false, onFailure: undefined, quickAck: undefined }
  /** Decryption target when the caller gives no `out` (grown as needed, shrunk after a large message). */
  private tmp = new Uint8Array(2048)
  private readonly enc: EncryptJob
  private readonly dec: DecryptJob
  /** The quick-ACK out-parameter of the encryption in progress (from its options). */
  private quickAck: { token: number } | undefined
  // batches: the jobs of one group, the items they came from, their debug hooks and results
  private readonly encJobs: EncryptJob[] = []
  private readonly decJobs: DecryptJob[] = []
  private readonly decItems = [0, 0, 0, 0]
  private readonly decHooks: (((failed: readonly string[]) => void) | undefined)[] = [undefined, undefined, undefined, undefined]
  private readonly decResults = new Int32Array(BATCH)

  constructor(private readonly core: CryptoCore, fill: (buf: Uint8Array) => void, router: Router) {
    const native = router.native
    this.router = router
    this.composed = new ComposedEnvelope(composedPrimitives(core, native, router.from))
    this.hostSha256 = native ? native.sha256.bind(native) : undefined
    this.pool = new PaddingPool(fill)
    const encJob = (): EncryptJob => ({ key: NO_KEY, inner: EMPTY, pad: this.pool.bytes, padOff: 0, padLen: 0, x: 0, flags: 0, out: EMPTY, msgKeyHead: 0 })
    const decJob = (): DecryptJob => ({ key: NO_KEY, packet: EMPTY, x: 0, flags: 0, out: EMPTY, msgKeyHead: 0 })
    this.enc = encJob()
    this.dec = decJob()
    for (let i = 0; i < BATCH; i++) {
      this.encJobs.push(encJob())
      this.decJobs.push(decJob())
    }
  }

  encryptMessage(authKey: AuthKey, inner: Uint8Array, x: 0 | 8, out?: Uint8Array, options?: EnvelopeOptions): Uint8Array {
    const total = this.prepareEncrypt(authKey, inner, x, options)
    const o = out === undefined ? new Uint8Array(total) : this.checkEncryptOut(out, total, inner)
    this.runEncrypt(o)
    return o.length === total ? o : o.subarray(0, total)
  }

  encryptMessageInto(authKey: AuthKey, inner: Uint8Array, x: 0 | 8, out: Uint8Array, options?: EnvelopeOptions): number {
    if (out === undefined) throw new CryptoError('E_TYPE', 'out must be a Uint8Array')
    const total = this.prepareEncrypt(authKey, inner, x, options)
    this.runEncrypt(this.checkEncryptOut(out, total, inner))
    return total
  }

  decryptMessage(authKey: AuthKey, packet: Uint8Array, x: 0 | 8, out?: Uint8Array, options?: EnvelopeOptions): Uint8Array {
    if (out === undefined) return this.decryptCopy(authKey, packet, x, options)
    const n = this.decryptInto(authKey, packet, x, out, options)
    return out.length === n ? out : out.subarray(0, n)
  }

  decryptMessageInto(authKey: AuthKey, packet: Uint8Array, x: 0 | 8, out: Uint8Array, options?: EnvelopeOptions): number {
    if (out === undefined) throw new CryptoError('E_TYPE', 'out must be a Uint8Array')
    return this.decryptInto(authKey, packet, x, out, options)
  }

  encryptMessages(items: readonly EncryptItem[]): Uint8Array[] {
    this.checkItems(items, 'inner')
    if (this.core.encryptBatch) return this.encryptBatched(items)
    const res: Uint8Array[] = []
    for (const it of items) res.push(this.encryptMessage(it.authKey, it.inner, it.x, undefined, it.options))
    return res
  }

  decryptMessages(items: readonly DecryptItem[]): (Uint8Array | SecurityError)[] {
    this.checkItems(items, 'packet')
    if (this.core.decryptBatch) return this.decryptBatched(items)
    const res: (Uint8Array | SecurityError)[] = []
    for (const it of items) res.push(this.decryptOrError(it))
    return res
  }

  /**
   * Checks every item of a batch before any work: argument errors are the caller's bugs,
   * reported as such, never per item. `data` names the bytes field (`inner` or `packet`).
   */
  private checkItems(items: readonly (EncryptItem | DecryptItem)[], data: 'inner' | 'packet'): void {
    if (!Array.isArray(items)) throw new CryptoError('E_TYPE', 'items must be an array')
    for (let i = 0; i < items.length; i++) {
      const it = items[i]
      if (typeof it !== 'object' || it === null) throw new CryptoError('E_TYPE', `items[${i}] must be an object, got ${it === null ? 'null' : typeof it}`)
      authKeyState(it.authKey)
      const bytes = (it as unknown as Record<string, unknown>)[data]
      checkBytes(bytes, data)
      checkX(it.x)
      const { flags } = parseOptions(it.options, this.parsed)
      if (data === 'inner') checkInner(bytes, flags)
    }
  }

  // ---- one message -------------------------------------------------------------------------

  /** Checks the arguments, fills the encryption job but for padding and `out`; returns the packet length. */
  private prepareEncrypt(authKey: AuthKey, inner: Uint8Array, x: 0 | 8, options: EnvelopeOptions | undefined): number {
    const key = authKeyState(authKey)
    checkBytes(inner, 'inner')
    checkX(x)
    const { flags, buckets, quickAck } = parseOptions(options, this.parsed)
    checkInner(inner, flags)
    const j = this.enc
    j.key = key
    j.inner = inner
    j.padLen = paddingLength(inner.length, flags, buckets)
    j.x = x
    j.flags = flags
    this.quickAck = quickAck
    return 24 + inner.length + j.padLen
  }

  private checkEncryptOut(out: Uint8Array, total: number, inner: Uint8Array): Uint8Array {
    checkBytes(out, 'out')
    if (out.length < total) throw new CryptoError('E_OUT_LENGTH', `out must hold ${total} bytes, has ${out.length}`)
    if (overlaps(out, inner)) throw new CryptoError('E_OVERLAP', 'out must not overlap inner')
    return out
  }

  /** Encrypts the prepared job into `out` with fresh padding. */
  private runEncrypt(out: Uint8Array): void {
    const j = this.enc
    j.out = out
    j.padOff = this.pool.take(j.padLen)
    try {
      this.encrypt(j)
      if (this.quickAck !== undefined) this.quickAck.token = token(j.msgKeyHead)
    } finally {
      this.pool.burn(j.padOff, j.padLen) // used once, never again
      j.key = NO_KEY
      j.inner = EMPTY
      j.out = EMPTY
    }
  }

  /** One message on the path the router picks. */
  private encrypt(j: EncryptJob): void {
    const path = this.router.encrypt(j.inner.length + j.padLen, j.flags)
    if (path === 'fused') this.core.encryptMessage!(j)
    else if (path === 'hashed') this.core.encryptMessage!(j, this.hostSha256)
    else this.composed.encryptMessage(j)
  }

  private decrypt(j: DecryptJob): number {
    const path = this.router.decrypt(j.packet.length - 24, j.flags)
    if (path === 'fused') return this.core.decryptMessage!(j)
    if (path === 'hashed') return this.core.decryptMessage!(j, this.hostSha256)
    return this.composed.decryptMessage(j)
  }

  /** Decrypts into `out` (or `this.tmp`); returns the inner length, or throws the uniform SecurityError. */
  private decryptInto(authKey: AuthKey, packet: Uint8Array, x: 0 | 8, out: Uint8Array | undefined, options: EnvelopeOptions | undefined): number {
    const key = authKeyState(authKey)
    checkBytes(packet, 'packet')
    checkX(x)
    const { flags, onFailure, quickAck } = parseOptions(options, this.parsed)
    const need = envMaxInner(packet.length, flags)
    let o: Uint8Array
    if (out === undefined) {
      if (need > this.tmp.length) this.tmp = new Uint8Array(Math.max(need, this.tmp.length * 2))
      o = this.tmp
    } else {
      checkBytes(out, 'out')
      if (out.length < need) throw new CryptoError('E_OUT_LENGTH', `out must hold ${need} bytes for this packet, has ${out.length}`)
      if (overlaps(out, packet) && out.byteOffset > packet.byteOffset + 24) {
        throw new CryptoError('E_OVERLAP', "out may be the packet itself or start at or before the packet's byte 24, or be separate")
      }
      o = out
    }
    const j = this.dec
    j.key = key
    j.packet = packet
    j.x = x
    j.flags = flags
    j.out = o
    let r: number
    try {
      r = this.decrypt(j)
    } finally {
      j.key = NO_KEY
      j.packet = EMPTY
      j.out = EMPTY
    }
    if (quickAck !== undefined) quickAck.token = r < 0 ? 0 : token(j.msgKeyHead)
    if (r < 0) {
      report(onFailure, r)
      throw decryptError()
    }
    return r
  }

  /** Decrypts into a fresh array of the inner's length (through `tmp`, zeroed after). */
  private decryptCopy(authKey: AuthKey, packet: Uint8Array, x: 0 | 8, options: EnvelopeOptions | undefined): Uint8Array {
    try {
      const n = this.decryptInto(authKey, packet, x, undefined, options)
      const r = this.tmp.slice(0, n)
      this.tmp.fill(0, 0, n)
      return r
    } finally {
      if (this.tmp.length > 64 * 1024) this.tmp = new Uint8Array(2048) // do not keep a huge buffer around
    }
  }

  /** A batch item's inner bytes, or its SecurityError. */
  private decryptOrError(it: DecryptItem): Uint8Array | SecurityError {
    try {
      return this.decryptCopy(it.authKey, it.packet, it.x, it.options)
    } catch (e) {
      if (!(e instanceof SecurityError)) throw e
      return e
    }
  }

  // ---- batches -----------------------------------------------------------------------------
  // Items whose single path would be fused go in groups of up to 4 in item order (the core
  // interleaves them); the others, and any with the quick-ACK option, one by one in between.

  private encryptBatched(items: readonly EncryptItem[]): Uint8Array[] {
    const res: Uint8Array[] = []
    const jobs = this.encJobs
    let k = 0
    try {
      for (const it of items) {
        const inner = it.inner
        const { flags, buckets, quickAck } = parseOptions(it.options, this.parsed)
        const padLen = paddingLength(inner.length, flags, buckets)
        if (quickAck !== undefined || this.router.encrypt(inner.length + padLen, flags) !== 'fused') {
          k = this.flushEncrypt(k)
          res.push(this.encryptMessage(it.authKey, inner, it.x, undefined, it.options))
          continue
        }
        if (!this.pool.fits(padLen)) k = this.flushEncrypt(k)
        const out = new Uint8Array(24 + inner.length + padLen)
        const j = jobs[k++]
        j.key = authKeyState(it.authKey)
        j.inner = inner
        j.padOff = this.pool.take(padLen)
        j.padLen = padLen
        j.x = it.x
        j.flags = flags
        j.out = out
        res.push(out)
        if (k === BATCH) k = this.flushEncrypt(k)
      }
      k = this.flushEncrypt(k)
    } finally {
      this.releaseEncrypt(k)
    }
    return res
  }

  /** Runs the group of `k` jobs (if any); returns 0, the size of the next group. */
  private flushEncrypt(k: number): number {
    if (k === 0) return 0
    try {
      this.core.encryptBatch!(this.encJobs, k)
    } finally {
      this.releaseEncrypt(k)
    }
    return 0
  }

  /** Burns the padding of the first `k` jobs and drops what they reference. */
  private releaseEncrypt(k: number): void {
    for (let i = 0; i < k; i++) {
      const j = this.encJobs[i]
      this.pool.burn(j.padOff, j.padLen) // used once, never again
      j.key = NO_KEY
      j.inner = EMPTY
      j.out = EMPTY
    }
  }

  private decryptBatched(items: readonly DecryptItem[]): (Uint8Array | SecurityError)[] {
    const res: (Uint8Array | SecurityError)[] = new Array(items.length)
    const jobs = this.decJobs
    let k = 0
    for (let n = 0; n < items.length; n++) {
      const it = items[n]
      const packet = it.packet
      const { flags, onFailure, quickAck } = parseOptions(it.options, this.parsed)
      if (quickAck !== undefined || this.router.decrypt(packet.length - 24, flags) !== 'fused') {
        k = this.flushDecrypt(k, res)
        res[n] = this.decryptOrError(it)
        continue
      }
      const j = jobs[k]
      j.key = authKeyState(it.authKey)
      j.packet = packet
      j.x = it.x
      j.flags = flags
      j.out = new Uint8Array(envMaxInner(packet.length, flags))
      this.decHooks[k] = onFailure
      this.decItems[k++] = n
      if (k === BATCH) k = this.flushDecrypt(k, res)
    }
    this.flushDecrypt(k, res)
    return res
  }

  /** Runs the group of `k` jobs (if any), their results into `res`; returns 0. */
  private flushDecrypt(k: number, res: (Uint8Array | SecurityError)[]): number {
    if (k === 0) return 0
    const { decJobs: jobs, decResults: results } = this
    try {
      this.core.decryptBatch!(jobs, k, results)
      for (let i = 0; i < k; i++) {
        const r = results[i]
        const out = jobs[i].out
        if (r < 0) {
          report(this.decHooks[i], r)
          res[this.decItems[i]] = decryptError()
        } else res[this.decItems[i]] = out.length === r ? out : out.subarray(0, r)
      }
    } finally {
      for (let i = 0; i < k; i++) {
        const j = jobs[i]
        j.key = NO_KEY
        j.packet = EMPTY
        j.out = EMPTY
        this.decHooks[i] = undefined
      }
    }
    return 0
  }
}

/** The Crypto methods of an Envelope, as functions of their own (a Crypto object is a plain object). */
export type EnvelopeMethods = Pick<Crypto, 'encryptMessage' | 'encryptMessageInto' | 'decryptMessage' | 'decryptMessageInto' | 'encryptMessages' | 'decryptMessages'>

export function envelopeMethods(env: Envelope): EnvelopeMethods {
  return {
    encryptMessage: (authKey, inner, x, out, options) => env.encryptMessage(authKey, inner, x, out, options),
    encryptMessageInto: (authKey, inner, x, out, options) => env.encryptMessageInto(authKey, inner, x, out, options),
    decryptMessage: (authKey, packet, x, out, options) => env.decryptMessage(authKey, packet, x, out, options),
    decryptMessageInto: (authKey, packet, x, out, options) => env.decryptMessageInto(authKey, packet, x, out, options),
    encryptMessages: (items) => env.encryptMessages(items),
    decryptMessages: (items) => env.decryptMessages(items),
  }
}

const warmed = new Set<string>()

/**
 * One round trip on a throwaway all-zero key with zero padding (not the caller's RNG), once per
 * backend per process, so that V8's lazy compilation of this code path (~0.4 ms on x64) happens
 * when the Crypto object is made instead of on its first real message.
 */
export function warmEnvelope(core: CryptoCore): void {
  if (warmed.has(core.backend)) return
  warmed.add(core.backend)
  const env = new Envelope(core, (buf) => buf.fill(0), new Router(core, undefined))
  const key = createAuthKey(new Uint8Array(256))
  const inner = new Uint8Array(64)
  inner[28] = 32 // the length field: 32 body bytes
  try {
    env.decryptMessage(key, env.encryptMessage(key, inner, 0), 0)
  } finally {
    key.dispose()
  }
}
