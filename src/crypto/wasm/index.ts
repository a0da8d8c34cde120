/**
 * WASM backend loader. Three flavours of the same AssemblyScript sources (assembly/) are
 * embedded (./embedded.ts: one module each, imported on demand): relaxed SIMD, baseline SIMD,
 * no SIMD, chosen by `WebAssembly.validate` probes of the features, so that only the chosen
 * flavour is ever fetched, decoded and compiled. The SIMD
 * flavours default to the constant-time vector-permute AES; the table AES is opt-in there
 * (`aes: 'table'`) and the only one in the no-SIMD flavour. A request that cannot be met throws
 * `E_BACKEND_UNAVAILABLE` (createCrypto falls back to pure TS only with `backend: 'auto'`).
 */
import { CryptoError } from '../../errors.js'
import type { CryptoCore, CryptoOptions } from '../types.js'
import { WasmCore, WasmInstance, type WasmExports } from './core.js'
import { compileEmbedded, compileEmbeddedSync, type EmbeddedWasm } from './embedded.js'
import { SCRATCH } from './layout.generated.js'

export type Flavour = 'relaxed' | 'baseline' | 'none'

/** The embedded module of each flavour (each `import()` a chunk of its own in bundles). */
export const FLAVOUR_WASM: Record<Flavour, EmbeddedWasm> = {
  relaxed: { file: 'mtwire-relaxed-simd.wasm', load: () => import('./embedded/mtwire-relaxed-simd.js') },
  baseline: { file: 'mtwire-simd.wasm', load: () => import('./embedded/mtwire-simd.js') },
  none: { file: 'mtwire.wasm', load: () => import('./embedded/mtwire.js') },
}

const FLAVOURS: Record<Flavour, { wasm: EmbeddedWasm; label: string; simd: boolean }> = {
  relaxed: { wasm: FLAVOUR_WASM.relaxed, label: 'wasm-relaxed-simd', simd: true },
  baseline: { wasm: FLAVOUR_WASM.baseline, label: 'wasm-simd', simd: true },
  none: { wasm: FLAVOUR_WASM.none, label: 'wasm', simd: false },
}

// Feature probes (the smallest function using the feature): () -> v128 built with
// i8x16.splat + i8x16.popcnt (SIMD) and i8x16.relaxed_swizzle (relaxed SIMD). Validating these
// instead of the embedded modules means only the chosen flavour is ever decoded and compiled.
const head = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0]
const PROBE: Record<Flavour, number[] | null> = {
  relaxed: [...head, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11],
  baseline: [...head, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11],
  none: null,
}
const supportCache = new Map<Flavour, boolean>()
const instanceCache = new Map<Flavour, WasmInstance>()

function hasWasm(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function'
}

/** Whether this runtime validates the flavour's features. */
function supports(f: Flavour): boolean {
  let ok = supportCache.get(f)
  if (ok === undefined) {
    const probe = PROBE[f]
    try {
      ok = hasWasm() && (probe === null || WebAssembly.validate(new Uint8Array(probe)))
    } catch {
      ok = false
    }
    supportCache.set(f, ok)
  }
  return ok
}

/** Drops the cached probe results (after the runtime's features changed: the Node entry's enableRelaxedSimd). */
export function forgetFeatureProbes(): void {
  supportCache.clear()
}

/** Which flavours this runtime can run, best first (for diagnostics, tests and benchmarks). */
export function availableFlavours(): Flavour[] {
  return (['relaxed', 'baseline', 'none'] as const).filter(supports)
}

/** Picks the flavour and AES core for the options, or throws E_BACKEND_UNAVAILABLE. */
function choose(options: CryptoOptions): { flavour: Flavour; aes: 'ct' | 'table' } {
  if (!hasWasm()) throw new CryptoError('E_BACKEND_UNAVAILABLE', 'this runtime has no WebAssembly')
  const simd = options.simd ?? 'auto'
  const order: Flavour[] = simd === 'auto' ? ['relaxed', 'baseline', 'none'] : [simd]
  for (const f of order) {
    if (!FLAVOURS[f].simd && options.aes === 'constant-time') continue
    if (supports(f)) return { flavour: f, aes: options.aes === 'table' || !FLAVOURS[f].simd ? 'table' : 'ct' }
  }
  const what = simd === 'auto' ? 'any WASM flavour' : `the ${simd === 'none' ? 'no-SIMD' : simd + ' SIMD'} WASM flavour`
  const why =
    options.aes === 'constant-time' && (simd === 'none' || simd === 'auto')
      ? 'constant-time AES needs WebAssembly SIMD, which this runtime does not validate'
      : simd === 'relaxed'
        ? 'this runtime does not validate relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)'
        : 'this runtime does not validate it'
  throw new CryptoError('E_BACKEND_UNAVAILABLE', `cannot use ${what}: ${why}`)
}

/**
 * Starts V8's optimizing compiles of one AES core's hot WASM functions before the first real
 * message (once per flavour and core per process; ~1.5 ms on the x64 test machine). V8 runs a
 * new module in baseline code (Liftoff: 4-5x slower here) and recompiles a function in the
 * background once ~1.8 MB of its baseline code has run. A function that loops over the data
 * drains that in one long call: 8 KiB of IGE each way (4 KiB is not enough for the ct core) and
 * 4 KiB of SHA-256 start the compiles that matter most, which then finish on another thread
 * (~1 ms each on a quiet machine, and SHA-256's rounds are a loop partly for this). A few
 * envelope round trips run the per-message code paths once; key schedules and the KDF tier up
 * within the first ~50 real messages, the smallest functions within a few hundred. CTR and
 * SHA-1 are left to tier up on use, so as not to queue ahead of these. Everything touched is
 * zeroed.
 */
function warmUp(inst: WasmInstance, c: CryptoCore, ct: number): void {
  const long = new Uint8Array(8192)
  const k = new Uint8Array(32)
  const iv = new Uint8Array(32)
  c.igeEncrypt(long, k, iv, long)
  c.igeDecrypt(long, k, iv, long)
  c.sha256(long.subarray(0, 4096))
  const e = inst.e
  // the fused envelope on an all-zero key (no key is cached yet): encryption, then decryption
  // of the 24 + 48-byte packet (the plaintext is wiped by WASM whether its checks pass or not)
  for (let i = 0; i < 16; i++) {
    e.envEncrypt(SCRATCH, 0, 0, 32, 48, ct)
    e.envDecrypt(SCRATCH, 0, 0, 72, ct)
  }
  inst.mem().fill(0, SCRATCH - 32, SCRATCH + long.length)
  e.wipe()
}

function instantiate(f: Flavour, module: WebAssembly.Module): WasmInstance {
  let inst = instanceCache.get(f)
  if (!inst) {
    const instance = new WebAssembly.Instance(module, {})
    inst = new WasmInstance(instance.exports as unknown as WasmExports)
    instanceCache.set(f, inst)
  }
  return inst
}

const warmed = new Set<string>()

/** The core object for a flavour and AES core (a new object each time, over the shared instance). */
function core(f: Flavour, aes: 'ct' | 'table', inst: WasmInstance): CryptoCore {
  const label = `${FLAVOURS[f].label}/${aes}`
  const c = new WasmCore(inst, label, aes === 'ct')
  if (!warmed.has(label)) {
    warmed.add(label)
    warmUp(inst, c, aes === 'ct' ? 1 : 0)
  }
  return c
}

/** Resolves to the best WASM core the options allow, or throws `E_BACKEND_UNAVAILABLE`. */
export async function loadWasmCore(options: CryptoOptions): Promise<CryptoCore> {
  const { flavour, aes } = choose(options)
  return core(flavour, aes, instantiate(flavour, await compileEmbedded(FLAVOURS[flavour].wasm)))
}

/**
 * Synchronous variant (Node, Deno, Bun, workers). Where modules load on demand (the browser
 * build), throws `E_NOT_LOADED` until an async load brought the chosen flavour.
 */
export function loadWasmCoreSync(options: CryptoOptions): CryptoCore {
  const { flavour, aes } = choose(options)
  return core(flavour, aes, instantiate(flavour, compileEmbeddedSync(FLAVOURS[flavour].wasm)))
}

/** For tests: the shared instance behind a flavour (memory inspection), if loaded. */
export function _wasmInstance(f: Flavour): WasmInstance | undefined {
  return instanceCache.get(f)
}
