// A tiny bench bundle to check scripts/arm/bench.sh end to end:
//   bash scripts/arm/bench.sh scripts/arm/bench-smoke.mjs --json .arm/smoke-{arch}.json
// It measures AES-256-IGE over 4 KiB with every backend of the built dist/node.mjs (or
// $MTWIRE_DIST/node.mjs) for about
// a quarter second each, and labels the result with MTWIRE_EMULATED as the real bench does.
import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

import { pathToFileURL } from 'node:url'
import { join } from 'node:path'

const bundle = process.env.MTWIRE_DIST
  ? pathToFileURL(join(process.env.MTWIRE_DIST, 'node.mjs')).href
  : new URL('../../dist/node.mjs', import.meta.url).href
const { createCrypto } = await import(bundle)
const emulated = process.env.MTWIRE_EMULATED || false
const meta = { arch: process.arch, node: process.version, v8: process.versions.v8, emulated }
console.log(`smoke bench: ${meta.arch}, node ${meta.node}${emulated ? ` (EMULATED ${emulated}: timings are not real speeds)` : ''}`)

const results = []
const options = [{ backend: 'js' }]
for (const simd of ['relaxed', 'baseline', 'none'])
  for (const aes of ['constant-time', 'table']) options.push({ backend: 'wasm', simd, aes })
const seen = new Set()
for (const o of options) {
  let c
  try {
    c = await createCrypto(o)
  } catch (e) {
    if (e.code !== 'E_BACKEND_UNAVAILABLE') throw e
    continue
  }
  if (seen.has(c.backend)) continue
  seen.add(c.backend)
  const data = new Uint8Array(4096)
  const key = c.randomBytes(32)
  const iv = c.randomBytes(32)
  let n = 0
  const t0 = performance.now()
  while (performance.now() - t0 < 250) {
    c.aesIgeEncrypt(data, key, iv, data)
    n++
  }
  const secs = (performance.now() - t0) / 1000
  const r = { impl: c.backend, op: 'ige-encrypt', size: 4096, opsPerSec: n / secs, bytesPerSec: (n * 4096) / secs }
  results.push(r)
  console.log(`${r.impl.padEnd(24)} ${(r.bytesPerSec / 1048576).toFixed(2).padStart(9)} MiB/s${emulated ? ' (emulated)' : ''}`)
}
const i = process.argv.indexOf('--json')
if (i > 0) {
  writeFileSync(process.argv[i + 1], JSON.stringify({ meta, results }, null, 2) + '\n')
  console.log(`wrote ${process.argv[i + 1]}`)
}
