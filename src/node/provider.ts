/**
 * node:crypto as a native provider for the MTProto envelope's large messages: SHA-256
 * (SHA-NI / OpenSSL assembly) and AES-256-IGE encryption as ONE AES-256-CBC call (AES-NI).
 *
 * IGE: c_i = E(m_i ⊕ c_(i−1)) ⊕ m_(i−1), with c_0 = iv[0..16], m_0 = iv[16..32]. CBC computes
 * y_i = E(u_i ⊕ y_(i−1)) with y_0 = its IV. Taking the CBC IV = c_0, u_1 = m_1 and
 * u_i = m_i ⊕ m_(i−2) (m_0 for i = 2) gives y_i = E(m_i ⊕ c_(i−1)), because then
 * y_(i−1) = c_(i−1) ⊕ m_(i−2); finally c_i = y_i ⊕ m_(i−1). IGE decryption has no such form
 * (each block needs the previous plaintext), so it stays with the WASM / TS core.
 *
 * Its thresholds (the table src/crypto/route.ts decides from), measured once on x86-64 (Node 20,
 * 2-core VM) against the relaxed-SIMD constant-time WASM core, whole envelope (see the report of
 * issue 4), never at run time:
 * - sha256: node:crypto SHA-256 is ahead from about 1 KiB (1.1× at 1 KiB, 1.5× at 4 KiB, 1.7×
 *   at 64 KiB and up) and behind below (0.7× at 256 B, where a createHash call costs more than
 *   the hashing).
 * - sha256InPlace (a WASM core hands over only the msg_key hash, reading WASM memory): ahead
 *   from about 512 B of plaintext with crypto.hash (decryption 2.5% faster at 528 B, 9% at
 *   784 B; 3% slower at 400 B, 13% at 272 B; relaxed-SIMD and baseline-SIMD cores alike), from
 *   about 640 B with createHash (Node < 20.12: 1% slower at 528 B, 3% faster at 656 B).
 * - igeEncrypt: IGE-via-CBC is ahead from about 4 KiB (with the SHA: 1.75× at 4 KiB, 2.1× at
 *   64 KiB, 2.8× at 1 MiB).
 * - ctr: node:crypto's AES-NI CTR repays its ~1 µs call from about 128 bytes.
 */
import * as nodeCrypto from 'node:crypto'
import { type Cipher, createCipheriv, createHash } from 'node:crypto'
import type { CtrCore, NativeProvider } from '../crypto/types.js'
import { hybridCtr } from '../crypto/ctr.js'
import { setNativeProvider } from '../crypto/route.js'

/** Int32Array views read little-endian words only on little-endian hosts (all Node targets but s390x). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1
const rd32 = (b: Uint8Array, p: number): number => b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)

/** IGE encryption through one CBC call. Inputs validated by the caller; `out` may not overlap `data`. */
export function igeEncryptViaCbc(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array): void {
  const n = data.length
  if (n === 0) return
  // u (and y below) hold plaintext-derived bytes: zeroed after use
  const u = new Uint8Array(n)
  const aligned = LITTLE_ENDIAN && ((data.byteOffset | out.byteOffset) & 3) === 0
  const w = n >> 2
  if (aligned) {
    // 32-bit words: the XOR passes run ~4x faster than byte loops
    const d = new Int32Array(data.buffer, data.byteOffset, w)
    const uw = new Int32Array(u.buffer, 0, w)
    for (let i = 0; i < 4; i++) {
      uw[i] = d[i]
      if (4 + i < w) uw[4 + i] = d[4 + i] ^ rd32(iv, 16 + 4 * i)
    }
    for (let i = 8; i < w; i++) uw[i] = d[i] ^ d[i - 8]
  } else {
    for (let i = 0; i < 16; i++) u[i] = data[i]
    for (let i = 16; i < 32 && i < n; i++) u[i] = data[i] ^ iv[i]
    for (let i = 32; i < n; i++) u[i] = data[i] ^ data[i - 32]
  }
  const y = createCipheriv('aes-256-cbc', key, iv.subarray(0, 16)).setAutoPadding(false).update(u)
  u.fill(0)
  if (aligned && (y.byteOffset & 3) === 0) {
    const d = new Int32Array(data.buffer, data.byteOffset, w)
    const yw = new Int32Array(y.buffer, y.byteOffset, w)
    const o = new Int32Array(out.buffer, out.byteOffset, w)
    for (let i = 0; i < 4; i++) o[i] = yw[i] ^ rd32(iv, 16 + 4 * i)
    for (let i = 4; i < w; i++) o[i] = yw[i] ^ d[i - 4]
  } else {
    for (let i = 0; i < 16; i++) out[i] = y[i] ^ iv[16 + i]
    for (let i = 16; i < n; i++) out[i] = y[i] ^ data[i - 16]
  }
  y.fill(0)
}

/** An AES-256-CTR stream on node:crypto. dispose() drops the cipher (OpenSSL frees its schedule). */
function nodeCtr(key: Uint8Array, iv: Uint8Array): CtrCore {
  let c: Cipher | undefined = createCipheriv('aes-256-ctr', key, iv)
  return {
    process(data, out) {
      const r = c!.update(data)
      out.set(r)
      r.fill(0) // the output of a decrypting stream is plaintext
    },
    dispose() {
      c = undefined
    },
  }
}

// crypto.hash (Node >= 20.12 / 21.7) hashes in one call without a Hash object: ~0.5 us less
// per message (4 KiB: ~3.8 vs ~4.4 us here). Read off the namespace: Node 18 has no such export.
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Uint8Array }).hash

export const nodeProvider: NativeProvider = {
  name: 'node:crypto',
  sha256: oneShot ? (data) => oneShot('sha256', data, 'buffer') : (data) => createHash('sha256').update(data).digest(),
  igeEncrypt: igeEncryptViaCbc,
  ctrCreate: nodeCtr,
  ctrStream: hybridCtr,
  thresholds: { sha256: 1024, sha256InPlace: oneShot ? 512 : 640, igeEncrypt: 4096, ctr: 128 },
}

/** Makes Crypto objects created from now on use node:crypto for large messages. */
export function installNodeProvider(): void {
  setNativeProvider(nodeProvider)
}
