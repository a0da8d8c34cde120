/**
 * The plaintext of one secret-chat message: `decryptedMessageLayer` around a DecryptedMessage,
 * with the length prefix the end-to-end envelope carries at offset 0, and the per-layer forms of
 * the constructors a chat sends.
 *
 * Spec (core.telegram.org/api/end-to-end#serialization-and-encryption-of-outgoing-messages): "A
 * TL object of type DecryptedMessage is created ... wrapped in the constructor
 * decryptedMessageLayer with an indication of the supported layer (starting with 46). ... The
 * resulting array is prepended by 4 bytes containing the array length not counting these 4
 * bytes." The wrapper is read by hand, not as one TL object, so that a message whose content
 * this schema cannot decode still yields its sequence numbers: it then keeps its place in the
 * chat's order (as an `unsupported` event) instead of opening a gap that no resend can fill.
 */
import { TlDecodeError } from '../tl/errors.js'
import { TlReader, type TlReaderOptions } from '../tl/reader.js'
import { TlWriter } from '../tl/writer.js'
import {
  secretCodec, type TypeDecryptedMessage, type TypeDecryptedMessageMedia, type TypeDocumentAttribute, type TypeMessageEntity,
} from '../tl/generated/secret.js'
import { SecretChatError, TlError } from '../errors.js'

/** decryptedMessageLayer#1be31789 */
const ID_LAYER = 0x1be31789

/** The smallest random_bytes a message may carry: "messages with fewer MUST be ignored" (constructor/decryptedMessageLayer). */
export const MIN_RANDOM_BYTES = 15

export interface ParsedPlaintext {
  /** False for a bare layer-8 message (no sequence numbers). */
  wrapped: boolean
  /** Length of random_bytes. */
  randomBytes: number
  /** The layer the sender states (8 when not wrapped). */
  layer: number
  /** Wire (not raw) sequence numbers; 0 when not wrapped. */
  inSeq: number
  outSeq: number
  /** The message, or undefined when it could not be decoded (`error` says why). */
  message: TypeDecryptedMessage | undefined
  error: TlError | undefined
}

const isMessage = (v: unknown): v is TypeDecryptedMessage =>
  typeof v === 'object' && v !== null && typeof (v as { _?: unknown })._ === 'string' && (v as { _: string })._.startsWith('decryptedMessage') &&
  !(v as { _: string })._.startsWith('decryptedMessageMedia') && !(v as { _: string })._.startsWith('decryptedMessageAction') && (v as { _: string })._ !== 'decryptedMessageLayer'

/**
 * Reads `inner` (length ‖ body, as the envelope returns it). Throws `TlError` (`TlDecodeError`)
 * when even the wrapper is malformed; a body inside a good wrapper that cannot be decoded is returned with
 * `message: undefined` and the `error`.
 */
export function parsePlaintext(inner: Uint8Array, options?: TlReaderOptions): ParsedPlaintext {
  const len = inner.length >= 4 ? (inner[0] | (inner[1] << 8) | (inner[2] << 16) | (inner[3] << 24)) >>> 0 : -1
  if (len < 0 || 4 + len > inner.length) throw new TlDecodeError('E_TL_TRUNCATED', 'the plaintext is shorter than its length field', 0)
  const r = new TlReader(secretCodec, inner, options, 4, 4 + len)
  if (r.peekUint() !== ID_LAYER) {
    // a bare layer-8 message: decryptedMessage_layer8 / decryptedMessageService_layer8
    const m: unknown = r.object()
    if (r.pos !== r.end) r.fail('E_TL_TRAILING', `${r.end - r.pos} bytes after the message`)
    if (!isMessage(m)) throw new TlDecodeError('E_TL_UNEXPECTED_CONSTRUCTOR', 'the plaintext is not a DecryptedMessage', 4)
    const rb = (m as { random_bytes?: Uint8Array }).random_bytes
    return { wrapped: false, randomBytes: rb ? rb.length : 0, layer: 8, inSeq: 0, outSeq: 0, message: m, error: undefined }
  }
  r.uint()
  const randomBytes = r.skipBytes()
  const layer = r.int()
  const inSeq = r.int()
  const outSeq = r.int()
  let message: TypeDecryptedMessage | undefined
  let error: TlError | undefined
  try {
    const m: unknown = r.object()
    if (r.pos !== r.end) r.fail('E_TL_TRAILING', `${r.end - r.pos} bytes after the message`)
    if (!isMessage(m)) throw new TlDecodeError('E_TL_UNEXPECTED_CONSTRUCTOR', 'decryptedMessageLayer.message is not a DecryptedMessage', 4)
    message = m
  } catch (e) {
    if (!(e instanceof TlError)) throw e // TlDecodeError, or a gzip_packed inside that is malformed or too large
    error = e
  }
  return { wrapped: true, randomBytes, layer, inSeq, outSeq, message, error }
}

/** Encodes `decryptedMessageLayer` with its length prefix into one reused buffer. */
export class PlaintextWriter {
  private w = new TlWriter(secretCodec, 1024)

  /** The inner bytes (a view, valid until the next call). */
  encode(randomBytes: Uint8Array, layer: number, inSeq: number, outSeq: number, message: TypeDecryptedMessage): Uint8Array {
    const w = this.w.reset()
    w.int(0)
    w.int(ID_LAYER)
    w.bytes(randomBytes)
    w.int(layer)
    w.int(inSeq)
    w.int(outSeq)
    w.object(message)
    w.patchInt(0, w.pos - 4)
    const out = w.result()
    if (w.buf.length > 1 << 20) this.w = new TlWriter(secretCodec, 1024) // do not pin a huge buffer
    return out
  }
}

/** Layers at which the constructors this module downgrades appeared (schema/end-to-end sections). */
const ENTITY_LAYER: Record<string, number> = {
  messageEntityUnderline: 101,
  messageEntityStrike: 101,
  messageEntityBlockquote: 101,
  messageEntitySpoiler: 144,
  messageEntityCustomEmoji: 144,
}

function attributeFor(a: TypeDocumentAttribute, layer: number): TypeDocumentAttribute {
  if (a._ === 'documentAttributeVideo' && layer < 66) return { _: 'documentAttributeVideo_layer23', duration: a.duration, w: a.w, h: a.h }
  return a
}

function mediaFor(m: TypeDecryptedMessageMedia, layer: number): TypeDecryptedMessageMedia {
  if (m._ === 'decryptedMessageMediaDocument' && layer < 143) {
    const size = typeof m.size === 'bigint' ? Number(m.size) : m.size
    if (!Number.isInteger(size) || size > 0x7fffffff) {
      throw new SecretChatError('E_SECRET_LAYER', `the peer's layer ${layer} cannot describe a document of ${String(m.size)} bytes (int size until layer 143)`)
    }
    return {
      _: 'decryptedMessageMediaDocument_layer45', thumb: m.thumb, thumb_w: m.thumb_w, thumb_h: m.thumb_h, mime_type: m.mime_type,
      size, key: m.key, iv: m.iv, attributes: m.attributes.map((a) => attributeFor(a, layer)), caption: m.caption,
    }
  }
  return m
}

/**
 * `message` in the form a peer at `layer` (≥ 46) understands: decryptedMessage (layer 73) becomes
 * decryptedMessage_layer45 below 73 (losing no_webpage, silent, grouped_id), documents get an
 * int size below 143, entities newer than the peer are dropped.
 */
export function messageForLayer(message: TypeDecryptedMessage, layer: number): TypeDecryptedMessage {
  if (message._ !== 'decryptedMessage' && message._ !== 'decryptedMessage_layer45') return message
  const entities = message.entities?.filter((e: TypeMessageEntity) => (ENTITY_LAYER[e._] ?? 0) <= layer)
  const media = message.media ? mediaFor(message.media, layer) : undefined
  if (message._ === 'decryptedMessage' && layer >= 73) {
    return media === message.media && entities?.length === message.entities?.length ? message : { ...message, media, entities }
  }
  return {
    _: 'decryptedMessage_layer45', random_id: message.random_id, ttl: message.ttl, message: message.message,
    media, entities, via_bot_name: message.via_bot_name, reply_to_random_id: message.reply_to_random_id,
  }
}
