#!/usr/bin/env bash
# Packs the package as npm would publish it, installs the tarball into an empty folder, and
# imports it from ESM and CJS, runs its CLI, checks its typings and runs the README's code
# blocks against it: what a user gets, not what the repo has.
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

# typings: are-the-types-wrong on the tarball (node10, node16 from ESM and CJS, bundler), then
# TypeScript consumers compiled against the installed package, then the exported names of each
# bundle against its typings
"$root/node_modules/.bin/attw" --no-color --format table-flipped "$tgz"
cp "$root"/test/dist/consumers/* .
tsc="$root/node_modules/typescript/bin/tsc"
strict=(--strict --noEmit --skipLibCheck --target es2022)
node "$tsc" "${strict[@]}" --module node16 --moduleResolution node16 require.cts import.mts
node "$tsc" "${strict[@]}" --module esnext --moduleResolution bundler browser.ts
node "$tsc" "${strict[@]}" --module esnext --moduleResolution bundler --customConditions browser browser.ts
node "$tsc" "${strict[@]}" --module esnext --moduleResolution bundler --customConditions node bundler-node.ts
echo "pack: TypeScript consumers compile (node16 CJS and ESM, bundler, bundler + browser, bundler + node)"
node exports.mjs "$root/node_modules/typescript/lib/typescript.js"

# every code block of the README, as written, against the installed tarball
node "$root/scripts/test-readme.mjs" --project "$tmp"
echo "pack: $(du -k "$tgz" | cut -f1) KiB tarball, $(tar tzf "$tgz" | wc -l) files"
