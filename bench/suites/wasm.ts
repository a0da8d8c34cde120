/**
 * The WASM cores, every flavour and AES core this process validates (the runner enables
 * relaxed SIMD), through the public API with a caller-provided `out`, against @mtcute/wasm's
 * SIMD build: IGE both directions, SHA-256, SHA-1, AES-CTR at 256 B, 4 KiB, 64 KiB and 1 MiB.
 * `ige-encrypt-new` is the 256-byte call without `out` (a fresh output array per call).
 * `batch4-encrypt-message` / `batch4-decrypt-message`: the whole MTProto 2.0 envelope of 4
 * independent messages (4 keys) through `encryptMessages` / `decryptMessages` (the constant-time
 * core interleaves the 4 IGE chains), against @mtcute/wasm's bare IGE of the same 4 messages;
 * size is the aggregate (4 x the message size). `mtwire ... (4 calls)` is the same work as 4
 * single `encryptMessageInto` / `decryptMessageInto` calls.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as mtcute from '@mtcute/wasm'
import { createCryptoSync } from '../../src/crypto/create.js'
import type { Crypto, DecryptItem, EncryptItem } from '../../src/crypto/types.js'
import { type AuthKey, authKeyState, createAuthKey } from '../../src/crypto/authkey.js'
import { _wasmInstance, availableFlavours } from '../../src/crypto/wasm/index.js'
import type { WasmInstance } from '../../src/crypto/wasm/core.js'
import { SCRATCH } from '../../src/crypto/wasm/layout.generated.js'
import { rnd, type BenchCase, type BenchSuite } from '../harness.js'

const require = createRequire(import.meta.url)
const SIZES = [256, 4096, 65536, 1 << 20]


/**
 * `run` with the 4 batch slots of `inst` prepared (schedules from 4 keys) before each use: the
 * slots are shared by every core of the flavour, so they are set up on the case's first call
 * after another case ran, and wiped again at exit.
 */
let preparedFor: (() => void) | undefined
function prepared(inst: WasmInstance, keys: AuthKey[], n: number, room: number, enc: boolean, run: () => void): () => void {
  const self = (): void => {
    if (preparedFor !== self) {
      const e = inst.e
      const m = inst.mem()
      for (let i = 0; i < 4; i++) {
        inst.loadKey(authKeyState(keys[i]))
        const ptr = SCRATCH + i * room
        m.fill(0, ptr, ptr + n)
        new DataView(m.buffer).setUint32(ptr + 28, n - 48, true)
        if (enc) e.envEncryptPrepare!(i, ptr, 0, 0, n - 16, n)
        else e.envDecryptPrepare!(i, ptr, 0, 0, n + 24)
      }
      inst.clearKey()
      preparedFor = self
    }
    run()
  }
  return self
}
process.on('exit', () => {
  for (const f of availableFlavours()) _wasmInstance(f)?.e.envBatchWipe?.()
})

const suite: BenchSuite = {
  name: 'wasm',
  async cases({ quick }) {
    mtcute.initSync(readFileSync(require.resolve('@mtcute/wasm/mtcute-simd.wasm')))
    const ours: Crypto[] = []
    for (const simd of availableFlavours()) {
      // the cores alone: no node:crypto provider (it would take CTR calls from 128 bytes)
      if (simd !== 'none') ours.push(createCryptoSync({ backend: 'wasm', simd, aes: 'constant-time', native: false }))
      ours.push(createCryptoSync({ backend: 'wasm', simd, aes: 'table', native: false }))
    }
    const key = rnd(32), iv = rnd(32), iv16 = rnd(16)
    const cases: BenchCase[] = []
    // batches of 4 messages (sizes whose 4 messages fit the scratch region together)
    const keys = [0, 1, 2, 3].map(() => createAuthKey(rnd(256)))
    for (const size of [256, 4096, 16384]) {
      const inners = keys.map(() => {
        const m = rnd(size)
        new DataView(m.buffer).setUint32(28, size - 32, true)
        return m
      })
      const enc: EncryptItem[] = keys.map((authKey, i) => ({ authKey, inner: inners[i], x: 0 }))
      const pk = ours[0].encryptMessages(enc)
      const dec: DecryptItem[] = keys.map((authKey, i) => ({ authKey, packet: pk[i], x: 0 }))
      const outs = pk.map((p) => new Uint8Array(p.length + 1024))
      // without the node:crypto provider (the bench bundle installs it), so the WASM batch runs at every size
      const batchers = availableFlavours().filter((f) => f !== 'none').map((simd) => createCryptoSync({ backend: 'wasm', simd, aes: 'constant-time', native: false }))
      for (const c of batchers) {
        cases.push({ impl: `mtwire ${c.backend}`, op: 'batch4-encrypt-message', size: 4 * size, fn: () => c.encryptMessages(enc) })
        cases.push({ impl: `mtwire ${c.backend}`, op: 'batch4-decrypt-message', size: 4 * size, fn: () => c.decryptMessages(dec) })
        cases.push({
          impl: `mtwire ${c.backend} (4 calls)`, op: 'batch4-encrypt-message', size: 4 * size,
          fn: () => { for (let i = 0; i < 4; i++) c.encryptMessageInto(keys[i], inners[i], 0, outs[i]) },
        })
        cases.push({
          impl: `mtwire ${c.backend} (4 calls)`, op: 'batch4-decrypt-message', size: 4 * size,
          fn: () => { for (let i = 0; i < 4; i++) c.decryptMessageInto(keys[i], pk[i], 0, outs[i]) },
        })
      }
      // the batch IGE alone (what the 4-way interleaving speeds up): 4 messages copied into WASM
      // memory, the interleaved IGE over slots prepared once (keys fixed), copied out
      for (const simd of availableFlavours().filter((f) => f !== 'none')) {
        createCryptoSync({ backend: 'wasm', simd, aes: 'constant-time' })
        const inst = _wasmInstance(simd)!
        const e = inst.e
        if (!e.envBatchIge || !e.envEncryptPrepare) continue
        const n = size + 16
        const room = n + 32
        const ins = [0, 1, 2, 3].map(() => rnd(n))
        const outs4 = [0, 1, 2, 3].map(() => new Uint8Array(n))
        const ige = (enc: number) => () => {
          const m = inst.mem()
          for (let i = 0; i < 4; i++) m.set(ins[i], SCRATCH + i * room)
          e.envBatchIge!(4, enc)
          for (let i = 0; i < 4; i++) outs4[i].set(m.subarray(SCRATCH + i * room, SCRATCH + i * room + n))
        }
        cases.push({ impl: `mtwire ${simd} ct, 4 interleaved`, op: 'batch4-ige-encrypt', size: 4 * size, fn: prepared(inst, keys, n, room, true, ige(1)) })
        cases.push({ impl: `mtwire ${simd} ct, 4 interleaved`, op: 'batch4-ige-decrypt', size: 4 * size, fn: prepared(inst, keys, n, room, false, ige(0)) })
      }
      const data4 = [0, 1, 2, 3].map(() => rnd(size + 16))
      const ivs = [0, 1, 2, 3].map(() => rnd(32))
      cases.push({ impl: '@mtcute/wasm', peer: true, op: 'batch4-encrypt-message', size: 4 * size, fn: () => { for (let i = 0; i < 4; i++) mtcute.ige256Encrypt(data4[i], key, ivs[i]) } })
      cases.push({ impl: '@mtcute/wasm', peer: true, op: 'batch4-decrypt-message', size: 4 * size, fn: () => { for (let i = 0; i < 4; i++) mtcute.ige256Decrypt(data4[i], key, ivs[i]) } })
      cases.push({ impl: '@mtcute/wasm', peer: true, op: 'batch4-ige-encrypt', size: 4 * size, fn: () => { for (let i = 0; i < 4; i++) mtcute.ige256Encrypt(data4[i], key, ivs[i]) } })
      cases.push({ impl: '@mtcute/wasm', peer: true, op: 'batch4-ige-decrypt', size: 4 * size, fn: () => { for (let i = 0; i < 4; i++) mtcute.ige256Decrypt(data4[i], key, ivs[i]) } })
    }
    for (const size of quick ? SIZES.slice(0, 3) : SIZES) {
      const data = rnd(size)
      const out = new Uint8Array(size)
      for (const c of ours) {
        const impl = `mtwire ${c.backend}`
        cases.push({ impl, op: 'ige-encrypt', size, fn: () => c.aesIgeEncrypt(data, key, iv, out) })
        cases.push({ impl, op: 'ige-decrypt', size, fn: () => c.aesIgeDecrypt(data, key, iv, out) })
        const ctr = c.createAesCtr(key, iv16)
        cases.push({ impl, op: 'ctr', size, fn: () => ctr.process(data, out) })
        if (size === 256) cases.push({ impl, op: 'ige-encrypt-new', size, fn: () => c.aesIgeEncrypt(data, key, iv) })
        // the hashes do not depend on the AES core: once per flavour
        if (!c.backend.endsWith('/table') || c.backend === 'wasm/table') {
          const flavour = `mtwire ${c.backend.split('/')[0]}`
          cases.push({ impl: flavour, op: 'sha256', size, fn: () => c.sha256(data) })
          cases.push({ impl: flavour, op: 'sha1', size, fn: () => c.sha1(data) })
        }
      }
      const peer = '@mtcute/wasm'
      cases.push({ impl: peer, peer: true, op: 'ige-encrypt', size, fn: () => mtcute.ige256Encrypt(data, key, iv) })
      cases.push({ impl: peer, peer: true, op: 'ige-decrypt', size, fn: () => mtcute.ige256Decrypt(data, key, iv) })
      if (size === 256) cases.push({ impl: peer, peer: true, op: 'ige-encrypt-new', size, fn: () => mtcute.ige256Encrypt(data, key, iv) })
      cases.push({ impl: peer, peer: true, op: 'sha256', size, fn: () => mtcute.sha256(data) })
      cases.push({ impl: peer, peer: true, op: 'sha1', size, fn: () => mtcute.sha1(data) })
      const mctr = mtcute.createCtr256(key, iv16)
      cases.push({ impl: peer, peer: true, op: 'ctr', size, fn: () => mtcute.ctr256(mctr, data) })
    }
    return cases
  },
}

export default suite
