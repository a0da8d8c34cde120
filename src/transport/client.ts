/**
 * The client side of a connection, sans-IO (a `Layer`, src/layer.ts): `start(now)` queues the
 * first bytes, `send(packet)` wraps a packet (a bare Uint8Array or the session layer's packet
 * item, whose `quickAck` sets the framing's flag), `receive(chunk, now)` turns received bytes
 * into events, and `takeOutgoing()` gives the bytes to write, in order. Composes a framing with,
 * as configured, obfuscated2, an MTProxy secret and fake-TLS. The driver owns the socket.
 *
 * Every option is checked in the constructor (`TransportError` `E_OPTION`), so a connection
 * that cannot work fails before anything is sent. Nothing the server sends throws: malformed
 * input, a refused fake-TLS handshake and the server's transport error codes are an `error`
 * event after every event decoded before it, and the transport stays failed.
 */
import type { Crypto } from '../crypto/index.js'
import { concat, concatAll, copyBytes } from '../bytes.js'
import { checkBytes, checkCrypto, checkFlag, checkFunction, checkNow, decodeStep, fail } from './errors.js'
import type { TransportError } from '../errors.js'
import { type Layer, type TransportItem, UntimedLayer } from '../layer.js'
import {
  buildClientHello,
  checkServerHello,
  encodeAppData,
  RANDOM_OFFSET,
  TLS_ALERT,
  TLS_APPLICATION_DATA,
  TLS_CHANGE_CIPHER_SPEC,
  TLS_CLIENT_CCS,
  TLS_HANDSHAKE,
  TLS_MAX_FRAGMENT,
  TlsRecordDecoder,
} from './faketls.js'
import { createFraming, itemType, type FrameEvent, type Framing, type FramingKind } from './framing.js'
import { createObfuscated2Client, encodeDcId, type Obfuscated2Cipher } from './obfuscated2.js'
import { parseProxySecret, type ProxySecret } from './secret.js'

/** Packets, the server's quick ACKs, and (last) an error: malformed input or the server's transport error code. */
export type ClientEvent = FrameEvent

export interface ClientTransportOptions {
  crypto: Crypto
  /** Default: `padded` with a dd/ee secret, else `intermediate`. */
  framing?: FramingKind
  /** Obfuscated2. Default: true with a proxy secret, else false. */
  obfuscated?: boolean
  /** MTProxy secret (hex, base64 or bytes): plain, `dd` or `ee` (fake-TLS). */
  proxySecret?: string | Uint8Array
  /**
   * DC id (1..9999) written into the obfuscated2 header, which MTProxies route by: required
   * for obfuscated connections, unused on plain ones.
   */
  dcId?: number
  /** Test DC: the header carries dcId + 10000. */
  test?: boolean
  /** Media DC: the header carries a negative id. */
  media?: boolean
  maxPacketLength?: number
  /** Fake-TLS: largest application-data record payload sent (64..16384, default 16384). */
  tlsMaxFragment?: number
  /** Clock in milliseconds, where `start()` is given no `now` (the fake-TLS timestamp). Default `Date.now`. */
  now?: () => number
}

const FRAMINGS: readonly string[] = ['abridged', 'intermediate', 'padded', 'full']

export class ClientTransport extends UntimedLayer<ClientEvent> implements Layer<Uint8Array, Uint8Array | TransportItem, ClientEvent> {
  readonly framing: Framing
  private readonly crypto: Crypto
  private readonly secret: ProxySecret | undefined
  private readonly obfuscated: boolean
  private readonly opts: ClientTransportOptions
  private cipher: Obfuscated2Cipher | null = null
  private started = false
  private disposed = false
  private broken: TransportError | null = null
  // fake-TLS state
  private tls: 'off' | 'hello' | 'ready' = 'off'
  private tlsDecoder: TlsRecordDecoder | null = null
  private clientRandom: Uint8Array | null = null
  private serverHello: Uint8Array[] = []
  /** fake-TLS: what waits for the proxy's server hello (the obfuscated2 header, packets). */
  private pending: Uint8Array[] = []
  /** Bytes to write, in order. */
  private readonly maxFragment: number

  constructor(options: ClientTransportOptions) {
    super()
    if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
    checkCrypto(options.crypto)
    this.opts = options
    this.crypto = options.crypto
    if (options.framing !== undefined && !FRAMINGS.includes(options.framing)) fail('E_OPTION', `framing must be one of ${FRAMINGS.join(', ')}`)
    checkFlag(options.obfuscated, 'obfuscated')
    checkFlag(options.test, 'test')
    checkFlag(options.media, 'media')
    checkFunction(options.now, 'now')
    this.secret = options.proxySecret === undefined ? undefined : parseProxySecret(options.proxySecret)
    const kind = options.framing ?? (this.secret && this.secret.mode !== 'plain' ? 'padded' : 'intermediate')
    if (this.secret?.mode === 'padded' && kind !== 'padded') fail('E_OPTION', 'a dd secret requires the padded framing')
    this.obfuscated = options.obfuscated ?? this.secret !== undefined
    if (this.secret && !this.obfuscated) fail('E_OPTION', 'MTProxy connections are obfuscated')
    if (this.obfuscated && kind === 'full') fail('E_OPTION', 'obfuscated2 carries abridged, intermediate or padded')
    // without it the header's DC bytes would be random: a proxy routes by them
    if (this.obfuscated && options.dcId === undefined) fail('E_OPTION', 'an obfuscated connection needs the dcId (a proxy routes by it)')
    if (options.dcId !== undefined) encodeDcId(options.dcId, options.test, options.media)
    if (this.secret?.mode !== 'fake-tls' && options.tlsMaxFragment !== undefined) fail('E_OPTION', 'tlsMaxFragment applies to fake-TLS (ee) connections only')
    this.maxFragment = options.tlsMaxFragment ?? TLS_MAX_FRAGMENT
    if (!Number.isInteger(this.maxFragment) || this.maxFragment < 64 || this.maxFragment > TLS_MAX_FRAGMENT) {
      fail('E_OPTION', 'tlsMaxFragment must be an integer in 64..16384')
    }
    this.framing = createFraming(kind, {
      role: 'client',
      maxPacketLength: options.maxPacketLength,
      randomBytes: (n) => this.crypto.randomBytes(n),
    })
  }

  /**
   * Queues the first bytes to write after connecting: a protocol tag, an obfuscated2 header or a
   * fake-TLS ClientHello (its timestamp from `now`).
   */
  start(now: number = (this.opts.now ?? Date.now)()): void {
    if (this.disposed) fail('E_DISPOSED', 'this transport was disposed')
    if (this.started) fail('E_STATE', 'start() was already called')
    checkNow(now)
    this.started = true
    if (!this.obfuscated) {
      if (this.framing.tag.length) this.out.push(this.framing.tag.slice())
      return
    }
    const o = this.opts
    const { header, cipher } = createObfuscated2Client(this.crypto, {
      framing: this.framing.kind as Exclude<FramingKind, 'full'>,
      dcId: o.dcId,
      test: o.test,
      media: o.media,
      secret: this.secret?.key,
    })
    this.cipher = cipher
    if (this.secret?.mode !== 'fake-tls') {
      this.out.push(header)
      return
    }
    this.tls = 'hello'
    this.tlsDecoder = new TlsRecordDecoder()
    this.pending.push(header)
    const hello = buildClientHello(this.crypto, this.secret.key, this.secret.domain!, Math.floor(now / 1000))
    this.clientRandom = copyBytes(hello, RANDOM_OFFSET, RANDOM_OFFSET + 32)
    this.out.push(hello)
  }

  /**
   * Queues one packet (a bare Uint8Array, or a packet item: its `quickAck` sets the framing's
   * quick-ACK flag). With fake-TLS, packets wait for the proxy's server hello.
   */
  send(item: Uint8Array | TransportItem): void {
    this.checkState()
    if (itemType(item) !== 'bytes' && (item as TransportItem).type !== 'packet') fail('E_ROLE', 'a client sends packets only')
    const framed = this.framing.frame(item)
    // `framed` is ours: encrypt in place, no second buffer
    const obf = this.cipher ? this.cipher.encrypt(framed, framed) : framed
    if (this.tls === 'off') this.out.push(obf)
    else if (this.tls === 'hello') this.pending.push(obf)
    else this.out.push(encodeAppData(obf, this.maxFragment))
  }


  /**
   * Feeds received bytes; returns the events they complete, in order. Anything wrong with them
   * is an `error` event, the last; after it the transport is failed and `receive` throws it.
   */
  receive(chunk: Uint8Array, _now?: number): ClientEvent[] {
    checkBytes(chunk, 'chunk')
    this.checkState()
    if (this.tls === 'off') {
      // no TLS records: the framing's events as they are (its error last; nothing else here
      // fails on what the peer sent), without a second decodeStep around the framing's own
      if (this.broken) throw this.broken
      const ev = this.framing.receive(this.cipher ? this.cipher.decrypt(chunk) : chunk)
      const last = ev.length > 0 ? ev[ev.length - 1] : undefined
      if (last !== undefined && last.type === 'error') this.broken = last.error
      return ev
    }
    const out: ClientEvent[] = []
    this.broken = decodeStep(this.broken, out, () => {
      for (const rec of this.tlsDecoder!.decode(chunk)) {
        if (rec.type === 'error') throw rec.error
        if (rec.contentType === TLS_ALERT) fail('E_TLS_ALERT', 'the proxy sent a TLS alert')
        if (this.tls === 'hello') {
          this.serverHelloRecord(rec.contentType, rec.raw)
          continue
        }
        if (rec.contentType === TLS_CHANGE_CIPHER_SPEC) continue
        if (rec.contentType !== TLS_APPLICATION_DATA) fail('E_TLS_RECORD', 'unexpected TLS record after the handshake')
        this.frames(this.cipher!.decrypt(rec.payload), out)
      }
    })
    return out
  }

  /** Zeroes the obfuscation keys; the transport is unusable afterwards. */
  dispose(): void {
    this.disposed = true
    this.cipher?.dispose()
    this.cipher = null
    this.pending = []
    this.out = []
  }

  /** ServerHello, ChangeCipherSpec, then one application-data record: the MAC covers all three. */
  private serverHelloRecord(type: number, raw: Uint8Array): void {
    const n = this.serverHello.length
    const want = n === 0 ? TLS_HANDSHAKE : n === 1 ? TLS_CHANGE_CIPHER_SPEC : TLS_APPLICATION_DATA
    if (type !== want) fail('E_TLS_SERVER_HELLO', 'unexpected record in the proxy server hello')
    this.serverHello.push(raw)
    if (this.serverHello.length < 3) return
    const answer = concatAll(this.serverHello)
    this.serverHello = []
    if (!checkServerHello(this.crypto, this.secret!.key, this.clientRandom!, answer)) {
      fail('E_TLS_SERVER_HELLO', 'the proxy server hello does not carry the secret MAC')
    }
    this.tls = 'ready'
    const queued = concatAll(this.pending)
    this.pending = []
    // the ChangeCipherSpec, the obfuscated2 header and every packet sent so far
    this.out.push(concat(TLS_CLIENT_CCS, encodeAppData(queued, this.maxFragment)))
  }

  /** The framing's events into `out`; its error is thrown, to become ours. */
  private frames(bytes: Uint8Array, out: ClientEvent[]): void {
    const events = this.framing.receive(bytes)
    for (let i = 0; i < events.length; i++) {
      const ev = events[i]
      if (ev.type === 'error') throw ev.error
      out.push(ev)
    }
  }

  private checkState(): void {
    // after dispose() the cipher is gone: never fall back to sending in the clear
    if (this.disposed) fail('E_DISPOSED', 'this transport was disposed')
    if (!this.started) fail('E_STATE', 'call start() first')
  }
}
