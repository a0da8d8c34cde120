/**
 * An in-memory network for the link tests: a `ClientLink` and a `ServerSide` joined by
 * connections that carry bytes in order, on a clock the test moves, so that reconnections,
 * backoff and faults replay exactly and fast. Faults hook into each direction of each
 * connection: `cut` closes it after a given byte of the stream, `tamper` changes bytes.
 */
import type { Crypto } from '../../src/crypto/types.js'
import { ClientLink, type ClientLinkEvent, type ClientLinkOptions } from '../../src/session/link.js'
import { ServerSide, type ServerLink, type ServerSideOptions } from './server.js'
import type { GeneratedRsaKey } from '../../src/auth/rsa.js'

export const T0 = 1_700_000_000_000

export interface MemConn {
  id: number
  server: ServerLink | undefined
  /** Bytes carried so far, client to server and back. */
  up: number
  down: number
  closed: boolean
}

type Delivery =
  | { to: 'client'; conn: MemConn; kind: 'open' | 'closed' }
  | { to: 'client' | 'server'; conn: MemConn; kind: 'data'; data: Uint8Array }
  | { to: 'server'; conn: MemConn; kind: 'closed' }

export interface Faults {
  /** Refuse connection attempts (the port is closed). */
  refuse?: (conn: MemConn) => boolean
  /**
   * Bytes `[offset, offset + data.length)` of a direction of `conn` are about to travel: return
   * what arrives instead (changed bytes), or `{ cut: n }` to deliver the first n and close.
   */
  up?: (conn: MemConn, offset: number, data: Uint8Array) => Uint8Array | { cut: number }
  down?: (conn: MemConn, offset: number, data: Uint8Array) => Uint8Array | { cut: number }
}

export class MemNet {
  readonly clock = { t: T0 }
  readonly now = (): number => this.clock.t
  readonly side: ServerSide
  readonly link: ClientLink
  readonly events: ClientLinkEvent[] = []
  readonly conns = new Map<number, MemConn>()
  faults: Faults = {}
  /** Splits every delivery into chunks of these sizes (called with the length; default: whole). */
  split: ((length: number) => number[]) | undefined
  private readonly queue: Delivery[] = []

  constructor(crypto: Crypto, key: GeneratedRsaKey, options: Partial<ClientLinkOptions> = {}, server: ServerSideOptions = {}, serverCrypto: Crypto = crypto) {
    this.side = new ServerSide(serverCrypto, key, { now: this.now, ...server })
    this.link = new ClientLink({ crypto, dcId: 2, rsaKeys: [key.publicKey], now: this.now, ...options })
  }

  /** A new server (same key, empty key store) behind the same address: a restart without --state. */
  restartServer(options: ServerSideOptions = {}): void {
    for (const c of this.conns.values()) this.kill(c)
    ;(this as { side: ServerSide }).side = new ServerSide(this.side.crypto, this.side.key, { now: this.now, ...options })
  }

  start(): void {
    this.events.push(...this.link.start(this.now()))
    this.pump()
  }

  /** Carries everything queued until nothing moves (no time passes). */
  pump(): void {
    for (let guard = 0; guard < 1_000_000; guard++) {
      for (const a of this.link.takeOutgoing(this.now())) this.action(a)
      const d = this.queue.shift()
      if (d === undefined) return
      this.deliver(d)
    }
    throw new Error('the network did not settle')
  }

  /** Runs until `done()` or `maxMs` of simulated time passed, moving the clock to each deadline. */
  run(done: () => boolean, maxMs = 600_000): void {
    const end = this.now() + maxMs
    this.pump()
    while (!done()) {
      const t = this.nextDeadline()
      if (t === undefined || t > end) throw new Error(`stuck at +${this.now() - T0} ms (next deadline ${t === undefined ? 'none' : `+${t - T0}`})`)
      this.clock.t = Math.max(this.clock.t, t)
      this.events.push(...this.link.tick(this.now()))
      for (const c of this.conns.values()) c.server?.tick(this.now())
      this.pump()
    }
  }

  /** Lets `ms` of simulated time pass, running every deadline on the way. */
  advance(ms: number): void {
    const end = this.now() + ms
    this.run(() => (this.nextDeadline() ?? Infinity) > end, ms + 1)
    this.clock.t = end
  }

  private nextDeadline(): number | undefined {
    let t = this.link.nextDeadline() ?? Infinity
    for (const c of this.conns.values()) t = Math.min(t, c.server?.nextDeadline() ?? Infinity)
    return t === Infinity ? undefined : t
  }

  /** Closes a connection from the network's side (both ends see it close). */
  kill(c: MemConn): void {
    if (c.closed) return
    c.closed = true
    c.server?.closed()
    this.queue.push({ to: 'client', conn: c, kind: 'closed' })
  }

  private action(a: ReturnType<ClientLink['takeOutgoing']>[number]): void {
    if (a.type === 'connect') {
      const c: MemConn = { id: a.conn, server: undefined, up: 0, down: 0, closed: false }
      this.conns.set(a.conn, c)
      if (this.faults.refuse?.(c)) {
        c.closed = true
        this.queue.push({ to: 'client', conn: c, kind: 'closed' })
        return
      }
      c.server = this.side.accept({
        write: (data) => this.send(c, 'down', data.slice()),
        end: () => {
          if (c.closed) return
          c.closed = true
          this.queue.push({ to: 'client', conn: c, kind: 'closed' })
        },
      })
      this.queue.push({ to: 'client', conn: c, kind: 'open' })
      return
    }
    const c = this.conns.get(a.conn)
    if (c === undefined) return
    if (a.type === 'write') this.send(c, 'up', a.data.slice())
    else if (!c.closed) {
      c.closed = true
      this.queue.push({ to: 'server', conn: c, kind: 'closed' })
      this.queue.push({ to: 'client', conn: c, kind: 'closed' })
    }
  }

  private send(c: MemConn, dir: 'up' | 'down', data: Uint8Array): void {
    if (c.closed || data.length === 0) return
    const offset = dir === 'up' ? c.up : c.down
    const f = dir === 'up' ? this.faults.up : this.faults.down
    let out: Uint8Array | { cut: number } = f ? f(c, offset, data) : data
    let cut = false
    if (!(out instanceof Uint8Array)) {
      cut = true
      out = data.subarray(0, out.cut)
    }
    if (dir === 'up') c.up += out.length
    else c.down += out.length
    if (out.length) {
      const to = dir === 'up' ? 'server' : 'client'
      if (this.split === undefined) this.queue.push({ to, conn: c, kind: 'data', data: out })
      else {
        let o = 0
        for (const n of this.split(out.length)) {
          this.queue.push({ to, conn: c, kind: 'data', data: out.subarray(o, o + n) })
          o += n
        }
      }
    }
    if (cut) {
      c.closed = true
      this.queue.push({ to: 'server', conn: c, kind: 'closed' })
      this.queue.push({ to: 'client', conn: c, kind: 'closed' })
    }
  }

  private deliver(d: Delivery): void {
    const c = d.conn
    if (d.to === 'server') {
      if (d.kind === 'data') c.server?.input(d.data)
      else c.server?.closed()
      return
    }
    if (d.kind === 'data') this.events.push(...this.link.receive({ type: 'data', conn: c.id, data: d.data }, this.now()))
    else this.events.push(...this.link.receive({ type: d.kind, conn: c.id }, this.now()))
  }
}
