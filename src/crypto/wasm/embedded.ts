/**
 * Embedded WASM modules, loaded on demand. Each .wasm file is embedded as an ES module of its
 * own (`export const size`, `export const deflated`: the bytes zlib-deflated, base64; written by
 * scripts/build-wasm.mjs into ./embedded/) that the loader imports only when it is needed, so
 * that bundlers (esbuild with `--splitting`, Vite/Rollup, webpack) emit it as a chunk of its own
 * and a browser page fetches only the module that runs: no configuration, no .wasm file to serve
 * or locate. Deflated, the base64 gzips to the size of the gzipped .wasm; it is inflated with
 * DecompressionStream (fflate's inflate, a chunk of its own, where that is missing).
 *
 * Every module is described once, by an `EmbeddedWasm` whose `load` is the dynamic import:
 *
 *   export const BIGNUM: EmbeddedWasm = { file: 'bignum.wasm', load: () => import('./embedded/bignum.js') }
 *   const module = await compileEmbedded(BIGNUM)          // any runtime
 *   const module = compileEmbeddedSync(BIGNUM)            // once its bytes were provided or loaded
 *
 * Synchronous compilation needs the bytes at hand: the Node entry point provides every module
 * up front as plain base64 (`provideEmbedded` with ./embedded/<name>.raw.ts, from
 * src/crypto/eager.ts: no inflate there), so `createCryptoSync` never waits; in a bundle that
 * loads them on demand, the first asynchronous load makes them available (else `E_NOT_LOADED`).
 */
import { CryptoError } from '../../errors.js'
import { fromBase64 } from './base64.js'

/** What a generated module in ./embedded/ exports: the .wasm file zlib-deflated (on demand) or plain (up front), base64. */
export type EmbeddedData = { readonly size: number } & ({ readonly deflated: string } | { readonly raw: string })

/** One embedded WASM module. */
export interface EmbeddedWasm {
  /** The .wasm file name (for messages; the raw file ships in dist/wasm/ too). */
  readonly file: string
  /** Imports the generated module (a dynamic `import()` of a literal path, for bundlers to split). */
  readonly load: () => Promise<EmbeddedData>
}

const provided = new Map<EmbeddedWasm, EmbeddedData>()
const compiled = new Map<EmbeddedWasm, WebAssembly.Module>()

/** Makes a module's bytes available synchronously (the Node entry does it for every module). */
export function provideEmbedded(m: EmbeddedWasm, data: EmbeddedData): void {
  provided.set(m, data)
}

function check(m: EmbeddedWasm, data: EmbeddedData, bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  // zlib's Adler-32 catches a corrupted deflated module; a wrong length, a mismatched one
  if (bytes.length !== data.size) {
    throw new CryptoError('E_BACKEND_UNAVAILABLE', `${m.file}: decoded to ${bytes.length} bytes, expected ${data.size}`)
  }
  return bytes as Uint8Array<ArrayBuffer>
}

/** The module's bytes: plain base64 decoded, or deflated base64 decoded and inflated. */
async function bytesOf(m: EmbeddedWasm, data: EmbeddedData): Promise<Uint8Array<ArrayBuffer>> {
  return check(m, data, 'raw' in data ? fromBase64(data.raw) : await inflate(fromBase64(data.deflated)))
}

/** zlib inflate: DecompressionStream, else fflate's (a chunk of its own, fetched only then). */
async function inflate(deflated: Uint8Array): Promise<Uint8Array> {
  const DS = (globalThis as { DecompressionStream?: new (format: string) => TransformStream<Uint8Array, Uint8Array> })
    .DecompressionStream
  if (typeof DS !== 'function') return (await import('./unzlib.js')).unzlibSync(deflated)
  const ds = new DS('deflate')
  const writer = ds.writable.getWriter()
  // not awaited: the readable side must be drained at the same time; errors surface on read()
  writer.write(deflated).catch(() => {})
  writer.close().catch(() => {})
  const reader = ds.readable.getReader()
  const chunks: Uint8Array[] = []
  let n = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    n += value.length
  }
  const out = new Uint8Array(n)
  for (let i = 0, at = 0; i < chunks.length; at += chunks[i].length, i++) out.set(chunks[i], at)
  return out
}

const pending = new Map<EmbeddedWasm, Promise<WebAssembly.Module>>()

/**
 * Fetches (imports) the module if needed and compiles it, once per process (concurrent calls
 * share one load; a failed load, such as a chunk the network lost, is tried again next time).
 */
export function compileEmbedded(m: EmbeddedWasm): Promise<WebAssembly.Module> {
  const known = compiled.get(m)
  if (known) return Promise.resolve(known)
  let p = pending.get(m)
  if (!p) {
    p = load(m).finally(() => pending.delete(m))
    pending.set(m, p)
  }
  return p
}

async function load(m: EmbeddedWasm): Promise<WebAssembly.Module> {
  let module: WebAssembly.Module
  try {
    // async compile: allowed on a browser main thread for any module size
    module = await WebAssembly.compile(await bytesOf(m, provided.get(m) ?? (await m.load())))
  } catch (e) {
    if (e instanceof CryptoError) throw e
    throw new CryptoError('E_BACKEND_UNAVAILABLE', `cannot load ${m.file}: ${String(e)}`)
  }
  compiled.set(m, module)
  return module
}

/**
 * Compiles the module synchronously (Node, Deno, Bun, workers; not a browser main thread),
 * from plain bytes provided up front or a module compiled earlier. Throws `E_NOT_LOADED` when
 * neither is there (a bundle that loads modules on demand, before its first async load).
 */
export function compileEmbeddedSync(m: EmbeddedWasm): WebAssembly.Module {
  const known = compiled.get(m)
  if (known) return known
  const data = provided.get(m)
  if (!data || !('raw' in data)) {
    throw new CryptoError(
      'E_NOT_LOADED',
      `${m.file} is loaded on demand in this build: await createCrypto() (with the same options) once, then createCryptoSync() works`,
    )
  }
  let module: WebAssembly.Module
  try {
    module = new WebAssembly.Module(check(m, data, fromBase64(data.raw)))
  } catch (err) {
    if (err instanceof CryptoError) throw err
    throw new CryptoError('E_BACKEND_UNAVAILABLE', `cannot compile ${m.file} synchronously here: ${String(err)}`)
  }
  compiled.set(m, module)
  return module
}
