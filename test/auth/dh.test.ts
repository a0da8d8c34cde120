/**
 * src/auth/dh.ts: the known prime, checkDhConfig (size, safe prime, g's residue rule, cache),
 * checkDhPublic (both ranges, at every boundary), key pairs and shared keys on every
 * big-number path, against the official samples-auth_key exchange.
 */
import { generatePrimeSync, getDiffieHellman } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  checkDhConfig, checkDhPublic, computeDhSharedKey, dhPublicKey, generateDhKeyPair,
  TELEGRAM_DH_G, TELEGRAM_DH_PRIME, TELEGRAM_DH_PRIME_HEX,
} from '../../src/auth/dh.js'
import { HandshakeError } from '../../src/errors.js'
import { clearPrimeCache, isSafePrime } from '../../src/crypto/bignum/prime.js'
import { samplesAuthKey as S } from '../vectors/samples-auth-key.js'
import { big, bytes, hex, PATHS, prng, refModPow, seededCrypto, unhex } from './helpers.js'

const P = big(TELEGRAM_DH_PRIME)
const code = (f: () => unknown): string | undefined => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(HandshakeError)
    return (e as HandshakeError).code
  }
  return undefined
}

describe('the known prime', () => {
  it('is the prime of the spec and of the pinned samples-auth_key page, with g = 3', () => {
    expect(TELEGRAM_DH_PRIME_HEX.slice(0, 8)).toBe('c71caeb9') // "C7 1C AE B9 … 2F CC 5B"
    expect(TELEGRAM_DH_PRIME_HEX.slice(-6)).toBe('2fcc5b')
    expect(hex(TELEGRAM_DH_PRIME)).toBe(S.dhPrime)
    expect(TELEGRAM_DH_G).toBe(Number(S.g))
  })
  it('is a safe prime by our own test too (not only by the shortcut)', () => {
    clearPrimeCache()
    expect(isSafePrime(TELEGRAM_DH_PRIME, { native: false, rounds: 4 })).toBe(true)
  })
})

describe('checkDhConfig', () => {
  it('accepts the known prime with g = 3 (and 4, which needs no condition)', () => {
    expect(code(() => checkDhConfig(TELEGRAM_DH_PRIME, 3))).toBeUndefined()
    expect(code(() => checkDhConfig(TELEGRAM_DH_PRIME, 4))).toBeUndefined()
  })
  it("applies g's residue rule for every g in 2..7", () => {
    // P mod 8, 5, 24, 7 decide; rebuild the expectation from the spec's table
    const ok: Record<number, boolean> = {
      2: P % 8n === 7n, 3: P % 3n === 2n, 4: true, 5: [1n, 4n].includes(P % 5n), 6: [19n, 23n].includes(P % 24n), 7: [3n, 5n, 6n].includes(P % 7n),
    }
    for (let g = 2; g <= 7; g++) expect(code(() => checkDhConfig(TELEGRAM_DH_PRIME, g))).toBe(ok[g] ? undefined : 'E_DH_G')
    // and the rule is not vacuous here: at least one g fails for this prime
    expect(Object.values(ok)).toContain(false)
  })
  it('refuses g outside 2..7', () => {
    for (const g of [-1, 0, 1, 8, 256, 2.5, NaN]) expect(code(() => checkDhConfig(TELEGRAM_DH_PRIME, g))).toBe('E_DH_G')
  })
  it('accepts another safe prime (RFC 3526 group 14, g = 2) by Miller–Rabin, on every path, and caches it', () => {
    const modp14 = new Uint8Array(getDiffieHellman('modp14').getPrime())
    for (const path of PATHS) {
      clearPrimeCache()
      expect(code(() => checkDhConfig(modp14, 2, { ...path.opts, rounds: 8 })), path.name).toBeUndefined()
    }
    const t0 = performance.now()
    for (let i = 0; i < 100; i++) checkDhConfig(modp14, 2, { native: false, wasm: false })
    expect(performance.now() - t0).toBeLessThan(1000) // cached: no Miller–Rabin on BigInt (≈ 1 s each)
  })
  it('refuses a 2048-bit prime that is not safe, and a composite', () => {
    const p = new Uint8Array(generatePrimeSync(2048, { safe: false }) as ArrayBuffer)
    p[255] |= 1
    const q = big(p)
    // force the shape checks (p ≡ 3 mod 4, p ≡ 2 mod 3) to pass so that Miller–Rabin decides
    for (let k = 0n; ; k += 2n) {
      const c = q + k
      if (c % 4n === 3n && c % 3n === 2n) {
        for (const path of PATHS.slice(0, 2)) {
          clearPrimeCache()
          expect(code(() => checkDhConfig(bytes(c, 256), 3, path.opts)), path.name).toBe('E_DH_PRIME')
        }
        break
      }
    }
    const composite = bytes(P * 1n + 4n * 3n, 256) // P + 12: ≡ P mod 4 and mod 3, divisible by neither rule
    clearPrimeCache()
    expect(code(() => checkDhConfig(composite, 3, { native: false }))).toBe('E_DH_PRIME')
  })
  it('refuses a prime of the wrong size', () => {
    expect(code(() => checkDhConfig(TELEGRAM_DH_PRIME.subarray(1), 3))).toBe('E_DH_PRIME')
    const p257 = new Uint8Array(257)
    p257.set(TELEGRAM_DH_PRIME, 0)
    p257[256] = 1
    expect(code(() => checkDhConfig(p257, 3))).toBe('E_DH_PRIME')
    const low = TELEGRAM_DH_PRIME.slice()
    low[0] = 0x7f
    expect(code(() => checkDhConfig(low, 3))).toBe('E_DH_PRIME')
    // leading zero bytes do not change the number
    const padded = new Uint8Array(258)
    padded.set(TELEGRAM_DH_PRIME, 2)
    expect(code(() => checkDhConfig(padded, 3))).toBeUndefined()
  })
})

describe('checkDhPublic', () => {
  const M = 1n << 1984n
  it('enforces 2^1984 ≤ v ≤ p − 2^1984 (and so 1 < v < p − 1) at every boundary', () => {
    const cases: [bigint, boolean][] = [
      [0n, false], [1n, false], [2n, false], [M - 1n, false], [M, true], [M + 1n, true],
      [P / 2n, true], [P - M - 1n, true], [P - M, true], [P - M + 1n, false], [P - 2n, false], [P - 1n, false], [P, false], [P + 1n, false],
    ]
    for (const [v, ok] of cases) {
      expect(code(() => checkDhPublic(bytes(v, 257), TELEGRAM_DH_PRIME)), v.toString(16)).toBe(ok ? undefined : 'E_DH_RANGE')
    }
    expect(code(() => checkDhPublic(new Uint8Array(0), TELEGRAM_DH_PRIME))).toBe('E_DH_RANGE')
  })
  it('accepts the sample g_a and g_b', () => {
    checkDhPublic(unhex(S.gA), TELEGRAM_DH_PRIME, 'g_a')
    checkDhPublic(unhex(S.gB), TELEGRAM_DH_PRIME, 'g_b')
  })
})

/** An exponent b with (g_a)^b mod p < 2^2040 (1 in 256), found once with node:crypto. */
let zero: { b: Uint8Array; gA: Uint8Array; key: bigint } | undefined
function zeroLed(): NonNullable<typeof zero> {
  if (zero) return zero
  const r = prng(3)
  const gA = unhex(S.gA)
  for (let i = 0; i < 5000; i++) {
    const b = r.bytes(256)
    const k = big(computeDhSharedKey(b, gA, TELEGRAM_DH_PRIME, PATHS[0].opts))
    if (k < 1n << 2040n) return (zero = { b, gA, key: refModPow(big(gA), big(b), P) })
  }
  throw new Error('no exponent with a leading zero byte found')
}

describe.each(PATHS)('DH on $name', ({ opts }) => {
  it('reproduces samples-auth_key: g_b = 3^b and auth_key = g_a^b', () => {
    expect(hex(dhPublicKey(unhex(S.b), TELEGRAM_DH_PRIME, 3, opts))).toBe(S.gB)
    expect(hex(computeDhSharedKey(unhex(S.b), unhex(S.gA), TELEGRAM_DH_PRIME, opts))).toBe(S.authKey)
  })
  it('key pairs agree, match a reference modexp, and keep leading zero bytes', () => {
    const crypto = seededCrypto(7)
    for (let i = 0; i < 3; i++) {
      const a = generateDhKeyPair(crypto, TELEGRAM_DH_PRIME, 3, undefined, opts)
      const b = generateDhKeyPair(crypto, TELEGRAM_DH_PRIME, 3, undefined, opts)
      expect(a.secret.length).toBe(256)
      expect(a.publicKey.length).toBe(256)
      expect(big(a.publicKey)).toBe(refModPow(3n, big(a.secret), P))
      const k1 = computeDhSharedKey(a.secret, b.publicKey, TELEGRAM_DH_PRIME, opts)
      const k2 = computeDhSharedKey(b.secret, a.publicKey, TELEGRAM_DH_PRIME, opts)
      expect(hex(k1)).toBe(hex(k2))
      expect(k1.length).toBe(256)
      expect(big(k1)).toBe(refModPow(big(b.publicKey), big(a.secret), P))
    }
  })
  it('a shared key whose first byte is zero stays 256 bytes', () => {
    const { b, gA, key } = zeroLed()
    const k = computeDhSharedKey(b, gA, TELEGRAM_DH_PRIME, opts)
    expect(k.length).toBe(256)
    expect(k[0]).toBe(0)
    expect(big(k)).toBe(key)
  })
  it('mixes server randomness into the secret by XOR', () => {
    const server = prng(11).bytes(256)
    const a = generateDhKeyPair(seededCrypto(5), TELEGRAM_DH_PRIME, 3, undefined, opts)
    const b = generateDhKeyPair(seededCrypto(5), TELEGRAM_DH_PRIME, 3, server, opts)
    expect(hex(b.secret)).toBe(hex(a.secret.map((x, i) => x ^ server[i])))
    expect(big(b.publicKey)).toBe(refModPow(3n, big(b.secret), P))
  })
  it('refuses a peer public key out of range', () => {
    expect(code(() => computeDhSharedKey(unhex(S.b), bytes(1n, 256), TELEGRAM_DH_PRIME, opts))).toBe('E_DH_RANGE')
    expect(code(() => computeDhSharedKey(unhex(S.b), bytes(P - 1n, 256), TELEGRAM_DH_PRIME, opts))).toBe('E_DH_RANGE')
  })
})
