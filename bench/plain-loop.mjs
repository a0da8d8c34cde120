#!/usr/bin/env node
// A headline row of the README's benchmark table, timed the simplest way: a loop of N calls of
// ours, then a loop of N calls of the peer, repeated (the order alternates each round); the
// median time per call of each side and their ratio. No harness, nothing shared between the
// sides but the process; before each loop a full garbage collection (outside the timing), so
// that a loop pays for its own garbage, not for the other side's. bench/harness.ts measures
// the same way (see bench/README.md). Needs the built bundle:
//   npm run build && node bench/plain-loop.mjs                         # the headline rows
//   node bench/plain-loop.mjs ige-encrypt:256 decrypt-message:4096     # some rows
//   node bench/plain-loop.mjs encrypt-message:256:wasm-simd/ct         # another backend of ours
//   node bench/plain-loop.mjs --ours encrypt-message:256               # ours alone, µs per call
// Options: --rounds R (default 7), --ms T (each timed loop lasts about T ms, default 100),
// --dist FILE (the bundle to load, default dist/node.mjs: another build of mtwire to compare),
// --cpu (time loops by the process's CPU time, process.cpuUsage(), instead of the wall clock:
// on a busy shared machine the time this process waits for a core then does not count).
//
// Rows are op:size[:backend]. Ops: ige-encrypt, ige-decrypt, ctr, sha256 (ours against
// @mtcute/wasm's SIMD build), encrypt-message, decrypt-message (ours against @mtcute/core's
// AuthKey with its Node provider and with an all-WASM one; the ratio is against the faster).
// Backends: as `Crypto.backend` (wasm-relaxed-simd/ct, wasm-simd/ct, wasm/table, js/table, ...),
// optionally + '+node:crypto' (the Node default: node:crypto for large messages and CTR calls).
// Default: the primitives on wasm-relaxed-simd/ct alone, the envelope as createCryptoSync()
// gives it on Node. On Node 20 the relaxed flavour needs enableRelaxedSimd(), which this
// script calls (as a Node 20 user who wants it would).
import { randomFillSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import * as mtcute from '@mtcute/wasm'

const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(name)
  if (i < 0) return dflt
  const v = args[i + 1]
  args.splice(i, 2)
  return v
}
const ROUNDS = Number(opt('--rounds', 7))
const MS = Number(opt('--ms', 100))
const dist = opt('--dist', fileURLToPath(new URL('../dist/node.mjs', import.meta.url)))
const flag = (name) => (args.includes(name) ? (args.splice(args.indexOf(name), 1), true) : false)
const oursOnly = flag('--ours')
const cpu = flag('--cpu')
/** Milliseconds: wall clock, or (--cpu) this process's user + system CPU time. */
const now = cpu
  ? () => {
      const u = process.cpuUsage()
      return (u.user + u.system) / 1000
    }
  : () => performance.now()
const rows = args.length
  ? args
  : ['ige-encrypt:256', 'ige-encrypt:4096', 'ige-encrypt:65536', 'ige-decrypt:256', 'ige-decrypt:4096', 'ige-decrypt:65536',
      'encrypt-message:256', 'encrypt-message:4096', 'decrypt-message:256', 'decrypt-message:4096']

// the collector, without asking for --expose-gc (a flag set at run time reaches new contexts)
setFlagsFromString('--expose-gc')
const gc = globalThis.gc ?? runInNewContext('gc')

const m = await import(pathToFileURL(dist).href)
m.enableRelaxedSimd()
const require = createRequire(import.meta.url)
mtcute.initSync(readFileSync(require.resolve('@mtcute/wasm/mtcute-simd.wasm')))

/** A Crypto object for `backend` ('wasm-relaxed-simd/ct', 'js/table', ... [+node:crypto]). */
function crypto(backend) {
  const native = backend.endsWith(' +node:crypto') || backend.endsWith('+node:crypto')
  const name = backend.replace(/ ?\+node:crypto$/, '')
  const [flavour, aes] = name.split('/')
  const simd = { 'wasm-relaxed-simd': 'relaxed', 'wasm-simd': 'baseline', wasm: 'none' }[flavour]
  const o = flavour === 'js' ? { backend: 'js' } : { backend: 'wasm', simd, aes: aes === 'ct' ? 'constant-time' : 'table' }
  const c = m.createCryptoSync(native ? o : { ...o, native: false })
  if (c.backend !== name) throw new Error(`asked for ${name}, got ${c.backend}`)
  return c
}

const rnd = (n) => randomFillSync(new Uint8Array(n))

/** A valid inner message of `size` bytes: salt, session_id 0x0102030405060708, length field. */
function innerOf(size) {
  const b = rnd(size)
  const v = new DataView(b.buffer)
  v.setUint32(8, 0x05060708, true)
  v.setUint32(12, 0x01020304, true)
  v.setUint32(28, size - 32, true)
  return b
}

/** The sides of a row: [[name, fn], ...], ours first. */
async function sides(op, size, backend) {
  const data = rnd(size), out = new Uint8Array(size), key = rnd(32), iv = rnd(32), iv16 = rnd(16)
  if (op === 'ige-encrypt' || op === 'ige-decrypt' || op === 'ctr' || op === 'sha256') {
    const c = crypto(backend ?? 'wasm-relaxed-simd/ct')
    const ours =
      op === 'ige-encrypt' ? () => c.aesIgeEncrypt(data, key, iv, out)
      : op === 'ige-decrypt' ? () => c.aesIgeDecrypt(data, key, iv, out)
      : op === 'sha256' ? () => c.sha256(data)
      : ((s) => () => s.process(data, out))(c.createAesCtr(key, iv16))
    const peer =
      op === 'ige-encrypt' ? () => mtcute.ige256Encrypt(data, key, iv)
      : op === 'ige-decrypt' ? () => mtcute.ige256Decrypt(data, key, iv)
      : op === 'sha256' ? () => mtcute.sha256(data)
      : ((s) => () => mtcute.ctr256(s, data))(mtcute.createCtr256(key, iv16))
    return [[`mtwire ${c.backend}`, ours], ['@mtcute/wasm', peer]]
  }
  if (op !== 'encrypt-message' && op !== 'decrypt-message') throw new Error(`unknown op ${op}`)
  const c = backend ? crypto(backend) : m.createCryptoSync()
  const label = backend ?? `${c.backend} +node:crypto`
  const keyBytes = rnd(256)
  const authKey = m.createAuthKey(keyBytes)
  const inner = innerOf(size)
  const packet = c.encryptMessage(authKey, inner, 8)
  const buf = new Uint8Array(size + 24 + 1024)
  const ours = op === 'encrypt-message' ? () => c.encryptMessageInto(authKey, inner, 0, buf) : () => c.decryptMessageInto(authKey, packet, 8, buf)
  const res = [[`mtwire ${label}`, ours]]
  if (oursOnly) return res
  // @mtcute/core's AuthKey (internal: not in its exports map, so loaded by file)
  const { AuthKey } = await import(pathToFileURL(require.resolve('@mtcute/core').replace(/index\.(c?js)$/, 'network/auth-key.js')).href)
  const { NodeCryptoProvider } = await import('@mtcute/node/utils.js')
  class WasmProvider extends NodeCryptoProvider {
    sha1(d) { return mtcute.sha1(d) }
    sha256(d) { return mtcute.sha256(d) }
  }
  const quiet = { verbose() {}, warn() {}, debug() {}, info() {}, error() {} }
  const salt = { low: 0x55667788, high: 0x11223344, unsigned: false }
  const session = { low: 0x05060708, high: 0x01020304, unsigned: false }
  const msg = inner.subarray(16) // mtcute writes salt and session_id itself
  for (const [name, P] of [['@mtcute/core AuthKey (node)', NodeCryptoProvider], ['@mtcute/core AuthKey (wasm)', WasmProvider]]) {
    const p = new P()
    await p.initialize()
    const k = new AuthKey(p, quiet, {})
    k.setup(keyBytes)
    let ok = false
    k.decryptMessage(packet, session, () => (ok = true))
    if (!ok) throw new Error('mtcute rejected our packet')
    const noop = () => {}
    res.push([name, op === 'encrypt-message' ? () => k.encryptMessage(msg, salt, session) : () => k.decryptMessage(packet, session, noop)])
  }
  return res
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Calls per timed loop, so that one loop lasts about MS ms. */
function callsFor(fn) {
  let n = 1
  for (;;) {
    const t = now()
    for (let i = 0; i < n; i++) fn()
    const dt = now() - t
    if (dt >= MS / 4) return Math.max(1, Math.round((n * MS) / dt))
    n *= 2
  }
}

console.log(`node ${process.version}, ${process.arch}; ${ROUNDS} rounds of ~${MS} ms loops per side (${cpu ? 'CPU time' : 'wall clock'}); µs per call (median of rounds)`)
for (const row of rows) {
  const [op, sizeStr, ...rest] = row.split(':')
  const size = Number(sizeStr)
  const list = (await sides(op, size, rest.length ? rest.join(':') : undefined)).slice(0, oursOnly ? 1 : undefined)
  // calibration, then a warm-up loop as long as a round's
  const n = list.map(([, fn]) => callsFor(fn))
  list.forEach(([, fn], i) => {
    for (let k = 0; k < n[i]; k++) fn()
  })
  const us = list.map(() => [])
  for (let r = 0; r < ROUNDS; r++) {
    for (let j = 0; j < list.length; j++) {
      const i = (j + r) % list.length
      const fn = list[i][1]
      gc()
      const t = now()
      for (let k = 0; k < n[i]; k++) fn()
      us[i].push(((now() - t) * 1000) / n[i])
    }
  }
  const med = us.map(median)
  const line = list.map(([name], i) => `${name} ${med[i].toFixed(3)}`)
  if (!oursOnly) {
    const best = med.slice(1).reduce((a, b) => Math.min(a, b))
    // per-round ratios against the best peer, for the spread
    const bi = med.indexOf(best)
    const per = us[0].map((t, r) => us[bi][r] / t).sort((a, b) => a - b)
    line.push(`ratio ${(best / med[0]).toFixed(2)}x ${list[bi][0]} (rounds ${per[0].toFixed(2)}-${per[per.length - 1].toFixed(2)})`)
  }
  console.log(`${op} ${size} B: ${line.join('; ')}`)
}
