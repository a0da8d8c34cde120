/**
 * The four MTProto TCP framings (core.telegram.org/mtproto/mtproto-transports): abridged,
 * intermediate, padded intermediate and full. Each is a sans-IO `Layer` (src/layer.ts) for one
 * connection and one role: `receive(chunk)` decodes bytes in any chunking (one byte at a time
 * included) into whole packets; `send(item)` frames a packet, a quick-ACK answer or a transport
 * error (the items the auth and session layers hand down) and `takeOutgoing()` gives the bytes.
 * `frame(item)` is the same encoding for one item, returned at once (the transports that wrap a
 * framing call it). A length is validated against `maxPacketLength` before the packet buffer is
 * allocated.
 *
 * What the peer sends never throws: malformed framing and the peer's transport error codes
 * (−404, −429, −444) come out as an `error` event after every packet decoded before them, and
 * the framing stays failed (a later `receive` throws that error again: drop the connection).
 *
 * Packets come out exact whatever the framing: the padded framing's 0–15 random bytes are
 * stripped where the packet says its own length (see `exactLength`). What it sends is 0–3
 * bytes, as the official MTProxy does (`lrand48() & 3`): the spec allows 0–15, but MTProxy and
 * Telethon strip only `length mod 4` bytes, so more padding reaches them as part of the packet.
 */
import { TransportError } from '../errors.js'
import { crc32 } from '../crypto/crc32.js'
import { allocBytes, BodyBuffer, readU32LE, writeU32LE } from '../bytes.js'
import { type Layer, type TransportItem, UntimedLayer } from '../layer.js'
import { checkBytes, decodeStep, fail, TransportStatusError, type ErrorEvent } from './errors.js'

export type FramingKind = 'abridged' | 'intermediate' | 'padded' | 'full'
/** `client` decodes what a server sends (quick-ACK tokens, error codes); `server` the reverse. */
export type Role = 'client' | 'server'

export const DEFAULT_MAX_PACKET_LENGTH = 16 * 1024 * 1024

export type FrameEvent =
  /** A whole packet. `quickAck`: (server role) the client asked for a quick ACK of it. */
  | { type: 'packet'; data: Uint8Array; quickAck: boolean }
  /** (client role) The server acknowledged the packet whose token is `token` (MSB set). */
  | { type: 'quickAck'; token: number }
  /**
   * Malformed input, or (client role) the server's transport error code as a
   * `TransportStatusError` with its `status`. Always the last event; the framing stays failed.
   */
  | ErrorEvent

export interface FramingOptions {
  role: Role
  /** Largest payload accepted or produced, in bytes. Default 16 MiB. */
  maxPacketLength?: number
  /** Random bytes for the padded framing's padding (`crypto.randomBytes`). Required to encode `padded`. */
  randomBytes?: (n: number) => Uint8Array
}

/** The 4-byte protocol tag placed at offset 56 of an obfuscated2 header. */
export const OBFUSCATED_TAGS: Record<Exclude<FramingKind, 'full'>, number> = {
  abridged: 0xefefefef,
  intermediate: 0xeeeeeeee,
  padded: 0xdddddddd,
}

/** `max` (default 16 MiB) if it is a valid `maxPacketLength`; throws `E_OPTION` otherwise. */
export function checkMax(max: number | undefined): number {
  const m = max ?? DEFAULT_MAX_PACKET_LENGTH
  if (!Number.isInteger(m) || m < 16 || m > 0x7fffffff - 16) {
    fail('E_OPTION', `maxPacketLength must be an integer in [16, 2^31-17], got ${String(max)}`)
  }
  return m
}

/**
 * The kind of a `send()` argument: a bare packet, or a `TransportItem` (checked: anything else is
 * the caller's mistake, `E_TYPE`).
 */
export function itemType(item: Uint8Array | TransportItem): 'bytes' | TransportItem['type'] {
  if (item instanceof Uint8Array) return 'bytes'
  const t = typeof item === 'object' && item !== null ? item.type : undefined
  if (t !== 'packet' && t !== 'quickAck' && t !== 'transportError') fail('E_TYPE', 'send() takes a Uint8Array or a packet, quickAck or transportError item')
  return t
}

/**
 * One framing, both directions: the decoder's state machine (header bytes, then a body
 * allocated only after its length is checked) and the encoder of each kind.
 */
export abstract class Framing extends UntimedLayer<FrameEvent> implements Layer<Uint8Array, Uint8Array | TransportItem, FrameEvent> {
  abstract readonly kind: FramingKind
  /** What a client sends first on a plain connection: `ef`, `eeeeeeee`, `dddddddd`, or nothing (full). */
  abstract readonly tag: Uint8Array
  protected readonly hdr = new Uint8Array(8)
  private hdrLen = 0
  private body: BodyBuffer | null = null
  private broken: TransportError | null = null
  /** The quick-ACK flag of the packet being decoded. */
  protected flag = false

  constructor(readonly role: Role, protected readonly max: number) {
    super()
  }

  /** Header size in bytes once `n` bytes of it are known (n >= 1), or the minimum when n = 0. */
  protected abstract headerSize(n: number): number
  /** Validates the complete header. Returns the body length to read, or -1 if the header was a whole event. */
  protected abstract onHeader(out: FrameEvent[]): number
  protected abstract onBody(body: Uint8Array, out: FrameEvent[]): void
  /** Wraps one packet; `quickAck` (client role) sets the quick-ACK request flag. */
  protected abstract packet(p: Uint8Array, quickAck: boolean): Uint8Array
  /** (server role) The answer to a quick-ACK request. */
  protected abstract quickAck(token: number): Uint8Array
  /** (server role) A transport error packet carrying −status. */
  protected abstract error(status: number): Uint8Array

  /**
   * Feeds received bytes; returns the events they complete. Bad input from the peer is an
   * `error` event (the last one); after it, `receive` throws that error. `now` is unused (no
   * framing keeps time).
   */
  receive(chunk: Uint8Array, _now?: number): FrameEvent[] {
    checkBytes(chunk, 'chunk')
    const out: FrameEvent[] = []
    this.broken = decodeStep(this.broken, out, () => {
      let i = 0
      const n = chunk.length
      while (i < n) {
        if (this.body === null) {
          const need = this.headerSize(this.hdrLen) - this.hdrLen
          const take = Math.min(need, n - i)
          // at most 8 bytes: a loop, not a subarray view to set() from
          for (let k = 0; k < take; k++) this.hdr[this.hdrLen + k] = chunk[i + k]
          this.hdrLen += take
          i += take
          if (this.hdrLen < this.headerSize(this.hdrLen)) continue
          const len = this.onHeader(out)
          if (len < 0) {
            this.hdrLen = 0
            continue
          }
          this.body = new BodyBuffer(len)
        }
        i += this.body.fill(chunk, i)
        if (this.body.done) {
          const body = this.body.result()
          this.body = null
          this.onBody(body, out)
          this.hdrLen = 0
        }
      }
    })
    return out
  }

  /** Frames one item and queues the bytes for `takeOutgoing()`. */
  send(item: Uint8Array | TransportItem): void {
    this.out.push(this.frame(item))
  }

  /** The bytes of one item, at once: a packet (a bare Uint8Array too), a quick-ACK answer or a transport error (server role). */
  frame(item: Uint8Array | TransportItem): Uint8Array {
    const t = itemType(item)
    if (t === 'bytes') return this.framePacket(item as Uint8Array, false)
    const it = item as TransportItem
    if (it.type === 'packet') return this.framePacket(it.data, it.quickAck === true && this.role === 'client')
    if (this.role !== 'server') fail('E_ROLE', `${it.type === 'quickAck' ? 'a quick ACK' : 'a transport error'} is sent by servers only`)
    if (it.type === 'quickAck') {
      const token = it.token
      if (!Number.isInteger(token) || token < 0x80000000 || token > 0xffffffff) fail('E_BAD_TOKEN', 'a quick-ACK token is a uint32 with the most significant bit set')
      return this.quickAck(token)
    }
    const s = it.status
    if (!Number.isInteger(s) || s <= 1 || s > 0x7fffffff) fail('E_OPTION', 'status must be a positive integer')
    return this.error(s)
  }

  private framePacket(p: Uint8Array, quickAck: boolean): Uint8Array {
    checkBytes(p, 'packet')
    if (p.length === 0) fail('E_BAD_LENGTH', 'empty packet')
    if (p.length > this.max) fail('E_PACKET_TOO_LONG', `packet of ${p.length} bytes exceeds the limit of ${this.max}`)
    return this.packet(p, quickAck)
  }


  protected checkLength(len: number): void {
    if (len > this.max) fail('E_PACKET_TOO_LONG', `packet of ${len} bytes exceeds the limit of ${this.max}`)
    if (len === 0) fail('E_BAD_LENGTH', 'empty packet')
  }
}

/**
 * The length of the MTProto packet at the start of `b`, which the padded framing followed with
 * 0–15 random bytes (mtproto-transports#padded-intermediate), or `b.length` where the packet
 * does not say:
 * - auth_key_id ≠ 0, an encrypted message: auth_key_id ‖ msg_key ‖ ciphertext, 24 + 16k bytes
 *   (mtproto/description: the plaintext is padded to a multiple of 16);
 * - auth_key_id = 0, an unencrypted message: auth_key_id ‖ msg_id ‖ message_data_length ‖
 *   message_data, 20 + message_data_length bytes, when that leaves 0–15 bytes.
 * Anything shorter than either header is left to the layer above to refuse.
 */
export function exactLength(b: Uint8Array): number {
  const n = b.length
  if (n < 20) return n
  if ((b[0] | b[1] | b[2] | b[3] | b[4] | b[5] | b[6] | b[7]) === 0) {
    const want = 20 + readU32LE(b, 16)
    return want <= n && n - want < 16 ? want : n
  }
  return n < 24 ? n : n - ((n - 24) & 15)
}

/** A 4-byte packet holding a negative int32 is a transport error code (client role). */
function checkErrorPacket(body: Uint8Array): void {
  if (body.length >= 4) {
    const v = readU32LE(body, 0) | 0
    if (v < 0 && v !== -1) throw new TransportStatusError(-v)
  }
}

function int32le(v: number): Uint8Array {
  const b = new Uint8Array(4)
  writeU32LE(b, 0, v >>> 0)
  return b
}

/** Abridged: one length byte (words), or 0x7f and three; the quick-ACK flag is the MSB of the first byte. */
class AbridgedFraming extends Framing {
  readonly kind = 'abridged'
  readonly tag = new Uint8Array([0xef])

  protected headerSize(n: number): number {
    if (n === 0) return 1
    const b = this.hdr[0]
    // 0x7f / 0xff: 3 more length bytes. A client-role MSB byte starts a 4-byte quick-ACK token.
    if ((b & 0x7f) === 0x7f) return 4
    if (this.role === 'client' && b & 0x80) return 4
    return 1
  }
  protected onHeader(out: FrameEvent[]): number {
    const h = this.hdr
    if (this.role === 'client' && h[0] & 0x80) {
      // bswapped token: the byte holding the MSB comes first
      out.push({ type: 'quickAck', token: ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0 })
      return -1
    }
    this.flag = (h[0] & 0x80) !== 0
    const words = (h[0] & 0x7f) === 0x7f ? h[1] | (h[2] << 8) | (h[3] << 16) : h[0] & 0x7f
    const len = words * 4
    this.checkLength(len)
    return len
  }
  protected onBody(body: Uint8Array, out: FrameEvent[]): void {
    if (this.role === 'client' && body.length === 4) checkErrorPacket(body)
    out.push({ type: 'packet', data: body, quickAck: this.flag })
  }
  protected packet(p: Uint8Array, quickAck: boolean): Uint8Array {
    if (p.length % 4 !== 0) fail('E_BAD_LENGTH', 'abridged packets are a multiple of 4 bytes')
    const words = p.length / 4
    if (words >= 1 << 24) fail('E_PACKET_TOO_LONG', 'abridged lengths stop below 64 MiB')
    const ack = quickAck ? 0x80 : 0
    const hl = words < 127 ? 1 : 4
    const out = allocBytes(hl + p.length)
    if (hl === 1) out[0] = words | ack
    else {
      out[0] = 0x7f | ack
      out[1] = words & 255
      out[2] = (words >>> 8) & 255
      out[3] = (words >>> 16) & 255
    }
    out.set(p, hl)
    return out
  }
  protected quickAck(token: number): Uint8Array {
    return new Uint8Array([token >>> 24, (token >>> 16) & 255, (token >>> 8) & 255, token & 255])
  }
  protected error(status: number): Uint8Array {
    return this.packet(int32le(-status), false)
  }
}

/** Intermediate and padded intermediate: a 4-byte length (MSB: quick ACK); padded adds 0–3 random bytes (accepts 0–15). */
class IntermediateFraming extends Framing {
  readonly kind: 'intermediate' | 'padded'
  readonly tag: Uint8Array
  private readonly padded: boolean
  private readonly rnd: ((n: number) => Uint8Array) | undefined

  constructor(role: Role, max: number, padded: boolean, randomBytes: ((n: number) => Uint8Array) | undefined) {
    super(role, max)
    this.padded = padded
    this.kind = padded ? 'padded' : 'intermediate'
    this.tag = new Uint8Array(4).fill(padded ? 0xdd : 0xee)
    this.rnd = randomBytes
  }

  protected headerSize(): number {
    return 4
  }
  protected onHeader(out: FrameEvent[]): number {
    const v = readU32LE(this.hdr, 0)
    if (v >= 0x80000000) {
      if (this.role === 'client') {
        if (this.padded) fail('E_BAD_LENGTH', 'length with the MSB set from a server (padded)')
        out.push({ type: 'quickAck', token: v })
        return -1
      }
      this.flag = true
    } else {
      this.flag = false
    }
    const len = v & 0x7fffffff
    this.checkLength(len)
    return len
  }
  protected onBody(body: Uint8Array, out: FrameEvent[]): void {
    if (this.role === 'client') {
      // Padded: an MTProto packet is at least 24 bytes; anything shorter is a quick ACK
      // (FFFFFFFF, the token, 0..8 padding bytes; we send 0..3) or an error code followed by padding.
      if (this.padded && body.length < 24) {
        if (body.length >= 8 && body.length <= 16 && readU32LE(body, 0) === 0xffffffff) {
          out.push({ type: 'quickAck', token: readU32LE(body, 4) })
          return
        }
        checkErrorPacket(body)
      } else if (body.length === 4) {
        checkErrorPacket(body)
      }
    }
    const n = this.padded ? exactLength(body) : body.length
    out.push({ type: 'packet', data: n === body.length ? body : body.subarray(0, n), quickAck: this.flag })
  }
  /** Random bytes (only the padded encoder needs them: a decode-only framing may go without). */
  private random(n: number): Uint8Array {
    return this.rnd !== undefined ? this.rnd(n) : fail('E_OPTION', 'the padded framing needs options.randomBytes to encode')
  }
  protected packet(p: Uint8Array, quickAck: boolean): Uint8Array {
    // one RNG call per packet: byte 0 picks the padding length (0–3, see the top), bytes 1.. are the padding
    const r = this.padded ? this.random(4) : null
    const pad = r ? r[0] & 3 : 0
    const out = allocBytes(4 + p.length + pad)
    writeU32LE(out, 0, ((p.length + pad) | (quickAck ? 0x80000000 : 0)) >>> 0)
    out.set(p, 4)
    if (r && pad) out.set(r.subarray(1, 1 + pad), 4 + p.length)
    return out
  }
  protected quickAck(token: number): Uint8Array {
    if (!this.padded) return int32le(token)
    const pad = this.random(1)[0] & 3
    const out = new Uint8Array(12 + pad)
    writeU32LE(out, 0, 8 + pad)
    writeU32LE(out, 4, 0xffffffff)
    writeU32LE(out, 8, token)
    out.set(this.random(pad), 12)
    return out
  }
  protected error(status: number): Uint8Array {
    // unpadded even in padded mode: the bare 4-byte code, as a valid padded frame
    const out = new Uint8Array(8)
    writeU32LE(out, 0, 4)
    writeU32LE(out, 4, -status >>> 0)
    return out
  }
}

/** Full: length ‖ seq_no ‖ packet ‖ CRC32, both directions counting their own seq_no from 0. */
class FullFraming extends Framing {
  readonly kind = 'full'
  readonly tag = new Uint8Array(0)
  private inSeq = 0
  private outSeq = 0

  protected headerSize(): number {
    return 8
  }
  protected onHeader(): number {
    const len = readU32LE(this.hdr, 0)
    // A server may answer a flood with a bare negative length instead of a framed packet
    // (seen as -429 in Telethon issue 4042); treat it as the error code it carries.
    if (this.role === 'client' && len >= 0x80000000) throw new TransportStatusError(-(len | 0))
    if (len < 16 || len % 4 !== 0) fail('E_BAD_LENGTH', `full-transport length ${len} is not a multiple of 4 of at least 16`)
    this.checkLength(len - 12)
    const seq = readU32LE(this.hdr, 4)
    if (seq !== this.inSeq) fail('E_BAD_SEQNO', `expected transport seq_no ${this.inSeq}, got ${seq}`)
    this.inSeq = (this.inSeq + 1) >>> 0
    return len - 8
  }
  protected onBody(body: Uint8Array, out: FrameEvent[]): void {
    const n = body.length - 4
    const want = readU32LE(body, n)
    const got = crc32(body.subarray(0, n), crc32(this.hdr.subarray(0, 8)))
    if (want !== got) fail('E_BAD_CRC', 'full-transport CRC32 mismatch')
    const data = body.subarray(0, n)
    if (this.role === 'client' && n === 4) checkErrorPacket(data)
    out.push({ type: 'packet', data, quickAck: false })
  }
  protected packet(p: Uint8Array): Uint8Array {
    if (p.length % 4 !== 0) fail('E_BAD_LENGTH', 'full-transport packets are a multiple of 4 bytes')
    const out = allocBytes(p.length + 12)
    writeU32LE(out, 0, p.length + 12)
    writeU32LE(out, 4, this.outSeq)
    this.outSeq = (this.outSeq + 1) >>> 0
    out.set(p, 8)
    writeU32LE(out, 8 + p.length, crc32(out.subarray(0, 8 + p.length)))
    return out
  }
  protected quickAck(): Uint8Array {
    return fail('E_UNSUPPORTED', 'the full transport has no quick ACK')
  }
  protected error(status: number): Uint8Array {
    return this.packet(int32le(-status))
  }
}

/** Creates a framing for one connection and one role. */
export function createFraming(kind: FramingKind, options: FramingOptions): Framing {
  if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
  const max = checkMax(options.maxPacketLength)
  const role = options.role
  if (role !== 'client' && role !== 'server') fail('E_OPTION', `role must be 'client' or 'server'`)
  if (options.randomBytes !== undefined && typeof options.randomBytes !== 'function') fail('E_OPTION', 'randomBytes must be a function')
  switch (kind) {
    case 'abridged':
      return new AbridgedFraming(role, max)
    case 'intermediate':
    case 'padded':
      return new IntermediateFraming(role, max, kind === 'padded', options.randomBytes)
    case 'full':
      return new FullFraming(role, max)
    default:
      return fail('E_OPTION', `unknown framing ${String(kind)}`)
  }
}

/**
 * The quick-ACK token of an outgoing encrypted message (mtproto-transports#quick-ack): the first
 * 32 bits of msg_key_large = SHA-256(substr(auth_key, 88, 32) ‖ plaintext ‖ padding), read as a
 * little-endian uint32, with the most significant bit set. The session layer keeps it to match
 * the server's answer (a `quickAck` event).
 */
export function quickAckToken(msgKeyLarge: Uint8Array): number {
  if (!(msgKeyLarge instanceof Uint8Array) || msgKeyLarge.length < 4) fail('E_TYPE', 'msgKeyLarge must hold at least 4 bytes')
  return (readU32LE(msgKeyLarge, 0) | 0x80000000) >>> 0
}
