/**
 * `createAuthKey(bytes)`: a 256-byte MTProto authorization key (or a secret chat's shared key),
 * with everything that depends only on the key computed once, so that encrypting or decrypting
 * one message does only the work that depends on the message.
 */
import { CryptoError } from '../errors.js'
import { checkLength } from './args.js'
import { sha1 } from './js/sha1.js'
import { copyBytes } from '../bytes.js'

/** A 256-byte key ready for `encryptMessage` / `decryptMessage`. */
export interface AuthKey {
  /**
   * The 8 bytes that identify the key on the wire: the 64 lower-order bits of SHA-1(key), i.e.
   * SHA-1 bytes 12..20, in wire order. For cloud messages this is `auth_key_id`; for secret
   * chats it is the `key_fingerprint` (the same computation).
   */
  readonly id: Uint8Array
  /** `id` as the little-endian signed 64-bit integer TL writes (`long`). */
  readonly idLong: bigint
  /** True after `dispose()`. */
  readonly disposed: boolean
  /** Zeroes the key and every precomputed slice; later use throws `CryptoError` `E_DISPOSED`. */
  dispose(): void
}

/**
 * Key material as the envelope code sees it. Kept off the public object's enumerable
 * properties so that logging an `AuthKey` does not print the key.
 */
export interface AuthKeyState {
  /** The 256-byte key (a private copy). */
  readonly key: Uint8Array
  /** The same 8 bytes as `AuthKey.id` (a private copy, so a caller writing into `id` changes nothing). */
  readonly id: Uint8Array
  /**
   * MTProto 2.0 KDF inputs with a 16-byte hole for msg_key, per direction x (index x >> 3):
   * kdfA = msg_key ‖ key[x .. x+36], kdfB = key[40+x .. 76+x] ‖ msg_key (52 bytes each).
   * The message code writes msg_key into the hole, so no per-message concatenation is needed.
   */
  readonly kdfA: [Uint8Array, Uint8Array]
  readonly kdfB: [Uint8Array, Uint8Array]
  /** The MTProto 2.0 msg_key salt key[88+x .. 120+x], per direction (index x >> 3). */
  readonly msgKeySalt: [Uint8Array, Uint8Array]
  /** MTProto 1.0 KDF inputs (48 bytes each, 4 per direction), built on first use. */
  v1: Uint8Array[] | undefined
  disposed: boolean
  /**
   * Cleanups a backend registers for copies it keeps (e.g. the key cached in WASM memory);
   * `dispose()` runs them after zeroing the JS copies.
   */
  readonly onDispose: (() => void)[]
}

const STATE = Symbol('mtwire.authKeyState')

class AuthKeyImpl implements AuthKey {
  readonly id: Uint8Array
  readonly idLong: bigint
  declare readonly [STATE]: AuthKeyState

  constructor(key: Uint8Array) {
    const h = sha1(key)
    this.id = copyBytes(h, 12, 20)
    this.idLong = new DataView(this.id.buffer, this.id.byteOffset, 8).getBigInt64(0, true)
    h.fill(0)
    const slot = (a: number, b: number, hole: 'head' | 'tail'): Uint8Array => {
      const buf = new Uint8Array(16 + b - a)
      buf.set(key.subarray(a, b), hole === 'head' ? 16 : 0)
      return buf
    }
    const state: AuthKeyState = {
      key,
      id: this.id.slice(),
      kdfA: [slot(0, 36, 'head'), slot(8, 44, 'head')],
      kdfB: [slot(40, 76, 'tail'), slot(48, 84, 'tail')],
      msgKeySalt: [key.subarray(88, 120), key.subarray(96, 128)],
      v1: undefined,
      disposed: false,
      onDispose: [],
    }
    Object.defineProperty(this, STATE, { value: state, enumerable: false })
  }

  get disposed(): boolean {
    return this[STATE].disposed
  }

  dispose(): void {
    const s = this[STATE]
    s.key.fill(0)
    for (const b of [...s.kdfA, ...s.kdfB, ...(s.v1 ?? [])]) b.fill(0)
    s.id.fill(0)
    s.disposed = true
    for (const f of s.onDispose.splice(0)) f()
  }
}

/**
 * Wraps a 256-byte key. The bytes are copied, so the caller may reuse or zero its array.
 * Throws `CryptoError` `E_KEY_LENGTH` for anything but exactly 256 bytes.
 */
export function createAuthKey(bytes: Uint8Array): AuthKey {
  checkLength(bytes, 'authKey', 256, 'E_KEY_LENGTH')
  return new AuthKeyImpl(copyBytes(bytes))
}

/**
 * A disposed all-zero key's state: what reused job objects hold between calls, so that they
 * keep no caller's key alive.
 */
export const NO_KEY: AuthKeyState = (() => {
  const k = new AuthKeyImpl(new Uint8Array(256))
  k.dispose()
  return k[STATE]
})()

/** The key state of an `AuthKey` made by `createAuthKey`; throws `E_TYPE` / `E_DISPOSED` otherwise. */
export function authKeyState(k: unknown): AuthKeyState {
  const s = k instanceof AuthKeyImpl ? k[STATE] : undefined
  if (s === undefined) throw new CryptoError('E_TYPE', 'authKey must be an AuthKey made by createAuthKey(bytes)')
  if (s.disposed) throw new CryptoError('E_DISPOSED', 'this AuthKey was disposed')
  return s
}

/**
 * MTProto 1.0 KDF inputs for direction x (0 or 8), with a 16-byte hole for msg_key at
 * `V1_HOLES[i]`: a = msg_key ‖ key[x..x+32], b = key[32+x..48+x] ‖ msg_key ‖ key[48+x..64+x],
 * c = key[64+x..96+x] ‖ msg_key, d = msg_key ‖ key[96+x..128+x]. Returns eight arrays:
 * [a, b, c, d] for x = 0, then for x = 8 (index `(x >> 1) + i`).
 */
export function v1Inputs(s: AuthKeyState): Uint8Array[] {
  if (s.v1 === undefined) {
    const k = s.key
    const v1: Uint8Array[] = []
    for (const d of [0, 8]) {
      const a = new Uint8Array(48)
      a.set(k.subarray(d, d + 32), 16)
      const b = new Uint8Array(48)
      b.set(k.subarray(32 + d, 48 + d), 0)
      b.set(k.subarray(48 + d, 64 + d), 32)
      const c = new Uint8Array(48)
      c.set(k.subarray(64 + d, 96 + d), 0)
      const e = new Uint8Array(48)
      e.set(k.subarray(96 + d, 128 + d), 16)
      v1.push(a, b, c, e)
    }
    s.v1 = v1
  }
  return s.v1
}

/** Offsets of the msg_key hole in the four MTProto 1.0 KDF inputs. */
export const V1_HOLES = [0, 16, 32, 0] as const
