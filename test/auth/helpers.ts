/** Shared by the auth tests: the big-number paths to run every check on, and small helpers. */
import type { BignumOptions } from '../../src/crypto/bignum/index.js'
import { nodeBignumProvider } from '../../src/node/bignum.js'

export { prng, seededCrypto } from '../transport/helpers.js'

/** Every big-number path: node:crypto, WASM Montgomery, BigInt. Each test runs on each. */
export const PATHS: { name: string; opts: BignumOptions }[] = [
  { name: 'node:crypto', opts: { native: nodeBignumProvider } },
  { name: 'wasm', opts: { native: false } },
  { name: 'bigint', opts: { native: false, wasm: false } },
]

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
export const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'))
export const big = (b: Uint8Array): bigint => (b.length ? BigInt('0x' + hex(b)) : 0n)
export const bytes = (n: bigint, len: number): Uint8Array => unhex(n.toString(16).padStart(len * 2, '0'))

/** Reference modexp (plain square-and-multiply on BigInt), independent of src/. */
export function refModPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n
  b %= m
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m
    b = (b * b) % m
    e >>= 1n
  }
  return r
}
