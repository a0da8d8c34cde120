/**
 * "Client decomposes pq into prime factors such that p < q" (auth_key, step 3): Pollard–Brent
 * in WASM (64-bit Montgomery), BigInt where WebAssembly is missing; both find the same p and q.
 * pq comes from the server, so everything is bounded: at most 8 bytes, a deterministic
 * primality test first (a prime pq would never factor), and a cap on the steps.
 */
import { CryptoError } from '../../errors.js'
import { pqFactorBigInt } from '../js/pq.js'
import { toBigInt } from './convert.js'
import { wasmPqFactor } from './wasm.js'

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

export interface FactorOptions {
  /** Use WASM where available (default true); false forces the BigInt path (tests, benchmarks). */
  wasm?: boolean
  /** Steps per attempt, as a power of two (default 24: ~16 M steps, far above the ~2^17 a 64-bit pq needs). */
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
  if (isPrime64(n)) throw new CryptoError('E_PQ', 'pq is prime')
  const maxLog2 = opts.maxLog2 ?? 24
  const attempts = opts.attempts ?? 4
  for (let c = 1n; c <= BigInt(attempts); c++) {
    const x0 = 2n
    let f = opts.wasm === false ? undefined : wasmPqFactor(n, c, x0, maxLog2)
    if (f === undefined) f = pqFactorBigInt(n, c, x0, maxLog2)
    if (f === 0n) continue
    const g = n / f
    const [p, q] = f < g ? [f, g] : [g, f]
    if (p === q || !isPrime64(p) || !isPrime64(q)) throw new CryptoError('E_PQ', 'pq is not the product of two distinct primes')
    return { p, q }
  }
  throw new CryptoError('E_PQ', 'pq did not factor within the step limit')
}
