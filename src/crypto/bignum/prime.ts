/**
 * Primality: Miller–Rabin with random bases for big numbers (an unknown DH prime), a
 * deterministic test for numbers below 2^32 (the server's p and q), and the safe-prime check
 * the handshake and secret chats need, with its results cached.
 */
import { CryptoError } from '../../errors.js'
import { getPlatform } from '../platform.js'
import { fromBigInt, stripLeadingZeros, toBigInt } from './convert.js'
import { modPow, nativeIsProbablePrime } from './index.js'
import type { BignumOptions } from './provider.js'

/** The odd primes below 2000 (trial division before Miller–Rabin). */
const SMALL_PRIMES: number[] = /* @__PURE__ */ (() => {
  const ps: number[] = []
  for (let n = 3; n < 2000; n += 2) if (ps.every((p) => n % p !== 0)) ps.push(n)
  return ps
})()

export interface PrimeOptions extends BignumOptions {
  /** Miller–Rabin rounds with random bases (default 40: error ≤ 2^-80 even for adversarial input). */
  rounds?: number
  /** CSPRNG for the bases; default the platform's. */
  random?: (b: Uint8Array) => void
}

function randomFill(opts: PrimeOptions | undefined): (b: Uint8Array) => void {
  const f = opts?.random ?? getPlatform().getRandomValues
  if (!f) throw new CryptoError('E_NO_RANDOM', 'no CSPRNG: this runtime has no crypto.getRandomValues; pass options.random')
  return f
}

/** A uniform random integer in [lo, hi] (hi − lo < 2^(8·len)). */
function randomBetween(lo: bigint, hi: bigint, fill: (b: Uint8Array) => void): bigint {
  const span = hi - lo + 1n
  const len = Math.ceil(span.toString(16).length / 2) + 8 // 64 extra bits: negligible modulo bias
  const b = new Uint8Array(len)
  fill(b)
  return lo + (toBigInt(b) % span)
}

/**
 * Miller–Rabin: whether `n` (big-endian) is probably prime. Trial division by the primes below
 * 2000, then base 2 and `rounds` − 1 random bases, each exponentiation by the fastest provider
 * (the exponent n − 1 is public). On Node, OpenSSL's own test (random bases) runs instead.
 */
export function isProbablePrime(n: Uint8Array, opts?: PrimeOptions): boolean {
  const N = toBigInt(n)
  if (N < 2n) return false
  if (N < 4n) return true
  if ((N & 1n) === 0n) return false
  for (const p of SMALL_PRIMES) {
    if (N === BigInt(p)) return true
    if (N % BigInt(p) === 0n) return false
  }
  const rounds = opts?.rounds ?? 40
  const native = nativeIsProbablePrime(stripLeadingZeros(n), rounds, opts)
  if (native !== undefined) return native
  const fill = randomFill(opts)
  const m = stripLeadingZeros(n)
  const n1 = N - 1n
  let d = n1
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  const dBytes = fromBigInt(d)
  for (let i = 0; i < rounds; i++) {
    const a = i === 0 ? 2n : randomBetween(2n, N - 2n, fill)
    let x = toBigInt(modPow(fromBigInt(a, m.length), dBytes, m, { ...opts, secret: false }))
    if (x === 1n || x === n1) continue
    let composite = true
    for (let r = 1; r < s; r++) {
      x = (x * x) % N
      if (x === n1) {
        composite = false
        break
      }
    }
    if (composite) return false
  }
  return true
}

/** Safe-prime results by prime (hex), most recent last; bounded. */
const safeCache = new Map<string, boolean>()
const SAFE_CACHE_MAX = 32

/**
 * Whether p is a safe prime: q = (p − 1)/2 prime by Miller–Rabin, and then p proven prime by
 * Pocklington's criterion (p − 1 = 2q with q prime > √p − 1, so 3^(p−1) ≡ 1 mod p and
 * gcd(3^2 − 1, p) = 1 suffice). One exponentiation mod p instead of a second Miller–Rabin.
 * Results are cached (the same server sends the same prime every time).
 */
export function isSafePrime(p: Uint8Array, opts?: PrimeOptions): boolean {
  const m = stripLeadingZeros(p)
  let key = ''
  for (let i = 0; i < m.length; i++) key += m[i].toString(16).padStart(2, '0')
  const cached = safeCache.get(key)
  if (cached !== undefined) return cached
  const P = toBigInt(m)
  let ok = false
  if (P > 7n && (P & 3n) === 3n && P % 3n === 2n) {
    // p ≡ 3 mod 4 (q odd) and p ≡ 2 mod 3 (else 3 divides p or q) hold for every safe prime > 7
    const q = fromBigInt((P - 1n) >> 1n)
    ok = isProbablePrime(q, opts) && toBigInt(modPow(fromBigInt(3n, m.length), fromBigInt(P - 1n), m, { ...opts, secret: false })) === 1n
  }
  safeCache.set(key, ok)
  if (safeCache.size > SAFE_CACHE_MAX) safeCache.delete(safeCache.keys().next().value!)
  return ok
}

/** For tests: forget the cached safe-prime results. */
export function clearPrimeCache(): void {
  safeCache.clear()
}

/** a·b mod n for a, b < n < 2^32, exact in doubles (products split to stay below 2^53). */
function mulMod32(a: number, b: number, n: number): number {
  const hi = ((a * (b >>> 16)) % n) * 65536
  return (hi + a * (b & 0xffff)) % n
}

function powMod32(a: number, e: number, n: number): number {
  let r = 1
  a %= n
  while (e > 0) {
    if (e & 1) r = mulMod32(r, a, n)
    a = mulMod32(a, a, n)
    e = Math.floor(e / 2)
  }
  return r
}

/** Deterministic primality for n < 2^32 (Miller–Rabin with bases 2, 7, 61: exact below 4 759 123 141). */
export function isPrime32(n: number): boolean {
  if (!Number.isInteger(n) || n < 2 || n > 0xffffffff) return false
  for (const p of [2, 3, 5, 7, 11, 13, 61]) {
    if (n === p) return true
    if (n % p === 0) return false
  }
  let d = n - 1
  let s = 0
  while (d % 2 === 0) {
    d /= 2
    s++
  }
  for (const a of [2, 7, 61]) {
    let x = powMod32(a, d, n)
    if (x === 1 || x === n - 1) continue
    let composite = true
    for (let r = 1; r < s; r++) {
      x = mulMod32(x, x, n)
      if (x === n - 1) {
        composite = false
        break
      }
    }
    if (composite) return false
  }
  return true
}

/** A random prime in [lo, hi) (both < 2^32), from `next32`, a source of uniform 32-bit numbers. */
export function randomPrime32(lo: number, hi: number, next32: () => number): number {
  for (;;) {
    const n = (lo + (next32() % (hi - lo))) | 1
    if (n < hi && isPrime32(n)) return n
  }
}
