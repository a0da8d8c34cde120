/** Browser driver: a client over the runtime's WebSocket. */
export { connect, webSocketDialer, type WebConnectOptions, type WebSocketConstructor, type WebSocketLike } from './client.js'
