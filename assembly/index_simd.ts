// The WASM ABI of the SIMD flavours (baseline and relaxed): the no-SIMD ABI plus the
// constant-time vector-permute core. Compiled twice; ct.ts picks relaxed_swizzle by flag.
export * from './index'
export { ctCtrInit, ctCtrProcess, ctExpandDec, ctExpandEnc, ctIgeDecrypt, ctIgeDecryptOnce, ctIgeEncrypt, ctIgeEncryptOnce, ctInit } from './ct'
export { envBatchIge, envBatchWipe, envDecryptBatch, envDecryptFinish, envDecryptPrepare, envEncryptBatch, envEncryptPrepare } from './mtproto'
