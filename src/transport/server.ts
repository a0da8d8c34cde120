/**
 * The server side of a connection, sans-IO (a `Layer`, src/layer.ts): detects the transport from
 * the first bytes, accepts plain framings, obfuscated2 (with or without MTProxy secrets),
 * fake-TLS (`ee` secrets), HTTP (`POST /api`) and WebSocket (`GET /apiws` with an Upgrade
 * header, an obfuscated2 stream inside), and then turns received bytes into packets
 * (`receive(chunk, now)`) and the items the auth and session layers hand down (packets, quick-ACK
 * answers, transport errors: `send(item)`) into bytes to write (`takeOutgoing()`).
 *
 * A server never reveals itself before the client proved it knows a secret: a connection that
 * fails detection, the WebSocket handshake, the obfuscated2 header or any fake-TLS check becomes
 * a `fallback` event carrying every byte received so far (the driver connects to the fallback
 * host, writes them and then pipes both ways; later input comes back as `forward` events), or,
 * with no fallback configured, a `close` event (after writing what `takeOutgoing()` holds: a TLS
 * handshake_failure alert for TLS-looking input, the HTTP refusal of a bad WebSocket upgrade).
 *
 * Every byte goes through one path whatever the chunking: the same bytes give the same events
 * whether they arrive at once, byte by byte or split anywhere. After the connection was
 * accepted, malformed input is an `error` event after everything decoded before it, and the
 * transport stays failed.
 */
import type { Crypto } from '../crypto/index.js'
import { concat, concatAll, copyBytes } from '../bytes.js'
import type { TransportError } from '../errors.js'
import { type Layer, type TransportItem, UntimedLayer } from '../layer.js'
import { detectTransport, type DetectedKind } from './detect.js'
import { checkBytes, checkCrypto, checkFlag, checkFunction, checkNow, decodeStep, fail } from './errors.js'
import {
  buildServerHello,
  checkClientHello,
  encodeAppData,
  RANDOM_MAC_BYTES,
  ReplayCache,
  TLS_APPLICATION_DATA,
  TLS_CHANGE_CIPHER_SPEC,
  TLS_HANDSHAKE,
  TLS_HANDSHAKE_FAILURE_ALERT,
  TLS_MAX_FRAGMENT,
  TLS_MAX_RECORD,
  TlsRecordDecoder,
  type FakeTlsKey,
  type TlsRecord,
} from './faketls.js'
import { checkMax, createFraming, type FrameEvent, type Framing, type FramingKind } from './framing.js'
import { HttpServerCodec } from './http.js'
import { acceptObfuscated2, type Obfuscated2Cipher } from './obfuscated2.js'
import { parseProxySecret, type ProxySecret } from './secret.js'
import { WebSocketFrameCodec, WebSocketServerHandshake } from './websocket.js'

export interface ConnectionInfo {
  transport: 'plain' | 'obfuscated2' | 'fake-tls' | 'http'
  /** Framing inside (absent for HTTP). */
  framing?: FramingKind
  /** DC field of the obfuscated2 header. */
  dc?: { dcId: number; test: boolean; media: boolean; raw: number }
  /** Index into `secrets` of the secret the client used, -1 for none. */
  secretIndex: number
  /** Carried in WebSocket messages (`transport` is what is inside them); the request path. */
  websocket?: { path: string }
}

export type ServerEvent =
  | FrameEvent
  /** The transport is known (once per connection; for fake-TLS, when the obfuscated2 header inside arrived). */
  | { type: 'detected'; info: ConnectionInfo }
  /** Hand the connection to host:port: write `data` there, then pipe both ways. */
  | { type: 'fallback'; host: string; port: number; data: Uint8Array; reason: string }
  /** After a fallback: more bytes from the client, to pass on unchanged. */
  | { type: 'forward'; data: Uint8Array }
  /** Write what `takeOutgoing()` returns (possibly nothing), then close. `reason` is for local logs only. */
  | { type: 'close'; reason: string }
  /** With `relay`: the client's bytes after the handshake, deobfuscated but not deframed. */
  | { type: 'data'; data: Uint8Array }

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
  /** Accept WebSocket (`GET /apiws` or `/apiws_test`, subprotocol `binary`). Default: same as `allowHttp`. */
  allowWebSocket?: boolean
  /** Where to hand connections that fail the checks (MTProxy servers use the real site of the domain). */
  fallback?: { host: string; port: number }
  /** Fake-TLS clock skew tolerated, in seconds (0..86400, default 120). */
  skewSec?: number
  /**
   * Shared across connections so that a replayed ClientHello, or a replayed obfuscated2 header
   * made with a secret, is refused. Default: one process-wide cache with the default options,
   * made when a first hello or header needs it.
   */
  replayCache?: ReplayCache
  /** Length of the server hello's application-data noise (1..16384); default random in 1200..4199. */
  noiseLength?: () => number
  maxPacketLength?: number
  /** Clock in milliseconds, where `receive` is given no `now`. Default `Date.now`. */
  now?: () => number
  /**
   * For an MTProxy relay: after the handshake, give the client's byte stream as `data` events
   * (deobfuscated, the framing left in) and take bytes to send with `sendRaw()`, so a relay
   * forwards what it gets without decoding and re-encoding every packet. The chunks given to
   * `receive()` are then consumed: decrypted in place.
   */
  relay?: boolean
}

let processReplayCache: ReplayCache | undefined
const defaultReplayCache = (): ReplayCache => (processReplayCache ??= new ReplayCache())

type State = 'detect' | 'tls-hello' | 'tls' | 'obfuscated2' | 'plain' | 'http' | 'ws-hello' | 'websocket' | 'fallback' | 'closed'

export class ServerTransport extends UntimedLayer<ServerEvent> implements Layer<Uint8Array, Uint8Array | TransportItem, ServerEvent> {
  private readonly crypto: Crypto
  private readonly opts: ServerTransportOptions
  private readonly secrets: ProxySecret[]
  private readonly tlsKeys: (FakeTlsKey & { index: number })[]
  private readonly obfKeys: { key: Uint8Array; index: number }[]
  private readonly allowPlain: boolean
  private readonly allowHttp: boolean
  private readonly allowWebSocket: boolean
  private readonly allowNoSecret: boolean
  private readonly skewSec: number
  private state: State = 'detect'
  private broken: TransportError | null = null
  /** Everything received before the connection was accepted (for a fallback). */
  private received: Uint8Array[] = []
  /** Bytes held until they decide something: the first bytes (detection), the obfuscated2 header inside fake-TLS. */
  private pre: Uint8Array = new Uint8Array(0)
  private framing: Framing | null = null
  private cipher: Obfuscated2Cipher | null = null
  /** With `relay`: the key and IV of `cipher`'s outgoing stream, until takeEncryptKeyIv(). */
  private relayKeyIv: Uint8Array | null = null
  private tlsDecoder: TlsRecordDecoder | null = null
  private tlsKey: Uint8Array | null = null
  private http: HttpServerCodec | null = null
  private wsHello: WebSocketServerHandshake | null = null
  private ws: WebSocketFrameCodec | null = null
  /** WebSocket: the transport of the stream inside the messages. */
  private inner: ServerTransport | null = null
  private wsPath = ''
  private info: ConnectionInfo | null = null
  /** Bytes to write, in order. */

  constructor(options: ServerTransportOptions) {
    super()
    if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
    checkCrypto(options.crypto)
    this.opts = options
    this.crypto = options.crypto
    if (options.secrets !== undefined && !Array.isArray(options.secrets)) fail('E_OPTION', 'secrets must be an array')
    this.secrets = (options.secrets ?? []).map((s) => parseProxySecret(s))
    this.tlsKeys = []
    this.obfKeys = []
    this.secrets.forEach((s, index) => {
      if (s.mode === 'fake-tls') this.tlsKeys.push({ key: s.key, domain: s.domain!, index })
      else this.obfKeys.push({ key: s.key, index })
    })
    for (const k of ['allowPlain', 'allowObfuscatedWithoutSecret', 'allowHttp', 'allowWebSocket', 'relay'] as const) checkFlag(options[k], k)
    checkFunction(options.noiseLength, 'noiseLength')
    checkFunction(options.now, 'now')
    checkMax(options.maxPacketLength)
    this.allowPlain = options.allowPlain ?? this.secrets.length === 0
    this.allowHttp = options.allowHttp ?? this.allowPlain
    this.allowWebSocket = options.allowWebSocket ?? this.allowHttp
    this.allowNoSecret = options.allowObfuscatedWithoutSecret ?? this.secrets.length === 0
    if (!this.allowPlain && !this.allowHttp && !this.allowNoSecret && this.secrets.length === 0) {
      fail('E_OPTION', 'this configuration accepts no connection: give secrets or allow a transport')
    }
    const f = options.fallback
    if (f !== undefined && (typeof f !== 'object' || f === null || typeof f.host !== 'string' || !f.host || !Number.isInteger(f.port) || f.port < 1 || f.port > 65535)) {
      fail('E_OPTION', 'fallback must be { host, port }')
    }
    this.skewSec = options.skewSec ?? 120
    if (!(Number.isFinite(this.skewSec) && this.skewSec >= 0 && this.skewSec <= 86400)) fail('E_OPTION', 'skewSec must be in 0..86400')
    if (options.replayCache !== undefined) {
      if (!(options.replayCache instanceof ReplayCache)) fail('E_OPTION', 'replayCache must be a ReplayCache')
      if (options.replayCache.horizonSec < 2 * this.skewSec) fail('E_OPTION', 'the replay cache horizon must cover twice the clock skew')
    }
  }

  /** How the client connected, once known. */
  get connection(): ConnectionInfo | null {
    return this.info
  }

  /**
   * Feeds received bytes; returns the events they complete, in order. Bad input is a refusal
   * (`fallback` or `close`) before the connection is accepted and an `error` event (the last)
   * after; `receive` then throws (`E_STATE` after a close, the error after an error). `now`
   * (default: the `now` option, or `Date.now()`) is the fake-TLS and replay-cache clock.
   */
  receive(chunk: Uint8Array, now?: number): ServerEvent[] {
    checkBytes(chunk, 'chunk')
    if (this.state === 'fallback') return [{ type: 'forward', data: copyBytes(chunk) }]
    if (this.state === 'closed') fail('E_STATE', 'the connection was closed')
    const t = checkNow(now ?? (this.opts.now ?? Date.now)())
    const out: ServerEvent[] = []
    this.broken = decodeStep(this.broken, out, () => {
      // a fallback gets every byte the client sent, whatever was decided from them
      if (this.state === 'detect' || this.state === 'tls-hello' || this.state === 'ws-hello') this.received.push(copyBytes(chunk))
      this.step(chunk, t, out)
    })
    return out
  }

  /**
   * Queues an item from the layer above: a packet (a bare Uint8Array too), the answer to a
   * quick-ACK request, or a transport error (404, 429, 444; an HTTP status on HTTP; the driver
   * closes afterwards).
   */
  send(item: Uint8Array | TransportItem): void {
    if (this.state === 'closed') fail('E_DISPOSED', 'the connection was closed')
    if (this.inner) {
      this.inner.send(item)
      this.wsDrain()
    } else if (this.http) this.out.push(this.http.frame(item))
    else {
      if (!this.framing) fail('E_STATE', 'the connection is not established')
      this.out.push(this.wrap(this.framing.frame(item)))
    }
  }

  /**
   * With `relay`: queues bytes for the client as they are (the framing already in them),
   * obfuscated (in place: `data` is consumed) and, for fake-TLS, in records.
   */
  sendRaw(data: Uint8Array, obfuscated = false): void {
    if (!this.opts.relay) fail('E_STATE', 'sendRaw() needs the relay option')
    if (this.state === 'closed') fail('E_DISPOSED', 'the connection was closed')
    if (!this.framing) fail('E_STATE', 'the connection is not established')
    // `obfuscated`: already encrypted with our key (a DC keyed by `takeEncryptKeyIv()`)
    this.out.push(obfuscated ? this.wrapTls(data) : this.wrap(data))
  }

  /**
   * With `relay`, once detected: the key and IV (32 + 16 bytes) of our obfuscated2 stream to the
   * client, handed over once (then forgotten here). A relay keys its DC connection with them so
   * that the DC's bytes go to the client as they come (`sendRaw(data, true)`). Zero it after use.
   */
  takeEncryptKeyIv(): Uint8Array | null {
    const k = this.relayKeyIv
    this.relayKeyIv = null
    return k
  }


  dispose(): void {
    this.cipher?.dispose()
    this.cipher = null
    this.relayKeyIv?.fill(0)
    this.relayKeyIv = null
    this.http = null
    this.inner?.dispose()
    this.inner = null
    this.ws = null
    this.out = []
    this.state = 'closed'
  }

  /** Bytes of this chunk, in the current state; may change state and go on with the rest. */
  private step(chunk: Uint8Array, now: number, out: ServerEvent[]): void {
    switch (this.state) {
      case 'detect':
        return this.detect(chunk, now, out)
      case 'tls-hello':
      case 'tls':
        return this.tlsRecords(chunk, now, out)
      case 'plain':
        return this.frames(chunk, out)
      case 'obfuscated2':
        // a relay owns what it receives: decrypted in place, no copy per chunk
        return this.frames(this.cipher!.decrypt(chunk, this.opts.relay ? chunk : undefined), out)
      case 'http':
        return this.frames(chunk, out)
      case 'ws-hello':
        return this.webSocketHello(chunk, now, out)
      case 'websocket':
        return this.webSocketFrames(chunk, now, out)
    }
  }

  private detect(chunk: Uint8Array, now: number, out: ServerEvent[]): void {
    this.pre = concat(this.pre, chunk)
    const pre = this.pre
    const kind: DetectedKind | undefined = detectTransport(pre, { tls: this.tlsKeys.length > 0 })
    if (kind === undefined) return
    if (kind === 'obfuscated2' && pre.length < 64) return
    this.pre = new Uint8Array(0)
    switch (kind) {
      case 'tls':
        return this.startTls(pre, now, out)
      case 'http':
        if (!this.allowHttp) return this.reject('HTTP transport not allowed', out)
        this.state = 'http'
        this.http = new HttpServerCodec({ maxPacketLength: this.opts.maxPacketLength })
        out.push(this.accepted({ transport: 'http', secretIndex: -1 }))
        return this.step(pre, now, out)
      case 'websocket':
        if (!this.allowWebSocket) return this.reject('WebSocket transport not allowed', out)
        this.state = 'ws-hello'
        this.wsHello = new WebSocketServerHandshake(this.crypto)
        return this.step(pre, now, out)
      case 'obfuscated2': {
        // an MTProxy refuses a recorded header replayed by a prober (its key bytes identify it);
        // looked up for every header, so a replay is refused after the same work as garbage
        const cache = this.obfKeys.length > 0 ? this.replayCache() : undefined
        const nowSec = Math.floor(now / 1000)
        const digest = pre.subarray(8, 8 + RANDOM_MAC_BYTES)
        const seen = cache !== undefined && cache.has(digest, nowSec)
        let acc
        try {
          acc = acceptObfuscated2(this.crypto, pre.subarray(0, 64), { secrets: this.obfKeys.map((k) => k.key), allowNoSecret: this.allowNoSecret, keepEncryptKey: this.opts.relay })
        } catch {
          // a ClientHello may start like an obfuscated2 header (detect.ts): no secret took it as one
          if (this.tlsKeys.length > 0 && pre[0] === TLS_HANDSHAKE && pre[1] === 3) return this.startTls(pre, now, out)
          return this.reject('unknown obfuscated2 header', out)
        }
        if (acc.secretIndex >= 0 && (seen || !cache!.add(digest, nowSec))) {
          acc.cipher.dispose()
          acc.encryptKeyIv?.fill(0)
          return this.reject('replayed obfuscated2 header', out)
        }
        this.cipher = acc.cipher
        this.relayKeyIv = acc.encryptKeyIv ?? null
        this.framing = this.makeFraming(acc.framing)
        this.state = 'obfuscated2'
        const secretIndex = acc.secretIndex < 0 ? -1 : this.obfKeys[acc.secretIndex].index
        out.push(this.accepted({ transport: 'obfuscated2', framing: acc.framing, dc: acc.dc, secretIndex }))
        return this.step(pre.subarray(64), now, out)
      }
      default: {
        if (!this.allowPlain) return this.reject(`plain ${kind} transport not allowed`, out)
        this.framing = this.makeFraming(kind)
        this.state = 'plain'
        out.push(this.accepted({ transport: 'plain', framing: kind, secretIndex: -1 }))
        return this.step(pre.subarray(this.framing.tag.length), now, out)
      }
    }
  }

  /**
   * WebSocket: the upgrade request (a refused or malformed one is a refusal, as a failed
   * detection: the fallback, or its HTTP error answer and a close), then RFC 6455 frames whose
   * messages carry a stream that a second ServerTransport detects (obfuscated2 as Telegram's
   * web clients send, or any framing this server allows; no HTTP and no WebSocket inside).
   */
  private webSocketHello(chunk: Uint8Array, now: number, out: ServerEvent[]): void {
    let h
    try {
      h = this.wsHello!.receive(chunk)
    } catch (e) {
      return this.reject(`malformed WebSocket upgrade: ${e instanceof Error ? e.message : String(e)}`, out)
    }
    if (h === null) return
    this.wsHello = null
    if (!h.ok) return this.reject(`WebSocket upgrade refused (${h.path.slice(0, 100)})`, out, h.response)
    this.state = 'websocket'
    this.received = []
    this.wsPath = h.path
    this.out.push(h.response)
    const max = checkMax(this.opts.maxPacketLength)
    this.ws = new WebSocketFrameCodec({ role: 'server', crypto: this.crypto, maxMessageLength: max + 1024 })
    this.inner = new ServerTransport({ ...this.opts, allowHttp: false, allowWebSocket: false, fallback: undefined })
    if (h.rest.length) this.webSocketFrames(h.rest, now, out)
  }

  private webSocketFrames(chunk: Uint8Array, now: number, out: ServerEvent[]): void {
    for (const ev of this.ws!.receive(chunk)) {
      if (ev.type === 'error') throw ev.error
      if (ev.type === 'close') {
        this.wsDrain()
        this.state = 'closed'
        out.push({ type: 'close', reason: `the client closed the WebSocket (${ev.code})` })
        return
      }
      for (const e of this.inner!.receive(ev.data, now)) {
        if (e.type === 'error') throw e.error
        if (e.type === 'detected') {
          this.info = { ...e.info, websocket: { path: this.wsPath } }
          out.push({ type: 'detected', info: this.info })
        } else if (e.type === 'close' || e.type === 'fallback' || e.type === 'forward') {
          // the stream inside was refused: a policy-violation close frame, then the socket
          this.wsDrain()
          this.ws!.sendClose(1008)
          this.wsDrain()
          this.state = 'closed'
          out.push({ type: 'close', reason: e.type === 'forward' ? 'refused inside WebSocket' : e.reason })
          return
        } else out.push(e)
      }
      this.wsDrain()
    }
    this.wsDrain()
  }

  /** WebSocket: what the transport inside has to send, as binary messages, then the codec's bytes. */
  private wsDrain(): void {
    for (const b of this.inner!.takeOutgoing()) this.ws!.send(b)
    for (const b of this.ws!.takeOutgoing()) this.out.push(b)
  }

  private startTls(pre: Uint8Array, now: number, out: ServerEvent[]): void {
    this.state = 'tls-hello'
    this.tlsDecoder = new TlsRecordDecoder(TLS_MAX_RECORD, true)
    this.tlsRecords(pre, now, out)
  }

  /** Fake-TLS: the ClientHello record first, then application data, all from one record decoder. */
  private tlsRecords(chunk: Uint8Array, now: number, out: ServerEvent[]): void {
    for (const rec of this.tlsDecoder!.decode(chunk)) {
      if (this.state === 'closed' || this.state === 'fallback') return // refused: the rest went with the fallback
      if (rec.type === 'error') {
        if (this.state === 'tls-hello') return this.reject('malformed TLS record', out)
        throw rec.error
      }
      if (this.state === 'tls-hello') this.clientHello(rec, now, out)
      else this.tlsData(rec, out)
    }
  }

  private clientHello(rec: TlsRecord, now: number, out: ServerEvent[]): void {
    if (rec.contentType !== TLS_HANDSHAKE) return this.reject('the first TLS record is not a handshake', out)
    const check = checkClientHello(this.crypto, rec.raw, this.tlsKeys, {
      nowSec: Math.floor(now / 1000),
      skewSec: this.skewSec,
      replay: this.replayCache(),
    })
    if (!check.ok) return this.reject(`fake-TLS ClientHello refused: ${check.reason}`, out)
    const k = this.tlsKeys[check.index]
    this.tlsKey = k.key
    this.state = 'tls'
    const r = this.crypto.randomBytes(2)
    const noise = this.opts.noiseLength ? this.opts.noiseLength() : 1200 + (((r[0] << 8) | r[1]) % 3000)
    this.info = { transport: 'fake-tls', secretIndex: k.index }
    this.received = []
    this.out.push(buildServerHello(this.crypto, k.key, check.hello, noise))
  }
  private tlsData(rec: TlsRecord, out: ServerEvent[]): void {
    if (rec.contentType === TLS_CHANGE_CIPHER_SPEC && !this.framing) return
    if (rec.contentType !== TLS_APPLICATION_DATA) fail('E_TLS_RECORD', 'unexpected TLS record type after the handshake')
    // the record is the decoder's own buffer
    if (this.framing) return this.frames(this.cipher!.decrypt(rec.payload, rec.payload), out)
    // the obfuscated2 header (keyed with the same secret) may span records
    this.pre = concat(this.pre, rec.payload)
    if (this.pre.length < 64) return
    const acc = acceptObfuscated2(this.crypto, this.pre.subarray(0, 64), { secrets: [this.tlsKey!], allowNoSecret: false, keepEncryptKey: this.opts.relay })
    this.cipher = acc.cipher
    this.relayKeyIv = acc.encryptKeyIv ?? null
    this.framing = this.makeFraming(acc.framing)
    this.info = { ...this.info!, framing: acc.framing, dc: acc.dc }
    out.push({ type: 'detected', info: this.info })
    const rest = this.pre.subarray(64)
    this.pre = new Uint8Array(0)
    this.frames(this.cipher.decrypt(rest), out)
  }

  /** The framing's (or the HTTP codec's) events into `out`; its error is thrown, to become ours. */
  private frames(bytes: Uint8Array, out: ServerEvent[]): void {
    if (this.opts.relay) {
      if (bytes.length > 0) out.push({ type: 'data', data: bytes })
      return
    }
    for (const ev of this.http ? this.http.receive(bytes) : this.framing!.receive(bytes)) {
      if (ev.type === 'error') throw ev.error
      out.push(ev)
    }
  }

  private wrap(framed: Uint8Array): Uint8Array {
    return this.wrapTls(this.cipher ? this.cipher.encrypt(framed, framed) : framed)
  }

  private wrapTls(obf: Uint8Array): Uint8Array {
    return this.state === 'tls' ? encodeAppData(obf, TLS_MAX_FRAGMENT) : obf
  }

  private replayCache(): ReplayCache {
    return this.opts.replayCache ?? defaultReplayCache()
  }

  private makeFraming(kind: FramingKind): Framing {
    return createFraming(kind, { role: 'server', maxPacketLength: this.opts.maxPacketLength, randomBytes: (n) => this.crypto.randomBytes(n) })
  }

  /** Refuses the connection: the fallback gets every byte so far, or `answer` is written before a close. */
  private reject(reason: string, out: ServerEvent[], answer?: Uint8Array): void {
    const data = concatAll(this.received)
    this.received = []
    this.pre = new Uint8Array(0)
    this.tlsDecoder = null
    this.wsHello = null
    const f = this.opts.fallback
    if (f) {
      this.state = 'fallback'
      out.push({ type: 'fallback', host: f.host, port: f.port, data, reason })
      return
    }
    this.state = 'closed'
    // what a TLS server answers a ClientHello it refuses; anything else just sees the close
    const tlsLike = data[0] === TLS_HANDSHAKE && data[1] === 3
    if (answer !== undefined) this.out.push(answer)
    else if (tlsLike) this.out.push(TLS_HANDSHAKE_FAILURE_ALERT.slice())
    out.push({ type: 'close', reason })
  }

  private accepted(info: ConnectionInfo): ServerEvent {
    this.info = info
    this.received = []
    return { type: 'detected', info }
  }
}
