/**
 * The handshake's error codes. Every failed check of auth-key creation, DH parameters, binding
 * and SRP raises a `HandshakeError` with one of these stable codes.
 */
import { type ErrorCode, HandshakeError } from '../errors.js'

/** The codes, described in ERROR_CODES.HandshakeError (src/errors.ts). */
export type HandshakeErrorCode = ErrorCode<'HandshakeError'>

/** Throws a `HandshakeError`: how the auth layer fails (an error event builds one with `new HandshakeError`). */
export function fail(code: HandshakeErrorCode, message: string): never {
  throw new HandshakeError(code, message)
}
