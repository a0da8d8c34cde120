/**
 * Every mtwire backend this runtime can run, through the public API: pure TS and each WASM
 * flavour and AES core. Benchmarks and the demo use it to put them all side by side.
 */
import { CryptoError, createCrypto } from '../src/node/index.js'
import type { Crypto, CryptoOptions } from '../src/crypto/types.js'

/** `extra` is merged into every combination (e.g. `{ native: false }` to measure the cores alone). */
export async function availableBackends(extra: CryptoOptions = {}): Promise<Crypto[]> {
  const combos: CryptoOptions[] = [{ backend: 'js', ...extra }]
  for (const simd of ['relaxed', 'baseline', 'none'] as const) {
    for (const aes of ['constant-time', 'table'] as const) combos.push({ backend: 'wasm', simd, aes, ...extra })
  }
  const out = new Map<string, Crypto>()
  for (const o of combos) {
    try {
      const c = await createCrypto(o)
      if (!out.has(c.backend)) out.set(c.backend, c)
    } catch (e) {
      if (!(e instanceof CryptoError) || e.code !== 'E_BACKEND_UNAVAILABLE') throw e
    }
  }
  return [...out.values()]
}
