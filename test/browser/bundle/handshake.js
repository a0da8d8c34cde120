// The second page of the bundle check (scripts/test-bundle.mjs): what a client that connects
// fetches. It creates an auth key with the server (ClientHandshake), then opens a session on it
// and makes one round trip (ClientSession, a ping), all in memory: the packets go to the server
// role (HandshakeServer and SessionServer, loaded from ./server-role.js with import() so that the
// bundlers put it in chunks of its own, which the check reports apart from the client's files).
import { ClientHandshake, ClientSession, createAuthKey, createCrypto } from 'mtwire'

async function run() {
  const crypto = await createCrypto()
  const { startServer } = await import('./server-role.js')
  const server = await startServer(crypto)
  const now = () => Date.now()
  const checks = {}

  // auth key: req_pq_multi .. dh_gen_ok, every packet through the server role
  const hs = new ClientHandshake(crypto, { dcId: 2, keys: [server.publicKey] })
  hs.start(now())
  let result
  for (let round = 0; round < 10 && !result; round++) {
    for (const packet of hs.takeOutgoing()) {
      for (const answer of server.handshake(packet)) {
        for (const ev of hs.receive(answer, now())) {
          if (ev.type === 'error') throw ev.error
          if (ev.type === 'done') result = ev.result
        }
      }
    }
  }
  checks.handshake = result !== undefined && server.hasKey(result.authKeyId)

  // a session on that key: one ping, answered by the server's session layer
  const session = new ClientSession({
    crypto, authKey: createAuthKey(result.authKey), salt: result.serverSalt, timeOffset: result.timeOffset, now, pingInterval: 0, futureSalts: 0,
  })
  const pong = session.invoke({ _: 'ping', ping_id: 7n })
  for (let round = 0; round < 10; round++) {
    const up = session.takeOutgoing(now())
    if (up.length === 0) break
    for (const o of up) if (o.type === 'packet') for (const d of server.session(o.data)) session.receive(d, now())
  }
  const answer = await pong
  checks.session = answer?._ === 'pong' && answer.ping_id === 7n

  return { backend: crypto.backend, checks, ok: Object.values(checks).every(Boolean) }
}

globalThis.__result = run().catch((e) => ({ ok: false, error: String((e && e.stack) || e) }))
