/**
 * The server's auth keys: permanent keys, temporary keys with their expiry (api/pfs: temporary
 * keys "are only stored in the server RAM and are discarded after at most expires_in seconds"),
 * and the perm ↔ temp binding ("Each permanent key may only be bound to one temporary key at a
 * time, binding a new temporary key overwrites the previous one", method/auth.bindTempAuthKey).
 *
 * `KeyStore` is synchronous so that the sans-IO handshake can check for an auth_key_id collision
 * before it answers; a persistent store keeps its index in memory and writes behind.
 */
import { fail } from './errors.js'

export interface StoredKey {
  /** auth_key_id as TL's signed long. */
  readonly id: bigint
  /** The 256-byte key. */
  readonly key: Uint8Array
  /** Temporary keys expire and live in memory only. */
  readonly temporary: boolean
  /** Unix time (seconds) the key was created. */
  readonly createdAt: number
  /** Temporary keys: unix time (seconds) after which the key is gone. */
  readonly expiresAt?: number
  /** The DC id the client named in p_q_inner_data_dc (negative for media DCs, +10000 for test), if it did. */
  readonly dc?: number
  /** The handshake's first server_salt (new_nonce[0:8] ⊕ server_nonce[0:8]), which the session layer accepts for a while. */
  readonly salt?: bigint
}

export interface Binding {
  readonly permId: bigint
  readonly tempId: bigint
  /** Unix time (seconds) at which the binding ends. */
  readonly expiresAt: number
}

export interface KeyStore {
  /** The key with this auth_key_id; expired temporary keys are never returned. */
  get(id: bigint, nowSec: number): StoredKey | undefined
  /** Whether an id is taken (by a live key): a new key with it must be retried (dh_gen_retry). */
  has(id: bigint, nowSec: number): boolean
  /** Adds a key. Throws `E_STATE` if the id is taken. */
  put(key: StoredKey): void
  /** Removes a key and any binding it takes part in; whether it existed. */
  delete(id: bigint): boolean
  /** Binds temp to perm, replacing the previous temporary key of perm, if any. */
  bind(binding: Binding): void
  /** The live binding of a temporary key. */
  bindingOfTemp(tempId: bigint, nowSec: number): Binding | undefined
  /** The live binding of a permanent key. */
  bindingOfPerm(permId: bigint, nowSec: number): Binding | undefined
  /** Drops expired temporary keys and bindings; returns how many keys were dropped. */
  expire(nowSec: number): number
}

export interface MemoryKeyStoreOptions {
  /** At most this many temporary keys (default 1 000 000, ~400 MB); when full, the oldest goes. */
  maxTemporaryKeys?: number
}

/** The in-memory `KeyStore` (the default). */
export class MemoryKeyStore implements KeyStore {
  private readonly keys = new Map<bigint, StoredKey>()
  private readonly byTemp = new Map<bigint, Binding>()
  private readonly byPerm = new Map<bigint, Binding>()
  /** Temporary key ids in creation order (the oldest is evicted when the store is full). */
  private readonly temps = new Set<bigint>()
  private readonly maxTemp: number

  constructor(options: MemoryKeyStoreOptions = {}) {
    this.maxTemp = options.maxTemporaryKeys ?? 1_000_000
    if (!Number.isInteger(this.maxTemp) || this.maxTemp < 1) fail('E_OPTION', 'maxTemporaryKeys must be a positive integer')
  }

  /** Number of stored keys (permanent and temporary, expired ones not yet dropped included). */
  get size(): number {
    return this.keys.size
  }

  get(id: bigint, nowSec: number): StoredKey | undefined {
    const k = this.keys.get(id)
    if (!k) return undefined
    if (k.temporary && k.expiresAt !== undefined && k.expiresAt <= nowSec) {
      this.delete(id)
      return undefined
    }
    return k
  }

  has(id: bigint, nowSec: number): boolean {
    return this.get(id, nowSec) !== undefined
  }

  put(key: StoredKey): void {
    if (this.keys.has(key.id)) fail('E_STATE', `auth_key_id ${key.id} is taken`)
    if (key.key.length !== 256) fail('E_OPTION', 'an auth key is 256 bytes')
    if (key.temporary) {
      if (key.expiresAt === undefined) fail('E_OPTION', 'a temporary key needs expiresAt')
      // "The server is free to discard its copy earlier" (auth_key)
      if (this.temps.size >= this.maxTemp) this.delete(this.temps.values().next().value!)
      this.temps.add(key.id)
    }
    this.keys.set(key.id, key)
  }

  delete(id: bigint): boolean {
    const k = this.keys.get(id)
    if (!k) return false
    this.keys.delete(id)
    this.temps.delete(id)
    const t = this.byTemp.get(id)
    if (t) this.unbind(t)
    const p = this.byPerm.get(id)
    if (p) this.unbind(p)
    return true
  }

  bind(b: Binding): void {
    const old = this.byPerm.get(b.permId)
    if (old) this.unbind(old)
    const oldT = this.byTemp.get(b.tempId)
    if (oldT) this.unbind(oldT)
    this.byPerm.set(b.permId, b)
    this.byTemp.set(b.tempId, b)
  }

  bindingOfTemp(tempId: bigint, nowSec: number): Binding | undefined {
    return this.live(this.byTemp.get(tempId), nowSec)
  }

  bindingOfPerm(permId: bigint, nowSec: number): Binding | undefined {
    return this.live(this.byPerm.get(permId), nowSec)
  }

  expire(nowSec: number): number {
    let n = 0
    for (const id of [...this.temps]) {
      if (this.keys.get(id)!.expiresAt! <= nowSec) {
        this.delete(id)
        n++
      }
    }
    for (const b of [...this.byPerm.values()]) if (b.expiresAt <= nowSec) this.unbind(b)
    return n
  }

  private live(b: Binding | undefined, nowSec: number): Binding | undefined {
    if (!b) return undefined
    if (b.expiresAt <= nowSec || !this.keys.has(b.tempId) || !this.keys.has(b.permId)) {
      this.unbind(b)
      return undefined
    }
    return b
  }

  private unbind(b: Binding): void {
    if (this.byPerm.get(b.permId) === b) this.byPerm.delete(b.permId)
    if (this.byTemp.get(b.tempId) === b) this.byTemp.delete(b.tempId)
  }
}
