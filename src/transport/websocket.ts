/**
 * WebSocket transport (core.telegram.org/mtproto/transports#websocket), as Telegram's web
 * clients use it: path `/apiws` (`/apiws_test` for test DCs), subprotocol `binary`, binary
 * messages carrying an obfuscated2 stream (intermediate or padded framing inside). Message
 * boundaries carry no meaning: each message's bytes go into the client or server transport.
 *
 * In browsers the WebSocket API frames the messages: use `webSocketUrl` and a
 * `ClientTransport` from `createWebSocketClientTransport` (each `takeOutgoing()` chunk is one
 * `ws.send`). Where there is no WebSocket API (Node 18) and on servers, the RFC 6455 codecs
 * below do the handshake and the framing, sans-IO: `WebSocketClientTransport` is a whole client
 * transport over a byte stream; `ServerTransport` accepts WebSocket next to the other transports.
 */
import type { Crypto } from '../crypto/index.js'
import { BodyBuffer, concat, copyBytes, toBase64, utf8 } from '../bytes.js'
import type { TransportError } from '../errors.js'
import { type Layer, type TransportItem, UntimedLayer } from '../layer.js'
import { ClientTransport, type ClientEvent, type ClientTransportOptions } from './client.js'
import { checkBytes, checkCrypto, decodeStep, fail, type ErrorEvent } from './errors.js'
import { DEFAULT_MAX_PACKET_LENGTH } from './framing.js'

export const WS_PATH = '/apiws'
export const WS_TEST_PATH = '/apiws_test'
export const WS_SUBPROTOCOL = 'binary'
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
/** Host names and IPv4/IPv6 literals, with an optional port. */
const HOST = /^[A-Za-z0-9.:\-[\]]+$/
const MAX_HANDSHAKE = 8192

/** The hosts Telegram's web clients use for DCs 1–5 (`-1` suffix: media/download DCs). */
export const TELEGRAM_WS_DC_NAMES: Readonly<Record<number, string>> = { 1: 'pluto', 2: 'venus', 3: 'aurora', 4: 'vesta', 5: 'flora' }

export function telegramWebSocketHost(dcId: number, media = false): string {
  const name = Object.prototype.hasOwnProperty.call(TELEGRAM_WS_DC_NAMES, dcId) ? TELEGRAM_WS_DC_NAMES[dcId] : undefined
  if (!name) fail('E_OPTION', `no web host for DC ${String(dcId)}`)
  return `${name}${media ? '-1' : ''}.web.telegram.org`
}

/** `wss://host[:port]/apiws` (or `/apiws_test`). */
export function webSocketUrl(host: string, options: { secure?: boolean; port?: number; test?: boolean } = {}): string {
  if (typeof host !== 'string' || !HOST.test(host)) fail('E_OPTION', 'bad WebSocket host')
  if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)) fail('E_OPTION', 'port must be an integer in 1..65535')
  const secure = options.secure ?? true
  const port = options.port === undefined ? '' : `:${options.port}`
  return `${secure ? 'wss' : 'ws'}://${host}${port}${options.test ? WS_TEST_PATH : WS_PATH}`
}

/** A client transport for WebSocket: obfuscated2 always (so `dcId` is required), intermediate framing unless padded is asked for. */
export function createWebSocketClientTransport(options: Omit<ClientTransportOptions, 'obfuscated'>): ClientTransport {
  if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
  const framing = options.framing ?? 'intermediate'
  if (framing !== 'intermediate' && framing !== 'padded') fail('E_OPTION', 'WebSocket carries obfuscated intermediate or padded framing')
  return new ClientTransport({ ...options, framing, obfuscated: true })
}

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2). */
export function webSocketAccept(crypto: Crypto, key: string): string {
  checkCrypto(crypto)
  if (typeof key !== 'string') fail('E_TYPE', 'key must be a string')
  return toBase64(crypto.sha1(utf8(key + WS_GUID)))
}

/** Accumulates an HTTP head up to CRLF CRLF (bounded); returns it and the bytes after it, once. */
class HeadReader {
  private buf: Uint8Array = new Uint8Array(0)
  private scanned = 3
  private done = false
  /** `headers` is null when a header line is malformed. */
  read(chunk: Uint8Array): { lines: string[]; headers: Map<string, string> | null; rest: Uint8Array } | null {
    checkBytes(chunk, 'chunk')
    if (this.done) fail('E_STATE', 'the WebSocket handshake is over: feed later bytes to the frame codec')
    this.buf = concat(this.buf, chunk)
    const b = this.buf
    for (let i = this.scanned; i < b.length; i++) {
      if (b[i] === 10 && b[i - 1] === 13 && b[i - 2] === 10 && b[i - 3] === 13) {
        const text = String.fromCharCode(...b.subarray(0, i - 3))
        const lines = text.split('\r\n')
        let headers: Map<string, string> | null = new Map<string, string>()
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':')
          if (c <= 0) {
            headers = null
            break
          }
          const k = l.slice(0, c).trim().toLowerCase()
          const v = l.slice(c + 1).trim()
          headers.set(k, headers.has(k) ? `${headers.get(k)}, ${v}` : v)
        }
        this.done = true
        return { lines, headers, rest: copyBytes(b, i + 1) }
      }
      if (i >= MAX_HANDSHAKE) break
    }
    this.scanned = Math.max(3, b.length)
    if (b.length > MAX_HANDSHAKE) fail('E_WS_HANDSHAKE', 'WebSocket handshake too long')
    return null
  }
}

const tokens = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim().toLowerCase())

/** Client side of the opening handshake. */
export class WebSocketClientHandshake {
  private readonly key: string
  private readonly head = new HeadReader()
  constructor(private readonly crypto: Crypto, private readonly host: string, private readonly path = WS_PATH) {
    checkCrypto(crypto)
    if (typeof host !== 'string' || !HOST.test(host)) fail('E_OPTION', 'bad WebSocket host')
    if (typeof path !== 'string' || !/^\/[A-Za-z0-9_\-/]*$/.test(path)) fail('E_OPTION', 'bad WebSocket path')
    this.key = toBase64(crypto.randomBytes(16))
  }
  request(): Uint8Array {
    return utf8(
      [
        `GET ${this.path} HTTP/1.1`,
        `Host: ${this.host}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${this.key}`,
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Protocol: ${WS_SUBPROTOCOL}`,
        '',
        '',
      ].join('\r\n'),
    )
  }
  /** Feeds the server's answer; null until complete, then the bytes that followed it (first frames). */
  receive(chunk: Uint8Array): Uint8Array | null {
    const h = this.head.read(chunk)
    if (!h) return null
    const status = h.lines[0].split(' ')
    if (status[1] !== '101') fail('E_WS_HANDSHAKE', `WebSocket upgrade refused: ${h.lines[0].slice(0, 200)}`)
    if (h.headers === null) fail('E_WS_HANDSHAKE', 'bad header line in the WebSocket handshake')
    if (!tokens(h.headers.get('upgrade')).includes('websocket') || !tokens(h.headers.get('connection')).includes('upgrade')) {
      fail('E_WS_HANDSHAKE', 'the answer is not a WebSocket upgrade')
    }
    if (h.headers.get('sec-websocket-accept') !== webSocketAccept(this.crypto, this.key)) fail('E_WS_HANDSHAKE', 'bad Sec-WebSocket-Accept')
    const proto = h.headers.get('sec-websocket-protocol')
    if (proto !== undefined && proto !== WS_SUBPROTOCOL) fail('E_WS_HANDSHAKE', `unexpected subprotocol ${proto}`)
    return h.rest
  }
}

/** Server side of the opening handshake: accepts `GET /apiws` (or `/apiws_test`) with subprotocol `binary`. */
export class WebSocketServerHandshake {
  private readonly head = new HeadReader()
  constructor(private readonly crypto: Crypto, private readonly paths: readonly string[] = [WS_PATH, WS_TEST_PATH]) {
    checkCrypto(crypto)
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) fail('E_OPTION', 'paths must be an array of strings')
  }
  /**
   * Feeds the client's request. null until complete; then `response` (101, or a 4xx to send
   * before closing when `ok` is false), the `path`, and the bytes after the request.
   */
  receive(chunk: Uint8Array): { ok: boolean; response: Uint8Array; path: string; rest: Uint8Array } | null {
    const h = this.head.read(chunk)
    if (!h) return null
    const [method, path, version] = h.lines[0].split(' ')
    const refuse = (status: string) => ({ ok: false, response: utf8(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`), path: path ?? '', rest: new Uint8Array(0) })
    if (method !== 'GET' || version !== 'HTTP/1.1' || h.headers === null) return refuse('400 Bad Request')
    if (!this.paths.includes(path)) return refuse('404 Not Found')
    const key = h.headers.get('sec-websocket-key')
    if (
      !tokens(h.headers.get('upgrade')).includes('websocket') ||
      !tokens(h.headers.get('connection')).includes('upgrade') ||
      h.headers.get('sec-websocket-version') !== '13' ||
      !key ||
      !/^[A-Za-z0-9+/]{22}==$/.test(key)
    ) {
      return refuse('400 Bad Request')
    }
    if (!tokens(h.headers.get('sec-websocket-protocol')).includes(WS_SUBPROTOCOL)) return refuse('400 Bad Request')
    const response = utf8(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${webSocketAccept(this.crypto, key)}`,
        `Sec-WebSocket-Protocol: ${WS_SUBPROTOCOL}`,
        '',
        '',
      ].join('\r\n'),
    )
    return { ok: true, response, path, rest: h.rest }
  }
}

export type WebSocketEvent =
  /** A complete binary message. */
  | { type: 'message'; data: Uint8Array }
  /** The peer closed: write what `takeOutgoing()` returns (the answering close frame), then close the socket. */
  | { type: 'close'; code: number; reason: string }
  /** A protocol violation or an oversized message: the last event; the codec stays failed. */
  | ErrorEvent

const OP_CONT = 0, OP_TEXT = 1, OP_BINARY = 2, OP_CLOSE = 8, OP_PING = 9, OP_PONG = 10

/** Default bound on the frames of one fragmented message (browsers and Telegram send one frame per message). */
export const WS_MAX_FRAGMENTS = 1024

export interface WebSocketFrameCodecOptions {
  role: 'client' | 'server'
  crypto: Crypto
  /** Largest message accepted, all fragments together (default 16 MiB + 1 KiB). */
  maxMessageLength?: number
  /** Most frames one fragmented message may take (default 1024). */
  maxFragments?: number
}

/**
 * RFC 6455 frames, sans-IO (a `Layer`, src/layer.ts): `receive(chunk)` gives the messages,
 * `send(data)` queues one binary message, `sendClose(code)` a close frame, and `takeOutgoing()`
 * the bytes to write (the pongs and the answer to a close go there too). The client masks what
 * it sends and refuses masked frames; the server the reverse. Binary messages only (text is
 * refused), ping answered, close answered. A
 * fragmented message is reassembled in one buffer that grows with what arrived: its total is
 * checked against `maxMessageLength` from each frame's header and its frame count against
 * `maxFragments`, so neither a long claim nor a flood of empty continuation frames holds memory
 * beyond what was sent.
 */
export class WebSocketFrameCodec extends UntimedLayer<WebSocketEvent> implements Layer<Uint8Array, Uint8Array, WebSocketEvent> {
  private readonly role: 'client' | 'server'
  private readonly crypto: Crypto
  private readonly max: number
  private readonly maxFragments: number
  private readonly hdr = new Uint8Array(14)
  private hdrLen = 0
  private payload: BodyBuffer | null = null
  private opcode = 0
  private fin = false
  private mask: Uint8Array | null = null
  /** The fragmented message so far: `msg[0, msgLen)`, `fragments` frames. */
  private msg: Uint8Array | null = null
  private msgLen = 0
  private fragments = 0
  private closed = false
  private broken: TransportError | null = null

  constructor(options: WebSocketFrameCodecOptions) {
    super()
    if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
    if (options.role !== 'client' && options.role !== 'server') fail('E_OPTION', "role must be 'client' or 'server'")
    checkCrypto(options.crypto)
    const max = options.maxMessageLength ?? DEFAULT_MAX_PACKET_LENGTH + 1024
    if (!Number.isSafeInteger(max) || max < 1) fail('E_OPTION', 'maxMessageLength must be a positive integer')
    const frags = options.maxFragments ?? WS_MAX_FRAGMENTS
    if (!Number.isSafeInteger(frags) || frags < 1) fail('E_OPTION', 'maxFragments must be a positive integer')
    this.role = options.role
    this.crypto = options.crypto
    this.max = max
    this.maxFragments = frags
  }

  /** Queues one binary message. */
  send(data: Uint8Array): void {
    this.out.push(this.frameMessage(data))
  }

  /** Queues a close frame (1000 = normal; 1000..4999). */
  sendClose(code = 1000): void {
    this.out.push(this.closeFrame(code))
  }

  /** The frame of one binary message, at once. */
  frameMessage(data: Uint8Array): Uint8Array {
    checkBytes(data, 'data')
    return this.frame(OP_BINARY, data)
  }

  /** A close frame, at once. */
  closeFrame(code = 1000): Uint8Array {
    if (!Number.isInteger(code) || code < 1000 || code > 4999) fail('E_OPTION', 'a close code is an integer in 1000..4999')
    return this.frame(OP_CLOSE, new Uint8Array([code >> 8, code & 255]))
  }


  private frame(opcode: number, data: Uint8Array): Uint8Array {
    const n = data.length
    const masked = this.role === 'client'
    const ext = n < 126 ? 0 : n < 65536 ? 2 : 8
    const h = 2 + ext + (masked ? 4 : 0)
    const out = new Uint8Array(h + n)
    out[0] = 0x80 | opcode
    out[1] = (masked ? 0x80 : 0) | (ext === 0 ? n : ext === 2 ? 126 : 127)
    if (ext === 2) {
      out[2] = n >> 8
      out[3] = n & 255
    } else if (ext === 8) {
      const hi = Math.floor(n / 2 ** 32)
      out.set([hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255], 2)
    }
    out.set(data, h)
    if (masked) {
      const m = this.crypto.randomBytes(4)
      out.set(m, h - 4)
      for (let i = 0; i < n; i++) out[h + i] ^= m[i & 3]
    }
    return out
  }

  private headerSize(): number {
    if (this.hdrLen < 2) return 2
    const len7 = this.hdr[1] & 127
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (this.hdr[1] & 0x80 ? 4 : 0)
  }

  /**
   * Feeds received bytes; returns the events they complete. A violation is an `error` event
   * after everything before it; later calls throw it. After a close, input is ignored.
   */
  receive(chunk: Uint8Array, _now?: number): WebSocketEvent[] {
    checkBytes(chunk, 'chunk')
    if (this.closed && !this.broken) return []
    const out: WebSocketEvent[] = []
    this.broken = decodeStep(this.broken, out, () => {
      let i = 0
      while (i < chunk.length && !this.closed) {
        if (!this.payload) {
          const take = Math.min(this.headerSize() - this.hdrLen, chunk.length - i)
          this.hdr.set(chunk.subarray(i, i + take), this.hdrLen)
          this.hdrLen += take
          i += take
          if (this.hdrLen < this.headerSize()) continue
          this.startFrame()
        }
        i += this.payload!.fill(chunk, i)
        if (this.payload!.done) this.endFrame(out)
      }
    })
    return out
  }

  private startFrame(): void {
    const h = this.hdr
    this.fin = (h[0] & 0x80) !== 0
    if (h[0] & 0x70) fail('E_WS_PROTOCOL', 'reserved WebSocket bits set (no extension was negotiated)')
    this.opcode = h[0] & 15
    const masked = (h[1] & 0x80) !== 0
    if (masked !== (this.role === 'server')) fail('E_WS_PROTOCOL', this.role === 'server' ? 'unmasked frame from a client' : 'masked frame from a server')
    const len7 = h[1] & 127
    let len: number
    if (len7 === 126) len = (h[2] << 8) | h[3]
    else if (len7 === 127) {
      if (h[2] & 0x80) fail('E_WS_PROTOCOL', 'frame length with the top bit set')
      len = ((h[2] << 24) | (h[3] << 16) | (h[4] << 8) | h[5]) * 2 ** 32 + (((h[6] << 24) | (h[7] << 16) | (h[8] << 8) | h[9]) >>> 0)
    } else len = len7
    const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0
    this.mask = masked ? copyBytes(h, 2 + ext, 6 + ext) : null
    const inMessage = this.msg !== null
    if (this.opcode >= 8) {
      if (!this.fin || len > 125) fail('E_WS_PROTOCOL', 'fragmented or long control frame')
      if (this.opcode !== OP_CLOSE && this.opcode !== OP_PING && this.opcode !== OP_PONG) fail('E_WS_PROTOCOL', `unknown opcode ${this.opcode}`)
    } else if (this.opcode === OP_TEXT) {
      fail('E_WS_TEXT', 'text WebSocket messages are not MTProto')
    } else if (this.opcode === OP_BINARY) {
      if (inMessage) fail('E_WS_PROTOCOL', 'new message inside a fragmented one')
    } else if (this.opcode === OP_CONT) {
      if (!inMessage) fail('E_WS_PROTOCOL', 'continuation without a message')
      if (this.fragments >= this.maxFragments) fail('E_WS_FRAGMENTS', `a fragmented message of more than ${this.maxFragments} frames`)
    } else {
      fail('E_WS_PROTOCOL', `unknown opcode ${this.opcode}`)
    }
    if (this.opcode < 8 && this.msgLen + len > this.max) fail('E_PACKET_TOO_LONG', `WebSocket message exceeds ${this.max} bytes`)
    this.payload = new BodyBuffer(len)
  }

  private endFrame(out: WebSocketEvent[]): void {
    const p = this.payload!.result()
    this.payload = null
    this.hdrLen = 0
    if (this.mask) for (let i = 0; i < p.length; i++) p[i] ^= this.mask[i & 3]
    switch (this.opcode) {
      case OP_PING:
        this.out.push(this.frame(OP_PONG, p))
        return
      case OP_PONG:
        return
      case OP_CLOSE: {
        if (p.length === 1) fail('E_WS_PROTOCOL', 'bad close frame')
        const code = p.length >= 2 ? (p[0] << 8) | p[1] : 1005
        const reason = new TextDecoder().decode(p.subarray(2))
        this.closed = true
        this.out.push(this.frame(OP_CLOSE, p.subarray(0, Math.min(2, p.length))))
        out.push({ type: 'close', code, reason })
        return
      }
      default: // binary or continuation
        if (this.fin && this.msg === null) {
          out.push({ type: 'message', data: p })
          return
        }
        this.append(p)
        if (this.fin) {
          out.push({ type: 'message', data: this.msg!.subarray(0, this.msgLen) })
          this.msg = null
          this.msgLen = 0
          this.fragments = 0
        }
    }
  }

  /** Appends a fragment to the message buffer, which doubles as needed (never past `max`). */
  private append(p: Uint8Array): void {
    this.fragments++
    const need = this.msgLen + p.length
    if (this.msg === null || need > this.msg.length) {
      const grown = new Uint8Array(Math.min(this.max, Math.max(need, 2 * (this.msg?.length ?? 0), 256)))
      if (this.msg) grown.set(this.msg.subarray(0, this.msgLen))
      this.msg = grown
    }
    this.msg.set(p, this.msgLen)
    this.msgLen = need
  }
}

export interface WebSocketClientTransportOptions extends Omit<ClientTransportOptions, 'obfuscated'> {
  /** The Host header (and nothing else: the driver connects). */
  host: string
  /** Default `/apiws` (`/apiws_test` with `test`). */
  path?: string
}

/**
 * A WebSocket client transport over a byte stream, sans-IO (a `Layer`): the opening handshake,
 * RFC 6455 frames, and inside them the obfuscated2 stream of `createWebSocketClientTransport`.
 * Its events and items are `ClientTransport`'s: packets in, packets out. Packets sent before
 * the server's 101 answer wait for it.
 */
export class WebSocketClientTransport extends UntimedLayer<ClientEvent> implements Layer<Uint8Array, Uint8Array | TransportItem, ClientEvent> {
  private readonly inner: ClientTransport
  private readonly hello: WebSocketClientHandshake
  private readonly frames: WebSocketFrameCodec
  private open = false
  private broken: TransportError | null = null

  constructor(options: WebSocketClientTransportOptions) {
    super()
    if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
    this.inner = createWebSocketClientTransport(options)
    this.hello = new WebSocketClientHandshake(options.crypto, options.host, options.path ?? (options.test ? WS_TEST_PATH : WS_PATH))
    const max = options.maxPacketLength ?? DEFAULT_MAX_PACKET_LENGTH
    this.frames = new WebSocketFrameCodec({ role: 'client', crypto: options.crypto, maxMessageLength: max + 1024 })
  }

  /** Queues the upgrade request; the obfuscated2 header follows once the server accepted it. */
  start(now?: number): void {
    this.inner.start(now)
    this.out.push(this.hello.request())
  }

  send(item: Uint8Array | TransportItem): void {
    this.inner.send(item)
    this.drain()
  }

  receive(chunk: Uint8Array, now?: number): ClientEvent[] {
    checkBytes(chunk, 'chunk')
    const out: ClientEvent[] = []
    this.broken = decodeStep(this.broken, out, () => {
      let bytes: Uint8Array | null = chunk
      if (!this.open) {
        bytes = this.hello.receive(chunk)
        if (bytes === null) return
        this.open = true
        this.drain()
      }
      for (const ev of this.frames.receive(bytes)) {
        if (ev.type === 'error') throw ev.error
        if (ev.type === 'close') {
          this.drain() // the answering close frame
          fail('E_WS_CLOSED', `the server closed the WebSocket (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`)
        }
        for (const e of this.inner.receive(ev.data, now)) {
          if (e.type === 'error') throw e.error
          out.push(e)
        }
      }
      this.drain()
    })
    return out
  }


  dispose(): void {
    this.inner.dispose()
    this.out = []
  }

  /** Once open: the inner transport's bytes as binary messages, then the frame codec's bytes (pongs, close answers). */
  private drain(): void {
    if (!this.open) return
    for (const b of this.inner.takeOutgoing()) this.frames.send(b)
    for (const b of this.frames.takeOutgoing()) this.out.push(b)
  }
}
