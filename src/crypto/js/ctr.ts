/**
 * AES-256-CTR stream: the 16-byte IV is a 128-bit big-endian counter, incremented per block
 * with carry across all 128 bits (as OpenSSL and Telegram's obfuscated transports do).
 * Each stream owns its round keys, counter and partial keystream block, so thousands can
 * live at once and chunk boundaries need not be block-aligned.
 */
import { blk, encryptBlock, expandKeyEnc } from './aes.js'
import type { CtrCore } from '../types.js'

export function ctrCreate(key: Uint8Array, iv: Uint8Array): CtrCore {
  const rk = new Int32Array(60)
  expandKeyEnc(key, rk)
  // ctr[0..3]: the counter as big-endian words; ks: current keystream block; pos: bytes of ks used
  const ctr = new Int32Array(4)
  for (let i = 0; i < 4; i++) ctr[i] = (iv[4 * i] << 24) | (iv[4 * i + 1] << 16) | (iv[4 * i + 2] << 8) | iv[4 * i + 3]
  const ks = new Uint8Array(16)
  let pos = 16

  function refill(): void {
    blk[0] = ctr[0]
    blk[1] = ctr[1]
    blk[2] = ctr[2]
    blk[3] = ctr[3]
    encryptBlock(rk)
    for (let i = 0; i < 4; i++) {
      const w = blk[i]
      ks[4 * i] = w >>> 24
      ks[4 * i + 1] = w >>> 16
      ks[4 * i + 2] = w >>> 8
      ks[4 * i + 3] = w
    }
    blk.fill(0)
    // increment the 128-bit counter; carry ripples while a word wraps to 0
    for (let i = 3; i >= 0 && (ctr[i] = (ctr[i] + 1) | 0) === 0; i--);
    pos = 0
  }

  return {
    process(data: Uint8Array, out: Uint8Array): void {
      for (let i = 0, n = data.length; i < n; i++) {
        if (pos === 16) refill()
        out[i] = data[i] ^ ks[pos++]
      }
    },
    dispose(): void {
      rk.fill(0)
      ctr.fill(0)
      ks.fill(0)
      pos = 16
    },
  }
}
