// enableRelaxedSimd() through the bundles, on whatever Node runs this suite: it reports whether
// the relaxed flavour is available, and Crypto objects made afterwards pick it exactly then.
// (The flag-setting path itself is tested in a plain Node 20 child: test/wasm/flags-in-child-node-relaxed-simd-and-gc.test.ts.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cjs, esm, where } from './support/lib.mjs'

test(`enableRelaxedSimd() and the automatic choice agree (${where})`, () => {
  assert.equal(typeof cjs.enableRelaxedSimd, 'function')
  const ok = esm.enableRelaxedSimd()
  assert.equal(typeof ok, 'boolean')
  assert.equal(esm.enableRelaxedSimd(), ok, 'idempotent')
  const backend = esm.createCryptoSync().backend
  if (ok) assert.equal(backend, 'wasm-relaxed-simd/ct')
  else assert.notEqual(backend.split('/')[0], 'wasm-relaxed-simd')
  // V8 10.x (Node 18) has relaxed SIMD only with opcodes older than the ones the module uses
  if (Number.parseInt(process.versions.v8, 10) < 11) assert.equal(ok, false)
})
