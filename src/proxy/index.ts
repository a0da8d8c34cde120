/** The MTProxy relay, sans-IO: one `ProxyRelay` per client connection; secrets; DC addresses. */
export { ProxyRelay, type HandshakeFailure, type ProxyRelayOptions, type RelayEvent, type RelayInput, type RelayOutput } from './relay.js'
export { parseSecrets, parseSecretsFile, proxyLink, secretHex, type ProxySecretEntry, type SecretInput } from './secrets.js'
export { createUpstreams, parseHostPort, TELEGRAM_DCS, TELEGRAM_DC_PORT, type DcRef, type HostPort, type UpstreamOptions } from './upstream.js'
