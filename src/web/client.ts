/**
 * The browser driver: `connect()` over a WebSocket (the runtime's `WebSocket`, as in browsers,
 * workers, Deno, Bun and Node ≥ 22), with the loop every driver shares (`Client`,
 * src/session/runner.ts). Same API as the Node driver; the transport is always MTProto over
 * WebSocket (obfuscated2 inside binary messages, path `/apiws`). Nothing here imports Node code.
 *
 *   const client = await connect({ url: 'wss://example.org/apiws', rsaKeys: [pem] })
 *   const pong = await client.invoke({ _: 'ping', ping_id: 1n })
 *   localStorage.state = JSON.stringify(client.exportState(), (_, v) => (typeof v === 'bigint' ? `${v}` : v))
 */
import { parsePublicKeyPem, type ServerPublicKey } from '../auth/rsa.js'
import { createCrypto } from '../crypto/create.js'
import type { Crypto } from '../crypto/types.js'
import { SessionError } from '../errors.js'
import type { ClientLinkOptions } from '../session/link.js'
import { Client, type Dialer } from '../session/runner.js'
import { WS_SUBPROTOCOL } from '../transport/websocket.js'

/** What `connect()` needs of a WebSocket class (the standard one). */
export interface WebSocketLike {
  binaryType: string
  onopen: ((ev: unknown) => void) | null
  onmessage: ((ev: { data: unknown }) => void) | null
  onclose: ((ev: { code: number; reason: string; wasClean: boolean }) => void) | null
  onerror: ((ev: unknown) => void) | null
  send(data: Uint8Array): void
  close(code?: number): void
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

export interface WebConnectOptions
  extends Omit<ClientLinkOptions, 'crypto' | 'rsaKeys' | 'dcId' | 'onOutgoing' | 'transport' | 'webSocketFrames' | 'host'> {
  /** The server's WebSocket endpoint: `wss://host[:port]/apiws` (`webSocketUrl()` builds it). */
  url: string
  /** Default 2. */
  dcId?: number
  /** The server's RSA public keys, parsed or as PEM text. Default: Telegram's. */
  rsaKeys?: readonly (ServerPublicKey | string)[]
  /** Default: `createCrypto()`. */
  crypto?: Crypto
  /** Default: the runtime's `WebSocket`. */
  WebSocket?: WebSocketConstructor
}

/** Connects over a WebSocket (handshake first when `state` has no key) and resolves once ready. */
export async function connect(options: WebConnectOptions): Promise<Client> {
  if (!options || typeof options !== 'object') throw new SessionError('E_OPTION', 'connect() needs options')
  if (typeof options.url !== 'string' || !/^wss?:\/\/[^/]+\/apiws(_test)?$/.test(options.url)) {
    throw new SessionError('E_OPTION', 'url must be ws[s]://host[:port]/apiws (or /apiws_test)')
  }
  const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (typeof WS !== 'function') throw new SessionError('E_OPTION', 'this runtime has no WebSocket: pass options.WebSocket')
  const crypto = options.crypto ?? (await createCrypto())
  const rsaKeys = options.rsaKeys?.map((k) => (typeof k === 'string' ? parsePublicKeyPem(crypto, k) : k))
  const client = new Client(
    { ...options, crypto, rsaKeys, dcId: options.dcId ?? 2, transport: 'websocket', webSocketFrames: 'native', testMode: options.testMode ?? options.url.endsWith('_test') },
    webSocketDialer(options.url, WS),
  )
  await client.start()
  return client
}

/** Opens WebSockets to `url` (subprotocol `binary`); each write is one binary message. */
export function webSocketDialer(url: string, WS: WebSocketConstructor): Dialer {
  return {
    dial(report) {
      const ws = new WS(url, WS_SUBPROTOCOL)
      ws.binaryType = 'arraybuffer'
      let open = false
      ws.onopen = () => {
        open = true
        report.open()
      }
      ws.onmessage = (e) => {
        if (e.data instanceof ArrayBuffer) report.data(new Uint8Array(e.data))
      }
      // the close event follows every error: report once, there
      ws.onerror = () => {}
      ws.onclose = (e) => report.closed(open && e.wasClean ? undefined : new SessionError('E_CONNECT', `WebSocket closed (${e.code}${e.reason ? ` ${e.reason}` : ''})`))
      return {
        write: (data) => ws.send(data),
        close: () => ws.close(1000),
      }
    },
  }
}
