/**
 * Binding a temporary auth key to a permanent one (PFS): the client's `auth.bindTempAuthKey`
 * request and the server's verification of it. Spec: core.telegram.org/method/auth.bindTempAuthKey,
 * core.telegram.org/api/pfs.
 *
 * Exported names are stable: the session layer (src/session/) calls them to bind, switch and refresh.
 */
import type { AuthKey } from '../crypto/authkey.js'
import type { Crypto } from '../crypto/types.js'
import { SecurityError } from '../errors.js'
import { decodeTl, encodeTl } from '../tl/api.js'
import { mtprotoCodec, type RawAuth_bindTempAuthKeyRequest, type RawBind_auth_key_inner } from '../tl/generated/mtproto.js'
import { fail } from './errors.js'
import { HANDSHAKE_TL } from './plain.js'

/** bind_auth_key_inner: constructor + nonce + 3 ids + expires_at. "the correct msg_len (40 bytes in this case)" */
const INNER_LEN = 40
/** random:int128 ‖ msg_id ‖ seqno ‖ msg_len, then the 40-byte inner object. */
const PLAIN_LEN = 72 // 32 + INNER_LEN

export interface BindTempAuthKeyParams {
  /** The permanent key to bind to (encrypts the inner message). */
  permKey: AuthKey
  /** The temporary key the request will be sent under. */
  tempKey: AuthKey
  /** A random long; default: 8 bytes from `crypto`. */
  nonce?: bigint
  /** Unix time (seconds) at which the binding, and the temporary key, stop being valid. */
  expiresAt: number
  /** The msg_id the outer request will be sent with (the inner message repeats it). */
  msgId: bigint
  /** The session_id the outer request will be sent in, under the temporary key. */
  tempSessionId: bigint
  /** The 16 random bytes that replace salt and session_id in the inner message; default: from `crypto`. */
  random?: Uint8Array
}

const readLong = (b: Uint8Array, o: number): bigint => new DataView(b.buffer, b.byteOffset + o, 8).getBigInt64(0, true)

function randomLong(crypto: Crypto): bigint {
  return readLong(crypto.randomBytes(8), 0)
}

/**
 * Builds `auth.bindTempAuthKey` (the TL object; the session layer encodes and sends it under the
 * temporary key, with `msgId` and in `tempSessionId`, as a content-related RPC).
 *
 * "This binding message is encrypted in the usual way, but with MTProto v1 using the
 * perm_auth_key. In other words, one has to prepend random:int128 (it replaces the customary
 * session_id:long and salt:long that are irrelevant in this case), then append the same msg_id
 * that will be used for the request, a seqno equal to zero, and the correct msg_len (40 bytes in
 * this case); after that, one computes the msg_key:int128 as SHA1 of the resulting string, appends
 * padding necessary for a 16-byte alignment, encrypts the resulting string using the key derived
 * from perm_auth_key and msg_key, and prepends perm_auth_key_id and msg_key to the encrypted data
 * as usual." (method/auth.bindTempAuthKey)
 */
export function buildBindTempAuthKey(crypto: Crypto, params: BindTempAuthKeyParams): RawAuth_bindTempAuthKeyRequest {
  const { permKey, tempKey, expiresAt, msgId, tempSessionId } = params
  if (!Number.isInteger(expiresAt) || expiresAt < 0 || expiresAt > 0x7fffffff) fail('E_OPTION', 'expiresAt must be a unix time in seconds (int32)')
  const nonce = params.nonce ?? randomLong(crypto)
  const inner: RawBind_auth_key_inner = {
    _: 'bind_auth_key_inner',
    nonce,
    temp_auth_key_id: tempKey.idLong,
    perm_auth_key_id: permKey.idLong,
    temp_session_id: tempSessionId,
    expires_at: expiresAt,
  }
  const body = encodeTl(mtprotoCodec, inner)
  const random = params.random ?? crypto.randomBytes(16)
  if (random.length !== 16) fail('E_OPTION', 'random must be 16 bytes')
  const plain = new Uint8Array(PLAIN_LEN)
  const dv = new DataView(plain.buffer)
  plain.set(random, 0)
  dv.setBigInt64(16, msgId, true)
  dv.setInt32(24, 0, true) // seqno 0
  dv.setInt32(28, INNER_LEN, true)
  plain.set(body, 32)
  // x = 0: the client encrypts, as for any client message
  const encrypted = crypto.encryptMessage(permKey, plain, 0, undefined, { version: 1 })
  plain.fill(0)
  return {
    _: 'auth.bindTempAuthKey',
    perm_auth_key_id: permKey.idLong,
    nonce,
    expires_at: expiresAt,
    encrypted_message: encrypted,
  }
}

/** The spec's errors for auth.bindTempAuthKey, all with error_code 400. */
export type BindError = 'ENCRYPTED_MESSAGE_INVALID' | 'EXPIRES_AT_INVALID' | 'TEMP_AUTH_KEY_ALREADY_BOUND' | 'TEMP_AUTH_KEY_EMPTY'

export type BindResult =
  | { ok: true; permAuthKeyId: bigint; tempAuthKeyId: bigint; expiresAt: number }
  | { ok: false; error: BindError; errorCode: 400; reason: string }

export interface VerifyBindOptions {
  /** The key the request arrived under, if it is a temporary key (else TEMP_AUTH_KEY_EMPTY). */
  tempKey: AuthKey | undefined
  /** The outer message's msg_id. */
  msgId: bigint
  /** The outer message's session_id. */
  sessionId: bigint
  /** The permanent key with this auth_key_id, if the server has one. */
  lookupPermKey(authKeyId: bigint): AuthKey | undefined
  /** The permanent key id the temporary key is bound to now, if any. */
  boundPermKeyId?(tempAuthKeyId: bigint): bigint | undefined
  /** Server time in milliseconds. */
  now: number
  /** When the temporary key itself expires (unix seconds): the binding never outlives it. */
  tempKeyExpiresAt?: number
}

function refuse(error: BindError, reason: string): BindResult {
  return { ok: false, error, errorCode: 400, reason }
}

/**
 * Verifies an `auth.bindTempAuthKey` request on the server: "outer key = temp key; inner decrypts
 * under perm_auth_key_id; inner nonce/perm_auth_key_id/expires_at = outer params; temp_auth_key_id
 * = outer key id; temp_session_id = outer session_id; inner msg_id = outer msg_id" (checklist A1,
 * from method/auth.bindTempAuthKey). Returns the binding to store (the caller stores it: "Each
 * permanent key may only be bound to one temporary key at a time, binding a new temporary key
 * overwrites the previous one"), or the spec's error with `reason` for local logs only. Never throws
 * for anything in the request.
 *
 * Decisions: every decryption or content mismatch is ENCRYPTED_MESSAGE_INVALID (one answer, no
 * oracle); expires_at in the past (or now) is EXPIRES_AT_INVALID; a binding's expiry is capped at
 * the temporary key's own; binding a temporary key again to the same permanent key succeeds (a
 * resent request), to another one is TEMP_AUTH_KEY_ALREADY_BOUND.
 */
export function verifyBindTempAuthKey(crypto: Crypto, request: RawAuth_bindTempAuthKeyRequest, opts: VerifyBindOptions): BindResult {
  const temp = opts.tempKey
  if (!temp || temp.disposed) return refuse('TEMP_AUTH_KEY_EMPTY', 'the request did not come under a temporary key')
  const invalid = (reason: string): BindResult => refuse('ENCRYPTED_MESSAGE_INVALID', reason)
  const perm = opts.lookupPermKey(request.perm_auth_key_id)
  if (!perm || perm.disposed) return invalid('unknown perm_auth_key_id')
  if (perm.idLong === temp.idLong) return invalid('perm_auth_key_id is the temporary key')
  const enc = request.encrypted_message
  if (!(enc instanceof Uint8Array)) return invalid('encrypted_message is not bytes')
  let plain: Uint8Array
  try {
    plain = crypto.decryptMessage(perm, enc, 0, undefined, { version: 1 })
  } catch (e) {
    if (e instanceof SecurityError) return invalid('encrypted_message does not decrypt under the permanent key')
    throw e
  }
  try {
    if (plain.length !== PLAIN_LEN) return invalid(`inner message is ${plain.length} bytes, not ${PLAIN_LEN}`)
    const dv = new DataView(plain.buffer, plain.byteOffset, plain.length)
    if (dv.getBigInt64(16, true) !== opts.msgId) return invalid('inner msg_id differs from the request')
    if (dv.getInt32(24, true) !== 0) return invalid('inner seqno is not 0')
    let obj
    try {
      obj = decodeTl(mtprotoCodec, plain.subarray(32), HANDSHAKE_TL)
    } catch {
      return invalid('inner object does not decode')
    }
    if (obj._ !== 'bind_auth_key_inner') return invalid(`inner object is ${obj._}`)
    const inner: RawBind_auth_key_inner = obj
    if (inner.nonce !== request.nonce) return invalid('nonce differs')
    if (inner.perm_auth_key_id !== request.perm_auth_key_id) return invalid('perm_auth_key_id differs')
    if (inner.temp_auth_key_id !== temp.idLong) return invalid('temp_auth_key_id is not the key the request came under')
    if (inner.temp_session_id !== opts.sessionId) return invalid('temp_session_id is not the session the request came in')
    if (inner.expires_at !== request.expires_at) return invalid('expires_at differs')
  } finally {
    plain.fill(0)
  }
  const nowSec = Math.floor(opts.now / 1000)
  if (!Number.isInteger(request.expires_at) || request.expires_at <= nowSec) return refuse('EXPIRES_AT_INVALID', 'expires_at is not in the future')
  const bound = opts.boundPermKeyId?.(temp.idLong)
  if (bound !== undefined && bound !== request.perm_auth_key_id) {
    return refuse('TEMP_AUTH_KEY_ALREADY_BOUND', 'the temporary key is bound to another permanent key')
  }
  const cap = opts.tempKeyExpiresAt
  const expiresAt = cap !== undefined && cap < request.expires_at ? cap : request.expires_at
  return { ok: true, permAuthKeyId: request.perm_auth_key_id, tempAuthKeyId: temp.idLong, expiresAt }
}
