/**
 * Encrypted files (core.telegram.org/api/end-to-end#sending-encrypted-files): the key
 * fingerprint and the streamed AES-256-IGE against independent node:crypto computations, the IV
 * carried across 512 KiB parts, every check on decryption.
 */
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { SecretChatError } from '../../src/errors.js'
import { encryptedFileSize, FILE_PART_SIZE, FileDecryptor, FileEncryptor, fileKeyFingerprint } from '../../src/secret/file.js'
import { igeEncryptRef } from '../envelope/reference.js'
import { crypto } from './helpers.js'
import { fileFingerprintRef } from './reference.js'

const rand = (n: number): Uint8Array => new Uint8Array(randomBytes(n))
/** Byte equality (vitest's deep equality is slow on megabytes). */
const same = (a: Uint8Array, b: Uint8Array): void => {
  expect(a.length).toBe(b.length)
  expect(Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length))).toBe(0)
}
const cat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts))
const code = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(SecretChatError)
    return (e as SecretChatError).code
  }
  return 'no error'
}

/** Splits `data` into parts of `size` (the last may be shorter). */
function parts(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, Math.min(data.length, i + size)))
  if (out.length === 0) out.push(data)
  return out
}

/** Encrypts `file` with a FileEncryptor in parts of `size`. */
function encrypt(enc: FileEncryptor, file: Uint8Array, size: number): Uint8Array {
  const ps = parts(file, size)
  const out = ps.slice(0, -1).map((p) => enc.update(p).slice())
  out.push(enc.final(ps[ps.length - 1]).slice())
  return cat(out)
}

describe('file key fingerprint', () => {
  it('is md5(key ‖ iv)[0..4] XOR md5(key ‖ iv)[4..8] as a TL int', () => {
    for (let i = 0; i < 50; i++) {
      const key = rand(32), iv = rand(32)
      expect(fileKeyFingerprint(crypto(), key, iv)).toBe(fileFingerprintRef(key, iv))
    }
    expect(code(() => fileKeyFingerprint(crypto(), rand(31), rand(32)))).toBe('E_SECRET_ARGUMENT')
  })
})

describe('streaming encryption', () => {
  it.each([0, 1, 15, 16, 1000, FILE_PART_SIZE, FILE_PART_SIZE + 1, 3 * FILE_PART_SIZE - 5])('%i bytes in 512 KiB parts = one IGE pass over the zero-padded file', (n) => {
    const file = rand(n)
    const enc = new FileEncryptor(crypto())
    const got = encrypt(enc, file, FILE_PART_SIZE)
    const padded = new Uint8Array(encryptedFileSize(n))
    padded.set(file)
    expect(got.length).toBe(padded.length)
    if (padded.length > 0) {
      // an independent IGE (node:crypto AES-ECB, block by block) over the whole file with the initial key and IV
      same(got, igeEncryptRef(padded, enc.key, enc.iv))
      same(got, crypto().aesIgeEncrypt(padded, enc.key, enc.iv))
    }
    expect(enc.fingerprint).toBe(fileFingerprintRef(enc.key, enc.iv))
    expect(enc.size).toBe(n)
  })

  it('any chunking into multiples of 16 gives the same bytes, in place too', () => {
    const file = rand(100_000)
    const key = rand(32), iv = rand(32)
    const whole = encrypt(new FileEncryptor(crypto(), { key, iv }), file, 1 << 20)
    for (const size of [16, 1024, 4096 + 16, 65536]) {
      same(encrypt(new FileEncryptor(crypto(), { key, iv }), file, size), whole)
    }
    const inPlace = file.slice(0, 99_984) // a multiple of 16: encrypted in place, part by part
    const e = new FileEncryptor(crypto(), { key, iv })
    for (const p of parts(inPlace, 4096)) expect(e.update(p, p)).toBe(p)
    same(inPlace, whole.subarray(0, 99_984))
  })

  it('refuses unaligned middle parts and use after final, and zeroes its state', () => {
    const enc = new FileEncryptor(crypto())
    expect(code(() => enc.update(rand(17)))).toBe('E_FILE_ALIGNMENT')
    enc.final(rand(5))
    expect(code(() => enc.update(rand(16)))).toBe('E_FILE_STATE')
    expect(code(() => enc.final())).toBe('E_FILE_STATE')
  })
})

describe('streaming decryption', () => {
  function sealed(n: number) {
    const file = rand(n)
    const enc = new FileEncryptor(crypto())
    const ct = encrypt(enc, file, FILE_PART_SIZE)
    return { file, ct, key: enc.key, iv: enc.iv, fingerprint: enc.fingerprint }
  }

  it('decrypts part by part, cuts the padding, checks size and fingerprint', () => {
    for (const n of [1, 16, 1000, FILE_PART_SIZE + 3]) {
      const s = sealed(n)
      const dec = new FileDecryptor(crypto(), { key: s.key, iv: s.iv, size: BigInt(n), fingerprint: s.fingerprint, encryptedSize: s.ct.length })
      const out = cat(parts(s.ct, FILE_PART_SIZE).map((p) => dec.update(p).slice()))
      dec.final()
      same(out, s.file)
    }
  })

  it('decrypts in place with any aligned chunking', () => {
    const s = sealed(50_000)
    const dec = new FileDecryptor(crypto(), { key: s.key, iv: s.iv, size: 50_000 })
    const buf = s.ct.slice()
    const out = cat(parts(buf, 4096).map((p) => dec.update(p, p).slice()))
    dec.final()
    same(out, s.file)
  })

  it('every failed check is a typed error', () => {
    const s = sealed(1000)
    const opts = { key: s.key, iv: s.iv, size: 1000, fingerprint: s.fingerprint }
    expect(code(() => new FileDecryptor(crypto(), { ...opts, fingerprint: s.fingerprint ^ 1 }))).toBe('E_FILE_FINGERPRINT')
    expect(code(() => new FileDecryptor(crypto(), { ...opts, encryptedSize: 1024 }))).toBe('E_FILE_SIZE')
    expect(code(() => new FileDecryptor(crypto(), { ...opts, size: -1 }))).toBe('E_FILE_SIZE')
    expect(code(() => new FileDecryptor(crypto(), { ...opts, size: 2n ** 60n }))).toBe('E_FILE_SIZE')
    const d1 = new FileDecryptor(crypto(), opts)
    expect(code(() => d1.update(s.ct.subarray(0, 17)))).toBe('E_FILE_ALIGNMENT')
    d1.update(s.ct.subarray(0, 512))
    expect(code(() => d1.final())).toBe('E_FILE_SIZE') // not all of it arrived
    const d2 = new FileDecryptor(crypto(), { ...opts, size: 900 }) // the file claims to be smaller than what comes
    expect(code(() => d2.update(s.ct))).toBe('E_FILE_SIZE')
    const d3 = new FileDecryptor(crypto(), opts)
    d3.update(s.ct)
    d3.final()
    expect(code(() => d3.update(s.ct))).toBe('E_FILE_STATE')
  })
})
