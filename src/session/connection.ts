/**
 * One client connection on the server side (the `Layer` a driver drives per socket, or per HTTP
 * request): hands each decrypted message to its session, queues what the sessions answer, the
 * quick ACKs and transport errors, and runs the connection's timers (ping_delay_disconnect,
 * HTTP long poll).
 */
import { type ErrorCode, SessionError } from '../errors.js'
import { decryptInPlace, type Outgoing } from './core.js'
import type { ServerConnectionEvent, SessionServer } from './server.js'
import type { ServerSession } from './server-session.js'

/**
 * One client connection: hands decrypted messages to their sessions and takes their answers.
 */
export class ServerConnection {
  readonly server: SessionServer
  readonly http: boolean
  /** Sessions answering on this connection. */
  readonly sessions = new Set<ServerSession>()
  private out: Outgoing[] = []
  private ev: ServerConnectionEvent[] = []
  /** Bytes waiting in `out`. */
  private buffered = 0
  closed = false
  /** ping_delay_disconnect: close at this time unless another comes. */
  private disconnectAt = Infinity
  // HTTP: one answer per request, held per http_wait (max_delay, wait_after, max_wait)
  private httpWait = { maxDelay: 0, waitAfter: 0, maxWait: 25_000 }
  private httpSince = Infinity
  private httpFirst = Infinity
  private httpLast = Infinity
  private answered = false
  /** HTTP: the session this request came for, which answers it (an empty container at max_wait) even after it moved to a newer request. */
  private last: ServerSession | undefined = undefined

  constructor(server: SessionServer, http: boolean) {
    this.server = server
    this.http = http
  }

  /**
   * One whole packet from the transport. `quickAck`: the client asked for a quick ACK (the
   * framing's flag); it is answered (a `quickAck` item first in `takeOutgoing()`) once the
   * message was decrypted and accepted. Decrypts in place.
   */
  receive(packet: Uint8Array, now: number = this.server.now(), quickAck = false): ServerConnectionEvent[] {
    if (!(packet instanceof Uint8Array)) throw new SessionError('E_TYPE', 'packet must be a Uint8Array')
    if (this.closed) return []
    const srv = this.server
    // transport errors (mtproto-transports#transport-errors): 404 for an unknown key or a packet that fails the checks
    if (packet.length < 8) {
      this.transportError(404, 'a packet too short to name an auth key')
      return this.takeEvents()
    }
    const keyId = new DataView(packet.buffer, packet.byteOffset, 8).getBigInt64(0, true)
    if (keyId === 0n) {
      this.error('E_UNENCRYPTED', 'an unencrypted message reached the session layer (handshake messages go to the auth layer)')
      return this.takeEvents()
    }
    const e = srv.entry(keyId, now)
    if (e === undefined) {
      // an unknown key, or a temporary key that expired (api/pfs: "-404")
      this.transportError(404, 'unknown auth key')
      return this.takeEvents()
    }
    const token = quickAck ? TOKEN : undefined
    const n = decryptInPlace(srv.crypto, e.key.authKey, packet, 0, token)
    if (n < 0) {
      this.transportError(404, 'a packet failed decryption')
      return this.takeEvents()
    }
    if (this.http) this.httpSince = Math.min(this.httpSince, now)
    const sid = new DataView(packet.buffer, packet.byteOffset + 8, 8).getBigInt64(0, true)
    const { s, created } = srv.session(e, sid, now)
    s.attach(this, now)
    if (this.http) this.last = s
    if (created) this.ev.push({ type: 'session', authKeyId: keyId, sessionId: sid, created })
    const salt = new DataView(packet.buffer, packet.byteOffset, 8).getBigInt64(0, true)
    const accepted = s.input(packet, n, salt, now)
    if (accepted && token !== undefined && token.token !== 0) this.push({ type: 'quickAck', token: token.token })
    return this.takeEvents()
  }

  /** Sessions' answers and service messages, encrypted, then framed by the driver. */
  takeOutgoing(now: number = this.server.now()): Outgoing[] {
    if (this.closed) return this.flushOut()
    if (this.http) {
      // service_messages#http-wait-long-poll: answer once there is something (after max_delay /
      // wait_after), or with an empty container after max_wait
      if (this.answered || this.httpSince === Infinity) return this.flushOut()
      const has = this.hasOutput()
      if (has && this.httpFirst === Infinity) this.httpFirst = this.httpLast = now
      const w = this.httpWait
      const due = now >= this.httpSince + w.maxWait || (has && now >= Math.min(this.httpFirst + w.maxDelay, this.httpLast + w.waitAfter))
      if (!due) return this.flushOut()
    }
    for (const s of this.sessions) s.flush(now, this.out, this.http || s.acksDue(now))
    if (this.http) {
      if (this.out.length === 0) {
        // service_messages#http-wait-long-poll: "If a message never appears, an empty container is transmitted"
        const s = (this.sessions.values().next().value as ServerSession | undefined) ?? this.last
        if (s !== undefined) s.emptyContainer(now, this.out)
      }
      this.answered = this.out.length > 0
    }
    return this.flushOut()
  }

  private flushOut(): Outgoing[] {
    const o = this.out
    this.out = []
    this.buffered = 0
    return o
  }

  private hasOutput(): boolean {
    for (const s of this.sessions) if (s.hasOutput()) return true
    return false
  }

  /**
   * Pushes an update (a TL object or its serialization) to the client session this connection
   * last heard from (`ServerSession.send`); `SessionError` `E_STATE` when none is attached.
   */
  send(update: unknown): void {
    let last: ServerSession | undefined
    for (const s of this.sessions) last = s
    if (last === undefined) throw new SessionError('E_STATE', 'no session is attached to this connection')
    last.send(update)
  }

  /** Queues output for this connection (quick ACKs, transport errors; sessions' packets come with `takeOutgoing`). */
  push(o: Outgoing): void {
    this.out.push(o)
    if (o.type === 'packet') this.grew(o.data.length)
  }

  /** Counts bytes queued for the driver; past the limit the connection is closed. */
  grew(n: number): void {
    this.buffered += n
    if (this.buffered > this.server.limits.maxBufferedBytes && !this.closed) {
      this.closeWith(`more than ${this.server.limits.maxBufferedBytes} bytes waiting to be written`)
    }
  }

  /** A session has new output outside this connection's receive/tick: wake the driver. */
  wake(now: number): void {
    if (this.http && this.hasOutput()) {
      if (this.httpFirst === Infinity) this.httpFirst = now
      this.httpLast = now
    }
    this.server.onOutgoing?.(this)
  }

  setHttpWait(maxDelay: number, waitAfter: number, maxWait: number): void {
    this.httpWait = { maxDelay: Math.max(0, maxDelay), waitAfter: Math.max(0, waitAfter), maxWait: Math.max(0, maxWait) }
  }

  /** ping_delay_disconnect: "close the current connection disconnect_delay seconds later unless it receives a new message of the same type". */
  disconnectIn(seconds: number, now: number): void {
    this.disconnectAt = seconds > 0 ? now + seconds * 1000 : Infinity
  }

  nextDeadline(): number | undefined {
    let t = this.disconnectAt
    if (this.http && !this.answered && this.httpSince !== Infinity) {
      const w = this.httpWait
      t = Math.min(t, this.httpSince + w.maxWait)
      if (this.httpFirst !== Infinity) t = Math.min(t, this.httpFirst + w.maxDelay, this.httpLast + w.waitAfter)
    }
    for (const s of this.sessions) t = Math.min(t, s.nextDeadline())
    return t === Infinity ? undefined : t
  }

  /** Runs what is due: delayed answers (mtwire.sleep), acknowledgments, the ping_delay_disconnect timer. Then call takeOutgoing(). */
  tick(now: number = this.server.now()): ServerConnectionEvent[] {
    for (const s of this.sessions) s.tick(now)
    if (now >= this.disconnectAt && !this.closed) {
      this.disconnectAt = Infinity
      this.closeWith('ping_delay_disconnect timer expired')
    }
    return this.takeEvents()
  }

  /** The driver's socket closed: the sessions stay, and answer on their client's next connection. */
  close(): void {
    this.closed = true
    this.last = undefined
    for (const s of this.sessions) s.detach(this)
    this.sessions.clear()
  }

  private closeWith(reason: string): void {
    this.ev.push({ type: 'close', reason })
    this.closed = true
    for (const s of this.sessions) s.detach(this)
    this.sessions.clear()
  }

  private transportError(status: number, reason: string): void {
    this.out.push({ type: 'transportError', status })
    this.closeWith(reason)
  }

  error(code: ErrorCode<'SessionError'>, message: string): void {
    this.ev.push({ type: 'error', error: new SessionError(code, message) })
  }

  event(e: ServerConnectionEvent): void {
    this.ev.push(e)
  }

  takeEvents(): ServerConnectionEvent[] {
    const ev = this.ev
    if (ev.length === 0) return []
    this.ev = []
    return ev
  }
}

const TOKEN = { token: 0 }
