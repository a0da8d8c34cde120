// Known-answer vectors through every backend the built bundle offers (see support/vectors.mjs
// and support/samples-auth-key.mjs for the sources). Runs on Node 18+ with `node --test`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ascii, enumerateBackends, hex, refIge, sameBytes, toHex, where } from './support/lib.mjs'
import * as V from './support/vectors.mjs'
import { SNAPSHOT, samplesAuthKey as S } from './support/samples-auth-key.mjs'

const { backends, unavailable } = await enumerateBackends()

test(`backends available (${where})`, (t) => {
  t.diagnostic(`available: ${backends.map((b) => b.name).join(', ')}`)
  t.diagnostic(`unavailable here: ${unavailable.map((o) => `${o.simd}/${o.aes}`).join(', ') || 'none'}`)
  assert.ok(backends.some((b) => b.name.startsWith('js/')), 'the pure-TS backend is always there')
  if (process.env.MTWIRE_EXPECT_WASM === '1') {
    assert.ok(backends.some((b) => b.name.startsWith('wasm')), 'MTWIRE_EXPECT_WASM=1 but no WASM flavour loaded')
  }
  // A flavour that silently fails to load would also drop out of every comparison: say which must be there.
  for (const want of (process.env.MTWIRE_EXPECT_BACKENDS ?? '').split(/[\s,]+/).filter(Boolean)) {
    assert.ok(backends.some((b) => b.name === want), `MTWIRE_EXPECT_BACKENDS names ${want}, which did not load`)
  }
})

// The reference used by the random tests must itself reproduce the vectors, or it proves nothing.
test('node:crypto IGE reference reproduces the samples-auth_key vectors', () => {
  const key = hex(S.tmpAesKey)
  const iv = hex(S.tmpAesIv)
  sameBytes(refIge(false, hex(S.encryptedAnswer), key, iv), hex(S.answerWithHash), 'ref decrypt')
})

test('support/samples-auth-key.mjs matches test/vectors/samples-auth-key.ts', async (t) => {
  const { readFileSync } = await import('node:fs')
  let text
  try {
    text = await (await import('./support/generate-samples-auth-key.mjs')).render()
  } catch (e) {
    // esbuild has no binary for this platform (e.g. ARM under qemu): the x86 run checks it
    t.skip(`cannot render here: ${String(e.message).split('\n')[0]}`)
    return
  }
  const now = readFileSync(new URL('./support/samples-auth-key.mjs', import.meta.url), 'utf8')
  assert.ok(now === text, 'out of date: run node test/dist/support/generate-samples-auth-key.mjs --write')
})

const repeat = (v) => ascii(v.message.repeat(v.repeat ?? 1))

for (const { name, crypto: c } of backends) {
  test(`${name}: FIPS-197 C.3 AES-256 via one IGE block with a zero IV`, () => {
    const key = hex(V.fips197.key)
    const zero = new Uint8Array(32)
    sameBytes(c.aesIgeEncrypt(hex(V.fips197.plaintext), key, zero), hex(V.fips197.ciphertext), 'encrypt')
    sameBytes(c.aesIgeDecrypt(hex(V.fips197.ciphertext), key, zero), hex(V.fips197.plaintext), 'decrypt')
  })

  test(`${name}: NIST SP 800-38A F.5.5/F.5.6 CTR-AES256`, () => {
    const { key, counter, plaintext, ciphertext } = V.sp80038aCtr256
    const enc = c.createAesCtr(hex(key), hex(counter))
    sameBytes(enc.process(hex(plaintext)), hex(ciphertext), 'F.5.5 encrypt')
    enc.dispose()
    // F.5.6, fed in uneven pieces: the stream must carry its keystream position across calls.
    const dec = c.createAesCtr(hex(key), hex(counter))
    const ct = hex(ciphertext)
    const parts = [1, 15, 17, 0, 31].reduce(
      (acc, n) => {
        acc.out.push(dec.process(ct.subarray(acc.at, acc.at + n)))
        acc.at += n
        return acc
      },
      { at: 0, out: [] },
    )
    parts.out.push(dec.process(ct.subarray(parts.at)))
    sameBytes(Buffer.concat(parts.out), hex(plaintext), 'F.5.6 decrypt')
    dec.dispose()
    assert.throws(() => dec.process(new Uint8Array(1)), { code: 'E_DISPOSED' })
  })

  for (const alg of ['sha1', 'sha256', 'sha512']) {
    test(`${name}: FIPS 180 ${alg.toUpperCase()} (empty, abc, multi-block, one million 'a')`, () => {
      for (const v of V.sha[alg]) {
        const label = v.repeat ? `'${v.message}' x ${v.repeat}` : JSON.stringify(v.message.slice(0, 12))
        assert.equal(toHex(c[alg](repeat(v))), v.digest, `${alg} ${label}`)
      }
    })
  }

  test(`${name}: RFC 1321 MD5`, () => {
    for (const v of V.md5.cases) assert.equal(toHex(c.md5(ascii(v.message))), v.digest, JSON.stringify(v.message))
  })

  test(`${name}: CRC-32 check value`, () => {
    assert.equal(c.crc32(ascii(V.crc32.message)), V.crc32.value)
    assert.equal(c.crc32(new Uint8Array(0)), 0)
  })

  test(`${name}: RFC 4231 HMAC-SHA-256 test cases 1-7`, () => {
    for (const v of V.rfc4231.cases) {
      const mac = c.hmacSha256(hex(v.key), hex(v.data))
      assert.equal(mac.length, 32)
      assert.equal(toHex(mac.subarray(0, v.truncate ?? 32)), v.mac, `case ${v.id}`)
    }
  })

  test(`${name}: PBKDF2-HMAC-SHA512 vectors`, async () => {
    for (const v of V.pbkdf2Sha512.cases) {
      const dk = await c.pbkdf2Sha512(ascii(v.password), ascii(v.salt), v.iterations)
      assert.equal(toHex(dk), v.dk, `${v.password}/${v.salt}/${v.iterations}`)
    }
  })

  test(`${name}: samples-auth_key IGE (${SNAPSHOT.split('@')[0]})`, () => {
    const key = hex(S.tmpAesKey)
    const iv = hex(S.tmpAesIv)
    // step 5: the 592-byte encrypted_answer decrypts to answer_with_hash
    const answer = c.aesIgeDecrypt(hex(S.encryptedAnswer), key, iv)
    assert.equal(answer.length, 592)
    sameBytes(answer, hex(S.answerWithHash), 'encrypted_answer decryption')
    sameBytes(c.aesIgeEncrypt(answer, key, iv), hex(S.encryptedAnswer), 'answer re-encryption')
    // step 6: SHA1(client_DH_inner_data) ‖ client_DH_inner_data ‖ padding encrypts to 336 bytes
    const inner = hex(S.clientDhInnerData)
    const plain = Buffer.concat([c.sha1(inner), inner, hex(S.clientDhPadding)])
    assert.equal(plain.length, 336)
    const enc = c.aesIgeEncrypt(new Uint8Array(plain), key, iv)
    sameBytes(enc, hex(S.clientDhEncrypted), 'client_DH_inner_data encryption')
    sameBytes(c.aesIgeDecrypt(enc, key, iv), plain, 'decryption back')
    // in place (out === data) gives the same bytes
    const buf = new Uint8Array(plain)
    assert.equal(c.aesIgeEncrypt(buf, key, iv, buf), buf)
    sameBytes(buf, hex(S.clientDhEncrypted), 'in-place encryption')
  })

  test(`${name}: typed errors for bad input`, () => {
    const k = new Uint8Array(32)
    assert.throws(() => c.aesIgeEncrypt(new Uint8Array(16), new Uint8Array(31), new Uint8Array(32)), { code: 'E_KEY_LENGTH' })
    assert.throws(() => c.aesIgeEncrypt(new Uint8Array(16), k, new Uint8Array(16)), { code: 'E_IV_LENGTH' })
    assert.throws(() => c.aesIgeDecrypt(new Uint8Array(17), k, new Uint8Array(32)), { code: 'E_DATA_ALIGNMENT' })
    assert.throws(() => c.aesIgeEncrypt('0123456789abcdef', k, new Uint8Array(32)), { code: 'E_TYPE' })
    assert.throws(() => c.createAesCtr(k, new Uint8Array(32)), { code: 'E_IV_LENGTH' })
    assert.throws(() => c.sha256([1, 2, 3]), { code: 'E_TYPE' })
  })
}
