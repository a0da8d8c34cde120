/**
 * A `CryptoCore` over one instance of a WASM flavour. Inputs are copied into the scratch
 * region, processed in place by one WASM call per chunk of at most SCRATCH_SIZE bytes (IGE and
 * the hashes carry their state across chunks inside WASM memory), and copied out: one copy in,
 * one copy out, no allocation inside WASM. Key material in the fixed slots is zeroed after
 * every call; CTR streams own a slot that `dispose()` zeroes and frees.
 */
import { CryptoError } from '../../errors.js'
import type { AuthKeyState } from '../authkey.js'
import { composeEnvelope } from '../js/mtproto.js'
import type { CryptoCore, CtrCore } from '../types.js'
import { DIGEST, ENV_AUTH, ENV_ID, ENV_QACK, IV, KEY, SCRATCH, SCRATCH_SIZE, SLOT_SIZE, SLOTS } from './layout.js'

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

/** assembly/mtproto.ts's call flag: the host wrote the msg_key hash at DIGEST (MTProto 2.0). */
const ENV_HOST_HASH = 4

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

/** Builds the core for one AES implementation (`ct` needs a SIMD flavour). */
export function makeCore(inst: WasmInstance, backend: string, aes: 'ct' | 'table'): CryptoCore {
  const e = inst.e
  const ct = aes === 'ct'
  const keyEnc = (ct ? e.ctExpandEnc : e.tabKeyEnc) as Fn0
  const keyDec = (ct ? e.ctExpandDec : e.tabKeyDec) as Fn0
  const igeEnc = (ct ? e.ctIgeEncrypt : e.tabIgeEncrypt) as Fn2
  const igeDec = (ct ? e.ctIgeDecrypt : e.tabIgeDecrypt) as Fn2
  const igeEncOnce = (ct ? e.ctIgeEncryptOnce : e.tabIgeEncryptOnce) as (len: number) => void
  const igeDecOnce = (ct ? e.ctIgeDecryptOnce : e.tabIgeDecryptOnce) as (len: number) => void
  const ctrInit = (ct ? e.ctCtrInit : e.tabCtrInit) as (slot: number) => void
  const ctrProcess = (ct ? e.ctCtrProcess : e.tabCtrProcess) as (slot: number, ptr: number, len: number) => void
  if (!keyEnc || !keyDec || !igeEnc || !igeDec || !igeEncOnce || !igeDecOnce || !ctrInit || !ctrProcess) {
    throw new CryptoError('E_BACKEND_UNAVAILABLE', `${backend}: this WASM flavour has no ${aes} AES core`)
  }

  /** Copies data through the scratch region chunk by chunk, calling `run(len)` on each. */
  function stream(data: Uint8Array, out: Uint8Array, run: (len: number) => void): void {
    const n = data.length
    for (let off = 0; off < n; off += SCRATCH_SIZE) {
      const len = Math.min(SCRATCH_SIZE, n - off)
      const m = inst.mem()
      m.set(len === n ? data : data.subarray(off, off + len), SCRATCH)
      run(len)
      out.set(inst.scratch(len), off)
    }
  }

  function ige(data: Uint8Array, key: Uint8Array, iv: Uint8Array, out: Uint8Array, once: (len: number) => void, schedule: Fn0, run: Fn2): void {
    const m = inst.mem()
    const n = data.length
    m.set(key, KEY)
    m.set(iv, IV)
    if (n <= SCRATCH_SIZE) {
      // the common case (MTProto messages): one WASM call does schedule, IGE and the wipe
      m.set(data, SCRATCH)
      once(n)
      out.set(inst.scratch(n))
      return
    }
    schedule()
    stream(data, out, (len) => run(SCRATCH, len))
    e.wipe()
  }

  /** Hashes `data` (streaming through the scratch region if long); digest left at DIGEST. */
  function hash(data: Uint8Array, oneShot: Fn2, init: Fn0, blocks: Fn2, final: (p: number, l: number, t: bigint) => void): void {
    const n = data.length
    const m = inst.mem()
    if (n <= SCRATCH_SIZE) {
      m.set(data, SCRATCH)
      oneShot(SCRATCH, n)
    } else {
      init()
      let off = 0
      for (; n - off > SCRATCH_SIZE; off += SCRATCH_SIZE) {
        m.set(data.subarray(off, off + SCRATCH_SIZE), SCRATCH)
        blocks(SCRATCH, SCRATCH_SIZE >>> 6)
      }
      m.set(data.subarray(off), SCRATCH)
      final(SCRATCH, n - off, BigInt(n))
    }
  }

  /** Moves the digest out of WASM memory (into `out`, or a new array) and zeroes it there. */
  function digest(size: number, out?: Uint8Array): Uint8Array {
    inst.mem()
    const v = inst.digest(size)
    const d = out ?? new Uint8Array(size)
    d.set(v) // a cached view and one copy: ~70 ns less than byte loops per hash
    v.fill(0)
    return d
  }

  const base: CryptoCore = {
    backend,
    igeEncrypt: (data, key, iv, out) => ige(data, key, iv, out, igeEncOnce, keyEnc, igeEnc),
    igeDecrypt: (data, key, iv, out) => ige(data, key, iv, out, igeDecOnce, keyDec, igeDec),
    sha256(data) {
      hash(data, e.sha256, e.sha256Init, e.sha256Blocks, e.sha256Final)
      return digest(32)
    },
    sha1(data) {
      hash(data, e.sha1, e.sha1Init, e.sha1Blocks, e.sha1Final)
      return digest(20)
    },
    sha256Into(data, out) {
      hash(data, e.sha256, e.sha256Init, e.sha256Blocks, e.sha256Final)
      digest(32, out)
    },
    sha1Into(data, out) {
      hash(data, e.sha1, e.sha1Init, e.sha1Blocks, e.sha1Final)
      digest(20, out)
    },
    ctrCreate(key, iv): CtrCore {
      let slot = inst.alloc()
      const m = inst.mem()
      m.set(key, KEY)
      m.set(iv, IV)
      ctrInit(slot)
      e.wipe()
      const stream_: CtrCore & { readonly slot: number } = {
        get slot() {
          return slot
        },
        process(data, out) {
          if (slot < 0) throw new CryptoError('E_DISPOSED', 'this AES-CTR stream was disposed')
          if (data.length === 0) return
          stream(data, out, (len) => ctrProcess(slot, SCRATCH, len))
        },
        dispose() {
          if (slot < 0) return
          inst.release(slot, stream_)
          slot = -1
        },
      }
      inst.track(stream_, slot)
      return stream_
    },
  }

  // The fused envelope: one WASM call per message up to SCRATCH_SIZE bytes of plaintext; longer
  // messages take the composed path over this core's streaming primitives (byte-identical).
  const composed = composeEnvelope(base)
  const ctFlag = ct ? 1 : 0
  let viaComposed = false // where the last message went, for takeMsgKeyHead
  base.encryptMessage = (s, inner, pad, padOff, padLen, x, flags, out) => {
    const n = inner.length + padLen
    viaComposed = n > SCRATCH_SIZE
    if (viaComposed) return composed.encryptMessage(s, inner, pad, padOff, padLen, x, flags, out)
    encrypt(s, inner, pad, padOff, padLen, x, flags, out, undefined)
  }
  base.takeMsgKeyHead = () => {
    if (viaComposed) return composed.takeMsgKeyHead()
    const m = inst.mem()
    const h = (m[ENV_QACK] | (m[ENV_QACK + 1] << 8) | (m[ENV_QACK + 2] << 16) | (m[ENV_QACK + 3] << 24)) >>> 0
    m.fill(0, ENV_QACK, ENV_QACK + 4)
    return h
  }
  function encrypt(
    s: AuthKeyState, inner: Uint8Array, pad: Uint8Array, padOff: number, padLen: number,
    x: number, flags: number, out: Uint8Array, sha256: ((d: Uint8Array) => Uint8Array) | undefined,
  ): void {
    const il = inner.length
    const n = il + padLen
    inst.loadKey(s)
    const m = inst.mem()
    m.set(inner, SCRATCH)
    for (let i = 0, p = SCRATCH + il; i < padLen; i++) m[p + i] = pad[padOff + i]
    if (sha256) {
      // msg_key's hash by the host, over key slice ‖ inner ‖ padding where they lie (the header
      // WASM writes over the slice afterwards)
      m.set(s.msgKeySalt[x >> 3], SCRATCH - 32)
      hostHash(sha256, n)
      flags |= ENV_HOST_HASH
    }
    e.envEncrypt(SCRATCH, x, flags, il, n, ctFlag)
    // the packet [SCRATCH-24, SCRATCH+n) is public: no wipe needed
    out.set(inst.packet(n))
  }
  /** SHA-256 of [SCRATCH-32, SCRATCH+n) by `sha256`, written to DIGEST (WASM zeroes it after use). */
  function hostHash(sha256: (d: Uint8Array) => Uint8Array, n: number): void {
    const d = sha256(inst.hashed(n))
    inst.mem().set(d, DIGEST)
    d.fill(0)
  }
  base.decryptMessage = (s, packet, x, flags, out) => {
    const total = packet.length
    viaComposed = total - 24 > SCRATCH_SIZE
    if (viaComposed) {
      const r = composed.decryptMessage(s, packet, x, flags, out)
      inst.mem().fill(0, SCRATCH, SCRATCH + SCRATCH_SIZE) // the primitives' last chunk of plaintext
      return r
    }
    putPacket(s, packet, SCRATCH)
    return decrypted(e.envDecrypt(SCRATCH, x, flags, total, ctFlag), out, total)
  }
  /** The key at ENV_AUTH and the packet at [ptr-24, ...), a packet shorter than 24 bytes zero-filled to there. */
  function putPacket(s: AuthKeyState, packet: Uint8Array, ptr: number): void {
    inst.loadKey(s)
    const m = inst.mem()
    if (packet.length < 24) m.fill(0, ptr - 24, ptr)
    m.set(packet, ptr - 24)
  }
  function decrypted(r: number, out: Uint8Array, total: number): number {
    if (r > 0) {
      out.set(inst.inner(r))
      // the plaintext must not stay in WASM memory (WASM already zeroed it on failure)
      inst.mem().fill(0, SCRATCH, SCRATCH + total - 24)
    }
    return r
  }
  // The same with the msg_key hash by the host (a native SHA-256), over the bytes where they lie
  // in WASM memory: everything else stays in WASM (the composed path would also copy the
  // plaintext out and back and run the KDF and IGE in several calls). Decryption takes two
  // calls around the hash.
  base.hashedMax = SCRATCH_SIZE
  base.encryptMessageHashed = (s, inner, pad, padOff, padLen, x, flags, out, sha256) => {
    viaComposed = false
    encrypt(s, inner, pad, padOff, padLen, x, flags, out, sha256)
  }
  base.decryptMessageHashed = (s, packet, x, flags, out, sha256) => {
    viaComposed = false
    const total = packet.length
    putPacket(s, packet, SCRATCH)
    const fail = e.envDecryptOpen(SCRATCH, x, flags, total, ctFlag)
    hostHash(sha256, total >= 24 ? (total - 24) & ~15 : 0)
    return decrypted(e.envDecryptClose(SCRATCH, x, flags, total, fail), out, total)
  }

  // Batches of up to 4 messages interleaved in the constant-time core (SIMD flavours): one call
  // per message prepares it (hash, KDF, schedule), one call runs the four IGE chains side by
  // side, and (decryption) one call per message finishes the checks. The messages sit one after
  // another in the scratch region, each with 32 bytes of header room before it.
  const encPrep = e.envEncryptPrepare
  const encRun = e.envEncryptBatch
  const decPrep = e.envDecryptPrepare
  const decRun = e.envDecryptBatch
  const decFin = e.envDecryptFinish
  if (ct && encPrep && encRun && decPrep && decRun && decFin) {
    const ptrs = [0, 0, 0, 0]
    const fails = [0, 0, 0, 0]
    const room = (len: number): number => ((len + 15) & ~15) + 32
    base.encryptBatch = (jobs, count) => {
      let need = 0
      for (let i = 0; i < count; i++) need += room(jobs[i].inner.length + jobs[i].padLen)
      if (need > SCRATCH_SIZE) {
        for (let i = 0; i < count; i++) {
          const j = jobs[i]
          base.encryptMessage!(j.key, j.inner, j.pad, j.padOff, j.padLen, j.x, j.flags, j.out)
        }
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
        encPrep(i, ptr, j.x, j.flags, il, n)
        ptrs[i] = ptr
        ptr += room(n)
      }
      encRun(count)
      const m = inst.mem()
      for (let i = 0; i < count; i++) {
        const j = jobs[i]
        const n = j.inner.length + j.padLen
        j.out.set(m.subarray(ptrs[i] - 24, ptrs[i] + n))
      }
    }
    base.decryptBatch = (jobs, count, results) => {
      let need = 0
      for (let i = 0; i < count; i++) need += room(Math.max(0, jobs[i].packet.length - 24))
      if (need > SCRATCH_SIZE) {
        for (let i = 0; i < count; i++) {
          const j = jobs[i]
          results[i] = base.decryptMessage!(j.key, j.packet, j.x, j.flags, j.out)
        }
        return
      }
      let ptr = SCRATCH
      for (let i = 0; i < count; i++) {
        const j = jobs[i]
        const total = j.packet.length
        putPacket(j.key, j.packet, ptr)
        fails[i] = decPrep(i, ptr, j.x, j.flags, total)
        ptrs[i] = ptr
        ptr += room(Math.max(0, total - 24))
      }
      decRun(count)
      for (let i = 0; i < count; i++) {
        const j = jobs[i]
        // the key again (each finish recomputes msg_key with its own message's key)
        inst.loadKey(j.key)
        const r = decFin(ptrs[i], j.x, j.flags, j.packet.length, fails[i])
        if (r > 0) j.out.set(inst.mem().subarray(ptrs[i], ptrs[i] + r))
        results[i] = r
      }
      // no plaintext stays in WASM memory (failed ones were zeroed by WASM already)
      inst.mem().fill(0, SCRATCH, ptr)
    }
  }
  return base
}
