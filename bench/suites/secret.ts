/**
 * Secret chats. Two groups:
 *
 * - `e2e-roundtrip`, messages/s at 256 B and 64 KiB of text: one message from the embedder's
 *   `send()` to the blob and back out of the other side's `receive()` as a `message` event (TL
 *   encoding of decryptedMessageLayer, sequence numbers, the E2E envelope with size-bucket
 *   padding, decryption, TL decoding, seq checks). Next to it, as the baseline the layers above
 *   the envelope are measured against, the envelope alone on the same payload: one
 *   encryptMessage + decryptMessage of a cloud message carrying the same bytes (32-byte header +
 *   payload, default padding), and of an E2E plaintext of exactly the size the chat produces,
 *   with the same options (`layout: 'e2e'`, `padding: 'buckets'`). Same crypto object for all.
 * - `file-encrypt`, bytes/s for a 4 MiB file: `FileEncryptor` in 512 KiB parts (into a part
 *   buffer, as an uploader would) against one `aesIgeEncrypt` call over the same bytes with the
 *   same crypto object, and against @mtcute/wasm's `ige256Encrypt` over the same bytes.
 *
 * Both on Node's default (WASM + node:crypto for large inputs) and on the WASM core alone.
 */
import * as mtcuteWasm from '@mtcute/wasm'
import { createCrypto } from '../../src/node/index.js'
import type { Crypto } from '../../src/crypto/types.js'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { SecretChat } from '../../src/secret/chat.js'
import { FILE_PART_SIZE, FileEncryptor } from '../../src/secret/file.js'
import type { RawUpdateNewEncryptedMessage } from '../../src/tl/generated/api-secret.js'
import { rnd, type BenchCase, type BenchSuite } from '../harness.js'
import { mtcuteInit } from './crypto.js'

export const SIZES = [256, 65536]
const FILE = 4 << 20

/** Two chats with a completed key exchange and layers announced, re-keying off (it is not per message). */
function openPair(crypto: Crypto): { a: SecretChat; b: SecretChat } {
  const opts = { crypto, rekeyAfterMessages: Infinity, rekeyAfterMs: Infinity }
  const a = SecretChat.request({ ...opts, dhConfig: DH(), userId: { _: 'inputUser', user_id: 2n, access_hash: 1n }, now: 0 })
  const [req] = a.takeOutgoing() as { g_a: Uint8Array }[]
  const b = SecretChat.accept({
    ...opts, dhConfig: DH(), now: 0,
    chat: { _: 'encryptedChatRequested', id: 1, access_hash: 1n, date: 0, admin_id: 1n, participant_id: 2n, g_a: req.g_a },
  })
  const [acc, ...bOut] = b.takeOutgoing() as unknown as [{ g_b: Uint8Array; key_fingerprint: bigint }, ...{ data: Uint8Array }[]]
  a.receive({ _: 'encryptedChat', id: 1, access_hash: 1n, date: 0, admin_id: 1n, participant_id: 2n, g_a_or_b: acc.g_b, key_fingerprint: acc.key_fingerprint }, 0)
  for (const r of a.takeOutgoing() as { data: Uint8Array }[]) b.receive(update(r.data), 0)
  for (const r of bOut) a.receive(update(r.data), 0)
  return { a, b }
}

let dhConfig: { p: Uint8Array; g: number } | undefined
function DH(): { p: Uint8Array; g: number } {
  return dhConfig!
}

const update = (data: Uint8Array): RawUpdateNewEncryptedMessage => ({
  _: 'updateNewEncryptedMessage', qts: 0, message: { _: 'encryptedMessage', random_id: 1n, chat_id: 1, date: 0, bytes: data, file: { _: 'encryptedFileEmpty' } },
})

/**
 * One round trip: A sends, B receives. Both directions alternate so that each side's in_seq_no
 * confirms the other's messages (history stays short, as in a conversation).
 */
function roundTrip(a: SecretChat, b: SecretChat, message: string): () => void {
  let turn = 0
  return () => {
    const [from, to] = turn++ & 1 ? [b, a] : [a, b]
    from.send({ message })
    const req = from.takeOutgoing()[0] as { data: Uint8Array }
    const ev = to.receive(update(req.data), 0)
    if (ev.length !== 1 || ev[0].type !== 'message') throw new Error(`secret bench: expected one message, got ${ev.map((e) => e.type)}`)
  }
}

/** The padded plaintext size (a size bucket) of the chat's message with a `size`-byte text. */
function chatPlaintextSize(crypto: Crypto, size: number): number {
  const { a } = openPair(crypto)
  a.send({ message: 'x'.repeat(size) })
  return (a.takeOutgoing()[0] as { data: Uint8Array }).data.length - 24
}

async function crypto2(): Promise<{ name: string; c: Crypto }[]> {
  const def = await createCrypto()
  const core = await createCrypto({ native: false })
  return [
    { name: `${def.backend} +node:crypto`, c: def },
    { name: core.backend, c: core },
  ]
}

const suite: BenchSuite = {
  name: 'secret',
  async cases({ quick }) {
    const { TELEGRAM_DH_PRIME, TELEGRAM_DH_G } = await import('../../src/auth/dh.js')
    dhConfig = { p: TELEGRAM_DH_PRIME, g: TELEGRAM_DH_G }
    mtcuteInit()
    const cases: BenchCase[] = []
    const key = createAuthKey(rnd(256))
    for (const { name, c } of await crypto2()) {
      for (const size of SIZES) {
        // a flat string, as text typed or decoded from the network is ('x'.repeat() builds a rope, slow to read per char)
        const text = new TextDecoder().decode(new Uint8Array(size).fill(0x78))
        const { a, b } = openPair(c)
        const rt = roundTrip(a, b, text)
        // the chat is JavaScript through and through (the envelope beside it mostly WASM): warmed up past V8's
        // optimizing tiers first, else a quick run times it half-compiled (0.49x of the envelope measured, 0.8x warm)
        for (let i = 0, n = size > 4096 ? 500 : 20_000; i < n; i++) rt()
        cases.push({ impl: `mtwire SecretChat ${name}`, op: 'e2e-roundtrip', size, fn: rt })
        // the envelope alone, cloud layout, on the same payload
        const cloudInner = rnd(32 + size)
        new DataView(cloudInner.buffer).setUint32(28, size, true)
        // (allocating calls, as the chat makes: it keeps each blob for resends and hands out each plaintext)
        cases.push({
          impl: `envelope alone, cloud ${name}`, peer: true, op: 'e2e-roundtrip', size,
          fn: () => c.decryptMessage(key, c.encryptMessage(key, cloudInner, 0), 0),
        })
        // the envelope alone with the chat's options, on a plaintext padded to the same size bucket as the chat's
        const inner = rnd(chatPlaintextSize(c, size) - 12)
        new DataView(inner.buffer).setUint32(0, inner.length - 4, true)
        const opts = { layout: 'e2e', padding: 'buckets' } as const
        const dopts = { layout: 'e2e' } as const
        cases.push({
          impl: `envelope alone, e2e buckets ${name}`, peer: true, op: 'e2e-roundtrip', size,
          fn: () => {
            const blob = c.encryptMessage(key, inner, 0, undefined, opts)
            c.decryptMessage(key, blob, 0, undefined, dopts)
          },
        })
      }
      // files: 512 KiB parts vs one call vs @mtcute/wasm
      const file = rnd(FILE)
      const fkey = rnd(32), fiv = rnd(32)
      const part = new Uint8Array(FILE_PART_SIZE)
      cases.push({
        impl: `mtwire FileEncryptor, 512 KiB parts ${name}`, op: 'file-encrypt', size: FILE,
        fn: () => {
          const e = new FileEncryptor(c, { key: fkey, iv: fiv })
          for (let off = 0; off < FILE; off += FILE_PART_SIZE) e.update(file.subarray(off, off + FILE_PART_SIZE), part)
          e.final()
        },
      })
      const whole = new Uint8Array(FILE)
      cases.push({ impl: `aesIgeEncrypt, one call ${name}`, peer: true, op: 'file-encrypt', size: FILE, fn: () => c.aesIgeEncrypt(file, fkey, fiv, whole) })
    }
    const file = rnd(FILE)
    const fkey = rnd(32), fiv = rnd(32)
    cases.push({ impl: '@mtcute/wasm ige256Encrypt, one call', peer: true, op: 'file-encrypt', size: FILE, fn: () => mtcuteWasm.ige256Encrypt(file, fkey, fiv) })
    return quick ? cases.filter((x) => x.op !== 'file-encrypt' || !x.impl.includes('wasm-') || x.impl.includes('node:crypto')) : cases
  },
}
export default suite
