/**
 * The MTProto message envelope as the `Crypto` object exposes it: argument checks, options,
 * padding and its randomness, the uniform decryption error, batches. The per-message work is
 * the core's `encryptMessage` / `decryptMessage` (fused, e.g. one WASM call), the same with the
 * msg_key hash by a native provider (`encryptMessageHashed` / `decryptMessageHashed`), or the
 * composed default in js/mtproto.ts; all see the same validated inputs and the same padding
 * bytes, so every backend gives byte-identical packets for the same injected randomness.
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
import { type AuthKey, authKeyState, createAuthKey } from './authkey.js'
import { checkBytes } from './api.js'
import { composeEnvelope, envMaxInner } from './js/mtproto.js'
import {
  type Crypto, type CryptoCore, ENV_E2E, ENV_FAIL_ALIGN, ENV_FAIL_KEY_ID, ENV_FAIL_LENGTH,
  ENV_FAIL_MSG_KEY, ENV_FAIL_PADDING, ENV_FAIL_SHAPE, ENV_TOKEN, ENV_V1, type EnvDecryptJob, type EnvelopeOptions,
  type EnvEncryptJob, type NativeProvider,
} from './types.js'

let native: NativeProvider | undefined

/**
 * Installs (or, with `undefined`, removes) the DEFAULT native primitives for large messages:
 * Crypto objects created afterwards without `options.native` use them. The Node entry point
 * installs node:crypto's.
 */
export function setNativeProvider(p: NativeProvider | undefined): void {
  native = p
}

/** The provider a Crypto object uses: `options.native` if given (`false`: none), else the default. */
export function resolveNative(provider: NativeProvider | false | undefined): NativeProvider | undefined {
  return provider === false ? undefined : (provider ?? native)
}

/** `core` with SHA-256 and IGE encryption taken from `p` for inputs at or above its thresholds. */
function withNative(core: CryptoCore, p: NativeProvider): CryptoCore {
  const { sha256From, igeEncryptFrom } = p
  const nativeIge = p.igeEncrypt?.bind(p)
  const into = core.sha256Into?.bind(core)
  const sha1Into = core.sha1Into?.bind(core)
  return {
    backend: core.backend,
    igeEncrypt: (d, k, iv, o) => (nativeIge && d.length >= igeEncryptFrom ? nativeIge(d, k, iv, o) : core.igeEncrypt(d, k, iv, o)),
    igeDecrypt: (d, k, iv, o) => core.igeDecrypt(d, k, iv, o),
    ctrCreate: (k, iv) => core.ctrCreate(k, iv),
    sha1: (d) => core.sha1(d),
    sha256: (d) => (d.length >= sha256From ? p.sha256(d) : core.sha256(d)),
    // keep the core's allocation-free hashes below the threshold
    sha1Into,
    sha256Into: into
      ? (d, o) => {
          if (d.length < sha256From) return into(d, o)
          const h = p.sha256(d)
          o.set(h)
          h.fill(0)
        }
      : undefined,
  }
}

export type EnvelopeMethods = Pick<
  Crypto,
  'encryptMessage' | 'encryptMessageInto' | 'decryptMessage' | 'decryptMessageInto' | 'encryptMessages' | 'decryptMessages'
>

/** The one error every decryption failure raises. */
export const DECRYPT_ERROR_CODE = 'E_DECRYPT'
const DECRYPT_ERROR_MESSAGE = 'message decryption failed'

const ErrorCtor = Error as { stackTraceLimit?: unknown }

/**
 * The uniform decryption error, made without a stack trace: capturing one costs more than
 * decrypting a 1 KiB message (a failure cost 1.5-4x a success), and garbage from the network
 * must cost no more than a valid packet. Every failure gets a fresh, identical error; its
 * stack is only the name and message (V8's `Error.stackTraceLimit`; other engines keep
 * theirs).
 */
function decryptError(): SecurityError {
  const limit = ErrorCtor.stackTraceLimit
  if (typeof limit !== 'number') return new SecurityError(DECRYPT_ERROR_CODE, DECRYPT_ERROR_MESSAGE)
  ErrorCtor.stackTraceLimit = 0
  const e = new SecurityError(DECRYPT_ERROR_CODE, DECRYPT_ERROR_MESSAGE) // cannot throw
  ErrorCtor.stackTraceLimit = limit
  return e
}

/** Throws `E_TYPE` unless `it` is an object (a batch item); its fields are checked where they are used. */
function checkItem(it: unknown, i: number): void {
  if (typeof it !== 'object' || it === null) throw new CryptoError('E_TYPE', `items[${i}] must be an object, got ${it === null ? 'null' : typeof it}`)
}

const FAIL_NAMES: readonly [number, string][] = [
  [ENV_FAIL_KEY_ID, 'auth_key_id'],
  [ENV_FAIL_SHAPE, 'shape'],
  [ENV_FAIL_MSG_KEY, 'msg_key'],
  [ENV_FAIL_LENGTH, 'length'],
  [ENV_FAIL_ALIGN, 'alignment'],
  [ENV_FAIL_PADDING, 'padding'],
]

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

interface Parsed {
  flags: number
  buckets: boolean
  onFailure: ((failed: readonly string[]) => void) | undefined
  quickAck: { token: number } | undefined
}
const DEFAULTS: Parsed = { flags: 0, buckets: false, onFailure: undefined, quickAck: undefined }

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
  // reuse one object per Crypto: parsing allocates nothing
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

function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length
}

type EncryptItemLike = Parameters<Crypto['encryptMessages']>[0][number]
type DecryptItemLike = Parameters<Crypto['decryptMessages']>[0][number]

/** Size of the padding randomness pool; refilled from the RNG when the next padding does not fit. */
const POOL = 4096

/**
 * The envelope methods over `core`, taking padding bytes from `fill` (the Crypto object's
 * injected RNG or the platform CSPRNG), with `provider` (default: the installed one; `false`:
 * none) for large messages. Random bytes are drawn in blocks of 4096 and used in
 * order; a padding that does not fit the rest of a block starts a fresh block.
 */
export function buildEnvelope(
  core: CryptoCore,
  fill: (buf: Uint8Array) => void,
  provider: NativeProvider | false | undefined = undefined,
): EnvelopeMethods {
  // Fused core ops for every message, except with a native provider: MTProto 2.0 messages from
  // its in-place SHA-256 threshold up take the core's fused path with the native hash where the
  // core offers it (up to its size limit; encryption only below the native IGE's threshold,
  // from where the composed path's one AES-CBC call is faster), and other messages from its
  // SHA-256 threshold up the composed path over the native primitives.
  const nat = resolveNative(provider)
  const composed = composeEnvelope(nat ? withNative(core, nat) : core)
  const from = nat ? nat.sha256From : Infinity
  const fusedEnc = core.encryptMessage?.bind(core)
  const fusedDec = core.decryptMessage?.bind(core)
  const hashedEnc = nat && core.encryptMessageHashed?.bind(core)
  const hashedDec = nat && core.decryptMessageHashed?.bind(core)
  const hashedFrom = nat ? (nat.sha256InPlaceFrom ?? from) : Infinity
  const hashedMax = core.hashedMax ?? 0
  const hashedEncTo = Math.min(hashedMax + 1, nat?.igeEncrypt ? nat.igeEncryptFrom : Infinity)
  const natSha256 = nat ? nat.sha256.bind(nat) : undefined
  // which path ran the last message, for its msg_key_large head (EnvelopeOptions.quickAck)
  let viaComposed = !fusedEnc
  const enc: NonNullable<CryptoCore['encryptMessage']> = fusedEnc
    ? (s, inner, pad, padOff, padLen, x, flags, out) => {
        const n = inner.length + padLen
        viaComposed = false
        if (hashedEnc && n >= hashedFrom && n < hashedEncTo && !(flags & ENV_V1)) return hashedEnc(s, inner, pad, padOff, padLen, x, flags, out, natSha256!)
        viaComposed = n >= from
        return (viaComposed ? composed.encryptMessage : fusedEnc)(s, inner, pad, padOff, padLen, x, flags, out)
      }
    : composed.encryptMessage
  const dec: NonNullable<CryptoCore['decryptMessage']> = fusedDec
    ? (s, packet, x, flags, out) => {
        const n = packet.length - 24
        viaComposed = false
        if (hashedDec && n >= hashedFrom && n <= hashedMax && !(flags & ENV_V1)) return hashedDec(s, packet, x, flags, out, natSha256!)
        viaComposed = n >= from
        return (viaComposed ? composed.decryptMessage : fusedDec)(s, packet, x, flags, out)
      }
    : composed.decryptMessage
  /** The quick-ACK token of the message just processed with ENV_TOKEN (taking it zeroes the core's copy). */
  const token = (): number => {
    const h = viaComposed || !core.takeMsgKeyHead ? composed.takeMsgKeyHead() : core.takeMsgKeyHead()
    return (h | 0x80000000) >>> 0
  }
  const pool = new Uint8Array(POOL)
  let poolPos = POOL
  const parsed: Parsed = { flags: 0, buckets: false, onFailure: undefined, quickAck: undefined }
  let tmp = new Uint8Array(2048) // decrypt target when the caller gives no `out`
  let written: Uint8Array = tmp // where the last encryptInto / decryptInto wrote (read at once, then reset)

  /** Encrypts into `out` (or a new array, left in `written`); returns the packet length. */
  function encryptInto(authKey: AuthKey, inner: Uint8Array, x: 0 | 8, out: Uint8Array | undefined, options: EnvelopeOptions | undefined): number {
    const s = authKeyState(authKey)
    checkBytes(inner, 'inner')
    checkX(x)
    const { flags, buckets, quickAck } = parseOptions(options, parsed)
    checkInner(inner, flags)
    const padLen = paddingLength(inner.length, flags, buckets)
    const total = 24 + inner.length + padLen
    if (out === undefined) out = new Uint8Array(total)
    else {
      checkBytes(out, 'out')
      if (out.length < total) throw new CryptoError('E_OUT_LENGTH', `out must hold ${total} bytes, has ${out.length}`)
      if (overlaps(out, inner)) throw new CryptoError('E_OVERLAP', 'out must not overlap inner')
    }
    if (poolPos + padLen > POOL) {
      fill(pool)
      poolPos = 0
    }
    enc(s, inner, pool, poolPos, padLen, x, flags, out)
    if (quickAck !== undefined) quickAck.token = token()
    pool.fill(0, poolPos, poolPos + padLen) // used once, never again
    poolPos += padLen
    written = out
    return total
  }

  /** Calls the debug hook (if any) with the names of the failed checks; never throws. */
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

  // Batches (a core with encryptBatch / decryptBatch, e.g. 4 messages interleaved in SIMD):
  // groups of up to 4 in item order; items the single path would route elsewhere (native
  // provider sizes) go one by one. Job objects are reused.
  const encBatch = core.encryptBatch?.bind(core)
  const decBatch = core.decryptBatch?.bind(core)
  const EMPTY = new Uint8Array(0)
  const encJobs: EnvEncryptJob[] = []
  const decJobs: EnvDecryptJob[] = []
  for (let i = 0; i < 4; i++) {
    encJobs.push({ key: undefined as never, inner: EMPTY, pad: pool, padOff: 0, padLen: 0, x: 0, flags: 0, out: EMPTY })
    decJobs.push({ key: undefined as never, packet: EMPTY, x: 0, flags: 0, out: EMPTY })
  }
  const decResults = new Int32Array(4)

  function encryptBatched(items: readonly EncryptItemLike[], batch: NonNullable<CryptoCore['encryptBatch']>): Uint8Array[] {
    const res: Uint8Array[] = []
    let k = 0
    const release = (): void => {
      for (let i = 0; i < k; i++) {
        const j = encJobs[i]
        pool.fill(0, j.padOff, j.padOff + j.padLen) // used once, never again
        j.inner = EMPTY
        j.out = EMPTY
        j.key = undefined as never
      }
      k = 0
    }
    const flush = (): void => {
      if (k === 0) return
      try {
        batch(encJobs, k)
      } finally {
        release()
      }
    }
    try {
      for (const it of items) {
        const s = authKeyState(it.authKey)
        const inner = it.inner
        checkBytes(inner, 'inner')
        checkX(it.x)
        const { flags, buckets, quickAck } = parseOptions(it.options, parsed)
        checkInner(inner, flags)
        const padLen = paddingLength(inner.length, flags, buckets)
        if (inner.length + padLen >= from || quickAck !== undefined) {
          flush()
          res.push(encryptMessage(it.authKey, inner, it.x, undefined, it.options))
          continue
        }
        if (poolPos + padLen > POOL) {
          flush()
          fill(pool)
          poolPos = 0
        }
        const out = new Uint8Array(24 + inner.length + padLen)
        const j = encJobs[k++]
        j.key = s
        j.inner = inner
        j.padOff = poolPos
        j.padLen = padLen
        j.x = it.x
        j.flags = flags
        j.out = out
        poolPos += padLen
        res.push(out)
        if (k === 4) flush()
      }
      flush()
    } finally {
      release()
    }
    return res
  }

  function decryptBatched(items: readonly DecryptItemLike[], batch: NonNullable<CryptoCore['decryptBatch']>): (Uint8Array | SecurityError)[] {
    const res: (Uint8Array | SecurityError)[] = new Array(items.length)
    const idx = [0, 0, 0, 0]
    const hooks: (((failed: readonly string[]) => void) | undefined)[] = [undefined, undefined, undefined, undefined]
    let k = 0
    const flush = (): void => {
      if (k === 0) return
      try {
        batch(decJobs, k, decResults)
        for (let i = 0; i < k; i++) {
          const r = decResults[i]
          const j = decJobs[i]
          if (r < 0) {
            report(hooks[i], r)
            res[idx[i]] = decryptError()
          } else res[idx[i]] = j.out.length === r ? j.out : j.out.subarray(0, r)
        }
      } finally {
        for (let i = 0; i < k; i++) {
          decJobs[i].packet = EMPTY
          decJobs[i].out = EMPTY
          decJobs[i].key = undefined as never
          hooks[i] = undefined
        }
        k = 0
      }
    }
    for (let n = 0; n < items.length; n++) {
      const it = items[n]
      const packet = it.packet
      if (packet.length - 24 >= from || it.options?.quickAck !== undefined) {
        flush()
        try {
          res[n] = decryptCopy(it.authKey, packet, it.x, it.options)
        } catch (e) {
          if (!(e instanceof SecurityError)) throw e
          res[n] = e
        }
        continue
      }
      const { flags, onFailure } = parseOptions(it.options, parsed)
      const j = decJobs[k]
      j.key = authKeyState(it.authKey)
      j.packet = packet
      j.x = it.x
      j.flags = flags
      j.out = new Uint8Array(envMaxInner(packet.length, flags))
      hooks[k] = onFailure
      idx[k++] = n
      if (k === 4) flush()
    }
    flush()
    return res
  }

  /** Returns the inner length (written to `written`), or throws the uniform SecurityError. */
  function decryptInto(authKey: AuthKey, packet: Uint8Array, x: 0 | 8, out: Uint8Array | undefined, options: EnvelopeOptions | undefined): number {
    const s = authKeyState(authKey)
    checkBytes(packet, 'packet')
    checkX(x)
    const { flags, onFailure, quickAck } = parseOptions(options, parsed)
    const need = envMaxInner(packet.length, flags)
    let o: Uint8Array
    if (out === undefined) {
      if (need > tmp.length) tmp = new Uint8Array(Math.max(need, tmp.length * 2))
      o = tmp
    } else {
      checkBytes(out, 'out')
      if (out.length < need) throw new CryptoError('E_OUT_LENGTH', `out must hold ${need} bytes for this packet, has ${out.length}`)
      if (overlaps(out, packet) && out.byteOffset > packet.byteOffset + 24) {
        throw new CryptoError('E_OVERLAP', "out may be the packet itself or start at or before the packet's byte 24, or be separate")
      }
      o = out
    }
    const r = dec(s, packet, x, flags, o)
    if (quickAck !== undefined) {
      const t = token()
      quickAck.token = r < 0 ? 0 : t
    }
    if (r < 0) {
      report(onFailure, r)
      throw decryptError()
    }
    written = o
    return r
  }

  function encryptMessage(authKey: AuthKey, inner: Uint8Array, x: 0 | 8, out?: Uint8Array, options?: EnvelopeOptions): Uint8Array {
    const n = encryptInto(authKey, inner, x, out, options)
    const o = written
    written = tmp
    return o.length === n ? o : o.subarray(0, n)
  }

  function decryptCopy(authKey: AuthKey, packet: Uint8Array, x: 0 | 8, options: EnvelopeOptions | undefined): Uint8Array {
    try {
      const n = decryptInto(authKey, packet, x, undefined, options)
      const o = written
      written = tmp
      const r = o.slice(0, n)
      o.fill(0, 0, n)
      return r
    } finally {
      if (tmp.length > 64 * 1024) tmp = new Uint8Array(2048) // do not keep a huge buffer around
    }
  }

  return {
    encryptMessage,
    encryptMessageInto(authKey, inner, x, out, options) {
      if (out === undefined) throw new CryptoError('E_TYPE', 'out must be a Uint8Array')
      return encryptInto(authKey, inner, x, out, options)
    },
    decryptMessage(authKey, packet, x, out, options) {
      if (out === undefined) return decryptCopy(authKey, packet, x, options)
      const n = decryptInto(authKey, packet, x, out, options)
      return out.length === n ? out : out.subarray(0, n)
    },
    decryptMessageInto(authKey, packet, x, out, options) {
      if (out === undefined) throw new CryptoError('E_TYPE', 'out must be a Uint8Array')
      return decryptInto(authKey, packet, x, out, options)
    },
    encryptMessages(items) {
      if (!Array.isArray(items)) throw new CryptoError('E_TYPE', 'items must be an array')
      // Argument errors are the caller's bugs: report them before any work, never per item.
      for (let i = 0; i < items.length; i++) {
        const it = items[i]
        checkItem(it, i)
        authKeyState(it.authKey)
        checkBytes(it.inner, 'inner')
        checkX(it.x)
        checkInner(it.inner, parseOptions(it.options, parsed).flags)
      }
      if (encBatch) return encryptBatched(items, encBatch)
      const res: Uint8Array[] = []
      for (const it of items) res.push(encryptMessage(it.authKey, it.inner, it.x, undefined, it.options))
      return res
    },
    decryptMessages(items) {
      if (!Array.isArray(items)) throw new CryptoError('E_TYPE', 'items must be an array')
      // Argument errors are the caller's bugs: report them before any work, never per item.
      for (let i = 0; i < items.length; i++) {
        const it = items[i]
        checkItem(it, i)
        authKeyState(it.authKey)
        checkBytes(it.packet, 'packet')
        checkX(it.x)
        parseOptions(it.options, parsed)
      }
      if (decBatch) return decryptBatched(items, decBatch)
      const res: (Uint8Array | SecurityError)[] = []
      for (const it of items) {
        try {
          res.push(decryptCopy(it.authKey, it.packet, it.x, it.options))
        } catch (e) {
          if (!(e instanceof SecurityError)) throw e
          res.push(e)
        }
      }
      return res
    },
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
  const env = buildEnvelope(core, (buf) => buf.fill(0), false)
  const key = createAuthKey(new Uint8Array(256))
  const inner = new Uint8Array(64)
  inner[28] = 32 // the length field: 32 body bytes
  try {
    env.decryptMessage(key, env.encryptMessage(key, inner, 0), 0)
  } finally {
    key.dispose()
  }
}
