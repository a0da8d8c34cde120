/**
 * The server's side of auth-key creation as pure steps (every random input an argument), the
 * counterpart of client-steps.ts. `HandshakeServer` (server.ts) drives them per connection with
 * the limits, the answer cache and the key store. A step either answers, or refuses with the
 * transport error the spec names: "If the query is incorrect, the server returns a -404 error …
 * A -444 error may also be returned if a test DC ID is passed in p_q_inner_data_(_temp)dc when
 * handshaking with a production DC, and vice versa" (auth_key, step 6).
 */
import type { Crypto } from '../crypto/types.js'
import { concat, copyBytes, equalBytes, timingSafeEqual } from '../bytes.js'
import { fromBigInt, leftPad, modPow, stripLeadingZeros, toBigInt, type BignumOptions } from '../crypto/bignum/index.js'
import { TlReader } from '../tl/reader.js'
import {
  mtprotoCodec,
  type RawClient_DH_inner_data, type RawDh_gen_fail, type RawDh_gen_ok, type RawDh_gen_retry, type RawReq_DH_paramsRequest,
  type RawReq_pq_multiRequest, type RawReq_pqRequest, type RawResPQ, type RawServer_DH_params_ok,
  type RawSet_client_DH_paramsRequest, type TypeP_Q_inner_data,
} from '../tl/generated/mtproto.js'
import { encodeTl } from '../tl/api.js'
import { checkDhPublic, computeDhSharedKey, dhPublicKey, DH_BYTES } from './dh.js'
import { authKeyHashes, newNonceHash, tmpAesKeyIv } from './derive.js'
import { fail } from './errors.js'
import { rsaDecryptInnerData, type RsaDecrypted, type ServerPrivateKey } from './rsa.js'

/** A refused request: the transport error to send (the driver frames it) and why, for logs only. */
export interface Refusal {
  readonly type: 'refuse'
  readonly status: 404 | 444
  readonly reason: string
}

const refuse = (reason: string, status: 404 | 444 = 404): Refusal => ({ type: 'refuse', status, reason })

/** State after resPQ. */
export interface ServerStep1 {
  readonly nonce: Uint8Array
  readonly serverNonce: Uint8Array
  /** pq as sent (8 bytes, big-endian), and its factors as the client must send them back. */
  readonly pq: Uint8Array
  readonly p: Uint8Array
  readonly q: Uint8Array
}

export interface ServerStep1Random {
  /** 16 bytes: "The value of server_nonce is selected randomly by the server". */
  serverNonce: Uint8Array
  /** Two distinct primes below 2^32 whose product is below 2^63 (the caller draws them). */
  p: number
  q: number
}

/**
 * Step 2: "resPQ#05162463 nonce server_nonce pq:string server_public_key_fingerprints" where pq
 * is "the product of two different odd prime numbers. Normally, pq is less than or equal to
 * 2^63-1". Accepts req_pq_multi and the legacy req_pq alike.
 */
export function serverStep1(
  request: RawReq_pq_multiRequest | RawReq_pqRequest, random: ServerStep1Random, fingerprints: readonly bigint[],
): { answer: RawResPQ; state: ServerStep1 } {
  const [lo, hi] = random.p < random.q ? [random.p, random.q] : [random.q, random.p]
  const pq = BigInt(lo) * BigInt(hi)
  if (lo === hi || lo < 3 || pq >= 1n << 63n) fail('E_OPTION', 'p and q must be distinct odd primes with p·q < 2^63')
  const state = {
    nonce: copyBytes(request.nonce),
    serverNonce: copyBytes(random.serverNonce),
    pq: fromBigInt(pq, 8),
    p: fromBigInt(BigInt(lo)),
    q: fromBigInt(BigInt(hi)),
  }
  return {
    answer: { _: 'resPQ', nonce: state.nonce, server_nonce: state.serverNonce, pq: state.pq, server_public_key_fingerprints: [...fingerprints] },
    state,
  }
}

export interface ServerDhConfig {
  /** Private keys whose fingerprints resPQ lists. */
  readonly keys: readonly ServerPrivateKey[]
  readonly dhPrime: Uint8Array
  readonly g: number
  /** This server is a test DC: clients must name a test DC (|dc| ≥ 10000), and the reverse. */
  readonly test: boolean
  /** The longest temporary key accepted; longer expires_in are shortened to it (seconds). */
  readonly maxExpiresIn: number
  readonly bignum?: BignumOptions
}

/** State after server_DH_params_ok. */
export interface ServerStep2 extends ServerStep1 {
  readonly newNonce: Uint8Array
  /** The secret exponent a (256 bytes). */
  readonly a: Uint8Array
  readonly gA: Uint8Array
  readonly dhPrime: Uint8Array
  readonly g: number
  readonly tmpAesKey: Uint8Array
  readonly tmpAesIv: Uint8Array
  /** The constructor the client used (which of the four inner-data forms) and how it was encrypted. */
  readonly innerData: TypeP_Q_inner_data['_']
  readonly encoding: 'rsa_pad' | 'legacy'
  /** p_q_inner_data_dc's dc, if the client sent one. */
  readonly dc?: number
  /** Temporary keys: seconds (capped at maxExpiresIn). */
  readonly expiresIn?: number
  readonly serverTime: number
}

export interface ServerStep2Random {
  /** 256 bytes: the secret exponent a. */
  a: Uint8Array
  /** 0..15 bytes of padding for answer_with_hash (the first ones are used; 16 always suffice). */
  padding: Uint8Array
}

const bytesEq = (a: unknown, b: Uint8Array): boolean => a instanceof Uint8Array && a.length === b.length && timingSafeEqual(a, b)

/**
 * Step 6: checks req_DH_params against resPQ, decrypts encrypted_data (RSA_PAD, else the legacy
 * encoding), checks the inner data (any of p_q_inner_data, _dc, _temp, _temp_dc; nonces, pq, p, q
 * as sent; a test/production DC mismatch is −444), and answers server_DH_params_ok:
 * answer := server_DH_inner_data(nonce, server_nonce, g, dh_prime, g_a, server_time);
 * answer_with_hash := SHA1(answer) + answer + (0-15 random bytes); AES-IGE with tmp_aes_key/iv.
 * Throws `E_DH_RANGE` when g^a falls outside the recommended range (chance ~2^-63; draw another a).
 */
export function serverStep2(
  crypto: Crypto, state: ServerStep1, request: RawReq_DH_paramsRequest, random: ServerStep2Random, nowSec: number, config: ServerDhConfig,
): { type: 'ok'; answer: RawServer_DH_params_ok; state: ServerStep2 } | Refusal {
  if (request._ !== 'req_DH_params') return refuse(`expected req_DH_params, got ${(request as { _: string })._}`)
  if (!bytesEq(request.nonce, state.nonce) || !bytesEq(request.server_nonce, state.serverNonce)) return refuse('nonce or server_nonce differs')
  if (!equalBytes(request.p, state.p) || !equalBytes(request.q, state.q)) return refuse('p or q is not the factorization of pq')
  const key = config.keys.find((k) => k.fingerprint === request.public_key_fingerprint)
  if (!key) return refuse('unknown public_key_fingerprint')
  const dec = rsaDecryptInnerData(crypto, key, request.encrypted_data, config.bignum)
  if (!dec) return refuse('encrypted_data is neither RSA_PAD nor the legacy encoding')
  // the TL reader returns views into dec.data: check and copy what we keep, then zero it
  try {
    return checkInner(crypto, state, dec, random, nowSec, config)
  } finally {
    dec.data.fill(0)
  }
}

function checkInner(
  crypto: Crypto, state: ServerStep1, dec: RsaDecrypted, random: ServerStep2Random, nowSec: number, config: ServerDhConfig,
): { type: 'ok'; answer: RawServer_DH_params_ok; state: ServerStep2 } | Refusal {
  let inner: TypeP_Q_inner_data
  try {
    const r = new TlReader(mtprotoCodec, dec.data)
    inner = r.object()
    // legacy: "sha1(data) + data + random": the hash covers exactly the TL object
    if (dec.encoding === 'legacy' && !timingSafeEqual(crypto.sha1(dec.data.subarray(0, r.pos)), dec.sha1!)) return refuse('legacy encoding: SHA-1 mismatch')
  } catch {
    return refuse('encrypted_data does not hold a TL object')
  }
  const kinds = ['p_q_inner_data', 'p_q_inner_data_dc', 'p_q_inner_data_temp', 'p_q_inner_data_temp_dc']
  if (!kinds.includes(inner._)) return refuse(`inner data is ${(inner as { _: string })._}`)
  if (!bytesEq(inner.nonce, state.nonce) || !bytesEq(inner.server_nonce, state.serverNonce)) return refuse('inner nonce or server_nonce differs')
  // pq as sent; p and q as minimal big-endian strings (what clients send: grammers notes
  // "Telegram will respond with -404" otherwise), compared as numbers to be lenient on leading zeros
  if (toBigInt(inner.pq) !== toBigInt(state.pq) || toBigInt(inner.p) !== toBigInt(state.p) || toBigInt(inner.q) !== toBigInt(state.q)) {
    return refuse('inner pq, p or q differs')
  }
  const dc = 'dc' in inner ? inner.dc : undefined
  if (dc !== undefined && (Math.abs(dc) >= 10000) !== config.test) return refuse(`dc ${dc} is a ${config.test ? 'production' : 'test'} DC id`, 444)
  let expiresIn: number | undefined
  if ('expires_in' in inner) {
    if (inner.expires_in <= 0) return refuse('expires_in is not positive')
    expiresIn = Math.min(inner.expires_in, config.maxExpiresIn)
  }
  if (random.a.length !== DH_BYTES) fail('E_OPTION', 'a must be 256 bytes')
  const newNonce = copyBytes(inner.new_nonce)
  const gA = dhPublicKey(random.a, config.dhPrime, config.g, config.bignum)
  checkDhPublic(gA, config.dhPrime, 'g_a')
  const serverTime = Math.floor(nowSec)
  const answer = encodeTl(mtprotoCodec, {
    _: 'server_DH_inner_data',
    nonce: state.nonce,
    server_nonce: state.serverNonce,
    g: config.g,
    dh_prime: stripLeadingZeros(config.dhPrime),
    g_a: gA,
    server_time: serverTime,
  })
  const padLen = (16 - ((20 + answer.length) % 16)) % 16
  if (random.padding.length < padLen) fail('E_OPTION', `padding must hold at least ${padLen} bytes`)
  const { key: tmpAesKey, iv: tmpAesIv } = tmpAesKeyIv(crypto, state.serverNonce, newNonce)
  const encrypted = crypto.aesIgeEncrypt(concat(crypto.sha1(answer), answer, random.padding.subarray(0, padLen)), tmpAesKey, tmpAesIv)
  return {
    type: 'ok',
    answer: { _: 'server_DH_params_ok', nonce: state.nonce, server_nonce: state.serverNonce, encrypted_answer: encrypted },
    state: {
      ...state, newNonce, a: copyBytes(random.a), gA, dhPrime: stripLeadingZeros(config.dhPrime), g: config.g, tmpAesKey, tmpAesIv,
      innerData: inner._, encoding: dec.encoding, dc, expiresIn, serverTime,
    },
  }
}

/** A key the handshake created. */
export interface NewAuthKey {
  readonly authKey: Uint8Array
  readonly id: bigint
  readonly temporary: boolean
  /** Temporary keys: server time (unix seconds) at which the key expires. */
  readonly expiresAt?: number
  readonly dc?: number
  readonly innerData: TypeP_Q_inner_data['_']
  readonly encoding: 'rsa_pad' | 'legacy'
}

export type ServerStep3Result =
  | { readonly type: 'ok'; readonly answer: RawDh_gen_ok; readonly key: NewAuthKey }
  /** The new auth_key_id is taken: the client must try again with a new b and retry_id = `retryId`. */
  | { readonly type: 'retry'; readonly answer: RawDh_gen_retry; readonly retryId: bigint }
  | { readonly type: 'fail'; readonly answer: RawDh_gen_fail; readonly reason: string }
  | Refusal

/**
 * Step 9: decrypts client_DH_inner_data, checks it, computes auth_key = g_b^a mod dh_prime and
 * answers dh_gen_ok, or dh_gen_retry when `idTaken` says the new auth_key_id is in use ("The server
 * checks whether there already is another key with the same auth_key_hash"; dh_gen_fail instead
 * once `canRetry` is false), or dh_gen_fail.
 *
 * When to fail is ours to decide (the spec does not say): dh_gen_fail answers a
 * client_DH_inner_data that fails its checks — its SHA-1 (the data cannot be trusted, so
 * new_nonce_hash3 is computed with an all-zero auth_key_aux_hash), nonces, or g_b's range (with
 * the aux hash of g_b^a when g_b is below dh_prime) — and a key the caller cannot store
 * (`storeFailed`). A request that is not well formed (length, TL, a retry_id other than the
 * expected one) is refused with −404.
 */
export function serverStep3(
  crypto: Crypto, state: ServerStep2, request: RawSet_client_DH_paramsRequest, expectedRetryId: bigint, idTaken: (id: bigint) => boolean,
  canRetry: boolean, config: Pick<ServerDhConfig, 'bignum'>,
): ServerStep3Result {
  if (request._ !== 'set_client_DH_params') return refuse(`expected set_client_DH_params, got ${(request as { _: string })._}`)
  if (!bytesEq(request.nonce, state.nonce) || !bytesEq(request.server_nonce, state.serverNonce)) return refuse('nonce or server_nonce differs')
  const enc = request.encrypted_data
  // SHA1 + client_DH_inner_data (4 + 16 + 16 + 8 + at least 4) + 0..15 padding
  if (enc.length % 16 !== 0 || enc.length < 64 || enc.length > 20 + 48 + 260 + 15) return refuse(`encrypted_data is ${enc.length} bytes`)
  const plain = crypto.aesIgeDecrypt(enc, state.tmpAesKey, state.tmpAesIv)
  const failWith = (reason: string, aux: Uint8Array): ServerStep3Result => ({
    type: 'fail',
    answer: { _: 'dh_gen_fail', nonce: state.nonce, server_nonce: state.serverNonce, new_nonce_hash3: newNonceHash(crypto, state.newNonce, 3, aux) },
    reason,
  })
  let inner: RawClient_DH_inner_data
  try {
    const r = new TlReader(mtprotoCodec, plain, undefined, 20)
    const obj: RawClient_DH_inner_data = r.object()
    const hashOk = timingSafeEqual(crypto.sha1(plain.subarray(20, r.pos)), plain.subarray(0, 20))
    if (!hashOk || plain.length - r.pos > 15 || obj._ !== 'client_DH_inner_data') return failWith('client_DH_inner_data: SHA-1 or padding mismatch', new Uint8Array(8))
    // the reader's byte fields are views into `plain`, zeroed below
    inner = { ...obj, nonce: copyBytes(obj.nonce), server_nonce: copyBytes(obj.server_nonce), g_b: copyBytes(obj.g_b) }
  } catch {
    return failWith('client_DH_inner_data does not decode', new Uint8Array(8))
  } finally {
    plain.fill(0)
  }
  if (!bytesEq(inner.nonce, state.nonce) || !bytesEq(inner.server_nonce, state.serverNonce)) return failWith('inner nonce or server_nonce differs', new Uint8Array(8))
  if (inner.retry_id !== expectedRetryId) return refuse(`retry_id ${inner.retry_id} is not the expected ${expectedRetryId}`)
  const prime = state.dhPrime
  try {
    checkDhPublic(inner.g_b, prime, 'g_b')
  } catch {
    // the client computed its key from g_a^b, which equals g_b^a for a g_b below dh_prime
    const gb = stripLeadingZeros(inner.g_b)
    const below = gb.length <= prime.length && toBigInt(gb) < toBigInt(prime) && toBigInt(gb) > 0n
    const aux = below ? authKeyHashes(crypto, modPow(leftPad(gb, prime.length)!, state.a, prime, { ...config.bignum, secret: true })).auxHash : new Uint8Array(8)
    return failWith('g_b is out of range', aux)
  }
  const authKey = computeDhSharedKey(state.a, inner.g_b, prime, config.bignum)
  const h = authKeyHashes(crypto, authKey)
  if (idTaken(h.idLong)) {
    authKey.fill(0)
    if (!canRetry) return failWith('auth_key_id collisions on every retry', h.auxHash)
    return {
      type: 'retry',
      answer: { _: 'dh_gen_retry', nonce: state.nonce, server_nonce: state.serverNonce, new_nonce_hash2: newNonceHash(crypto, state.newNonce, 2, h.auxHash) },
      retryId: h.auxLong,
    }
  }
  return {
    type: 'ok',
    answer: { _: 'dh_gen_ok', nonce: state.nonce, server_nonce: state.serverNonce, new_nonce_hash1: newNonceHash(crypto, state.newNonce, 1, h.auxHash) },
    key: {
      authKey,
      id: h.idLong,
      temporary: state.expiresIn !== undefined,
      expiresAt: state.expiresIn !== undefined ? state.serverTime + state.expiresIn : undefined,
      dc: state.dc,
      innerData: state.innerData,
      encoding: state.encoding,
    },
  }
}

/** dh_gen_fail for a key that was computed but cannot be kept (the store refused it). */
export function serverStoreFailed(crypto: Crypto, state: ServerStep2, key: NewAuthKey, reason: string): ServerStep3Result {
  const h = authKeyHashes(crypto, key.authKey)
  return {
    type: 'fail',
    answer: { _: 'dh_gen_fail', nonce: state.nonce, server_nonce: state.serverNonce, new_nonce_hash3: newNonceHash(crypto, state.newNonce, 3, h.auxHash) },
    reason,
  }
}
