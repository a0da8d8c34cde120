/**
 * Two layers of crypto interface:
 * - `CryptoCore` is what a backend (pure TS, or a WASM flavour) implements. It receives
 *   inputs that are already validated and an `out` of the right length.
 * - `Crypto` is what embedders get from `createCrypto()`: the same object whatever the
 *   backend, with argument checks, typed errors and optional `out` buffers.
 */

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
}
