#!/usr/bin/env bash
# Packs the package as npm would publish it, installs the tarball into an empty folder, and
# imports it from ESM and CJS and runs its CLI: what a user gets, not what the repo has.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tgz=$(cd "$root" && npm pack --silent --pack-destination "$tmp" | tail -n 1)
cd "$tmp"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "./$tgz"
node --input-type=module -e "
import { createCrypto } from 'mtwire'
const c = await createCrypto()
const k = new Uint8Array(32), iv = new Uint8Array(32)
const ct = c.aesIgeEncrypt(new Uint8Array(32), k, iv)
if (c.aesIgeDecrypt(ct, k, iv).some((b) => b)) throw new Error('ESM round trip failed')
console.log('pack: ESM import ok, backend', c.backend)
"
node -e "
const { createCryptoSync, MtwireError } = require('mtwire')
const c = createCryptoSync()
if (c.sha256(new Uint8Array(0))[0] !== 0xe3 || typeof MtwireError !== 'function') throw new Error('CJS failed')
console.log('pack: CJS require ok, backend', c.backend)
"
npx --no-install mtwire info
test -f node_modules/mtwire/dist/types/node/index.d.ts
test -f node_modules/mtwire/LICENSE
echo "pack: $(du -k "$tgz" | cut -f1) KiB tarball, $(tar tzf "$tgz" | wc -l) files"
