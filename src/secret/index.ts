/**
 * Secret chats (end-to-end encryption): the per-chat state machine, key visualization,
 * encrypted files, and the server-side relay, all sans-IO.
 */
export {
  SecretChat, type SecretChatEvent, type SecretChatInput, type SecretChatOptions, type SecretChatState, type SecretDhConfig,
  type SecretKeyState, type SecretMessageInput, type SecretChatRequest,
} from './chat.js'
export { handshakeDh, type SecretDh } from './dh.js'
export { encryptedFileSize, FILE_PART_SIZE, FileDecryptor, type FileDecryptorOptions, FileEncryptor, type FileEncryptorOptions, fileKeyFingerprint } from './file.js'
export { SecretRelay, type RelayLimits, type RelayOptions, type RelayPush, type RelayReply, type RelayRequest, type RelayUser } from './relay.js'
export { keyVisualization, VISUALIZATION_COLORS, VISUALIZATION_GRID, visualizationCells, visualizationHex, visualizationSvg } from './visualize.js'
