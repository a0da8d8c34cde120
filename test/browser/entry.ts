/**
 * Runs in headless Chromium (page and dedicated worker) against the BUILT browser bundle:
 * every published vector, for every backend the browser offers, plus a cross-backend check.
 * Results go to `globalThis.__mtwire` (page) or postMessage (worker).
 */
import * as built from '../../dist/browser.mjs'
import { vectorChecks } from '../vectors/crypto.js'
import type { Crypto, CryptoOptions } from '../../src/crypto/types.js'

const mtwire = built as typeof import('../../src/index.js')

type Outcome = { backend: string; name: string; ok: boolean; error?: string }

async function backends(): Promise<Crypto[]> {
  const combos: CryptoOptions[] = [{ backend: 'js' }, { backend: 'auto' }]
  for (const simd of ['relaxed', 'baseline', 'none'] as const) {
    for (const aes of ['constant-time', 'table'] as const) combos.push({ backend: 'wasm', simd, aes })
  }
  const seen = new Map<string, Crypto>()
  for (const o of combos) {
    try {
      const c: Crypto = await mtwire.createCrypto(o)
      if (!seen.has(c.backend)) seen.set(c.backend, c)
    } catch (e) {
      if ((e as { code?: string }).code !== 'E_BACKEND_UNAVAILABLE') throw e
    }
  }
  return [...seen.values()]
}

export async function run(): Promise<Outcome[]> {
  const out: Outcome[] = []
  const all = await backends()
  for (const c of all) {
    for (const v of vectorChecks) {
      try {
        await v.run(c)
        out.push({ backend: c.backend, name: v.name, ok: true })
      } catch (e) {
        out.push({ backend: c.backend, name: v.name, ok: false, error: String(e) })
      }
    }
  }
  // Chromium validates relaxed SIMD: the default must be its constant-time flavour
  const auto = (await mtwire.createCrypto()).backend
  out.push({ backend: auto, name: 'auto picks wasm-relaxed-simd/ct', ok: auto === 'wasm-relaxed-simd/ct', error: `auto picked ${auto}` })
  // every backend gives the same bytes as the first on random inputs of many sizes
  const [ref, ...rest] = all
  for (const c of rest) {
    let error: string | undefined
    for (let n = 0; n <= 2048 && !error; n += 16) {
      const d = ref.randomBytes(n), k = ref.randomBytes(32), iv = ref.randomBytes(32)
      const a = ref.aesIgeEncrypt(d, k, iv).join(), b = c.aesIgeEncrypt(d, k, iv).join()
      const e = ref.createAesCtr(k, iv.subarray(0, 16)).process(d).join(), f = c.createAesCtr(k, iv.subarray(0, 16)).process(d).join()
      if (a !== b || e !== f || ref.sha256(d).join() !== c.sha256(d).join()) error = `mismatch with ${ref.backend} at ${n} bytes`
    }
    out.push({ backend: c.backend, name: `equals ${ref.backend} on random inputs`, ok: !error, error })
  }
  out.push(await authKeyInMemory())
  return out
}

/** Auth keys: our client against our server in memory, on the browser's arithmetic (WASM SIMD). */
async function authKeyInMemory(): Promise<Outcome> {
  const backend = `auth (${mtwire.bignumBackend()})`
  try {
    const c = await mtwire.createCrypto()
    await mtwire.loadBignumWasm()
    const key = await mtwire.generateRsaKey(c)
    const server = new mtwire.HandshakeServer(c, { keys: [key.privateKey] })
    const conn = server.connection()
    const client = new mtwire.ClientHandshake(c, { dcId: 2, keys: [key.publicKey] })
    const now = Date.now()
    client.start(now)
    let ours: Uint8Array | undefined, theirs: Uint8Array | undefined
    for (let i = 0; i < 3; i++) {
      for (const p of client.takeOutgoing()) for (const e of conn.receive(p, now)) if (e.type === 'auth-key') theirs = e.key.authKey
      for (const o of conn.takeOutgoing()) if (o.type === 'packet') for (const e of client.receive(o.data, now)) if (e.type === 'done') ours = e.result.authKey
    }
    const ok = !!ours && !!theirs && ours.length === 256 && ours.join() === theirs.join() && mtwire.bignumBackend() === 'wasm'
    return { backend, name: 'client and server agree on an auth key', ok, error: ok ? undefined : 'no key, or different keys' }
  } catch (e) {
    return { backend, name: 'client and server agree on an auth key', ok: false, error: String(e) }
  }
}
