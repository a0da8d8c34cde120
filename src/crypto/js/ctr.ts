/**
 * AES-256-CTR stream: the 16-byte IV is a 128-bit big-endian counter, incremented per block
 * with carry across all 128 bits (as OpenSSL and Telegram's obfuscated transports do).
 * Each stream owns its round keys, counter and partial keystream block, so thousands can
 * live at once and chunk boundaries need not be block-aligned.
 */
import { readI32BE } from '../../bytes.js'
import { blk, encryptBlock, expandKeyEnc } from './aes.js'
import type { CtrCore } from '../types.js'

export function ctrCreate(key: Uint8Array, iv: Uint8Array): CtrCore {
  const rk: number[] = Array.from(new Int32Array(60)) // packed small integers (new Array(60) would be holey: a hole check per read)
  expandKeyEnc(key, rk)
  const ctr = new Int32Array(4) // the counter as big-endian words
  for (let i = 0; i < 4; i++) ctr[i] = readI32BE(iv, 4 * i)
  const ks = new Uint8Array(16) // keystream of the current block
  let pos = 16 // bytes of `ks` already used

  /** Encrypts the counter into `blk`, then increments it (carry ripples while a word wraps to 0). */
  function next(): void {
    blk[0] = ctr[0], blk[1] = ctr[1], blk[2] = ctr[2], blk[3] = ctr[3]
    encryptBlock(rk)
    for (let i = 3; i >= 0 && (ctr[i] = (ctr[i] + 1) | 0) === 0; i--);
  }

  return {
    process(data: Uint8Array, out: Uint8Array): void {
      const n = data.length
      let i = 0
      for (; pos < 16 && i < n; i++) out[i] = data[i] ^ ks[pos++] // finish a block begun earlier
      for (; i + 16 <= n; i += 16) {
        next()
        for (let w = 0; w < 4; w++) {
          const k = blk[w], p = i + 4 * w
          out[p] = data[p] ^ (k >>> 24)
          out[p + 1] = data[p + 1] ^ (k >>> 16)
          out[p + 2] = data[p + 2] ^ (k >>> 8)
          out[p + 3] = data[p + 3] ^ k
        }
      }
      if (i < n) {
        next()
        for (let w = 0; w < 4; w++) {
          const k = blk[w]
          ks[4 * w] = k >>> 24, ks[4 * w + 1] = k >>> 16, ks[4 * w + 2] = k >>> 8, ks[4 * w + 3] = k
        }
        for (pos = 0; i < n; i++) out[i] = data[i] ^ ks[pos++]
      }
      blk.fill(0)
    },
    dispose(): void {
      rk.fill(0)
      ctr.fill(0)
      ks.fill(0)
      pos = 16
    },
  }
}
