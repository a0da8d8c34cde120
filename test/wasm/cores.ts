/** Every WASM core this runtime can run: each validated flavour with each of its AES cores. */
import { loadWasmCoreSync, availableFlavours } from '../../src/crypto/wasm/index.js'
import type { CryptoCore } from '../../src/crypto/types.js'

export function wasmCores(): CryptoCore[] {
  const out: CryptoCore[] = []
  for (const f of availableFlavours()) {
    out.push(loadWasmCoreSync({ backend: 'wasm', simd: f, aes: 'table' }))
    if (f !== 'none') out.push(loadWasmCoreSync({ backend: 'wasm', simd: f, aes: 'constant-time' }))
  }
  return out
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function prng(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1
  return (n) => {
    const b = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      s ^= s << 13
      s ^= s >>> 17
      s ^= s << 5
      b[i] = s
    }
    return b
  }
}
