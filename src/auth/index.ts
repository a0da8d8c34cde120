/**
 * Auth keys (core.telegram.org/mtproto/auth_key): the client and server roles of the DH
 * handshake as sans-IO state machines and pure steps, temporary keys and their binding (PFS),
 * DH for secret chats, RSA keys, the server's key store, and the SRP 2FA check.
 */
export type { HandshakeErrorCode } from './errors.js'
export {
  checkDhConfig, checkDhPublic, computeDhSharedKey, dhPublicKey, generateDhKeyPair,
  DH_BYTES, TELEGRAM_DH_G, TELEGRAM_DH_PRIME, TELEGRAM_DH_PRIME_HEX, type DhKeyPair,
} from './dh.js'
export {
  buildBindTempAuthKey, verifyBindTempAuthKey,
  type BindError, type BindResult, type BindTempAuthKeyParams, type VerifyBindOptions,
} from './bind.js'
export { MemoryKeyStore, type Binding, type KeyStore, type MemoryKeyStoreOptions, type StoredKey } from './keystore.js'
export {
  generateRsaKey, parsePrivateKeyPem, parsePublicKeyPem, privateKeyToPem, publicKeyToPem, rsaFingerprint,
  rsaPadEncrypt, rsaLegacyEncrypt, rsaDecryptInnerData, serverPublicKey, telegramPublicKey, RSA_PAD_MAX_DATA,
  type GeneratedRsaKey, type RsaDecrypted, type ServerPrivateKey, type ServerPublicKey,
} from './rsa.js'
export { decodePlainMessage, encodePlainMessage, nextMsgId, type PlainMessage } from './plain.js'
export { authKeyHashes, firstServerSalt, newNonceHash, tmpAesKeyIv } from './derive.js'
export {
  clientStep1, clientStep2, clientStep3, clientCheckDhParams, clientSetDhParams, clientFinish,
  type AuthKeyResult, type ClientDhParams, type ClientStep1, type ClientStep2, type ClientStep2Options,
  type ClientStep2Random, type ClientStep3, type ClientStep3Options, type ClientStep3Random,
} from './client-steps.js'
export {
  serverStep1, serverStep2, serverStep3,
  type NewAuthKey, type Refusal, type ServerDhConfig, type ServerStep1, type ServerStep1Random, type ServerStep2,
  type ServerStep2Random, type ServerStep3Result,
} from './server-steps.js'
export { ClientHandshake, type ClientHandshakeEvent, type ClientHandshakeOptions, type TransportErrorInput } from './client.js'
export {
  HandshakeServer, ServerHandshake,
  type HandshakeServerOptions, type ServerHandshakeEvent, type ServerOutgoing,
} from './server.js'
export {
  checkPasswordSrp, srpM1, srpPasswordHash,
  type CheckPasswordOptions, type InputCheckPasswordSRP, type SrpMathInput, type SrpParams,
} from './srp.js'
