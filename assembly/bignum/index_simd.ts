// The big-number module's SIMD flavour: modexp on 28-bit limbs with i64x2 dot products
// (simd.ts). The scalar flavour (index.ts) serves runtimes without SIMD and the operations this
// one lacks (RSA-CRT's steps, modMul/modSub/mulAdd, pq factorization).
export { combExp, combInit, modExp28, mul28, setup28, sqr28, wipe28 } from './simd'
