// pq factorization for the handshake: Pollard–Brent (Brent 1980, with the product of 128
// differences per gcd) in 64-bit Montgomery arithmetic, R = 2^64. pq is public, so nothing here
// needs to be constant-time.
import { PQ } from './layout'

// @ts-ignore: decorator
@inline function mulhi(a: u64, b: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32, b0 = b & 0xffffffff, b1 = b >> 32
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff)
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32)
}

let n: u64 = 0
let nlo: u64 = 0 // n's 32-bit halves, for mulhi(m, n)
let nhi: u64 = 0
let ninv: u64 = 0 // -n^(-1) mod 2^64
let wide = false // n ≥ 2^63: the sum in mont() may carry out of 64 bits

/** The high 64 bits of m·n (n's halves precomputed). */
// @ts-ignore: decorator
@inline function mulhiN(m: u64): u64 {
  const m0 = m & 0xffffffff, m1 = m >> 32
  const p00 = m0 * nlo, p01 = m0 * nhi, p10 = m1 * nlo
  const mid = (p00 >> 32) + (p01 & 0xffffffff) + (p10 & 0xffffffff)
  return m1 * nhi + (p01 >> 32) + (p10 >> 32) + (mid >> 32)
}

/** t·2^(-64) mod n for t = hi·2^64 + lo < n·2^64 (Montgomery reduction). */
// @ts-ignore: decorator
@inline function redc(hi: u64, lo: u64): u64 {
  const m = lo * ninv
  const mhi = mulhiN(m)
  // lo + m·n ≡ 0 mod 2^64: it carries out of the low word unless lo = 0
  const carry: u64 = lo != 0 ? 1 : 0
  const r = hi + mhi + carry
  if (wide) {
    const over = r < hi || (r == hi && (mhi | carry) != 0)
    return select<u64>(r - n, r, over || r >= n)
  }
  // branch-free: which way it goes is a coin toss, and a mispredicted branch costs more than both
  return select<u64>(r - n, r, r >= n)
}

/** a·b·2^(-64) mod n for a, b < n. */
// @ts-ignore: decorator
@inline function mont(a: u64, b: u64): u64 {
  return redc(mulhi(a, b), a * b)
}

/** a²·2^(-64) mod n for a < n (the cross product computed once). */
// @ts-ignore: decorator
@inline function montSqr(a: u64): u64 {
  const a0 = a & 0xffffffff, a1 = a >> 32
  const p00 = a0 * a0, p01 = a0 * a1
  const mid = (p00 >> 32) + ((p01 & 0xffffffff) << 1)
  return redc(a1 * a1 + ((p01 >> 32) << 1) + (mid >> 32), a * a)
}

function gcd(a: u64, b: u64): u64 {
  while (b != 0) {
    const t = a % b
    a = b
    b = t
  }
  return a
}

/** A factor of n from the batch that ended with gcd g: g itself, or, when the batch overshot (g = n), the step found by retracing it. */
function settle(g: u64, x: u64, ys: u64, c: u64): u64 {
  if (g == 1) return 0
  if (g == n) {
    // retrace the batch one step at a time
    do {
      ys = addmod(montSqr(ys), c)
      g = gcd(select<u64>(x - ys, ys - x, x > ys), n)
    } while (g == 1)
  }
  return g == n ? 0 : g
}

/**
 * Finds a non-trivial factor of the odd composite n at PQ (lo, hi words) with the sequence
 * x ↦ x² + c from x0, in at most 2^maxLog2 steps. Writes the factor at PQ + 8, or 0 on failure
 * (n prime, or an unlucky c: the caller retries with another). Measured: two sequences in
 * lockstep (for the multiplier's idle slots) ran slower per factor than one, so one it is.
 */
export function pqFactor(c: u64, x0: u64, maxLog2: i32): void {
  n = (<u64>load<u32>(PQ + 4) << 32) | <u64>load<u32>(PQ)
  nlo = n & 0xffffffff
  nhi = n >> 32
  wide = n >> 63 != 0
  store<u64>(PQ + 8, 0)
  let inv: u64 = n // correct to 3 bits for odd n; each Newton step doubles that
  for (let i = 0; i < 5; i++) inv *= 2 - n * inv
  ninv = 0 - inv
  // R mod n, the Montgomery form of 1: 2^64 mod n = (2^64 − n) mod n
  const one: u64 = (0 - n) % n
  const a = c % n
  let y: u64 = x0 % n
  let x: u64 = 0, ys: u64 = 0
  let q: u64 = one
  let g: u64 = 1
  let r: u64 = 1
  const limit: u64 = <u64>1 << <u64>maxLog2
  const m: u64 = 128
  while (g == 1) {
    x = y
    for (let i: u64 = 0; i < r; i++) y = addmod(montSqr(y), a)
    for (let k: u64 = 0; k < r && g == 1; k += m) {
      ys = y
      const steps = m < r - k ? m : r - k
      for (let i: u64 = 0; i < steps; i++) {
        y = addmod(montSqr(y), a)
        q = mont(q, select<u64>(x - y, y - x, x > y))
      }
      // q is in Montgomery form (q·R mod n), and gcd(q·R, n) = gcd(q, n) for odd n
      g = gcd(q, n)
    }
    r <<= 1
    if (r > limit) return
  }
  store<u64>(PQ + 8, settle(g, x, ys, a))
}

// @ts-ignore: decorator
@inline function addmod(a: u64, b: u64): u64 {
  const s = a + b
  return select<u64>(s - n, s, s < a || s >= n)
}
