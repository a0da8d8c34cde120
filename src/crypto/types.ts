/**
 * Two layers of crypto interface:
 * - `CryptoCore` is what a backend (pure TS, or a WASM flavour) implements. It receives
 *   inputs that are already validated and an `out` of the right length.
 * - `Crypto` is what embedders get from `createCrypto()`: the same object whatever the
 *   backend, with argument checks, typed errors and optional `out` buffers.
 */

import type { hybridCtr } from './ctr.js'
import type { SecurityError } from '../errors.js'
import type { AuthKey, AuthKeyState } from './authkey.js'
import type { NativeThresholds } from './route.js'

/** One AES-256-CTR stream of a backend; validated inputs, `out.length >= data.length`. */
export interface CtrCore {
  process(data: Uint8Array, out: Uint8Array): void
  dispose(): void
}

export interface CryptoCore {
  /** What runs, e.g. `js/table`, `wasm-relaxed-simd/ct`, `wasm/table`. */
  readonly backend: string
  /** `data.length % 16 === 0`, key 32 bytes, iv 32 bytes, `out` exactly as long as `data` or `data` itself. */
  igeEncrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array): void
  igeDecrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array): void
  /** key 32 bytes, iv 16 bytes. */
  ctrCreate(key: Uint8Array, iv: Uint8Array): CtrCore
  sha1(data: Uint8Array): Uint8Array
  sha256(data: Uint8Array): Uint8Array
  /**
   * Optional allocation-free hashes: write the 20 / 32-byte digest to `out[0..]`. The composed
   * envelope prefers them to `sha1` / `sha256`, which return a fresh array per call.
   */
  sha1Into?(data: Uint8Array, out: Uint8Array): void
  sha256Into?(data: Uint8Array, out: Uint8Array): void
  /**
   * Optional fused MTProto envelope: one call per message (see src/crypto/envelope.ts for the
   * wire format, src/crypto/route.ts for when it is used). A core without it gets the composed
   * default (src/crypto/js/mtproto.ts over this core's primitives); a core with it must give
   * byte-identical results, for plaintexts (inner ‖ padding) of up to `fusedMax` bytes.
   *
   * `hostSha256` (MTProto 2.0 only): msg_key's SHA-256 is to be computed by this function (a
   * native provider's, faster from some size), which must not keep its argument; the results
   * are the same. With `ENV_TOKEN` in the job's flags, the call leaves msg_key_large[0:4] in
   * `job.msgKeyHead` (0 for MTProto 1.0).
   */
  encryptMessage?(job: EncryptJob, hostSha256?: Sha256): void
  /**
   * Decrypts and checks `job.packet`; on success writes the inner message (without padding) to
   * the start of `job.out` and returns its length. On failure returns `-(mask of ENV_FAIL_* bits)`
   * and leaves no plaintext in `out` or in its own memory (and `msgKeyHead` 0). Every check runs
   * whatever the others gave (no early exit before the msg_key comparison).
   */
  decryptMessage?(job: DecryptJob, hostSha256?: Sha256): number
  /** The largest plaintext `encryptMessage` / `decryptMessage` take in one call. */
  readonly fusedMax?: number
  /**
   * Optional batches of 1..4 independent messages (`jobs[0 .. count)`), e.g. interleaved in a
   * SIMD core. Each job has exactly the contract of `encryptMessage` / `decryptMessage` (without
   * a host hash or a token); results are identical to calling them one by one. `decryptBatch`
   * writes each job's return value to `results[i]`. The job objects are reused by the caller.
   */
  encryptBatch?(jobs: readonly EncryptJob[], count: number): void
  decryptBatch?(jobs: readonly DecryptJob[], count: number, results: Int32Array): void
}

/** A SHA-256 that returns a fresh digest. */
export type Sha256 = (data: Uint8Array) => Uint8Array

/**
 * One message to encrypt, its inputs validated by the caller: `x` is 0 or 8; `flags` a mix of
 * `ENV_V1`, `ENV_E2E` and `ENV_TOKEN`; `inner` has a consistent length field; the padding is
 * `pad[padOff .. padOff+padLen]`, with `(inner.length + padLen) % 16 === 0`;
 * `out.length >= 24 + inner.length + padLen` and `out` does not overlap `inner`. The core
 * writes `key_id ‖ msg_key ‖ ciphertext` to the start of `out`.
 */
export interface EncryptJob {
  key: AuthKeyState
  inner: Uint8Array
  pad: Uint8Array
  padOff: number
  padLen: number
  x: number
  flags: number
  out: Uint8Array
  /** Written by the core when `flags` has ENV_TOKEN: msg_key_large[0:4], little-endian (0 for 1.0). */
  msgKeyHead: number
}

/**
 * One packet to decrypt: `out.length >= envMaxInner(packet.length, flags)`; `out` is either
 * disjoint from `packet` or starts at or before `packet`'s byte 24 (writes trail reads), so a
 * streaming core must read each input block before writing it.
 */
export interface DecryptJob {
  key: AuthKeyState
  packet: Uint8Array
  x: number
  flags: number
  out: Uint8Array
  /** Written by the core when `flags` has ENV_TOKEN: msg_key_large[0:4] (0 for 1.0 or a failure). */
  msgKeyHead: number
}

/**
 * Native primitives a runtime may inject for large messages (Node: `src/node/provider.ts`,
 * node:crypto with SHA-NI / AES-NI), with the sizes from which each is faster. src/crypto/route.ts
 * decides from those sizes (public lengths, never secrets) where each is used; results are
 * byte-identical either way.
 */
export interface NativeProvider {
  readonly name: string
  /** SHA-256 (a fresh digest). */
  sha256(data: Uint8Array): Uint8Array
  /** AES-256-IGE encryption with `CryptoCore.igeEncrypt`'s contract. */
  igeEncrypt?(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array): void
  /** AES-256-CTR streams with `CryptoCore.ctrCreate`'s contract. */
  ctrCreate?(key: Uint8Array, iv: Uint8Array): CtrCore
  /**
   * With `ctrCreate`: `hybridCtr` (src/crypto/ctr.ts, exported), the stream `createAesCtr`
   * returns, which runs calls of `thresholds.ctr` bytes and more on `ctrCreate`'s stream and
   * shorter ones on the core's. The provider hands it over instead of the crypto API importing
   * it, so that a bundle without a native provider (a browser page) leaves it out.
   */
  ctrStream?: typeof hybridCtr
  /** From which sizes the primitives above are used (measured once, per provider). */
  readonly thresholds: NativeThresholds
}

/** Per-call envelope options. Hoist the object out of hot loops: it is read, never kept. */
export interface EnvelopeOptions {
  /** 2 (default): MTProto 2.0. 1: MTProto 1.0, for auth.bindTempAuthKey and old secret-chat layers. */
  version?: 1 | 2
  /**
   * `'cloud'` (default): `salt ‖ session_id ‖ msg_id ‖ seq_no ‖ length ‖ body`, length field at
   * offset 28. `'e2e'`: secret-chat plaintext `length ‖ body`, length field at offset 0; the
   * key fingerprint takes auth_key_id's place (the same SHA-1 bytes 12..20 of the key).
   */
  layout?: 'cloud' | 'e2e'
  /**
   * Encryption only, MTProto 2.0 only. `'random'` (default): the shortest padding allowed
   * (12..27 random bytes). `'buckets'`: the plaintext (inner ‖ padding) is rounded up to the
   * next size bucket — 64, 128, 256, 512, 1024 bytes, then multiples of 512 — so an observer
   * learns only the bucket; padding stays within 12..523 bytes, inside the spec's 12..1024.
   * MTProto 1.0 always uses 0..15 bytes.
   */
  padding?: 'random' | 'buckets'
  /**
   * Out-parameter, MTProto 2.0 only: after a successful call, `quickAck.token` holds the
   * message's quick-ACK token (mtproto-transports#quick-ack): the first 4 bytes of msg_key_large =
   * SHA-256(key[88+x .. 120+x] ‖ plaintext ‖ padding) read as a little-endian uint32, with the
   * most significant bit set. A client keeps it from encryption to match the server's quick ACK;
   * a server answers a quick-ACK request with it from decryption. Taken from the hash msg_key
   * already needs: no second hash. Batches (`encryptMessages` / `decryptMessages`) process items
   * with this option one by one.
   */
  quickAck?: { token: number }
  /**
   * Decryption only: called before the uniform `SecurityError` is thrown, with the names of
   * the checks that failed (`auth_key_id`, `shape`, `msg_key`, `length`, `alignment`,
   * `padding`). For logs and debugging; never send this to a peer.
   */
  onFailure?: (failed: readonly string[]) => void
}

export interface EncryptItem {
  authKey: AuthKey
  inner: Uint8Array
  x: 0 | 8
  options?: EnvelopeOptions
}

export interface DecryptItem {
  authKey: AuthKey
  packet: Uint8Array
  x: 0 | 8
  options?: EnvelopeOptions
}

/** A stateful AES-256-CTR stream (encryption and decryption are the same operation). */
export interface AesCtr {
  /** XORs `data` with the next `data.length` keystream bytes; any chunking gives the same result. */
  process(data: Uint8Array, out?: Uint8Array): Uint8Array
  /** Zeroes the key schedule, counter and buffered keystream; later calls throw `E_DISPOSED`. */
  dispose(): void
}

export interface Crypto {
  /** What runs, e.g. `js/table` or `wasm-relaxed-simd/ct`. `/table` means not constant-time. */
  readonly backend: string
  /** Cryptographically secure random bytes from the injected or platform CSPRNG. */
  randomBytes(length: number): Uint8Array
  sha1(data: Uint8Array): Uint8Array
  sha256(data: Uint8Array): Uint8Array
  sha512(data: Uint8Array): Uint8Array
  md5(data: Uint8Array): Uint8Array
  /** CRC-32 (IEEE 802.3, as zlib), as an unsigned 32-bit number. */
  crc32(data: Uint8Array): number
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array
  /** PBKDF2-HMAC-SHA512 with a 64-byte result (the 2FA password KDF). */
  pbkdf2Sha512(password: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array>
  /** AES-256-IGE. key: 32 bytes; iv: 32 bytes; data: a multiple of 16 bytes. `out` may be `data`. */
  aesIgeEncrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out?: Uint8Array): Uint8Array
  aesIgeDecrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out?: Uint8Array): Uint8Array
  /** AES-256-CTR stream. key: 32 bytes; iv: 16 bytes (the initial 128-bit big-endian counter). */
  createAesCtr(key: Uint8Array, iv: Uint8Array): AesCtr

  /**
   * Encrypts one MTProto message: `auth_key_id ‖ msg_key ‖ AES-256-IGE(inner ‖ padding)`.
   * `x` is 0 for client→server, 8 for server→client (for secret chats: 0 for the chat's
   * creator, 8 for the other party). `inner` must carry a length field that matches its size
   * (else `CryptoError` `E_INNER_LAYOUT`). Padding bytes come from the injected RNG. With
   * `out` (`24 + inner.length + 1024` bytes always suffice: padding is at most 27 bytes with
   * `'random'`, 523 with `'buckets'`, 15 with 1.0) the result is a view of its start.
   */
  encryptMessage(authKey: AuthKey, inner: Uint8Array, x: 0 | 8, out?: Uint8Array, options?: EnvelopeOptions): Uint8Array
  /** As `encryptMessage`, but writes into `out` and returns the packet length (allocates nothing). */
  encryptMessageInto(authKey: AuthKey, inner: Uint8Array, x: 0 | 8, out: Uint8Array, options?: EnvelopeOptions): number
  /**
   * Decrypts and checks one packet and returns the inner message without padding. Any failure
   * (wrong auth_key_id, bad length, msg_key mismatch, bad length field or padding) throws the
   * same `SecurityError` (`E_DECRYPT`, same message); `options.onFailure` gets the detail.
   * `out` needs `packet.length - 36` bytes (MTProto 2.0 cloud), may be `packet` itself, and
   * holds no plaintext after a failure.
   */
  decryptMessage(authKey: AuthKey, packet: Uint8Array, x: 0 | 8, out?: Uint8Array, options?: EnvelopeOptions): Uint8Array
  /** As `decryptMessage`, but writes into `out` and returns the inner length (allocates nothing). */
  decryptMessageInto(authKey: AuthKey, packet: Uint8Array, x: 0 | 8, out: Uint8Array, options?: EnvelopeOptions): number
  /** Encrypts many messages (file parts, many sessions); returns the packets in order. */
  encryptMessages(items: readonly EncryptItem[]): Uint8Array[]
  /**
   * Decrypts many packets; per item the inner bytes or the `SecurityError` — one bad packet
   * never fails the batch. Malformed arguments (not a packet problem) still throw `CryptoError`
   * before anything is decrypted.
   */
  decryptMessages(items: readonly DecryptItem[]): (Uint8Array | SecurityError)[]
}

export interface CryptoOptions {
  /** `auto` (default): the best WASM flavour the runtime validates, else pure TS. */
  backend?: 'auto' | 'wasm' | 'js'
  /** Which WASM flavour; `auto` (default) probes relaxed SIMD, then baseline SIMD, then none. */
  simd?: 'auto' | 'relaxed' | 'baseline' | 'none'
  /**
   * AES core. Unset: constant-time wherever SIMD exists, tables otherwise (and `backend` says
   * `/table`). `'constant-time'` insists and fails if it cannot be had; `'table'` trades
   * side-channel safety for speed.
   */
  aes?: 'constant-time' | 'table'
  /** Fills its argument with random bytes. Default: the platform CSPRNG. Inject for tests. */
  random?: (buf: Uint8Array) => void
  /**
   * Native primitives the envelope uses for large messages (public sizes choose, never
   * secrets; src/crypto/route.ts). Default: what the runtime's entry point installed — on Node,
   * node:crypto (src/node/provider.ts); elsewhere none. `false`: never.
   */
  native?: NativeProvider | false
}
