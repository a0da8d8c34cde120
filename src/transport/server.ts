/**
 * The server side of a connection, sans-IO: detects the transport from the first bytes, accepts
 * plain framings, obfuscated2 (with or without MTProxy secrets), fake-TLS (`ee` secrets) and HTTP,
 * and then turns received bytes into packets and packets into bytes to send.
 *
 * A server never reveals itself before the client proved it knows a secret: a connection that
 * fails detection, the obfuscated2 header or any fake-TLS check becomes a `fallback` event
 * carrying every byte received so far (the driver connects to the fallback host, writes them and
 * then pipes both ways; later input comes back as `forward` events), or, with no fallback
 * configured, a `close` event (a TLS handshake_failure alert for TLS-looking input).
 */
import type { Crypto } from '../crypto/index.js'
import { concat, copyBytes } from '../bytes.js'
import { detectTransport, type DetectedKind } from './detect.js'
import { fail } from './errors.js'
import {
  buildServerHello,
  checkClientHello,
  encodeAppData,
  ReplayCache,
  TLS_APPLICATION_DATA,
  TLS_CHANGE_CIPHER_SPEC,
  TLS_HANDSHAKE_FAILURE_ALERT,
  TLS_MAX_FRAGMENT,
  TLS_MAX_RECORD,
  TlsRecordDecoder,
  type FakeTlsKey,
} from './faketls.js'
import { createFraming, type FrameEvent, type Framing, type FramingKind } from './framing.js'
import { HttpServerCodec } from './http.js'
import { acceptObfuscated2, type Obfuscated2Cipher } from './obfuscated2.js'
import { parseProxySecret, type ProxySecret } from './secret.js'

export interface ConnectionInfo {
  transport: 'plain' | 'obfuscated2' | 'fake-tls' | 'http'
  /** Framing inside (absent for HTTP). */
  framing?: FramingKind
  /** DC field of the obfuscated2 header. */
  dc?: { dcId: number; test: boolean; media: boolean; raw: number }
  /** Index into `secrets` of the secret the client used, -1 for none. */
  secretIndex: number
}

export type ServerEvent =
  | FrameEvent
  | { type: 'detected'; info: ConnectionInfo }
  /** Bytes the driver must write now (the fake-TLS server hello). */
  | { type: 'write'; data: Uint8Array }
  /** Hand the connection to host:port: write `data` there, then pipe both ways. */
  | { type: 'fallback'; host: string; port: number; data: Uint8Array; reason: string }
  /** After a fallback: more bytes from the client, to pass on unchanged. */
  | { type: 'forward'; data: Uint8Array }
  /** Write `data` (possibly empty), then close. `reason` is for local logs only. */
  | { type: 'close'; data: Uint8Array; reason: string }

export interface ServerTransportOptions {
  crypto: Crypto
  /** MTProxy secrets. Plain and `dd` ones admit obfuscated2, `ee` ones fake-TLS. */
  secrets?: readonly (string | Uint8Array)[]
  /** Accept unobfuscated framings (ef, eeeeeeee, dddddddd, full). Default: true when no secrets are configured. */
  allowPlain?: boolean
  /** Accept obfuscated2 without a secret, as Telegram's DCs do. Default: true when no secrets are configured. */
  allowObfuscatedWithoutSecret?: boolean
  /** Accept the HTTP transport. Default: same as `allowPlain`. */
  allowHttp?: boolean
  /** Where to hand connections that fail the checks (MTProxy servers use the real site of the domain). */
  fallback?: { host: string; port: number }
  /** Fake-TLS clock skew tolerated, in seconds (default 120). */
  skewSec?: number
  /** Shared across connections so a replayed ClientHello is refused. Default: a process-wide cache. */
  replayCache?: ReplayCache
  /** Length of the server hello's application-data noise; default random in 1200..4199. */
  noiseLength?: () => number
  maxPacketLength?: number
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number
}

const defaultReplayCache = new ReplayCache()

type State = 'detect' | 'tls-hello' | 'tls' | 'obfuscated2' | 'plain' | 'http' | 'fallback' | 'closed'

export class ServerTransport {
  private readonly crypto: Crypto
  private readonly opts: ServerTransportOptions
  private readonly secrets: ProxySecret[]
  private readonly tlsKeys: (FakeTlsKey & { index: number })[]
  private readonly obfKeys: { key: Uint8Array; index: number }[]
  private state: State = 'detect'
  /** Everything received before the connection was accepted (for a fallback). */
  private received: Uint8Array[] = []
  private pre: Uint8Array = new Uint8Array(0)
  private framing: Framing | null = null
  private cipher: Obfuscated2Cipher | null = null
  private tlsDecoder: TlsRecordDecoder | null = null
  private tlsKey: Uint8Array | null = null
  private http: HttpServerCodec | null = null
  private info: ConnectionInfo | null = null

  constructor(options: ServerTransportOptions) {
    if (!options || typeof options.crypto !== 'object') fail('E_OPTION', 'options.crypto is required')
    this.opts = options
    this.crypto = options.crypto
    this.secrets = (options.secrets ?? []).map((s) => parseProxySecret(s))
    this.tlsKeys = []
    this.obfKeys = []
    this.secrets.forEach((s, index) => {
      if (s.mode === 'fake-tls') this.tlsKeys.push({ key: s.key, domain: s.domain!, index })
      else this.obfKeys.push({ key: s.key, index })
    })
    const f = options.fallback
    if (f && (typeof f.host !== 'string' || !f.host || !Number.isInteger(f.port) || f.port < 1 || f.port > 65535)) {
      fail('E_OPTION', 'fallback must be { host, port }')
    }
    const skew = options.skewSec ?? 120
    if (!(skew >= 0 && skew <= 86400)) fail('E_OPTION', 'skewSec must be in 0..86400')
    const cache = options.replayCache ?? defaultReplayCache
    if (cache.windowSec < 2 * skew) fail('E_OPTION', 'the replay cache window must cover twice the clock skew')
  }

  /** How the client connected, once known. */
  get connection(): ConnectionInfo | null {
    return this.info
  }

  receive(chunk: Uint8Array): ServerEvent[] {
    switch (this.state) {
      case 'fallback':
        return [{ type: 'forward', data: copyBytes(chunk) }]
      case 'closed':
        return fail('E_STATE', 'the connection was closed')
      case 'plain':
        return this.framing!.decode(chunk)
      case 'obfuscated2':
        return this.framing!.decode(this.cipher!.decrypt(chunk))
      case 'http':
        return this.http!.decode(chunk).map((data) => ({ type: 'packet', data, quickAck: false }))
      case 'tls':
        return this.tlsData(chunk)
      case 'tls-hello':
      case 'detect':
        return this.handshake(chunk)
    }
  }

  /** Wraps an outgoing packet. */
  send(packet: Uint8Array): Uint8Array {
    if (this.state === 'http' && this.http) return this.http.encode(packet)
    return this.wrap(this.framing_().encode(packet))
  }

  /** Answers a quick-ACK request (`token` as the client computes it). */
  sendQuickAck(token: number): Uint8Array {
    return this.wrap(this.framing_().encodeQuickAck(token))
  }

  /** A transport error (404, 429, 444); the driver closes afterwards. */
  sendError(status: number): Uint8Array {
    if (this.state === 'http' && this.http) return this.http.encodeError(status)
    return this.wrap(this.framing_().encodeError(status))
  }

  dispose(): void {
    this.cipher?.dispose()
    this.cipher = null
    this.http = null
    this.state = 'closed'
  }

  private framing_(): Framing {
    // after dispose() the cipher is gone: never fall back to sending in the clear
    if (this.state === 'closed') fail('E_DISPOSED', 'the connection was closed')
    if (!this.framing) fail('E_STATE', 'the connection is not established')
    return this.framing
  }

  private wrap(framed: Uint8Array): Uint8Array {
    const obf = this.cipher ? this.cipher.encrypt(framed, framed) : framed
    return this.state === 'tls' ? encodeAppData(obf, TLS_MAX_FRAGMENT) : obf
  }

  private makeFraming(kind: FramingKind): Framing {
    return createFraming(kind, { role: 'server', maxPacketLength: this.opts.maxPacketLength, randomBytes: (n) => this.crypto.randomBytes(n) })
  }

  private reject(reason: string, tlsLike: boolean): ServerEvent[] {
    const data = concat(...this.received)
    this.received = []
    this.pre = new Uint8Array(0)
    const f = this.opts.fallback
    if (f) {
      this.state = 'fallback'
      return [{ type: 'fallback', host: f.host, port: f.port, data, reason }]
    }
    this.state = 'closed'
    return [{ type: 'close', data: tlsLike ? TLS_HANDSHAKE_FAILURE_ALERT.slice() : new Uint8Array(0), reason }]
  }

  private accepted(info: ConnectionInfo): ServerEvent {
    this.info = info
    this.received = []
    return { type: 'detected', info }
  }

  private handshake(chunk: Uint8Array): ServerEvent[] {
    this.received.push(copyBytes(chunk))
    if (this.state === 'tls-hello') return this.tlsHello(chunk)
    this.pre = concat(this.pre, chunk)
    const kind: DetectedKind | undefined = detectTransport(this.pre, { tls: this.tlsKeys.length > 0 })
    if (kind === undefined) return []
    const allowPlain = this.opts.allowPlain ?? this.secrets.length === 0
    const pre = this.pre
    this.pre = new Uint8Array(0)
    switch (kind) {
      case 'tls':
        this.state = 'tls-hello'
        this.tlsDecoder = new TlsRecordDecoder(TLS_MAX_RECORD, true)
        return this.tlsHello(pre)
      case 'http': {
        if (!(this.opts.allowHttp ?? allowPlain)) return this.reject('HTTP transport not allowed', false)
        this.state = 'http'
        this.http = new HttpServerCodec({ maxPacketLength: this.opts.maxPacketLength })
        const ev = this.accepted({ transport: 'http', secretIndex: -1 })
        return [ev, ...this.receive(pre)]
      }
      case 'obfuscated2': {
        if (pre.length < 64) {
          this.pre = pre
          return []
        }
        let acc
        try {
          acc = acceptObfuscated2(this.crypto, pre.subarray(0, 64), {
            secrets: this.obfKeys.map((k) => k.key),
            allowNoSecret: this.opts.allowObfuscatedWithoutSecret ?? this.secrets.length === 0,
          })
        } catch {
          return this.reject('unknown obfuscated2 header', false)
        }
        this.cipher = acc.cipher
        this.framing = this.makeFraming(acc.framing)
        this.state = 'obfuscated2'
        const secretIndex = acc.secretIndex < 0 ? -1 : this.obfKeys[acc.secretIndex].index
        const ev = this.accepted({ transport: 'obfuscated2', framing: acc.framing, dc: acc.dc, secretIndex })
        return [ev, ...this.receive(pre.subarray(64))]
      }
      default: {
        if (!allowPlain) return this.reject(`plain ${kind} transport not allowed`, false)
        this.framing = this.makeFraming(kind)
        this.state = 'plain'
        const ev = this.accepted({ transport: 'plain', framing: kind, secretIndex: -1 })
        return [ev, ...this.receive(pre.subarray(this.framing.tag.length))]
      }
    }
  }

  private tlsHello(chunk: Uint8Array): ServerEvent[] {
    let recs
    try {
      recs = this.tlsDecoder!.decode(chunk)
    } catch {
      return this.reject('malformed TLS record', true)
    }
    if (recs.length === 0) return []
    // the ClientHello is the first record; anything after it (a client never sends more before
    // the server answers) is forwarded with it on fallback, and refused otherwise
    const now = (this.opts.now ?? Date.now)()
    const check = checkClientHello(this.crypto, recs[0].raw, this.tlsKeys, {
      nowSec: Math.floor(now / 1000),
      skewSec: this.opts.skewSec ?? 120,
      replay: this.opts.replayCache ?? defaultReplayCache,
    })
    if (!check.ok) return this.reject(`fake-TLS ClientHello refused: ${check.reason}`, true)
    if (recs.length > 1) return this.reject('data after the ClientHello before the server hello', true)
    const k = this.tlsKeys[check.index]
    this.tlsKey = k.key
    this.state = 'tls'
    this.tlsDecoder = new TlsRecordDecoder(TLS_MAX_RECORD, false)
    const r = this.crypto.randomBytes(2)
    const noise = this.opts.noiseLength ? this.opts.noiseLength() : 1200 + (((r[0] << 8) | r[1]) % 3000)
    const answer = buildServerHello(this.crypto, k.key, check.hello, noise)
    this.info = { transport: 'fake-tls', secretIndex: k.index }
    this.received = []
    return [{ type: 'write', data: answer }]
  }

  private tlsData(chunk: Uint8Array): ServerEvent[] {
    const out: ServerEvent[] = []
    for (const rec of this.tlsDecoder!.decode(chunk)) {
      if (rec.type === TLS_CHANGE_CIPHER_SPEC && !this.framing) continue
      if (rec.type !== TLS_APPLICATION_DATA) fail('E_TLS_RECORD', 'unexpected TLS record type after the handshake')
      if (this.framing) {
        out.push(...this.framing.decode(this.cipher!.decrypt(rec.payload)))
        continue
      }
      // the obfuscated2 header (keyed with the same secret) may span records
      this.pre = concat(this.pre, rec.payload)
      if (this.pre.length < 64) continue
      const acc = acceptObfuscated2(this.crypto, this.pre.subarray(0, 64), { secrets: [this.tlsKey!], allowNoSecret: false })
      this.cipher = acc.cipher
      this.framing = this.makeFraming(acc.framing)
      this.info = { ...this.info!, framing: acc.framing, dc: acc.dc }
      out.push({ type: 'detected', info: this.info })
      const rest = this.pre.subarray(64)
      this.pre = new Uint8Array(0)
      out.push(...this.framing.decode(this.cipher.decrypt(rest)))
    }
    return out
  }
}
