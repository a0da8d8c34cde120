/**
 * Fuzzing every server step and every client step with random and mutated input: the server only
 * answers or refuses (−404/−444) and never throws; the client only progresses or ends with one
 * typed error event; the pure steps only refuse or throw HandshakeError; no hang (every call
 * returns), bounded memory (handshakes in flight stay under the limit).
 */
import { describe, expect, it } from 'vitest'
import {
  ClientHandshake, decodePlainMessage, encodePlainMessage, HandshakeServer, serverStep2, serverStep3,
  type ServerOutgoing,
} from '../../src/auth/index.js'
import { HandshakeError } from '../../src/errors.js'
import { decodeTl, encodeTl, mtprotoCodec } from '../../src/tl/index.js'
// the handshake's objects are read loosely here: each test checks the fields it needs
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const dec = (b: Uint8Array): any => decodeTl(mtprotoCodec, b)
import { PATHS, prng, seededCrypto } from './helpers.js'
import { serverKey } from './pair.js'

const crypto = seededCrypto(51)
const NOW = 1_700_000_000_000
const bignum = PATHS[0].opts // node:crypto: fast enough for thousands of RSA operations

function mutate(b: Uint8Array, r: ReturnType<typeof prng>): Uint8Array {
  const k = r.int(6)
  const c = b.slice()
  if (k === 0) return c.subarray(0, r.int(c.length + 1)) // truncate
  if (k === 1) return Uint8Array.from([...c, ...r.bytes(1 + r.int(40))]) // extend
  if (k === 2) return r.bytes(c.length) // replace
  for (let i = 0; i < 1 + r.int(4); i++) c[r.int(c.length)] ^= 1 << r.int(8) // flip bits
  return c
}

/** A recorded good run: each client request (packet) in order. */
async function goodRequests(): Promise<Uint8Array[]> {
  const key = await serverKey(crypto)
  const server = new HandshakeServer(crypto, { keys: [key.privateKey], bignum })
  const conn = server.connection()
  const client = new ClientHandshake(crypto, { dcId: 2, keys: [key.publicKey], bignum })
  client.start(NOW)
  const reqs: Uint8Array[] = []
  for (let i = 0; i < 3; i++) {
    const [q] = client.takeOutgoing()
    reqs.push(q)
    conn.receive(q, NOW)
    const [a] = conn.takeOutgoing()
    if (a.type === 'packet') client.receive(a.data, NOW)
  }
  return reqs
}

function checkOutputs(out: ServerOutgoing[]): void {
  for (const o of out) {
    if (o.type === 'transportError') expect([404, 444]).toContain(o.status)
    else expect(o.data).toBeInstanceOf(Uint8Array)
  }
}

describe('server fuzz', () => {
  it('random packets: −404, never a throw', async () => {
    const key = await serverKey(crypto)
    const server = new HandshakeServer(crypto, { keys: [key.privateKey], bignum, maxInFlight: 64 })
    const r = prng(1)
    const conn = server.connection()
    for (let i = 0; i < 3000; i++) {
      const p = r.bytes(r.int(400))
      if (r.next() < 0.5 && p.length >= 20) p.fill(0, 0, 8) // look like an unencrypted message
      if (r.next() < 0.3 && p.length >= 20) new DataView(p.buffer).setUint32(16, p.length - 20, true)
      const events = conn.receive(p, NOW)
      checkOutputs(conn.takeOutgoing())
      for (const e of events) expect(['refused', 'auth-key']).toContain(e.type)
    }
  })
  it('mutated requests at every step (body mutated, then the rest of the run): answers or −404/−444 only, memory bounded', async () => {
    const good = await goodRequests()
    const key = await serverKey(crypto)
    const r = prng(2)
    const server = new HandshakeServer(crypto, { keys: [key.privateKey], bignum, maxInFlight: 32, maxInFlightPerAddress: 8 })
    for (let i = 0; i < 400; i++) {
      const conn = server.connection(`a${i % 5}`)
      const step = r.int(3)
      for (let s = 0; s < 3; s++) {
        const m = decodePlainMessage(good[s])
        const p = s === step ? (r.next() < 0.5 ? encodePlainMessage(m.msgId, mutate(m.body, r)) : mutate(good[s], r)) : good[s]
        conn.receive(p, NOW + i)
        checkOutputs(conn.takeOutgoing())
      }
      expect(server.inFlight).toBeLessThanOrEqual(32)
    }
  }, 120_000)
  it('well-formed requests with random fields at each pure server step: Refusal or dh_gen_fail, or HandshakeError', async () => {
    const good = await goodRequests()
    const key = await serverKey(crypto)
    const r = prng(3)
    const req2 = dec(decodePlainMessage(good[1]).body)
    const req3 = dec(decodePlainMessage(good[2]).body)
    const s1 = { nonce: req2.nonce, serverNonce: req2.server_nonce, pq: new Uint8Array(8), p: req2.p, q: req2.q }
    const config = { keys: [key.privateKey], dhPrime: new Uint8Array(0), g: 3, test: false, maxExpiresIn: 100, bignum }
    for (let i = 0; i < 300; i++) {
      const enc = r.next() < 0.5 ? r.bytes(r.int(300)) : mutate(req2.encrypted_data, r)
      const res = serverStep2(crypto, s1, { ...req2, encrypted_data: enc, public_key_fingerprint: r.next() < 0.9 ? key.privateKey.fingerprint : 7n }, { a: crypto.randomBytes(256), padding: crypto.randomBytes(16) }, 0, config)
      expect(res.type).toBe('refuse')
    }
    const s2 = {
      ...s1, newNonce: crypto.randomBytes(32), a: crypto.randomBytes(256), gA: crypto.randomBytes(256), dhPrime: crypto.randomBytes(256), g: 3,
      tmpAesKey: crypto.randomBytes(32), tmpAesIv: crypto.randomBytes(32), innerData: 'p_q_inner_data_dc' as const, encoding: 'rsa_pad' as const, serverTime: 0,
    }
    for (let i = 0; i < 300; i++) {
      const enc = r.next() < 0.5 ? r.bytes(16 * r.int(30)) : mutate(req3.encrypted_data, r)
      try {
        const res = serverStep3(crypto, s2, { ...req3, encrypted_data: enc }, 0n, () => false, true, { bignum })
        expect(['refuse', 'fail']).toContain(res.type)
      } catch (e) {
        expect(e).toBeInstanceOf(HandshakeError)
      }
    }
  }, 120_000)
})

describe('client fuzz', () => {
  it('random and mutated answers at every step: progress, or one typed error event; never a throw', async () => {
    const key = await serverKey(crypto)
    const r = prng(4)
    for (let i = 0; i < 200; i++) {
      const server = new HandshakeServer(crypto, { keys: [key.privateKey], bignum })
      const conn = server.connection()
      const client = new ClientHandshake(crypto, { dcId: 2, keys: [key.publicKey], bignum })
      client.start(NOW)
      const step = r.int(3)
      const events = []
      for (let s = 0; s < 3 && client.state !== 'failed' && client.state !== 'done'; s++) {
        for (const q of client.takeOutgoing()) conn.receive(q, NOW)
        for (const o of conn.takeOutgoing()) {
          let input: Uint8Array | { type: 'transportError'; status: number } = o.type === 'packet' ? o.data : { type: 'transportError', status: o.status }
          if (s === step && input instanceof Uint8Array) {
            const m = decodePlainMessage(input)
            input = r.next() < 0.3 ? mutate(input, r) : encodePlainMessage(m.msgId, r.next() < 0.5 ? mutate(m.body, r) : encodeTl(mtprotoCodec, fuzzFields(dec(m.body), r) as never))
          }
          events.push(...client.receive(input, NOW))
        }
      }
      const errors = events.filter((e) => e.type === 'error')
      expect(errors.length).toBeLessThanOrEqual(1)
      for (const e of errors) if (e.type === 'error') expect(e.error).toBeInstanceOf(HandshakeError)
      if (errors.length === 0) expect(client.state).toBe('done')
    }
  }, 120_000)
})

/** The same object with one field replaced by a random value of its type. */
function fuzzFields(obj: { _: string; [k: string]: unknown }, r: ReturnType<typeof prng>): { _: string; [k: string]: unknown } {
  const keys = Object.keys(obj).filter((k) => k !== '_')
  const k = keys[r.int(keys.length)]
  const v = obj[k]
  const nv = v instanceof Uint8Array ? r.bytes(r.next() < 0.5 || v.length === 16 || v.length === 32 ? v.length : r.int(300)) : typeof v === 'bigint' ? BigInt.asIntN(64, BigInt(r.int(2 ** 31)) * 12345n) : Array.isArray(v) ? [] : typeof v === 'number' ? r.int(2 ** 31) : v
  return { ...obj, [k]: nv }
}
