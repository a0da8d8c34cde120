/**
 * Temporary keys (api/pfs, method/auth.bindTempAuthKey) through the session layer, with the auth
 * layer's bind builder and verifier and its KeyStore: bind, switch, refuse an unbound key, rebind
 * after AUTH_KEY_PERM_EMPTY, the ENCRYPTED_MESSAGE_INVALID rule, refresh before expiry with jitter.
 */
import { describe, expect, it } from 'vitest'
import { MemoryKeyStore } from '../../src/auth/keystore.js'
import { createAuthKey } from '../../src/crypto/authkey.js'
import { createCryptoSync } from '../../src/crypto/create.js'
import { ClientSession } from '../../src/session/client.js'
import { SessionServer, type ServerKey } from '../../src/session/server.js'
import { msgIdAt, open, seal } from './craft.js'
import { soon, T0 } from './helpers.js'
import { seededRandom } from '../envelope/helpers.js'

const SEC = Math.floor(T0 / 1000)

function setup(opts: { storePerm?: boolean; permKeyCreatedAt?: number; simple?: Map<bigint, ServerKey> } = {}) {
  const crypto = createCryptoSync({ random: seededRandom('pfs') })
  const permBytes = crypto.randomBytes(256)
  const tempBytes = crypto.randomBytes(256)
  const perm = createAuthKey(permBytes)
  const temp = createAuthKey(tempBytes)
  const store = new MemoryKeyStore()
  if (opts.storePerm !== false) store.put({ id: perm.idLong, key: permBytes, temporary: false, createdAt: SEC - 1000 })
  store.put({ id: temp.idLong, key: tempBytes, temporary: true, createdAt: SEC, expiresAt: SEC + 86_400 })
  const clock = { t: T0 }
  const now = (): number => clock.t
  const calls: number[] = []
  const server = new SessionServer({
    crypto, keys: opts.simple ?? store, now,
    handler: (c) => (calls.push(c.constructorId), true),
  })
  let conn = server.connection()
  const client = new ClientSession({ crypto, authKey: perm, now, timeOffset: 0, pingInterval: 0, futureSalts: 0, permKeyCreatedAt: opts.permKeyCreatedAt })
  const events: ReturnType<ClientSession['receive']> = []
  const up: Uint8Array[] = []
  const serverEvents: ReturnType<typeof conn.receive> = []
  const pump = (): void => {
    for (let i = 0; i < 100; i++) {
      let moved = false
      for (const o of client.takeOutgoing(clock.t)) {
        if (o.type !== 'packet') continue
        moved = true
        up.push(o.data.slice())
        serverEvents.push(...conn.receive(o.data, clock.t))
      }
      for (const o of conn.takeOutgoing(clock.t)) {
        if (o.type !== 'packet') continue
        moved = true
        events.push(...client.receive(o.data, clock.t))
      }
      if (!moved) return
    }
  }
  return { crypto, perm, temp, store, server, client, clock, calls, events, serverEvents, up, pump, reconnect: () => ((conn = server.connection()), client.reconnected()) }
}

describe('temporary keys', () => {
  it('useTempKey: auth.bindTempAuthKey goes first under the temporary key; requests wait; bound event; then everything under the temporary key', async () => {
    const s = setup()
    const early = s.client.invoke(new Uint8Array([1, 0, 0, 0]))
    s.client.useTempKey(s.temp, SEC + 86_400)
    const late = s.client.invoke(new Uint8Array([2, 0, 0, 0]))
    s.pump()
    expect(await soon(Promise.all([early, late]))).toEqual([true, true])
    expect(s.events.filter((e) => e.type === 'bound')).toEqual([{ type: 'bound', tempKeyId: s.temp.idLong, expiresAt: SEC + 86_400 }])
    expect(s.store.bindingOfTemp(s.temp.idLong, SEC)?.permId).toBe(s.perm.idLong)
    expect(s.serverEvents.filter((e) => e.type === 'bound')).toEqual([{ type: 'bound', tempAuthKeyId: s.temp.idLong, permAuthKeyId: s.perm.idLong, expiresAt: SEC + 86_400 }])
    // the first packet under the temporary key carried the binding alone (the requests waited)
    const first = open(s.crypto, s.temp, s.up[0], 0)
    expect(first.messages.map((m) => (m.obj as { _: string })._)).toEqual(['auth.bindTempAuthKey'])
    expect(first.messages[0].obj.perm_auth_key_id).toBe(s.perm.idLong)
    for (const p of s.up) expect(p.subarray(0, 8)).toEqual(s.temp.id)
    expect(s.calls).toEqual([1, 2])
    expect(s.client.authKey).toBe(s.temp)
  })

  it('the server refuses API queries under an unbound temporary key with 401 AUTH_KEY_PERM_EMPTY (help.getConfig / getNearestDc pass)', () => {
    const s = setup()
    const conn = s.server.connection()
    const q = (body: number[], n: number) => {
      conn.receive(seal(s.crypto, s.temp, 0n, 5n, { msgId: msgIdAt(T0, 0, n), seqNo: 2 * n + 1, body: new Uint8Array(body) }, 0), T0)
      return conn.takeOutgoing(T0).map((o) => open(s.crypto, s.temp, (o as { data: Uint8Array }).data, 8))
    }
    // (salt 0: bad_server_salt first; the salt is per key, so ask again with it)
    const salt = q([7, 0, 0, 0], 1).flatMap((o) => o.messages).find((m) => m.obj._ === 'bad_server_salt')!.obj.new_server_salt
    const ask = (body: number[], n: number) => {
      conn.receive(seal(s.crypto, s.temp, salt, 5n, { msgId: msgIdAt(T0, 0, n), seqNo: 2 * n + 1, body: new Uint8Array(body) }, 0), T0)
      return conn.takeOutgoing(T0).map((o) => open(s.crypto, s.temp, (o as { data: Uint8Array }).data, 8)).flatMap((o) => o.messages).find((m) => m.obj._ === 'rpc_result')!.obj.result
    }
    expect(ask([7, 0, 0, 0], 2)).toEqual({ _: 'rpc_error', error_code: 401, error_message: 'AUTH_KEY_PERM_EMPTY' })
    expect(ask([0x6b, 0x18, 0xf9, 0xc4], 3)).toBe(true) // help.getConfig
    expect(s.calls).toEqual([0xc4f9186b])
  })

  it('AUTH_KEY_PERM_EMPTY after the binding is gone (the server forgot it): the client binds again and re-sends', async () => {
    const keys = new Map<bigint, ServerKey>()
    const s = setup({ simple: keys })
    keys.set(s.perm.idLong, { authKey: s.perm })
    const tk: ServerKey = { authKey: s.temp, expiresAt: SEC + 86_400 }
    keys.set(s.temp.idLong, tk)
    s.client.useTempKey(s.temp, SEC + 86_400)
    await soon((async () => {
      const r = s.client.invoke(new Uint8Array([1, 0, 0, 0]))
      s.pump()
      await r
    })())
    expect(tk.permKeyId).toBe(s.perm.idLong)
    tk.permKeyId = undefined // e.g. the server restarted: temporary keys and bindings live in RAM
    const r = s.client.invoke(new Uint8Array([2, 0, 0, 0]))
    s.pump()
    expect(await soon(r)).toBe(true)
    expect(s.events.filter((e) => e.type === 'bound')).toHaveLength(2)
    expect(s.calls).toEqual([1, 2])
  })

  it('ENCRYPTED_MESSAGE_INVALID: a permanent key older than 60 s is invalid (authKeyInvalid event); a younger one retries the binding', async () => {
    const old = setup({ storePerm: false, permKeyCreatedAt: SEC - 120 })
    const r = old.client.invoke(new Uint8Array([1, 0, 0, 0]))
    old.client.useTempKey(old.temp, SEC + 86_400)
    old.pump()
    expect(old.events.filter((e) => e.type === 'authKeyInvalid')).toEqual([{ type: 'authKeyInvalid', reason: 'ENCRYPTED_MESSAGE_INVALID' }])
    await expect(soon(r)).rejects.toMatchObject({ errorMessage: 'ENCRYPTED_MESSAGE_INVALID' })
    const young = setup({ storePerm: false, permKeyCreatedAt: SEC - 10 })
    young.client.useTempKey(young.temp, SEC + 86_400)
    young.pump()
    // the server still does not know the permanent key: each retry is refused; the binding was sent more than once
    const binds = young.up.map((p) => open(young.crypto, young.temp, p, 0)).flatMap((o) => o.messages).filter((m) => m.obj._ === 'auth.bindTempAuthKey')
    // the first (sent again after bad_server_salt: the client starts with salt 0) and 5 retries (maxResends), then a new key is asked for
    expect(binds.length).toBe(7)
    expect(young.events.filter((e) => e.type === 'authKeyInvalid')).toEqual([])
    expect(young.events.filter((e) => e.type === 'tempKeyNeeded')).toEqual([{ type: 'tempKeyNeeded', reason: 'rejected' }])
  })

  it('refresh: tempKeyNeeded between margin + jitter and margin before expiry; expired, the server answers -404', () => {
    const s = setup()
    s.client.useTempKey(s.temp, SEC + 86_400)
    s.pump()
    s.clock.t += 1000 // the acknowledgments owed go
    s.client.tick(s.clock.t)
    s.pump()
    const d = s.client.nextDeadline()!
    expect(d).toBeGreaterThanOrEqual(T0 + (86_400 - 3600 - 600) * 1000)
    expect(d).toBeLessThanOrEqual(T0 + (86_400 - 3600) * 1000)
    s.clock.t = d
    expect(s.client.tick(d)).toEqual([{ type: 'tempKeyNeeded', reason: 'expiring' }])
    const conn = s.server.connection()
    conn.receive(seal(s.crypto, s.temp, 0n, 5n, { msgId: msgIdAt(T0 + 86_400_000, 0), seqNo: 1, body: new Uint8Array([1, 0, 0, 0]) }, 0), T0 + 86_400_000)
    expect(conn.takeOutgoing()).toEqual([{ type: 'transportError', status: 404 }])
  })

  it('temporary keys are not exported unless asked (api/pfs: keep them in memory)', () => {
    const s = setup()
    s.client.useTempKey(s.temp, SEC + 86_400)
    s.pump()
    expect(s.client.exportState().tempKey).toBeUndefined()
    const st = s.client.exportState({ includeTempKey: true })
    expect(st.tempKey).toMatchObject({ expiresAt: SEC + 86_400, bound: true })
    const c = ClientSession.fromState(JSON.parse(JSON.stringify(st)), { crypto: s.crypto, now: () => s.clock.t, pingInterval: 0, futureSalts: 0 })
    expect(c.authKey.idLong).toBe(s.temp.idLong)
  })
})
