/**
 * Runs in a child node WITHOUT flags (spawned by flags-in-child-node-relaxed-simd-and-gc.test.ts): on Node 20, enableRelaxedSimd()
 * turns V8's relaxed-SIMD flag on, after which createCrypto picks the relaxed flavour, and that
 * flavour gives the same bytes as the baseline one (MTProto messages with injected randomness,
 * AES-IGE both ways, at many sizes). Prints one JSON line: { before, ok, after, checks, same }.
 */
import { createAuthKey, createCryptoSync, enableRelaxedSimd } from '../../src/node/index.js'
import { prng } from './cores.js'

const before = createCryptoSync().backend
const ok = enableRelaxedSimd()
const again = enableRelaxedSimd() // idempotent
const seeded = (seed: number) => { const r = prng(seed); return (b: Uint8Array) => { b.set(r(b.length)) } }
const relaxed = createCryptoSync({ random: seeded(1) })
const baseline = createCryptoSync({ simd: 'baseline', random: seeded(1) })
const rnd = prng(7)
const key = createAuthKey(rnd(256))
let same = ok === again
let checks = 0
for (let n = 0; n <= 4096; n += 4 + ((n >> 3) & ~3)) {
  const inner = rnd(32 + n)
  new DataView(inner.buffer).setUint32(28, n, true)
  for (const x of [0, 8] as const) {
    const a = relaxed.encryptMessage(key, inner, x)
    const b = baseline.encryptMessage(key, inner, x)
    same &&= Buffer.from(a).equals(Buffer.from(b))
    same &&= Buffer.from(relaxed.decryptMessage(key, b, x)).equals(Buffer.from(inner))
    checks += 2
  }
  const k = rnd(32), iv = rnd(32), data = rnd(n & ~15)
  const e = relaxed.aesIgeEncrypt(data, k, iv)
  same &&= Buffer.from(e).equals(Buffer.from(baseline.aesIgeEncrypt(data, k, iv)))
  same &&= Buffer.from(relaxed.aesIgeDecrypt(e, k, iv)).equals(Buffer.from(data))
  checks += 2
}
console.log(JSON.stringify({ before, ok, after: relaxed.backend, checks, same }))
