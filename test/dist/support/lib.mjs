/**
 * Shared helpers of the dist suite (test/dist/*.test.mjs). The suite runs on Node's own test
 * runner (node:test, Node 18+) against the BUILT bundles, never src/, so that it runs where
 * vitest cannot: Debian's Node 18 on arm64/armv7 under qemu (scripts/arm/test.sh).
 *
 * Environment:
 *   MTWIRE_DIST        folder holding node.mjs / node.cjs (default: dist/ at the repo root)
 *   MTWIRE_TEST_SCALE  size of the random tests, 1 = full (default); scripts/arm/test.sh uses less
 *   MTWIRE_TEST_SEED   seed of the random tests (default: fresh; printed as a diagnostic)
 *   MTWIRE_EXPECT_WASM 1 = fail unless at least one WASM flavour is available
 *   MTWIRE_EXPECT_BACKENDS  comma/space list of `backend` names that must load (e.g. wasm-simd/ct)
 *   MTWIRE_EMULATED    arm64 | armv7 when running under qemu (labels the output only)
 */
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { existsSync } from 'node:fs'
import nodeCrypto from 'node:crypto'

const here = dirname(fileURLToPath(import.meta.url))
export const repoRoot = resolve(here, '../../..')
export const distDir = resolve(process.env.MTWIRE_DIST || join(repoRoot, 'dist'))
export const esmPath = join(distDir, 'node.mjs')
export const cjsPath = join(distDir, 'node.cjs')
for (const p of [esmPath, cjsPath]) {
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\` first (or set MTWIRE_DIST)`)
}

/** The two Node bundles, loaded the way users load them. */
export const esm = await import(pathToFileURL(esmPath).href)
export const cjs = createRequire(import.meta.url)(cjsPath)

const num = (v, d) => (v === undefined || v === '' ? d : Number(v))
export const scale = num(process.env.MTWIRE_TEST_SCALE, 1)
if (!(scale > 0)) throw new Error(`MTWIRE_TEST_SCALE must be a positive number, got ${process.env.MTWIRE_TEST_SCALE}`)
/** `n` scaled, at least `min`. */
export const scaled = (n, min = 1) => Math.max(min, Math.round(n * scale))
export const seed = process.env.MTWIRE_TEST_SEED
  ? Number(process.env.MTWIRE_TEST_SEED) >>> 0
  : nodeCrypto.randomBytes(4).readUInt32LE(0)
export const where = `${process.env.MTWIRE_EMULATED ? `emulated ${process.env.MTWIRE_EMULATED}, ` : ''}${process.arch}, node ${process.version}`

/** A small seeded PRNG (sfc32), so a failing random case can be replayed with MTWIRE_TEST_SEED. */
export function rng(s = seed) {
  let a = 0x9e3779b9,
    b = 0x243f6a88,
    c = 0xb7e15162,
    d = s >>> 0
  const u32 = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0
    const t = (a + b + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 12; i++) u32()
  return {
    u32,
    /** integer in [0, n) */
    int: (n) => Math.floor((u32() / 0x100000000) * n),
    bytes(n) {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff
      return out
    },
  }
}

export const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16))
export const toHex = (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')
export const ascii = (s) => new TextEncoder().encode(s)

/** Byte equality with a short message naming the first difference (no megabyte diffs). */
export function sameBytes(actual, expected, what) {
  if (!(actual instanceof Uint8Array)) throw new Error(`${what}: expected a Uint8Array, got ${typeof actual}`)
  const n = Math.min(actual.length, expected.length)
  let i = 0
  while (i < n && actual[i] === expected[i]) i++
  if (i === n && actual.length === expected.length) return
  const around = (b) => toHex(b.subarray(Math.max(0, i - 4), i + 12))
  throw new Error(
    `${what}: differs at byte ${i} (lengths ${actual.length} / ${expected.length}); ` +
      `actual …${around(actual)}…, expected …${around(expected)}…`,
  )
}

/**
 * Every backend the bundle offers through its public API: the pure-TS one, then every WASM
 * flavour for every simd × aes choice. A choice this runtime cannot meet must throw
 * `E_BACKEND_UNAVAILABLE` (any other error fails). Flavours are de-duplicated by `backend`.
 */
export async function enumerateBackends(mod = esm) {
  const choices = [{ backend: 'js' }]
  for (const simd of ['relaxed', 'baseline', 'none'])
    for (const aes of ['constant-time', 'table']) choices.push({ backend: 'wasm', simd, aes })
  const found = new Map()
  const unavailable = []
  for (const options of choices) {
    try {
      const crypto = await mod.createCrypto(options)
      if (!found.has(crypto.backend)) found.set(crypto.backend, { name: crypto.backend, options, crypto })
    } catch (e) {
      if (e && e.code === 'E_BACKEND_UNAVAILABLE') unavailable.push(options)
      else throw e
    }
  }
  return { backends: [...found.values()], unavailable }
}

// ---- independent references, on node:crypto (OpenSSL) ----

/** AES-256-IGE as MTProto uses it (iv = y0 ‖ x0), block by block on aes-256-ecb. */
export function refIge(encrypt, data, key, iv) {
  const ecb = encrypt
    ? nodeCrypto.createCipheriv('aes-256-ecb', key, null)
    : nodeCrypto.createDecipheriv('aes-256-ecb', key, null)
  ecb.setAutoPadding(false)
  const out = new Uint8Array(data.length)
  // encrypt: c_i = E(p_i ^ c_{i-1}) ^ p_{i-1};  decrypt: p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}
  let prevOut = iv.slice(0, 16) // c_{i-1} when encrypting
  let prevIn = iv.slice(16, 32) // p_{i-1} when encrypting
  if (!encrypt) [prevOut, prevIn] = [prevIn, prevOut]
  const block = new Uint8Array(16)
  for (let off = 0; off < data.length; off += 16) {
    const x = data.subarray(off, off + 16)
    for (let j = 0; j < 16; j++) block[j] = x[j] ^ prevOut[j]
    const y = ecb.update(block)
    for (let j = 0; j < 16; j++) out[off + j] = y[j] ^ prevIn[j]
    prevIn = x
    prevOut = out.subarray(off, off + 16)
  }
  return out
}

export const refCtr = (data, key, iv) => new Uint8Array(nodeCrypto.createCipheriv('aes-256-ctr', key, iv).update(data))
export const refHash = (alg, data) => new Uint8Array(nodeCrypto.createHash(alg).update(data).digest())
export const refHmac256 = (key, data) => new Uint8Array(nodeCrypto.createHmac('sha256', key).update(data).digest())
export const refPbkdf2 = (p, s, i) => new Uint8Array(nodeCrypto.pbkdf2Sync(p, s, i, 64, 'sha512'))

/** CRC-32/ISO-HDLC, bit by bit from the polynomial (node:zlib's crc32 needs Node 20.15+). */
export function refCrc32(data) {
  let c = 0xffffffff
  for (let i = 0; i < data.length; i++) {
    c ^= data[i]
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1
  }
  return (c ^ 0xffffffff) >>> 0
}
