#!/usr/bin/env node
// Writes assembly/sha256.ts: the SHA-256 compression function with its 64 rounds unrolled.
// Usage: node scripts/gen-sha256.mjs [--check]   (--check: exit 1 if the file is stale)
// Variant knobs for experiments (environment): SHA_MAJ=classic|reuse, SHA_SCHED=locals|mem,
// SHA_SIMD=0|1 (i32x4 message schedule in the SIMD flavours).
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'assembly/sha256.ts')
const opt = {
  maj: process.env.SHA_MAJ ?? 'reuse',
  sched: process.env.SHA_SCHED ?? 'mem',
  simd: (process.env.SHA_SIMD ?? '1') === '1',
}

// FIPS 180-4 4.2.2
const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]
const hex = (x) => '0x' + x.toString(16).padStart(8, '0')
const S1 = (x) => `rotr<u32>(${x} ^ rotr<u32>(${x} ^ rotr<u32>(${x}, 14), 5), 6)`
const S0 = (x) => `rotr<u32>(${x} ^ rotr<u32>(${x} ^ rotr<u32>(${x}, 9), 11), 2)`
const s0 = (x) => `(rotr<u32>(${x} ^ rotr<u32>(${x}, 11), 7) ^ (${x} >>> 3))`
const s1 = (x) => `(rotr<u32>(${x} ^ rotr<u32>(${x}, 2), 17) ^ (${x} >>> 10))`
const Wm = (i) => `load<u32>(SHA_W, ${4 * i})`

/** The 64 rounds; `w(i)` is the expression of W[i]; `pre(i)` code emitted before round i. */
function rounds(w, pre, ind) {
  const L = []
  const v = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
  for (let i = 0; i < 64; i++) {
    const [a, b, c, d, e, f, g, h] = v.map((_, j) => v[(j - i + 64) % 8])
    const p = pre(i)
    if (p) L.push(...p)
    L.push(`t = ${h} + ${S1(e)} + (${g} ^ (${e} & (${f} ^ ${g}))) + ${w(i)} + ${hex(K[i])}`)
    L.push(`${d} += t`)
    if (opt.maj === 'reuse') {
      // Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)); b ^ c is the previous round's a ^ b
      const y = i & 1 ? 'x' : 'y', x = i & 1 ? 'y' : 'x'
      L.push(`${y} = ${a} ^ ${b}`)
      L.push(`${h} = t + ${S0(a)} + (${b} ^ (${y} & ${x}))`)
    } else {
      L.push(`${h} = t + ${S0(a)} + ((${a} & ${b}) | (${c} & (${a} | ${b})))`)
    }
  }
  return L.map((l) => ind + l)
}

const lanes32 = (...l) => l.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]).join(', ')
const shuf = (a, b, ...l) => `i8x16.shuffle(${a}, ${b}, ${lanes32(...l)})`

function head() {
  return [
    'let a = load<u32>(SHA_H), b = load<u32>(SHA_H, 4), c = load<u32>(SHA_H, 8), d = load<u32>(SHA_H, 12)',
    'let e = load<u32>(SHA_H, 16), f = load<u32>(SHA_H, 20), g = load<u32>(SHA_H, 24), h = load<u32>(SHA_H, 28)',
    'let t: u32' + (opt.maj === 'reuse' ? ', x = b ^ c, y: u32' : ''),
  ]
}
function tail() {
  return ['a b c d e f g h'.split(' ').map((v, i) => `store<u32>(SHA_H, load<u32>(SHA_H, ${4 * i}) + ${v}, ${4 * i})`).join('; ')]
}

/** Scalar: W[0..15] byte-swapped into SHA_W, W[16..63] computed one round ahead of use, in memory. */
function scalarBody() {
  const L = []
  for (let i = 0; i < 16; i++) L.push(`store<u32>(SHA_W, bswap<u32>(load<u32>(ptr, ${4 * i})), ${4 * i})`)
  L.push(...head(), 'let w: u32, u: u32, v: u32')
  L.push(...rounds((i) => (i < 16 ? Wm(i) : 'w'), (i) => (i < 16 ? null : [
    `u = ${Wm(i - 15)}; v = ${Wm(i - 2)}`,
    `w = ${Wm(i - 16)} + ${s0('u')} + ${Wm(i - 7)} + ${s1('v')}`,
    `store<u32>(SHA_W, w, ${4 * i})`,
  ]), ''))
  L.push(...tail())
  return L
}

/**
 * SIMD: W[0..15] byte-swapped by one shuffle per 4 words; W[t..t+3] computed as an i32x4 four
 * rounds ahead of use (σ1 in two halves: W[t+2], W[t+3] need W[t], W[t+1]; rotations of two
 * words at a time as 64-bit shifts of a duplicated word), stored to SHA_W; the rounds read W from memory.
 */
function simdBody() {
  const L = []
  const bs = '3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12'
  for (let j = 0; j < 4; j++) {
    L.push(`let x${j} = i8x16.shuffle(v128.load(ptr, ${16 * j}), v128.load(ptr, ${16 * j}), ${bs})`)
  }
  for (let j = 0; j < 4; j++) L.push(`v128.store(SHA_W, x${j}, ${16 * j})`)
  L.push(...head(), 'let p: v128, q: v128, r: v128, s: v128, m: v128')
  const group = (k) => {
    const [A, B, C, D] = [0, 1, 2, 3].map((j) => `x${(k + j) % 4}`)
    const sig1 = (src, dst) => [
      `r = ${shuf(src, src, ...dst)}`,
      `r = v128.xor(v128.xor(i64x2.shr_u(r, 17), i64x2.shr_u(r, 19)), i32x4.shr_u(r, 10))`,
      `r = ${shuf('r', 'r', 0, 2, 0, 2)}`,
    ]
    return [
      `q = ${shuf(A, B, 1, 2, 3, 4)}`,
      `p = v128.xor(v128.xor(i32x4.shr_u(q, 3), i32x4.shr_u(q, 7)), v128.xor(i32x4.shr_u(q, 18), v128.xor(i32x4.shl(q, 14), i32x4.shl(q, 25))))`,
      `m = i32x4.add(i32x4.add(${A}, p), ${shuf(C, D, 1, 2, 3, 4)})`,
      ...sig1(D, [2, 2, 3, 3]),
      `s = i32x4.add(m, r)`,
      ...sig1('s', [0, 0, 1, 1]),
      `${A} = ${shuf('s', 'i32x4.add(m, r)', 0, 1, 6, 7)}`,
      `v128.store(SHA_W, ${A}, ${64 + 16 * k})`,
    ]
  }
  L.push(...rounds((i) => Wm(i), (i) => (i % 4 === 0 && i < 48 ? group(i / 4) : null), ''))
  L.push(...tail())
  return L
}

const ind = (L, n) => L.map((l) => ' '.repeat(n) + l)
const src = `// SHA-256 (FIPS 180-4). Generated by scripts/gen-sha256.mjs: edit that, not this file.
// State (8 words) at SHA_H, so a long input streams through the scratch region: sha256Init,
// sha256Blocks per chunk (whole 64-byte blocks), sha256Final. The 64 rounds are unrolled
// (checked against FIPS 180 vectors in test/wasm) with the variable names rotating instead of
// values moving; round constants are immediates (FIPS 180-4 4.2.2). The message schedule lives in
// memory at SHA_W (64 words), not in locals: x64 V8 has ~11 allocatable general registers, and 16
// schedule words in locals spilled on every round. The sigma functions are nested rotations, e.g.
// Σ1(e) = rotr(e ^ rotr(e ^ rotr(e, 14), 5), 6) (fewer register copies on two-operand x86), and
// Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)) reuses the previous round's a ^ b (as b ^ c).
// The SIMD flavours compute the schedule 4 words at a time in i32x4 (vector pipes, beside the
// scalar rounds); the no-SIMD flavour computes each W[t] in the round that uses it.
import { DIGEST, SHA_H, SHA_PAD, SHA_W } from './layout'
import { mdPad } from './md'

export function sha256Init(): void {
  store<u32>(SHA_H, 0x6a09e667); store<u32>(SHA_H, 0xbb67ae85, 4)
  store<u32>(SHA_H, 0x3c6ef372, 8); store<u32>(SHA_H, 0xa54ff53a, 12)
  store<u32>(SHA_H, 0x510e527f, 16); store<u32>(SHA_H, 0x9b05688c, 20)
  store<u32>(SHA_H, 0x1f83d9ab, 24); store<u32>(SHA_H, 0x5be0cd19, 28)
}

/** Compresses \`n\` whole 64-byte blocks at \`ptr\` into the state at SHA_H (schedule at SHA_W). */
export function sha256Blocks(ptr: usize, n: usize): void {
  for (let end = ptr + (n << 6); ptr < end; ptr += 64) {
    if (${opt.simd ? 'ASC_FEATURE_SIMD' : 'false'}) {
${ind(simdBody(), 6).join('\n')}
    } else {
${ind(scalarBody(), 6).join('\n')}
    }
  }
}

/**
 * Hashes the last \`len\` bytes at \`ptr\` (any length), pads with the total message length
 * \`total\` (bytes, including everything passed to sha256Blocks) and writes the digest at DIGEST.
 */
export function sha256Final(ptr: usize, len: usize, total: u64): void {
  const full = len >>> 6
  sha256Blocks(ptr, full)
  sha256Blocks(SHA_PAD, mdPad(ptr + (full << 6), len & 63, total))
  for (let i: usize = 0; i < 32; i += 4) store<u32>(DIGEST + i, bswap<u32>(load<u32>(SHA_H + i)))
  memory.fill(SHA_PAD, 0, 128)
  memory.fill(SHA_H, 0, 32)
  memory.fill(SHA_W, 0, 256)
}

/** One-shot SHA-256 of [ptr, ptr + len) into DIGEST. */
export function sha256(ptr: usize, len: usize): void {
  sha256Init()
  sha256Final(ptr, len, <u64>len)
}
`
if (process.argv.includes('--check')) {
  if (readFileSync(out, 'utf8') !== src) {
    console.error('gen-sha256: assembly/sha256.ts is stale; run node scripts/gen-sha256.mjs')
    process.exit(1)
  }
} else {
  writeFileSync(out, src)
}
