/**
 * Known-answer vectors for the built bundles (test/dist). Each group names its public source;
 * the values are copied from it (hex, lower case). ASCII messages are given as text.
 */

/** FIPS-197 (AES), Appendix C.3: AES-256 example vector. One IGE block with an all-zero IV is ECB. */
export const fips197 = {
  source: 'FIPS-197 Appendix C.3 (AES-256)',
  key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  plaintext: '00112233445566778899aabbccddeeff',
  ciphertext: '8ea2b7ca516745bfeafc49904b496089',
}

/** NIST SP 800-38A, F.5.5 CTR-AES256.Encrypt and F.5.6 CTR-AES256.Decrypt (same key, counter, blocks). */
export const sp80038aCtr256 = {
  source: 'NIST SP 800-38A F.5.5 / F.5.6 (CTR-AES256)',
  key: '603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4',
  counter: 'f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff',
  plaintext:
    '6bc1bee22e409f96e93d7e117393172a' +
    'ae2d8a571e03ac9c9eb76fac45af8e51' +
    '30c81c46a35ce411e5fbc1191a0a52ef' +
    'f69f2445df4f9b17ad2b417be66c3710',
  ciphertext:
    '601ec313775789a5b7a7f504bbf3d228' +
    'f443e3ca4d62b59aca84e990cacaf5c5' +
    '2b0930daa23de94ce87017ba2d84988d' +
    'dfc9c58db67aada613c2dd08457941a6',
}

const MSG448 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'
const MSG896 =
  'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu'

/**
 * FIPS 180 (SHA-1, SHA-2) examples: the one-block "abc", the multi-block message, and one
 * million 'a' (the long-message example), as published in NIST's "Example Algorithms" (CSRC)
 * and FIPS 180-2 Appendices A–C. The empty-message digests are the well-known constants
 * (NIST CSRC example values / RFC 6234 test harness).
 * `message` is ASCII text; `repeat` repeats it.
 */
export const sha = {
  source: 'FIPS 180-2 Appendices A (SHA-1), B (SHA-256), C (SHA-512); empty message: NIST CSRC examples',
  sha1: [
    { message: '', digest: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
    { message: 'abc', digest: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
    { message: MSG448, digest: '84983e441c3bd26ebaae4aa1f95129e5e54670f1' },
    { message: 'a', repeat: 1_000_000, digest: '34aa973cd4c4daa4f61eeb2bdbad27316534016f' },
  ],
  sha256: [
    { message: '', digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    { message: 'abc', digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
    { message: MSG448, digest: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1' },
    { message: 'a', repeat: 1_000_000, digest: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0' },
  ],
  sha512: [
    {
      message: '',
      digest:
        'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    },
    {
      message: 'abc',
      digest:
        'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    },
    {
      message: MSG896,
      digest:
        '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    },
    {
      message: 'a',
      repeat: 1_000_000,
      digest:
        'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
    },
  ],
}

/** RFC 1321 (MD5), Appendix A.5 test suite (a selection). */
export const md5 = {
  source: 'RFC 1321 Appendix A.5',
  cases: [
    { message: '', digest: 'd41d8cd98f00b204e9800998ecf8427e' },
    { message: 'a', digest: '0cc175b9c0f1b6a831c399e269772661' },
    { message: 'abc', digest: '900150983cd24fb0d6963f7d28e17f72' },
    { message: 'message digest', digest: 'f96b697d7cb7938d525a2f31aaf161d0' },
    { message: 'abcdefghijklmnopqrstuvwxyz', digest: 'c3fcd3d76192e4007dfb496cca67e13b' },
  ],
}

/** CRC-32 (IEEE 802.3, reflected, as zlib): the catalogue "check" value over "123456789". */
export const crc32 = {
  source: 'Catalogue of parametrised CRC algorithms (reveng), CRC-32/ISO-HDLC: check = 0xcbf43926',
  message: '123456789',
  value: 0xcbf43926,
}

/**
 * RFC 4231, HMAC-SHA-256 test cases 1–7 (key and data in hex; case 5 is truncated to 128 bits,
 * `truncate` gives the byte count compared).
 */
export const rfc4231 = {
  source: 'RFC 4231 section 4 (HMAC-SHA-256)',
  cases: [
    {
      id: 1,
      key: '0b'.repeat(20),
      data: '4869205468657265',
      mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    },
    {
      id: 2,
      key: '4a656665',
      data: '7768617420646f2079612077616e7420666f72206e6f7468696e673f',
      mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    },
    {
      id: 3,
      key: 'aa'.repeat(20),
      data: 'dd'.repeat(50),
      mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
    },
    {
      id: 4,
      key: '0102030405060708090a0b0c0d0e0f10111213141516171819',
      data: 'cd'.repeat(50),
      mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    },
    {
      id: 5,
      key: '0c'.repeat(20),
      data: '546573742057697468205472756e636174696f6e',
      mac: 'a3b6167473100ee06e0c796c2955552b',
      truncate: 16,
    },
    {
      id: 6,
      key: 'aa'.repeat(131),
      data: '54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374',
      mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    },
    {
      id: 7,
      key: 'aa'.repeat(131),
      data:
        '5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b' +
        '657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e' +
        '6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320' +
        '616c676f726974686d2e',
      mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    },
  ],
}

/**
 * PBKDF2-HMAC-SHA-512, 64-byte output: the SHA-512 counterparts of the RFC 6070 inputs, from
 * the Anti-weakpasswords "PBKDF2-Test-Vectors" set (github.com/Anti-weakpasswords/PBKDF2-Test-Vectors,
 * posted at stackoverflow.com/questions/5130513), also carried by OpenSSL's
 * test/recipes/30-test_evp_data/evpkdf_pbkdf2.txt. Password and salt are ASCII text.
 */
export const pbkdf2Sha512 = {
  source: 'Anti-weakpasswords PBKDF2-Test-Vectors (SHA-512) / OpenSSL evpkdf_pbkdf2.txt',
  cases: [
    {
      password: 'password',
      salt: 'salt',
      iterations: 1,
      dk: '867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce',
    },
    {
      password: 'password',
      salt: 'salt',
      iterations: 2,
      dk: 'e1d9c16aa681708a45f5c7c4e215ceb66e011a2e9f0040713f18aefdb866d53cf76cab2868a39b9f7840edce4fef5a82be67335c77a6068e04112754f27ccf4e',
    },
    {
      password: 'password',
      salt: 'salt',
      iterations: 4096,
      dk: 'd197b1b33db0143e018b12f3d1d1479e6cdebdcc97c5c0f87f6902e072f457b5143f30602641b3d55cd335988cb36b84376060ecd532e039b742a239434af2d5',
    },
    {
      password: 'passwordPASSWORDpassword',
      salt: 'saltSALTsaltSALTsaltSALTsaltSALTsalt',
      iterations: 4096,
      dk: '8c0511f4c6e597c6ac6315d8f0362e225f3c501495ba23b868c005174dc4ee71115b59f9e60cd9532fa33e0f75aefe30225c583a186cd82bd4daea9724a3d3b8',
    },
  ],
}
