// Montgomery modexp on 28-bit limbs with WASM SIMD (the bignum module's SIMD flavour; the
// scalar flavour in montgomery.ts is the fallback). Product scanning: each output column is a
// dot product of a with b reversed (and of m with N reversed) in i64x2 lanes via
// i64x2.extmul_*_i32x4_u; 28-bit limbs leave room for 2·124 products of 56 bits per column, so
// no carry is propagated inside a column. Lazy reduction (R > 4N): values stay below 2N between
// products, and one branch-free subtraction ends the exponentiation. As in montgomery.ts, the
// operations and addresses depend only on the sizes, never on the exponent or the base.
//
// Memory map (byte addresses, 28-bit limbs as u32, K ≤ MAX28 limbs, a multiple of 4):
//   0x0000 N28    modulus            0x0200 A28   base          0x0400 E   exponent (32-bit limbs)
//   0x0600 R2     R^2 mod N          0x0800 OUT   result        0x0A00 X   running product
//   0x0C00 SEL    selected entry     0x0E00 U     scratch       0x1000 M   m_j (2 rows)
//   0x1400 NREV   N reversed, zero-padded by K limbs each side (3 rows)
//   0x1A00 BREV   the second factor reversed, padded alike (3 rows)
//   0x2000 TABLE  2^WINDOW entries of 512 bytes (16 KiB) → 0x6000
import { WINDOW } from './layout'

export const MAX28: i32 = 124
const ROW: usize = 512
const N28: usize = 0x0000
const A28: usize = 0x0200
const E: usize = 0x0400
const R2: usize = 0x0600
const OUT: usize = 0x0800
const X: usize = 0x0a00
const SEL: usize = 0x0c00
const U: usize = 0x0e00
const M: usize = 0x1000
const NREV: usize = 0x1400
const BREV: usize = 0x1a00
const TABLE: usize = 0x2000
const END: usize = 0x6000
const COMB: usize = 0x6000
const COMB_ROWS: i32 = 5
const MASK: u64 = 0xfffffff

let ninv: u32 = 0 // -N^(-1) mod 2^28

/** Σ x[i]·y[i] over `bytes` / 4 limbs (a multiple of 4), in two i64 lanes. */
// @ts-ignore: decorator
@inline function dot(x: usize, y: usize, bytes: usize): u64 {
  let acc = i64x2.splat(0)
  for (let i: usize = 0; i < bytes; i += 16) {
    const xv = v128.load(x + i)
    const yv = v128.load(y + i)
    acc = i64x2.add(acc, i64x2.extmul_low_i32x4_u(xv, yv))
    acc = i64x2.add(acc, i64x2.extmul_high_i32x4_u(xv, yv))
  }
  return i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1)
}

/** Writes the K-limb number at `src` reversed into `dst`'s middle row (K zero limbs on each side). */
function reversed(dst: usize, src: usize, kb: usize): void {
  memory.fill(dst, 0, kb * 3)
  for (let j: usize = 0; j < kb; j += 4) store<u32>(dst + (kb << 1) - 4 - j, load<u32>(src + j))
}

/**
 * The Montgomery reduction interleaved with the columns: column c's sum `s` (products and carry
 * in) gets m_c·N added for c < K; the upper K columns are the result. Shared by mul and sqr.
 */
// @ts-ignore: decorator
@inline function column(c: usize, kb: usize, s: u64, out: usize): u64 {
  // m_j·N_(c−j) for j < min(c, K): the m row against N reversed
  const j0: usize = c >= kb ? (c - kb + 4) & ~15 : 0
  const mEnd: usize = c < kb ? c : kb
  const me: usize = (mEnd + 12) & ~15
  if (me > j0) s += dot(M + j0, NREV + (kb << 1) - 4 - c + j0, me - j0)
  if (c < kb) {
    const m = (<u32>s * ninv) & 0xfffffff
    store<u32>(M + c, m)
    s += <u64>m * <u64>load<u32>(NREV + (kb << 1) - 4)
  } else {
    store<u32>(out + c - kb, <u32>(s & MASK))
  }
  return s >> 28
}

/** out = a·b·R^(-1) mod N, below 2N for a, b below 2N (R = 2^(28K) > 4N). out may alias a or b. */
export function mul28(out: usize, a: usize, b: usize, k: i32): void {
  const kb = <usize>k << 2
  reversed(BREV, b, kb)
  memory.fill(M, 0, kb << 1)
  let carry: u64 = 0
  for (let c: usize = 0; c < kb << 1; c += 4) {
    const j0: usize = c >= kb ? (c - kb + 4) & ~15 : 0
    const jEnd: usize = c + 4 < kb ? (c + 16) & ~15 : kb
    carry = column(c, kb, dot(a + j0, BREV + (kb << 1) - 4 - c + j0, jEnd - j0) + carry, U)
  }
  memory.copy(out, U, kb)
}

/**
 * out = a²·R^(-1) mod N: each column's cross products a_j·a_(c−j), j < c − j, once and doubled,
 * plus a_(c/2)² for even c — about half the products of mul28.
 */
export function sqr28(out: usize, a: usize, k: i32): void {
  const kb = <usize>k << 2
  reversed(BREV, a, kb)
  memory.fill(M, 0, kb << 1)
  let carry: u64 = 0
  for (let c: usize = 0; c < kb << 1; c += 4) {
    // j runs over [c − K + 1, ceil(c/2)) in limbs; bytes here (c, j multiples of 4)
    const j0: usize = c >= kb ? (c - kb + 4) & ~15 : 0
    const half: usize = ((c >> 3) << 2) + ((c >> 2) & 1 ? 4 : 0) // ceil(c/2 limbs) in bytes
    const h4: usize = half > j0 ? j0 + ((half - j0) & ~15) : j0
    let s: u64 = h4 > j0 ? dot(a + j0, BREV + (kb << 1) - 4 - c + j0, h4 - j0) : 0
    for (let j: usize = h4; j < half; j += 4) s += <u64>load<u32>(a + j) * <u64>load<u32>(BREV + (kb << 1) - 4 - c + j)
    s <<= 1
    if (((c >> 2) & 1) == 0 && c < kb << 1) {
      const mid = <u64>load<u32>(a + (c >> 1))
      s += mid * mid
    }
    carry = column(c, kb, s + carry, U)
  }
  memory.copy(out, U, kb)
}

/** out = x − N if x ≥ N else x, branch-free (x below 2N, normalized 28-bit limbs). */
function reduceOnce(out: usize, x: usize, kb: usize): void {
  let borrow: i64 = 0
  for (let j: usize = 0; j < kb; j += 4) {
    const d: i64 = <i64>load<u32>(x + j) - <i64>load<u32>(N28 + j) + borrow
    store<u32>(U + j, <u32>(d & <i64>MASK))
    borrow = d >> 63 // 0 or -1
  }
  const keep = <u32>borrow // all ones when x < N
  for (let j: usize = 0; j < kb; j += 4) store<u32>(out + j, (load<u32>(x + j) & keep) | (load<u32>(U + j) & ~keep))
}

/**
 * Prepares N28 (k limbs, odd): ninv, N reversed, and, unless `haveR2` (the host wrote R2 from
 * its cache), R2 = R^2 mod N: from 2^(28k + d) mod N by branch-free doublings, squarings double
 * the exponent minus 28k until it reaches 56k (d = 28k / 2^s, s ≤ 4 the largest that divides).
 */
export function setup28(k: i32, haveR2: bool): void {
  const kb = <usize>k << 2
  const n0 = load<u32>(N28)
  let inv: u32 = n0
  for (let i = 0; i < 5; i++) inv *= 2 - n0 * inv
  ninv = (0 - inv) & 0xfffffff
  reversed(NREV, N28, kb)
  if (haveR2) return
  let s = 0
  let d = 28 * k
  while (s < 4 && (d & 1) == 0) {
    d >>= 1
    s++
  }
  memory.fill(R2, 0, kb)
  store<u32>(R2, 1)
  const steps = 28 * k + d
  for (let i = 0; i < steps; i++) {
    // R2 = 2·R2 mod N (R2 < N, so 2·R2 < 2N: one branch-free subtraction)
    let carry: u32 = 0
    for (let j: usize = 0; j < kb; j += 4) {
      const v = (load<u32>(R2 + j) << 1) | carry
      carry = v >> 28
      store<u32>(X + j, v & 0xfffffff)
    }
    reduceOnce(R2, X, kb)
  }
  for (let i = 0; i < s; i++) sqr28(R2, R2, k)
  reduceOnce(R2, R2, kb)
}

/** SEL = TABLE[w], reading every entry (constant time in w). */
function select(w: u32, kb: usize): void {
  memory.fill(SEL, 0, kb)
  const entries: u32 = 1 << WINDOW
  for (let e: u32 = 0; e < entries; e++) {
    const mask = i32x4.splat(0 - (((e ^ w) - 1) >> 31))
    const row = TABLE + <usize>e * ROW
    for (let j: usize = 0; j < kb; j += 16) v128.store(SEL + j, v128.or(v128.load(SEL + j), v128.and(v128.load(row + j), mask)))
  }
}

// @ts-ignore: decorator
@inline function ebit(i: i32): u32 {
  return (load<u32>(E + (<usize>(i >> 5) << 2)) >> (<u32>i & 31)) & 1
}

/** OUT = A28^E mod N28 over `bits` exponent bits (setup28 first); the host wipes with wipe28(). */
export function modExp28(k: i32, bits: i32): void {
  const kb = <usize>k << 2
  // TABLE[0] = R mod N (1 in Montgomery form) = mul(R2, 1); TABLE[1] = A·R; TABLE[i] = TABLE[i−1]·TABLE[1]
  memory.fill(SEL, 0, kb)
  store<u32>(SEL, 1)
  mul28(TABLE, R2, SEL, k)
  mul28(TABLE + ROW, A28, R2, k)
  const entries = 1 << WINDOW
  for (let e = 2; e < entries; e++) mul28(TABLE + <usize>e * ROW, TABLE + <usize>(e - 1) * ROW, TABLE + ROW, k)
  const windows = (bits + WINDOW - 1) / WINDOW
  memory.copy(X, TABLE, kb)
  for (let w = windows - 1; w >= 0; w--) {
    let v: u32 = 0
    for (let b = WINDOW - 1; b >= 0; b--) {
      const i = w * WINDOW + b
      v = (v << 1) | (i < bits ? ebit(i) : 0)
    }
    if (w !== windows - 1) for (let s = 0; s < WINDOW; s++) sqr28(X, X, k)
    select(v, kb)
    mul28(X, X, SEL, k)
  }
  // out of Montgomery form (X·1·R^(-1) ≤ N), then below N
  memory.fill(SEL, 0, kb)
  store<u32>(SEL, 1)
  mul28(X, X, SEL, k)
  reduceOnce(OUT, X, kb)
}

export function wipe28(): void {
  memory.fill(0, 0, END)
}

/**
 * Fixed-base exponentiation for a base used again and again (a DH generator g): the exponent's
 * `bits` are cut into COMB_ROWS rows of L = ceil(bits / COMB_ROWS) bits, and COMB[s] holds
 * Π g^(2^(i·L)) over the rows i set in s (Lim–Lee comb). Then g^x takes L squarings and L
 * products, a third of a windowed exponentiation's work; each product's entry is selected by
 * reading all 32 (constant time). combInit builds the table for A28 (setup28 first); it holds only
 * powers of the public base, so wipe28 leaves it.
 */
export function combInit(k: i32, bits: i32): void {
  const kb = <usize>k << 2
  const L = (bits + COMB_ROWS - 1) / COMB_ROWS
  // COMB[1 << i] = g^(2^(i·L)) in Montgomery form, by L squarings from the previous row
  memory.fill(SEL, 0, kb)
  store<u32>(SEL, 1)
  mul28(COMB, R2, SEL, k) // 1
  mul28(COMB + ROW, A28, R2, k) // g
  for (let i = 1; i < COMB_ROWS; i++) {
    const dst = COMB + (ROW << i)
    memory.copy(dst, COMB + (ROW << (i - 1)), kb)
    for (let j = 0; j < L; j++) sqr28(dst, dst, k)
  }
  // every other entry: the product of its lowest row's power and the rest
  const entries = 1 << COMB_ROWS
  for (let s = 3; s < entries; s++) {
    if ((s & (s - 1)) == 0) continue
    const low = s & -s
    mul28(COMB + <usize>s * ROW, COMB + <usize>low * ROW, COMB + <usize>(s ^ low) * ROW, k)
  }
}

/** SEL = COMB[w], reading every entry. */
function selectComb(w: u32, kb: usize): void {
  memory.fill(SEL, 0, kb)
  const entries: u32 = 1 << COMB_ROWS
  for (let e: u32 = 0; e < entries; e++) {
    const mask = i32x4.splat(0 - (((e ^ w) - 1) >> 31))
    const row = COMB + <usize>e * ROW
    for (let j: usize = 0; j < kb; j += 16) v128.store(SEL + j, v128.or(v128.load(SEL + j), v128.and(v128.load(row + j), mask)))
  }
}

/** OUT = g^E mod N with the comb table combInit built for `bits` (setup28 for N first). */
export function combExp(k: i32, bits: i32): void {
  const kb = <usize>k << 2
  const L = (bits + COMB_ROWS - 1) / COMB_ROWS
  memory.copy(X, COMB, kb) // 1
  for (let j = L - 1; j >= 0; j--) {
    sqr28(X, X, k)
    let s: u32 = 0
    for (let i = COMB_ROWS - 1; i >= 0; i--) {
      const b = i * L + j
      s = (s << 1) | (b < bits ? ebit(b) : 0)
    }
    selectComb(s, kb)
    mul28(X, X, SEL, k)
  }
  memory.fill(SEL, 0, kb)
  store<u32>(SEL, 1)
  mul28(X, X, SEL, k)
  reduceOnce(OUT, X, kb)
}
