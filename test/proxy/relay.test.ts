/**
 * ProxyRelay without sockets: our ClientTransport (plain, dd and ee secrets) → relay → a
 * ServerTransport playing the DC. Packets arrive unchanged both ways whatever the chunking;
 * refused clients fall back with every byte exactly once; replays, unknown DCs and timeouts.
 */
import { randomFillSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createCryptoSync } from '../../src/crypto/create.js'
import { concatAll } from '../../src/bytes.js'
import { ClientTransport } from '../../src/transport/client.js'
import { ServerTransport } from '../../src/transport/server.js'
import { acceptObfuscated2, createObfuscated2Client } from '../../src/transport/obfuscated2.js'
import { buildClientHello, ReplayCache } from '../../src/transport/faketls.js'
import { ProxyRelay, type RelayEvent, type RelayOutput } from '../../src/proxy/relay.js'
import { parseSecrets, parseSecretsFile, proxyLink } from '../../src/proxy/secrets.js'
import { createUpstreams, parseHostPort } from '../../src/proxy/upstream.js'
import { ProxyError } from '../../src/errors.js'

const crypto = createCryptoSync({ random: (b) => void randomFillSync(b) })
const KEY = '0123456789abcdef0123456789abcdef'
const KEY2 = 'fedcba9876543210fedcba9876543210'
const domainHex = (d: string): string => Buffer.from(d).toString('hex')
const secrets = parseSecrets(crypto, [`alice=${KEY}`, `bob=dd${KEY2}`, `carol=ee${'11'.repeat(16)}${domainHex('example.com')}`, `dave=ee${'22'.repeat(16)}${domainHex('other.org')}`])
const upstream = createUpstreams({ overrides: { '*': '127.0.0.1:1' } })
const rnd = (n: number): Uint8Array => randomFillSync(new Uint8Array(n))

/** Splits `b` into random pieces (1 byte to all of it). */
function chunks(b: Uint8Array, mode: 'whole' | 'bytes' | 'random'): Uint8Array[] {
  if (mode === 'whole') return [b]
  const out: Uint8Array[] = []
  for (let i = 0; i < b.length; ) {
    const n = mode === 'bytes' ? 1 : 1 + Math.floor(Math.random() * Math.min(300, b.length - i))
    out.push(b.subarray(i, i + n))
    i += n
  }
  return out
}

interface Pair {
  relay: ProxyRelay
  client: ClientTransport
  dc: ServerTransport
  events: RelayEvent[]
  toUpstream: Uint8Array[]
  toClient: Uint8Array[]
  feed(from: 'client' | 'upstream', b: Uint8Array, mode?: 'whole' | 'bytes' | 'random'): void
}

function pair(secret: string, opts: { cache?: ReplayCache; dcId?: number; test?: boolean; media?: boolean; framing?: 'abridged' | 'intermediate' | 'padded'; fastMode?: boolean } = {}): Pair {
  const cache = opts.cache ?? new ReplayCache({ capacity: 1000 })
  const relay = new ProxyRelay({ crypto, secrets, upstream, replayCache: cache, fastMode: opts.fastMode }, Date.now())
  const client = new ClientTransport({ crypto, proxySecret: secret, dcId: opts.dcId ?? 2, test: opts.test, media: opts.media, framing: opts.framing })
  const dc = new ServerTransport({ crypto })
  const p: Pair = {
    relay, client, dc, events: [], toUpstream: [], toClient: [],
    feed(from, b, mode = 'whole') {
      for (const c of chunks(b, mode)) p.events.push(...relay.receive({ from, data: c.slice() }, Date.now()))
      for (const o of relay.takeOutgoing() as RelayOutput[]) (o.to === 'upstream' ? p.toUpstream : p.toClient).push(o.data)
    },
  }
  return p
}

const modes = ['whole', 'bytes', 'random'] as const

/** The first bytes a client transport writes. */
const startOf = (c: ClientTransport): Uint8Array => {
  c.start()
  return concatAll(c.takeOutgoing())
}

/**
 * The packets decoded, in order. Sizes are those of encrypted MTProto messages (24 + 16k bytes): the
 * padded framing finds its padding from that shape.
 */
function expectPackets(events: { type: string }[], sent: Uint8Array[]): void {
  expect(events.filter((e) => e.type === 'packet').map((e) => (e as unknown as { data: Uint8Array }).data)).toEqual(sent)
}

describe('ProxyRelay: relays packets unchanged', () => {
  for (const [name, secret, framing] of [
    ['plain secret, abridged', KEY, 'abridged'],
    ['plain secret, intermediate', KEY, 'intermediate'],
    ['dd secret, padded', `dd${KEY2}`, 'padded'],
    ['ee secret (fake-TLS), padded', `ee${'11'.repeat(16)}${domainHex('example.com')}`, 'padded'],
  ] as const) {
    it.each(modes)(`${name}, chunks: %s`, (mode) => {
      const p = pair(secret, { framing })
      const packets = [rnd(24), rnd(1016), rnd(70_000 + 8), rnd(40)]
      p.feed('client', startOf(p.client), mode)
      for (const pk of packets) p.client.send(pk)
      if (secret.startsWith('ee')) {
        // the server hello comes back; the client then sends CCS, header and queued packets
        expect(p.toClient.length).toBeGreaterThan(0)
        expect(p.client.takeOutgoing()).toEqual([])
        p.client.receive(concatAll(p.toClient.splice(0)))
      }
      p.feed('client', concatAll(p.client.takeOutgoing()), mode)
      const connect = p.events.find((e) => e.type === 'connect')
      expect(connect).toMatchObject({ type: 'connect', fallback: false, target: { host: '127.0.0.1', port: 1 }, framing, dc: { dcId: 2, test: false, media: false } })
      expect(connect!.type === 'connect' && !connect!.fallback && connect!.secret.label).toBe(({ [KEY]: 'alice', [`dd${KEY2}`]: 'bob' } as Record<string, string>)[secret] ?? 'carol')
      // the DC side sees a fresh obfuscated2 connection with the same packets
      const got = p.dc.receive(concatAll(p.toUpstream.splice(0)))
      expect(got.find((e) => e.type === 'detected')).toMatchObject({ info: { transport: 'obfuscated2', framing, dc: { dcId: 2 }, secretIndex: -1 } })
      expectPackets(got, packets)
      // and back
      const answers = [rnd(56), rnd(40_000 + 8), rnd(104)]
      for (const a of answers) p.dc.send(a)
      p.feed('upstream', concatAll(p.dc.takeOutgoing()), mode)
      const back = p.client.receive(concatAll(p.toClient.splice(0)))
      expectPackets(back, answers)
      p.relay.dispose()
    })
  }

  describe.each([false, true])('fast mode %s', (fastMode) => {
    it.each([
      ['plain', KEY, 'intermediate'],
      ['dd', `dd${KEY2}`, 'padded'],
      ['ee', `ee${'11'.repeat(16)}${domainHex('example.com')}`, 'padded'],
    ] as const)('%s secret: packets unchanged both ways; the DC\'s bytes reach the client as they are only in fast mode', (kind, secret, framing) => {
      const p = pair(secret, { framing, fastMode })
      p.feed('client', startOf(p.client), 'random')
      const packets = [rnd(24), rnd(70_000 + 8)]
      for (const pk of packets) p.client.send(pk)
      if (kind === 'ee') p.client.receive(concatAll(p.toClient.splice(0)))
      p.feed('client', concatAll(p.client.takeOutgoing()), 'random')
      expectPackets(p.dc.receive(concatAll(p.toUpstream.splice(0))), packets)
      const answers = [rnd(56), rnd(40_000 + 8), rnd(104)]
      for (const a of answers) p.dc.send(a)
      const fromDc = concatAll(p.dc.takeOutgoing())
      p.feed('upstream', fromDc.slice(), 'random')
      const toClient = concatAll(p.toClient.splice(0))
      expectPackets(p.client.receive(toClient), answers)
      // without TLS records around them, the client gets the DC's very bytes in fast mode only
      if (kind !== 'ee') expect(Buffer.from(toClient).equals(Buffer.from(fromDc))).toBe(fastMode)
      else expect(toClient.length).toBeGreaterThan(fromDc.length)
      p.relay.dispose()
    })
  })

  it('fastMode must be a boolean; a fixed DC key is 48 bytes, without a secret', () => {
    expect(() => new ProxyRelay({ crypto, secrets, upstream, replayCache: new ReplayCache(), fastMode: 1 as never }, Date.now())).toThrow(/fastMode must be a boolean/)
    expect(() => createObfuscated2Client(crypto, { framing: 'padded', decryptKeyIv: rnd(47) })).toThrow(/48 bytes/)
    expect(() => createObfuscated2Client(crypto, { framing: 'padded', decryptKeyIv: rnd(48), secret: rnd(16) })).toThrow(/without a secret/)
    // the server's outgoing stream is keyed exactly so
    const keyIv = rnd(48)
    const { header } = createObfuscated2Client(crypto, { framing: 'padded', decryptKeyIv: keyIv })
    const acc = acceptObfuscated2(crypto, header, { keepEncryptKey: true })
    expect(Buffer.from(acc.encryptKeyIv!).equals(Buffer.from(keyIv))).toBe(true)
  })

  it('routes test and media DCs by the header', () => {
    const seen: unknown[] = []
    const up = (dc: unknown) => (seen.push(dc), { host: 'h', port: 9 })
    for (const [test, media] of [[true, false], [false, true], [true, true]]) {
      const relay = new ProxyRelay({ crypto, secrets, upstream: up, replayCache: new ReplayCache({ capacity: 100 }) }, Date.now())
      const c = new ClientTransport({ crypto, proxySecret: KEY, dcId: 4, test, media })
      expect(relay.receive({ from: 'client', data: startOf(c) }, Date.now())).toMatchObject([{ type: 'connect', dc: { dcId: 4, test, media } }])
    }
    expect(seen).toEqual([{ dcId: 4, test: true, media: false }, { dcId: 4, test: false, media: true }, { dcId: 4, test: true, media: true }])
  })
})

describe('ProxyRelay: refusals', () => {
  it('closes a client whose DC has no upstream (never connects where a client says)', () => {
    const relay = new ProxyRelay({ crypto, secrets, upstream: createUpstreams(), replayCache: new ReplayCache({ capacity: 100 }) }, Date.now())
    const c = new ClientTransport({ crypto, proxySecret: KEY, dcId: 77 })
    expect(relay.receive({ from: 'client', data: startOf(c) }, Date.now())).toEqual([{ type: 'close', reason: 'no upstream for DC 77', failure: 'unknown-dc' }])
    expect(relay.takeOutgoing()).toEqual([])
  })

  it('refuses a replayed obfuscated2 header', () => {
    const cache = new ReplayCache({ capacity: 100 })
    const c = new ClientTransport({ crypto, proxySecret: KEY, dcId: 2 })
    const first = startOf(c)
    const a = new ProxyRelay({ crypto, secrets, upstream, replayCache: cache }, Date.now())
    expect(a.receive({ from: 'client', data: first }, Date.now())[0]).toMatchObject({ type: 'connect', fallback: false })
    const b = new ProxyRelay({ crypto, secrets, upstream, replayCache: cache }, Date.now())
    // with ee secrets configured a refused client goes to their domain
    expect(b.receive({ from: 'client', data: first }, Date.now())).toEqual([
      { type: 'connect', fallback: true, target: { host: 'example.com', port: 443 }, failure: 'obfuscated2-replay', reason: 'replayed obfuscated2 header' },
    ])
    expect(b.takeOutgoing()).toEqual([{ to: 'upstream', data: first }])
  })

  it('closes refused clients when there is no fallback target (no ee secret, no --tls-fallback)', () => {
    const only = parseSecrets(crypto, [KEY])
    const relay = new ProxyRelay({ crypto, secrets: only, upstream, replayCache: new ReplayCache({ capacity: 100 }) }, Date.now())
    expect(relay.receive({ from: 'client', data: rnd(64) }, Date.now())).toEqual([
      { type: 'close', reason: 'unknown obfuscated2 header', failure: 'obfuscated2-header' },
    ])
  })

  const now = Math.floor(Date.now() / 1000)
  const k1 = new Uint8Array(16).fill(0x11)
  const kinds: [string, () => Uint8Array, string, string][] = [
    ['tls-mac', () => buildClientHello(crypto, new Uint8Array(16).fill(0x33), 'example.com', now), 'example.com', ''],
    ['tls-sni', () => buildClientHello(crypto, k1, 'other.org', now), 'other.org', ''],
    ['tls-skew', () => buildClientHello(crypto, k1, 'example.com', now - 3600), 'example.com', ''],
    ['tls-malformed', () => Uint8Array.from([0x16, 3, 1, 0, 60, ...rnd(60)]), 'example.com', ''],
    ['obfuscated2-header', () => rnd(64).fill(0x42, 0, 1), 'example.com', 'a plain prober'],
  ]
  for (const [failure, make, host] of kinds) {
    it.each(modes)(`${failure}: every byte, later ones too, goes to ${host}:443 exactly once (chunks: %s)`, (mode) => {
      const p = pair(KEY)
      const hello = make()
      const more = rnd(3000)
      p.feed('client', hello, mode)
      p.feed('client', more, mode)
      expect(p.events).toEqual([{ type: 'connect', fallback: true, target: { host, port: 443 }, failure, reason: expect.any(String) }])
      expect(concatAll(p.toUpstream)).toEqual(concatAll([hello, more]))
      // the site's answers come back unchanged
      const site = rnd(500)
      p.feed('upstream', site, mode)
      expect(concatAll(p.toClient)).toEqual(site)
    })
  }

  it('tls-replay: a recorded ClientHello replayed goes to the fallback', () => {
    const cache = new ReplayCache({ capacity: 100 })
    const hello = buildClientHello(crypto, new Uint8Array(16).fill(0x11), 'example.com', Math.floor(Date.now() / 1000))
    const a = pair(KEY, { cache })
    a.feed('client', hello)
    expect(a.events).toEqual([])
    expect(a.toClient.length).toBe(1) // the server hello
    const b = pair(KEY, { cache })
    b.feed('client', hello)
    expect(b.events).toMatchObject([{ type: 'connect', fallback: true, failure: 'tls-replay', target: { host: 'example.com' } }])
    expect(concatAll(b.toUpstream)).toEqual(hello)
  })

  it('--tls-fallback takes every refused client', () => {
    const relay = new ProxyRelay({ crypto, secrets, upstream, replayCache: new ReplayCache({ capacity: 100 }), fallback: { host: '127.0.0.9', port: 8443 } }, Date.now())
    const hello = buildClientHello(crypto, new Uint8Array(16).fill(0x11), 'other.org', Math.floor(Date.now() / 1000))
    expect(relay.receive({ from: 'client', data: hello }, Date.now())).toMatchObject([{ type: 'connect', fallback: true, target: { host: '127.0.0.9', port: 8443 }, failure: 'tls-sni' }])
  })
})

describe('ProxyRelay: timers', () => {
  it('closes a handshake that does not finish in time, and an idle connection', () => {
    const t0 = 1_000_000
    const relay = new ProxyRelay({ crypto, secrets, upstream, replayCache: new ReplayCache({ capacity: 100 }), handshakeTimeoutMs: 5000, idleTimeoutMs: 60_000 }, t0)
    expect(relay.nextDeadline()).toBe(t0 + 5000)
    relay.receive({ from: 'client', data: rnd(10).fill(0x42, 0, 1) }, t0 + 100)
    expect(relay.tick(t0 + 4999)).toEqual([])
    expect(relay.tick(t0 + 5000)).toEqual([{ type: 'close', reason: 'handshake timeout', failure: 'timeout' }])
    expect(relay.nextDeadline()).toBeUndefined()

    const r2 = new ProxyRelay({ crypto, secrets, upstream, replayCache: new ReplayCache({ capacity: 100 }), idleTimeoutMs: 60_000 }, t0)
    const c = new ClientTransport({ crypto, proxySecret: KEY, dcId: 1 })
    r2.receive({ from: 'client', data: startOf(c) }, t0 + 10)
    expect(r2.nextDeadline()).toBe(t0 + 60_010)
    r2.receive({ from: 'upstream', data: rnd(5) }, t0 + 30_000)
    expect(r2.tick(t0 + 60_010)).toEqual([])
    expect(r2.nextDeadline()).toBe(t0 + 90_000)
    expect(r2.tick(t0 + 90_000)).toEqual([{ type: 'close', reason: 'idle timeout' }])
  })
})

describe('secrets and upstreams', () => {
  it('parses a secrets file with names, comments and base64; refuses bad lines by number', () => {
    const s = parseSecretsFile(crypto, `# users\nalice ${KEY}\n\n  dd${KEY2}   # unnamed\nbob ${Buffer.from('ee' + '33'.repeat(16) + domainHex('a.example'), 'hex').toString('base64')}\n`)
    expect(s.map((e) => [e.label, e.secret.mode])).toEqual([['alice', 'plain'], [expect.stringMatching(/^key-[0-9a-f]{8}$/), 'padded'], ['bob', 'fake-tls']])
    expect(s[1].label).not.toContain(KEY2.slice(0, 8))
    expect(() => parseSecretsFile(crypto, `a ${KEY}\nb c d`)).toThrow(/line 2/)
    expect(() => parseSecretsFile(crypto, `a ${KEY}\nb zz`)).toThrow(ProxyError)
    expect(() => parseSecretsFile(crypto, `a ${KEY}\nb dd${KEY}`)).toThrow(/same key twice/)
    expect(() => parseSecrets(crypto, [`a=${KEY}`, `a=${KEY2}`])).toThrow(/secret a: the name a is used twice/)
    expect(() => parseSecretsFile(crypto, `a ${KEY}\nb nothex`)).toThrow(/^line 2: unsupported MTProxy secret of 4 bytes/)
  })

  it('prints tg://proxy links with the canonical hex', () => {
    const [e] = parseSecrets(crypto, [`ee${'33'.repeat(16)}${domainHex('a.example')}`])
    expect(proxyLink('proxy.example', 443, e)).toBe(`tg://proxy?server=proxy.example&port=443&secret=ee${'33'.repeat(16)}${domainHex('a.example')}`)
  })

  it("defaults to Telegram's addresses; overrides per DC, test and media", () => {
    const def = createUpstreams()
    expect(def({ dcId: 2, test: false, media: false })).toEqual({ host: '149.154.167.51', port: 443 })
    expect(def({ dcId: 2, test: true, media: false })).toEqual({ host: '149.154.167.40', port: 443 })
    expect(def({ dcId: 5, test: false, media: true })).toEqual({ host: '149.154.171.5', port: 443 })
    expect(def({ dcId: 4, test: true, media: false })).toBeUndefined()
    expect(def({ dcId: 6, test: false, media: false })).toBeUndefined()
    expect(createUpstreams({ ipv6: true })({ dcId: 1, test: false, media: false })).toEqual({ host: '2001:b28:f23d:f001::a', port: 443 })
    const o = createUpstreams({ overrides: { '2': '10.0.0.1:80', t2: '[::1]:81', '-2': 'media:82', '10003': 'x:83' } })
    expect(o({ dcId: 2, test: false, media: false })).toEqual({ host: '10.0.0.1', port: 80 })
    expect(o({ dcId: 2, test: true, media: false })).toEqual({ host: '::1', port: 81 })
    expect(o({ dcId: 2, test: false, media: true })).toEqual({ host: 'media', port: 82 })
    expect(o({ dcId: 3, test: true, media: false })).toEqual({ host: 'x', port: 83 })
    expect(() => createUpstreams({ overrides: { x: 'a:1' } })).toThrow(ProxyError)
    expect(() => parseHostPort('a')).toThrow(/host:port/)
    expect(() => parseHostPort('a:70000')).toThrow(ProxyError)
  })
})
