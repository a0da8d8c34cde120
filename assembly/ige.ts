// AES-256-IGE with the table core, in place over [ptr, ptr + len), len % 16 == 0.
// Chaining state at IV: c_prev (16 bytes) then m_prev (16 bytes), updated on return so that
// a long input can stream through the scratch region in chunks.
//   encrypt: c_i = E(m_i ^ c_{i-1}) ^ m_{i-1}      decrypt: m_i = D(c_i ^ m_{i-1}) ^ c_{i-1}
import * as aes from './aes'
import { IV, RK_DEC, RK_ENC } from './layout'

// @ts-ignore: decorator
@inline function ld(p: usize): u32 { return bswap<u32>(load<u32>(p)) }
// @ts-ignore: decorator
@inline function st(p: usize, w: u32): void { store<u32>(p, bswap<u32>(w)) }

export function tabIgeEncrypt(ptr: usize, len: usize): void {
  // c_prev lives in aes.s0..s3 between blocks; m_prev in locals
  aes.s0 = ld(IV); aes.s1 = ld(IV + 4); aes.s2 = ld(IV + 8); aes.s3 = ld(IV + 12)
  let m0 = ld(IV + 16), m1 = ld(IV + 20), m2 = ld(IV + 24), m3 = ld(IV + 28)
  const end = ptr + len
  for (let p = ptr; p < end; p += 16) {
    const x0 = ld(p), x1 = ld(p + 4), x2 = ld(p + 8), x3 = ld(p + 12)
    aes.s0 ^= x0; aes.s1 ^= x1; aes.s2 ^= x2; aes.s3 ^= x3
    aes.tabEncryptBlock(RK_ENC)
    aes.s0 ^= m0; aes.s1 ^= m1; aes.s2 ^= m2; aes.s3 ^= m3
    st(p, aes.s0); st(p + 4, aes.s1); st(p + 8, aes.s2); st(p + 12, aes.s3)
    m0 = x0; m1 = x1; m2 = x2; m3 = x3
  }
  st(IV, aes.s0); st(IV + 4, aes.s1); st(IV + 8, aes.s2); st(IV + 12, aes.s3)
  st(IV + 16, m0); st(IV + 20, m1); st(IV + 24, m2); st(IV + 28, m3)
}

export function tabIgeDecrypt(ptr: usize, len: usize): void {
  // m_prev lives in aes.s0..s3 between blocks; c_prev in locals
  aes.s0 = ld(IV + 16); aes.s1 = ld(IV + 20); aes.s2 = ld(IV + 24); aes.s3 = ld(IV + 28)
  let c0 = ld(IV), c1 = ld(IV + 4), c2 = ld(IV + 8), c3 = ld(IV + 12)
  const end = ptr + len
  for (let p = ptr; p < end; p += 16) {
    const x0 = ld(p), x1 = ld(p + 4), x2 = ld(p + 8), x3 = ld(p + 12)
    aes.s0 ^= x0; aes.s1 ^= x1; aes.s2 ^= x2; aes.s3 ^= x3
    aes.tabDecryptBlock(RK_DEC)
    aes.s0 ^= c0; aes.s1 ^= c1; aes.s2 ^= c2; aes.s3 ^= c3
    st(p, aes.s0); st(p + 4, aes.s1); st(p + 8, aes.s2); st(p + 12, aes.s3)
    c0 = x0; c1 = x1; c2 = x2; c3 = x3
  }
  st(IV, c0); st(IV + 4, c1); st(IV + 8, c2); st(IV + 12, c3)
  st(IV + 16, aes.s0); st(IV + 20, aes.s1); st(IV + 24, aes.s2); st(IV + 28, aes.s3)
}
