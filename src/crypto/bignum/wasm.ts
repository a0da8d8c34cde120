/**
 * The WASM big-number provider: Montgomery modexp with a fixed window and constant-time table
 * selection (assembly/bignum/montgomery.ts), RSA with CRT on it, and Pollard–Brent pq
 * factorization (assembly/bignum/pq.ts). A separate ~3 KB module (src/crypto/wasm/bignum.generated.ts),
 * compiled the first time something needs it (synchronously: small enough for a browser's main
 * thread; `loadBignumWasm()` compiles it asynchronously ahead of time), never inside the crypto
 * flavours.
 */
import { fromBase64 } from '../wasm/base64.js'
import { bignum as BIGNUM_B64 } from '../wasm/bignum.generated.js'
import { stripLeadingZeros } from './convert.js'
import type { BignumProvider } from './provider.js'
import type { RsaPrivateKey } from './rsa-types.js'

// assembly/bignum/layout.ts
const N = 0x0000, A = 0x0200, E = 0x0400, R2 = 0x0600, OUT = 0x0800, W = 0x1280, Z = 0x1480, PQ = 0x1680
const MAX_LIMBS = 128

interface Exports {
  memory: WebAssembly.Memory
  mpSetup(k: number): void
  modExp(k: number, bits: number): void
  mpReduce(k: number): void
  mpSubMod(out: number, a: number, b: number, k: number): void
  mpMulAdd(out: number, a: number, b: number, c: number, k: number): void
  montMul(out: number, a: number, b: number, k: number): void
  mpWipe(): void
  pqFactor(c: bigint, x0: bigint, maxLog2: number): void
}

let module: WebAssembly.Module | undefined
let exports: Exports | undefined
let failed = false

function instantiate(m: WebAssembly.Module): Exports {
  module = m
  exports = new WebAssembly.Instance(m, {}).exports as unknown as Exports
  return exports
}

/** The instance, compiled synchronously on first use; undefined where WebAssembly is missing or refuses. */
function wasm(): Exports | undefined {
  if (exports || failed) return exports
  try {
    if (typeof WebAssembly !== 'object') throw new Error('no WebAssembly')
    return instantiate(module ?? new WebAssembly.Module(fromBase64(BIGNUM_B64)))
  } catch {
    failed = true
    return undefined
  }
}

/**
 * Compiles the big-number module asynchronously (for a browser's main thread, where large
 * synchronous compiles are refused; ours is small enough for Chromium's limit, but this keeps
 * the compile off the first handshake). Resolves to whether WASM is available.
 */
export async function loadBignumWasm(): Promise<boolean> {
  if (exports) return true
  try {
    if (typeof WebAssembly !== 'object') return false
    instantiate(await WebAssembly.compile(fromBase64(BIGNUM_B64)))
    failed = false
    return true
  } catch {
    failed = true
    return false
  }
}

/** Writes the big-endian number `b` as k little-endian 32-bit limbs at `addr` (zero-extended). */
function put(mem: Uint8Array, addr: number, b: Uint8Array, k: number): void {
  mem.fill(0, addr, addr + 4 * k)
  const n = Math.min(b.length, 4 * k)
  for (let i = 0; i < n; i++) mem[addr + i] = b[b.length - 1 - i]
}

/** Reads `len` big-endian bytes from the limbs at `addr`. */
function get(mem: Uint8Array, addr: number, len: number): Uint8Array {
  const out = new Uint8Array(len)
  for (let i = 0; i < len; i++) out[len - 1 - i] = mem[addr + i]
  return out
}

const limbs = (bytes: number): number => (bytes + 3) >> 2

/** base^exp mod mod. Secret exponents run over their full byte length, whatever their top bits. */
function modPow(e: Exports, base: Uint8Array, exp: Uint8Array, mod: Uint8Array, secret: boolean): Uint8Array | undefined {
  const k = limbs(mod.length)
  const x = secret ? exp : stripLeadingZeros(exp)
  if (k > MAX_LIMBS || limbs(x.length) > MAX_LIMBS) return undefined
  const mem = new Uint8Array(e.memory.buffer)
  try {
    put(mem, N, mod, k)
    put(mem, A, base, k)
    put(mem, E, x, limbs(x.length))
    e.mpSetup(k)
    e.modExp(k, secret ? x.length * 8 : bitLen(x))
    return get(mem, OUT, mod.length)
  } finally {
    e.mpWipe()
  }
}

function bitLen(b: Uint8Array): number {
  if (b.length === 0 || (b.length === 1 && b[0] === 0)) return 0
  return (b.length - 1) * 8 + (32 - Math.clz32(b[0]))
}

/**
 * RSA decryption with CRT, every step on secret data in WASM: m1 = c^dp mod p, m2 = c^dq mod q
 * (constant-time modexps over the full length of p and q), h = qinv·(m1 − m2) mod p,
 * m = m2 + h·q (branch-free subtraction, schoolbook product).
 */
function rsaPrivate(e: Exports, key: RsaPrivateKey, block: Uint8Array): Uint8Array | undefined {
  const k = Math.max(limbs(key.p.length), limbs(key.q.length))
  if (2 * k > MAX_LIMBS || key.n.length > 8 * k) return undefined
  const mem = new Uint8Array(e.memory.buffer)
  const half = (prime: Uint8Array, dExp: Uint8Array, keep: number): void => {
    put(mem, N, prime, k)
    e.mpSetup(k)
    put(mem, A, block, 2 * k)
    e.mpReduce(k)
    put(mem, E, dExp, k)
    e.modExp(k, 32 * k)
    mem.copyWithin(keep, OUT, OUT + 4 * k)
  }
  try {
    half(key.p, key.dp, W) // W = m1
    half(key.q, key.dq, Z) // Z = m2
    put(mem, N, key.p, k)
    e.mpSetup(k)
    mem.copyWithin(A, Z, Z + 4 * k) // m2 mod p (A's upper half zero)
    mem.fill(0, A + 4 * k, A + 8 * k)
    e.mpReduce(k)
    e.mpSubMod(A, W, A, k) // m1 − m2 mod p
    put(mem, E, key.qinv, k)
    e.montMul(A, A, E, k) // ·qinv·R^(−1)
    e.montMul(A, A, R2, k) // ·R: h = qinv·(m1 − m2) mod p
    put(mem, E, key.q, k)
    e.mpMulAdd(OUT, A, E, Z, k) // m = m2 + h·q
    return get(mem, OUT, key.n.length)
  } finally {
    e.mpWipe()
  }
}

/** a·b mod N = montMul(montMul(a, b), R²): two Montgomery products, no data-dependent branch. */
function modMul(e: Exports, a: Uint8Array, b: Uint8Array, mod: Uint8Array): Uint8Array | undefined {
  const k = limbs(mod.length)
  if (k > MAX_LIMBS) return undefined
  const mem = new Uint8Array(e.memory.buffer)
  try {
    put(mem, N, mod, k)
    e.mpSetup(k)
    put(mem, A, a, k)
    put(mem, W, b, k)
    e.montMul(A, A, W, k)
    e.montMul(A, A, R2, k)
    return get(mem, A, mod.length)
  } finally {
    e.mpWipe()
  }
}

function modSub(e: Exports, a: Uint8Array, b: Uint8Array, mod: Uint8Array): Uint8Array | undefined {
  const k = limbs(mod.length)
  if (k > MAX_LIMBS) return undefined
  const mem = new Uint8Array(e.memory.buffer)
  try {
    put(mem, N, mod, k)
    put(mem, A, a, k)
    put(mem, W, b, k)
    e.mpSubMod(A, A, W, k)
    return get(mem, A, mod.length)
  } finally {
    e.mpWipe()
  }
}

function mulAdd(e: Exports, a: Uint8Array, b: Uint8Array, c: Uint8Array, length: number): Uint8Array | undefined {
  const k = Math.max(limbs(a.length), limbs(b.length), limbs(c.length))
  if (2 * k > MAX_LIMBS || length > 8 * k) return undefined
  const mem = new Uint8Array(e.memory.buffer)
  try {
    put(mem, A, a, k)
    put(mem, E, b, k)
    put(mem, Z, c, k)
    e.mpMulAdd(OUT, A, E, Z, k)
    const r = get(mem, OUT, 8 * k)
    // the product fits `length` bytes by the caller's contract; the rest is zero
    return r.subarray(r.length - length).slice()
  } finally {
    e.mpWipe()
  }
}

const provider: BignumProvider = {
  name: 'wasm',
  constantTime: true,
  modMul(a, b, mod) {
    const e = wasm()
    return e && modMul(e, a, b, mod)
  },
  modSub(a, b, mod) {
    const e = wasm()
    return e && modSub(e, a, b, mod)
  },
  mulAdd(a, b, c, length) {
    const e = wasm()
    return e && mulAdd(e, a, b, c, length)
  },
  modPow(base, exp, mod, secret) {
    const e = wasm()
    return e && modPow(e, base, exp, mod, secret)
  },
  rsaPublic(key, block) {
    const e = wasm()
    return e && modPow(e, block, key.e, key.n, false)
  },
  rsaPrivate(key, block) {
    const e = wasm()
    return e && rsaPrivate(e, key, block)
  },
}

/** The WASM provider, or undefined where WebAssembly is unavailable. */
export function wasmBignum(): BignumProvider | undefined {
  return wasm() ? provider : undefined
}

/**
 * One Pollard–Brent run on `pq` (odd, 64-bit at most) with x ↦ x² + c from x0. Returns a
 * non-trivial factor or 0n (prime pq, or an unlucky c), or undefined without WASM.
 */
export function wasmPqFactor(pq: bigint, c: bigint, x0: bigint, maxLog2: number): bigint | undefined {
  const e = wasm()
  if (!e) return undefined
  const dv = new DataView(e.memory.buffer)
  dv.setBigUint64(PQ, pq, true)
  try {
    e.pqFactor(c, x0, maxLog2) // i64 arguments: runtimes without WASM BigInt integration throw
  } catch {
    return undefined
  }
  return dv.getBigUint64(PQ + 8, true)
}

/** For tests: the module's memory (to check that secrets are wiped), if instantiated. */
export function _bignumMemory(): Uint8Array | undefined {
  return exports && new Uint8Array(exports.memory.buffer)
}
