// Fixed memory map of the module (byte addresses). Everything lives at constant addresses
// below the scratch region, so the host and every function agree without an allocator.
// No AssemblyScript runtime or static data is used (`--runtime stub`, no `new`).
// The one source of these numbers: scripts/build-wasm.mjs writes them, with the comments above
// each, to src/crypto/wasm/layout.generated.ts for the host (values must be literals).
//
//   0x00000  CT_CONST   vector-permute AES constants (Hamburg's tables, shuffle masks; 0x000..0x3BF used)
//   0x00400  SBOX       AES S-box, 0x00500 INV_SBOX
//   0x00800  TE         table core, encryption (4 x 1 KiB, for CTR); 0x01800..0x02800 free
//   0x02800  KEY        32-byte key argument, 0x02820 IV (32 bytes, IGE chaining state)
//   0x02840  RK_ENC     240 bytes: round keys (table core: 60 words; ct core: 15 vectors)
//   0x02940  RK_DEC     240 bytes (ct core; the table core decrypts from RK_ENC)
//   0x02A40  DIGEST     64 bytes of output
//   0x02A80  SHA_H      hash state (SHA-256: 8 words; SHA-1: 5 words), 0x02AC0 SHA_PAD (128 bytes)
//   0x02D00  SHA_W      message schedule (SHA-256: 64 words, SHA-1: 80 words)
//   0x02E80  W_TMP      plain AES key schedule while expanding (240), zeroed after use; the ct
//                       IGE loops keep 32 bytes of chaining terms there, zeroed at the end of the call
//   0x02F80  TMP        two 16-byte IGE temporaries (table core)
//   0x03000  ENV_*      MTProto envelope (assembly/mtproto.ts): cached auth key and id,
//                       msg_key / KDF buffers, 4 batch slots (schedules, IVs, jobs), the KDF's
//                       2-lane SHA-256 constants and schedule; up to 0x3D00 used
//   0x04000  TE64/TD64  table core, spread form for IGE (4 x 2 KiB each, u64 entries),
//                       0x08000 SB8 (S-box at byte 8i, inverse at 8i + 1), 0x08800 RK64
//                       (round keys 1..13 spread, 416 bytes, wiped by the IGE call that wrote
//                       them); the rest of 0x089A0..0x0FFFF free
//   0x10000  SCRATCH    256 KiB of data being processed, in place; a message's 32 bytes of
//                       header room (msg_key salt, packet header) lie right before it
//   0x50000  SLOTS      per-object CTR stream slots (SLOT_SIZE each), grown by the host

/** Vector-permute AES constants of the constant-time core (ct.ts). */
export const CT_CONST: usize = 0x00000
/** AES S-box (256 bytes). */
export const SBOX: usize = 0x00400
/** Inverse AES S-box (256 bytes). */
export const INV_SBOX: usize = 0x00500
/** Table core, encryption: 4 tables of 256 words (CTR). */
export const TE: usize = 0x00800
/** The 32-byte key argument of a call; zeroed by the call. */
export const KEY: usize = 0x02800
/** The 32-byte IV argument (IGE chaining state c_prev ‖ m_prev; CTR: the 16-byte counter). */
export const IV: usize = 0x02820
/** Round keys for encryption (240 bytes). */
export const RK_ENC: usize = 0x02840
/** Round keys for decryption (240 bytes, constant-time core). */
export const RK_DEC: usize = 0x02940
/** Hash output (64 bytes). */
export const DIGEST: usize = 0x02a40
/** Hash state (SHA-256: 8 words; SHA-1: 5). */
export const SHA_H: usize = 0x02a80
/** The padded last block(s) of a hash (128 bytes). */
export const SHA_PAD: usize = 0x02ac0
/** The per-call key material a call zeroes before it returns ends here: KEY .. SHA_PAD + 128. */
export const KEYS_END: usize = 0x02b40
/** Message schedule: SHA-256's 64 words, SHA-1's 80 in the same 320 bytes. */
export const SHA_W: usize = 0x02d00
/** The plain AES key schedule while the ct core expands a key (240 bytes), and its IGE loops' chaining terms (32). */
export const W_TMP: usize = 0x02e80
/** Two 16-byte temporaries of the table core's IGE loops. */
export const TMP: usize = 0x02f80
/** The envelope's cached auth key (256 bytes), kept until another key or dispose(). */
export const ENV_AUTH: usize = 0x03000
/** Its auth_key_id (8 bytes). */
export const ENV_ID: usize = 0x03100
/** msg_key_large[0:4] of a call with ENV_TOKEN (the quick-ACK token), read and zeroed by the host. */
export const ENV_QACK: usize = 0x03108
/** msg_key (16 bytes). */
export const ENV_MSGKEY: usize = 0x03110
/** KDF input a: msg_key ‖ key[x .. x+36] (52 bytes), or a 1.0 KDF input (48). */
export const ENV_KDF_A: usize = 0x03140
/** KDF input b: key[40+x .. 76+x] ‖ msg_key (52 bytes). */
export const ENV_KDF_B: usize = 0x03180
/** sha256_a (32 bytes). */
export const ENV_DA: usize = 0x031c0
/** Batch: 4 key schedules of 240 bytes, 0x100 apart. */
export const ENV_RK4: usize = 0x03200
/** Batch: 4 IGE chaining states of 32 bytes. */
export const ENV_IV4: usize = 0x03600
/** Batch: 4 jobs (ptr u32, len u32). */
export const ENV_JOB4: usize = 0x03680
/** SHA-256 round constants K (64 words), written at instantiation (SIMD flavours: the KDF and sha256Blocks). */
export const ENV_SHAK: usize = 0x03800
/** The KDF's 2-lane SHA-256 message schedule (64 vectors, 1 KiB), zeroed after use. */
export const ENV_SHAW: usize = 0x03900
/** Table core, spread form for IGE: 4 encryption tables of 256 u64. */
export const TE64: usize = 0x04000
/** Table core, spread form for IGE: 4 decryption tables of 256 u64. */
export const TD64: usize = 0x06000
/** The S-box at byte 8i, the inverse S-box at 8i + 1. */
export const SB8: usize = 0x08000
/** Round keys 1..13 of the schedule in use, spread (416 bytes), wiped by the IGE call that wrote them. */
export const RK64: usize = 0x08800
/** Where the data of a call lies, processed in place. */
export const SCRATCH: usize = 0x10000
/** Bytes processed per call; longer inputs stream through in chunks (a multiple of 64). */
export const SCRATCH_SIZE: usize = 0x40000
/** The first CTR stream slot; the host allocates slots and grows the memory. */
export const SLOTS: usize = 0x50000
/** A CTR slot: round keys (240) | counter, big-endian (16) | keystream buffer (64) | pos (4). */
export const SLOT_SIZE: usize = 384
/** Offset of the counter in a slot. */
export const SLOT_CTR: usize = 240
/** Offset of the keystream buffer in a slot. */
export const SLOT_KS: usize = 256
/** Offset of the keystream position in a slot. */
export const SLOT_POS: usize = 320
