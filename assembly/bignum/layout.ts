// Fixed memory map of the big-number module (byte addresses), mirrored in
// src/crypto/bignum/wasm.ts. Numbers are little-endian arrays of 32-bit limbs, at most
// MAX_LIMBS (4096 bits). No AssemblyScript runtime or static data is used.
//
//   0x0000  N      the modulus (odd)
//   0x0200  A      the base (< N)
//   0x0400  E      the exponent (limbs; its bit length is passed separately)
//   0x0600  R2     R^2 mod N (R = 2^(32k)), filled by mpSetup
//   0x0800  OUT    the result
//   0x0A00  T      Montgomery accumulator, k + 2 limbs
//   0x0C80  X      running product (Montgomery form)
//   0x0E80  SEL    the table entry selected in constant time
//   0x1080  U      scratch (the final subtraction, R2 doubling)
//   0x1280  W, 0x1480 Z   operands kept across calls (RSA-CRT: m1, m2)
//   0x1680  PQ     Pollard–Brent: pq in (lo, hi) u32 words, the factor out at +8
//   0x2000  TABLE  2^WINDOW entries of MAX_LIMBS limbs (16 KiB)
export const MAX_LIMBS: i32 = 128
export const ROW: usize = 512
export const N: usize = 0x0000
export const A: usize = 0x0200
export const E: usize = 0x0400
export const R2: usize = 0x0600
export const OUT: usize = 0x0800
export const T: usize = 0x0a00
export const X: usize = 0x0c80
export const SEL: usize = 0x0e80
export const U: usize = 0x1080
export const W: usize = 0x1280
export const Z: usize = 0x1480
export const PQ: usize = 0x1680
export const TABLE: usize = 0x2000
export const WINDOW: i32 = 5
export const END: usize = 0x6000
