/**
 * The memory contract of the WASM backend: key material is zeroed after each call, dispose()
 * zeroes a CTR slot (read back from WASM memory), thousands of streams grow the memory and
 * keep working (views re-created); plus the public
 * API's backend selection and typed errors with WASM behind it.
 */
import { describe, expect, it } from 'vitest'
import { createCrypto, createCryptoSync } from '../../src/crypto/create.js'
import { _wasmInstance, availableFlavours, loadWasmCoreSync, type Flavour } from '../../src/crypto/wasm/index.js'
import {
  DIGEST, ENV_AUTH, ENV_JOB4, ENV_SHAW, KEY, KEYS_END, RK64, SCRATCH, SCRATCH_SIZE, SLOT_SIZE, TMP, W_TMP,
} from '../../src/crypto/wasm/layout.generated.js'
import { MtwireError } from '../../src/errors.js'
import { refCtr } from '../crypto/reference.js'
import { toHex } from '../vectors/samples-auth-key.js'
import { prng } from './cores.js'

const flavours = availableFlavours()
const code = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(MtwireError)
    return (e as MtwireError).code
  }
  return 'no error'
}

describe.each(flavours.map((f) => [f] as [Flavour]))('flavour %s', (f) => {
  const aesKinds = f === 'none' ? (['table'] as const) : (['table', 'constant-time'] as const)

  // first in the file, so that it sees each flavour's and core's warm-up (module state is per test file)
  it.each(aesKinds.map((a) => [a]))('aes %s: making a Crypto object (the warm-up) leaves no data in WASM memory and never calls the injected RNG', (aes) => {
    let calls = 0
    const c = createCryptoSync({ simd: f, aes, random: (b) => { calls++; b.fill(1) } })
    expect(c.backend).toBe(`${f === 'relaxed' ? 'wasm-relaxed-simd' : f === 'baseline' ? 'wasm-simd' : 'wasm'}/${aes === 'table' ? 'table' : 'ct'}`)
    expect(calls).toBe(0)
    const mem = _wasmInstance(f)!.mem()
    const zero = (from: number, to: number): boolean => mem.subarray(from, to).every((b) => b === 0)
    expect(zero(KEY, TMP + 32)).toBe(true) // key, IV, schedules, digest, hash state and schedule, temporaries
    expect(zero(ENV_AUTH, ENV_JOB4 + 32)).toBe(true) // the envelope's cached key, msg_key, KDF buffers, batch slots
    expect(zero(ENV_SHAW, ENV_SHAW + 1024)).toBe(true) // the KDF's schedule
    expect(zero(RK64, RK64 + 416)).toBe(true) // spread round keys
    expect(zero(SCRATCH - 32, SCRATCH + 16384)).toBe(true)
  })

  it.each(aesKinds.map((a) => [a]))('aes %s: key material and digests are zeroed after each call', (aes) => {
    const core = loadWasmCoreSync({ simd: f, aes })
    const mem = (): Uint8Array => _wasmInstance(f)!.mem()
    const rnd = prng(11)
    const data = rnd(4096), key = rnd(32), iv = rnd(32)
    core.igeEncrypt(data, key, iv, new Uint8Array(4096))
    // KEY, IV, RK_ENC, RK_DEC, DIGEST, and the ct core's plain schedule
    expect(mem().subarray(KEY, DIGEST + 64).every((b) => b === 0)).toBe(true)
    core.igeDecrypt(data, key, iv, new Uint8Array(4096))
    expect(mem().subarray(KEY, DIGEST + 64).every((b) => b === 0)).toBe(true)
    expect(mem().subarray(W_TMP, W_TMP + 240).every((b) => b === 0)).toBe(true)
    // the table core's IGE temporaries and spread round keys
    expect(mem().subarray(TMP, TMP + 32).every((b) => b === 0)).toBe(true)
    expect(mem().subarray(RK64, RK64 + 416).every((b) => b === 0)).toBe(true)
    // long inputs take the chunked path (schedule once, IGE per chunk, then wipe)
    const long = rnd(SCRATCH_SIZE + 48)
    core.igeEncrypt(long, key, iv, new Uint8Array(long.length))
    expect(mem().subarray(KEY, DIGEST + 64).every((b) => b === 0)).toBe(true)
    core.sha256(data)
    core.sha1(long)
    expect(mem().subarray(DIGEST, KEYS_END).every((b) => b === 0)).toBe(true) // digest, state, padding
  })

  it.each(aesKinds.map((a) => [a]))('aes %s: dispose() zeroes the stream slot in WASM memory', (aes) => {
    const core = loadWasmCoreSync({ simd: f, aes })
    const inst = _wasmInstance(f)!
    const rnd = prng(12)
    const s = core.ctrCreate(rnd(32), rnd(16)) as ReturnType<typeof core.ctrCreate> & { slot: number }
    s.process(rnd(37), new Uint8Array(37)) // leaves buffered keystream too
    const slot = s.slot
    const bytes = (): Uint8Array => inst.mem().subarray(slot, slot + SLOT_SIZE)
    expect(bytes().some((b) => b !== 0)).toBe(true)
    s.dispose()
    expect(bytes().every((b) => b === 0)).toBe(true)
    expect(() => s.process(new Uint8Array(1), new Uint8Array(1))).toThrow(/disposed/)
  })

  it('thousands of streams grow the memory; older streams keep working after growth', () => {
    const core = loadWasmCoreSync({ simd: f })
    const inst = _wasmInstance(f)!
    const before = inst.e.memory.buffer.byteLength
    const live0 = inst.liveSlots
    const rnd = prng(13)
    const first = { key: rnd(32), iv: rnd(16), data: rnd(200) }
    const s0 = core.ctrCreate(first.key, first.iv)
    const out = new Uint8Array(200)
    s0.process(first.data.subarray(0, 100), out.subarray(0, 100))
    const many = Array.from({ length: 5000 }, () => core.ctrCreate(rnd(32), rnd(16)))
    expect(inst.e.memory.buffer.byteLength).toBeGreaterThan(before)
    s0.process(first.data.subarray(100), out.subarray(100))
    expect(toHex(out)).toBe(toHex(refCtr(first.data, first.key, first.iv)))
    for (const s of many) s.dispose()
    s0.dispose()
    expect(inst.liveSlots).toBe(live0)
    // freed slots are reused: no further growth for the same number of streams
    const size = inst.e.memory.buffer.byteLength
    const again = Array.from({ length: 5000 }, () => core.ctrCreate(rnd(32), rnd(16)))
    expect(inst.e.memory.buffer.byteLength).toBe(size)
    for (const s of again) s.dispose()
  })
})

describe('public API with the WASM backend', () => {
  it('picks the best flavour and names it in backend', async () => {
    const best = flavours[0]
    const label = best === 'relaxed' ? 'wasm-relaxed-simd' : best === 'baseline' ? 'wasm-simd' : 'wasm'
    expect((await createCrypto()).backend).toBe(`${label}/${best === 'none' ? 'table' : 'ct'}`)
    expect(createCryptoSync({ backend: 'wasm', aes: 'table' }).backend).toBe(`${label}/table`)
    expect(createCryptoSync({ simd: 'none' }).backend).toBe('wasm/table')
    expect(createCryptoSync({ simd: 'baseline' }).backend).toBe('wasm-simd/ct')
    expect(createCryptoSync({ simd: 'baseline', aes: 'table' }).backend).toBe('wasm-simd/table')
  })

  it('refuses what it cannot deliver with E_BACKEND_UNAVAILABLE', async () => {
    expect(code(() => createCryptoSync({ simd: 'none', aes: 'constant-time' }))).toBe('E_BACKEND_UNAVAILABLE')
    await expect(createCrypto({ simd: 'none', aes: 'constant-time' })).rejects.toMatchObject({ code: 'E_BACKEND_UNAVAILABLE' })
    if (!flavours.includes('relaxed')) {
      // Node 20 without --experimental-wasm-relaxed-simd (relaxed-child.ts runs it with the flag)
      expect(code(() => createCryptoSync({ simd: 'relaxed' }))).toBe('E_BACKEND_UNAVAILABLE')
      expect(code(() => createCryptoSync({ simd: 'relaxed', aes: 'table' }))).toBe('E_BACKEND_UNAVAILABLE')
    }
  })

  it('bad input raises typed errors, never a crash', async () => {
    for (const c of [await createCrypto({ backend: 'wasm' }), createCryptoSync({ simd: 'none' })]) {
      const k = new Uint8Array(32), iv = new Uint8Array(32), d = new Uint8Array(32)
      expect(code(() => c.aesIgeEncrypt(d, new Uint8Array(31), iv))).toBe('E_KEY_LENGTH')
      expect(code(() => c.aesIgeDecrypt(d, k, new Uint8Array(16)))).toBe('E_IV_LENGTH')
      expect(code(() => c.aesIgeEncrypt(new Uint8Array(15), k, iv))).toBe('E_DATA_ALIGNMENT')
      expect(code(() => c.aesIgeEncrypt([1, 2] as unknown as Uint8Array, k, iv))).toBe('E_TYPE')
      expect(code(() => c.aesIgeEncrypt(d, k, iv, new Uint8Array(16)))).toBe('E_OUT_LENGTH')
      expect(code(() => c.sha256('abc' as unknown as Uint8Array))).toBe('E_TYPE')
      expect(code(() => c.createAesCtr(k, new Uint8Array(15)))).toBe('E_IV_LENGTH')
      const s = c.createAesCtr(k, new Uint8Array(16))
      expect(code(() => s.process(null as unknown as Uint8Array))).toBe('E_TYPE')
      s.dispose()
      expect(code(() => s.process(d))).toBe('E_DISPOSED')
      // a good call after the bad ones still gives the right answer
      expect(toHex(c.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
      expect(c.aesIgeEncrypt(new Uint8Array(0), k, iv).length).toBe(0)
    }
  })
})
