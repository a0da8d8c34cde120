/**
 * Known-answer vectors for every WASM core this runtime runs (the relaxed-SIMD flavour runs the
 * same checks in a child process, see flags-in-child-node-relaxed-simd-and-gc.test.ts):
 * - FIPS-197 Appendix C.3 (AES-256 block), as IGE with an all-zero IV over one block;
 * - NIST SP 800-38A F.5.5 / F.5.6 (CTR-AES256 encrypt / decrypt);
 * - FIPS 180-4 examples (csrc.nist.gov "Examples with intermediate values"): "", "abc",
 *   the 448-bit message, one million 'a';
 * - the pinned samples-auth_key snapshot: the 592-byte IGE decryption and 336-byte encryption.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SNAPSHOT, hex, samplesAuthKey as S, toHex } from '../vectors/samples-auth-key.js'
import { wasmCores } from './cores.js'

const cores = wasmCores()
const sha1Hex = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex')

describe.each(cores.map((c) => [c.backend, c] as const))('%s', (_name, core) => {
  it('FIPS-197 C.3 AES-256 block (IGE with zero IV = ECB for one block)', () => {
    const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
    const pt = hex('00112233445566778899aabbccddeeff')
    const out = new Uint8Array(16)
    core.igeEncrypt(pt, key, new Uint8Array(32), out)
    expect(toHex(out)).toBe('8ea2b7ca516745bfeafc49904b496089')
    core.igeDecrypt(out, key, new Uint8Array(32), out)
    expect(toHex(out)).toBe('00112233445566778899aabbccddeeff')
  })

  it('SP 800-38A F.5.5 / F.5.6 CTR-AES256', () => {
    const key = hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4')
    const iv = hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff')
    const pt = hex(
      '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
    )
    const ct = '601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6'
    const out = new Uint8Array(64)
    core.ctrCreate(key, iv).process(pt, out)
    expect(toHex(out)).toBe(ct) // F.5.5
    core.ctrCreate(key, iv).process(hex(ct), out)
    expect(toHex(out)).toBe(toHex(pt)) // F.5.6
  })

  it('FIPS 180 SHA-256 and SHA-1 examples', () => {
    const abc = new TextEncoder().encode('abc')
    const m448 = new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')
    const million = new Uint8Array(1_000_000).fill(0x61)
    expect(toHex(core.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    expect(toHex(core.sha256(abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(toHex(core.sha256(m448))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1')
    expect(toHex(core.sha256(million))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0')
    expect(toHex(core.sha1(new Uint8Array(0)))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709')
    expect(toHex(core.sha1(abc))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
    expect(toHex(core.sha1(m448))).toBe('84983e441c3bd26ebaae4aa1f95129e5e54670f1')
    expect(toHex(core.sha1(million))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f')
    // the allocation-free variants write the same digests at the start of out
    const out = new Uint8Array(40).fill(0xee)
    core.sha256Into!(m448, out)
    expect(toHex(out)).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1' + 'ee'.repeat(8))
    core.sha1Into!(million, out)
    expect(toHex(out.subarray(0, 20))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f')
  })

  it(`samples-auth_key IGE vectors (${SNAPSHOT})`, () => {
    const key = hex(S.tmpAesKey)
    const iv = hex(S.tmpAesIv)
    const answer = new Uint8Array(592)
    core.igeDecrypt(hex(S.encryptedAnswer), key, iv, answer)
    expect(toHex(answer)).toBe(S.answerWithHash)
    const inner = hex(S.clientDhInnerData)
    const plain = new Uint8Array([...hex(sha1Hex(inner)), ...inner, ...hex(S.clientDhPadding)])
    expect(plain.length).toBe(336)
    const enc = new Uint8Array(336)
    core.igeEncrypt(plain, key, iv, enc)
    expect(toHex(enc)).toBe(S.clientDhEncrypted)
  })
})

it('runs at least the baseline-SIMD (ct and table) and no-SIMD cores here', () => {
  const names = cores.map((c) => c.backend)
  expect(names).toEqual(expect.arrayContaining(['wasm-simd/ct', 'wasm-simd/table', 'wasm/table']))
})
