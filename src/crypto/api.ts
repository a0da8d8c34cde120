/**
 * Wraps a backend's `CryptoCore` into the public `Crypto` object: one place for argument
 * checks, typed errors and `out` handling, so every backend behaves identically on bad input.
 */
import { CryptoError } from '../errors.js'
import { checkBytes, checkLength, outFor } from './args.js'
import { crc32 } from './crc32.js'
import { md5 } from './js/md5.js'
import { sha512 } from './js/sha512.js'
import { Envelope, envelopeMethods, warmEnvelope } from './envelope.js'
import { resolveNative, Router } from './route.js'
import { getPlatform } from './platform.js'
import type { AesCtr, Crypto, CryptoCore, NativeProvider } from './types.js'

function checkIge(data: unknown, key: unknown, iv: unknown): asserts data is Uint8Array {
  checkBytes(data, 'data')
  checkLength(key, 'key', 32, 'E_KEY_LENGTH')
  checkLength(iv, 'iv', 32, 'E_IV_LENGTH')
  if (data.length % 16 !== 0) {
    throw new CryptoError('E_DATA_ALIGNMENT', `AES-IGE data must be a multiple of 16 bytes, got ${data.length}`)
  }
}

/** Fills `buf` from `random` (or the platform CSPRNG), in the ≤ 65536-byte calls WebCrypto allows. */
function fillRandom(random: ((b: Uint8Array) => void) | undefined, buf: Uint8Array): void {
  const fill = random ?? getPlatform().getRandomValues
  if (!fill) {
    throw new CryptoError('E_NO_RANDOM', 'no CSPRNG: this runtime has no crypto.getRandomValues; pass options.random')
  }
  if (buf.length <= 65536) fill(buf) // the common case (the envelope's padding pool) makes no view
  else for (let i = 0; i < buf.length; i += 65536) fill(buf.subarray(i, Math.min(buf.length, i + 65536)))
}

/**
 * HMAC-SHA-256 over the backend's own SHA-256 (RFC 2104: H(K ⊕ opad ‖ H(K ⊕ ipad ‖ text)), "keys
 * longer than B bytes are first hashed using H"), rather than a second SHA-256 in JS: faster on
 * WASM, and a browser bundle carries one SHA-256 less.
 */
function hmacSha256(sha256: (d: Uint8Array) => Uint8Array, key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = key.length > 64 ? sha256(key) : key
  const buf = new Uint8Array(64 + Math.max(data.length, 32))
  for (let i = 0; i < k.length; i++) buf[i] = k[i]
  for (let i = 0; i < 64; i++) buf[i] ^= 0x36
  buf.set(data, 64)
  const inner = sha256(buf.subarray(0, 64 + data.length))
  for (let i = 0; i < 64; i++) buf[i] ^= 0x36 ^ 0x5c
  buf.set(inner, 64)
  const mac = sha256(buf.subarray(0, 96))
  buf.fill(0) // key material
  return mac
}

export function buildCrypto(
  core: CryptoCore,
  random?: (buf: Uint8Array) => void,
  native?: NativeProvider | false,
): Crypto {
  // the provider is resolved once, when the object is made: the envelope and CTR streams share it
  const router = new Router(core, resolveNative(native))
  // the provider's hybrid stream (short calls on the core's), when it has a native CTR
  const ctrStream = router.from.ctr < Infinity ? router.native?.ctrStream : undefined
  warmEnvelope(core)
  return {
    backend: core.backend,
    ...envelopeMethods(new Envelope(core, (buf) => fillRandom(random, buf), router)),

    randomBytes(length) {
      if (!Number.isSafeInteger(length) || length < 0) {
        throw new CryptoError('E_LENGTH', `length must be a non-negative integer, got ${String(length)}`)
      }
      const buf = new Uint8Array(length)
      fillRandom(random, buf)
      return buf
    },

    sha1(data) {
      checkBytes(data, 'data')
      return core.sha1(data)
    },
    sha256(data) {
      checkBytes(data, 'data')
      return core.sha256(data)
    },
    sha512(data) {
      checkBytes(data, 'data')
      return sha512(data)
    },
    md5(data) {
      checkBytes(data, 'data')
      return md5(data)
    },
    crc32(data) {
      checkBytes(data, 'data')
      return crc32(data)
    },
    hmacSha256(key, data) {
      checkBytes(key, 'key')
      checkBytes(data, 'data')
      return hmacSha256((d) => core.sha256(d), key, data)
    },

    async pbkdf2Sha512(password, salt, iterations) {
      checkBytes(password, 'password')
      checkBytes(salt, 'salt')
      if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 0xffffffff) {
        throw new CryptoError('E_ITERATIONS', `iterations must be an integer in 1..2^32-1, got ${String(iterations)}`)
      }
      const subtle = getPlatform().subtle
      if (subtle) {
        // WebCrypto runs PBKDF2 natively (~100x pure JS), off the main thread in browsers.
        // copies: WebCrypto wants ArrayBuffer-backed views (not SharedArrayBuffer)
        const k = await subtle.importKey('raw', new Uint8Array(password), 'PBKDF2', false, ['deriveBits'])
        const bits = await subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt: new Uint8Array(salt), iterations }, k, 512)
        return new Uint8Array(bits)
      }
      // no WebCrypto (rare: Hermes, old runtimes): noble's PBKDF2, loaded only then
      return (await import('./pbkdf2.js')).noblePbkdf2Sha512(password, salt, iterations)
    },

    aesIgeEncrypt(data, key, iv, out) {
      checkIge(data, key, iv)
      const o = outFor(data, out, data.length)
      core.igeEncrypt(data, key, iv, o)
      return o
    },
    aesIgeDecrypt(data, key, iv, out) {
      checkIge(data, key, iv)
      const o = outFor(data, out, data.length)
      core.igeDecrypt(data, key, iv, o)
      return o
    },

    createAesCtr(key, iv): AesCtr {
      checkLength(key, 'key', 32, 'E_KEY_LENGTH')
      checkLength(iv, 'iv', 16, 'E_IV_LENGTH')
      let stream: ReturnType<CryptoCore['ctrCreate']> | undefined =
        ctrStream ? ctrStream(core, router, key, iv) : core.ctrCreate(key, iv)
      return {
        process(data, out) {
          if (!stream) throw new CryptoError('E_DISPOSED', 'this AES-CTR stream was disposed')
          checkBytes(data, 'data')
          const o = outFor(data, out, data.length)
          stream.process(data, o)
          return o
        },
        dispose() {
          stream?.dispose()
          stream = undefined
        },
      }
    },
  }
}
