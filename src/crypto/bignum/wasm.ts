/**
 * The WASM big-number provider: Montgomery modexp with a fixed window and constant-time table
 * selection (assembly/bignum/montgomery.ts), RSA with CRT on it, and Pollard–Brent pq
 * factorization (assembly/bignum/pq.ts), in a separate ~3 KB module; where the runtime validates
 * WASM SIMD, modexp runs in a second ~2.5 KB module on 28-bit limbs with i64x2 dot products
 * (assembly/bignum/simd.ts, ~1.7x faster on x64). Both live in src/crypto/wasm/bignum.generated.ts
 * and are compiled the first time something needs them (synchronously: small enough for a
 * browser's main thread; `loadBignumWasm()` compiles them asynchronously ahead of time), never
 * inside the crypto flavours.
 */
import { fromBase64 } from '../wasm/base64.js'
import { bignum as BIGNUM_B64, bignumSimd as BIGNUM_SIMD_B64 } from '../wasm/bignum.generated.js'
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
  pqInit(c: bigint, x0: bigint): void
  pqAdvance(count: number, setX: number): void
  pqBatch(count: number): bigint
  pqRetrace(): bigint
  isPrime32(n: number): number
}

/** The SIMD module's exports (assembly/bignum/simd.ts). */
interface SimdExports {
  memory: WebAssembly.Memory
  setup28(k: number, haveR2: number): void
  modExp28(k: number, bits: number): void
  combInit(k: number, bits: number): void
  combExp(k: number, bits: number): void
  wipe28(): void
}

let exports: Exports | undefined
let simd: SimdExports | undefined
let failed = false

const instance = <T>(m: WebAssembly.Module): T => new WebAssembly.Instance(m, {}).exports as unknown as T

/** The SIMD module if this runtime validates it (compiled synchronously), else undefined. */
function trySimd(bytes: Uint8Array<ArrayBuffer>, compile: (b: Uint8Array<ArrayBuffer>) => WebAssembly.Module): void {
  try {
    if (WebAssembly.validate(bytes)) simd = instance<SimdExports>(compile(bytes))
  } catch {
    simd = undefined
  }
}

/** The scalar instance (and the SIMD one where supported), compiled synchronously on first use; undefined without WebAssembly. */
function wasm(): Exports | undefined {
  if (exports || failed) return exports
  try {
    if (typeof WebAssembly !== 'object') throw new Error('no WebAssembly')
    exports = instance<Exports>(new WebAssembly.Module(fromBase64(BIGNUM_B64)))
    trySimd(fromBase64(BIGNUM_SIMD_B64), (b) => new WebAssembly.Module(b))
    return exports
  } catch {
    failed = true
    return undefined
  }
}

/**
 * Compiles the big-number modules asynchronously (for a browser's main thread, where large
 * synchronous compiles are refused; ours are small enough for Chromium's limit, but this keeps
 * the compiles off the first handshake). Resolves to whether WASM is available.
 */
export async function loadBignumWasm(): Promise<boolean> {
  if (exports) return true
  try {
    if (typeof WebAssembly !== 'object') return false
    const scalar = await WebAssembly.compile(fromBase64(BIGNUM_B64))
    const simdBytes = fromBase64(BIGNUM_SIMD_B64)
    const vector = WebAssembly.validate(simdBytes) ? await WebAssembly.compile(simdBytes) : undefined
    exports = instance<Exports>(scalar)
    if (vector) simd = instance<SimdExports>(vector)
    failed = false
    return true
  } catch {
    failed = true
    return false
  }
}

/** Which modexp core runs: 'simd' (28-bit limbs, i64x2) or 'scalar' (32-bit limbs), or undefined without WASM. */
export function wasmModExpCore(): 'simd' | 'scalar' | undefined {
  return wasm() ? (simd ? 'simd' : 'scalar') : undefined
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

// assembly/bignum/simd.ts: 28-bit limbs, at most MAX28, a multiple of 4
const MAX28 = 124
const N28 = 0x0000, A28 = 0x0200, E28 = 0x0400, R2_28 = 0x0600, OUT28 = 0x0800

/** Writes the big-endian number `b` as k 28-bit limbs (little-endian u32 words) at `addr`. */
function put28(mem: Uint8Array, addr: number, b: Uint8Array, k: number): void {
  const dv = new DataView(mem.buffer)
  let acc = 0, bits = 0, limb = 0
  for (let i = b.length - 1; i >= 0 && limb < k; i--) {
    acc |= b[i] << bits
    bits += 8
    if (bits >= 28) {
      dv.setUint32(addr + 4 * limb++, acc & 0xfffffff, true)
      acc = b[i] >>> (8 - (bits - 28))
      bits -= 28
    }
  }
  for (; limb < k; limb++, acc = 0) dv.setUint32(addr + 4 * limb, acc & 0xfffffff, true)
}

/** Reads `len` big-endian bytes from k 28-bit limbs at `addr`. */
function get28(mem: Uint8Array, addr: number, k: number, len: number): Uint8Array {
  const dv = new DataView(mem.buffer)
  const out = new Uint8Array(len)
  // acc < 2^8 before a limb is added, so acc < 2^36: exact in a double (not in an int32)
  let acc = 0, bits = 0, o = len - 1
  for (let limb = 0; limb < k && o >= 0; limb++) {
    acc += dv.getUint32(addr + 4 * limb, true) * 2 ** bits
    bits += 28
    while (bits >= 8 && o >= 0) {
      out[o--] = acc % 256
      acc = Math.floor(acc / 256)
      bits -= 8
    }
  }
  return out
}

/** R² mod N of the last few moduli (public ones: the DH prime, RSA moduli, Miller–Rabin candidates). */
const r2Cache = new Map<string, Uint8Array>()

function hexOf(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16)
  return s
}

/** The (modulus, base, exponent bits) whose comb table the SIMD module holds. */
let combFor = ''

/**
 * base^exp mod mod on the SIMD core; undefined when the modulus is too large for it. A one-byte
 * base (a DH generator) goes through the comb (assembly/bignum/simd.ts): its table costs about
 * one exponentiation to build, the first time, and each later g^x a third of one.
 */
function modPowSimd(v: SimdExports, base: Uint8Array, x: Uint8Array, mod: Uint8Array, bits: number): Uint8Array | undefined {
  const k = ((Math.ceil((mod.length * 8) / 28) + 3) & ~3) || 4
  if (k > MAX28 || limbs(x.length) > MAX_LIMBS) return undefined
  const mem = new Uint8Array(v.memory.buffer)
  try {
    put28(mem, N28, mod, k)
    put28(mem, A28, base, k)
    put(mem, E28, x, limbs(x.length))
    const key = hexOf(mod)
    const r2 = r2Cache.get(key)
    if (r2) mem.set(r2, R2_28)
    v.setup28(k, r2 ? 1 : 0)
    if (!r2) {
      r2Cache.set(key, mem.slice(R2_28, R2_28 + 4 * k))
      if (r2Cache.size > 8) r2Cache.delete(r2Cache.keys().next().value!)
    }
    // a one-byte base, found by a full scan (the base may be secret: SRP's t)
    let high = 0
    for (let i = 0; i < base.length - 1; i++) high |= base[i]
    if (high === 0 && bits >= 64) {
      const id = `${key}:${base[base.length - 1]}:${bits}`
      if (combFor !== id) {
        combFor = ''
        v.combInit(k, bits)
        combFor = id
      }
      v.combExp(k, bits)
    } else v.modExp28(k, bits)
    return get28(mem, OUT28, k, mod.length)
  } finally {
    v.wipe28()
  }
}

/** base^exp mod mod. Secret exponents run over their full byte length, whatever their top bits. */
function modPow(e: Exports, base: Uint8Array, exp: Uint8Array, mod: Uint8Array, secret: boolean): Uint8Array | undefined {
  const k = limbs(mod.length)
  const x = secret ? exp : stripLeadingZeros(exp)
  const bits = secret ? x.length * 8 : bitLen(x)
  if (simd) {
    const r = modPowSimd(simd, base, x, mod, bits)
    if (r) return r
  }
  if (k > MAX_LIMBS || limbs(x.length) > MAX_LIMBS) return undefined
  const mem = new Uint8Array(e.memory.buffer)
  try {
    put(mem, N, mod, k)
    put(mem, A, base, k)
    put(mem, E, x, limbs(x.length))
    e.mpSetup(k)
    e.modExp(k, bits)
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
 * One Pollard–Brent run on `pq` (odd, 64-bit at most) with x ↦ x² + c from x0, at most
 * 2^maxLog2 steps. Brent's control flow (Brent 1980, the product of 128 differences per gcd)
 * runs here, the steps in WASM, one call per batch (see assembly/bignum/pq.ts for why). Returns a
 * non-trivial factor or 0n (prime pq, or an unlucky c), or undefined without WASM.
 */
export function wasmPqFactor(pq: bigint, c: bigint, x0: bigint, maxLog2: number): bigint | undefined {
  const e = wasm()
  if (!e) return undefined
  const dv = new DataView(e.memory.buffer)
  dv.setBigUint64(PQ, pq, true)
  const m = 128
  const limit = 2 ** maxLog2
  try {
    // i64 arguments and results: runtimes without WASM BigInt integration throw here
    e.pqInit(c, x0)
    for (let r = 1; r <= limit; r *= 2) {
      // x = y, then y runs r steps ahead (in calls of at most 2^16 steps)
      for (let left = r; left > 0; left -= 65536) e.pqAdvance(Math.min(left, 65536), left === r ? 1 : 0)
      for (let k = 0; k < r; k += m) {
        // WASM i64 results arrive signed: read them as the u64 they are
        const g = BigInt.asUintN(64, e.pqBatch(Math.min(m, r - k)))
        if (g === 1n) continue
        return g === pq ? BigInt.asUintN(64, e.pqRetrace()) : g
      }
    }
    return 0n
  } catch {
    return undefined
  } finally {
    e.mpWipe()
  }
}

/** Deterministic primality of n < 2^32 in WASM (64-bit integers); undefined without WebAssembly. */
export function wasmIsPrime32(n: number): boolean | undefined {
  const e = wasm()
  return e ? e.isPrime32(n >>> 0) !== 0 : undefined
}

/** For tests: the modules' memories (to check that secrets are wiped), if instantiated. */
export function _bignumMemory(which: 'scalar' | 'simd' = 'scalar'): Uint8Array | undefined {
  const m = which === 'simd' ? simd?.memory : exports?.memory
  return m && new Uint8Array(m.buffer)
}

/** For tests and benchmarks: run modexp on the scalar core only (false) or let SIMD take it (true, default). */
export function _useSimd(on: boolean): void {
  wasm()
  if (!on) {
    savedSimd = simd ?? savedSimd
    simd = undefined
  } else if (savedSimd) simd = savedSimd
}
let savedSimd: SimdExports | undefined
