/**
 * Our client against our server, in memory, on every path the issue lists: success (permanent
 * and temporary keys, both RSA encodings, all four inner-data constructors, every big-number
 * path), and each failure: wrong nonce, wrong server_nonce, bad answer hash, g_a out of range, a
 * dh_prime that is not a safe prime, g failing its residue rule, dh_gen_retry, dh_gen_fail,
 * unknown fingerprint, steps out of order, server_DH_params_fail, −444, timeouts and resends.
 */
import { describe, expect, it } from 'vitest'
import {
  ClientHandshake, clientCheckDhParams, clientFinish, clientSetDhParams, clientStep1, clientStep2, HandshakeServer, MemoryKeyStore,
  serverStep1, serverStep2, serverStep3, tmpAesKeyIv, TELEGRAM_DH_PRIME, decodePlainMessage,
} from '../../src/auth/index.js'
import { concat } from '../../src/bytes.js'
import { createAuthKey } from '../../src/crypto/index.js'
import { encodeTl, mtprotoCodec, decodeTl } from '../../src/tl/index.js'
// the handshake's objects are read loosely here: each test checks the fields it needs
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const dec = (b: Uint8Array): any => decodeTl(mtprotoCodec, b)
import { big, bytes, hex, PATHS, refModPow, seededCrypto } from './helpers.js'
import { handshake, serverKey } from './pair.js'

const crypto = seededCrypto(31)
const P = big(TELEGRAM_DH_PRIME)

describe('client ↔ server: success', () => {
  const kinds = [
    { innerData: 'dc' as const, expiresIn: undefined, name: 'p_q_inner_data_dc' },
    { innerData: 'legacy' as const, expiresIn: undefined, name: 'p_q_inner_data' },
    { innerData: 'dc' as const, expiresIn: 3600, name: 'p_q_inner_data_temp_dc' },
    { innerData: 'legacy' as const, expiresIn: 3600, name: 'p_q_inner_data_temp' },
  ]
  for (const k of kinds) {
    for (const encoding of ['rsa_pad', 'legacy'] as const) {
      it(`${k.name}, ${encoding} RSA: both sides hold the same 256-byte key; the server stored it`, async () => {
        const o = await handshake(crypto, { innerData: k.innerData, expiresIn: k.expiresIn, encoding })
        expect(o.error).toBeUndefined()
        const r = o.result!
        expect(r.authKey.length).toBe(256)
        const ev = o.serverEvents.find((e) => e.type === 'auth-key')
        expect(ev?.type === 'auth-key' && ev.key.innerData).toBe(k.name)
        expect(ev?.type === 'auth-key' && ev.key.encoding).toBe(encoding)
        if (ev?.type !== 'auth-key') throw new Error('no key event')
        expect(hex(ev.key.authKey)).toBe(hex(r.authKey))
        expect(ev.key.id).toBe(r.authKeyId)
        expect(ev.key.id).toBe(createAuthKey(r.authKey).idLong)
        expect(ev.key.dc).toBe(k.innerData === 'dc' ? 2 : undefined)
        const stored = o.server.keyStore.get(r.authKeyId, 1_700_000_000)!
        expect(hex(stored.key)).toBe(hex(r.authKey))
        expect(stored.temporary).toBe(k.expiresIn !== undefined)
        if (k.expiresIn) {
          expect(r.expiresAt).toBe(1_700_000_000 + 3600)
          expect(stored.expiresAt).toBe(1_700_000_000 + 3600)
        } else expect(r.expiresAt).toBeUndefined()
        expect(r.timeOffset).toBe(0)
      })
    }
  }
  it.each(PATHS)('on $name on both sides', async ({ opts }) => {
    const o = await handshake(crypto, { bignum: opts }, { bignum: opts })
    expect(o.error).toBeUndefined()
    expect(o.result!.authKey.length).toBe(256)
  })
  it('a media DC sends a negative dc; a test DC adds 10000 (and a test server accepts it)', async () => {
    const media = await handshake(crypto, { media: true })
    const ev = media.serverEvents.find((e) => e.type === 'auth-key')
    expect(ev?.type === 'auth-key' && ev.key.dc).toBe(-2)
    const test = await handshake(crypto, { testMode: true }, { test: true })
    const ev2 = test.serverEvents.find((e) => e.type === 'auth-key')
    expect(ev2?.type === 'auth-key' && ev2.key.dc).toBe(10002)
  })
  it('temporary keys longer than the server allows are shortened', async () => {
    const o = await handshake(crypto, { expiresIn: 10 ** 8 }, { maxTemporaryExpiresIn: 86400 })
    const ev = o.serverEvents.find((e) => e.type === 'auth-key')
    expect(ev?.type === 'auth-key' && ev.key.expiresAt).toBe(1_700_000_000 + 86400)
  })
})

describe('client ↔ server: failures', () => {
  it('wrong nonce in resPQ → E_NONCE', async () => {
    const o = await handshake(crypto, {}, {}, (obj) => (obj._ === 'resPQ' ? { ...obj, nonce: obj.nonce.map((b: number) => b ^ 1) } : obj))
    expect(o.error?.code).toBe('E_NONCE')
  })
  it('wrong server_nonce in server_DH_params_ok → E_SERVER_NONCE', async () => {
    const o = await handshake(crypto, {}, {}, (obj) => (obj._ === 'server_DH_params_ok' ? { ...obj, server_nonce: obj.server_nonce.map((b: number) => b ^ 1) } : obj))
    expect(o.error?.code).toBe('E_SERVER_NONCE')
  })
  it('a flipped byte of encrypted_answer → E_ANSWER_HASH', async () => {
    for (const at of [5, 40, 300]) {
      const o = await handshake(crypto, {}, {}, (obj) => {
        if (obj._ !== 'server_DH_params_ok') return obj
        const enc = obj.encrypted_answer.slice()
        enc[at] ^= 0x80
        return { ...obj, encrypted_answer: enc }
      })
      expect(o.error?.code, `byte ${at}`).toBe('E_ANSWER_HASH')
    }
  })
  it('wrong nonce, server_nonce or new_nonce_hash1 in dh_gen_ok → E_NONCE, E_SERVER_NONCE, E_NEW_NONCE_HASH', async () => {
    const flip = (f: string) => (obj: any) => (obj._ === 'dh_gen_ok' ? { ...obj, [f]: obj[f].map((b: number, i: number) => (i === 0 ? b ^ 1 : b)) } : obj)
    expect((await handshake(crypto, {}, {}, flip('nonce'))).error?.code).toBe('E_NONCE')
    expect((await handshake(crypto, {}, {}, flip('server_nonce'))).error?.code).toBe('E_SERVER_NONCE')
    expect((await handshake(crypto, {}, {}, flip('new_nonce_hash1'))).error?.code).toBe('E_NEW_NONCE_HASH')
  })
  it('a dh_prime that is not a safe prime → E_DH_PRIME', async () => {
    // P + 12 ≡ P mod 4 and mod 3, so it passes the cheap shape checks; it is composite (has a small factor or fails Miller–Rabin)
    const fake = bytes(P + 12n * 1000003n, 256)
    const o = await handshake(crypto, {}, { dhPrime: fake })
    expect(o.error?.code).toBe('E_DH_PRIME')
  })
  it('g failing its residue rule → E_DH_G', async () => {
    const bad = [2, 3, 4, 5, 6, 7].find((g) => (g === 2 ? P % 8n !== 7n : g === 5 ? ![1n, 4n].includes(P % 5n) : g === 6 ? ![19n, 23n].includes(P % 24n) : g === 7 ? ![3n, 5n, 6n].includes(P % 7n) : false))!
    const o = await handshake(crypto, {}, { g: bad })
    expect(o.error?.code).toBe('E_DH_G')
  })
  it('unknown fingerprint → E_FINGERPRINT', async () => {
    const key = await serverKey(crypto)
    const other = { ...key.publicKey, fingerprint: key.publicKey.fingerprint ^ 1n }
    const o = await handshake(crypto, { keys: [other] })
    expect(o.error?.code).toBe('E_FINGERPRINT')
  })
  it('dh_gen_retry: the client retries with retry_id = auth_key_aux_hash and gets the key', async () => {
    const store = new MemoryKeyStore()
    let first = true
    const colliding = Object.assign(Object.create(store), {
      has(id: bigint, now: number) {
        if (first) {
          first = false
          return true
        }
        return store.has(id, now)
      },
    })
    const o = await handshake(crypto, {}, { keyStore: colliding })
    expect(o.error).toBeUndefined()
    expect(o.retries).toBe(1)
    expect(store.has(o.result!.authKeyId, 1_700_000_000)).toBe(true)
  })
  it('dh_gen_fail: the store refuses the key → E_DH_GEN_FAIL (new_nonce_hash3 checked)', async () => {
    const store = Object.assign(Object.create(new MemoryKeyStore()), { put() { throw new Error('disk full') } })
    const o = await handshake(crypto, {}, { keyStore: store })
    expect(o.error?.code).toBe('E_DH_GEN_FAIL')
    expect(o.serverEvents.some((e) => e.type === 'refused' && e.status === 'dh_gen_fail')).toBe(true)
  })
  it('dh_gen_fail after too many collisions; a client giving up on retries → E_DH_GEN_RETRY', async () => {
    const always = Object.assign(Object.create(new MemoryKeyStore()), { has: () => true })
    expect((await handshake(crypto, {}, { keyStore: always, maxRetries: 2 })).error?.code).toBe('E_DH_GEN_FAIL')
    expect((await handshake(crypto, { maxRetries: 1 }, { keyStore: always, maxRetries: 5 })).error?.code).toBe('E_DH_GEN_RETRY')
  })
  it('a test DC id at a production server and the reverse → −444 → E_TRANSPORT', async () => {
    const a = await handshake(crypto, { testMode: true }, { test: false })
    expect(a.transportErrors).toEqual([444])
    expect(a.error?.code).toBe('E_TRANSPORT')
    const b = await handshake(crypto, {}, { test: true })
    expect(b.transportErrors).toEqual([444])
    // p_q_inner_data without dc says nothing about the DC: accepted by both
    expect((await handshake(crypto, { innerData: 'legacy' }, { test: true })).error).toBeUndefined()
  })
  it('an answer of the wrong step → E_UNEXPECTED; garbage → E_MALFORMED', async () => {
    const o = await handshake(crypto, {}, {}, (obj) => (obj._ === 'resPQ' ? { _: 'dh_gen_ok', nonce: obj.nonce, server_nonce: obj.server_nonce, new_nonce_hash1: new Uint8Array(16) } : obj))
    expect(o.error?.code).toBe('E_UNEXPECTED')
    const g = await handshake(crypto, {}, {}, (obj) => (obj._ === 'resPQ' ? Uint8Array.of(1, 2, 3, 4, 5) : obj))
    expect(g.error?.code).toBe('E_MALFORMED')
  })
})

/** server_DH_params_ok with any inner data, encrypted as a server would, for the pure client steps. */
async function dhAnswerCase(inner: (base: any) => any) {
  const key = await serverKey(crypto)
  const s1 = clientStep1(crypto.randomBytes(16))
  const server = new HandshakeServer(crypto, { keys: [key.privateKey] })
  const conn = server.connection()
  conn.receive(new Uint8Array([...new Uint8Array(8), ...new Uint8Array(8).fill(4), 20, 0, 0, 0, ...encodeTl(mtprotoCodec, s1.request)]), 0)
  const resPQ = dec(decodePlainMessage((conn.takeOutgoing()[0] as { data: Uint8Array }).data).body)
  const s2 = clientStep2(crypto, s1.state, resPQ, { newNonce: crypto.randomBytes(32), padding: crypto.randomBytes(224), tempKey: () => crypto.randomBytes(32) }, { keys: [key.publicKey], dc: 2 })
  const base = { _: 'server_DH_inner_data', nonce: s2.state.nonce, server_nonce: s2.state.serverNonce, g: 3, dh_prime: TELEGRAM_DH_PRIME, g_a: bytes(refModPow(3n, 12345n << 1900n, P), 256), server_time: 1 }
  const answer = encodeTl(mtprotoCodec, inner(base))
  const { key: k, iv } = tmpAesKeyIv(crypto, s2.state.serverNonce, s2.state.newNonce)
  const withHash = concat(crypto.sha1(answer), answer, new Uint8Array((16 - ((20 + answer.length) % 16)) % 16))
  const enc = crypto.aesIgeEncrypt(withHash, k, iv)
  try {
    clientCheckDhParams(crypto, s2.state, { _: 'server_DH_params_ok', nonce: s2.state.nonce, server_nonce: s2.state.serverNonce, encrypted_answer: enc })
    return { code: undefined as string | undefined, s2 }
  } catch (e) {
    return { code: (e as { code: string }).code, s2 }
  }
}

describe('client checks of server_DH_inner_data (pure steps)', () => {
  it('a well-formed answer passes (the control)', async () => {
    expect((await dhAnswerCase((b) => b)).code).toBeUndefined()
  })
  it('g_a out of range → E_DH_RANGE, at 1, 2^1984 − 1, p − 2^1984 + 1, p − 1', async () => {
    for (const v of [1n, (1n << 1984n) - 1n, P - (1n << 1984n) + 1n, P - 1n]) {
      expect((await dhAnswerCase((b) => ({ ...b, g_a: bytes(v, 256) }))).code).toBe('E_DH_RANGE')
    }
  })
  it('nonce or server_nonce inside the answer differs → E_NONCE / E_SERVER_NONCE', async () => {
    expect((await dhAnswerCase((b) => ({ ...b, nonce: new Uint8Array(16) }))).code).toBe('E_NONCE')
    expect((await dhAnswerCase((b) => ({ ...b, server_nonce: new Uint8Array(16) }))).code).toBe('E_SERVER_NONCE')
  })
  it('another constructor inside → E_UNEXPECTED; a 2047-bit prime → E_DH_PRIME', async () => {
    expect((await dhAnswerCase((b) => ({ _: 'resPQ', nonce: b.nonce, server_nonce: b.server_nonce, pq: new Uint8Array(8), server_public_key_fingerprints: [] }))).code).toBe('E_UNEXPECTED')
    expect((await dhAnswerCase((b) => ({ ...b, dh_prime: bytes(P >> 1n, 256) }))).code).toBe('E_DH_PRIME')
  })
  it('server_DH_params_fail with the right new_nonce_hash → E_DH_PARAMS_FAIL; with a wrong one → E_NEW_NONCE_HASH', async () => {
    const { s2 } = await dhAnswerCase((b) => b)
    const fail = (h: Uint8Array) => {
      try {
        clientCheckDhParams(crypto, s2.state, { _: 'server_DH_params_fail', nonce: s2.state.nonce, server_nonce: s2.state.serverNonce, new_nonce_hash: h })
      } catch (e) {
        return (e as { code: string }).code
      }
    }
    expect(fail(crypto.sha1(s2.state.newNonce).subarray(4, 20))).toBe('E_DH_PARAMS_FAIL')
    expect(fail(new Uint8Array(16))).toBe('E_NEW_NONCE_HASH')
  })
})

describe('keys with a leading zero byte', () => {
  it('the pure steps of both sides keep all 256 bytes when g^ab < 2^2040', async () => {
    // one run up to server_DH_params_ok, then client exponents b (node:crypto: fast) until the key's first byte is 0
    const key = await serverKey(crypto)
    const s1 = clientStep1(crypto.randomBytes(16))
    const r1 = serverStep1(s1.request, { serverNonce: crypto.randomBytes(16), p: 1513098571, q: 1780931429 }, [key.privateKey.fingerprint])
    const c2 = clientStep2(crypto, s1.state, r1.answer, { newNonce: crypto.randomBytes(32), padding: crypto.randomBytes(224), tempKey: () => crypto.randomBytes(32) }, { keys: [key.publicKey], dc: 2 })
    const config = { keys: [key.privateKey], dhPrime: TELEGRAM_DH_PRIME, g: 3, test: false, maxExpiresIn: 86400 }
    const r2 = serverStep2(crypto, r1.state, c2.request, { a: crypto.randomBytes(256), padding: crypto.randomBytes(16) }, 1_700_000_000, config)
    if (r2.type !== 'ok') throw new Error(r2.reason)
    const params = clientCheckDhParams(crypto, c2.state, r2.answer)
    for (let i = 0; i < 5000; i++) {
      const c3 = clientSetDhParams(crypto, params, { b: crypto.randomBytes(256), padding: crypto.randomBytes(16) }, 1_700_000_000, 0n, { bignum: PATHS[0].opts })
      if (c3.state.authKey[0] !== 0) continue
      const r3 = serverStep3(crypto, r2.state, c3.request, 0n, () => false, true, {})
      if (r3.type !== 'ok') throw new Error(r3.type)
      expect(r3.key.authKey.length).toBe(256)
      expect(r3.key.authKey[0]).toBe(0)
      expect(hex(r3.key.authKey)).toBe(hex(c3.state.authKey))
      const done = clientFinish(crypto, c3.state, r3.answer)
      expect(done.type === 'ok' && hex(done.result.authKey)).toBe(hex(r3.key.authKey))
      expect(done.type === 'ok' && done.result.authKeyId).toBe(createAuthKey(r3.key.authKey).idLong)
      return
    }
    throw new Error('no key with a leading zero byte in 5000 exponents')
  }, 120_000)
})

describe('client timers', () => {
  it('resends the identical request when unanswered, and times out', () => {
    const c = new ClientHandshake(crypto, { dcId: 2, resendMs: 1000, timeoutMs: 3500 })
    c.start(0)
    const first = c.takeOutgoing()
    expect(c.nextDeadline()).toBe(1000)
    expect(c.tick(999)).toEqual([])
    expect(c.takeOutgoing()).toEqual([])
    c.tick(1000)
    expect(c.takeOutgoing().map(hex)).toEqual(first.map(hex))
    expect(c.tick(3500)).toMatchObject([{ type: 'error', error: { code: 'E_TIMEOUT' } }])
    expect(c.nextDeadline()).toBeUndefined()
  })
  it('a transport error → E_TRANSPORT; input after the end is ignored; start twice is a programming error', () => {
    const c = new ClientHandshake(crypto, { dcId: 2 })
    c.start(0)
    expect(c.receive({ type: 'transportError', status: 404 }, 0)).toMatchObject([{ type: 'error', error: { code: 'E_TRANSPORT' } }])
    expect(c.receive(new Uint8Array(30), 0)).toEqual([])
    expect(() => c.start(0)).toThrow(/already/)
  })
})

