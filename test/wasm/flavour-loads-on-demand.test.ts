/**
 * Loading on demand, as the browser build does (src/crypto/wasm/embedded.ts): each test imports
 * the library into a fresh module graph that nothing provided up front (test/setup.ts provides
 * the graph the other tests use). Only the chosen flavour is imported; createCryptoSync needs a
 * prior async load; every inflate path gives the module's bytes; failures are typed and retried.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createCryptoSync as eagerSync } from '../../src/crypto/create.js'

type Create = typeof import('../../src/crypto/create.js')
type Loader = typeof import('../../src/crypto/wasm/index.js')
type Embedded = typeof import('../../src/crypto/wasm/embedded.js')

/** The library in a fresh module graph, with every flavour's import() counted. */
async function fresh(): Promise<{ create: Create; loader: Loader; embedded: Embedded; loads: string[] }> {
  vi.resetModules()
  const loader: Loader = await import('../../src/crypto/wasm/index.js')
  const loads: string[] = []
  for (const m of Object.values(loader.FLAVOUR_WASM)) {
    const load = m.load
    ;(m as { load: typeof load }).load = () => {
      loads.push(m.file)
      return load()
    }
  }
  return { create: await import('../../src/crypto/create.js'), loader, embedded: await import('../../src/crypto/wasm/embedded.js'), loads }
}

const expectCode = (f: () => unknown, code: string) => expect(f).toThrow(expect.objectContaining({ code }))
const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..')

afterEach(() => {
  vi.unstubAllGlobals()
  vi.resetModules()
})

describe('backends loaded on demand', () => {
  it('imports only the chosen flavour; createCryptoSync needs one async load first', async () => {
    const { create, loader, loads } = await fresh()
    expectCode(() => create.createCryptoSync(), 'E_NOT_LOADED')
    expectCode(() => create.createCryptoSync({ backend: 'js' }), 'E_NOT_LOADED')
    const c = await create.createCrypto()
    const best = loader.availableFlavours()[0]
    expect(loads).toEqual([loader.FLAVOUR_WASM[best].file])
    expect(c.backend).toBe(eagerSync().backend)
    // now the same options work synchronously, and nothing else was imported
    expect(create.createCryptoSync().backend).toBe(c.backend)
    expectCode(() => create.createCryptoSync({ simd: 'none' }), 'E_NOT_LOADED')
    expectCode(() => create.createCryptoSync({ backend: 'js' }), 'E_NOT_LOADED')
    expect(loads).toHaveLength(1)
    // the same bytes as the eagerly loaded module
    const d = c.randomBytes(1000), k = c.randomBytes(32), iv = c.randomBytes(32)
    expect(c.aesIgeEncrypt(d.subarray(0, 992), k, iv)).toEqual(eagerSync().aesIgeEncrypt(d.subarray(0, 992), k, iv))
    expect(c.sha256(d)).toEqual(eagerSync().sha256(d))
  })

  it('the pure-TS backend is a separate load too', async () => {
    const { create, loads } = await fresh()
    const c = await create.createCrypto({ backend: 'js' })
    expect(c.backend).toBe('js/table')
    expect(loads).toEqual([])
    expect(create.createCryptoSync({ backend: 'js' }).backend).toBe('js/table')
    expectCode(() => create.createCryptoSync(), 'E_NOT_LOADED') // auto never degrades to pure TS for lack of a load
  })

  it('concurrent creations share one import', async () => {
    const { create, loads } = await fresh()
    const all = await Promise.all([create.createCrypto(), create.createCrypto(), create.createCrypto({ aes: 'table' })])
    expect(new Set(all.map((c) => c.backend.split('/')[0])).size).toBe(1)
    expect(loads).toHaveLength(1)
  })

  for (const path of ['DecompressionStream', 'fflate (no DecompressionStream)'] as const) {
    it(`inflates every flavour through ${path} to the .wasm bytes`, async () => {
      const { embedded, loader } = await fresh()
      const made: string[] = []
      const DS = globalThis.DecompressionStream
      vi.stubGlobal(
        'DecompressionStream',
        path === 'DecompressionStream'
          ? class extends DS {
              constructor(format: CompressionFormat) {
                made.push(format)
                super(format)
              }
            }
          : undefined,
      )
      // what the loader hands to WebAssembly.compile must be the .wasm file, byte for byte
      const compiled: Uint8Array[] = []
      vi.spyOn(WebAssembly, 'compile').mockImplementation(async (b) => {
        compiled.push(new Uint8Array(b as Uint8Array))
        return {} as WebAssembly.Module
      })
      for (const m of Object.values(loader.FLAVOUR_WASM)) await embedded.compileEmbedded(m)
      vi.restoreAllMocks()
      expect(compiled.map((b) => Buffer.from(b).toString('base64'))).toEqual(
        Object.values(loader.FLAVOUR_WASM).map((m) => readFileSync(join(root, 'build/wasm', m.file)).toString('base64')),
      )
      expect(made.length).toBe(path === 'DecompressionStream' ? 3 : 0)
    })
  }

  it('a failed import is a typed error and is tried again', async () => {
    const { embedded } = await fresh()
    const { deflated, size } = await import('../../src/crypto/wasm/embedded/mtwire.js')
    let fail = true
    const m = { file: 'x.wasm', load: async () => (fail ? Promise.reject(new Error('network')) : { size, deflated }) }
    await expect(embedded.compileEmbedded(m)).rejects.toMatchObject({ code: 'E_BACKEND_UNAVAILABLE', message: expect.stringContaining('x.wasm') })
    fail = false
    expect(await embedded.compileEmbedded(m)).toBeInstanceOf(WebAssembly.Module)
    expect(embedded.compileEmbeddedSync(m)).toBeInstanceOf(WebAssembly.Module)
  })

  it('corrupted or mismatched bytes are typed errors, deflated (async) and plain (sync and async)', async () => {
    const { embedded } = await fresh()
    const { deflated, size } = await import('../../src/crypto/wasm/embedded/mtwire.js')
    const { raw } = await import('../../src/crypto/wasm/embedded/mtwire.raw.js')
    const flip = (b64: string, at: number) => b64.slice(0, at) + (b64[at] === 'A' ? 'B' : 'A') + b64.slice(at + 1)
    const deflatedCases = [
      { file: 'wrong-size.wasm', load: async () => ({ size: size + 1, deflated }) },
      { file: 'flipped.wasm', load: async () => ({ size, deflated: flip(deflated, 200) }) },
    ]
    for (const m of deflatedCases) {
      await expect(embedded.compileEmbedded(m)).rejects.toMatchObject({ code: 'E_BACKEND_UNAVAILABLE' })
      embedded.provideEmbedded(m, await m.load())
      expectCode(() => embedded.compileEmbeddedSync(m), 'E_NOT_LOADED') // deflated bytes are never inflated synchronously
    }
    const never = async (): Promise<never> => {
      throw new Error('provided data must not be imported')
    }
    const plainCases = [
      { m: { file: 'wrong-size.wasm', load: never }, data: { size: size - 1, raw } },
      { m: { file: 'flipped.wasm', load: never }, data: { size, raw: flip(raw, 2) } }, // the magic number
    ]
    for (const { m, data } of plainCases) {
      embedded.provideEmbedded(m, data)
      expectCode(() => embedded.compileEmbeddedSync(m), 'E_BACKEND_UNAVAILABLE')
      await expect(embedded.compileEmbedded(m)).rejects.toMatchObject({ code: 'E_BACKEND_UNAVAILABLE' })
    }
    const good = { file: 'good.wasm', load: never }
    embedded.provideEmbedded(good, { size, raw })
    expect(await embedded.compileEmbedded(good)).toBe(embedded.compileEmbeddedSync(good)) // compiled once
  })
})
