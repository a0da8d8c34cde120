/**
 * The little ASN.1 DER that RSA and DH keys need: lengths, unsigned INTEGERs, SEQUENCEs, and a
 * bounds-checked reader. Malformed input raises `CryptoError` `E_DER` with the offset.
 */
import { CryptoError } from '../../errors.js'
import { stripLeadingZeros } from './convert.js'

export const TAG_INTEGER = 0x02
export const TAG_BIT_STRING = 0x03
export const TAG_OCTET_STRING = 0x04
export const TAG_NULL = 0x05
export const TAG_OID = 0x06
export const TAG_SEQUENCE = 0x30

export function derLength(n: number): number[] {
  if (n < 0x80) return [n]
  const b: number[] = []
  for (let x = n; x > 0; x = Math.floor(x / 256)) b.unshift(x & 255)
  return [0x80 | b.length, ...b]
}

function tlv(tag: number, body: Uint8Array): Uint8Array {
  const len = derLength(body.length)
  const out = new Uint8Array(1 + len.length + body.length)
  out[0] = tag
  out.set(len, 1)
  out.set(body, 1 + len.length)
  return out
}

/** An unsigned big-endian number as a DER INTEGER (minimal, with a 0x00 when the top bit is set). */
export function derInteger(unsigned: Uint8Array): Uint8Array {
  const v = stripLeadingZeros(unsigned.length ? unsigned : Uint8Array.of(0))
  if (v[0] & 0x80) {
    const w = new Uint8Array(v.length + 1)
    w.set(v, 1)
    return tlv(TAG_INTEGER, w)
  }
  return tlv(TAG_INTEGER, v)
}

export function derSequence(...parts: Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const body = new Uint8Array(n)
  let o = 0
  for (const p of parts) {
    body.set(p, o)
    o += p.length
  }
  return tlv(TAG_SEQUENCE, body)
}

export function derOctetString(body: Uint8Array): Uint8Array {
  return tlv(TAG_OCTET_STRING, body)
}

export function derBitString(body: Uint8Array): Uint8Array {
  const b = new Uint8Array(body.length + 1)
  b.set(body, 1)
  return tlv(TAG_BIT_STRING, b)
}

/** A DER reader over `data[pos, end)`. */
export class DerReader {
  constructor(readonly data: Uint8Array, public pos = 0, readonly end = data.length) {}

  private fail(msg: string): never {
    throw new CryptoError('E_DER', `malformed DER at offset ${this.pos}: ${msg}`)
  }

  get done(): boolean {
    return this.pos >= this.end
  }

  /** Reads one element with `tag`; returns a reader over its body. */
  read(tag: number): DerReader {
    if (this.pos + 2 > this.end) this.fail('truncated element')
    const t = this.data[this.pos]
    if (t !== tag) this.fail(`expected tag 0x${tag.toString(16)}, got 0x${t.toString(16)}`)
    let len = this.data[this.pos + 1]
    let p = this.pos + 2
    if (len & 0x80) {
      const k = len & 0x7f
      if (k === 0 || k > 4 || p + k > this.end) this.fail('bad length')
      len = 0
      for (let i = 0; i < k; i++) len = len * 256 + this.data[p + i]
      p += k
    }
    if (p + len > this.end) this.fail('length beyond the data')
    this.pos = p + len
    return new DerReader(this.data, p, p + len)
  }

  /** The body bytes of this reader (a view). */
  bytes(): Uint8Array {
    return this.data.subarray(this.pos, this.end)
  }

  /** An INTEGER that must be non-negative; returned without leading zeros. */
  uint(): Uint8Array {
    const b = this.read(TAG_INTEGER).bytes()
    if (b.length === 0 || b[0] & 0x80) this.fail('negative or empty INTEGER')
    return stripLeadingZeros(b)
  }

  /** Skips one element of any tag. */
  skip(): void {
    if (this.pos >= this.end) this.fail('nothing to skip')
    this.read(this.data[this.pos])
  }
}

/**
 * The INTEGER inside a SubjectPublicKeyInfo's BIT STRING (a DH public value): SEQUENCE {
 * AlgorithmIdentifier, BIT STRING { 0x00, INTEGER y } }.
 */
export function readSpkiInteger(der: Uint8Array): Uint8Array {
  const spki = new DerReader(der).read(TAG_SEQUENCE)
  spki.read(TAG_SEQUENCE)
  const bits = spki.read(TAG_BIT_STRING)
  if (bits.data[bits.pos] !== 0) throw new CryptoError('E_DER', 'BIT STRING with unused bits')
  bits.pos++
  return bits.uint()
}
