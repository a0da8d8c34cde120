// AES-256-IGE with the table core, in place over [ptr, ptr + len), len % 16 == 0.
// Chaining state at IV: c_prev (16 bytes) then m_prev (16 bytes), updated on return so that
// a long input can stream through the scratch region in chunks.
//   encrypt: c_i = E(m_i ^ c_{i-1}) ^ m_{i-1}      decrypt: m_i = D(c_i ^ m_{i-1}) ^ c_{i-1}
// Only the AES state stays in locals: the previous blocks are re-read through pointers (x64
// V8 has ~11 allocatable general registers; more live values spill). The previous output
// block is still in place at p - 16; the previous input block, overwritten in place, is kept
// in one of two 16-byte temporaries.
import * as aes from './aes'
import { IV, RK_DEC, RK_ENC } from './layout'

const TMP_A: usize = 0x02f80
const TMP_B: usize = 0x02f90

// @ts-ignore: decorator
@inline function ld(p: usize): u32 { return load<u32>(p) }
// @ts-ignore: decorator
@inline function st(p: usize, w: u32): void { store<u32>(p, w) }

// @ts-ignore: decorator
@inline function ige(ptr: usize, len: usize, enc: bool): void {
  // enc: y = E(x ^ c_prev) ^ m_prev, where c_prev = previous output, m_prev = previous input
  // dec: y = D(x ^ m_prev) ^ c_prev, where m_prev = previous output, c_prev = previous input
  let prevOut: usize = enc ? IV : IV + 16
  let prevIn = TMP_A
  let curIn = TMP_B
  memory.copy(prevIn, enc ? IV + 16 : IV, 16)
  const end = ptr + len
  for (let p = ptr; p < end; p += 16) {
    store<u64>(curIn, load<u64>(p))
    store<u64>(curIn, load<u64>(p, 8), 8)
    aes.s0 = ld(p) ^ ld(prevOut)
    aes.s1 = ld(p + 4) ^ ld(prevOut + 4)
    aes.s2 = ld(p + 8) ^ ld(prevOut + 8)
    aes.s3 = ld(p + 12) ^ ld(prevOut + 12)
    if (enc) aes.tabEncryptBlock(RK_ENC)
    else aes.tabDecryptBlock(RK_DEC)
    st(p, aes.s0 ^ ld(prevIn))
    st(p + 4, aes.s1 ^ ld(prevIn + 4))
    st(p + 8, aes.s2 ^ ld(prevIn + 8))
    st(p + 12, aes.s3 ^ ld(prevIn + 12))
    prevOut = p
    const t = prevIn
    prevIn = curIn
    curIn = t
  }
  memory.copy(enc ? IV : IV + 16, prevOut, 16)
  memory.copy(enc ? IV + 16 : IV, prevIn, 16)
  memory.fill(TMP_A, 0, 32)
  aes.s0 = 0; aes.s1 = 0; aes.s2 = 0; aes.s3 = 0
}

export function tabIgeEncrypt(ptr: usize, len: usize): void { ige(ptr, len, true) }
export function tabIgeDecrypt(ptr: usize, len: usize): void { ige(ptr, len, false) }
