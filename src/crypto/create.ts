/**
 * Backend selection: `createCrypto()` / `createCryptoSync()`. The backends are loaded on demand
 * (the pure-TS one with `import()`, the WASM flavours through wasm/embedded.ts), so that a
 * bundle for the browser fetches only the one that runs; the Node entry point provides them all
 * up front (src/crypto/eager.ts), so that `createCryptoSync` works there from the start.
 */
import { CryptoError } from '../errors.js'
import { buildCrypto } from './api.js'
import type { Crypto, CryptoCore, CryptoOptions } from './types.js'
import { loadWasmCore, loadWasmCoreSync } from './wasm/index.js'

let jsCore: CryptoCore | undefined

/** Makes the pure-TS backend available synchronously (src/crypto/eager.ts). */
export function provideJsCore(core: CryptoCore): void {
  jsCore = core
}

async function loadJsCore(): Promise<CryptoCore> {
  return (jsCore ??= (await import('./js/index.js')).jsCore)
}

function jsCoreSync(): CryptoCore {
  if (jsCore) return jsCore
  throw new CryptoError('E_NOT_LOADED', 'the pure-TS backend is loaded on demand in this build: await createCrypto() (with the same options) once, then createCryptoSync() works')
}

function checkOptions(o: CryptoOptions): void {
  const oneOf = (name: keyof CryptoOptions, allowed: readonly string[]): void => {
    const v = o[name]
    if (v !== undefined && !allowed.includes(v as string)) {
      throw new CryptoError('E_OPTION', `options.${name} must be one of ${allowed.join(', ')}; got ${String(v)}`)
    }
  }
  oneOf('backend', ['auto', 'wasm', 'js'])
  oneOf('simd', ['auto', 'relaxed', 'baseline', 'none'])
  oneOf('aes', ['constant-time', 'table'])
  if (o.native !== undefined && o.native !== false && (typeof o.native !== 'object' || typeof o.native.sha256 !== 'function')) {
    throw new CryptoError('E_OPTION', 'options.native must be false or a NativeProvider')
  }
  if (o.random !== undefined && typeof o.random !== 'function') {
    throw new CryptoError('E_OPTION', 'options.random must be a function filling a Uint8Array')
  }
  if (o.backend === 'js' && o.aes === 'constant-time') {
    throw new CryptoError('E_BACKEND_UNAVAILABLE', 'the pure-TS backend has only the table AES; constant-time AES needs a WASM SIMD flavour')
  }
  if (o.backend === 'js' && o.simd !== undefined && o.simd !== 'auto') {
    throw new CryptoError('E_OPTION', 'options.simd applies to the WASM backend only')
  }
}

/** Whether WASM is wanted at all, and whether failing to get it must throw rather than fall back. */
function plan(o: CryptoOptions): { wasm: boolean; strict: boolean } {
  checkOptions(o)
  return {
    wasm: o.backend !== 'js',
    strict: o.backend === 'wasm' || o.aes === 'constant-time' || (o.simd !== undefined && o.simd !== 'auto'),
  }
}

/** With `backend: 'auto'`, a runtime without (usable) WebAssembly, e.g. Hermes, gets pure TS. */
function canFallBack(e: unknown, strict: boolean): boolean {
  return !strict && e instanceof CryptoError && e.code === 'E_BACKEND_UNAVAILABLE'
}

/**
 * Creates the crypto object. By default (`backend: 'auto'`) it runs the best WASM flavour the
 * runtime validates, falling back to pure TS. A request that cannot be met (`backend: 'wasm'`,
 * `aes: 'constant-time'`, a specific `simd`) throws `E_BACKEND_UNAVAILABLE` instead of degrading.
 */
export async function createCrypto(options: CryptoOptions = {}): Promise<Crypto> {
  const { wasm, strict } = plan(options)
  let core: CryptoCore | undefined
  if (wasm) {
    core = await loadWasmCore(options).catch((e: unknown) => {
      if (canFallBack(e, strict)) return undefined
      throw e
    })
  }
  return buildCrypto(core ?? (await loadJsCore()), options.random, options.native)
}

/**
 * Like `createCrypto`, but compiles WASM synchronously (Node, Deno, Bun, workers; not a browser
 * main thread). In the browser build, which loads backends on demand, it needs one
 * `await createCrypto()` with the same options first (else `E_NOT_LOADED`).
 */
export function createCryptoSync(options: CryptoOptions = {}): Crypto {
  const { wasm, strict } = plan(options)
  let core: CryptoCore | undefined
  if (wasm) {
    try {
      core = loadWasmCoreSync(options)
    } catch (e) {
      if (!canFallBack(e, strict)) throw e
    }
  }
  return buildCrypto(core ?? jsCoreSync(), options.random, options.native)
}
