#!/usr/bin/env node
// Official Node.js binaries from the npm registry (the `node-linux-<arch>` packages carry
// nodejs.org's release builds as `package/bin/node`), for running the suites on Node lines
// other than the one installed. Unpacked into `.cache/node/<arch>-<version>/` at the
// repository root and reused; prints the path of the `node` binary on stdout.
//
//   node scripts/node-bin.mjs 26                 # x64, newest 26.x on the registry
//   node scripts/node-bin.mjs 26 --arch arm64    # for qemu-aarch64 (scripts/arm/)
//   node scripts/node-bin.mjs 22.11.0            # an exact version
//
// Only `npm` and `tar` are used: no download tool, no nodejs.org (CI reaches only the registry).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const usage = 'usage: node scripts/node-bin.mjs <major|version> [--arch x64|arm64|armv7l]'
let spec
let arch = 'x64'
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--arch') arch = args[++i]
  else if (args[i] === '--help' || args[i] === '-h') { console.log(usage); process.exit(0) }
  else if (spec === undefined) spec = args[i]
  else { console.error(usage); process.exit(2) }
}
if (!spec || !/^\d+(\.\d+\.\d+)?$/.test(spec) || !['x64', 'arm64', 'armv7l'].includes(arch)) {
  console.error(usage)
  process.exit(2)
}

const pkg = `node-linux-${arch}`
const npm = (...a) => execFileSync('npm', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim()

// Resolve a major to the newest version the registry has (`npm view pkg@26 version` lists one
// line per matching version when several match).
let version = spec
if (!spec.includes('.')) {
  const out = npm('view', `${pkg}@${spec}`, 'version', '--json')
  const list = [].concat(JSON.parse(out))
  if (list.length === 0) { console.error(`${pkg}@${spec}: not on the registry`); process.exit(1) }
  const key = (v) => v.split('.').map(Number)
  list.sort((a, b) => { const x = key(a), y = key(b); return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] })
  version = list[list.length - 1]
}

const dir = join(root, '.cache', 'node', `${arch}-${version}`)
const bin = join(dir, 'bin', 'node')
if (!existsSync(bin)) {
  const tmp = `${dir}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  try {
    npm('pack', `${pkg}@${version}`, '--silent', '--pack-destination', tmp)
  } catch {
    rmSync(tmp, { recursive: true, force: true })
    console.error(`could not fetch ${pkg}@${version} from the npm registry`)
    process.exit(1)
  }
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'))
  if (!tgz) { console.error(`npm pack ${pkg}@${version} gave no tarball`); process.exit(1) }
  // Only the binary and its licence: the headers are ~100 MB unpacked and unused here.
  execFileSync('tar', ['xzf', join(tmp, tgz), '-C', tmp, '--strip-components=1', 'package/bin/node', 'package/LICENSE'])
  rmSync(join(tmp, tgz))
  rmSync(dir, { recursive: true, force: true })
  renameSync(tmp, dir)
}
console.log(bin)
