#!/usr/bin/env node
// The cost of a failed decryption next to a successful one, with a plain timing loop (the
// figure the README quotes; bench/suites/envelope.ts has the same row in the harness).
// Needs the built bundle: npm run build && node bench/failure-cost.mjs [size] [simd]
//   simd: auto (default: relaxed SIMD where the runtime has it, as Node >= 22), baseline, none
// Prints, per round, the time of one success and of one failure (a packet with one ciphertext
// bit flipped: msg_key mismatch), and the median ratio failure / success over the rounds;
// rounds alternate the two loops, so a slow period of a shared machine hits both.
import { fileURLToPath } from 'node:url'

const size = Number(process.argv[2] ?? 1024)
const simd = process.argv[3] ?? 'auto'
const { createCryptoSync, createAuthKey } = await import(fileURLToPath(new URL('../dist/node.mjs', import.meta.url)))
const c = createCryptoSync({ backend: 'wasm', simd, native: false })
const key = createAuthKey(c.randomBytes(256))
const inner = c.randomBytes(size)
new DataView(inner.buffer).setUint32(28, size - 32, true) // the length field
const good = c.encryptMessage(key, inner, 8)
const bad = good.slice()
bad[bad.length - 1] ^= 1
const out = new Uint8Array(good.length)
const ok = () => c.decryptMessageInto(key, good, 8, out)
const fail = () => {
  try {
    c.decryptMessageInto(key, bad, 8, out)
  } catch (e) {
    return e
  }
  throw new Error('the bad packet decrypted')
}
const N = 20000
const loop = (fn) => {
  const t0 = performance.now()
  for (let i = 0; i < N; i++) fn()
  return ((performance.now() - t0) * 1000) / N
}
for (let i = 0; i < N; i++) (ok(), fail()) // warm-up: JIT tiers, WASM tier-up
const ratios = []
for (let r = 0; r < 11; r++) {
  const a = loop(ok)
  const b = loop(fail)
  ratios.push(b / a)
  console.log(`round ${r + 1}: success ${a.toFixed(2)} µs, failure ${b.toFixed(2)} µs, ratio ${(b / a).toFixed(3)}`)
}
ratios.sort((x, y) => x - y)
console.log(`${c.backend}, ${size} B, node ${process.version}: failure / success median ${ratios[5].toFixed(3)} (min ${ratios[0].toFixed(3)}, max ${ratios[10].toFixed(3)})`)
