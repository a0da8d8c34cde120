/**
 * A `CryptoCore` over one instance of a WASM flavour. Inputs are copied into the scratch
 * region, processed in place by one WASM call per chunk of at most SCRATCH_SIZE bytes (IGE and
 * the hashes carry their state across chunks inside WASM memory), and copied out: one copy in,
 * one copy out, no allocation inside WASM. Key material in the fixed slots is zeroed after
 * every call; CTR streams own a slot that `dispose()` zeroes and frees.
 */
import { readU32LE } from '../../bytes.js'
import { CryptoError } from '../../errors.js'
import type { AuthKeyState } from '../authkey.js'
import { ENV_HOST_HASH, ENV_TOKEN } from '../flags.generated.js'
import type { CryptoCore, CtrCore, DecryptJob, EncryptJob, Sha256 } from '../types.js'
import { DIGEST, ENV_AUTH, ENV_ID, ENV_QACK, IV, KEY, SCRATCH, SCRATCH_SIZE, SLOT_SIZE, SLOTS } from './layout.generated.js'

type Fn0 = () => void

/** FinalizationRegistry (ES2021; the project's lib is ES2020), where the runtime has it. */
interface Registry<T> {
  register(target: object, held: T, token?: object): void
  unregister(token: object): void
}
const Finalizer = (globalThis as { FinalizationRegistry?: new <T>(cb: (held: T) => void) => Registry<T> }).FinalizationRegistry
type Fn2 = (ptr: number, len: number) => void

/** The module's exports (assembly/index.ts, plus the ct* functions in the SIMD flavours). */
export interface WasmExports {
  memory: WebAssembly.Memory
  init: Fn0
  wipe: Fn0
  slotClear: (slot: number) => void
  tabKeyEnc: Fn0
  tabKeyDec: Fn0
  tabIgeEncrypt: Fn2
  tabIgeDecrypt: Fn2
  tabIgeEncryptOnce: (len: number) => void
  tabIgeDecryptOnce: (len: number) => void
  tabCtrInit: (slot: number) => void
  tabCtrProcess: (slot: number, ptr: number, len: number) => void
  sha256: Fn2
  sha256Init: Fn0
  sha256Blocks: Fn2
  sha256Final: (ptr: number, len: number, total: bigint) => void
  sha1: Fn2
  sha1Init: Fn0
  sha1Blocks: Fn2
  sha1Final: (ptr: number, len: number, total: bigint) => void
  ctInit?: Fn0
  ctExpandEnc?: Fn0
  ctExpandDec?: Fn0
  ctIgeEncrypt?: Fn2
  ctIgeDecrypt?: Fn2
  ctIgeEncryptOnce?: (len: number) => void
  ctIgeDecryptOnce?: (len: number) => void
  ctCtrInit?: (slot: number) => void
  ctCtrProcess?: (slot: number, ptr: number, len: number) => void
  // the fused envelope (assembly/mtproto.ts); `ct` is 1 for the constant-time core
  envEncrypt: (ptr: number, x: number, flags: number, innerLen: number, n: number, ct: number) => void
  envDecrypt: (ptr: number, x: number, flags: number, total: number, ct: number) => number
  envDecryptOpen: (ptr: number, x: number, flags: number, total: number, ct: number) => number
  envDecryptClose: (ptr: number, x: number, flags: number, total: number, fail: number) => number
  // batches (SIMD flavours, constant-time core only)
  envEncryptPrepare?: (i: number, ptr: number, x: number, flags: number, innerLen: number, n: number) => void
  envEncryptBatch?: (count: number) => void
  envDecryptPrepare?: (i: number, ptr: number, x: number, flags: number, total: number) => number
  envDecryptBatch?: (count: number) => void
  envDecryptFinish?: (ptr: number, x: number, flags: number, total: number, fail: number) => number
  /** Benchmarks only: the batch IGE over prepared slots without the wipe, and the wipe. */
  envBatchIge?: (count: number, enc: number) => void
  envBatchWipe?: Fn0
}

/** One instantiated flavour: its memory view and the CTR slot allocator, shared by both cores. */
export class WasmInstance {
  readonly e: WasmExports
  private u8: Uint8Array
  private free: number[] = []
  private next = 0
  private readonly registry?: Registry<number>

  constructor(exports: WasmExports) {
    this.e = exports
    this.u8 = new Uint8Array(exports.memory.buffer)
    exports.init()
    exports.ctInit?.()
    // a stream dropped without dispose(): zero and recycle its slot when the GC collects it
    if (Finalizer) this.registry = new Finalizer<number>((slot) => this.release(slot))
  }

  /** The memory as bytes; re-created after growth detached the previous buffer. */
  mem(): Uint8Array {
    if (this.u8.byteLength === 0) this.refresh()
    return this.u8
  }

  // Views of SCRATCH[0, n) for n a multiple of 16 up to 64 KiB, made once: creating a view
  // costs about as much as the AES work of a 256-byte message.
  private views: Uint8Array[] = []

  /** SCRATCH[0, n) as a view (call after mem(), which re-creates views after growth). */
  scratch(n: number): Uint8Array {
    if ((n & 15) !== 0 || n > 65536) return this.u8.subarray(SCRATCH, SCRATCH + n)
    return (this.views[n >> 4] ??= this.u8.subarray(SCRATCH, SCRATCH + n))
  }

  private digestViews: Uint8Array[] = []

  /** DIGEST[0, size) as a view, made once (call after mem()). */
  digest(size: number): Uint8Array {
    return (this.digestViews[size] ??= this.u8.subarray(DIGEST, DIGEST + size))
  }

  // the envelope's views, made once per size: packets [SCRATCH-24, SCRATCH+n) by n / 16, inner
  // messages [SCRATCH, SCRATCH+r) by r / 4
  private packetViews: Uint8Array[] = []
  private innerViews: Uint8Array[] = []

  /** [SCRATCH-24, SCRATCH+n): an encrypted packet (n a multiple of 16). */
  packet(n: number): Uint8Array {
    if (n > 65536) return this.u8.subarray(SCRATCH - 24, SCRATCH + n)
    return (this.packetViews[n >> 4] ??= this.u8.subarray(SCRATCH - 24, SCRATCH + n))
  }

  /** [SCRATCH, SCRATCH+r): a decrypted inner message (r a multiple of 4). */
  inner(r: number): Uint8Array {
    if (r > 65536) return this.u8.subarray(SCRATCH, SCRATCH + r)
    return (this.innerViews[r >> 2] ??= this.u8.subarray(SCRATCH, SCRATCH + r))
  }

  private hashedViews: Uint8Array[] = []

  /** [SCRATCH-32, SCRATCH+n): key slice ‖ plaintext, for a host hash (n a multiple of 16). */
  hashed(n: number): Uint8Array {
    if (n > 65536) return this.u8.subarray(SCRATCH - 32, SCRATCH + n)
    return (this.hashedViews[n >> 4] ??= this.u8.subarray(SCRATCH - 32, SCRATCH + n))
  }

  /** The auth key now at ENV_AUTH (cached across messages), and the keys whose dispose() clears it. */
  private envKey: AuthKeyState | undefined
  private hooked = new WeakSet<AuthKeyState>()

  /** Puts `s` at ENV_AUTH / ENV_ID unless it is already there. */
  loadKey(s: AuthKeyState): void {
    if (this.envKey === s) return
    const m = this.mem()
    m.set(s.key, ENV_AUTH)
    m.set(s.id, ENV_ID)
    this.envKey = s
    if (!this.hooked.has(s)) this.hook(s)
  }

  // Apart from loadKey, which runs once per message: a function that creates a closure allocates
  // the closure's context on every call, even when it returns before reaching it, unless V8
  // inlines the call (48 bytes per message once two flavours shared this code and it did not).
  private hook(s: AuthKeyState): void {
    this.hooked.add(s)
    s.onDispose.push(() => {
      if (this.envKey === s) this.clearKey()
    })
  }

  /** Zeroes the cached auth key. */
  clearKey(): void {
    this.mem().fill(0, ENV_AUTH, ENV_ID + 8)
    this.envKey = undefined
  }

  private refresh(): void {
    this.u8 = new Uint8Array(this.e.memory.buffer)
    this.views = []
    this.digestViews = []
    this.hashedViews = []
    this.packetViews = []
    this.innerViews = []
  }

  /** Address of a free CTR slot, growing the memory when all are taken. */
  alloc(): number {
    let slot = this.free.pop()
    if (slot === undefined) {
      const capacity = Math.floor((this.e.memory.buffer.byteLength - SLOTS) / SLOT_SIZE)
      if (this.next >= capacity) {
        const pages = this.e.memory.buffer.byteLength >>> 16
        try {
          this.e.memory.grow(Math.max(1, pages >>> 3))
        } catch {
          throw new CryptoError('E_OUT_OF_MEMORY', 'cannot grow WebAssembly memory for another AES-CTR stream')
        }
        this.refresh()
      }
      slot = SLOTS + SLOT_SIZE * this.next++
    }
    return slot
  }

  /** Ties `slot` to the object users hold, so that dropping it undisposed still frees the slot. */
  track(owner: object, slot: number): void {
    this.registry?.register(owner, slot, owner)
  }

  /** Zeroes a slot and makes it available again. */
  release(slot: number, owner?: object): void {
    this.e.slotClear(slot)
    if (owner) this.registry?.unregister(owner)
    this.free.push(slot)
  }

  /** Streams counted as live (for tests). */
  get liveSlots(): number {
    return this.next - this.free.length
  }
}

/** The exports of one AES implementation: the table core, or the constant-time one (SIMD flavours). */
interface AesExports {
  keyEnc: Fn0
  keyDec: Fn0
  igeEnc: Fn2
  igeDec: Fn2
  igeEncOnce: (len: number) => void
  igeDecOnce: (len: number) => void
  ctrInit: (slot: number) => void
  ctrProcess: (slot: number, ptr: number, len: number) => void
}

function aesExports(e: WasmExports, ct: boolean, backend: string): AesExports {
  const a = ct
    ? { keyEnc: e.ctExpandEnc, keyDec: e.ctExpandDec, igeEnc: e.ctIgeEncrypt, igeDec: e.ctIgeDecrypt, igeEncOnce: e.ctIgeEncryptOnce, igeDecOnce: e.ctIgeDecryptOnce, ctrInit: e.ctCtrInit, ctrProcess: e.ctCtrProcess }
    : { keyEnc: e.tabKeyEnc, keyDec: e.tabKeyDec, igeEnc: e.tabIgeEncrypt, igeDec: e.tabIgeDecrypt, igeEncOnce: e.tabIgeEncryptOnce, igeDecOnce: e.tabIgeDecryptOnce, ctrInit: e.tabCtrInit, ctrProcess: e.tabCtrProcess }
  for (const f of Object.values(a)) {
    if (typeof f !== 'function') throw new CryptoError('E_BACKEND_UNAVAILABLE', `${backend}: this WASM flavour has no ${ct ? 'ct' : 'table'} AES core`)
  }
  return a as AesExports
}

/** Bytes a message takes in a batch: its plaintext rounded up to 16, and 32 bytes of header room. */
const batchRoom = (plain: number): number => ((plain + 15) & ~15) + 32

/**
 * The `CryptoCore` of one AES implementation (`ct`: constant-time, SIMD flavours only) over a
 * shared instance. Every call puts its input in the scratch region (a longer one streams
 * through it), runs, copies the result out and leaves no key material behind.
 */
export class WasmCore implements CryptoCore {
  readonly fusedMax = SCRATCH_SIZE
  readonly encryptBatch?: (jobs: readonly EncryptJob[], count: number) => void
  readonly decryptBatch?: (jobs: readonly DecryptJob[], count: number, results: Int32Array) => void
  private readonly e: WasmExports
  private readonly aes: AesExports
  /** assembly/mtproto.ts's `ct` argument: 1 for the constant-time core. */
  private readonly ctFlag: number
  // where each message of the last batch lies in the scratch region, and each decryption's
  // partial failure mask between its prepare and finish calls
  private readonly ptrs = [0, 0, 0, 0]
  private readonly fails = [0, 0, 0, 0]

  constructor(private readonly inst: WasmInstance, readonly backend: string, ct: boolean) {
    this.e = inst.e
    this.aes = aesExports(inst.e, ct, backend)
    this.ctFlag = ct ? 1 : 0
    // Batches of up to 4 messages interleaved in the constant-time core (SIMD flavours).
    const e = inst.e
    if (ct && e.envEncryptPrepare && e.envEncryptBatch && e.envDecryptPrepare && e.envDecryptBatch && e.envDecryptFinish) {
      this.encryptBatch = (jobs, count) => this.runEncryptBatch(jobs, count)
      this.decryptBatch = (jobs, count, results) => this.runDecryptBatch(jobs, count, results)
    }
  }

  igeEncrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array): void {
    this.ige(data, key, iv, out, true)
  }

  igeDecrypt(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array): void {
    this.ige(data, key, iv, out, false)
  }

  private ige(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array, enc: boolean): void {
    const { inst, aes } = this
    const m = inst.mem()
    const n = data.length
    m.set(key, KEY)
    m.set(iv, IV)
    if (n <= SCRATCH_SIZE) {
      // the common case (MTProto messages): one WASM call does schedule, IGE and the wipe
      m.set(data, SCRATCH)
      ;(enc ? aes.igeEncOnce : aes.igeDecOnce)(n)
      out.set(inst.scratch(n))
      return
    }
    ;(enc ? aes.keyEnc : aes.keyDec)()
    const run = enc ? aes.igeEnc : aes.igeDec
    for (let off = 0; off < n; off += SCRATCH_SIZE) {
      const len = Math.min(SCRATCH_SIZE, n - off)
      inst.mem().set(data.subarray(off, off + len), SCRATCH)
      run(SCRATCH, len)
      out.set(inst.scratch(len), off)
    }
    this.e.wipe()
  }

  sha256(data: Uint8Array): Uint8Array {
    this.hash(data, true)
    return this.digest(32, new Uint8Array(32))
  }

  sha1(data: Uint8Array): Uint8Array {
    this.hash(data, false)
    return this.digest(20, new Uint8Array(20))
  }

  sha256Into(data: Uint8Array, out: Uint8Array): void {
    this.hash(data, true)
    this.digest(32, out)
  }

  sha1Into(data: Uint8Array, out: Uint8Array): void {
    this.hash(data, false)
    this.digest(20, out)
  }

  /** Hashes `data` (streaming through the scratch region if long); digest left at DIGEST. */
  private hash(data: Uint8Array, sha256: boolean): void {
    const e = this.e
    const n = data.length
    const m = this.inst.mem()
    if (n <= SCRATCH_SIZE) {
      m.set(data, SCRATCH)
      ;(sha256 ? e.sha256 : e.sha1)(SCRATCH, n)
      return
    }
    ;(sha256 ? e.sha256Init : e.sha1Init)()
    const blocks = sha256 ? e.sha256Blocks : e.sha1Blocks
    let off = 0
    for (; n - off > SCRATCH_SIZE; off += SCRATCH_SIZE) {
      m.set(data.subarray(off, off + SCRATCH_SIZE), SCRATCH)
      blocks(SCRATCH, SCRATCH_SIZE >>> 6)
    }
    m.set(data.subarray(off), SCRATCH)
    ;(sha256 ? e.sha256Final : e.sha1Final)(SCRATCH, n - off, BigInt(n))
  }

  /** Moves the digest out of WASM memory into `out` and zeroes it there. */
  private digest(size: number, out: Uint8Array): Uint8Array {
    this.inst.mem()
    const v = this.inst.digest(size)
    out.set(v) // a cached view and one copy: ~70 ns less than byte loops per hash
    v.fill(0)
    return out
  }

  ctrCreate(key: Uint8Array, iv: Uint8Array): CtrCore {
    return new WasmCtr(this.inst, this.aes, key, iv)
  }

  /**
   * The fused envelope (assembly/mtproto.ts): the plaintext inner ‖ padding at SCRATCH, one
   * call, the packet [SCRATCH-24, SCRATCH+n) out. With `hostSha256`, msg_key's hash is the
   * host's, over key slice ‖ inner ‖ padding where they lie (WASM then writes the packet header
   * over the slice).
   */
  encryptMessage(job: EncryptJob, hostSha256?: Sha256): void {
    const { inst } = this
    const { inner, pad, padOff, padLen } = job
    const il = inner.length
    const n = il + padLen
    inst.loadKey(job.key)
    const m = inst.mem()
    m.set(inner, SCRATCH)
    for (let i = 0, p = SCRATCH + il; i < padLen; i++) m[p + i] = pad[padOff + i]
    let flags = job.flags
    if (hostSha256) {
      m.set(job.key.msgKeySalt[job.x >> 3], SCRATCH - 32)
      this.hostHash(hostSha256, n)
      flags |= ENV_HOST_HASH
    }
    this.e.envEncrypt(SCRATCH, job.x, flags, il, n, this.ctFlag)
    // the packet [SCRATCH-24, SCRATCH+n) is public: no wipe needed
    job.out.set(inst.packet(n))
    if (flags & ENV_TOKEN) job.msgKeyHead = this.takeMsgKeyHead()
  }

  decryptMessage(job: DecryptJob, hostSha256?: Sha256): number {
    const { e } = this
    const { x, flags } = job
    const total = job.packet.length
    this.putPacket(job, SCRATCH)
    let r: number
    if (hostSha256) {
      // two calls around the host's hash of key slice ‖ plaintext, where they lie
      const fail = e.envDecryptOpen(SCRATCH, x, flags, total, this.ctFlag)
      this.hostHash(hostSha256, total >= 24 ? (total - 24) & ~15 : 0)
      r = e.envDecryptClose(SCRATCH, x, flags, total, fail)
    } else r = e.envDecrypt(SCRATCH, x, flags, total, this.ctFlag)
    if (r > 0) {
      job.out.set(this.inst.inner(r))
      // the plaintext must not stay in WASM memory (WASM already zeroed it on failure)
      this.inst.mem().fill(0, SCRATCH, SCRATCH + total - 24)
    }
    if (flags & ENV_TOKEN) job.msgKeyHead = this.takeMsgKeyHead()
    return r
  }

  /** msg_key_large[0:4] of the last call with ENV_TOKEN (WASM left it at ENV_QACK), zeroed there. */
  private takeMsgKeyHead(): number {
    const m = this.inst.mem()
    const h = readU32LE(m, ENV_QACK)
    m.fill(0, ENV_QACK, ENV_QACK + 4)
    return h
  }

  /** SHA-256 of [SCRATCH-32, SCRATCH+n) by `sha256`, written to DIGEST (WASM zeroes it after use). */
  private hostHash(sha256: Sha256, n: number): void {
    const d = sha256(this.inst.hashed(n))
    this.inst.mem().set(d, DIGEST)
    d.fill(0)
  }

  /** The key at ENV_AUTH and the packet at [ptr-24, ...), a packet shorter than 24 bytes zero-filled to there. */
  private putPacket(job: DecryptJob, ptr: number): void {
    this.inst.loadKey(job.key)
    const m = this.inst.mem()
    if (job.packet.length < 24) m.fill(0, ptr - 24, ptr)
    m.set(job.packet, ptr - 24)
  }

  // Batches: one call per message prepares it (hash, KDF, schedule), one call runs the four IGE
  // chains side by side, and (decryption) one call per message finishes the checks. The
  // messages sit one after another in the scratch region, each with 32 bytes of header room
  // before it; a group that does not fit runs as single calls.

  private runEncryptBatch(jobs: readonly EncryptJob[], count: number): void {
    const { inst, e, ptrs } = this
    let need = 0
    for (let i = 0; i < count; i++) need += batchRoom(jobs[i].inner.length + jobs[i].padLen)
    if (need > SCRATCH_SIZE) {
      for (let i = 0; i < count; i++) this.encryptMessage(jobs[i])
      return
    }
    let ptr = SCRATCH
    for (let i = 0; i < count; i++) {
      const j = jobs[i]
      const il = j.inner.length
      const n = il + j.padLen
      inst.loadKey(j.key)
      const m = inst.mem()
      m.set(j.inner, ptr)
      for (let q = 0, p = ptr + il, pad = j.pad, o = j.padOff; q < j.padLen; q++) m[p + q] = pad[o + q]
      e.envEncryptPrepare!(i, ptr, j.x, j.flags, il, n)
      ptrs[i] = ptr
      ptr += batchRoom(n)
    }
    e.envEncryptBatch!(count)
    const m = inst.mem()
    for (let i = 0; i < count; i++) {
      const j = jobs[i]
      j.out.set(m.subarray(ptrs[i] - 24, ptrs[i] + j.inner.length + j.padLen))
    }
  }

  private runDecryptBatch(jobs: readonly DecryptJob[], count: number, results: Int32Array): void {
    const { inst, e, ptrs, fails } = this
    let need = 0
    for (let i = 0; i < count; i++) need += batchRoom(Math.max(0, jobs[i].packet.length - 24))
    if (need > SCRATCH_SIZE) {
      for (let i = 0; i < count; i++) results[i] = this.decryptMessage(jobs[i])
      return
    }
    let ptr = SCRATCH
    for (let i = 0; i < count; i++) {
      const j = jobs[i]
      const total = j.packet.length
      this.putPacket(j, ptr)
      fails[i] = e.envDecryptPrepare!(i, ptr, j.x, j.flags, total)
      ptrs[i] = ptr
      ptr += batchRoom(Math.max(0, total - 24))
    }
    e.envDecryptBatch!(count)
    for (let i = 0; i < count; i++) {
      const j = jobs[i]
      // the key again (each finish recomputes msg_key with its own message's key)
      inst.loadKey(j.key)
      const r = e.envDecryptFinish!(ptrs[i], j.x, j.flags, j.packet.length, fails[i])
      if (r > 0) j.out.set(inst.mem().subarray(ptrs[i], ptrs[i] + r))
      results[i] = r
    }
    // no plaintext stays in WASM memory (failed ones were zeroed by WASM already)
    inst.mem().fill(0, SCRATCH, ptr)
  }
}

/** An AES-256-CTR stream in a slot of its own in WASM memory; dispose() zeroes and frees the slot. */
class WasmCtr implements CtrCore {
  /** The slot's address in WASM memory; -1 once disposed. */
  slot: number

  constructor(private readonly inst: WasmInstance, private readonly aes: AesExports, key: Uint8Array, iv: Uint8Array) {
    this.slot = inst.alloc()
    const m = inst.mem()
    m.set(key, KEY)
    m.set(iv, IV)
    aes.ctrInit(this.slot)
    inst.e.wipe()
    // a stream dropped without dispose(): zero and recycle its slot when the GC collects it
    inst.track(this, this.slot)
  }

  process(data: Uint8Array, out: Uint8Array): void {
    const { inst, slot } = this
    if (slot < 0) throw new CryptoError('E_DISPOSED', 'this AES-CTR stream was disposed')
    const n = data.length
    for (let off = 0; off < n; off += SCRATCH_SIZE) {
      const len = Math.min(SCRATCH_SIZE, n - off)
      inst.mem().set(len === n ? data : data.subarray(off, off + len), SCRATCH)
      this.aes.ctrProcess(slot, SCRATCH, len)
      out.set(inst.scratch(len), off)
    }
  }

  dispose(): void {
    if (this.slot < 0) return
    this.inst.release(this.slot, this)
    this.slot = -1
  }
}
