/** Values both sides of the handshake derive from the nonces and the new key (auth_key). */
import type { Crypto } from '../crypto/types.js'
import { concat } from '../bytes.js'

/**
 * tmp_aes_key := SHA1(new_nonce + server_nonce) + substr(SHA1(server_nonce + new_nonce), 0, 12);
 * tmp_aes_iv := substr(SHA1(server_nonce + new_nonce), 12, 8) + SHA1(new_nonce + new_nonce) +
 * substr(new_nonce, 0, 4) (auth_key, step 6).
 */
export function tmpAesKeyIv(crypto: Crypto, serverNonce: Uint8Array, newNonce: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  const a = crypto.sha1(concat(newNonce, serverNonce))
  const b = crypto.sha1(concat(serverNonce, newNonce))
  const c = crypto.sha1(concat(newNonce, newNonce))
  return {
    key: concat(a, b.subarray(0, 12)),
    iv: concat(b.subarray(12, 20), c, newNonce.subarray(0, 4)),
  }
}

/**
 * new_nonce_hash1/2/3: "the 128 lower-order bits of SHA1 of the byte string derived from the
 * new_nonce string by adding a single byte with the value of 1, 2, or 3, and followed by another
 * 8 bytes with auth_key_aux_hash" (auth_key, step 9).
 */
export function newNonceHash(crypto: Crypto, newNonce: Uint8Array, n: 1 | 2 | 3, authKeyAuxHash: Uint8Array): Uint8Array {
  return crypto.sha1(concat(newNonce, Uint8Array.of(n), authKeyAuxHash)).subarray(4, 20)
}

/** server_DH_params_fail's new_nonce_hash: "128 lower-order bits of SHA1 (new_nonce)". */
export function newNonceHashFail(crypto: Crypto, newNonce: Uint8Array): Uint8Array {
  return crypto.sha1(newNonce).subarray(4, 20)
}

/** auth_key_id (64 lower-order bits of SHA1(auth_key)) and auth_key_aux_hash (the 64 higher-order bits). */
export function authKeyHashes(crypto: Crypto, authKey: Uint8Array): { id: Uint8Array; idLong: bigint; auxHash: Uint8Array; auxLong: bigint } {
  const h = crypto.sha1(authKey)
  const id = h.slice(12, 20)
  const auxHash = h.slice(0, 8)
  const long = (b: Uint8Array): bigint => new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true)
  return { id, idLong: long(id), auxHash, auxLong: long(auxHash) }
}

/** "server_salt is initially set to substr(new_nonce, 0, 8) XOR substr(server_nonce, 0, 8)", as a long. */
export function firstServerSalt(newNonce: Uint8Array, serverNonce: Uint8Array): bigint {
  const x = new Uint8Array(8)
  for (let i = 0; i < 8; i++) x[i] = newNonce[i] ^ serverNonce[i]
  return new DataView(x.buffer).getBigInt64(0, true)
}
