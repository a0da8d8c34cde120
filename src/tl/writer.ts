/**
 * Binary TL writer. It owns a buffer that doubles when full (amortised linear, no quadratic
 * copying), or writes into a caller's buffer and fails with E_TL_OVERFLOW when that is full.
 * Values are checked as they are written: a wrong type or an out-of-range number raises a
 * `TlEncodeError` instead of being silently wrapped or truncated.
 */
import { ID_BOOL_FALSE, ID_BOOL_TRUE, ID_VECTOR, type TlCodec, type TlWriteFn } from './codec.js'
import { TlEncodeError } from './errors.js'
import { utf8EncodeInto, utf8Length, utf8Write } from './utf8.js'

const MIN_I64 = -0x8000000000000000n // -(2^63)
const MAX_U64 = 0xffffffffffffffffn // 2^64 - 1
/** The largest `bytes` a 3-byte length prefix can describe. */
const MAX_BYTES = 0xffffff
/**
 * Strings of at least this many UTF-16 units go to TextEncoder.encodeInto (one native pass,
 * vectorized for ASCII), below it to a length pass and a copy loop, which win while the call's
 * fixed cost dominates (measured on Node 18-26: the two meet between 24 and 48 units).
 */
const LONG_STRING = 32

export class TlWriter {
  readonly codec: TlCodec | null
  /** The buffer being written; replaced when it grows. */
  buf: Uint8Array
  /** Next byte to write. */
  pos = 0
  private dv: DataView
  private readonly fixed: boolean
  private readonly table: Record<string, Entry | undefined>

  /**
   * @param target a capacity to start with (grows as needed), or a caller's buffer to fill
   *   (never replaced: writing past its end throws E_TL_OVERFLOW)
   */
  constructor(codec: TlCodec | null, target: number | Uint8Array = 256) {
    this.codec = codec
    this.fixed = typeof target !== 'number'
    this.buf = typeof target === 'number' ? new Uint8Array(Math.max(16, target)) : target
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
    this.table = tableFor(codec)
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    if (this.fixed) throw new TlEncodeError('E_TL_OVERFLOW', `the output buffer (${this.buf.length} bytes) is too small`)
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n))
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.dv = new DataView(next.buffer)
  }

  /** Starts over (keeps the buffer). */
  reset(): this {
    this.pos = 0
    return this
  }

  /** The bytes written so far, as a view of the buffer (valid until the next write or reset). */
  result(): Uint8Array {
    return this.buf.subarray(0, this.pos)
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }

  int(v: number): void {
    if ((v | 0) !== v && (v >>> 0) !== v) throw bad('int', v)
    this.ensure(4)
    this.dv.setInt32(this.pos, v | 0, true)
    this.pos += 4
  }

  uint(v: number): void {
    this.int(v)
  }

  long(v: bigint): void {
    if (typeof v !== 'bigint' || v < MIN_I64 || v > MAX_U64) throw bad('long', v)
    this.ensure(8)
    this.dv.setBigInt64(this.pos, v, true)
    this.pos += 8
  }

  double(v: number): void {
    if (typeof v !== 'number') throw bad('double', v)
    this.ensure(8)
    this.dv.setFloat64(this.pos, v, true)
    this.pos += 8
  }

  raw(v: Uint8Array): void {
    if (!(v instanceof Uint8Array)) throw bad('raw bytes', v)
    this.ensure(v.length)
    this.buf.set(v, this.pos)
    this.pos += v.length
  }

  int128(v: Uint8Array): void {
    if (!(v instanceof Uint8Array) || v.length !== 16) throw bad('int128 (16 bytes)', v)
    this.raw(v)
  }

  int256(v: Uint8Array): void {
    if (!(v instanceof Uint8Array) || v.length !== 32) throw bad('int256 (32 bytes)', v)
    this.raw(v)
  }

  /** Writes a length prefix for `len` payload bytes, making room for the padded whole. */
  private head(len: number): void {
    if (len > MAX_BYTES) throw new TlEncodeError('E_TL_ENCODE', `bytes/string of ${len} bytes exceeds the TL limit of ${MAX_BYTES}`)
    // room for the prefix, the payload and exactly its padding (a caller's buffer may fit it exactly)
    if (len < 254) {
      this.ensure(1 + len + (-(1 + len) & 3))
      this.buf[this.pos++] = len
    } else {
      this.ensure(4 + len + (-len & 3))
      const c = this.buf
      c[this.pos] = 254
      c[this.pos + 1] = len
      c[this.pos + 2] = len >> 8
      c[this.pos + 3] = len >> 16
      this.pos += 4
    }
  }

  /** Zero padding up to a multiple of 4 after `total` bytes of prefix and payload. */
  private pad(total: number): void {
    while (total & 3) {
      this.buf[this.pos++] = 0
      total++
    }
  }

  bytes(v: Uint8Array): void {
    if (!(v instanceof Uint8Array)) throw bad('bytes', v)
    const len = v.length
    this.head(len)
    this.buf.set(v, this.pos)
    this.pos += len
    this.pad(len + (len < 254 ? 1 : 4))
  }

  string(v: string): void {
    if (typeof v !== 'string') {
      if ((v as unknown) instanceof Uint8Array) return this.bytes(v as unknown as Uint8Array)
      throw bad('string', v)
    }
    if (v.length >= LONG_STRING && this.longString(v)) return
    const len = utf8Length(v)
    this.head(len)
    utf8Write(v, len, this.buf, this.pos)
    this.pos += len
    this.pad(len + (len < 254 ? 1 : 4))
  }

  /**
   * A long string, encoded once, straight into the buffer after a 4-byte length slot (no length
   * pass): room for its ASCII size first, more as the encoder reports it ran out; then the
   * prefix, moving a short result 3 bytes back to sit behind a 1-byte one. False, having written
   * nothing, where a caller's buffer lacks that room: the exact path then fits it or overflows.
   */
  private longString(v: string): boolean {
    const n = v.length
    // every UTF-16 unit is at least one byte of UTF-8
    if (n > MAX_BYTES) throw new TlEncodeError('E_TL_ENCODE', `bytes/string of at least ${n} bytes exceeds the TL limit of ${MAX_BYTES}`)
    const head = this.pos
    // (a caller's buffer needs room for ASCII's length behind a 4-byte slot; the padding is checked at the end)
    if (this.fixed && head + 4 + n > this.buf.length) return false
    this.ensure(4 + n)
    let at = head + 4
    for (let read = 0; ; ) {
      const r = utf8EncodeInto(read === 0 ? v : v.slice(read), this.buf, at)
      read += r.read
      at += r.written
      if (read === n) break
      if (this.fixed) return false
      // out of room: the rest needs at most 3 bytes per unit (a pair, 2 units, takes 4)
      this.pos = at
      this.ensure(3 * (n - read) + 3)
      this.pos = head
    }
    const len = at - head - 4
    if (len > MAX_BYTES) throw new TlEncodeError('E_TL_ENCODE', `bytes/string of ${len} bytes exceeds the TL limit of ${MAX_BYTES}`)
    const c = this.buf
    if (len < 254) {
      c.copyWithin(head + 1, head + 4, at)
      c[head] = len
      this.pos = head + 1 + len
    } else {
      c[head] = 254
      c[head + 1] = len
      c[head + 2] = len >> 8
      c[head + 3] = len >> 16
      this.pos = at
    }
    const total = len + (len < 254 ? 1 : 4)
    this.ensure(-total & 3)
    this.pad(total)
    return true
  }

  bool(v: boolean): void {
    if (typeof v !== 'boolean') throw bad('Bool', v)
    this.int(v ? ID_BOOL_TRUE : ID_BOOL_FALSE)
  }

  /**
   * A boxed object of any type: id and fields, by its `_` name in the codec. A `Uint8Array`
   * is taken as an already-serialized object and copied as is; a boolean is written as Bool.
   */
  object(o: unknown): void {
    if (o instanceof Uint8Array) return this.raw(o)
    if (typeof o === 'boolean') return this.bool(o)
    if (o === null || typeof o !== 'object') throw bad('TL object', o)
    const name = (o as { _: string })._
    const e = typeof name === 'string' ? this.table[name] : undefined
    if (e === undefined) throw new TlEncodeError('E_TL_UNKNOWN_CONSTRUCTOR', `unknown constructor ${JSON.stringify(name)}`)
    this.int(e.id)
    e.write(this, o)
  }

  /** The fields of `o` only (a bare object, `%T`). */
  bareObject(o: { _: string }): void {
    if (o === null || typeof o !== 'object') throw bad('TL object', o)
    const f = this.codec?.writers[o._]
    if (f === undefined) throw new TlEncodeError('E_TL_UNKNOWN_CONSTRUCTOR', `unknown constructor ${JSON.stringify(o._)}`)
    f(this, o)
  }

  /** A boxed `Vector<T>`. */
  vector<T>(fn: (w: TlWriter, v: T) => void, items: readonly T[]): void {
    this.int(ID_VECTOR)
    this.bareVector(fn, items)
  }

  /** The vector id and count of a boxed `Vector<T>`. */
  private vectorHead(items: readonly unknown[]): void {
    if (!Array.isArray(items)) throw bad('vector (array)', items)
    this.int(ID_VECTOR)
    this.int(items.length)
  }

  // Boxed vectors of the common element types, each with its own (inlinable) element write.

  /** `Vector<long>` */
  longs(items: readonly bigint[]): void {
    this.vectorHead(items)
    for (let i = 0; i < items.length; i++) this.long(items[i])
  }

  /** `Vector<int>` */
  ints(items: readonly number[]): void {
    this.vectorHead(items)
    for (let i = 0; i < items.length; i++) this.int(items[i])
  }

  /** `Vector<string>` */
  strings(items: readonly string[]): void {
    this.vectorHead(items)
    for (let i = 0; i < items.length; i++) this.string(items[i])
  }

  /** `Vector<bytes>` */
  bytesVector(items: readonly Uint8Array[]): void {
    this.vectorHead(items)
    for (let i = 0; i < items.length; i++) this.bytes(items[i])
  }

  /** `Vector<T>` of a boxed type. */
  objects(items: readonly unknown[]): void {
    this.vectorHead(items)
    for (let i = 0; i < items.length; i++) this.object(items[i])
  }

  /** A bare `vector<T>`: count and elements. */
  bareVector<T>(fn: (w: TlWriter, v: T) => void, items: readonly T[]): void {
    if (!Array.isArray(items)) throw bad('vector (array)', items)
    this.int(items.length)
    for (let i = 0; i < items.length; i++) fn(this, items[i])
  }

  /**
   * Raises E_TL_UNKNOWN_FIELD: `o` has a field its constructor lacks (generated writers check
   * every key before writing, so that a misspelled optional field is not silently dropped).
   */
  unknownField(o: { _: string }, key: string): never {
    const flags = /^flags\d*$/.test(key) ? ' (flags:# fields are computed from the optional fields that are set)' : ''
    throw new TlEncodeError('E_TL_UNKNOWN_FIELD', `${o._} has no field ${JSON.stringify(key)}${flags}`)
  }

  /** Reserves a 4-byte slot to fill later with `patchInt` (a length not known yet). */
  reserveInt(): number {
    this.ensure(4)
    const at = this.pos
    this.pos += 4
    return at
  }

  patchInt(at: number, v: number): void {
    this.dv.setInt32(at, v, true)
  }
}

function bad(what: string, v: unknown): TlEncodeError {
  const shown = typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `Uint8Array(${v.length})` : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : String(v)
  return new TlEncodeError('E_TL_ENCODE', `expected ${what}, got ${typeof v} ${shown}`)
}

/** A constructor's id and field writer, found with one lookup by name. */
interface Entry {
  readonly id: number
  readonly write: TlWriteFn
}

const tables = new WeakMap<TlCodec, Record<string, Entry | undefined>>()
function tableFor(codec: TlCodec | null): Record<string, Entry | undefined> {
  if (codec === null) return EMPTY_TABLE
  let t = tables.get(codec)
  if (t === undefined) {
    t = Object.create(null) as Record<string, Entry | undefined>
    for (const name in codec.writers) {
      const id = codec.ids[name]
      if (id !== undefined) t[name] = { id: id | 0, write: codec.writers[name] }
    }
    tables.set(codec, t)
  }
  return t
}
const EMPTY_TABLE: Record<string, Entry | undefined> = Object.create(null)
