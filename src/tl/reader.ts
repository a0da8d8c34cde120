/**
 * Binary TL reader. Every read is bounds-checked against `end` and fails with a
 * `TlDecodeError` carrying the offset; nothing is allocated from a length the data claims
 * before that length is checked against the bytes actually present. `bytes`, `int128` and
 * `int256` are zero-copy views into the input.
 */
import { ID_BOOL_FALSE, ID_BOOL_TRUE, ID_GZIP_PACKED, ID_VECTOR, type TlCodec, type TlReadFn } from './codec.js'
import { checkCodec, checkTlBytes, TlDecodeError } from './errors.js'
import { gunzipBounded } from './gzip.js'
import { utf8Decode } from './utf8.js'
import { TlError, type ErrorCode } from '../errors.js'

export interface TlReaderOptions {
  /** Deepest nesting of objects and vectors (default 64). */
  maxDepth?: number
  /** Total bytes all gzip_packed in one read may inflate to (default 16 MiB). */
  maxGzipSize?: number
  /**
   * Most objects, vector elements and byte views (`bytes`, `int128`, `int256`: a view is a heap
   * object too) one read may create, gzip_packed contents included. Default `TL_MAX_OBJECTS`;
   * `TL_MAX_OBJECTS_UNTRUSTED` where the peer is not trusted (a server reading clients'
   * requests). Bytes bound what is read, not what it becomes: 16 KiB of gzip inflate to 16 MiB
   * of 4-byte constructors, millions of objects (~160 MiB of heap). A vector's count is charged
   * before its array is made. Past the budget: `TlDecodeError` E_TL_BUDGET.
   */
  maxObjects?: number
}

/**
 * Default `maxObjects` (2^19): 6x the largest real answer measured (contacts.getContacts of
 * 10 000 users: 84 764; a 200-sticker messages.stickerSet: 5 024; test/tl/budget.test.ts).
 * At most ~35 MiB of heap in the worst shapes measured (vectors of `secureData`, three views each).
 */
export const TL_MAX_OBJECTS = 524_288 // 2^19
/** `maxObjects` where the peer is not trusted (2^16, 13x that sticker set): at most ~4 MiB of heap. */
export const TL_MAX_OBJECTS_UNTRUSTED = 65_536 // 2^16

/**
 * Limits for what an untrusted peer sends (a server reading clients' requests): the object
 * budget above, and gzip_packed inflating to at most 1 MiB. Inflating costs CPU per output byte
 * (~5-10 ms per MiB measured here), and 1 KiB of gzip inflates to 1 MiB: the 16 MiB default
 * would let a 16 KiB packet cost a server 50-270 ms. A client's largest requests (an
 * importContacts of thousands) stay far below.
 */
export const TL_UNTRUSTED: Readonly<TlReaderOptions> = /* @__PURE__ */ Object.freeze({ maxObjects: TL_MAX_OBJECTS_UNTRUSTED, maxGzipSize: 1_048_576 })

const hex8 = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0')

/** Shared by a reader and the readers it spawns (gzip_packed, sub): one gzip and one object budget. */
interface Shared {
  readonly maxDepth: number
  gzipLeft: number
  readonly maxObjects: number
  objectsLeft: number
}

/** Checks reader options; returns the shared state for a new read. */
function sharedFor(options: TlReaderOptions | undefined): Shared {
  if (options === undefined) return { maxDepth: 64, gzipLeft: 16 << 20, maxObjects: TL_MAX_OBJECTS, objectsLeft: TL_MAX_OBJECTS }
  // frozen options cannot change: the last ones checked are not checked again (a session
  // reads every message with the same options)
  const c = lastChecked
  if (options === c.options) return { maxDepth: c.maxDepth, gzipLeft: c.gzipLeft, maxObjects: c.maxObjects, objectsLeft: c.maxObjects }
  const s = checkOptions(options)
  if (Object.isFrozen(options)) lastChecked = { options, ...s }
  return s
}

let lastChecked: Shared & { options: TlReaderOptions | undefined } = { options: undefined, maxDepth: 0, gzipLeft: 0, maxObjects: 0, objectsLeft: 0 }

function checkOptions(options: TlReaderOptions): Shared {
  if (typeof options !== 'object' || options === null) throw new TlError('E_OPTION', 'options must be an object')
  const int = (v: number | undefined, name: string, dflt: number, max: number): number => {
    if (v === undefined) return dflt
    if (!Number.isInteger(v) || v < 0 || v > max) throw new TlError('E_OPTION', `options.${name} must be an integer in 0..${max}, got ${String(v)}`)
    return v
  }
  const maxObjects = int(options.maxObjects, 'maxObjects', TL_MAX_OBJECTS, 2 ** 31)
  return {
    maxDepth: int(options.maxDepth, 'maxDepth', 64, 4096),
    gzipLeft: int(options.maxGzipSize, 'maxGzipSize', 16 << 20, 2 ** 31),
    maxObjects,
    objectsLeft: maxObjects,
  }
}

/**
 * Whether the engine compiles `BigInt.asIntN(64, hi << 32n | lo)` to plain 64-bit integer
 * operations: V8 from 11 (Node 20) does, and there it beats `DataView.getBigInt64` (a builtin
 * call); V8 10 (Node 18, Debian's on ARM boards) runs each BigInt operation in the runtime, five
 * allocations per long, where getBigInt64 makes one. Measured per long (x64, median of rounds):
 * Node 18 537 ns vs 49 ns, Node 20 32 vs 50 ns, Node 26 13 vs 14 ns. Engines other than V8 (and
 * V8 in a browser, where its version is not at hand) take getBigInt64, which no engine is slow at.
 */
const BIGINT64_LOWERED: boolean = /* @__PURE__ */ (() => {
  const v8 = (globalThis as { process?: { versions?: { v8?: unknown } } }).process?.versions?.v8
  return typeof v8 === 'string' && parseInt(v8, 10) >= 11
})()

/** A long by BigInt arithmetic on its halves (V8 >= 11 compiles it to 64-bit integer operations). */
function longLowered(this: TlReader): bigint {
  const p = this.advance(8)
  const dv = this.view
  return BigInt.asIntN(64, (BigInt(dv.getUint32(p + 4, true)) << 32n) | BigInt(dv.getUint32(p, true)))
}

/** A long by DataView.getBigInt64 (one allocation, where V8 10 makes five with the arithmetic). */
function longDataView(this: TlReader): bigint {
  const p = this.advance(8)
  return this.view.getBigInt64(p, true)
}

export class TlReader {
  readonly data: Uint8Array
  readonly codec: TlCodec | null
  /** Next byte to read. */
  pos: number
  /** Reads never go at or past this index (narrowed while a sized body is read; do not set). */
  end: number
  /** Offset of `data[0]` in the outermost input, so errors name absolute offsets. */
  readonly base: number
  private readonly dv: DataView
  private readonly shared: Shared
  /** Current nesting; a spawned reader starts at its parent's. Kept here, not in `shared`: hot. */
  private depth: number
  private readonly maxDepth: number
  private readonly table: Record<number, TlReadFn>

  /**
   * Reads `data[start, end)` with the constructors of `codec` (null: primitives only).
   * `base` and `depth` (and passing a `Shared` as options) are for readers this one spawns.
   */
  constructor(codec: TlCodec | null, data: Uint8Array, options?: TlReaderOptions | Shared, start = 0, end?: number, base = 0, depth = 0) {
    checkCodec(codec, true)
    checkTlBytes(data, 'data')
    if (end === undefined) end = data.length
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || start > end) throw new TlError('E_OPTION', 'start and end must be integers, 0 <= start <= end')
    this.codec = codec
    this.data = data
    this.pos = start
    this.end = Math.min(end, data.length)
    this.base = base
    this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength)
    this.table = tableFor(codec)
    this.shared = options && typeof options === 'object' && 'objectsLeft' in options ? options : sharedFor(options)
    this.depth = depth
    this.maxDepth = this.shared.maxDepth
  }

  /** Throws a `TlDecodeError` at `at` (default: the current position). */
  fail(code: ErrorCode<'TlError'>, message: string, at = this.pos): never {
    throw new TlDecodeError(code, message, this.base + at)
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos
  }

  private need(n: number): void {
    if (this.pos + n > this.end) this.fail('E_TL_TRUNCATED', `need ${n} bytes, ${this.end - this.pos} left`)
  }

  /** Checks that `n` bytes are left and moves past them; returns where they start. */
  advance(n: number): number {
    this.need(n)
    const p = this.pos
    this.pos = p + n
    return p
  }

  /** A DataView of `data` (offsets as `pos`). */
  get view(): DataView {
    return this.dv
  }

  int(): number {
    this.need(4)
    const v = this.dv.getInt32(this.pos, true)
    this.pos += 4
    return v
  }

  uint(): number {
    this.need(4)
    const v = this.dv.getUint32(this.pos, true)
    this.pos += 4
    return v
  }

  /** Next uint32 without consuming it, or -1 if fewer than 4 bytes are left. */
  peekUint(): number {
    return this.pos + 4 > this.end ? -1 : this.dv.getUint32(this.pos, true)
  }

  /** A TL long (int64) as a bigint. */
  readonly long: (this: TlReader) => bigint = BIGINT64_LOWERED ? longLowered : longDataView

  double(): number {
    this.need(8)
    const v = this.dv.getFloat64(this.pos, true)
    this.pos += 8
    return v
  }

  /** `n` raw bytes (a view: a heap object of its own, charged to the object budget). */
  raw(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0) this.fail('E_TL_LENGTH', `invalid length ${String(n)}`)
    this.need(n)
    if (--this.shared.objectsLeft < 0) this.overBudget(this.pos)
    const v = this.data.subarray(this.pos, this.pos + n)
    this.pos += n
    return v
  }

  int128(): Uint8Array {
    return this.raw(16)
  }

  int256(): Uint8Array {
    return this.raw(32)
  }

  /** Length of the payload the last span() found. */
  private spanLen = 0

  /** Start of the next `bytes`/`string` payload; advances past its padding. */
  private span(): number {
    const at = this.pos
    this.need(1)
    const b = this.data
    let len = b[at]
    let head = 1
    if (len === 254) {
      this.need(4)
      len = b[at + 1] | (b[at + 2] << 8) | (b[at + 3] << 16)
      head = 4
    } else if (len === 255) this.fail('E_TL_LENGTH', 'invalid length prefix 0xff', at)
    const total = (head + len + 3) & ~3
    if (at + total > this.end) this.fail('E_TL_LENGTH', `length prefix ${len} runs past the end of the buffer`, at)
    this.pos = at + total
    this.spanLen = len
    return at + head
  }

  /** A `bytes` value (a view into the input: a heap object of its own, charged to the object budget). */
  bytes(): Uint8Array {
    if (--this.shared.objectsLeft < 0) this.overBudget(this.pos)
    const start = this.span()
    return this.data.subarray(start, start + this.spanLen)
  }

  /** Skips a `bytes` value and returns its length (no view made: for fields only their length matters in). */
  skipBytes(): number {
    this.span()
    return this.spanLen
  }

  string(): string {
    const start = this.span()
    return utf8Decode(this.data, start, start + this.spanLen)
  }

  bool(): boolean {
    const id = this.uint()
    if (id === ID_BOOL_TRUE) return true
    if (id === ID_BOOL_FALSE) return false
    return this.fail('E_TL_BAD_BOOL', `expected Bool, got ${hex8(id)}`, this.pos - 4)
  }

  /** Enters one nesting level (objects, vectors); pair with `leave()`. */
  enter(): void {
    if (++this.depth > this.maxDepth) this.fail('E_TL_DEPTH', `nesting deeper than ${this.maxDepth}`)
  }

  leave(): void {
    this.depth--
  }

  /**
   * A boxed object of any type: looks the id up in the codec. `gzip_packed` is inflated and
   * read transparently, `Bool` gives a boolean, and a boxed vector of objects gives an array.
   */
  object(): any {
    const at = this.pos
    const id = this.uint()
    // gzip_packed is read transparently even when the codec also knows it as a constructor
    const f = id === ID_GZIP_PACKED ? undefined : this.table[id]
    if (f !== undefined) {
      this.enter()
      if (--this.shared.objectsLeft < 0) this.overBudget(at)
      const o = f(this)
      this.depth--
      return o
    }
    return this.special(id, at)
  }

  private special(id: number, at: number): any {
    switch (id) {
      case ID_GZIP_PACKED:
        return this.gzipped((r) => r.object())
      case ID_BOOL_TRUE:
        return true
      case ID_BOOL_FALSE:
        return false
      case ID_VECTOR: {
        const n = this.count(4)
        if (n === 0) return []
        const next = this.peekUint()
        if (!this.isKnown(next)) this.fail('E_TL_UNTYPED_VECTOR', 'a vector of primitives cannot be read without its type', at)
        return this.bareVector(readObject, n)
      }
    }
    return this.fail('E_TL_UNKNOWN_CONSTRUCTOR', `unknown constructor ${hex8(id)}`, at)
  }

  private isKnown(id: number): boolean {
    return this.table[id] !== undefined || id === ID_GZIP_PACKED || id === ID_BOOL_TRUE || id === ID_BOOL_FALSE
  }

  /**
   * For `rpc_result.result` (whose type depends on the request, unknown here): an object if
   * the next id is a known constructor, else the raw bytes up to `end` for the caller to
   * decode with the method's result type (a `Vector<long>`, say).
   */
  objectOrRaw(): unknown {
    const id = this.peekUint()
    if (id === ID_GZIP_PACKED) {
      this.pos += 4
      return this.gzipped((r) => r.objectOrRaw())
    }
    const f = this.table[id]
    if (f !== undefined) {
      this.pos += 4
      this.enter()
      if (--this.shared.objectsLeft < 0) this.overBudget(this.pos - 4)
      const o = f(this)
      this.depth--
      return o
    }
    if (id === ID_BOOL_TRUE || id === ID_BOOL_FALSE) return this.object()
    return this.raw(this.end - this.pos)
  }

  /** Inflates a gzip_packed payload (its id already read) and reads it with `fn`. */
  gzipped<T>(fn: (r: TlReader) => T): T {
    const at = this.pos
    const packed = this.bytes()
    let plain: Uint8Array
    try {
      plain = gunzipBounded(packed, this.shared.gzipLeft)
    } catch (e) {
      if (e instanceof TlError) this.fail(e.code, e.message, at)
      throw e
    }
    this.shared.gzipLeft -= plain.length
    this.enter()
    // offsets inside inflated data are relative to it; name the gzip_packed's offset as base
    const r = new TlReader(this.codec, plain, this.shared, 0, plain.length, this.base + at, this.depth)
    const v = fn(r)
    this.depth--
    return v
  }

  /**
   * A vector count, checked against the bytes left (each element takes at least `minSize`)
   * and charged to the object budget (each element is a value in the array made for it).
   */
  count(minSize: number): number {
    if (!Number.isInteger(minSize)) throw new TlError('E_TYPE', 'minSize must be an integer')
    const at = this.pos
    const n = this.uint()
    if (n * (minSize > 0 ? minSize : 1) > this.end - this.pos) {
      this.fail('E_TL_VECTOR_COUNT', `vector count ${n} exceeds what ${this.end - this.pos} bytes can hold`, at)
    }
    if ((this.shared.objectsLeft -= n) < 0) this.overBudget(at)
    return n
  }

  /** Objects, vector elements and byte views this read (and the readers it spawned) created so far. */
  get objectCount(): number {
    return this.shared.maxObjects - Math.max(0, this.shared.objectsLeft)
  }

  private overBudget(at: number): never {
    return this.fail('E_TL_BUDGET', `more than ${this.shared.maxObjects} objects, vector elements and byte views (options.maxObjects)`, at)
  }

  /** A boxed `Vector<T>`: vector id, count, elements read by `fn`. */
  vector<T>(fn: (r: TlReader) => T, minSize = 4): T[] {
    const at = this.pos
    const id = this.uint()
    if (id !== ID_VECTOR) {
      if (id === ID_GZIP_PACKED) return this.gzipped((r) => r.vector(fn, minSize))
      this.fail('E_TL_UNEXPECTED_CONSTRUCTOR', `expected a vector, got ${hex8(id)}`, at)
    }
    return this.bareVector(fn, this.count(minSize))
  }

  /** The vector id and a checked count (a boxed `Vector<T>` header). */
  private vectorHead(minSize: number): number {
    const at = this.pos
    const id = this.uint()
    if (id !== ID_VECTOR) this.fail('E_TL_UNEXPECTED_CONSTRUCTOR', `expected a vector, got ${hex8(id)}`, at)
    return this.count(minSize)
  }

  // Boxed vectors of the common element types, each with its own loop: the element read is a
  // direct, inlinable call instead of one shared, megamorphic `fn(this)`.

  /** `Vector<long>` */
  longs(): bigint[] {
    const n = this.vectorHead(8)
    const out: bigint[] = []
    for (let i = 0; i < n; i++) out.push(this.long())
    return out
  }

  /** `Vector<int>` */
  ints(): number[] {
    const n = this.vectorHead(4)
    const out: number[] = []
    for (let i = 0; i < n; i++) out.push(this.int())
    return out
  }

  /** `Vector<string>` */
  strings(): string[] {
    const n = this.vectorHead(4)
    const out: string[] = []
    for (let i = 0; i < n; i++) out.push(this.string())
    return out
  }

  /** `Vector<bytes>` */
  bytesVector(): Uint8Array[] {
    const n = this.vectorHead(4)
    const out: Uint8Array[] = []
    for (let i = 0; i < n; i++) out.push(this.bytes())
    return out
  }

  /** `Vector<T>` of a boxed type. */
  objects(): any[] {
    const n = this.vectorHead(4)
    this.enter()
    const out: unknown[] = []
    for (let i = 0; i < n; i++) out.push(this.object())
    this.depth--
    return out
  }

  /** A bare `vector<T>` body: `n` elements (use `count()` to read a checked `n`). */
  bareVector<T>(fn: (r: TlReader) => T, n: number): T[] {
    if (typeof fn !== 'function') throw new TlError('E_TYPE', 'fn must be a function')
    // every element takes at least a byte: a larger n is not from count()
    if (!Number.isInteger(n) || n < 0 || n > this.end - this.pos) this.fail('E_TL_VECTOR_COUNT', `vector count ${String(n)} exceeds what ${this.end - this.pos} bytes can hold`)
    this.enter()
    const out = new Array<T>(n)
    for (let i = 0; i < n; i++) out[i] = fn(this)
    this.depth--
    return out
  }

  /**
   * Reads the next `len` bytes (a length the data gave, checked here) with `fn`, which must
   * consume exactly them: `message`'s `bytes:int body:Object`. The reader's `end` is narrowed
   * meanwhile instead of allocating a sub-reader (containers hold hundreds of messages).
   */
  sized<T>(len: number, fn: (r: TlReader) => T): T {
    if (typeof fn !== 'function') throw new TlError('E_TYPE', 'fn must be a function')
    const end = this.narrow(len)
    const v = fn(this)
    this.widen(len, end)
    return v
  }

  /** `sized(len, r => r.objectOrRaw())` without a closure per call. */
  sizedObjectOrRaw(len: number): unknown {
    const end = this.narrow(len)
    const v = this.objectOrRaw()
    this.widen(len, end)
    return v
  }

  private narrow(len: number): number {
    if (!Number.isInteger(len) || len < 0 || this.pos + len > this.end) this.fail('E_TL_LENGTH', `length ${String(len)} runs past the end of the buffer`, this.pos - 4)
    const end = this.end
    this.end = this.pos + len
    return end
  }

  private widen(len: number, end: number): void {
    if (this.pos !== this.end) this.fail('E_TL_LENGTH', `body declared ${len} bytes, ${this.end - this.pos} left unread`)
    this.end = end
  }

  /** A reader over the next `len` bytes (same codec and limits); this reader skips them. */
  sub(len: number): TlReader {
    if (!Number.isInteger(len) || len < 0 || this.pos + len > this.end) this.fail('E_TL_LENGTH', `length ${String(len)} runs past the end of the buffer`)
    const r = new TlReader(this.codec, this.data, this.shared, this.pos, this.pos + len, this.base, this.depth)
    this.pos += len
    return r
  }
}

const readObject = (r: TlReader): any => r.object()

/**
 * The codec's readers keyed by id in a plain object: ids are uint32 array indices there, which
 * V8 looks up without boxing, where a Map keyed by ids above 2^30 hashes heap numbers.
 */
const tables = new WeakMap<TlCodec, Record<number, TlReadFn>>()
function tableFor(codec: TlCodec | null): Record<number, TlReadFn> {
  if (codec === null) return EMPTY_TABLE
  if (codec === lastCodec) return lastTable
  let t = tables.get(codec)
  if (t === undefined) {
    t = Object.create(null) as Record<number, TlReadFn>
    for (const [id, f] of codec.readers) t[id >>> 0] = f
    tables.set(codec, t)
  }
  lastCodec = codec
  lastTable = t
  return t
}
const EMPTY_TABLE: Record<number, TlReadFn> = Object.create(null)
/** The codec tableFor() was last asked for, and its table (one WeakMap lookup fewer per read). */
let lastCodec: TlCodec | null = null
let lastTable: Record<number, TlReadFn> = EMPTY_TABLE
