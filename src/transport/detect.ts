/**
 * Server-side transport detection from the first bytes, as Telegram's servers do
 * (core.telegram.org/mtproto/mtproto-transports): `ef` abridged, `eeeeeeee` intermediate,
 * `dddddddd` padded intermediate, an HTTP verb, a TLS ClientHello (fake-TLS), 8 bytes whose second
 * int is 0 (full, seq_no 0), else a 64-byte obfuscated2 header.
 */
import { readU32LE } from '../bytes.js'

export type DetectedKind = 'abridged' | 'intermediate' | 'padded' | 'full' | 'http' | 'tls' | 'obfuscated2'

const HTTP_VERBS = new Set([0x54534f50, 0x20544547, 0x44414548, 0x4954504f]) // POST, GET , HEAD, OPTI

/**
 * The transport that `first` (the first bytes of a connection) starts, or `undefined` when more
 * bytes are needed (at most 8). `tls`: recognise a ClientHello (`16 03 01`) — servers with
 * fake-TLS secrets; otherwise such bytes are taken as an obfuscated2 header, as clients only avoid
 * `16 03 01 02`.
 */
export function detectTransport(first: Uint8Array, options: { tls?: boolean } = {}): DetectedKind | undefined {
  const n = first.length
  if (n === 0) return undefined
  if (first[0] === 0xef) return 'abridged'
  if (options.tls && first[0] === 0x16) {
    if (n < 3) return undefined
    if (first[1] === 3 && first[2] === 1) return 'tls'
  }
  if (n < 4) return undefined
  const w = readU32LE(first, 0)
  if (w === 0xeeeeeeee) return 'intermediate'
  if (w === 0xdddddddd) return 'padded'
  if (HTTP_VERBS.has(w)) return 'http'
  if (n < 8) return undefined
  if (readU32LE(first, 4) === 0) return 'full'
  return 'obfuscated2'
}
