/**
 * The WASM module's fixed memory map, mirrored from assembly/layout.ts (a test checks that
 * the two agree). Byte offsets into the exported memory.
 */
export const KEY = 0x02800
export const IV = 0x02820
export const DIGEST = 0x02a40
/** The envelope's cached auth key (256 bytes) and its auth_key_id (8), see assembly/mtproto.ts. */
export const ENV_AUTH = 0x03000
export const ENV_ID = 0x03100
/** The first 4 bytes (LE) of the last MTProto 2.0 msg_key_large, for the quick-ACK token. */
export const ENV_QACK = 0x03108
export const SCRATCH = 0x10000
/** Bytes processed per WASM call; longer inputs stream through in chunks (a multiple of 64). */
export const SCRATCH_SIZE = 0x40000
export const SLOTS = 0x50000
export const SLOT_SIZE = 384
