/**
 * AES-256-IGE, the mode MTProto uses: c_i = E(m_i ^ c_{i-1}) ^ m_{i-1}.
 * `iv` is 32 bytes: the first half is c_0 (previous ciphertext), the second m_0 (previous
 * plaintext), as in Telegram's implementations. Inputs are validated by the caller
 * (src/crypto/api.ts); `out` may be `data` itself (in place).
 */
import { blk, decryptBlock, encryptBlock, expandKeyDec, expandKeyEnc } from './aes.js'

const rk = new Int32Array(60)

const rd = (b: Uint8Array, p: number): number => (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]
function wr(b: Uint8Array, p: number, w: number): void {
  b[p] = w >>> 24
  b[p + 1] = w >>> 16
  b[p + 2] = w >>> 8
  b[p + 3] = w
}

export function igeEncrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array): void {
  expandKeyEnc(key, rk)
  ige(data, iv, out, true)
  rk.fill(0)
}

export function igeDecrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array): void {
  expandKeyDec(key, rk)
  ige(data, iv, out, false)
  rk.fill(0)
}

/**
 * Both directions share one shape: y_i = F(x_i ^ a) ^ b, then a = y_i, b = x_i, where
 * (a, b) starts as (iv[0..16], iv[16..32]) for encryption and (iv[16..32], iv[0..16]) for
 * decryption.
 */
function ige(data: Uint8Array, iv: Uint8Array, out: Uint8Array, enc: boolean): void {
  const ao = enc ? 0 : 16
  const bo = 16 - ao
  let a0 = rd(iv, ao), a1 = rd(iv, ao + 4), a2 = rd(iv, ao + 8), a3 = rd(iv, ao + 12)
  let b0 = rd(iv, bo), b1 = rd(iv, bo + 4), b2 = rd(iv, bo + 8), b3 = rd(iv, bo + 12)
  for (let p = 0, n = data.length; p < n; p += 16) {
    const x0 = rd(data, p), x1 = rd(data, p + 4), x2 = rd(data, p + 8), x3 = rd(data, p + 12)
    blk[0] = x0 ^ a0
    blk[1] = x1 ^ a1
    blk[2] = x2 ^ a2
    blk[3] = x3 ^ a3
    if (enc) encryptBlock(rk)
    else decryptBlock(rk)
    a0 = blk[0] ^ b0
    a1 = blk[1] ^ b1
    a2 = blk[2] ^ b2
    a3 = blk[3] ^ b3
    b0 = x0, b1 = x1, b2 = x2, b3 = x3
    wr(out, p, a0)
    wr(out, p + 4, a1)
    wr(out, p + 8, a2)
    wr(out, p + 12, a3)
  }
  blk.fill(0)
}
