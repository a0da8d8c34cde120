#!/usr/bin/env node
// Cold-start profile: how long createCryptoSync() takes in a fresh process and how fast the
// first messages after it run (each call timed alone; medians over windows of 5 messages).
// Needs the built bundle: npm run build && node --experimental-wasm-relaxed-simd bench/warmup.mjs [size]
// Run it a few times: the background compiles that decide messages 2-50 land at varying times.
import { fileURLToPath } from 'node:url'

const size = Number(process.argv[2] ?? 256)
const t0 = performance.now()
const { createCryptoSync, createAuthKey } = await import(fileURLToPath(new URL('../dist/node.mjs', import.meta.url)))
const t1 = performance.now()
const c = createCryptoSync()
const t2 = performance.now()
const key = createAuthKey(c.randomBytes(256))
const inner = new Uint8Array(size)
new DataView(inner.buffer).setUint32(28, size - 32, true) // the length field
const out = new Uint8Array(size + 24 + 1040)
const back = new Uint8Array(size + 1040)
const N = 3000
const te = new Float64Array(N)
const td = new Float64Array(N)
for (let i = 0; i < N; i++) {
  let t = performance.now()
  const p = c.encryptMessage(key, inner, 0, out)
  te[i] = performance.now() - t
  t = performance.now()
  c.decryptMessage(key, p, 0, back)
  td[i] = performance.now() - t
}
const us = (ms) => (ms * 1000).toFixed(1)
const med = (a, from, to) => {
  const x = Array.from(a.subarray(from, to)).sort((p, q) => p - q)
  return x[x.length >> 1]
}
console.log(`${c.backend}, ${size} B messages; import ${(t1 - t0).toFixed(1)} ms, createCryptoSync ${(t2 - t1).toFixed(2)} ms`)
console.log(`first message: encrypt ${us(te[0])} µs, decrypt ${us(td[0])} µs`)
console.log('median µs (encrypt/decrypt) of messages from #:')
const at = [1, 5, 10, 20, 30, 40, 60, 80, 100, 150, 200, 300, 500, 1000, 2000, 2995]
console.log(at.map((s) => `${s}: ${us(med(te, s, s + 5))}/${us(med(td, s, s + 5))}`).join('  '))
