/**
 * src/auth/bind.ts and src/auth/keystore.ts: auth.bindTempAuthKey built by the client checked
 * against an independent MTProto 1.0 envelope (test/envelope/reference.ts), verified by the
 * server, every field mismatch refused with the spec's error, fuzzed; the in-memory key store.
 */
import { describe, expect, it } from 'vitest'
import { buildBindTempAuthKey, verifyBindTempAuthKey, type VerifyBindOptions } from '../../src/auth/bind.js'
import { MemoryKeyStore } from '../../src/auth/keystore.js'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { encodeTl, mtprotoCodec } from '../../src/tl/index.js'
import { decryptRawRef, encryptRef, keyId, sha1 } from '../envelope/reference.js'
import { hex, prng, seededCrypto } from './helpers.js'

const crypto = seededCrypto(21)
const r = prng(22)
const permBytes = r.bytes(256)
const tempBytes = r.bytes(256)
const perm = createAuthKey(permBytes)
const temp = createAuthKey(tempBytes)
const other = createAuthKey(r.bytes(256))
const NOW = 1_700_000_000_000
const msgId = (BigInt(NOW / 1000) << 32n) | 0x1234n * 4n
const sessionId = -0x1122334455667788n
const expiresAt = NOW / 1000 + 86400

const build = (over: Partial<Parameters<typeof buildBindTempAuthKey>[1]> = {}) =>
  buildBindTempAuthKey(crypto, { permKey: perm, tempKey: temp, expiresAt, msgId, tempSessionId: sessionId, ...over })

const opts = (over: Partial<VerifyBindOptions> = {}): VerifyBindOptions => ({
  tempKey: temp,
  msgId,
  sessionId,
  now: NOW,
  lookupPermKey: (id) => [perm, other].find((k) => k.idLong === id),
  ...over,
})

describe('buildBindTempAuthKey', () => {
  it('is MTProto 1.0 under the permanent key: random ‖ same msg_id ‖ seqno 0 ‖ 40 ‖ bind_auth_key_inner', () => {
    const random = r.bytes(16)
    const req = build({ random, nonce: 0x0102030405060708n })
    expect(req._).toBe('auth.bindTempAuthKey')
    expect(req.perm_auth_key_id).toBe(perm.idLong)
    expect(req.nonce).toBe(0x0102030405060708n)
    expect(req.expires_at).toBe(expiresAt)
    // the inner plaintext, written out by hand from the spec
    const plain = Buffer.alloc(72)
    plain.set(random, 0)
    plain.writeBigInt64LE(msgId, 16)
    plain.writeInt32LE(0, 24)
    plain.writeInt32LE(40, 28)
    plain.writeUInt32LE(0x75a3f765, 32)
    plain.writeBigInt64LE(0x0102030405060708n, 36)
    plain.set(temp.id, 44) // temp_auth_key_id: the key's id bytes are the long as TL writes it
    plain.set(perm.id, 52)
    plain.writeBigInt64LE(sessionId, 60)
    plain.writeInt32LE(expiresAt, 68)
    const enc = req.encrypted_message
    expect(enc.length).toBe(8 + 16 + 80) // 72 bytes padded to 80
    expect(hex(enc.subarray(0, 8))).toBe(hex(keyId(permBytes)))
    // "one computes the msg_key:int128 as SHA1 of the resulting string" (the lower 128 bits)
    expect(hex(enc.subarray(8, 24))).toBe(hex(sha1(plain).subarray(4, 20)))
    const raw = decryptRawRef(permBytes, enc, 0, 1)
    expect(hex(raw.subarray(0, 72))).toBe(hex(plain))
    expect(hex(enc)).toBe(hex(encryptRef(permBytes, plain, raw.subarray(72), 0, 1)))
  })
  it('draws nonce and random from the RNG when not given', () => {
    const a = build(), b = build()
    expect(a.nonce).not.toBe(b.nonce)
    expect(hex(a.encrypted_message)).not.toBe(hex(b.encrypted_message))
  })
  it('refuses a bad expiresAt or random', () => {
    expect(() => build({ expiresAt: 2 ** 31 })).toThrow(/expiresAt/)
    expect(() => build({ random: new Uint8Array(15) })).toThrow(/random/)
  })
})

describe('verifyBindTempAuthKey', () => {
  it('accepts a correct request and returns the binding', () => {
    const res = verifyBindTempAuthKey(crypto, build(), opts())
    expect(res).toEqual({ ok: true, permAuthKeyId: perm.idLong, tempAuthKeyId: temp.idLong, expiresAt })
  })
  it("caps the binding at the temporary key's expiry", () => {
    const res = verifyBindTempAuthKey(crypto, build(), opts({ tempKeyExpiresAt: expiresAt - 5 }))
    expect(res.ok && res.expiresAt).toBe(expiresAt - 5)
  })
  it('TEMP_AUTH_KEY_EMPTY when the request did not come under a temporary key', () => {
    const res = verifyBindTempAuthKey(crypto, build(), opts({ tempKey: undefined }))
    expect(res).toMatchObject({ ok: false, error: 'TEMP_AUTH_KEY_EMPTY', errorCode: 400 })
  })
  it('ENCRYPTED_MESSAGE_INVALID for every mismatch between the request, its inner message and the connection', () => {
    const good = build()
    const flip = (b: Uint8Array, i: number) => {
      const c = b.slice()
      c[i] ^= 1
      return c
    }
    const cases: [string, ReturnType<typeof build>, Partial<VerifyBindOptions>][] = [
      ['another outer msg_id', good, { msgId: msgId + 4n }],
      ['another session', good, { sessionId: sessionId + 1n }],
      ['another temporary key', good, { tempKey: other }],
      ['outer nonce changed', { ...good, nonce: good.nonce + 1n }, {}],
      ['outer expires_at changed', { ...good, expires_at: good.expires_at + 1 }, {}],
      ['outer perm_auth_key_id of another known key', { ...good, perm_auth_key_id: other.idLong }, {}],
      ['unknown perm_auth_key_id', { ...good, perm_auth_key_id: 42n }, {}],
      ['perm key is the temp key', build({ permKey: temp }), { lookupPermKey: () => temp }],
      ['inner temp_auth_key_id of another key', build({ tempKey: other }), {}],
      ['inner msg_id differs', build({ msgId: msgId + 4n }), {}],
      ['inner session differs', build({ tempSessionId: 7n }), {}],
      ['a flipped ciphertext byte', { ...good, encrypted_message: flip(good.encrypted_message, 40) }, {}],
      ['a flipped msg_key byte', { ...good, encrypted_message: flip(good.encrypted_message, 10) }, {}],
      ['truncated', { ...good, encrypted_message: good.encrypted_message.subarray(0, 88) }, {}],
      ['empty', { ...good, encrypted_message: new Uint8Array(0) }, {}],
    ]
    for (const [name, req, o] of cases) {
      expect(verifyBindTempAuthKey(crypto, req, opts(o)), name).toMatchObject({ ok: false, error: 'ENCRYPTED_MESSAGE_INVALID' })
    }
  })
  it('ENCRYPTED_MESSAGE_INVALID for a well-encrypted inner message with a wrong seqno, length or object', () => {
    const mk = (mutate: (p: Buffer) => Buffer) => {
      const p = Buffer.alloc(72)
      p.writeBigInt64LE(msgId, 16)
      p.writeInt32LE(40, 28)
      p.set(encodeTl(mtprotoCodec, { _: 'bind_auth_key_inner', nonce: 5n, temp_auth_key_id: temp.idLong, perm_auth_key_id: perm.idLong, temp_session_id: sessionId, expires_at: expiresAt }), 32)
      const q = mutate(p)
      const pad = Buffer.alloc((16 - (q.length % 16)) % 16)
      return { _: 'auth.bindTempAuthKey' as const, perm_auth_key_id: perm.idLong, nonce: 5n, expires_at: expiresAt, encrypted_message: encryptRef(permBytes, q, pad, 0, 1) }
    }
    expect(verifyBindTempAuthKey(crypto, mk((p) => p), opts())).toMatchObject({ ok: true }) // the control
    const bad: [string, (p: Buffer) => Buffer][] = [
      ['seqno 2', (p) => (p.writeInt32LE(2, 24), p)],
      ['another constructor', (p) => (p.writeUInt32LE(0x12345678, 32), p)],
      ['msg_len 44 with 4 more bytes', (p) => { const q = Buffer.concat([p, Buffer.alloc(4)]); q.writeInt32LE(44, 28); return q }],
    ]
    for (const [name, f] of bad) expect(verifyBindTempAuthKey(crypto, mk(f), opts()), name).toMatchObject({ ok: false, error: 'ENCRYPTED_MESSAGE_INVALID' })
  })
  it('EXPIRES_AT_INVALID for a time not in the future', () => {
    for (const t of [NOW / 1000, NOW / 1000 - 1, 0]) {
      expect(verifyBindTempAuthKey(crypto, build({ expiresAt: t }), opts())).toMatchObject({ ok: false, error: 'EXPIRES_AT_INVALID' })
    }
    expect(verifyBindTempAuthKey(crypto, build({ expiresAt: NOW / 1000 + 1 }), opts())).toMatchObject({ ok: true })
  })
  it('TEMP_AUTH_KEY_ALREADY_BOUND to another permanent key; binding again to the same one is fine', () => {
    expect(verifyBindTempAuthKey(crypto, build(), opts({ boundPermKeyId: () => other.idLong }))).toMatchObject({ ok: false, error: 'TEMP_AUTH_KEY_ALREADY_BOUND' })
    expect(verifyBindTempAuthKey(crypto, build(), opts({ boundPermKeyId: () => perm.idLong }))).toMatchObject({ ok: true })
  })
  it('never throws on random or mutated requests (fuzz)', () => {
    const f = prng(5)
    const good = build()
    for (let i = 0; i < 2000; i++) {
      let enc: Uint8Array
      if (i % 2) {
        enc = good.encrypted_message.slice()
        for (let k = 0; k < 1 + f.int(3); k++) enc[f.int(enc.length)] ^= 1 + f.int(255)
      } else {
        enc = f.bytes(f.int(160))
        if (f.next() < 0.5 && enc.length >= 8) enc.set(perm.id, 0)
      }
      const req = { ...good, encrypted_message: enc, nonce: f.next() < 0.1 ? f.next() < 0.5 ? 0n : -1n : good.nonce }
      const res = verifyBindTempAuthKey(crypto, req, opts())
      expect(res.ok).toBe(false)
    }
  })
})

describe('MemoryKeyStore', () => {
  const key = (id: bigint, temporary = false, expiresAt?: number) => ({ id, key: new Uint8Array(256), temporary, createdAt: 0, expiresAt })
  it('stores, refuses a taken id, deletes', () => {
    const s = new MemoryKeyStore()
    s.put(key(1n))
    expect(s.has(1n, 0)).toBe(true)
    expect(() => s.put(key(1n))).toThrow(/taken/)
    expect(s.delete(1n)).toBe(true)
    expect(s.delete(1n)).toBe(false)
    expect(s.get(1n, 0)).toBeUndefined()
  })
  it('temporary keys expire', () => {
    const s = new MemoryKeyStore()
    s.put(key(2n, true, 100))
    s.put(key(3n, true, 200))
    expect(s.has(2n, 99)).toBe(true)
    expect(s.has(2n, 100)).toBe(false)
    expect(s.expire(150)).toBe(0) // 2 was already dropped by the lookup
    expect(s.expire(250)).toBe(1)
    expect(s.size).toBe(0)
    expect(() => s.put(key(4n, true))).toThrow(/expiresAt/)
  })
  it('one temporary key per permanent key: a new binding replaces the old one; bindings end with either key', () => {
    const s = new MemoryKeyStore()
    s.put(key(1n))
    s.put(key(10n, true, 1000))
    s.put(key(11n, true, 1000))
    s.bind({ permId: 1n, tempId: 10n, expiresAt: 500 })
    expect(s.bindingOfTemp(10n, 0)?.permId).toBe(1n)
    s.bind({ permId: 1n, tempId: 11n, expiresAt: 500 })
    expect(s.bindingOfTemp(10n, 0)).toBeUndefined()
    expect(s.bindingOfPerm(1n, 0)?.tempId).toBe(11n)
    expect(s.bindingOfPerm(1n, 500)).toBeUndefined() // expired
    s.bind({ permId: 1n, tempId: 11n, expiresAt: 900 })
    s.delete(11n)
    expect(s.bindingOfPerm(1n, 0)).toBeUndefined()
  })
  it('bounds the temporary keys, dropping the oldest', () => {
    const s = new MemoryKeyStore({ maxTemporaryKeys: 3 })
    s.put(key(100n))
    for (let i = 1n; i <= 5n; i++) s.put(key(i + 1000n, true, 10_000))
    expect([...[1001n, 1002n, 1003n, 1004n, 1005n]].map((id) => s.has(id, 0))).toEqual([false, false, true, true, true])
    expect(s.has(100n, 0)).toBe(true)
  })
})

