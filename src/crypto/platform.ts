/**
 * Where randomness, WebCrypto and native base64 decoding come from. Defaults to
 * `globalThis.crypto`; the Node entry point (src/node/) installs `node:crypto`'s webcrypto,
 * because Node 18 has no global one, and Buffer's base64 decoder.
 */
export interface Platform {
  getRandomValues?: (buf: Uint8Array) => void
  subtle?: SubtleCrypto
  /** A native base64 decoder (Node: Buffer), for the embedded WASM modules. */
  fromBase64?: (s: string) => Uint8Array<ArrayBuffer>
}

const g = (globalThis as { crypto?: Crypto }).crypto
let platform: Platform = {
  getRandomValues: g?.getRandomValues ? (b) => g.getRandomValues(b) : undefined,
  subtle: g?.subtle,
}

export function getPlatform(): Platform {
  return platform
}

/** Fills in what the runtime lacks; called once by a runtime-specific entry point. */
export function setPlatform(p: Platform): void {
  platform = { ...platform, ...p }
}

type Crypto = { getRandomValues(b: Uint8Array): Uint8Array; subtle?: SubtleCrypto }
