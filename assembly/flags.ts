// The MTProto envelope's flags and failure bits: what the host (src/crypto/envelope.ts) passes
// to every core's encryptMessage / decryptMessage, and what a failed decryption returns
// (negated). The one source of these numbers: scripts/build-wasm.mjs writes them, with the
// comments above each, to src/crypto/flags.generated.ts (values must be literals).

/** MTProto 1.0 (SHA-1 msg_key and KDF) instead of 2.0. */
export const ENV_V1: u32 = 1
/** Secret-chat layout: the length field at plaintext offset 0 (cloud messages: at 28). */
export const ENV_E2E: u32 = 2
/**
 * (Fused WASM core, MTProto 2.0) the host computed SHA-256(key slice ‖ plaintext ‖ padding) and
 * wrote it at DIGEST: before envEncrypt (having put the slice at ptr-32 and hashed
 * [ptr-32, ptr+n)), or between envDecryptOpen and envDecryptClose.
 */
export const ENV_HOST_HASH: u32 = 4
/**
 * (MTProto 2.0) also keep msg_key_large[0:4], the quick-ACK token's source
 * (mtproto-transports#quick-ack: ack_token = msg_key_large[0:4] | (1 << 31)). The same SHA-256
 * gives msg_key, so the token costs no second hash.
 */
export const ENV_TOKEN: u32 = 8

/** Decryption failure: the packet's auth_key_id (key fingerprint) is not the key's. */
export const ENV_FAIL_KEY_ID: i32 = 1
/** Decryption failure: the packet is not 24 + 16k bytes with room for the header and minimum padding. */
export const ENV_FAIL_SHAPE: i32 = 2
/** Decryption failure: msg_key does not match the plaintext. */
export const ENV_FAIL_MSG_KEY: i32 = 4
/** Decryption failure: the length field exceeds the plaintext after the header. */
export const ENV_FAIL_LENGTH: i32 = 8
/** Decryption failure: the length field is not divisible by 4. */
export const ENV_FAIL_ALIGN: i32 = 16
/** Decryption failure: padding outside 12..1024 bytes (0..15 for 1.0). */
export const ENV_FAIL_PADDING: i32 = 32
