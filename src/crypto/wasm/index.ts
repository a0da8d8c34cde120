/**
 * WASM backend loader. The AssemblyScript cores (assembly/) land with the WASM issue; until
 * then asking for WASM explicitly fails with a clear error and `auto` falls back to pure TS.
 */
import { CryptoError } from '../../errors.js'
import type { CryptoCore, CryptoOptions } from '../types.js'

/** Resolves to the best WASM core the options allow, or throws `E_BACKEND_UNAVAILABLE`. */
export async function loadWasmCore(options: CryptoOptions): Promise<CryptoCore> {
  return loadWasmCoreSync(options)
}

export function loadWasmCoreSync(_options: CryptoOptions): CryptoCore {
  throw new CryptoError('E_BACKEND_UNAVAILABLE', 'the WASM backend is not built into this version of mtwire yet; use backend: "js"')
}
