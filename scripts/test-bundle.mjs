#!/usr/bin/env node
// The browser bundle as a user's bundler makes it, for two pages of test/browser/bundle/ that
// import `mtwire` by name from a scratch project whose node_modules/mtwire is this repository
// (dist/ must be built):
// - main.js, the crypto page: createCrypto, then encryptMessage/decryptMessage, aesIgeEncrypt,
//   createAesCtr. Budgeted: the JS (+ WASM) it fetched is at most --budget bytes gzipped
//   (default 25000; gzip -9 per file);
// - handshake.js, a client page: an auth key (ClientHandshake) and a session round trip
//   (ClientSession), in memory against the server role (server-role.js). Reported, not budgeted:
//   what it fetched, and what a client alone fetches: the same page built by esbuild with
//   server-role.js left out (external), the entry's static imports and the WASM flavour. (The
//   bundlers split by module, and dist/browser.mjs is one module: in the page itself, the server's
//   code shares the client's chunk.)
// Each is built with esbuild (`--bundle --splitting --format=esm --minify`) and with Vite
// (`vite build`, no configuration), then opened in headless Chromium (Debian's /usr/bin/chromium
// through playwright-core), served from 127.0.0.1 only. Checks, per page and bundler:
// - the page's checks pass and it runs the flavour Chromium validates (wasm-relaxed-simd/ct);
// - of the three embedded WASM flavours, the page fetched exactly that one, each in a chunk of its own.
// Prints what was fetched, with sizes. `--keep` leaves the scratch projects for inspection.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, extname, join } from 'node:path'
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

const scratch = mkdtempSync(join(tmpdir(), 'mtwire-bundle-'))
const gz = (buf) => gzipSync(buf, { level: 9 }).length
let failed = 0
const fail = (msg) => {
  failed++
  console.log(`  FAIL ${msg}`)
}
const PAGES = [
  { name: 'crypto page', entry: 'main.js', budget },
  { name: 'handshake + session page', entry: 'handshake.js', server: './server-role.js' },
]

/** The relative modules a built file imports statically (`import … from "./x.js"`, `import "./x.js"`; not `import()`). */
const staticImports = (dir, file) =>
  [...readFileSync(join(dir, file), 'utf8').matchAll(/(?:\bfrom|\bimport)\s*["'](\.\.?\/[^"']+)["']/g)].map((m) => join(dirname(file), m[1]))
/** `file` and everything it imports statically, transitively (paths relative to `dir`). */
function closure(dir, file, seen = new Set()) {
  if (seen.has(file) || !existsSync(join(dir, file))) return seen
  seen.add(file)
  for (const f of staticImports(dir, file)) closure(dir, f, seen)
  return seen
}

/** Builds one page with both bundlers: [{ bundler, dir, entry }], entry relative to dir. */
async function buildPage(page) {
  const project = join(scratch, page.entry.replace(/\.js$/, ''))
  cpSync(join(root, 'test/browser/bundle'), project, { recursive: true })
  writeFileSync(join(project, 'index.html'), readFileSync(join(project, 'index.html'), 'utf8').replace('./main.js', `./${page.entry}`))
  mkdirSync(join(project, 'node_modules'))
  symlinkSync(root, join(project, 'node_modules/mtwire'), 'dir')
  const outputs = []
  // esbuild, as its docs say for code splitting
  const esb = join(project, 'out-esbuild')
  await build({
    absWorkingDir: project,
    entryPoints: [page.entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    minify: true,
    outdir: esb,
    logLevel: 'warning',
  })
  writeFileSync(join(esb, 'index.html'), readFileSync(join(project, 'index.html')))
  outputs.push({ bundler: 'esbuild --splitting', dir: esb, entry: page.entry })
  if (page.server) {
    // the client alone: the server role left out of the build; its entry's static imports and the flavour
    const out = join(project, 'out-client')
    await build({ absWorkingDir: project, entryPoints: [page.entry], external: [page.server], bundle: true, splitting: true, format: 'esm', minify: true, outdir: out, logLevel: 'error' })
    const flavour = flavours.find((f) => f.name === EXPECTED.file)
    const chunk = readdirSync(out).find((f) => readFileSync(join(out, f), 'latin1').includes(flavour.marker))
    const files = [...closure(out, page.entry), chunk]
    const sizes = files.map((f) => `${f} ${gz(readFileSync(join(out, f)))} B`)
    const total = files.reduce((n, f) => n + gz(readFileSync(join(out, f))), 0)
    console.log(`${page.name}, the client alone (esbuild --splitting, ${page.server} external): ${total} B gzipped (${sizes.join(', ')})`)
  }
  // Vite, no configuration: `vite build` in the project folder
  const vite = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 300_000,
  })
  if (vite.status !== 0) {
    console.log(vite.stdout, vite.stderr)
    fail(`${page.name}: vite build exited with ${vite.status ?? vite.signal}`)
  } else {
    const dir = join(project, 'dist')
    const entry = readFileSync(join(dir, 'index.html'), 'utf8').match(/<script type="module"[^>]*src="\/([^"]+)"/)?.[1]
    outputs.push({ bundler: 'vite build', dir, entry })
  }
  return outputs
}

try {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    for (const pg of PAGES) {
      for (const { bundler, dir, entry } of await buildPage(pg)) {
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
          const emitted = readdirSync(dir, { recursive: true }).filter((f) => /\.(m?js|wasm)$/.test(f))
          const files = fetched
            .filter((p) => /\.(m?js|wasm)$/.test(p))
            .map((p) => {
              const buf = readFileSync(join(dir, p))
              const text = buf.toString('latin1')
              return { path: p.slice(1), raw: buf.length, gzip: gz(buf), embeds: flavours.filter((f) => text.includes(f.marker)).map((f) => f.name) }
            })
          const total = files.reduce((n, f) => n + f.gzip, 0)
          console.log(`${pg.name}, ${bundler}: ${emitted.length} files emitted, the page fetched ${files.length}:`)
          for (const f of files) console.log(`  ${f.path.padEnd(48)} ${String(f.raw).padStart(7)} B  ${String(f.gzip).padStart(6)} B gzipped${f.embeds.length ? `  (${f.embeds.join(', ')})` : ''}`)
          console.log(`  total fetched: ${total} B gzipped${pg.budget ? ` (budget ${pg.budget})` : ' (client and server role)'}; backend ${result?.backend}; checks ${JSON.stringify(result?.checks ?? result?.error)}`)
          if (!result?.ok) fail(`${pg.name}, ${bundler}: the page's checks failed: ${JSON.stringify(result)}`)
          if (result?.backend !== EXPECTED.backend) fail(`${pg.name}, ${bundler}: backend ${result?.backend}, expected ${EXPECTED.backend}`)
          const embeds = files.flatMap((f) => f.embeds)
          if (embeds.length !== 1 || embeds[0] !== EXPECTED.file) fail(`${pg.name}, ${bundler}: fetched the embedded modules [${embeds.join(', ')}], expected only ${EXPECTED.file}`)
          for (const f of flavours) {
            const where = emitted.filter((e) => readFileSync(join(dir, e), 'latin1').includes(f.marker))
            if (where.length !== 1) fail(`${pg.name}, ${bundler}: ${f.name} is in ${where.length} emitted files, expected a chunk of its own`)
            else if (readFileSync(join(dir, where[0]), 'latin1').length > 20000 + f.marker.length * 300) fail(`${pg.name}, ${bundler}: ${f.name} shares its chunk ${where[0]} with other code`)
          }
          if (emitted.some((e) => rawMarkers.some((m) => readFileSync(join(dir, e), 'latin1').includes(m)))) fail(`${pg.name}, ${bundler}: a Node-only plain WASM module is in the output`)
          if (pg.budget !== undefined && total > pg.budget) fail(`${pg.name}, ${bundler}: the page fetched ${total} B gzipped, over the budget of ${pg.budget}`)
        } finally {
          await page.close()
          server.close()
        }
      }
    }
  } finally {
    await browser.close()
  }
  // for the README: one file, no splitting (every flavour inlined: works, but fetches all three)
  const one = await build({ absWorkingDir: join(scratch, 'main'), entryPoints: ['main.js'], bundle: true, format: 'esm', minify: true, write: false, logLevel: 'error' })
  console.log(`(crypto page, esbuild without --splitting: one file of ${one.outputFiles[0].contents.length} B, ${gz(one.outputFiles[0].contents)} B gzipped, all flavours inlined)`)
} finally {
  if (args.includes('--keep')) console.log(`scratch projects kept: ${scratch}`)
  else rmSync(scratch, { recursive: true, force: true })
}
console.log(failed ? `bundle: ${failed} check(s) failed` : 'bundle: ok')
process.exit(failed ? 1 : 0)
