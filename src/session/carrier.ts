/**
 * How a client's packets travel, sans-IO: a `Pipe` turns packets into bytes and bytes into
 * packets on one connection (a framing with obfuscated2 / MTProxy / fake-TLS, a WebSocket, an
 * HTTP request), and a `Carrier` decides which connections to open and which one a packet goes
 * on. `ClientLink` (link.ts) drives a carrier; the driver opens the connections it names, writes
 * what it says and feeds back what arrives.
 *
 * - `StreamCarrier`: one connection at a time (TCP framings, obfuscated2, MTProxy, WebSocket).
 * - `HttpCarrier`: the HTTP transport (mtproto-transports#http), one request in flight at a
 *   time on keep-alive connections. The server answers a request once, and only the request
 *   it heard from last may carry what it sends later (service_messages#http-wait-long-poll), so
 *   the link keeps one long poll (http_wait) outstanding when it has nothing else to send, and
 *   gives up the poll's connection when a request must go while it waits: two held requests
 *   would leave the older one without an answer.
 */
import type { Crypto } from '../crypto/types.js'
import { none, type TransportItem } from '../layer.js'
import { ClientTransport } from '../transport/client.js'
import type { FrameEvent, FramingKind } from '../transport/framing.js'
import { HttpClientCodec } from '../transport/http.js'
import { createWebSocketClientTransport, WebSocketClientTransport } from '../transport/websocket.js'

/** What a link asks its driver to do. */
export type LinkOutput =
  /** Open connection `conn` (to the one server the driver was given). */
  | { type: 'connect'; conn: number }
  | { type: 'write'; conn: number; data: Uint8Array }
  /** Close connection `conn` (after writing what came before). */
  | { type: 'close'; conn: number }

/** What a pipe makes of received bytes: packets, quick ACKs, and (last) an error. */
export type PipeEvent = FrameEvent

/**
 * One connection's client transport (src/transport/, every one a `Layer`): `start` queues the
 * first bytes (a protocol tag, an obfuscated2 header, a ClientHello, a WebSocket upgrade),
 * `send` a packet, `receive` bytes; `takeOutgoing` gives the bytes to write.
 */
export interface Pipe {
  start?(now: number): void
  send(item: TransportItem): void
  receive(chunk: Uint8Array, now: number): FrameEvent[]
  takeOutgoing(): Uint8Array[]
  dispose?(): void
}

export type TransportName = 'abridged' | 'intermediate' | 'padded' | 'full' | 'obfuscated2' | 'websocket' | 'http'

export const TRANSPORT_NAMES: readonly TransportName[] = ['abridged', 'intermediate', 'padded', 'full', 'obfuscated2', 'websocket', 'http']

export interface PipeOptions {
  crypto: Crypto
  transport: TransportName
  dcId: number
  test?: boolean
  media?: boolean
  /** MTProxy secret (plain, `dd` or `ee`), obfuscated2 only. */
  secret?: string | Uint8Array
  /** The framing inside obfuscated2 or a WebSocket. */
  framing?: FramingKind
  /** Host name for the HTTP `Host` header and the WebSocket request. */
  host?: string
  /**
   * WebSocket: who frames the messages. `'rfc6455'`: the link does (the driver's connection is a
   * byte stream, e.g. TCP); `'native'`: the driver's socket is a WebSocket that frames each
   * write as one message and hands over each message's bytes.
   */
  webSocketFrames?: 'rfc6455' | 'native'
  maxPacketLength?: number
  now?: () => number
}

/** The client transport for one new connection. */
export function createPipe(o: PipeOptions): Pipe {
  const common = { crypto: o.crypto, dcId: o.dcId, test: o.test, media: o.media, maxPacketLength: o.maxPacketLength, now: o.now }
  switch (o.transport) {
    case 'abridged':
    case 'intermediate':
    case 'padded':
    case 'full':
      return new ClientTransport({ ...common, framing: o.transport })
    case 'obfuscated2':
      return new ClientTransport({ ...common, framing: o.framing, obfuscated: true, proxySecret: o.secret })
    case 'websocket': {
      const ws = { ...common, framing: o.framing, proxySecret: o.secret }
      if (o.webSocketFrames === 'native') return createWebSocketClientTransport(ws)
      return new WebSocketClientTransport({ ...ws, host: o.host ?? 'localhost' })
    }
    case 'http':
      return new HttpClientCodec(o.host ?? 'localhost', { maxPacketLength: o.maxPacketLength })
  }
}

/** What became of the link when a connection closed or a timer ran out. */
export type CarrierChange =
  /** Nothing that matters: an idle connection went away. */
  | undefined
  /** The link is down: no connection could be opened, or the one carrying everything closed. */
  | 'failed'
  /** A request may have been lost (its connection closed before the answer): re-send what is unanswered. */
  | 'lost'

/** Which connections to open and which one carries a packet. */
export interface Carrier {
  /** Actions for the driver, in order, since the last call. */
  takeOut(): LinkOutput[]
  /** A connection is open and packets can go. */
  readonly isOpen: boolean
  /** Opens the link's first connection. */
  dial(now: number): void
  /** Connection `conn` opened; true when that made the link open. */
  opened(conn: number, now: number): boolean
  /** Bytes from `conn`: its packets and errors, in order (writes already queued). */
  data(conn: number, bytes: Uint8Array, now: number): PipeEvent[]
  /** Connection `conn` closed (by the peer, the network, or after our `close`). */
  closed(conn: number, now: number): CarrierChange
  /** Whether a packet may be handed over now (HTTP: none in flight but a poll). */
  ready(): boolean
  /** Sends a packet. `poll`: HTTP, a request the server may hold (http_wait). */
  send(packet: Uint8Array, quickAck: boolean, now: number, poll?: boolean): void
  /** HTTP: nothing is in flight, so the server has no request to answer with what it sends later. */
  wantsPoll(): boolean
  /** Closes every connection (`graceful`: goodbye bytes first). */
  drop(graceful: boolean): void
  nextDeadline(): number | undefined
  tick(now: number): CarrierChange
}

interface Conn {
  id: number
  pipe: Pipe
  open: boolean
  /** The transport reported an error: it throws on further input. */
  failed: boolean
  dialedAt: number
}

/**
 * Connection ids, unique in the process. A module variable, not a static field: esbuild emits a
 * static field as an assignment after the class, a side effect that kept every carrier in
 * bundles that never connect (the crypto-only page).
 */
let nextConnId = 0

/** Shared by both carriers: connection ids, the connect timeout, byte accounting. */
abstract class BaseCarrier {
  protected out: LinkOutput[] = []
  bytesSent = 0
  bytesReceived = 0
  connections = 0
  constructor(protected readonly make: () => Pipe, protected readonly connectTimeout: number) {}

  /** What to do, in order, since the last call (a shared empty array when nothing). */
  takeOut(): LinkOutput[] {
    const o = this.out
    if (o.length === 0) return none()
    this.out = []
    return o
  }

  protected newConn(now: number): Conn {
    const c = { id: ++nextConnId, pipe: this.make(), open: false, failed: false, dialedAt: now }
    this.connections++
    this.out.push({ type: 'connect', conn: c.id })
    return c
  }

  /** Writes what the pipe has queued. */
  protected flush(c: Conn): void {
    const bytes = c.pipe.takeOutgoing()
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]
      this.bytesSent += b.length
      this.out.push({ type: 'write', conn: c.id, data: b })
    }
  }

  /** The pipe's events for `bytes`; what it has to write (a fake-TLS hello's followers, a pong) goes out at once. */
  protected decode(c: Conn, bytes: Uint8Array, now: number): PipeEvent[] {
    this.bytesReceived += bytes.length
    if (c.failed) return []
    const ev = c.pipe.receive(bytes, now)
    if (ev.length && ev[ev.length - 1].type === 'error') c.failed = true
    this.flush(c)
    return ev
  }

  protected shut(c: Conn, graceful: boolean): void {
    // graceful: what was queued goes first (the driver closes after writing it)
    if (graceful && c.open && !c.failed) this.flush(c)
    this.out.push({ type: 'close', conn: c.id })
    c.pipe.dispose?.()
  }
}

/** One connection at a time; every packet goes on it. */
export class StreamCarrier extends BaseCarrier implements Carrier {
  private conn: Conn | undefined

  get isOpen(): boolean {
    return this.conn?.open === true
  }

  dial(now: number): void {
    if (this.conn) this.shut(this.conn, false)
    this.conn = this.newConn(now)
  }

  opened(id: number, now: number): boolean {
    const c = this.conn
    if (c === undefined || c.id !== id || c.open) return false
    c.open = true
    c.pipe.start?.(now)
    this.flush(c)
    return true
  }

  data(id: number, bytes: Uint8Array, now: number): PipeEvent[] {
    const c = this.conn
    if (c === undefined || c.id !== id || !c.open) return []
    return this.decode(c, bytes, now)
  }

  closed(id: number): CarrierChange {
    const c = this.conn
    if (c === undefined || c.id !== id) return undefined
    this.conn = undefined
    c.pipe.dispose?.()
    return 'failed'
  }

  ready(): boolean {
    return this.isOpen
  }

  send(packet: Uint8Array, quickAck: boolean): void {
    const c = this.conn
    if (!c?.open || c.failed) return
    c.pipe.send({ type: 'packet', data: packet, quickAck })
    this.flush(c)
  }

  wantsPoll(): boolean {
    return false
  }

  drop(graceful: boolean): void {
    if (this.conn) this.shut(this.conn, graceful)
    this.conn = undefined
  }

  nextDeadline(): number | undefined {
    const c = this.conn
    return c && !c.open ? c.dialedAt + this.connectTimeout : undefined
  }

  tick(now: number): CarrierChange {
    const c = this.conn
    if (c && !c.open && now >= c.dialedAt + this.connectTimeout) {
      this.drop(false)
      return 'failed'
    }
    return undefined
  }
}

interface Lane extends Conn {
  /** The request waiting for this connection to open. */
  pending: Uint8Array | undefined
  pendingPoll: boolean
}

/**
 * HTTP: keep-alive connections ("lanes"), one request in flight at a time. A request that
 * carries only a poll may be given up when another must go; any other waits for its answer,
 * which comes at once (the link adds http_wait with max_wait 0 to it).
 */
export class HttpCarrier extends BaseCarrier implements Carrier {
  private readonly lanes = new Map<number, Lane>()
  /** The lane whose request is in flight (or waits to be written on a connection being opened). */
  private busy: Lane | undefined
  private busyPoll = false
  private sentAt = 0
  /** Packets waiting for the request in flight to be answered. */
  private readonly queue: { packet: Uint8Array; poll: boolean }[] = []
  private everOpen = false

  constructor(make: () => Pipe, connectTimeout: number, private readonly requestTimeout: (poll: boolean) => number) {
    super(make, connectTimeout)
  }

  get isOpen(): boolean {
    return this.everOpen
  }

  dial(now: number): void {
    this.drop(false)
    this.everOpen = false
    this.lane(now)
  }

  private lane(now: number): Lane {
    const l: Lane = { ...this.newConn(now), pending: undefined, pendingPoll: false }
    this.lanes.set(l.id, l)
    return l
  }

  opened(id: number, now: number): boolean {
    const l = this.lanes.get(id)
    if (l === undefined || l.open) return false
    l.open = true
    const first = !this.everOpen
    this.everOpen = true
    if (l.pending !== undefined) {
      const p = l.pending
      l.pending = undefined
      this.request(l, p, l.pendingPoll, now)
    }
    return first
  }

  data(id: number, bytes: Uint8Array, now: number): PipeEvent[] {
    const l = this.lanes.get(id)
    if (l === undefined || !l.open) return []
    const ev = this.decode(l, bytes, now)
    for (const e of ev) {
      if (e.type === 'packet' && this.busy === l) this.busy = undefined
      if (e.type === 'error') {
        // a response that broke the codec (or a status other than 200): this lane is done
        this.forget(l)
        this.shut(l, false)
      }
    }
    this.next(now)
    return ev
  }

  closed(id: number, now: number): CarrierChange {
    const l = this.lanes.get(id)
    if (l === undefined) return undefined
    this.forget(l)
    l.pipe.dispose?.()
    // a connection that never opened: the server cannot be reached
    if (!l.open) return 'failed'
    if (this.busy === l || l.pending !== undefined) {
      this.busy = undefined
      this.next(now)
      return 'lost'
    }
    return undefined
  }

  private forget(l: Lane): void {
    this.lanes.delete(l.id)
    if (this.busy === l) this.busy = undefined
  }

  ready(): boolean {
    return this.everOpen && (this.busy === undefined || this.busyPoll) && this.queue.length === 0
  }

  send(packet: Uint8Array, _quickAck: boolean, now: number, poll = false): void {
    if (this.busy !== undefined && this.busyPoll && !poll) {
      // the poll's connection is given up: the server would answer only the newer request
      const l = this.busy
      this.forget(l)
      this.shut(l, false)
    }
    this.queue.push({ packet, poll })
    this.next(now)
  }

  /** Writes the next queued request on an idle lane, opening one if none is idle. */
  private next(now: number): void {
    if (this.busy !== undefined || this.queue.length === 0) return
    const { packet, poll } = this.queue.shift()!
    let idle: Lane | undefined
    for (const l of this.lanes.values()) if (l.open && l.pending === undefined) idle = l
    if (idle !== undefined) return this.request(idle, packet, poll, now)
    const l = this.lane(now)
    l.pending = packet
    l.pendingPoll = poll
    this.busy = l
    this.busyPoll = poll
  }

  private request(l: Lane, packet: Uint8Array, poll: boolean, now: number): void {
    this.busy = l
    this.busyPoll = poll
    this.sentAt = now
    l.pipe.send({ type: 'packet', data: packet })
    this.flush(l)
  }

  wantsPoll(): boolean {
    return this.everOpen && this.busy === undefined && this.queue.length === 0
  }

  drop(graceful: boolean): void {
    for (const l of this.lanes.values()) this.shut(l, graceful)
    this.lanes.clear()
    this.busy = undefined
    this.queue.length = 0
  }

  nextDeadline(): number | undefined {
    let t = Infinity
    for (const l of this.lanes.values()) if (!l.open) t = Math.min(t, l.dialedAt + this.connectTimeout)
    if (this.busy?.open) t = Math.min(t, this.sentAt + this.requestTimeout(this.busyPoll))
    return t === Infinity ? undefined : t
  }

  tick(now: number): CarrierChange {
    for (const l of [...this.lanes.values()]) {
      if (!l.open && now >= l.dialedAt + this.connectTimeout) {
        this.forget(l)
        this.shut(l, false)
        return 'failed'
      }
    }
    const b = this.busy
    if (b?.open && now >= this.sentAt + this.requestTimeout(this.busyPoll)) {
      // no answer in time (the server holds a poll at most max_wait): the request may be lost
      this.forget(b)
      this.shut(b, false)
      this.next(now)
      return 'lost'
    }
    return undefined
  }
}
