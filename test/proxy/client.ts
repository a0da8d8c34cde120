/**
 * Our client over node:net for the proxy tests (until the client driver of branch `client`
 * lands): ClientTransport (with the MTProxy secret), ClientHandshake for the permanent and the
 * temporary key, ClientSession bound to the temporary key (PFS), pings and queries.
 */
import * as net from 'node:net'
import { ClientHandshake, type AuthKeyResult, type ServerPublicKey } from '../../src/auth/index.js'
import { createAuthKey } from '../../src/crypto/authkey.js'
import type { Crypto } from '../../src/crypto/types.js'
import { ClientSession } from '../../src/session/client.js'
import { ClientTransport } from '../../src/transport/client.js'

export interface OurClient {
  session: ClientSession
  perm: AuthKeyResult
  temp: AuthKeyResult
  /** Events of the session (bound, errors...). */
  events: { type: string }[]
  /** Packets sent and received, in order (handshakes included). */
  sent: Uint8Array[]
  received: Uint8Array[]
  close(): void
  closed: Promise<void>
}

export async function connectOurs(crypto: Crypto, port: number, secret: string, key: ServerPublicKey, dcId = 2): Promise<OurClient> {
  const sock = net.connect({ host: '127.0.0.1', port, noDelay: true })
  const closed = new Promise<void>((r) => sock.on('close', () => r()))
  sock.on('error', () => {})
  const t = new ClientTransport({ crypto, proxySecret: secret, dcId })
  const sent: Uint8Array[] = []
  const received: Uint8Array[] = []
  let onPacket: (p: Uint8Array) => void = () => {}
  let failed: unknown
  const flushT = (): void => {
    for (const b of t.takeOutgoing()) sock.write(b)
  }
  sock.on('data', (d: Buffer) => {
    for (const e of t.receive(new Uint8Array(d))) {
      if (e.type === 'packet') {
        received.push(e.data.slice())
        onPacket(e.data)
      } else if (e.type === 'error') failed = e.error
    }
    // with fake-TLS, what waited for the server hello
    flushT()
  })
  await new Promise<void>((r, j) => {
    sock.once('connect', r)
    sock.once('error', j)
  })
  t.start()
  flushT()
  const send = (p: Uint8Array): void => {
    sent.push(p.slice())
    t.send(p)
    flushT()
  }
  const handshake = (expiresIn?: number): Promise<AuthKeyResult> =>
    new Promise((resolve, reject) => {
      const hs = new ClientHandshake(crypto, { dcId, keys: [key], expiresIn })
      hs.start(Date.now())
      const pump = (): void => {
        for (const o of hs.takeOutgoing()) send(o)
      }
      onPacket = (p) => {
        for (const e of hs.receive(p, Date.now())) {
          if (e.type === 'done') resolve(e.result)
          else if (e.type === 'error') reject(e.error)
        }
        pump()
      }
      pump()
      setTimeout(() => reject(new Error(`handshake timeout ${String(failed ?? '')}`)), 15_000).unref()
    })
  const perm = await handshake()
  const temp = await handshake(3600)
  const events: { type: string }[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const session = new ClientSession({
    crypto,
    authKey: createAuthKey(perm.authKey),
    salt: perm.serverSalt,
    timeOffset: perm.timeOffset * 1000,
    pingInterval: 0,
    futureSalts: 0,
    onOutgoing: () => flush(),
  })
  const flush = (): void => {
    for (const o of session.takeOutgoing()) if (o.type === 'packet') send(o.data)
    if (timer) clearTimeout(timer)
    const d = session.nextDeadline()
    if (d !== undefined && Number.isFinite(d)) {
      timer = setTimeout(() => {
        events.push(...session.tick(Date.now()))
        flush()
      }, Math.max(0, d - Date.now()))
      timer.unref()
    }
  }
  onPacket = (p) => {
    events.push(...session.receive(p, Date.now()))
    flush()
  }
  session.useTempKey(createAuthKey(temp.authKey), temp.expiresAt!)
  flush()
  return {
    session,
    perm,
    temp,
    events,
    sent,
    received,
    closed,
    close() {
      if (timer) clearTimeout(timer)
      session.close()
      sock.destroy()
    },
  }
}
