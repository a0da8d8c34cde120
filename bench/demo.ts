/**
 * `npm start`: a short tour on this machine. Picks the best backend, runs round trips through
 * every backend available and checks they agree byte for byte, then prints a compact
 * throughput table next to the peers. Uses the built bundle (dist/), as an embedder would.
 */
import * as built from '../dist/node.mjs'
import { runSuite, table } from './harness.js'
import cryptoSuite from './suites/crypto.js'
import type { Crypto, CryptoOptions } from '../src/crypto/types.js'

const mtwire = built as typeof import('../src/node/index.js')

async function backends(): Promise<Crypto[]> {
  const combos: CryptoOptions[] = [{ backend: 'js' }]
  for (const simd of ['relaxed', 'baseline', 'none'] as const) {
    for (const aes of ['constant-time', 'table'] as const) combos.push({ backend: 'wasm', simd, aes })
  }
  const seen = new Map<string, Crypto>()
  for (const o of combos) {
    const c = await mtwire.createCrypto(o).catch((e: { code?: string }) => {
      if (e.code !== 'E_BACKEND_UNAVAILABLE') throw e
    })
    if (c && !seen.has(c.backend)) seen.set(c.backend, c)
  }
  return [...seen.values()]
}

async function main(): Promise<void> {
  const t0 = performance.now()
  const best = await mtwire.createCrypto()
  console.log(`mtwire on ${process.platform}/${process.arch}, node ${process.version}`)
  console.log(`best backend for this machine: ${best.backend}${best.backend.endsWith('/table') ? ' (table AES: not constant-time)' : ''}\n`)

  const all = await backends()
  const key = best.randomBytes(32), iv = best.randomBytes(32)
  console.log('round trips (IGE and CTR, 0..64 KiB), every backend against the first:')
  for (const c of all) {
    let n = 0
    for (const size of [0, 16, 256, 4096, 65536]) {
      const data = best.randomBytes(size)
      const ct = c.aesIgeEncrypt(data, key, iv)
      const same = ct.join() === all[0].aesIgeEncrypt(data, key, iv).join()
      const back = c.aesIgeDecrypt(ct, key, iv).join() === data.join()
      const ctr = c.createAesCtr(key, iv.subarray(0, 16)).process(c.createAesCtr(key, iv.subarray(0, 16)).process(data))
      if (!same || !back || ctr.join() !== data.join()) throw new Error(`${c.backend}: round trip failed at ${size} bytes`)
      n++
    }
    console.log(`  ok  ${c.backend.padEnd(26)} ${n} sizes`)
  }

  console.log('\nthroughput next to the peers (* = mtwire; ratios are ours / peer, same run):')
  const pick = new Set(['ige-encrypt 256', 'ige-encrypt 65536', 'sha256 4096'])
  const results = await runSuite(cryptoSuite, { quick: true, filter: (c) => pick.has(`${c.op} ${c.size}`) })
  console.log(table(results).split('\n').map((l) => '  ' + l.replace(/^\S+\s+/, '')).join('\n'))
  console.log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(1)} s. Full suites: npm run bench`)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
