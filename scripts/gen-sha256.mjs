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
// Round shapes, chosen by measurement (x64 V8 11.3: TurboFan's register allocation decides more
// than the operation count). The SIMD body keeps W in memory and spills little, so it takes the
// shortest dependency chains; the no-SIMD body keeps W in 16 locals and needs fewer temporaries.
const env = (k, d) => process.env[k] ?? d
const shape = (p, d) => ({
  maj: env(p + 'MAJ', d.maj), // reuse: b ^ ((a ^ b) & (b ^ c)), b ^ c from the previous round; classic
  order: env(p + 'ORDER', d.order), // how T1 is summed (see rounds())
  rot1: env(p + 'ROT1', d.rot1), // Σ1: nested | half | indep
  rot0: env(p + 'ROT0', d.rot0), // Σ0
  a: env(p + 'A', d.a), // new a: ts0m = T1 + Σ0 + Maj, tms0 = T1 + Maj + Σ0, s0mt = Σ0 + Maj + T1
})
const opt = {
  simd: env('SHA_SIMD', '1') === '1', // i32x4 schedule in the SIMD flavours
  vec: shape('SHA_V_', { maj: 'reuse', order: 'split', rot1: 'half', rot0: 'half', a: 'tms0' }),
  sca: shape('SHA_S_', { maj: 'reuse', order: 'chfirst', rot1: 'nested', rot0: 'nested', a: 'ts0m' }),
  sched: env('SHA_SCHED', 'locals'), // no-SIMD schedule: locals (16 rolling) | mem (SHA_W)
  wsrc: env('SHA_WSRC', 'mem'), // SIMD rounds read W: mem | extract (i32x4.extract_lane)
  nfirst: Number(env('SHA_NFIRST', '16')),
  goff: Number(env('SHA_GOFF', '0')), // the schedule group for W[t..t+3] is emitted before round t - 16 + goff
  // SIMD body: rounds per loop iteration, 16 or 32 (rolled: SHA_W holds W + K), or 64 (unrolled,
  // K as immediates). Rolled by 16 runs ~5% (256 B) to ~13% (64 KiB) slower than unrolled, but
  // V8's optimizing compiler takes ~1 ms over it instead of 5-8 ms: until that background compile
  // is done, hashing runs in baseline code at a fraction of the speed (the warm-up issue).
  roll: Number(env('SHA_ROLL', '16')),
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

/**
 * The 64 rounds in shape `o`; \`w(i)\` is the expression of W[i]; \`pre(i)\` code emitted before round i.
 * T1 = h + W + K + Ch(e, f, g) + Σ1(e) in this order (chfirst) puts Σ1, the longest chain from e,
 * last; split computes d + (h + W + K + Ch) + Σ1 and T1 separately, one add more and one shorter
 * chain from e to the next e.
 */
function rounds(w, pre, o, n = 64, kx = (i) => hex(K[i])) {
  const L = []
  const v = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
  for (let i = 0; i < n; i++) {
    const [a, b, c, d, e, f, g, h] = v.map((_, j) => v[(j - i + 64) % 8])
    const p = pre(i)
    if (p) L.push(...p)
    const ch = `(${g} ^ (${e} & (${f} ^ ${g})))`
    // half: Σ1(e) = rotr(e, 6) ^ rotr(e ^ rotr(e, 14), 11), two chains of at most 3 operations
    const s1e = o.rot1 === 'indep' ? `(rotr<u32>(${e}, 6) ^ rotr<u32>(${e}, 11) ^ rotr<u32>(${e}, 25))`
      : o.rot1 === 'half' ? `(rotr<u32>(${e}, 6) ^ rotr<u32>(${e} ^ rotr<u32>(${e}, 14), 11))` : S1(e)
    const s0a = o.rot0 === 'indep' ? `(rotr<u32>(${a}, 2) ^ rotr<u32>(${a}, 13) ^ rotr<u32>(${a}, 22))`
      : o.rot0 === 'half' ? `(rotr<u32>(${a}, 2) ^ rotr<u32>(${a} ^ rotr<u32>(${a}, 9), 13))` : S0(a)
    const k = kx(i)
    if (k === null) L.push(`u = ${h} + ${w(i)} + ${ch}`, `v = ${s1e}`, `t = u + v`, `${d} = ${d} + u + v`) // W + K precomputed
    else if (o.order === 'split') L.push(`u = ${h} + ${w(i)} + ${k} + ${ch}`, `v = ${s1e}`, `t = u + v`, `${d} = ${d} + u + v`)
    else {
      if (o.order === 'kfirst') L.push(`t = ${h} + ${k} + ${s1e} + ${ch} + ${w(i)}`)
      else if (o.order === 'wfirst') L.push(`t = ${h} + ${w(i)} + ${k} + ${s1e} + ${ch}`)
      else if (o.order === 'chfirst') L.push(`t = ${h} + ${w(i)} + ${k} + ${ch} + ${s1e}`)
      else L.push(`t = ${h} + ${s1e} + ${ch} + ${w(i)} + ${k}`)
      L.push(`${d} += t`)
    }
    let maj
    if (o.maj === 'reuse') {
      const y = i & 1 ? 'x' : 'y', x = i & 1 ? 'y' : 'x'
      L.push(`${y} = ${a} ^ ${b}`)
      maj = `(${b} ^ (${y} & ${x}))`
    } else {
      maj = `((${a} & ${b}) | (${c} & (${a} | ${b})))`
    }
    L.push(o.a === 's0mt' ? `${h} = ${s0a} + ${maj} + t` : o.a === 'tms0' ? `${h} = t + ${maj} + ${s0a}` : `${h} = t + ${s0a} + ${maj}`)
  }
  return L
}

const bswap4 = '3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12' // bytes of each 32-bit lane reversed
const lanes32 = (...l) => l.flatMap((x) => [4 * x, 4 * x + 1, 4 * x + 2, 4 * x + 3]).join(', ')
const shuf = (a, b, ...l) => `i8x16.shuffle(${a}, ${b}, ${lanes32(...l)})`

function head(o) {
  return [
    'let a = load<u32>(SHA_H), b = load<u32>(SHA_H, 4), c = load<u32>(SHA_H, 8), d = load<u32>(SHA_H, 12)',
    'let e = load<u32>(SHA_H, 16), f = load<u32>(SHA_H, 20), g = load<u32>(SHA_H, 24), h = load<u32>(SHA_H, 28)',
    'let t: u32, u: u32, v: u32' + (o.maj === 'reuse' ? ', x = b ^ c, y: u32' : ''),
  ]
}
function tail() {
  return ['a b c d e f g h'.split(' ').map((v, i) => `store<u32>(SHA_H, load<u32>(SHA_H, ${4 * i}) + ${v}, ${4 * i})`).join('; ')]
}

/** Scalar: W[0..15] byte-swapped into SHA_W, W[16..63] computed one round ahead of use, in memory. */
function scalarBody() {
  const L = []
  if (opt.sched === 'locals') {
    L.push('let ' + [...Array(16).keys()].map((i) => `w${i} = bswap<u32>(load<u32>(ptr, ${4 * i}))`).join(', '))
    L.push(...head(opt.sca))
    L.push(...rounds((i) => `w${i & 15}`, (i) => (i < 16 ? null : [
      `w${i & 15} += ${s0(`w${(i + 1) & 15}`)} + w${(i + 9) & 15} + ${s1(`w${(i + 14) & 15}`)}`,
    ]), opt.sca))
    L.push(...tail())
    return L
  }
  for (let i = 0; i < 16; i++) L.push(`store<u32>(SHA_W, bswap<u32>(load<u32>(ptr, ${4 * i})), ${4 * i})`)
  L.push(...head(opt.sca), 'let w: u32, p: u32, q: u32')
  L.push(...rounds((i) => (i < 16 ? Wm(i) : 'w'), (i) => (i < 16 ? null : [
    `p = ${Wm(i - 15)}; q = ${Wm(i - 2)}`,
    `w = ${Wm(i - 16)} + ${s0('p')} + ${Wm(i - 7)} + ${s1('q')}`,
    `store<u32>(SHA_W, w, ${4 * i})`,
  ]), opt.sca))
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
  const bs = bswap4
  for (let j = 0; j < 4; j++) {
    L.push(`let x${j} = i8x16.shuffle(v128.load(ptr, ${16 * j}), v128.load(ptr, ${16 * j}), ${bs})`)
  }
  const ex = opt.wsrc === 'extract'
  const wk = opt.roll < 64 && !ex && opt.wsrc === 'mem' // rolled: SHA_W holds W + K (K from ENV_SHAK, in vectors)
  const st = (x, off) => (wk ? `v128.store(SHA_W, i32x4.add(${x}, v128.load(ENV_SHAK, ${off})), ${off})` : `v128.store(SHA_W, ${x}, ${off})`)
  if (!ex) for (let j = 0; j < 4; j++) L.push(st(`x${j}`, 16 * j))
  L.push(...head(opt.vec), 'let p: v128, q: v128, r: v128, s: v128, m: v128')
  const group = (k) => {
    const fresh = ex || opt.wsrc === 'first' // SSA names x0..x15 instead of 4 rolling ones
    const [A, B, C, D] = [0, 1, 2, 3].map((j) => (fresh ? `x${k + j}` : `x${(k + j) % 4}`))
    const X = fresh ? `x${k + 4}` : A
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
      `${fresh ? 'const ' : ''}${X} = ${shuf('s', 'i32x4.add(m, r)', 0, 1, 6, 7)}`,
      ...(ex ? [] : [st(X, 64 + 16 * k)]),
    ]
  }
  if (wk) {
    // R rounds per iteration (a multiple of 16, so that the variable names and x0..x3 come back
    // to their places); every iteration computes its 4 schedule groups, the last one W[64..79]
    // (unused, inside SHA_W's 320 bytes), instead of branching
    const R = opt.roll
    L.push(`for (let wo: usize = 0; wo < 256; wo += ${4 * R}) {`)
    const body = rounds((i) => `load<u32>(SHA_W + wo, ${4 * i})`, (i) => (i % 4 === opt.goff ? group(i >> 2).map((l) => l.replace(/SHA_W, /g, 'SHA_W + wo, ').replace(/ENV_SHAK, /g, 'ENV_SHAK + wo, ')) : null), opt.vec, R, () => null)
    L.push(...ind(body, 2), '}')
    L.push(...tail())
    return L
  }
  L.push(...rounds((i) => (ex || (opt.wsrc === 'first' && i < opt.nfirst) ? `i32x4.extract_lane(x${i >> 2}, ${i & 3})` : Wm(i)), (i) => (i % 4 === opt.goff && i < 48 ? group(i >> 2) : null), opt.vec))
  L.push(...tail())
  return L
}

const ind = (L, n) => L.map((l) => ' '.repeat(n) + l)
const hdr = `// SHA-256 (FIPS 180-4). Generated by scripts/gen-sha256.mjs: edit that, not this file.
// State (8 words) at SHA_H, so a long input streams through the scratch region: sha256Init,
// sha256Blocks per chunk (whole 64-byte blocks), sha256Final. The variable names rotate instead
// of values moving (checked against FIPS 180 vectors in test/wasm); the state is re-read from
// SHA_H at the end of a block instead of being held in 8 more locals.
// SIMD flavours: the message schedule is computed 4 words at a time in i32x4 (on the vector
// pipes, beside the scalar rounds, 4 rounds ahead of use) and stored at SHA_W with the round
// constants already added (W + K, K from ENV_SHAK, written at instantiation); the rounds are a
// loop of ${opt.roll} (a small body: V8's optimizing compiler is done with it in ~1 ms, see the
// generator), sum T1 as d + (h + W + K + Ch) + Σ1 with Σ1(e) = rotr(e, 6) ^ rotr(e ^
// rotr(e, 14), 11) (shorter chains from e to the next e), and Maj(a, b, c) = b ^ ((a ^ b) &
// (b ^ c)) reusing the previous round's a ^ b.
// No-SIMD flavour: 64 rounds unrolled with the constants as immediates, the schedule in 16
// rolling locals, Σ as nested rotations (fewer temporaries: x64 V8 has ~12 allocatable general
// registers), T1 summed with Σ1 last.
// Round shapes were chosen by measurement on x64 Node 20; see the generator.
`
const src = hdr + `import { DIGEST, ENV_SHAK, SHA_H, SHA_PAD, SHA_W } from './layout'
import { mdPad, mdZero } from './md'

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
  if (full) sha256Blocks(ptr, full)
  sha256Blocks(SHA_PAD, mdPad(ptr + (full << 6), len & 63, total))
  if (ASC_FEATURE_SIMD) {
    v128.store(DIGEST, i8x16.shuffle(v128.load(SHA_H), v128.load(SHA_H), ${bswap4}))
    v128.store(DIGEST, i8x16.shuffle(v128.load(SHA_H, 16), v128.load(SHA_H, 16), ${bswap4}), 16)
  } else {
    for (let i: usize = 0; i < 32; i += 4) store<u32>(DIGEST + i, bswap<u32>(load<u32>(SHA_H + i)))
  }
  mdZero(SHA_PAD, 128)
  mdZero(SHA_H, 32)
  if (ASC_FEATURE_SIMD) mdZero(SHA_W, 320) // the no-SIMD body keeps W in locals
}

/** One-shot SHA-256 of [ptr, ptr + len) into DIGEST. */
export function sha256(ptr: usize, len: usize): void {
  sha256Init()
  sha256Final(ptr, len, <u64>len)
}

/** Writes the 64 round constants K as little-endian words at \`at\` (for code that loads them, e.g. the envelope's 2-lane KDF). */
export function sha256WriteK(at: usize): void {
${K.filter((_, i) => i % 2 === 0).map((k, j) => `  store<u64>(at, 0x${K[2 * j + 1].toString(16).padStart(8, '0')}${k.toString(16).padStart(8, '0')}, ${8 * j})`).join('\n')}
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
