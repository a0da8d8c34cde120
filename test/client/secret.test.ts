/**
 * A secret chat between two of our clients through the server's relay, over real sockets with
 * temporary keys (the main job's scenario, bench/demo-secret.ts): key exchange, a few hundred
 * messages both ways with a re-keying (after 100), the same key visualization on both sides,
 * and an encrypted file in 512 KiB parts.
 */
import { describe, expect, it } from 'vitest'
import * as lib from '../../src/node/index.js'
import { SecretPeer, type ChatEvent } from '../../bench/demo-secret.js'
import { startServer } from './server.js'

const codec = lib.mergeCodecs(lib.mtprotoCodec, lib.mtwireCodec, lib.apiSecretCodec)

describe('secret chat through the server', () => {
  it('two clients: key exchange, 300 messages, a re-keying, the visualization, a 1.2 MB file', async () => {
    const crypto = await lib.createCrypto()
    const srv = await startServer(crypto)
    const opts = { port: srv.port, rsaKeys: [srv.key.publicKey], crypto, pfs: true, session: { codec } }
    const [alice, bob] = await Promise.all([lib.connect(opts), lib.connect(opts)])
    const events: ChatEvent[] = []
    const pa = new SecretPeer(lib, alice, 'alice', (e) => events.push(e))
    const pb = new SecretPeer(lib, bob, 'bob', (e) => events.push(e))
    // Bob's user, handed to Alice out of band (each permanent key is a user of the relay)
    await pb.dhConfig()
    const bobUser = srv.server.relay!.user(permId(bob))
    const chatA = await pa.request({ _: 'inputUser', user_id: bobUser.id, access_hash: bobUser.accessHash })
    await until(() => pb.chats.size === 1)
    const chatB = [...pb.chats.values()][0]
    expect(chatA.visualization).toEqual(chatB.visualization)
    expect(lib.visualizationHex(chatA.visualization!)).toMatch(/^[0-9a-f\s]+$/)

    const N = 150
    for (let i = 0; i < N; i++) {
      pa.send(chatA, `a${i}`)
      pb.send(chatB, `b${i}`)
    }
    const texts = (p: SecretPeer) => events.filter((e) => e.peer === p && e.event.type === 'message').map((e) => (e.event as { message: { message: string } }).message.message)
    await until(() => texts(pa).length === N && texts(pb).length === N)
    expect(texts(pb)).toEqual(Array.from({ length: N }, (_, i) => `a${i}`))
    expect(texts(pa)).toEqual(Array.from({ length: N }, (_, i) => `b${i}`))
    // past 100 messages a side starts re-keying (requestKey, acceptKey, commitKey, noop): both switch
    await until(() => events.filter((e) => e.event.type === 'rekeyed').length >= 2)
    // both sides passed 100 messages at once: both asked, the smaller exchange_id gave way (superseded, no error)
    expect(events.filter((e) => e.event.type === 'rekeyAborted' && e.event.error !== undefined).map((e) => `${e.peer.name}: ${String((e.event as { error?: Error }).error)}`)).toEqual([])
    expect(chatA.keyFingerprint).toBe(chatB.keyFingerprint)
    // the visualization is the first key's: unchanged by re-keying
    expect(chatA.visualization).toEqual(chatB.visualization)

    const file = crypto.randomBytes(1_200_000)
    await pa.sendFile(chatA, file, 'photo.bin')
    await until(() => events.some((e) => e.peer === pb && e.event.type === 'message' && e.event.file?._ === 'encryptedFile'))
    const m = events.find((e) => e.peer === pb && e.event.type === 'message' && e.event.file?._ === 'encryptedFile')!.event as Extract<ChatEvent['event'], { type: 'message' }>
    const media = (m.message as { media: { key: Uint8Array; iv: Uint8Array; size: bigint } }).media
    const got = await pb.download(m.file!, media)
    expect(Buffer.compare(Buffer.from(got), Buffer.from(file))).toBe(0)
    await pa.ackQueue()
    await pb.ackQueue()
    expect([...pa.failures, ...pb.failures]).toEqual([])
    expect(events.filter((e) => e.event.type === 'error' || e.event.type === 'aborted').map((e) => `${e.peer.name} ${e.event.type}: ${String((e.event as { error?: Error }).error)}`)).toEqual([])
    pa.close()
    pb.close()
    await Promise.all([alice.close(), bob.close()])
    await srv.close()
  }, 60_000)
})

function permId(c: lib.Client): bigint {
  return lib.createAuthKey(Buffer.from(c.exportState()!.session.authKey, 'base64')).idLong
}

async function until(f: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 5))
  }
}
