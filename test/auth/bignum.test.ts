/**
 * src/crypto/bignum/: every provider (node:crypto, WASM Montgomery, BigInt) against a reference
 * on random inputs of many sizes; raw RSA against node:crypto's own keys; pq factorization on
 * both paths; primality; the WASM memory wiped after use.
 */
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bignumBackend, modMul, modPow, modSub, mulAdd, rsaPrivate, rsaPublic } from '../../src/crypto/bignum/index.js'
import { _bignumMemory, _useSimd, wasmBignum, wasmModExpCore } from '../../src/crypto/bignum/wasm.js'
import { nodeBignumProvider } from '../../src/node/bignum.js'
import { TELEGRAM_DH_PRIME } from '../../src/auth/dh.js'
import { factorizePq, isPrime64 } from '../../src/crypto/bignum/pq.js'
import { isPrime32, isProbablePrime, randomPrime32 } from '../../src/crypto/bignum/prime.js'
import { wasmIsPrime32 } from '../../src/crypto/bignum/wasm.js'
import { CryptoError } from '../../src/errors.js'
import { big, bytes, PATHS, prng, refModPow } from './helpers.js'

const r = prng(1)

function oddModulus(bits: number): bigint {
  const b = r.bytes(Math.ceil(bits / 8))
  let n = big(b) & ((1n << BigInt(bits)) - 1n)
  n |= 1n << BigInt(bits - 1)
  return n | 1n
}

const scalarPath = { name: 'wasm scalar core', opts: { native: false as const }, scalar: true }
describe.each([...PATHS, scalarPath])('modPow on $name', ({ opts, ...rest }) => {
  const scalar = 'scalar' in rest
  beforeAll(() => _useSimd(!scalar))
  afterAll(() => _useSimd(true))
  it('matches the reference for moduli of 3..4096 bits, any exponent, secret or not', () => {
    const sizes = [3, 8, 31, 32, 33, 64, 100, 255, 256, 257, 512, 1000, 1024, 2047, 2048, 3072, 4096]
    for (const bits of sizes) {
      const n = oddModulus(bits)
      const len = Math.ceil(bits / 8)
      for (let i = 0; i < 2; i++) {
        const base = big(r.bytes(len + 1)) % n
        const expLen = [0, 1, 8, len, len + 3][r.int(5)]
        const exp = r.bytes(expLen)
        for (const secret of [true, false]) {
          const got = modPow(bytes(base, len), exp, bytes(n, len), { ...opts, secret })
          expect(got.length, `${bits} bits`).toBe(len)
          expect(big(got), `${bits} bits, exp ${expLen} bytes`).toBe(refModPow(base, big(exp), n))
        }
      }
    }
  })
  it('small bases (the fixed-base comb on the SIMD core): any exponent length, moduli and bases switching', () => {
    const moduli = [oddModulus(2048), oddModulus(1024), oddModulus(2048)]
    for (let round = 0; round < 2; round++) {
      for (const n of moduli) {
        const len = n.toString(16).length / 2
        for (const g of [2n, 3n, 7n, 255n]) {
          for (const elen of [8, 9, 33, 256, 300]) {
            const x = r.bytes(elen)
            expect(big(modPow(bytes(g, len), x, bytes(n, len), { ...opts, secret: true })), `g=${g} exp ${elen} B`).toBe(refModPow(g, big(x), n))
          }
        }
      }
    }
  })
  it('edge values: base 0, 1, n − 1; exponent 0, 1', () => {
    const n = oddModulus(2048)
    for (const base of [0n, 1n, 2n, n - 1n]) {
      for (const e of [0n, 1n, 2n, 65537n]) {
        expect(big(modPow(bytes(base, 256), bytes(e, 4), bytes(n, 256), opts))).toBe(refModPow(base, e, n))
      }
    }
  })
})

describe.each(PATHS)('modMul, modSub, mulAdd on $name', ({ opts }) => {
  it('match BigInt on random operands', () => {
    for (const bits of [5, 64, 255, 2048, 4096]) {
      const n = oddModulus(bits)
      const len = Math.ceil(bits / 8)
      for (let i = 0; i < 5; i++) {
        const a = big(r.bytes(len + 2)) % n, b = big(r.bytes(len + 2)) % n
        expect(big(modMul(bytes(a, len), bytes(b, len), bytes(n, len), opts))).toBe((a * b) % n)
        expect(big(modSub(bytes(a, len), bytes(b, len), bytes(n, len), opts))).toBe((((a - b) % n) + n) % n)
        expect(big(modSub(bytes(a, len), bytes(a, len), bytes(n, len), opts))).toBe(0n)
      }
    }
    for (const [la, lb, lc] of [[32, 32, 256], [1, 1, 1], [64, 64, 64], [256, 200, 255]]) {
      const a = r.bytes(la), b = r.bytes(lb), c = r.bytes(lc)
      const len = Math.max(la + lb, lc) + 1
      const got = mulAdd(a, b, c, len, opts)
      expect(got.length).toBe(len)
      expect(big(got)).toBe(big(a) * big(b) + big(c))
    }
    expect(() => mulAdd(r.bytes(32), r.bytes(32), new Uint8Array(0), 32, opts)).toThrow(/fit/)
  })
})

describe('providers', () => {
  it('each path runs where it should (no silent fallback), and Node has the SIMD core', () => {
    expect(PATHS.map((p) => bignumBackend(p.opts))).toEqual(['node:crypto', 'wasm', 'bigint'])
    expect(wasmModExpCore()).toBe('simd')
  })
  it('node:crypto and WASM answer themselves (a decline would fall back silently): fresh exponent, then the same one again', () => {
    const P = big(TELEGRAM_DH_PRIME)
    const g = bytes(3n, 256)
    for (const p of [nodeBignumProvider, wasmBignum()!]) {
      for (let i = 0; i < 3; i++) {
        const x = r.bytes(256)
        const gx = p.modPow!(g, x, TELEGRAM_DH_PRIME, true)
        expect(gx, `${p.name} g^x`).toBeDefined()
        expect(big(gx!)).toBe(refModPow(3n, big(x), P))
        // the second exponentiation with the same secret (node:crypto: a derive on the cached key)
        const y = bytes(refModPow(5n, big(r.bytes(256)), P), 256)
        const yx = p.modPow!(y, x, TELEGRAM_DH_PRIME, true)
        expect(yx, `${p.name} y^x`).toBeDefined()
        expect(big(yx!)).toBe(refModPow(big(y), big(x), P))
        // the same array with new content must not hit the cache
        x.set(r.bytes(256))
        expect(big(p.modPow!(y, x, TELEGRAM_DH_PRIME, true)!)).toBe(refModPow(big(y), big(x), P))
      }
    }
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const j = privateKey.export({ format: 'jwk' })
    const u = (s: string | undefined) => new Uint8Array(Buffer.from(s!, 'base64url'))
    const key = { n: u(j.n), e: u(j.e), d: u(j.d), p: u(j.p), q: u(j.q), dp: u(j.dp), dq: u(j.dq), qinv: u(j.qi) }
    for (const p of [nodeBignumProvider, wasmBignum()!]) {
      expect(p.rsaPublic!(key, bytes(7n, 256)), p.name).toBeDefined()
      expect(p.rsaPrivate!(key, bytes(7n, 256)), p.name).toBeDefined()
    }
  })
  it('the WASM memory holds no secret after an exponentiation or an RSA decryption', () => {
    const n = oddModulus(2048)
    modPow(bytes(5n, 256), r.bytes(256), bytes(n, 256), { native: false, secret: true })
    expect(_bignumMemory('simd')!.subarray(0, 0x6000).every((b) => b === 0)).toBe(true)
    _useSimd(false)
    modPow(bytes(5n, 256), r.bytes(256), bytes(n, 256), { native: false, secret: true })
    _useSimd(true)
    expect(_bignumMemory()!.subarray(0, 0x6420).every((b) => b === 0)).toBe(true)
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const j = privateKey.export({ format: 'jwk' })
    const u = (s: string | undefined) => new Uint8Array(Buffer.from(s!, 'base64url'))
    const key = { n: u(j.n), e: u(j.e), d: u(j.d), p: u(j.p), q: u(j.q), dp: u(j.dp), dq: u(j.dq), qinv: u(j.qi) }
    rsaPrivate(key, bytes(12345n, 256), { native: false })
    expect(_bignumMemory()!.subarray(0, 0x6000).every((b) => b === 0)).toBe(true)
  })
})

describe('modPow arguments', () => {
  it('refuses an even modulus, a modulus ≤ 1 and a base ≥ the modulus', () => {
    expect(() => modPow(bytes(2n, 1), bytes(3n, 1), bytes(10n, 1))).toThrow(CryptoError)
    expect(() => modPow(bytes(0n, 1), bytes(3n, 1), bytes(1n, 1))).toThrow(/odd and greater than 1/)
    expect(() => modPow(bytes(11n, 1), bytes(3n, 1), bytes(11n, 1))).toThrow(/below the modulus/)
  })
})

describe('raw RSA', () => {
  for (const bits of [1024, 2048, 2056, 4096]) {
    it(`${bits}-bit keys: every path equals node:crypto's RSA_NO_PADDING both ways`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits })
      const j = privateKey.export({ format: 'jwk' })
      const u = (s: string | undefined) => new Uint8Array(Buffer.from(s!, 'base64url'))
      const key = { n: u(j.n), e: u(j.e), d: u(j.d), p: u(j.p), q: u(j.q), dp: u(j.dp), dq: u(j.dq), qinv: u(j.qi) }
      const len = key.n.length
      for (let i = 0; i < 3; i++) {
        const m = bytes(big(r.bytes(len)) % big(key.n), len)
        const c = new Uint8Array(publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, m))
        for (const path of PATHS) {
          expect(Buffer.from(rsaPublic(key, m, path.opts)).toString('hex'), path.name).toBe(Buffer.from(c).toString('hex'))
          expect(Buffer.from(rsaPrivate(key, c, path.opts)).toString('hex'), path.name).toBe(Buffer.from(m).toString('hex'))
        }
        expect(Buffer.from(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, c)).toString('hex')).toBe(Buffer.from(m).toString('hex'))
      }
    })
  }
  it('refuses a block ≥ n', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const j = privateKey.export({ format: 'jwk' })
    const n = new Uint8Array(Buffer.from(j.n!, 'base64url'))
    expect(() => rsaPublic({ n, e: Uint8Array.of(1, 0, 1) }, n)).toThrow(/below the modulus/)
  })
})

describe('pq factorization', () => {
  const primes = (count: number, seed: number) => {
    const g = prng(seed)
    return Array.from({ length: count }, () => randomPrime32(2 ** 30, 2 ** 32, () => Math.floor(g.next() * 2 ** 32)))
  }
  it('factors products of two 31–32-bit primes, WASM and BigInt alike, p < q', () => {
    const ps = primes(24, 9)
    for (let i = 0; i < ps.length; i += 2) {
      const [a, b] = [BigInt(ps[i]), BigInt(ps[i + 1])]
      if (a === b) continue
      const [p, q] = a < b ? [a, b] : [b, a]
      for (const wasm of [true, false]) expect(factorizePq(bytes(a * b, 8), { wasm }), `${a}·${b}`).toEqual({ p, q })
    }
  })
  it('the official samples: pq = 0x17ED48941A08F981 and grammers’ pq', () => {
    expect(factorizePq(0x17ed48941a08f981n)).toEqual({ p: 0x494c553bn, q: 0x53911073n })
    expect(factorizePq(2694724800268887959n)).toEqual({ p: 1513098571n, q: 1780931429n })
    expect(factorizePq(0x44b2e50dn * 0x5e63ac81n)).toEqual({ p: 0x44b2e50dn, q: 0x5e63ac81n })
  })
  it('pq ≥ 2^63 (two 32-bit primes) and tiny products', () => {
    const [a, b] = [4294967291n, 4294967279n]
    for (const wasm of [true, false]) expect(factorizePq(a * b, { wasm })).toEqual({ p: b, q: a })
    expect(factorizePq(15n)).toEqual({ p: 3n, q: 5n })
    expect(factorizePq(3n * 1000000007n)).toEqual({ p: 3n, q: 1000000007n })
  })
  it('refuses a prime, an even number, three factors, a square, more than 8 bytes', () => {
    const bad: (bigint | Uint8Array)[] = [2147483647n, 1n << 40n, 3n * 5n * 7n * 11n, 65521n * 65521n, new Uint8Array(9).fill(1), 0n, 9n]
    for (const pq of bad) expect(() => factorizePq(pq), String(pq)).toThrow(CryptoError)
  })
})

describe('primality', () => {
  it('isPrime32 and isPrime64 agree with trial division near 2^31 and 2^32', () => {
    const trial = (n: number) => {
      if (n < 2) return false
      for (let d = 2; d * d <= n; d++) if (n % d === 0) return false
      return true
    }
    for (const base of [2 ** 31 - 500, 2 ** 32 - 500, 1000]) {
      for (let n = base; n < base + 500; n++) {
        expect(isPrime32(n), String(n)).toBe(trial(n))
        expect(isPrime64(BigInt(n)), String(n)).toBe(trial(n))
      }
    }
    expect(isPrime64(18446744073709551557n)).toBe(true) // the largest prime below 2^64
    // the WASM test (64-bit integers) agrees with both, there and on strong pseudoprimes to some of its bases
    for (const base of [2 ** 31 - 500, 2 ** 32 - 500, 0]) {
      for (let n = base; n < base + 500; n++) expect(wasmIsPrime32(n), String(n)).toBe(trial(n))
    }
    for (const n of [2047, 3277, 4033, 4681, 8321, 25326001, 3215031751, 4294967291, 4294967295, 2 ** 31 - 1]) {
      expect(wasmIsPrime32(n), String(n)).toBe(isPrime64(BigInt(n)))
    }
    expect(isPrime64(3215031751n)).toBe(false) // a strong pseudoprime to bases 2, 3, 5, 7
  })
  it.each(PATHS)('isProbablePrime on $name: primes, composites, Carmichael numbers', ({ opts }) => {
    const p = 2n ** 521n - 1n
    expect(isProbablePrime(bytes(p, 66), { ...opts, rounds: 8 })).toBe(true)
    expect(isProbablePrime(bytes(p * 3n, 67), { ...opts, rounds: 8 })).toBe(false)
    expect(isProbablePrime(bytes((2n ** 127n - 1n) * (2n ** 89n - 1n), 27), { ...opts, rounds: 8 })).toBe(false)
    expect(isProbablePrime(bytes(561n, 2), opts)).toBe(false)
    expect(isProbablePrime(bytes(41041n, 3), opts)).toBe(false)
    expect(isProbablePrime(bytes(1999n, 2), opts)).toBe(true)
  })
})
