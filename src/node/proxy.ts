/**
 * `createProxy(options)`: the MTProxy relay on node:net, for `mtwire proxy` and for embedders.
 * One `ProxyRelay` (src/proxy/) per client socket decides everything; this file moves bytes
 * between the client and its upstream (the DC, or the fallback site for refused clients) and
 * enforces what a relay open to the internet needs:
 *
 * - connections in total and per client IP (over the limit: closed at once, counted);
 * - the handshake and idle timeouts (the relay's deadlines, one timer per connection);
 * - at most `maxBufferBytes` queued per direction: past it the sending side is paused until
 *   the receiving side drains (TCP backpressure all the way back), never an unbounded queue;
 * - per-secret counters and handshake failures by reason, in the Prometheus text format;
 * - `reload(secrets)`: new connections use the new secrets, established ones keep theirs;
 * - one log entry per connection, when it ends.
 */
import * as http from 'node:http'
import * as net from 'node:net'
import type { Crypto } from '../crypto/index.js'
import { createCrypto } from '../crypto/index.js'
import { ProxyError } from '../errors.js'
import { ProxyRelay, type HandshakeFailure, type RelayEvent } from '../proxy/relay.js'
import { parseSecrets, type ProxySecretEntry, type SecretInput } from '../proxy/secrets.js'
import { createUpstreams, parseHostPort, type DcRef, type HostPort, type UpstreamOptions } from '../proxy/upstream.js'
import { ReplayCache } from '../transport/faketls.js'

export interface ProxyOptions {
  /** Port to listen on (0: any free port). Default 443. */
  port?: number
  /** Address to listen on. Default `0.0.0.0`; `::` for every IPv4 and IPv6 address. */
  host?: string
  /** Secrets: `HEX`, `NAME=HEX` or `{ name, secret }`; at least one. */
  secrets: readonly SecretInput[]
  /** Where refused clients go (`host:port`). Default: the `ee` secret's domain, port 443. */
  tlsFallback?: string | HostPort
  /** Per-DC upstream overrides (`{ '2': '127.0.0.1:4430', '*': ... }`, see UpstreamOptions). */
  upstream?: UpstreamOptions['overrides']
  /** Telegram's IPv6 addresses for DCs without an override. Default false. */
  ipv6?: boolean
  /** Connections open at once. Default 10 000. */
  maxConnections?: number
  /** Connections open at once from one IP address. Default 64. */
  maxConnectionsPerIp?: number
  /** From accept to a proven secret. Default 10 s. */
  handshakeTimeoutMs?: number
  /** With no byte either way. Default 5 min. */
  idleTimeoutMs?: number
  /** Bytes queued toward one side before the other is paused. Default 256 KiB. */
  maxBufferBytes?: number
  /** Fake-TLS clock skew tolerated, seconds. Default 120. */
  skewSec?: number
  /** The DC's bytes to the client without re-encryption (see ProxyRelayOptions.fastMode for the price). Default false. */
  fastMode?: boolean
  /** Remembers ClientHellos and headers seen (shared by all connections). Default `new ReplayCache()`. */
  replayCache?: ReplayCache
  /** Serve `GET /metrics` (Prometheus text format) on `host:port`. */
  metrics?: string | HostPort
  /** One entry per connection, when it ends. */
  onLog?: (entry: ProxyLogEntry) => void
  /** Default: `createCrypto()` (node:crypto AES-CTR through the Node entry point). */
  crypto?: Crypto
}

export interface ProxyLogEntry {
  /** ISO time of the accept. */
  time: string
  client: string
  /** `relayed`: a client of ours; `fallback`: refused, sent to the fallback site; `refused`: closed; `rejected`: over a connection limit. */
  result: 'relayed' | 'fallback' | 'refused' | 'rejected'
  secret?: string
  transport?: 'obfuscated2' | 'fake-tls'
  dc?: number
  upstream?: string
  failure?: HandshakeFailure | 'max-connections' | 'max-per-ip'
  /** Why it ended. */
  reason: string
  bytesFromClient: number
  bytesToClient: number
  durationMs: number
}

export interface SecretStats {
  connections: number
  active: number
  bytesFromClient: number
  bytesToClient: number
}

export interface ProxyStats {
  active: number
  /** Bytes queued in the proxy's sockets now, both directions of every connection. */
  buffered: number
  accepted: number
  rejected: Record<'max-connections' | 'max-per-ip', number>
  handshakeFailures: Partial<Record<HandshakeFailure, number>>
  fallbacks: number
  upstreamErrors: number
  fallbackErrors: number
  reloads: number
  perSecret: Record<string, SecretStats>
}

export interface Proxy {
  /** The address the proxy listens on (the port actually bound). */
  readonly address: HostPort
  /** The metrics endpoint's address, if any. */
  readonly metricsAddress: HostPort | undefined
  /** The secrets new connections use. */
  readonly secrets: readonly ProxySecretEntry[]
  /** Replaces the secrets for new connections; established ones go on. Throws `ProxyError` (keeping the old ones) on bad input. */
  reload(secrets: readonly SecretInput[]): void
  stats(): ProxyStats
  /** The metrics, Prometheus text format. */
  metrics(): string
  /** Stops listening and closes every connection. */
  close(): Promise<void>
}

const positive = (v: number | undefined, name: string, def: number): number => {
  if (v === undefined) return def
  if (!(Number.isInteger(v) && v > 0)) throw new ProxyError('E_PROXY_OPTION', `${name} must be a positive integer`)
  return v
}

const hostPort = (v: string | HostPort, what: string, listen = false): HostPort => {
  if (typeof v === 'string') return parseHostPort(v, what, listen)
  if (typeof v !== 'object' || v === null || typeof v.host !== 'string' || !Number.isInteger(v.port) || v.port < (listen ? 0 : 1) || v.port > 65535) {
    throw new ProxyError('E_PROXY_OPTION', `${what} must be host:port or { host, port }`)
  }
  return v
}

/** `::ffff:1.2.3.4` and `1.2.3.4` are one client. */
const clientIp = (s: net.Socket): string => (s.remoteAddress ?? '?').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')

const formatHost = (h: HostPort): string => (h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`)

/**
 * Ends a socket after what is queued for it; one whose peer does not close is cut after 5 s.
 * Outside createProxy's closures on purpose: a timer made in there would keep the connection's
 * whole scope (relay, buffers) alive until it fires.
 */
function endSoon(s: net.Socket): void {
  if (s.destroyed) return
  s.end()
  const t = setTimeout(() => s.destroy(), 5000)
  t.unref()
  s.once('close', () => clearTimeout(t))
}

/** Escapes a Prometheus label value. */
const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

export async function createProxy(options: ProxyOptions): Promise<Proxy> {
  if (typeof options !== 'object' || options === null) throw new ProxyError('E_PROXY_OPTION', 'options must be an object')
  const crypto = options.crypto ?? (await createCrypto())
  let secrets = parseSecrets(crypto, options.secrets)
  if (secrets.length === 0) throw new ProxyError('E_PROXY_OPTION', 'a proxy needs at least one secret')
  const port = options.port ?? 443
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new ProxyError('E_PROXY_OPTION', 'port must be in 0..65535')
  const host = options.host ?? '0.0.0.0'
  const maxConnections = positive(options.maxConnections, 'maxConnections', 10_000)
  const maxPerIp = positive(options.maxConnectionsPerIp, 'maxConnectionsPerIp', 64)
  const maxBuffer = positive(options.maxBufferBytes, 'maxBufferBytes', 256 * 1024)
  const fallback = options.tlsFallback === undefined ? undefined : hostPort(options.tlsFallback, 'tlsFallback')
  const upstream = createUpstreams({ overrides: options.upstream, ipv6: options.ipv6 })
  if (options.replayCache !== undefined && !(options.replayCache instanceof ReplayCache)) throw new ProxyError('E_PROXY_OPTION', 'replayCache must be a ReplayCache')
  const replayCache = options.replayCache ?? new ReplayCache()
  if (options.onLog !== undefined && typeof options.onLog !== 'function') throw new ProxyError('E_PROXY_OPTION', 'onLog must be a function')
  const relayOptions = { crypto, upstream, replayCache, fallback, skewSec: options.skewSec, fastMode: options.fastMode, handshakeTimeoutMs: options.handshakeTimeoutMs, idleTimeoutMs: options.idleTimeoutMs }
  // checks the timing options (and the rest) once, before listening
  new ProxyRelay({ ...relayOptions, secrets }, Date.now()).dispose()

  const stats: ProxyStats = {
    active: 0,
    buffered: 0,
    accepted: 0,
    rejected: { 'max-connections': 0, 'max-per-ip': 0 },
    handshakeFailures: {},
    fallbacks: 0,
    upstreamErrors: 0,
    fallbackErrors: 0,
    reloads: 0,
    perSecret: {},
  }
  const secretStats = (l: string): SecretStats => (stats.perSecret[l] ??= { connections: 0, active: 0, bytesFromClient: 0, bytesToClient: 0 })
  for (const s of secrets) secretStats(s.label)
  const perIp = new Map<string, number>()
  /** Open connections: how to end each, and what its sockets hold. */
  const open = new Map<() => void, () => number>()

  const server = net.createServer({ noDelay: true }, (sock) => {
    const ip = clientIp(sock)
    const started = Date.now()
    const entry: ProxyLogEntry = {
      time: new Date(started).toISOString(),
      client: `${sock.remoteAddress?.includes(':') ? `[${sock.remoteAddress}]` : sock.remoteAddress}:${sock.remotePort}`,
      result: 'refused',
      reason: '',
      bytesFromClient: 0,
      bytesToClient: 0,
      durationMs: 0,
    }
    const n = perIp.get(ip) ?? 0
    if (stats.active >= maxConnections || n >= maxPerIp) {
      const why = stats.active >= maxConnections ? 'max-connections' : 'max-per-ip'
      stats.rejected[why]++
      sock.on('error', () => {})
      sock.destroy()
      options.onLog?.({ ...entry, result: 'rejected', failure: why, reason: `over ${why}` })
      return
    }
    perIp.set(ip, n + 1)
    stats.active++
    stats.accepted++
    relayConnection(sock, ip, started, entry)
  })

  function relayConnection(sock: net.Socket, ip: string, started: number, entry: ProxyLogEntry): void {
    const relay = new ProxyRelay({ ...relayOptions, secrets }, started)
    let up: net.Socket | null = null
    let counted: SecretStats | null = null
    let timer: ReturnType<typeof setTimeout> | undefined
    let done = false

    const finish = (reason: string): void => {
      if (done) return
      done = true
      open.delete(kill)
      if (timer) clearTimeout(timer)
      relay.dispose()
      entry.reason ||= reason
      entry.durationMs = Date.now() - started
      stats.active--
      const left = (perIp.get(ip) ?? 1) - 1
      if (left > 0) perIp.set(ip, left)
      else perIp.delete(ip)
      if (counted) counted.active--
      // the other side gets what is queued for it, then its end
      endSoon(sock)
      if (up) endSoon(up)
      options.onLog?.(entry)
    }
    const kill = (): void => {
      finish('proxy closed')
      sock.destroy()
      up?.destroy()
    }
    open.set(kill, () => sock.writableLength + (up?.writableLength ?? 0))

    /** Writes to `dest`; past maxBuffer queued there, pauses `src` until `dest` drains. */
    const write = (dest: net.Socket, src: net.Socket | null, data: Uint8Array): void => {
      if (dest.destroyed) return
      dest.write(data)
      if (src && dest.writableLength > maxBuffer && !src.isPaused()) {
        src.pause()
        dest.once('drain', () => {
          if (!done) src.resume()
        })
      }
    }

    const handle = (events: RelayEvent[]): void => {
      for (const ev of events) {
        if (ev.type === 'connect') {
          up = connectUpstream(ev)
        } else {
          if (ev.failure) stats.handshakeFailures[ev.failure] = (stats.handshakeFailures[ev.failure] ?? 0) + 1
          entry.failure ??= ev.failure
          entry.reason = ev.reason
        }
      }
      for (const o of relay.takeOutgoing()) {
        if (o.to === 'client') {
          entry.bytesToClient += o.data.length
          if (counted) counted.bytesToClient += o.data.length
          write(sock, up, o.data)
        } else if (up) write(up, sock, o.data)
      }
      if (events.some((e) => e.type === 'close')) finish(entry.reason)
    }

    const connectUpstream = (ev: Extract<RelayEvent, { type: 'connect' }>): net.Socket => {
      const u = net.connect({ host: ev.target.host, port: ev.target.port, noDelay: true })
      entry.upstream = formatHost(ev.target)
      if (ev.fallback) {
        entry.result = 'fallback'
        entry.failure = ev.failure
        stats.fallbacks++
        stats.handshakeFailures[ev.failure] = (stats.handshakeFailures[ev.failure] ?? 0) + 1
      } else {
        entry.result = 'relayed'
        entry.secret = ev.secret.label
        entry.transport = ev.transport
        entry.dc = (ev.dc.media ? -1 : 1) * (ev.dc.dcId + (ev.dc.test ? 10000 : 0))
        counted = secretStats(ev.secret.label)
        counted.connections++
        counted.active++
        counted.bytesFromClient += entry.bytesFromClient
      }
      u.on('data', (d: Buffer) => {
        if (!done) handle(relay.receive({ from: 'upstream', data: d }, Date.now()))
      })
      u.on('error', (e) => {
        if (ev.fallback) stats.fallbackErrors++
        else stats.upstreamErrors++
        entry.reason ||= `upstream ${formatHost(ev.target)}: ${e.message}`
      })
      u.on('close', () => finish('upstream closed'))
      return u
    }

    const arm = (): void => {
      const d = relay.nextDeadline()
      if (d === undefined || done) return
      // armed at the deadline known now; activity only moves it later, so tick() then finds
      // nothing to do and the timer is set again: no timer churn per chunk
      timer = setTimeout(() => {
        handle(relay.tick(Date.now()))
        arm()
      }, Math.max(0, d - Date.now()) + 1)
      timer.unref?.()
    }

    sock.on('data', (d: Buffer) => {
      if (done) return
      entry.bytesFromClient += d.length
      if (counted) counted.bytesFromClient += d.length
      handle(relay.receive({ from: 'client', data: d }, Date.now()))
    })
    sock.on('error', (e) => {
      entry.reason ||= `client: ${e.message}`
    })
    sock.on('close', () => finish('client closed'))
    arm()
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', () => {})
  const addr = server.address() as net.AddressInfo

  const metrics = (): string => {
    const lines: string[] = []
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [string, number][]): void => {
      lines.push(`# HELP mtwire_proxy_${name} ${help}`, `# TYPE mtwire_proxy_${name} ${type}`)
      for (const [labels, v] of samples) lines.push(`mtwire_proxy_${name}${labels} ${v}`)
    }
    const per = Object.entries(stats.perSecret)
    let buffered = 0
    for (const held of open.values()) buffered += held()
    metric('connections_active', 'gauge', 'Client connections open now.', [['', stats.active]])
    metric('buffered_bytes', 'gauge', 'Bytes queued in the sockets of open connections, both directions.', [['', buffered]])
    metric('connections_accepted_total', 'counter', 'Client connections accepted (within the limits).', [['', stats.accepted]])
    metric('connections_rejected_total', 'counter', 'Client connections closed at once for a connection limit.', Object.entries(stats.rejected).map(([k, v]) => [`{limit="${k}"}`, v]))
    metric('handshake_failures_total', 'counter', 'Clients that proved no secret, by reason.', Object.entries(stats.handshakeFailures).map(([k, v]) => [`{reason="${k}"}`, v!]))
    metric('replay_hits_total', 'counter', 'Replayed ClientHellos and obfuscated2 headers refused.', [['', (stats.handshakeFailures['tls-replay'] ?? 0) + (stats.handshakeFailures['obfuscated2-replay'] ?? 0)]])
    metric('fallback_connections_total', 'counter', 'Refused clients relayed to the fallback site.', [['', stats.fallbacks]])
    metric('upstream_errors_total', 'counter', 'Connections to a DC that failed.', [['{upstream="dc"}', stats.upstreamErrors], ['{upstream="fallback"}', stats.fallbackErrors]])
    metric('secret_connections_total', 'counter', 'Clients relayed, per secret.', per.map(([k, s]) => [`{secret="${label(k)}"}`, s.connections]))
    metric('secret_connections_active', 'gauge', 'Clients relayed now, per secret.', per.map(([k, s]) => [`{secret="${label(k)}"}`, s.active]))
    metric('secret_bytes_total', 'counter', 'Bytes on the client side, per secret and direction.', per.flatMap(([k, s]) => [
      [`{secret="${label(k)}",direction="from_client"}`, s.bytesFromClient],
      [`{secret="${label(k)}",direction="to_client"}`, s.bytesToClient],
    ] as [string, number][]))
    metric('secrets', 'gauge', 'Secrets new connections may use.', [['', secrets.length]])
    metric('reloads_total', 'counter', 'Secret reloads applied.', [['', stats.reloads]])
    return lines.join('\n') + '\n'
  }

  let metricsServer: http.Server | undefined
  let metricsAddress: HostPort | undefined
  if (options.metrics !== undefined) {
    const m = hostPort(options.metrics, 'metrics', true)
    const srv = http.createServer((req, res) => {
      if (req.method === 'GET' && (req.url === '/metrics' || req.url === '/')) {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
        res.end(metrics())
      } else {
        res.writeHead(404).end()
      }
    })
    metricsServer = srv
    try {
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject)
        srv.listen(m.port, m.host, () => resolve())
      })
    } catch (e) {
      server.close()
      throw e
    }
    const ma = srv.address() as net.AddressInfo
    metricsAddress = { host: ma.address, port: ma.port }
  }

  return {
    address: { host: addr.address, port: addr.port },
    metricsAddress,
    get secrets() {
      return secrets
    },
    reload(inputs) {
      const next = parseSecrets(crypto, inputs)
      if (next.length === 0) throw new ProxyError('E_PROXY_OPTION', 'a proxy needs at least one secret')
      secrets = next
      // counters of removed secrets go once their last connection has ended (bounded by the
      // secrets in force and the connections open, however many reloads)
      const kept = new Set(secrets.map((s) => s.label))
      for (const [l, s] of Object.entries(stats.perSecret)) if (!kept.has(l) && s.active === 0) delete stats.perSecret[l]
      for (const s of secrets) secretStats(s.label)
      stats.reloads++
    },
    stats: () => {
      stats.buffered = 0
      for (const held of open.values()) stats.buffered += held()
      return structuredClone(stats)
    },
    metrics,
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()))
      for (const kill of [...open.keys()]) kill()
      metricsServer?.closeAllConnections?.()
      await Promise.all([closed, metricsServer && new Promise<void>((r) => metricsServer!.close(() => r()))])
    },
  }
}

export type { DcRef, HostPort, ProxySecretEntry, SecretInput, UpstreamOptions }
