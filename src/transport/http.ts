/**
 * The HTTP transport (core.telegram.org/mtproto/transports#http): each MTProto payload is the
 * body of a `POST /api` request, each answer the body of a `200` response; transport errors
 * arrive as HTTP status codes. Keep-alive; bodies need a Content-Length (Telegram sends one),
 * which is checked against the packet limit before the body is allocated. `http_wait` long
 * polling is the session layer's business.
 *
 * Both codecs are `Layer`s (src/layer.ts) with the framings' events and items: a body received
 * is a `packet`; a malformed message, or (client) a status other than 200, is an `error` event
 * after the packets before it, and the codec stays failed. `send(packet)` queues a request
 * (client) or a `200` response (server), `send({ type: 'transportError', status })` (server) an
 * error status; `takeOutgoing()` gives the bytes.
 */
import { BodyBuffer, concat, utf8 } from '../bytes.js'
import type { TransportError } from '../errors.js'
import { type Layer, type TransportItem, UntimedLayer } from '../layer.js'
import { checkBytes, decodeStep, fail, TransportStatusError } from './errors.js'
import { checkMax, itemType, type FrameEvent } from './framing.js'

/** Longest request/status line plus headers accepted. */
export const MAX_HTTP_HEADER = 8192

export interface HttpMessage {
  /** Request: method and path; response: status. */
  startLine: string[]
  headers: Map<string, string>
  body: Uint8Array
}

/** Incremental HTTP/1.1 message splitter (Content-Length bodies only); `onMessage` checks and turns each into an event. */
class HttpParser {
  private head: number[] = []
  private parsed: { startLine: string[]; headers: Map<string, string> } | null = null
  private body: BodyBuffer | null = null
  private broken: TransportError | null = null

  constructor(
    private readonly max: number,
    private readonly requireLength: boolean,
    private readonly onMessage: (m: HttpMessage) => FrameEvent,
  ) {}

  decode(chunk: Uint8Array): FrameEvent[] {
    checkBytes(chunk, 'chunk')
    const out: FrameEvent[] = []
    this.broken = decodeStep(this.broken, out, () => {
      let i = 0
      while (i < chunk.length) {
        if (!this.parsed) {
          // header bytes until CRLF CRLF, bounded
          while (i < chunk.length) {
            this.head.push(chunk[i++])
            const h = this.head
            const n = h.length
            if (n > MAX_HTTP_HEADER) fail('E_HTTP_HEADER', 'HTTP header too long')
            if (n >= 4 && h[n - 1] === 10 && h[n - 2] === 13 && h[n - 3] === 10 && h[n - 4] === 13) {
              this.parsed = this.parseHead(String.fromCharCode(...h.slice(0, n - 4)))
              this.head = []
              break
            }
          }
          if (!this.parsed) break
          this.body = new BodyBuffer(this.contentLength(this.parsed.headers))
        }
        i += this.body!.fill(chunk, i)
        if (this.body!.done) {
          const m = { ...this.parsed!, body: this.body!.result() }
          this.parsed = null
          this.body = null
          out.push(this.onMessage(m))
        }
      }
    })
    return out
  }

  private parseHead(text: string): { startLine: string[]; headers: Map<string, string> } {
    const lines = text.split('\r\n')
    const startLine = lines[0].split(' ')
    if (startLine.length < 2) fail('E_HTTP_MALFORMED', 'bad HTTP start line')
    const headers = new Map<string, string>()
    for (const l of lines.slice(1)) {
      const c = l.indexOf(':')
      if (c <= 0) fail('E_HTTP_MALFORMED', 'bad HTTP header line')
      const k = l.slice(0, c).trim().toLowerCase()
      const v = l.slice(c + 1).trim()
      // two different lengths make the body's end ambiguous (request smuggling, RFC 9112 §6.3)
      if (k === 'content-length' && headers.has(k) && headers.get(k) !== v) fail('E_HTTP_MALFORMED', 'conflicting Content-Length headers')
      headers.set(k, v)
    }
    if (headers.has('transfer-encoding')) fail('E_HTTP_UNSUPPORTED', 'chunked HTTP bodies are not supported')
    return { startLine, headers }
  }

  private contentLength(h: Map<string, string>): number {
    const v = h.get('content-length')
    if (v === undefined) {
      if (this.requireLength) fail('E_HTTP_MALFORMED', 'Content-Length is required')
      return 0
    }
    if (!/^\d{1,10}$/.test(v)) fail('E_HTTP_MALFORMED', 'bad Content-Length')
    const n = Number(v)
    if (n > this.max) fail('E_PACKET_TOO_LONG', `HTTP body of ${n} bytes exceeds the limit of ${this.max}`)
    return n
  }
}

function message(startLine: string, headers: [string, string][], body: Uint8Array): Uint8Array {
  const head = [startLine, ...headers.map(([k, v]) => `${k}: ${v}`), `Content-Length: ${body.length}`, '', ''].join('\r\n')
  return concat(utf8(head), body)
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 444: 'No Response' }

function checkHttpOptions(options: { maxPacketLength?: number }): number {
  if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
  return checkMax(options.maxPacketLength)
}

/** What both codecs share: the parser, the queue of bytes to write, no timers. */
abstract class HttpCodec extends UntimedLayer<FrameEvent> implements Layer<Uint8Array, Uint8Array | TransportItem, FrameEvent> {
  protected readonly max: number
  protected abstract readonly parser: HttpParser

  constructor(options: { maxPacketLength?: number }) {
    super()
    this.max = checkHttpOptions(options)
  }

  /** Feeds received bytes: each message body a `packet` event; a bad message an `error` event (the last). */
  receive(chunk: Uint8Array, _now?: number): FrameEvent[] {
    return this.parser.decode(chunk)
  }

  /** Queues the bytes of one item (`frame`). */
  send(item: Uint8Array | TransportItem): void {
    this.out.push(this.frame(item))
  }

  /** One item as an HTTP message. */
  abstract frame(item: Uint8Array | TransportItem): Uint8Array


  /** The payload of a packet item (checked), or undefined for the other items. */
  protected payload(item: Uint8Array | TransportItem): Uint8Array | undefined {
    const t = itemType(item)
    const p = t === 'bytes' ? (item as Uint8Array) : t === 'packet' ? (item as { data: Uint8Array }).data : undefined
    if (p === undefined) return undefined
    checkBytes(p, 'payload')
    if (p.length > this.max) fail('E_PACKET_TOO_LONG', `payload of ${p.length} bytes exceeds the limit of ${this.max}`)
    return p
  }
}

/** Client side: requests out, responses in. */
export class HttpClientCodec extends HttpCodec {
  protected readonly parser: HttpParser
  constructor(readonly host: string, options: { maxPacketLength?: number } = {}) {
    if (typeof host !== 'string' || !/^[A-Za-z0-9.:\-[\]]+$/.test(host)) fail('E_OPTION', 'bad HTTP host')
    super(options)
    this.parser = new HttpParser(this.max, false, (m) => {
      const [version, status] = m.startLine
      if (!/^HTTP\/1\.[01]$/.test(version) || !/^\d{3}$/.test(status)) fail('E_HTTP_MALFORMED', 'bad HTTP status line')
      // the spec: a transport error is the status; its body means nothing
      if (status !== '200') throw new TransportStatusError(Number(status))
      return { type: 'packet', data: m.body, quickAck: false }
    })
  }
  /** One `POST /api` request carrying a packet. */
  frame(item: Uint8Array | TransportItem): Uint8Array {
    const p = this.payload(item) ?? fail('E_ROLE', 'an HTTP client sends packets only')
    return message('POST /api HTTP/1.1', [['Host', this.host], ['Connection', 'keep-alive'], ['Content-Type', 'application/octet-stream']], p)
  }
}

/** Server side: requests in, responses out. Only `POST /api` is accepted. */
export class HttpServerCodec extends HttpCodec {
  protected readonly parser: HttpParser
  constructor(options: { maxPacketLength?: number } = {}) {
    super(options)
    this.parser = new HttpParser(this.max, true, (m) => {
      const [method, path, version] = m.startLine
      if (!/^HTTP\/1\.[01]$/.test(version ?? '')) fail('E_HTTP_MALFORMED', 'bad HTTP request line')
      if (method !== 'POST' || (path !== '/api' && !path.startsWith('/api?'))) fail('E_HTTP_NOT_API', `unexpected HTTP request ${method} ${path}`)
      if (m.body.length === 0) fail('E_BAD_LENGTH', 'empty HTTP request body')
      return { type: 'packet', data: m.body, quickAck: false }
    })
  }
  /** A `200` response carrying a packet, or a transport error as an HTTP status (404, 429, ...) with an empty body. */
  frame(item: Uint8Array | TransportItem): Uint8Array {
    const p = this.payload(item)
    if (p !== undefined) return message('HTTP/1.1 200 OK', HEADERS, p)
    const it = item as Exclude<TransportItem, { type: 'packet' }>
    if (it.type === 'quickAck') fail('E_UNSUPPORTED', 'HTTP has no quick ACK')
    const status = it.status
    if (!Number.isInteger(status) || status < 400 || status > 599) fail('E_OPTION', 'HTTP error status must be 400..599')
    return message(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}`, HEADERS, new Uint8Array(0))
  }
}

const HEADERS: [string, string][] = [
  ['Connection', 'keep-alive'],
  ['Content-Type', 'application/octet-stream'],
  ['Access-Control-Allow-Origin', '*'],
]
