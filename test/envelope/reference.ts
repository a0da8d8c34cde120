/**
 * An independent MTProto envelope, written straight from the spec with node:crypto
 * (core.telegram.org/mtproto/description for 2.0, /mtproto/description_v1 for 1.0), to check
 * mtwire's output against. It shares no code with src/: SHA via createHash, AES-256-IGE built
 * block by block from aes-256-ecb (c_i = E(m_i ⊕ c_{i−1}) ⊕ m_{i−1}; iv = c_0 ‖ m_0).
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto'

const cat = (...p: Uint8Array[]): Buffer => Buffer.concat(p)
export const sha256 = (d: Uint8Array): Buffer => createHash('sha256').update(d).digest()
export const sha1 = (d: Uint8Array): Buffer => createHash('sha1').update(d).digest()

function xor16(a: Uint8Array, b: Uint8Array): Buffer {
  const r = Buffer.alloc(16)
  for (let i = 0; i < 16; i++) r[i] = a[i] ^ b[i]
  return r
}

export function igeEncryptRef(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  const ecb = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false)
  let c = iv.subarray(0, 16)
  let m = iv.subarray(16, 32)
  const out: Buffer[] = []
  for (let i = 0; i < data.length; i += 16) {
    const x = data.subarray(i, i + 16)
    const y = xor16(ecb.update(xor16(x, c)), m)
    out.push(y)
    c = y
    m = x
  }
  return Buffer.concat(out)
}

export function igeDecryptRef(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Buffer {
  const ecb = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false)
  let c = iv.subarray(0, 16)
  let m = iv.subarray(16, 32)
  const out: Buffer[] = []
  for (let i = 0; i < data.length; i += 16) {
    const y = data.subarray(i, i + 16)
    const x = xor16(ecb.update(xor16(y, m)), c)
    out.push(x)
    c = y
    m = x
  }
  return Buffer.concat(out)
}

export function kdf2(key: Uint8Array, msgKey: Uint8Array, x: number): { aesKey: Buffer; aesIv: Buffer } {
  const a = sha256(cat(msgKey, key.subarray(x, x + 36)))
  const b = sha256(cat(key.subarray(40 + x, 76 + x), msgKey))
  return {
    aesKey: cat(a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32)),
    aesIv: cat(b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32)),
  }
}

export function kdf1(key: Uint8Array, msgKey: Uint8Array, x: number): { aesKey: Buffer; aesIv: Buffer } {
  const a = sha1(cat(msgKey, key.subarray(x, x + 32)))
  const b = sha1(cat(key.subarray(32 + x, 48 + x), msgKey, key.subarray(48 + x, 64 + x)))
  const c = sha1(cat(key.subarray(64 + x, 96 + x), msgKey))
  const d = sha1(cat(msgKey, key.subarray(96 + x, 128 + x)))
  return {
    aesKey: cat(a.subarray(0, 8), b.subarray(8, 20), c.subarray(4, 16)),
    aesIv: cat(a.subarray(8, 20), b.subarray(0, 8), c.subarray(16, 20), d.subarray(0, 8)),
  }
}

/** auth_key_id: the 64 lower-order bits of SHA-1(auth_key). */
export const keyId = (key: Uint8Array): Buffer => sha1(key).subarray(12, 20)

/** Encrypts `inner ‖ padding` (padding given) as MTProto 2.0 or 1.0. */
export function encryptRef(key: Uint8Array, inner: Uint8Array, padding: Uint8Array, x: number, version: 1 | 2 = 2): Buffer {
  const plain = cat(inner, padding)
  const msgKey =
    version === 2 ? sha256(cat(key.subarray(88 + x, 120 + x), plain)).subarray(8, 24) : sha1(inner).subarray(4, 20)
  const { aesKey, aesIv } = (version === 2 ? kdf2 : kdf1)(key, msgKey, x)
  return cat(keyId(key), msgKey, igeEncryptRef(plain, aesKey, aesIv))
}

/** Decrypts without any check: the full padded plaintext. */
export function decryptRawRef(key: Uint8Array, packet: Uint8Array, x: number, version: 1 | 2 = 2): Buffer {
  const msgKey = packet.subarray(8, 24)
  const { aesKey, aesIv } = (version === 2 ? kdf2 : kdf1)(key, msgKey, x)
  return igeDecryptRef(packet.subarray(24), aesKey, aesIv)
}
