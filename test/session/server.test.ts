/**
 * The server role against hand-made client packets: each check of the spec broken alone gets
 * its bad_msg_notification code (service_messages_about_messages), each service message its
 * answer, each limit holds.
 */
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { RpcError } from '../../src/session/errors.js'
import type { Outgoing } from '../../src/session/core.js'
import { codec, container, msgIdAt, open, seal, tl, type Msg, type Opened } from './craft.js'
import { pair, SALT, T0, type Pair } from './helpers.js'

const SID = 0x1234567890abcdn

/** Sends hand-made messages as one packet from a client of session `sid`; returns what the server answered. */
function send(p: Pair, m: Msg, opts: { salt?: bigint; sid?: bigint; now?: number; quickAck?: boolean } = {}): { out: Outgoing[]; opened: Opened[] } {
  const now = opts.now ?? p.clock.t
  p.serverEvents.push(...p.conn.receive(seal(p.crypto, p.authKey, opts.salt ?? SALT, opts.sid ?? SID, m, 0), now, opts.quickAck))
  const out = p.conn.takeOutgoing(now)
  return { out, opened: out.filter((o) => o.type === 'packet').map((o) => open(p.crypto, p.authKey, (o as { data: Uint8Array }).data, 8)) }
}

const all = (os: Opened[]) => os.flatMap((o) => o.messages)
const find = (os: Opened[], name: string) => all(os).filter((m) => m.obj?._ === name)
const ping = (id: bigint) => tl({ _: 'ping', ping_id: id })

/** Client msg_ids around the server's clock. */
let n = 0
const cid = (dt = 0) => msgIdAt(T0 + dt, 0, ++n)

describe('bad_msg_notification for each broken rule, the message ignored', () => {
  it('16: msg_id more than 300 s in the past', () => {
    const p = pair()
    const id = cid(-301_000)
    const r = send(p, { msgId: id, seqNo: 1, body: ping(1n) })
    expect(find(r.opened, 'bad_msg_notification')).toMatchObject([{ obj: { bad_msg_id: id, bad_msg_seqno: 1, error_code: 16 } }])
    expect(find(r.opened, 'pong')).toEqual([])
  })

  it('17: msg_id more than 30 s in the future', () => {
    const p = pair()
    const id = cid(31_000)
    expect(find(send(p, { msgId: id, seqNo: 1, body: ping(1n) }).opened, 'bad_msg_notification')[0].obj.error_code).toBe(17)
    // 29 s ahead is fine
    expect(find(send(p, { msgId: cid(29_000), seqNo: 3, body: ping(2n) }).opened, 'pong')).toHaveLength(1)
  })

  it('18: msg_id not divisible by 4', () => {
    const p = pair()
    const r = send(p, { msgId: cid() | 2n, seqNo: 1, body: ping(1n) })
    expect(find(r.opened, 'bad_msg_notification')[0].obj.error_code).toBe(18)
  })

  it('19: a container whose msg_id another message had; the same container twice is a replay, ignored', () => {
    const p = pair()
    const a = cid()
    send(p, { msgId: a, seqNo: 1, body: ping(1n) })
    const r = send(p, { msgId: a, seqNo: 2, body: container([{ msgId: a - 4n, seqNo: 3, body: ping(2n) }]) })
    expect(find(r.opened, 'bad_msg_notification')[0].obj).toMatchObject({ bad_msg_id: a, error_code: 19 })
    const inner = { msgId: cid(), seqNo: 3, body: ping(3n) }
    const box = { msgId: cid(), seqNo: 4, body: container([inner]) }
    expect(find(send(p, box).opened, 'pong')).toHaveLength(1)
    expect(send(p, box).opened).toEqual([])
  })

  it('20: a msg_id below everything a full window remembers', () => {
    const p = pair({ server: { limits: { windowSize: 4 } } })
    const ids = [cid(), cid(), cid(), cid(), cid()]
    ids.forEach((id, i) => send(p, { msgId: id, seqNo: 2 * i + 1, body: ping(BigInt(i)) }))
    const old = ids[0] - 4n
    const r = send(p, { msgId: old, seqNo: 11, body: ping(9n) })
    expect(find(r.opened, 'bad_msg_notification')[0].obj).toMatchObject({ bad_msg_id: old, error_code: 20 })
  })

  it('32 / 33: seq_no inconsistent with the messages around it', () => {
    const p = pair()
    const a = cid()
    const b = cid()
    const c = cid()
    send(p, { msgId: b, seqNo: 7, body: ping(1n) })
    // a lower msg_id with a higher seqno than b's: too high (33)
    expect(find(send(p, { msgId: a, seqNo: 9, body: ping(2n) }).opened, 'bad_msg_notification')[0].obj.error_code).toBe(33)
    // a higher msg_id with a lower seqno: too low (32)
    expect(find(send(p, { msgId: c, seqNo: 5, body: ping(3n) }).opened, 'bad_msg_notification')[0].obj.error_code).toBe(32)
    // the same odd seqno as the one before: too low
    expect(find(send(p, { msgId: cid(), seqNo: 7, body: ping(4n) }).opened, 'bad_msg_notification')[0].obj.error_code).toBe(32)
    // consistent ones pass
    expect(find(send(p, { msgId: a - 8n, seqNo: 5, body: ping(5n) }).opened, 'pong')).toHaveLength(1)
    expect(find(send(p, { msgId: cid(), seqNo: 9, body: ping(6n) }).opened, 'pong')).toHaveLength(1)
  })

  it('34: a container with an odd seqno; 35: a query with an even one', () => {
    const p = pair()
    const a = cid()
    const box = cid()
    expect(find(send(p, { msgId: box, seqNo: 3, body: container([{ msgId: a, seqNo: 1, body: ping(1n) }]) }).opened, 'bad_msg_notification')[0].obj)
      .toMatchObject({ bad_msg_id: box, error_code: 34 })
    expect(find(send(p, { msgId: cid(), seqNo: 2, body: ping(2n) }).opened, 'bad_msg_notification')[0].obj.error_code).toBe(35)
    // a content-related msgs_ack is accepted (mtcute sends them)
    const r = send(p, { msgId: cid(), seqNo: 5, body: tl({ _: 'msgs_ack', msg_ids: [1n] }) })
    expect(find(r.opened, 'bad_msg_notification')).toEqual([])
  })

  it('48: a wrong or zero salt gets bad_server_salt with the current salt (GramJS and Telethon start with 0)', () => {
    const p = pair()
    const id = cid()
    const r = send(p, { msgId: id, seqNo: 1, body: ping(1n) }, { salt: 0n })
    const [b] = find(r.opened, 'bad_server_salt')
    expect(b.obj).toMatchObject({ bad_msg_id: id, bad_msg_seqno: 1, error_code: 48 })
    // the new salt works; the handshake's salt too, until it expires
    expect(find(send(p, { msgId: cid(), seqNo: 3, body: ping(2n) }, { salt: b.obj.new_server_salt }).opened, 'pong')).toHaveLength(1)
    expect(find(send(p, { msgId: cid(), seqNo: 5, body: ping(3n) }).opened, 'pong')).toHaveLength(1)
    p.clock.t += 3601_000
    expect(find(send(p, { msgId: msgIdAt(p.clock.t, 0, 1), seqNo: 7, body: ping(4n) }).opened, 'bad_server_salt')).toHaveLength(1)
  })

  it('64: invalid containers (bad lengths, an inner msg_id above the container, nesting)', () => {
    const p = pair()
    const box = cid(1000)
    const inner1 = { msgId: cid(2000), seqNo: 1, body: ping(1n) } // above the container's id
    expect(find(send(p, { msgId: box, seqNo: 2, body: container([inner1]) }).opened, 'bad_msg_notification')[0].obj.error_code).toBe(64)
    const bad = container([{ msgId: cid(), seqNo: 1, body: ping(2n) }])
    new DataView(bad.buffer).setUint32(20, 13, true) // the message's length: not a multiple of 4
    expect(find(send(p, { msgId: cid(3000), seqNo: 2, body: bad }).opened, 'bad_msg_notification')[0].obj.error_code).toBe(64)
    const nested = container([{ msgId: cid(), seqNo: 0, body: container([]) }])
    expect(find(send(p, { msgId: cid(4000), seqNo: 2, body: nested }).opened, 'bad_msg_notification')[0].obj.error_code).toBe(64)
    const many = new Uint8Array(8)
    new DataView(many.buffer).setUint32(0, 0x73f1f8dc, true)
    new DataView(many.buffer).setUint32(4, 1025, true)
    expect(find(send(p, { msgId: cid(5000), seqNo: 2, body: many }).opened, 'bad_msg_notification')[0].obj.error_code).toBe(64)
  })

  it('an unknown auth key gets transport error -404 and the connection closes; so does a packet that fails decryption', () => {
    const p = pair()
    const other = createAuthKey(p.crypto.randomBytes(256))
    const ev = p.conn.receive(seal(p.crypto, other, SALT, SID, { msgId: cid(), seqNo: 1, body: ping(1n) }, 0), p.clock.t)
    expect(ev).toContainEqual({ type: 'close', reason: 'unknown auth key' })
    expect(p.conn.takeOutgoing()).toEqual([{ type: 'transportError', status: 404 }])
    const q = pair()
    const packet = seal(q.crypto, q.authKey, SALT, SID, { msgId: cid(), seqNo: 1, body: ping(1n) }, 0)
    packet[40] ^= 1
    expect(q.conn.receive(packet, q.clock.t).map((e) => e.type)).toContain('close')
    expect(q.conn.takeOutgoing()).toEqual([{ type: 'transportError', status: 404 }])
  })
})

describe('service messages answered', () => {
  it('new_session_created first, with first_msg_id the lowest inner msg_id of the first container (not its own: mtcute binds with it)', () => {
    const p = pair()
    const a = cid()
    const b = cid()
    const box = cid()
    const r = send(p, { msgId: box, seqNo: 4, body: container([{ msgId: b, seqNo: 3, body: ping(2n) }, { msgId: a, seqNo: 1, body: ping(1n) }]) })
    const msgs = all(r.opened)
    expect(msgs.map((m) => m.obj._)).toEqual(['new_session_created', 'pong', 'pong']) // the pongs acknowledge the pings
    expect(msgs[0].obj.first_msg_id).toBe(a)
    expect(msgs[0].seqNo & 1).toBe(1) // content-related: the client must acknowledge it
    expect(msgs[0].obj.server_salt).not.toBe(0n)
    expect(find(r.opened, 'pong').map((m) => m.obj.msg_id).sort()).toEqual([a, b].sort())
    // only once per session
    expect(find(send(p, { msgId: cid(), seqNo: 5, body: ping(3n) }).opened, 'new_session_created')).toEqual([])
    // server msg_ids: odd, 1 mod 4 for answers
    for (const m of all(r.opened)) expect(Number(m.msgId & 3n)).toBe(1)
  })

  it('ping bare gets a bare pong; ping inside invokeWithLayer(initConnection(...)) gets rpc_result(pong) (mtcute needs that)', () => {
    const p = pair()
    const a = cid()
    const r = send(p, { msgId: a, seqNo: 1, body: ping(7n) })
    expect(find(r.opened, 'pong')[0].obj).toEqual({ _: 'pong', msg_id: a, ping_id: 7n })
    expect(find(r.opened, 'pong')[0].seqNo & 1).toBe(0) // needs no acknowledgment
    const b = cid()
    const wrapped = tl({
      _: 'invokeWithLayer', layer: 181,
      query: { _: 'initConnection', api_id: 1, device_model: 'd', system_version: 's', app_version: 'a', system_lang_code: 'en', lang_pack: '', lang_code: 'en', query: { _: 'ping', ping_id: 8n } },
    })
    const [res] = find(send(p, { msgId: b, seqNo: 3, body: wrapped }).opened, 'rpc_result')
    expect(res.obj).toEqual({ _: 'rpc_result', req_msg_id: b, result: { _: 'pong', msg_id: b, ping_id: 8n } })
  })

  it('ping_delay_disconnect: the connection closes disconnect_delay seconds later unless another comes', () => {
    const p = pair()
    send(p, { msgId: cid(), seqNo: 1, body: tl({ _: 'ping_delay_disconnect', ping_id: 1n, disconnect_delay: 75 }) })
    expect(p.conn.nextDeadline()).toBe(T0 + 75_000)
    p.clock.t += 60_000
    send(p, { msgId: msgIdAt(p.clock.t, 0, 1), seqNo: 3, body: tl({ _: 'ping_delay_disconnect', ping_id: 2n, disconnect_delay: 75 }) })
    expect(p.conn.tick(T0 + 75_000)).toEqual([])
    expect(p.conn.tick(T0 + 135_000)).toEqual([{ type: 'close', reason: 'ping_delay_disconnect timer expired' }])
  })

  it('get_future_salts: num salts (1..64, at least 2 for 2), consecutive 30-minute windows, valid now; each then accepted', () => {
    const p = pair()
    const a = cid()
    const [fs] = find(send(p, { msgId: a, seqNo: 1, body: tl({ _: 'get_future_salts', num: 3 }) }).opened, 'future_salts')
    expect(fs.obj.req_msg_id).toBe(a)
    expect(fs.obj.now).toBe(Math.floor(T0 / 1000))
    expect(fs.obj.salts).toHaveLength(3)
    const s = fs.obj.salts
    expect(s[0].valid_since).toBeLessThanOrEqual(fs.obj.now)
    expect(s[0].valid_until).toBeGreaterThan(fs.obj.now + 1800)
    for (let i = 1; i < 3; i++) expect(s[i].valid_since).toBe(s[i - 1].valid_since + 1800)
    expect(new Set(s.map((x: { salt: bigint }) => x.salt)).size).toBe(3)
    // the salt of each window is accepted in it (and 1800 s after it): a fresh session each time (the clock jumps around)
    s.forEach((x: { valid_since: number; salt: bigint }, i: number) => {
      p.clock.t = x.valid_since * 1000 + 1000
      expect(find(send(p, { msgId: msgIdAt(p.clock.t, 0, 1), seqNo: 1, body: ping(1n) }, { salt: x.salt, sid: 100n + BigInt(i) }).opened, 'pong')).toHaveLength(1)
    })
    expect(find(send(p, { msgId: msgIdAt(p.clock.t, 0, 9), seqNo: 99, body: tl({ _: 'get_future_salts', num: 500 }) }).opened, 'future_salts')[0].obj.salts).toHaveLength(64)
  })

  it('msgs_state_req: one status byte per id (received, answered, not received, too high, forgotten)', () => {
    const p = pair({ server: { limits: { windowSize: 8 } } })
    const a = cid()
    send(p, { msgId: a, seqNo: 1, body: ping(1n) }) // received, a query, answered by a bare pong (not content)
    const b = cid()
    send(p, { msgId: b, seqNo: 3, body: tl({ _: 'mtwire.echo', payload: new Uint8Array(4) }) })
    const gap = cid()
    const c = cid()
    send(p, { msgId: c, seqNo: 5, body: tl({ _: 'mtwire.sleep', ms: 10_000 }) }) // still running
    const ack = cid()
    send(p, { msgId: ack, seqNo: 6, body: tl({ _: 'msgs_ack', msg_ids: [] }) })
    const later = cid(10)
    const req = cid()
    const [info] = find(send(p, { msgId: req, seqNo: 7, body: tl({ _: 'msgs_state_req', msg_ids: [a, b, gap, c, ack, later] }) }).opened, 'msgs_state_info')
    expect(info.obj.req_msg_id).toBe(req)
    expect([...info.obj.info]).toEqual([4 | 8 | 32, 4 | 8 | 32 | 64, 2, 4 | 32, 4 | 16, 3])
    // one id alone (GramJS gets this wrong: §1.9)
    const [one] = find(send(p, { msgId: cid(), seqNo: 9, body: tl({ _: 'msgs_state_req', msg_ids: [b] }) }).opened, 'msgs_state_info')
    expect([...one.obj.info]).toEqual([4 | 8 | 32 | 64])
    // after the window dropped old ids: 1 (nothing known)
    for (let i = 0; i < 10; i++) send(p, { msgId: cid(), seqNo: 11 + 2 * i, body: ping(BigInt(i)) })
    const [old] = find(send(p, { msgId: cid(), seqNo: 41, body: tl({ _: 'msgs_state_req', msg_ids: [a - 4n] }) }).opened, 'msgs_state_info')
    expect([...old.obj.info]).toEqual([1])
  })

  it('msg_resend_req: the messages again with their msg_ids in a container; msgs_state_info for all if one is not ours', () => {
    const p = pair()
    const a = cid()
    const r1 = send(p, { msgId: a, seqNo: 1, body: tl({ _: 'mtwire.echo', payload: new Uint8Array([1, 2, 3, 4]) }) })
    const ans = find(r1.opened, 'rpc_result')[0]
    const again = send(p, { msgId: cid(), seqNo: 3, body: tl({ _: 'msg_resend_req', msg_ids: [ans.msgId] }) })
    expect(again.opened[0].container).toBe(true)
    expect(find(again.opened, 'rpc_result').map((m) => m.msgId)).toEqual([ans.msgId])
    const req = cid()
    const st = send(p, { msgId: req, seqNo: 5, body: tl({ _: 'msg_resend_req', msg_ids: [ans.msgId, a] }) })
    expect(find(st.opened, 'msgs_state_info')[0].obj.req_msg_id).toBe(req)
    expect(find(st.opened, 'rpc_result')).toEqual([])
  })

  it('a duplicate query is not run again: the answer comes again (small) or msg_detailed_info (large)', () => {
    let calls = 0
    const large = randomBytes(20_000) // does not compress
    const p = pair({ server: { handler: (c) => (calls++, c.constructorId === 0x1fb33026 ? { _: 'mtwire.payload', payload: large } : true) } })
    const a = cid()
    const q = { msgId: a, seqNo: 1, body: tl({ _: 'mtwire.echo', payload: new Uint8Array(8) }) }
    const first = find(send(p, q).opened, 'rpc_result')[0]
    const dup = send(p, { msgId: cid(), seqNo: 2, body: container([q]) })
    expect(find(dup.opened, 'rpc_result').map((m) => m.msgId)).toEqual([first.msgId]) // (the answer acknowledges it again)
    // a large answer: msg_detailed_info msg_id answer_msg_id bytes status
    const big = { msgId: cid(), seqNo: 3, body: new Uint8Array([0x26, 0x30, 0xb3, 0x1f]) } // help.getNearestDc#1fb33026
    const bigAns = find(send(p, big).opened, 'rpc_result')[0]
    const info = find(send(p, { msgId: cid(), seqNo: 4, body: container([big]) }).opened, 'msg_detailed_info')[0]
    expect(info.obj).toMatchObject({ msg_id: big.msgId, answer_msg_id: bigAns.msgId, status: 0 })
    expect(info.obj.bytes).toBeGreaterThan(20_000)
    expect(calls).toBe(1)
  })

  it('destroy_session: ok for another session of the key (forgotten), none for an unknown one', () => {
    const p = pair()
    send(p, { msgId: cid(), seqNo: 1, body: ping(1n) }, { sid: 77n })
    expect(p.server.findSession(p.authKey.idLong, 77n)).toBeDefined()
    const ok = find(send(p, { msgId: cid(), seqNo: 1, body: tl({ _: 'destroy_session', session_id: 77n }) }).opened, 'destroy_session_ok')
    expect(ok[0].obj.session_id).toBe(77n)
    expect(p.server.findSession(p.authKey.idLong, 77n)).toBeUndefined()
    expect(find(send(p, { msgId: cid(), seqNo: 3, body: tl({ _: 'destroy_session', session_id: 78n }) }).opened, 'destroy_session_none')).toHaveLength(1)
  })

  it('destroy_auth_key: ok (the store deletes it, the connection closes, the key is then unknown); fail without a store that deletes', () => {
    const p = pair()
    const r = send(p, { msgId: cid(), seqNo: 1, body: tl({ _: 'destroy_auth_key' }) })
    expect(find(r.opened, 'destroy_auth_key_ok')).toHaveLength(1)
    expect(p.serverEvents).toContainEqual({ type: 'close', reason: 'auth key destroyed' })
    expect(p.keys.has(p.authKey.idLong)).toBe(false)
    const q = pair()
    const store = { get: (id: bigint) => q.keys.get(id) }
    const conn = new (q.server.constructor as typeof import('../../src/session/server.js').SessionServer)({ crypto: q.crypto, keys: store, now: q.now }).connection()
    conn.receive(seal(q.crypto, q.authKey, SALT, SID, { msgId: cid(), seqNo: 1, body: tl({ _: 'destroy_auth_key' }) }, 0), q.clock.t)
    const out = conn.takeOutgoing(q.clock.t).map((o) => open(q.crypto, q.authKey, (o as { data: Uint8Array }).data, 8))
    expect(find(out, 'destroy_auth_key_fail')).toHaveLength(1)
  })

  it('rpc_drop_answer: rpc_answer_dropped_running for a running query (its own answer too), rpc_answer_dropped for a queued answer, rpc_answer_unknown otherwise', () => {
    const p = pair()
    const run = cid()
    send(p, { msgId: run, seqNo: 1, body: tl({ _: 'mtwire.sleep', ms: 1000 }) })
    const d1 = cid()
    const r1 = find(send(p, { msgId: d1, seqNo: 3, body: tl({ _: 'rpc_drop_answer', req_msg_id: run }) }).opened, 'rpc_result')
    expect(r1[0].obj).toEqual({ _: 'rpc_result', req_msg_id: d1, result: { _: 'rpc_answer_dropped_running' } })
    p.clock.t += 1000
    p.conn.tick(p.clock.t)
    const late = p.conn.takeOutgoing(p.clock.t).map((o) => open(p.crypto, p.authKey, (o as { data: Uint8Array }).data, 8))
    expect(find(late, 'rpc_result')[0].obj).toEqual({ _: 'rpc_result', req_msg_id: run, result: { _: 'rpc_answer_dropped_running' } })
    // an answer generated but not yet acknowledged
    const q = cid(1000)
    const ans = find(send(p, { msgId: q, seqNo: 5, body: tl({ _: 'mtwire.echo', payload: new Uint8Array(4) }) }).opened, 'rpc_result')[0]
    const d2 = cid(1000)
    const r2 = find(send(p, { msgId: d2, seqNo: 7, body: tl({ _: 'rpc_drop_answer', req_msg_id: q }) }).opened, 'rpc_result')
    expect(r2[0].obj.result).toMatchObject({ _: 'rpc_answer_dropped', msg_id: ans.msgId, seq_no: ans.seqNo })
    const r3 = find(send(p, { msgId: cid(1000), seqNo: 9, body: tl({ _: 'rpc_drop_answer', req_msg_id: 12345n }) }).opened, 'rpc_result')
    expect(r3[0].obj.result).toEqual({ _: 'rpc_answer_unknown' })
  })

  it('acknowledgments: an answered query is acknowledged by its answer; a slow one by msgs_ack after ackDelay; answers stay until acknowledged', () => {
    const p = pair()
    const a = cid()
    const r = send(p, { msgId: a, seqNo: 1, body: tl({ _: 'mtwire.echo', payload: new Uint8Array(4) }) })
    expect(r.opened).toHaveLength(1)
    expect(r.opened[0].container).toBe(true) // new_session_created + the answer, no msgs_ack
    expect(find(r.opened, 'msgs_ack')).toEqual([])
    const b = cid()
    expect(send(p, { msgId: b, seqNo: 3, body: tl({ _: 'mtwire.sleep', ms: 5000 }) }).opened).toEqual([])
    p.clock.t += 500
    p.conn.tick(p.clock.t)
    const acks = p.conn.takeOutgoing(p.clock.t).map((o) => open(p.crypto, p.authKey, (o as { data: Uint8Array }).data, 8))
    expect(find(acks, 'msgs_ack')[0].obj.msg_ids).toEqual([b])
    expect(Number(find(acks, 'msgs_ack')[0].msgId & 3n)).toBe(3) // not a response
    // the answer to `a` is kept until acknowledged: a new connection gets it again
    const ans = find(r.opened, 'rpc_result')[0]
    p.reconnect()
    const again = send(p, { msgId: cid(1000), seqNo: 5, body: tl({ _: 'msgs_ack', msg_ids: [] }) })
    expect(find(again.opened, 'rpc_result').map((m) => m.msgId)).toContain(ans.msgId)
    send(p, { msgId: cid(1000), seqNo: 6, body: tl({ _: 'msgs_ack', msg_ids: [ans.msgId, r.opened[0].messages[0].msgId] }) })
    p.reconnect()
    expect(find(send(p, { msgId: cid(1000), seqNo: 8, body: tl({ _: 'msgs_ack', msg_ids: [] }) }).opened, 'rpc_result').map((m) => m.msgId)).not.toContain(ans.msgId)
  })

  it('quick ACK: answered with the token from the decryption once the message is accepted; not for a refused one', () => {
    const p = pair()
    const m = { msgId: cid(), seqNo: 1, body: ping(1n) }
    const q = { token: 0 }
    const packet = p.crypto.encryptMessage(p.authKey, (() => { const x = seal(p.crypto, p.authKey, SALT, SID, m, 0); return p.crypto.decryptMessage(p.authKey, x, 0) })(), 0, undefined, { quickAck: q })
    p.conn.receive(packet, p.clock.t, true)
    const out = p.conn.takeOutgoing(p.clock.t)
    expect(out[0]).toEqual({ type: 'quickAck', token: q.token })
    expect(q.token >>> 31).toBe(1)
    const bad = send(p, { msgId: cid(), seqNo: 3, body: ping(2n) }, { salt: 0n, quickAck: true })
    expect(bad.out.some((o) => o.type === 'quickAck')).toBe(false)
  })

  it('invokeAfterMsg: the query waits for the one it names; invokeAfterMsgs and invokeWithoutUpdates unwrap', async () => {
    const order: string[] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const p = pair({
      server: {
        handler: async (c) => {
          const name = (c.query as { _?: string })._ ?? 'raw'
          if (c.constructorId === 0xc4f9186b) await gate // help.getConfig: slow
          order.push(`${c.constructorId.toString(16)}${c.withoutUpdates ? ' without updates' : ''}${name === 'raw' ? '' : ''}`)
          return true
        },
      },
    })
    const a = cid()
    send(p, { msgId: a, seqNo: 1, body: new Uint8Array([0x6b, 0x18, 0xf9, 0xc4]) }) // help.getConfig
    const after = new Uint8Array(16)
    new DataView(after.buffer).setUint32(0, 0xcb9f372d, true)
    new DataView(after.buffer).setBigInt64(4, a, true)
    new DataView(after.buffer).setUint32(12, 0x1fb33026, true) // help.getNearestDc
    send(p, { msgId: cid(), seqNo: 3, body: after })
    const w = tl({ _: 'invokeWithoutUpdates', query: { _: 'invokeAfterMsgs', msg_ids: [a], query: new Uint8Array([0x11, 0x22, 0x33, 0x44]) } })
    send(p, { msgId: cid(), seqNo: 5, body: w })
    await new Promise((r) => setTimeout(r, 5))
    expect(order).toEqual([])
    release()
    await new Promise((r) => setTimeout(r, 5))
    expect(order).toEqual(['c4f9186b', '1fb33026', '44332211 without updates'])
  })

  it('the default handler: mtwire.echo / mtwire.sleep answered, anything else 400 INPUT_METHOD_INVALID; a throwing handler gives 500', async () => {
    const p = pair()
    const r = find(send(p, { msgId: cid(), seqNo: 1, body: new Uint8Array([1, 2, 3, 4]) }).opened, 'rpc_result')
    expect(r[0].obj.result).toEqual({ _: 'rpc_error', error_code: 400, error_message: 'INPUT_METHOD_INVALID_4030201' })
    const s = find(send(p, { msgId: cid(), seqNo: 3, body: tl({ _: 'mtwire.sleep', ms: 60_001 }) }).opened, 'rpc_result')
    expect(s[0].obj.result.error_message).toBe('SLEEP_MS_INVALID')
    const q = pair({ server: { handler: (c) => { if (c.constructorId === 1) throw new RpcError(420, 'FLOOD_WAIT_3'); throw new Error('boom') } } })
    const e1 = find(send(q, { msgId: cid(), seqNo: 1, body: new Uint8Array([1, 0, 0, 0]) }).opened, 'rpc_result')
    expect(e1[0].obj.result).toEqual({ _: 'rpc_error', error_code: 420, error_message: 'FLOOD_WAIT_3' })
    const e2 = find(send(q, { msgId: cid(), seqNo: 3, body: new Uint8Array([2, 0, 0, 0]) }).opened, 'rpc_result')
    expect(e2[0].obj.result).toEqual({ _: 'rpc_error', error_code: 500, error_message: 'INTERNAL_SERVER_ERROR' })
    expect(q.serverEvents.some((e) => e.type === 'error' && e.error.code === 'E_HANDLER')).toBe(true)
  })

  it('http_wait on an HTTP connection: the answer is held until something comes or max_wait passes (then an empty container)', () => {
    const p = pair()
    const conn = p.server.connection({ http: true })
    const body = container([{ msgId: cid(), seqNo: 2, body: tl({ _: 'http_wait', max_delay: 0, wait_after: 0, max_wait: 2000 }) }])
    conn.receive(seal(p.crypto, p.authKey, SALT, SID, { msgId: cid(), seqNo: 2, body }, 0), p.clock.t)
    // new_session_created is something to send: it goes at once
    const firstOut = conn.takeOutgoing(p.clock.t)
    expect(firstOut).toHaveLength(1)
    const nsc = open(p.crypto, p.authKey, (firstOut[0] as { data: Uint8Array }).data, 8).messages[0].msgId
    // acknowledged in the next request (else that request, a new connection, gets it again)
    const c2 = p.server.connection({ http: true })
    const w = tl({ _: 'http_wait', max_delay: 0, wait_after: 0, max_wait: 2000 })
    const box = container([{ msgId: cid(), seqNo: 4, body: w }, { msgId: cid(), seqNo: 4, body: tl({ _: 'msgs_ack', msg_ids: [nsc] }) }])
    c2.receive(seal(p.crypto, p.authKey, SALT, SID, { msgId: cid(), seqNo: 4, body: box }, 0), p.clock.t)
    expect(c2.takeOutgoing(p.clock.t)).toEqual([])
    expect(c2.nextDeadline()).toBe(p.clock.t + 2000)
    const out = c2.takeOutgoing(p.clock.t + 2000)
    expect(out).toHaveLength(1)
    const o = open(p.crypto, p.authKey, (out[0] as { data: Uint8Array }).data, 8)
    expect(o.container).toBe(true)
    expect(o.messages).toEqual([])
    expect(c2.takeOutgoing(p.clock.t + 5000)).toEqual([]) // one answer per HTTP request
  })
})

describe('limits', () => {
  it('pending queries per session: beyond the limit, 420 FLOOD_WAIT_1', () => {
    const p = pair({ server: { limits: { maxPendingPerSession: 2 } } })
    for (let i = 0; i < 2; i++) send(p, { msgId: cid(), seqNo: 1 + 2 * i, body: tl({ _: 'mtwire.sleep', ms: 1000 }) })
    const r = find(send(p, { msgId: cid(), seqNo: 5, body: tl({ _: 'mtwire.sleep', ms: 1000 }) }).opened, 'rpc_result')
    expect(r[0].obj.result).toEqual({ _: 'rpc_error', error_code: 420, error_message: 'FLOOD_WAIT_1' })
  })

  it('sessions per key: the least recently used is forgotten (a new_session_created when it comes back)', () => {
    const p = pair({ server: { limits: { maxSessionsPerKey: 3 } } })
    for (const sid of [1n, 2n, 3n]) send(p, { msgId: cid(), seqNo: 1, body: ping(1n) }, { sid })
    send(p, { msgId: cid(), seqNo: 3, body: ping(1n) }, { sid: 1n }) // 1 used again: 2 is now the oldest
    send(p, { msgId: cid(), seqNo: 1, body: ping(1n) }, { sid: 4n })
    expect(p.server.sessionCount).toBe(3)
    expect(p.server.findSession(p.authKey.idLong, 2n)).toBeUndefined()
    expect(find(send(p, { msgId: cid(), seqNo: 3, body: ping(1n) }, { sid: 2n }).opened, 'new_session_created')).toHaveLength(1)
  })

  it('bytes buffered per connection: beyond the limit the connection is closed', () => {
    const p = pair({ server: { limits: { maxBufferedBytes: 4096 } } })
    for (let i = 0; i < 3; i++) {
      p.conn.receive(seal(p.crypto, p.authKey, SALT, SID, { msgId: cid(), seqNo: 1 + 2 * i, body: tl({ _: 'mtwire.echo', payload: new Uint8Array(2000) }) }, 0), p.clock.t)
    }
    const ev = p.conn.takeEvents()
    void ev
    p.conn.takeOutgoing(p.clock.t)
    expect(p.conn.closed).toBe(true)
  })

  it('unacknowledged answers kept per session: the oldest is forgotten past the limit', () => {
    const p = pair({ server: { limits: { maxUnacked: 2 } } })
    const ids = [cid(), cid(), cid()]
    const answers = ids.map((id, i) => find(send(p, { msgId: id, seqNo: 1 + 2 * i, body: tl({ _: 'mtwire.echo', payload: new Uint8Array(4) }) }).opened, 'rpc_result')[0])
    p.reconnect()
    const again = find(send(p, { msgId: cid(), seqNo: 7, body: tl({ _: 'msgs_ack', msg_ids: [] }) }).opened, 'rpc_result').map((m) => m.msgId)
    expect(again).toEqual([answers[1].msgId, answers[2].msgId])
  })
})

void codec
