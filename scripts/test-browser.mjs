#!/usr/bin/env node
// Runs the vector suite in real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against dist/browser.mjs, in the page and in a dedicated worker; then the
// web driver (connect() over WebSocket) against a Node server on loopback, page and worker.
// Needs `npm run build` first. Serves the bundles on 127.0.0.1 only.
import { createServer } from 'node:http'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const common = { bundle: true, platform: 'browser', format: 'esm', target: 'es2020', write: false, absWorkingDir: root, logLevel: 'warning' }
const [page, worker, webPage, webWorker, mtproto] = await Promise.all([
  build({ ...common, entryPoints: ['test/browser/page.ts'] }),
  build({ ...common, entryPoints: ['test/browser/worker.ts'] }),
  build({ ...common, entryPoints: ['test/web/page.ts'] }),
  build({ ...common, entryPoints: ['test/web/worker.ts'] }),
  build({ ...common, entryPoints: ['test/web/serve.ts'], platform: 'node', target: 'node18', packages: 'external' }),
])
const files = {
  '/': ['text/html', '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>'],
  '/page.js': ['text/javascript', page.outputFiles[0].text],
  '/worker.js': ['text/javascript', worker.outputFiles[0].text],
  '/web': ['text/html', '<!doctype html><meta charset="utf-8"><script type="module" src="/web-page.js"></script>'],
  '/web-page.js': ['text/javascript', webPage.outputFiles[0].text],
  '/web-worker.js': ['text/javascript', webWorker.outputFiles[0].text],
}
// the MTProto server the web driver connects to (WebSocket on loopback)
// (inside the checkout, so that its imports resolve from node_modules)
mkdirSync(join(root, '.cache'), { recursive: true })
const tmp = mkdtempSync(join(root, '.cache', 'web-'))
writeFileSync(join(tmp, 'serve.mjs'), mtproto.outputFiles[0].text)
const mtServer = await (await import(pathToFileURL(join(tmp, 'serve.mjs')).href)).start()
rmSync(tmp, { recursive: true, force: true })
const server = createServer((req, res) => {
  const f = files[(req.url ?? '').replace(/\?.*/, '')]
  if (!f) return res.writeHead(404).end()
  res.writeHead(200, { 'content-type': f[0] }).end(f[1])
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const url = `http://127.0.0.1:${server.address().port}`

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium'
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
let failed = 0
let passed = 0
try {
  const p = await browser.newPage()
  p.on('pageerror', (e) => console.error('page error:', e.message))
  await p.goto(url)
  const version = browser.version()
  const inPage = await p.evaluate(() => globalThis.__mtwire)
  const inWorker = await p.evaluate(
    () =>
      new Promise((resolve) => {
        const w = new Worker('/worker.js', { type: 'module' })
        w.onmessage = (e) => resolve(e.data)
        w.onerror = (e) => resolve([{ backend: '-', name: 'worker', ok: false, error: e.message }])
      }),
  )
  for (const [where, results] of [['page', inPage], ['worker', inWorker]]) {
    const backends = [...new Set(results.map((r) => r.backend))]
    console.log(`chromium ${version}, ${where}: backends ${backends.join(', ')}`)
    for (const r of results) {
      if (r.ok) passed++
      else {
        failed++
        console.log(`  FAIL [${where}] ${r.backend} ${r.name}: ${r.error}`)
      }
    }
  }
  // the web driver against the Node server, in a page and in a worker
  const query = `?port=${mtServer.port}&pem=${Buffer.from(mtServer.pem).toString('base64')}`
  const wp = await browser.newPage()
  wp.on('pageerror', (e) => console.error('page error:', e.message))
  await wp.goto(`${url}/web${query}`)
  const webInPage = await wp.evaluate(() => globalThis.__mtwire)
  const webInWorker = await wp.evaluate(
    (q) =>
      new Promise((resolve) => {
        const w = new Worker(`/web-worker.js${q}`, { type: 'module' })
        w.onmessage = (e) => resolve(e.data)
        w.onerror = (e) => resolve([{ name: 'worker', ok: false, error: e.message }])
      }),
    query,
  )
  for (const [where, results] of [['page', webInPage], ['worker', webInWorker]]) {
    console.log(`chromium ${version}, web driver in a ${where}:`)
    for (const r of results) {
      if (r.ok) passed++
      else failed++
      console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.ok ? ` (${r.ms} ms)` : `: ${r.error}`}`)
    }
  }
} finally {
  await browser.close()
  server.close()
  await mtServer.close()
}
console.log(`browser: ${passed} passed, ${failed} failed`)
process.exit(failed || !passed ? 1 : 0)
