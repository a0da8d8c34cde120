/**
 * The Diffie–Hellman operations a secret chat needs, as one small interface. The arithmetic and
 * the checks are the handshake's (src/auth/dh.ts: the same prime checks, range checks and
 * modexp serve auth keys and secret chats), never a copy; an embedder may pass its own
 * implementation (e.g. a hardware module) through `SecretChatOptions.dh`.
 */
import { checkDhConfig, checkDhPublic, computeDhSharedKey, generateDhKeyPair } from '../auth/dh.js'
import type { Crypto } from '../crypto/types.js'
import { HandshakeError } from '../errors.js'

export interface SecretDh {
  /**
   * Throws unless `p` is a safe 2048-bit prime and `g` generates its subgroup of order (p−1)/2
   * (core.telegram.org/api/end-to-end#sending-a-request). Results may be cached.
   */
  checkConfig(p: Uint8Array, g: number): void
  /**
   * Whether a peer's g_a / g_b may be used: 1 < v < p − 1 and, as recommended,
   * 2^(2048−64) ≤ v ≤ p − 2^(2048−64).
   */
  checkPublic(value: Uint8Array, p: Uint8Array): boolean
  /**
   * A fresh private exponent (2048 bits from the CSPRNG, with the server's `random`, if any,
   * mixed in, never used raw) and g^priv mod p as 256 big-endian bytes; a key pair whose public
   * value fails `checkPublic` is never returned.
   */
  keyPair(p: Uint8Array, g: number, serverRandom?: Uint8Array): { priv: Uint8Array; pub: Uint8Array }
  /** pub^priv mod p, left-padded with zeros to exactly 256 bytes. */
  shared(pub: Uint8Array, priv: Uint8Array, p: Uint8Array): Uint8Array
}

/**
 * The handshake's DH (src/auth/dh.ts) as a `SecretDh`: checkDhConfig, checkDhPublic,
 * generateDhKeyPair (server random mixed in by XOR) and computeDhSharedKey on the fastest
 * constant-time modexp the runtime has.
 */
export function handshakeDh(crypto: Crypto): SecretDh {
  return {
    checkConfig: (p, g) => checkDhConfig(p, g),
    checkPublic(value, p) {
      try {
        checkDhPublic(value, p)
        return true
      } catch (e) {
        if (e instanceof HandshakeError) return false
        throw e
      }
    },
    keyPair(p, g, serverRandom) {
      const k = generateDhKeyPair(crypto, p, g, serverRandom)
      return { priv: k.secret, pub: k.publicKey }
    },
    shared: (pub, priv, p) => computeDhSharedKey(priv, pub, p),
  }
}
