/**
 * Server-side transport detection from the first bytes, as Telegram's servers do
 * (core.telegram.org/mtproto/mtproto-transports): `ef` abridged, `eeeeeeee` intermediate,
 * `dddddddd` padded intermediate, `GET ` a WebSocket upgrade (`/apiws`; the WebSocket handshake
 * checks the path and the Upgrade header), another HTTP verb the HTTP transport (`POST /api`), a
 * TLS ClientHello (fake-TLS), 8 bytes whose second int is 0 (full, seq_no 0), else a 64-byte
 * obfuscated2 header.
 */
import { readU16BE, readU32LE } from '../bytes.js'
import { checkBytes, fail } from './errors.js'

export type DetectedKind = 'abridged' | 'intermediate' | 'padded' | 'full' | 'http' | 'websocket' | 'tls' | 'obfuscated2'

const TLS_HANDSHAKE = 0x16
const HTTP_VERBS = new Set([0x54534f50, 0x44414548, 0x4954504f]) // POST, HEAD, OPTI
const GET = 0x20544547 // "GET ": the only way a WebSocket starts (RFC 6455 §4.1)

/**
 * The transport that `first` (the first bytes of a connection) starts, or `undefined` when more
 * bytes are needed (at most 8). With `tls` (servers with `ee` secrets), `tls` for a fake-TLS
 * ClientHello that cannot be an obfuscated2 header: one starting `16 03 01 02` (a record of
 * 512..767 bytes, the size clients pad theirs to), the first int clients never put in an
 * obfuscated2 header; and a whole TLS record shorter than 64 bytes (a TLS server would answer it
 * at once). Other ClientHellos (mtcute's is 1785 bytes: `16 03 01 06`) start like a valid
 * obfuscated2 header may (1 in 2^24 of them does) and come out as `obfuscated2`: a server tries
 * the header first and reads the bytes as TLS only if no secret gives a protocol tag.
 */
export function detectTransport(first: Uint8Array, options: { tls?: boolean } = {}): DetectedKind | undefined {
  checkBytes(first, 'first')
  if (typeof options !== 'object' || options === null) fail('E_OPTION', 'options must be an object')
  const n = first.length
  if (n === 0) return undefined
  if (first[0] === 0xef) return 'abridged'
  if (options.tls && first[0] === TLS_HANDSHAKE && (n < 2 || first[1] === 3)) {
    if (n >= 4 && first[2] === 1 && first[3] === 2) return 'tls'
    if (n < 5) return undefined
    // a whole TLS record shorter than an obfuscated2 header: a TLS server would answer it now,
    // so it goes where TLS is refused instead of waiting for 64 bytes that may never come
    if (5 + readU16BE(first, 3) < 64) return 'tls'
  }
  if (n < 4) return undefined
  const w = readU32LE(first, 0)
  if (w === 0xeeeeeeee) return 'intermediate'
  if (w === 0xdddddddd) return 'padded'
  if (w === GET) return 'websocket'
  if (HTTP_VERBS.has(w)) return 'http'
  if (n < 8) return undefined
  if (readU32LE(first, 4) === 0) return 'full'
  return 'obfuscated2'
}
