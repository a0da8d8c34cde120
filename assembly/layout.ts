// Fixed memory map of the module (byte addresses). Everything lives at constant addresses
// below the scratch region, so the JS side and every function agree without an allocator.
// No AssemblyScript runtime or static data is used (`--runtime stub`, no `new`).
//
//   0x00000  CT_CONST   vector-permute AES constants (Hamburg's tables, shuffle masks; 0x000..0x3BF used)
//   0x00400  SBOX       AES S-box, 0x00500 INV_SBOX
//   0x00800  TE0..TE3   table core, encryption (4 x 1 KiB, for CTR); 0x01800..0x02800 free
//                       (was TD0..TD3: decryption now only uses TD64)
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
//                       2-lane SHA-256 constants and schedule; up to 0x3D00 used; KEY_SLICE at 0xFFE0
//   0x04000  TE64/TD64  table core, spread form for IGE (4 x 2 KiB each, u64 entries),
//                       0x08000 SB8 (S-box at byte 8i, inverse at 8i + 1), 0x08800 RK64
//                       (round keys 1..13 spread, 416 bytes, wiped by the IGE call that wrote
//                       them); the rest of 0x89A0..0xFFDF free
//   0x10000  SCRATCH    256 KiB of data being processed, in place
//   0x50000  SLOTS      per-object CTR stream slots (SLOT_SIZE each), grown by the host
export const CT_CONST: usize = 0x00000
export const SBOX: usize = 0x00400
export const INV_SBOX: usize = 0x00500
export const TE: usize = 0x00800
// table core, 64-bit "spread" form (aes.ts): 4 + 4 tables of 256 u64, stride-8 S-boxes, and
// round keys 1..13 of the schedule in use, spread (wiped by the IGE call that wrote them)
export const TE64: usize = 0x04000
export const TD64: usize = 0x06000
export const SB8: usize = 0x08000
export const RK64: usize = 0x08800
export const KEY: usize = 0x02800
export const IV: usize = 0x02820
export const RK_ENC: usize = 0x02840
export const RK_DEC: usize = 0x02940
export const DIGEST: usize = 0x02a40
export const SHA_H: usize = 0x02a80
export const SHA_PAD: usize = 0x02ac0
export const SHA_W: usize = 0x02d00 // SHA-256 message schedule (64 words; SHA-1 uses the same 320 bytes for its 80)
// MTProto envelope (assembly/mtproto.ts), inside the 0x3000..0xFFFF room described below
export const ENV_AUTH: usize = 0x03000 // the current auth key (256 bytes), kept until another key or dispose()
export const ENV_ID: usize = 0x03100 // its auth_key_id (8)
export const ENV_QACK: usize = 0x03108 // msg_key_large[0:4] of a call with ENV_TOKEN (quick ACK), read and zeroed by the host
export const ENV_MSGKEY: usize = 0x03110 // msg_key (16)
export const ENV_KDF_A: usize = 0x03140 // msg_key ‖ key[x .. x+36] (52), or a 1.0 KDF input (48)
export const ENV_KDF_B: usize = 0x03180 // key[40+x .. 76+x] ‖ msg_key (52)
export const ENV_DA: usize = 0x031c0 // sha256_a (32)
export const ENV_RK4: usize = 0x03200 // batch: 4 schedules of 240 bytes (0x100 apart)
export const ENV_IV4: usize = 0x03600 // batch: 4 IGE chaining states of 32 bytes
export const ENV_JOB4: usize = 0x03680 // batch: 4 x (ptr u32, len u32)
export const ENV_SHAK: usize = 0x03800 // SHA-256 round constants K (64 words), written at instantiation (SIMD flavours: KDF, sha256Blocks)
export const ENV_SHAW: usize = 0x03900 // 2-lane SHA-256 message schedule of the KDF (64 vectors, 1 KiB), zeroed after use
export const KEY_SLICE: usize = 0x0ffe0 // msg_key salt key[88+x .. 120+x], right before SCRATCH
export const SCRATCH: usize = 0x10000
export const SCRATCH_SIZE: usize = 0x40000
export const SLOTS: usize = 0x50000
// CTR slot: round keys (240) | counter, big-endian (16) | keystream buffer (64) | pos (4)
export const SLOT_SIZE: usize = 384
export const SLOT_CTR: usize = 240
export const SLOT_KS: usize = 256
export const SLOT_POS: usize = 320

// The MTProto envelope (assembly/mtproto.ts; the plan it was built from, as built except where
// noted: the padding is written by the host right after the inner data in SCRATCH, not at PAD;
// schedules of the batch slots are 0x100 apart; messages longer than SCRATCH_SIZE take the
// composed path over the streaming primitives instead of a chunked fused protocol).
// One WASM call per message, on data the host wrote into SCRATCH:
//   0x03000  AUTH_KEY    256 bytes (MTProto 2.0 reads [x, x+36), [40+x, 76+x), [88+x, 120+x);
//                        1.0 reads up to 136). Or per-key slots in the SLOTS area, like CTR.
//   0x03100  MSG_KEY     16 (+16: msg_key_large), 0x03140 KDF temporaries (sha256_a, sha256_b)
//   0x03200  PAD         up to 1024 random padding bytes from the host CSPRNG (injectable)
//   0x03600  RK4 / IV4   4 x 240 bytes of schedules and 4 x 32 bytes of IVs for the batch call
//                        that interleaves 4 independent messages (ctEncrypt is a pure function
//                        of (block, schedule pointer), as ctrFill4 already uses it)
//   0x0FFE0  KEY_SLICE   the 32-byte auth_key slice for msg_key, placed right before SCRATCH so
//                        that SHA-256(slice || plaintext || padding) is one sha256(0xFFE0, 32 + n)
//                        call with no copy; padding is appended in place after the inner data.
// encrypt: sha256 -> msg_key -> KDF (two sha256 of 52 bytes into KEY / IV) -> ctExpandEnc ->
// ctIgeEncrypt(SCRATCH, n) -> wipe. decrypt: KDF from the packet's msg_key -> ctIgeDecrypt ->
// sha256 over slice || plaintext -> constant-time compare + length/padding checks, all computed
// without early exit, returning length or a negated failure mask. Messages longer than
// SCRATCH_SIZE use the same chunked protocol as IGE and SHA-256 here (state carried in IV and
// SHA_H); encryption then needs two passes (hash, then encrypt).
