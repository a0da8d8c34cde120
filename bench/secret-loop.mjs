#!/usr/bin/env node
// The secret suite's figures with a plain timing loop (no harness): a SecretChat round trip
// (send -> blob -> receive -> message event) against the envelope alone on the same payload,
// and a 4 MiB file in 512 KiB parts against one aesIgeEncrypt call. Rounds interleave the
// cases; medians are printed. Needs the built bundle:
//   npm run build && node --experimental-wasm-relaxed-simd bench/secret-loop.mjs
import { fileURLToPath } from 'node:url'

const m = await import(fileURLToPath(new URL('../dist/node.mjs', import.meta.url)))
const { createCryptoSync, createAuthKey, SecretChat, SecretRelay, FileEncryptor, FILE_PART_SIZE } = m
const ROUNDS = 9
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
function time(cases, calls) {
  const res = Object.fromEntries(cases.map(([n]) => [n, []]))
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of cases) {
      for (let i = 0; i < calls / 10; i++) fn()
      const t = performance.now()
      for (let i = 0; i < calls; i++) fn()
      res[name].push((performance.now() - t) / calls)
    }
  }
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, median(v)]))
}

for (const native of [true, false]) {
  const crypto = createCryptoSync(native ? {} : { native: false })
  const label = `${crypto.backend}${native ? ' +node:crypto' : ''}`
  const dhConfig = new SecretRelay({ crypto }).handle(1n, { _: 'messages.getDhConfig', version: 0, random_length: 0 }, 0).result
  const opts = { crypto, rekeyAfterMessages: Infinity, rekeyAfterMs: Infinity }
  const update = (bytes) => ({ _: 'updateNewEncryptedMessage', qts: 0, message: { _: 'encryptedMessage', random_id: 1n, chat_id: 1, date: 0, bytes, file: { _: 'encryptedFileEmpty' } } })
  const a = SecretChat.request({ ...opts, dhConfig, userId: { _: 'inputUser', user_id: 2n, access_hash: 1n }, now: 0 })
  const b = SecretChat.accept({ ...opts, dhConfig, now: 0, chat: { _: 'encryptedChatRequested', id: 1, access_hash: 1n, date: 0, admin_id: 1n, participant_id: 2n, g_a: a.takeOutgoing()[0].g_a } })
  const [acc, ...bOut] = b.takeOutgoing()
  a.receive({ _: 'encryptedChat', id: 1, access_hash: 1n, date: 0, admin_id: 1n, participant_id: 2n, g_a_or_b: acc.g_b, key_fingerprint: acc.key_fingerprint }, 0)
  for (const r of a.takeOutgoing()) b.receive(update(r.data), 0)
  for (const r of bOut) a.receive(update(r.data), 0)
  const key = createAuthKey(crypto.randomBytes(256))
  for (const size of [256, 65536]) {
    const text = new TextDecoder().decode(new Uint8Array(size).fill(0x78))
    let turn = 0
    const chat = () => {
      const [from, to] = turn++ & 1 ? [b, a] : [a, b]
      from.send({ message: text })
      if (to.receive(update(from.takeOutgoing()[0].data), 0)[0]?.type !== 'message') throw new Error('no message')
    }
    a.send({ message: text })
    const probe = a.takeOutgoing()[0].data
    b.receive(update(probe), 0)
    turn = 1 // B's turn next
    const bucket = probe.length - 24 // the padded plaintext: a size bucket
    const cloud = crypto.randomBytes(32 + size)
    new DataView(cloud.buffer).setUint32(28, size, true)
    const e2e = crypto.randomBytes(bucket - 12)
    new DataView(e2e.buffer).setUint32(0, e2e.length - 4, true)
    const eo = { layout: 'e2e', padding: 'buckets' }, dopt = { layout: 'e2e' }
    const t = time([
      ['SecretChat', chat],
      ['envelope alone, cloud', () => crypto.decryptMessage(key, crypto.encryptMessage(key, cloud, 0), 0)],
      ['envelope alone, e2e buckets', () => crypto.decryptMessage(key, crypto.encryptMessage(key, e2e, 0, undefined, eo), 0, undefined, dopt)],
    ], size > 4096 ? 200 : 20000)
    console.log(`${label}, ${size} B round trip: SecretChat ${(t.SecretChat * 1000).toFixed(1)} µs; ` +
      `envelope alone cloud ${(t['envelope alone, cloud'] * 1000).toFixed(1)} µs (SecretChat ${(t['envelope alone, cloud'] / t.SecretChat).toFixed(2)}x), ` +
      `e2e buckets ${(t['envelope alone, e2e buckets'] * 1000).toFixed(1)} µs (SecretChat ${(t['envelope alone, e2e buckets'] / t.SecretChat).toFixed(2)}x)`)
  }
  const FILE = 4 << 20
  const file = crypto.randomBytes(FILE), fkey = crypto.randomBytes(32), fiv = crypto.randomBytes(32)
  const part = new Uint8Array(FILE_PART_SIZE), whole = new Uint8Array(FILE)
  const f = time([
    ['parts', () => {
      const e = new FileEncryptor(crypto, { key: fkey, iv: fiv })
      for (let off = 0; off < FILE; off += FILE_PART_SIZE) e.update(file.subarray(off, off + FILE_PART_SIZE), part)
      e.final()
    }],
    ['one call', () => crypto.aesIgeEncrypt(file, fkey, fiv, whole)],
  ], 4)
  console.log(`${label}, 4 MiB file: 512 KiB parts ${f.parts.toFixed(1)} ms, one aesIgeEncrypt ${f['one call'].toFixed(1)} ms (parts ${(f['one call'] / f.parts).toFixed(3)}x)`)
}
