/**
 * Which path an MTProto message (and an AES-CTR call) takes: the crypto layer's one routing
 * decision. Every path gives the same bytes; they differ only in speed, so only public values
 * choose: the direction, the version, the plaintext size n (inner ‖ padding, a multiple of 16).
 *
 * The paths:
 * - fused: one call into the core does msg_key, the KDF, AES-256-IGE and, decrypting, every
 *   check (the WASM cores: assembly/mtproto.ts through src/crypto/wasm/core.ts).
 * - hashed: the same call, but msg_key's SHA-256 is the native provider's, run over the
 *   plaintext where it lies in the core's memory; everything else stays in the core.
 * - composed: the envelope composed from primitives (src/crypto/js/mtproto.ts): the core's, or
 *   the native provider's where the table below says they are faster. The only path of a core
 *   without a fused envelope (the pure-TS one), and of messages longer than the core's scratch
 *   region (the primitives stream through it).
 * - batch (`encryptMessages` / `decryptMessages`): messages whose path would be fused go in
 *   groups of up to 4, which a core with batches interleaves (4 IGE chains side by side).
 *
 * The thresholds are the native provider's `thresholds`, a small table of sizes measured once
 * per provider (src/node/provider.ts says how), never calibrated at run time. The decision,
 * for a core with a fused envelope of at most `fusedMax` bytes (n > fusedMax: composed):
 *
 *   encrypt  n >= igeEncrypt: composed (the native IGE, and SHA-256 from `sha256`)
 *            2.0 and n >= sha256InPlace: hashed;  else fused
 *   decrypt  2.0 and n >= sha256InPlace: hashed;  else fused (IGE decryption has no native form)
 *   CTR      calls of >= ctr bytes: the native stream; shorter ones the core's (src/crypto/ctr.ts)
 *
 * With node:crypto (the Node default), that is: a 2 KiB message is encrypted and decrypted by
 * one WASM call each, with msg_key's SHA-256 by node:crypto (it is faster from 512 B, where a
 * WASM hash of the whole plaintext costs more than the native call); from 4 KiB encryption runs
 * composed over node:crypto's SHA-256 and AES-CBC (IGE encryption as one CBC call). Without a
 * provider (browsers, `native: false`) every message up to 256 KiB is fused.
 */
import { ENV_V1 } from './flags.generated.js'
import type { CryptoCore, NativeProvider } from './types.js'

/** Sizes in bytes from which a native provider's primitives are used (see the module comment). */
export interface NativeThresholds {
  /** SHA-256 of inputs of at least this many bytes (the composed path's msg_key hash). */
  readonly sha256: number
  /**
   * A fused core's msg_key SHA-256 over a plaintext of at least this many bytes, hashed where it
   * lies in the core's memory: lower than `sha256`, which also pays for the composed path's copies.
   */
  readonly sha256InPlace: number
  /** AES-256-IGE encryption of at least this many bytes: such messages take the composed path. */
  readonly igeEncrypt: number
  /** AES-256-CTR stream calls of at least this many bytes. */
  readonly ctr: number
}

export type Path = 'fused' | 'hashed' | 'composed'

let installed: NativeProvider | undefined

/**
 * Installs (or, with `undefined`, removes) the DEFAULT native provider: Crypto objects created
 * afterwards without `options.native` use it. The Node entry point installs node:crypto's.
 */
export function setNativeProvider(p: NativeProvider | undefined): void {
  installed = p
}

/** The provider a Crypto object uses: `options.native` if given (`false`: none), else the default. */
export function resolveNative(provider: NativeProvider | false | undefined): NativeProvider | undefined {
  return provider === false ? undefined : (provider ?? installed)
}

const NONE: NativeThresholds = { sha256: Infinity, sha256InPlace: Infinity, igeEncrypt: Infinity, ctr: Infinity }

/** The routing decisions of one Crypto object: its core and native provider, fixed when it is made. */
export class Router {
  /** The provider's thresholds, Infinity for what it lacks. */
  readonly from: NativeThresholds
  /** The largest plaintext the core's fused envelope takes in one call (-Infinity: it has none). */
  private readonly fusedMax: number

  constructor(core: CryptoCore, readonly native: NativeProvider | undefined) {
    const t = native?.thresholds ?? NONE
    this.from = {
      sha256: t.sha256,
      sha256InPlace: t.sha256InPlace,
      igeEncrypt: native?.igeEncrypt ? t.igeEncrypt : Infinity,
      ctr: native?.ctrCreate && native.ctrStream ? t.ctr : Infinity,
    }
    this.fusedMax = core.encryptMessage && core.decryptMessage ? (core.fusedMax ?? -Infinity) : -Infinity
  }

  /** The path of an encryption of `n` plaintext bytes with envelope `flags`. */
  encrypt(n: number, flags: number): Path {
    if (n > this.fusedMax || n >= this.from.igeEncrypt) return 'composed'
    return !(flags & ENV_V1) && n >= this.from.sha256InPlace ? 'hashed' : 'fused'
  }

  /** The path of a decryption of `n` plaintext bytes (the packet's length - 24). */
  decrypt(n: number, flags: number): Path {
    if (n > this.fusedMax) return 'composed'
    return !(flags & ENV_V1) && n >= this.from.sha256InPlace ? 'hashed' : 'fused'
  }

  /** Whether an AES-CTR call of `len` bytes runs on the native stream. */
  nativeCtr(len: number): boolean {
    return len >= this.from.ctr
  }
}

/**
 * The primitives of the composed path: the core's, with the native provider's SHA-256 and IGE
 * encryption for inputs at or above its thresholds.
 */
export function composedPrimitives(core: CryptoCore, native: NativeProvider | undefined, from: NativeThresholds): CryptoCore {
  if (!native) return core
  const nativeIge = native.igeEncrypt?.bind(native)
  const nativeSha256 = native.sha256.bind(native)
  const into = core.sha256Into?.bind(core)
  return {
    backend: core.backend,
    igeEncrypt: (d, k, iv, o) => (nativeIge && d.length >= from.igeEncrypt ? nativeIge(d, k, iv, o) : core.igeEncrypt(d, k, iv, o)),
    igeDecrypt: (d, k, iv, o) => core.igeDecrypt(d, k, iv, o),
    ctrCreate: (k, iv) => core.ctrCreate(k, iv),
    sha1: (d) => core.sha1(d),
    sha256: (d) => (d.length >= from.sha256 ? nativeSha256(d) : core.sha256(d)),
    // the core's allocation-free hashes below the threshold
    sha1Into: core.sha1Into?.bind(core),
    sha256Into: into
      ? (d, o) => {
          if (d.length < from.sha256) return into(d, o)
          const h = nativeSha256(d)
          o.set(h)
          h.fill(0)
        }
      : undefined,
  }
}
