/**
 * mtcute 0.30 (`BaseTelegramClient` from @mtcute/node) against `mtwire serve` as a real process,
 * with PFS on (`usePfs`: a permanent key, a temporary key, `auth.bindTempAuthKey`), over every
 * transport it has for TCP: intermediate (its default), padded intermediate, obfuscated2, and
 * MTProxy with a `dd` and an `ee` (fake-TLS) secret. Per transport: the handshakes, pings
 * (sent inside invokeWithLayer the first time: checklist §1.16), `help.getNearestDc` answered by
 * the server's default handler, and `help.getConfig`, which the server does not implement: its
 * answer `400 INPUT_METHOD_INVALID_…` (not `401 AUTH_KEY_PERM_EMPTY`) shows the temporary key
 * was bound. The server's log shows the keys made on this test's connections and the transport.
 *
 * Key injection as checklist B2 says (`addPublicKey` with the PEM `mtwire serve` prints; its
 * fingerprint's hex does not start with 0, §1.7). Tolerated peer quirk, and only it: the
 * 255-byte auth key (§1.13, tolerateShortKey).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cutRelay, startInterop, tolerateShortKey, type Interop } from './serve.js'

let io: Interop

beforeAll(async () => {
  io = await startInterop()
}, 60_000)
afterAll(() => io?.stop())

const TRANSPORTS = ['intermediate', 'padded', 'obfuscated2', 'MTProxy dd', 'MTProxy ee'] as const
const DETECTED: Record<(typeof TRANSPORTS)[number], { transport: string; framing: string; secret?: boolean }> = {
  intermediate: { transport: 'plain', framing: 'intermediate' },
  padded: { transport: 'plain', framing: 'padded' },
  obfuscated2: { transport: 'obfuscated2', framing: 'intermediate' },
  'MTProxy dd': { transport: 'obfuscated2', framing: 'padded', secret: true },
  'MTProxy ee': { transport: 'fake-tls', framing: 'padded', secret: true },
}

describe('mtcute 0.30 (BaseTelegramClient, usePfs) against mtwire serve', () => {
  it('the fingerprint mtwire serve prints does not start with 0 in hex (mtcute could not find it)', () => {
    expect(io.serve.fingerprintLine).toMatch(/^fingerprint [1-9a-f]/)
  })

  it.each(TRANSPORTS)('%s: permanent + temporary key bound, pings, help.getNearestDc, an unknown method', async (name) => {
    const { BaseTelegramClient, TcpTransport, MtProxyTcpTransport } = await import('@mtcute/node')
    const { MemoryStorage, ObfuscatedPacketCodec, IntermediatePacketCodec, PaddedIntermediatePacketCodec, Long } = await import('@mtcute/core')
    const { addPublicKey, NodeCryptoProvider } = await import('@mtcute/node/utils.js')
    addPublicKey(new NodeCryptoProvider(), io.serve.pem)
    // through a relay (no cut): the server logs its connections' ports, so this test finds its own
    const relay = await cutRelay(io.port)
    const dc = { id: 2, ipAddress: '127.0.0.1', port: relay.port }
    const tcp = (codec: () => unknown) => ({ connect: (d: never) => new TcpTransport().connect(d), packetCodec: codec })
    const transport =
      name === 'intermediate' ? new TcpTransport()
        : name === 'padded' ? tcp(() => new PaddedIntermediatePacketCodec())
          : name === 'obfuscated2' ? tcp(() => new ObfuscatedPacketCodec(new IntermediatePacketCodec()))
            : new MtProxyTcpTransport({ host: '127.0.0.1', port: relay.port, secret: name === 'MTProxy dd' ? io.secrets.dd : io.secrets.ee })
    try {
      await tolerateShortKey(io, relay, async () => {
        const tg = new BaseTelegramClient({
          apiId: 1, apiHash: '0'.repeat(32), storage: new MemoryStorage(), defaultDcs: { main: dc, media: dc },
          transport: transport as never, logLevel: 0, network: { usePfs: true },
        })
        try {
          await tg.connect()
          for (const id of [1, 2, 3]) {
            // mtcute resolves a call() only from an rpc_result, so the ping goes inside an API wrapper (§1.16)
            const pong = (await tg.call({ _: 'invokeWithoutUpdates', query: { _: 'mt_ping', pingId: Long.fromNumber(id) } } as never)) as { _: string; pingId: { toNumber(): number } }
            expect(pong._).toBe('mt_pong')
            expect(pong.pingId.toNumber()).toBe(id)
          }
          expect(await tg.call({ _: 'help.getNearestDc' })).toMatchObject({ _: 'nearestDc', thisDc: 2, nearestDc: 2 })
          // an unbound temporary key would get 401 AUTH_KEY_PERM_EMPTY (api/pfs)
          await expect(tg.call({ _: 'help.getConfig' })).rejects.toMatchObject({ code: 400, text: 'INPUT_METHOD_INVALID_c4f9186b' })
        } finally {
          await tg.destroy()
        }
      })
      await new Promise((r) => setTimeout(r, 100))
      const mine = io.eventsOf(relay)
      const keys = mine.filter((e) => e.event === 'auth-key')
      // the last temporary key: an attempt tolerateShortKey gave up on (a 255-byte key, §1.13)
      // may have left one behind that no RPC used
      const temps = keys.filter((e) => e.temporary)
      const temp = temps.length > 0 ? temps[temps.length - 1] : undefined
      expect(keys.some((e) => !e.temporary)).toBe(true)
      expect(temp).toBeDefined()
      // the RPCs went under the temporary key
      expect(mine.some((e) => e.event === 'session' && e.keyId === temp!.keyId)).toBe(true)
      const d = DETECTED[name]
      const det = mine.filter((e) => e.event === 'detected')
      expect(det.length).toBeGreaterThan(0)
      for (const e of det) expect({ transport: e.transport, framing: e.framing, secret: e.secret !== undefined }).toEqual({ ...d, secret: !!d.secret })
    } finally {
      await relay.close()
    }
  }, 30_000)
})
