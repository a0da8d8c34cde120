// The browser bundle (dist/browser.mjs, the `browser` and `default` export) as a Node process
// can load it: it loads backends on demand (dist/chunks/), so createCryptoSync needs one
// createCrypto first, and it computes the same bytes as the Node bundle. It exports the Node
// bundle's API minus what only Node has (enableRelaxedSimd, and the drivers on node:net and
// node:fs: the server, the proxy, the file key store, the TCP dialer). (In Chromium:
// scripts/test-browser.mjs and scripts/test-bundle.mjs.)
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { distDir, esm, rng, sameBytes, where } from './support/lib.mjs'

const browser = await import(pathToFileURL(join(distDir, 'browser.mjs')).href)

const NODE_ONLY = ['enableRelaxedSimd', 'createServer', 'DRIVER_LIMITS', 'createProxy', 'FileKeyStore', 'tcpDialer']

test(`browser bundle: the Node API but its Node-only parts (${where})`, () => {
  const names = (m) => Object.keys(m).sort()
  assert.deepEqual(names(browser), names(esm).filter((n) => !NODE_ONLY.includes(n)))
})

test('browser bundle: on-demand chunks, one per WASM flavour and one for the pure-TS backend', () => {
  const chunks = readdirSync(join(distDir, 'chunks')).filter((f) => f.endsWith('.mjs'))
  for (const name of [/^mtwire-relaxed-simd-\w+\.mjs$/, /^mtwire-simd-\w+\.mjs$/, /^mtwire-\w+\.mjs$/, /^js-\w+\.mjs$/, /^unzlib\.mjs$/]) {
    assert.equal(chunks.filter((f) => name.test(f)).length, 1, `dist/chunks/ has one ${name}`)
  }
})

test('browser bundle: createCryptoSync waits for a load, then gives the bytes of the Node bundle', async () => {
  assert.throws(() => browser.createCryptoSync(), (e) => e instanceof browser.CryptoError && e.code === 'E_NOT_LOADED')
  const [c, n] = [await browser.createCrypto(), esm.createCryptoSync()]
  assert.equal(c.backend, n.backend)
  assert.equal(browser.createCryptoSync().backend, c.backend)
  const js = await browser.createCrypto({ backend: 'js' })
  assert.equal(browser.createCryptoSync({ backend: 'js' }).backend, 'js/table')
  const r = rng()
  const key = r.bytes(32), iv = r.bytes(32), data = r.bytes(16 * 50)
  for (const x of [c, js]) {
    sameBytes(x.aesIgeEncrypt(data, key, iv), n.aesIgeEncrypt(data, key, iv), `${x.backend} IGE`)
    sameBytes(x.createAesCtr(key, iv.subarray(0, 16)).process(data), n.createAesCtr(key, iv.subarray(0, 16)).process(data), `${x.backend} CTR`)
    sameBytes(x.sha512(data), n.sha512(data), `${x.backend} SHA-512`)
    sameBytes(x.hmacSha256(key, data), n.hmacSha256(key, data), `${x.backend} HMAC`)
  }
})
