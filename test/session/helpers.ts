/**
 * An in-memory client and server for the session tests: one key, a clock the test moves, and
 * `pump()`, which carries packets both ways until both sides are quiet. Packets can be
 * intercepted (dropped, duplicated, delayed, tampered with) through `link`.
 */
import { createAuthKey, type AuthKey } from '../../src/crypto/authkey.js'
import { createCryptoSync } from '../../src/crypto/create.js'
import type { Crypto } from '../../src/crypto/types.js'
import { ClientSession, type ClientSessionEvent, type ClientSessionOptions } from '../../src/session/client.js'
import type { Outgoing } from '../../src/session/core.js'
import {
  type ServerConnection, type ServerConnectionEvent, type ServerKey, SessionServer, type SessionServerOptions,
} from '../../src/session/server.js'
import { seededRandom } from '../envelope/helpers.js'

export const T0 = 1_700_000_000_000

export interface Pair {
  crypto: Crypto
  authKey: AuthKey
  keyBytes: Uint8Array
  keys: Map<bigint, ServerKey>
  server: SessionServer
  conn: ServerConnection
  client: ClientSession
  clock: { t: number }
  now: () => number
  clientEvents: ClientSessionEvent[]
  serverEvents: ServerConnectionEvent[]
  /** Every packet the client sent (plaintext not available: encrypted bytes). */
  sent: Uint8Array[]
  /** Filters packets: return the packets to deliver (none: dropped; several: duplicated). */
  link: {
    up?: (p: Outgoing) => Outgoing[]
    down?: (p: Outgoing) => Outgoing[]
  }
  pump(rounds?: number): void
  /** A new connection for the same session (the old one closed). */
  reconnect(): void
  advance(ms: number): void
}

export const SALT = 0x1122334455667788n

export function pair(
  options: { client?: Partial<ClientSessionOptions>; server?: Partial<SessionServerOptions>; seed?: string; key?: Partial<ServerKey> } = {},
): Pair {
  const crypto = createCryptoSync({ random: seededRandom(options.seed ?? 'session') })
  const keyBytes = crypto.randomBytes(256)
  const authKey = createAuthKey(keyBytes)
  const clock = { t: T0 }
  const now = (): number => clock.t
  const keys = new Map<bigint, ServerKey>([[authKey.idLong, { authKey, salt: SALT, saltUntil: T0 / 1000 + 3600, ...options.key }]])
  const server = new SessionServer({ crypto, keys, now, ...options.server })
  const client = new ClientSession({
    crypto, authKey, now, salt: SALT, timeOffset: 0, pingInterval: 0, futureSalts: 0, ...options.client,
  })
  const p: Pair = {
    crypto, authKey, keyBytes, keys, server, conn: server.connection(), client, clock, now,
    clientEvents: [], serverEvents: [], sent: [], link: {},
    pump(rounds = 200) {
      for (let i = 0; i < rounds; i++) {
        let moved = false
        for (const o of p.client.takeOutgoing(clock.t)) {
          for (const x of p.link.up ? p.link.up(o) : [o]) {
            moved = true
            if (x.type !== 'packet') continue
            p.sent.push(x.data.slice())
            p.serverEvents.push(...p.conn.receive(x.data.slice(), clock.t, x.quickAck))
          }
        }
        for (const o of p.conn.takeOutgoing(clock.t)) {
          for (const x of p.link.down ? p.link.down(o) : [o]) {
            moved = true
            if (x.type === 'packet') p.clientEvents.push(...p.client.receive(x.data.slice(), clock.t))
            else if (x.type === 'quickAck') p.clientEvents.push(...p.client.receiveQuickAck(x.token))
          }
        }
        if (!moved) return
      }
      throw new Error('pump: still moving after the round limit')
    },
    reconnect() {
      p.conn.close()
      p.conn = server.connection()
      p.client.reconnected(clock.t)
    },
    advance(ms) {
      clock.t += ms
      p.clientEvents.push(...p.client.tick(clock.t))
      p.serverEvents.push(...p.conn.tick(clock.t))
    },
  }
  return p
}

/** Waits for promise callbacks to run. */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

/** `p`, or a failure if it has not settled within `ms` (a test that would hang fails instead). */
export function soon<T>(p: Promise<T>, ms = 2000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms))])
}
