/**
 * The handshake's error codes. Every failed check of auth-key creation, DH parameters, binding
 * and SRP raises a `HandshakeError` with one of these stable codes.
 */
import { HandshakeError } from '../errors.js'

export type HandshakeErrorCode =
  /** dh_prime is not a 2048-bit safe prime. */
  | 'E_DH_PRIME'
  /** g is outside 2..7 or fails its quadratic-residue rule for dh_prime. */
  | 'E_DH_G'
  /** g_a or g_b outside 1 < v < p − 1 and 2^(2048−64) ≤ v ≤ p − 2^(2048−64). */
  | 'E_DH_RANGE'
  /** An answer's nonce differs from ours. */
  | 'E_NONCE'
  /** An answer's server_nonce differs from the one of resPQ. */
  | 'E_SERVER_NONCE'
  /** new_nonce_hash (dh_gen_*, server_DH_params_fail) does not match. */
  | 'E_NEW_NONCE_HASH'
  /** The SHA-1 in front of an encrypted answer does not match the answer. */
  | 'E_ANSWER_HASH'
  /** None of the server's fingerprints is a key we know. */
  | 'E_FINGERPRINT'
  /** pq is malformed, prime, too large or cannot be factored. */
  | 'E_PQ'
  /** The server answered server_DH_params_fail. */
  | 'E_DH_PARAMS_FAIL'
  /** The server answered dh_gen_fail. */
  | 'E_DH_GEN_FAIL'
  /** The server kept answering dh_gen_retry. */
  | 'E_DH_GEN_RETRY'
  /** A message that is not the expected step (wrong constructor, wrong order, after the end). */
  | 'E_UNEXPECTED'
  /** A message that does not decode (TL, framing, lengths, encrypted data). */
  | 'E_MALFORMED'
  /** The peer answered with a transport error (−404, −444, ...). */
  | 'E_TRANSPORT'
  /** No answer before the deadline. */
  | 'E_TIMEOUT'
  /** An RSA key that cannot be used (PEM/DER malformed, modulus size, exponent). */
  | 'E_RSA_KEY'
  /** The RSA-encrypted data is too long or its padding does not check out. */
  | 'E_RSA_DATA'
  /** SRP: parameters of the password algorithm failed a check. */
  | 'E_SRP'
  /** A wrong argument (a programming mistake, not something the peer did). */
  | 'E_OPTION'
  /** The handshake already failed or finished. */
  | 'E_STATE'

export function handshakeError(code: HandshakeErrorCode, message: string): HandshakeError {
  return new HandshakeError(code, message)
}

export function fail(code: HandshakeErrorCode, message: string): never {
  throw new HandshakeError(code, message)
}
