// The WASM ABI of the no-SIMD flavour (and the base of the SIMD ones, see index_simd.ts).
// All data moves through the exported memory at the fixed addresses of layout.ts; functions
// take byte offsets and lengths that the host has already validated against SCRATCH_SIZE
// (src/crypto/wasm/core.ts).
import { aesTablesInit, tabExpandDec, tabExpandEnc } from './aes'
import { DIGEST, KEY, SCRATCH, SLOT_SIZE } from './layout'
import { tabIgeDecrypt, tabIgeEncrypt } from './ige'

export { tabIgeDecrypt, tabIgeEncrypt }
export { tabCtrInit, tabCtrProcess } from './ctr'
export { sha256, sha256Blocks, sha256Final, sha256Init } from './sha256'
export { sha1, sha1Blocks, sha1Final, sha1Init } from './sha1'
export { envDecrypt, envDecryptClose, envDecryptOpen, envEncrypt } from './mtproto'

/** Generates the tables; call once after instantiation. */
export function init(): void {
  aesTablesInit()
}

/** Table-core schedules from the key at KEY. */
export function tabKeyEnc(): void { tabExpandEnc(KEY) }
export function tabKeyDec(): void { tabExpandDec(KEY) }

/** One-call IGE over SCRATCH[0, len): schedule from KEY, chaining from IV, then wipe(). */
export function tabIgeEncryptOnce(len: usize): void {
  tabExpandEnc(KEY)
  tabIgeEncrypt(SCRATCH, len)
  wipe()
}
export function tabIgeDecryptOnce(len: usize): void {
  tabExpandDec(KEY)
  tabIgeDecrypt(SCRATCH, len)
  wipe()
}

/** Zeroes the per-call key material: KEY, IV, both schedules, DIGEST. */
export function wipe(): void {
  memory.fill(KEY, 0, DIGEST + 64 - KEY)
}

/** Zeroes one CTR slot (dispose). */
export function slotClear(slot: usize): void {
  memory.fill(slot, 0, SLOT_SIZE)
}
