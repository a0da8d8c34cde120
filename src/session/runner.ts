/**
 * The loop both drivers share (src/node/client.ts over TCP, src/web/client.ts over a browser
 * WebSocket): a `ClientLink` driven with real time, timers and promises. It owns no socket: the
 * driver hands it a `Dialer` that opens one and reports what happens on it. Everything here is
 * available in every runtime (`setTimeout`, `queueMicrotask`, promises): no Node built-in.
 *
 * It does what the link says, in order (open, write, close), feeds back what the sockets report,
 * sets one timer for `link.nextDeadline()`, and turns the link's events into listener calls.
 */
import { SessionError } from '../errors.js'
import { none } from '../layer.js'
import type { TlObject } from '../tl/codec.js'
import type { InvokeOptions, RestoredRequest } from './client.js'
import { ClientLink, type ClientLinkEvent, type ClientLinkOptions, type ClientState, type LinkInput, type LinkStats, type LinkStatus } from './link.js'

/** One open connection, as the driver made it. */
export interface DialedConnection {
  write(data: Uint8Array): void
  /** Closes after what was written (the driver's graceful close). */
  close(): void
}

/** What a driver gives the runner: a way to open a connection to its server. */
export interface Dialer {
  /**
   * Opens a connection and reports on it: `open` once connected, `data` for each chunk (or
   * WebSocket message), `closed` once, at the end (with the error, if it failed).
   */
  dial(report: { open(): void; data(bytes: Uint8Array): void; closed(error?: unknown): void }): DialedConnection
}

const resolved = /* @__PURE__ */ Promise.resolve()

type EventOf<T extends ClientLinkEvent['type']> = Extract<ClientLinkEvent, { type: T }>
type Listener<T extends ClientLinkEvent['type']> = (event: EventOf<T>) => void

/** A connected client: `invoke`, events, `close`, `exportState`. Made by `connect()` (Node or web). */
export class Client {
  readonly link: ClientLink
  /** Resolves when the client is first ready (keys made and bound); rejects if it closes before. */
  readonly ready: Promise<void>
  private readonly dialer: Dialer
  private readonly conns = new Map<number, DialedConnection>()
  private readonly listeners = new Map<string, Set<(e: ClientLinkEvent) => void>>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  private flushQueued = false
  private closing: (() => void) | undefined
  private settle: { resolve: () => void; reject: (e: unknown) => void } | undefined

  constructor(options: Omit<ClientLinkOptions, 'onOutgoing'>, dialer: Dialer) {
    this.link = new ClientLink({ ...options, onOutgoing: this.onOutgoing })
    this.dialer = dialer
    this.ready = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }))
    // nobody may be waiting on it (a client closed early): do not report it as unhandled
    this.ready.catch(() => {})
  }

  /** Starts the link (connect() calls it). */
  start(): Promise<void> {
    this.handle(this.link.start())
    return this.ready
  }

  get status(): LinkStatus {
    return this.link.status
  }

  get stats(): LinkStats {
    return this.link.stats
  }

  /** Requests a state continued from `exportState()` had pending, with their promises. */
  get restored(): readonly RestoredRequest[] {
    return this.link.session?.restored ?? []
  }

  /** Sends an RPC query and resolves with its result (RpcError, TimeoutError, AbortError, SessionError otherwise). */
  invoke<T = unknown>(request: TlObject | Uint8Array, options?: InvokeOptions): Promise<T> {
    return this.link.invoke<T>(request, options)
  }

  /** Everything needed to continue in another process (plain JSON data; persist it after an `authKey` event). */
  exportState(options: { includeTempKey?: boolean } = {}): ClientState | undefined {
    return this.link.exportState(options)
  }

  on<T extends ClientLinkEvent['type']>(type: T, listener: Listener<T>): this {
    let set = this.listeners.get(type)
    if (set === undefined) this.listeners.set(type, (set = new Set()))
    set.add(listener as (e: ClientLinkEvent) => void)
    return this
  }

  off<T extends ClientLinkEvent['type']>(type: T, listener: Listener<T>): this {
    this.listeners.get(type)?.delete(listener as (e: ClientLinkEvent) => void)
    return this
  }

  /**
   * Graceful close: pending requests reject with `E_CLOSED`, acknowledgments still owed are
   * written, the connections close. Resolves once they have (or after `timeoutMs`).
   */
  close(timeoutMs = 2000): Promise<void> {
    this.handle(this.link.close())
    if (this.conns.size === 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, timeoutMs)
      const self = this
      function done(): void {
        clearTimeout(t)
        self.closing = undefined
        resolve()
      }
      this.closing = done
    })
  }

  /**
   * Called by the session when it has something new to send (after `invoke`): flushed after the
   * current task, so that the requests of one task share a write. A resolved promise's `then`,
   * not `queueMicrotask`: Node wraps each queueMicrotask callback in an async resource.
   */
  readonly onOutgoing = (): void => {
    if (this.flushQueued) return
    this.flushQueued = true
    void resolved.then(this.flushNow)
  }

  private readonly flushNow = (): void => {
    this.flushQueued = false
    this.handle(none())
  }

  private input(input: LinkInput): void {
    this.handle(this.link.receive(input), false)
  }

  /**
   * Does what the link asks, then reports its events and sets the timer. `take`: ask the
   * session for what it has queued (false right after receive() and tick(), which just did).
   */
  private handle(events: ClientLinkEvent[], take = true): void {
    // indexed loops: the hot path of every request (a for-of may allocate iterator results)
    const actions = take ? this.link.takeOutgoing() : this.link.takeQueued()
    for (let i = 0; i < actions.length; i++) {
      const a = actions[i]
      switch (a.type) {
        case 'connect':
          this.dial(a.conn)
          break
        case 'write':
          this.conns.get(a.conn)?.write(a.data)
          break
        case 'close':
          this.conns.get(a.conn)?.close()
          break
      }
    }
    for (let i = 0; i < events.length; i++) this.emit(events[i])
    this.schedule()
  }

  private dial(id: number): void {
    let done = false
    const report = {
      open: () => {
        if (!done) this.input({ type: 'open', conn: id })
      },
      data: (data: Uint8Array) => {
        if (!done) this.input({ type: 'data', conn: id, data })
      },
      closed: (error?: unknown) => {
        if (done) return
        done = true
        this.conns.delete(id)
        this.input(error === undefined ? { type: 'closed', conn: id } : { type: 'closed', conn: id, error })
        if (this.conns.size === 0) this.closing?.()
      },
    }
    try {
      this.conns.set(id, this.dialer.dial(report))
    } catch (e) {
      // a dialer that throws (a malformed address, say) fails like a refused connection
      queueMicrotask(() => report.closed(e))
    }
  }

  private emit(e: ClientLinkEvent): void {
    if (e.type === 'status') {
      if (e.status === 'ready') this.settle?.resolve()
      else if (e.status === 'closed') {
        this.settle?.reject(e.error ?? new SessionError('E_CLOSED', 'the client was closed before it was ready'))
        clearTimeout(this.timer)
        this.timerAt = Infinity
      }
      if (e.status === 'ready' || e.status === 'closed') this.settle = undefined
    }
    const set = this.listeners.get(e.type)
    if (set === undefined) return
    for (const l of [...set]) {
      try {
        l(e)
      } catch (err) {
        // a listener's bug must not break the loop; surface it where it cannot be missed
        queueMicrotask(() => {
          throw err
        })
      }
    }
  }

  private schedule(): void {
    const at = this.link.nextDeadline()
    if (at === undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
      this.timerAt = Infinity
      return
    }
    if (this.timer !== undefined && at === this.timerAt) return
    clearTimeout(this.timer)
    this.timerAt = at
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.timerAt = Infinity
      this.handle(this.link.tick(), false)
    }, Math.max(0, at - this.link.now()))
  }
}
