#!/usr/bin/env node
// The fake-TLS replay cache's cost per hello, with a plain timing loop (the README quotes it):
// an insertion into a cache holding ~0 entries and one holding 100 000, and a lookup, with the
// default options (1M hellos, 1e-6 false positives, 7.3 MiB).
// Needs the built bundle: npm run build && node bench/replay-cache.mjs
import { randomFillSync } from 'node:crypto'
import { fileURLToPath } from 'node:url'

const { ReplayCache } = await import(fileURLToPath(new URL('../dist/node.mjs', import.meta.url)))
const N = 20_000
// one flat buffer of random 28-byte digests (the bytes a ClientHello's MAC binds)
const pool = randomFillSync(new Uint8Array(28 * (100_000 + 2 * N)))
const digest = (i) => pool.subarray(28 * i, 28 * i + 28)
const perCall = (fn, from) => {
  const t0 = performance.now()
  for (let i = from; i < from + N; i++) fn(digest(i))
  return ((performance.now() - t0) * 1000) / N
}
const warm = new ReplayCache()
for (let i = 0; i < 100_000; i++) warm.add(digest(i), 0) // JIT warm-up
const rows = []
for (let r = 0; r < 7; r++) {
  const c = new ReplayCache()
  c.add(digest(0), 0) // allocates the newest filter; its pages fault in on first writes (~1 ms once)
  const empty = perCall((d) => c.add(d, 0), 1)
  for (let i = N + 1; i < 100_000; i++) c.add(digest(i), 0)
  const full = perCall((d) => c.add(d, 0), 100_000)
  const lookup = perCall((d) => c.has(d, 0), 100_000 + N)
  rows.push([empty, full, lookup])
}
const med = (k) => rows.map((x) => x[k]).sort((a, b) => a - b)[3]
console.log(`ReplayCache (${new ReplayCache().memoryBytes} bytes), node ${process.version}, median of 7:`)
console.log(`  add from ~0 entries ${med(0).toFixed(2)} µs, add at 100k entries ${med(1).toFixed(2)} µs, lookup ${med(2).toFixed(2)} µs`)
