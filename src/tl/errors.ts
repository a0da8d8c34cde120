/**
 * TL errors. Both are `TlError`s (stable `code`), with where the problem is: a byte offset
 * for malformed binary data, a line and column for a malformed schema.
 */
import { isBytes } from '../bytes.js'
import { TlError, type ErrorCode } from '../errors.js'
import type { TlCodec } from './codec.js'

/** Malformed or unsupported binary TL data; `offset` is where reading failed. */
export class TlDecodeError extends TlError {
  readonly offset: number
  constructor(code: ErrorCode<'TlError'>, message: string, offset: number) {
    super(code, `${message} (at offset ${offset})`)
    this.offset = offset
  }
}

/** A value that cannot be serialized (wrong type, out of range, unknown constructor). */
export class TlEncodeError extends TlError {}

/** A malformed TL schema; `line` and `column` are 1-based. */
export class TlSchemaError extends TlError {
  readonly line: number
  readonly column: number
  constructor(code: ErrorCode<'TlError'>, message: string, line: number, column: number) {
    super(code, `${message} (line ${line}, column ${column})`)
    this.line = line
    this.column = column
  }
}

/** Throws `TlError` `E_TYPE` unless `v` is a Uint8Array (Node Buffers and other realms' arrays count). */
export function checkTlBytes(v: unknown, name: string): asserts v is Uint8Array {
  if (!isBytes(v)) {
    const what = v === null ? 'null' : Array.isArray(v) ? 'an array' : v instanceof ArrayBuffer ? 'an ArrayBuffer' : typeof v
    throw new TlError('E_TYPE', `${name} must be a Uint8Array, got ${what}`)
  }
}

/** Throws `TlError` `E_TYPE` unless `v` is a codec (generated, compiled or merged). */
export function checkCodec(v: unknown, nullable = false): asserts v is TlCodec {
  if (nullable && v === null) return
  const c = v as TlCodec | null
  if (typeof c !== 'object' || c === null || !(c.readers instanceof Map) || typeof c.writers !== 'object' || c.writers === null || typeof c.ids !== 'object' || c.ids === null) {
    throw new TlError('E_TYPE', `codec must be a TlCodec (e.g. mtprotoCodec), got ${c === null ? 'null' : typeof c}`)
  }
}
