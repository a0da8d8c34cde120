/**
 * gzip for `gzip_packed#3072cfa1 packed_data:bytes = Object`, via fflate.
 *
 * Inflating is bounded: fflate's one-shot `gunzipSync` sizes its output from the gzip trailer
 * (attacker-controlled) and grows without limit, so input is fed to the streaming `Gunzip`
 * in small chunks. One chunk can expand at most ~1032x (the DEFLATE maximum), so the output
 * held at any time stays within `limit` plus about 1 MiB, and a bomb stops after `limit` bytes.
 */
import { Gunzip, gzipSync } from 'fflate'
import { concatAll } from '../bytes.js'
import { TlError } from '../errors.js'
import { checkTlBytes } from './errors.js'

const CHUNK = 1024

/** Inflates a gzip stream; throws `TlError` E_TL_GZIP (malformed) or E_TL_GZIP_TOO_LARGE (> limit bytes). */
export function gunzipBounded(data: Uint8Array, limit: number): Uint8Array {
  checkTlBytes(data, 'data')
  if (!Number.isInteger(limit) || limit < 0) throw new TlError('E_OPTION', 'limit must be an integer of at least 0')
  const parts: Uint8Array[] = []
  let total = 0
  let done = false
  const g = new Gunzip((chunk, final) => {
    total += chunk.length
    if (total > limit) throw new TlError('E_TL_GZIP_TOO_LARGE', `gzip_packed inflates to more than ${limit} bytes`)
    if (chunk.length) parts.push(chunk)
    if (final) done = true
  })
  try {
    if (data.length === 0) throw new Error('empty')
    for (let i = 0; i < data.length; i += CHUNK) {
      const end = Math.min(i + CHUNK, data.length)
      g.push(data.subarray(i, end), end === data.length)
    }
  } catch (e) {
    if (e instanceof TlError) throw e
    throw new TlError('E_TL_GZIP', `malformed gzip_packed data: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (!done) throw new TlError('E_TL_GZIP', 'malformed gzip_packed data: truncated stream')
  return parts.length === 1 ? parts[0] : concatAll(parts)
}

/** gzip-compresses `data` (level 6, no file name or time: deterministic output). */
export function gzip(data: Uint8Array): Uint8Array {
  checkTlBytes(data, 'data')
  return gzipSync(data, { level: 6, mtime: 0 })
}
