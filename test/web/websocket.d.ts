// `websocket` (devDependency, a W3C WebSocket for Node < 22) ships no typings: the test types what it uses.
declare module 'websocket' {
  const w: { w3cwebsocket: unknown }
  export default w
}
