// bench/demo.ts imports the BUILT Node bundle on purpose and types it as the source API.
declare module '*/dist/node.mjs'
