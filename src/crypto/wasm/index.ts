/**
 * WASM backend loader. Three flavours of the same AssemblyScript sources (assembly/) are
 * embedded as base64: relaxed SIMD, baseline SIMD, no SIMD. A flavour is usable when
 * `WebAssembly.validate` accepts its bytes, which is exactly the feature probe. The SIMD
 * flavours default to the constant-time vector-permute AES; the table AES is opt-in there
 * (`aes: 'table'`) and the only one in the no-SIMD flavour. A request that cannot be met throws
 * `E_BACKEND_UNAVAILABLE` (createCrypto falls back to pure TS only with `backend: 'auto'`).
 */
import { CryptoError } from '../../errors.js'
import type { CryptoCore, CryptoOptions } from '../types.js'
import { fromBase64 } from './base64.js'
import { makeCore, WasmInstance, type WasmExports } from './core.js'
import { SCRATCH, KEY, IV } from './layout.js'
import * as embedded from './modules.generated.js'

export type Flavour = 'relaxed' | 'baseline' | 'none'

const FLAVOURS: Record<Flavour, { b64: string; label: string; simd: boolean }> = {
  relaxed: { b64: embedded.relaxedSimd, label: 'wasm-relaxed-simd', simd: true },
  baseline: { b64: embedded.simd, label: 'wasm-simd', simd: true },
  none: { b64: embedded.none, label: 'wasm', simd: false },
}

const bytesCache = new Map<Flavour, Uint8Array<ArrayBuffer> | null>()
const moduleCache = new Map<Flavour, WebAssembly.Module>()
const instanceCache = new Map<Flavour, WasmInstance>()

function hasWasm(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function'
}

/** The flavour's bytes if this runtime validates them (i.e. supports its features), else null. */
function validBytes(f: Flavour): Uint8Array<ArrayBuffer> | null {
  let b = bytesCache.get(f)
  if (b === undefined) {
    const bytes = fromBase64(FLAVOURS[f].b64)
    b = hasWasm() && WebAssembly.validate(bytes) ? bytes : null
    bytesCache.set(f, b)
  }
  return b
}

/** Which flavours this runtime can run, best first (for diagnostics, tests and benchmarks). */
export function availableFlavours(): Flavour[] {
  return (['relaxed', 'baseline', 'none'] as const).filter((f) => validBytes(f) !== null)
}

/** Picks the flavour and AES core for the options, or throws E_BACKEND_UNAVAILABLE. */
function choose(options: CryptoOptions): { flavour: Flavour; aes: 'ct' | 'table' } {
  if (!hasWasm()) throw new CryptoError('E_BACKEND_UNAVAILABLE', 'this runtime has no WebAssembly')
  const simd = options.simd ?? 'auto'
  const order: Flavour[] = simd === 'auto' ? ['relaxed', 'baseline', 'none'] : [simd]
  for (const f of order) {
    if (!FLAVOURS[f].simd && options.aes === 'constant-time') continue
    if (validBytes(f)) return { flavour: f, aes: options.aes === 'table' || !FLAVOURS[f].simd ? 'table' : 'ct' }
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
 * Runs every hot function a few hundred times, so that V8 has tiered them up before the first
 * real message (~1-2 ms, once per flavour per process), then zeroes what it touched.
 */
function warmUp(inst: WasmInstance): void {
  const e = inst.e
  const m = inst.mem()
  m.fill(7, KEY, IV + 32)
  m.fill(1, SCRATCH, SCRATCH + 256)
  const cores: Array<[() => void, () => void, (p: number, n: number) => void, (p: number, n: number) => void]> = [
    [e.tabKeyEnc, e.tabKeyDec, e.tabIgeEncrypt, e.tabIgeDecrypt],
  ]
  if (e.ctExpandEnc && e.ctExpandDec && e.ctIgeEncrypt && e.ctIgeDecrypt) {
    cores.push([e.ctExpandEnc, e.ctExpandDec, e.ctIgeEncrypt, e.ctIgeDecrypt])
  }
  for (let i = 0; i < 60; i++) {
    for (const [ke, kd, enc, dec] of cores) {
      ke()
      enc(SCRATCH, 256)
      kd()
      dec(SCRATCH, 256)
    }
    e.sha256(SCRATCH, 256)
    e.sha1(SCRATCH, 256)
  }
  m.fill(0, SCRATCH, SCRATCH + 256)
  e.wipe()
}

function instantiate(f: Flavour, module: WebAssembly.Module): WasmInstance {
  let inst = instanceCache.get(f)
  if (!inst) {
    const instance = new WebAssembly.Instance(module, {})
    inst = new WasmInstance(instance.exports as unknown as WasmExports)
    warmUp(inst)
    instanceCache.set(f, inst)
  }
  return inst
}

function core(f: Flavour, aes: 'ct' | 'table', inst: WasmInstance): CryptoCore {
  return makeCore(inst, `${FLAVOURS[f].label}/${aes}`, aes)
}

/** Resolves to the best WASM core the options allow, or throws `E_BACKEND_UNAVAILABLE`. */
export async function loadWasmCore(options: CryptoOptions): Promise<CryptoCore> {
  const { flavour, aes } = choose(options)
  let module = moduleCache.get(flavour)
  if (!module) {
    // async compile: allowed on a browser main thread for any module size
    module = await WebAssembly.compile(validBytes(flavour) as Uint8Array<ArrayBuffer>)
    moduleCache.set(flavour, module)
  }
  return core(flavour, aes, instantiate(flavour, module))
}

/** Synchronous variant (Node, Deno, Bun, workers). */
export function loadWasmCoreSync(options: CryptoOptions): CryptoCore {
  const { flavour, aes } = choose(options)
  let module = moduleCache.get(flavour)
  if (!module) {
    try {
      module = new WebAssembly.Module(validBytes(flavour) as Uint8Array<ArrayBuffer>)
    } catch (err) {
      throw new CryptoError('E_BACKEND_UNAVAILABLE', `cannot compile the ${FLAVOURS[flavour].label} module synchronously here: ${String(err)}`)
    }
    moduleCache.set(flavour, module)
  }
  return core(flavour, aes, instantiate(flavour, module))
}

/** For tests: the shared instance behind a flavour (memory inspection), if loaded. */
export function _wasmInstance(f: Flavour): WasmInstance | undefined {
  return instanceCache.get(f)
}
