/**
 * Secret-chat formulas computed independently of src/, straight from the spec, with node:crypto
 * (via test/envelope/reference.ts: SHA-1/SHA-256, AES-256-IGE from aes-256-ecb, both KDFs) and
 * BigInt: the key from the DH exponents, the key fingerprint, the visualization, the E2E
 * envelope (core.telegram.org/api/end-to-end, end-to-end_v1), the file key fingerprint.
 */
import { createHash, randomBytes } from 'node:crypto'
import { decryptRawRef, encryptRef, sha1, sha256 } from '../envelope/reference.js'

export const md5 = (d: Uint8Array): Buffer => createHash('md5').update(d).digest()

/** key_fingerprint: "the 64 last bits of SHA1 (key)", as the TL long (little-endian, signed). */
export const fingerprintRef = (key: Uint8Array): bigint => sha1(key).readBigInt64LE(12)

/** pfs#key-visualization: SHA-1(initial key)[0..16] ‖ SHA-256(key at layer 46)[0..20]. */
export const visualizationRef = (initial: Uint8Array, layer46 = initial): Buffer =>
  Buffer.concat([sha1(initial).subarray(0, 16), sha256(layer46).subarray(0, 20)])

/** File key fingerprint: md5(key ‖ iv)[0..4] XOR md5(key ‖ iv)[4..8], as a TL int. */
export function fileFingerprintRef(key: Uint8Array, iv: Uint8Array): number {
  const d = md5(Buffer.concat([key, iv]))
  const x = Buffer.alloc(4)
  for (let i = 0; i < 4; i++) x[i] = d[i] ^ d[4 + i]
  return x.readInt32LE(0)
}

export interface OpenedE2e {
  /** The plaintext's length field. */
  length: number
  /** The TL body (length bytes). */
  body: Buffer
  padding: number
}

/**
 * Opens an E2E blob: key_fingerprint ‖ msg_key ‖ AES-IGE(length ‖ body ‖ padding), checking the
 * fingerprint, msg_key (2.0: SHA-256 middle bits over key[88+x..] ‖ plaintext with padding; 1.0:
 * SHA-1 low bits over length ‖ body, x = 0) and the padding range. Throws if anything fails.
 */
export function openE2e(key: Uint8Array, blob: Uint8Array, x: 0 | 8, version: 1 | 2): OpenedE2e {
  if (fingerprintRef(key) !== Buffer.from(blob).readBigInt64LE(0)) throw new Error('fingerprint')
  const plain = decryptRawRef(key, blob, version === 1 ? 0 : x, version)
  const length = plain.readUInt32LE(0)
  if (4 + length > plain.length) throw new Error('length')
  const msgKey = Buffer.from(blob.subarray(8, 24))
  const expect = version === 2
    ? sha256(Buffer.concat([key.subarray(88 + x, 120 + x), plain])).subarray(8, 24)
    : sha1(plain.subarray(0, 4 + length)).subarray(4, 20)
  if (!msgKey.equals(expect)) throw new Error('msg_key')
  const padding = plain.length - 4 - length
  if (version === 2 ? padding < 12 || padding > 1024 : padding > 15) throw new Error('padding')
  return { length, body: plain.subarray(4, 4 + length), padding }
}

/** Seals `body` (serialized TL) as an E2E blob with random padding (12..27 for 2.0). */
export function sealE2e(key: Uint8Array, body: Uint8Array, x: 0 | 8, version: 1 | 2): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32LE(body.length)
  const inner = Buffer.concat([len, body])
  const pad = version === 2 ? 12 + ((16 - ((inner.length + 12) % 16)) % 16) : (16 - (inner.length % 16)) % 16
  return encryptRef(key, inner, randomBytes(pad), version === 1 ? 0 : x, version)
}

/** The fields of decryptedMessageLayer#1be31789, read by hand from a TL body. */
export function readLayer(body: Uint8Array): { randomBytes: number; layer: number; inSeq: number; outSeq: number; messageId: number } {
  const b = Buffer.from(body)
  if (b.readUInt32LE(0) !== 0x1be31789) throw new Error('not decryptedMessageLayer')
  const n = b[4] // random_bytes < 254 bytes: 1-byte length
  const off = 4 + ((1 + n + 3) & ~3)
  return { randomBytes: n, layer: b.readInt32LE(off), inSeq: b.readInt32LE(off + 4), outSeq: b.readInt32LE(off + 8), messageId: b.readUInt32LE(off + 12) }
}
