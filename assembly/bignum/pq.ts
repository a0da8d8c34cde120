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

// Brent's control flow runs in the host, calling these for each batch: a new WASM function
// starts in baseline code and V8 swaps in optimized code only at call boundaries, so one long
// call would run in baseline code for the whole first factorization of a process.
let c: u64 = 0
let x: u64 = 0
let y: u64 = 0
let ys: u64 = 0
let q: u64 = 0

/** Starts a run on the odd n at PQ (lo, hi words) with x ↦ x² + c from x0. */
export function pqInit(c0: u64, x0: u64): void {
  n = (<u64>load<u32>(PQ + 4) << 32) | <u64>load<u32>(PQ)
  nlo = n & 0xffffffff
  nhi = n >> 32
  wide = n >> 63 != 0
  let inv: u64 = n // correct to 3 bits for odd n; each Newton step doubles that
  for (let i = 0; i < 5; i++) inv *= 2 - n * inv
  ninv = 0 - inv
  // R mod n, the Montgomery form of 1: 2^64 mod n = (2^64 − n) mod n
  q = (0 - n) % n
  c = c0 % n
  y = x0 % n
}

/** x = y (with `setX`), then `count` steps of y (Brent: the tortoise jumps to the hare, which runs ahead). */
export function pqAdvance(count: i32, setX: bool): void {
  if (setX) x = y
  for (let i = 0; i < count; i++) y = addmod(montSqr(y), c)
}

/**
 * `count` more steps, multiplying |x − y| into q; returns gcd(q, n) (q is in Montgomery form,
 * q·R mod n, and gcd(q·R, n) = gcd(q, n) for odd n).
 */
export function pqBatch(count: i32): u64 {
  ys = y
  for (let i = 0; i < count; i++) {
    y = addmod(montSqr(y), c)
    q = mont(q, select<u64>(x - y, y - x, x > y))
  }
  return gcd(q, n)
}

/** When a batch's gcd is n (it overshot), the factor found by retracing it step by step, or 0. */
export function pqRetrace(): u64 {
  let g: u64 = 1
  do {
    ys = addmod(montSqr(ys), c)
    g = gcd(select<u64>(x - ys, ys - x, x > ys), n)
  } while (g == 1)
  return g == n ? 0 : g
}

// @ts-ignore: decorator
@inline function addmod(a: u64, b: u64): u64 {
  const s = a + b
  return select<u64>(s - n, s, s < a || s >= n)
}

// @ts-ignore: decorator
@inline function powMod32(a: u64, e: u64, m: u64): u64 {
  let r: u64 = 1
  a %= m
  while (e != 0) {
    if (e & 1) r = (r * a) % m // both below 2^32: the product fits 64 bits
    a = (a * a) % m
    e >>= 1
  }
  return r
}

/**
 * Deterministic primality for n < 2^32: Miller–Rabin with bases 2, 7, 61 (exact below
 * 4 759 123 141), as src/crypto/bignum/prime.ts's isPrime32, on 64-bit integers instead of
 * split double products (whose remainders are library calls in JavaScript). Public input.
 */
export function isPrime32(n: u32): bool {
  if (n < 2) return false
  if (n == 2 || n == 3 || n == 5 || n == 7 || n == 11 || n == 13 || n == 61) return true
  if (n % 2 == 0 || n % 3 == 0 || n % 5 == 0 || n % 7 == 0 || n % 11 == 0 || n % 13 == 0 || n % 61 == 0) return false
  const m = <u64>n
  let d = m - 1
  let s = 0
  while ((d & 1) == 0) {
    d >>= 1
    s++
  }
  for (let k = 0; k < 3; k++) {
    const a: u64 = k == 0 ? 2 : k == 1 ? 7 : 61
    let x = powMod32(a, d, m)
    if (x == 1 || x == m - 1) continue
    let composite = true
    for (let r = 1; r < s; r++) {
      x = (x * x) % m
      if (x == m - 1) {
        composite = false
        break
      }
    }
    if (composite) return false
  }
  return true
}
