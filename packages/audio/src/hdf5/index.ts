export { Hdf5Writer, ChunkedDataset, type DatasetSpec } from "./writer.ts";
export { loadH5wasm } from "./h5wasm.ts";
export type { AttrValue } from "./format.ts";
