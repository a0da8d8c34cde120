// The suite imports the BUILT browser bundle on purpose; entry.ts types it as the source API.
declare module '*/dist/browser.mjs'
