/** Loopback pieces for the runner's tests: an echo DC, a recording fallback site, raw and MTProxy clients. */
import * as net from 'node:net'
import type { Crypto } from '../../src/crypto/types.js'
import { ClientTransport } from '../../src/transport/client.js'
import { ServerTransport } from '../../src/transport/server.js'

export interface EchoDc {
  port: number
  /** Connections accepted so far. */
  accepted: number
  open(): number
  /** Sockets, to cut them. */
  sockets: Set<net.Socket>
  close(): Promise<void>
}

const listen = async (srv: net.Server): Promise<number> => {
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return (srv.address() as net.AddressInfo).port
}

const closeServer = (srv: net.Server, sockets: Set<net.Socket>): Promise<void> =>
  new Promise<void>((r) => {
    for (const s of sockets) s.destroy()
    srv.close(() => r())
  })

/** A DC that answers every packet with itself; with `sink`, one that stops reading once a client connected. */
export async function echoDc(crypto: Crypto, opts: { sink?: boolean } = {}): Promise<EchoDc> {
  const sockets = new Set<net.Socket>()
  const dc: EchoDc = { port: 0, accepted: 0, open: () => sockets.size, sockets, close: () => closeServer(srv, sockets) }
  const srv = net.createServer((sock) => {
    dc.accepted++
    sockets.add(sock)
    const t = new ServerTransport({ crypto })
    sock.on('error', () => {})
    sock.on('close', () => {
      sockets.delete(sock)
      t.dispose()
    })
    sock.on('data', (d: Buffer) => {
      if (opts.sink) {
        sock.pause()
        return
      }
      let evs
      try {
        evs = t.receive(new Uint8Array(d))
      } catch {
        sock.destroy()
        return
      }
      for (const e of evs) {
        if (e.type === 'packet') t.send(e.data)
        else if (e.type === 'close') sock.destroy()
      }
      for (const b of t.takeOutgoing()) sock.write(b)
    })
  })
  dc.port = await listen(srv)
  return dc
}

export interface Site {
  port: number
  /** Everything each connection received, once it ended. */
  received: Uint8Array[]
  /** Connections open now. */
  open(): number
  close(): Promise<void>
}

export const SITE_BANNER = Buffer.from('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n')

/** An HTTPS-like site that records what each connection sent and answers its first bytes with a banner. */
export async function recordingSite(): Promise<Site> {
  const sockets = new Set<net.Socket>()
  const site: Site = { port: 0, received: [], open: () => sockets.size, close: () => closeServer(srv, sockets) }
  const srv = net.createServer((sock) => {
    sockets.add(sock)
    const got: Buffer[] = []
    sock.on('error', () => {})
    sock.on('data', (d: Buffer) => {
      if (got.length === 0) sock.write(SITE_BANNER)
      got.push(d)
    })
    sock.on('close', () => {
      sockets.delete(sock)
      site.received.push(new Uint8Array(Buffer.concat(got)))
    })
  })
  site.port = await listen(srv)
  return site
}

export interface RawClient {
  sock: net.Socket
  /** Everything received so far. */
  received(): Buffer
  /** Resolves once `n` bytes arrived (or the socket closed). */
  waitFor(n: number): Promise<void>
  closed: Promise<void>
}

export async function rawConnect(port: number): Promise<RawClient> {
  const sock = net.connect({ host: '127.0.0.1', port, noDelay: true })
  const chunks: Buffer[] = []
  let total = 0
  let wake: (() => void) | undefined
  sock.on('data', (d: Buffer) => {
    chunks.push(d)
    total += d.length
    wake?.()
  })
  sock.on('error', () => {})
  const closed = new Promise<void>((r) =>
    sock.on('close', () => {
      r()
      wake?.()
    }),
  )
  await new Promise<void>((r, j) => {
    sock.once('connect', r)
    sock.once('error', j)
  })
  let isClosed = false
  void closed.then(() => (isClosed = true))
  return {
    sock,
    received: () => Buffer.concat(chunks),
    waitFor: async (n) => {
      while (total < n && !isClosed) await new Promise<void>((r) => (wake = r))
    },
    closed,
  }
}

export interface MtClient {
  raw: RawClient
  /** Every byte written, in order (to replay the connection). */
  wire: Buffer[]
  send(packet: Uint8Array): void
  /** The next packet from the DC. */
  next(): Promise<Uint8Array>
}

/** Our ClientTransport on a raw socket: an MTProxy client that sends packets and reads the echo. */
export async function mtConnect(crypto: Crypto, port: number, secret: string, dcId = 2): Promise<MtClient> {
  const raw = await rawConnect(port)
  const t = new ClientTransport({ crypto, proxySecret: secret, dcId })
  const wire: Buffer[] = []
  const write = (b: Uint8Array): void => {
    if (b.length === 0) return
    wire.push(Buffer.from(b))
    raw.sock.write(b)
  }
  const packets: Uint8Array[] = []
  let wake: (() => void) | undefined
  const flush = (): void => {
    for (const b of t.takeOutgoing()) write(b)
  }
  raw.sock.on('data', (d: Buffer) => {
    for (const e of t.receive(new Uint8Array(d))) if (e.type === 'packet') packets.push(e.data)
    // with fake-TLS, what waited for the server hello
    flush()
    wake?.()
  })
  t.start()
  flush()
  return {
    raw,
    wire,
    send: (p) => {
      t.send(p)
      flush()
    },
    next: async () => {
      while (packets.length === 0) {
        await Promise.race([new Promise<void>((r) => (wake = r)), raw.closed.then(() => Promise.reject(new Error('closed')))])
      }
      return packets.shift()!
    },
  }
}

/**
 * Live objects per constructor name, from a heap snapshot (after a full GC, which taking one
 * does): the precise leak check; heapUsed alone moves by megabytes as V8 compiles code.
 */
export async function countObjects(names: readonly string[]): Promise<Record<string, number>> {
  const { getHeapSnapshot } = await import('node:v8')
  const stream = getHeapSnapshot()
  // read to 'end', not with `for await`: Node 18's HeapSnapshotStream never calls its _destroy
  // callback, so 'close' never comes and the async iterator waits for it forever (node#58846
  // fixed it later; Node 20.20 has the fix, 18.20.8 does not); bytes joined before decoding, as a
  // chunk may end inside a UTF-8 sequence
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    stream.once('error', reject)
  })
  const snap = JSON.parse(text) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }
    nodes: number[]
    strings: string[]
  }
  const f = snap.snapshot.meta.node_fields
  const width = f.length
  const typeAt = f.indexOf('type')
  const nameAt = f.indexOf('name')
  const objectType = snap.snapshot.meta.node_types[0].indexOf('object')
  const want = new Map(names.map((n) => [n, 0]))
  for (let i = 0; i < snap.nodes.length; i += width) {
    if (snap.nodes[i + typeAt] !== objectType) continue
    const name = snap.strings[snap.nodes[i + nameAt]]
    const n = want.get(name)
    if (n !== undefined) want.set(name, n + 1)
  }
  return Object.fromEntries(want)
}
