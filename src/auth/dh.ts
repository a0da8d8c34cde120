/**
 * Diffie–Hellman for auth keys (core.telegram.org/mtproto/auth_key) and secret chats
 * (core.telegram.org/api/end-to-end): the known prime, the checks on dh_prime, g, g_a and g_b,
 * and key pairs and shared secrets on the fastest constant-time modexp available
 * (node:crypto on Node, WASM Montgomery elsewhere, BigInt without WebAssembly: not constant-time).
 *
 * Exported names are stable: secret chats (src/secret/) build on them.
 */
import type { Crypto } from '../crypto/types.js'
import { fromBigInt, leftPad, modPow, stripLeadingZeros, toBigInt, type BignumOptions } from '../crypto/bignum/index.js'
import { isSafePrime, type PrimeOptions } from '../crypto/bignum/prime.js'
import { fromHex } from '../bytes.js'
import { fail } from './errors.js'

/**
 * "current value of dh_prime equals (in big-endian byte order) C7 1C AE B9 … 2F CC 5B"
 * (auth_key, step 6): the 2048-bit safe prime Telegram's servers send, with g = 3.
 */
export const TELEGRAM_DH_PRIME_HEX =
  'c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37' +
  '20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f642477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4' +
  'a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4' +
  'e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b'

/** The known prime as 256 bytes (shared: do not write to it). */
export const TELEGRAM_DH_PRIME: Uint8Array = /* @__PURE__ */ fromHex(TELEGRAM_DH_PRIME_HEX)!

/** The generator Telegram's servers use with `TELEGRAM_DH_PRIME`. */
export const TELEGRAM_DH_G = 3

/** Size of the DH prime and of every value derived from it (g_a, g_b, auth_key), in bytes. */
export const DH_BYTES = 256

function hexOf(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, '0')
  return s
}

/**
 * Checks DH parameters as the spec requires of a client (and of secret chats):
 *
 * "Client is expected to check whether p = dh_prime is a safe 2048-bit prime (meaning that both
 * p and (p-1)/2 are prime, and that 2^2047 < p < 2^2048), and that g generates a cyclic subgroup
 * of prime order (p-1)/2, i.e. is a quadratic residue mod p. … p mod 8 = 7 for g = 2; p mod 3 = 2
 * for g = 3; no extra condition for g = 4; p mod 5 = 1 or 4 for g = 5; p mod 24 = 19 or 23 for
 * g = 6; and p mod 7 = 3, 5 or 6 for g = 7. After g and p have been checked by the client, it
 * makes sense to cache the result" (auth_key, step 6).
 *
 * The known prime is accepted without computation; any other is tested once (Miller–Rabin with
 * random bases on (p−1)/2, then a Pocklington proof for p; see prime.ts) and the result cached.
 * Throws `HandshakeError` `E_DH_PRIME` or `E_DH_G`.
 */
export function checkDhConfig(prime: Uint8Array, g: number, opts?: PrimeOptions): void {
  if (!(prime instanceof Uint8Array)) fail('E_OPTION', 'prime must be a Uint8Array')
  const p = stripLeadingZeros(prime)
  // 2^2047 < p < 2^2048: exactly 256 significant bytes with the top bit set (p odd, so ≠ 2^2047)
  if (p.length !== DH_BYTES || p[0] < 0x80) fail('E_DH_PRIME', `dh_prime is not a 2048-bit number (${p.length} significant bytes)`)
  if (!Number.isInteger(g) || g < 2 || g > 7) fail('E_DH_G', `g must be one of 2..7, got ${g}`)
  const P = toBigInt(p)
  const mod = (m: number): number => Number(P % BigInt(m))
  const residue =
    g === 2 ? mod(8) === 7
    : g === 3 ? mod(3) === 2
    : g === 4 ? true
    : g === 5 ? mod(5) === 1 || mod(5) === 4
    : g === 6 ? mod(24) === 19 || mod(24) === 23
    : [3, 5, 6].includes(mod(7))
  if (!residue) fail('E_DH_G', `g = ${g} is not a quadratic residue modulo dh_prime (it does not generate the subgroup of order (p-1)/2)`)
  if (hexOf(p) !== TELEGRAM_DH_PRIME_HEX && !isSafePrime(p, opts)) fail('E_DH_PRIME', 'dh_prime is not a safe prime')
}

const MARGIN = /* @__PURE__ */ (() => 1n << 1984n)() // 2^(2048-64)

/**
 * "both sides are to check that g, g_a and g_b are greater than 1 and less than dh_prime - 1. We
 * recommend checking that g_a and g_b are between 2^{2048-64} and dh_prime - 2^{2048-64} as well"
 * (auth_key, "IMPORTANT"). Both checks, always. `name` goes into the message. Public values, so
 * the comparison may exit early. Throws `HandshakeError` `E_DH_RANGE`.
 */
export function checkDhPublic(value: Uint8Array, prime: Uint8Array, name = 'g_a'): void {
  if (!(value instanceof Uint8Array) || !(prime instanceof Uint8Array)) fail('E_OPTION', 'value and prime must be Uint8Arrays')
  const v = toBigInt(value)
  const p = toBigInt(prime)
  if (!(v > 1n && v < p - 1n)) fail('E_DH_RANGE', `${name} is not in 1 < ${name} < dh_prime − 1`)
  if (v < MARGIN || v > p - MARGIN) fail('E_DH_RANGE', `${name} is not in 2^1984 ≤ ${name} ≤ dh_prime − 2^1984`)
}

/** A DH key pair: the secret exponent and g^secret mod p, both 256 bytes. */
export interface DhKeyPair {
  /** The 2048-bit secret exponent (a or b). Zero it (`fill(0)`) once the shared key is computed. */
  readonly secret: Uint8Array
  /** g^secret mod p, left-padded to 256 bytes: g_a or g_b as sent. */
  readonly publicKey: Uint8Array
}

/**
 * g^secret mod p for a given 256-byte secret (the deterministic half of `generateDhKeyPair`, for
 * replaying recorded exchanges). Does not check the result's range: `generateDhKeyPair` does.
 */
export function dhPublicKey(secret: Uint8Array, prime: Uint8Array, g: number, opts?: BignumOptions): Uint8Array {
  const p = stripLeadingZeros(prime)
  return modPow(fromBigInt(BigInt(g), p.length), secret, p, { ...opts, secret: true })
}

/**
 * A fresh key pair for checked parameters (`checkDhConfig` first). The secret is 2048 random bits
 * from `crypto`'s RNG; `serverRandom` (messages.getDhConfig's `random`) is mixed in by XOR, as
 * "the client should use server randomness only mixed with its own entropy, never raw or as a
 * seed" (end-to-end; security_guidelines). A public key outside the recommended range (chance
 * ~2^-63) is regenerated, as the other side would refuse it.
 */
export function generateDhKeyPair(crypto: Crypto, prime: Uint8Array, g: number, serverRandom?: Uint8Array, opts?: BignumOptions): DhKeyPair {
  for (;;) {
    const secret = crypto.randomBytes(DH_BYTES)
    if (serverRandom) for (let i = 0; i < DH_BYTES && i < serverRandom.length; i++) secret[i] ^= serverRandom[i]
    const publicKey = dhPublicKey(secret, prime, g, opts)
    try {
      checkDhPublic(publicKey, prime, 'g^secret')
    } catch {
      secret.fill(0)
      continue
    }
    return { secret, publicKey }
  }
}

/**
 * The shared key peerPublic^secret mod p, "left-padded with zeros to exactly 256 bytes"
 * (end-to-end): the auth_key or the secret-chat key. Checks `peerPublic` first
 * (`checkDhPublic`, `E_DH_RANGE`).
 */
export function computeDhSharedKey(secret: Uint8Array, peerPublic: Uint8Array, prime: Uint8Array, opts?: BignumOptions): Uint8Array {
  checkDhPublic(peerPublic, prime, 'peer public key')
  const p = stripLeadingZeros(prime)
  const base = leftPad(peerPublic, p.length)!
  return modPow(base, secret, p, { ...opts, secret: true })
}
