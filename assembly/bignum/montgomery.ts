// Montgomery arithmetic on k 32-bit limbs (k ≤ MAX_LIMBS) and modular exponentiation with a
// fixed 5-bit window and constant-time table selection: the sequence of operations and the
// memory addresses touched depend only on k and the exponent's bit length, never on the
// exponent's or the base's bits. The final subtraction of each product is branch-free too.
import { A, E, N, OUT, R2, ROW, SEL, T, TABLE, U, WINDOW, X } from './layout'


/** -N^(-1) mod 2^32, set by mpSetup. */
let n0inv: u32 = 0

/**
 * out = a·b·R^(-1) mod N (CIOS with the multiplication and the reduction fused in one pass over
 * the limbs, each with its own carry). a, b < N; out may be a or b (T holds the accumulator).
 */
export function montMul(out: usize, a: usize, b: usize, k: i32): void {
  const kk = <usize>k << 2
  memory.fill(T, 0, kk + 8)
  const ninv = <u64>n0inv
  for (let i: usize = 0; i < kk; i += 4) {
    const bi = <u64>load<u32>(b + i)
    let s: u64 = <u64>load<u32>(T) + <u64>load<u32>(a) * bi
    let c1: u64 = s >> 32
    const m = <u64>(<u32>s * <u32>ninv)
    let s2: u64 = (s & 0xffffffff) + m * <u64>load<u32>(N)
    let c2: u64 = s2 >> 32
    for (let j: usize = 4; j < kk; j += 4) {
      s = <u64>load<u32>(T + j) + <u64>load<u32>(a + j) * bi + c1
      c1 = s >> 32
      s2 = (s & 0xffffffff) + m * <u64>load<u32>(N + j) + c2
      c2 = s2 >> 32
      store<u32>(T + j - 4, <u32>s2)
    }
    s = <u64>load<u32>(T + kk) + c1 + c2
    store<u32>(T + kk - 4, <u32>s)
    store<u32>(T + kk, <u32>(s >> 32))
  }
  finalSub(out, k)
}

/**
 * out = T − N if T ≥ N else T (T has k + 1 limbs and is < 2N), without a branch on the values:
 * both are computed and the result picked with a mask.
 */
function finalSub(out: usize, k: i32): void {
  const kk = <usize>k << 2
  let borrow: i64 = 0
  for (let j: usize = 0; j < kk; j += 4) {
    const d: i64 = <i64>load<u32>(T + j) - <i64>load<u32>(N + j) + borrow
    store<u32>(U + j, <u32>d)
    borrow = d >> 32 // 0 or -1
  }
  // T ≥ N iff the top limb absorbs the borrow: top + borrow ≥ 0
  const top: i64 = <i64>load<u32>(T + kk) + borrow
  const keepT = <u32>(top >> 63) // all ones when T < N
  for (let j: usize = 0; j < kk; j += 4) {
    const t = load<u32>(T + j)
    const u = load<u32>(U + j)
    store<u32>(out + j, (t & keepT) | (u & ~keepT))
  }
}

/**
 * Prepares N (k limbs, odd, top limb non-zero): n0inv and R2 = R^2 mod N. R^2 = 2^(64k): start
 * from 2^(33k) mod N by doublings, then five Montgomery squarings each double the exponent minus
 * 32k: 33k → 34k → 36k → 40k → 48k → 64k. The doublings subtract N without branching.
 */
export function mpSetup(k: i32): void {
  const n0 = load<u32>(N)
  let inv: u32 = n0 // correct to 3 bits for odd n0; each Newton step doubles that
  for (let i = 0; i < 4; i++) inv *= 2 - n0 * inv
  n0inv = 0 - inv
  const kk = <usize>k << 2
  memory.fill(R2, 0, kk)
  store<u32>(R2, 1)
  const steps = 33 * k
  for (let s = 0; s < steps; s++) {
    // T = 2·R2 (k + 1 limbs), then R2 = T mod N (T < 2N)
    let carry: u32 = 0
    for (let j: usize = 0; j < kk; j += 4) {
      const v = load<u32>(R2 + j)
      store<u32>(T + j, (v << 1) | carry)
      carry = v >> 31
    }
    store<u32>(T + kk, carry)
    finalSub(R2, k)
  }
  for (let i = 0; i < 5; i++) montMul(R2, R2, R2, k)
}

/** out = 1 in Montgomery form, i.e. R mod N = montMul(R2, 1). */
function montOne(out: usize, k: i32): void {
  const kk = <usize>k << 2
  memory.fill(U, 0, kk)
  store<u32>(U, 1)
  montMul(out, R2, U, k) // b = U is read before finalSub reuses U
}

/** SEL = TABLE[w], reading every entry (constant time in w). */
function select(w: u32, k: i32): void {
  const kk = <usize>k << 2
  memory.fill(SEL, 0, kk)
  const entries: u32 = 1 << WINDOW
  for (let e: u32 = 0; e < entries; e++) {
    // all ones when e = w: (e ^ w) − 1 underflows only for 0 (e, w < 2^31)
    const mask: u32 = 0 - (((e ^ w) - 1) >> 31)
    const row = TABLE + <usize>e * ROW
    for (let j: usize = 0; j < kk; j += 4) store<u32>(SEL + j, load<u32>(SEL + j) | (load<u32>(row + j) & mask))
  }
}

/** Bit `i` of the exponent E (i < 32·limbs). */
// @ts-ignore: decorator
@inline function ebit(i: i32): u32 {
  return (load<u32>(E + (<usize>(i >> 5) << 2)) >> (<u32>i & 31)) & 1
}

/**
 * OUT = A^E mod N for an exponent of `bits` bits (its bit length as the caller counts it, e.g.
 * 2048 for a 256-byte secret whatever its top bits: the work depends on `bits` only). mpSetup(k)
 * must have run for N. Leaves secrets in TABLE, X, SEL, T, U: the host calls mpWipe().
 */
export function modExp(k: i32, bits: i32): void {
  const kk = <usize>k << 2
  // TABLE[0] = 1, TABLE[1] = A·R, TABLE[i] = TABLE[i − 1]·TABLE[1]
  montOne(TABLE, k)
  montMul(TABLE + ROW, A, R2, k)
  const entries = 1 << WINDOW
  for (let e = 2; e < entries; e++) montMul(TABLE + <usize>e * ROW, TABLE + <usize>(e - 1) * ROW, TABLE + ROW, k)
  // windows from the top; the first may be shorter
  const windows = (bits + WINDOW - 1) / WINDOW
  memory.copy(X, TABLE, kk)
  for (let w = windows - 1; w >= 0; w--) {
    let v: u32 = 0
    for (let b = WINDOW - 1; b >= 0; b--) {
      const i = w * WINDOW + b
      v = (v << 1) | (i < bits ? ebit(i) : 0)
    }
    if (w !== windows - 1) for (let s = 0; s < WINDOW; s++) montMul(X, X, X, k)
    select(v, k)
    montMul(X, X, SEL, k)
  }
  // out of Montgomery form: X·1·R^(-1)
  memory.fill(U, 0, kk)
  store<u32>(U, 1)
  montMul(OUT, X, U, k)
}

/**
 * A = A mod N, where A holds 2k limbs (2k ≤ MAX_LIMBS): with A = h·R + l (h, l < R),
 * h·R mod N = montMul(h, R2) and l mod N = montMul(montMul(l, R2), 1), then one branch-free
 * subtraction of the sum. mpSetup(k) must have run.
 */
export function mpReduce(k: i32): void {
  const kk = <usize>k << 2
  montMul(X, A + kk, R2, k) // h·R mod N (h < R and R2 < N, so h·R2 < R·N: montMul's bound holds)
  memory.copy(SEL, A, kk)
  montMul(SEL, SEL, R2, k) // l·R mod N
  memory.fill(U, 0, kk)
  store<u32>(U, 1)
  montMul(SEL, SEL, U, k) // l mod N (b = U is read before finalSub reuses U)
  // T = X + SEL (< 2N, k + 1 limbs), then A = T mod N
  let c: u64 = 0
  for (let j: usize = 0; j < kk; j += 4) {
    const s = <u64>load<u32>(X + j) + <u64>load<u32>(SEL + j) + c
    store<u32>(T + j, <u32>s)
    c = s >> 32
  }
  store<u32>(T + kk, <u32>c)
  finalSub(A, k)
  memory.fill(A + kk, 0, kk)
}

/** out = (a − b) mod N for a, b < N (k limbs), adding N back without a branch. */
export function mpSubMod(out: usize, a: usize, b: usize, k: i32): void {
  const kk = <usize>k << 2
  let borrow: i64 = 0
  for (let j: usize = 0; j < kk; j += 4) {
    const d: i64 = <i64>load<u32>(a + j) - <i64>load<u32>(b + j) + borrow
    store<u32>(U + j, <u32>d)
    borrow = d >> 32
  }
  const mask = <u32>borrow // all ones when a < b
  let c: u64 = 0
  for (let j: usize = 0; j < kk; j += 4) {
    const s = <u64>load<u32>(U + j) + <u64>(load<u32>(N + j) & mask) + c
    store<u32>(out + j, <u32>s)
    c = s >> 32
  }
}

/** out (2k limbs) = a·b + c for k-limb a, b, c (schoolbook; out must not overlap them). */
export function mpMulAdd(out: usize, a: usize, b: usize, c: usize, k: i32): void {
  const kk = <usize>k << 2
  memory.fill(out, 0, kk << 1)
  memory.copy(out, c, kk)
  for (let i: usize = 0; i < kk; i += 4) {
    const ai = <u64>load<u32>(a + i)
    let carry: u64 = 0
    for (let j: usize = 0; j < kk; j += 4) {
      const s = <u64>load<u32>(out + i + j) + ai * <u64>load<u32>(b + j) + carry
      store<u32>(out + i + j, <u32>s)
      carry = s >> 32
    }
    // propagate into the upper limbs (at most k more; always the same number of steps)
    for (let j: usize = i + kk; j < kk << 1; j += 4) {
      const s = <u64>load<u32>(out + j) + carry
      store<u32>(out + j, <u32>s)
      carry = s >> 32
    }
  }
}

/** Zeroes everything that may hold secrets (exponent, base, operands, table, intermediates). */
export function mpWipe(): void {
  memory.fill(N, 0, TABLE + (<usize>ROW << WINDOW) - N)
}
