/**
 * The fused WASM envelope (assembly/mtproto.ts via src/crypto/wasm/core.ts) against the composed
 * reference over the same core's primitives (src/crypto/js/mtproto.ts), called at the core
 * level so that inputs the public API would refuse (wrong length fields, padding out of range)
 * can make packets whose msg_key is right but whose other checks fail: packets and failure
 * masks must be identical. Plus its memory contract: temporaries zeroed after every call, no
 * plaintext left in WASM memory or `out`, the cached auth key zeroed by dispose(); and batches.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { authKeyState, createAuthKey } from '../../src/crypto/authkey.js'
import { createCryptoSync } from '../../src/crypto/create.js'
import { ENV_E2E, ENV_FAIL_MSG_KEY, ENV_V1 } from '../../src/crypto/flags.generated.js'
import { ComposedEnvelope, envMaxInner } from '../../src/crypto/js/mtproto.js'
import { _wasmInstance, availableFlavours, loadWasmCoreSync, type Flavour } from '../../src/crypto/wasm/index.js'
import { ENV_AUTH, ENV_ID, ENV_JOB4, ENV_MSGKEY, KEY, KEYS_END, SCRATCH, SCRATCH_SIZE, SHA_W, TMP } from '../../src/crypto/wasm/layout.generated.js'
import { SecurityError } from '../../src/errors.js'
import { prng } from '../wasm/cores.js'
import { cloudInner, decJob, encJob, SAMPLE_KEY } from './helpers.js'

const cases: { name: string; f: Flavour; aes: 'table' | 'constant-time' }[] = []
for (const f of availableFlavours()) {
  cases.push({ name: `${f}/table`, f, aes: 'table' })
  if (f !== 'none') cases.push({ name: `${f}/ct`, f, aes: 'constant-time' })
}
const FLAGS = [0, ENV_V1, ENV_E2E, ENV_V1 | ENV_E2E]
const rnd = prng(4242)

/** An inner message (any bytes; length field set to `lenField` at the layout's offset). */
function innerOf(size: number, flags: number, lenField?: number): Uint8Array {
  const m = rnd(size)
  const o = flags & ENV_E2E ? 0 : 28
  const hdr = o + 4
  new DataView(m.buffer).setUint32(o, lenField ?? Math.max(0, size - hdr), true)
  return m
}

/** A host SHA-256 for decryptMessageHashed (node:crypto's, as the Node provider's). */
const hostSha256 = (d: Uint8Array): Uint8Array => createHash('sha256').update(d).digest()

const allZero = (a: Uint8Array): boolean => a.every((b) => b === 0)
/** Whether WASM memory holds 16 bytes of `plain` from `at` (random bytes: only a leftover copy would match). */
const holds = (m: Uint8Array, plain: Uint8Array, at: number): boolean =>
  Buffer.from(m.buffer, m.byteOffset, m.length).indexOf(Buffer.from(plain.subarray(at, at + 16))) >= 0

describe.each(cases)('fused envelope $name', ({ f, aes }) => {
  const core = loadWasmCoreSync({ simd: f, aes })
  // the envelope composed from the same core's primitives: what its fused calls must equal
  const ref = new ComposedEnvelope(core)
  const mem = (): Uint8Array => _wasmInstance(f)!.mem()
  const key = createAuthKey(SAMPLE_KEY)
  const s = authKeyState(key)

  /** Temporaries and scratch plaintext are zero after a decryption of `total` bytes. */
  function expectClean(total: number): void {
    const n = total >= 24 ? (total - 24) & ~15 : 0
    const m = mem()
    expect(allZero(m.subarray(KEY, KEYS_END)), 'KEY..SHA pad').toBe(true)
    expect(allZero(m.subarray(SHA_W, TMP + 32)), 'SHA-1 schedule, AES temporaries').toBe(true)
    expect(allZero(m.subarray(ENV_MSGKEY, ENV_JOB4 + 32)), 'msg_key, KDF, batch slots').toBe(true)
    expect(allZero(m.subarray(SCRATCH - 32, SCRATCH - 24)), 'salt remainder').toBe(true)
    expect(allZero(m.subarray(SCRATCH, SCRATCH + n)), 'scratch').toBe(true)
  }

  it('encrypts byte-identically to the composed reference and decrypts its packets (2.0, 1.0, e2e; x = 0, 8)', () => {
    for (const flags of FLAGS) {
      const hdr = flags & ENV_E2E ? 4 : 32
      for (const size of [hdr, hdr + 4, 100, 252, 256, 1020, 4096, 65536 - 64]) {
        if (size < hdr) continue
        const inner = innerOf(size, flags)
        const padLen = flags & ENV_V1 ? (16 - (size & 15)) & 15 : 12 + ((16 - ((size + 12) & 15)) & 15)
        const pad = rnd(padLen + 7)
        for (const x of [0, 8]) {
          const total = 24 + size + padLen
          const a = new Uint8Array(total)
          const b = new Uint8Array(total)
          core.encryptMessage!(encJob(s, inner, pad, 7, padLen, x, flags, a))
          ref.encryptMessage(encJob(s, inner, pad, 7, padLen, x, flags, b))
          expect(Buffer.from(a).equals(Buffer.from(b)), `flags ${flags} size ${size} x ${x}`).toBe(true)
          if (!(flags & ENV_V1)) {
            const c = new Uint8Array(total)
            core.encryptMessage!(encJob(s, inner, pad, 7, padLen, x, flags, c), hostSha256)
            expect(Buffer.from(c).equals(Buffer.from(b)), 'with the host hash').toBe(true)
            const m = mem()
            expect(allZero(m.subarray(KEY, KEYS_END)), 'KEY..SHA pad').toBe(true)
            expect(allZero(m.subarray(SCRATCH - 32, SCRATCH - 24)), 'key slice').toBe(true)
          }
          const out = new Uint8Array(envMaxInner(total, flags))
          expect(core.decryptMessage!(decJob(s, a, x, flags, out))).toBe(size)
          expect(Buffer.from(out.subarray(0, size)).equals(Buffer.from(inner))).toBe(true)
          expectClean(total)
          if (size >= hdr + 16) expect(holds(mem(), inner, hdr)).toBe(false)
          if (flags & ENV_V1) continue
          // the same through the two-call path with the host's hash
          out.fill(0)
          expect(core.decryptMessage!(decJob(s, a, x, flags, out), hostSha256)).toBe(size)
          expect(Buffer.from(out.subarray(0, size)).equals(Buffer.from(inner))).toBe(true)
          expectClean(total)
          if (size >= hdr + 16) expect(holds(mem(), inner, hdr)).toBe(false)
        }
      }
    }
  })

  it('gives the reference failure mask for every violated check, leaving nothing in out or WASM memory', () => {
    const other = authKeyState(createAuthKey(rnd(256)))
    let failures = 0
    for (const flags of FLAGS) {
      const hdr = flags & ENV_E2E ? 4 : 32
      const packets: Uint8Array[] = []
      // msg_key right, other checks wrong: bad length fields, padding too short / too long
      const make = (size: number, lenField: number, padLen: number, k = s): void => {
        const p = new Uint8Array(24 + size + padLen)
        ref.encryptMessage(encJob(k, innerOf(size, flags, lenField), rnd(padLen), 0, padLen, 0, flags, p))
        packets.push(p)
      }
      make(hdr + 64, 64, 16)
      make(hdr + 64, 65, 16)
      make(hdr + 64, 1000, 16)
      make(hdr + 64, 0xfffffffc, 16)
      make(hdr + 64, 62, 16)
      make(hdr + 64, 64 - 16, 32)
      make(hdr + 12 - (hdr & 15), 12 - (hdr & 15), 16 - ((hdr + 12 - (hdr & 15)) & 15) || 16)
      make(hdr + 16, 16, 1040 - hdr)
      make(hdr + 16, 16, 1056 - hdr)
      make(hdr + 64, 64, 16, other)
      // shape and random damage
      const good = new Uint8Array(24 + hdr + 64 + 16)
      ref.encryptMessage(encJob(s, innerOf(hdr + 64, flags), rnd(16), 0, 16, 0, flags, good))
      packets.push(good.subarray(0, 0), good.subarray(0, 10), good.subarray(0, 24), good.subarray(0, 40), good.subarray(0, good.length - 4))
      for (let i = 0; i < 40; i++) {
        const p = good.slice()
        p[i % p.length] ^= 1 << (i & 7)
        packets.push(p)
      }
      for (let i = 0; i < 20; i++) packets.push(rnd(24 + 16 * (i % 6)))
      for (const p of packets) {
        const need = envMaxInner(p.length, flags)
        const o1 = new Uint8Array(need).fill(0xee)
        const o2 = new Uint8Array(need)
        // the reference first: its primitives leave their last chunk in the scratch region
        const r2 = ref.decryptMessage(decJob(s, p, 0, flags, o2))
        mem().fill(0, SCRATCH, SCRATCH + 4096)
        const r1 = core.decryptMessage!(decJob(s, p, 0, flags, o1))
        expect(r1, `flags ${flags} packet ${Buffer.from(p).toString('hex').slice(0, 64)}`).toBe(r2)
        if (r1 < 0) {
          failures++
          expect(o1.every((b) => b === 0xee), 'out untouched after a failure').toBe(true)
        } else expect(Buffer.from(o1.subarray(0, r1)).equals(Buffer.from(o2.subarray(0, r2)))).toBe(true)
        expectClean(p.length)
        if (flags & ENV_V1) continue
        const o3 = new Uint8Array(need).fill(0xee)
        expect(core.decryptMessage!(decJob(s, p, 0, flags, o3), hostSha256), 'with the host hash').toBe(r2)
        if (r2 < 0) expect(o3.every((b) => b === 0xee)).toBe(true)
        else expect(Buffer.from(o3.subarray(0, r2)).equals(Buffer.from(o2.subarray(0, r2)))).toBe(true)
        expectClean(p.length)
      }
    }
    expect(failures).toBeGreaterThan(200)
  })

  it('takes messages up to the whole scratch region in one call; the router sends longer ones to the composed path', () => {
    expect(core.fusedMax).toBe(SCRATCH_SIZE)
    const size = SCRATCH_SIZE - 16 // with its 16 bytes of padding: SCRATCH_SIZE of plaintext
    const inner = innerOf(size, 0)
    const padLen = 12 + ((16 - ((size + 12) & 15)) & 15)
    expect(size + padLen).toBe(SCRATCH_SIZE)
    const pad = rnd(padLen)
    const total = 24 + size + padLen
    const a = new Uint8Array(total)
    const b = new Uint8Array(total)
    core.encryptMessage!(encJob(s, inner, pad, 0, padLen, 8, 0, a))
    ref.encryptMessage(encJob(s, inner, pad, 0, padLen, 8, 0, b))
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    const out = new Uint8Array(envMaxInner(total, 0))
    expect(core.decryptMessage!(decJob(s, a, 8, 0, out))).toBe(size)
    expect(Buffer.from(out.subarray(0, size)).equals(Buffer.from(inner))).toBe(true)
    // longer: through the public API (the composed path over the core's streaming primitives)
    const seeded = (): ((b: Uint8Array) => void) => {
      const r = prng(7)
      return (b) => b.set(r(b.length))
    }
    const c = createCryptoSync({ backend: 'wasm', simd: f, aes, native: false, random: seeded() })
    const big = innerOf(SCRATCH_SIZE + 64, 0)
    const packet = c.encryptMessage(key, big, 8)
    const r = seeded()
    const p2 = new Uint8Array(packet.length)
    const bigPad = new Uint8Array(4096)
    r(bigPad)
    ref.encryptMessage(encJob(s, big, bigPad, 0, packet.length - 24 - big.length, 8, 0, p2))
    expect(Buffer.from(packet).equals(Buffer.from(p2))).toBe(true)
    expect(Buffer.from(c.decryptMessage(key, packet, 8)).equals(Buffer.from(big))).toBe(true)
  })

  it('decrypts in place (out = packet)', () => {
    const inner = innerOf(32 + 200, 0)
    for (const hashed of [false, true]) {
      const p = new Uint8Array(24 + 232 + 24)
      core.encryptMessage!(encJob(s, inner, rnd(24), 0, 24, 0, 0, p))
      expect(hashed ? core.decryptMessage!(decJob(s, p, 0, 0, p), hostSha256) : core.decryptMessage!(decJob(s, p, 0, 0, p))).toBe(232)
      expect(Buffer.from(p.subarray(0, 232)).equals(Buffer.from(inner))).toBe(true)
    }
  })

  it('encrypts and decrypts with the host hash up to fusedMax, the whole scratch region', () => {
    const size = SCRATCH_SIZE - 16
    const inner = innerOf(size, 0)
    const total = 24 + size + 16
    const p = new Uint8Array(total)
    ref.encryptMessage(encJob(s, inner, rnd(16), 0, 16, 8, 0, p))
    let hashedLen = 0
    const out = new Uint8Array(envMaxInner(total, 0))
    const sha = (d: Uint8Array): Uint8Array => ((hashedLen = d.length), hostSha256(d))
    expect(core.decryptMessage!(decJob(s, p, 8, 0, out), sha)).toBe(size)
    expect(hashedLen).toBe(32 + SCRATCH_SIZE)
    expect(Buffer.from(out.subarray(0, size)).equals(Buffer.from(inner))).toBe(true)
    expectClean(total)
    const p2 = new Uint8Array(total)
    const pad = p.subarray(0, 16) // any bytes
    hashedLen = 0
    core.encryptMessage!(encJob(s, inner, pad, 0, 16, 8, 0, p2), sha)
    expect(hashedLen).toBe(32 + SCRATCH_SIZE)
    const p3 = new Uint8Array(total)
    ref.encryptMessage(encJob(s, inner, pad, 0, 16, 8, 0, p3))
    expect(Buffer.from(p2).equals(Buffer.from(p3))).toBe(true)
  })

  it("uses the host's digest, not its own", () => {
    const inner = innerOf(96, 0)
    const zero = (): Uint8Array => new Uint8Array(32)
    const p = new Uint8Array(24 + 96 + 16)
    core.encryptMessage!(encJob(s, inner, rnd(16), 0, 16, 0, 0, p), zero)
    expect(allZero(p.subarray(8, 24)), 'msg_key = digest[8..24]').toBe(true)
    ref.encryptMessage(encJob(s, inner, rnd(16), 0, 16, 0, 0, p))
    expect(core.decryptMessage!(decJob(s, p, 0, 0, new Uint8Array(p.length)), zero)).toBe(-ENV_FAIL_MSG_KEY)
    expectClean(p.length)
  })

  it('keeps the auth key in WASM memory between messages and zeroes it on dispose()', () => {
    const k = createAuthKey(rnd(256))
    const ks = authKeyState(k)
    const key2 = ks.key.slice()
    const inner = cloudInner(rnd(64)) // 96 bytes: 16 bytes of padding
    core.encryptMessage!(encJob(ks, inner, rnd(16), 0, 16, 0, 0, new Uint8Array(24 + inner.length + 16)))
    expect(Buffer.from(mem().subarray(ENV_AUTH, ENV_AUTH + 256)).equals(Buffer.from(key2))).toBe(true)
    expect(Buffer.from(mem().subarray(ENV_ID, ENV_ID + 8)).equals(Buffer.from(ks.id))).toBe(true)
    k.dispose()
    expect(allZero(mem().subarray(ENV_AUTH, ENV_ID + 8))).toBe(true)
    // another key in the slot is not touched by disposing a key that is no longer there
    const k3 = createAuthKey(rnd(256))
    core.encryptMessage!(encJob(authKeyState(k3), inner, rnd(16), 0, 16, 0, 0, new Uint8Array(24 + inner.length + 16)))
    const k4 = createAuthKey(rnd(256))
    core.encryptMessage!(encJob(authKeyState(k4), inner, rnd(16), 0, 16, 0, 0, new Uint8Array(24 + inner.length + 16)))
    k3.dispose()
    expect(Buffer.from(mem().subarray(ENV_AUTH, ENV_AUTH + 256)).equals(Buffer.from(authKeyState(k4).key))).toBe(true)
    k4.dispose()
    expect(allZero(mem().subarray(ENV_AUTH, ENV_ID + 8))).toBe(true)
  })
})

describe.each(cases)('public API over the fused core $name', ({ f, aes }) => {
  it('routes through the fused ops (the key lands in WASM memory) and round-trips', () => {
    const c = createCryptoSync({ backend: 'wasm', simd: f, aes, native: false })
    const k = createAuthKey(rnd(256))
    const inner = cloudInner(rnd(128))
    const p = c.encryptMessage(k, inner, 0)
    expect(Buffer.from(_wasmInstance(f)!.mem().subarray(ENV_AUTH, ENV_AUTH + 256)).equals(Buffer.from(authKeyState(k).key))).toBe(true)
    expect(Buffer.from(c.decryptMessage(k, p, 0)).equals(Buffer.from(inner))).toBe(true)
    p[40] ^= 1
    expect(() => c.decryptMessage(k, p, 0)).toThrow(SecurityError)
    k.dispose()
  })

  it('batches: encryptMessages / decryptMessages equal one-by-one calls, per-item errors', () => {
    const seed = (): ((b: Uint8Array) => void) => {
      const r = prng(99)
      return (b) => b.set(r(b.length))
    }
    const c1 = createCryptoSync({ backend: 'wasm', simd: f, aes, native: false, random: seed() })
    const c2 = createCryptoSync({ backend: 'wasm', simd: f, aes, native: false, random: seed() })
    const keys = [0, 1, 2].map(() => createAuthKey(rnd(256)))
    let items: { authKey: ReturnType<typeof createAuthKey>; inner: Uint8Array; x: 0 | 8; options?: { version?: 1; layout?: 'e2e' } }[] = []
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 13]) {
      items = Array.from({ length: n }, (_, i) => ({
        authKey: keys[i % 3],
        inner: i % 4 === 3 ? cloudInner(rnd(16 * (i % 5) + 4 * (i % 3))) : cloudInner(rnd(100 + 64 * i)),
        x: (i % 2 === 0 ? 0 : 8) as 0 | 8,
        options: i % 5 === 4 ? ({ version: 1 } as const) : i % 7 === 6 ? ({ layout: 'e2e' } as const) : undefined,
      }))
      for (const it of items) if (it.options?.layout === 'e2e') {
        const b = rnd(60)
        new DataView(b.buffer).setUint32(0, 56, true)
        it.inner = b
      }
      const batch = c1.encryptMessages(items)
      const single = items.map((it) => c2.encryptMessage(it.authKey, it.inner, it.x, undefined, it.options))
      for (let i = 0; i < n; i++) expect(Buffer.from(batch[i]).equals(Buffer.from(single[i])), `n ${n} item ${i}`).toBe(true)
      // damage every third packet: those items (only) fail
      const dItems = items.map((it, i) => {
        const p = batch[i].slice()
        if (i % 3 === 1) p[p.length - 1] ^= 0x80
        return { authKey: it.authKey, packet: p, x: it.x, options: it.options }
      })
      const res = c1.decryptMessages(dItems)
      for (let i = 0; i < n; i++) {
        if (i % 3 === 1) expect(res[i]).toBeInstanceOf(SecurityError)
        else expect(Buffer.from(res[i] as Uint8Array).equals(Buffer.from(items[i].inner)), `n ${n} item ${i}`).toBe(true)
      }
    }
    const m = _wasmInstance(f)!.mem()
    expect(allZero(m.subarray(ENV_MSGKEY, ENV_JOB4 + 32))).toBe(true)
    expect(allZero(m.subarray(KEY, KEYS_END))).toBe(true)
    for (const it of items) expect(holds(m, it.inner, it.inner.length - 16)).toBe(false)
  })
})
