/**
 * One client session on the server (core.telegram.org/mtproto/description,
 * /service_messages, /service_messages_about_messages): the client's checks mirrored (msg_id
 * parity and time window, duplicates, seq_no, salt → the bad_msg_notification codes), the
 * service queries answered, API queries unwrapped and handed to the handler, answers kept until
 * acknowledged and re-sent on the client's next connection.
 */
import { verifyBindTempAuthKey } from '../auth/bind.js'
import { SessionError, TlError } from '../errors.js'
import { TlEncodeError } from '../tl/errors.js'
import { gunzipBounded } from '../tl/gzip.js'
import { TlReader } from '../tl/reader.js'
import { TlWriter } from '../tl/writer.js'
import { mtprotoCodec, type RawAuth_bindTempAuthKeyRequest } from '../tl/generated/mtproto.js'
import type { ServerConnection } from './connection.js'
import { checkContainer, K_ACK, K_CONTAINER, K_RPC, K_SERVICE, OutMsg, type Outgoing, SessionCore } from './core.js'
import { RpcError } from './errors.js'
import { halvesOf, idOf, keyOf, RESPONSE, SERVER } from '../auth/msgid.js'
import type { KeyEntry, RpcCall, SessionServer } from './server.js'
import { TimerHeap } from './timers.js'
import { DUPLICATE, F_ACKED, F_ANSWERED, F_CONTAINER, F_CONTENT, F_RPC, TOO_OLD } from './window.js'
import {
  ID_BAD_MSG_NOTIFICATION, ID_BAD_SERVER_SALT, ID_BIND_TEMP_AUTH_KEY, ID_BOOL_TRUE, ID_DESTROY_AUTH_KEY,
  ID_DESTROY_AUTH_KEY_FAIL, ID_DESTROY_SESSION, ID_DESTROY_SESSION_NONE,
  ID_DESTROY_SESSION_OK, ID_FUTURE_SALTS, ID_GET_FUTURE_SALTS, ID_GZIP_PACKED, ID_HTTP_WAIT,
  ID_INIT_CONNECTION, ID_INVOKE_AFTER_MSG, ID_INVOKE_AFTER_MSGS, ID_INVOKE_WITH_LAYER, ID_INVOKE_WITHOUT_UPDATES,
  ID_MSG_CONTAINER, ID_MSG_COPY, ID_MSG_DETAILED_INFO, ID_MSG_NEW_DETAILED_INFO, ID_MSG_RESEND_REQ, ID_MSGS_ACK,
  ID_MSGS_ALL_INFO, ID_MSGS_STATE_INFO, ID_MSGS_STATE_REQ, ID_MTWIRE_ECHO, ID_MTWIRE_PAYLOAD, ID_MTWIRE_SLEEP,
  ID_NEW_SESSION_CREATED, ID_PING, ID_PING_DELAY_DISCONNECT, ID_PONG, ID_RPC_ANSWER_DROPPED,
  ID_RPC_ANSWER_DROPPED_RUNNING, ID_RPC_ANSWER_UNKNOWN, ID_RPC_DROP_ANSWER, ID_RPC_ERROR, ID_RPC_RESULT, ID_VECTOR,
  MAX_IDS, SALT_PERIOD_S, TIME_FUTURE_MS, TIME_PAST_MS, i32, put32, u32,
} from './wire.js'

/** api/pfs: what an unbound temporary key may still ask. */
const HELP_GET_CONFIG = 0xc4f9186b
const HELP_GET_NEAREST_DC = 0x1fb33026

/** A running RPC query. */
class Running {
  dropped = false
  heapAt = Infinity
  heapIx = -1
  /** The query's msg_id key (auth/msgid.ts keyOf). */
  readonly id: number
  constructor(readonly hi: number, readonly lo: number, readonly wrapped: boolean) {
    this.id = keyOf(hi, lo)
  }
  /** invokeAfterMsg(s): waits for these (keys) to finish. */
  after: number[] | undefined = undefined
  start: (() => void) | undefined = undefined
}

/** Constructors a client sends that are not queries (no rpc_result; may be even). */
function isQuery(id: number): boolean {
  switch (id) {
    case ID_MSGS_ACK:
    case ID_MSGS_STATE_REQ:
    case ID_MSGS_STATE_INFO:
    case ID_MSGS_ALL_INFO:
    case ID_MSG_RESEND_REQ:
    case ID_MSG_DETAILED_INFO:
    case ID_MSG_NEW_DETAILED_INFO:
    case ID_HTTP_WAIT:
    case ID_MSG_COPY:
    case ID_PONG:
    case ID_MSG_CONTAINER:
    case ID_GZIP_PACKED:
    case ID_RPC_RESULT:
    case ID_BAD_MSG_NOTIFICATION:
    case ID_BAD_SERVER_SALT:
    case ID_FUTURE_SALTS:
      return false
  }
  return true
}

/** One client session on the server. */
export class ServerSession extends SessionCore {
  readonly server: SessionServer
  readonly entry: KeyEntry
  /** The connection answers go to (the one the client last used). */
  conn: ServerConnection | undefined = undefined
  /** Content-related messages sent and not acknowledged, by msg_id key (oldest first). */
  private readonly unacked = new Map<number, OutMsg>()
  /** Answers still unacknowledged, by the query's msg_id key (duplicate queries get them again). */
  private readonly answers = new Map<number, OutMsg>()
  private readonly running = new Map<number, Running>()
  private deferred: Running[] = []
  private readonly timers = new TimerHeap<Running>()
  private fresh = true
  /** The lowest msg_id received in this session (new_session_created's first_msg_id). */
  private firstHi = 0
  private firstLo = 0
  private readonly uniqueId: bigint
  private ackSince = Infinity
  private disposed = false
  /** The connection was lost or changed: re-send unacknowledged messages on the next one. */
  private resendOnAttach = false

  constructor(server: SessionServer, entry: KeyEntry, sessionId: bigint, _now: number) {
    super({ crypto: server.crypto, windowSize: server.limits.windowSize, gzipMinSize: server.gzipMinSize, padding: server.padding })
    this.server = server
    this.entry = entry
    this.setSessionId(sessionId)
    const r = server.crypto.randomBytes(8)
    this.uniqueId = new DataView(r.buffer).getBigInt64(0, true)
  }

  get authKeyId(): bigint {
    return this.entry.id
  }

  /** Binds the session to the connection its client just used. */
  attach(conn: ServerConnection, now: number): void {
    if (this.conn === conn) return
    const had = this.conn !== undefined || this.resendOnAttach
    this.conn?.sessions.delete(this)
    this.conn = conn
    conn.sessions.add(this)
    if (had && !this.fresh) {
      // description: "the server re-sends unacknowledged content-related messages to a new connection"
      this.resendUnacked()
      conn.event({ type: 'session', authKeyId: this.entry.id, sessionId: this.sessionId, created: false })
    }
    this.resendOnAttach = false
    void now
  }

  detach(conn: ServerConnection): void {
    if (this.conn !== conn) return
    this.conn = undefined
    this.resendOnAttach = true
  }

  /** Every unacknowledged content-related message again, with its msg_id, in a container. */
  private resendUnacked(): void {
    const again: OutMsg[] = []
    for (const m of this.unacked.values()) {
      if (this.queue.includes(m)) continue
      m.keepId = true
      again.push(m)
    }
    if (again.length) this.queue.unshift(...again)
  }

  dispose(): void {
    this.disposed = true
    this.conn?.sessions.delete(this)
    this.conn = undefined
    this.queue.length = 0
    this.unacked.clear()
    this.answers.clear()
    this.running.clear()
    this.deferred = []
    this.timers.clear()
  }

  hasOutput(): boolean {
    return this.queue.length > 0 || this.ackHi.length > 0
  }

  acksDue(now: number): boolean {
    return this.ackHi.length > 0 && now >= this.ackSince + this.server.ackDelay
  }

  nextDeadline(): number {
    let t = this.timers.peek()
    if (this.ackHi.length) t = Math.min(t, this.ackSince + this.server.ackDelay)
    return t
  }

  tick(now: number): void {
    const h = this.timers
    while (h.size && h.peek() <= now) {
      const r = h.first()
      h.remove(r)
      if (this.running.get(r.id) === r) this.complete(r, true, now)
    }
  }

  flush(now: number, out: Outgoing[], acksAlone: boolean): void {
    if (this.disposed) return
    const n = out.length
    this.pack(now, this.entry.key.authKey, 8, out, acksAlone)
    if (this.ackHi.length === 0) this.ackSince = Infinity
    if (this.conn !== undefined) for (let i = n; i < out.length; i++) {
      const o = out[i]
      if (o.type === 'packet') this.conn.grew(o.data.length)
    }
  }

  /** HTTP: an empty container when max_wait passed with nothing to say. */
  emptyContainer(now: number, out: Outgoing[]): void {
    const b = new Uint8Array(8)
    put32(b, 0, ID_MSG_CONTAINER)
    const m = new OutMsg(b, false, K_CONTAINER)
    this.queue.push(m)
    this.pack(now, this.entry.key.authKey, 8, out, false)
  }

  protected parityOf(m: OutMsg): number {
    // description: server msg_ids are ≡ 1 mod 4 for responses, ≡ 3 otherwise
    return m.kind === K_ACK || m.kind === K_CONTAINER || m.reqId === -1 ? SERVER : RESPONSE
  }

  protected onSent(m: OutMsg, _now: number): void {
    if (!m.content || m.kind === K_CONTAINER) return
    this.unacked.set(m.key, m)
    const max = this.server.limits.maxUnacked
    while (this.unacked.size > max) {
      const [id, old] = this.unacked.entries().next().value as [number, OutMsg]
      this.unacked.delete(id)
      if (old.reqId > 0 && this.answers.get(old.reqId) === old) this.answers.delete(old.reqId)
    }
  }

  protected override ackWanted(hi: number, lo: number): boolean {
    // description: the server acknowledges "via msgs_ack or the reply": an answered query needs no msgs_ack
    const at = this.window.find(hi, lo)
    return at < 0 || !(this.window.flags(at) & F_ACKED)
  }

  protected override onAcksTaken(ack: OutMsg): void {
    const b = ack.body
    const n = u32(b, 8)
    for (let i = 0, o = 12; i < n; i++, o += 8) {
      const at = this.window.find(u32(b, o + 4), u32(b, o))
      if (at >= 0) this.window.setFlags(at, F_ACKED)
    }
  }

  private queueOwedAck(hi: number, lo: number, now: number): void {
    if (this.ackHi.length === 0) this.ackSince = now
    this.queueAck(hi, lo)
  }

  /** A message for this session (the decrypted packet, its inner length n). Returns whether it was accepted. */
  input(buf: Uint8Array, n: number, salt: bigint, now: number): boolean {
    const lo = u32(buf, 16)
    const hi = u32(buf, 20)
    const seq = u32(buf, 24)
    const e = n
    const s = 32
    const id = e - s >= 4 ? u32(buf, s) : 0
    // description: client msg_ids are divisible by 4
    if ((lo & 3) !== 0) return this.badMsg(hi, lo, seq, 18, now)
    // security_guidelines: "especially important for the server": −300 s / +30 s
    const t = hi * 1000 + lo / 4294967.296
    if (t < now - TIME_PAST_MS) return this.badMsg(hi, lo, seq, 16, now)
    if (t > now + TIME_FUTURE_MS) return this.badMsg(hi, lo, seq, 17, now)
    const container = id === ID_MSG_CONTAINER
    if (container && checkContainer(buf, s, e, hi, lo) !== '') {
      this.conn?.error('E_BAD_CONTAINER', checkContainer(buf, s, e, hi, lo))
      return this.badMsg(hi, lo, seq, 64, now)
    }
    // a wrong or zero salt (GramJS and Telethon start with 0): bad_server_salt, message ignored
    if (!this.server.validSalt(this.entry, salt, now)) return this.badMsg(hi, lo, seq, 48, now)
    if (container) {
      if (seq & 1) return this.badMsg(hi, lo, seq, 34, now)
      const r = this.window.add(hi, lo, seq, F_CONTAINER)
      if (r === DUPLICATE) {
        // the same container again is a replay (or a duplicated packet): its messages were
        // handled; 19 is for a container id that some other message had ("must never happen")
        if (this.window.flags(this.window.at) & F_CONTAINER) {
          this.conn?.error('E_DUPLICATE', 'a container received twice was ignored')
          return false
        }
        return this.badMsg(hi, lo, seq, 19, now)
      }
      if (r === TOO_OLD) return this.badMsg(hi, lo, seq, 20, now)
    }
    // service_messages: new_session_created first_msg_id unique_id server_salt, with first_msg_id
    // the lowest msg_id received (a container's lowest inner id, not its own: mtcute's binding
    // relies on it); "if, after this, the server receives a message with an even smaller msg_id
    // within the same session, a similar notification will be generated for this msg_id as well"
    let fh = hi
    let fl = lo
    if (container) {
      const count = u32(buf, s + 4)
      for (let i = 0, o = s + 8; i < count; i++) {
        const mh = u32(buf, o + 4)
        const ml = u32(buf, o)
        if (mh < fh || (mh === fh && ml < fl)) {
          fh = mh
          fl = ml
        }
        o += 16 + u32(buf, o + 12)
      }
    }
    if (this.fresh || fh < this.firstHi || (fh === this.firstHi && fl < this.firstLo)) {
      this.fresh = false
      this.firstHi = fh
      this.firstLo = fl
      const b = new Uint8Array(28)
      put32(b, 0, ID_NEW_SESSION_CREATED)
      put32(b, 4, fl)
      put32(b, 8, fh)
      new DataView(b.buffer).setBigInt64(12, this.uniqueId, true)
      new DataView(b.buffer).setBigInt64(20, this.server.salts(this.entry, now).cur, true)
      this.queue.unshift(new OutMsg(b, true, K_SERVICE))
    }
    if (!container) {
      this.one(hi, lo, seq, buf, s, e, now)
      return true
    }
    const count = u32(buf, s + 4)
    for (let i = 0, o = s + 8; i < count; i++) {
      const mlo = u32(buf, o)
      const mhi = u32(buf, o + 4)
      const mseq = u32(buf, o + 8)
      const len = u32(buf, o + 12)
      if ((mlo & 3) !== 0) this.badMsg(mhi, mlo, mseq, 18, now)
      else this.one(mhi, mlo, mseq, buf, o + 16, o + 16 + len, now)
      o += 16 + len
    }
    return true
  }

  /** bad_msg_notification (or bad_server_salt for 48) for a message that decrypted but is refused. */
  private badMsg(hi: number, lo: number, seq: number, code: number, now: number): boolean {
    const salt = code === 48
    const b = new Uint8Array(salt ? 28 : 20)
    put32(b, 0, salt ? ID_BAD_SERVER_SALT : ID_BAD_MSG_NOTIFICATION)
    put32(b, 4, lo)
    put32(b, 8, hi)
    put32(b, 12, seq)
    put32(b, 16, code)
    if (salt) new DataView(b.buffer).setBigInt64(20, this.server.salts(this.entry, now).cur, true)
    this.queue.push(new OutMsg(b, false, K_SERVICE))
    this.conn?.error('E_BAD_MSG', `bad_msg_notification ${code}`)
    return false
  }

  /** One message of the client: seq_no and window checks, then what it says. */
  private one(hi: number, lo: number, seq: number, buf: Uint8Array, s: number, e: number, now: number): void {
    if (e - s < 4) {
      this.badMsg(hi, lo, seq, 64, now)
      return
    }
    let id = u32(buf, s)
    let body = buf
    let bs = s
    let be = e
    if (id === ID_GZIP_PACKED) {
      // gzip_packed may carry a query (service_messages#packed-object)
      const plain = this.inflate(buf, s, e)
      if (plain === undefined) return
      body = plain
      bs = 0
      be = plain.length
      if (be < 4) return
      id = u32(body, 0)
    }
    const content = (seq & 1) === 1
    const query = isQuery(id)
    // description: RPC queries must be content-related (35); containers must not (34). A
    // content-related msgs_ack is accepted: mtcute sends them (a harmless deviation).
    if (query && !content) {
      this.badMsg(hi, lo, seq, 35, now)
      return
    }
    // below everything a full window remembers: the server cannot tell whether it saw it (20)
    if (this.window.forgotten(hi, lo) && this.window.find(hi, lo) < 0) {
      this.badMsg(hi, lo, seq, 20, now)
      return
    }
    const sc = this.window.seqCheck(hi, lo, seq)
    if (sc !== 0) {
      this.badMsg(hi, lo, seq, sc, now)
      return
    }
    const r = this.window.add(hi, lo, seq, content ? F_CONTENT : 0)
    if (r === TOO_OLD) {
      this.badMsg(hi, lo, seq, 20, now)
      return
    }
    if (r === DUPLICATE) {
      if (content) this.queueOwedAck(hi, lo, now)
      this.duplicate(hi, lo, now)
      return
    }
    if (content) this.queueOwedAck(hi, lo, now)
    switch (id) {
      case ID_MSGS_ACK:
        return this.onAcks(body, bs, be)
      case ID_MSGS_STATE_REQ:
        return this.onStateReq(hi, lo, body, bs, be, false)
      case ID_MSG_RESEND_REQ:
        return this.onStateReq(hi, lo, body, bs, be, true)
      case ID_HTTP_WAIT:
        // http_wait#9299359f max_delay:int wait_after:int max_wait:int (the last one wins)
        if (be - bs >= 16 && this.conn?.http) this.conn.setHttpWait(i32(body, bs + 4), i32(body, bs + 8), i32(body, bs + 12))
        return
      case ID_MSG_COPY: {
        if (be - bs < 20) return
        const olo = u32(body, bs + 4)
        const ohi = u32(body, bs + 8)
        const len = u32(body, bs + 16)
        if (len > be - bs - 20 || (olo & 3) !== 0) return
        return this.one(ohi, olo, u32(body, bs + 12), body, bs + 20, bs + 20 + len, now)
      }
      case ID_MSGS_STATE_INFO:
      case ID_MSGS_ALL_INFO:
      case ID_MSG_DETAILED_INFO:
      case ID_MSG_NEW_DETAILED_INFO:
      case ID_PONG:
      case ID_RPC_RESULT:
      case ID_BAD_MSG_NOTIFICATION:
      case ID_BAD_SERVER_SALT:
      case ID_FUTURE_SALTS:
        return // the client informs us: nothing to do
    }
    this.query(hi, lo, body, bs, be, now)
  }

  private inflate(buf: Uint8Array, s: number, e: number): Uint8Array | undefined {
    try {
      return gunzipBounded(new TlReader(null, buf, undefined, s + 4, e).bytes(), 16 << 20)
    } catch (err) {
      if (!(err instanceof TlError)) throw err
      this.conn?.event({ type: 'error', error: err })
      return undefined
    }
  }

  /** A query whose msg_id we already have: its answer again if we still have it, or where it is. */
  private duplicate(hi: number, lo: number, now: number): void {
    const a = this.answers.get(keyOf(hi, lo))
    if (a === undefined || this.queue.includes(a)) return
    if (a.body.length <= 16 * 1024) {
      // small: the answer itself, with its msg_id, in a container
      a.keepId = true
      this.queue.push(a)
    } else {
      // service_messages_about_messages: msg_detailed_info#276d3ec6 msg_id answer_msg_id bytes status
      const b = new Uint8Array(28)
      put32(b, 0, ID_MSG_DETAILED_INFO)
      put32(b, 4, lo)
      put32(b, 8, hi)
      put32(b, 12, a.lo)
      put32(b, 16, a.hi)
      put32(b, 20, a.body.length)
      this.queue.push(new OutMsg(b, false, K_SERVICE))
    }
    void now
  }

  // msgs_ack#62d6b459 msg_ids:Vector<long>
  private onAcks(buf: Uint8Array, s: number, e: number): void {
    if (e - s < 12 || u32(buf, s + 4) !== ID_VECTOR) return
    const n = u32(buf, s + 8)
    if (n > (e - s - 12) / 8 || n > MAX_IDS) return
    for (let i = 0, o = s + 12; i < n; i++, o += 8) {
      const id = keyOf(u32(buf, o + 4), u32(buf, o))
      const m = this.unacked.get(id)
      if (m === undefined || m.lo !== u32(buf, o)) continue
      this.unacked.delete(id)
      m.acked = true
      if (m.reqId > 0 && this.answers.get(m.reqId) === m) this.answers.delete(m.reqId)
      // queued to go again (a new connection, msg_resend_req): no longer needed
      if (m.keepId) {
        const qi = this.queue.indexOf(m)
        if (qi >= 0) this.queue.splice(qi, 1)
        m.keepId = false
      }
    }
  }

  /**
   * msgs_state_req: msgs_state_info with one status byte per id (from the window); or
   * msg_resend_req: those messages again, or the same msgs_state_info if one is not ours to re-send.
   */
  private onStateReq(hi: number, lo: number, buf: Uint8Array, s: number, e: number, resend: boolean): void {
    let ids: bigint[]
    try {
      ids = new TlReader(null, buf, undefined, s + 4, e).longs()
    } catch (err) {
      if (!(err instanceof TlError)) throw err
      this.conn?.event({ type: 'error', error: err })
      return
    }
    if (ids.length > MAX_IDS) ids = ids.slice(0, MAX_IDS)
    if (resend) {
      const found: OutMsg[] = []
      const half = [0, 0]
      for (const id of ids) {
        halvesOf(id, half)
        const m = this.unacked.get(keyOf(half[0], half[1]))
        if (m === undefined || m.hi !== half[0]) break
        found.push(m)
      }
      if (found.length === ids.length) {
        for (const m of found) {
          if (this.queue.includes(m)) continue
          m.keepId = true
          this.queue.push(m)
        }
        return
      }
    }
    // msgs_state_info#04deb57d req_msg_id:long info:string
    const w = new TlWriter(null, 20 + ids.length)
    w.int(ID_MSGS_STATE_INFO | 0)
    w.int(lo | 0)
    w.int(hi | 0)
    const info = new Uint8Array(ids.length)
    const half = [0, 0]
    for (let i = 0; i < ids.length; i++) {
      halvesOf(ids[i], half)
      info[i] = this.window.status(half[0], half[1])
    }
    w.bytes(info)
    this.queue.push(new OutMsg(w.toBytes(), false, K_SERVICE))
  }

  /** An RPC query: unwraps the API wrappers, answers service methods, hands the rest to the handler. */
  private query(hi: number, lo: number, buf: Uint8Array, s: number, e: number, now: number): void {
    const srv = this.server
    let p = s
    let end = e
    let src = buf
    let wrapped = false
    let layer: number | undefined
    let init: Record<string, unknown> | undefined
    let withoutUpdates = false
    let after: number[] | undefined
    try {
      for (let depth = 0; ; depth++) {
        if (end - p < 4 || depth > 16) throw new SessionError('E_TL', 'truncated query')
        const id = u32(src, p)
        if (id === ID_INVOKE_WITH_LAYER) {
          // invokeWithLayer#da9b0d0d {X:Type} layer:int query:!X
          if (end - p < 8) throw new SessionError('E_TL', 'truncated invokeWithLayer')
          layer = i32(src, p + 4)
          p += 8
        } else if (id === ID_INVOKE_WITHOUT_UPDATES) {
          withoutUpdates = true
          p += 4
        } else if (id === ID_INVOKE_AFTER_MSG) {
          if (end - p < 12) throw new SessionError('E_TL', 'truncated invokeAfterMsg')
          after = [keyOf(u32(src, p + 8), u32(src, p + 4))]
          p += 12
        } else if (id === ID_INVOKE_AFTER_MSGS) {
          const r = new TlReader(null, src, undefined, p + 4, end)
          const half = [0, 0]
          after = r.longs().map((x) => (halvesOf(x, half), keyOf(half[0], half[1])))
          p = r.pos
        } else if (id === ID_INIT_CONNECTION) {
          // initConnection#c1cd5ea9 flags:# api_id device_model system_version app_version
          // system_lang_code lang_pack lang_code proxy:flags.0?InputClientProxy params:flags.1?JSONValue query:!X
          const r = new TlReader(mtprotoCodec, src, undefined, p + 4, end)
          const flags = r.uint()
          init = {
            api_id: r.int(), device_model: r.string(), system_version: r.string(), app_version: r.string(),
            system_lang_code: r.string(), lang_pack: r.string(), lang_code: r.string(),
          }
          if (flags & 1) init.proxy = r.object()
          if (flags & 2) init.params = r.object()
          p = r.pos
        } else if (id === ID_GZIP_PACKED) {
          const plain = gunzipBounded(new TlReader(null, src, undefined, p + 4, end).bytes(), 16 << 20)
          src = plain
          p = 0
          end = plain.length
          continue
        } else break
        wrapped = true
      }
    } catch (err) {
      if (!(err instanceof TlError) && !(err instanceof SessionError)) throw err
      this.answer(new Running(hi, lo, wrapped), rpcErrorBody(400, 'INPUT_FETCH_ERROR'), now)
      return
    }
    const qid = u32(src, p)
    const run = new Running(hi, lo, wrapped)
    const slot = this.window.find(hi, lo)
    if (slot >= 0) this.window.setFlags(slot, F_RPC)
    // service methods the session answers itself
    switch (qid) {
      case ID_PING:
      case ID_PING_DELAY_DISCONNECT: {
        // ping#7abe77ec ping_id:long = Pong; pong#347773c5 msg_id:long ping_id:long
        if (end - p < 12) break
        if (qid === ID_PING_DELAY_DISCONNECT && end - p >= 16) this.conn?.disconnectIn(i32(src, p + 12), now)
        const b = new Uint8Array(20)
        put32(b, 0, ID_PONG)
        put32(b, 4, lo)
        put32(b, 8, hi)
        b.set(src.subarray(p + 4, p + 12), 12)
        // a bare ping gets a bare pong; one inside an API wrapper an rpc_result (mtcute only resolves that)
        return this.answer(run, b, now, !wrapped)
      }
      case ID_GET_FUTURE_SALTS: {
        // get_future_salts#b921bd04 num:int = FutureSalts (1..64, "may return fewer")
        if (end - p < 8) break
        const num = Math.min(64, Math.max(1, i32(src, p + 4)))
        const w0 = Math.floor(now / 1000 / SALT_PERIOD_S)
        // future_salts#ae500895 req_msg_id:long now:int salts:vector<future_salt>: a bare vector
        // of bare future_salt valid_since:int valid_until:int salt:long (16 bytes each)
        const b = new Uint8Array(20 + 16 * num)
        const dv = new DataView(b.buffer)
        put32(b, 0, ID_FUTURE_SALTS)
        put32(b, 4, lo)
        put32(b, 8, hi)
        put32(b, 12, Math.floor(now / 1000))
        put32(b, 16, num)
        srv.salts(this.entry, now)
        for (let i = 0; i < num; i++) {
          const o = 20 + 16 * i
          put32(b, o, (w0 + i) * SALT_PERIOD_S)
          put32(b, o + 4, (w0 + i + 2) * SALT_PERIOD_S) // its window and the 1800 s the old salt stays valid
          dv.setBigInt64(o + 8, w0 + i === this.entry.saltWindow ? this.entry.cur : srv.saltOf(this.entry.id, w0 + i), true)
        }
        return this.answer(run, b, now, !wrapped)
      }
      case ID_DESTROY_SESSION: {
        // destroy_session#e7512126 session_id:long = DestroySessionRes
        if (end - p < 12) break
        const sid = idOf(u32(src, p + 8), u32(src, p + 4))
        const other = sid === this.sessionId ? undefined : this.entry.sessions.get(sid)
        if (other !== undefined) srv.forget(other)
        const b = new Uint8Array(12)
        put32(b, 0, other !== undefined ? ID_DESTROY_SESSION_OK : ID_DESTROY_SESSION_NONE)
        b.set(src.subarray(p + 4, p + 12), 4)
        return this.answer(run, b, now, !wrapped)
      }
      case ID_DESTROY_AUTH_KEY: {
        // destroy_auth_key#d1435160 = DestroyAuthKeyRes
        const r = srv.deleteKey(this.entry)
        const b = new Uint8Array(4)
        put32(b, 0, r)
        this.answer(run, b, now, !wrapped)
        if (r !== ID_DESTROY_AUTH_KEY_FAIL) {
          // the key is gone: the answer goes out under it one last time, then the connection closes
          const conn = this.conn
          if (conn !== undefined) {
            const out: Outgoing[] = []
            this.flush(now, out, true)
            for (const o of out) conn.push(o)
            conn.event({ type: 'close', reason: 'auth key destroyed' })
          }
          srv.forgetKey(this.entry)
        }
        return
      }
      case ID_RPC_DROP_ANSWER:
        if (end - p < 12) break
        return this.answer(run, this.dropAnswer(keyOf(u32(src, p + 8), u32(src, p + 4))), now)
      case ID_BIND_TEMP_AUTH_KEY:
        return this.bind(run, src, p, end, now)
    }
    // api/pfs: an unbound temporary key serves only the binding and a couple of help methods
    const k = this.entry.key
    if (k.expiresAt !== undefined && qid !== HELP_GET_CONFIG && qid !== HELP_GET_NEAREST_DC && srv.boundPerm(this.entry, now) === undefined) {
      return this.answer(run, rpcErrorBody(401, 'AUTH_KEY_PERM_EMPTY'), now)
    }
    if (this.running.size >= srv.limits.maxPendingPerSession) {
      return this.answer(run, rpcErrorBody(420, 'FLOOD_WAIT_1'), now)
    }
    if (srv.builtins && (qid === ID_MTWIRE_ECHO || qid === ID_MTWIRE_SLEEP)) {
      if (qid === ID_MTWIRE_ECHO) {
        // mtwire.echo payload:bytes = mtwire.Payload: the payload back as mtwire.payload
        let payload: Uint8Array
        try {
          payload = new TlReader(null, src, undefined, p + 4, end).bytes()
        } catch (err) {
          if (!(err instanceof TlError)) throw err
          return this.answer(run, rpcErrorBody(400, 'INPUT_FETCH_ERROR'), now)
        }
        const w = new TlWriter(null, payload.length + 8)
        w.int(ID_MTWIRE_PAYLOAD | 0)
        w.bytes(payload)
        return this.answer(run, w.result(), now)
      }
      const ms = end - p >= 8 ? i32(src, p + 4) : -1
      if (ms < 0 || ms > srv.limits.maxSleep) return this.answer(run, rpcErrorBody(400, 'SLEEP_MS_INVALID'), now)
      this.running.set(run.id, run)
      this.timers.set(run, now + ms)
      return
    }
    const raw = src.subarray(p, end)
    let decoded: unknown = raw
    try {
      decoded = new TlReader(srv.codec, src, undefined, p, end).objectOrRaw()
    } catch (err) {
      if (!(err instanceof TlError)) throw err
      decoded = raw
    }
    const call: RpcCall = {
      query: decoded, raw, constructorId: qid, msgId: idOf(hi, lo), authKeyId: this.entry.id, sessionId: this.sessionId,
      withoutUpdates, session: this,
    }
    if (layer !== undefined) call.layer = layer
    if (init !== undefined) call.initConnection = init
    this.running.set(run.id, run)
    run.start = () => this.run(run, call)
    if (after !== undefined && after.some((x) => this.running.has(x))) {
      // invokeAfterMsg(s): after those queries finished (others have, or are unknown: run now)
      run.after = after
      this.deferred.push(run)
      return
    }
    this.run(run, call)
  }

  /** Calls the handler; its answer (now or later) goes out as rpc_result. */
  private run(run: Running, call: RpcCall): void {
    run.start = undefined
    let v: unknown
    try {
      v = this.server.handler(call)
    } catch (err) {
      v = errorOf(err, this.conn)
    }
    if (v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function') {
      ;(v as Promise<unknown>).then(
        (x) => this.settle(run, x),
        (err) => this.settle(run, errorOf(err, this.conn)),
      )
      return
    }
    this.settle(run, v, false)
  }

  /** An answer came from the handler. */
  private settle(run: Running, value: unknown, async = true): void {
    if (this.disposed || this.running.get(run.id) !== run) return
    const now = this.server.now()
    let body: Uint8Array
    try {
      body = this.encodeResult(value)
    } catch (err) {
      if (!(err instanceof TlError)) throw err
      this.conn?.event({ type: 'error', error: err })
      body = rpcErrorBody(500, 'INTERNAL_SERVER_ERROR')
    }
    this.complete(run, body, now)
    if (async) this.conn?.wake(now)
  }

  private encodeResult(v: unknown): Uint8Array {
    if (v instanceof Uint8Array) {
      if (v.length < 4 || v.length % 4 !== 0) throw new TlEncodeError('E_TL_ENCODE', `a serialized result must be a non-empty multiple of 4 bytes, got ${v.length}`)
      return v
    }
    if (v instanceof RpcError) return rpcErrorBody(v.errorCode, v.errorMessage)
    if (typeof v === 'boolean') return boolBody(v)
    const w = this.server.writer.reset()
    w.object(v)
    const b = w.toBytes()
    if (w.buf.length > 1 << 20) this.server.writer = new TlWriter(this.server.codec, 1024)
    return b
  }

  /** A running query finished with `body` (true: mtwire.sleep's boolTrue). */
  private complete(run: Running, body: Uint8Array | true, now: number): void {
    this.running.delete(run.id)
    this.answer(run, body === true ? boolBody(true) : body, now)
    // invokeAfterMsg(s) waiting for it
    if (this.deferred.length) {
      const ready = this.deferred.filter((r) => !r.after!.some((x) => this.running.has(x)))
      if (ready.length) {
        this.deferred = this.deferred.filter((r) => !ready.includes(r))
        for (const r of ready) r.start?.()
      }
    }
  }

  /**
   * Queues an answer: `rpc_result req_msg_id result` (gzip_packed when large and smaller), or
   * `bare` (a service answer: pong, future_salts, destroy_*).
   */
  private answer(run: Running, result: Uint8Array, _now: number, bare = false): void {
    this.running.delete(run.id)
    if (this.disposed) return
    let body: Uint8Array
    if (bare) body = result
    else {
      const r = run.dropped ? dropRunningBody() : this.maybeGzip(result, true)
      body = new Uint8Array(12 + r.length)
      put32(body, 0, ID_RPC_RESULT)
      put32(body, 4, run.lo)
      put32(body, 8, run.hi)
      body.set(r, 12)
    }
    const id = u32(body, 0)
    // not content-related: pong, future_salts (service_messages: they need no acknowledgment)
    const content = !(id === ID_PONG || id === ID_FUTURE_SALTS)
    const m = new OutMsg(body, content, content ? K_RPC : K_SERVICE)
    m.reqId = run.id
    this.queue.push(m)
    if (content) this.answers.set(run.id, m)
    // the answer acknowledges the query
    const at = this.window.find(run.hi, run.lo)
    if (at >= 0) this.window.setFlags(at, content ? F_ANSWERED | F_RPC | F_ACKED : F_RPC | F_ACKED)
  }

  /** rpc_drop_answer: the answer to give (service_messages#cancellation-of-an-rpc-query). */
  private dropAnswer(req: number): Uint8Array {
    const r = this.running.get(req)
    if (r !== undefined) {
      // "the response was canceled while the RPC query was being processed": the query still
      // runs; its own answer becomes rpc_answer_dropped_running too
      r.dropped = true
      return dropRunningBody()
    }
    const a = this.answers.get(req)
    if (a !== undefined && !a.acked) {
      // removed from the outgoing queue: rpc_answer_dropped msg_id seq_no bytes
      this.answers.delete(req)
      this.unacked.delete(a.key)
      const qi = this.queue.indexOf(a)
      if (qi >= 0) this.queue.splice(qi, 1)
      const b = new Uint8Array(20)
      put32(b, 0, ID_RPC_ANSWER_DROPPED)
      put32(b, 4, a.lo)
      put32(b, 8, a.hi)
      put32(b, 12, a.seqNo)
      put32(b, 16, a.body.length)
      return b
    }
    const b = new Uint8Array(4)
    put32(b, 0, ID_RPC_ANSWER_UNKNOWN)
    return b
  }

  /** auth.bindTempAuthKey (api/pfs, method/auth.bindTempAuthKey), verified by the auth layer's verifyBindTempAuthKey. */
  private bind(run: Running, src: Uint8Array, p: number, end: number, now: number): void {
    const srv = this.server
    const k = this.entry.key
    let req: RawAuth_bindTempAuthKeyRequest
    try {
      // auth.bindTempAuthKey#cdd42a05 perm_auth_key_id:long nonce:long expires_at:int encrypted_message:bytes
      const r = new TlReader(null, src, undefined, p + 4, end)
      req = { _: 'auth.bindTempAuthKey', perm_auth_key_id: r.long(), nonce: r.long(), expires_at: r.int(), encrypted_message: r.bytes() }
    } catch (err) {
      if (!(err instanceof TlError)) throw err
      return this.answer(run, rpcErrorBody(400, 'INPUT_FETCH_ERROR'), now)
    }
    const res = verifyBindTempAuthKey(srv.crypto, req, {
      tempKey: k.expiresAt !== undefined ? k.authKey : undefined,
      msgId: idOf(run.hi, run.lo),
      sessionId: this.sessionId,
      lookupPermKey: (id) => srv.permKey(id, now),
      boundPermKeyId: () => srv.boundPerm(this.entry, now),
      now,
      tempKeyExpiresAt: k.expiresAt,
    })
    if (!res.ok) {
      this.conn?.error('E_BIND', `auth.bindTempAuthKey refused: ${res.reason}`)
      return this.answer(run, rpcErrorBody(res.errorCode, res.error), now)
    }
    // "binding a new temporary key overwrites the previous one"
    srv.bindKey(this.entry, res.permAuthKeyId, res.expiresAt)
    this.conn?.event({ type: 'bound', tempAuthKeyId: this.entry.id, permAuthKeyId: res.permAuthKeyId, expiresAt: res.expiresAt })
    this.answer(run, boolBody(true), now)
  }

  /**
   * Pushes an update (any TL object or its serialization) to the client: content-related,
   * re-sent until acknowledged. Call `takeOutgoing()` of its connection (the `onOutgoing`
   * callback says when).
   */
  send(update: unknown): void {
    const body = this.encodeResult(update)
    const m = new OutMsg(body, true, K_RPC)
    m.reqId = -1 // parity 3: not a response
    this.queue.push(m)
    this.conn?.wake(this.server.now())
  }
}

function errorOf(err: unknown, conn: ServerConnection | undefined): Uint8Array {
  if (err instanceof RpcError) return rpcErrorBody(err.errorCode, err.errorMessage)
  if (err !== null && typeof err === 'object' && (err as { _?: unknown })._ === 'rpc_error') {
    const e = err as { error_code: number; error_message: string }
    return rpcErrorBody(e.error_code, e.error_message)
  }
  conn?.event({ type: 'error', error: new SessionError('E_HANDLER', `the RPC handler failed: ${err instanceof Error ? err.message : String(err)}`) })
  return rpcErrorBody(500, 'INTERNAL_SERVER_ERROR')
}

/** rpc_error#2144ca19 error_code:int error_message:string */
export function rpcErrorBody(code: number, message: string): Uint8Array {
  const w = new TlWriter(null, 16 + message.length)
  w.int(ID_RPC_ERROR | 0)
  w.int(code | 0)
  w.string(message)
  return w.toBytes()
}

function boolBody(v: boolean): Uint8Array {
  const b = new Uint8Array(4)
  put32(b, 0, v ? ID_BOOL_TRUE : 0xbc799737)
  return b
}

function dropRunningBody(): Uint8Array {
  const b = new Uint8Array(4)
  put32(b, 0, ID_RPC_ANSWER_DROPPED_RUNNING)
  return b
}
