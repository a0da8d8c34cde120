// The WASM ABI of the SIMD flavours (baseline and relaxed): the no-SIMD ABI plus the
// constant-time vector-permute core. Compiled twice; ct.ts picks relaxed_swizzle by flag.
export * from './index'
export { ctCtrInit, ctCtrProcess, ctExpandDec, ctExpandEnc, ctIgeDecrypt, ctIgeDecryptOnce, ctIgeEncrypt, ctIgeEncryptOnce } from './ct'
import { ctInit as ctTables } from './ct'
import { envInit } from './mtproto'

/** Writes the constant-time core's constants and the envelope's SHA-256 constants; once at instantiation. */
export function ctInit(): void {
  ctTables()
  envInit()
}
export { envBatchIge, envBatchWipe, envDecryptBatch, envDecryptFinish, envDecryptPrepare, envEncryptBatch, envEncryptPrepare } from './mtproto'
