/**
 * The server role's protocol rules: identical resends get identical answers (and cost nothing),
 * a changed request gets −404 and so does everything after it in that run, steps out of order,
 * unknown runs, −444, the limits on handshakes in flight (total and per address), the answer TTL,
 * and what a flood of each request costs.
 */
import { describe, expect, it } from 'vitest'
import { ClientHandshake, decodePlainMessage, encodePlainMessage, HandshakeServer, type ServerOutgoing } from '../../src/auth/index.js'
import { decodeTl, encodeTl, gzip, mtprotoCodec } from '../../src/tl/index.js'
// the handshake's objects are read loosely here: each test checks the fields it needs
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const dec = (b: Uint8Array): any => decodeTl(mtprotoCodec, b)
import { hex, seededCrypto } from './helpers.js'
import { countingProvider, serverKey } from './pair.js'

const crypto = seededCrypto(41)
const NOW = 1_700_000_000_000

/** Runs a client against `conn`, recording each request and its answer; stops before the last answer reaches the client if asked. */
async function recorded(server: HandshakeServer, conn = server.connection('a')) {
  const key = await serverKey(crypto)
  const client = new ClientHandshake(crypto, { dcId: 2, keys: [key.publicKey] })
  client.start(NOW)
  const log: { request: Uint8Array; answer: ServerOutgoing }[] = []
  for (let i = 0; i < 3; i++) {
    const [req] = client.takeOutgoing()
    conn.receive(req, NOW)
    const [ans] = conn.takeOutgoing()
    log.push({ request: req, answer: ans })
    if (ans.type === 'packet') client.receive(ans.data, NOW)
  }
  expect(client.state).toBe('done')
  return { log, client, conn }
}

const data = (o: ServerOutgoing): string => (o.type === 'packet' ? hex(o.data) : `error ${o.status}`)

async function newServer(extra = {}) {
  const key = await serverKey(crypto)
  const provider = countingProvider()
  const server = new HandshakeServer(crypto, { keys: [key.privateKey], bignum: { native: provider }, ...extra })
  return { server, counts: provider.counts }
}

describe('resends', () => {
  it('an identical resend of each request gets the identical answer, on the same connection, without another RSA operation or modexp', async () => {
    const { server, counts } = await newServer()
    const { log, conn } = await recorded(server)
    expect(counts).toEqual({ rsaPrivate: 1, modPow: 2 })
    for (const { request, answer } of log) {
      conn.receive(request, NOW + 1000)
      expect(conn.takeOutgoing().map(data)).toEqual([data(answer)])
    }
    expect(counts).toEqual({ rsaPrivate: 1, modPow: 2 })
  })
  it('req_DH_params and set_client_DH_params resent over a new connection get the identical answer; req_pq_multi starts a new run there', async () => {
    const { server } = await newServer()
    const { log } = await recorded(server)
    const other = server.connection('b')
    for (const { request, answer } of log.slice(1)) {
      other.receive(request, NOW)
      expect(other.takeOutgoing().map(data)).toEqual([data(answer)])
    }
    other.receive(log[0].request, NOW)
    const again = other.takeOutgoing()[0]
    expect(again.type).toBe('packet')
    const a = dec(decodePlainMessage((log[0].answer as { data: Uint8Array }).data).body)
    const b = dec(decodePlainMessage((again as { data: Uint8Array }).data).body)
    expect(hex(b.nonce)).toBe(hex(a.nonce))
    expect(hex(b.server_nonce)).not.toBe(hex(a.server_nonce))
  })
  it('a resend with one byte changed gets −404, and so does every later request of that run, even a correct one', async () => {
    // bytes after the nonces (packet offset 20 + 4 + 32): p, q, the fingerprint, encrypted_data
    for (const step of [1, 2]) {
      for (const at of [58, 100, 200]) {
        const { server } = await newServer()
        const { log, conn } = await recorded(server)
        const changed = log[step].request.slice()
        changed[Math.min(at, changed.length - 1)] ^= 1
        conn.receive(changed, NOW)
        expect(conn.takeOutgoing().map(data), `step ${step} byte ${at}`).toEqual(['error 404'])
        for (const { request } of log.slice(1)) {
          conn.receive(request, NOW)
          expect(conn.takeOutgoing().map(data), `step ${step} byte ${at}, then the original`).toEqual(['error 404'])
        }
      }
    }
  })
  it('a request with a byte of its nonces changed names no run: −404, and the real run goes on', async () => {
    const { server } = await newServer()
    const { log, conn } = await recorded(server)
    for (const at of [25, 45]) {
      const changed = log[1].request.slice()
      changed[at] ^= 1
      conn.receive(changed, NOW)
      expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
    }
    conn.receive(log[2].request, NOW)
    expect(conn.takeOutgoing().map(data)).toEqual([data(log[2].answer)])
  })
  it('a req_pq_multi with a byte of its constructor changed gets −404 (with a byte of its nonce changed, it is a new run)', async () => {
    const { server } = await newServer()
    const { log, conn } = await recorded(server)
    const bad = log[0].request.slice()
    bad[21] ^= 1
    conn.receive(bad, NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
    const fresh = log[0].request.slice()
    fresh[30] ^= 1
    conn.receive(fresh, NOW)
    expect(conn.takeOutgoing()[0].type).toBe('packet')
  })
})

describe('order and identity', () => {
  it('set_client_DH_params before req_DH_params → −404, and the run is dead', async () => {
    const { server } = await newServer()
    const { log } = await recorded(server)
    // replay the recorded run's requests against a fresh server in the wrong order: the third
    // names a run this server never started
    const { server: s2 } = await newServer()
    const conn = s2.connection('x')
    conn.receive(log[2].request, NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
    // now a run of its own, out of order: step 3 right after resPQ
    const c = new ClientHandshake(crypto, { dcId: 2, keys: [(await serverKey(crypto)).publicKey] })
    c.start(NOW)
    conn.receive(c.takeOutgoing()[0], NOW)
    const resPQ = dec(decodePlainMessage((conn.takeOutgoing()[0] as { data: Uint8Array }).data).body)
    const early = encodeTl(mtprotoCodec, { _: 'set_client_DH_params', nonce: resPQ.nonce, server_nonce: resPQ.server_nonce, encrypted_data: new Uint8Array(336) })
    conn.receive(encodePlainMessage(4n, early), NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
    c.receive(encodePlainMessage(1n, encodeTl(mtprotoCodec, resPQ)), NOW)
    conn.receive(c.takeOutgoing()[0], NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
  })
  it('unknown runs, other constructors, undecodable bodies, encrypted messages → −404', async () => {
    const { server } = await newServer()
    const conn = server.connection()
    const bodies = [
      encodeTl(mtprotoCodec, { _: 'req_DH_params', nonce: new Uint8Array(16), server_nonce: new Uint8Array(16), p: Uint8Array.of(5), q: Uint8Array.of(7), public_key_fingerprint: 1n, encrypted_data: new Uint8Array(256) }),
      encodeTl(mtprotoCodec, { _: 'ping', ping_id: 1n }),
      Uint8Array.of(1, 2, 3, 4),
      new Uint8Array(0),
    ]
    for (const b of bodies) {
      conn.receive(encodePlainMessage(4n, b), NOW)
      expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
    }
    const encrypted = new Uint8Array(64)
    encrypted[0] = 1
    conn.receive(encrypted, NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
    conn.receive(new Uint8Array(10), NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
  })
})

describe('what the server will not decode', () => {
  it('a request over 1 KiB, and gzip_packed anywhere (even inside a well-encrypted p_q_inner_data) → −404', async () => {
    const { server } = await newServer()
    const conn = server.connection()
    conn.receive(encodePlainMessage(4n, new Uint8Array(1025)), NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
    conn.receive(encodePlainMessage(4n, Uint8Array.from([...encodeTl(mtprotoCodec, { _: 'gzip_packed', packed_data: gzip(encodeTl(mtprotoCodec, { _: 'req_pq_multi', nonce: new Uint8Array(16) })) } as never)])), NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
    // a client that wraps its p_q_inner_data_dc in gzip_packed before RSA_PAD
    const key = await serverKey(crypto)
    const nonce = crypto.randomBytes(16)
    conn.receive(encodePlainMessage(8n, encodeTl(mtprotoCodec, { _: 'req_pq_multi', nonce })), NOW)
    const resPQ = dec(decodePlainMessage((conn.takeOutgoing()[0] as { data: Uint8Array }).data).body)
    const pq = BigInt('0x' + hex(resPQ.pq))
    const { factorizePq } = await import('../../src/crypto/bignum/pq.js')
    const { p, q } = factorizePq(pq)
    const b = (n: bigint) => Uint8Array.from(Buffer.from(n.toString(16).padStart(8, '0'), 'hex'))
    const inner = encodeTl(mtprotoCodec, { _: 'p_q_inner_data_dc', pq: resPQ.pq, p: b(p), q: b(q), nonce, server_nonce: resPQ.server_nonce, new_nonce: crypto.randomBytes(32), dc: 2 })
    const wrapped = encodeTl(mtprotoCodec, { _: 'gzip_packed', packed_data: gzip(inner) } as never)
    expect(wrapped.length).toBeLessThanOrEqual(144)
    const { rsaPadEncrypt } = await import('../../src/auth/rsa.js')
    const enc = rsaPadEncrypt(crypto, key.publicKey, wrapped, crypto.randomBytes(192), () => crypto.randomBytes(32))
    conn.receive(encodePlainMessage(12n, encodeTl(mtprotoCodec, { _: 'req_DH_params', nonce, server_nonce: resPQ.server_nonce, p: b(p), q: b(q), public_key_fingerprint: key.publicKey.fingerprint, encrypted_data: enc })), NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
  })
})

describe('limits and cost', () => {
  const reqPq = (i: number) => {
    const nonce = new Uint8Array(16)
    new DataView(nonce.buffer).setUint32(0, i)
    return encodePlainMessage(BigInt(i) * 4n, encodeTl(mtprotoCodec, { _: 'req_pq_multi', nonce }))
  }
  it('a flood of req_pq costs no RSA operation and no modexp, and memory stays bounded (total and per address)', async () => {
    const { server, counts } = await newServer({ maxInFlight: 500, maxInFlightPerAddress: 8 })
    const one = server.connection('10.0.0.1')
    for (let i = 0; i < 100; i++) one.receive(reqPq(i), NOW)
    expect(one.takeOutgoing().every((o) => o.type === 'packet')).toBe(true)
    expect(server.inFlight).toBe(8)
    for (let i = 0; i < 3000; i++) server.connection(`10.1.${i >> 8}.${i & 255}`).receive(reqPq(100000 + i), NOW)
    expect(server.inFlight).toBe(500)
    expect(counts).toEqual({ rsaPrivate: 0, modPow: 0 })
  })
  it('the oldest run of an address is dropped first: its req_DH_params then gets −404', async () => {
    const { server } = await newServer({ maxInFlightPerAddress: 2 })
    const key = await serverKey(crypto)
    const conn = server.connection('a')
    const clients = [0, 1, 2].map(() => new ClientHandshake(crypto, { dcId: 2, keys: [key.publicKey] }))
    for (const c of clients) {
      c.start(NOW)
      conn.receive(c.takeOutgoing()[0], NOW)
      c.receive((conn.takeOutgoing()[0] as { data: Uint8Array }).data, NOW)
    }
    const results = clients.map((c) => {
      conn.receive(c.takeOutgoing()[0], NOW)
      return data(conn.takeOutgoing()[0]).slice(0, 9)
    })
    expect(results[0]).toBe('error 404')
    expect(results.slice(1).every((r) => r !== 'error 404')).toBe(true)
  })
  it('a req_DH_params costs one RSA operation whatever it carries, and a garbage one no modexp', async () => {
    const { server, counts } = await newServer()
    const key = await serverKey(crypto)
    const c = new ClientHandshake(crypto, { dcId: 2, keys: [key.publicKey] })
    const conn = server.connection()
    c.start(NOW)
    conn.receive(c.takeOutgoing()[0], NOW)
    const resPQ = dec(decodePlainMessage((conn.takeOutgoing()[0] as { data: Uint8Array }).data).body)
    c.receive(encodePlainMessage(1n, encodeTl(mtprotoCodec, resPQ)), NOW)
    const good = dec(decodePlainMessage(c.takeOutgoing()[0]).body)
    const garbage = { ...good, encrypted_data: crypto.randomBytes(255) }
    conn.receive(encodePlainMessage(8n, encodeTl(mtprotoCodec, garbage)), NOW)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
    expect(counts).toEqual({ rsaPrivate: 1, modPow: 0 })
  }, 60_000)
  it('runs are forgotten answerTtlMs after their req_pq (nextDeadline says when)', async () => {
    const { server } = await newServer({ answerTtlMs: 60_000 })
    const { log, conn } = await recorded(server)
    expect(server.nextDeadline()).toBe(NOW + 60_000)
    conn.receive(log[1].request, NOW + 59_999)
    expect(conn.takeOutgoing().map(data)).toEqual([data(log[1].answer)])
    conn.tick(NOW + 60_000)
    expect(server.inFlight).toBe(0)
    expect(server.nextDeadline()).toBeUndefined()
    conn.receive(log[1].request, NOW + 60_001)
    expect(conn.takeOutgoing().map(data)).toEqual(['error 404'])
  })
  it("a finished run is forgotten at its key's first use (keyUsed); other runs and unknown keys are untouched", async () => {
    const { server } = await newServer()
    const first = await recorded(server)
    const second = await recorded(server, server.connection('b'))
    expect(server.inFlight).toBe(2)
    server.keyUsed(123n)
    expect(server.inFlight).toBe(2)
    server.keyUsed(first.client.result!.authKeyId)
    expect(server.inFlight).toBe(1)
    // the first run's last request is no longer answered; the second's still is
    first.conn.receive(first.log[2].request, NOW)
    expect(first.conn.takeOutgoing().map(data)).toEqual(['error 404'])
    second.conn.receive(second.log[2].request, NOW)
    expect(second.conn.takeOutgoing().map(data)).toEqual([data(second.log[2].answer)])
    server.keyUsed(first.client.result!.authKeyId)
    expect(server.inFlight).toBe(1)
  })
  it('refuses bad options', () => {
    expect(() => new HandshakeServer(crypto, { keys: [] })).toThrow(/at least one/)
  })
})
