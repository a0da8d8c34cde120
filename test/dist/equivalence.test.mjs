// Backend against backend, and each against node:crypto (OpenSSL) where that is independent,
// on random inputs of random lengths. Sized by MTWIRE_TEST_SCALE; replay with MTWIRE_TEST_SEED.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  enumerateBackends,
  refCrc32,
  refCtr,
  refHash,
  refHmac256,
  refIge,
  refPbkdf2,
  rng,
  sameBytes,
  scale,
  scaled,
  seed,
  where,
} from './support/lib.mjs'

const { backends } = await enumerateBackends()
const base = backends[0] // the pure-TS backend: every other one must agree with it byte for byte

test(`random-input setup (${where})`, (t) => {
  t.diagnostic(`MTWIRE_TEST_SEED=${seed} MTWIRE_TEST_SCALE=${scale}`)
  t.diagnostic(`backends: ${backends.map((b) => b.name).join(', ')}`)
  assert.ok(base.name.startsWith('js/'))
})

/** IGE lengths: every multiple of 16 up to 4 KiB at scale 1 (a random subset when smaller), a few larger. */
function igeLengths(r) {
  const small = []
  for (let n = 0; n <= 4096; n += 16) small.push(n)
  const keep = scaled(small.length, 8)
  while (small.length > keep) small.splice(1 + r.int(small.length - 2), 1) // keeps 0 and 4096
  const big = Array.from({ length: scaled(4, 1) }, () => 16 * (257 + r.int(scaled(16384, 64))))
  return [...small, ...big]
}

for (const b of backends) {
  const c = b.crypto

  test(`${b.name}: AES-256-IGE on random data = node:crypto aes-256-ecb reference${b === base ? '' : ` = ${base.name}`}`, () => {
    const r = rng(seed ^ 0x1ce)
    for (const n of igeLengths(r)) {
      const key = r.bytes(32)
      const iv = r.bytes(32)
      const data = r.bytes(n)
      const enc = c.aesIgeEncrypt(data, key, iv)
      sameBytes(enc, refIge(true, data, key, iv), `encrypt ${n} B vs node:crypto`)
      const dec = c.aesIgeDecrypt(data, key, iv)
      sameBytes(dec, refIge(false, data, key, iv), `decrypt ${n} B vs node:crypto`)
      sameBytes(c.aesIgeDecrypt(enc, key, iv), data, `round trip ${n} B`)
      if (b !== base) {
        sameBytes(enc, base.crypto.aesIgeEncrypt(data, key, iv), `encrypt ${n} B vs ${base.name}`)
        sameBytes(dec, base.crypto.aesIgeDecrypt(data, key, iv), `decrypt ${n} B vs ${base.name}`)
      }
      // a caller-provided `out`, and in place, give the same bytes
      const out = new Uint8Array(n)
      assert.equal(c.aesIgeEncrypt(data, key, iv, out), out)
      sameBytes(out, enc, `out= ${n} B`)
      assert.equal(c.aesIgeDecrypt(out, key, iv, out), out)
      sameBytes(out, data, `in place ${n} B`)
    }
  })

  test(`${b.name}: AES-256-CTR with random chunkings = node:crypto aes-256-ctr${b === base ? '' : ` = ${base.name}`}`, () => {
    const r = rng(seed ^ 0xc7c)
    const rounds = scaled(60, 6)
    for (let round = 0; round < rounds; round++) {
      const key = r.bytes(32)
      const iv = r.bytes(16)
      // some counters sit just below a carry across the low 32/64 bits or the whole 128 bits
      if (round % 5 === 1) iv.fill(0xff, 8)
      if (round % 5 === 2) iv.fill(0xff, 12)
      if (round % 5 === 3) iv.fill(0xff)
      const n = round === 0 ? 0 : r.int(scaled(8192, 256)) + 1
      const data = r.bytes(n)
      const want = refCtr(data, key, iv)
      const s = c.createAesCtr(key, iv)
      const other = b === base ? null : base.crypto.createAesCtr(key, iv)
      const got = new Uint8Array(n)
      for (let at = 0; at < n; ) {
        // chunks of 0..~100 bytes mostly, sometimes large, sometimes exactly block-aligned
        const pick = r.int(10)
        const len = Math.min(n - at, pick < 6 ? r.int(100) : pick < 8 ? 16 * r.int(8) : r.int(4096))
        const chunk = data.subarray(at, at + len)
        const piece = r.int(2) ? s.process(chunk) : s.process(chunk, got.subarray(at, at + len))
        got.set(piece, at)
        if (other) sameBytes(piece, other.process(chunk), `chunk at ${at}+${len} vs ${base.name}`)
        at += len
      }
      sameBytes(got, want, `round ${round}: ${n} B, iv ${Buffer.from(iv).toString('hex')}`)
      s.dispose()
      if (other) other.dispose()
    }
  })

  test(`${b.name}: SHA-1/256/512, MD5, HMAC-SHA256, CRC32 on random lengths = node:crypto`, () => {
    const r = rng(seed ^ 0x5a)
    const lengths = []
    for (let n = 0; n <= 300; n++) lengths.push(n) // every padding boundary of 64- and 128-byte blocks
    for (let i = 0; i < scaled(20, 3); i++) lengths.push(r.int(scaled(200_000, 5000)))
    for (const n of lengths) {
      if (scale < 1 && n <= 300 && n > 8 && r.int(1 / scale + 1) !== 0) continue // thin out under emulation
      const data = r.bytes(n)
      for (const alg of ['sha1', 'sha256', 'sha512', 'md5']) {
        const got = c[alg](data)
        sameBytes(got, refHash(alg, data), `${alg} ${n} B vs node:crypto`)
        if (b !== base) sameBytes(got, base.crypto[alg](data), `${alg} ${n} B vs ${base.name}`)
      }
      const key = r.bytes(r.int(150))
      sameBytes(c.hmacSha256(key, data), refHmac256(key, data), `hmac key ${key.length} B, data ${n} B`)
      if (n <= 4096 || r.int(4) === 0) assert.equal(c.crc32(data), refCrc32(data), `crc32 ${n} B`)
    }
  })

  test(`${b.name}: PBKDF2-HMAC-SHA512 on random input = node:crypto`, async () => {
    const r = rng(seed ^ 0x9b)
    for (let i = 0; i < scaled(4, 2); i++) {
      const p = r.bytes(r.int(200))
      const s = r.bytes(r.int(64))
      const it = 1 + r.int(scaled(300, 20))
      sameBytes(await c.pbkdf2Sha512(p, s, it), refPbkdf2(p, s, it), `password ${p.length} B, salt ${s.length} B, ${it} iterations`)
    }
  })
}
