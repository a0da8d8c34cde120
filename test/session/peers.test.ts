/**
 * Real third-party clients against SessionServer over loopback TCP, with an auth key they
 * already hold (no handshake needed): GramJS (its MTProtoSender over full, abridged and
 * obfuscated framings; it starts with salt 0 and a new session_id per connection) and mtcute
 * (BaseTelegramClient: invokeWithLayer(initConnection(...)) around its first query, future
 * salts, its keepalive). They must get their answers.
 */
import { randomFillSync } from 'node:crypto'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { createCryptoSync } from '../../src/crypto/create.js'
import { TlWriter } from '../../src/tl/writer.js'
import type { RpcCall } from '../../src/session/server.js'
import { serve, type Running } from './driver.js'

const require = createRequire(import.meta.url)
// node:crypto's CSPRNG (Node 18 has no globalThis.crypto; the library's Node entry point installs it)
const crypto = createCryptoSync({ random: (b) => void randomFillSync(b) })
const keyBytes = crypto.randomBytes(256)
const authKey = createAuthKey(keyBytes)
const calls: string[] = []

/** help.getNearestDc → nearestDc#8e1a1775 country:string this_dc:int nearest_dc:int; anything else INPUT_METHOD_INVALID. */
function handler(c: RpcCall): unknown {
  calls.push(`${c.constructorId.toString(16)}${c.layer !== undefined ? ` layer ${c.layer}` : ''}${c.initConnection ? ' init' : ''}`)
  if (c.constructorId === 0x1fb33026) {
    const w = new TlWriter(null, 32)
    w.int(0x8e1a1775 | 0)
    w.string('ZZ')
    w.int(2)
    w.int(2)
    return w.result().slice()
  }
  return { _: 'rpc_error', error_code: 400, error_message: 'INPUT_METHOD_INVALID' }
}

let srv: Running
beforeAll(async () => {
  srv = await serve(crypto, { keys: new Map([[authKey.idLong, authKey]]), handler })
})
afterAll(async () => {
  await srv.close()
})

describe('GramJS 2.26 (MTProtoSender)', () => {
  const gram = () => {
    const bigInt = require('big-integer')
    const { Api } = require('telegram')
    const { MTProtoSender } = require('telegram/network')
    const { AuthKey } = require('telegram/crypto/AuthKey')
    const { PromisedNetSockets, Logger } = require('telegram/extensions')
    const { LogLevel } = require('telegram/extensions/Logger')
    const conn = require('telegram/network/connection')
    return { bigInt, Api, MTProtoSender, AuthKey, PromisedNetSockets, Logger, LogLevel, conn }
  }

  it.each(['ConnectionTCPFull', 'ConnectionTCPAbridged', 'ConnectionTCPObfuscated'].map((c) => [c]))('%s: ping and a query, from salt 0 (bad_server_salt handled)', async (kind) => {
    const g = gram()
    const ak = new g.AuthKey()
    await ak.setKey(Buffer.from(keyBytes))
    const log = new g.Logger(g.LogLevel.NONE)
    const client = { networkSocket: g.PromisedNetSockets, _errorHandler: undefined }
    const sender = new g.MTProtoSender(ak, {
      logger: log, dcId: 2, retries: 1, reconnectRetries: 0, delay: 100, autoReconnect: false, connectTimeout: 10,
      authKeyCallback: undefined, isMainSender: true, client, securityChecks: true, _exportedSenderPromises: new Map(),
    })
    const connection = new g.conn[kind]({ ip: '127.0.0.1', port: srv.port, dcId: 2, loggers: log, socket: g.PromisedNetSockets, testServers: false })
    expect(await sender.connect(connection, false)).toBe(true)
    try {
      const pong = await sender.send(new g.Api.Ping({ pingId: g.bigInt(42) }))
      expect(pong.pingId.toString()).toBe('42')
      const dc = await sender.send(new g.Api.help.GetNearestDc())
      expect(dc).toMatchObject({ country: 'ZZ', thisDc: 2, nearestDc: 2 })
      // the next connection starts a new session (GramJS's session_id changes per connection)
    } finally {
      await sender.disconnect()
    }
  }, 20_000)
})

describe('mtcute 0.30 (BaseTelegramClient)', () => {
  it('connects with the stored key, its first query inside invokeWithLayer(initConnection(...)) is answered, then more', async () => {
    const { BaseTelegramClient, TcpTransport } = await import('@mtcute/node')
    const { MemoryStorage } = await import('@mtcute/core')
    const storage = new MemoryStorage()
    storage.authKeys.set(2, keyBytes)
    const dc = { id: 2, ipAddress: '127.0.0.1', port: srv.port }
    const before = calls.length
    const tg = new BaseTelegramClient({
      apiId: 1, apiHash: '0'.repeat(32), storage, defaultDcs: { main: dc, media: dc },
      transport: new TcpTransport(), logLevel: 0, network: { pingInterval: 500 },
    })
    try {
      await tg.connect()
      const r = await tg.call({ _: 'help.getNearestDc' })
      expect(r).toMatchObject({ _: 'nearestDc', country: 'ZZ', thisDc: 2 })
      const again = await tg.call({ _: 'help.getNearestDc' })
      expect(again).toMatchObject({ nearestDc: 2 })
      // let its keepalive (ping_delay_disconnect) and its future-salt requests run once
      await new Promise((res) => setTimeout(res, 1200))
      // each of the two queries ran once (the first inside the wrappers); mtcute also asks
      // updates.getState#edd4882a, which our handler refuses
      const mine = calls.slice(before)
      expect(mine.filter((c) => c.startsWith('1fb33026'))).toEqual([mine.find((c) => c.endsWith(' init') && c.startsWith('1fb33026')), '1fb33026'])
      expect(mine[0]).toMatch(/^[0-9a-f]+ layer \d+ init$/)
    } finally {
      await tg.destroy()
    }
  }, 20_000)
})
