// fflate's zlib inflate alone, imported on demand by embedded.ts where the runtime has no
// DecompressionStream (a module of its own, so that bundlers put only this function in the chunk)
export { unzlibSync } from 'fflate'
