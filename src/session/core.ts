/**
 * What a client session and a server session share (core.telegram.org/mtproto/description,
 * /service_messages): the identity of the session (session_id, salt, key), the msg_id clock, the
 * seq_no counter, the received-id window, the acknowledgment queue, and the two ends of the wire:
 * packing outgoing messages (alone, or in a msg_container with the pending acks) into one
 * buffer and encrypting it with one crypto call; decrypting an incoming packet in place and
 * walking its messages. The roles (client.ts, server.ts) decide what each message means.
 */
import type { AuthKey } from '../crypto/authkey.js'
import { allocBytes } from '../bytes.js'
import { paddingLength } from '../crypto/envelope.js'
import type { Crypto } from '../crypto/types.js'
import { gzipPacked } from '../tl/api.js'
import { MsgIdClock, idOf, keyOf } from '../auth/msgid.js'
import { IdWindow } from './window.js'
import {
  ID_INVOKE_AFTER_MSG, ID_MSG_CONTAINER, ID_MSGS_ACK, ID_VECTOR, MAX_CONTAINER_BYTES, MAX_CONTAINER_MESSAGES, MAX_IDS, put32, u32,
} from './wire.js'

/** One item a session layer hands down: a packet to frame, or (server) a quick-ACK answer. */
export type Outgoing =
  /** An encrypted packet. `quickAck`: (client) set the framing's quick-ACK request flag. */
  | { type: 'packet'; data: Uint8Array; quickAck: boolean }
  /** (server) Answer the client's quick-ACK request: `framing.encodeQuickAck(token)`. */
  | { type: 'quickAck'; token: number }
  /** (server) Send a transport error packet carrying −status (`framing.encodeError(status)`), then close. */
  | { type: 'transportError'; status: number }

/** Kinds of outgoing message, for what their answer or loss means. */
export const K_RPC = 0 // a query whose rpc_result is awaited (client), or an answer (server)
export const K_ACK = 1 // msgs_ack
export const K_PING = 2
export const K_STATE_REQ = 3
export const K_RESEND_REQ = 4
export const K_FUTURE_SALTS = 5
export const K_DESTROY_SESSION = 6
export const K_DESTROY_AUTH_KEY = 7
export const K_DROP_ANSWER = 8
export const K_HTTP_WAIT = 9
export const K_CONTAINER = 10
export const K_SERVICE = 11 // (server) an answer or notice that needs no tracking
export const K_BIND = 12

/**
 * An outgoing message. One class for every kind, every field initialised, so that V8 keeps one
 * shape for all of them.
 */
export class OutMsg {
  /** The body to send, serialized (for an `after` chain: the query, wrapped when packed). */
  body: Uint8Array
  /** Content-related: odd seqno, needs an acknowledgment. */
  content: boolean
  kind: number
  /** msg_id halves and map key (auth/msgid.ts keyOf), assigned when first packed (0: not yet); kept when `keepId`. */
  hi = 0
  lo = 0
  key = 0
  seqNo = 0
  /** The key of the container it last went out in (0: alone); for a container, its contents. */
  container = 0
  items: OutMsg[] | undefined = undefined
  /** Clock reading when last packed (-1: never). */
  sentAt = -1
  /** Next pack reuses msgId / seqNo (a resend the peer can deduplicate); it then goes in a container. */
  keepId = false
  /** Times re-sent with a new msg_id. */
  resends = 0
  /** The peer acknowledged it (msgs_ack, an answer, a quick ACK). */
  acked = false
  /** Done: answered, failed or dropped; a late answer is ignored. */
  done = false
  /** Ask for a quick ACK of the packet carrying it (client). */
  quickAck = false
  /** Chained request: sent as invokeAfterMsg(after.msgId, body) while `after` is unanswered. */
  after: OutMsg | undefined = undefined
  /** For a bind: builds the body once the msg_id is known. */
  late: ((msgId: bigint) => Uint8Array) | undefined = undefined
  // --- client requests
  /** Method name for the result reader (codec.results), or '' for a raw request. */
  method = ''
  resolve: ((v: unknown) => void) | undefined = undefined
  reject: ((e: Error) => void) | undefined = undefined
  /** Clock reading when the request times out (Infinity: never). */
  deadline = Infinity
  timeout = 0
  /** When to check on an unanswered request (msgs_state_req), Infinity when not waiting. */
  checkAt = Infinity
  /** Removes an abort listener. */
  cleanup: (() => void) | undefined = undefined
  /** `send()`: the outcome goes out as a `result` event with this tag (`invoke()`: a promise). */
  tag: unknown = undefined
  evented = false
  /** Free-form: ping_id, session_id, ack ids, ... per kind. */
  data: unknown = undefined
  // --- server answers
  /** The key of the client msg_id this answers (rpc_result's req_msg_id), 0 otherwise (-1: an update). */
  reqId = 0
  /** TimerHeap place (timers.ts). */
  heapAt = Infinity
  heapIx = -1

  constructor(body: Uint8Array, content: boolean, kind: number) {
    this.body = body
    this.content = content
    this.kind = kind
  }

  /** The msg_id (0n before it is first packed). */
  get msgId(): bigint {
    return this.key === 0 ? 0n : idOf(this.hi, this.lo)
  }

  /** Forgets the msg_id: the next pack gives a new one. */
  clearId(): void {
    this.hi = 0
    this.lo = 0
    this.key = 0
  }

  /** Bytes this message takes in a container (header + body). */
  get size(): number {
    return 16 + this.bodyLength
  }

  get bodyLength(): number {
    return this.body.length + (this.after !== undefined && !this.after.done ? 12 : 0)
  }
}

export interface CoreOptions {
  crypto: Crypto
  /** Received msg_ids remembered for duplicate and replay checks. */
  windowSize: number
  /** Content-related bodies from this size up are sent as gzip_packed when that is smaller; false: never. */
  gzipMinSize: number | false
  /** Padding mode of the envelope (`'buckets'` hides lengths). */
  padding: 'random' | 'buckets'
}

const EMPTY = /* @__PURE__ */ new Uint8Array(0)
/** The pack buffer is kept up to this size; a larger packet gets its own. */
const KEEP = 65_536 // 64 KiB
let packBuf = /* @__PURE__ */ new Uint8Array(4096)

/**
 * The shared half of a session. Not used alone: `ClientSession` and `ServerSession` extend it.
 */
export abstract class SessionCore {
  readonly crypto: Crypto
  /** This session's id: random 64 bits chosen by the client. */
  sessionId = 0n
  protected readonly sessionBytes = new Uint8Array(8)
  /** The server salt messages go out with (8 bytes as on the wire). */
  protected readonly saltBytes = new Uint8Array(8)
  readonly clock = new MsgIdClock()
  /** Content-related messages sent: the next one gets seqno 2·seq+1 (description#message-sequence-number). */
  seq = 0
  readonly window: IdWindow
  /** Received content-related ids to acknowledge (halves). */
  protected ackHi: number[] = []
  protected ackLo: number[] = []
  /** Messages to send, in order. */
  protected queue: OutMsg[] = []
  protected readonly gzipMinSize: number | false
  private readonly padOptions: { padding: 'random' | 'buckets'; quickAck: { token: number } | undefined }
  private readonly tokenSlot = { token: 0 }

  constructor(o: CoreOptions) {
    this.crypto = o.crypto
    this.window = new IdWindow(o.windowSize)
    this.gzipMinSize = o.gzipMinSize
    this.padOptions = { padding: o.padding, quickAck: undefined }
  }

  protected setSessionId(id: bigint): void {
    this.sessionId = BigInt.asIntN(64, id)
    new DataView(this.sessionBytes.buffer).setBigInt64(0, this.sessionId, true)
  }

  /** The salt as a TL long. */
  get salt(): bigint {
    return new DataView(this.saltBytes.buffer).getBigInt64(0, true)
  }

  protected setSalt(salt: bigint): void {
    new DataView(this.saltBytes.buffer).setBigInt64(0, BigInt.asIntN(64, salt), true)
  }

  /** seq_no for the next message (description: "twice the number of content-related messages created by the sender prior to this message and subsequently incremented by one if the current message is a content-related message"). */
  protected nextSeq(content: boolean): number {
    return content ? 2 * this.seq++ + 1 : 2 * this.seq
  }

  /** Queues the acknowledgment of a received content-related message. */
  protected queueAck(hi: number, lo: number): void {
    this.ackHi.push(hi)
    this.ackLo.push(lo)
  }

  get pendingAcks(): number {
    return this.ackHi.length
  }

  /** A body, as gzip_packed when it is content-related, large enough and compresses. */
  protected maybeGzip(body: Uint8Array, content: boolean): Uint8Array {
    const min = this.gzipMinSize
    if (min === false || !content || body.length < min) return body
    // a large body whose middle KiB does not compress (media, encrypted data) is not tried whole
    if (body.length > 16384) {
      const mid = (body.length >> 1) & ~3
      if (gzipPacked(body.subarray(mid - 512, mid + 512), 0).length >= 1024) return body
    }
    return gzipPacked(body, min)
  }

  /** A msgs_ack of up to 8192 queued ids, or undefined when none is queued. */
  protected takeAcks(): OutMsg | undefined {
    const n = Math.min(this.ackHi.length, MAX_IDS)
    if (n === 0) return undefined
    let body = new Uint8Array(12 + 8 * n)
    put32(body, 0, ID_MSGS_ACK)
    put32(body, 4, ID_VECTOR)
    put32(body, 8, n)
    const hi = this.ackHi
    const lo = this.ackLo
    let k = 0
    for (let i = 0, o = 12; i < n; i++) {
      if (!this.ackWanted(hi[i], lo[i])) continue
      put32(body, o, lo[i])
      put32(body, o + 4, hi[i])
      o += 8
      k++
    }
    if (k < n) {
      if (k === 0) {
        hi.splice(0, n)
        lo.splice(0, n)
        return this.takeAcks()
      }
      put32(body, 8, k)
      body = body.subarray(0, 12 + 8 * k)
    }
    if (n === hi.length) {
      this.ackHi = []
      this.ackLo = []
    } else {
      hi.splice(0, n)
      lo.splice(0, n)
    }
    return new OutMsg(body, false, K_ACK)
  }

  /** Whether a queued acknowledgment is still needed when the msgs_ack is written (the server skips queries it answered). */
  protected ackWanted(_hi: number, _lo: number): boolean {
    return true
  }

  /** A msgs_ack is about to go out (the server marks the ids acknowledged). */
  protected onAcksTaken(_ack: OutMsg): void {}

  /** Called for each message as it goes out, with its msg_id assigned. */
  protected abstract onSent(m: OutMsg, now: number): void
  /** Parity of our msg_ids for a message: 0 for a client, 1 (response) or 3 for a server. */
  protected abstract parityOf(m: OutMsg): number

  /**
   * Packs the queued messages (acks first) into packets: one message alone, or several in
   * msg_containers of at most 1024 messages and MAX_CONTAINER_BYTES, each encrypted with `key`
   * (`x`: 0 client, 8 server). Appends to `out`.
   */
  protected pack(now: number, key: AuthKey, x: 0 | 8, out: Outgoing[], acksAlone: boolean): void {
    let qi = 0
    const q = this.queue
    if (q.length === 0 && (!acksAlone || this.ackHi.length === 0)) return
    for (;;) {
      // a fresh array per packet, not one emptied with `length = 0`: that store is a call into
      // V8's runtime (~30 ns more than allocating), and a container keeps its batch as `items`
      const batch: OutMsg[] = []
      let bytes = 0
      const ack = this.takeAcks()
      if (ack !== undefined) {
        batch.push(ack)
        bytes += ack.size
        this.onAcksTaken(ack)
      }
      let keep = false
      while (qi < q.length && batch.length < MAX_CONTAINER_MESSAGES) {
        const m = q[qi]
        if (batch.length > 0 && bytes + m.size > MAX_CONTAINER_BYTES) break
        batch.push(m)
        bytes += m.size
        if (m.keepId) keep = true
        qi++
      }
      if (batch.length === 0) break
      out.push(this.write(batch, now, key, x, batch.length > 1 || keep))
    }
    if (qi === q.length) this.queue = []
    else q.splice(0, qi)
  }

  /** Writes one packet of `batch` (in a container if `container`) and encrypts it. */
  private write(batch: OutMsg[], now: number, key: AuthKey, x: 0 | 8, container: boolean): Outgoing {
    // msg_ids in order (the container's last, above all it holds), bodies that need them
    let len = container ? 8 : 0
    let quickAck = false
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]
      if (!m.keepId || m.key === 0) {
        this.clock.next(now, this.parityOf(m))
        m.hi = this.clock.hi
        m.lo = this.clock.lo
        m.key = keyOf(m.hi, m.lo)
        m.seqNo = this.nextSeq(m.content)
      }
      m.keepId = false
      if (m.late !== undefined) m.body = m.late(m.msgId)
      len += container ? m.size : m.bodyLength
      if (m.quickAck) quickAck = true
    }
    let cont: OutMsg | undefined
    if (container) {
      cont = new OutMsg(EMPTY, false, K_CONTAINER)
      this.clock.next(now, this.parityOf(cont))
      cont.hi = this.clock.hi
      cont.lo = this.clock.lo
      cont.key = keyOf(cont.hi, cont.lo)
      cont.seqNo = this.nextSeq(false)
      cont.items = batch
    }
    const total = 32 + len
    // one buffer for every session of the process (packing is synchronous; it is zeroed after use)
    const b = total <= packBuf.length ? packBuf : total <= KEEP ? (packBuf = new Uint8Array(Math.max(total, packBuf.length * 2))) : new Uint8Array(total)
    b.set(this.saltBytes, 0)
    b.set(this.sessionBytes, 8)
    const top = cont ?? batch[0]
    put32(b, 16, top.lo)
    put32(b, 20, top.hi)
    put32(b, 24, top.seqNo)
    put32(b, 28, len)
    let o = 32
    if (container) {
      put32(b, 32, ID_MSG_CONTAINER)
      put32(b, 36, batch.length)
      o = 40
    }
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]
      if (container) {
        put32(b, o, m.lo)
        put32(b, o + 4, m.hi)
        put32(b, o + 8, m.seqNo)
        put32(b, o + 12, m.bodyLength)
        o += 16
      }
      if (m.after !== undefined && !m.after.done) {
        // invokeAfterMsg#cb9f372d msg_id:long query:!X
        put32(b, o, ID_INVOKE_AFTER_MSG)
        put32(b, o + 4, m.after.lo)
        put32(b, o + 8, m.after.hi)
        o += 12
      }
      b.set(m.body, o)
      o += m.body.length
      m.sentAt = now
      m.container = cont !== undefined ? cont.key : 0
    }
    const inner = b.subarray(0, total)
    const po = this.padOptions
    po.quickAck = quickAck ? this.tokenSlot : undefined
    const data = allocBytes(24 + total + paddingLength(total, 0, po.padding === 'buckets'))
    this.crypto.encryptMessageInto(key, inner, x, data, po)
    b.fill(0, 0, total) // no plaintext left behind
    for (let i = 0; i < batch.length; i++) this.onSent(batch[i], now)
    if (cont !== undefined) {
      cont.sentAt = now
      this.onSent(cont, now)
    }
    if (quickAck) this.onQuickAckToken(this.tokenSlot.token, top)
    return { type: 'packet', data, quickAck }
  }

  /** (client) The quick-ACK token of the packet whose top message is `top`. */
  protected onQuickAckToken(_token: number, _top: OutMsg): void {}
}

/**
 * Decrypts `packet` in place with `key` (`x`: 8 on a client, 0 on a server) and returns the inner
 * message's length (`packet[0 .. n)`), or -1 after a failed check (the packet is then left as it
 * was; nothing of it may be used). Fills `token` (quick ACK) when given.
 */
export function decryptInPlace(crypto: Crypto, key: AuthKey, packet: Uint8Array, x: 0 | 8, token?: { token: number }): number {
  try {
    return crypto.decryptMessageInto(key, packet, x, packet, token ? { quickAck: token } : undefined)
  } catch (e) {
    if (e instanceof Error && (e as { code?: string }).code === 'E_DECRYPT') return -1
    throw e
  }
}

/**
 * Walks a msg_container body `buf[start, end)` (its constructor id at `start`), checking its
 * structure (service_messages#simple-container): at most 1024 messages, each with a sane length
 * inside the body and a msg_id below the container's, none a container itself, nothing left
 * over. Calls `each(hi, lo, seq, bodyStart, bodyEnd)`; returns '' or what is wrong (then
 * nothing was called).
 */
export function checkContainer(buf: Uint8Array, start: number, end: number, chi: number, clo: number): string {
  if (end - start < 8) return 'truncated container'
  const count = u32(buf, start + 4)
  if (count > MAX_CONTAINER_MESSAGES) return `container of ${count} messages (at most ${MAX_CONTAINER_MESSAGES})`
  let o = start + 8
  for (let i = 0; i < count; i++) {
    if (end - o < 16) return 'truncated container'
    const hi = u32(buf, o + 4)
    const lo = u32(buf, o)
    const len = u32(buf, o + 12)
    if (len % 4 !== 0 || len < 4 || len > end - o - 16) return `message ${i}: bad length ${len}`
    if (hi > chi || (hi === chi && lo >= clo)) return `message ${i}: msg_id not below the container's`
    if (u32(buf, o + 16) === ID_MSG_CONTAINER) return 'nested container'
    o += 16 + len
  }
  if (o !== end) return `${end - o} bytes after the container's messages`
  return ''
}

