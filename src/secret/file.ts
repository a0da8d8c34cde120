/**
 * Encrypted files of secret chats: AES-256-IGE with a one-time key and IV per file, streamed
 * part by part with constant memory, and the key fingerprint that travels outside the chat's
 * encryption.
 *
 * Spec (core.telegram.org/api/end-to-end#sending-encrypted-files): "Prior to a file being sent
 * to a secret chat, 2 random 256-bit numbers are computed which will serve as the AES key and
 * initialization vector used to encrypt the file. AES-256 encryption with infinite garble
 * extension (IGE) is used in like manner." and "digest = md5(key + iv); fingerprint =
 * substr(digest, 0, 4) XOR substr(digest, 4, 4)". The file is uploaded in parts
 * (upload.saveFilePart, 512 KiB each); the key and IV go inside the encrypted message
 * (decryptedMessageMedia*), the fingerprint and the encrypted size outside (encryptedFile).
 *
 * Streaming: IGE's state between blocks is (previous ciphertext block, previous plaintext
 * block), exactly the 32-byte IV's two halves, so a part boundary carries it as the next part's
 * IV and parts encrypted one by one give the bytes one call over the whole file would. The
 * last part is padded with zeros to a multiple of 16 bytes; the receiver cuts the plaintext
 * back to the size the message states.
 */
import type { Crypto } from '../crypto/types.js'
import { SecretChatError } from '../errors.js'

/** The part size Telegram clients upload (upload.saveFilePart): 512 KiB. */
export const FILE_PART_SIZE = 524_288 // 512 KiB

const EMPTY = /* @__PURE__ */ new Uint8Array(0)

function checkKeyIv(key: unknown, iv: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new SecretChatError('E_SECRET_ARGUMENT', 'a file key is 32 bytes')
  if (!(iv instanceof Uint8Array) || iv.length !== 32) throw new SecretChatError('E_SECRET_ARGUMENT', 'a file IV is 32 bytes')
}

/**
 * The file key fingerprint: md5(key ‖ iv)[0..4] XOR md5(key ‖ iv)[4..8], read as the TL `int`
 * it is sent as (little-endian, signed).
 */
export function fileKeyFingerprint(crypto: Pick<Crypto, 'md5'>, key: Uint8Array, iv: Uint8Array): number {
  checkKeyIv(key, iv)
  const buf = new Uint8Array(64)
  buf.set(key, 0)
  buf.set(iv, 32)
  const d = crypto.md5(buf)
  buf.fill(0)
  const fp = ((d[0] ^ d[4]) | ((d[1] ^ d[5]) << 8) | ((d[2] ^ d[6]) << 16) | ((d[3] ^ d[7]) << 24)) | 0
  d.fill(0)
  return fp
}

/** The encrypted size of a file of `size` bytes: rounded up to 16. */
export function encryptedFileSize(size: number): number {
  return Math.ceil(size / 16) * 16
}

/** Encrypts the next IGE chunk of a stream whose state is `state` (32 bytes, updated). */
function igeStep(crypto: Crypto, decrypt: boolean, key: Uint8Array, state: Uint8Array, tail: Uint8Array, part: Uint8Array, out: Uint8Array | undefined): Uint8Array {
  const n = part.length
  if (n === 0) return out ? out.subarray(0, 0) : EMPTY
  // the last input block, saved before an in-place call overwrites it
  tail.set(part.subarray(n - 16, n))
  const o = decrypt ? crypto.aesIgeDecrypt(part, key, state, out) : crypto.aesIgeEncrypt(part, key, state, out)
  // next IV = last ciphertext block ‖ last plaintext block
  if (decrypt) {
    state.set(tail, 0)
    state.set(o.subarray(n - 16, n), 16)
  } else {
    state.set(o.subarray(n - 16, n), 0)
    state.set(tail, 16)
  }
  return o
}

export interface FileEncryptorOptions {
  /** The file key (32 bytes); default: fresh random bytes. Reuse it only to re-send the same file. */
  key?: Uint8Array
  /** The IV (32 bytes); default: fresh random bytes. */
  iv?: Uint8Array
}

/**
 * Encrypts one file as it is read, part after part (512 KiB parts: `FILE_PART_SIZE`), holding
 * nothing but the 32-byte IGE state. Every part but the last must be a multiple of 16 bytes.
 */
export class FileEncryptor {
  /** The file key and the initial IV, for the decryptedMessageMedia that announces the file. */
  readonly key: Uint8Array
  readonly iv: Uint8Array
  /** The key fingerprint for inputEncryptedFileUploaded / encryptedFile.key_fingerprint. */
  readonly fingerprint: number
  private readonly crypto: Crypto
  private readonly state = new Uint8Array(32)
  private readonly tail = new Uint8Array(16)
  private taken = 0
  private done = false

  constructor(crypto: Crypto, options: FileEncryptorOptions = {}) {
    const key = options.key ?? crypto.randomBytes(32)
    const iv = options.iv ?? crypto.randomBytes(32)
    checkKeyIv(key, iv)
    this.crypto = crypto
    this.key = new Uint8Array(key)
    this.iv = new Uint8Array(iv)
    this.state.set(iv)
    this.fingerprint = fileKeyFingerprint(crypto, key, iv)
  }

  /** Plaintext bytes encrypted so far. */
  get size(): number {
    return this.taken
  }

  /**
   * Encrypts the next part (a multiple of 16 bytes). With `out` (at least as long as `part`,
   * or `part` itself to encrypt in place) nothing is allocated. Returns the ciphertext.
   */
  update(part: Uint8Array, out?: Uint8Array): Uint8Array {
    this.check(part)
    if (part.length % 16 !== 0) {
      throw new SecretChatError('E_FILE_ALIGNMENT', `every part but the last must be a multiple of 16 bytes, got ${part.length}; use final() for the last`)
    }
    const o = igeStep(this.crypto, false, this.key, this.state, this.tail, part, out)
    this.taken += part.length
    return o
  }

  /**
   * Encrypts the last part (any length, possibly empty), zero-padded to a multiple of 16, and
   * finishes: the key state is zeroed and later calls throw `E_FILE_STATE`. `out` needs the
   * padded length (`encryptedFileSize(part.length)`).
   */
  final(part: Uint8Array = EMPTY, out?: Uint8Array): Uint8Array {
    this.check(part)
    let src = part
    const padded = encryptedFileSize(part.length)
    if (padded !== part.length) {
      src = out && out.length >= padded ? out.subarray(0, padded) : new Uint8Array(padded)
      src.set(part)
      src.fill(0, part.length)
      out = src
    }
    const o = igeStep(this.crypto, false, this.key, this.state, this.tail, src, out)
    this.taken += part.length
    this.done = true
    this.wipe()
    return o
  }

  /** Zeroes the key and state (also done by `final`). */
  dispose(): void {
    this.done = true
    this.wipe()
    this.key.fill(0)
    this.iv.fill(0)
  }

  private wipe(): void {
    this.state.fill(0)
    this.tail.fill(0)
  }

  private check(part: Uint8Array): void {
    if (this.done) throw new SecretChatError('E_FILE_STATE', 'this file encryptor is finished')
    if (!(part instanceof Uint8Array)) throw new SecretChatError('E_SECRET_ARGUMENT', 'a file part must be a Uint8Array')
  }
}

export interface FileDecryptorOptions {
  /** From the decryptedMessageMedia: the file key and IV (32 bytes each). */
  key: Uint8Array
  iv: Uint8Array
  /** From the decryptedMessageMedia: the size of the plaintext file. */
  size: number | bigint
  /** From encryptedFile.key_fingerprint: checked against md5(key ‖ iv) before anything is decrypted. */
  fingerprint?: number
  /** From encryptedFile.size: must be the plaintext size rounded up to 16. */
  encryptedSize?: number | bigint
}

function toSize(v: number | bigint, name: string): number {
  const n = typeof v === 'bigint' ? Number(v) : v
  if (!Number.isSafeInteger(n) || n < 0 || (typeof v === 'bigint' && BigInt(n) !== v)) {
    throw new SecretChatError('E_FILE_SIZE', `${name} must be a non-negative safe integer, got ${String(v)}`)
  }
  return n
}

/**
 * Decrypts one encrypted file part by part with constant memory. It checks the key
 * fingerprint and the encrypted size before decrypting anything, refuses bytes beyond the
 * stated size, cuts the zero padding off the last part, and `final()` checks that the whole
 * file arrived.
 */
export class FileDecryptor {
  readonly size: number
  private readonly crypto: Crypto
  private readonly key: Uint8Array
  private readonly state = new Uint8Array(32)
  private readonly tail = new Uint8Array(16)
  private readonly expected: number
  private seen = 0
  private done = false

  constructor(crypto: Crypto, options: FileDecryptorOptions) {
    checkKeyIv(options.key, options.iv)
    this.size = toSize(options.size, 'size')
    this.expected = encryptedFileSize(this.size)
    if (options.fingerprint !== undefined && fileKeyFingerprint(crypto, options.key, options.iv) !== (options.fingerprint | 0)) {
      throw new SecretChatError('E_FILE_FINGERPRINT', "the file's key fingerprint does not match md5(key ‖ iv)")
    }
    if (options.encryptedSize !== undefined && toSize(options.encryptedSize, 'encryptedSize') !== this.expected) {
      throw new SecretChatError('E_FILE_SIZE', `an encrypted file of ${this.size} bytes has ${this.expected} bytes, not ${String(options.encryptedSize)}`)
    }
    this.crypto = crypto
    this.key = new Uint8Array(options.key)
    this.state.set(options.iv)
  }

  /** Ciphertext bytes taken so far. */
  get received(): number {
    return this.seen
  }

  /**
   * Decrypts the next part (a multiple of 16 bytes) and returns its plaintext, without the
   * padding when the part ends the file. `out` may be `part` itself (in place).
   */
  update(part: Uint8Array, out?: Uint8Array): Uint8Array {
    if (this.done) throw new SecretChatError('E_FILE_STATE', 'this file decryptor is finished')
    if (!(part instanceof Uint8Array)) throw new SecretChatError('E_SECRET_ARGUMENT', 'a file part must be a Uint8Array')
    if (part.length % 16 !== 0) throw new SecretChatError('E_FILE_ALIGNMENT', `encrypted file parts are multiples of 16 bytes, got ${part.length}`)
    if (this.seen + part.length > this.expected) {
      throw new SecretChatError('E_FILE_SIZE', `the file is ${this.expected} encrypted bytes; ${this.seen + part.length} arrived`)
    }
    const o = igeStep(this.crypto, true, this.key, this.state, this.tail, part, out)
    const start = this.seen
    this.seen += part.length
    const keep = Math.min(part.length, this.size - start)
    return keep === o.length ? o : o.subarray(0, keep)
  }

  /** Checks that the whole file arrived (`E_FILE_SIZE` otherwise) and zeroes the key. */
  final(): void {
    if (this.done) throw new SecretChatError('E_FILE_STATE', 'this file decryptor is finished')
    this.dispose()
    if (this.seen !== this.expected) throw new SecretChatError('E_FILE_SIZE', `the file is ${this.expected} encrypted bytes; only ${this.seen} arrived`)
  }

  dispose(): void {
    this.done = true
    this.key.fill(0)
    this.state.fill(0)
    this.tail.fill(0)
  }
}
