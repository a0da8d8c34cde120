// AES-256-CTR with the table core, one stream per slot (see layout.ts): the counter is a
// 128-bit big-endian number incremented per block with full carry; leftover keystream of a
// partial block is kept in the slot so any chunking gives the same output.
import { tabExpandEnc } from './aes'
import * as aes from './aes-block'
import { KEY, IV, RK_ENC, SLOT_CTR, SLOT_KS, SLOT_POS } from './layout'

/** Initializes `slot` from KEY and IV (16-byte counter). */
export function tabCtrInit(slot: usize): void {
  tabExpandEnc(KEY)
  memory.copy(slot, RK_ENC, 240)
  memory.fill(RK_ENC, 0, 240)
  memory.copy(slot + SLOT_CTR, IV, 16)
  store<u32>(slot + SLOT_POS, 64)
}

/** Fills the slot's 64-byte keystream buffer (4 blocks) and advances the counter. */
function refill(slot: usize): void {
  let hi = bswap<u64>(load<u64>(slot + SLOT_CTR))
  let lo = bswap<u64>(load<u64>(slot + SLOT_CTR, 8))
  for (let b: usize = 0; b < 4; b++) {
    // the block is the counter's big-endian bytes; state words are little-endian loads of it
    const bh = bswap<u64>(hi), bl = bswap<u64>(lo)
    aes.s0 = <u32>bh; aes.s1 = <u32>(bh >>> 32); aes.s2 = <u32>bl; aes.s3 = <u32>(bl >>> 32)
    aes.tabEncryptBlock(slot)
    const k = slot + SLOT_KS + (b << 4)
    store<u32>(k, aes.s0); store<u32>(k, aes.s1, 4)
    store<u32>(k, aes.s2, 8); store<u32>(k, aes.s3, 12)
    lo += 1
    hi += <u64>(lo == 0)
  }
  store<u64>(slot + SLOT_CTR, bswap<u64>(hi))
  store<u64>(slot + SLOT_CTR, bswap<u64>(lo), 8)
  aes.s0 = 0; aes.s1 = 0; aes.s2 = 0; aes.s3 = 0
}

/** XORs [ptr, ptr + len) in place with the stream's next keystream bytes. */
export function tabCtrProcess(slot: usize, ptr: usize, len: usize): void {
  let pos = <usize>load<u32>(slot + SLOT_POS)
  const ks = slot + SLOT_KS
  const end = ptr + len
  let p = ptr
  while (p < end) {
    if (pos == 64) {
      refill(slot)
      pos = 0
      // whole buffers: 8 bytes at a time
      while (end - p >= 64) {
        for (let i: usize = 0; i < 64; i += 8) store<u64>(p + i, load<u64>(p + i) ^ load<u64>(ks + i))
        p += 64
        refill(slot)
      }
    }
    while (p < end && pos < 64) {
      store<u8>(p, load<u8>(p) ^ load<u8>(ks + pos))
      p++
      pos++
    }
  }
  store<u32>(slot + SLOT_POS, <u32>pos)
}
