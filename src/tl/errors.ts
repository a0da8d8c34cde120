/**
 * TL errors. Both are `TlError`s (stable `code`), with where the problem is: a byte offset
 * for malformed binary data, a line and column for a malformed schema.
 */
import { TlError, type ErrorCode } from '../errors.js'

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
