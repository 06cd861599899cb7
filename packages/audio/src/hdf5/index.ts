export type { AttrValue } from "./format.ts";
export { loadH5wasm } from "./h5wasm.ts";
export { ChunkedDataset, type DatasetSpec, Hdf5Writer } from "./writer.ts";
