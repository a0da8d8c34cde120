// The server role for handshake.js, in memory: HandshakeServer with a fresh RSA key (WebCrypto)
// fills a MemoryKeyStore, which SessionServer reads. Packets in, packets out.
import { HandshakeServer, MemoryKeyStore, SessionServer, generateRsaKey } from 'mtwire'

export async function startServer(crypto) {
  const key = await generateRsaKey(crypto)
  const keyStore = new MemoryKeyStore()
  const handshakes = new HandshakeServer(crypto, { keys: [key.privateKey], keyStore })
  const hs = handshakes.connection('127.0.0.1')
  const sessions = new SessionServer({ crypto, keys: keyStore })
  const conn = sessions.connection()
  return {
    publicKey: key.publicKey,
    hasKey: (id) => keyStore.get(id, Math.floor(Date.now() / 1000)) !== undefined,
    handshake(packet) {
      hs.receive(packet, Date.now())
      return hs.takeOutgoing().map((o) => (o.type === 'packet' ? o.data : { type: 'transport-error', status: o.status }))
    },
    session(packet) {
      conn.receive(packet, Date.now())
      return conn.takeOutgoing(Date.now()).filter((o) => o.type === 'packet').map((o) => o.data)
    },
  }
}
