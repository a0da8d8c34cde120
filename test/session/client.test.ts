/**
 * The client role: against our server in memory, and against hand-made server messages for the
 * cases a correct server does not produce on its own (each bad_msg code, replays, state reports).
 * The bugs other libraries shipped (protocol checklist, section D) are tests here, named after
 * their issue.
 */
import { describe, expect, it } from 'vitest'
import { ClientSession } from '../../src/session/client.js'
import type { Outgoing } from '../../src/session/core.js'
import { AbortError, RpcError, TimeoutError } from '../../src/session/errors.js'
import { SecurityError, SessionError } from '../../src/errors.js'
import { codec, container, msgIdAt, open, seal, tl, type Opened } from './craft.js'
import { decodeTl } from '../../src/tl/api.js'
import { pair, SALT, settle, soon, T0, type Pair } from './helpers.js'

const packets = (out: Outgoing[]) => out.filter((o) => o.type === 'packet').map((o) => (o as { data: Uint8Array }).data)
const echo = (n: number, fill = 1) => ({ _: 'mtwire.echo', payload: new Uint8Array(n).fill(fill) })

/** What the client sends now, opened (x = 0). */
function sent(p: Pair): Opened[] {
  return packets(p.client.takeOutgoing(p.clock.t)).map((d) => open(p.crypto, p.authKey, d, 0))
}
/** A server message to the client (x = 8) of the client's session. */
let sn = 0
function toClient(p: Pair, body: Uint8Array, opts: { msgId?: bigint; seqNo?: number; sid?: bigint } = {}): ReturnType<ClientSession['receive']> {
  const m = { msgId: opts.msgId ?? msgIdAt(p.clock.t, 1, ++sn), seqNo: opts.seqNo ?? 2 * sn + 1, body }
  return p.client.receive(seal(p.crypto, p.authKey, p.client.salt, opts.sid ?? p.client.sessionId, m, 8), p.clock.t)
}
const queries = (os: Opened[]) => os.flatMap((o) => o.messages).filter((m) => m.obj?._ !== 'msgs_ack')

describe('requests against our server', () => {
  it('ping, echo of every size (gzip both ways), sleep answered after the delay by tick()', async () => {
    const p = pair({ client: { gzipMinSize: 1024 } })
    const results = [p.client.invoke({ _: 'ping', ping_id: 1n }), ...[0, 4, 1000, 4096, 70_000, 300_000].map((n) => p.client.invoke(echo(n, n & 255)))]
    const slow = p.client.invoke({ _: 'mtwire.sleep', ms: 1500 })
    p.pump()
    await settle()
    const r = await Promise.all(results)
    expect(r[0]).toMatchObject({ _: 'pong', ping_id: 1n })
    expect(r.slice(1).map((x: any) => x.payload.length)).toEqual([0, 4, 1000, 4096, 70_000, 300_000])
    expect((r[5] as any).payload.every((b: number) => b === (70_000 & 255))).toBe(true)
    let done = false
    void slow.then(() => (done = true))
    p.advance(1499)
    p.pump()
    await settle()
    expect(done).toBe(false)
    p.advance(1)
    p.pump()
    await settle()
    expect(await slow).toBe(true)
  })

  it('a server that starts with a wrong salt: bad_server_salt, re-sent once with the new salt (GramJS and Telethon start with 0)', async () => {
    let calls = 0
    const p = pair({ client: { salt: 0n }, server: { handler: () => (calls++, true) } })
    // two requests in one container: bad_server_salt names the container (alik0211/mtproto-core#50)
    const a = p.client.invoke(new Uint8Array([1, 0, 0, 0]))
    const b = p.client.invoke(new Uint8Array([2, 0, 0, 0]))
    p.pump()
    await settle()
    expect([await a, await b]).toEqual([true, true])
    expect(calls).toBe(2)
    expect(p.sent.length).toBe(2) // the rejected container, then the resend (the acks ride with nothing more)
    expect(p.client.salt).not.toBe(0n)
  })

  it('an RPC error rejects with RpcError; updates pushed by the server become update events and are acknowledged', async () => {
    const p = pair({ server: { handler: (c) => { c.session.send({ _: 'mtwire.payload', payload: new Uint8Array([9]) }); return new RpcError(400, 'PEER_ID_INVALID') } } })
    const r = p.client.invoke(new Uint8Array([5, 0, 0, 0]))
    p.pump()
    await expect(r).rejects.toMatchObject({ code: 'E_RPC', errorCode: 400, errorMessage: 'PEER_ID_INVALID' })
    const u = p.clientEvents.filter((e) => e.type === 'update')
    expect(u).toHaveLength(1)
    expect((u[0] as { body: unknown }).body).toEqual({ _: 'mtwire.payload', payload: new Uint8Array([9]) })
    // acknowledged: after the ack delay the server holds nothing unacknowledged
    p.advance(1000)
    p.pump()
    p.reconnect()
    p.client.invoke({ _: 'ping', ping_id: 2n })
    p.pump()
    expect(p.clientEvents.filter((e) => e.type === 'update')).toHaveLength(1)
  })

  it('send(): the Layer way, the outcome as a result event with its tag', () => {
    const p = pair()
    p.client.send({ _: 'ping', ping_id: 3n }, { tag: 'a' })
    p.client.send(new Uint8Array([1, 2, 3, 4]), { tag: 'b' })
    p.pump()
    const r = p.clientEvents.filter((e) => e.type === 'result')
    expect(r).toMatchObject([{ tag: 'a', result: { _: 'pong', ping_id: 3n } }, { tag: 'b', error: { code: 'E_RPC', errorCode: 400 } }])
    expect(() => p.conn.send({ _: 'mtwire.payload', payload: new Uint8Array(1) })).not.toThrow()
    p.pump()
    expect(p.clientEvents.filter((e) => e.type === 'update')).toHaveLength(1)
    expect(() => p.server.connection().send(new Uint8Array(4))).toThrow(/no session/)
  })

  it('timeout (a deadline tick() fires) and abort (AbortError, and rpc_drop_answer to the server)', async () => {
    const p = pair()
    const t = p.client.invoke({ _: 'mtwire.sleep', ms: 10_000 }, { timeout: 1000 })
    p.pump()
    expect(p.client.nextDeadline()).toBe(T0 + 1000)
    p.advance(1000)
    await expect(t).rejects.toBeInstanceOf(TimeoutError)
    const ac = new AbortController()
    const a = p.client.invoke({ _: 'mtwire.sleep', ms: 10_000 }, { signal: ac.signal })
    p.pump()
    ac.abort('no longer needed')
    await expect(a).rejects.toBeInstanceOf(AbortError)
    const drop = sent(p)
    expect(queries(drop).map((m) => m.obj._)).toEqual(['rpc_drop_answer'])
    const pre = new AbortController()
    pre.abort()
    await expect(p.client.invoke({ _: 'ping', ping_id: 1n }, { signal: pre.signal })).rejects.toBeInstanceOf(AbortError)
  })

  it('chained requests go as invokeAfterMsg and run in order on the server', async () => {
    const order: number[] = []
    const p = pair({ server: { handler: async (c) => { const n = new DataView(c.raw.buffer, c.raw.byteOffset).getUint32(0, true); if (n === 1) await new Promise((r) => setTimeout(r, 20)); order.push(n); return true } } })
    const a = p.client.invoke(new Uint8Array([1, 0, 0, 0]), { chain: 'send' })
    const b = p.client.invoke(new Uint8Array([2, 0, 0, 0]), { chain: 'send' })
    const c = p.client.invoke(new Uint8Array([3, 0, 0, 0]))
    const out = sent(p)
    const [qa, qb] = queries(out)
    // invokeAfterMsg#cb9f372d msg_id:long query:!X
    const dv = new DataView(qb.raw.buffer, qb.raw.byteOffset)
    expect(dv.getUint32(0, true)).toBe(0xcb9f372d)
    expect(dv.getBigInt64(4, true)).toBe(qa.msgId)
    expect(dv.getUint32(12, true)).toBe(2)
    // (that packet taken for inspection: the reconnect sends them again)
    p.client.reconnected()
    p.pump()
    await new Promise((r) => setTimeout(r, 40))
    p.pump()
    expect(await Promise.all([a, b, c])).toEqual([true, true, true])
    expect(order).toEqual([3, 1, 2])
  })

  it('quick ACK: the packet carrying the request asks for it; the token matches; the event names the messages', async () => {
    const p = pair({ client: { quickAck: true } })
    const r = p.client.invoke({ _: 'ping', ping_id: 5n })
    p.pump()
    await r
    const q = p.clientEvents.find((e) => e.type === 'quickAck') as { msgIds: bigint[] }
    expect(q.msgIds).toHaveLength(1)
    expect(q.msgIds[0] & 3n).toBe(0n)
  })

  it('destroy_session, destroy_auth_key and get_future_salts resolve with their bare answers', async () => {
    const p = pair()
    const s = p.client.invoke({ _: 'destroy_session', session_id: 99n })
    const f = p.client.invoke({ _: 'get_future_salts', num: 2 })
    p.pump()
    expect(await s).toEqual({ _: 'destroy_session_none', session_id: 99n })
    expect((await f as { salts: unknown[] }).salts).toHaveLength(2)
    const k = p.client.invoke({ _: 'destroy_auth_key' })
    p.pump()
    expect(await k).toEqual({ _: 'destroy_auth_key_ok' })
  })

  it('close(): pending requests reject with E_CLOSED, the acknowledgments owed go out, invoke afterwards rejects', async () => {
    const p = pair()
    const r = p.client.invoke(echo(4))
    const slow = p.client.invoke({ _: 'mtwire.sleep', ms: 5000 })
    p.pump()
    await r
    p.client.close()
    await expect(slow).rejects.toMatchObject({ code: 'E_CLOSED' })
    const last = sent(p)
    expect(last.flatMap((o) => o.messages).map((m) => m.obj._)).toEqual(['msgs_ack'])
    await expect(p.client.invoke({ _: 'ping', ping_id: 1n })).rejects.toMatchObject({ code: 'E_CLOSED' })
  })
})

describe('HTTP', () => {
  it('httpWait(): http_wait (not content-related) goes with the next packet; the server holds its answer accordingly', async () => {
    const p = pair()
    p.conn = p.server.connection({ http: true })
    p.client.httpWait(0, 0, 1000)
    const r = p.client.invoke({ _: 'mtwire.sleep', ms: 500 })
    const out = sent(p)
    const w = out.flatMap((o) => o.messages).find((m) => m.obj._ === 'http_wait')!
    expect(w.obj).toEqual({ _: 'http_wait', max_delay: 0, wait_after: 0, max_wait: 1000 })
    expect(w.seqNo & 1).toBe(0)
    for (const o of out) void o
    p.client.reconnected()
    p.pump()
    // the HTTP answer: new_session_created goes at once (there is something to say)
    p.conn = p.server.connection({ http: true })
    p.client.httpWait(0, 0, 1000)
    p.pump()
    p.advance(500)
    p.pump()
    expect(await soon(r)).toBe(true)
  })
})

describe('the clock', () => {
  it('client clock 100 s ahead: bad_msg 17, corrected from the notification, no loop (grammers#335: the last msg_id is reset)', async () => {
    const p = pair({ client: { timeOffset: 100_000 } })
    const r = p.client.invoke({ _: 'ping', ping_id: 1n })
    p.pump()
    await r
    expect(p.sent.length).toBeLessThanOrEqual(3)
    expect(Math.abs(p.client.clock.offset)).toBeLessThan(1000)
  })

  it('client clock 400 s behind: bad_msg 16, corrected, re-sent', async () => {
    const p = pair({ client: { timeOffset: -400_000 } })
    const r = p.client.invoke(echo(8))
    p.pump()
    await r
    expect(p.sent.length).toBe(2)
  })

  it('a session restored with a last msg_id far in the future still recovers (TLSharp#405, mtgo#60: the high-water mark)', async () => {
    const p = pair()
    p.client.invoke({ _: 'ping', ping_id: 1n })
    p.pump()
    const st = p.client.exportState()
    st.lastMsgId = String(msgIdAt(T0 + 3_600_000, 0)) // saved by a process whose clock ran an hour ahead
    p.client = ClientSession.fromState(st, { crypto: p.crypto, now: p.now, pingInterval: 0, futureSalts: 0 })
    const r = p.client.invoke({ _: 'ping', ping_id: 2n })
    p.pump()
    await expect(soon(r)).resolves.toMatchObject({ ping_id: 2n })
  })

  it('the time window is not enforced before the clock is synced; after, old and future messages are dropped, bad_server_salt still read', () => {
    const p = pair({ client: { timeOffset: undefined } })
    const c = new ClientSession({ crypto: p.crypto, authKey: p.authKey, now: p.now, salt: SALT, pingInterval: 0, futureSalts: 0 })
    p.client = c
    expect(c.clock.synced).toBe(false)
    // an hour off: accepted, and the clock learns the server's time from it
    const ev = toClient(p, tl({ _: 'mtwire.payload', payload: new Uint8Array(1) }), { msgId: msgIdAt(T0 + 3_600_000, 3) })
    expect(ev.map((e) => e.type)).toEqual(['update'])
    expect(c.clock.synced).toBe(true)
    expect(c.clock.offset).toBe(3_600_000)
    p.clock.t += 1
    const old = toClient(p, tl({ _: 'mtwire.payload', payload: new Uint8Array(1) }), { msgId: msgIdAt(T0 + 3_600_000 - 301_000, 3) })
    expect(old).toMatchObject([{ type: 'error', error: { code: 'E_MSG_ID_TIME' } }])
    const future = toClient(p, tl({ _: 'mtwire.payload', payload: new Uint8Array(1) }), { msgId: msgIdAt(T0 + 3_600_000 + 31_000, 3) })
    expect(future).toMatchObject([{ type: 'error', error: { code: 'E_MSG_ID_TIME' } }])
    // a bad_server_salt that looks old is still processed (security_guidelines)
    c.invoke({ _: 'ping', ping_id: 1n })
    const out = sent(p)
    const bad = tl({ _: 'bad_server_salt', bad_msg_id: out[0].msgId, bad_msg_seqno: out[0].seqNo, error_code: 48, new_server_salt: 42n })
    expect(toClient(p, bad, { msgId: msgIdAt(T0, 1, 77) })).toEqual([])
    expect(c.salt).toBe(42n)
  })
})

describe('bad_msg_notification codes from the server', () => {
  /** The client sends one ping; the server answers `code` about it. Returns what the client sends next. */
  function notify(code: number, opts: { container?: boolean; notifyTime?: number } = {}) {
    const p = pair()
    const r = p.client.invoke({ _: 'ping', ping_id: 1n })
    if (opts.container) p.client.invoke({ _: 'ping', ping_id: 2n })
    const [first] = sent(p)
    const badId = first.msgId
    const n = tl(code === 48
      ? { _: 'bad_server_salt', bad_msg_id: badId, bad_msg_seqno: first.seqNo, error_code: 48, new_server_salt: 99n }
      : { _: 'bad_msg_notification', bad_msg_id: badId, bad_msg_seqno: first.seqNo, error_code: code })
    const ev = toClient(p, n, { msgId: msgIdAt(opts.notifyTime ?? T0, 1, 50), seqNo: 2 })
    return { p, r, first, ev, next: sent(p) }
  }

  it('16 / 17: the clock is set from the notification\'s msg_id and the message goes again with a new id', () => {
    for (const [code, t] of [[16, T0 + 200_000], [17, T0 - 200_000]] as const) {
      const { p, first, next } = notify(code, { notifyTime: t })
      expect(p.client.clock.offset).toBeCloseTo(t - T0, -1)
      expect(queries(next).map((m) => m.obj.ping_id)).toEqual([1n])
      expect(queries(next)[0].msgId).not.toBe(first.msgId)
      expect(Math.abs(Number(queries(next)[0].msgId >> 32n) * 1000 - t)).toBeLessThan(2000)
    }
  })

  it('19: re-sent with the same msg_ids in a new container (the server never looked at them; a late copy then runs once)', () => {
    const { first, next } = notify(19)
    expect(next[0].container).toBe(true)
    expect(queries(next)[0].msgId).toBe(first.msgId)
  })

  it('18, 20: re-sent with a new msg_id; a loop ends at the resend limit with E_RESEND_LIMIT', async () => {
    for (const code of [18, 20]) {
      const { p, r, first, next } = notify(code)
      expect(queries(next)[0].msgId).not.toBe(first.msgId)
      expect(queries(next)[0].obj.ping_id).toBe(1n)
      let last = next
      for (let i = 0; i < 6; i++) {
        const m = queries(last)[0]
        if (!m) break
        toClient(p, tl({ _: 'bad_msg_notification', bad_msg_id: m.msgId, bad_msg_seqno: m.seqNo, error_code: code }))
        last = sent(p)
      }
      await expect(r).rejects.toMatchObject({ code: 'E_RESEND_LIMIT' })
    }
  })

  it('32 / 33: a new session (sessionReset event), everything pending sent again in it from seq_no 1', () => {
    for (const code of [32, 33]) {
      const { first, ev, next } = notify(code, { container: true })
      expect(ev).toMatchObject([{ type: 'sessionReset', oldSessionId: first.sessionId }])
      expect(next[0].sessionId).not.toBe(first.sessionId)
      expect(queries(next).map((m) => m.obj.ping_id).sort()).toEqual([1n, 2n])
      expect(queries(next).map((m) => m.seqNo)).toEqual([1, 3])
    }
  })

  it('34 / 35: the message goes again with the other parity', () => {
    const a = notify(35)
    expect(queries(a.next)[0].seqNo & 1).toBe(1)
    const b = notify(34)
    expect(queries(b.next)[0].seqNo & 1).toBe(0)
  })

  it('48: the new salt, then the message again (bad_msg_id a container: every message in it)', () => {
    const { p, next } = notify(48, { container: true })
    expect(p.client.salt).toBe(99n)
    expect(next[0].salt).toBe(99n)
    expect(queries(next).map((m) => m.obj.ping_id).sort()).toEqual([1n, 2n])
  })

  it('64 and unknown codes: the request fails with E_BAD_MSG', async () => {
    const { r, ev } = notify(64)
    await expect(r).rejects.toMatchObject({ code: 'E_BAD_MSG' })
    expect(ev.some((e) => e.type === 'error')).toBe(true)
  })

  it('a notification about a msg_id we never sent changes nothing (the spec: check it was sent recently)', () => {
    const p = pair()
    p.client.invoke({ _: 'ping', ping_id: 1n })
    sent(p)
    const salt = p.client.salt
    const ev = toClient(p, tl({ _: 'bad_server_salt', bad_msg_id: 12345678n << 32n, bad_msg_seqno: 1, error_code: 48, new_server_salt: 7n }))
    expect(ev).toMatchObject([{ type: 'error', error: { code: 'E_BAD_MSG_UNKNOWN' } }])
    expect(p.client.salt).toBe(salt)
    const ev2 = toClient(p, tl({ _: 'bad_msg_notification', bad_msg_id: 12345678n << 32n, bad_msg_seqno: 1, error_code: 17 }), { msgId: msgIdAt(T0 + 99_000, 1) })
    expect(ev2.length).toBe(1)
    expect(p.client.clock.offset).toBe(0)
  })

  it('a container of bad_msg 20 and msgs_ack (Telethon#915, #1007: no crash, no endless loop)', () => {
    const p = pair()
    p.client.invoke({ _: 'ping', ping_id: 1n })
    const [first] = sent(p)
    const box = container([
      { msgId: msgIdAt(T0, 1, 1), seqNo: 2, body: tl({ _: 'bad_msg_notification', bad_msg_id: first.msgId, bad_msg_seqno: first.seqNo, error_code: 20 }) },
      { msgId: msgIdAt(T0, 3, 2), seqNo: 2, body: tl({ _: 'msgs_ack', msg_ids: [first.msgId] }) },
    ])
    expect(toClient(p, box, { msgId: msgIdAt(T0, 3, 3), seqNo: 2 })).toEqual([])
    expect(queries(sent(p)).map((m) => m.obj.ping_id)).toEqual([1n])
    expect(sent(p)).toEqual([])
  })
})

describe('service messages the server sends', () => {
  it('new_session_created: newSession event, the salt taken, acknowledged, older requests sent again', () => {
    const p = pair()
    p.client.invoke({ _: 'ping', ping_id: 1n })
    const [a] = sent(p)
    p.client.invoke({ _: 'ping', ping_id: 2n })
    const [b] = sent(p)
    const ev = toClient(p, tl({ _: 'new_session_created', first_msg_id: b.msgId, unique_id: 5n, server_salt: 77n }))
    expect(ev).toMatchObject([{ type: 'newSession', firstMsgId: b.msgId, uniqueId: 5n, salt: 77n }])
    expect(p.client.salt).toBe(77n)
    const next = sent(p)
    // a (older than first_msg_id) again, with its own msg_id in a container (a late copy runs once)
    expect(queries(next).map((m) => m.obj.ping_id)).toEqual([1n])
    expect(queries(next)[0].msgId).toBe(a.msgId)
    expect(next[0].container).toBe(true)
    // the notification is acknowledged (with the message that went anyway)
    expect(next.flatMap((o) => o.messages).find((m) => m.obj._ === 'msgs_ack')!.obj.msg_ids).toHaveLength(1)
  })

  it('msgs_state_req: the client answers msgs_state_info with its own window; msg_resend_req: our messages again, same ids, in a container', () => {
    const p = pair()
    const seen = msgIdAt(T0, 3, 1)
    toClient(p, tl({ _: 'mtwire.payload', payload: new Uint8Array(1) }), { msgId: seen, seqNo: 1 })
    const req = msgIdAt(T0, 1, 2)
    toClient(p, tl({ _: 'msgs_state_req', msg_ids: [seen, msgIdAt(T0, 3, 9)] }), { msgId: req, seqNo: 3 })
    const info = sent(p).flatMap((o) => o.messages).find((m) => m.obj._ === 'msgs_state_info')!
    expect(info.obj.req_msg_id).toBe(req)
    expect([...info.obj.info]).toEqual([4 | 8, 3])
    p.client.invoke({ _: 'ping', ping_id: 1n })
    const [mine] = sent(p)
    toClient(p, tl({ _: 'msg_resend_req', msg_ids: [mine.msgId] }), { seqNo: 5 })
    const again = sent(p)
    expect(again[0].container).toBe(true)
    expect(queries(again).map((m) => m.msgId)).toEqual([mine.msgId])
  })

  it('msg_detailed_info: ask for the answer we are missing; msg_new_detailed_info: acknowledge what we have', () => {
    const p = pair()
    p.client.invoke({ _: 'ping', ping_id: 1n })
    const [q] = sent(p)
    const ans = msgIdAt(T0, 1, 40)
    toClient(p, tl({ _: 'msg_detailed_info', msg_id: q.msgId, answer_msg_id: ans, bytes: 100_000, status: 0 }), { seqNo: 2 })
    const r = sent(p).flatMap((o) => o.messages).find((m) => m.obj._ === 'msg_resend_req')!
    expect(r.obj.msg_ids).toEqual([ans])
    const known = msgIdAt(T0, 3, 41)
    toClient(p, tl({ _: 'mtwire.payload', payload: new Uint8Array(1) }), { msgId: known, seqNo: 7 })
    sent(p)
    toClient(p, tl({ _: 'msg_new_detailed_info', answer_msg_id: known, bytes: 10, status: 0 }), { seqNo: 8 })
    p.advance(1000)
    const ack = sent(p).flatMap((o) => o.messages).find((m) => m.obj._ === 'msgs_ack')!
    expect(ack.obj.msg_ids).toContain(known)
  })

  it('a server ping gets a pong; msg_copy is unwrapped; a gzip_packed update is inflated', () => {
    const p = pair()
    const ping = msgIdAt(T0, 3, 60)
    toClient(p, tl({ _: 'ping', ping_id: 6n }), { msgId: ping, seqNo: 1 })
    const pong = sent(p).flatMap((o) => o.messages).find((m) => m.obj._ === 'pong')!
    expect(pong.obj).toEqual({ _: 'pong', msg_id: ping, ping_id: 6n })
    const inner = tl({ _: 'mtwire.payload', payload: new Uint8Array([3]) })
    const copy = new Uint8Array(20 + inner.length)
    const dv = new DataView(copy.buffer)
    dv.setUint32(0, 0xe06046b2, true)
    dv.setBigInt64(4, msgIdAt(T0, 3, 61), true)
    dv.setUint32(12, 5, true)
    dv.setUint32(16, inner.length, true)
    copy.set(inner, 20)
    expect(toClient(p, copy, { msgId: msgIdAt(T0, 3, 62), seqNo: 7 })).toMatchObject([{ type: 'update', body: { payload: new Uint8Array([3]) } }])
    const big = tl({ _: 'mtwire.payload', payload: new Uint8Array(5000) })
    const gz = tl({ _: 'gzip_packed', packed_data: new Uint8Array((require('node:zlib') as typeof import('node:zlib')).gzipSync(big)) })
    expect(toClient(p, gz, { seqNo: 9 })).toMatchObject([{ type: 'update', body: { payload: new Uint8Array(5000) } }])
  })

  it('a pong (read by the session, not the codec) resolves the ping with what the codec decodes; a short one is an E_TL error', async () => {
    for (const id of [0n, 7n, -1n, -(2n ** 63n), 2n ** 63n - 1n, 0x7fffffff80000000n]) {
      const p = pair()
      const r = p.client.invoke({ _: 'ping', ping_id: id })
      const [q] = sent(p)
      const body = tl({ _: 'pong', msg_id: q.msgId, ping_id: id })
      toClient(p, body, { seqNo: 2 })
      expect(await soon(r)).toEqual(decodeTl(codec, body))
      expect(await r).toEqual({ _: 'pong', msg_id: q.msgId, ping_id: id })
    }
    const p = pair()
    const r = p.client.invoke({ _: 'ping', ping_id: 1n })
    const [q] = sent(p)
    const short = tl({ _: 'pong', msg_id: q.msgId, ping_id: 1n }).subarray(0, 16)
    expect(toClient(p, short, { seqNo: 2 })).toMatchObject([{ type: 'error', error: { code: 'E_TL' } }])
    // a pong naming another message answers nothing
    toClient(p, tl({ _: 'pong', msg_id: q.msgId + 4n, ping_id: 1n }), { seqNo: 4 })
    let done = false
    void r.then(() => (done = true))
    await settle()
    expect(done).toBe(false)
  })
})

describe('what is dropped', () => {
  it('a replayed packet (a duplicate msg_id): ignored, acknowledged again, nothing resolved twice', async () => {
    const p = pair()
    const replays: Uint8Array[] = []
    p.link.down = (o) => {
      if (o.type === 'packet') replays.push(o.data.slice())
      return [o]
    }
    let n = 0
    const r = p.client.invoke(echo(4)).then(() => n++)
    p.pump()
    await r
    const updates = p.clientEvents.length
    for (const x of replays) expect(p.client.receive(x.slice(), p.clock.t).filter((e) => e.type !== 'error')).toEqual([])
    await settle()
    expect(n).toBe(1)
    expect(p.clientEvents.length).toBe(updates)
  })

  it('a packet that fails decryption is one uniform SecurityError event asking to reconnect; a foreign session_id or an even msg_id is dropped', () => {
    const p = pair()
    const x = seal(p.crypto, p.authKey, SALT, p.client.sessionId, { msgId: msgIdAt(T0, 1), seqNo: 1, body: tl({ _: 'mtwire.payload', payload: new Uint8Array(1) }) }, 8)
    x[50] ^= 1
    const ev = p.client.receive(x, p.clock.t)
    expect(ev).toHaveLength(1)
    expect(ev[0]).toMatchObject({ type: 'error', reconnect: true, error: { code: 'E_DECRYPT' } })
    expect((ev[0] as { error: unknown }).error).toBeInstanceOf(SecurityError)
    expect(toClient(p, tl({ _: 'mtwire.payload', payload: new Uint8Array(1) }), { sid: 5n })).toMatchObject([{ type: 'error', error: { code: 'E_SESSION_ID' } }])
    expect(toClient(p, tl({ _: 'mtwire.payload', payload: new Uint8Array(1) }), { msgId: msgIdAt(T0, 0, 3) })).toMatchObject([{ type: 'error', error: { code: 'E_MSG_ID' } }])
    expect(p.client.receive(new Uint8Array(3), p.clock.t)).toMatchObject([{ type: 'error', error: { code: 'E_DECRYPT' } }])
    expect(p.client.receive(new Uint8Array(64).fill(7), p.clock.t)).toMatchObject([{ type: 'error', error: { code: 'E_AUTH_KEY_ID' }, reconnect: true }])
    expect(() => p.client.receive('x' as never)).toThrow(SessionError)
  })
})

describe('lost packets and reconnects', () => {
  it('a lost request: after stateRequestAfter, msgs_state_req says "not received"; the same msg_id goes again in a container; run once', async () => {
    let calls = 0
    const p = pair({ server: { handler: () => (calls++, true) } })
    let drop = true
    p.link.up = (o) => (drop && o.type === 'packet' ? ((drop = false), []) : [o])
    const r = p.client.invoke(new Uint8Array([7, 0, 0, 0]))
    p.pump()
    expect(p.client.nextDeadline()).toBe(T0 + 5000)
    p.advance(5000)
    p.pump()
    expect(await r).toBe(true)
    expect(calls).toBe(1)
  })

  it('a lost answer: msgs_state_req says "answered"; the request goes again with its msg_id; the server sends the answer again; run once', async () => {
    let calls = 0
    const p = pair({ server: { handler: () => (calls++, true) } })
    let drop = 0
    p.link.down = (o) => (o.type === 'packet' && drop++ === 0 ? [] : [o])
    const r = p.client.invoke(new Uint8Array([8, 0, 0, 0]))
    p.pump()
    p.advance(5000)
    p.pump()
    expect(await r).toBe(true)
    expect(calls).toBe(1)
  })

  it('a reconnect: unacknowledged requests go again with their msg_ids, the server re-sends unacknowledged answers; each resolves once', async () => {
    let calls = 0
    const p = pair({ server: { handler: () => (calls++, true) } })
    let cut = true
    p.link.down = (o) => (cut ? [] : [o])
    const rs = [1, 2, 3].map((n) => p.client.invoke(new Uint8Array([n, 0, 0, 0])))
    p.pump()
    cut = false
    p.reconnect()
    p.pump()
    expect(await Promise.all(rs)).toEqual([true, true, true])
    expect(calls).toBe(3)
  })

  it('state export/import: a restored session continues without a handshake; a pending request is answered exactly once across it', async () => {
    let calls = 0
    const p = pair({ server: { handler: () => (calls++, true) } })
    await (async () => {
      const r = p.client.invoke({ _: 'ping', ping_id: 1n })
      p.pump()
      await r
    })()
    // a request sent, the answer lost with the process
    p.link.down = () => []
    void p.client.invoke(new Uint8Array([9, 0, 0, 0])).catch(() => {})
    p.pump()
    const state = JSON.parse(JSON.stringify(p.client.exportState()))
    expect(state.pending).toHaveLength(1)
    expect(JSON.stringify(state)).not.toMatch(/tempKey/)
    p.link.down = undefined
    p.client = ClientSession.fromState(state, { crypto: p.crypto, now: p.now, pingInterval: 0, futureSalts: 0 })
    expect(p.client.sessionId).toBe(BigInt(state.sessionId))
    const [restored] = p.client.restored
    p.conn.close()
    p.conn = p.server.connection()
    p.pump()
    expect(await restored.promise).toBe(true)
    const more = p.client.invoke({ _: 'ping', ping_id: 2n })
    p.pump()
    await more
    expect(calls).toBe(1)
    expect(p.clientEvents.filter((e) => e.type === 'newSession')).toHaveLength(1) // the first connection's only
  })
})

describe('salts and keepalive', () => {
  it('future salts: fetched once the session works, the salt rotates as the clock moves, more fetched before they run out', async () => {
    const p = pair({ client: { futureSalts: 3 } })
    const r = p.client.invoke({ _: 'ping', ping_id: 1n })
    p.pump()
    await r
    p.client.invoke({ _: 'ping', ping_id: 2n })
    p.pump()
    const asked = p.sent.map((d) => open(p.crypto, p.authKey, d, 0)).flatMap((o) => o.messages).filter((m) => m.obj._ === 'get_future_salts')
    expect(asked).toHaveLength(1)
    const s0 = p.client.salt
    // an hour later the salt is another one, and the server takes it
    p.clock.t += 3_600_000
    const later = p.client.invoke({ _: 'ping', ping_id: 3n })
    p.pump()
    await later
    expect(p.client.salt).not.toBe(s0)
    const all = p.sent.map((d) => open(p.crypto, p.authKey, d, 0)).flatMap((o) => o.messages).filter((m) => m.obj._ === 'get_future_salts')
    expect(all.length).toBe(2)
    expect(p.clientEvents.filter((e) => e.type === 'error')).toEqual([])
  })

  it('keepalive: ping_delay_disconnect every pingInterval; no pong for an interval is an error asking to reconnect', () => {
    const p = pair({ client: { pingInterval: 60_000 } })
    expect(p.client.nextDeadline()).toBe(T0 + 60_000)
    p.advance(60_000)
    p.pump()
    const pings = p.sent.map((d) => open(p.crypto, p.authKey, d, 0)).flatMap((o) => o.messages).filter((m) => m.obj._ === 'ping_delay_disconnect')
    expect(pings).toHaveLength(1)
    expect(pings[0].obj.disconnect_delay).toBe(75)
    p.link.down = () => []
    p.advance(60_000)
    p.pump()
    expect(p.clientEvents.filter((e) => e.type === 'error')).toEqual([])
    p.advance(60_000)
    expect(p.clientEvents.filter((e) => e.type === 'error')).toMatchObject([{ error: { code: 'E_PING_TIMEOUT' }, reconnect: true }])
  })
})
