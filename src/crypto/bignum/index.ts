/**
 * Big-number operations for the handshake, DH, SRP and RSA, each dispatched to the first
 * provider that takes it: native (node:crypto on Node), WASM Montgomery, BigInt. See provider.ts.
 */
import { CryptoError } from '../../errors.js'
import { bigintProvider } from './bigint.js'
import { compareBytes, stripLeadingZeros } from './convert.js'
import { nativeFor, type BignumOptions, type BignumProvider } from './provider.js'
import type { RsaPrivateKey, RsaPublicKey } from './rsa-types.js'
import { wasmBignum } from './wasm.js'

export { setBignumProvider, getBignumProvider, type BignumOptions, type BignumProvider } from './provider.js'
export type { RsaPrivateKey, RsaPublicKey } from './rsa-types.js'
export { bitLength, compareBytes, fromBigInt, leftPad, stripLeadingZeros, toBigInt } from './convert.js'
export { loadBignumWasm } from './wasm.js'

function chain(opts: BignumOptions | undefined): BignumProvider[] {
  const out: BignumProvider[] = []
  const n = nativeFor(opts)
  if (n) out.push(n)
  if (opts?.wasm !== false) {
    const w = wasmBignum()
    if (w) out.push(w)
  }
  out.push(bigintProvider)
  return out
}

/** Which provider `modPow` with a secret exponent uses under `opts` (for diagnostics and the README). */
export function bignumBackend(opts?: BignumOptions): string {
  return chain(opts).find((p) => p.modPow)!.name
}

function checkModulus(mod: Uint8Array): Uint8Array {
  const m = stripLeadingZeros(mod)
  if ((m[m.length - 1] & 1) === 0 || (m.length === 1 && m[0] < 3)) {
    throw new CryptoError('E_MODULUS', 'the modulus must be odd and greater than 1')
  }
  return m
}

/**
 * base^exp mod mod as exactly as many big-endian bytes as `mod` has (leading zeros of `mod`
 * ignored). `mod` must be odd and > 1; `base` must be below `mod`. With `secret`, exp is a
 * secret: node:crypto and WASM run constant-time paths; BigInt (no WebAssembly) does not.
 */
export function modPow(base: Uint8Array, exp: Uint8Array, mod: Uint8Array, opts?: BignumOptions & { secret?: boolean }): Uint8Array {
  const m = checkModulus(mod)
  if (compareBytes(base, m) >= 0) throw new CryptoError('E_RANGE', 'the base must be below the modulus')
  const secret = opts?.secret ?? true
  for (const p of chain(opts)) {
    const r = p.modPow?.(base, exp, m, secret)
    if (r) return r
  }
  throw new Error('unreachable: the BigInt provider always answers')
}

/** Raw RSA encryption: block^e mod n, as n's length in bytes. `block` must be below n. */
export function rsaPublic(key: RsaPublicKey, block: Uint8Array, opts?: BignumOptions): Uint8Array {
  if (compareBytes(block, key.n) >= 0) throw new CryptoError('E_RANGE', 'the RSA block must be below the modulus')
  for (const p of chain(opts)) {
    const r = p.rsaPublic?.(key, block)
    if (r) return r
  }
  throw new Error('unreachable: the BigInt provider always answers')
}

/** Raw RSA decryption with CRT: block^d mod n, as n's length in bytes. `block` must be below n. */
export function rsaPrivate(key: RsaPrivateKey, block: Uint8Array, opts?: BignumOptions): Uint8Array {
  if (compareBytes(block, key.n) >= 0) throw new CryptoError('E_RANGE', 'the RSA block must be below the modulus')
  for (const p of chain(opts)) {
    const r = p.rsaPrivate?.(key, block)
    if (r) return r
  }
  throw new Error('unreachable: the BigInt provider always answers')
}

/** Miller–Rabin by the native provider, when it has one (undefined otherwise). */
export function nativeIsProbablePrime(n: Uint8Array, rounds: number, opts?: BignumOptions): boolean | undefined {
  return nativeFor(opts)?.isProbablePrime?.(n, rounds)
}
