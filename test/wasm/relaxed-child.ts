/**
 * Runs in a child `node --experimental-wasm-relaxed-simd` (spawned by flags-in-child-node-relaxed-simd-and-gc.test.ts, bundled
 * with esbuild): the checks of every flavour the child validates, above all the relaxed-SIMD
 * one, which Node 20 cannot run by default. The same bundle runs on other runtimes too (e.g.
 * Debian's Node 18 for arm64 under qemu: `MTWIRE_ANY_FLAVOUR=1`, relaxed then optional).
 * Prints one JSON line: { ok, checks, backends, failures }.
 */
import { createHash } from 'node:crypto'
import { jsCore } from '../../src/crypto/js/index.js'
import { authKeyState, createAuthKey } from '../../src/crypto/authkey.js'
import { ENV_E2E, ENV_V1 } from '../../src/crypto/flags.generated.js'
import { ComposedEnvelope, envMaxInner } from '../../src/crypto/js/mtproto.js'
import { createCryptoSync } from '../../src/crypto/create.js'
import { availableFlavours, loadWasmCoreSync, type Flavour } from '../../src/crypto/wasm/index.js'
import { SCRATCH_SIZE } from '../../src/crypto/wasm/layout.generated.js'
import { refCtr, refIge } from '../crypto/reference.js'
import { SNAPSHOT, hex, samplesAuthKey as S, toHex } from '../vectors/samples-auth-key.js'
import { decJob, encJob } from '../envelope/helpers.js'
import { prng } from './cores.js'
import { loadEagerly } from '../../src/crypto/eager.js'

loadEagerly() // as the Node entry does: synchronous loading from src/

const failures: string[] = []
let checks = 0
const check = (what: string, got: string, want: string): void => {
  checks++
  if (got !== want) failures.push(`${what}: got ${got.slice(0, 64)}, want ${want.slice(0, 64)}`)
}
const nodeHash = (alg: string, d: Uint8Array): string => createHash(alg).update(d).digest('hex')

const backends: string[] = []
const flavours = availableFlavours()
const anyFlavour = typeof process !== 'undefined' && process.env.MTWIRE_ANY_FLAVOUR === '1'
if (!flavours.includes('relaxed') && !anyFlavour) failures.push('relaxed SIMD flavour does not validate here')
else {
  if (flavours.includes('relaxed')) check('default backend', createCryptoSync().backend, 'wasm-relaxed-simd/ct')
  type Combo = { simd: Flavour; aes: 'constant-time' | 'table' }
  const combos: Combo[] = flavours.flatMap((simd): Combo[] =>
    simd === 'none' ? [{ simd, aes: 'table' }] : [{ simd, aes: 'constant-time' }, { simd, aes: 'table' }],
  )
  for (const { simd, aes } of combos) {
    if (!anyFlavour && simd !== 'relaxed') continue
    const core = loadWasmCoreSync({ simd, aes })
    const base = loadWasmCoreSync({ simd: flavours.includes('baseline') ? 'baseline' : 'none', aes: flavours.includes('baseline') ? aes : 'table' })
    backends.push(core.backend)
    const b = core.backend
    // FIPS-197 C.3
    const key0 = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f')
    const o = new Uint8Array(16)
    core.igeEncrypt(hex('00112233445566778899aabbccddeeff'), key0, new Uint8Array(32), o)
    check(`${b} FIPS-197`, toHex(o), '8ea2b7ca516745bfeafc49904b496089')
    // SP 800-38A F.5.5
    const ctrOut = new Uint8Array(64)
    core
      .ctrCreate(hex('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4'), hex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'))
      .process(hex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710'), ctrOut)
    check(`${b} SP800-38A F.5.5`, toHex(ctrOut), '601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6')
    // FIPS 180
    check(`${b} sha256 abc`, toHex(core.sha256(new TextEncoder().encode('abc'))), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    check(`${b} sha1 million a`, toHex(core.sha1(new Uint8Array(1e6).fill(0x61))), '34aa973cd4c4daa4f61eeb2bdbad27316534016f')
    // samples-auth_key
    const answer = new Uint8Array(592)
    core.igeDecrypt(hex(S.encryptedAnswer), hex(S.tmpAesKey), hex(S.tmpAesIv), answer)
    check(`${b} ${SNAPSHOT} 592-byte decryption`, toHex(answer), S.answerWithHash)
    // random lengths vs node:crypto, the pure-TS backend and the baseline flavour
    const rnd = prng(21)
    for (let n = 0; n <= 4096; n += 16) {
      const data = rnd(n), key = rnd(32), iv = rnd(32)
      const e = new Uint8Array(n), d = new Uint8Array(n), eb = new Uint8Array(n)
      core.igeEncrypt(data, key, iv, e)
      base.igeEncrypt(data, key, iv, eb)
      core.igeDecrypt(data, key, iv, d)
      check(`${b} ige-enc ${n}`, toHex(e), toHex(refIge(data, key, iv, true)))
      check(`${b} = ${base.backend} ige-enc ${n}`, toHex(e), toHex(eb))
      check(`${b} ige-dec ${n}`, toHex(d), toHex(refIge(data, key, iv, false)))
    }
    for (let n = 0; n <= 1100; n++) {
      const d = rnd(n)
      check(`${b} sha256 ${n}`, toHex(core.sha256(d)), nodeHash('sha256', d))
      check(`${b} sha1 ${n}`, toHex(core.sha1(d)), nodeHash('sha1', d))
    }
    const big = rnd(SCRATCH_SIZE * 2 + 48), bk = rnd(32), biv = rnd(32)
    const be = new Uint8Array(big.length), bj = new Uint8Array(big.length)
    core.igeEncrypt(big, bk, biv, be)
    jsCore.igeEncrypt(big, bk, biv, bj)
    check(`${b} ige past scratch`, String(Buffer.compare(be, bj)), '0')
    check(`${b} sha256 past scratch`, toHex(core.sha256(big)), nodeHash('sha256', big))
    // the fused envelope (2.0, 1.0, e2e; both directions) against the composed pure-TS path,
    // with a failure mask check, and batches (4-way interleaved IGE) against one-by-one calls
    {
      const ref = new ComposedEnvelope(jsCore)
      const ks = authKeyState(createAuthKey(rnd(256)))
      for (const flags of [0, ENV_V1, ENV_E2E, ENV_V1 | ENV_E2E]) {
        const hdr = flags & ENV_E2E ? 4 : 32
        for (const size of [hdr, hdr + 100, 1024, 4096 + hdr, 70000]) {
          const inner = rnd(size)
          new DataView(inner.buffer).setUint32(hdr - 4, size - hdr, true)
          const padLen = flags & ENV_V1 ? (16 - (size & 15)) & 15 : 12 + ((16 - ((size + 12) & 15)) & 15)
          const pad = rnd(padLen)
          for (const x of [0, 8]) {
            const a = new Uint8Array(24 + size + padLen), r = new Uint8Array(a.length)
            core.encryptMessage!(encJob(ks, inner, pad, 0, padLen, x, flags, a))
            ref.encryptMessage(encJob(ks, inner, pad, 0, padLen, x, flags, r))
            check(`${b} envelope flags ${flags} size ${size} x ${x}`, toHex(a), toHex(r))
            const o = new Uint8Array(envMaxInner(a.length, flags))
            check(`${b} envelope decrypt flags ${flags} size ${size} x ${x}`, String(core.decryptMessage!(decJob(ks, a, x, flags, o))), String(size))
            check(`${b} envelope inner flags ${flags} size ${size} x ${x}`, toHex(o.subarray(0, size)), toHex(inner))
            a[a.length - 1] ^= 1
            const o2 = new Uint8Array(o.length)
            check(`${b} envelope mask flags ${flags} size ${size} x ${x}`, String(core.decryptMessage!(decJob(ks, a, x, flags, o))), String(ref.decryptMessage(decJob(ks, a, x, flags, o2))))
          }
        }
      }
      const seeded = (): ((buf: Uint8Array) => void) => {
        const r = prng(5)
        return (buf) => buf.set(r(buf.length))
      }
      const cb = createCryptoSync({ backend: 'wasm', simd, aes, native: false, random: seeded() })
      const cj = createCryptoSync({ backend: 'js', random: seeded() })
      const keys = [0, 1, 2].map(() => createAuthKey(rnd(256)))
      const items = Array.from({ length: 11 }, (_, i) => {
        const inner = rnd(32 + 48 * i + 4 * (i % 3))
        new DataView(inner.buffer).setUint32(28, inner.length - 32, true)
        return { authKey: keys[i % 3], inner, x: (i & 1 ? 8 : 0) as 0 | 8 }
      })
      const pb = cb.encryptMessages(items), pj = cj.encryptMessages(items)
      for (let i = 0; i < items.length; i++) check(`${b} batch encrypt ${i}`, toHex(pb[i]), toHex(pj[i]))
      const damaged = pb.map((p, i) => {
        const q = p.slice()
        if (i % 4 === 2) q[30] ^= 4
        return { authKey: items[i].authKey, packet: q, x: items[i].x }
      })
      const res = cb.decryptMessages(damaged)
      for (let i = 0; i < items.length; i++) {
        const r = res[i]
        check(`${b} batch decrypt ${i}`, r instanceof Uint8Array ? toHex(r) : 'error', i % 4 === 2 ? 'error' : toHex(items[i].inner))
      }
    }
    // CTR, random chunks
    for (let t = 0; t < 10; t++) {
      const n = 100 + t * 997, data = rnd(n), key = rnd(32), iv = rnd(16)
      const s = core.ctrCreate(key, iv), out = new Uint8Array(n)
      for (let off = 0; off < n; ) {
        const step = Math.min(n - off, rnd(1)[0])
        s.process(data.subarray(off, off + step), out.subarray(off, off + step))
        off += step
      }
      s.dispose()
      check(`${b} ctr ${n}`, toHex(out), toHex(refCtr(data, key, iv)))
    }
  }
}
console.log(JSON.stringify({ ok: failures.length === 0, checks, backends, failures: failures.slice(0, 20), node: process.version, arch: process.arch }))
