#!/usr/bin/env node
// The whole build: WASM flavours (asc), JS bundles (esbuild: Node ESM + CJS, browser ESM,
// CLI), and .d.ts files (tsc). `--wasm-only` stops after the WASM step (tests run from src/).
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' })

// 1. WASM: compiles assembly/ and writes the embedded base64 module (src/crypto/wasm/).
if (existsSync(join(root, 'scripts/build-wasm.mjs'))) run(process.execPath, ['scripts/build-wasm.mjs'])
if (process.argv.includes('--wasm-only')) process.exit(0)

rmSync(join(root, 'dist'), { recursive: true, force: true })
mkdirSync(join(root, 'dist'), { recursive: true })

// 2. bundles. All of them leave the runtime dependencies to npm (deduplicated, patched
// independently): the Node ones carry every WASM flavour, the browser one has its on-demand
// parts in dist/chunks/ (a page without a bundler maps `fflate` and `@noble/hashes` itself).
/** The browser bundle imports its inflate fallback from the separately built dist/chunks/unzlib.mjs. */
const unzlibApart = {
  name: 'unzlib-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/unzlib\.js$/ }, () => ({ path: './chunks/unzlib.mjs', external: true }))
  },
}
const common = { bundle: true, sourcemap: true, target: 'es2020', logLevel: 'warning', absWorkingDir: root }
/**
 * The Node bundles hold every WASM module as plain base64 (src/crypto/eager.ts provides them up
 * front): the loader's on-demand imports of the deflated ones resolve to those same modules.
 */
const rawWasm = {
  name: 'raw-wasm',
  setup(b) {
    b.onResolve({ filter: /^\.\/embedded\/[\w-]+\.js$/ }, (a) => ({ path: join(a.resolveDir, a.path.replace(/\.js$/, '.raw.ts')) }))
  },
}
const node = { ...common, platform: 'node', target: 'node18', packages: 'external', plugins: [rawWasm] }
await Promise.all([
  build({ ...node, entryPoints: ['src/node/index.ts'], format: 'esm', outfile: 'dist/node.mjs' }),
  build({ ...node, entryPoints: ['src/node/index.ts'], format: 'cjs', outfile: 'dist/node.cjs' }),
  // The browser bundle splits what it loads on demand (one WASM flavour each, the pure-TS
  // backend) into dist/chunks/: a page fetches only the flavour that runs, and the user's
  // bundler, following the relative import(), makes each a chunk of its own too. Runtime
  // dependencies stay imports (`fflate`, `@noble/hashes`), which the user's bundler resolves,
  // dedupes and tree-shakes by their own `sideEffects: false`.
  build({
    ...common,
    entryPoints: { browser: 'src/index.ts' },
    platform: 'browser',
    format: 'esm',
    splitting: true,
    packages: 'external',
    outdir: 'dist',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    plugins: [unzlibApart],
  }),
  // fflate's inflate for runtimes without DecompressionStream, self-contained: were it a chunk
  // importing `fflate` like the TL code does, esbuild (--splitting) would hoist fflate into a
  // shared chunk that every page fetches (evanw/esbuild#3704), used or not
  build({ ...common, entryPoints: ['src/crypto/wasm/unzlib.ts'], platform: 'browser', format: 'esm', outfile: 'dist/chunks/unzlib.mjs' }),
  build({
    ...node,
    entryPoints: ['src/node/cli.ts'],
    format: 'esm',
    outfile: 'dist/cli.mjs',
    banner: { js: '#!/usr/bin/env node' },
  }),
])

// `./dist/cli.mjs` runs in the checkout too (npm sets the bit only for installed bins)
chmodSync(join(root, 'dist/cli.mjs'), 0o755)

// 3. declarations: .d.ts (ES modules, as the package is "type": "module") and, for the CJS
// entry, the same tree as .d.cts whose relative imports name .cjs files, so that TypeScript
// types `require('mtwire')` as CommonJS (node16/nodenext; a .d.ts there "masquerades as ESM")
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'])
for (const f of readdirSync(join(root, 'dist/types'), { recursive: true })) {
  if (!f.endsWith('.d.ts')) continue
  const text = readFileSync(join(root, 'dist/types', f), 'utf8')
  // `from './x.js'`, `import('./x.js')`: relative specifiers only (bare ones resolve by package)
  const cts = text.replace(/((?:from|import\()\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g, '$1$2.cjs$3')
  writeFileSync(join(root, 'dist/types', f.replace(/\.d\.ts$/, '.d.cts')), cts)
}

// 4. the raw .wasm files ship too (for embedders who serve or precompile them)
if (existsSync(join(root, 'build/wasm'))) {
  mkdirSync(join(root, 'dist/wasm'), { recursive: true })
  execFileSync('sh', ['-c', 'cp build/wasm/*.wasm dist/wasm/ 2>/dev/null || true'], { cwd: root })
}
console.log('build: dist/ ready')
