/** Independent references built on node:crypto, for the property tests of every backend. */
import { createCipheriv, createDecipheriv } from 'node:crypto'

/** AES-256-IGE from OpenSSL's ECB, one block at a time (slow, obviously correct). */
export function refIge(data: Uint8Array, key: Uint8Array, iv: Uint8Array, encrypt: boolean): Uint8Array {
  const ecb = encrypt ? createCipheriv('aes-256-ecb', key, null) : createDecipheriv('aes-256-ecb', key, null)
  ecb.setAutoPadding(false)
  const out = new Uint8Array(data.length)
  // encrypt: y = E(x ^ c_prev) ^ m_prev, with (c_prev, m_prev) = (iv[0..16], iv[16..32]);
  // decrypt: the same shape with the halves swapped
  let a = iv.subarray(encrypt ? 0 : 16, encrypt ? 16 : 32)
  let b = iv.subarray(encrypt ? 16 : 0, encrypt ? 32 : 16)
  for (let p = 0; p < data.length; p += 16) {
    const x = data.subarray(p, p + 16)
    const y = ecb.update(x.map((v, i) => v ^ a[i]))
    for (let i = 0; i < 16; i++) out[p + i] = y[i] ^ b[i]
    a = out.subarray(p, p + 16)
    b = x
  }
  return out
}

export function refCtr(data: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  return new Uint8Array(createCipheriv('aes-256-ctr', key, iv).update(data))
}
