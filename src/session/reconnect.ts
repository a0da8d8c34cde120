/**
 * When to reconnect after a connection failed: exponential backoff with jitter, sans-IO. The
 * policy only decides; the driver sleeps for the delay it returns and opens a new connection.
 * Time comes in as `now` (ms), randomness from the `randomBytes` it was built with (a Crypto
 * object, or anything with that method in tests), so every decision replays exactly.
 *
 * Attempt n (from 0) waits base(n) = min(maxDelay, initialDelay · multiplier^n), less a random
 * share of it: delay = base(n) · (1 − jitter · r), r uniform in [0, 1). Jitter spreads clients
 * that lost the same server at the same moment, so they do not all come back in one burst
 * (jitter 1 is "full jitter", 0 none). The count goes back to 0 only when a connection proved
 * itself: it carried a message from the server and stayed up `stableAfter` ms, so a server
 * that accepts and then drops every connection still sees the delays grow.
 */
import { SessionError } from '../errors.js'

export interface ReconnectOptions {
  /** Delay before the first reconnection (ms). Default 250. */
  initialDelay?: number
  /** Upper bound of the delay (ms). Default 30 000. */
  maxDelay?: number
  /** Growth factor per failed attempt (≥ 1). Default 2. */
  multiplier?: number
  /** Share of the delay taken off at random, 0..1. Default 0.5. */
  jitter?: number
  /** Attempts in a row after which `failed()` gives up (returns undefined). Default: never. */
  maxAttempts?: number
  /** A connection that carried a server message and stayed up this long resets the count (ms). Default 5 000. */
  stableAfter?: number
}

export const RECONNECT_DEFAULTS: Readonly<Required<ReconnectOptions>> = {
  initialDelay: 250,
  maxDelay: 30_000,
  multiplier: 2,
  jitter: 0.5,
  maxAttempts: Infinity,
  stableAfter: 5_000,
}

export class ReconnectPolicy {
  private readonly o: Required<ReconnectOptions>
  private readonly random: { randomBytes(n: number): Uint8Array }
  /** Failed attempts in a row. */
  private attempts = 0
  /** When the current connection opened, and when it first carried a server message (-1: not yet). */
  private openedAt = -1
  private provenAt = -1

  constructor(random: { randomBytes(n: number): Uint8Array }, options: ReconnectOptions = {}) {
    if (!random || typeof random.randomBytes !== 'function') throw new SessionError('E_OPTION', 'ReconnectPolicy needs an object with randomBytes (a Crypto)')
    if (typeof options !== 'object' || options === null) throw new SessionError('E_OPTION', 'reconnect options must be an object')
    const o = { ...RECONNECT_DEFAULTS }
    for (const [k, v] of Object.entries(options)) {
      if (v === undefined) continue
      if (!(k in o)) throw new SessionError('E_OPTION', `unknown reconnect option ${k}`)
      if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw new SessionError('E_OPTION', `reconnect.${k} must be a non-negative number, got ${String(v)}`)
      ;(o as Record<string, number>)[k] = v
    }
    if (o.multiplier < 1) throw new SessionError('E_OPTION', 'reconnect.multiplier must be at least 1')
    if (o.jitter > 1) throw new SessionError('E_OPTION', 'reconnect.jitter must be in 0..1')
    if (o.maxDelay < o.initialDelay) throw new SessionError('E_OPTION', 'reconnect.maxDelay must not be below initialDelay')
    this.o = o
    this.random = random
  }

  /** Failed attempts since the last connection that proved itself. */
  get failures(): number {
    return this.attempts
  }

  /** A connection is open (the socket connected). */
  opened(now: number): void {
    this.openedAt = now
    this.provenAt = -1
  }

  /** The server answered on the current connection (a packet decrypted, or a handshake step). */
  proven(now: number): void {
    if (this.openedAt >= 0 && this.provenAt < 0) this.provenAt = now
  }

  /**
   * The connection (or the attempt to open one) ended without being asked to: the delay in ms
   * before the next attempt, or undefined when `maxAttempts` failures in a row say to give up.
   */
  failed(now: number): number | undefined {
    const stable = this.provenAt >= 0 && now - this.openedAt >= this.o.stableAfter
    this.openedAt = this.provenAt = -1
    if (stable) this.attempts = 0
    if (this.attempts >= this.o.maxAttempts) return undefined
    const n = this.attempts++
    const base = Math.min(this.o.maxDelay, this.o.initialDelay * this.o.multiplier ** n)
    return Math.round(base * (1 - this.o.jitter * this.uniform()))
  }

  /** Forgets past failures (the embedder asked to connect again). */
  reset(): void {
    this.attempts = 0
    this.openedAt = this.provenAt = -1
  }

  /** Uniform in [0, 1) from 32 random bits. */
  private uniform(): number {
    const b = this.random.randomBytes(4)
    return (((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0) / 2 ** 32
  }
}
