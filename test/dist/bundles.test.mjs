// The Node bundles as users load them: ESM (`import`) and CJS (`require`) expose the same API
// and compute the same bytes; the package's own `exports` map resolves to them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { realpathSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { cjs, cjsPath, enumerateBackends, esm, esmPath, repoRoot, rng, sameBytes, where } from './support/lib.mjs'

const shape = (mod) =>
  Object.keys(mod)
    .filter((k) => k !== 'default' && k !== '__esModule')
    .sort()
    .map((k) => `${k}:${typeof mod[k]}`)

test(`ESM and CJS bundles expose the same API (${where})`, () => {
  const e = shape(esm)
  assert.deepEqual(shape(cjs), e)
  for (const name of ['createCrypto', 'createCryptoSync', 'MtwireError', 'CryptoError']) {
    assert.ok(e.includes(`${name}:function`), `${name} is exported`)
  }
})

test('CJS bundle is a real CommonJS module and the ESM bundle a real ES module', async () => {
  const req = createRequire(import.meta.url)
  assert.equal(req(cjsPath), cjs, 'require() caches one instance')
  assert.equal(typeof cjs.createCrypto, 'function')
  // Node's ESM loader can import the CJS file too (named exports via cjs-module-lexer)
  const viaImport = await import(pathToFileURL(cjsPath).href)
  assert.equal(typeof viaImport.default.createCrypto, 'function')
  assert.ok(Object.isFrozen(esm) || Object.prototype.toString.call(esm) === '[object Module]', 'namespace object')
})

test('both bundles give the same backends, the same bytes, and their own typed errors', async () => {
  const a = await enumerateBackends(esm)
  const b = await enumerateBackends(cjs)
  assert.deepEqual(
    b.backends.map((x) => x.name),
    a.backends.map((x) => x.name),
  )
  const r = rng()
  const key = r.bytes(32)
  const iv = r.bytes(32)
  const data = r.bytes(16 * 37)
  for (let i = 0; i < a.backends.length; i++) {
    const x = a.backends[i].crypto
    const y = b.backends[i].crypto
    sameBytes(y.aesIgeEncrypt(data, key, iv), x.aesIgeEncrypt(data, key, iv), `${x.backend} IGE esm/cjs`)
    sameBytes(y.sha256(data), x.sha256(data), `${x.backend} sha256 esm/cjs`)
  }
  for (const [mod, label] of [
    [esm, 'esm'],
    [cjs, 'cjs'],
  ]) {
    const c = await mod.createCrypto({ backend: 'js' })
    assert.throws(
      () => c.aesIgeEncrypt(new Uint8Array(16), new Uint8Array(5), new Uint8Array(32)),
      (e) => e instanceof mod.CryptoError && e instanceof mod.MtwireError && e.code === 'E_KEY_LENGTH',
      label,
    )
    await assert.rejects(mod.createCrypto({ backend: 'nope' }), (e) => e instanceof mod.MtwireError && e.code === 'E_OPTION')
  }
})

test('createCryptoSync gives the same flavours as createCrypto', async () => {
  for (const m of [esm, cjs]) {
    const { backends } = await enumerateBackends(m)
    for (const { name, options, crypto } of backends) {
      const s = m.createCryptoSync(options)
      assert.equal(s.backend, name)
      const d = crypto.randomBytes(100)
      sameBytes(s.sha1(d), crypto.sha1(d), `${name} sync sha1`)
    }
  }
})

test("the package's exports map resolves `mtwire` to these bundles", { skip: process.env.MTWIRE_DIST ? 'MTWIRE_DIST is set' : false }, async () => {
  // self-reference: inside the package, `mtwire` resolves through package.json "exports"
  const req = createRequire(`${repoRoot}/package.json`)
  assert.equal(realpathSync(req.resolve('mtwire')), realpathSync(cjsPath))
  const resolved = await import.meta.resolve?.('mtwire')
  if (typeof resolved === 'string') assert.equal(realpathSync(fileURLToPath(resolved)), realpathSync(esmPath))
  const viaName = await import('mtwire')
  assert.equal(viaName.createCrypto, esm.createCrypto, 'import("mtwire") is the same ESM instance')
})
