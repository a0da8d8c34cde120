/** What generated code needs at run time (types only: generated code calls methods on the reader/writer it is given). */
export type { TlCodec, TlObject, TlReadFn, TlWriteFn } from './codec.js'
export type { TlReader } from './reader.js'
export type { TlWriter } from './writer.js'
