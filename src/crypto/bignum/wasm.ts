/**
 * The WASM Montgomery provider (assembly/bignum/). Not built yet: until it is, every operation
 * falls through to node:crypto or BigInt.
 */
import type { BignumProvider } from './provider.js'

export function wasmBignum(): BignumProvider | undefined {
  return undefined
}

/** Compiles the WASM arithmetic ahead of the first handshake (browsers: async compilation). */
export async function loadBignumWasm(): Promise<boolean> {
  return false
}
