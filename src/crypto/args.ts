/**
 * Argument checks of the crypto API: what every public entry point runs before a backend sees
 * its inputs, so that every backend fails alike, with `CryptoError`.
 */
import { isBytes } from '../bytes.js'
import { CryptoError, type ErrorCode } from '../errors.js'

/** Throws `E_TYPE` unless `v` is a Uint8Array (Node Buffers and other realms' arrays count). */
export function checkBytes(v: unknown, name: string): asserts v is Uint8Array {
  if (!isBytes(v)) throw new CryptoError('E_TYPE', `${name} must be a Uint8Array, got ${v === null ? 'null' : typeof v}`)
}

/** Throws `E_TYPE` unless `v` is a Uint8Array, `code` unless it is `length` bytes long. */
export function checkLength(v: unknown, name: string, length: number, code: ErrorCode<'CryptoError'>): asserts v is Uint8Array {
  checkBytes(v, name)
  if (v.length !== length) throw new CryptoError(code, `${name} must be ${length} bytes, got ${v.length}`)
}

/**
 * Returns where to write `length` bytes of output: a new array, or the caller's `out`, which
 * must be at least that long and must not partially overlap `data` (exactly in place is fine).
 * Returns `out` itself when it is exactly `length` long, so such a call allocates nothing.
 */
export function outFor(data: Uint8Array, out: Uint8Array | undefined, length: number): Uint8Array {
  if (out === undefined) return new Uint8Array(length)
  checkBytes(out, 'out')
  if (out.length < length) throw new CryptoError('E_OUT_LENGTH', `out must hold ${length} bytes, has ${out.length}`)
  if (
    out.byteOffset !== data.byteOffset &&
    out.byteOffset < data.byteOffset + length &&
    data.byteOffset < out.byteOffset + length &&
    out.buffer === data.buffer // last: a generic property load in V8 11's optimized code (envelope.ts, overlaps)
  ) {
    throw new CryptoError('E_OVERLAP', 'out partially overlaps the input; use the same range (in place) or a separate one')
  }
  return out.length === length ? out : out.subarray(0, length)
}
