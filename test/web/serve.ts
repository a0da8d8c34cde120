/**
 * The Node side of the Chromium web-driver run (scripts/test-browser.mjs): a loopback server
 * with every transport, WebSocket included (test/client/server.ts), bundled by the script.
 */
import { createCrypto } from '../../src/node/index.js'
import { startServer } from '../client/server.js'

export async function start(): Promise<{ port: number; pem: string; close(): Promise<void> }> {
  const crypto = await createCrypto()
  const srv = await startServer(crypto)
  return { port: srv.port, pem: srv.key.publicKeyPem, close: () => srv.close() }
}
