/**
 * TL: binary serialization, the schema language, code generation, and the generated code
 * for the MTProto service schema and the secret-chat (end-to-end) schema.
 */
export { TlReader, TL_MAX_OBJECTS, TL_MAX_OBJECTS_UNTRUSTED, TL_UNTRUSTED, type TlReaderOptions } from './reader.js'
export { TlWriter } from './writer.js'
export {
  type TlCodec, type TlObject, type TlReadFn, type TlWriteFn, type TlDecoded, type TlEncodable,
  mergeCodecs, constructorName, ID_VECTOR, ID_BOOL_TRUE, ID_BOOL_FALSE, ID_GZIP_PACKED,
} from './codec.js'
export { TlDecodeError, TlEncodeError, TlSchemaError } from './errors.js'
export {
  parseSchema, parseType, normalize, KNOWN_ID_EXCEPTIONS,
  type TlSchema, type TlCombinator, type TlParam, type TlType, type TlPrimitive, type TlWarning, type ParseOptions,
} from './schema.js'
export { generateTs, generateJs, uniqueNames, type GenerateOptions } from './codegen.js'
export { compileCodec } from './compile.js'
export { gunzipBounded, gzip } from './gzip.js'
export { formatTl } from './format.js'
export { encodeTl, encodeTlInto, decodeTl, gzipPacked, type DecodeOptions } from './api.js'
export * from './generated/mtproto.js'
export * from './generated/secret.js'
export * from './generated/mtwire.js'
// the api.tl subset for secret chats: its types as a namespace (its TypeMessage differs from
// mtproto's); types only, since a value namespace is an object every bundle would build at import
export type * as apiSecret from './generated/api-secret.js'
export { apiSecretCodec, APISECRET_LAYER } from './generated/api-secret.js'
