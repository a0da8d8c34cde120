/** Transports: framings, obfuscated2, MTProxy secrets, fake-TLS, HTTP, WebSocket; client and server, sans-IO, each a `Layer` (src/layer.ts). */
export { TransportStatusError } from './errors.js'
export {
  createFraming,
  quickAckToken,
  DEFAULT_MAX_PACKET_LENGTH,
  OBFUSCATED_TAGS,
  Framing,
  type FrameEvent,
  type FramingKind,
  type FramingOptions,
  type Role,
} from './framing.js'
export {
  acceptObfuscated2,
  createObfuscated2Client,
  decodeDcId,
  encodeDcId,
  isValidInitHeader,
  type Obfuscated2Accepted,
  type Obfuscated2Cipher,
  type Obfuscated2ClientOptions,
  type Obfuscated2ServerOptions,
  type ObfuscatedFraming,
} from './obfuscated2.js'
export { parseProxySecret, type ProxySecret } from './secret.js'
export {
  buildClientHello,
  buildServerHello,
  checkClientHello,
  checkServerHello,
  encodeAppData,
  parseClientHello,
  ReplayCache,
  TlsRecordDecoder,
  TLS_HANDSHAKE_FAILURE_ALERT,
  TLS_MAX_FRAGMENT,
  type ClientHelloCheck,
  type ClientHelloInfo,
  type FakeTlsKey,
  type TlsRecord,
} from './faketls.js'
export { detectTransport, type DetectedKind } from './detect.js'
export { HttpClientCodec, HttpServerCodec } from './http.js'
export { ClientTransport, type ClientEvent, type ClientTransportOptions } from './client.js'
export { ServerTransport, type ConnectionInfo, type ServerEvent, type ServerTransportOptions } from './server.js'
export {
  createWebSocketClientTransport,
  telegramWebSocketHost,
  TELEGRAM_WS_DC_NAMES,
  webSocketAccept,
  WebSocketClientHandshake,
  WebSocketClientTransport,
  WebSocketFrameCodec,
  WebSocketServerHandshake,
  webSocketUrl,
  WS_PATH,
  WS_SUBPROTOCOL,
  WS_TEST_PATH,
  type WebSocketClientTransportOptions,
  type WebSocketEvent,
} from './websocket.js'
