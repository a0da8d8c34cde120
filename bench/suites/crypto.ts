/**
 * The crypto primitives of every mtwire backend against what users pick instead:
 * @mtcute/wasm's SIMD build, GramJS's AES (@cryptography/aes through telegram's IGE wrapper),
 * and node:crypto (native, AES-NI). IGE encrypt/decrypt, SHA-256, SHA-1, AES-CTR.
 */
import { createCipheriv, createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as mtcuteWasm from '@mtcute/wasm'
import { rnd, type BenchCase, type BenchSuite } from '../harness.js'
import { availableBackends } from '../backends.js'
import { createCrypto } from '../../src/node/index.js'

const require = createRequire(import.meta.url)

export const SIZES = [256, 4096, 65536, 1 << 20]


/**
 * IGE encryption as one AES-256-CBC call, so node:crypto runs it with AES-NI. With blocks
 * m_1.., c_0 = iv[0..16], m_0 = iv[16..32]: CBC over u_1 = m_1, u_2 = m_2 ^ m_0,
 * u_i = m_i ^ m_(i-2), with CBC IV c_0, gives y_i = E(m_i ^ c_(i-1)); then c_i = y_i ^ m_(i-1).
 */
export function nodeIgeEncrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  const n = data.length
  const m0 = iv.subarray(16, 32)
  const u = Buffer.allocUnsafe(n)
  for (let i = 0; i < n; i++) u[i] = data[i] ^ (i < 16 ? 0 : i < 32 ? m0[i - 16] : data[i - 32])
  const y = createCipheriv('aes-256-cbc', key, iv.subarray(0, 16)).setAutoPadding(false).update(u)
  for (let i = 0; i < n; i++) y[i] ^= i < 16 ? m0[i] : data[i - 16]
  return y
}

export function mtcuteInit(): void {
  const wasmPath = require.resolve('@mtcute/wasm/mtcute-simd.wasm')
  mtcuteWasm.initSync(readFileSync(wasmPath))
}

const suite: BenchSuite = {
  name: 'crypto',
  async cases({ quick }) {
    mtcuteInit()
    const { IGE: GramIge } = require('telegram/crypto/IGE') as {
      IGE: new (key: Buffer, iv: Buffer) => { encryptIge(b: Buffer): Buffer; decryptIge(b: Buffer): Buffer }
    }
    // each backend alone (native: false); the Node default's node:crypto CTR is its own row below
    const backends = await availableBackends({ native: false })
    const nodeDefault = await createCrypto()
    const key = rnd(32), iv = rnd(32), iv16 = rnd(16)
    const cases: BenchCase[] = []
    for (const size of SIZES) {
      const data = rnd(size)
      const buf = Buffer.from(data)
      const out = new Uint8Array(size)
      for (const c of backends) {
        const name = `mtwire ${c.backend}`
        cases.push({ impl: name, op: 'ige-encrypt', size, fn: () => c.aesIgeEncrypt(data, key, iv, out) })
        cases.push({ impl: name, op: 'ige-decrypt', size, fn: () => c.aesIgeDecrypt(data, key, iv, out) })
        cases.push({ impl: name, op: 'sha256', size, fn: () => c.sha256(data) })
        cases.push({ impl: name, op: 'sha1', size, fn: () => c.sha1(data) })
        const ctr = c.createAesCtr(key, iv16)
        cases.push({ impl: name, op: 'ctr', size, fn: () => ctr.process(data, out) })
      }
      cases.push({ impl: '@mtcute/wasm', peer: true, op: 'ige-encrypt', size, fn: () => mtcuteWasm.ige256Encrypt(data, key, iv) })
      cases.push({ impl: '@mtcute/wasm', peer: true, op: 'ige-decrypt', size, fn: () => mtcuteWasm.ige256Decrypt(data, key, iv) })
      cases.push({ impl: '@mtcute/wasm', peer: true, op: 'sha256', size, fn: () => mtcuteWasm.sha256(data) })
      cases.push({ impl: '@mtcute/wasm', peer: true, op: 'sha1', size, fn: () => mtcuteWasm.sha1(data) })
      const mctr = mtcuteWasm.createCtr256(key, iv16)
      cases.push({ impl: '@mtcute/wasm', peer: true, op: 'ctr', size, fn: () => mtcuteWasm.ctr256(mctr, data) })
      if (!quick || size <= 65536) {
        // GramJS's AES is slow enough that 1 MiB rounds would dominate a quick run
        const k = Buffer.from(key), v = Buffer.from(iv)
        cases.push({ impl: '@cryptography/aes (GramJS)', peer: true, op: 'ige-encrypt', size, fn: () => new GramIge(k, v).encryptIge(buf) })
        cases.push({ impl: '@cryptography/aes (GramJS)', peer: true, op: 'ige-decrypt', size, fn: () => new GramIge(k, v).decryptIge(buf) })
      }
      cases.push({ impl: 'node:crypto', peer: true, op: 'ige-encrypt', size, fn: () => nodeIgeEncrypt(data, key, iv) })
      cases.push({ impl: 'node:crypto', peer: true, op: 'sha256', size, fn: () => createHash('sha256').update(data).digest() })
      cases.push({ impl: 'node:crypto', peer: true, op: 'sha1', size, fn: () => createHash('sha1').update(data).digest() })
      const dctr = nodeDefault.createAesCtr(key, iv16)
      cases.push({ impl: `mtwire ${nodeDefault.backend} +node:crypto`, op: 'ctr', size, fn: () => dctr.process(data, out) })
      const nctr = createCipheriv('aes-256-ctr', key, iv16)
      cases.push({ impl: 'node:crypto', peer: true, op: 'ctr', size, fn: () => nctr.update(data) })
    }
    return cases
  },
}
export default suite
