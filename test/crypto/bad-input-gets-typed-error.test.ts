import { describe, expect, it } from 'vitest'
import { CryptoError, MtwireError, createCrypto, createCryptoSync } from '../../src/node/index.js'

/** Asserts a typed CryptoError with the given stable code. */
function throwsCode(fn: () => unknown, code: string): void {
  let err: unknown
  try {
    fn()
  } catch (e) {
    err = e
  }
  expect(err, `expected ${code}`).toBeInstanceOf(CryptoError)
  expect(err).toBeInstanceOf(MtwireError)
  expect((err as CryptoError).code).toBe(code)
}

describe('bad input gets a typed error, never silent truncation', async () => {
  const c = await createCrypto({ backend: 'js' })
  const k = new Uint8Array(32), iv = new Uint8Array(32), d = new Uint8Array(32)

  it('IGE: key, iv, alignment, type, out', () => {
    for (const f of [c.aesIgeEncrypt, c.aesIgeDecrypt]) {
      throwsCode(() => f(d, new Uint8Array(31), iv), 'E_KEY_LENGTH')
      throwsCode(() => f(d, new Uint8Array(16), iv), 'E_KEY_LENGTH')
      throwsCode(() => f(d, k, new Uint8Array(16)), 'E_IV_LENGTH')
      throwsCode(() => f(new Uint8Array(17), k, iv), 'E_DATA_ALIGNMENT')
      throwsCode(() => f(new Uint8Array(15), k, iv), 'E_DATA_ALIGNMENT')
      throwsCode(() => f('hello' as never, k, iv), 'E_TYPE')
      throwsCode(() => f([1, 2] as never, k, iv), 'E_TYPE')
      throwsCode(() => f(null as never, k, iv), 'E_TYPE')
      throwsCode(() => f(new Uint16Array(16) as never, k, iv), 'E_TYPE')
      throwsCode(() => f(d, 'k' as never, iv), 'E_TYPE')
      throwsCode(() => f(d, k, iv, new Uint8Array(16)), 'E_OUT_LENGTH')
      throwsCode(() => f(d, k, iv, {} as never), 'E_TYPE')
      const buf = new Uint8Array(64)
      throwsCode(() => f(buf.subarray(0, 32), k, iv, buf.subarray(16, 48)), 'E_OVERLAP')
    }
  })

  it('CTR: key, iv, type, out, use after dispose', () => {
    throwsCode(() => c.createAesCtr(new Uint8Array(16), new Uint8Array(16)), 'E_KEY_LENGTH')
    throwsCode(() => c.createAesCtr(k, new Uint8Array(32)), 'E_IV_LENGTH')
    const s = c.createAesCtr(k, new Uint8Array(16))
    throwsCode(() => s.process('x' as never), 'E_TYPE')
    throwsCode(() => s.process(d, new Uint8Array(31)), 'E_OUT_LENGTH')
    s.dispose()
    throwsCode(() => s.process(d), 'E_DISPOSED')
    s.dispose() // idempotent
  })

  it('hashes, HMAC, CRC32, randomBytes', () => {
    for (const f of [c.sha1, c.sha256, c.sha512, c.md5, c.crc32]) throwsCode(() => f('abc' as never), 'E_TYPE')
    throwsCode(() => c.hmacSha256('k' as never, d), 'E_TYPE')
    throwsCode(() => c.hmacSha256(k, 5 as never), 'E_TYPE')
    throwsCode(() => c.randomBytes(-1), 'E_LENGTH')
    throwsCode(() => c.randomBytes(1.5), 'E_LENGTH')
    expect(c.randomBytes(0).length).toBe(0)
    expect(c.randomBytes(100_000).length).toBe(100_000) // above WebCrypto's 65536-byte limit
  })

  it('PBKDF2: type and iteration count', async () => {
    await expect(c.pbkdf2Sha512('pw' as never, d, 1)).rejects.toMatchObject({ code: 'E_TYPE' })
    await expect(c.pbkdf2Sha512(d, d, 0)).rejects.toMatchObject({ code: 'E_ITERATIONS' })
    await expect(c.pbkdf2Sha512(d, d, 2.5)).rejects.toMatchObject({ code: 'E_ITERATIONS' })
    await expect(c.pbkdf2Sha512(d, d, 2 ** 33)).rejects.toMatchObject({ code: 'E_ITERATIONS' })
  })

  it('options', async () => {
    throwsCode(() => createCryptoSync({ backend: 'gpu' as never }), 'E_OPTION')
    throwsCode(() => createCryptoSync({ simd: 'avx' as never }), 'E_OPTION')
    throwsCode(() => createCryptoSync({ aes: 'fast' as never }), 'E_OPTION')
    throwsCode(() => createCryptoSync({ random: 5 as never }), 'E_OPTION')
    throwsCode(() => createCryptoSync({ native: 5 as never }), 'E_OPTION')
    throwsCode(() => createCryptoSync({ native: {} as never }), 'E_OPTION')
    throwsCode(() => createCryptoSync({ backend: 'js', aes: 'constant-time' }), 'E_BACKEND_UNAVAILABLE')
    throwsCode(() => createCryptoSync({ backend: 'js', simd: 'relaxed' }), 'E_OPTION')
    await expect(createCrypto({ aes: 'fast' as never })).rejects.toMatchObject({ code: 'E_OPTION' })
  })
})

describe('randomness', () => {
  it('is injectable', () => {
    let calls = 0
    const c = createCryptoSync({ backend: 'js', random: (b) => { calls++; b.fill(0xab) } })
    expect(c.randomBytes(70_000).every((x) => x === 0xab)).toBe(true)
    expect(calls).toBe(2) // filled in ≤ 65536-byte pieces
  })
  it('comes from the platform CSPRNG by default', () => {
    const c = createCryptoSync({ backend: 'js' })
    expect(c.randomBytes(32)).not.toEqual(c.randomBytes(32))
  })
})
