/**
 * "Client decomposes pq into prime factors such that p < q" (auth_key, step 3): Pollard–Brent
 * in WASM (64-bit Montgomery), BigInt where WebAssembly is missing; both find the same p and q.
 * pq comes from the server, so everything is bounded: at most 8 bytes, a cap on the steps, and a
 * deterministic primality test when a run finds no factor (a prime pq would never factor; a
 * factor found proves pq composite, so the usual case skips the test).
 */
import { CryptoError } from '../../errors.js'
import { pqFactorBigInt } from '../js/pq.js'
import { toBigInt } from './convert.js'
import { isPrime32 } from './prime.js'
import { wasmIsPrime32, wasmPqFactor } from './wasm.js'

export interface PqFactors {
  readonly p: bigint
  readonly q: bigint
}

const MR_BASES = [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]

function powMod(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n
  b %= m
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m
    b = (b * b) % m
    e >>= 1n
  }
  return r
}

/** Deterministic Miller–Rabin for n < 2^64 (the first 12 primes as bases suffice below 3.3·10^24). */
export function isPrime64(n: bigint): boolean {
  if (n < 2n) return false
  for (const p of MR_BASES) {
    if (n === p) return true
    if (n % p === 0n) return false
  }
  let d = n - 1n
  let s = 0
  while ((d & 1n) === 0n) {
    d >>= 1n
    s++
  }
  outer: for (const a of MR_BASES) {
    let x = powMod(a, d, n)
    if (x === 1n || x === n - 1n) continue
    for (let i = 1; i < s; i++) {
      x = (x * x) % n
      if (x === n - 1n) continue outer
    }
    return false
  }
  return true
}

/**
 * Below 2^32, where Telegram's p and q are: WASM's 64-bit integers (isPrime32 in JavaScript splits
 * its products into doubles and takes their remainders by library call: a tenth of a typical
 * factorization for the two factors), the same test on Numbers without WASM; isPrime64 above.
 */
function isPrime(n: bigint, wasm: boolean): boolean {
  if (n >= 1n << 32n) return isPrime64(n)
  return (wasm ? wasmIsPrime32(Number(n)) : undefined) ?? isPrime32(Number(n))
}

export interface FactorOptions {
  /** Use WASM where available (default true); false forces the BigInt path (tests, benchmarks). */
  wasm?: boolean
  /** Steps per attempt, as a power of two (default 21: 2 M steps, 32 times the ~2^16 a 64-bit pq needs on average). */
  maxLog2?: number
  /** Attempts with different constants c before giving up (default 4). */
  attempts?: number
}

/**
 * Factors pq into its two prime factors p < q. Throws `CryptoError` `E_PQ` when pq is not the
 * product of two distinct odd primes below 2^64 (the spec's "product of two different odd prime
 * numbers"), or does not factor within the step cap.
 */
export function factorizePq(pq: Uint8Array | bigint, opts: FactorOptions = {}): PqFactors {
  if (typeof pq !== 'bigint' && pq.length > 8) throw new CryptoError('E_PQ', `pq is ${pq.length} bytes; at most 8 are allowed`)
  const n = typeof pq === 'bigint' ? pq : toBigInt(pq)
  if (n < 15n || n >= 1n << 64n) throw new CryptoError('E_PQ', 'pq is out of range')
  if ((n & 1n) === 0n) throw new CryptoError('E_PQ', 'pq is even')
  const maxLog2 = opts.maxLog2 ?? 21
  const attempts = opts.attempts ?? 4
  for (let c = 1n; c <= BigInt(attempts); c++) {
    const x0 = 2n
    let f = opts.wasm === false ? undefined : wasmPqFactor(n, c, x0, maxLog2)
    if (f === undefined) f = pqFactorBigInt(n, c, x0, maxLog2)
    if (f === 0n) {
      // no factor: a prime pq never gives one (say so at once), a composite one may with another c
      if (c === 1n && isPrime64(n)) throw new CryptoError('E_PQ', 'pq is prime')
      continue
    }
    const g = n / f
    const [p, q] = f < g ? [f, g] : [g, f]
    const w = opts.wasm !== false
    if (p === q || !isPrime(p, w) || !isPrime(q, w)) throw new CryptoError('E_PQ', 'pq is not the product of two distinct primes')
    return { p, q }
  }
  throw new CryptoError('E_PQ', 'pq did not factor within the step limit')
}
