#!/usr/bin/env node
// The browser bundle as a user's bundler makes it: test/browser/bundle/main.js (createCrypto,
// then encryptMessage/decryptMessage, aesIgeEncrypt, createAesCtr) imports `mtwire` by name
// from a scratch project whose node_modules/mtwire is this repository (dist/ must be built).
// It is built with esbuild (`--bundle --splitting --format=esm --minify`) and with Vite
// (`vite build`, no configuration), then opened in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), served from 127.0.0.1 only. Checks, per bundler:
// - the page's checks pass and it runs the flavour Chromium validates (wasm-relaxed-simd/ct);
// - of the three embedded WASM flavours, the page fetched exactly that one;
// - the JS (+ WASM) it fetched is at most --budget bytes gzipped (default 25000; gzip -9 per file).
// Prints what was fetched, with sizes. `--keep` leaves the scratch project for inspection.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, extname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const budget = Number(args.includes('--budget') ? args[args.indexOf('--budget') + 1] : 25000)
if (!existsSync(join(root, 'dist/browser.mjs'))) {
  console.error('test-bundle: dist/browser.mjs is missing: run `npm run build` first')
  process.exit(2)
}

// the embedded flavours, recognised in the output by the start of their base64 (unique per module)
const embeddedDir = join(root, 'src/crypto/wasm/embedded')
const flavours = readdirSync(embeddedDir)
  .filter((f) => !f.endsWith('.raw.ts'))
  .map((f) => ({
    name: f.replace(/\.ts$/, '.wasm'),
    marker: readFileSync(join(embeddedDir, f), 'utf8').match(/deflated = '([A-Za-z0-9+/]{64})/)[1],
  }))
// the plain base64 the Node entry embeds must not reach a browser bundle at all
const rawMarkers = readdirSync(embeddedDir)
  .filter((f) => f.endsWith('.raw.ts'))
  .map((f) => readFileSync(join(embeddedDir, f), 'utf8').match(/raw = '([A-Za-z0-9+/]{64})/)[1])
const EXPECTED = { backend: 'wasm-relaxed-simd/ct', file: 'mtwire-relaxed-simd.wasm' }

const project = mkdtempSync(join(tmpdir(), 'mtwire-bundle-'))
const gz = (buf) => gzipSync(buf, { level: 9 }).length
let failed = 0
const fail = (msg) => {
  failed++
  console.log(`  FAIL ${msg}`)
}

try {
  cpSync(join(root, 'test/browser/bundle'), project, { recursive: true })
  mkdirSync(join(project, 'node_modules'))
  symlinkSync(root, join(project, 'node_modules/mtwire'), 'dir')

  const outputs = []
  // esbuild, as its docs say for code splitting
  const esb = join(project, 'out-esbuild')
  await build({
    absWorkingDir: project,
    entryPoints: ['main.js'],
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    outdir: esb,
    logLevel: 'warning',
  })
  cpSync(join(project, 'index.html'), join(esb, 'index.html'))
  outputs.push({ bundler: 'esbuild --splitting', dir: esb })
  // Vite, no configuration: `vite build` in the project folder
  const vite = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 300_000,
  })
  if (vite.status !== 0) {
    console.log(vite.stdout, vite.stderr)
    fail(`vite build exited with ${vite.status ?? vite.signal}`)
  } else outputs.push({ bundler: 'vite build', dir: join(project, 'dist') })

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    for (const { bundler, dir } of outputs) {
      const server = createServer((req, res) => {
        const path = join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
        const file = path.endsWith('/') ? join(path, 'index.html') : path
        if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end()
        const type = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' }[extname(file)]
        res.writeHead(200, { 'content-type': type ?? 'application/octet-stream' }).end(readFileSync(file))
      })
      await new Promise((r) => server.listen(0, '127.0.0.1', r))
      const base = `http://127.0.0.1:${server.address().port}/`
      const page = await browser.newPage()
      const fetched = []
      page.on('requestfinished', (r) => fetched.push(new URL(r.url()).pathname))
      page.on('pageerror', (e) => console.log(`  page error: ${e.message}`))
      try {
        await page.goto(base)
        const result = await page.evaluate(() => globalThis.__result)
        await page.waitForLoadState('networkidle')
        const files = fetched
          .filter((p) => /\.(m?js|wasm)$/.test(p))
          .map((p) => {
            const buf = readFileSync(join(dir, p))
            const text = buf.toString('latin1')
            return { path: p.slice(1), raw: buf.length, gzip: gz(buf), embeds: flavours.filter((f) => text.includes(f.marker)).map((f) => f.name) }
          })
        const total = files.reduce((n, f) => n + f.gzip, 0)
        const emitted = readdirSync(dir, { recursive: true }).filter((f) => /\.(m?js|wasm)$/.test(f))
        console.log(`${bundler}: ${emitted.length} files emitted, the page fetched ${files.length}:`)
        for (const f of files) console.log(`  ${f.path.padEnd(48)} ${String(f.raw).padStart(7)} B  ${String(f.gzip).padStart(6)} B gzipped${f.embeds.length ? `  (${f.embeds.join(', ')})` : ''}`)
        console.log(`  total fetched: ${total} B gzipped (budget ${budget}); backend ${result?.backend}; checks ${JSON.stringify(result?.checks ?? result?.error)}`)
        if (!result?.ok) fail(`${bundler}: the page's checks failed: ${JSON.stringify(result)}`)
        if (result?.backend !== EXPECTED.backend) fail(`${bundler}: backend ${result?.backend}, expected ${EXPECTED.backend}`)
        const embeds = files.flatMap((f) => f.embeds)
        if (embeds.length !== 1 || embeds[0] !== EXPECTED.file) fail(`${bundler}: fetched the embedded modules [${embeds.join(', ')}], expected only ${EXPECTED.file}`)
        for (const f of flavours) {
          const where = emitted.filter((e) => readFileSync(join(dir, e), 'latin1').includes(f.marker))
          if (where.length !== 1) fail(`${bundler}: ${f.name} is in ${where.length} emitted files, expected a chunk of its own`)
          else if (readFileSync(join(dir, where[0]), 'latin1').length > 20000 + f.marker.length * 300) fail(`${bundler}: ${f.name} shares its chunk ${where[0]} with other code`)
        }
        if (emitted.some((e) => rawMarkers.some((m) => readFileSync(join(dir, e), 'latin1').includes(m)))) fail(`${bundler}: a Node-only plain WASM module is in the output`)
        if (total > budget) fail(`${bundler}: the page fetched ${total} B gzipped, over the budget of ${budget}`)
      } finally {
        await page.close()
        server.close()
      }
    }
  } finally {
    await browser.close()
  }
  // for the README: one file, no splitting (every flavour inlined: works, but fetches all three)
  const one = await build({ absWorkingDir: project, entryPoints: ['main.js'], bundle: true, format: 'esm', minify: true, write: false, logLevel: 'error' })
  console.log(`(esbuild without --splitting: one file of ${one.outputFiles[0].contents.length} B, ${gz(one.outputFiles[0].contents)} B gzipped, all flavours inlined)`)
} finally {
  if (args.includes('--keep')) console.log(`scratch project kept: ${project}`)
  else rmSync(project, { recursive: true, force: true })
}
console.log(failed ? `bundle: ${failed} check(s) failed` : 'bundle: ok')
process.exit(failed ? 1 : 0)
