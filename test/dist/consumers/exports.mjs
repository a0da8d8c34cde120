// Run by scripts/test-pack.sh in the scratch project where the tarball is installed:
//   node exports.mjs <path to typescript.js>
// For each entry point, the value names its typings declare must be exactly the names the
// bundle exports at run time (no declared function that the bundle lacks, nothing untyped).
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)
const ts = require(process.argv[2])
const pkg = join(process.cwd(), 'node_modules/mtwire')

/** `export type { x }`, `export { type x }`, `export type * as ns`: a name that is no value, whatever it names. */
const typeOnly = (s) =>
  (s.declarations ?? []).some((d) => (ts.isExportSpecifier(d) || ts.isNamespaceExport(d)) && (d.isTypeOnly || d.parent?.isTypeOnly || d.parent?.parent?.isTypeOnly))

/** Value (not type-only) exports of a declaration file. */
function declared(file) {
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, types: [], module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext })
  const checker = program.getTypeChecker()
  const mod = checker.getSymbolAtLocation(program.getSourceFile(file))
  return checker
    .getExportsOfModule(mod)
    .filter((s) => !typeOnly(s) && ((s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value) !== 0)
    .map((s) => s.name)
    .sort()
}
const runtime = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort()

const entries = [
  ['browser (dist/browser.mjs)', 'dist/types/index.d.ts', async () => import(pathToFileURL(join(pkg, 'dist/browser.mjs')).href)],
  ['node ESM (dist/node.mjs)', 'dist/types/node/index.d.ts', async () => import(pathToFileURL(join(pkg, 'dist/node.mjs')).href)],
  ['node CJS (dist/node.cjs)', 'dist/types/node/index.d.cts', async () => require(join(pkg, 'dist/node.cjs'))],
]
let failed = 0
for (const [name, types, load] of entries) {
  const d = declared(join(pkg, types))
  const r = runtime(await load())
  const missing = d.filter((x) => !r.includes(x))
  const untyped = r.filter((x) => !d.includes(x))
  if (missing.length || untyped.length) {
    failed++
    console.log(`pack: ${name}: declared but not exported: [${missing.join(', ')}]; exported but not declared: [${untyped.join(', ')}]`)
  } else console.log(`pack: ${name}: its ${d.length} exported values match ${types}`)
}
process.exit(failed ? 1 : 0)
