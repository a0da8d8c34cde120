/**
 * pq factorization on BigInt: Pollard–Brent (the product of 128 differences per gcd), the
 * fallback for runtimes without WebAssembly, mirroring assembly/bignum/pq.ts. pq is public.
 */

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

/**
 * A non-trivial factor of the odd composite n found with x ↦ x² + c from x0 in at most
 * 2^maxLog2 steps, or 0n (prime n, or an unlucky c).
 */
export function pqFactorBigInt(n: bigint, c: bigint, x0: bigint, maxLog2: number): bigint {
  const f = (v: bigint): bigint => (v * v + c) % n
  const limit = 1n << BigInt(maxLog2)
  const m = 128n
  let y = x0 % n
  let x = 0n, ys = 0n
  let q = 1n, g = 1n, r = 1n
  while (g === 1n) {
    x = y
    for (let i = 0n; i < r; i++) y = f(y)
    for (let k = 0n; k < r && g === 1n; k += m) {
      ys = y
      const steps = m < r - k ? m : r - k
      for (let i = 0n; i < steps; i++) {
        y = f(y)
        q = (q * (x > y ? x - y : y - x)) % n
      }
      g = gcd(q, n)
    }
    r <<= 1n
    if (r > limit) return 0n
  }
  if (g === n) {
    do {
      ys = f(ys)
      g = gcd(x > ys ? x - ys : ys - x, n)
    } while (g === 1n)
  }
  return g === n ? 0n : g
}
