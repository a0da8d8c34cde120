/** One-call encode and decode, and gzip_packed wrapping for senders. */
import { ID_GZIP_PACKED, type TlCodec, type TlDecoded, type TlEncodable } from './codec.js'
import { checkCodec, checkTlBytes } from './errors.js'
import { TlReader, type TlReaderOptions } from './reader.js'
import { TlError } from '../errors.js'
import { TlWriter } from './writer.js'
import { gzip } from './gzip.js'

let scratch: TlWriter | null = null

/**
 * Serializes one boxed object (or method call) with `codec`; returns a fresh array. With a
 * generated codec, `obj` must be one of its schema's objects: a misspelled constructor or field
 * does not compile (and a field the constructor lacks is `E_TL_UNKNOWN_FIELD` at run time).
 */
export function encodeTl<C extends TlCodec>(codec: C, obj: TlEncodable<C>): Uint8Array {
  checkCodec(codec)
  checkObject(obj)
  // one growing scratch buffer per codec user, then one exact copy out
  if (scratch === null || scratch.codec !== codec) scratch = new TlWriter(codec, 1024)
  const w = scratch.reset()
  try {
    w.object(obj)
    return w.toBytes()
  } finally {
    if (w.buf.length > 1 << 20) scratch = null // do not pin a huge buffer
  }
}

/**
 * Serializes one boxed object straight into `target` at `offset` (a WASM scratch region, a
 * transport frame) and returns the number of bytes written. Throws E_TL_OVERFLOW, leaving the
 * bytes past `offset` unspecified, if `target` is too small.
 */
export function encodeTlInto<C extends TlCodec>(codec: C, obj: TlEncodable<C>, target: Uint8Array, offset = 0): number {
  checkCodec(codec)
  checkObject(obj)
  checkTlBytes(target, 'target')
  if (!Number.isInteger(offset) || offset < 0 || offset > target.length) throw new TlError('E_OPTION', `offset must be an integer in 0..${target.length}`)
  const w = new TlWriter(codec, target.subarray(offset))
  w.object(obj)
  return w.pos
}

export interface DecodeOptions extends TlReaderOptions {
  /** Accept bytes after the object (default false: they raise E_TL_TRAILING). */
  allowTrailing?: boolean
}

/**
 * Reads one boxed object from `data` (gzip_packed is inflated transparently): a constructor or
 * method call of `codec`, typed as its schema's union with a generated codec (narrow it on `_`).
 * A bare `Bool` or `Vector` (a method's result: read it with `codec.results`) is
 * `E_TL_NOT_OBJECT`. Within the limits of `options` (depth, gzip output, objects: see
 * `TlReaderOptions`).
 */
export function decodeTl<C extends TlCodec>(codec: C, data: Uint8Array, options: DecodeOptions = {}): TlDecoded<C> {
  checkCodec(codec)
  if (typeof options !== 'object' || options === null) throw new TlError('E_OPTION', 'options must be an object')
  const r = new TlReader(codec, data, options)
  const v = r.object()
  if (typeof v !== 'object' || Array.isArray(v)) r.fail('E_TL_NOT_OBJECT', `expected an object, got ${Array.isArray(v) ? 'a Vector' : 'a Bool'}`, 0)
  if (!options.allowTrailing && r.pos !== r.end) r.fail('E_TL_TRAILING', `${r.end - r.pos} bytes after the object`)
  return v
}

/**
 * `serialized` (one boxed object) wrapped as `gzip_packed`, if that is smaller; otherwise
 * `serialized` itself. Objects under `minSize` bytes are not worth compressing.
 */
export function gzipPacked(serialized: Uint8Array, minSize = 256): Uint8Array {
  checkTlBytes(serialized, 'serialized')
  if (!Number.isFinite(minSize) || minSize < 0) throw new TlError('E_OPTION', 'minSize must be a number of at least 0')
  if (serialized.length < minSize) return serialized
  const packed = gzip(serialized)
  const w = new TlWriter(null, packed.length + 12)
  w.int(ID_GZIP_PACKED)
  w.bytes(packed)
  return w.pos < serialized.length ? w.toBytes() : serialized
}

/** The value to encode must be an object (its constructor name, `_`, is the writer's to check). */
function checkObject(obj: unknown): void {
  if (typeof obj !== 'object' || obj === null) throw new TlError('E_TYPE', `the value to encode must be an object, got ${obj === null ? 'null' : typeof obj}`)
}
