/**
 * The session layer's decoders fuzzed in both roles: mutations of real messages (containers,
 * rpc_result, acks, service messages, gzip_packed, msg_copy) and random bodies, sealed with the
 * right key so that they get past the envelope and reach the parsers. Whatever comes in, the
 * session never throws: it emits typed events (error events carry an MtwireError), its output
 * still decrypts and parses, and what it keeps stays bounded.
 */
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { MtwireError } from '../../src/errors.js'
import { container, msgIdAt, open, seal, tl } from './craft.js'
import { pair, T0 } from './helpers.js'

function prng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 4294967296
  }
}

const INTERESTING = [0, 1, 4, 0x7fffffff, 0x80000000, 0xffffffff, 1024, 1025, 8192, 8193, 0x1cb5c415, 0x73f1f8dc, 0x3072cfa1, 0xf35c6d01, 0x2144ca19, 0xe06046b2]

/** A mutated copy of `b` (length kept a multiple of 4, as the envelope requires). */
function mutate(b: Uint8Array, rnd: () => number): Uint8Array {
  let x = b.slice()
  const n = 1 + Math.floor(rnd() * 4)
  for (let k = 0; k < n; k++) {
    const r = rnd()
    if (r < 0.3 && x.length) x[Math.floor(rnd() * x.length)] ^= 1 << Math.floor(rnd() * 8)
    else if (r < 0.55 && x.length >= 4) {
      const o = Math.floor(rnd() * (x.length / 4)) * 4
      new DataView(x.buffer).setUint32(o, INTERESTING[Math.floor(rnd() * INTERESTING.length)], true)
    } else if (r < 0.7) x = x.slice(0, Math.floor((rnd() * x.length) / 4) * 4)
    else if (r < 0.85) {
      const extra = new Uint8Array(4 * Math.floor(rnd() * 16))
      for (let i = 0; i < extra.length; i++) extra[i] = Math.floor(rnd() * 256)
      const o = Math.floor(rnd() * (x.length / 4)) * 4
      const y = new Uint8Array(x.length + extra.length)
      y.set(x.subarray(0, o))
      y.set(extra, o)
      y.set(x.subarray(o), o + extra.length)
      x = y
    } else if (x.length >= 8) {
      // a length-ish field made large
      const o = Math.floor(rnd() * (x.length / 4)) * 4
      new DataView(x.buffer).setUint32(o, Math.floor(rnd() * 100000) * 4, true)
    }
  }
  return x
}

function bodiesToClient(): Uint8Array[] {
  const id = (n: number) => msgIdAt(T0, 0, n)
  const payload = tl({ _: 'mtwire.payload', payload: new Uint8Array(40) })
  const rr = (req: bigint, r: Uint8Array) => { const b = new Uint8Array(12 + r.length); new DataView(b.buffer).setUint32(0, 0xf35c6d01, true); new DataView(b.buffer).setBigInt64(4, req, true); b.set(r, 12); return b }
  return [
    rr(id(1), payload),
    rr(id(1), tl({ _: 'rpc_error', error_code: 420, error_message: 'FLOOD_WAIT_3' })),
    rr(id(2), tl({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(payload)) })),
    tl({ _: 'msgs_ack', msg_ids: [id(1), id(2), id(3)] }),
    tl({ _: 'pong', msg_id: id(1), ping_id: 5n }),
    tl({ _: 'bad_msg_notification', bad_msg_id: id(1), bad_msg_seqno: 1, error_code: 16 }),
    tl({ _: 'bad_server_salt', bad_msg_id: id(1), bad_msg_seqno: 1, error_code: 48, new_server_salt: 3n }),
    tl({ _: 'new_session_created', first_msg_id: id(1), unique_id: 1n, server_salt: 2n }),
    tl({ _: 'future_salts', req_msg_id: id(1), now: 1, salts: [{ _: 'future_salt', valid_since: 1, valid_until: 2, salt: 3n }] }),
    tl({ _: 'msgs_state_req', msg_ids: [id(1)] }),
    tl({ _: 'msgs_state_info', req_msg_id: id(1), info: new Uint8Array([1]) }),
    tl({ _: 'msgs_all_info', msg_ids: [id(1)], info: new Uint8Array([4]) }),
    tl({ _: 'msg_resend_req', msg_ids: [id(1)] }),
    tl({ _: 'msg_detailed_info', msg_id: id(1), answer_msg_id: id(2), bytes: 10, status: 0 }),
    tl({ _: 'msg_new_detailed_info', answer_msg_id: id(2), bytes: 10, status: 0 }),
    tl({ _: 'destroy_session_ok', session_id: 1n }),
    tl({ _: 'destroy_auth_key_ok' }),
    tl({ _: 'ping', ping_id: 1n }),
    tl({ _: 'http_wait', max_delay: 0, wait_after: 0, max_wait: 1 }),
    container([{ msgId: msgIdAt(T0, 1, 1), seqNo: 1, body: payload }, { msgId: msgIdAt(T0, 3, 2), seqNo: 2, body: tl({ _: 'msgs_ack', msg_ids: [id(1)] }) }]),
    (() => { const inner = payload; const b = new Uint8Array(20 + inner.length); const dv = new DataView(b.buffer); dv.setUint32(0, 0xe06046b2, true); dv.setBigInt64(4, msgIdAt(T0, 3, 5), true); dv.setUint32(12, 1, true); dv.setUint32(16, inner.length, true); b.set(inner, 20); return b })(),
    tl({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(payload)) }),
  ]
}

function bodiesToServer(): Uint8Array[] {
  const id = (n: number) => msgIdAt(T0, 1, n)
  return [
    tl({ _: 'ping', ping_id: 1n }),
    tl({ _: 'ping_delay_disconnect', ping_id: 1n, disconnect_delay: 75 }),
    tl({ _: 'mtwire.echo', payload: new Uint8Array(33) }),
    tl({ _: 'mtwire.sleep', ms: 10 }),
    tl({ _: 'get_future_salts', num: 64 }),
    tl({ _: 'msgs_ack', msg_ids: [id(1), id(2)] }),
    tl({ _: 'msgs_state_req', msg_ids: [id(1), msgIdAt(T0, 0, 3)] }),
    tl({ _: 'msg_resend_req', msg_ids: [id(1)] }),
    tl({ _: 'destroy_session', session_id: 9n }),
    tl({ _: 'rpc_drop_answer', req_msg_id: msgIdAt(T0, 0, 1) }),
    tl({ _: 'http_wait', max_delay: 0, wait_after: 0, max_wait: 1 }),
    tl({ _: 'invokeWithLayer', layer: 181, query: { _: 'initConnection', api_id: 1, device_model: 'd', system_version: 's', app_version: 'a', system_lang_code: 'en', lang_pack: '', lang_code: 'en', query: { _: 'invokeAfterMsgs', msg_ids: [msgIdAt(T0, 0, 1)], query: { _: 'ping', ping_id: 3n } } } }),
    tl({ _: 'gzip_packed', packed_data: new Uint8Array(gzipSync(tl({ _: 'mtwire.echo', payload: new Uint8Array(600) }))) }),
    tl({ _: 'auth.bindTempAuthKey', perm_auth_key_id: 1n, nonce: 2n, expires_at: 3, encrypted_message: new Uint8Array(104) }),
    container([{ msgId: msgIdAt(T0, 0, 1), seqNo: 1, body: tl({ _: 'ping', ping_id: 1n }) }, { msgId: msgIdAt(T0, 0, 2), seqNo: 2, body: tl({ _: 'msgs_ack', msg_ids: [id(1)] }) }]),
  ]
}

function checkEvents(ev: { type: string; error?: unknown }[]): void {
  for (const e of ev) {
    expect(typeof e.type).toBe('string')
    if (e.type === 'error') expect(e.error).toBeInstanceOf(MtwireError)
  }
}

describe('fuzzed input never throws and stays bounded', () => {
  it('client: 6000 mutated and random server messages', () => {
    const p = pair({ client: { windowSize: 64 } })
    const rnd = prng(0xc11e)
    const corpus = bodiesToClient()
    // a few requests pending, so that answers can match
    for (let i = 0; i < 4; i++) void p.client.invoke({ _: 'ping', ping_id: BigInt(i) }).catch(() => {})
    p.client.takeOutgoing(p.clock.t)
    for (let i = 0; i < 6000; i++) {
      const r = rnd()
      let body: Uint8Array
      if (r < 0.15) {
        body = new Uint8Array(4 * Math.floor(rnd() * 64))
        for (let k = 0; k < body.length; k++) body[k] = Math.floor(rnd() * 256)
      } else body = mutate(corpus[Math.floor(rnd() * corpus.length)], rnd)
      const parity = rnd() < 0.9 ? (rnd() < 0.5 ? 1 : 3) : 0
      const msgId = rnd() < 0.9 ? msgIdAt(p.clock.t, parity, i + 10) : (BigInt(Math.floor(rnd() * 2 ** 31)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32))
      const seqNo = Math.floor(rnd() * 2 ** 32)
      const sid = rnd() < 0.97 ? p.client.sessionId : 1n
      let ev: ReturnType<typeof p.client.receive>
      try {
        ev = p.client.receive(seal(p.crypto, p.authKey, 0n, sid, { msgId, seqNo, body }, 8), p.clock.t)
      } catch (e) {
        throw new Error(`client threw on input ${i}: ${String(e)}`)
      }
      checkEvents(ev)
      if (i % 50 === 0) {
        for (const o of p.client.takeOutgoing(p.clock.t)) if (o.type === 'packet') open(p.crypto, p.authKey, o.data, 0)
        checkEvents(p.client.tick((p.clock.t += 50)))
      }
      if (i % 500 === 0) for (let k = 0; k < 2; k++) void p.client.invoke({ _: 'ping', ping_id: BigInt(i + k) }).catch(() => {})
    }
    // bounded: the window at its size, nothing piled up
    expect(p.client.window.count).toBeLessThanOrEqual(64)
    expect(p.client.pendingCount).toBeLessThan(50)
    expect(p.client.takeOutgoing(p.clock.t).length).toBeLessThan(20)
  })

  it('server: 6000 mutated and random client messages, including garbage packets', async () => {
    const p = pair({ server: { limits: { windowSize: 64, maxSessionsPerKey: 8 } } })
    const rnd = prng(0x5e7e)
    const corpus = bodiesToServer()
    for (let i = 0; i < 6000; i++) {
      const r = rnd()
      let packet: Uint8Array
      if (r < 0.03) {
        packet = new Uint8Array(Math.floor(rnd() * 200))
        for (let k = 0; k < packet.length; k++) packet[k] = Math.floor(rnd() * 256)
      } else {
        let body: Uint8Array
        if (r < 0.15) {
          body = new Uint8Array(4 * Math.floor(rnd() * 64))
          for (let k = 0; k < body.length; k++) body[k] = Math.floor(rnd() * 256)
        } else body = mutate(corpus[Math.floor(rnd() * corpus.length)], rnd)
        const msgId = rnd() < 0.9 ? msgIdAt(p.clock.t, rnd() < 0.9 ? 0 : 1, i + 10) : (BigInt(Math.floor(rnd() * 2 ** 31)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32))
        const seqNo = rnd() < 0.7 ? 2 * i + 1 : Math.floor(rnd() * 2 ** 32)
        const salt = rnd() < 0.9 ? 0x1122334455667788n : 0n
        const sid = BigInt(Math.floor(rnd() * 12))
        packet = seal(p.crypto, p.authKey, salt, sid, { msgId, seqNo, body }, 0)
      }
      if (p.conn.closed) p.conn = p.server.connection()
      let ev
      try {
        ev = p.conn.receive(packet, p.clock.t, rnd() < 0.1)
      } catch (e) {
        throw new Error(`server threw on input ${i}: ${String(e)}`)
      }
      checkEvents(ev)
      for (const o of p.conn.takeOutgoing(p.clock.t)) if (o.type === 'packet') open(p.crypto, p.authKey, o.data, 8)
      if (i % 100 === 0) {
        p.clock.t += 20
        checkEvents(p.conn.tick(p.clock.t))
        await new Promise((r) => setTimeout(r, 0))
      }
    }
    expect(p.server.sessionCount).toBeLessThanOrEqual(8)
  })
})
