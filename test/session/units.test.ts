/**
 * The pieces both roles share: the msg_id clock, the received-id window, the timer heap, and
 * the wire constants (against the schema and the TL rules).
 */
import { describe, expect, it } from 'vitest'
import { MsgIdClock, halvesOf, idOf, keyOf, msOfId } from '../../src/auth/msgid.js'
import { ADDED, DUPLICATE, F_ACKED, F_ANSWERED, F_CONTENT, F_RPC, IdWindow, TOO_OLD } from '../../src/session/window.js'
import { TimerHeap } from '../../src/session/timers.js'
import * as wire from '../../src/session/wire.js'
import { mtprotoCodec, mtwireCodec } from '../../src/tl/index.js'

describe('MsgIdClock', () => {
  const T = 1_700_000_000_123

  it('issues strictly increasing ids with the parity asked for and a non-zero fraction (tdlib#1367)', () => {
    const c = new MsgIdClock()
    let last = 0n
    for (let i = 0; i < 5000; i++) {
      const parity = i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : 3
      c.next(T + Math.floor(i / 100), parity)
      const id = idOf(c.hi, c.lo)
      expect(id > last).toBe(true)
      expect(Number(id & 3n)).toBe(parity)
      expect(c.lo & ~3).not.toBe(0)
      last = id
    }
  })

  it('≈ unixtime · 2^32 with sub-second precision', () => {
    const c = new MsgIdClock()
    c.next(T, 0)
    expect(c.hi).toBe(Math.floor(T / 1000))
    expect(Math.abs(msOfId(idOf(c.hi, c.lo)) - T)).toBeLessThan(1)
  })

  it('a clock corrected backwards is followed at once: the floor drops to the highest accepted id (grammers#335, TLSharp#405)', () => {
    const c = new MsgIdClock()
    c.next(T, 0)
    const accepted = [c.hi, c.lo]
    c.accepted(c.hi, c.lo)
    c.next(T + 100_000, 0) // our clock jumped 100 s ahead; the server rejects this id (17)
    const tooHigh = idOf(c.hi, c.lo)
    c.correct(T + 1000, T + 100_000) // the server's msg_id says it is T + 1 s
    expect(c.offset).toBe(-99_000)
    expect(c.synced).toBe(true)
    c.next(T + 100_001, 0)
    const next = idOf(c.hi, c.lo)
    expect(next < tooHigh).toBe(true) // without resetting the floor it would stay above the rejected id
    expect(next > idOf(accepted[0], accepted[1])).toBe(true)
    expect(Math.abs(msOfId(next) - (T + 1001))).toBeLessThan(5)
    // and forwards
    c.correct(T + 500_000, T + 100_002)
    c.next(T + 100_003, 0)
    expect(Math.abs(msOfId(idOf(c.hi, c.lo)) - (T + 500_001))).toBeLessThan(5)
  })

  it('carries into the seconds when the low half overflows', () => {
    const c = new MsgIdClock()
    c.hi = 5
    c.lo = 0xfffffffc
    c.next(1000, 0) // the clock says 1 s, below the floor
    expect([c.hi, c.lo]).toEqual([6, 0])
    c.next(1000, 3)
    expect([c.hi, c.lo]).toEqual([6, 3])
  })

  it('halves, keys and BigInts agree', () => {
    const h = [0, 0]
    for (const id of [0x65c53d500006720cn, 7301444403200000004n, 1n << 62n]) {
      halvesOf(id, h)
      expect(idOf(h[0], h[1])).toBe(id)
      expect(keyOf(h[0], h[1])).toBe(Number(id & 0x1fffffffffffffn))
    }
  })
})

describe('IdWindow', () => {
  it('adds in and out of order, finds duplicates, and refuses ids below a full window', () => {
    const w = new IdWindow(8)
    const ids = [10, 30, 20, 40, 50, 60, 70, 80]
    for (const x of ids) expect(w.add(1, x, 0, 0)).toBe(ADDED)
    for (const x of ids) expect(w.add(1, x, 0, 0)).toBe(DUPLICATE)
    expect(w.add(1, 5, 0, 0)).toBe(TOO_OLD) // full, below all
    expect(w.add(1, 25, 0, 0)).toBe(ADDED) // drops 10
    expect(w.find(1, 10)).toBe(-1)
    expect(w.add(1, 10, 0, 0)).toBe(TOO_OLD)
    expect(w.forgotten(1, 11)).toBe(true)
    expect(w.count).toBe(8)
    expect(w.add(0, 999, 0, 0)).toBe(TOO_OLD) // lower seconds
    expect(w.add(2, 0, 0, 0)).toBe(ADDED)
  })

  it('grows from 16 entries to its limit, and stays bounded under a million ids', () => {
    const w = new IdWindow(1000)
    for (let i = 0; i < 1_000_000; i++) w.add(1 + (i >> 20), ((i * 4) & 0xfffff) >>> 0 || 4, 0, 0)
    expect(w.count).toBe(1000)
  })

  it('seq_no checks against the neighbours: 32 too low, 33 too high, equal even allowed', () => {
    const w = new IdWindow(16)
    w.add(1, 100, 3, F_CONTENT) // content-related #1
    w.add(1, 200, 4, 0) // a service message after it
    w.add(1, 300, 5, F_CONTENT)
    expect(w.seqCheck(1, 250, 4)).toBe(0) // equal even: fine
    expect(w.seqCheck(1, 250, 5)).toBe(33) // equal and odd to the next one
    expect(w.seqCheck(1, 250, 3)).toBe(32) // lower than the one before
    expect(w.seqCheck(1, 400, 5)).toBe(32) // the last had 5 (odd): a later one must be higher
    expect(w.seqCheck(1, 400, 7)).toBe(0)
    expect(w.seqCheck(1, 50, 5)).toBe(33)
    expect(w.seqCheck(1, 50, 1)).toBe(0)
  })

  it('status bytes for msgs_state_info', () => {
    const w = new IdWindow(4)
    w.add(1, 100, 1, F_CONTENT | F_ACKED | F_RPC | F_ANSWERED)
    w.add(1, 200, 2, 0)
    expect(w.status(1, 100)).toBe(4 + 8 + 32 + 64)
    expect(w.status(1, 200)).toBe(4 + 16)
    expect(w.status(1, 150)).toBe(2) // in range, not received
    expect(w.status(1, 50)).toBe(2) // below, but nothing was ever dropped
    expect(w.status(1, 300)).toBe(3) // above
    for (const x of [300, 400, 500]) w.add(1, x, 2, 0)
    expect(w.status(1, 50)).toBe(1) // below after drops: maybe forgotten
  })
})

describe('TimerHeap', () => {
  it('orders, moves and removes items in place', () => {
    type T = { heapAt: number; heapIx: number; n: number }
    const h = new TimerHeap<T>()
    const items: T[] = Array.from({ length: 200 }, (_, n) => ({ heapAt: Infinity, heapIx: -1, n }))
    const rnd = (i: number): number => (i * 7919) % 1000
    items.forEach((x, i) => h.set(x, rnd(i)))
    for (let i = 0; i < 200; i += 3) h.remove(items[i])
    for (let i = 1; i < 200; i += 5) h.set(items[i], 2000 - i)
    const out: number[] = []
    while (h.size) {
      const x = h.first()
      out.push(x.heapAt)
      h.remove(x)
      expect(x.heapIx).toBe(-1)
    }
    expect(out).toEqual([...out].sort((a, b) => a - b))
    // 67 removed (i % 3 = 0), 13 of them set again (i % 15 = 6)
    expect(out.length).toBe(200 - 67 + 13)
  })
})

describe('wire constants', () => {
  it('equal the schema ids', () => {
    const ids: Record<string, number> = { ...mtprotoCodec.ids, ...mtwireCodec.ids }
    const names: Record<string, string> = {
      ID_MSG_CONTAINER: 'msg_container', ID_MSG_COPY: 'msg_copy', ID_GZIP_PACKED: 'gzip_packed', ID_RPC_RESULT: 'rpc_result',
      ID_RPC_ERROR: 'rpc_error', ID_MSGS_ACK: 'msgs_ack', ID_BAD_MSG_NOTIFICATION: 'bad_msg_notification',
      ID_BAD_SERVER_SALT: 'bad_server_salt', ID_NEW_SESSION_CREATED: 'new_session_created', ID_PING: 'ping',
      ID_PING_DELAY_DISCONNECT: 'ping_delay_disconnect', ID_PONG: 'pong', ID_GET_FUTURE_SALTS: 'get_future_salts',
      ID_FUTURE_SALTS: 'future_salts', ID_FUTURE_SALT: 'future_salt', ID_MSGS_STATE_REQ: 'msgs_state_req',
      ID_MSGS_STATE_INFO: 'msgs_state_info', ID_MSGS_ALL_INFO: 'msgs_all_info', ID_MSG_RESEND_REQ: 'msg_resend_req',
      ID_MSG_DETAILED_INFO: 'msg_detailed_info', ID_MSG_NEW_DETAILED_INFO: 'msg_new_detailed_info',
      ID_DESTROY_SESSION: 'destroy_session', ID_DESTROY_SESSION_OK: 'destroy_session_ok', ID_DESTROY_SESSION_NONE: 'destroy_session_none',
      ID_DESTROY_AUTH_KEY: 'destroy_auth_key', ID_DESTROY_AUTH_KEY_OK: 'destroy_auth_key_ok', ID_DESTROY_AUTH_KEY_NONE: 'destroy_auth_key_none',
      ID_DESTROY_AUTH_KEY_FAIL: 'destroy_auth_key_fail', ID_RPC_DROP_ANSWER: 'rpc_drop_answer', ID_RPC_ANSWER_UNKNOWN: 'rpc_answer_unknown',
      ID_RPC_ANSWER_DROPPED_RUNNING: 'rpc_answer_dropped_running', ID_RPC_ANSWER_DROPPED: 'rpc_answer_dropped', ID_HTTP_WAIT: 'http_wait',
      ID_INVOKE_AFTER_MSG: 'invokeAfterMsg', ID_INVOKE_AFTER_MSGS: 'invokeAfterMsgs', ID_INIT_CONNECTION: 'initConnection',
      ID_INVOKE_WITH_LAYER: 'invokeWithLayer', ID_INVOKE_WITHOUT_UPDATES: 'invokeWithoutUpdates',
      ID_MTWIRE_ECHO: 'mtwire.echo', ID_MTWIRE_SLEEP: 'mtwire.sleep', ID_MTWIRE_PAYLOAD: 'mtwire.payload',
    }
    for (const [c, name] of Object.entries(names)) expect((wire as unknown as Record<string, number>)[c], c).toBe(ids[name] >>> 0)
    expect(wire.ID_BIND_TEMP_AUTH_KEY).toBe(0xcdd42a05) // method/auth.bindTempAuthKey
  })

  it("mtwire.tl's ids are the TL rule's CRC32 (computed independently: Python zlib.crc32 of the normalized lines)", () => {
    // "mtwire.payload payload:string = mtwire.Payload" etc. (bytes written as string)
    expect(mtwireCodec.ids['mtwire.payload']).toBe(0xdab7c255)
    expect(mtwireCodec.ids['mtwire.echo']).toBe(0x8a5fbec8)
    expect(mtwireCodec.ids['mtwire.sleep']).toBe(0xfa27713c)
  })
})
