/** Our client and our server in memory: a pump between them, tampering hooks, counters. */
import type { BignumProvider } from '../../src/crypto/bignum/provider.js'
import { nodeBignumProvider } from '../../src/node/bignum.js'
import {
  ClientHandshake, decodePlainMessage, encodePlainMessage, generateRsaKey, HandshakeServer,
  type AuthKeyResult, type ClientHandshakeOptions, type GeneratedRsaKey, type HandshakeServerOptions, type ServerHandshakeEvent,
} from '../../src/auth/index.js'
import type { Crypto } from '../../src/crypto/index.js'
import { HandshakeError } from '../../src/errors.js'
import { decodeTl, encodeTl, mtprotoCodec } from '../../src/tl/index.js'

let cached: GeneratedRsaKey | undefined
/** One RSA key per test file (generation takes ~100 ms). */
export async function serverKey(crypto: Crypto): Promise<GeneratedRsaKey> {
  return (cached ??= await generateRsaKey(crypto))
}

export interface Outcome {
  result?: AuthKeyResult
  error?: HandshakeError
  serverEvents: ServerHandshakeEvent[]
  transportErrors: number[]
  retries: number
}

/** Rewrites a server answer: gets the decoded object, returns it (changed or not) or raw bytes. */
export type Tamper = (obj: any, step: number) => any

/**
 * Runs one handshake between `client` and a connection of `server` until it ends; `tamper`
 * sees each server answer (decoded) and may change it. Transport errors reach the client as input.
 */
export function pump(client: ClientHandshake, server: HandshakeServer, now: number, tamper?: Tamper, address = '127.0.0.1'): Outcome {
  const conn = server.connection(address)
  const o: Outcome = { serverEvents: [], transportErrors: [], retries: 0 }
  client.start(now)
  for (let step = 0; step < 20 && !o.result && !o.error; step++) {
    const reqs = client.takeOutgoing()
    if (reqs.length === 0) break
    for (const p of reqs) o.serverEvents.push(...conn.receive(p, now))
    for (const out of conn.takeOutgoing()) {
      let input: Uint8Array | { type: 'transportError'; status: number }
      if (out.type === 'transportError') {
        o.transportErrors.push(out.status)
        input = { type: 'transportError', status: out.status }
      } else if (tamper) {
        const m = decodePlainMessage(out.data)
        const t = tamper(decodeTl(mtprotoCodec, m.body), step)
        input = encodePlainMessage(m.msgId, t instanceof Uint8Array ? t : encodeTl(mtprotoCodec, t))
      } else input = out.data
      for (const ev of client.receive(input, now)) {
        if (ev.type === 'done') o.result = ev.result
        if (ev.type === 'error') o.error = ev.error
        if (ev.type === 'retry') o.retries++
      }
    }
  }
  return o
}

/** A client and a server with our key, in one call. */
export async function handshake(
  crypto: Crypto, clientOpts: Partial<ClientHandshakeOptions> = {}, serverOpts: Partial<HandshakeServerOptions> = {}, tamper?: Tamper,
): Promise<Outcome & { server: HandshakeServer }> {
  const key = await serverKey(crypto)
  const server = new HandshakeServer(crypto, { keys: [key.privateKey], ...serverOpts })
  const client = new ClientHandshake(crypto, { dcId: 2, keys: [key.publicKey], ...clientOpts })
  return { ...pump(client, server, 1_700_000_000_000, tamper), server }
}

/** node:crypto's provider, counting the operations that cost (RSA private, modexp). */
export function countingProvider(): BignumProvider & { counts: { modPow: number; rsaPrivate: number } } {
  const counts = { modPow: 0, rsaPrivate: 0 }
  return {
    name: 'counting node:crypto',
    constantTime: true,
    counts,
    modPow(...a) {
      counts.modPow++
      return nodeBignumProvider.modPow!(...a)
    },
    rsaPublic: (...a) => nodeBignumProvider.rsaPublic!(...a),
    rsaPrivate(...a) {
      counts.rsaPrivate++
      return nodeBignumProvider.rsaPrivate!(...a)
    },
  }
}
