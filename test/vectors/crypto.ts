/**
 * Published known-answer vectors for every crypto primitive, as checks that run against any
 * `Crypto` object. Shared by the vitest suites (src/), and the browser run (dist/browser.mjs),
 * so every backend and every bundle is held to the same numbers. Each group names its source.
 */
import type { Crypto } from '../../src/crypto/types.js'
import { hex, samplesAuthKey as S, toHex } from './samples-auth-key.js'

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)
const repeat = (b: number, n: number): Uint8Array => new Uint8Array(n).fill(b)
const MILLION_A = (): Uint8Array => repeat(0x61, 1_000_000)

export interface VectorCheck {
  name: string
  run(c: Crypto): Promise<void> | void
}

function eq(actual: Uint8Array | string | number, expected: string | number, what: string): void {
  const a = typeof actual === 'object' ? toHex(actual) : actual
  if (a !== expected) throw new Error(`${what}: expected ${expected}, got ${a}`)
}

const hashes: [name: string, fn: keyof Crypto, input: () => Uint8Array, digest: string][] = [
  // FIPS 180-2 Appendix A/B (SHA-1, SHA-256) and C (SHA-512); the empty-message digests are the
  // widely published ones (e.g. NIST's "SHA examples" page).
  ['SHA-1 ""', 'sha1', () => new Uint8Array(0), 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['SHA-1 "abc"', 'sha1', () => utf8('abc'), 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ['SHA-1 448-bit', 'sha1', () => utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
  ['SHA-1 million a', 'sha1', MILLION_A, '34aa973cd4c4daa4f61eeb2bdbad27316534016f'],
  ['SHA-256 ""', 'sha256', () => new Uint8Array(0), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['SHA-256 "abc"', 'sha256', () => utf8('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['SHA-256 448-bit', 'sha256', () => utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ['SHA-256 million a', 'sha256', MILLION_A, 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
  ['SHA-512 ""', 'sha512', () => new Uint8Array(0), 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e'],
  ['SHA-512 "abc"', 'sha512', () => utf8('abc'), 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'],
  ['SHA-512 896-bit', 'sha512', () => utf8('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'), '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909'],
  ['SHA-512 million a', 'sha512', MILLION_A, 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b'],
  // RFC 1321 appendix A.5
  ['MD5 ""', 'md5', () => new Uint8Array(0), 'd41d8cd98f00b204e9800998ecf8427e'],
  ['MD5 "abc"', 'md5', () => utf8('abc'), '900150983cd24fb0d6963f7d28e17f72'],
  ['MD5 "message digest"', 'md5', () => utf8('message digest'), 'f96b697d7cb7938d525a2f31aaf161d0'],
]

// RFC 4231 test cases 1, 2, 3, 6, 7 (HMAC-SHA-256)
const hmacs: [name: string, key: () => Uint8Array, data: () => Uint8Array, mac: string][] = [
  ['HMAC-SHA256 RFC 4231 #1', () => repeat(0x0b, 20), () => utf8('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
  ['HMAC-SHA256 RFC 4231 #2', () => utf8('Jefe'), () => utf8('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
  ['HMAC-SHA256 RFC 4231 #3', () => repeat(0xaa, 20), () => repeat(0xdd, 50), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
  ['HMAC-SHA256 RFC 4231 #6', () => repeat(0xaa, 131), () => utf8('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
  ['HMAC-SHA256 RFC 4231 #7', () => repeat(0xaa, 131), () => utf8('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'), '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2'],
]

// PBKDF2-HMAC-SHA512 in the style of RFC 6070 (same inputs; the SHA-512 outputs as published
// with the RFC 6070-style test suites, e.g. Anti-weakpasswords' PBKDF2 test vectors).
const pbkdf2s: [name: string, p: string, s: string, c: number, dk: string][] = [
  ['PBKDF2-SHA512 c=1', 'password', 'salt', 1, '867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce'],
  ['PBKDF2-SHA512 c=2', 'password', 'salt', 2, 'e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53cf76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e'],
  ['PBKDF2-SHA512 c=4096', 'password', 'salt', 4096, 'd197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5'],
  ['PBKDF2-SHA512 long', 'passwordPASSWORDpassword', 'saltSALTsaltSALTsaltSALTsaltSALTsalt', 4096, '8c0511f4c6e597c6ac6315d8f0362e225f3c501495ba23b868c005174dc4ee71115b59f9e60cd9532fa33e0f75aefe30225c583a186cd82bd4daea9724a3d3b8'],
]

// NIST SP 800-38A F.5.5 (CTR-AES256.Encrypt) and F.5.6 (Decrypt: the same blocks reversed)
const CTR_KEY = '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'
const CTR_IV = 'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'
const CTR_PT = '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710'
const CTR_CT = '601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6'

export const vectorChecks: VectorCheck[] = [
  ...hashes.map(([name, fn, input, digest]) => ({
    name,
    run: (c: Crypto) => eq((c[fn] as (d: Uint8Array) => Uint8Array)(input()), digest, name),
  })),
  ...hmacs.map(([name, key, data, mac]) => ({ name, run: (c: Crypto) => eq(c.hmacSha256(key(), data()), mac, name) })),
  ...pbkdf2s.map(([name, p, s, it, dk]) => ({
    name,
    run: async (c: Crypto) => eq(await c.pbkdf2Sha512(utf8(p), utf8(s), it), dk, name),
  })),
  {
    // the CRC-32 "check" value of the IEEE polynomial (Rocksoft model / zlib)
    name: 'CRC32 "123456789"',
    run: (c) => eq(c.crc32(utf8('123456789')), 0xcbf43926, 'crc32'),
  },
  {
    // FIPS-197 Appendix C.3; one IGE block with an all-zero IV is plain ECB
    name: 'AES-256 FIPS-197 C.3 (IGE, zero IV)',
    run: (c) => {
      const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
      eq(c.aesIgeEncrypt(hex('00112233445566778899aabbccddeeff'), key, new Uint8Array(32)), '8ea2b7ca516745bfeafc49904b496089', 'encrypt')
      eq(c.aesIgeDecrypt(hex('8ea2b7ca516745bfeafc49904b496089'), key, new Uint8Array(32)), '00112233445566778899aabbccddeeff', 'decrypt')
    },
  },
  {
    name: 'AES-256-CTR SP 800-38A F.5.5/F.5.6',
    run: (c) => {
      const enc = c.createAesCtr(hex(CTR_KEY), hex(CTR_IV))
      eq(enc.process(hex(CTR_PT)), CTR_CT, 'F.5.5 encrypt')
      enc.dispose()
      // decrypt in odd-sized chunks: the stream must carry its partial block across calls
      const dec = c.createAesCtr(hex(CTR_KEY), hex(CTR_IV))
      const ct = hex(CTR_CT)
      const parts = [dec.process(ct.subarray(0, 5)), dec.process(ct.subarray(5, 37)), dec.process(ct.subarray(37))]
      eq(Uint8Array.from(parts.flatMap((p) => Array.from(p))), CTR_PT, 'F.5.6 decrypt')
      dec.dispose()
    },
  },
  {
    // samples-auth_key step 6: encrypted_answer decrypts (IGE) to answer_with_hash
    name: 'AES-256-IGE samples-auth_key 592-byte decryption',
    run: (c) => eq(c.aesIgeDecrypt(hex(S.encryptedAnswer), hex(S.tmpAesKey), hex(S.tmpAesIv)), S.answerWithHash, 'answer_with_hash'),
  },
  {
    // samples-auth_key step 7.1: SHA1(data) ‖ data ‖ padding encrypts (IGE) to encrypted_data
    name: 'AES-256-IGE samples-auth_key 336-byte encryption',
    run: (c) => {
      const data = hex(S.clientDhInnerData)
      const plain = Uint8Array.from([...c.sha1(data), ...data, ...hex(S.clientDhPadding)])
      eq(c.aesIgeEncrypt(plain, hex(S.tmpAesKey), hex(S.tmpAesIv)), S.clientDhEncrypted, 'encrypted_data')
    },
  },
]
