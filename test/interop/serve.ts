/**
 * What the interop suites share: `mtwire serve` as a real process (the CLI bundled from the
 * sources, test/node/cli-bin.ts), started with `--json`, a `--state` file and three MTProxy
 * secrets (plain, `dd`, `ee`); its log lines as events; the leading-zero check that decides
 * whether a peer's failed handshake is the one known peer bug we tolerate; and a TCP relay that
 * can cut a connection right after a request went through (the answer is lost: the client must
 * send it again on a new connection).
 */
import * as net from 'node:net'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import '../../src/node/index.js'
import { createCryptoSync } from '../../src/crypto/index.js'
import { buildCli, startServe, type Serve } from '../node/cli-bin.js'

export const crypto = createCryptoSync()
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export interface LogEvent {
  event: string
  conn?: number
  transport?: string
  framing?: string
  secret?: number
  websocket?: string
  keyId?: string
  temporary?: boolean
  sessionId?: string
  created?: boolean
  reason?: string
  code?: string
  remote?: string
  message?: string
  bytesOut?: number
}

export interface Interop {
  serve: Serve
  port: number
  secrets: { plain: string; dd: string; ee: string }
  /** The server's log so far, parsed (one JSON object per line). */
  events(): LogEvent[]
  /** The server's connection numbers of the connections a relay opened (by their local ports). */
  connsOf(relay: CutRelay): Set<number>
  /** The server's log events of the connections a relay opened. */
  eventsOf(relay: CutRelay): LogEvent[]
  /**
   * Whether one of the permanent keys the server made on these connections starts with a zero
   * byte (read from the --state file, where the server writes each permanent key).
   */
  zeroKeyOn(conns: Set<number>): boolean
  stop(): Promise<void>
}

export async function startInterop(): Promise<Interop> {
  const { cli, cleanup } = await buildCli()
  const dir = mkdtempSync(join(tmpdir(), 'mtwire-interop-'))
  const state = join(dir, 'state.keys')
  const secrets = {
    plain: hex(crypto.randomBytes(16)),
    dd: 'dd' + hex(crypto.randomBytes(16)),
    ee: 'ee' + hex(crypto.randomBytes(16)) + Buffer.from('example.com').toString('hex'),
  }
  const serve = await startServe(crypto, cli, ['--json', '--state', state, '--secret', secrets.plain, '--secret', secrets.dd, '--secret', secrets.ee])
  const events = (): LogEvent[] => serve.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogEvent)
  const connsOf = (relay: CutRelay): Set<number> => {
    const ports = relay.localPorts
    return new Set(events().filter((e) => e.event === 'open' && ports.has(Number(e.remote!.split(':').pop()))).map((e) => e.conn!))
  }
  return {
    serve,
    port: serve.port,
    secrets,
    events,
    connsOf,
    eventsOf(relay) {
      const conns = connsOf(relay)
      return events().filter((e) => e.conn !== undefined && conns.has(e.conn))
    },
    zeroKeyOn(conns) {
      const made = new Set(events().filter((e) => e.event === 'auth-key' && !e.temporary && conns.has(e.conn!)).map((e) => e.keyId))
      for (const line of readFileSync(state, 'utf8').split('\n').slice(1)) {
        if (!line.startsWith('{"put"')) continue
        const { put } = JSON.parse(line) as { put: { id: string; key: string } }
        const id = BigInt.asUintN(64, BigInt(put.id)).toString(16).padStart(16, '0')
        if (made.has(id) && Buffer.from(put.key, 'base64')[0] === 0) return true
      }
      return false
    },
    async stop() {
      const code = await serve.stop('SIGTERM')
      cleanup()
      rmSync(dir, { recursive: true, force: true })
      if (code !== 0) throw new Error(`mtwire serve exited with ${code}`)
    },
  }
}

/**
 * GramJS, teleproto and mtcute keep g^ab mod p as a 255-byte value when its top byte is 0
 * (checklist §1.13), so their own new_nonce_hash check fails against a correct server about one
 * handshake in 256. Exactly that is tolerated: an attempt that failed while the server made a
 * permanent key starting with 0 (or, for a temporary key the server does not persist, failed with
 * the peer's own nonce-hash message) is run again, once per occurrence, at most three times;
 * any other failure fails the test. Returns the attempt's value and how many retries it took.
 */
export async function tolerateShortKey<T>(io: Interop, relay: CutRelay, attempt: () => Promise<T>): Promise<{ value: T; retries: number }> {
  let retries = 0
  for (;;) {
    try {
      return { value: await attempt(), retries }
    } catch (e) {
      // the server's log line may come a moment after the client failed
      await new Promise((r) => setTimeout(r, 100))
      const nonceHash = /nonce hash/i.test(String(e))
      if (retries < 3 && (io.zeroKeyOn(io.connsOf(relay)) || nonceHash)) {
        retries++
        continue
      }
      throw e
    }
  }
}

/**
 * A TCP relay in front of the server. `cutAfterNextRequest()` arms it: the next bytes a client
 * sends reach the server (which then reads EOF), and the client's side is destroyed at once, so
 * the server's answer is lost and the client sees a dropped connection.
 */
export interface CutRelay {
  port: number
  cutAfterNextRequest(): Promise<void>
  /** Connections accepted so far. */
  readonly accepted: number
  /** The local ports of the relay's connections to the server (the server logs them as `remote`). */
  readonly localPorts: Set<number>
  close(): Promise<void>
}

export async function cutRelay(target: number): Promise<CutRelay> {
  let armed: (() => void) | undefined
  let accepted = 0
  const localPorts = new Set<number>()
  const socks = new Set<net.Socket>()
  const srv = net.createServer((client) => {
    accepted++
    const up = net.connect(target, '127.0.0.1', () => localPorts.add(up.localPort!))
    socks.add(client).add(up)
    client.on('close', () => (socks.delete(client), up.destroy()))
    up.on('close', () => (socks.delete(up), client.destroy()))
    client.on('error', () => {})
    up.on('error', () => {})
    up.on('data', (d) => client.write(d))
    client.on('data', (d) => {
      if (!armed) return void up.write(d)
      const done = armed
      armed = undefined
      up.end(d)
      client.destroy()
      done()
    })
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return {
    port: (srv.address() as net.AddressInfo).port,
    get accepted() {
      return accepted
    },
    localPorts,
    cutAfterNextRequest: () => new Promise<void>((r) => (armed = r)),
    close: () => {
      for (const s of socks) s.destroy()
      return new Promise<void>((r) => srv.close(() => r()))
    },
  }
}

/** Waits until `f()` holds (polling), at most `ms`. */
export async function until(f: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error(`timeout after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
