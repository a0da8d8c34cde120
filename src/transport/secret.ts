/**
 * MTProxy secrets (core.telegram.org/mtproto/mtproto-transports#transport-obfuscation and the
 * MTProxy implementations): 16 bytes (plain obfuscated2), `dd` + 16 bytes (padded intermediate),
 * or `ee` + 16 bytes + the domain the traffic pretends to reach (fake-TLS). Given as hex or
 * base64 (standard or URL-safe), or as bytes.
 */
import { copyBytes, fromBase64, fromHex } from '../bytes.js'
import { fail } from './errors.js'

export interface ProxySecret {
  /** `plain`: any obfuscated framing; `padded`: dd, padded intermediate; `fake-tls`: ee. */
  readonly mode: 'plain' | 'padded' | 'fake-tls'
  /** The 16-byte key mixed into the obfuscated2 keys and, for fake-TLS, the HMAC key. */
  readonly key: Uint8Array
  /** fake-TLS only: the SNI domain. */
  readonly domain?: string
}

/** Longest domain a secret may carry (DNS names are at most 253 characters). */
export const MAX_SECRET_DOMAIN = 253

export function parseProxySecret(secret: string | Uint8Array): ProxySecret {
  let b: Uint8Array | null
  if (typeof secret === 'string') {
    const s = secret.trim()
    b = /^[0-9a-fA-F]+$/.test(s) && s.length % 2 === 0 ? fromHex(s) : fromBase64(s)
    if (!b) fail('E_BAD_SECRET', 'the MTProxy secret is neither hex nor base64')
  } else if (secret instanceof Uint8Array) {
    b = secret
  } else {
    return fail('E_BAD_SECRET', 'the MTProxy secret must be a string or a Uint8Array')
  }
  if (b.length === 16) return { mode: 'plain', key: copyBytes(b) }
  if (b.length === 17 && b[0] === 0xdd) return { mode: 'padded', key: copyBytes(b, 1) }
  if (b.length >= 18 && b[0] === 0xee) {
    const d = b.subarray(17)
    if (d.length > MAX_SECRET_DOMAIN) fail('E_BAD_SECRET', 'the fake-TLS domain is too long')
    for (const c of d) {
      // a DNS name: letters, digits, '-', '.'
      const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2e
      if (!ok) fail('E_BAD_SECRET', 'the fake-TLS domain is not a DNS name')
    }
    return { mode: 'fake-tls', key: copyBytes(b, 1, 17), domain: String.fromCharCode(...d) }
  }
  return fail('E_BAD_SECRET', `unsupported MTProxy secret of ${b.length} bytes (prefix 0x${(b[0] ?? 0).toString(16)})`)
}
