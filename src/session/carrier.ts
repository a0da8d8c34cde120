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
import type { TransportError } from '../errors.js'
import { ClientTransport, type ClientEvent } from '../transport/client.js'
import { TransportError as TransportErrorClass } from '../errors.js'
import type { FramingKind } from '../transport/framing.js'
import { HttpClientCodec } from '../transport/http.js'
import { createWebSocketClientTransport, WebSocketClientHandshake, WebSocketFrameCodec, WS_PATH, WS_TEST_PATH } from '../transport/websocket.js'

/** What a link asks its driver to do. */
export type LinkOutput =
  /** Open connection `conn` (to the one server the driver was given). */
  | { type: 'connect'; conn: number }
  | { type: 'write'; conn: number; data: Uint8Array }
  /** Close connection `conn` (after writing what came before). */
  | { type: 'close'; conn: number }

/** What a pipe makes of received bytes. */
export type PipeEvent =
  | { type: 'packet'; data: Uint8Array }
  | { type: 'quickAck'; token: number }
  /** The peer's bytes broke the transport, or carry a transport error code (`TransportStatusError`). */
  | { type: 'error'; error: TransportError }
  /** The peer closed the stream in good order (a WebSocket close frame). */
  | { type: 'end' }

/** One connection's byte codec. */
export interface Pipe {
  /** Bytes to write once the connection is open. */
  open(): Uint8Array[]
  /** Bytes carrying one packet (none yet while a handshake below MTProto is pending). */
  send(packet: Uint8Array, quickAck: boolean): Uint8Array[]
  /** Received bytes: events, and bytes to write (`write`). */
  receive(data: Uint8Array): (PipeEvent | { type: 'write'; data: Uint8Array })[]
  /** Bytes to write before closing in good order. */
  goodbye(): Uint8Array[]
  dispose(): void
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

/** A pipe for one new connection. */
export function createPipe(o: PipeOptions): Pipe {
  const common = { crypto: o.crypto, dcId: o.dcId, test: o.test, media: o.media, maxPacketLength: o.maxPacketLength, now: o.now }
  switch (o.transport) {
    case 'abridged':
    case 'intermediate':
    case 'padded':
    case 'full':
      return new StreamPipe(new ClientTransport({ ...common, framing: o.transport }))
    case 'obfuscated2':
      return new StreamPipe(new ClientTransport({ ...common, framing: o.framing, obfuscated: true, proxySecret: o.secret }))
    case 'websocket': {
      const t = createWebSocketClientTransport({ ...common, framing: o.framing, proxySecret: o.secret })
      if ((o.webSocketFrames ?? 'rfc6455') === 'native') return new StreamPipe(t)
      return new WebSocketPipe(o.crypto, o.host ?? 'localhost', o.test ? WS_TEST_PATH : WS_PATH, new StreamPipe(t))
    }
    case 'http':
      return new HttpPipe(new HttpClientCodec(o.host ?? 'localhost', { maxPacketLength: o.maxPacketLength }))
  }
}

/** A byte stream through a `ClientTransport` (any framing, obfuscated2, MTProxy, fake-TLS). */
class StreamPipe implements Pipe {
  private failed = false
  constructor(private readonly t: ClientTransport) {}
  open(): Uint8Array[] {
    return [this.t.start()]
  }
  send(packet: Uint8Array, quickAck: boolean): Uint8Array[] {
    const b = this.t.send(packet, quickAck && this.t.framing.kind !== 'full')
    return b.length ? [b] : []
  }
  receive(data: Uint8Array): (PipeEvent | { type: 'write'; data: Uint8Array })[] {
    if (this.failed) return []
    const ev = this.t.receive(data) as ClientEvent[]
    const out: (PipeEvent | { type: 'write'; data: Uint8Array })[] = []
    for (const e of ev) {
      if (e.type === 'packet') out.push({ type: 'packet', data: e.data })
      else if (e.type === 'quickAck') out.push({ type: 'quickAck', token: e.token })
      else if (e.type === 'write') out.push(e)
      else if (e.type === 'error') {
        this.failed = true
        out.push({ type: 'error', error: e.error })
      }
    }
    return out
  }
  goodbye(): Uint8Array[] {
    return []
  }
  dispose(): void {
    this.t.dispose()
  }
}

/** RFC 6455 over a byte stream: the opening handshake, then each write one binary message. */
class WebSocketPipe implements Pipe {
  private readonly hs: WebSocketClientHandshake
  private readonly codec: WebSocketFrameCodec
  private upgraded = false
  private failed = false
  /** Messages to send once the server accepted the upgrade (RFC 6455 §4.1: not before). */
  private held: Uint8Array[] = []
  constructor(crypto: Crypto, host: string, path: string, private readonly inner: StreamPipe) {
    this.hs = new WebSocketClientHandshake(crypto, host, path)
    this.codec = new WebSocketFrameCodec({ role: 'client', crypto })
  }
  open(): Uint8Array[] {
    this.held.push(...this.inner.open())
    return [this.hs.request()]
  }
  send(packet: Uint8Array, quickAck: boolean): Uint8Array[] {
    return this.frames(this.inner.send(packet, quickAck))
  }
  private frames(messages: Uint8Array[]): Uint8Array[] {
    if (!this.upgraded) {
      this.held.push(...messages)
      return []
    }
    return messages.map((m) => this.codec.encode(m))
  }
  receive(data: Uint8Array): (PipeEvent | { type: 'write'; data: Uint8Array })[] {
    if (this.failed) return []
    const out: (PipeEvent | { type: 'write'; data: Uint8Array })[] = []
    let bytes: Uint8Array | null = data
    if (!this.upgraded) {
      try {
        bytes = this.hs.receive(data)
      } catch (e) {
        this.failed = true
        return [{ type: 'error', error: e instanceof TransportErrorClass ? e : new TransportErrorClass('E_WS_HANDSHAKE', String(e)) }]
      }
      if (bytes === null) return out
      this.upgraded = true
      for (const m of this.held.splice(0)) out.push({ type: 'write', data: this.codec.encode(m) })
    }
    for (const e of this.codec.decode(bytes)) {
      if (e.type === 'message') {
        for (const x of this.inner.receive(e.data)) {
          if (x.type === 'write') out.push(...this.frames([x.data]).map((d) => ({ type: 'write' as const, data: d })))
          else out.push(x)
          if (x.type === 'error') this.failed = true
        }
      } else if (e.type === 'write') out.push(e)
      else if (e.type === 'close') out.push({ type: 'end' })
      else {
        this.failed = true
        out.push(e)
      }
      if (this.failed) break
    }
    return out
  }
  goodbye(): Uint8Array[] {
    return this.upgraded && !this.failed ? [this.codec.encodeClose(1000)] : []
  }
  dispose(): void {
    this.inner.dispose()
  }
}

/** One HTTP connection: each packet a `POST /api`, each answer a `200` response. */
class HttpPipe implements Pipe {
  private failed = false
  constructor(private readonly codec: HttpClientCodec) {}
  open(): Uint8Array[] {
    return []
  }
  send(packet: Uint8Array): Uint8Array[] {
    return [this.codec.encode(packet)]
  }
  receive(data: Uint8Array): (PipeEvent | { type: 'write'; data: Uint8Array })[] {
    if (this.failed) return []
    const out: PipeEvent[] = []
    for (const e of this.codec.decode(data)) {
      if (e.type === 'packet') out.push({ type: 'packet', data: e.data })
      else if (e.type === 'error') {
        this.failed = true
        out.push(e)
      }
    }
    return out
  }
  goodbye(): Uint8Array[] {
    return []
  }
  dispose(): void {}
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
  /** Actions for the driver, in order. */
  readonly out: LinkOutput[]
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
  dialedAt: number
}

/** Shared by both carriers: connection ids, the connect timeout, byte accounting. */
abstract class BaseCarrier {
  readonly out: LinkOutput[] = []
  bytesSent = 0
  bytesReceived = 0
  connections = 0
  private static ids = 0
  constructor(protected readonly make: () => Pipe, protected readonly connectTimeout: number) {}

  protected newConn(now: number): Conn {
    const c = { id: ++BaseCarrier.ids, pipe: this.make(), open: false, dialedAt: now }
    this.connections++
    this.out.push({ type: 'connect', conn: c.id })
    return c
  }

  protected write(c: Conn, bytes: Uint8Array[]): void {
    for (const b of bytes) {
      this.bytesSent += b.length
      this.out.push({ type: 'write', conn: c.id, data: b })
    }
  }

  /** The pipe's events for `bytes`; its writes go out at once. */
  protected decode(c: Conn, bytes: Uint8Array): PipeEvent[] {
    this.bytesReceived += bytes.length
    const ev: PipeEvent[] = []
    for (const e of c.pipe.receive(bytes)) {
      if (e.type === 'write') this.write(c, [e.data])
      else ev.push(e)
    }
    return ev
  }

  protected shut(c: Conn, graceful: boolean): void {
    if (graceful && c.open) this.write(c, c.pipe.goodbye())
    this.out.push({ type: 'close', conn: c.id })
    c.pipe.dispose()
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

  opened(id: number): boolean {
    const c = this.conn
    if (c === undefined || c.id !== id || c.open) return false
    c.open = true
    this.write(c, c.pipe.open())
    return true
  }

  data(id: number, bytes: Uint8Array): PipeEvent[] {
    const c = this.conn
    if (c === undefined || c.id !== id || !c.open) return []
    return this.decode(c, bytes)
  }

  closed(id: number): CarrierChange {
    const c = this.conn
    if (c === undefined || c.id !== id) return undefined
    this.conn = undefined
    c.pipe.dispose()
    return 'failed'
  }

  ready(): boolean {
    return this.isOpen
  }

  send(packet: Uint8Array, quickAck: boolean): void {
    const c = this.conn
    if (c?.open) this.write(c, c.pipe.send(packet, quickAck))
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
    const ev = this.decode(l, bytes)
    for (const e of ev) {
      if (e.type === 'packet' && this.busy === l) this.busy = undefined
      if (e.type === 'error' || e.type === 'end') {
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
    l.pipe.dispose()
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
    this.write(l, l.pipe.send(packet, false))
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
